//! The declaration screens of the web app: the form with its GOV.UK errors, the write
//! through the same store call as the API (an audit entry, a published page), stale
//! amendments, withholding, and a declarant who may declare only for themselves.

use crate::both_backends;
use crate::helpers::{Backend, Browser, Page, TestApp};
use coi_register::store::users::Role;

const NEW: &str = "/admin/orgs/test-ccg/declarations/new";

fn public_page(app: &TestApp, person: &str) -> String {
    std::fs::read_to_string(
        app.site
            .join(format!("test-ccg/interests/{person}/index.html")),
    )
    .unwrap_or_default()
}

/// The form's fields, with `changes` replacing or adding some.
fn fields<'a>(
    browser: &'a Browser,
    person: &'a str,
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf_token", browser.csrf.as_str()),
        ("person", person),
        ("interest_type", "financial"),
        ("associate", ""),
        ("description", "Partner in **Riverside** Surgery"),
        ("body", "Riverside Surgery"),
        ("arose_on", "2026-01-05"),
        ("ended_on", ""),
        ("declared_on", "2026-01-20"),
        ("mitigation", "Leaves the room for items about the practice"),
    ];
    for (k, v) in changes {
        match f.iter_mut().find(|(name, _)| name == k) {
            Some(field) => field.1 = v,
            None => f.push((k, v)),
        }
    }
    f
}

/// The declaration id a successful form redirected to.
fn declared(answer: &Page) -> String {
    assert_eq!(answer.status, 303, "{}", answer.body);
    let to = answer.location.as_deref().expect("a redirect");
    let rest = to
        .strip_prefix("/admin/orgs/test-ccg/declarations/")
        .unwrap_or_else(|| panic!("{to}"));
    let (id, query) = rest.split_once('?').expect("a saved banner");
    assert!(query.starts_with("saved="), "{to}");
    id.to_owned()
}

