//! The review of declarants' entries: what a declarant declares, amends, withdraws or
//! returns is "submitted" until a governance lead accepts it or returns it with a
//! comment. Only accepted versions are published (pages, API, chain export, feeds);
//! each step is one audit entry.

use crate::both_backends;
use crate::helpers::{declaration, Backend, Browser, TestApp};
use coi_register::store::users::Role;
use serde_json::{json, Value};

fn read(app: &TestApp, rel: &str) -> String {
    std::fs::read_to_string(app.site.join(rel)).unwrap_or_default()
}

/// The public chain export's payload of entry `seq` (null if withheld).
fn exported_payload(app: &TestApp, seq: i64) -> Value {
    let chain = read(app, "test-ccg/audit/chain.jsonl");
    let line = chain
        .lines()
        .find(|l| serde_json::from_str::<Value>(l).unwrap()["seq"] == seq)
        .unwrap_or_else(|| panic!("no entry {seq} in the export"));
    serde_json::from_str::<Value>(line).unwrap()["payload"].clone()
}

struct Setup {
    app: TestApp,
    person: String,
    declarant: String,
}

fn setup(b: Backend) -> Setup {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Jane Smith", true);
    let declarant = app
        .account(
            "jane@example.org",
            Role::Declarant,
            &["test-ccg"],
            Some(&person),
        )
        .token;
    Setup {
        app,
        person,
        declarant,
    }
}

fn a_declarants_entry_is_published_only_once_accepted(b: Backend) {
    let Setup {
        app,
        person,
        declarant,
    } = setup(b);
    let page = format!("test-ccg/interests/{person}/index.html");
    let head = app.head();

    // Submitted: recorded, seen by the declarant, not by the public.
    let (s, d) = app.post_raw(
        &app.api("/declarations"),
        Some(&declarant),
        &declaration(&person, "Partner in Fernhill Surgery").to_string(),
    );
    assert_eq!(s, 201, "{d}");
    assert_eq!(d["review"], "submitted");
    assert_eq!(d["public"], false);
    let id = d["id"].as_str().unwrap().to_owned();
    assert_eq!(app.head(), head + 1);
    assert!(!read(&app, &page).contains("Fernhill"));
    assert!(!read(&app, "test-ccg/feeds/interests.xml").contains("Fernhill"));
    let (s, _) = app.get(&app.api(&format!("/declarations/{id}")), None);
    assert_eq!(s, 404, "the public cannot read a submission");
    let (s, mine) = app.get(&app.api(&format!("/declarations/{id}")), Some(&declarant));
    assert_eq!((s, mine["review"].as_str()), (200, Some("submitted")));
    assert_eq!(exported_payload(&app, head + 1), Value::Null);

    // The declarant cannot review their own entry.
    let (s, _) = app.post_raw(
        &app.api(&format!("/declarations/{id}/accept")),
        Some(&declarant),
        &json!({"version": 1}).to_string(),
    );
    assert_eq!(s, 403);

    // Returned with a comment: still not public; the declarant sees the comment.
    let (s, _) = app.post(&format!("/declarations/{id}/return"), json!({"version": 1}));
    assert_eq!(s, 422, "a comment is required");
    let (s, r) = app.post(
        &format!("/declarations/{id}/return"),
        json!({"version": 1, "comment": "Say what your role at the practice is"}),
    );
    assert_eq!(s, 201, "{r}");
    assert_eq!(
        (r["review"].as_str(), r["review_comment"].as_str()),
        (
            Some("returned"),
            Some("Say what your role at the practice is")
        )
    );
    assert_eq!(app.head(), head + 2);
    let (s, _) = app.post(&format!("/declarations/{id}/accept"), json!({"version": 2}));
    assert_eq!(s, 422, "a returned version is not awaiting review");
    assert!(!read(&app, &page).contains("Fernhill"));

    // Amended by the declarant: submitted again, then accepted and published.
    let (s, a) = app.post_raw(
        &app.api(&format!("/declarations/{id}/amend")),
        Some(&declarant),
        &json!({"version": 2, "description": "Salaried partner in Fernhill Surgery"}).to_string(),
    );
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["review"], "submitted");
    let (s, ok) = app.post(&format!("/declarations/{id}/accept"), json!({"version": 3}));
    assert_eq!(s, 201, "{ok}");
    assert_eq!(
        (ok["review"].as_str(), ok["public"].as_bool()),
        (Some("accepted"), Some(true))
    );
    assert_eq!(app.head(), head + 4);
    assert!(read(&app, &page).contains("Salaried partner in Fernhill Surgery"));
    let feed = read(&app, "test-ccg/feeds/interests.xml");
    assert!(feed.contains("accepted"), "{feed}");
    // The accepting entry is public; the declarant's drafts and the comment are not.
    assert_eq!(exported_payload(&app, head + 4)["review"], "accepted");
    for seq in head + 1..=head + 3 {
        assert_eq!(exported_payload(&app, seq), Value::Null, "entry {seq}");
    }
    let (_, versions) = app.get(&app.api(&format!("/declarations/{id}/versions")), None);
    assert_eq!(versions.as_array().unwrap().len(), 1, "{versions}");

    // A later amendment by the declarant leaves the accepted version published until
    // it is accepted itself.
    let (s, _) = app.post_raw(
        &app.api(&format!("/declarations/{id}/amend")),
        Some(&declarant),
        &json!({"version": 4, "description": "Former partner in Fernhill Surgery"}).to_string(),
    );
    assert_eq!(s, 201);
    let shown = read(&app, &page);
    assert!(shown.contains("Salaried partner in Fernhill Surgery"));
    assert!(!shown.contains("Former partner"));
    let (_, public) = app.get(&app.api(&format!("/declarations/{id}")), None);
    assert_eq!(public["version"], 4, "{public}");
    let (_, list) = app.get(&app.api("/declarations"), None);
    assert_eq!(
        list[0]["description"],
        "Salaried partner in Fernhill Surgery"
    );
    assert_eq!(exported_payload(&app, head + 4)["version"], 4);
    let (s, _) = app.post(&format!("/declarations/{id}/accept"), json!({"version": 5}));
    assert_eq!(s, 201);
    assert!(read(&app, &page).contains("Former partner in Fernhill Surgery"));

    // A governance lead's own change is accepted as made.
    let own = app.declare(&person, "Trustee of the Northshire Hospice");
    assert_eq!(own["review"], "accepted");
    assert!(read(&app, &page).contains("Northshire Hospice"));
}

