//! Refusals of meeting, agenda item and outcome writes.

use super::*;
use crate::domain::committees::ItemOutcome;
use crate::store::meetings::{
    amend_item, amend_meeting, create_item, create_meeting, record_outcome,
};

/// The fixture meeting's fields as entered, with `changes` overlaid and the attendance
/// of the people in `marks` changed.
fn meeting_with(changes: Value, marks: &[(&str, &str)]) -> MeetingInput {
    let mut attendance: serde_json::Map<String, Value> = PEOPLE[..6]
        .iter()
        .map(|name| (name.to_lowercase().replace(' ', "-"), json!("present")))
        .collect();
    for (person, mark) in marks {
        attendance.insert(person.to_string(), json!(mark));
    }
    let base = input(json!({"held_on": MEETING_ON, "attendance": attendance}));
    MeetingInput::parse(&base.merged(input(changes))).expect("a meeting")
}

fn item_with(number: &str, conflicts: Value) -> ItemInput {
    ItemInput::parse(&input(
        json!({"number": number, "title": "Contract", "conflicts": conflicts}),
    ))
    .expect("an item")
}

/// A conflict of `person`'s that takes them out of the count.
fn left_room(person: &str) -> Value {
    json!([{"person": person, "nature": "Partner in a bidder", "decision": "left_room"}])
}

#[test]
fn a_meeting_of_no_committee_or_on_a_day_already_recorded_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    let id = pccc.committee.id;
    let e =
        db.refused(|c, org| create_meeting(c, org, ACTOR, id + 100, meeting_with(json!({}), &[])));
    assert_not_found(&e);
    db.assert_refused(&["held_on"], |c, org| {
        create_meeting(c, org, ACTOR, id, meeting_with(json!({}), &[]))
    });
}

#[test]
fn a_meeting_attended_by_a_non_member_or_co_opting_a_member_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    let id = pccc.committee.id;
    let entered = meeting_with(
        json!({
            "held_on": "2026-04-01",
            "co_opted": [{"person": "gp-one", "category": "clinical", "note": "Already a member"}],
        }),
        &[("outsider", "present"), ("nobody", "present")],
    );
    let e = db.refused(|c, org| create_meeting(c, org, ACTOR, id, entered));
    assert_eq!(
        fields(&e),
        [
            "attendance.nobody",
            "attendance.outsider",
            "co_opted[0].person"
        ]
    );
}

#[test]
fn amending_a_meeting_at_a_stale_version_is_refused_and_nothing_is_written() {
    let (mut db, pccc) = Db::with_pccc();
    let (id, stale) = (pccc.meeting.id, pccc.meeting.version + 1);
    let e =
        db.refused(|c, org| amend_meeting(c, org, ACTOR, id, stale, meeting_with(json!({}), &[])));
    assert_conflict(&e);
}

#[test]
fn moving_a_meeting_at_which_a_procurement_decision_was_taken_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    db.decision_at(&pccc, "PCD-1");
    let (id, version) = (pccc.meeting.id, pccc.meeting.version);
    let moved = meeting_with(json!({"held_on": "2026-03-05"}), &[]);
    db.assert_refused(&["held_on"], |c, org| {
        amend_meeting(c, org, ACTOR, id, version, moved)
    });
}

#[test]
fn marking_absent_someone_who_declared_a_conflict_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    let org_id = db.org_id;
    create_item(
        db.c(),
        org_id,
        ACTOR,
        pccc.meeting.id,
        item_with("3", left_room("gp-one")),
    )
    .expect("item 3");
    let (id, version) = (pccc.meeting.id, pccc.meeting.version);
    let absent = meeting_with(json!({}), &[("gp-one", "apologies")]);
    db.assert_refused(&["attendance"], |c, org| {
        amend_meeting(c, org, ACTOR, id, version, absent)
    });
}

#[test]
fn an_attendance_that_leaves_a_recorded_decision_inquorate_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    let (id, version) = (pccc.meeting.id, pccc.meeting.version);
    let absent = meeting_with(json!({}), &[("executive-member", "absent")]);
    db.assert_refused(&["quorum"], |c, org| {
        amend_meeting(c, org, ACTOR, id, version, absent)
    });
}

#[test]
fn an_item_of_no_meeting_or_numbered_as_another_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    let id = pccc.meeting.id;
    let e = db.refused(|c, org| create_item(c, org, ACTOR, id + 100, item_with("3", json!([]))));
    assert_not_found(&e);
    db.assert_refused(&["number"], |c, org| {
        create_item(c, org, ACTOR, id, item_with("2", json!([])))
    });
}

