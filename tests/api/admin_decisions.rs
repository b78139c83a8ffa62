//! The web app's screens for gifts and hospitality (an offer's page, amending it with a
//! stale version refused, withholding, releasing, withdrawing), procurement decisions
//! (recorded, refused by the store with nothing written, amended, withdrawn) and
//! breaches (recorded, amended, the person shown only to those who may read it).

use crate::both_backends;
use crate::helpers::{Backend, Browser, Page, TestApp};
use coi_register::store::users::Role;
use serde_json::{json, Value};

/// The (action, entity) of every audit entry after `head`.
fn entries_after(app: &TestApp, head: i64) -> Vec<(String, String)> {
    if app.head() == head {
        return Vec::new();
    }
    let url = app.api(&format!(
        "/audit/entries?start={}&end={}",
        head + 1,
        app.head()
    ));
    let (s, body) = app.get(&url, Some(&app.token));
    assert_eq!(s, 200, "{body}");
    body["entries"]
        .as_array()
        .or(body.as_array())
        .unwrap()
        .iter()
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (s("action"), s("entity"))
        })
        .collect()
}

fn public(app: &TestApp, path: &str) -> String {
    let (s, text) = app.get_text(&format!("{}/test-ccg/{path}", app.base));
    assert_eq!(s, 200, "{path}: {text}");
    text
}

fn send(app: &TestApp, path: &str, browser: &Browser, fields: &[(&str, &str)]) -> Page {
    let mut f = vec![("csrf_token", browser.csrf.as_str())];
    f.extend_from_slice(fields);
    app.submit(path, Some(&browser.cookie), &f)
}

fn governance(app: &TestApp) -> Browser {
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    app.sign_in(&lead)
}

fn offer(person: &str, giver: &str) -> Value {
    json!({"person": person, "giver": giver, "giver_is_supplier": false, "kind": "gift",
           "description": "A book token", "value_pence": 2000, "offered_on": "2026-05-01",
           "outcome": "declined", "declared_on": "2026-05-02"})
}

fn record_offer(app: &TestApp, person: &str, giver: &str) -> String {
    let (s, g) = app.post("/gifts", offer(person, giver));
    assert_eq!(s, 201, "{g}");
    g["id"].as_str().unwrap().to_owned()
}

/// The gift form's fields as they stand, with `changes`.
fn gift_fields<'a>(version: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("giver", "Acme Medical Ltd"),
        ("giver_is_supplier", "false"),
        ("kind", "gift"),
        ("description", "A book token"),
        ("value", "20.00"),
        ("offered_on", "2026-05-01"),
        ("outcome", "declined"),
        ("approved_by", ""),
        ("declared_on", "2026-05-02"),
        ("version", version),
    ];
    for (k, v) in changes {
        match f.iter_mut().find(|(name, _)| name == k) {
            Some(field) => field.1 = v,
            None => f.push((k, v)),
        }
    }
    f
}

