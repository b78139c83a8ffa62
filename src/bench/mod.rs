//! `coi-register bench`: measures the audit chain on a generated chain and prints
//! figures (entries verified per second, Merkle proofs per second); the modules beside
//! it measure the rest of the performance table in README.md.

use crate::audit::merkle::{self, Hash, MemoryTree};
use crate::audit::{verify_entries, ChainEntry, Draft};
use std::time::Instant;

mod http;
pub use http::writers;
pub mod verify;

fn per_second(n: u64, started: Instant) -> f64 {
    n as f64 / started.elapsed().as_secs_f64().max(1e-9)
}

/// A small deterministic generator, so runs are comparable.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Entry `i` of the generated chain, after `prev` (its hash and seq).
fn generated_entry(i: u64, prev: Option<(&str, i64)>) -> ChainEntry {
    let payload = serde_json::json!({"id": i.to_string(), "version": 1, "interest_type": "financial", "description": "Partner at Riverside Surgery", "arose_on": "2026-01-05"});
    let draft = Draft {
        org: "bench-ccg",
        at: "2026-11-23T09:00:00.000Z".into(),
        actor: "system",
        action: "create",
        entity: "declaration",
        entity_id: "1",
    };
    ChainEntry::next(prev, draft, payload).expect("generated payloads are canonical")
}

/// Generate a chain of `n` entries, then time verification and proofs.
pub fn audit(n: u64) {
    let n = n.max(2);
    let started = Instant::now();
    let mut chain: Vec<ChainEntry> = Vec::with_capacity(n as usize);
    for i in 0..n {
        let prev = chain
            .last()
            .map(|e| (e.entry_sha256.as_str(), e.header.seq));
        chain.push(generated_entry(i, prev));
    }
    println!(
        "generated {n} entries in {:.2}s ({:.0} entries/s appended)",
        started.elapsed().as_secs_f64(),
        per_second(n, started)
    );

    let started = Instant::now();
    let summary =
        verify_entries(chain.iter().cloned().map(Ok), None).expect("the generated chain verifies");
    println!(
        "verified {} entries in {:.2}s: {:.0} entries/s",
        summary.entries,
        started.elapsed().as_secs_f64(),
        per_second(n, started)
    );

    let started = Instant::now();
    let leaves: Vec<Hash> = chain
        .iter()
        .map(|e| {
            hex::decode(&e.entry_sha256)
                .expect("hex")
                .try_into()
                .expect("32 bytes")
        })
        .collect();
    drop(chain);
    let tree = MemoryTree::new(&leaves);
    let root = merkle::root(&tree, n).expect("root");
    println!(
        "built the Merkle tree in {:.2}s, root {}",
        started.elapsed().as_secs_f64(),
        hex::encode(root)
    );

    let rounds = 100_000u64;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let started = Instant::now();
    for _ in 0..rounds {
        let size = 1 + next_random(&mut state) % n;
        let index = next_random(&mut state) % size;
        let proof = merkle::inclusion_proof(&tree, index, size).expect("proof");
        std::hint::black_box(proof);
    }
    println!(
        "inclusion proofs: {:.0}/s (random index and size)",
        per_second(rounds, started)
    );
    let started = Instant::now();
    for _ in 0..rounds {
        let to = 1 + next_random(&mut state) % n;
        let from = 1 + next_random(&mut state) % to;
        std::hint::black_box(merkle::consistency_proof(&tree, from, to).expect("proof"));
    }
    println!(
        "consistency proofs: {:.0}/s (random sizes)",
        per_second(rounds, started)
    );
    let size = n;
    let index = n / 3;
    let proof = merkle::inclusion_proof(&tree, index, size).expect("proof");
    let root = merkle::root(&tree, size).expect("root");
    let started = Instant::now();
    for _ in 0..rounds {
        merkle::verify_inclusion(
            &merkle::leaf_hash(&leaves[index as usize]),
            index,
            size,
            &proof,
            &root,
        )
        .expect("verifies");
    }
    println!(
        "inclusion proof verification: {:.0}/s",
        per_second(rounds, started)
    );
    if let Err(e) = stored_proofs(&leaves) {
        println!("stored-node proofs: could not run: {e}");
    }
}

