//! Files of the generated site, written atomically: a reader sees the old file or the
//! new one, never half of one. Pages are not synced to disk one by one: the site can
//! always be rendered again from the database (the service does so when it starts).

use super::compress;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Write `bytes` to `root/rel` through a temporary file and a rename.
pub fn write_atomic(root: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    let path = root.join(rel);
    let dir = path.parent().expect("site paths always have a parent");
    create_dirs(dir)?;
    let mut tmp = temp_file_in(dir)?;
    tmp.write_all(bytes)?;
    let siblings = compress::wanted(&path)
        .then(|| {
            let mut s = compress::Siblings::new();
            s.update(bytes).map(|()| Box::new(s))
        })
        .transpose()?;
    // The siblings first: whoever sees the new file sees its siblings.
    compress::write_beside(&path, siblings, temp_file_in)?;
    tmp.persist(&path).map_err(|e| e.error)?;
    Ok(())
}

/// Streams a large file (the chain export) to a temporary file, then swaps it in, with
/// its compressed siblings ([`compress`]).
pub struct AtomicFile {
    tmp: std::io::BufWriter<compress::Tee<tempfile::NamedTempFile>>,
    path: PathBuf,
}

impl AtomicFile {
    pub fn create(root: &Path, rel: &str) -> std::io::Result<AtomicFile> {
        let path = root.join(rel);
        let dir = path.parent().expect("site paths always have a parent");
        create_dirs(dir)?;
        Ok(AtomicFile {
            tmp: std::io::BufWriter::new(compress::Tee::new(temp_file_in(dir)?, &path)),
            path,
        })
    }
    pub fn writer(&mut self) -> &mut impl Write {
        &mut self.tmp
    }
    pub fn commit(self) -> std::io::Result<()> {
        self.persist()
    }

    /// Rename the file into place and write its siblings beside it.
    fn persist(self) -> std::io::Result<()> {
        let (tmp, siblings) = self
            .tmp
            .into_inner()
            .map_err(|e| e.into_error())?
            .into_parts();
        // The siblings first: whoever sees the new file sees its siblings.
        compress::write_beside(&self.path, siblings, temp_file_in)?;
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

/// Remove a generated file (and its compressed siblings) that should no longer be
/// published.
pub fn remove_file(root: &Path, rel: &str) -> std::io::Result<()> {
    match std::fs::remove_file(root.join(rel)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => compress::remove_beside(&root.join(rel)),
    }
}

/// How one publish of an organisation reaches the disk. Either way the organisation's
/// pages, feeds, open data and chain export change together: `site/<org>` is a symlink to
/// one generation directory under `.gen/`, and a publish writes a generation no reader
/// sees, then points the symlink at it with one rename. A reader (this service or a web
/// server reading the directory) sees the site before the change or after it, never a
/// mixture, and never part of a file or half a line of the chain export.
pub enum Output {
    /// Everything under the organisation's directory is rendered afresh into a new, empty
    /// generation (`.gen/<org>-<n>`); older generations are removed once it is live.
    Fresh {
        site: PathBuf,
        org: String,
        dir: PathBuf,
    },
    /// Some pages are re-rendered into the organisation's *shadow* generation: a second
    /// copy of the live one (hard links to the same files, so it costs no copying). Only
    /// what changes is written, so the work is in proportion to the change; at commit the
    /// shadow goes live, and the generation it replaces becomes the next shadow, brought
    /// level with the new live one by the same changes. Files are replaced by rename,
    /// never rewritten in place; the one exception, the export, only grows by whole lines
    /// at its end, so a reader that took its length at open (as every web server does)
    /// reads one state of it.
    Staged {
        site: PathBuf,
        org: String,
        /// The generation being written (the shadow).
        dir: PathBuf,
        /// The live generation the shadow was brought level with.
        live: PathBuf,
        /// What this publish changed, relative to the organisation's directory. Pages
        /// are written from several threads at once: each records its change here under
        /// this short lock, after its file is written and renamed into place.
        changed: std::sync::Mutex<Vec<Change>>,
    },
}

/// One path a publish changed, for bringing the other generation level afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Written whole (a new file).
    Written(String),
    /// Grown at the end (the chain export).
    Appended(String),
    /// Removed, file or directory.
    Removed(String),
}

/// The shadow generation of an organisation after a staged or fresh publish: where the
/// next staged publish writes, and what it still lacks of the live generation (the
/// export's latest lines, appended when that publish starts).
#[derive(Debug, Clone)]
pub struct Shadow {
    /// The generation that is not live (the one the last publish replaced), if any.
    dir: Option<PathBuf>,
    /// The live generation.
    live: PathBuf,
    /// What the live generation has that the shadow does not yet.
    behind: Vec<Change>,
}

/// The directory generations live in, hidden from the web server.
const GENERATIONS: &str = ".gen";

/// Generated files are world-readable, so that a web server running as another user
/// (nginx, Caddy, a CDN sync) can serve the site directory.
const FILE_MODE: u32 = 0o644;

/// Generated directories are world-readable and searchable, for the same reason.
const DIR_MODE: u32 = 0o755;

/// A temporary file in `dir` with the published files' mode, whatever the umask.
fn temp_file_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::Builder::new()
        .permissions(std::fs::Permissions::from_mode(FILE_MODE))
        .tempfile_in(dir)?;
    // The mode asked of `open` is narrowed by the umask.
    tmp.as_file()
        .set_permissions(std::fs::Permissions::from_mode(FILE_MODE))?;
    Ok(tmp)
}

