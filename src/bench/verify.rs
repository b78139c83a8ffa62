//! `coi-register bench --verify`: chain verification on a real export file, next to what
//! SHA-256 allows on the same machine in the same run.
//!
//! Writes an export of N generated entries (the generator of [`super::audit`], one in
//! eight payloads withheld as the public export withholds them, lines written by the
//! export's own [`ChainEntry::to_json_line`]), times [`verify_file`] on it (reading and
//! parsing included), and measures the anchors: `openssl speed -bytes 256 sha256` if
//! openssl is installed, and an in-process SHA-256 loop over the same number of bytes in
//! 256-byte messages, on one core and on every core. Then the same for the database's
//! chain (`verify --org`): the same entries appended to a SQLite chain. The figure that
//! matters is the bytes verification hashes per second as a share of the one-core anchor.

use super::generated_entry;
use crate::audit::canonical_json;
use crate::audit::verify::{parse_line, verify_entries, ChainVerifier, ExpectedHead};
use crate::audit::ChainEntry;
use crate::auditor::{verify_file, AuditError};
use crate::domain::org::{NewOrg, OrgSettings, OrgSlug};
use crate::store::{audit, orgs, Store, StoreError};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::io::{BufRead, BufWriter, Write};
use std::path::Path;
use std::time::Instant;

/// Bytes SHA-256 runs over to verify `e`: its canonical header, and its payload's
/// canonical JSON where the export carries it.
fn hashed_bytes(e: &ChainEntry) -> u64 {
    let header = serde_json::to_value(&e.header).expect("a header serialises");
    let header = canonical_json(&header)
        .expect("a header is canonical")
        .len();
    let payload = e.payload.as_ref().map_or(0, |p| {
        canonical_json(p)
            .expect("a generated payload is canonical")
            .len()
    });
    (header + payload) as u64
}

