//! Refusals of writes to the record of breaches.

use super::*;
use crate::domain::decisions::{breach_to_input, Breach, BreachInput};
use crate::store::breaches::{amend_breach, create_breach};
use chrono::NaiveDate;

fn breach(person: Option<&str>) -> BreachInput {
    let today = crate::clock::today();
    BreachInput::parse(
        &input(json!({
            "occurred_on": "2026-01-10", "summary": "A conflict was not declared",
            "action_taken": "Declared and managed", "person": person,
        })),
        today,
    )
    .expect("a breach")
}

#[test]
fn a_breach_naming_someone_unknown_is_refused_and_nothing_is_written() {
    let mut db = Db::new();
    db.pccc();
    db.assert_refused(&["person"], |c, org| {
        create_breach(c, org, ACTOR, breach(Some("nobody")))
    });
}

#[test]
fn amending_a_breach_at_a_stale_version_or_to_name_someone_unknown_is_refused() {
    let mut db = Db::new();
    db.pccc();
    let org_id = db.org_id;
    let b = create_breach(db.c(), org_id, ACTOR, breach(Some("gp-one")))
        .expect("a breach")
        .value;
    let again = |_: &Breach, _: Option<String>, _: NaiveDate| Ok(breach(Some("gp-one")));
    let e = db.refused(|c, org| amend_breach(c, org, ACTOR, b.id, b.version + 1, again));
    assert_conflict(&e);
    let unknown = |_: &Breach, _: Option<String>, _: NaiveDate| Ok(breach(Some("nobody")));
    db.assert_refused(&["person"], |c, org| {
        amend_breach(c, org, ACTOR, b.id, b.version, unknown)
    });
}

#[test]
fn an_amendment_its_parser_refuses_writes_nothing() {
    let mut db = Db::new();
    db.pccc();
    let org_id = db.org_id;
    let b = create_breach(db.c(), org_id, ACTOR, breach(None))
        .expect("a breach")
        .value;
    let parse = |current: &Breach, slug: Option<String>, today: NaiveDate| {
        let changes = input(json!({"summary": ""}));
        BreachInput::parse(&breach_to_input(current, slug).merged(changes), today)
    };
    db.assert_refused(&["summary"], |c, org| {
        amend_breach(c, org, ACTOR, b.id, b.version, parse)
    });
}
