//! `coi-register import`: every row is checked before anything is written, and a good
//! file is written record by record, each with its own audit entry.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use coi_register::store::entries::Register;
use coi_register::store::users::Role;

/// Run the real binary against the test app's database with `csv` as FILE.
fn import(app: &TestApp, kind: &str, name: &str, csv: &str) -> (bool, String, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join(name);
    std::fs::write(&file, csv).expect("write the CSV");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_coi-register"))
        .arg("--database-url")
        .arg(&app.database_url)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["import", kind, "--org", app.org])
        .arg(&file)
        .output()
        .expect("run coi-register");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `rows` interest rows over the people, with a BOM and quoted cells; row `bad` (if any)
/// has an impossible date.
fn interests_csv(people: &[String], rows: usize, bad: Option<usize>) -> String {
    let mut csv = String::from(
        "\u{feff}person,interest_type,associate,description,body,arose_on,ended_on,declared_on,mitigation\n",
    );
    for n in 1..=rows {
        let arose = if Some(n) == bad {
            "2026-02-30"
        } else {
            "2026-01-05"
        };
        csv.push_str(&format!(
            "{},financial,,\"Partner, practice {n}\",Surgery {n},{arose},,2026-01-20,Leaves the room\n",
            people[n % people.len()]
        ));
    }
    csv
}

fn a_bad_row_writes_nothing_and_a_good_file_imports_every_row(b: Backend) {
    let app = TestApp::spawn(b);
    let people: Vec<String> = (0..10)
        .map(|i| app.add_person(&format!("Dr Person {i}"), true))
        .collect();
    let head = app.head();

    let (ok, _, err) = import(
        &app,
        "interests",
        "register.csv",
        &interests_csv(&people, 1000, Some(637)),
    );
    assert!(!ok, "{err}");
    // Row 637 is on line 638 (the header is line 1).
    assert!(err.contains("row 637 (line 638): arose_on:"), "{err}");
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(err.matches("row ").count(), 1, "{err}");
    assert_eq!(app.head(), head, "nothing written");

    let (ok, out, err) = import(
        &app,
        "interests",
        "register.csv",
        &interests_csv(&people, 1000, None),
    );
    assert!(ok, "{err}");
    assert_eq!(app.head(), head + 1000);
    assert!(
        out.contains(&format!(
            "imported 1000 interests into test-ccg (audit seq {}–{})",
            head + 1,
            head + 1000
        )),
        "{out}"
    );
    let all = coi_register::store::declarations::Declarations::current(&mut app.conn(), app.org_id)
        .unwrap();
    assert_eq!(all.len(), 1000);
    let d = all
        .iter()
        .find(|v| v.entry.fields.body == "Surgery 637")
        .expect("row 637 imported");
    assert_eq!(d.entry.fields.description, "Partner, practice 637");
    assert_eq!(d.recorded_by, "import:register.csv");
}

fn every_bad_row_is_reported_with_its_field(b: Backend) {
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Anita Shah", true);
    let head = app.head();
    let csv = format!(
        "person,interest_type,description,body,arose_on,mitigation\n\
         {p},financial,Shares,Acme,2026-01-05,None needed\n\
         nobody,financial,Shares,Acme,2026-01-05,None needed\n\
         {p},shares,,Acme,2026-01-05,None needed\n"
    );
    let (ok, _, err) = import(&app, "interests", "x.csv", &csv);
    assert!(!ok);
    assert!(
        err.contains("row 2 (line 3): person: no person \"nobody\""),
        "{err}"
    );
    assert!(
        err.contains("row 3 (line 4): description: is required"),
        "{err}"
    );
    assert!(err.contains("row 3 (line 4): interest_type:"), "{err}");
    assert_eq!(app.head(), head);

    let (ok, _, err) = import(&app, "interests", "x.csv", "person,colour\nx,red\n");
    assert!(!ok);
    assert!(
        err.contains("colour: is not a field of this record"),
        "{err}"
    );
}