fn a_gift_is_amended_withheld_released_and_withdrawn_through_its_page(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Jane Smith", true);
    let id = record_offer(&app, &person, "Acme Medical Ltd");
    let browser = governance(&app);
    let base = format!("/admin/orgs/test-ccg/gifts/{id}");

    let list = app.browse("/admin/orgs/test-ccg/gifts", Some(&browser.cookie));
    assert!(
        list.body.contains(&format!("href=\"{base}\"")),
        "{}",
        list.body
    );
    let shown = app.browse(&base, Some(&browser.cookie));
    assert_eq!(shown.status, 200, "{}", shown.body);
    for text in ["Acme Medical Ltd", "£20.00", "Published", "seq "] {
        assert!(shown.body.contains(text), "{text} in {}", shown.body);
    }
    assert!(shown.body.contains(&format!("action=\"{base}/withhold\"")));
    let form = app.browse(&format!("{base}/amend"), Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("name=\"version\" value=\"1\""),
        "{}",
        form.body
    );
    assert!(form.body.contains("value=\"20.00\""));

    // Amend: one audit entry, the public register shows the new giver.
    let head = app.head();
    let answer = send(
        &app,
        &format!("{base}/amend"),
        &browser,
        &gift_fields("1", &[("giver", "Beta Pharma Ltd")]),
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        answer.location.as_deref(),
        Some(format!("{base}?saved=amended").as_str())
    );
    assert_eq!(entries_after(&app, head), [("amend".into(), "gift".into())]);
    let register = public(&app, "gifts/");
    assert!(register.contains("Beta Pharma Ltd") && !register.contains("Acme Medical Ltd"));
    let shown = app.browse(answer.location.as_deref().unwrap(), Some(&browser.cookie));
    assert!(shown.body.contains("The offer was amended"));
    assert!(
        shown.body.contains("gov@test.example"),
        "who recorded version 2"
    );

    // The same version again is stale: refused, what was entered kept, nothing written.
    let head = app.head();
    let stale = send(
        &app,
        &format!("{base}/amend"),
        &browser,
        &gift_fields("1", &[("giver", "Gamma Ltd")]),
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale
        .body
        .contains("<a href=\"#current-version\">This offer was changed by someone else"));
    assert!(stale.body.contains("value=\"Gamma Ltd\""), "input kept");
    assert!(
        stale.body.contains("name=\"version\" value=\"2\""),
        "based on the version shown"
    );
    // A bad amendment: the GOV.UK errors, nothing written.
    let bad = send(
        &app,
        &format!("{base}/amend"),
        &browser,
        &gift_fields(
            "2",
            &[
                ("value", "lots"),
                ("kind", "cash_or_voucher"),
                ("outcome", "accepted"),
            ],
        ),
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad
        .body
        .contains("<a href=\"#value\">Enter the value in pounds"));
    // Withholding needs a reason.
    let bad = send(
        &app,
        &format!("{base}/withhold"),
        &browser,
        &[("version", "2"), ("reason", " ")],
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body
            .contains("<a href=\"#withhold-reason\">Enter the reason"),
        "{}",
        bad.body
    );
    assert_eq!(app.head(), head, "nothing was written");

    // Withhold: off the public register, the reason on the page.
    let answer = send(
        &app,
        &format!("{base}/withhold"),
        &browser,
        &[("version", "2"), ("reason", "Risk of harm to the person")],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        entries_after(&app, head),
        [("withhold".into(), "gift".into())]
    );
    assert!(!public(&app, "gifts/").contains("Beta Pharma Ltd"));
    let shown = app.browse(&base, Some(&browser.cookie));
    assert!(shown
        .body
        .contains("Withheld from publication: Risk of harm to the person"));
    assert!(shown.body.contains(&format!("action=\"{base}/release\"")));

    // Release: back on the register.
    let head = app.head();
    let answer = send(
        &app,
        &format!("{base}/release"),
        &browser,
        &[("version", "3")],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        entries_after(&app, head),
        [("release".into(), "gift".into())]
    );
    assert!(public(&app, "gifts/").contains("Beta Pharma Ltd"));

    // Withdraw: off the register for good, and no more forms.
    let head = app.head();
    let answer = send(
        &app,
        &format!("{base}/withdraw"),
        &browser,
        &[
            ("version", "4"),
            ("reason", "Recorded twice"),
            ("confirmed", "yes"),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        entries_after(&app, head),
        [("withdraw".into(), "gift".into())]
    );
    assert!(!public(&app, "gifts/").contains("Beta Pharma Ltd"));
    let shown = app.browse(&base, Some(&browser.cookie));
    assert!(shown
        .body
        .contains("Withdrawn as entered in error: Recorded twice"));
    assert!(!shown.body.contains(&format!("action=\"{base}/withdraw\"")));
    assert!(!shown.body.contains(&format!("href=\"{base}/amend\"")));
    for v in 1..=5 {
        assert!(
            shown
                .body
                .contains(&format!("<td class=\"nhsuk-table__cell\">{v}</td>")),
            "version {v} in the history"
        );
    }
    let head = app.head();
    let frozen = send(
        &app,
        &format!("{base}/amend"),
        &browser,
        &gift_fields("5", &[]),
    );
    assert_eq!(frozen.status, 422, "{}", frozen.body);
    assert!(
        frozen
            .body
            .contains("<a href=\"#giver\">The entry was withdrawn and cannot change"),
        "{}",
        frozen.body
    );
    let again = send(
        &app,
        &format!("{base}/withdraw"),
        &browser,
        &[("version", "5"), ("reason", "x")],
    );
    assert_eq!(again.status, 422, "{}", again.body);
    assert_eq!(app.head(), head);
}

fn a_declarant_cannot_withhold_or_touch_another_persons_gift(b: Backend) {
    let app = TestApp::spawn(b);
    let own = app.add_person("Dr Own Declarant", true);
    let other = app.add_person("Dr Other Person", true);
    let mine = record_offer(&app, &own, "Acme Medical Ltd");
    let theirs = record_offer(&app, &other, "Secret Supplier Ltd");
    let declarant = app.account(
        "own@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&own),
    );
    let browser = app.sign_in(&declarant);
    let head = app.head();

    let list = app.browse("/admin/orgs/test-ccg/gifts", Some(&browser.cookie));
    assert!(list.body.contains("Acme Medical Ltd") && !list.body.contains("Secret Supplier Ltd"));
    let other_base = format!("/admin/orgs/test-ccg/gifts/{theirs}");
    for path in [other_base.clone(), format!("{other_base}/amend")] {
        let page = app.browse(&path, Some(&browser.cookie));
        assert_eq!(page.status, 404, "{path}: {}", page.body);
        assert!(!page.body.contains("Secret Supplier Ltd"));
    }
    for (action, fields) in [
        ("amend", gift_fields("1", &[("giver", "Changed")])),
        ("withdraw", vec![("version", "1"), ("reason", "Not mine")]),
        ("withhold", vec![("version", "1"), ("reason", "Hide it")]),
        ("release", vec![("version", "1")]),
    ] {
        let answer = send(&app, &format!("{other_base}/{action}"), &browser, &fields);
        assert!(
            answer.status == 404 || answer.status == 403,
            "{action}: {} {}",
            answer.status,
            answer.body
        );
    }
    // Their own: no withhold form, and withholding it is refused.
    let own_base = format!("/admin/orgs/test-ccg/gifts/{mine}");
    let page = app.browse(&own_base, Some(&browser.cookie));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(!page.body.contains("/withhold\""), "{}", page.body);
    assert!(page
        .body
        .contains(&format!("action=\"{own_base}/withdraw\"")));
    let answer = send(
        &app,
        &format!("{own_base}/withhold"),
        &browser,
        &[("version", "1"), ("reason", "Hide it")],
    );
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(app.head(), head, "nothing was written");
    // But they may amend and withdraw their own.
    let answer = send(
        &app,
        &format!("{own_base}/amend"),
        &browser,
        &gift_fields("1", &[("value", "25")]),
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    let answer = send(
        &app,
        &format!("{own_base}/withdraw"),
        &browser,
        &[
            ("version", "2"),
            ("reason", "Recorded twice"),
            ("confirmed", "yes"),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        entries_after(&app, head),
        [
            ("amend".into(), "gift".into()),
            ("withdraw".into(), "gift".into())
        ]
    );
}

/// A committee meeting on 4 March 2026 with item 5 deferred and item 6 decided: their ids.
fn meeting(app: &TestApp) -> (i64, i64) {
    let p = |n: &str| app.add_person(n, true);
    let lay = [p("Helen Lay"), p("Robert Lay"), p("Aisha Lay")];
    let exec = [p("Claire Exec"), p("Imran Exec")];
    let gp = [p("Dr Anna Gp"), p("Dr Ben Gp"), p("Dr Cara Gp")];
    let m = |person: &str, category: &str, role: &str| json!({"person": person, "category": category, "role": role, "from": "2026-01-01"});
    let (s, c) = app.post(
        "/committees",
        json!({
            "name": "Primary Care Commissioning Committee", "slug": "pccc",
            "terms_of_reference": "Commissions primary medical services.",
            "quorum_minimum": 5, "quorum_required": ["lay", "executive"],
            "members": [
                m(&lay[0], "lay", "chair"), m(&lay[1], "lay", "vice_chair"), m(&lay[2], "lay", "member"),
                m(&exec[0], "executive", "member"), m(&exec[1], "executive", "member"),
                m(&gp[0], "clinical", "member"), m(&gp[1], "clinical", "member"), m(&gp[2], "clinical", "member"),
            ]
        }),
    );
    assert_eq!(s, 201, "{c}");
    let mut attendance = serde_json::Map::new();
    for who in lay.iter().chain(&exec).chain(&gp) {
        attendance.insert(who.clone(), json!("present"));
    }
    let (s, meeting) = app.post(
        "/committees/pccc/meetings",
        json!({"held_on": "2026-03-04", "attendance": attendance}),
    );
    assert_eq!(s, 201, "{meeting}");
    let meeting = meeting["id"].as_i64().unwrap();
    let item = |number: &str, title: &str, outcome: Value| {
        let (s, item) = app.post(
            &format!("/meetings/{meeting}/items"),
            json!({"number": number, "title": title}),
        );
        assert_eq!(s, 201, "{item}");
        let id = item["id"].as_i64().unwrap();
        let (s, e) = app.post(&format!("/items/{id}/outcome"), outcome);
        assert_eq!(s, 201, "{e}");
        id
    };
    let deferred = item(
        "5",
        "Extended access: award of contract",
        json!({"version": 1, "outcome": "deferred", "reason": "Inquorate once conflicted members left"}),
    );
    let decided = item(
        "6",
        "Phlebotomy: extension",
        json!({"version": 1, "outcome": "decided", "decision": "Extend for 12 months"}),
    );
    (deferred, decided)
}

fn decision_fields<'a>(item: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("reference", "PCD-2026-002"),
        ("title", "Community phlebotomy"),
        ("service_description", "Blood tests, closer to home"),
        ("service_status", "existing"),
        ("route", "direct_award_c"),
        ("clinical_lead", "Dr Anna Gp"),
        ("contract_manager", ""),
        ("decided_on", ""),
        ("item", item),
        ("how_decided", ""),
        ("conflicts_note", ""),
        ("justification", "Continuity of care"),
        ("supplier", "Northshire Community Health"),
        ("value", "1,250,000"),
        ("term_months", "12"),
        ("starts_on", "2026-04-01"),
        ("comments", ""),
    ];
    for (k, v) in changes {
        match f.iter_mut().find(|(name, _)| name == k) {
            Some(field) => field.1 = v,
            None => f.push((k, v)),
        }
    }
    f
}

fn a_decision_recorded_through_the_form_is_on_the_public_register(b: Backend) {
    let app = TestApp::spawn(b);
    let (deferred, decided) = meeting(&app);
    let (deferred, decided) = (deferred.to_string(), decided.to_string());
    let browser = governance(&app);
    let new = "/admin/orgs/test-ccg/decisions/new";

    let home = app.browse("/admin", Some(&browser.cookie));
    assert!(home
        .body
        .contains("href=\"/admin/orgs/test-ccg/decisions\">Procurement decisions"));
    assert!(home
        .body
        .contains("href=\"/admin/orgs/test-ccg/breaches\">Breaches"));
    let form = app.browse(new, Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    for text in [
        "<option value=\"direct_award_c\">Direct award process C (PSR)</option>",
        "<option value=\"any_qualified_provider\">Any qualified provider</option>",
        &format!("<option value=\"{decided}\">Primary Care Commissioning Committee, 2026-03-04, item 6: Phlebotomy: extension (decided)</option>"),
        &format!("<option value=\"{deferred}\">"),
        "name=\"csrf_token\"",
    ] {
        assert!(form.body.contains(text), "{text} in {}", form.body);
    }

    // The store's refusals: beside the field, in the summary, nothing written.
    let head = app.head();
    let refused = send(&app, new, &browser, &decision_fields(&deferred, &[]));
    assert_eq!(refused.status, 422, "{}", refused.body);
    let said = "Item 5 of the meeting of 2026-03-04 did not record a decision (deferred)";
    assert!(
        refused
            .body
            .contains(&format!("<a href=\"#item\">{said}</a>")),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(&format!(
        "id=\"item-error\"><span class=\"nhsuk-u-visually-hidden\">Error:</span> {said}"
    )));
    assert!(
        refused.body.contains("value=\"Community phlebotomy\""),
        "input kept"
    );
    let refused = send(
        &app,
        new,
        &browser,
        &decision_fields(&decided, &[("decided_on", "2026-03-05")]),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains(
        "<a href=\"#decided_on\">Date of the decision must be the date of the meeting that took it, 2026-03-04</a>"
    ), "{}", refused.body);
    let refused = send(
        &app,
        new,
        &browser,
        &decision_fields(
            "",
            &[("value", "lots"), ("route", "bribe"), ("reference", "")],
        ),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    for text in [
        "<a href=\"#reference\">Enter the reference of the decision",
        "<a href=\"#route\">Select how the contract was procured</a>",
        "<a href=\"#how_decided\">",
        "<a href=\"#value\">Enter the value of the contract in pounds",
    ] {
        assert!(refused.body.contains(text), "{text} in {}", refused.body);
    }
    assert_eq!(app.head(), head, "nothing was written");
    assert!(entries_after(&app, head).is_empty());

    // Recorded: the date from the item's meeting, one audit entry, on the public register.
    let answer = send(&app, new, &browser, &decision_fields(&decided, &[]));
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        entries_after(&app, head),
        [("create".into(), "decision".into())]
    );
    let register = public(&app, "decisions/");
    assert!(
        register.contains("/test-ccg/decisions/pcd-2026-002/")
            && register.contains("Community phlebotomy"),
        "{register}"
    );
    let page = public(&app, "decisions/pcd-2026-002/");
    assert!(page.contains("Northshire Community Health") && page.contains("2026-03-04"));
    let to = answer.location.clone().unwrap();
    let shown = app.browse(&to, Some(&browser.cookie));
    assert_eq!(shown.status, 200, "{}", shown.body);
    for text in [
        "The decision was recorded",
        "£1,250,000.00",
        "Direct award process C (PSR)",
        "item 6: Phlebotomy",
        "gov@test.example",
        "seq ",
    ] {
        assert!(shown.body.contains(text), "{text} in {}", shown.body);
    }
    let base = to.split('?').next().unwrap().to_owned();
    let list = app.browse("/admin/orgs/test-ccg/decisions", Some(&browser.cookie));
    assert!(
        list.body
            .contains(&format!("href=\"{base}\">PCD-2026-002</a>")),
        "{}",
        list.body
    );

    // Amended: the form carries every field; a stale one is refused.
    let form = app.browse(&format!("{base}/amend"), Some(&browser.cookie));
    assert!(
        form.body.contains("value=\"1250000.00\"")
            && form.body.contains("name=\"version\" value=\"1\"")
    );
    let head = app.head();
    let mut f = decision_fields(
        &decided,
        &[("title", "Community phlebotomy service"), ("version", "1")],
    );
    let answer = send(&app, &format!("{base}/amend"), &browser, &f);
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        entries_after(&app, head),
        [("amend".into(), "decision".into())]
    );
    assert!(public(&app, "decisions/pcd-2026-002/").contains("Community phlebotomy service"));
    let head = app.head();
    f.retain(|(k, _)| *k != "title");
    f.push(("title", "Stale title"));
    let stale = send(&app, &format!("{base}/amend"), &browser, &f);
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale
        .body
        .contains("This decision was changed by someone else"));
    assert_eq!(app.head(), head);

    // Withdrawn with a reason.
    let bad = send(
        &app,
        &format!("{base}/withdraw"),
        &browser,
        &[("version", "2"), ("reason", "")],
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad
        .body
        .contains("<a href=\"#withdraw-reason\">Enter the reason"));
    assert_eq!(app.head(), head);
    // A valid reason first asks whether they are sure: nothing is withdrawn yet.
    let asked = send(
        &app,
        &format!("{base}/withdraw"),
        &browser,
        &[("version", "2"), ("reason", "Rescinded by the board")],
    );
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(asked
        .body
        .contains("Are you sure you want to withdraw this decision?"));
    assert!(asked.body.contains("name=\"confirmed\" value=\"yes\""));
    assert!(
        asked.body.contains("Rescinded by the board"),
        "the reason kept"
    );
    assert_eq!(app.head(), head);
    let answer = send(
        &app,
        &format!("{base}/withdraw"),
        &browser,
        &[
            ("version", "2"),
            ("reason", "Rescinded by the board"),
            ("confirmed", "yes"),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        entries_after(&app, head),
        [("withdraw".into(), "decision".into())]
    );
    let shown = app.browse(&base, Some(&browser.cookie));
    assert!(shown.body.contains("Rescinded by the board"));
    assert!(!shown.body.contains(&format!("action=\"{base}/withdraw\"")));
    let head = app.head();
    f.retain(|(k, _)| *k != "version");
    f.push(("version", "3"));
    let frozen = send(&app, &format!("{base}/amend"), &browser, &f);
    assert_eq!(frozen.status, 409, "{}", frozen.body);
    assert!(frozen
        .body
        .contains("Decision PCD-2026-002 was withdrawn and cannot be changed"));
    let twice = send(
        &app,
        &format!("{base}/withdraw"),
        &browser,
        &[("version", "3"), ("reason", "Again")],
    );
    assert_eq!(twice.status, 409, "{}", twice.body);
    assert!(twice.body.contains(
        "<a href=\"#current\">Decision PCD-2026-002 was withdrawn and cannot be changed"
    ));
    assert_eq!(app.head(), head);

    // Readers see the register; only governance may write it.
    let auditor = app.account("audit@test.example", Role::Auditor, &["test-ccg"], None);
    let auditor = app.sign_in(&auditor);
    let list = app.browse("/admin/orgs/test-ccg/decisions", Some(&auditor.cookie));
    assert_eq!(list.status, 200);
    assert!(list.body.contains("PCD-2026-002") && !list.body.contains("Record a decision"));
    assert_eq!(app.browse(new, Some(&auditor.cookie)).status, 403);
}

fn breach_fields<'a>(person: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("occurred_on", "2026-02-10"),
        ("identified_on", "2026-02-20"),
        (
            "summary",
            "A member took part in a discussion despite a declared interest.",
        ),
        (
            "action_taken",
            "Reminder of the policy; the decision was reviewed.",
        ),
        ("reported_to", "Audit committee"),
        ("person", person),
    ];
    for (k, v) in changes {
        match f.iter_mut().find(|(name, _)| name == k) {
            Some(field) => field.1 = v,
            None => f.push((k, v)),
        }
    }
    f
}

