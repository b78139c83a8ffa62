//! Refusals of committee and membership writes.

use super::*;
use crate::store::committees::{add_members, amend_committee, change_membership, create_committee};

fn committee(name: &str) -> Committee {
    Committee::parse(&input(
        json!({"name": name, "quorum_minimum": 2, "quorum_required": "lay"}),
    ))
    .expect("a committee")
}

#[test]
fn a_committee_whose_slug_is_taken_is_refused_and_nothing_is_written() {
    let mut db = Db::new();
    db.pccc();
    let mut again = committee("Another committee");
    again.slug = "pccc".into();
    let entered = seats(&[("lay-chair", "lay", "chair")]);
    db.assert_refused(&["slug"], |c, org| {
        create_committee(c, org, ACTOR, again, entered)
    });
}

#[test]
fn a_committee_with_an_executive_chair_is_refused_and_nothing_is_written() {
    let mut db = Db::new();
    db.pccc();
    let entered = seats(&[
        ("executive-member", "executive", "chair"),
        ("lay-member", "lay", "member"),
    ]);
    db.assert_refused(&["constitution.chair_is_lay"], |c, org| {
        create_committee(c, org, ACTOR, committee("Audit"), entered)
    });
}

#[test]
fn a_committee_naming_someone_unknown_or_no_one_is_refused_and_nothing_is_written() {
    let mut db = Db::new();
    db.pccc();
    let mut entered = seats(&[("nobody", "lay", "chair")]);
    entered.push((
        None,
        input(json!({"category": "lay", "from": "2025-04-01"})),
    ));
    let e = db.refused(|c, org| create_committee(c, org, ACTOR, committee("Audit"), entered));
    assert_eq!(fields(&e), ["members[0].person", "members[1].person"]);
}

#[test]
fn amending_a_committee_at_a_stale_version_is_refused_and_nothing_is_written() {
    let (mut db, pccc) = Db::with_pccc();
    let (id, stale) = (pccc.committee.id, pccc.committee.version + 1);
    let e = db.refused(|c, org| amend_committee(c, org, ACTOR, id, stale, input(json!({}))));
    assert_conflict(&e);
}

#[test]
fn amending_a_committee_to_another_committees_slug_is_refused_and_nothing_is_written() {
    let (mut db, pccc) = Db::with_pccc();
    let org_id = db.org_id;
    let entered = seats(&[("lay-member", "lay", "chair")]);
    create_committee(db.c(), org_id, ACTOR, committee("Audit"), entered).expect("audit");
    let (id, version) = (pccc.committee.id, pccc.committee.version);
    let changes = input(json!({"slug": "audit"}));
    db.assert_refused(&["slug"], |c, org| {
        amend_committee(c, org, ACTOR, id, version, changes)
    });
}

#[test]
fn raising_the_quorum_above_a_recorded_decisions_attendance_is_refused_and_nothing_is_written() {
    let (mut db, pccc) = Db::with_pccc();
    let (id, version) = (pccc.committee.id, pccc.committee.version);
    let changes = input(json!({"quorum_minimum": 7}));
    db.assert_refused(&["quorum"], |c, org| {
        amend_committee(c, org, ACTOR, id, version, changes)
    });
}

#[test]
fn adding_no_members_or_to_no_committee_is_refused_and_nothing_is_written() {
    let (mut db, pccc) = Db::with_pccc();
    let id = pccc.committee.id;
    db.assert_refused(&["members"], |c, org| {
        add_members(c, org, ACTOR, id, vec![])
    });
    let entered = seats(&[("outsider", "lay", "member")]);
    let e = db.refused(|c, org| add_members(c, org, ACTOR, id + 100, entered));
    assert_not_found(&e);
}

#[test]
fn adding_members_who_break_the_lay_executive_majority_is_refused_and_nothing_is_written() {
    let (mut db, pccc) = Db::with_pccc();
    db.person("GP Three");
    db.person("GP Four");
    let id = pccc.committee.id;
    // Lay and executive would be 4 of 8 voting members: not more than half.
    let entered = seats(&[
        ("gp-three", "clinical", "member"),
        ("gp-four", "clinical", "member"),
    ]);
    db.assert_refused(&["constitution.lay_executive_majority"], |c, org| {
        add_members(c, org, ACTOR, id, entered)
    });
}

#[test]
fn changing_a_membership_at_a_stale_version_or_through_another_committee_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    let (cid, member) = (pccc.committee.id, &pccc.members[5]);
    let (id, version) = (member.id, member.version);
    let changes = || input(json!({"voting": false}));
    let e = db.refused(|c, org| {
        change_membership(c, org, ACTOR, cid, (id, version + 1), "amend", changes())
    });
    assert_conflict(&e);
    let org_id = db.org_id;
    let entered = seats(&[("lay-member", "lay", "chair")]);
    let audit = create_committee(db.c(), org_id, ACTOR, committee("Audit"), entered)
        .expect("audit")
        .value
        .committee
        .id;
    let e = db.refused(|c, org| {
        change_membership(c, org, ACTOR, audit, (id, version), "amend", changes())
    });
    assert_not_found(&e);
}

#[test]
fn ending_a_membership_without_its_last_day_is_refused_and_nothing_is_written() {
    let (mut db, pccc) = Db::with_pccc();
    let (cid, member) = (pccc.committee.id, &pccc.members[5]);
    let (id, version) = (member.id, member.version);
    db.assert_refused(&["to"], |c, org| {
        change_membership(c, org, ACTOR, cid, (id, version), "end", input(json!({})))
    });
}

#[test]
fn ending_the_chairs_membership_is_refused_while_no_one_else_chairs() {
    let (mut db, pccc) = Db::with_pccc();
    let (cid, chair) = (pccc.committee.id, &pccc.members[0]);
    let (id, version) = (chair.id, chair.version);
    let to = input(json!({"to": "2026-06-30"}));
    db.assert_refused(&["constitution.one_chair"], |c, org| {
        change_membership(c, org, ACTOR, cid, (id, version), "end", to)
    });
}

#[test]
fn a_membership_change_that_makes_a_recorded_decision_inquorate_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    // The only executive member joining after the meeting leaves it without one.
    let (cid, executive) = (pccc.committee.id, &pccc.members[3]);
    let (id, version) = (executive.id, executive.version);
    let from = input(json!({"from": "2026-03-05"}));
    db.assert_refused(&["quorum"], |c, org| {
        change_membership(c, org, ACTOR, cid, (id, version), "amend", from)
    });
}
