//! For auditors: proofs and signed checkpoints over HTTP, verified with code that is
//! not the service's (the Merkle verifier in `audit`, and the Python script), and the
//! detection of a rewritten history with `verify --since`.

use crate::both_backends;
use crate::helpers::{sql, Backend, TestApp};
use coi_register::audit::checkpoint::{verify_checkpoint, NoteVerifier};
use coi_register::audit::merkle::{self, Hash};
use coi_register::auditor::{verify_url, AuditError};

fn hashes(v: &serde_json::Value) -> Vec<Hash> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|h| {
            hex::decode(h.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap()
        })
        .collect()
}

fn checkpoint_note(app: &TestApp) -> String {
    app.get_text(&format!("{}/test-ccg/audit/checkpoint", app.base))
        .1
}

fn verifier(app: &TestApp) -> NoteVerifier {
    NoteVerifier::parse(
        app.get_text(&format!("{}/test-ccg/audit/verifier-key", app.base))
            .1
            .trim(),
    )
    .unwrap()
}

fn proofs_verify_against_signed_checkpoints(b: Backend) {
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Anita Shah", true);
    for i in 0..6 {
        app.declare(&p, &format!("Interest {i}"));
    }
    let key = verifier(&app);
    let old = verify_checkpoint(&key, &checkpoint_note(&app)).unwrap();
    assert_eq!(old.size, 8);
    for i in 0..5 {
        app.declare(&p, &format!("Later interest {i}"));
    }
    let new = verify_checkpoint(&key, &checkpoint_note(&app)).unwrap();
    assert_eq!(new.size, 13);
    let (s, all) = app.get(&app.api("/audit/checkpoints"), None);
    assert_eq!(s, 200);
    assert!(
        all.as_array().unwrap().len() >= 2,
        "every checkpoint is kept"
    );

    let (s, c) = app.get(
        &app.api(&format!(
            "/audit/proof/consistency?from={}&to={}",
            old.size, new.size
        )),
        None,
    );
    assert_eq!(s, 200, "{c}");
    merkle::verify_consistency(
        old.size,
        new.size,
        &old.root,
        &new.root,
        &hashes(&c["proof"]),
    )
    .unwrap();

    for seq in [1u64, 5, 8] {
        let (s, proof) = app.get(
            &app.api(&format!(
                "/audit/proof/inclusion?seq={seq}&size={}",
                new.size
            )),
            None,
        );
        assert_eq!(s, 200, "{proof}");
        let leaf: Hash = hex::decode(proof["entry_sha256"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        merkle::verify_inclusion(
            &merkle::leaf_hash(&leaf),
            seq - 1,
            new.size,
            &hashes(&proof["path"]),
            &new.root,
        )
        .unwrap();
        assert!(merkle::verify_inclusion(
            &merkle::leaf_hash(&leaf),
            seq,
            new.size,
            &hashes(&proof["path"]),
            &new.root
        )
        .is_err());
    }
    for bad in [
        "seq=0&size=5",
        "seq=6&size=5",
        "seq=1&size=999",
        "seq=x&size=5",
        "size=5",
        "seq=-1&size=5",
        "seq=1&size=18446744073709551616",
    ] {
        let (s, body) = app.get(&app.api(&format!("/audit/proof/inclusion?{bad}")), None);
        assert_eq!(s, 400, "{bad}: {body}");
    }
    for bad in [
        "from=0&to=5",
        "from=6&to=5",
        "from=1&to=999",
        "from=a&to=b",
        "",
    ] {
        let (s, body) = app.get(&app.api(&format!("/audit/proof/consistency?{bad}")), None);
        assert_eq!(s, 400, "{bad}: {body}");
    }
    // The all-changes feed carries the latest checkpoint.
    let (_, feed) = app.get_text(&format!("{}/test-ccg/feeds/all.xml", app.base));
    assert!(feed.contains("<audit:checkpoint>") && feed.contains("coi-register/test-ccg"));
}

/// Rewrite history as an insider with database access would: change an old entry and
/// recompute every later hash so the chain alone still verifies, and rebuild the tree.
fn rewrite_history(app: &TestApp, seq: i64) {
    use coi_register::audit::{ChainEntry, Draft};
    let mut c = app.conn();
    let entries =
        coi_register::store::audit::range(&mut c, app.org_id, 1, i64::MAX, 100_000).unwrap();
    let mut rewritten: Vec<ChainEntry> = Vec::new();
    for e in entries {
        let mut payload = e.payload.clone().unwrap();
        if e.header.seq == seq {
            payload["description"] = serde_json::json!("Nothing to see here");
        }
        let prev = rewritten
            .last()
            .map(|p| (p.entry_sha256.as_str(), p.header.seq));
        let h = &e.header;
        let draft = Draft {
            org: &h.org,
            at: h.at.clone(),
            actor: &h.actor,
            action: &h.action,
            entity: &h.entity,
            entity_id: &h.entity_id,
        };
        rewritten.push(ChainEntry::next(prev, draft, payload).unwrap());
    }
    let o = app.org_id;
    for e in &rewritten {
        let payload = coi_register::audit::canonical_json(e.payload.as_ref().unwrap())
            .unwrap()
            .replace('\'', "''");
        sql(&mut c, &format!(
            "UPDATE audit_entries SET payload = '{payload}', payload_sha256 = '{}', prev = '{}', entry_sha256 = '{}' WHERE organisation_id = {o} AND seq = {}",
            e.header.payload_sha256, e.header.prev, e.entry_sha256, e.header.seq
        ));
    }
    let head = rewritten.last().unwrap();
    sql(
        &mut c,
        &format!(
            "UPDATE organisations SET chain_head = '{}' WHERE id = {o}",
            head.entry_sha256
        ),
    );
    sql(
        &mut c,
        &format!("DELETE FROM merkle_nodes WHERE organisation_id = {o}"),
    );
}

fn verify_since_detects_a_rewritten_history(b: Backend) {
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Anita Shah", true);
    let d = app.declare(&p, "Director of Riverside Care Ltd");
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("checkpoint");
    let key = verifier(&app);
    let first = verify_url(&app.base, "test-ccg", None, Some(&key), Some(&saved)).unwrap();
    assert_eq!(first.checkpoint.as_ref().unwrap().size, 3);

    app.declare(&p, "Trustee of the Riverside Trust");
    let report = verify_url(&app.base, "test-ccg", Some(&saved), Some(&key), None).unwrap();
    assert_eq!(report.consistent_since, Some(3));
    assert!(report
        .to_string()
        .contains("consistent with the earlier checkpoint of size 3"));

    rewrite_history(&app, d["audit_seq"].as_i64().unwrap());
    assert!(
        coi_register::store::audit::verify(&mut app.conn(), "test-ccg")
            .unwrap()
            .is_ok(),
        "the rewritten chain verifies on its own"
    );
    app.declare(&p, "A new entry, so a new checkpoint is signed");
    match verify_url(&app.base, "test-ccg", Some(&saved), Some(&key), None) {
        Err(AuditError::Inconsistent(why)) => assert!(
            why.contains("does not extend the saved one of size 3"),
            "{why}"
        ),
        other => panic!("a rewritten history must be reported: {other:?}"),
    }
}

fn the_python_verifier_checks_the_signed_checkpoint(b: Backend) {
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Anita Shah", true);
    app.declare(&p, "Partner at Riverside Surgery");
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, url: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            app.get_text(&format!("{}/test-ccg/{url}", app.base)).1,
        )
        .unwrap();
        path.to_str().unwrap().to_owned()
    };
    let chain = write("chain.jsonl", "audit/chain.jsonl");
    let cp = write("checkpoint", "audit/checkpoint");
    let key = write("verifier-key", "audit/verifier-key");
    let out = std::process::Command::new("python3")
        .args([
            "tools/verify_chain.py",
            &chain,
            "--checkpoint",
            &cp,
            "--key",
            &key,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && text.contains("checkpoint 3 verified"),
        "{text}"
    );
    let forged = std::fs::read_to_string(&cp)
        .unwrap()
        .replacen("\n3\n", "\n2\n", 1);
    std::fs::write(dir.path().join("forged"), forged).unwrap();
    let out = std::process::Command::new("python3")
        .args([
            "tools/verify_chain.py",
            &chain,
            "--checkpoint",
            dir.path().join("forged").to_str().unwrap(),
            "--key",
            &key,
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "a checkpoint altered after signing must fail"
    );
}

fn an_auditor_reads_withheld_payloads_and_checks_their_hashes(b: Backend) {
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Anita Shah", true);
    let mut body = crate::helpers::declaration(&p, "Private matter");
    body["withheld_reason"] = serde_json::json!("Risk of harm");
    let (s, d) = app.post("/declarations", body);
    assert_eq!(s, 201, "{d}");
    let seq = d["audit_seq"].as_i64().unwrap();
    let auditor = {
        let mut c = app.conn();
        coi_register::cli::add_user(
            &mut c,
            "auditor@test.example",
            coi_register::store::users::Role::Auditor,
            &["test-ccg".into()],
            None,
        )
        .unwrap()
        .0
    };
    let url = app.api(&format!("/audit/entries?start={seq}&end={seq}"));
    let (_, public) = app.get(&url, None);
    assert!(
        public[0]["payload"].is_null(),
        "the public sees only the hash"
    );
    let (_, audited) = app.get(&url, Some(&auditor));
    let payload = &audited[0]["payload"];
    assert_eq!(payload["description"], "Private matter");
    let hash = coi_register::audit::sha256_hex(
        coi_register::audit::canonical_json(payload)
            .unwrap()
            .as_bytes(),
    );
    assert_eq!(
        hash,
        public[0]["payload_sha256"].as_str().unwrap(),
        "the payload the auditor gets is the one the chain binds"
    );
}

fn an_export_is_checked_against_a_checkpoint_and_its_key(b: Backend) {
    use coi_register::audit::checkpoint::NoteSigner;
    use coi_register::auditor::{read_checkpoint, verify_file};
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Anita Shah", true);
    app.declare(&p, "Partner at Riverside Surgery");
    let dir = tempfile::tempdir().unwrap();
    let chain = dir.path().join("chain.jsonl");
    std::fs::write(
        &chain,
        app.get_text(&format!("{}/test-ccg/audit/chain.jsonl", app.base))
            .1,
    )
    .unwrap();
    let cp = dir.path().join("checkpoint");
    let note = checkpoint_note(&app);
    std::fs::write(&cp, &note).unwrap();
    let key = verifier(&app);
    let report = verify_file(&chain, Some(&cp), Some(&key)).unwrap();
    assert!(
        report
            .to_string()
            .contains("checkpoint of size 3 matches (signature verified)"),
        "{report}"
    );
    let stranger = NoteSigner::generate("coi-register").unwrap().verifier();
    assert!(
        read_checkpoint(&note, Some(&stranger)).is_err(),
        "a checkpoint is only as good as the key that signed it"
    );
    assert!(verify_file(&chain, Some(&cp), Some(&stranger)).is_err());
}

both_backends!(
    an_auditor_reads_withheld_payloads_and_checks_their_hashes,
    an_export_is_checked_against_a_checkpoint_and_its_key,
    proofs_verify_against_signed_checkpoints,
    verify_since_detects_a_rewritten_history,
    the_python_verifier_checks_the_signed_checkpoint,
);