fn a_breach_is_recorded_and_amended_with_its_person_kept_from_the_public(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Careless Member", true);
    let browser = governance(&app);
    let new = "/admin/orgs/test-ccg/breaches/new";
    let form = app.browse(new, Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains(&format!("<option value=\"{person}\"")));

    let head = app.head();
    let bad = send(
        &app,
        new,
        &browser,
        &breach_fields(&person, &[("occurred_on", "2999-01-01"), ("summary", "")]),
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body
            .contains("<a href=\"#occurred_on\">Date of the breach cannot be in the future"),
        "{}",
        bad.body
    );
    assert!(bad
        .body
        .contains("<a href=\"#summary\">Enter what happened"));
    let bad = send(&app, new, &browser, &breach_fields("nobody-at-all", &[]));
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(bad.body.contains("<a href=\"#person\">"), "{}", bad.body);
    assert_eq!(app.head(), head, "nothing was written");

    let answer = send(&app, new, &browser, &breach_fields(&person, &[]));
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        entries_after(&app, head),
        [("create".into(), "breach".into())]
    );
    let list = app.browse(answer.location.as_deref().unwrap(), Some(&browser.cookie));
    assert!(
        list.body.contains("The breach was recorded") && list.body.contains("Dr Careless Member")
    );
    let published = public(&app, "breaches/");
    assert!(published.contains("despite a declared interest") && !published.contains("Careless"));

    // The person is shown to auditors, not to a declarant.
    let auditor = app.account("audit@test.example", Role::Auditor, &["test-ccg"], None);
    let auditor = app.sign_in(&auditor);
    let seen = app.browse("/admin/orgs/test-ccg/breaches", Some(&auditor.cookie));
    assert!(seen.body.contains("Dr Careless Member"), "{}", seen.body);
    let own = app.add_person("Dr Own Declarant", true);
    let declarant = app.account(
        "own@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&own),
    );
    let declarant = app.sign_in(&declarant);
    let seen = app.browse("/admin/orgs/test-ccg/breaches", Some(&declarant.cookie));
    assert_eq!(seen.status, 200);
    assert!(seen.body.contains("despite a declared interest") && !seen.body.contains("Careless"));

    // Amended through its form; a stale version is refused.
    let (_, all) = app.get(&app.api("/breaches"), None);
    let id = all[0]["id"].as_i64().unwrap();
    let amend = format!("/admin/orgs/test-ccg/breaches/{id}/amend");
    let form = app.browse(&amend, Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        form.body.contains("name=\"version\" value=\"1\"") && form.body.contains("Audit committee")
    );
    let head = app.head();
    let answer = send(
        &app,
        &amend,
        &browser,
        &breach_fields(
            &person,
            &[
                ("summary", "A member voted despite a declared interest."),
                ("version", "1"),
            ],
        ),
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        entries_after(&app, head),
        [("amend".into(), "breach".into())]
    );
    assert!(public(&app, "breaches/").contains("A member voted despite a declared interest."));
    let head = app.head();
    let stale = send(
        &app,
        &amend,
        &browser,
        &breach_fields(&person, &[("version", "1")]),
    );
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale
        .body
        .contains("This breach was changed by someone else"));
    assert_eq!(app.head(), head);
    // Governance only.
    assert_eq!(app.browse(&amend, Some(&auditor.cookie)).status, 403);
}