#[test]
fn a_conflict_of_someone_absent_or_citing_no_declaration_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    let id = pccc.meeting.id;
    let conflicts = json!([
        {"person": "outsider", "nature": "Owns the bidder", "decision": "left_room"},
        {"person": "gp-one", "declaration": 999, "nature": "Partner", "decision": "left_room"},
    ]);
    let e = db.refused(|c, org| create_item(c, org, ACTOR, id, item_with("3", conflicts)));
    assert_eq!(
        fields(&e),
        ["conflicts[0].person", "conflicts[1].declaration"]
    );
}

#[test]
fn amending_an_item_at_a_stale_version_or_to_a_taken_number_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    let (id, version) = (pccc.open.id, pccc.open.version);
    let e =
        db.refused(|c, org| amend_item(c, org, ACTOR, id, version + 1, item_with("2", json!([]))));
    assert_conflict(&e);
    db.assert_refused(&["number"], |c, org| {
        amend_item(c, org, ACTOR, id, version, item_with("1", json!([])))
    });
}

#[test]
fn a_conflict_added_to_a_decided_item_that_leaves_it_inquorate_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    let (id, version) = (pccc.decided.id, pccc.decided.version);
    let entered = item_with("1", left_room("executive-member"));
    db.assert_refused(&["outcome", "quorum.required_category"], |c, org| {
        amend_item(c, org, ACTOR, id, version, entered)
    });
}

/// Item 3 of the fixture meeting, from which the only executive left the room: not
/// quorate (no executive counts).
fn item_without_an_executive(db: &mut Db, pccc: &Pccc) -> Stored<Item> {
    let org_id = db.org_id;
    create_item(
        db.c(),
        org_id,
        ACTOR,
        pccc.meeting.id,
        item_with("3", left_room("executive-member")),
    )
    .expect("item 3")
    .value
}

#[test]
fn a_decision_on_an_inquorate_item_is_refused_and_nothing_is_written() {
    let (mut db, pccc) = Db::with_pccc();
    let item = item_without_an_executive(&mut db, &pccc);
    let decided = ItemOutcomeInput::Decided {
        decision: "Approved".into(),
    };
    db.assert_refused(&["outcome", "quorum.required_category"], |c, org| {
        record_outcome(c, org, ACTOR, item.id, item.version, decided)
    });
}

#[test]
fn deferring_an_item_a_procurement_decision_cites_is_refused() {
    let (mut db, pccc) = Db::with_pccc();
    db.decision_at(&pccc, "PCD-1");
    let (id, version) = (pccc.decided.id, pccc.decided.version);
    let deferred = ItemOutcomeInput::Deferred {
        reason: "More information needed".into(),
    };
    db.assert_refused(&["outcome"], |c, org| {
        record_outcome(c, org, ACTOR, id, version, deferred)
    });
}

#[test]
fn recording_an_outcome_at_a_stale_version_is_refused_and_nothing_is_written() {
    let (mut db, pccc) = Db::with_pccc();
    let (id, stale) = (pccc.open.id, pccc.open.version + 1);
    let deferred = ItemOutcomeInput::Deferred {
        reason: "Out of time".into(),
    };
    let e = db.refused(|c, org| record_outcome(c, org, ACTOR, id, stale, deferred));
    assert_conflict(&e);
}

/// The clock set to noon on `day` for the rest of the test.
fn on_day(day: &str) -> crate::clock::SetClock {
    let at = format!("{day}T12:00:00Z").parse().expect("a time");
    crate::clock::set(at)
}

#[test]
fn a_correction_of_attendance_without_a_reason_is_refused_and_with_one_is_kept() {
    let _clock = on_day("2026-03-10");
    let (mut db, pccc) = Db::with_pccc();
    let (id, version) = (pccc.meeting.id, pccc.meeting.version);
    let apologies = |changes| meeting_with(changes, &[("gp-two", "apologies")]);
    db.assert_refused(&["correction_reason"], |c, org| {
        amend_meeting(c, org, ACTOR, id, version, apologies(json!({})))
    });
    let org_id = db.org_id;
    let reason = "Dr Two sent apologies; the draft minutes marked her present";
    let corrected = amend_meeting(
        db.c(),
        org_id,
        ACTOR,
        id,
        version,
        apologies(json!({"correction_reason": reason})),
    )
    .expect("a correction with its reason")
    .value;
    assert_eq!(corrected.record.correction_reason.as_deref(), Some(reason));
    assert_eq!(corrected.payload()["correction_reason"], reason);
    let decided =
        crate::store::records::get::<Item>(db.c(), org_id, pccc.decided.id).expect("item 1");
    assert_eq!(
        decided.record, pccc.decided.record,
        "the decision's recorded evidence is not recomputed by a later correction"
    );
}

