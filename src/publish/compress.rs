//! Precompressed siblings of the site's files. Every page, feed and data file the
//! publisher writes is also written as `<file>.gz` (gzip) and `<file>.br` (Brotli) beside
//! it, in the same generation, so that this service (`web::static_files`) and a web
//! server reading the site directory (nginx's `gzip_static`, Caddy's `precompressed`)
//! send compressed bytes without compressing on every request.
//!
//! The compression runs as the file is written ([`Tee`]), into memory, and the siblings
//! are written (or removed) when the file is finished ([`write_beside`]). The levels keep
//! publishing fast rather than squeezing the last percent: gzip level [`GZIP_LEVEL`] (6,
//! zlib's default) and Brotli quality [`BROTLI_QUALITY`] (5, where Brotli already beats
//! gzip -9 on HTML at a few times gzip's speed). A file gets no siblings when it is
//! shorter than [`MIN_SIZE`] bytes, when compression saves less than an eighth of it
//! (already compressed data), when its name says it is compressed already, or when it is
//! an append-only log (`.jsonl`, the chain export, grown in place by whole lines, which
//! no sibling could follow without being compressed again whole). A file written without
//! siblings has any old ones removed, so a sibling is never stale.

use flate2::write::GzEncoder;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The gzip level of `.gz` siblings.
pub const GZIP_LEVEL: u32 = 6;
/// The Brotli quality of `.br` siblings.
pub const BROTLI_QUALITY: u32 = 5;
/// Brotli's window, as a power of two (4 MiB, the format's default).
const BROTLI_WINDOW: u32 = 22;
/// Files shorter than this are sent as they are: the headers outweigh the saving.
pub const MIN_SIZE: u64 = 256;

/// The encodings a file may have a sibling in, as (`Content-Encoding`, file suffix).
pub const ENCODINGS: [(&str, &str); 2] = [("br", ".br"), ("gzip", ".gz")];

/// Names of files that are never given siblings: compressed already, or appended to.
const SKIPPED: [&str; 10] = [
    ".gz", ".br", ".zip", ".xlsx", ".png", ".jpg", ".jpeg", ".woff2", ".pdf", ".jsonl",
];

/// Whether a file at `path` is given compressed siblings (if it then shrinks).
pub fn wanted(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    !SKIPPED.iter().any(|ext| name.ends_with(ext))
}

/// The path of `path`'s sibling with `suffix` (`.gz`, `.br`).
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The two encoders a file's bytes run through as it is written.
pub struct Siblings {
    len: u64,
    gz: GzEncoder<Vec<u8>>,
    br: brotli::CompressorWriter<Vec<u8>>,
}

impl Default for Siblings {
    fn default() -> Self {
        Siblings::new()
    }
}

impl Siblings {
    pub fn new() -> Siblings {
        Siblings {
            len: 0,
            gz: GzEncoder::new(Vec::new(), flate2::Compression::new(GZIP_LEVEL)),
            br: brotli::CompressorWriter::new(Vec::new(), 16 * 1024, BROTLI_QUALITY, BROTLI_WINDOW),
        }
    }

    /// Feed the next bytes of the file.
    pub fn update(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.len += bytes.len() as u64;
        self.gz.write_all(bytes)?;
        self.br.write_all(bytes)
    }

    /// The compressed bytes, in the order of [`ENCODINGS`] (Brotli, gzip), or none if the
    /// file is too short or does not shrink enough to be worth a sibling.
    pub fn finish(self) -> std::io::Result<Option<[Vec<u8>; 2]>> {
        let gz = self.gz.finish()?;
        let br = self.br.into_inner();
        let worth = |c: &Vec<u8>| (c.len() as u64) * 8 <= self.len * 7;
        Ok((self.len >= MIN_SIZE && worth(&gz) && worth(&br)).then_some([br, gz]))
    }

    /// Compress `bytes` whole.
    pub fn of(bytes: &[u8]) -> std::io::Result<Option<[Vec<u8>; 2]>> {
        let mut s = Siblings::new();
        s.update(bytes)?;
        s.finish()
    }
}

/// A writer that passes every byte to `inner` and, when the file is one that gets
/// siblings, to its encoders too.
pub struct Tee<W> {
    inner: W,
    siblings: Option<Box<Siblings>>,
}