fn the_new_forms_without_their_csrf_token_are_refused(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Jane Smith", true);
    let id = record_offer(&app, &person, "Acme Medical Ltd");
    let browser = governance(&app);
    let head = app.head();
    let gift = format!("/admin/orgs/test-ccg/gifts/{id}");
    for (path, fields) in [
        (
            format!("{gift}/amend"),
            gift_fields("1", &[("giver", "Changed")]),
        ),
        (
            format!("{gift}/withhold"),
            vec![("version", "1"), ("reason", "Privacy")],
        ),
        (
            format!("{gift}/withdraw"),
            vec![("version", "1"), ("reason", "Error")],
        ),
        (
            "/admin/orgs/test-ccg/decisions/new".to_owned(),
            decision_fields("", &[("how_decided", "By the CFO")]),
        ),
        (
            "/admin/orgs/test-ccg/breaches/new".to_owned(),
            breach_fields("", &[]),
        ),
    ] {
        for token in [None, Some("not-the-token")] {
            let mut f = fields.clone();
            if let Some(t) = token {
                f.push(("csrf_token", t));
            }
            let answer = app.submit(&path, Some(&browser.cookie), &f);
            assert_eq!(answer.status, 403, "{path} {token:?}: {}", answer.body);
            assert!(answer.body.contains("This form has expired"));
        }
    }
    assert_eq!(app.head(), head, "nothing was written");
}