#[test]
fn a_correction_of_an_items_conflicts_without_a_reason_is_refused() {
    let _clock = on_day("2026-03-04");
    let (mut db, pccc) = Db::with_pccc();
    let (id, version) = (pccc.open.id, pccc.open.version);
    let took_part =
        json!([{"person": "gp-two", "nature": "Shareholder in a bidder", "decision": "took_part"}]);
    let unexplained = item_with("2", took_part.clone());
    assert_eq!(
        db.refused_fields(|c, org| amend_item(c, org, ACTOR, id, version, unexplained)),
        ["correction_reason"],
        "on the meeting's day, but item 1 already has an outcome"
    );
    let org_id = db.org_id;
    let mut entered = item_with("2", took_part);
    entered.correction_reason = Some("Declared at the meeting; left out of the draft".into());
    amend_item(db.c(), org_id, ACTOR, id, version, entered).expect("with a reason");
}

#[test]
fn a_decision_keeps_its_evidence_and_a_co_option_made_afterwards_is_dated() {
    let (mut db, pccc) = Db::with_pccc();
    let org_id = db.org_id;
    let item = item_without_an_executive(&mut db, &pccc);
    let _clock = on_day("2026-03-10");
    let co_opt = meeting_with(
        json!({
            "co_opted": [{"person": "outsider", "category": "executive", "note": "Director of finance"}],
            "correction_reason": "The director of finance was co-opted at the meeting; the draft left her out",
        }),
        &[],
    );
    let meeting = amend_meeting(
        db.c(),
        org_id,
        ACTOR,
        pccc.meeting.id,
        pccc.meeting.version,
        co_opt,
    )
    .expect("the co-option")
    .value;
    assert_eq!(
        meeting.record.co_opted[0].recorded_on,
        Some("2026-03-10".parse().unwrap())
    );
    let decided = ItemOutcomeInput::Decided {
        decision: "Approved".into(),
    };
    let item = record_outcome(db.c(), org_id, ACTOR, item.id, item.version, decided)
        .expect("quorate with the co-option")
        .value;
    let ItemOutcome::Decided {
        evidence: Some(evidence),
        ..
    } = &item.record.outcome
    else {
        panic!("a decision with evidence: {:?}", item.record.outcome)
    };
    let named = |name: &str| {
        evidence
            .people
            .iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("{name} in {evidence:?}"))
    };
    assert!(evidence.quorate);
    assert_eq!(
        evidence.rule,
        "at least 4 voting members, including a lay member and an executive member"
            .to_owned()
            + "; more than half of those counting lay or executive members, and a lay member without a conflict to preside"
    );
    assert_eq!(evidence.presiding, Some(named("Lay Chair").person_id));
    let exec = named("Executive Member");
    assert!(exec.present && !exec.counted);
    assert_eq!(
        exec.conflict.as_ref().map(|c| c.nature.as_str()),
        Some("Partner in a bidder")
    );
    let outsider = named("Outsider");
    assert!(outsider.co_opted && outsider.counted);
    assert_eq!(outsider.recorded_on, Some("2026-03-10".parse().unwrap()));
    assert_eq!(evidence.counting().len(), 6);
    assert_eq!(item.payload()["evidence"]["quorate"], true);
}

#[test]
fn a_co_option_that_makes_a_refused_item_quorate_needs_a_reason_even_on_the_day() {
    let (mut db, pccc) = Db::with_pccc();
    let org_id = db.org_id;
    let day = "2026-04-01";
    let _clock = on_day(day);
    let held = json!({"held_on": day});
    let meeting = create_meeting(
        db.c(),
        org_id,
        ACTOR,
        pccc.committee.id,
        meeting_with(held, &[]),
    )
    .expect("a second meeting, with no outcome yet")
    .value;
    let item = create_item(
        db.c(),
        org_id,
        ACTOR,
        meeting.id,
        item_with("1", left_room("executive-member")),
    )
    .expect("an item the only executive left")
    .value;
    let decided = || ItemOutcomeInput::Decided {
        decision: "Approved".into(),
    };
    let (id, version) = (item.id, item.version);
    db.refused_fields(|c, org| record_outcome(c, org, ACTOR, id, version, decided()));
    // The refusal is overcome only by a correction that says why.
    let co_opt = |extra: Value| {
        let mut fields = json!({"held_on": day, "co_opted": [
            {"person": "outsider", "category": "executive", "note": "Director of finance"}]});
        fields
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        meeting_with(fields, &[])
    };
    let (mid, mver) = (meeting.id, meeting.version);
    assert_eq!(
        db.refused_fields(|c, org| amend_meeting(c, org, ACTOR, mid, mver, co_opt(json!({})))),
        ["correction_reason"],
        "on the meeting's day with no outcome yet, but the item would become quorate"
    );
    let reason = json!({"correction_reason": "The director of finance was co-opted for item 1"});
    amend_meeting(db.c(), org_id, ACTOR, mid, mver, co_opt(reason)).expect("with its reason");
    record_outcome(db.c(), org_id, ACTOR, id, version, decided()).expect("now quorate");
}
