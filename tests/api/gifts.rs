//! The gifts and hospitality API: the thresholds decide what must be declined.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use serde_json::{json, Value};

fn offer(person: &str, kind: &str, value: i64, outcome: &str) -> Value {
    json!({"person": person, "giver": "Acme Medical Ltd", "giver_is_supplier": false, "kind": kind,
           "description": "An offer", "value_pence": value, "offered_on": "2026-05-01", "outcome": outcome})
}

fn cash_must_be_declined_and_big_hospitality_approved(b: Backend) {
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Anita Shah", true);
    let head = app.head();
    let (s, e) = app.post("/gifts", offer(&p, "cash_or_voucher", 2500, "accepted"));
    assert_eq!((s, e["fields"]["outcome"].is_string()), (422, true), "{e}");
    let (s, e) = app.post("/gifts", offer(&p, "hospitality", 7501, "accepted"));
    assert_eq!(
        (s, e["fields"]["approved_by"].is_string()),
        (422, true),
        "{e}"
    );
    assert_eq!(app.head(), head);
    let mut approved = offer(&p, "hospitality", 7501, "accepted");
    approved["approved_by"] = json!("Chief Finance Officer");
    let (s, g) = app.post("/gifts", approved);
    assert_eq!(s, 201, "{g}");
    assert_eq!(g["assessment"]["needs_approval"], true);
    let (s, g) = app.post("/gifts", offer(&p, "cash_or_voucher", 2500, "declined"));
    assert_eq!(
        (s, g["assessment"]["must_declare"].as_bool()),
        (201, Some(true))
    );
}

fn thresholds_say_whether_a_declaration_was_needed(b: Backend) {
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Anita Shah", true);
    let mut supplier = offer(&p, "gift", 600, "accepted");
    supplier["giver_is_supplier"] = json!(true);
    let (_, g) = app.post("/gifts", supplier.clone());
    assert_eq!(g["assessment"]["must_declare"], false);
    supplier["value_pence"] = json!(601);
    let (s, g) = app.post("/gifts", supplier.clone());
    assert_eq!(
        (s, g["fields"]["approved_by"].is_string()),
        (422, true),
        "{g}"
    );
    supplier["approved_by"] = json!("Director of Finance");
    let (s, g) = app.post("/gifts", supplier);
    assert_eq!(s, 201, "{g}");
    assert_eq!(g["assessment"]["must_declare"], true);
    assert_eq!(g["assessment"]["needs_approval"], true);
    let (_, g) = app.post("/gifts", offer(&p, "hospitality", 2499, "accepted"));
    assert_eq!(g["assessment"]["must_declare"], false);
    let (_, g) = app.post("/gifts", offer(&p, "gift", 5000, "accepted"));
    assert_eq!(g["assessment"]["must_declare"], true);
    let (s, e) = app.post("/gifts", offer(&p, "gift", -1, "accepted"));
    assert_eq!((s, e["fields"]["value_pence"].is_string()), (422, true));
    let (_, list) = app.get(&app.api("/gifts"), None);
    assert_eq!(list.as_array().unwrap().len(), 4);
}

fn gifts_are_amended_and_withheld_as_versions(b: Backend) {
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Anita Shah", true);
    let (_, g) = app.post("/gifts", offer(&p, "gift", 7000, "declined"));
    let id = g["id"].as_str().unwrap();
    let (s, v2) = app.post(
        &format!("/gifts/{id}/amend"),
        json!({"version": 1, "value_pence": 8000}),
    );
    assert_eq!(
        (s, v2["version"].as_i64(), v2["value_pence"].as_i64()),
        (201, Some(2), Some(8000))
    );
    let (s, _) = app.post(
        &format!("/gifts/{id}/amend"),
        json!({"version": 2, "kind": "cash_or_voucher", "outcome": "accepted"}),
    );
    assert_eq!(s, 422, "an amendment is checked in full");
    let (s, _) = app.post(
        &format!("/gifts/{id}/withhold"),
        json!({"version": 1, "reason": "x"}),
    );
    assert_eq!(s, 409);
    let (s, _) = app.post(
        &format!("/gifts/{id}/withhold"),
        json!({"version": 2, "reason": "Privacy"}),
    );
    assert_eq!(s, 201);
    let (_, list) = app.get(&app.api("/gifts"), None);
    assert_eq!(list.as_array().unwrap().len(), 0);
}

fn the_gift_list_takes_a_person_as_the_declaration_list_does(b: Backend) {
    let app = TestApp::spawn(b);
    let shah = app.add_person("Dr Anita Shah", true);
    let okafor = app.add_person("Dr Chidi Okafor", true);
    for p in [&shah, &okafor, &shah] {
        let (s, g) = app.post("/gifts", offer(p, "gift", 7000, "declined"));
        assert_eq!(s, 201, "{g}");
    }
    let persons = |query: &str| -> Vec<String> {
        let (s, list) = app.get(&app.api(&format!("/gifts{query}")), None);
        assert_eq!(s, 200, "{list}");
        let list = list.as_array().unwrap().iter();
        list.map(|g| g["person"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(persons(""), [shah.as_str(), &okafor, &shah]);
    assert_eq!(persons(&format!("?person={shah}")), [shah.as_str(), &shah]);
    assert_eq!(persons(&format!("?person={okafor}")), [okafor.as_str()]);
    assert!(persons("?person=nobody").is_empty());
}

both_backends!(
    cash_must_be_declined_and_big_hospitality_approved,
    thresholds_say_whether_a_declaration_was_needed,
    gifts_are_amended_and_withheld_as_versions,
    the_gift_list_takes_a_person_as_the_declaration_list_does,
);
