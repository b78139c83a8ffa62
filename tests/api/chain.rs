//! The audit chain in the database: it verifies after many writes, any hand edit is
//! caught at the edited entry, and concurrent writers never fork or gap it.

use crate::both_backends;
use crate::helpers::{declaration, sql, Backend, TestApp};
use coi_register::audit::FailureKind;
use coi_register::domain::entries::Review::Accepted;
use coi_register::domain::interests::DeclarationFields;
use coi_register::domain::people::PersonFields;
use coi_register::domain::Input;
use coi_register::store::entries::Register;
use coi_register::store::{audit, declarations, people};

fn person_fields(name: &str) -> PersonFields {
    PersonFields {
        name: name.into(),
        position: "GP member".into(),
        decision_making: true,
    }
}

fn fields() -> DeclarationFields {
    let mut v = declaration("x", "Partner at Riverside Surgery");
    v.as_object_mut().unwrap().remove("person");
    DeclarationFields::parse(
        &Input::from_json(v).unwrap(),
        chrono::Utc::now().date_naive(),
    )
    .unwrap()
}

/// Write `n` records through the store (people and their declarations).
fn write_many(app: &TestApp, n: usize) {
    let mut c = app.conn();
    for i in 0..n {
        if i % 3 == 0 {
            people::create(
                &mut c,
                app.org_id,
                "system",
                person_fields(&format!("Person {i}")),
            )
            .unwrap();
        } else {
            let slug = people::all(&mut c, app.org_id)
                .unwrap()
                .last()
                .unwrap()
                .slug
                .clone();
            declarations::Declarations::create(
                &mut c,
                app.org_id,
                "system",
                &slug,
                fields(),
                None,
                Accepted,
            )
            .unwrap();
        }
    }
}

fn verify(
    c: &mut coi_register::store::AnyConnection,
    app: &TestApp,
) -> Result<coi_register::audit::ChainSummary, coi_register::audit::Failure> {
    audit::verify(c, app.org).unwrap()
}

fn chain_of_hundreds_of_writes_verifies(b: Backend) {
    let app = TestApp::spawn(b);
    write_many(&app, 300);
    let summary = verify(&mut app.conn(), &app).unwrap();
    assert_eq!(
        summary.entries, 301,
        "300 writes plus the organisation's creation"
    );
    assert_eq!(summary.entries, app.head());
}

fn every_stored_field_edit_is_caught_at_its_seq(b: Backend) {
    let app = TestApp::spawn(b);
    write_many(&app, 12);
    let edits: [(&str, &str); 10] = [
        (
            "payload",
            "payload = replace(payload, 'Riverside', 'Hillside')",
        ),
        ("at", "at = '2020-01-01T00:00:00.000Z'"),
        ("actor", "actor = 'user:999'"),
        ("action", "action = 'amend'"),
        ("entity", "entity = 'gift'"),
        ("entity_id", "entity_id = '77'"),
        (
            "payload_sha256",
            "payload_sha256 = '0000000000000000000000000000000000000000000000000000000000000000'",
        ),
        (
            "prev",
            "prev = '1111111111111111111111111111111111111111111111111111111111111111'",
        ),
        (
            "entry_sha256",
            "entry_sha256 = '2222222222222222222222222222222222222222222222222222222222222222'",
        ),
        ("org", "org = 'other-ccg'"),
    ];
    for target in [3i64, 8, 13] {
        for (field, set) in edits {
            let mut c = app.conn();
            let before =
                coi_register::store::audit::range(&mut c, app.org_id, target, target, 1).unwrap();
            if field == "payload"
                && !before[0]
                    .payload
                    .as_ref()
                    .unwrap()
                    .to_string()
                    .contains("Riverside")
            {
                continue;
            }
            sql(&mut c, "BEGIN");
            sql(
                &mut c,
                &format!(
                    "UPDATE audit_entries SET {set} WHERE organisation_id = {} AND seq = {target}",
                    app.org_id
                ),
            );
            let failure = verify(&mut c, &app).expect_err(field);
            sql(&mut c, "ROLLBACK");
            assert_eq!(
                failure.seq, target,
                "{field} edited at seq {target}: {failure}"
            );
            verify(&mut c, &app).unwrap();
        }
    }
}

