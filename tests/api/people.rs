//! People without duplicates: adding a person whose name is the same as or very like
//! someone's already here asks first (API and form), adding shows a confirmation, and a
//! record added by mistake is retired or merged with a reason, the chain keeping both
//! records' history and the public register showing one person.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use coi_register::store::audit;
use coi_register::store::users::Role;
use serde_json::{json, Value};

fn public_page(app: &TestApp, person: &str) -> Option<String> {
    std::fs::read_to_string(
        app.site
            .join(format!("test-ccg/interests/{person}/index.html")),
    )
    .ok()
}

fn register(app: &TestApp) -> String {
    std::fs::read_to_string(app.site.join("test-ccg/interests/index.html")).unwrap()
}

/// Every chain entry about person `id`, as (action, payload).
fn person_history(app: &TestApp, id: &str) -> Vec<(String, Value)> {
    audit::history_of(&mut app.conn(), app.org_id, "person", &[id.to_owned()])
        .unwrap()
        .into_iter()
        .map(|e| (e.header.action, e.payload.unwrap_or(Value::Null)))
        .collect()
}

fn person(name: &str) -> Value {
    json!({"name": name, "position": "GP member", "decision_making": true})
}

fn a_similar_name_is_refused_through_the_api_until_confirmed(b: Backend) {
    let app = TestApp::spawn(b);
    let grant = app.add_person("Dr Olivia Grant", true);
    let head = app.head();
    for name in [
        "Olivia Gránt",
        "dr. OLIVIA grant",
        "Grant Olivia",
        "Dr Olivia Grnt",
    ] {
        let (s, body) = app.post("/people", person(name));
        assert_eq!(s, 422, "{name}: {body}");
        let problem = body["fields"]["name"].as_str().unwrap();
        assert!(
            problem.contains("very similar to the name of Dr Olivia Grant (dr-olivia-grant)")
                && problem.contains("confirm_similar must be true"),
            "{problem}"
        );
    }
    assert_eq!(app.head(), head, "nothing was written");
    let mut not_a_flag = person("Olivia Gránt");
    not_a_flag["confirm_similar"] = json!("yes");
    assert_eq!(app.post("/people", not_a_flag).0, 422);
    assert_eq!(app.add_person("Dr Oliver Grant", true), "dr-oliver-grant");
    let mut confirmed = person("Olivia Gránt");
    confirmed["confirm_similar"] = json!(true);
    let (s, body) = app.post("/people", confirmed);
    assert_eq!(s, 201, "{body}");
    assert_ne!(body["slug"], json!(grant));
    assert_eq!(app.head(), head + 2);
}

