//! What an auditor runs: verify an export against a signed checkpoint, or a live
//! service over HTTP, fetching its latest checkpoint, every entry, and a consistency
//! proof from a checkpoint saved earlier, so any rewrite of history is detected.

use crate::audit::checkpoint::{verify_checkpoint, Checkpoint, NoteVerifier};
use crate::audit::merkle::{self, Hash, MemoryTree};
use crate::audit::verify::{verify_entries, verify_lines, ChainVerifier};
use crate::audit::{ChainEntry, ChainSummary};
use serde_json::Value;
use std::io::Read;
use std::path::Path;

/// Why an audit check failed, in words for the auditor.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("{0}")]
    Input(String),
    #[error("chain verification failed at {0}")]
    Chain(crate::audit::Failure),
    #[error("checkpoint: {0}")]
    Checkpoint(String),
    #[error("history was rewritten: {0}")]
    Inconsistent(String),
    #[error("cannot fetch {url}: {why}")]
    Fetch { url: String, why: String },
}

/// What a successful check established.
#[derive(Debug)]
pub struct AuditReport {
    pub chain: ChainSummary,
    pub checkpoint: Option<Checkpoint>,
    /// The size of the earlier checkpoint the new one was shown to extend.
    pub consistent_since: Option<u64>,
    pub signature_checked: bool,
}

impl std::fmt::Display for AuditReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.chain;
        write!(
            f,
            "OK: {} chain holds, {} entries ({} with withheld payloads), head {}",
            c.org.as_deref().unwrap_or("empty"),
            c.entries,
            c.withheld,
            c.head
        )?;
        if let Some(cp) = &self.checkpoint {
            let signed = if self.signature_checked {
                "signature verified"
            } else {
                "signature NOT checked: give --key"
            };
            write!(f, "; checkpoint of size {} matches ({signed})", cp.size)?;
        }
        if let Some(old) = self.consistent_since {
            write!(f, "; consistent with the earlier checkpoint of size {old}")?;
        }
        Ok(())
    }
}

/// A verifier key given as the key itself or as a file holding it.
pub fn read_key(arg: &str) -> Result<NoteVerifier, AuditError> {
    let text = if Path::new(arg).is_file() {
        std::fs::read_to_string(arg).map_err(|e| AuditError::Input(format!("{arg}: {e}")))?
    } else {
        arg.to_owned()
    };
    NoteVerifier::parse(text.trim()).map_err(|e| AuditError::Input(format!("verifier key: {e}")))
}

/// Read a checkpoint note, checking its signature when a key is given.
pub fn read_checkpoint(note: &str, key: Option<&NoteVerifier>) -> Result<Checkpoint, AuditError> {
    match key {
        Some(k) => verify_checkpoint(k, note).map_err(|e| AuditError::Checkpoint(e.to_string())),
        None => {
            let body = note
                .split("\n\n")
                .next()
                .map(|b| format!("{b}\n"))
                .unwrap_or_default();
            Checkpoint::parse_body(&body).map_err(|e| AuditError::Checkpoint(e.to_string()))
        }
    }
}

fn leaf(e: &ChainEntry) -> Hash {
    let mut h = [0u8; 32];
    if let Ok(bytes) = hex::decode(&e.entry_sha256) {
        if bytes.len() == 32 {
            h.copy_from_slice(&bytes);
        }
    }
    h
}

/// Check that the first `cp.size` leaves have the checkpoint's root.
fn check_root(leaves: &[Hash], cp: &Checkpoint) -> Result<(), AuditError> {
    let size =
        usize::try_from(cp.size).map_err(|_| AuditError::Checkpoint("size too large".into()))?;
    if size > leaves.len() {
        return Err(AuditError::Checkpoint(format!(
            "it covers {} entries but only {} were given",
            cp.size,
            leaves.len()
        )));
    }
    let tree = MemoryTree::new(&leaves[..size]);
    let root = merkle::root(&tree, cp.size).map_err(|e| AuditError::Checkpoint(e.to_string()))?;
    if root != cp.root {
        return Err(AuditError::Inconsistent(format!(
            "the Merkle root over the first {} entries is not the checkpoint's root",
            cp.size
        )));
    }
    Ok(())
}