impl<W: Write> Tee<W> {
    /// Write to `inner`, the temporary file that becomes `path`.
    pub fn new(inner: W, path: &Path) -> Tee<W> {
        Tee {
            inner,
            siblings: wanted(path).then(|| Box::new(Siblings::new())),
        }
    }

    /// The file written, and its siblings' encoders (none if it gets no siblings).
    pub fn into_parts(self) -> (W, Option<Box<Siblings>>) {
        (self.inner, self.siblings)
    }
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(s) = &mut self.siblings {
            s.update(&buf[..n])?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Write the siblings of the file at `path` (each through a temporary file and a rename,
/// made by `temp_in`), or remove old ones if it gets none now.
pub fn write_beside(
    path: &Path,
    siblings: Option<Box<Siblings>>,
    temp_in: impl Fn(&Path) -> std::io::Result<tempfile::NamedTempFile>,
) -> std::io::Result<()> {
    let compressed = match siblings {
        Some(s) => s.finish()?,
        None => None,
    };
    let Some(compressed) = compressed else {
        return remove_beside(path);
    };
    let dir = path.parent().expect("site paths always have a parent");
    for ((_, suffix), bytes) in ENCODINGS.iter().zip(compressed) {
        let mut tmp = temp_in(dir)?;
        tmp.write_all(&bytes)?;
        tmp.persist(sibling(path, suffix)).map_err(|e| e.error)?;
    }
    Ok(())
}

/// Remove the siblings of the file at `path`; none there is fine.
pub fn remove_beside(path: &Path) -> std::io::Result<()> {
    for (_, suffix) in ENCODINGS {
        match std::fs::remove_file(sibling(path, suffix)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn unbrotli(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::Decompressor::new(bytes, 4096)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn siblings_decode_to_the_file_written_in_pieces() {
        let page = "<tr><td>Dr A Person</td><td>Financial interest</td></tr>\n".repeat(400);
        let mut s = Siblings::new();
        for chunk in page.as_bytes().chunks(1000) {
            s.update(chunk).unwrap();
        }
        let [br, gz] = s.finish().unwrap().expect("a page shrinks");
        assert_eq!(unbrotli(&br), page.as_bytes());
        assert_eq!(gunzip(&gz), page.as_bytes());
        assert!(br.len() < page.len() / 10 && gz.len() < page.len() / 10);
    }

    #[test]
    fn short_or_incompressible_files_get_no_siblings() {
        assert!(Siblings::of(b"<p>short</p>").unwrap().is_none());
        // Bytes that do not shrink (a hash chain's worth of digests, say).
        let mut noise = Vec::new();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..8192 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            noise.push((x >> 32) as u8);
        }
        assert!(Siblings::of(&noise).unwrap().is_none());
        assert!(Siblings::of(&[b'a'; 256]).unwrap().is_some());
    }

    #[test]
    fn compressed_and_appended_files_are_not_given_siblings() {
        for name in ["a/chain.jsonl", "a/x.html.gz", "a/x.html.br", "a/book.xlsx"] {
            assert!(!wanted(Path::new(name)), "{name}");
        }
        for name in [
            "a/index.html",
            "a/feeds/all.xml",
            "a/data/gifts.csv",
            "assets/site.css",
        ] {
            assert!(wanted(Path::new(name)), "{name}");
        }
    }

    #[test]
    fn a_file_written_without_siblings_loses_its_old_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.html");
        let temp = |d: &Path| tempfile::NamedTempFile::new_in(d);
        let page = "<p>a register page</p>\n".repeat(100);
        write_beside(
            &path,
            Some(Box::new({
                let mut s = Siblings::new();
                s.update(page.as_bytes()).unwrap();
                s
            })),
            temp,
        )
        .unwrap();
        assert_eq!(
            gunzip(&std::fs::read(sibling(&path, ".gz")).unwrap()),
            page.as_bytes()
        );
        assert!(sibling(&path, ".br").is_file());
        write_beside(&path, None, temp).unwrap();
        assert!(!sibling(&path, ".gz").exists() && !sibling(&path, ".br").exists());
    }
}