fn deleting_or_reordering_entries_is_caught(b: Backend) {
    let app = TestApp::spawn(b);
    write_many(&app, 10);
    let mut c = app.conn();
    sql(&mut c, "BEGIN");
    sql(
        &mut c,
        &format!(
            "DELETE FROM audit_entries WHERE organisation_id = {} AND seq = 5",
            app.org_id
        ),
    );
    let f = verify(&mut c, &app).unwrap_err();
    sql(&mut c, "ROLLBACK");
    assert_eq!(
        (f.seq, f.kind),
        (
            5,
            FailureKind::Gap {
                expected: 5,
                found: 6
            }
        )
    );

    // Swap two entries' positions: renumber 4 and 6 through a free number.
    let o = app.org_id;
    sql(&mut c, "BEGIN");
    sql(
        &mut c,
        &format!("UPDATE audit_entries SET seq = 1000 WHERE organisation_id = {o} AND seq = 4"),
    );
    sql(
        &mut c,
        &format!("UPDATE audit_entries SET seq = 4 WHERE organisation_id = {o} AND seq = 6"),
    );
    sql(
        &mut c,
        &format!("UPDATE audit_entries SET seq = 6 WHERE organisation_id = {o} AND seq = 1000"),
    );
    let f = verify(&mut c, &app).unwrap_err();
    sql(&mut c, "ROLLBACK");
    assert_eq!(f.seq, 4, "{f}");

    // Dropping the newest entries is caught against the recorded head.
    sql(&mut c, "BEGIN");
    sql(
        &mut c,
        &format!("DELETE FROM audit_entries WHERE organisation_id = {o} AND seq > 8"),
    );
    let f = verify(&mut c, &app).unwrap_err();
    sql(&mut c, "ROLLBACK");
    assert!(
        matches!(
            f.kind,
            FailureKind::Length {
                expected: 11,
                found: 8
            }
        ),
        "{f}"
    );
    verify(&mut c, &app).unwrap();
}

fn concurrent_writers_leave_one_unbroken_chain(b: Backend) {
    let app = TestApp::spawn(b);
    let slug = {
        let mut c = app.conn();
        people::create(&mut c, app.org_id, "system", person_fields("Dr Shared"))
            .unwrap()
            .value
            .slug
    };
    std::thread::scope(|s| {
        for t in 0..8 {
            let (app, slug) = (&app, &slug);
            s.spawn(move || {
                let mut c = app.conn();
                for i in 0..200 {
                    if i % 50 == 0 {
                        people::create(
                            &mut c,
                            app.org_id,
                            &format!("user:{t}"),
                            person_fields(&format!("Writer {t} {i}")),
                        )
                        .unwrap();
                    } else {
                        declarations::Declarations::create(
                            &mut c,
                            app.org_id,
                            &format!("user:{t}"),
                            slug,
                            fields(),
                            None,
                            Accepted,
                        )
                        .unwrap();
                    }
                }
            });
        }
    });
    let summary = verify(&mut app.conn(), &app).unwrap();
    assert_eq!(summary.entries, 2 + 8 * 200);
    let mut c = app.conn();
    let ids: Vec<i64> = declarations::Declarations::current(&mut c, app.org_id)
        .unwrap()
        .iter()
        .map(|v| v.entry.id)
        .collect();
    assert_eq!(
        ids,
        (1..=8 * 196).collect::<Vec<i64>>(),
        "per-organisation ids are dense and unique"
    );
}

both_backends!(
    chain_of_hundreds_of_writes_verifies,
    every_stored_field_edit_is_caught_at_its_seq,
    deleting_or_reordering_entries_is_caught,
    concurrent_writers_leave_one_unbroken_chain,
);