fn a_declarants_withdrawal_takes_effect_when_accepted(b: Backend) {
    let Setup {
        app,
        person,
        declarant,
    } = setup(b);
    let page = format!("test-ccg/interests/{person}/index.html");
    let d = app.declare(&person, "Shareholder in Medivale Ltd");
    let id = d["id"].as_str().unwrap();
    let seq = app.head();
    let (s, w) = app.post_raw(
        &app.api(&format!("/declarations/{id}/withdraw")),
        Some(&declarant),
        &json!({"version": 1, "reason": "Declared twice"}).to_string(),
    );
    assert_eq!(s, 201, "{w}");
    assert_eq!(
        (w["state"].as_str(), w["review"].as_str()),
        (Some("withdrawn"), Some("submitted"))
    );
    assert!(read(&app, &page).contains("Medivale"), "still published");
    assert_eq!(
        exported_payload(&app, seq)["description"],
        "Shareholder in Medivale Ltd"
    );
    let (s, _) = app.post(&format!("/declarations/{id}/accept"), json!({"version": 2}));
    assert_eq!(s, 201);
    assert!(!read(&app, &page).contains("Medivale"));
    assert_eq!(
        exported_payload(&app, seq),
        Value::Null,
        "a withdrawn entry's history is hidden"
    );
}