/// `std::fs::create_dir_all`, with every directory it makes given [`DIR_MODE`] whatever
/// the umask.
fn create_dirs(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    if dir.is_dir() {
        return Ok(());
    }
    let mut missing = vec![dir];
    while let Some(parent) = missing.last().and_then(|d| d.parent()) {
        if parent.as_os_str().is_empty() || parent.is_dir() {
            break;
        }
        missing.push(parent);
    }
    std::fs::create_dir_all(dir)?;
    for made in missing {
        std::fs::set_permissions(made, std::fs::Permissions::from_mode(DIR_MODE))?;
    }
    Ok(())
}

/// A new generation directory's path for `org`, named by the time (unique per publish).
fn new_generation(site: &Path, org: &str) -> std::io::Result<PathBuf> {
    let gens = site.join(GENERATIONS);
    create_dirs(&gens)?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut dir = gens.join(format!("{org}-{stamp}"));
    let mut n = 0;
    // A frozen or coarse clock can give the same stamp twice.
    while dir.exists() {
        n += 1;
        dir = gens.join(format!("{org}-{stamp}.{n}"));
    }
    create_dirs(&dir)?;
    Ok(dir)
}

/// The live generation of `org`: where `site/<org>` points, if it is a generation.
pub fn live_generation(site: &Path, org: &str) -> Option<PathBuf> {
    let target = std::fs::read_link(site.join(org)).ok()?;
    let dir = site.join(target);
    dir.is_dir().then_some(dir)
}

impl Output {
    /// Start a fresh generation of organisation `org`'s pages.
    pub fn fresh(site: &Path, org: &str) -> std::io::Result<Output> {
        Ok(Output::Fresh {
            site: site.to_owned(),
            org: org.to_owned(),
            dir: new_generation(site, org)?,
        })
    }

