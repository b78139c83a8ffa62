//! A declarant's own home: their entries, their returns and where each stands in
//! review, when their confirmation is due, nothing of the organisation's; a returned
//! entry is linked from the notice, and a confirmation awaiting review says so.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use coi_register::store::users::Role;
use serde_json::json;

fn a_declarants_home_shows_only_their_own_entries_and_returns(b: Backend) {
    let app = TestApp::spawn(b);
    let mine = app.add_person("Dr Own Declarant", true);
    let other = app.add_person("Ms Other Person", true);
    let kept = app.declare(&mine, "Partner at Riverside Surgery")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let sent_back = app.declare(&mine, "Trustee of the Podiatry Trust")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.declare(&other, "Director of Other Ltd");
    let declarant = app.account(
        "own@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&mine),
    );
    let browser = app.sign_in(&declarant);

    // A declarant's own change waits for review; a governance lead returns it.
    let amend = format!("/declarations/{sent_back}/amend");
    let (s, body) = app.post_raw(
        &app.api(&amend),
        Some(&declarant.token),
        &json!({"version": 1, "description": "Trustee of the Podiatry Trust (unpaid)"}).to_string(),
    );
    assert_eq!(s, 201, "{body}");
    let (s, body) = app.post(
        &format!("/declarations/{sent_back}/return"),
        json!({"version": 2, "comment": "Say since when"}),
    );
    assert_eq!(s, 201, "{body}");

    let home = app.browse("/admin", Some(&browser.cookie));
    assert_eq!(home.status, 200, "{}", home.body);
    let body = &home.body;
    assert!(
        body.contains(&format!(
            "href=\"/admin/orgs/test-ccg/declarations/{kept}\">Partner at Riverside Surgery</a>"
        )) && body.contains("Your returns")
            && body.contains("You have made no nil return or annual confirmation yet")
            && body.contains("Your next annual confirmation is due by"),
        "{body}"
    );
    assert!(
        body.contains("Returned to you for changes")
            && body.contains(&format!("href=\"/admin/orgs/test-ccg/declarations/{sent_back}\">Declaration: Trustee of the Podiatry Trust (unpaid)</a>"))
            && body.contains("Say since when"),
        "the notice links to the entry: {body}"
    );
    for theirs in [
        "Other Ltd",
        "Manage people",
        "/admin/orgs/test-ccg/committees",
        "/admin/orgs/test-ccg/breaches",
        "Audit entries",
        "overdue",
    ] {
        assert!(
            !body.contains(theirs),
            "{theirs} is the organisation's: {body}"
        );
    }

    // The confirmation form lists what it confirms: their own current entries.
    let form = app.browse("/admin/orgs/test-ccg/returns/new", Some(&browser.cookie));
    assert!(
        form.body.contains("What a confirmation confirms")
            && form.body.contains(&format!("<a href=\"/admin/orgs/test-ccg/declarations/{kept}\">Partner at Riverside Surgery</a>"))
            && !form.body.contains("Other Ltd"),
        "{}",
        form.body
    );

    // Their confirmation waits for review, and says so.
    let answer = app.submit(
        "/admin/orgs/test-ccg/returns/new",
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("kind", "confirmation"),
            ("made_on", &chrono::Utc::now().date_naive().to_string()),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    let to = answer.location.unwrap();
    let shown = app.browse(&to, Some(&browser.cookie));
    assert!(
        shown
            .body
            .contains("Your annual confirmation was sent for review")
            && !shown.body.contains("The annual confirmation was recorded"),
        "{}",
        shown.body
    );
    let home = app.browse("/admin", Some(&browser.cookie));
    assert!(
        home.body.contains("Annual confirmation") && home.body.contains("Sent for review"),
        "{}",
        home.body
    );

    // A governance lead's home still shows the organisation.
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let gov = app.sign_in(&lead);
    let home = app.browse("/admin", Some(&gov.cookie));
    assert!(home.body.contains("Manage people") && !home.body.contains("Your entries"));
}

both_backends!(a_declarants_home_shows_only_their_own_entries_and_returns);