fn gifts_and_returns_are_reviewed_too(b: Backend) {
    let Setup {
        app,
        person,
        declarant,
    } = setup(b);
    let gifts = "test-ccg/gifts/index.html";
    let gift = json!({"person": person, "giver": "Acme Medical Ltd", "giver_is_supplier": true,
        "kind": "hospitality", "description": "Dinner at the Acme conference", "value_pence": 4500,
        "offered_on": "2026-05-01", "outcome": "declined"});
    let (s, g) = app.post_raw(&app.api("/gifts"), Some(&declarant), &gift.to_string());
    assert_eq!(s, 201, "{g}");
    assert_eq!(g["review"], "submitted");
    let id = g["id"].as_str().unwrap();
    assert!(!read(&app, gifts).contains("Acme conference"));
    let (_, list) = app.get(&app.api("/gifts"), None);
    assert_eq!(list, json!([]));
    let (s, ok) = app.post(&format!("/gifts/{id}/accept"), json!({"version": 1}));
    assert_eq!(s, 201, "{ok}");
    assert!(read(&app, gifts).contains("Acme conference"));

    // A nil return by the declarant counts once accepted.
    let other = app.add_person("Mr Sam Lee", true);
    let lee = app
        .account(
            "sam@example.org",
            Role::Declarant,
            &["test-ccg"],
            Some(&other),
        )
        .token;
    let (s, r) = app.post_raw(
        &app.api("/nil-returns"),
        Some(&lee),
        &json!({"person": other}).to_string(),
    );
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["review"], "submitted");
    let rid = r["id"].as_str().unwrap();
    let seq = app.head();
    assert_eq!(exported_payload(&app, seq), Value::Null);
    let (s, _) = app.post_raw(
        &app.api(&format!("/returns/{rid}/accept")),
        Some(&lee),
        "{}",
    );
    assert_eq!(s, 403);
    let (s, back) = app.post(
        &format!("/returns/{rid}/return"),
        json!({"comment": "You declared a directorship in March"}),
    );
    assert_eq!(s, 201, "{back}");
    assert_eq!(back["review"], "returned");
    let (s, again) = app.post(&format!("/returns/{rid}/accept"), json!({}));
    assert_eq!(s, 422, "{again}");
    assert_eq!(app.head(), seq + 1, "a refused review writes nothing");
    let (s, r) = app.post_raw(
        &app.api("/confirmations"),
        Some(&lee),
        &json!({"person": other}).to_string(),
    );
    assert_eq!(s, 201, "{r}");
    let rid = r["id"].as_str().unwrap();
    let (s, _) = app.post(&format!("/returns/{rid}/accept"), json!({}));
    assert_eq!(s, 201);
    assert_eq!(exported_payload(&app, app.head())["kind"], "confirmation");
    for hidden in [seq, seq + 1] {
        assert_eq!(
            exported_payload(&app, hidden),
            Value::Null,
            "the returned nil return stays hidden"
        );
    }
}

/// The declaration form's fields, as a declarant fills them in.
fn declaration_form<'a>(
    browser: &'a Browser,
    person: &'a str,
    description: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf_token", browser.csrf.as_str()),
        ("person", person),
        ("interest_type", "non_financial_professional"),
        ("associate", ""),
        ("description", description),
        ("body", "Royal College of General Practitioners"),
        ("arose_on", "2026-01-05"),
        ("ended_on", ""),
        ("declared_on", "2026-01-20"),
        ("mitigation", "None needed"),
    ]
}