/// Proofs as the service answers them: from the subtree hashes stored in SQLite, for
/// the same chain, one indexed look-up per hash.
fn stored_proofs(leaves: &[Hash]) -> Result<(), crate::store::StoreError> {
    use crate::domain::org::{NewOrg, OrgSettings, OrgSlug};
    use crate::store::schema::merkle_nodes as m;
    use diesel::prelude::*;

    let dir =
        tempfile::tempdir().map_err(|e| crate::store::StoreError::Migration(e.to_string()))?;
    let store =
        crate::store::Store::open(&dir.path().join("bench.sqlite").display().to_string(), 1)?;
    let mut c = store.conn()?;
    let org = NewOrg {
        slug: OrgSlug::parse("bench-ccg").expect("a valid slug"),
        name: "Bench CCG".into(),
    };
    let org_id = crate::store::orgs::create(&mut c, "system", &org, OrgSettings::default())?
        .org
        .id;
    let started = Instant::now();
    let mut tree = MemoryTree::new(&[]);
    let mut rows: Vec<String> = Vec::new();
    c.transaction(|c| {
        diesel::delete(m::table.filter(m::organisation_id.eq(org_id))).execute(c)?;
        for (i, leaf) in leaves.iter().enumerate() {
            for (level, idx, hash) in tree.push(leaf).expect("appends") {
                rows.push(format!("({org_id},{level},{idx},'{}')", hex::encode(hash)));
            }
            if rows.len() >= 5000 || i + 1 == leaves.len() {
                // One multi-row statement per batch (the values are numbers and hex
                // made here, so building the SQL text is safe).
                diesel::sql_query(format!(
                    "INSERT INTO merkle_nodes (organisation_id, level, idx, hash) VALUES {}",
                    rows.join(",")
                ))
                .execute(c)?;
                rows.clear();
            }
        }
        Ok::<_, crate::store::StoreError>(())
    })?;
    let n = leaves.len() as u64;
    println!(
        "stored {} Merkle nodes in SQLite in {:.2}s",
        2 * n - 1,
        started.elapsed().as_secs_f64()
    );
    let rounds = 5_000u64;
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let started = Instant::now();
    for _ in 0..rounds {
        let size = 1 + next_random(&mut state) % n;
        let seq = 1 + next_random(&mut state) % size;
        let proof = crate::store::merkle::inclusion(&mut c, org_id, seq, size).expect("proof");
        std::hint::black_box(proof);
    }
    let per = per_second(rounds, started);
    println!(
        "inclusion proofs from stored nodes (SQLite): {per:.0}/s, {:.3} ms each",
        1000.0 / per
    );
    let started = Instant::now();
    for _ in 0..rounds {
        let to = 1 + next_random(&mut state) % n;
        let from = 1 + next_random(&mut state) % to;
        let proof = crate::store::merkle::consistency(&mut c, org_id, from, to).expect("proof");
        std::hint::black_box(proof);
    }
    let per = per_second(rounds, started);
    println!(
        "consistency proofs from stored nodes (SQLite): {per:.0}/s, {:.3} ms each",
        1000.0 / per
    );
    Ok(())
}

/// The peak resident memory of this process so far, in MB (Linux; 0 elsewhere).
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

/// Measure publishing on the database `config` names (seed it first, e.g. with
/// `demo --scale large`): a full publish (time, files per second, peak memory), then
/// `writes` amendments of declarations through the API of the service started in this
/// process, each timed from before the request is sent to its person's page being
/// served with the new text ([`http::write_to_live`]).
pub fn publish(
    config: &crate::config::Config,
    writes: u64,
) -> Result<(), crate::store::StoreError> {
    let store = crate::store::Store::open(&config.database_url, 8)?;
    let bar = indicatif::ProgressBar::hidden();
    let publisher = std::sync::Arc::new(
        config
            .publisher("http://127.0.0.1:8080")
            .map_err(|e| crate::store::StoreError::Migration(e.to_string()))?
            .with_progress(bar.clone()),
    );
    let started = Instant::now();
    let orgs = publisher.publish_all(&mut *store.conn()?)?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "full publish: {orgs} organisation(s), {} files in {secs:.1}s ({:.0} files/s), peak memory {:.0} MB",
        bar.position(),
        bar.position() as f64 / secs,
        peak_rss_mb()
    );

    drop(publisher);
    http::write_to_live(config, &store, writes)?;
    Ok(())
}
