//! Files of the generated site, written atomically: a reader sees the old file or the
//! new one, never half of one. Pages are not synced to disk one by one: the site can
//! always be rendered again from the database (the service does so when it starts).

use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to `root/rel` through a temporary file and a rename.
pub fn write_atomic(root: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = root.join(rel);
    let dir = path.parent().expect("site paths always have a parent");
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// Streams a large file (the chain export) to a temporary file, then swaps it in.
pub struct AtomicFile {
    tmp: std::io::BufWriter<tempfile::NamedTempFile>,
    path: PathBuf,
}

impl AtomicFile {
    pub fn create(root: &Path, rel: &str) -> std::io::Result<AtomicFile> {
        let path = root.join(rel);
        let dir = path.parent().expect("site paths always have a parent");
        std::fs::create_dir_all(dir)?;
        Ok(AtomicFile {
            tmp: std::io::BufWriter::new(tempfile::NamedTempFile::new_in(dir)?),
            path,
        })
    }
    pub fn writer(&mut self) -> &mut impl Write {
        &mut self.tmp
    }
    pub fn commit(self) -> std::io::Result<()> {
        let tmp = self.tmp.into_inner().map_err(|e| e.into_error())?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Remove a generated directory that should no longer be published.
pub fn remove_dir(root: &Path, rel: &str) -> std::io::Result<()> {
    match std::fs::remove_dir_all(root.join(rel)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// The names of the directories (`dirs`) or files directly under `root/rel`, skipping
/// hidden ones (temporary files); none if it does not exist.
pub fn list(root: &Path, rel: &str, dirs: bool) -> std::io::Result<Vec<String>> {
    let read = match std::fs::read_dir(root.join(rel)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        other => other?,
    };
    let mut out = Vec::new();
    for entry in read {
        let entry = entry?;
        if entry.file_type()?.is_dir() != dirs {
            continue;
        }
        if let Some(name) = entry.file_name().to_str() {
            if !name.starts_with('.') {
                out.push(name.to_owned());
            }
        }
    }
    Ok(out)
}

/// Remove a generated file that should no longer be published.
pub fn remove_file(root: &Path, rel: &str) -> std::io::Result<()> {
    match std::fs::remove_file(root.join(rel)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// How one publish of an organisation reaches the disk.
pub enum Output {
    /// Everything under the organisation's directory is rendered afresh into a new
    /// generation (`.gen/<org>-<n>`), which replaces the old one with one rename of the
    /// `<org>` symlink: a reader sees the old site or the new one, never a mixture.
    Fresh {
        site: PathBuf,
        org: String,
        dir: PathBuf,
    },
    /// Some pages are re-rendered: each is written to a temporary file beside its target,
    /// and all are renamed into place together when the publish commits, so no page is
    /// ever half-written and the switch takes microseconds.
    Staged {
        site: PathBuf,
        staged: Vec<(tempfile::TempPath, PathBuf)>,
        removals: Vec<PathBuf>,
    },
}

/// The directory generations live in, hidden from the web server.
const GENERATIONS: &str = ".gen";

impl Output {
    /// Start a fresh generation of organisation `org`'s pages.
    pub fn fresh(site: &Path, org: &str) -> std::io::Result<Output> {
        let gens = site.join(GENERATIONS);
        std::fs::create_dir_all(&gens)?;
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = gens.join(format!("{org}-{stamp}"));
        std::fs::create_dir_all(&dir)?;
        Ok(Output::Fresh {
            site: site.to_owned(),
            org: org.to_owned(),
            dir,
        })
    }

    /// Stage changed pages of the published site.
    pub fn staged(site: &Path) -> Output {
        Output::Staged {
            site: site.to_owned(),
            staged: Vec::new(),
            removals: Vec::new(),
        }
    }

    fn target(&self, rel: &str) -> PathBuf {
        match self {
            Output::Fresh { site, org, dir } => match rel.strip_prefix(org.as_str()) {
                Some(rest) if rest.starts_with('/') => dir.join(&rest[1..]),
                _ => site.join(rel),
            },
            Output::Staged { site, .. } => site.join(rel),
        }
    }

    /// Write one file.
    pub fn write(&mut self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        let mut file = self.create(rel)?;
        file.writer().write_all(bytes)?;
        self.finish(file)
    }

    /// Start writing a file that is streamed (the chain export); finish with [`Output::finish`].
    pub fn create(&mut self, rel: &str) -> std::io::Result<AtomicFile> {
        let path = self.target(rel);
        let dir = path.parent().expect("site paths always have a parent");
        std::fs::create_dir_all(dir)?;
        Ok(AtomicFile {
            tmp: std::io::BufWriter::new(tempfile::NamedTempFile::new_in(dir)?),
            path,
        })
    }

    /// Finish a file: in a fresh generation it is in place at once; otherwise it waits
    /// for [`Output::commit`].
    pub fn finish(&mut self, file: AtomicFile) -> std::io::Result<()> {
        let tmp = file.tmp.into_inner().map_err(|e| e.into_error())?;
        match self {
            Output::Fresh { .. } => {
                tmp.persist(&file.path).map_err(|e| e.error)?;
            }
            Output::Staged { staged, .. } => staged.push((tmp.into_temp_path(), file.path)),
        }
        Ok(())
    }

    /// Append to a published file in one write (the chain export, which only grows).
    /// Returns false when there is nothing to append to (a fresh generation, or no file
    /// yet), and the caller writes the file whole instead.
    pub fn append(&mut self, rel: &str, bytes: &[u8]) -> std::io::Result<bool> {
        let Output::Staged { .. } = self else {
            return Ok(false);
        };
        let path = self.target(rel);
        let mut file = match std::fs::OpenOptions::new().append(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        file.write_all(bytes)?;
        Ok(true)
    }

    /// Remove a file or directory that should no longer be published (at commit).
    pub fn remove(&mut self, rel: &str) {
        let path = self.target(rel);
        if let Output::Staged { removals, .. } = self {
            removals.push(path);
        }
    }

    /// The names of directories (`dirs`) or files under `rel` as published now (none in a
    /// fresh generation, which holds only what this publish writes).
    pub fn list(&self, rel: &str, dirs: bool) -> std::io::Result<Vec<String>> {
        match self {
            Output::Fresh { .. } => Ok(vec![]),
            Output::Staged { site, .. } => list(site, rel, dirs),
        }
    }

    /// Make the publish visible.
    pub fn commit(self) -> std::io::Result<()> {
        match self {
            Output::Staged {
                staged, removals, ..
            } => {
                for (tmp, path) in staged {
                    tmp.persist(&path).map_err(|e| e.error)?;
                }
                for path in removals {
                    let removed = match std::fs::symlink_metadata(&path) {
                        Ok(m) if m.is_dir() => std::fs::remove_dir_all(&path),
                        Ok(_) => std::fs::remove_file(&path),
                        Err(e) => Err(e),
                    };
                    match removed {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                        _ => {}
                    }
                }
                Ok(())
            }
            Output::Fresh { site, org, dir } => swap_in(&site, &org, &dir),
        }
    }
}

/// Point `site/<org>` at generation `dir` with one rename, then remove older generations.
fn swap_in(site: &Path, org: &str, dir: &Path) -> std::io::Result<()> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("generation names are text")
        .to_owned();
    let link = site.join(org);
    let tmp_link = site.join(format!(".{org}.link"));
    let _ = std::fs::remove_file(&tmp_link);
    std::os::unix::fs::symlink(Path::new(GENERATIONS).join(&name), &tmp_link)?;
    // A site published before generations existed holds a real directory: move it
    // aside once (it is removed below with the other old generations).
    if std::fs::symlink_metadata(&link).is_ok_and(|m| m.is_dir()) {
        std::fs::rename(&link, site.join(GENERATIONS).join(format!("{org}-old")))?;
    }
    std::fs::rename(&tmp_link, &link)?;
    for old in list(&site.join(GENERATIONS), "", true)? {
        if old != name
            && old
                .strip_prefix(org)
                .is_some_and(|rest| rest.starts_with('-'))
        {
            remove_dir(&site.join(GENERATIONS), &old)?;
        }
    }
    Ok(())
}
