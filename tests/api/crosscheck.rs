//! Cross-checks with evidence: a member recorded as having stayed and taken part in an
//! item against their own declaration ("Leaves the room for podiatry items", or a
//! financial interest) is refused without the chair's reason and accepted with it, the
//! reason is published with the minutes, and the meeting's page prompts a breach record
//! with one click; a supplier's gift over the limit accepted without approval is refused.

use crate::both_backends;
use crate::committees::{meeting, setup};
use crate::helpers::{Backend, Browser, Page, TestApp};
use coi_register::store::users::Role;
use serde_json::{json, Value};

const PODIATRY: &str = "Leaves the room for podiatry items";
const REASON: &str = "The only clinician present with podiatry expertise; the committee agreed";

/// Dr Anna Gp's declaration of a role with a podiatry provider, managed by leaving the
/// room for podiatry items.
fn podiatry_declaration(app: &TestApp, person: &str) -> i64 {
    let (s, d) = app.post(
        "/declarations",
        json!({
            "person": person, "interest_type": "non_financial_professional",
            "description": "Clinical adviser", "body": "Footsteps Podiatry Ltd",
            "arose_on": "2026-01-05", "declared_on": "2026-01-20", "mitigation": PODIATRY,
        }),
    );
    assert_eq!(s, 201, "{d}");
    d["id"].as_str().unwrap().parse().unwrap()
}

fn item(person: &str, declaration: i64, decision: &str, reason: Option<&str>) -> Value {
    json!({"number": "7", "title": "Community podiatry service: award of contract", "conflicts": [
        {"person": person, "declaration": declaration, "nature": "Clinical adviser to a bidder",
         "decision": decision, "took_part_reason": reason},
    ]})
}

fn took_part_against_a_declaration_needs_the_chairs_reason_which_is_published(b: Backend) {
    let app = TestApp::spawn(b);
    let p = setup(&app);
    let mid = meeting(&app, &p)["id"].as_i64().unwrap();
    let d = podiatry_declaration(&app, &p.gp[0]);
    let items = format!("/meetings/{mid}/items");
    let head = app.head();

    let (s, e) = app.post(&items, item(&p.gp[0], d, "took_part", None));
    assert_eq!(s, 422, "{e}");
    let why = e["fields"]["conflicts[0].took_part_reason"]
        .as_str()
        .unwrap();
    assert!(
        why.starts_with("is required: Dr Anna Gp stayed and took part")
            && why.contains(&format!("declaration {d} says \"{PODIATRY}\"")),
        "{why}"
    );
    let (s, e) = app.post(&items, item(&p.gp[0], d, "left_room", Some(REASON)));
    assert_eq!(
        (s, e["fields"]["conflicts[0].took_part_reason"].as_str()),
        (
            422,
            Some("applies only to a member who stayed and took part")
        ),
        "{e}"
    );
    assert_eq!(app.head(), head, "refused means unchanged");
    // A financial interest needs the reason whatever its action says.
    let (s, fin) = app.post(
        "/declarations",
        json!({"person": p.gp[1], "interest_type": "financial", "description": "Shareholder",
               "body": "Footsteps Podiatry Ltd", "arose_on": "2026-01-05",
               "declared_on": "2026-01-20", "mitigation": "Declared at each meeting"}),
    );
    assert_eq!(s, 201, "{fin}");
    let fin: i64 = fin["id"].as_str().unwrap().parse().unwrap();
    let head = app.head();
    let (s, e) = app.post(&items, item(&p.gp[1], fin, "took_part", None));
    assert_eq!(s, 422, "{e}");
    assert!(e["fields"]["conflicts[0].took_part_reason"]
        .as_str()
        .unwrap()
        .contains("is a financial interest"));
    assert_eq!(app.head(), head, "refused means unchanged");

    let (s, i) = app.post(&items, item(&p.gp[0], d, "took_part", Some(REASON)));
    assert_eq!(s, 201, "{i}");
    assert_eq!(app.head(), head + 1, "one audit entry");
    assert_eq!(i["conflicts"][0]["took_part_reason"], REASON);
    assert_eq!(i["conflicts"][0]["declaration"], d);
    let id = i["id"].as_i64().unwrap();
    let (s, o) = app.post(
        &format!("/items/{id}/outcome"),
        json!({"version": 1, "outcome": "decided", "decision": "Award to Footsteps Podiatry Ltd"}),
    );
    assert_eq!(s, 201, "{o}");

    let (s, html) = app.get_text(&format!(
        "{}/test-ccg/committees/pccc/meetings/2026-03-04/",
        app.base
    ));
    assert_eq!(s, 200, "{html}");
    assert!(
        html.contains(&format!(
            "Stayed and took part<span class=\"app-hint\">The chair's reason for letting them take part: {REASON}</span>"
        )),
        "{html}"
    );
}