fn governance_declares_through_the_form_with_gov_uk_errors(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Jane Smith", true);
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);

    let form = app.browse(NEW, Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    for text in [
        "Declare an interest",
        "name=\"csrf_token\"",
        "<option value=\"dr-jane-smith\"",
        "type=\"radio\" value=\"indirect\"",
        "Non-financial professional",
        "name=\"mitigation\"",
    ] {
        assert!(form.body.contains(text), "{text} in {}", form.body);
    }
    assert!(!form.body.contains("<script"), "no JavaScript");

    // Errors: the summary links to each bad field, each field says why, input is kept.
    let head = app.head();
    let bad = fields(
        &browser,
        &person,
        &[
            ("interest_type", ""),
            ("description", ""),
            ("body", "Kept <Body> & Co"),
            ("arose_on", "2026-02-30"),
            ("declared_on", "2999-01-01"),
        ],
    );
    let answer = app.submit(NEW, Some(&browser.cookie), &bad);
    assert_eq!(answer.status, 422, "{}", answer.body);
    let page = &answer.body;
    assert!(
        page.contains("<title>Error: "),
        "the title says there is an error"
    );
    assert!(page.contains("There is a problem"));
    for (id, message) in [
        ("interest_type", "Select the type of interest"),
        ("description", "Enter a description of the interest"),
        ("arose_on", "Date the interest arose must be a real date"),
        ("declared_on", "Date declared cannot be in the future"),
    ] {
        assert!(
            page.contains(&format!("<a href=\"#{id}\">{message}")),
            "summary link to #{id} in {page}"
        );
        assert!(
            page.contains(&format!("id=\"{id}-error\"")),
            "message beside {id}"
        );
        assert!(
            page.contains(&format!("id=\"{id}\"")),
            "the field {id} exists"
        );
    }
    assert!(page.contains("nhsuk-form-group--error"));
    assert!(
        page.contains("value=\"Kept &lt;Body&gt; &amp; Co\""),
        "input kept, escaped"
    );
    assert!(page.contains("value=\"2026-02-30\""));
    assert!(page.contains("Leaves the room for items about the practice</textarea>"));
    assert!(page.contains("<option value=\"dr-jane-smith\" selected>"));
    assert!(
        !page.contains("id=\"body-error\""),
        "no error for a good field"
    );
    assert_eq!(app.head(), head, "nothing was written");

    // No person chosen.
    let answer = app.submit(NEW, Some(&browser.cookie), &fields(&browser, "", &[]));
    assert_eq!(answer.status, 422);
    assert!(answer
        .body
        .contains("<a href=\"#person\">Select the person the declaration is for"));
    assert_eq!(app.head(), head);

    // Valid: 303 to the declaration's page, one audit entry, published.
    let answer = app.submit(NEW, Some(&browser.cookie), &fields(&browser, &person, &[]));
    let id = declared(&answer);
    assert_eq!(app.head(), head + 1, "one audit entry");
    let entries =
        coi_register::store::audit::range(&mut app.conn(), app.org_id, head + 1, head + 1, 1)
            .unwrap();
    let entry = &entries[0];
    assert_eq!(
        (
            entry.header.action.as_str(),
            entry.header.entity.as_str(),
            entry.header.entity_id.as_str()
        ),
        ("create", "declaration", id.as_str())
    );
    let (s, api) = app.get(&app.api(&format!("/declarations/{id}")), None);
    assert_eq!(s, 200, "{api}");
    assert_eq!(api["body"], "Riverside Surgery");
    assert!(
        public_page(&app, &person).contains("Riverside"),
        "published"
    );
    let feed = std::fs::read_to_string(app.site.join("test-ccg/feeds/interests.xml")).unwrap();
    assert!(
        feed.contains(&format!("Declaration {id} recorded: Dr Jane Smith")),
        "in the feed: {feed}"
    );

    let shown = app.browse(answer.location.as_deref().unwrap(), Some(&browser.cookie));
    assert_eq!(shown.status, 200, "{}", shown.body);
    for text in [
        "nhsuk-notification-banner--success",
        "The declaration was recorded",
        "Published",
        "Riverside Surgery",
        &format!("seq {}", head + 1),
        "gov@test.example</td>",
        "action=\"/admin/orgs/test-ccg/declarations/",
    ] {
        assert!(shown.body.contains(text), "{text} in {}", shown.body);
    }

    // The list links to it, and filters by person and state.
    let list = app.browse("/admin/orgs/test-ccg/declarations", Some(&browser.cookie));
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list
        .body
        .contains(&format!("href=\"/admin/orgs/test-ccg/declarations/{id}\"")));
    assert!(list.body.contains("Declare an interest"));
    let none = app.browse(
        "/admin/orgs/test-ccg/declarations?state=withheld",
        Some(&browser.cookie),
    );
    assert!(!none.body.contains(&format!("declarations/{id}\"")));
    let mine = app.browse(
        &format!("/admin/orgs/test-ccg/declarations?person={person}&state=published"),
        Some(&browser.cookie),
    );
    assert!(mine.body.contains(&format!("declarations/{id}\"")));
}