fn progress_bytes(total: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} {bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        )
        .expect("a valid template"),
    );
    bar.set_message(what.to_owned());
    if total < 8 << 20 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

fn progress(total: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg} {bar:40} {pos}/{len} entries ({per_sec}, {eta})",
        )
        .expect("a valid template"),
    );
    bar.set_message(what.to_owned());
    if total < 10_000 {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

/// How much of an export file is read and verified at a time: enough lines to share
/// among the cores, little enough that memory stays flat however long the chain.
const BLOCK: usize = 4 << 20;

/// Reads a file in blocks of whole lines, each checked to be UTF-8 (as reading the
/// whole file into a `String` would check it).
struct Blocks<R> {
    reader: R,
    /// Bytes read at a time (more when one line is longer).
    block: usize,
    buf: Vec<u8>,
    /// Bytes at the start of `buf` handed out by the last call.
    consumed: usize,
    eof: bool,
}

impl<R: Read> Blocks<R> {
    fn new(reader: R, block: usize) -> Blocks<R> {
        Blocks {
            reader,
            block,
            buf: Vec::with_capacity(block),
            consumed: 0,
            eof: false,
        }
    }

    /// The next run of whole lines (the last may lack its newline), or `None` at the end.
    fn next_block(&mut self) -> std::io::Result<Option<&str>> {
        self.buf.drain(..self.consumed);
        self.consumed = 0;
        let mut want = self.block.max(1);
        loop {
            if !self.eof && self.buf.len() < want {
                let missing = (want - self.buf.len()) as u64;
                let n = (&mut self.reader)
                    .take(missing)
                    .read_to_end(&mut self.buf)?;
                self.eof = n == 0 || (n as u64) < missing;
            }
            let end = match memrchr_newline(&self.buf) {
                Some(newline) => newline + 1,
                None if self.eof => self.buf.len(),
                // One line longer than a block: read on until it ends.
                None => {
                    want = self.buf.len() * 2;
                    continue;
                }
            };
            if end == 0 {
                return Ok(None);
            }
            self.consumed = end;
            return std::str::from_utf8(&self.buf[..end])
                .map(Some)
                .map_err(|_| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "stream did not contain valid UTF-8",
                    )
                });
        }
    }
}

fn memrchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().rposition(|&b| b == b'\n')
}