fn lead(app: &TestApp) -> Browser {
    let account = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    app.sign_in(&account)
}

fn send(app: &TestApp, browser: &Browser, path: &str, fields: &[(&str, &str)]) -> Page {
    let mut f = vec![("csrf_token", browser.csrf.as_str())];
    f.extend_from_slice(fields);
    app.submit(path, Some(&browser.cookie), &f)
}

fn the_item_form_offers_declarations_and_the_meeting_prompts_a_breach(b: Backend) {
    let app = TestApp::spawn(b);
    let p = setup(&app);
    let mid = meeting(&app, &p)["id"].as_i64().unwrap();
    let d = podiatry_declaration(&app, &p.gp[0]);
    let browser = lead(&app);
    let base = format!("/admin/orgs/test-ccg/committees/pccc/meetings/{mid}");
    let form = app.browse(&format!("{base}/items/new"), Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    let offered = format!(
        "<option value=\"{d}\">Dr Anna Gp, declaration {d}: Non-financial professional interest, Footsteps Podiatry Ltd ({PODIATRY})</option>"
    );
    assert!(form.body.contains(&offered), "{offered} in {}", form.body);

    let head = app.head();
    let d_text = d.to_string();
    let mut fields = vec![
        ("number", "7"),
        ("title", "Community podiatry service"),
        ("description", ""),
        ("conflicts-0-person", p.gp[0].as_str()),
        ("conflicts-0-declaration", d_text.as_str()),
        ("conflicts-0-nature", "Clinical adviser to a bidder"),
        ("conflicts-0-decision", "took_part"),
        ("conflicts-0-took_part_reason", ""),
    ];
    let refused = send(&app, &browser, &format!("{base}/items/new"), &fields);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("There is a problem"));
    assert!(
        refused
            .body
            .contains("<a href=\"#conflicts-0-took_part_reason\">Conflict 1: chair&#x27;s reason is required: Dr Anna Gp stayed and took part"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("id=\"conflicts-0-took_part_reason\""));
    assert_eq!(app.head(), head, "nothing was written");

    fields.pop();
    fields.push(("conflicts-0-took_part_reason", REASON));
    let answer = send(&app, &browser, &format!("{base}/items/new"), &fields);
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 1, "one audit entry");
    let shown = app.browse(answer.location.as_deref().unwrap(), Some(&browser.cookie));
    for text in [
        format!("Stayed and took part<span class=\"app-hint app-note\">The chair's reason: {REASON}</span>"),
        "Dr Anna Gp took part against their declaration".to_owned(),
        "<form method=\"get\" action=\"/admin/orgs/test-ccg/breaches/new\" novalidate>".to_owned(),
        "<input type=\"hidden\" name=\"occurred_on\" value=\"2026-03-04\">".to_owned(),
        format!("<input type=\"hidden\" name=\"person\" value=\"{}\">", p.gp[0]),
        "Record a breach<span class=\"nhsuk-u-visually-hidden\"> for Dr Anna Gp at item 7</span>".to_owned(),
    ] {
        assert!(shown.body.contains(&text), "{text} in {}", shown.body);
    }

    // The button's one click: the breach form, filled in, without the member's name.
    let summary = "At item 7 (Community podiatry service) of the Primary Care Commissioning Committee meeting on 2026-03-04, a member stayed and took part although their declaration says they stand aside from such items.";
    let query = format!(
        "occurred_on=2026-03-04&person={}&summary={}",
        p.gp[0],
        summary.replace(' ', "+").replace(',', "%2C")
    );
    let breach = app.browse(
        &format!("/admin/orgs/test-ccg/breaches/new?{query}"),
        Some(&browser.cookie),
    );
    assert_eq!(breach.status, 200, "{}", breach.body);
    assert!(
        breach.body.contains("value=\"2026-03-04\""),
        "{}",
        breach.body
    );
    assert!(breach.body.contains(summary), "{}", breach.body);
    assert!(
        breach
            .body
            .contains(&format!("<option value=\"{}\" selected>", p.gp[0])),
        "{}",
        breach.body
    );
    assert_eq!(app.head(), head + 1, "showing the form writes nothing");
}

