//! Why an entry was withheld is never public: not while it is withheld, and not after it
//! is released. The public chain export carries such entries' payloads as null (their
//! hashes still bind them, and both verifiers accept the export); governance leads and
//! auditors still read the reason through the API.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use serde_json::json;
use std::process::Command;

const REASON: &str = "stalker risk";

fn a_withholding_reason_is_in_no_public_answer(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let d = app.declare(&person, "Trustee of the Riverside Trust");
    let id = d["id"].as_str().expect("an id").to_owned();
    let step = |what: &str, body: serde_json::Value| {
        let (s, answer) = app.post(&format!("/declarations/{id}/{what}"), body);
        assert_eq!(s, 201, "{what}: {answer}");
    };
    step("withhold", json!({"version": 1, "reason": REASON}));
    // An amendment while withheld carries the reason in its snapshot too.
    step(
        "amend",
        json!({"version": 2, "description": "Trustee of the Riverside Trust (chair)"}),
    );
    step("release", json!({"version": 3}));
    let (s, g) = app.post(
        "/gifts",
        json!({"person": person, "giver": "Acme Medical Ltd", "giver_is_supplier": false, "kind": "gift",
               "description": "A pen", "value_pence": 700, "offered_on": "2026-05-01", "outcome": "declined"}),
    );
    assert_eq!(s, 201, "{g}");
    let gift = g["id"].as_str().expect("an id").to_owned();
    for (what, body) in [
        ("withhold", json!({"version": 1, "reason": REASON})),
        ("release", json!({"version": 2})),
    ] {
        let (s, answer) = app.post(&format!("/gifts/{gift}/{what}"), body);
        assert_eq!(s, 201, "gift {what}: {answer}");
    }

    // Signed out.
    let versions = app.api(&format!("/declarations/{id}/versions"));
    let entries = app.api("/audit/entries");
    for url in [&versions, &entries] {
        let (s, text) = app.get_text(url);
        assert_eq!(s, 200, "{url}: {text}");
        assert!(!text.contains(REASON), "{url} shows the reason: {text}");
    }
    let (_, public_versions) = app.get(&versions, None);
    assert_eq!(
        public_versions.as_array().map(Vec::len),
        Some(4),
        "the versions stay listed: {public_versions}"
    );
    assert_eq!(public_versions[1]["withheld"], true);
    assert!(public_versions[1]["withheld_reason"].is_null());
    for (rel, text) in app.site_files() {
        assert!(!text.contains(REASON), "{rel} shows the reason");
    }
    let (_, chain) = app.get_text(&format!("{}/test-ccg/audit/chain.jsonl", app.base));
    let lines: Vec<serde_json::Value> = chain
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let withheld: Vec<&serde_json::Value> =
        lines.iter().filter(|e| e["action"] == "withhold").collect();
    assert_eq!(withheld.len(), 2);
    assert!(withheld.iter().all(|e| e["payload"].is_null()));
    assert!(
        lines
            .iter()
            .any(|e| e["action"] == "release" && e["payload"].is_object()),
        "a release, which carries no reason, stays public"
    );
    let summary = coi_register::audit::verify_entries(
        chain.lines().map(coi_register::audit::verify::parse_line),
        None,
    )
    .expect("the export verifies");
    assert_eq!(summary.entries, app.head());
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("chain.jsonl");
    std::fs::write(&file, &chain).expect("write the export");
    let out = Command::new("python3")
        .args([
            "tools/verify_chain.py",
            file.to_str().expect("a UTF-8 path"),
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("python3 is installed");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.contains("3 withheld payloads"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Governance still reads it.
    for url in [&versions, &entries] {
        let (s, answer) = app.get(url, Some(&app.token));
        assert_eq!(s, 200);
        assert!(answer.to_string().contains(REASON), "{url}: {answer}");
    }
}

both_backends!(a_withholding_reason_is_in_no_public_answer);