    /// Stage changed pages of organisation `org` in its shadow generation, made (by hard
    /// links) or brought level with the live one first. `shadow` is what the last publish
    /// left; `None` (a first staged publish, or after a failure) makes a new shadow. The
    /// organisation must have a live generation ([`live_generation`]).
    pub fn staged(site: &Path, org: &str, shadow: Option<Shadow>) -> std::io::Result<Output> {
        let Some(live) = live_generation(site, org) else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{org} has no live generation to stage changes against"),
            ));
        };
        let dir = match shadow {
            Some(Shadow {
                dir: Some(dir),
                live: was_live,
                behind,
            }) if was_live == live && dir.is_dir() => {
                level(&live, &dir, &behind)?;
                dir
            }
            _ => {
                let dir = new_generation(site, org)?;
                link_tree(&live, &dir)?;
                dir
            }
        };
        Ok(Output::Staged {
            site: site.to_owned(),
            org: org.to_owned(),
            dir,
            live,
            changed: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// Where `rel` (a path under the site) is written, and its path under the
    /// organisation's directory if it is one of the organisation's files.
    fn target(&self, rel: &str) -> (PathBuf, Option<String>) {
        let (site, org, dir) = match self {
            Output::Fresh { site, org, dir } | Output::Staged { site, org, dir, .. } => {
                (site, org, dir)
            }
        };
        match rel.strip_prefix(org.as_str()) {
            Some(rest) if rest.starts_with('/') => (dir.join(&rest[1..]), Some(rest[1..].into())),
            _ => (site.join(rel), None),
        }
    }

    fn record(&self, change: Change) {
        if let Output::Staged { changed, .. } = self {
            changed
                .lock()
                // A list of paths is valid whatever a panicking writer left: it only grows.
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(change);
        }
    }

    /// Write one file. Safe to call from several threads at once (for different files):
    /// only recording the change takes a lock.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
        let mut file = self.create(rel)?;
        file.writer().write_all(bytes)?;
        self.finish(file)
    }

    /// Start writing a file that is streamed (the chain export); finish with [`Output::finish`].
    pub fn create(&self, rel: &str) -> std::io::Result<AtomicFile> {
        let (path, _) = self.target(rel);
        let dir = path.parent().expect("site paths always have a parent");
        create_dirs(dir)?;
        Ok(AtomicFile {
            tmp: std::io::BufWriter::new(compress::Tee::new(temp_file_in(dir)?, &path)),
            path,
        })
    }

    /// Finish a file: renamed into the generation being written (never written in place,
    /// since the shadow's files are the live generation's, hard-linked).
    pub fn finish(&self, file: AtomicFile) -> std::io::Result<()> {
        let path = file.path.clone();
        file.persist()?;
        if let Some(rel) = self.org_path(&path) {
            // The siblings were written or removed with the file: level them too.
            for (_, suffix) in compress::ENCODINGS {
                self.record(Change::Written(format!("{rel}{suffix}")));
            }
            self.record(Change::Written(rel));
        }
        Ok(())
    }

    /// The path under the organisation's directory of a file in the generation written.
    fn org_path(&self, path: &Path) -> Option<String> {
        let dir = match self {
            Output::Fresh { dir, .. } | Output::Staged { dir, .. } => dir,
        };
        path.strip_prefix(dir)
            .ok()
            .and_then(|p| p.to_str())
            .map(str::to_owned)
    }

    /// Append to a published file in one write (the chain export, which only grows).
    /// Returns false when there is nothing to append to (a fresh generation, or no file
    /// yet), and the caller writes the file whole instead. The shadow's copy is made its
    /// own file first if it is still the live one's (hard-linked), so the live export
    /// never changes under a reader.
    pub fn append(&self, rel: &str, bytes: &[u8]) -> std::io::Result<bool> {
        let Output::Staged { .. } = self else {
            return Ok(false);
        };
        let (path, org_rel) = self.target(rel);
        let Some(org_rel) = org_rel else {
            return Ok(false);
        };
        if !path.is_file() {
            return Ok(false);
        }
        unshare(&path)?;
        let mut file = std::fs::OpenOptions::new().append(true).open(&path)?;
        file.write_all(bytes)?;
        // A file that is appended to has no compressed siblings ([`compress::wanted`]);
        // should one be there, it no longer matches and goes.
        compress::remove_beside(&path)?;
        for (_, suffix) in compress::ENCODINGS {
            self.record(Change::Removed(format!("{org_rel}{suffix}")));
        }
        self.record(Change::Appended(org_rel));
        Ok(true)
    }

    /// Remove a file or directory that should no longer be published.
    pub fn remove(&self, rel: &str) -> std::io::Result<()> {
        let (path, org_rel) = self.target(rel);
        match self {
            // A fresh generation holds only what this publish writes.
            Output::Fresh { .. } => Ok(()),
            Output::Staged { .. } => {
                remove_path(&path)?;
                compress::remove_beside(&path)?;
                if let Some(org_rel) = org_rel {
                    for (_, suffix) in compress::ENCODINGS {
                        self.record(Change::Removed(format!("{org_rel}{suffix}")));
                    }
                    self.record(Change::Removed(org_rel));
                }
                Ok(())
            }
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

    /// Make the publish visible with one rename, and say where the next staged publish
    /// of the organisation writes.
    pub fn commit(self) -> std::io::Result<Shadow> {
        match self {
            Output::Staged {
                site,
                org,
                dir,
                live,
                changed,
            } => {
                let changed = changed
                    .into_inner()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                swap_in(&site, &org, &dir, Some(&live))?;
                // The replaced generation becomes the shadow. What this change wrote or
                // removed is levelled at once, so no copy of what it removed (a withheld
                // entry's page, say) is left on disk. What it appended (the export's new
                // lines) waits for the next publish: a file is only ever grown in place
                // there, past the length any reader of it took when it opened it, and the
                // longer it rests the fewer readers still hold it. If levelling fails,
                // the shadow is removed and the next publish makes a new one.
                let (appended, rest): (Vec<Change>, Vec<Change>) = changed
                    .into_iter()
                    .partition(|c| matches!(c, Change::Appended(_)));
                match level(&dir, &live, &rest) {
                    Ok(()) => Ok(Shadow {
                        dir: Some(live),
                        live: dir,
                        behind: appended,
                    }),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not level the shadow generation; removing it");
                        remove_path(&live)?;
                        Ok(Shadow {
                            dir: None,
                            live: dir,
                            behind: Vec::new(),
                        })
                    }
                }
            }
            Output::Fresh { site, org, dir } => {
                swap_in(&site, &org, &dir, None)?;
                Ok(Shadow {
                    dir: None,
                    live: dir,
                    behind: Vec::new(),
                })
            }
        }
    }
}

/// Remove a file, or a directory with everything in it; gone already is fine.
fn remove_path(path: &Path) -> std::io::Result<()> {
    let removed = match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) => Err(e),
    };
    match removed {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Make `path` a file of its own if another generation shares it (a hard link), so that
/// changing it in place leaves the other generation's copy alone.
fn unshare(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    if std::fs::metadata(path)?.nlink() <= 1 {
        return Ok(());
    }
    let dir = path.parent().expect("site paths always have a parent");
    let mut tmp = temp_file_in(dir)?;
    std::io::copy(&mut std::fs::File::open(path)?, tmp.as_file_mut())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A new generation `to` as a copy of `from` made of hard links: no file is copied.
fn link_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    create_dirs(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            link_tree(&src, &dst)?;
        } else {
            std::fs::hard_link(&src, &dst)?;
        }
    }
    Ok(())
}

