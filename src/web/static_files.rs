//! The generated site's files, served as a web server in front of the site directory
//! would serve them (the README's nginx block does the same): the precompressed sibling
//! the client accepts (`.br`, then `.gz`, see [`crate::publish::compress`]) with
//! `Content-Encoding` and `Vary: Accept-Encoding`, the type named by the file's
//! extension, `Cache-Control`, a strong `ETag` per encoding and `304 Not Modified` for a
//! matching `If-None-Match`, a directory's `index.html`, a redirect from a directory
//! without its trailing slash, and the site's 404 page for anything else.
//!
//! Nothing outside the site directory is served: a path with a `..`, `.` or hidden
//! segment (the generations under `.gen/`, temporary files), encoded or not, is not
//! found, and a file reached through a symbolic link must lie inside the site directory.
//!
//! A file that is asked for is kept in memory (all its variants) in a [`HotCache`]
//! bounded in bytes, so serving it again costs one `stat` and no trip to the blocking
//! pool. The `stat` is what keeps the cache right: a published file is never changed in
//! place but replaced by a rename (a new inode) or, for an organisation, by swapping the
//! symbolic link to a new generation, so a cached file whose inode, length or
//! modification time differs from the file the path leads to now is read again. Larger
//! files (the bulk open data) are streamed from disk.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Files up to this size (uncompressed) are kept in the hot cache.
pub const CACHED_FILE_MAX: u64 = 2 * 1024 * 1024;
/// The hot cache's bound, all variants of all files counted.
pub const CACHE_BYTES: usize = 64 * 1024 * 1024;

/// `Cache-Control` of pages, feeds and data: short, since a write changes them.
const CACHE_PAGES: &str = "public, max-age=60";
/// `Cache-Control` of the stylesheets under `/assets/`, which change only with a release.
const CACHE_ASSETS: &str = "public, max-age=86400";

/// The site directory and the hot cache of its files.
pub struct Site {
    root: PathBuf,
    /// The site directory with every symbolic link resolved, found when first needed
    /// (the directory may not exist before the first publish).
    real_root: std::sync::OnceLock<PathBuf>,
    cache: HotCache,
}

impl Site {
    pub fn new(root: PathBuf) -> Site {
        Site::with_budget(root, CACHE_BYTES)
    }

    /// A site whose hot cache holds at most `budget` bytes.
    pub fn with_budget(root: PathBuf, budget: usize) -> Site {
        Site {
            root,
            real_root: std::sync::OnceLock::new(),
            cache: HotCache::new(budget),
        }
    }

    fn real_root(&self) -> std::io::Result<&Path> {
        if let Some(r) = self.real_root.get() {
            return Ok(r);
        }
        let real = self.root.canonicalize()?;
        Ok(self.real_root.get_or_init(|| real))
    }
}

/// What identifies one state of a file: a published file is replaced, never rewritten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    dev: u64,
    ino: u64,
    len: u64,
    mtime_ns: i128,
}

impl FileId {
    fn of(m: &std::fs::Metadata) -> FileId {
        FileId {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            mtime_ns: m.mtime() as i128 * 1_000_000_000 + m.mtime_nsec() as i128,
        }
    }

    /// A strong entity tag for these bytes: their length and modification time (to the
    /// nanosecond), and the encoding, so each variant has its own. It does not name the
    /// inode, so two copies of one site (two instances) give the same tags.
    fn etag(&self, suffix: &str) -> HeaderValue {
        HeaderValue::from_str(&format!("\"{:x}-{:x}{suffix}\"", self.len, self.mtime_ns))
            .expect("hex digits are a valid header")
    }
}

/// One encoding of a cached file.
struct Variant {
    bytes: Bytes,
    etag: HeaderValue,
}

/// A cached file: its identity when read, and its variants.
struct Cached {
    id: FileId,
    content_type: HeaderValue,
    cache_control: HeaderValue,
    identity: Variant,
    /// In the order of [`crate::publish::compress::ENCODINGS`] (Brotli, gzip).
    encoded: [Option<Variant>; 2],
    last_used: AtomicU64,
}