fn a_similar_name_asks_first_through_the_form_and_adding_confirms(b: Backend) {
    let app = TestApp::spawn(b);
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let new = "/admin/orgs/test-ccg/people/new";
    let add = |name: &str, confirm: bool| {
        let mut f = vec![
            ("csrf_token", browser.csrf.as_str()),
            ("name", name),
            ("position", "GP member"),
            ("decision_making", "true"),
        ];
        if confirm {
            f.push(("confirm_similar", "true"));
        }
        app.submit(new, Some(&browser.cookie), &f)
    };
    let added = add("Dr Olivia Grant", false);
    assert_eq!(added.status, 303, "{}", added.body);
    let to = added.location.unwrap();
    assert!(to.starts_with("/admin/orgs/test-ccg/people?added=dr-olivia-grant&tag="));
    let list = app.browse(&to, Some(&browser.cookie));
    assert!(
        list.body.contains("nhsuk-notification-banner--success")
            && list.body.contains("Dr Olivia Grant was added")
            && list
                .body
                .contains("href=\"/admin/orgs/test-ccg/declarations?person&#x3D;dr-olivia-grant\""),
        "{}",
        list.body
    );
    let forged = "/admin/orgs/test-ccg/people?added=dr-olivia-grant&tag=forged";
    let list = app.browse(forged, Some(&browser.cookie));
    assert!(
        !list.body.contains("was added"),
        "a tag not ours shows nothing"
    );

    let head = app.head();
    let asked = add("Olivia Grant", false);
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(
        asked.body.contains("Are they already here?")
            && asked
                .body
                .contains("<a href=\"/admin/orgs/test-ccg/declarations?person&#x3D;dr-olivia-grant\">Dr Olivia Grant</a>")
            && asked
                .body
                .contains("name=\"confirm_similar\" value=\"true\""),
        "{}",
        asked.body
    );
    assert_eq!(app.head(), head, "nothing was written before confirming");
    let confirmed = add("Olivia Grant", true);
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    assert_eq!(app.head(), head + 1);

    // The retire-or-merge page, sent empty, shows the GOV.UK error summary.
    let page = "/admin/orgs/test-ccg/people/olivia-grant/retire";
    assert_eq!(app.browse(page, Some(&browser.cookie)).status, 200);
    for (action, anchors) in [
        ("merge", &["#into", "#merge-reason"][..]),
        ("retire", &["#retire-reason"][..]),
    ] {
        let answer = app.submit(
            &format!("/admin/orgs/test-ccg/people/olivia-grant/{action}"),
            Some(&browser.cookie),
            &[("csrf_token", &browser.csrf), ("version", "1")],
        );
        assert_eq!(answer.status, 422, "{}", answer.body);
        assert!(answer.body.contains("nhsuk-error-summary"));
        for a in anchors {
            assert!(answer.body.contains(&format!("<a href=\"{a}\">")), "{a}");
        }
    }
    assert_eq!(app.head(), head + 1, "nothing was written");
    let merged = app.submit(
        "/admin/orgs/test-ccg/people/olivia-grant/merge",
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("version", "1"),
            ("into", "dr-olivia-grant"),
            ("reason", "Added twice"),
        ],
    );
    assert_eq!(merged.status, 303, "{}", merged.body);
    let list = app.browse("/admin/orgs/test-ccg/people", Some(&browser.cookie));
    assert!(
        list.body.contains("Merged into Dr Olivia Grant"),
        "{}",
        list.body
    );

    // A declarant may do none of it.
    let declarant = app.account(
        "own@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some("dr-olivia-grant"),
    );
    let theirs = app.sign_in(&declarant);
    let page = "/admin/orgs/test-ccg/people/dr-olivia-grant/retire";
    assert_eq!(app.browse(page, Some(&theirs.cookie)).status, 403);
}

fn a_person_added_by_mistake_is_retired_and_leaves_the_register(b: Backend) {
    let app = TestApp::spawn(b);
    let grant = app.add_person("Dr Olivia Grant", true);
    app.declare(&grant, "Partner at Riverside Surgery");
    let mut twice = person("Dr Olivia Grant");
    twice["confirm_similar"] = json!(true);
    let (_, body) = app.post("/people", twice);
    let (slug, id) = (
        body["slug"].as_str().unwrap().to_owned(),
        body["id"].as_str().unwrap().to_owned(),
    );
    assert!(public_page(&app, &slug).is_some());
    assert!(register(&app).contains(&format!("/{slug}/")));

    let retire = format!("/people/{slug}/retire");
    let head = app.head();
    let (s, body) = app.post(&retire, json!({"version": 1}));
    assert_eq!(s, 422, "{body}");
    assert!(body["fields"]["reason"].is_string());
    let (s, _) = app.post(&retire, json!({"version": 7, "reason": "Added twice"}));
    assert_eq!(s, 409);
    let (s, body) = app.post(
        &format!("/people/{grant}/retire"),
        json!({"version": 1, "reason": "x"}),
    );
    assert_eq!(s, 422, "a person with entries is merged instead: {body}");
    assert_eq!(app.head(), head, "refused means unchanged");

    let (s, body) = app.post(&retire, json!({"version": 1, "reason": "Added twice"}));
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["standing"], "retired");
    assert_eq!(app.head(), head + 1);
    assert!(public_page(&app, &slug).is_none(), "gone from the register");
    assert!(!register(&app).contains(&format!("/{slug}/")));
    assert!(public_page(&app, &grant)
        .unwrap()
        .contains("Riverside Surgery"));
    let history = person_history(&app, &id);
    let actions: Vec<&str> = history.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["create", "retire"], "kept in the chain");
    assert_eq!(history[1].1["reason"], "Added twice");
    let (s, _) = app.post(
        &format!("/people/{slug}/amend"),
        json!({"version": 2, "position": "x"}),
    );
    assert_eq!(s, 422, "a retired record does not change");
    let (_, public) = app.get(&app.api("/people"), None);
    assert!(!public.to_string().contains(&slug));
    assert!(audit::verify(&mut app.conn(), app.org).unwrap().is_ok());
}

