//! Files of the generated site, written atomically: a reader sees the old file or the
//! new one, never half of one.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to `root/rel` through a temporary file and a rename.
pub fn write_atomic(root: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = root.join(rel);
    let dir = path.parent().expect("site paths always have a parent");
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_data()?;
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
        tmp.as_file().sync_data()?;
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