/// Bring the shadow generation `shadow` level with `live`, which differs from it by
/// `behind` (what the last publish changed).
fn level(live: &Path, shadow: &Path, behind: &[Change]) -> std::io::Result<()> {
    for change in behind {
        match change {
            Change::Written(rel) => {
                let (src, dst) = (live.join(rel), shadow.join(rel));
                if let Some(parent) = dst.parent() {
                    create_dirs(parent)?;
                }
                remove_path(&dst)?;
                if src.is_file() {
                    std::fs::hard_link(&src, &dst)?;
                }
            }
            Change::Appended(rel) => {
                let (src, dst) = (live.join(rel), shadow.join(rel));
                let have = std::fs::metadata(&dst).map(|m| m.len()).unwrap_or(0);
                let want = std::fs::metadata(&src)?.len();
                if have > want || !dst.is_file() {
                    // Not a prefix of the live file after all: take the live file whole.
                    remove_path(&dst)?;
                    std::fs::hard_link(&src, &dst)?;
                    continue;
                }
                unshare(&dst)?;
                let mut from = std::fs::File::open(&src)?;
                std::io::Seek::seek(&mut from, std::io::SeekFrom::Start(have))?;
                let mut to = std::fs::OpenOptions::new().append(true).open(&dst)?;
                std::io::copy(&mut std::io::Read::take(from, want - have), &mut to)?;
            }
            Change::Removed(rel) => remove_path(&shadow.join(rel))?,
        }
    }
    Ok(())
}

/// Point `site/<org>` at generation `dir` with one rename, then remove older generations
/// but `keep` (the next shadow).
fn swap_in(site: &Path, org: &str, dir: &Path, keep: Option<&Path>) -> std::io::Result<()> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("generation names are text")
        .to_owned();
    let keep = keep
        .and_then(|k| k.file_name())
        .and_then(|n| n.to_str())
        .map(str::to_owned);
    let link = site.join(org);
    let tmp_link = site.join(format!(".{org}.link"));
    let _ = std::fs::remove_file(&tmp_link);
    std::os::unix::fs::symlink(Path::new(GENERATIONS).join(&name), &tmp_link)?;
    // A site published before generations existed holds a real directory, or a file is
    // in the way: move it aside once (it is removed below with the old generations).
    if std::fs::symlink_metadata(&link).is_ok_and(|m| !m.file_type().is_symlink()) {
        std::fs::rename(&link, site.join(GENERATIONS).join(format!("{org}-old")))?;
    }
    std::fs::rename(&tmp_link, &link)?;
    for old in list(&site.join(GENERATIONS), "", true)?
        .into_iter()
        .chain(list(&site.join(GENERATIONS), "", false)?)
    {
        if old != name
            && Some(&old) != keep.as_ref()
            && old
                .strip_prefix(org)
                .is_some_and(|rest| rest.starts_with('-'))
        {
            remove_path(&site.join(GENERATIONS).join(&old))?;
        }
    }
    Ok(())
}