fn amending_with_a_stale_version_is_refused_and_withholding_unpublishes(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Jane Smith", true);
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let id = declared(&app.submit(NEW, Some(&browser.cookie), &fields(&browser, &person, &[])));
    let base = format!("/admin/orgs/test-ccg/declarations/{id}");

    // The amend form is prefilled and carries the version.
    let form = app.browse(&format!("{base}/amend"), Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("name=\"version\" value=\"1\""));
    assert!(form.body.contains("value=\"Riverside Surgery\""));

    // Someone else amends it first (through the API).
    let (s, body) = app.post(
        &format!("/declarations/{id}/amend"),
        serde_json::json!({"version": 1, "body": "Riverside Surgery LLP"}),
    );
    assert_eq!(s, 201, "{body}");
    let head = app.head();
    let stale = fields(
        &browser,
        &person,
        &[("version", "1"), ("body", "My stale change")],
    );
    let answer = app.submit(&format!("{base}/amend"), Some(&browser.cookie), &stale);
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert!(answer.body.contains("There is a problem"));
    assert!(answer
        .body
        .contains("<a href=\"#current-version\">This declaration was changed by someone else"));
    assert!(answer.body.contains("id=\"current-version\""));
    assert!(
        answer.body.contains("Riverside Surgery LLP"),
        "the current version is shown"
    );
    assert!(
        answer.body.contains("value=\"My stale change\""),
        "input kept"
    );
    assert_eq!(app.head(), head, "nothing was written");

    // An amendment with the current version is saved.
    let fresh = fields(
        &browser,
        &person,
        &[("version", "2"), ("body", "Riverside Health Ltd")],
    );
    let answer = app.submit(&format!("{base}/amend"), Some(&browser.cookie), &fresh);
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 1);
    assert!(public_page(&app, &person).contains("Riverside Health Ltd"));

    // Withholding needs a reason (shown the GOV.UK way), then takes it off the register.
    let answer = app.submit(
        &format!("{base}/withhold"),
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("version", "3"),
            ("reason", ""),
        ],
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer
        .body
        .contains("<a href=\"#withhold-reason\">Enter the reason"));
    assert_eq!(app.head(), head + 1);
    let answer = app.submit(
        &format!("{base}/withhold"),
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("version", "3"),
            ("reason", "Risk of harm to the person"),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 2);
    assert!(
        !public_page(&app, &person).contains("Riverside"),
        "no longer published"
    );
    let shown = app.browse(&base, Some(&browser.cookie));
    assert!(shown
        .body
        .contains("Withheld from publication: Risk of harm to the person"));
    assert!(shown.body.contains("action=\"") && shown.body.contains("/release\""));
    for seq in [head - 1, head, head + 1, head + 2] {
        assert!(
            shown.body.contains(&format!("seq {seq}")),
            "history has seq {seq}"
        );
    }

    // A stale end is refused on the declaration's page.
    let answer = app.submit(
        &format!("{base}/end"),
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("version", "3"),
            ("ended_on", "2026-03-01"),
        ],
    );
    assert_eq!(answer.status, 409, "{}", answer.body);
    assert!(answer
        .body
        .contains("This declaration was changed by someone else"));
    assert!(answer.body.contains("value=\"2026-03-01\""), "input kept");
    assert_eq!(app.head(), head + 2);

    // Release publishes it again.
    let answer = app.submit(
        &format!("{base}/release"),
        Some(&browser.cookie),
        &[("csrf_token", &browser.csrf), ("version", "4")],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert!(public_page(&app, &person).contains("Riverside Health Ltd"));

    // A form without its CSRF token changes nothing.
    let head = app.head();
    let answer = app.submit(
        &format!("{base}/withdraw"),
        Some(&browser.cookie),
        &[("csrf_token", "forged"), ("version", "5"), ("reason", "x")],
    );
    assert_eq!(answer.status, 403);
    assert_eq!(app.head(), head);
}

fn a_declarant_declares_only_for_themselves(b: Backend) {
    let app = TestApp::spawn(b);
    let own = app.add_person("Dr Own Declarant", true);
    let other = app.add_person("Ms Other Person", true);
    let theirs = app.declare(&other, "Director of Other Ltd");
    let theirs = theirs["id"].as_str().unwrap().to_owned();
    let declarant = app.account(
        "own@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&own),
    );
    let browser = app.sign_in(&declarant);

    // The form fixes the person to their own.
    let form = app.browse(NEW, Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form
        .body
        .contains(&format!("name=\"person\" value=\"{own}\"")));
    assert!(!form.body.contains(&other), "no other person offered");

    let head = app.head();
    // Tampered: another person in the form.
    let answer = app.submit(NEW, Some(&browser.cookie), &fields(&browser, &other, &[]));
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(app.head(), head, "nothing was written");

    // Their own.
    let id = declared(&app.submit(NEW, Some(&browser.cookie), &fields(&browser, &own, &[])));
    assert_eq!(app.head(), head + 1);
    let shown = app.browse(
        &format!("/admin/orgs/test-ccg/declarations/{id}"),
        Some(&browser.cookie),
    );
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("/withdraw\"") && !shown.body.contains("/withhold\""));

    // Another person's declaration, by guessing its id: not found, every way.
    let head = app.head();
    let base = format!("/admin/orgs/test-ccg/declarations/{theirs}");
    for path in [base.clone(), format!("{base}/amend")] {
        let r = app.browse(&path, Some(&browser.cookie));
        assert!(
            r.status == 404 || r.status == 403,
            "GET {path}: {}",
            r.status
        );
        assert!(!r.body.contains("Other Ltd"));
    }
    for action in ["amend", "end", "withdraw"] {
        let r = app.submit(
            &format!("{base}/{action}"),
            Some(&browser.cookie),
            &fields(
                &browser,
                &other,
                &[
                    ("version", "1"),
                    ("reason", "x"),
                    ("ended_on", "2026-03-01"),
                ],
            ),
        );
        assert!(
            r.status == 404 || r.status == 403,
            "POST {action}: {}",
            r.status
        );
    }
    assert_eq!(app.head(), head, "nothing was changed");
    // The list shows only their own.
    let list = app.browse("/admin/orgs/test-ccg/declarations", Some(&browser.cookie));
    assert_eq!(list.status, 200);
    assert!(list.body.contains(&format!("declarations/{id}\"")));
    assert!(
        !list.body.contains(&format!("declarations/{theirs}\""))
            && !list.body.contains("Ms Other Person")
    );
}

