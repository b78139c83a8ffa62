//! Committees, meetings and procurement decisions through the API: the constitution
//! and quorum rules are enforced on every write, refusals change nothing, and every
//! accepted write has its audit entry.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use serde_json::{json, Value};

/// People of a primary care commissioning committee, by slug.
pub(crate) struct Pccc {
    pub lay: [String; 3],
    pub exec: [String; 2],
    pub gp: [String; 3],
    pub observer: String,
}

fn people(app: &TestApp) -> Pccc {
    let p = |n: &str| app.add_person(n, true);
    Pccc {
        lay: [p("Helen Lay"), p("Robert Lay"), p("Aisha Lay")],
        exec: [p("Claire Exec"), p("Imran Exec")],
        gp: [p("Dr Anna Gp"), p("Dr Ben Gp"), p("Dr Cara Gp")],
        observer: app.add_person("Pat Healthwatch", false),
    }
}

fn member(person: &str, category: &str, role: &str) -> Value {
    json!({"person": person, "category": category, "role": role, "from": "2026-01-01"})
}

/// A valid committee: lay chair and vice-chair, 3 lay, 2 executive, 3 GP members (8
/// voting; lay+executive 5) and a HealthWatch observer; quorum 5 with a lay and an
/// executive member.
fn committee_body(p: &Pccc) -> Value {
    json!({
        "name": "Primary Care Commissioning Committee", "slug": "pccc",
        "terms_of_reference": "Commissions **primary medical services**.",
        "quorum_minimum": 5, "quorum_required": ["lay", "executive"],
        "members": [
            member(&p.lay[0], "lay", "chair"), member(&p.lay[1], "lay", "vice_chair"),
            member(&p.lay[2], "lay", "member"), member(&p.exec[0], "executive", "member"),
            member(&p.exec[1], "executive", "member"), member(&p.gp[0], "clinical", "member"),
            member(&p.gp[1], "clinical", "member"), member(&p.gp[2], "clinical", "member"),
            {"person": p.observer, "category": "observer", "from": "2026-01-01"},
        ]
    })
}

pub(crate) fn setup(app: &TestApp) -> Pccc {
    let p = people(app);
    let (s, c) = app.post("/committees", committee_body(&p));
    assert_eq!(s, 201, "{c}");
    p
}

fn an_executive_chair_is_refused(b: Backend) {
    let app = TestApp::spawn(b);
    let p = people(&app);
    let head = app.head();
    let mut body = committee_body(&p);
    body["members"][0]["role"] = json!("member");
    body["members"][3]["role"] = json!("chair");
    let (s, e) = app.post("/committees", body);
    assert_eq!(s, 422, "{e}");
    let msg = e["fields"]["constitution.chair_is_lay"].as_str().unwrap();
    assert!(
        msg.contains("Claire Exec") && msg.contains("must be a lay member"),
        "{msg}"
    );
    assert_eq!(app.head(), head, "a refused committee writes nothing");
    let (s, _) = app.get(&app.api("/committees/pccc"), None);
    assert_eq!(s, 404);
}

fn a_change_that_breaks_the_majority_is_refused_with_its_numbers(b: Backend) {
    let app = TestApp::spawn(b);
    setup(&app);
    let (_, c) = app.get(&app.api("/committees/pccc"), None);
    assert_eq!(c["constitution"]["valid"], true, "{c}");
    let head = app.head();
    // Two more GPs: 10 voting, lay+executive 5, which is not more than half.
    let gp4 = app.add_person("Dr Dev Gp", true);
    let gp5 = app.add_person("Dr Eve Gp", true);
    let head = head + 2;
    let (s, e) = app.post(
        "/committees/pccc/members",
        json!({"members": [member(&gp4, "clinical", "member"), member(&gp5, "clinical", "member")]}),
    );
    assert_eq!(s, 422, "{e}");
    assert_eq!(
        e["fields"]["constitution.lay_executive_majority"],
        "on 2026-01-01: 5 of 10 voting members are lay or executive; more than half is needed, so at least 6"
    );
    assert_eq!(app.head(), head);
    // Ending a lay member's membership: 7 voting, lay+executive 4 of 7 is fine…
    let id = c["members"][2]["id"].as_i64().unwrap();
    let (s, ok) = app.post(
        &format!("/committees/pccc/members/{id}/end"),
        json!({"version": 1, "to": "2026-06-30"}),
    );
    assert_eq!(s, 201, "{ok}");
    assert_eq!(ok["warnings"][0]["rule"], "three_lay_members", "{ok}");
    // …but then one executive leaving too makes it 3 of 6.
    let id = c["members"][4]["id"].as_i64().unwrap();
    let (s, e) = app.post(
        &format!("/committees/pccc/members/{id}/end"),
        json!({"version": 1, "to": "2026-08-31"}),
    );
    assert_eq!(s, 422, "{e}");
    assert_eq!(
        e["fields"]["constitution.lay_executive_majority"],
        "on 2026-09-01: 3 of 6 voting members are lay or executive; more than half is needed, so at least 4"
    );
    // A vice-chair who is a GP is refused too.
    let (s, e) = app.post(
        "/committees/pccc/members",
        json!({"members": [{"person": gp4, "category": "clinical", "role": "vice_chair", "from": "2026-07-01"}]}),
    );
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["constitution.vice_chair_is_lay"].is_string(),
        "{e}"
    );
}

