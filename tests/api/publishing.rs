//! The public site: a write is live when the API answers; what the public may not see
//! (withheld, non-decision-making staff, long-ended interests) is on no page, feed or file.

use crate::both_backends;
use crate::helpers::{declaration, sql, Backend, TestApp};
use coi_register::audit::verify::parse_line;
use coi_register::audit::verify_entries;
use serde_json::json;

fn a_declaration_reaches_pages_feeds_data_and_chain(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let d = app.declare(
        &person,
        "Partner at **Riverside** Surgery <script>alert('x')</script>",
    );
    let seq = d["audit_seq"].as_i64().unwrap();
    let sha = d["entry_sha256"].as_str().unwrap();

    let (s, page) = app.get_text(&format!("{}/test-ccg/interests/{person}/", app.base));
    assert_eq!(s, 200);
    assert!(
        page.contains("<strong>Riverside</strong>"),
        "markdown is rendered"
    );
    assert!(
        !page.contains("<script") && !page.contains("alert("),
        "script never reaches a page"
    );
    let (_, register) = app.get_text(&format!("{}/test-ccg/interests/", app.base));
    assert!(register.contains("Dr Anita Shah"));
    let (_, feed) = app.get_text(&format!("{}/test-ccg/feeds/interests.xml", app.base));
    assert!(
        feed.contains(&format!("<audit:seq>{seq}</audit:seq>")) && feed.contains(sha),
        "feed items carry seq and hash"
    );
    assert!(!feed.contains("<script"), "feeds are sanitised too");
    let (_, all) = app.get_text(&format!("{}/test-ccg/feeds/all.xml", app.base));
    assert!(all.contains(sha));
    // The bulk data files follow the pages off the writer's path.
    app.wait_for_data_files();
    let (_, csv) = app.get_text(&format!("{}/test-ccg/data/interests.csv", app.base));
    assert!(csv.starts_with('\u{feff}'), "CSV starts with a BOM");
    let mut rows = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let header = rows.headers().unwrap().clone();
    assert_eq!(header.get(0), Some("id"));
    let records: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].get(7),
        Some("Partner at Riverside Surgery"),
        "CSV descriptions are plain text"
    );
    let (_, json) = app.get(&format!("{}/test-ccg/data/interests.json", app.base), None);
    assert_eq!(json["records"][0]["person_slug"], person);

    let (_, chain) = app.get_text(&format!("{}/test-ccg/audit/chain.jsonl", app.base));
    let summary = verify_entries(chain.lines().map(parse_line), None).unwrap();
    assert_eq!(summary.entries, seq);
    assert_eq!(summary.head, sha);
}

fn withheld_and_unpublishable_entries_appear_nowhere_public(b: Backend) {
    let app = TestApp::spawn(b);
    let gp = app.add_person("Dr Anita Shah", true);
    let clerk = app.add_person("Mr Filing Clerk", false);
    let withheld = app.declare(&gp, "WITHHELDMARKER directorship");
    app.declare(&clerk, "CLERKMARKER shareholding");
    let mut old = declaration(&gp, "OLDMARKER consultancy");
    old["arose_on"] = json!("2020-01-01");
    old["declared_on"] = json!("2020-01-10");
    old["ended_on"] = json!("2024-12-31");
    let (s, _) = app.post("/declarations", old);
    assert_eq!(s, 201);
    let visible = app.declare(&gp, "VISIBLEMARKER trusteeship");
    let id = withheld["id"].as_str().unwrap();
    let (s, w) = app.post(
        &format!("/declarations/{id}/withhold"),
        json!({"version": 1, "reason": "Risk of harm"}),
    );
    assert_eq!(s, 201, "{w}");
    let (s, _) = app.post(
        "/gifts",
        json!({"person": clerk, "giver": "GIFTMARKER Ltd", "kind": "gift", "description": "Pen",
        "value_pence": 9000, "offered_on": "2026-05-01", "outcome": "declined"}),
    );
    assert_eq!(s, 201);

    let files = app.site_files();
    assert!(
        files.iter().any(|(_, t)| t.contains("VISIBLEMARKER")),
        "the check can see published text"
    );
    for marker in [
        "WITHHELDMARKER",
        "CLERKMARKER",
        "OLDMARKER",
        "GIFTMARKER",
        "Filing Clerk",
        "Risk of harm",
    ] {
        for (path, text) in &files {
            assert!(
                !text.contains(marker),
                "{marker} found in public file {path}"
            );
        }
    }
    // Still recorded, still in the chain: the withheld entries' payloads are null in the
    // public export, and their hashes still verify.
    let (_, chain) = app.get_text(&format!("{}/test-ccg/audit/chain.jsonl", app.base));
    let entries: Vec<_> = chain.lines().map(|l| parse_line(l).unwrap()).collect();
    let about_withheld: Vec<_> = entries
        .iter()
        .filter(|e| e.header.entity == "declaration" && e.header.entity_id == id)
        .collect();
    assert_eq!(about_withheld.len(), 2);
    assert!(about_withheld.iter().all(|e| e.payload.is_none()));
    verify_entries(entries.into_iter().map(Ok), None).unwrap();
    let (_, list) = app.get(&app.api("/declarations"), None);
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "the public API shows only the visible entry: {list}"
    );
    assert_eq!(list[0]["id"], visible["id"]);
    let (_, all) = app.get(&app.api("/declarations"), Some(&app.token));
    assert_eq!(
        all.as_array().unwrap().len(),
        4,
        "a governance lead sees everything"
    );
    let (_, entries) = app.get(&app.api("/audit/entries?start=1"), Some(&app.token));
    assert!(
        entries
            .as_array()
            .unwrap()
            .iter()
            .all(|e| !e["payload"].is_null()),
        "governance reads every payload"
    );
}