fn governance_adds_and_amends_people_through_forms(b: Backend) {
    let app = TestApp::spawn(b);
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let new = "/admin/orgs/test-ccg/people/new";
    let form = app.browse(new, Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    let head = app.head();
    let answer = app.submit(
        new,
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("name", ""),
            ("position", "GP <member>"),
            ("decision_making", "true"),
        ],
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.body.contains("<a href=\"#name\">Enter the person"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("id=\"name-error\""));
    assert!(
        answer.body.contains("value=\"GP &lt;member&gt;\""),
        "input kept"
    );
    assert_eq!(app.head(), head, "nothing was written");
    let answer = app.submit(
        new,
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("name", "Dr Ann Lee"),
            ("position", "GP member"),
            ("decision_making", "true"),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 1, "one audit entry");
    let list = app.browse("/admin/orgs/test-ccg/people", Some(&browser.cookie));
    assert!(list.body.contains("Dr Ann Lee"), "{}", list.body);
    let amend = "/admin/orgs/test-ccg/people/dr-ann-lee/amend";
    let form = app.browse(amend, Some(&browser.cookie));
    assert!(
        form.body.contains("name=\"version\" value=\"1\""),
        "{}",
        form.body
    );
    let fields = |version: &'static str, position: &'static str| {
        vec![
            ("csrf_token", browser.csrf.clone()),
            ("version", version.to_owned()),
            ("name", "Dr Ann Lee".to_owned()),
            ("position", position.to_owned()),
            ("decision_making", "false".to_owned()),
        ]
    };
    let send = |f: Vec<(&str, String)>| {
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.submit(amend, Some(&browser.cookie), &f)
    };
    assert_eq!(send(fields("1", "Clinical lead")).status, 303);
    assert_eq!(app.head(), head + 2);
    let stale = send(fields("1", "Stale position"));
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale
        .body
        .contains("<a href=\"#current-version\">This person was changed by someone else"));
    assert!(stale.body.contains("value=\"Stale position\""));
    assert_eq!(app.head(), head + 2, "nothing was written");

    // A declarant may not add or amend people, and sees only themselves.
    let own = app.add_person("Dr Own Declarant", true);
    let declarant = app.account(
        "own@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&own),
    );
    let theirs = app.sign_in(&declarant);
    assert_eq!(app.browse(new, Some(&theirs.cookie)).status, 403);
    assert_eq!(app.browse(amend, Some(&theirs.cookie)).status, 403);
    let list = app.browse("/admin/orgs/test-ccg/people", Some(&theirs.cookie));
    assert_eq!(list.status, 200);
    assert!(!list.body.contains("Dr Ann Lee") && list.body.contains("Dr Own Declarant"));
}