/// Record a meeting where everyone but one lay member (apologies) is present: 7 voting
/// members count, lay+executive 4 of them.
pub(crate) fn meeting(app: &TestApp, p: &Pccc) -> Value {
    let mut attendance = serde_json::Map::new();
    for s in [
        &p.lay[0],
        &p.lay[1],
        &p.exec[0],
        &p.exec[1],
        &p.gp[0],
        &p.gp[1],
        &p.gp[2],
        &p.observer,
    ] {
        attendance.insert(s.clone(), json!("present"));
    }
    attendance.insert(p.lay[2].clone(), json!("apologies"));
    let (s, m) = app.post(
        "/committees/pccc/meetings",
        json!({"held_on": "2026-03-04", "attendance": attendance}),
    );
    assert_eq!(s, 201, "{m}");
    m
}

fn conflicted_gps_leaving_make_an_item_inquorate_so_it_is_deferred(b: Backend) {
    let app = TestApp::spawn(b);
    let p = setup(&app);
    let m = meeting(&app, &p);
    let mid = m["id"].as_i64().unwrap();
    let declared = app.declare(&p.gp[0], "Partner, Riverside Surgery");
    let (s, item) = app.post(
        &format!("/meetings/{mid}/items"),
        json!({"number": "5", "title": "Extended access: award of contract", "conflicts": [
            {"person": p.gp[0], "declaration": declared["id"], "nature": "Partner at a practice in the bidding federation", "decision": "left_room"},
            {"person": p.gp[1], "nature": "Salaried GP at a bidding practice", "decision": "left_room"},
            {"person": p.gp[2], "nature": "Partner at a bidding practice", "decision": "left_room"},
        ]}),
    );
    assert_eq!(s, 201, "{item}");
    assert_eq!(item["quorum_now"]["quorate"], false, "{item}");
    let id = item["id"].as_i64().unwrap();
    let head = app.head();

    // Present and voting: 2 lay, 2 executive, 3 GPs; the GPs leave: 4 count, quorum 5.
    let (s, e) = app.post(
        &format!("/items/{id}/outcome"),
        json!({"version": 1, "outcome": "decided", "decision": "Award to Harbour PCN"}),
    );
    assert_eq!(s, 422, "{e}");
    assert_eq!(
        e["fields"]["quorum.minimum"],
        "4 voting members count for this item; the quorum is 5"
    );
    assert!(e["fields"]["outcome"]
        .as_str()
        .unwrap()
        .contains("deferred"));
    assert_eq!(app.head(), head, "a refused decision writes nothing");

    // A procurement decision cannot cite an item that took no decision.
    let decision = json!({"reference": "PCD-2026-001", "title": "Extended access", "service_description": "Evening and weekend appointments",
        "service_status": "new", "route": "competitive_process", "item": id, "justification": "Best value", "value_pence": 125000000, "term_months": 36});
    let (s, e) = app.post("/decisions", decision.clone());
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["item"]
            .as_str()
            .unwrap()
            .contains("did not record a decision"),
        "{e}"
    );

    let (s, deferred) = app.post(
        &format!("/items/{id}/outcome"),
        json!({"version": 1, "outcome": "deferred", "reason": "Inquorate once conflicted members left; to the April meeting"}),
    );
    assert_eq!(s, 201, "{deferred}");
    assert_eq!(deferred["outcome"], "deferred");
    assert_eq!(deferred["audit_seq"].as_i64(), Some(head + 1));

    // Quorum restored by co-opting a lay member from the audit committee.
    let co = app.add_person("Gwen Coopted", true);
    let (s, m2) = app.post(
        &format!("/meetings/{mid}/amend"),
        json!({"version": 1, "co_opted": [{"person": co, "category": "lay", "note": "Lay member of the audit committee"}],
               "correction_reason": "Gwen was co-opted at the meeting; the first record left her out"}),
    );
    assert_eq!(s, 201, "{m2}");
    assert_eq!(m2["items"][0]["quorum_now"]["quorate"], true, "{m2}");
    let (s, decided) = app.post(
        &format!("/items/{id}/outcome"),
        json!({"version": 2, "outcome": "decided", "decision": "Award to Harbour PCN"}),
    );
    assert_eq!(s, 201, "{decided}");
    assert_eq!(decided["quorum"]["counting"].as_array().unwrap().len(), 5);
    let (s, d) = app.post("/decisions", decision);
    assert_eq!(s, 201, "{d}");
    assert!(d["fields"].is_null(), "decision fields are flat: {d}");
    assert_eq!(d["decided_on"], "2026-03-04", "taken from the meeting");

    // Now the item carries a decision, a change that would make it inquorate is refused.
    let head = app.head();
    let (s, e) = app.post(
        &format!("/meetings/{mid}/amend"),
        json!({"version": 2, "co_opted": []}),
    );
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["quorum"].as_str().unwrap().contains("item 5"),
        "{e}"
    );
    let (s, e) = app.post(
        &format!("/items/{id}/outcome"),
        json!({"version": 3, "outcome": "deferred", "reason": "Changed our minds"}),
    );
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["outcome"]
        .as_str()
        .unwrap()
        .contains("PCD-2026-001"));
    assert_eq!(app.head(), head);
}

