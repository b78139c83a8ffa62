//! The declarations API: validation, versions, ending, withholding, permissions.

use crate::both_backends;
use crate::helpers::{declaration, Backend, TestApp};
use serde_json::json;

fn declaration_without_type_is_rejected_with_422_and_changes_nothing(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let head = app.head();
    let mut body = declaration(&person, "Partner");
    body.as_object_mut().unwrap().remove("interest_type");
    body["arose_on"] = json!("2026-02-30");
    let (s, err) = app.post("/declarations", body);
    assert_eq!(s, 422, "{err}");
    assert_eq!(err["fields"]["interest_type"], "is required: one of financial, non_financial_professional, non_financial_personal, indirect");
    assert_eq!(
        err["fields"]["arose_on"],
        "must be a real date written YYYY-MM-DD"
    );
    assert_eq!(
        app.head(),
        head,
        "a refused write leaves the chain as it was"
    );
    let (_, list) = app.get(&app.api("/declarations"), Some(&app.token));
    assert_eq!(list.as_array().unwrap().len(), 0);
}

fn each_field_rule_is_reported_by_the_api(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let cases = [
        (json!({"interest_type": "pecuniary"}), "interest_type"),
        (json!({"description": ""}), "description"),
        (json!({"description": "x".repeat(5001)}), "description"),
        (json!({"body": 12}), "body"),
        (json!({"ended_on": "2025-01-01"}), "ended_on"),
        (json!({"declared_on": "2999-01-01"}), "declared_on"),
        (json!({"interest_type": "indirect"}), "associate"),
        (json!({"associate": "Spouse"}), "associate"),
        (json!({"mitigation": null}), "mitigation"),
        (json!({"person": "nobody"}), "person"),
        (json!({"favourite_colour": "blue"}), "favourite_colour"),
    ];
    for (change, field) in cases {
        let mut body = declaration(&person, "Partner");
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, err) = app.post("/declarations", body);
        assert_eq!(s, 422, "{field}: {err}");
        assert!(
            err["fields"][field].is_string(),
            "{field} not reported: {err}"
        );
    }
    assert_eq!(
        app.head(),
        2,
        "only the organisation and the person were written"
    );
}

fn late_declarations_are_flagged(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Late", true);
    let mut body = declaration(&person, "Shareholder");
    body["arose_on"] = json!("2026-01-01");
    body["declared_on"] = json!("2026-03-01");
    let (s, d) = app.post("/declarations", body);
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["days_late"], 31);
    let page = std::fs::read_to_string(
        app.site
            .join(format!("test-ccg/interests/{person}/index.html")),
    )
    .unwrap();
    assert!(page.contains("Declared 31 days late"));
}

fn amendments_are_new_versions_and_stale_ones_conflict(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let d = app.declare(&person, "Partner at Riverside Surgery");
    let id = d["id"].as_str().unwrap();
    let (s, v2) = app.post(
        &format!("/declarations/{id}/amend"),
        json!({"version": 1, "body": "Riverside Surgery LLP"}),
    );
    assert_eq!(s, 201, "{v2}");
    assert_eq!(
        (v2["version"].as_i64(), v2["body"].as_str()),
        (Some(2), Some("Riverside Surgery LLP"))
    );
    assert_eq!(
        v2["description"], "Partner at Riverside Surgery",
        "unchanged fields are kept"
    );
    let (s, stale) = app.post(
        &format!("/declarations/{id}/amend"),
        json!({"version": 1, "body": "Other"}),
    );
    assert_eq!(s, 409, "{stale}");
    let (s, bad) = app.post(
        &format!("/declarations/{id}/amend"),
        json!({"version": 2, "arose_on": "soon"}),
    );
    assert_eq!(s, 422, "{bad}");
    let (s, missing) = app.post(
        &format!("/declarations/{id}/amend"),
        json!({"body": "No version"}),
    );
    assert_eq!((s, missing["fields"]["version"].is_string()), (422, true));
    let (_, versions) = app.get(&app.api(&format!("/declarations/{id}/versions")), None);
    let versions = versions.as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert!(versions[0]["audit_seq"].as_i64() < versions[1]["audit_seq"].as_i64());
    let (s, _) = app.get(&app.api("/declarations/999"), None);
    assert_eq!(s, 404);
}

