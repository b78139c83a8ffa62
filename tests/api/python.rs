//! The independent Python checks, run by the test suite: the fixed vectors, the
//! verifier's own tests, and the verifier against a real export and a tampered copy.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use std::process::Command;

/// Run a Python script from the repository's root: (whether it succeeded, its output).
pub fn python(args: &[&str]) -> (bool, String) {
    let out = Command::new("python3")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("python3 is installed");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn fixed_vectors_are_recomputed_independently_by_python() {
    let (ok, out) = python(&["tests/check_vectors.py"]);
    assert!(ok && out.contains("vectors OK"), "{out}");
}

#[test]
fn the_python_verifier_passes_its_own_tests() {
    let (ok, out) = python(&["tests/test_verify_chain.py"]);
    assert!(ok, "{out}");
}

fn the_python_verifier_accepts_an_export_and_rejects_a_tampered_copy(b: Backend) {
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Anita Shah", true);
    for i in 0..5 {
        app.declare(&p, &format!("Interest number {i}"));
    }
    let (_, chain) = app.get_text(&format!("{}/test-ccg/audit/chain.jsonl", app.base));
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("chain.jsonl");
    std::fs::write(&good, &chain).unwrap();
    let (ok, out) = python(&["tools/verify_chain.py", good.to_str().unwrap()]);
    assert!(ok && out.starts_with("OK: test-ccg 7 entries"), "{out}");
    let tampered = dir.path().join("tampered.jsonl");
    std::fs::write(
        &tampered,
        chain.replacen("Interest number 2", "Interest number 9", 1),
    )
    .unwrap();
    let (ok, out) = python(&["tools/verify_chain.py", tampered.to_str().unwrap()]);
    assert!(
        !ok && out.contains("FAIL seq 5") && out.contains("payload hash mismatch"),
        "{out}"
    );
}

both_backends!(the_python_verifier_accepts_an_export_and_rejects_a_tampered_copy);