fn governance_reviews_in_the_web_app(b: Backend) {
    let Setup { app, person, .. } = setup(b);
    let page = format!("test-ccg/interests/{person}/index.html");
    let declarant = app.sign_in(&app.account(
        "self@example.org",
        Role::Declarant,
        &["test-ccg"],
        Some(&person),
    ));
    let lead = app.sign_in(&app.account("lead@example.org", Role::Governance, &["test-ccg"], None));

    // The declarant declares through the form: it awaits review.
    let sent = app.submit(
        "/admin/orgs/test-ccg/declarations/new",
        Some(&declarant.cookie),
        &declaration_form(&declarant, &person, "Examiner for the RCGP"),
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let at = sent.location.unwrap();
    let at = at.split('?').next().unwrap().to_owned();
    let mine = app.browse(&at, Some(&declarant.cookie));
    assert!(mine.body.contains("Awaiting review"), "{}", mine.body);
    assert!(
        !mine.body.contains("Accept and publish"),
        "a declarant does not review"
    );
    assert!(!read(&app, &page).contains("Examiner for the RCGP"));
    let refused = app.submit(
        &format!("{at}/accept"),
        Some(&declarant.cookie),
        &[("csrf_token", &declarant.csrf), ("version", "1")],
    );
    assert_eq!(refused.status, 403);

    // The lead is told on signing in, and finds it in the queue.
    let home = app.browse("/admin", Some(&lead.cookie));
    assert!(home.body.contains("1 entry awaits"), "{}", home.body);
    let queue = app.browse("/admin/orgs/test-ccg/review", Some(&lead.cookie));
    assert_eq!(queue.status, 200);
    assert!(
        queue.body.contains("Examiner for the RCGP")
            && queue.body.contains(&format!("{at}#review"))
    );
    let shown = app.browse(&at, Some(&lead.cookie));
    assert!(shown.body.contains("Accept and publish"), "{}", shown.body);

    // Returned: a comment is required, and is shown to the declarant.
    let head = app.head();
    let empty = app.submit(
        &format!("{at}/return"),
        Some(&lead.cookie),
        &[
            ("csrf_token", &lead.csrf),
            ("version", "1"),
            ("comment", " "),
        ],
    );
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(
        empty.body.contains("href=\"#return-comment\""),
        "{}",
        empty.body
    );
    assert_eq!(app.head(), head, "nothing written");
    let back = app.submit(
        &format!("{at}/return"),
        Some(&lead.cookie),
        &[
            ("csrf_token", &lead.csrf),
            ("version", "1"),
            ("comment", "Which year did you start?"),
        ],
    );
    assert_eq!(back.status, 303, "{}", back.body);
    assert_eq!(app.head(), head + 1);
    let home = app.browse("/admin", Some(&declarant.cookie));
    assert!(
        home.body.contains("Returned to you for changes"),
        "{}",
        home.body
    );
    let mine = app.browse(&at, Some(&declarant.cookie));
    assert!(
        mine.body.contains("Which year did you start?")
            && mine.body.contains("Returned for changes")
    );

    // Amended by the declarant, accepted by the lead: published.
    let mut amended = declaration_form(&declarant, &person, "Examiner for the RCGP since 2019");
    amended.push(("version", "2"));
    let sent = app.submit(&format!("{at}/amend"), Some(&declarant.cookie), &amended);
    assert_eq!(sent.status, 303, "{}", sent.body);
    let ok = app.submit(
        &format!("{at}/accept"),
        Some(&lead.cookie),
        &[("csrf_token", &lead.csrf), ("version", "3")],
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    assert!(read(&app, &page).contains("Examiner for the RCGP since 2019"));
    let again = app.submit(
        &format!("{at}/accept"),
        Some(&lead.cookie),
        &[("csrf_token", &lead.csrf), ("version", "4")],
    );
    assert_eq!(
        again.status, 422,
        "an accepted version is not reviewed again"
    );

    // An offer is reviewed in the queue itself.
    let (s, g) = app.post_raw(
        &app.api("/gifts"),
        Some(&app.account("api@example.org", Role::Declarant, &["test-ccg"], Some(&person)).token),
        &json!({"person": person, "giver": "Acme Medical Ltd", "giver_is_supplier": false,
                "kind": "gift", "description": "A textbook on dermatology", "value_pence": 3000,
                "offered_on": "2026-05-01", "outcome": "accepted", "approved_by": "Chief Finance Officer"}).to_string(),
    );
    assert_eq!(s, 201, "{g}");
    let id = g["id"].as_str().unwrap();
    let queue = app.browse("/admin/orgs/test-ccg/review", Some(&lead.cookie));
    assert!(queue.body.contains("A textbook on dermatology"));
    let head = app.head();
    let empty = app.submit(
        &format!("/admin/orgs/test-ccg/review/gifts/{id}/return"),
        Some(&lead.cookie),
        &[
            ("csrf_token", &lead.csrf),
            ("version", "1"),
            ("comment", ""),
        ],
    );
    assert_eq!(empty.status, 422);
    assert!(
        empty.body.contains(&format!("href=\"#gift-{id}-comment\"")),
        "{}",
        empty.body
    );
    let csrf_missing = app.submit(
        &format!("/admin/orgs/test-ccg/review/gifts/{id}/accept"),
        Some(&lead.cookie),
        &[("version", "1")],
    );
    assert_eq!(csrf_missing.status, 403);
    assert_eq!(app.head(), head);
    let ok = app.submit(
        &format!("/admin/orgs/test-ccg/review/gifts/{id}/accept"),
        Some(&lead.cookie),
        &[("csrf_token", &lead.csrf), ("version", "1")],
    );
    assert_eq!(
        (ok.status, ok.location.as_deref()),
        (303, Some("/admin/orgs/test-ccg/review?done=accepted"))
    );
    assert_eq!(app.head(), head + 1);
    assert!(read(&app, "test-ccg/gifts/index.html").contains("A textbook on dermatology"));
    let queue = app.browse(
        "/admin/orgs/test-ccg/review?done=accepted",
        Some(&lead.cookie),
    );
    assert!(
        queue.body.contains("Nothing is waiting for review"),
        "{}",
        queue.body
    );
}

both_backends!(
    governance_reviews_in_the_web_app,
    a_declarants_entry_is_published_only_once_accepted,
    a_declarants_withdrawal_takes_effect_when_accepted,
    gifts_and_returns_are_reviewed_too,
);