fn people_who_declared_nothing_are_listed_by_name(b: Backend) {
    let app = TestApp::spawn(b);
    app.add_person("Ms Never Declared", true);
    app.add_person("Mr Not Decision Making", false);
    let page = std::fs::read_to_string(app.site.join("test-ccg/interests/index.html")).unwrap();
    assert!(page.contains("Ms Never Declared") && page.contains("No declaration received"));
    assert!(!page.contains("Mr Not Decision Making"));
    // The register's age: one of one decision-making person has no review at all.
    // The register's age: one of one decision-making person has no review at all, and
    // was added today, so is not yet due.
    assert!(
        page.contains("Nobody is overdue: 1 of 1 decision-making staff was added in the last 28 days and is not yet due."),
        "{page}"
    );
    let mut c = app.conn();
    sql(&mut c, "UPDATE people SET added_on = '2000-01-01'");
    let gp = app.add_person("Dr Recent Declarant", true);
    app.declare(&gp, "Partner, Riverside Surgery");
    let page = std::fs::read_to_string(app.site.join("test-ccg/interests/index.html")).unwrap();
    assert!(page.contains("1 of 2 decision-making staff"), "{page}");
}

fn a_person_leaving_decision_making_disappears_from_the_site(b: Backend) {
    let app = TestApp::spawn(b);
    let p = app.add_person("Dr Moving On", true);
    app.declare(&p, "LEAVERMARKER partnership");
    assert!(app
        .site
        .join(format!("test-ccg/interests/{p}/index.html"))
        .exists());
    let (s, body) = app.post(
        &format!("/people/{p}/amend"),
        json!({"version": 1, "decision_making": false}),
    );
    assert_eq!(s, 201, "{body}");
    assert!(!app.site.join(format!("test-ccg/interests/{p}")).exists());
    assert!(app
        .site_files()
        .iter()
        .all(|(_, t)| !t.contains("LEAVERMARKER")));
}

/// The public chain export after every write: complete, verifying, and never showing
/// the payload of a record that is withheld, whether the export was appended to or
/// written again.
fn the_chain_export_stays_whole_as_it_grows(b: Backend) {
    let app = TestApp::spawn(b);
    let gp = app.add_person("Dr Anita Shah", true);
    let check = |withheld: Option<&str>| {
        let text = std::fs::read_to_string(app.site.join(format!("{}/audit/chain.jsonl", app.org)))
            .unwrap();
        let entries: Vec<_> = text
            .lines()
            .map(coi_register::audit::verify::parse_line)
            .collect();
        assert_eq!(entries.len() as i64, app.head(), "one line per entry");
        let summary = coi_register::audit::verify_entries(entries.clone(), None).expect("verifies");
        assert_eq!(summary.entries as i64, app.head());
        for e in entries.into_iter().map(Result::unwrap) {
            if Some(e.header.entity_id.as_str()) == withheld && e.header.entity == "declaration" {
                assert!(
                    e.payload.is_none(),
                    "withheld payload of seq {} exported",
                    e.header.seq
                );
            }
        }
    };
    let mut ids = Vec::new();
    for k in 0..4 {
        ids.push(
            app.declare(&gp, &format!("Directorship {k}"))["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
        check(None);
    }
    let (s, _) = app.post(
        &format!("/declarations/{}/withhold", ids[1]),
        json!({"version": 1, "reason": "Risk of harm"}),
    );
    assert_eq!(s, 201);
    check(Some(&ids[1]));
    for k in 0..3 {
        app.declare(&gp, &format!("Trusteeship {k}"));
        check(Some(&ids[1]));
    }
}

both_backends!(
    the_chain_export_stays_whole_as_it_grows,
    a_declaration_reaches_pages_feeds_data_and_chain,
    withheld_and_unpublishable_entries_appear_nowhere_public,
    people_who_declared_nothing_are_listed_by_name,
    a_person_leaving_decision_making_disappears_from_the_site,
);