fn gifts_take_pounds(b: Backend) {
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Anita Shah", true);
    let head = app.head();
    let csv = format!(
        "person,giver,kind,description,value,offered_on,outcome\n\
         {p},Acme Medical Ltd,hospitality,Dinner,\"£1,250.50\",2026-05-01,declined\n\
         {p},Acme Medical Ltd,gift,Pen,12,2026-05-02,declined\n"
    );
    let (ok, out, err) = import(&app, "gifts", "gifts.csv", &csv);
    assert!(ok, "{err}");
    assert!(out.contains("imported 2 gifts into test-ccg"), "{out}");
    assert_eq!(app.head(), head + 2);
    let mut pence: Vec<i64> =
        coi_register::store::gifts::Gifts::current(&mut app.conn(), app.org_id)
            .unwrap()
            .iter()
            .map(|v| v.entry.fields.value_pence)
            .collect();
    pence.sort();
    assert_eq!(pence, [1200, 125050]);

    let (ok, _, err) = import(
        &app,
        "gifts",
        "gifts.csv",
        &format!("person,giver,kind,description,value,offered_on,outcome\n{p},Acme,gift,Pen,twelve,2026-05-02,declined\n"),
    );
    assert!(!ok);
    assert!(err.contains("row 1 (line 2): value:"), "{err}");
    assert_eq!(app.head(), head + 2);
}

fn decisions_refuse_a_duplicate_reference(b: Backend) {
    let app = TestApp::spawn(b);
    let head = app.head();
    let header = "reference,title,service_description,service_status,route,decided_on,how_decided,justification,value\n";
    let row = |r: &str| {
        format!("{r},Phlebotomy,Community phlebotomy,existing,extension,2026-02-10,CFO under delegated authority,Continuity,18000\n")
    };
    let csv = format!(
        "{header}{}{}{}",
        row("PCD-2026-001"),
        row("PCD-2026-002"),
        row("pcd-2026-001")
    );
    let (ok, _, err) = import(&app, "decisions", "decisions.csv", &csv);
    assert!(!ok);
    assert!(
        err.contains(
            "row 3 (line 4): reference: pcd-2026-001 is also the reference of row 1 (line 2)"
        ),
        "{err}"
    );
    assert_eq!(app.head(), head);

    let csv = format!("{header}{}{}", row("PCD-2026-001"), row("PCD-2026-002"));
    let (ok, out, err) = import(&app, "decisions", "decisions.csv", &csv);
    assert!(ok, "{err}");
    assert!(out.contains("imported 2 decisions into test-ccg"), "{out}");
    assert_eq!(app.head(), head + 2);

    // A reference already in the register is refused too.
    let csv = format!("{header}{}", row("PCD-2026-002"));
    let (ok, _, err) = import(&app, "decisions", "decisions.csv", &csv);
    assert!(!ok);
    assert!(
        err.contains("row 1 (line 2): reference: is already used"),
        "{err}"
    );
    assert_eq!(app.head(), head + 2);
}

fn the_upload_form_checks_every_row_and_imports_a_good_file(b: Backend) {
    let app = TestApp::spawn(b);
    let people: Vec<String> = (0..3)
        .map(|i| app.add_person(&format!("Dr Person {i}"), true))
        .collect();
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    const FORM: &str = "/admin/orgs/test-ccg/import";
    let form = app.browse(FORM, Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("Import a register from CSV"));
    let head = app.head();

    // The form takes up to 64 KB: a few hundred rows (bigger files: the command).
    let mut csv = interests_csv(&people, 200, Some(137));
    let answer = app.submit(
        FORM,
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("kind", "interests"),
            ("csv", &csv),
        ],
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer
        .body
        .contains("1 problem found; nothing was imported"));
    assert!(answer.body.contains("row 137 (line 138): arose_on:"));
    assert_eq!(app.head(), head, "nothing written");

    csv = interests_csv(&people, 200, None);
    let answer = app.submit(
        FORM,
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("kind", "interests"),
            ("csv", &csv),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 200);
    let done = app.browse(answer.location.as_deref().unwrap(), Some(&browser.cookie));
    assert!(
        done.body.contains("Imported 200 interests (audit seq"),
        "{}",
        done.body
    );

    // A declarant may not import.
    let declarant = app.account(
        "me@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&people[0]),
    );
    let theirs = app.sign_in(&declarant);
    assert_eq!(app.browse(FORM, Some(&theirs.cookie)).status, 403);
}

both_backends!(
    a_bad_row_writes_nothing_and_a_good_file_imports_every_row,
    every_bad_row_is_reported_with_its_field,
    gifts_take_pounds,
    decisions_refuse_a_duplicate_reference,
    the_upload_form_checks_every_row_and_imports_a_good_file,
);
