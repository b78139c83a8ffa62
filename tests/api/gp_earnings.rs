//! The register of GP earnings: recorded, amended and withdrawn through the JSON API,
//! the web app's forms and the CSV import; each change one audit entry; refused input
//! (each field's problem) writes nothing; the published page, CSV, JSON and feed show
//! the figures in force.

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

fn one(action: &str) -> Vec<(String, String)> {
    vec![(action.to_owned(), "gp_earnings".to_owned())]
}

fn public(app: &TestApp, path: &str) -> String {
    let (s, text) = app.get_text(&format!("{}/test-ccg/{path}", app.base));
    assert_eq!(s, 200, "{path}: {text}");
    text
}

fn riverside() -> Value {
    json!({"practice_name": "Riverside Surgery", "ods_code": "b82005",
           "financial_year": "2025/26", "mean_earnings_pence": 10_400_000,
           "full_time_gps": 3, "part_time_gps": 2,
           "source_url": "https://riverside.example/gp-earnings"})
}

fn the_api_records_amends_and_withdraws_a_figure(b: Backend) {
    let app = TestApp::spawn(b);
    let head = app.head();

    // Every field's problem at once, and nothing written.
    let (s, e) = app.post("/gp-earnings", json!({}));
    assert_eq!(s, 422, "{e}");
    for field in [
        "practice_name",
        "ods_code",
        "financial_year",
        "mean_earnings_pence",
        "full_time_gps",
        "part_time_gps",
    ] {
        assert_eq!(e["fields"][field], "is required", "{field}: {e}");
    }
    let (s, e) = app.post(
        "/gp-earnings",
        json!({"practice_name": "Riverside Surgery", "ods_code": "B8200X",
               "financial_year": "2025/27", "mean_earnings_pence": 10_400_050,
               "full_time_gps": 0, "part_time_gps": 0, "source_url": "javascript:alert(1)"}),
    );
    assert_eq!(s, 422, "{e}");
    let f = &e["fields"];
    assert!(f["ods_code"].as_str().unwrap().contains("B82005"), "{e}");
    assert!(
        f["financial_year"].as_str().unwrap().contains("2025/26"),
        "{e}"
    );
    assert!(
        f["mean_earnings_pence"]
            .as_str()
            .unwrap()
            .contains("whole pounds"),
        "{e}"
    );
    assert!(
        f["part_time_gps"].as_str().unwrap().contains("at least 1"),
        "{e}"
    );
    assert!(
        f["source_url"].as_str().unwrap().contains("https://"),
        "{e}"
    );
    assert_eq!(app.head(), head, "nothing written");

    // Recorded: one entry; the page, the feed and the data files show it.
    let (s, g) = app.post("/gp-earnings", riverside());
    assert_eq!(s, 201, "{g}");
    assert_eq!(g["ods_code"], "B82005");
    assert_eq!(g["live"], true);
    assert_eq!(entries_after(&app, head), one("create"));
    let id = g["id"].as_i64().unwrap();
    let page = public(&app, "gp-earnings/");
    for text in [
        "Riverside Surgery",
        "ODS code B82005",
        "£104,000",
        "<caption class=\"nhsuk-table__caption nhsuk-table__caption--m\">GP earnings in 2025/26, by practice</caption>",
        "href=\"https://riverside.example/gp-earnings\"",
    ] {
        assert!(page.contains(text), "{text} in {page}");
    }
    let home = public(&app, "");
    assert!(home.contains("href=\"/test-ccg/gp-earnings/\""), "{home}");
    assert!(home.contains("GPs at 1 GP practice in the area"), "{home}");
    let feed = public(&app, "feeds/gp-earnings.xml");
    assert!(
        feed.contains("GP earnings recorded: Riverside Surgery (B82005), 2025/26"),
        "{feed}"
    );
    assert!(
        feed.contains(
            "Mean net earnings £104,000 per GP, covering 5 GPs (3 full-time, 2 part-time)."
        ),
        "{feed}"
    );
    app.wait_for_data_files();
    let csv = public(&app, "data/gp-earnings.csv");
    assert!(
        csv.contains(&format!(
            "{id},1,B82005,Riverside Surgery,2025/26,10400000,3,2,https://riverside.example/gp-earnings,"
        )),
        "{csv}"
    );
    let (_, doc) = app.get(
        &format!("{}/test-ccg/data/gp-earnings.json", app.base),
        None,
    );
    assert_eq!(doc["register"], "gp-earnings");
    assert_eq!(doc["records"][0]["mean_earnings_pence"], 10_400_000);
    assert!(public(&app, "data/").contains("gp-earnings.csv"));

    // A second figure for the practice and year is refused; another year is not.
    let head = app.head();
    let (s, e) = app.post("/gp-earnings", riverside());
    assert_eq!(s, 422, "{e}");
    assert!(
        e["fields"]["financial_year"]
            .as_str()
            .unwrap()
            .starts_with("already has a figure for practice B82005"),
        "{e}"
    );
    assert_eq!(app.head(), head);

    // Amended: one entry; a stale version is refused.
    let (s, a) = app.post(
        &format!("/gp-earnings/{id}/amend"),
        json!({"version": 1, "mean_earnings_pence": 10_900_000}),
    );
    assert_eq!(s, 201, "{a}");
    assert_eq!(a["version"], 2);
    assert_eq!(entries_after(&app, head), one("amend"));
    assert!(public(&app, "gp-earnings/").contains("£109,000"));
    let head = app.head();
    let (s, e) = app.post(
        &format!("/gp-earnings/{id}/amend"),
        json!({"version": 1, "part_time_gps": 4}),
    );
    assert_eq!(s, 409, "{e}");
    let (s, e) = app.post(
        &format!("/gp-earnings/{id}/amend"),
        json!({"version": 2, "part_time_gps": -4}),
    );
    assert_eq!(s, 422, "{e}");
    assert_eq!(app.head(), head);

    // Withdrawn with a reason: off the page and the data, kept in the API and the chain.
    let (s, e) = app.post(
        &format!("/gp-earnings/{id}/withdraw"),
        json!({"version": 2}),
    );
    assert_eq!(s, 422, "{e}");
    assert_eq!(e["fields"]["reason"], "is required");
    let (s, w) = app.post(
        &format!("/gp-earnings/{id}/withdraw"),
        json!({"version": 2, "reason": "Entered against the wrong practice"}),
    );
    assert_eq!(s, 201, "{w}");
    assert_eq!(w["status"], "withdrawn");
    assert_eq!(entries_after(&app, head), one("withdraw"));
    assert!(!public(&app, "gp-earnings/").contains("Riverside Surgery"));
    let feed = public(&app, "feeds/gp-earnings.xml");
    assert!(
        feed.contains("GP earnings withdrawn: Riverside Surgery"),
        "{feed}"
    );
    assert!(
        feed.contains("Entered against the wrong practice"),
        "{feed}"
    );
    app.wait_for_data_files();
    assert!(!public(&app, "data/gp-earnings.csv").contains("Riverside"));
    let (s, list) = app.get(&app.api("/gp-earnings"), None);
    assert_eq!(s, 200);
    assert_eq!(list[0]["status"], "withdrawn", "{list}");
    let (s, e) = app.post(
        &format!("/gp-earnings/{id}/amend"),
        json!({"version": 3, "part_time_gps": 4}),
    );
    assert_eq!(s, 409, "{e}");

    // The figure can now be entered again, correctly; the change pages list it.
    let (s, g) = app.post("/gp-earnings", riverside());
    assert_eq!(s, 201, "{g}");
    let changes = public(&app, "changes/");
    assert!(changes.contains("/test-ccg/changes/"), "{changes}");

    // Only a governance lead writes.
    let (s, _) = app.post_raw(&app.api("/gp-earnings"), None, &riverside().to_string());
    assert_eq!(s, 401);
}