fn ending_and_withholding_follow_the_rules(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let d = app.declare(&person, "Trustee of the Riverside Trust");
    let id = d["id"].as_str().unwrap();
    let (s, e) = app.post(
        &format!("/declarations/{id}/end"),
        json!({"version": 1, "ended_on": "2025-01-01"}),
    );
    assert_eq!((s, e["fields"]["ended_on"].is_string()), (422, true), "{e}");
    let today = chrono::Utc::now().date_naive().to_string();
    let (s, ended) = app.post(
        &format!("/declarations/{id}/end"),
        json!({"version": 1, "ended_on": today}),
    );
    assert_eq!(s, 201, "{ended}");
    assert_eq!(
        ended["public"], true,
        "an interest stays published after it ends"
    );
    let (s, e) = app.post(
        &format!("/declarations/{id}/withhold"),
        json!({"version": 2}),
    );
    assert_eq!(
        (s, e["fields"]["reason"].as_str()),
        (422, Some("is required"))
    );
    let (s, w) = app.post(
        &format!("/declarations/{id}/withhold"),
        json!({"version": 2, "reason": "Risk to personal safety"}),
    );
    assert_eq!(s, 201, "{w}");
    assert_eq!(
        (w["public"].as_bool(), w["withheld"].as_bool()),
        (Some(false), Some(true))
    );
    let (s, _) = app.get(&app.api(&format!("/declarations/{id}")), None);
    assert_eq!(
        s, 404,
        "withheld entries are never returned without a token"
    );
    let (s, _) = app.get(&app.api(&format!("/declarations/{id}")), Some(&app.token));
    assert_eq!(s, 200);
    let (s, r) = app.post(
        &format!("/declarations/{id}/release"),
        json!({"version": 3}),
    );
    assert_eq!((s, r["public"].as_bool()), (201, Some(true)));
}

fn nil_returns_are_refused_while_interests_are_current(b: Backend) {
    let app = TestApp::spawn(b);
    let busy = app.add_person("Dr Busy", true);
    let idle = app.add_person("Mr Idle", true);
    app.declare(&busy, "Director of a care home");
    let (s, e) = app.post("/nil-returns", json!({"person": busy}));
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["person"]
        .as_str()
        .unwrap()
        .contains("1 current declaration"));
    let (s, r) = app.post("/nil-returns", json!({"person": idle}));
    assert_eq!(s, 201, "{r}");
    let (s, _) = app.post("/confirmations", json!({"person": busy}));
    assert_eq!(s, 201);
    let page = std::fs::read_to_string(app.site.join("test-ccg/interests/index.html")).unwrap();
    assert!(
        page.contains("Mr Idle") && page.contains("Nil return made"),
        "nil returns are listed by name"
    );
}

fn writes_need_a_governance_token(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let body = declaration(&person, "Partner").to_string();
    let (s, _) = app.post_raw(&app.api("/declarations"), None, &body);
    assert_eq!(s, 401);
    let (s, _) = app.post_raw(&app.api("/declarations"), Some("coi_not_a_token"), &body);
    assert_eq!(s, 401);
    let auditor = {
        let mut c = app.conn();
        coi_register::cli::add_user(
            &mut c,
            "audit@test.example",
            coi_register::store::users::Role::Auditor,
            &["test-ccg".into()],
            None,
        )
        .unwrap()
        .0
    };
    let (s, _) = app.post_raw(&app.api("/declarations"), Some(&auditor), &body);
    assert_eq!(s, 403, "auditors write nothing");
    let other_person = app.add_person("Dr Other", true);
    let declarant = {
        let mut c = app.conn();
        coi_register::cli::add_user(
            &mut c,
            "anita@test.example",
            coi_register::store::users::Role::Declarant,
            &["test-ccg".into()],
            Some(&person),
        )
        .unwrap()
        .0
    };
    let (s, _) = app.post_raw(&app.api("/declarations"), Some(&declarant), &body);
    assert_eq!(s, 201, "a declarant declares for themselves");
    let (s, _) = app.post_raw(
        &app.api("/declarations"),
        Some(&declarant),
        &declaration(&other_person, "x").to_string(),
    );
    assert_eq!(s, 403, "but not for anyone else");
}

both_backends!(
    declaration_without_type_is_rejected_with_422_and_changes_nothing,
    each_field_rule_is_reported_by_the_api,
    late_declarations_are_flagged,
    amendments_are_new_versions_and_stale_ones_conflict,
    ending_and_withholding_follow_the_rules,
    nil_returns_are_refused_while_interests_are_current,
    writes_need_a_governance_token,
);