fn a_supplier_gift_over_the_limit_accepted_without_approval_is_refused_on_the_form(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Jane Smith", true);
    let browser = lead(&app);
    let new = "/admin/orgs/test-ccg/gifts/new";
    let head = app.head();
    let mut offer = vec![
        ("person", person.as_str()),
        ("giver", "Acme Medical Ltd"),
        ("giver_is_supplier", "true"),
        ("kind", "gift"),
        ("description", "A leather bag"),
        ("value", "40"),
        ("offered_on", "2026-05-01"),
        ("outcome", "accepted"),
        ("approved_by", ""),
        ("declared_on", "2026-05-02"),
    ];
    let answer = send(&app, &browser, new, &offer);
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.body.contains("<a href=\"#approved_by\">Gifts from suppliers or contractors worth over £6 are declared and should normally be declined"),
        "{}",
        answer.body
    );
    assert_eq!(app.head(), head, "nothing was written");
    offer.retain(|(k, _)| *k != "approved_by");
    offer.push(("approved_by", "Director of Finance"));
    let answer = send(&app, &browser, new, &offer);
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 1);
}

/// An item recorded while the declaration said nothing of standing aside, whose
/// declaration is then amended to say so: its decision is refused until the item gives
/// the chair's reason.
fn a_decision_is_refused_while_a_member_took_part_against_their_amended_declaration(b: Backend) {
    let app = TestApp::spawn(b);
    let p = setup(&app);
    let mid = meeting(&app, &p)["id"].as_i64().unwrap();
    let (s, d) = app.post(
        "/declarations",
        json!({
            "person": p.gp[0], "interest_type": "non_financial_professional",
            "description": "Clinical adviser", "body": "Footsteps Podiatry Ltd",
            "arose_on": "2026-01-05", "declared_on": "2026-01-20",
            "mitigation": "Declared at each meeting",
        }),
    );
    assert_eq!(s, 201, "{d}");
    let did: i64 = d["id"].as_str().unwrap().parse().unwrap();
    let (s, i) = app.post(
        &format!("/meetings/{mid}/items"),
        item(&p.gp[0], did, "took_part", None),
    );
    assert_eq!(s, 201, "{i}");
    let (s, a) = app.post(
        &format!("/declarations/{did}/amend"),
        json!({"version": 1, "mitigation": PODIATRY}),
    );
    assert_eq!(s, 201, "{a}");
    let id = i["id"].as_i64().unwrap();
    let head = app.head();
    let decide = |version: i64| {
        app.post(
            &format!("/items/{id}/outcome"),
            json!({"version": version, "outcome": "decided", "decision": "Award"}),
        )
    };
    let (s, e) = decide(1);
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["outcome"]
            .as_str()
            .unwrap()
            .starts_with("Dr Anna Gp stayed and took part, but their declaration"),
        "{e}"
    );
    assert_eq!(app.head(), head, "refused means unchanged");
    let mut amended = item(&p.gp[0], did, "took_part", Some(REASON));
    amended["version"] = json!(1);
    let (s, i) = app.post(&format!("/items/{id}/amend"), amended);
    assert_eq!(s, 201, "{i}");
    let (s, o) = decide(2);
    assert_eq!(s, 201, "{o}");
}

both_backends!(
    took_part_against_a_declaration_needs_the_chairs_reason_which_is_published,
    a_decision_is_refused_while_a_member_took_part_against_their_amended_declaration,
    the_item_form_offers_declarations_and_the_meeting_prompts_a_breach,
    a_supplier_gift_over_the_limit_accepted_without_approval_is_refused_on_the_form,
);