impl Cached {
    fn size(&self) -> usize {
        self.identity.bytes.len()
            + self
                .encoded
                .iter()
                .flatten()
                .map(|v| v.bytes.len())
                .sum::<usize>()
    }
}

/// Recently served files by path, bounded in bytes; the least recently used go first.
pub struct HotCache {
    files: RwLock<HashMap<PathBuf, Arc<Cached>>>,
    budget: usize,
    clock: AtomicU64,
}

impl HotCache {
    fn new(budget: usize) -> HotCache {
        HotCache {
            files: RwLock::new(HashMap::new()),
            budget,
            clock: AtomicU64::new(0),
        }
    }

    fn get(&self, path: &Path) -> Option<Arc<Cached>> {
        let hit = self.files.read().ok()?.get(path).cloned()?;
        hit.last_used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        Some(hit)
    }

    fn insert(&self, path: PathBuf, file: Arc<Cached>) {
        let Ok(mut files) = self.files.write() else {
            return;
        };
        let size = file.size();
        if size > self.budget {
            return;
        }
        file.last_used.store(
            self.clock.fetch_add(1, Ordering::Relaxed),
            Ordering::Relaxed,
        );
        files.insert(path, file);
        let mut total: usize = files.values().map(|f| f.size()).sum();
        while total > self.budget {
            let Some(oldest) = files
                .iter()
                .min_by_key(|(_, f)| f.last_used.load(Ordering::Relaxed))
                .map(|(p, _)| p.clone())
            else {
                break;
            };
            if let Some(gone) = files.remove(&oldest) {
                total -= gone.size();
            }
        }
    }

    fn remove(&self, path: &Path) {
        if let Ok(mut files) = self.files.write() {
            files.remove(path);
        }
    }

    /// The bytes held, all variants counted.
    pub fn bytes(&self) -> usize {
        self.files
            .read()
            .map(|f| f.values().map(|c| c.size()).sum())
            .unwrap_or(0)
    }
}

/// The path under the site directory that a request's path names, percent-decoded, or
/// `None` if it is not one the site can have (a `..`, `.` or hidden segment, a
/// backslash, a NUL, or bytes that are not UTF-8).
pub fn site_path(raw: &str) -> Option<PathBuf> {
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()?;
    let mut path = PathBuf::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains(['\\', '\0']) {
            return None;
        }
        path.push(segment);
    }
    Some(path)
}

/// The `Content-Type` of a site file, by its extension.
pub fn content_type(path: &Path) -> HeaderValue {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let in_feeds = path.parent().is_some_and(|p| p.ends_with("feeds"))
        || path.components().any(|c| c.as_os_str() == "feeds");
    let value = match ext {
        "html" => "text/html; charset=utf-8",
        "xml" if in_feeds => "application/rss+xml; charset=utf-8",
        "xml" => "application/xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "jsonl" => "application/jsonl; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "txt" | "note" | "sig" | "" => "text/plain; charset=utf-8",
        other => {
            return HeaderValue::from_str(actix_files::file_extension_to_mime(other).as_ref())
                .unwrap_or(HeaderValue::from_static("application/octet-stream"))
        }
    };
    HeaderValue::from_static(value)
}

fn cache_control(rel: &Path) -> HeaderValue {
    HeaderValue::from_static(if rel.starts_with("assets") {
        CACHE_ASSETS
    } else {
        CACHE_PAGES
    })
}