fn the_register_of_decisions_is_paged_fifty_at_a_time_newest_first(b: Backend) {
    let app = TestApp::spawn(b);
    for n in 1..=51 {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(n);
        let (s, d) = app.post(
            "/decisions",
            json!({"reference": format!("PCD-{n:03}"), "title": format!("Decision number {n}"),
                   "service_description": "A service", "service_status": "new", "route": "tender",
                   "decided_on": day.to_string(), "how_decided": "By the board",
                   "justification": "Best value", "value_pence": 100}),
        );
        assert_eq!(s, 201, "{d}");
    }
    let reader = app.account("audit@test.example", Role::Auditor, &["test-ccg"], None);
    let reader = app.sign_in(&reader);
    let list = "/admin/orgs/test-ccg/decisions";
    let first = app.browse(list, Some(&reader.cookie));
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body.matches("Decision number ").count(), 50);
    let newest = first.body.find("PCD-051").expect("the newest on page 1");
    assert!(newest < first.body.find("PCD-050").unwrap(), "newest first");
    assert!(!first.body.contains("PCD-001<"), "the oldest is on page 2");
    assert!(first.body.contains(&format!("href=\"{list}?page&#x3D;2\"")));
    let second = app.browse(&format!("{list}?page=2"), Some(&reader.cookie));
    assert_eq!(second.body.matches("Decision number ").count(), 1);
    assert!(
        second.body.contains("PCD-001<")
            && second
                .body
                .contains(&format!("href=\"{list}?page&#x3D;1\""))
    );
    for odd in ["?page=0", "?page=99", "?page=x"] {
        let page = app.browse(&format!("{list}{odd}"), Some(&reader.cookie));
        assert_eq!(page.status, 200, "{odd}");
        assert!(page.body.contains("PCD-051"), "{odd} is the first page");
    }
}

both_backends!(
    the_register_of_decisions_is_paged_fifty_at_a_time_newest_first,
    a_gift_is_amended_withheld_released_and_withdrawn_through_its_page,
    a_declarant_cannot_withhold_or_touch_another_persons_gift,
    a_decision_recorded_through_the_form_is_on_the_public_register,
    a_breach_is_recorded_and_amended_with_its_person_kept_from_the_public,
    the_new_forms_without_their_csrf_token_are_refused,
);