fn a_duplicate_is_merged_and_its_entries_follow(b: Backend) {
    let app = TestApp::spawn(b);
    let grant = app.add_person("Dr Olivia Grant", true);
    app.declare(&grant, "Partner at Riverside Surgery");
    let mut twice = person("Olivia Grant");
    twice["confirm_similar"] = json!(true);
    let (_, body) = app.post("/people", twice);
    let (dup, dup_id) = (
        body["slug"].as_str().unwrap().to_owned(),
        body["id"].as_str().unwrap().to_owned(),
    );
    let gift = app.declare(&dup, "Trustee of the Podiatry Trust");
    let merge = format!("/people/{dup}/merge");
    let head = app.head();
    for bad in [
        json!({"version": 1, "reason": "Added twice"}),
        json!({"version": 1, "into": "nobody", "reason": "Added twice"}),
        json!({"version": 1, "into": dup, "reason": "Added twice"}),
        json!({"version": 1, "into": grant}),
    ] {
        let (s, body) = app.post(&merge, bad.clone());
        assert_eq!(s, 422, "{bad}: {body}");
    }
    assert_eq!(app.head(), head, "refused means unchanged");

    let (s, body) = app.post(
        &merge,
        json!({"version": 1, "into": grant, "reason": "Added twice"}),
    );
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["standing"], "merged");
    assert_eq!(
        app.head(),
        head + 2,
        "the merge and the declaration it moved"
    );
    let page = public_page(&app, &grant).unwrap();
    assert!(
        page.contains("Riverside Surgery") && page.contains("Podiatry Trust"),
        "the entries belong to one person: {page}"
    );
    assert!(
        public_page(&app, &dup).is_none(),
        "one person on the register"
    );
    assert!(!register(&app).contains(&format!("/{dup}/")));

    let history = person_history(&app, &dup_id);
    let actions: Vec<&str> = history.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions, ["create", "merge"]);
    assert_eq!(history[1].1["reason"], "Added twice");
    let id = gift["id"].as_str().unwrap().to_owned();
    let moved = audit::history_of(&mut app.conn(), app.org_id, "declaration", &[id]).unwrap();
    let owners: Vec<&str> = moved
        .iter()
        .map(|e| e.payload.as_ref().unwrap()["person"].as_str().unwrap())
        .collect();
    assert_eq!(
        owners,
        [dup.as_str(), grant.as_str()],
        "both records' history kept"
    );
    assert!(audit::verify(&mut app.conn(), app.org).unwrap().is_ok());
}

fn a_person_added_today_is_not_yet_due_their_confirmation(b: Backend) {
    let app = TestApp::spawn(b);
    let slug = app.add_person("Dr New Starter", true);
    let page = public_page(&app, &slug).unwrap();
    assert!(
        page.contains("Annual confirmation") && !page.contains("nhsuk-tag--red\">Due<"),
        "within the 28 days' grace: {page}"
    );
}

both_backends!(
    a_person_added_today_is_not_yet_due_their_confirmation,
    a_similar_name_is_refused_through_the_api_until_confirmed,
    a_similar_name_asks_first_through_the_form_and_adding_confirms,
    a_person_added_by_mistake_is_retired_and_leaves_the_register,
    a_duplicate_is_merged_and_its_entries_follow,
);