/// Which encoding to send: the index into [`crate::publish::compress::ENCODINGS`] of the
/// first one (Brotli, then gzip) among those `available` that the `Accept-Encoding`
/// header accepts with the highest quality, or `None` for the file as it is.
pub fn negotiate(accept: Option<&str>, available: [bool; 2]) -> Option<usize> {
    let accept = accept?;
    let mut star = None;
    let mut q = [None::<f32>; 2];
    let mut identity = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut quality = 1.0f32;
        for p in parts {
            if let Some((k, v)) = p.split_once('=') {
                if k.trim().eq_ignore_ascii_case("q") {
                    quality = v.trim().parse().unwrap_or(0.0);
                }
            }
        }
        match coding.as_str() {
            "br" => q[0] = Some(quality),
            "gzip" | "x-gzip" => q[1] = Some(quality),
            "identity" => identity = Some(quality),
            "*" => star = Some(quality),
            _ => {}
        }
    }
    let quality = |i: usize| q[i].or(star).unwrap_or(0.0);
    let best = (0..2)
        .filter(|&i| available[i] && quality(i) > 0.0)
        .max_by(|&a, &b| {
            quality(a)
                .partial_cmp(&quality(b))
                .unwrap_or(std::cmp::Ordering::Equal)
                // On equal quality, the earlier (smaller) encoding wins.
                .then(b.cmp(&a))
        })?;
    // Identity, when not named, is acceptable but preferred least.
    identity.is_none_or(|q| quality(best) >= q).then_some(best)
}

/// Whether `If-None-Match` names `etag` (weak comparison, as RFC 9110 says for it).
fn none_match_hits(req: &HttpRequest, etag: &HeaderValue) -> bool {
    let Some(value) = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let ours = etag.to_str().unwrap_or_default();
    value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == ours)
}

/// The actix handler of every path the route table does not claim.
pub async fn serve(req: HttpRequest, site: web::Data<Site>) -> HttpResponse {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "GET, HEAD"))
            .content_type("text/plain; charset=utf-8")
            .body("The site's pages are read with GET or HEAD.");
    }
    let raw = req.uri().path();
    let Some(rel) = site_path(raw) else {
        return super::api::page_not_found().await;
    };
    let directory_asked = raw.ends_with('/') || rel.as_os_str().is_empty();
    let file = if directory_asked {
        rel.join("index.html")
    } else {
        rel.clone()
    };
    let path = site.root.join(&file);
    // The one system call of a cached page: is the file the path leads to the one cached?
    let meta = std::fs::metadata(&path);
    if let (Ok(m), Some(hit)) = (&meta, site.cache.get(&path)) {
        if m.is_file() && FileId::of(m) == hit.id {
            return respond(&req, &hit);
        }
    }
    match meta {
        Ok(m) if m.is_file() => {}
        Ok(m) if m.is_dir() && !directory_asked => {
            // As a web server does: the directory's page is at its address with a slash.
            if site.root.join(&rel).join("index.html").is_file() {
                return HttpResponse::TemporaryRedirect()
                    .insert_header((header::LOCATION, format!("{raw}/")))
                    .finish();
            }
            return super::api::page_not_found().await;
        }
        _ => {
            site.cache.remove(&path);
            return super::api::page_not_found().await;
        }
    }
    let site2 = site.clone();
    let loaded = web::block(move || load(&site2, &file, &path)).await;
    match loaded {
        Ok(Ok(Loaded::Cached(hit))) => respond(&req, &hit),
        Ok(Ok(Loaded::Large { path, encoding })) => stream(&req, &rel, &path, encoding).await,
        Ok(Ok(Loaded::Outside)) | Ok(Err(_)) | Err(_) => super::api::page_not_found().await,
    }
}

/// A file read for serving.
enum Loaded {
    /// Read into the hot cache.
    Cached(Arc<Cached>),
    /// Too large to cache: streamed from disk.
    Large { path: PathBuf, encoding: [bool; 2] },
    /// Reached through a link that leads out of the site directory.
    Outside,
}