/// Verify an export file, and optionally that a checkpoint covers a prefix of it.
///
/// The file is streamed in blocks of lines; each block's entries are hashed from their
/// canonical bytes on every core, then linked in order (see [`verify_lines`]), so memory
/// stays flat and a tampered entry is still reported at its exact seq.
pub fn verify_file(
    path: &Path,
    checkpoint: Option<&Path>,
    key: Option<&NoteVerifier>,
) -> Result<AuditReport, AuditError> {
    let cannot_read =
        |e: std::io::Error| AuditError::Input(format!("cannot read {}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(cannot_read)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress_bytes(size, "verifying");
    // Leaves are kept only to check a checkpoint's root against.
    let mut leaves: Option<Vec<Hash>> = checkpoint.map(|_| Vec::new());
    let mut verifier = ChainVerifier::new(None);
    let mut failure = None;
    let mut blocks = Blocks::new(file, BLOCK);
    // After a failure the rest is still read: a file that cannot be read (or is not
    // UTF-8) is reported as that, wherever the fault lies, as when it was read whole.
    while let Some(block) = blocks.next_block().map_err(cannot_read)? {
        bar.inc(block.len() as u64);
        if failure.is_none() {
            let lines: Vec<&str> = block.lines().collect();
            failure = verify_lines(&mut verifier, &lines, leaves.as_mut()).err();
        }
    }
    bar.finish_and_clear();
    if let Some(f) = failure {
        return Err(AuditError::Chain(f));
    }
    let chain = verifier.finish(None).map_err(AuditError::Chain)?;
    let checkpoint = match checkpoint {
        Some(p) => {
            let note = std::fs::read_to_string(p)
                .map_err(|e| AuditError::Input(format!("cannot read {}: {e}", p.display())))?;
            let cp = read_checkpoint(&note, key)?;
            check_root(leaves.as_deref().unwrap_or_default(), &cp)?;
            Some(cp)
        }
        None => None,
    };
    Ok(AuditReport {
        chain,
        checkpoint,
        consistent_since: None,
        signature_checked: key.is_some(),
    })
}

fn fetch(url: &str) -> Result<String, AuditError> {
    let fail = |why: String| AuditError::Fetch {
        url: url.to_owned(),
        why,
    };
    let resp = ureq::get(url)
        .timeout(std::time::Duration::from_secs(60))
        .call()
        .map_err(|e| fail(e.to_string()))?;
    resp.into_string().map_err(|e| fail(e.to_string()))
}

fn fetch_json(url: &str) -> Result<Value, AuditError> {
    serde_json::from_str(&fetch(url)?).map_err(|e| AuditError::Fetch {
        url: url.to_owned(),
        why: format!("not JSON: {e}"),
    })
}

fn hash_list(v: &Value) -> Result<Vec<Hash>, AuditError> {
    let bad = || AuditError::Inconsistent("the service sent a malformed proof".into());
    v.as_array()
        .ok_or_else(bad)?
        .iter()
        .map(|h| {
            h.as_str()
                .and_then(|s| hex::decode(s).ok())
                .and_then(|b| b.try_into().ok())
                .ok_or_else(bad)
        })
        .collect()
}

/// Verify a live service: its latest checkpoint (signed by `key`), every entry up to it,
/// and — given a checkpoint saved earlier — that the new one extends the old.
pub fn verify_url(
    base: &str,
    org: &str,
    since: Option<&Path>,
    key: Option<&NoteVerifier>,
    save: Option<&Path>,
) -> Result<AuditReport, AuditError> {
    let base = base.trim_end_matches('/');
    let note = fetch(&format!("{base}/{org}/audit/checkpoint"))?;
    let cp = read_checkpoint(&note, key)?;
    let bar = progress(cp.size, "fetching and verifying");
    let mut leaves: Vec<Hash> = Vec::with_capacity(cp.size as usize);
    let mut fetched: Vec<Result<ChainEntry, String>> = Vec::new();
    let mut next = 1u64;
    while next <= cp.size {
        let page = fetch_json(&format!(
            "{base}/api/v1/orgs/{org}/audit/entries?start={next}&end={}",
            cp.size
        ))?;
        let items = page.as_array().ok_or_else(|| AuditError::Fetch {
            url: base.into(),
            why: "entries are not a list".into(),
        })?;
        if items.is_empty() {
            return Err(AuditError::Checkpoint(format!(
                "the service returned no entries after seq {}; the checkpoint says {}",
                next - 1,
                cp.size
            )));
        }
        for item in items {
            let e = serde_json::from_value::<ChainEntry>(item.clone()).map_err(|e| e.to_string());
            if let Ok(e) = &e {
                leaves.push(leaf(e));
            }
            fetched.push(e);
        }
        next += items.len() as u64;
        bar.set_position(next - 1);
    }
    bar.finish_and_clear();
    let chain = verify_entries(
        fetched,
        Some(&crate::audit::verify::ExpectedHead {
            org: org.to_owned(),
            seq: cp.size as i64,
            head: leaves
                .last()
                .map(hex::encode)
                .unwrap_or_else(|| crate::audit::GENESIS_PREV.into()),
        }),
    )
    .map_err(AuditError::Chain)?;
    check_root(&leaves, &cp)?;
    let consistent_since = match since {
        Some(p) => {
            let old_note = std::fs::read_to_string(p)
                .map_err(|e| AuditError::Input(format!("cannot read {}: {e}", p.display())))?;
            let old = read_checkpoint(&old_note, key)?;
            if old.size > cp.size {
                return Err(AuditError::Inconsistent(format!("the saved checkpoint covers {} entries but the service's latest covers only {}", old.size, cp.size)));
            }
            let proof = fetch_json(&format!(
                "{base}/api/v1/orgs/{org}/audit/proof/consistency?from={}&to={}",
                old.size, cp.size
            ))?;
            let hashes = hash_list(&proof["proof"])?;
            merkle::verify_consistency(old.size, cp.size, &old.root, &cp.root, &hashes)
                .map_err(|e| AuditError::Inconsistent(format!("the service's checkpoint of size {} does not extend the saved one of size {} ({e})", cp.size, old.size)))?;
            // We hold every entry too: the old root must be the root of their prefix.
            check_root(&leaves, &old)?;
            Some(old.size)
        }
        None => None,
    };
    if let Some(p) = save {
        std::fs::write(p, &note)
            .map_err(|e| AuditError::Input(format!("cannot save {}: {e}", p.display())))?;
    }
    Ok(AuditReport {
        chain,
        checkpoint: Some(cp),
        consistent_since,
        signature_checked: key.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{ChainEntry, Draft};
    use serde_json::json;

    fn export(n: i64) -> String {
        let mut out = String::new();
        let mut prev: Option<ChainEntry> = None;
        for i in 0..n {
            let e = ChainEntry::next(
                prev.as_ref()
                    .map(|p| (p.entry_sha256.as_str(), p.header.seq)),
                Draft {
                    org: "t-ccg",
                    at: "2026-01-01T00:00:00Z".into(),
                    actor: "system",
                    action: "create",
                    entity: "gift",
                    entity_id: &i.to_string(),
                },
                json!({"i": i, "note": "café \"quoted\"\n".repeat(i as usize % 4)}),
            )
            .unwrap();
            out.push_str(&e.to_json_line());
            out.push('\n');
            prev = Some(e);
        }
        out
    }

    fn all_blocks(text: &str, block: usize) -> Vec<String> {
        let mut blocks = Blocks::new(text.as_bytes(), block);
        let mut lines = Vec::new();
        while let Some(b) = blocks.next_block().unwrap() {
            lines.extend(b.lines().map(str::to_owned));
        }
        lines
    }

    #[test]
    fn blocks_yield_the_lines_of_the_whole_text() {
        let text = export(9);
        for extra in ["", "tail without newline", "\n\n", "crlf\r\nlast\r\n"] {
            let text = format!("{text}{extra}");
            let whole: Vec<String> = text.lines().map(str::to_owned).collect();
            for block in [1, 7, 100, 333, 1 << 20] {
                assert_eq!(all_blocks(&text, block), whole, "block {block}, {extra:?}");
            }
        }
        assert!(all_blocks("", 10).is_empty());
    }

    fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn a_file_verifies_with_crlf_lines_and_fails_at_the_tampered_seq() {
        let dir = tempfile::tempdir().unwrap();
        let text = export(30);
        let report = verify_file(&write(&dir, "good", text.as_bytes()), None, None).unwrap();
        assert_eq!(report.chain.entries, 30);
        let crlf = text.replace('\n', "\r\n");
        let report = verify_file(&write(&dir, "crlf", crlf.as_bytes()), None, None).unwrap();
        assert_eq!(report.chain.entries, 30);
        let tampered = text.replacen("\"entity_id\":\"17\"", "\"entity_id\":\"71\"", 1);
        assert_ne!(tampered, text);
        let err = verify_file(&write(&dir, "bad", tampered.as_bytes()), None, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "chain verification failed at seq 18 (entry 18): entry hash mismatch"
        );
    }

    #[test]
    fn unreadable_files_fail_as_reading_them_whole_would() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing");
        let whole = std::fs::read_to_string(&missing).unwrap_err();
        let err = verify_file(&missing, None, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot read {}: {whole}", missing.display())
        );
        // Not UTF-8 after a broken entry: still a file that cannot be read.
        let mut bytes = export(5).replacen("\"seq\":2", "\"seq\":9", 1).into_bytes();
        bytes.extend_from_slice(b"\xff\xfe\n");
        let path = write(&dir, "latin1", &bytes);
        let whole = std::fs::read_to_string(&path).unwrap_err();
        let err = verify_file(&path, None, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot read {}: {whole}", path.display())
        );
    }
}