fn nil_returns_and_confirmations_through_the_form(b: Backend) {
    let app = TestApp::spawn(b);
    let clear = app.add_person("Dr Nothing Declared", true);
    let busy = app.add_person("Dr Busy", true);
    app.declare(&busy, "Partner in Riverside Surgery");
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let new = "/admin/orgs/test-ccg/returns/new";
    assert_eq!(app.browse(new, Some(&browser.cookie)).status, 200);
    let head = app.head();
    let send = |cookie: &str, csrf: &str, person: &str, kind: &str| {
        app.submit(
            new,
            Some(cookie),
            &[
                ("csrf_token", csrf),
                ("person", person),
                ("kind", kind),
                ("made_on", "2026-01-20"),
            ],
        )
    };
    let answer = send(&browser.cookie, &browser.csrf, &clear, "");
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("<a href=\"#kind\">Select whether"));
    assert!(answer.body.contains("value=\"2026-01-20\""), "input kept");
    let answer = send(&browser.cookie, &browser.csrf, &busy, "nil_return");
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer
        .body
        .contains("<a href=\"#person\">The person has 1 current declaration"));
    assert_eq!(app.head(), head, "nothing was written");
    let answer = send(&browser.cookie, &browser.csrf, &clear, "nil_return");
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 1);
    let answer = send(&browser.cookie, &browser.csrf, &busy, "confirmation");
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 2);
    let done = app.browse(answer.location.as_deref().unwrap(), Some(&browser.cookie));
    assert!(done.body.contains("The annual confirmation was recorded"));

    // A declarant returns for themselves only.
    let declarant = app.account(
        "own@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&clear),
    );
    let theirs = app.sign_in(&declarant);
    let answer = send(&theirs.cookie, &theirs.csrf, &busy, "confirmation");
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(app.head(), head + 2);
    let answer = send(&theirs.cookie, &theirs.csrf, &clear, "confirmation");
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 3);
}

fn gifts_are_recorded_through_a_form_that_explains_the_thresholds(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Jane Smith", true);
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let new = "/admin/orgs/test-ccg/gifts/new";
    let form = app.browse(new, Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("Cash and vouchers are always declined"),
        "{}",
        form.body
    );
    assert!(form.body.contains("Hospitality worth over"));
    let head = app.head();
    let offer = |kind: &'static str, value: &'static str, outcome: &'static str| {
        vec![
            ("csrf_token", browser.csrf.clone()),
            ("person", person.clone()),
            ("giver", "Acme Medical Ltd".to_owned()),
            ("giver_is_supplier", "false".to_owned()),
            ("kind", kind.to_owned()),
            ("description", "A voucher".to_owned()),
            ("value", value.to_owned()),
            ("offered_on", "2026-05-01".to_owned()),
            ("outcome", outcome.to_owned()),
            ("declared_on", "2026-05-02".to_owned()),
        ]
    };
    let send = |f: Vec<(&str, String)>| {
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.submit(new, Some(&browser.cookie), &f)
    };
    let answer = send(offer("cash_or_voucher", "twenty", "accepted"));
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer
        .body
        .contains("<a href=\"#value\">Enter the value in pounds"));
    assert!(answer.body.contains("value=\"twenty\""), "input kept");
    let answer = send(offer("cash_or_voucher", "20", "accepted"));
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer
            .body
            .contains("<a href=\"#outcome\">Cash and vouchers must always be declined"),
        "{}",
        answer.body
    );
    assert_eq!(app.head(), head, "nothing was written");
    let answer = send(offer("cash_or_voucher", "20", "declined"));
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 1);
    let list = app.browse(answer.location.as_deref().unwrap(), Some(&browser.cookie));
    assert!(list.body.contains("The offer was recorded") && list.body.contains("Acme Medical Ltd"));
    assert!(list.body.contains("£20.00"));
}

both_backends!(
    governance_declares_through_the_form_with_gov_uk_errors,
    amending_with_a_stale_version_is_refused_and_withholding_unpublishes,
    a_declarant_declares_only_for_themselves,
    governance_adds_and_amends_people_through_forms,
    nil_returns_and_confirmations_through_the_form,
    gifts_are_recorded_through_a_form_that_explains_the_thresholds,
);
