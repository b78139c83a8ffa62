//! A decision keeps the quorum evidence it was recorded with, and a correction to a
//! meeting's record shows with its reason: on the meeting page, the decision page and the
//! committee feed. A correction without a reason is refused and writes nothing.

use crate::both_backends;
use crate::committees::{meeting, setup};
use crate::helpers::{Backend, TestApp};
use serde_json::{json, Value};

const MEETING_PAGE: &str = "/test-ccg/committees/pccc/meetings/2026-03-04/";
const FEED: &str = "/test-ccg/feeds/committees/pccc.xml";

fn page(app: &TestApp, path: &str) -> String {
    let (s, body) = app.get_text(&format!("{}{path}", app.base));
    assert_eq!(s, 200, "{path}: {body}");
    body
}

fn decision(reference: &str, item: i64) -> Value {
    json!({"reference": reference, "title": "Extended access", "service_description": "Evening and weekend appointments",
        "service_status": "new", "route": "competitive_process", "item": item, "justification": "Best value",
        "value_pence": 125000000, "term_months": 36})
}

fn refusal_correction_and_acceptance_stay_visible(b: Backend) {
    let app = TestApp::spawn(b);
    let p = setup(&app);
    let mid = meeting(&app, &p)["id"].as_i64().unwrap();
    let (s, item) = app.post(
        &format!("/meetings/{mid}/items"),
        json!({"number": "5", "title": "Extended access: award of contract", "conflicts": [
            {"person": p.gp[0], "nature": "Partner at a bidding practice", "decision": "left_room"},
            {"person": p.gp[1], "nature": "Salaried GP at a bidding practice", "decision": "left_room"},
            {"person": p.gp[2], "nature": "Partner at a bidding practice", "decision": "left_room"},
        ]}),
    );
    assert_eq!(s, 201, "{item}");
    let id = item["id"].as_i64().unwrap();
    let (s, e) = app.post(
        &format!("/items/{id}/outcome"),
        json!({"version": 1, "outcome": "decided", "decision": "Award to Harbour PCN"}),
    );
    assert_eq!(s, 422, "refused while inquorate: {e}");

    // Co-opting after the meeting's date is a correction: no reason, no change.
    let co = app.add_person("Gwen Coopted", true);
    let co_opted =
        json!([{"person": co, "category": "lay", "note": "Lay member of the audit committee"}]);
    let head = app.head();
    let (s, e) = app.post(
        &format!("/meetings/{mid}/amend"),
        json!({"version": 1, "co_opted": co_opted}),
    );
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["correction_reason"].is_string(), "{e}");
    assert_eq!(
        app.head(),
        head,
        "a correction without a reason writes nothing"
    );

    let reason = "Gwen Coopted joined the meeting for item 5 and the first record left her out";
    let (s, m) = app.post(
        &format!("/meetings/{mid}/amend"),
        json!({"version": 1, "co_opted": co_opted, "correction_reason": reason}),
    );
    assert_eq!(s, 201, "{m}");
    assert_eq!(m["correction_reason"], reason, "{m}");
    let (s, decided) = app.post(
        &format!("/items/{id}/outcome"),
        json!({"version": 1, "outcome": "decided", "decision": "Award to Harbour PCN"}),
    );
    assert_eq!(s, 201, "{decided}");
    let evidence = &decided["evidence"];
    assert_eq!(evidence["quorate"], true, "{decided}");
    let gwen = evidence["people"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Gwen Coopted")
        .expect("the co-opted member in the evidence");
    assert_eq!(gwen["co_opted"], true);
    assert!(gwen["recorded_on"].is_string(), "{gwen}");
    let (s, d) = app.post("/decisions", decision("PCD-2026-005", id));
    assert_eq!(s, 201, "{d}");

    let refusal = "4 voting members count for this item; the quorum is 5";
    for (what, body) in [
        ("meeting page", page(&app, MEETING_PAGE)),
        (
            "decision page",
            page(&app, "/test-ccg/decisions/pcd-2026-005/"),
        ),
    ] {
        for shown in [
            "As recorded on",
            "Gwen Coopted (co-opted; recorded afterwards, on",
            "As first recorded, before the correction of",
            refusal,
            "Corrected on",
            reason,
            "co-opted: added Gwen Coopted (lay)",
        ] {
            assert!(body.contains(shown), "{what} lacks {shown:?}:\n{body}");
        }
    }
    let meeting_page = page(&app, MEETING_PAGE);
    assert!(meeting_page.contains("Corrections to who attended"));
    assert!(meeting_page.contains("Recorded afterwards (on"));
    let feed = page(&app, FEED);
    for shown in [
        "Meeting record corrected: Primary Care Commissioning Committee",
        reason,
        "co-opted: added Gwen Coopted (lay)",
        "As first recorded, before the correction of",
        refusal,
    ] {
        assert!(feed.contains(shown), "the feed lacks {shown:?}:\n{feed}");
    }
}

fn a_decision_shows_its_recorded_evidence_after_a_later_correction(b: Backend) {
    let app = TestApp::spawn(b);
    let p = setup(&app);
    let m = meeting(&app, &p);
    let mid = m["id"].as_i64().unwrap();
    let (s, item) = app.post(
        &format!("/meetings/{mid}/items"),
        json!({"number": "6", "title": "Phlebotomy service"}),
    );
    assert_eq!(s, 201, "{item}");
    let id = item["id"].as_i64().unwrap();
    let (s, decided) = app.post(
        &format!("/items/{id}/outcome"),
        json!({"version": 1, "outcome": "decided", "decision": "Extend for a year"}),
    );
    assert_eq!(s, 201, "{decided}");
    let (s, d) = app.post("/decisions", decision("PCD-2026-006", id));
    assert_eq!(s, 201, "{d}");
    let path = "/test-ccg/decisions/pcd-2026-006/";
    let before = page(&app, path);
    assert!(before.contains("7 voting members counted"), "{before}");
    assert!(!before.contains("answer differs"), "{before}");

    // Dr Cara Gp in fact sent apologies: the record is corrected, with its reason.
    let mut attendance = m["attendance"].clone();
    attendance[&p.gp[2]] = json!("apologies");
    let reason = "Dr Cara Gp sent apologies; the draft minutes marked her present";
    let (s, e) = app.post(
        &format!("/meetings/{mid}/amend"),
        json!({"version": 1, "attendance": attendance, "correction_reason": reason}),
    );
    assert_eq!(s, 201, "{e}");
    let after = page(&app, path);
    for shown in [
        "7 voting members counted",
        "On today's records the answer differs",
        "6 voting members counted",
        "Corrections made after the decision",
        reason,
        "Dr Cara Gp: present → apologies",
    ] {
        assert!(after.contains(shown), "lacks {shown:?}:\n{after}");
    }
}

both_backends!(
    refusal_correction_and_acceptance_stay_visible,
    a_decision_shows_its_recorded_evidence_after_a_later_correction,
);