fn send(app: &TestApp, path: &str, browser: &Browser, fields: &[(&str, &str)]) -> Page {
    let mut f = vec![("csrf_token", browser.csrf.as_str())];
    f.extend_from_slice(fields);
    app.submit(path, Some(&browser.cookie), &f)
}

const FORM: [(&str, &str); 7] = [
    ("practice_name", "Castle Street Medical Centre"),
    ("ods_code", "C81002"),
    ("financial_year", "2024/25"),
    ("mean_earnings", "£98,000"),
    ("full_time_gps", "4"),
    ("part_time_gps", "0"),
    ("source_url", ""),
];

fn the_forms_record_amend_and_withdraw_a_figure(b: Backend) {
    let app = TestApp::spawn(b);
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    const LIST: &str = "/admin/orgs/test-ccg/gp-earnings";
    let home = app.browse("/admin", Some(&browser.cookie));
    assert!(
        home.body.contains(&format!("href=\"{LIST}\"")),
        "{}",
        home.body
    );
    let form = app.browse(&format!("{LIST}/new"), Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    let head = app.head();

    // Sent empty: the error summary links to each field, and nothing is written.
    let refused = send(&app, &format!("{LIST}/new"), &browser, &[]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    for text in [
        "<a href=\"#practice_name\">Enter the practice&#x27;s name</a>",
        "<a href=\"#ods_code\">Enter the practice&#x27;s ODS code, such as B82005</a>",
        "<a href=\"#financial_year\">Enter the financial year, such as 2025/26</a>",
        "<a href=\"#mean_earnings\">Enter the mean net earnings per GP, in pounds</a>",
        "<a href=\"#full_time_gps\">Enter the number of full-time GPs, 0 if none</a>",
        "<a href=\"#part_time_gps\">Enter the number of part-time GPs, 0 if none</a>",
    ] {
        assert!(refused.body.contains(text), "{text} in {}", refused.body);
    }
    let mut bad = FORM.to_vec();
    bad[3] = ("mean_earnings", "lots");
    bad[2] = ("financial_year", "2024");
    let refused = send(&app, &format!("{LIST}/new"), &browser, &bad);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused.body.contains(
            "<a href=\"#mean_earnings\">Mean net earnings must be an amount in whole pounds"
        ),
        "{}",
        refused.body
    );
    assert!(refused.body.contains("<a href=\"#financial_year\">Financial year must be a financial year written as 2025/26"), "{}", refused.body);
    assert!(
        refused.body.contains("value=\"lots\""),
        "what was typed is kept"
    );
    assert_eq!(app.head(), head, "nothing written");

    // Recorded.
    let answer = send(&app, &format!("{LIST}/new"), &browser, &FORM);
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(entries_after(&app, head), one("create"));
    let list = app.browse(answer.location.as_deref().unwrap(), Some(&browser.cookie));
    assert!(
        list.body.contains("The GP earnings were recorded"),
        "{}",
        list.body
    );
    assert!(list.body.contains("£98,000") && list.body.contains("C81002"));
    let (_, all) = app.get(&app.api("/gp-earnings"), None);
    let id = all[0]["id"].as_i64().unwrap();
    assert_eq!(all[0]["mean_earnings_pence"], 9_800_000);
    assert!(public(&app, "gp-earnings/").contains("Castle Street Medical Centre"));

    // Amended: the form carries the figure in pounds and the version.
    let amend = format!("{LIST}/{id}/amend");
    let form = app.browse(&amend, Some(&browser.cookie));
    assert!(
        form.body.contains("value=\"98000\"") && form.body.contains("name=\"version\" value=\"1\""),
        "{}",
        form.body
    );
    let head = app.head();
    let mut changed = FORM.to_vec();
    changed[5] = ("part_time_gps", "2");
    changed.push(("version", "1"));
    let answer = send(&app, &amend, &browser, &changed);
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(entries_after(&app, head), one("amend"));
    let head = app.head();
    let stale = send(&app, &amend, &browser, &changed);
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(
        stale.body.contains("changed by someone else"),
        "{}",
        stale.body
    );
    assert_eq!(app.head(), head);

    // Withdrawn: a reason is needed.
    let withdraw = format!("{LIST}/{id}/withdraw");
    let refused = send(
        &app,
        &withdraw,
        &browser,
        &[("version", "2"), ("reason", "")],
    );
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(
        refused
            .body
            .contains("<a href=\"#reason\">Enter why the figure is withdrawn</a>"),
        "{}",
        refused.body
    );
    assert_eq!(app.head(), head);
    // A valid reason first asks whether they are sure: nothing is withdrawn yet.
    let asked = send(
        &app,
        &withdraw,
        &browser,
        &[("version", "2"), ("reason", "Duplicate of another entry")],
    );
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(
        asked
            .body
            .contains("Are you sure you want to withdraw this figure?"),
        "{}",
        asked.body
    );
    assert!(asked.body.contains("name=\"confirmed\" value=\"yes\""));
    assert!(
        asked.body.contains("Duplicate of another entry"),
        "the reason kept"
    );
    assert_eq!(app.head(), head);
    let answer = send(
        &app,
        &withdraw,
        &browser,
        &[
            ("version", "2"),
            ("reason", "Duplicate of another entry"),
            ("confirmed", "yes"),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(entries_after(&app, head), one("withdraw"));
    let list = app.browse(LIST, Some(&browser.cookie));
    assert!(
        list.body
            .contains("Withdrawn as entered in error: Duplicate of another entry"),
        "{}",
        list.body
    );
    assert!(!public(&app, "gp-earnings/").contains("Castle Street"));

    // A declarant sees no form.
    let person = app.add_person("Dr Declarant", true);
    let declarant = app.account(
        "me@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&person),
    );
    let theirs = app.sign_in(&declarant);
    assert_eq!(
        app.browse(&format!("{LIST}/new"), Some(&theirs.cookie))
            .status,
        403
    );
}

fn the_import_checks_every_row_then_writes_each_figure(b: Backend) {
    let app = TestApp::spawn(b);
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    const IMPORT: &str = "/admin/orgs/test-ccg/import";
    let header = "practice_name,ods_code,financial_year,mean_earnings,full_time_gps,part_time_gps,source_url\n";
    let head = app.head();
    let bad = format!(
        "{header}Riverside Surgery,B82005,2025/26,\"104,000\",3,2,\nRiverside Surgery,B82005,2025/26,104000,3,2,\nOakfield Surgery,B82099,2025/26,99000.50,0,0,\n"
    );
    let answer = send(
        &app,
        IMPORT,
        &browser,
        &[("kind", "gp-earnings"), ("csv", &bad)],
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    for text in [
        "row 2 (line 3): financial_year: B82005 2025/26 is also on row 1 (line 2)",
        "row 3 (line 4): mean_earnings_pence: must be whole pounds",
        "row 3 (line 4): part_time_gps: must be at least 1",
    ] {
        assert!(answer.body.contains(text), "{text} in {}", answer.body);
    }
    assert_eq!(app.head(), head, "nothing written");
    let good = format!(
        "{header}Riverside Surgery,B82005,2025/26,\"104,000\",3,2,https://riverside.example/\nOakfield Surgery,B82099,2024/25,99000,0,1,\n"
    );
    let answer = send(
        &app,
        IMPORT,
        &browser,
        &[("kind", "gp-earnings"), ("csv", &good)],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        entries_after(&app, head),
        [one("create"), one("create")].concat()
    );
    let page = public(&app, "gp-earnings/");
    assert!(
        page.contains("Riverside Surgery") && page.contains("Oakfield Surgery"),
        "{page}"
    );
    assert!(
        page.find("2025/26").unwrap() < page.find("2024/25").unwrap(),
        "newest year first"
    );
}

both_backends!(
    the_api_records_amends_and_withdraws_a_figure,
    the_forms_record_amend_and_withdraw_a_figure,
    the_import_checks_every_row_then_writes_each_figure,
);