fn every_accepted_write_has_its_audit_entry(b: Backend) {
    let app = TestApp::spawn(b);
    let p = people(&app);
    let head = app.head();
    let (s, c) = app.post("/committees", committee_body(&p));
    assert_eq!(s, 201);
    let seqs: Vec<i64> = c["audit_seqs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(
        seqs,
        ((head + 1)..=(head + 10)).collect::<Vec<_>>(),
        "the committee and its 9 members"
    );
    let m = meeting(&app, &p);
    let mid = m["id"].as_i64().unwrap();
    let (_, item) = app.post(
        &format!("/meetings/{mid}/items"),
        json!({"number": "1", "title": "Minutes"}),
    );
    let id = item["id"].as_i64().unwrap();
    let (s, _) = app.post(
        &format!("/items/{id}/outcome"),
        json!({"version": 1, "outcome": "decided", "decision": "Approved"}),
    );
    assert_eq!(s, 201);
    let (s, _) = app.post(&format!("/items/{id}/outcome"), json!({"version": 2, "outcome": "referred", "referred_to": "Governing Body", "reason": "Over delegated limit"}));
    assert_eq!(s, 201);
    let (s, br) = app.post("/breaches", json!({"occurred_on": "2026-02-01", "summary": "A gift over the threshold was accepted and declared late.", "action_taken": "Gift returned; training given.", "person": p.gp[2]}));
    assert_eq!(s, 201, "{br}");
    let (s, _) = app.post("/decisions", json!({"reference": "PCD-2026-002", "title": "Phlebotomy", "service_description": "Community phlebotomy",
        "service_status": "existing", "route": "extension", "decided_on": "2026-02-10", "how_decided": "Chief Finance Officer under delegated authority",
        "justification": "Continuity", "value_pence": 1800000}));
    assert_eq!(s, 201);
    let (_, c) = app.get(&app.api("/committees/pccc"), None);
    assert_eq!(c["meetings"].as_array().unwrap().len(), 1);

    let (_, entries) = app.get(
        &app.api(&format!(
            "/audit/entries?start={}&end={}",
            head + 1,
            app.head()
        )),
        None,
    );
    let kinds: Vec<(String, String)> = entries["entries"]
        .as_array()
        .unwrap_or_else(|| entries.as_array().unwrap())
        .iter()
        .map(|e| {
            (
                e["entity"].as_str().unwrap().to_owned(),
                e["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expect = |entity: &str, action: &str| (entity.to_owned(), action.to_owned());
    assert_eq!(kinds[0], expect("committee", "create"));
    assert_eq!(
        kinds[1..10]
            .iter()
            .filter(|k| **k == expect("membership", "create"))
            .count(),
        9
    );
    assert_eq!(
        kinds[10..],
        [
            expect("meeting", "create"),
            expect("item", "create"),
            expect("item", "outcome"),
            expect("item", "outcome"),
            expect("breach", "create"),
            expect("decision", "create"),
        ]
    );
    assert_eq!(app.head(), head + 16);
}

fn breaches_are_published_without_the_person(b: Backend) {
    let app = TestApp::spawn(b);
    let who = app.add_person("Dr Secret Person", true);
    let (s, br) = app.post("/breaches", json!({"occurred_on": "2026-02-01", "identified_on": "2026-02-20",
        "summary": "A member took part in a discussion despite a declared interest.", "action_taken": "Decision re-taken.", "person": who}));
    assert_eq!(s, 201, "{br}");
    let (_, public) = app.get(&app.api("/breaches"), None);
    assert!(public[0].get("person").is_none(), "{public}");
    assert_eq!(
        public[0]["summary"],
        "A member took part in a discussion despite a declared interest."
    );
    let (_, full) = app.get(&app.api("/breaches"), Some(&app.token));
    assert_eq!(full[0]["person"], who);
    // The public sees every other field of the breach, so its withheld payload carries a
    // random salt: its hash cannot be matched by trying each person id in turn.
    let seq = br["audit_seq"].as_i64().unwrap();
    let url = app.api(&format!("/audit/entries?start={seq}&end={seq}"));
    let (_, public) = app.get(&url, None);
    let (_, governed) = app.get(&url, Some(&app.token));
    let entry = |v: &Value| v["entries"].as_array().or(v.as_array()).unwrap()[0].clone();
    assert!(entry(&public)["payload"].is_null(), "{public}");
    let salt = entry(&governed)["payload"]["salt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(salt.len(), 32, "{governed}");
    let (s, e) = app.post(
        "/breaches",
        json!({"occurred_on": "2999-01-01", "person": "nobody"}),
    );
    assert_eq!(s, 422);
    for f in ["occurred_on", "summary", "action_taken"] {
        assert!(e["fields"][f].is_string(), "{f}: {e}");
    }
    let (s, amended) = app.post(
        &format!("/breaches/{}/amend", br["id"]),
        json!({"version": 1, "reported_to": "Audit Committee"}),
    );
    assert_eq!(
        (s, amended["version"].as_i64()),
        (201, Some(2)),
        "{amended}"
    );
}

fn committee_inputs_are_checked_field_by_field(b: Backend) {
    let app = TestApp::spawn(b);
    let p = setup(&app);
    let head = app.head();
    for (path, body, field) in [
        (
            "/committees",
            json!({"name": "X", "quorum_minimum": 0}),
            "quorum_minimum",
        ),
        (
            "/committees",
            json!({"name": "X", "quorum_minimum": 3, "members": "all"}),
            "members",
        ),
        (
            "/committees",
            json!({"name": "X", "quorum_minimum": 0, "members": [{"category": "boss"}]}),
            "members[0].category",
        ),
        (
            "/committees",
            json!({"name": "Primary care", "slug": "pccc", "quorum_minimum": 1}),
            "slug",
        ),
        (
            "/committees/pccc/members",
            json!({"members": [{"person": "nobody", "category": "lay", "from": "2026-01-01"}]}),
            "members[0].person",
        ),
        (
            "/committees/pccc/members",
            json!({"members": [{"person": p.observer, "category": "observer", "voting": true, "from": "2026-01-01"}]}),
            "members[0].voting",
        ),
        (
            "/committees/pccc/meetings",
            json!({"held_on": "2026-03-04", "attendance": {"nobody": "present"}}),
            "attendance.nobody",
        ),
        (
            "/committees/pccc/meetings",
            json!({"held_on": "2025-03-04", "attendance": {(p.lay[0].clone()): "present"}}),
            &format!("attendance.{}", p.lay[0]),
        ),
        (
            "/committees/pccc/meetings",
            json!({"held_on": "2026-03-04", "attendance": ["x"]}),
            "attendance",
        ),
        (
            "/decisions",
            json!({"reference": "x y", "route": "bribe"}),
            "route",
        ),
    ] {
        let (s, e) = app.post(path, body.clone());
        assert_eq!(s, 422, "{path} {body}: {e}");
        assert!(
            e["fields"][field].is_string(),
            "{path} {body}: {field} missing from {e}"
        );
    }
    // Unknown committees and malformed ids are not found; nobody may write without a token.
    assert_eq!(app.post("/committees/nope/members", json!({})).0, 404);
    assert_eq!(app.post("/meetings/abc/items", json!({})).0, 404);
    assert_eq!(app.get(&app.api("/committees/%00"), None).0, 404);
    assert_eq!(app.post_raw(&app.api("/committees"), None, "{}").0, 401);
    assert_eq!(app.head(), head);
    let m = meeting(&app, &p);
    let (s, e) = app.post(&format!("/meetings/{}/items", m["id"]), json!({"number": "2", "title": "T", "conflicts": [{"person": p.lay[2], "nature": "n", "decision": "left_room"}]}));
    assert_eq!(s, 422);
    assert_eq!(
        e["fields"]["conflicts[0].person"],
        "was not present at the meeting"
    );
}

both_backends!(
    an_executive_chair_is_refused,
    a_change_that_breaks_the_majority_is_refused_with_its_numbers,
    conflicted_gps_leaving_make_an_item_inquorate_so_it_is_deferred,
    every_accepted_write_has_its_audit_entry,
    breaches_are_published_without_the_person,
    committee_inputs_are_checked_field_by_field,
);