/// Read the file at `path` (`rel` under the site) and its siblings into the cache, if it
/// lies inside the site directory.
fn load(site: &Site, rel: &Path, path: &Path) -> std::io::Result<Loaded> {
    let real = path.canonicalize()?;
    if !real.starts_with(site.real_root()?) {
        return Ok(Loaded::Outside);
    }
    let id = FileId::of(&std::fs::metadata(path)?);
    let siblings = crate::publish::compress::ENCODINGS
        .map(|(_, suffix)| crate::publish::compress::sibling(&real, suffix));
    if id.len > CACHED_FILE_MAX {
        return Ok(Loaded::Large {
            path: real,
            encoding: siblings.each_ref().map(|p| p.is_file()),
        });
    }
    // Read from the resolved path: one generation, even if the link is swapped meanwhile.
    let identity = Variant {
        bytes: Bytes::from(std::fs::read(&real)?),
        etag: id.etag(""),
    };
    let mut encoded = [None, None];
    for (i, (sibling, (_, suffix))) in siblings
        .iter()
        .zip(crate::publish::compress::ENCODINGS)
        .enumerate()
    {
        let Ok(m) = std::fs::metadata(sibling) else {
            continue;
        };
        encoded[i] = Some(Variant {
            bytes: Bytes::from(std::fs::read(sibling)?),
            etag: FileId::of(&m).etag(suffix),
        });
    }
    let cached = Arc::new(Cached {
        id,
        content_type: content_type(rel),
        cache_control: cache_control(rel),
        identity,
        encoded,
        last_used: AtomicU64::new(0),
    });
    // Cached only if the path still leads to the file read (no publish in between).
    if std::fs::metadata(path).is_ok_and(|m| FileId::of(&m) == id) {
        site.cache.insert(path.to_owned(), cached.clone());
    }
    Ok(Loaded::Cached(cached))
}