/// Write an export of `n` generated entries to `path`; returns the bytes verification
/// hashes over it.
fn write_export(path: &Path, n: u64) -> std::io::Result<u64> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut prev: Option<(String, i64)> = None;
    let mut hashed = 0u64;
    for i in 0..n {
        let entry = generated_entry(i, prev.as_ref().map(|(h, s)| (h.as_str(), *s)));
        prev = Some((entry.entry_sha256.clone(), entry.header.seq));
        let entry = if i % 8 == 7 { entry.withheld() } else { entry };
        hashed += hashed_bytes(&entry);
        out.write_all(entry.to_json_line().as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(hashed)
}

/// SHA-256 throughput of this process over `total` bytes in 256-byte messages, on
/// `threads` threads at once, in bytes per second.
fn sha256_loop(total: u64, threads: usize) -> f64 {
    let per_thread = total / 256 / threads as u64 + 1;
    let started = Instant::now();
    let sink: u64 = (0..threads)
        .into_par_iter()
        .map(|t| {
            let mut block = [t as u8; 256];
            for i in 0..per_thread {
                block[..8].copy_from_slice(&i.to_le_bytes());
                let d = Sha256::digest(block);
                block[8] ^= d[0];
            }
            u64::from(block[8])
        })
        .sum();
    std::hint::black_box(sink);
    (per_thread * threads as u64 * 256) as f64 / started.elapsed().as_secs_f64().max(1e-9)
}

/// `openssl speed -bytes 256 sha256` in bytes per second, if openssl runs here.
fn openssl_speed() -> Option<f64> {
    let out = std::process::Command::new("openssl")
        .args(["speed", "-bytes", "256", "-seconds", "3", "sha256"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // The last line reads "sha256   587123.45k": thousands of bytes per second.
    let figure = text
        .lines()
        .rev()
        .find(|l| l.starts_with("sha256"))?
        .split_whitespace()
        .last()?;
    let thousands: f64 = figure.strip_suffix('k')?.parse().ok()?;
    Some(thousands * 1000.0)
}

/// What timing the database's verification found.
struct DatabaseRun {
    entries: i64,
    hashed: u64,
    secs: f64,
    reference_secs: f64,
}

/// Append `n` generated entries to an organisation's chain in a new SQLite database, then
/// time [`crate::store::audit::verify`] (what `verify --org` runs) and the reference path.
fn verify_database(n: u64) -> Result<DatabaseRun, StoreError> {
    let dir = tempfile::tempdir().map_err(|e| StoreError::Migration(e.to_string()))?;
    let url = dir.path().join("bench.sqlite").display().to_string();
    let store = Store::open(&url, 1)?;
    let mut c = store.conn()?;
    let org = NewOrg {
        slug: OrgSlug::parse("bench-ccg").expect("a valid slug"),
        name: "Bench CCG".into(),
    };
    let org = orgs::create(&mut c, "system", &org, OrgSettings::default())?.org;
    let started = Instant::now();
    let mut prev = (org.chain_head.clone(), org.chain_seq);
    let mut hashed = 0u64;
    let mut batch = Vec::with_capacity(10_000);
    for i in 0..n {
        let entry = generated_entry(i, Some((prev.0.as_str(), prev.1)));
        prev = (entry.entry_sha256.clone(), entry.header.seq);
        hashed += hashed_bytes(&entry);
        batch.push(entry);
        if batch.len() == batch.capacity() || i + 1 == n {
            audit::append_built(&mut c, org.id, &batch)?;
            batch.clear();
        }
    }
    println!(
        "wrote {n} entries to a SQLite chain in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let summary = audit::verify(&mut c, "bench-ccg")?
        .map_err(|f| StoreError::Corrupt(format!("the generated chain fails: {f}")))?;
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let started = Instant::now();
    // Streamed through the reference checks, so a million parsed payloads are not held.
    let mut verifier = ChainVerifier::new(Some("bench-ccg"));
    let mut failure = Ok(());
    audit::for_each(&mut c, org.id, |e| {
        if failure.is_ok() {
            failure = verifier.push(e);
        }
    })?;
    let expected = ExpectedHead {
        org: "bench-ccg".into(),
        seq: summary.entries,
        head: summary.head.clone(),
    };
    let reference = failure
        .and_then(|()| verifier.finish(Some(&expected)))
        .map_err(|f| StoreError::Corrupt(format!("the reference path fails: {f}")))?;
    let reference_secs = started.elapsed().as_secs_f64().max(1e-9);
    if reference != summary {
        return Err(StoreError::Corrupt(
            "the two verification paths disagree".into(),
        ));
    }
    Ok(DatabaseRun {
        entries: summary.entries,
        hashed,
        secs,
        reference_secs,
    })
}

/// Generate an export of `n` entries, then time its verification against the anchors.
pub fn verify(n: u64) -> Result<(), AuditError> {
    let n = n.max(1);
    let io = |e: std::io::Error| AuditError::Input(format!("bench: {e}"));
    let dir = tempfile::tempdir().map_err(io)?;
    let path = dir.path().join("chain.jsonl");
    let started = Instant::now();
    let hashed = write_export(&path, n).map_err(io)?;
    let file_bytes = std::fs::metadata(&path).map_err(io)?.len();
    println!(
        "wrote an export of {n} entries ({:.1} MB, {:.0} bytes hashed per entry) in {:.1}s",
        file_bytes as f64 / 1e6,
        hashed as f64 / n as f64,
        started.elapsed().as_secs_f64()
    );

    // The anchors first, so verification does not run on a cold file cache alone.
    let openssl = openssl_speed();
    let one_core = sha256_loop(hashed, 1);
    let cores = rayon::current_num_threads();
    let all_cores = sha256_loop(hashed, cores);

    let started = Instant::now();
    let report = verify_file(&path, None, None)?;
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    if report.chain.entries != n as i64 {
        return Err(AuditError::Input(format!(
            "bench: verified {} entries of {n}",
            report.chain.entries
        )));
    }

    // The reference path (parse, re-serialise, one core), streamed line by line.
    let started = Instant::now();
    let file = std::fs::File::open(&path).map_err(io)?;
    let lines = std::io::BufReader::new(file).lines();
    let reference = verify_entries(
        lines.map(|l| l.map_err(|e| e.to_string()).and_then(|l| parse_line(&l))),
        None,
    )
    .map_err(AuditError::Chain)?;
    let reference_secs = started.elapsed().as_secs_f64().max(1e-9);
    if reference != report.chain {
        return Err(AuditError::Input(
            "bench: the two verification paths disagree".into(),
        ));
    }

    let rate = hashed as f64 / secs;
    println!(
        "verify FILE: {n} entries in {secs:.2}s = {:.0} entries/s, {:.0} MB/s hashed ({:.0} MB/s of file read and parsed), on {cores} cores",
        n as f64 / secs,
        rate / 1e6,
        file_bytes as f64 / secs / 1e6
    );
    println!(
        "  reference path (parse and re-serialise every entry, one core): {:.0} entries/s; verify_file is {:.1}x faster",
        n as f64 / reference_secs,
        reference_secs / secs
    );
    drop(dir);
    let database = verify_database(n).map_err(|e| AuditError::Input(format!("bench: {e}")))?;
    let db_rate = database.hashed as f64 / database.secs;
    println!(
        "verify --org (SQLite): {} entries in {:.2}s = {:.0} entries/s, {:.0} MB/s hashed",
        database.entries,
        database.secs,
        database.entries as f64 / database.secs,
        db_rate / 1e6
    );
    println!(
        "  reference path (parse and re-serialise every row, one core): {:.0} entries/s; verify --org is {:.1}x faster",
        database.entries as f64 / database.reference_secs,
        database.reference_secs / database.secs
    );
    let anchors = [
        openssl.map(|o| ("openssl speed -bytes 256 sha256, one core".to_owned(), o)),
        Some((
            "sha2 in this process, 256-byte messages, one core".to_owned(),
            one_core,
        )),
        Some((
            format!("sha2 in this process, 256-byte messages, {cores} cores"),
            all_cores,
        )),
    ];
    if openssl.is_none() {
        println!("anchor openssl speed: openssl is not installed");
    }
    for (name, anchor) in anchors.into_iter().flatten() {
        println!(
            "anchor {name}: {:.0} MB/s; verify FILE runs at {:.0} % of it, verify --org at {:.0} %",
            anchor / 1e6,
            100.0 * rate / anchor,
            100.0 * db_rate / anchor
        );
    }
    Ok(())
}
