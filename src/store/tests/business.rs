//! The business read model: one committee's business is the organisation's, restricted.

use super::*;
use crate::domain::decisions::BreachInput;
use crate::store::business::Business;
use crate::store::{breaches, committees, decisions, meetings};
use std::collections::BTreeSet;

/// `b` with only what belongs to committee `id`, as [`Business::load_committee`] promises.
fn restricted(b: &Business, id: i64) -> Business {
    let meeting_ids: BTreeSet<i64> = b
        .meetings
        .iter()
        .filter(|m| m.record.committee_id == id)
        .map(|m| m.id)
        .collect();
    let items: Vec<_> = b
        .items
        .iter()
        .filter(|i| meeting_ids.contains(&i.record.meeting_id))
        .cloned()
        .collect();
    let item_ids: BTreeSet<i64> = items.iter().map(|i| i.id).collect();
    Business {
        committees: b
            .committees
            .iter()
            .filter(|c| c.id == id)
            .cloned()
            .collect(),
        memberships: b.members_of(id).into_iter().cloned().collect(),
        meetings: b
            .meetings
            .iter()
            .filter(|m| meeting_ids.contains(&m.id))
            .cloned()
            .collect(),
        items,
        decisions: b
            .decisions
            .iter()
            .filter(|d| {
                d.record
                    .fields
                    .item_id
                    .is_some_and(|i| item_ids.contains(&i))
            })
            .cloned()
            .collect(),
        breaches: vec![],
        gp_earnings: vec![],
        meeting_versions: b
            .meeting_versions
            .iter()
            .filter(|m| meeting_ids.contains(&m.id))
            .cloned()
            .collect(),
        item_versions: b
            .item_versions
            .iter()
            .filter(|i| item_ids.contains(&i.id))
            .cloned()
            .collect(),
    }
}

#[test]
fn one_committees_business_is_the_whole_organisations_restricted_to_it() {
    let (mut db, pccc) = Db::with_pccc();
    let org_id = db.org_id;
    let c = db.c();
    // A second committee whose meetings, items and decision interleave with the first's.
    let committee = Committee::parse(&input(
        json!({"name": "Audit", "quorum_minimum": 1, "quorum_required": "lay"}),
    ))
    .expect("a committee");
    let entered = seats(&[("outsider", "lay", "chair")]);
    let audit = committees::create_committee(c, org_id, ACTOR, committee, entered)
        .expect("audit")
        .value
        .committee;
    let meeting = MeetingInput::parse(&input(
        json!({"held_on": "2026-02-01", "attendance": {"outsider": "present"}}),
    ))
    .expect("a meeting");
    let meeting = meetings::create_meeting(c, org_id, ACTOR, audit.id, meeting)
        .expect("the meeting")
        .value;
    let item =
        ItemInput::parse(&input(json!({"number": "1", "title": "Accounts"}))).expect("an item");
    let item = meetings::create_item(c, org_id, ACTOR, meeting.id, item)
        .expect("the item")
        .value;
    let decided = ItemOutcomeInput::Decided {
        decision: "Approved".into(),
    };
    meetings::record_outcome(c, org_id, ACTOR, item.id, item.version, decided).expect("decided");
    decisions::create_decision(c, org_id, ACTOR, decision("AUD-1", item.id, "2026-02-01"))
        .expect("a decision");
    let mid = meetings::create_item(
        c,
        org_id,
        ACTOR,
        pccc.meeting.id,
        ItemInput::parse(&input(json!({"number": "3", "title": "Later"}))).expect("an item"),
    );
    mid.expect("pccc item 3");
    let breach = BreachInput::parse(
        &input(json!({"occurred_on": "2026-01-10", "summary": "Undeclared", "action_taken": "Declared"})),
        crate::clock::today(),
    )
    .expect("a breach");
    breaches::create_breach(c, org_id, ACTOR, breach).expect("a breach");
    db.decision_at(&pccc, "PCD-1");

    let whole = Business::load(db.c(), org_id).expect("the whole business");
    for id in [pccc.committee.id, audit.id] {
        let one = Business::load_committee(db.c(), org_id, id).expect("one committee");
        assert_eq!(one, restricted(&whole, id));
        assert!(!one.items.is_empty() && !one.decisions.is_empty());
    }
    let e = Business::load_committee(db.c(), org_id, audit.id + 100).expect_err("no committee");
    assert_not_found(&e);
}

#[test]
fn one_committees_people_are_those_its_records_name() {
    let (mut db, pccc) = Db::with_pccc();
    let org_id = db.org_id;
    let one = Business::load_committee(db.c(), org_id, pccc.committee.id).expect("pccc");
    let names: Vec<String> = one
        .people(db.c(), org_id)
        .expect("its people")
        .into_iter()
        .map(|p| p.fields.name)
        .collect();
    assert_eq!(names, PEOPLE[..6]);
}