/// The answer for a cached file.
fn respond(req: &HttpRequest, file: &Cached) -> HttpResponse {
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let chosen = negotiate(accept, file.encoded.each_ref().map(Option::is_some));
    let (variant, encoding) = match chosen.and_then(|i| file.encoded[i].as_ref().map(|v| (v, i))) {
        Some((v, i)) => (v, Some(crate::publish::compress::ENCODINGS[i].0)),
        None => (&file.identity, None),
    };
    let not_modified = none_match_hits(req, &variant.etag);
    let mut answer = if not_modified {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    answer
        .insert_header((header::ETAG, variant.etag.clone()))
        .insert_header((header::CACHE_CONTROL, file.cache_control.clone()))
        .insert_header((header::VARY, HeaderValue::from_static("Accept-Encoding")));
    if not_modified {
        return answer.finish();
    }
    answer.insert_header((header::CONTENT_TYPE, file.content_type.clone()));
    if let Some(e) = encoding {
        answer.insert_header((header::CONTENT_ENCODING, e));
    }
    answer.body(variant.bytes.clone())
}

/// The answer for a file too large to cache, streamed from disk by actix-files.
async fn stream(req: &HttpRequest, rel: &Path, path: &Path, available: [bool; 2]) -> HttpResponse {
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    let chosen = negotiate(accept, available);
    let (file_path, suffix, coding) = match chosen {
        Some(i) => {
            let (coding, suffix) = crate::publish::compress::ENCODINGS[i];
            (
                crate::publish::compress::sibling(path, suffix),
                suffix,
                Some(coding),
            )
        }
        None => (path.to_owned(), "", None),
    };
    let Ok(named) = actix_files::NamedFile::open_async(&file_path).await else {
        return super::api::page_not_found().await;
    };
    let etag = FileId::of(named.metadata()).etag(suffix);
    let content_type = content_type(rel);
    if none_match_hits(req, &etag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache_control(rel)))
            .insert_header((header::VARY, "Accept-Encoding"))
            .finish();
    }
    let mime = content_type
        .to_str()
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(actix_web::mime::APPLICATION_OCTET_STREAM);
    let mut named = named
        .set_content_type(mime)
        .disable_content_disposition()
        .use_etag(false)
        .use_last_modified(true);
    if let Some(coding) = coding {
        named = named.set_content_encoding(match coding {
            "br" => header::ContentEncoding::Brotli,
            _ => header::ContentEncoding::Gzip,
        });
    }
    let mut answer = named.into_response(req);
    let headers = answer.headers_mut();
    headers.insert(header::ETAG, etag);
    headers.insert(header::CACHE_CONTROL, cache_control(rel));
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    headers.insert(header::CONTENT_TYPE, content_type);
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brotli_then_gzip_then_identity_by_quality() {
        let both = [true, true];
        assert_eq!(negotiate(Some("gzip, deflate, br"), both), Some(0));
        assert_eq!(negotiate(Some("gzip"), both), Some(1));
        assert_eq!(negotiate(Some("gzip, br"), [false, true]), Some(1));
        assert_eq!(negotiate(Some("br;q=0, gzip"), both), Some(1));
        assert_eq!(negotiate(Some("br;q=0.5, gzip;q=1"), both), Some(1));
        assert_eq!(negotiate(Some("br;q=0, gzip;q=0"), both), None);
        assert_eq!(negotiate(Some("identity"), both), None);
        assert_eq!(negotiate(Some("*"), both), Some(0));
        assert_eq!(negotiate(Some("*;q=0, identity"), both), None);
        assert_eq!(negotiate(Some("deflate"), both), None);
        assert_eq!(negotiate(None, both), None);
        assert_eq!(negotiate(Some("gzip;q=0.5, identity;q=1"), both), None);
        assert_eq!(negotiate(Some("gzip;q=0.5, identity;q=0"), both), Some(1));
        assert_eq!(negotiate(Some("br;q=nonsense, gzip"), both), Some(1));
        assert_eq!(negotiate(Some("gzip;q=0.5"), both), Some(1));
    }

    #[test]
    fn paths_out_of_the_site_or_into_hidden_folders_are_refused() {
        for raw in [
            "/../etc/passwd",
            "/a/../../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/a/%2E%2E/%2e%2e/x",
            "/.gen/test-ccg-1/index.html",
            "/%2egen/x",
            "/a\\..\\b",
            "/a%5c..%5cb",
            "/a%00b",
            "/%ff",
        ] {
            assert_eq!(site_path(raw), None, "{raw}");
        }
        assert_eq!(
            site_path("/test-ccg/interests/"),
            Some(PathBuf::from("test-ccg/interests"))
        );
        assert_eq!(
            site_path("/test-ccg//data/a%20b.csv"),
            Some(PathBuf::from("test-ccg/data/a b.csv"))
        );
    }

    #[test]
    fn types_follow_the_extension() {
        for (path, ty) in [
            ("a/index.html", "text/html; charset=utf-8"),
            ("a/feeds/all.xml", "application/rss+xml; charset=utf-8"),
            ("a/data/ocds.json", "application/json"),
            ("a/data/gifts.csv", "text/csv; charset=utf-8"),
            ("a/audit/chain.jsonl", "application/jsonl; charset=utf-8"),
            ("assets/site.css", "text/css; charset=utf-8"),
        ] {
            assert_eq!(content_type(Path::new(path)), ty, "{path}");
        }
    }

    #[test]
    fn the_cache_keeps_to_its_budget_dropping_the_least_recently_used() {
        let cache = HotCache::new(1000);
        let file = |n: usize| {
            Arc::new(Cached {
                id: FileId {
                    dev: 0,
                    ino: n as u64,
                    len: 400,
                    mtime_ns: 0,
                },
                content_type: HeaderValue::from_static("text/plain"),
                cache_control: HeaderValue::from_static(CACHE_PAGES),
                identity: Variant {
                    bytes: Bytes::from(vec![b'x'; 400]),
                    etag: HeaderValue::from_static("\"x\""),
                },
                encoded: [None, None],
                last_used: AtomicU64::new(0),
            })
        };
        cache.insert("a".into(), file(1));
        cache.insert("b".into(), file(2));
        assert!(cache.get(Path::new("a")).is_some());
        cache.insert("c".into(), file(3));
        assert!(cache.bytes() <= 1000);
        assert!(cache.get(Path::new("a")).is_some(), "used most recently");
        assert!(cache.get(Path::new("b")).is_none(), "used least recently");
        assert!(cache.get(Path::new("c")).is_some());
    }
}
