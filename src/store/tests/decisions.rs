//! Refusals of procurement decision writes.

use super::*;
use crate::store::decisions::{change_decision, create_decision, DecisionStep};

#[test]
fn a_decision_whose_reference_is_taken_is_refused_and_nothing_is_written() {
    let (mut db, pccc) = Db::with_pccc();
    db.decision_at(&pccc, "PCD-1");
    let again = decision("pcd-1", pccc.decided.id, MEETING_ON);
    db.assert_refused(&["reference"], |c, org| {
        create_decision(c, org, ACTOR, again)
    });
}

#[test]
fn a_decision_citing_an_item_that_decided_nothing_or_no_item_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    let open = decision("PCD-1", pccc.open.id, MEETING_ON);
    db.assert_refused(&["item"], |c, org| create_decision(c, org, ACTOR, open));
    let missing = decision("PCD-1", pccc.open.id + 100, MEETING_ON);
    db.assert_refused(&["item"], |c, org| create_decision(c, org, ACTOR, missing));
}

#[test]
fn a_decision_dated_otherwise_than_the_meeting_that_took_it_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    let late = decision("PCD-1", pccc.decided.id, "2026-03-05");
    db.assert_refused(&["decided_on"], |c, org| {
        create_decision(c, org, ACTOR, late)
    });
}

#[test]
fn changing_a_decision_at_a_stale_version_is_refused_and_nothing_is_written() {
    let (mut db, pccc) = Db::with_pccc();
    let d = db.decision_at(&pccc, "PCD-1");
    let step = DecisionStep::Withdraw("Recorded in error".into());
    let e = db.refused(|c, org| change_decision(c, org, ACTOR, d.id, d.version + 1, step));
    assert_conflict(&e);
}

#[test]
fn a_withdrawn_decision_cannot_change() {
    let (mut db, pccc) = Db::with_pccc();
    let d = db.decision_at(&pccc, "PCD-1");
    let org_id = db.org_id;
    let step = DecisionStep::Withdraw("Recorded in error".into());
    let d = change_decision(db.c(), org_id, ACTOR, d.id, d.version, step)
        .expect("withdrawn")
        .value;
    let step = DecisionStep::Amend(input(json!({"title": "Changed"})));
    let e = db.refused(|c, org| change_decision(c, org, ACTOR, d.id, d.version, step));
    assert_conflict(&e);
}

#[test]
fn amending_a_decision_to_another_decisions_reference_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    db.decision_at(&pccc, "PCD-1");
    let d = db.decision_at(&pccc, "PCD-2");
    let step = DecisionStep::Amend(input(json!({"reference": "PCD-1"})));
    db.assert_refused(&["reference"], |c, org| {
        change_decision(c, org, ACTOR, d.id, d.version, step)
    });
}
