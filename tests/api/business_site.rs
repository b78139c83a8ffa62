//! Committee business on the public site: meeting minutes with conflicts, quorum and
//! outcomes; the register of procurement decisions as pages, feed and open data; the
//! record of breaches anonymised everywhere, down to the chain export.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use coi_register::audit::verify::parse_line;
use coi_register::audit::verify_entries;
use coi_register::publish::exports::DECISION_COLUMNS;
use serde_json::{json, Value};

struct Minutes {
    lay: Vec<String>,
    gp: Vec<String>,
    declaration: i64,
    meeting: i64,
    decision_seq: i64,
    decision_sha: String,
}

/// A PCCC (quorum 5, with a lay and an executive member) meeting on 4 March 2026: item 5
/// inquorate once three conflicted GPs leave, so deferred; item 6 decided, and taken as
/// procurement decision PCD-2026-002; PCD-2026-003 decided by an officer, then withdrawn.
fn minutes(app: &TestApp) -> Minutes {
    let p = |n: &str| app.add_person(n, true);
    let lay = vec![p("Helen Lay"), p("Robert Lay"), p("Aisha Lay")];
    let exec = vec![p("Claire Exec"), p("Imran Exec")];
    let gp = vec![p("Dr Anna Gp"), p("Dr Ben Gp"), p("Dr Cara Gp")];
    let observer = app.add_person("Pat Healthwatch", false);
    let m = |person: &str, category: &str, role: &str| json!({"person": person, "category": category, "role": role, "from": "2026-01-01"});
    let (s, c) = app.post(
        "/committees",
        json!({
            "name": "Primary Care Commissioning Committee", "slug": "pccc",
            "terms_of_reference": "Commissions **primary medical services**. <script>alert(1)</script>",
            "quorum_minimum": 5, "quorum_required": ["lay", "executive"],
            "members": [
                m(&lay[0], "lay", "chair"), m(&lay[1], "lay", "vice_chair"), m(&lay[2], "lay", "member"),
                m(&exec[0], "executive", "member"), m(&exec[1], "executive", "member"),
                m(&gp[0], "clinical", "member"), m(&gp[1], "clinical", "member"), m(&gp[2], "clinical", "member"),
                {"person": observer, "category": "observer", "from": "2026-01-01"},
            ]
        }),
    );
    assert_eq!(s, 201, "{c}");
    let mut attendance = serde_json::Map::new();
    for who in lay[..2].iter().chain(&exec).chain(&gp) {
        attendance.insert(who.clone(), json!("present"));
    }
    attendance.insert(lay[2].clone(), json!("apologies"));
    let (s, meeting) = app.post(
        "/committees/pccc/meetings",
        json!({"held_on": "2026-03-04", "attendance": attendance}),
    );
    assert_eq!(s, 201, "{meeting}");
    let meeting = meeting["id"].as_i64().unwrap();
    let declared = app.declare(&gp[0], "Partner, Riverside Surgery");
    let declaration: i64 = declared["id"].as_str().unwrap().parse().unwrap();
    let (s, item) = app.post(
        &format!("/meetings/{meeting}/items"),
        json!({"number": "5", "title": "Extended access: award of contract", "conflicts": [
            {"person": gp[0], "declaration": declaration, "nature": "Partner at a practice in the bidding federation", "decision": "left_room"},
            {"person": gp[1], "nature": "Salaried GP at a bidding practice", "decision": "left_room"},
            {"person": gp[2], "nature": "Partner at a bidding practice", "decision": "stayed_not_voting"},
        ]}),
    );
    assert_eq!(s, 201, "{item}");
    let deferred_item = item["id"].as_i64().unwrap();
    let (s, e) = app.post(
        &format!("/items/{deferred_item}/outcome"),
        json!({"version": 1, "outcome": "deferred", "reason": "Inquorate once conflicted members left; to the April meeting"}),
    );
    assert_eq!(s, 201, "{e}");
    let (s, item) = app.post(
        &format!("/meetings/{meeting}/items"),
        json!({"number": "6", "title": "Phlebotomy: extension", "description": "Extend the *community* service."}),
    );
    assert_eq!(s, 201, "{item}");
    let decided_item = item["id"].as_i64().unwrap();
    let (s, e) = app.post(
        &format!("/items/{decided_item}/outcome"),
        json!({"version": 1, "outcome": "decided", "decision": "Extend for 12 months"}),
    );
    assert_eq!(s, 201, "{e}");
    let (s, d) = app.post(
        "/decisions",
        json!({"reference": "PCD-2026-002", "title": "Community phlebotomy", "service_description": "Blood tests, *closer to home*",
            "service_status": "existing", "route": "extension", "item": decided_item, "justification": "Continuity of care",
            "supplier": "Northshire Community Health", "value_pence": 1_800_050, "term_months": 12, "starts_on": "2026-04-01",
            "comments": "Break clause at 6 months, \"if needed\""}),
    );
    assert_eq!(s, 201, "{d}");
    let decision_seq = d["audit_seq"].as_i64().unwrap();
    let decision_sha = d["entry_sha256"].as_str().unwrap().to_owned();
    let (s, d) = app.post(
        "/decisions",
        json!({"reference": "PCD-2026-003", "title": "Translation services", "service_description": "Interpreting",
            "service_status": "new", "route": "single_tender_waiver", "decided_on": "2026-02-10",
            "how_decided": "Chief Finance Officer under delegated authority", "conflicts_note": "None declared",
            "justification": "Urgent need", "value_pence": 500_000}),
    );
    assert_eq!(s, 201, "{d}");
    let (s, w) = app.post(
        "/decisions/PCD-2026-003/withdraw",
        json!({"version": 1, "reason": "Recorded in error"}),
    );
    assert_eq!(s, 201, "{w}");
    Minutes {
        lay,
        gp,
        declaration,
        meeting,
        decision_seq,
        decision_sha,
    }
}

fn page(app: &TestApp, path: &str) -> String {
    let (s, text) = app.get_text(&format!("{}/test-ccg/{path}", app.base));
    assert_eq!(s, 200, "{path}: {text}");
    text
}

fn a_meeting_page_shows_conflicts_quorum_and_outcomes(b: Backend) {
    let app = TestApp::spawn(b);
    let m = minutes(&app);
    let html = page(&app, "committees/pccc/meetings/2026-03-04/");
    for expected in [
        "Dr Anna Gp",
        "Partner at a practice in the bidding federation",
        "Left the room",
        "Stayed but did not vote",
        &format!(
            "/test-ccg/interests/{}/#declaration-{}",
            m.gp[0], m.declaration
        ),
        "id=\"item-5\"",
        "id=\"item-6\"",
        "Not quorate",
        "4 voting members count for this item; the quorum is 5",
        "Deferred",
        "Inquorate once conflicted members left; to the April meeting",
        "Quorate",
        "Extend for 12 months",
        "<em>community</em>",
        "/test-ccg/decisions/pcd-2026-002/",
        "Apologies",
        "/test-ccg/feeds/committees/pccc.xml",
    ] {
        assert!(
            html.contains(expected),
            "{expected:?} missing from the meeting page"
        );
    }
    // Item 5 comes before item 6, and who presided over item 6 is named and linked.
    assert!(html.find("id=\"item-5\"") < html.find("id=\"item-6\""));
    assert!(html.contains(&format!(
        "Presided over by <a href=\"/test-ccg/interests/{}/\">Helen Lay</a>",
        m.lay[0]
    )));
    // The observer attends but is not published in the register of interests: named, not linked.
    assert!(html.contains("Pat Healthwatch") && !html.contains("/interests/pat-healthwatch/"));

    let committee = page(&app, "committees/pccc/");
    for expected in [
        "<strong>primary medical services</strong>",
        "At least 5 voting members, including a lay member and an executive member; more than half of those counting lay or executive members, and a lay member without a conflict to preside",
        "Properly constituted",
        "Helen Lay",
        "Vice-chair",
        "Attendee/observer",
        "Non-voting",
        "/test-ccg/committees/pccc/meetings/2026-03-04/",
    ] {
        assert!(
            committee.contains(expected),
            "{expected:?} missing from the committee page"
        );
    }
    assert!(
        !committee.contains("<script"),
        "terms of reference are sanitised"
    );
    let list = page(&app, "committees/");
    assert!(list.contains("/test-ccg/committees/pccc/") && list.contains("Helen Lay"));
    let home = page(&app, "");
    for register in ["committees/", "decisions/", "breaches/"] {
        assert!(
            home.contains(&format!("/test-ccg/{register}")),
            "{register}"
        );
    }

    // The committee's feed, for observers, tells the story item by item.
    let (_, xml) = app.get_text(&format!("{}/test-ccg/feeds/committees/pccc.xml", app.base));
    let feed = rss::Channel::read_from(xml.as_bytes()).expect("the committee feed parses");
    let titles: Vec<&str> = feed.items().iter().filter_map(|i| i.title()).collect();
    assert!(titles.contains(
        &"Item 5 deferred: Extended access: award of contract (Primary Care Commissioning Committee, 4 March 2026)"
    ), "{titles:?}");
    assert!(titles.contains(
        &"3 conflicts declared on item 5: Extended access: award of contract (Primary Care Commissioning Committee, 4 March 2026)"
    ), "{titles:?}");
    assert!(feed
        .items()
        .iter()
        .all(|i| i.link().unwrap().starts_with(&app.base)));
    let deferred = feed
        .items()
        .iter()
        .find(|i| i.title().unwrap().starts_with("Item 5 deferred"))
        .unwrap();
    assert_eq!(
        deferred.link(),
        Some(
            format!(
                "{}/test-ccg/committees/pccc/meetings/2026-03-04/#item-5",
                app.base
            )
            .as_str()
        )
    );
    assert!(deferred.extensions()["audit"]["seq"][0].value().is_some());

    // A person's page becoming unpublished unlinks them from the minutes.
    let (s, e) = app.post(
        &format!("/people/{}/amend", m.gp[0]),
        json!({"version": 1, "decision_making": false}),
    );
    assert_eq!(s, 201, "{e}");
    let html = page(&app, "committees/pccc/meetings/2026-03-04/");
    assert!(html.contains("Dr Anna Gp"));
    assert!(
        !html.contains(&format!("/test-ccg/interests/{}/", m.gp[0])),
        "no link to a page that is not published"
    );
}

fn moved_meetings_and_renamed_decisions_leave_no_stale_page(b: Backend) {
    let app = TestApp::spawn(b);
    minutes(&app);
    let (s, e) = app.post(
        "/committees/pccc/meetings",
        json!({"held_on": "2026-04-01", "attendance": {}}),
    );
    assert_eq!(s, 201, "{e}");
    let april = e["id"].as_i64().unwrap();
    page(&app, "committees/pccc/meetings/2026-04-01/");
    let (s, e) = app.post(
        &format!("/meetings/{april}/amend"),
        json!({"version": 1, "held_on": "2026-04-08"}),
    );
    assert_eq!(s, 201, "{e}");
    page(&app, "committees/pccc/meetings/2026-04-08/");
    let (s, _) = app.get_text(&format!(
        "{}/test-ccg/committees/pccc/meetings/2026-04-01/",
        app.base
    ));
    assert_eq!(s, 404, "the old date's page is gone");

    let (s, e) = app.post(
        "/decisions/PCD-2026-002/amend",
        json!({"version": 1, "reference": "PCD-2026-002A"}),
    );
    assert_eq!(s, 201, "{e}");
    page(&app, "decisions/pcd-2026-002a/");
    let (s, _) = app.get_text(&format!("{}/test-ccg/decisions/pcd-2026-002/", app.base));
    assert_eq!(s, 404, "the old reference's page is gone");
    let meeting = page(&app, "committees/pccc/meetings/2026-03-04/");
    assert!(
        meeting.contains("/test-ccg/decisions/pcd-2026-002a/")
            && !meeting.contains("/test-ccg/decisions/pcd-2026-002/"),
        "the meeting links to the decision where it is now"
    );

    let (s, e) = app.post(
        "/committees/pccc/amend",
        json!({"version": 1, "slug": "primary-care"}),
    );
    assert_eq!(s, 201, "{e}");
    page(&app, "committees/primary-care/meetings/2026-03-04/");
    let (s, _) = app.get_text(&format!("{}/test-ccg/committees/pccc/", app.base));
    assert_eq!(s, 404, "the old slug's pages are gone");
    let (s, _) = app.get_text(&format!("{}/test-ccg/feeds/committees/pccc.xml", app.base));
    assert_eq!(s, 404, "and its feed");
    let decision = page(&app, "decisions/pcd-2026-002a/");
    assert!(decision.contains("/test-ccg/committees/primary-care/meetings/2026-03-04/#item-6"));
}

fn the_register_of_decisions_is_pages_feed_and_open_data(b: Backend) {
    let app = TestApp::spawn(b);
    let m = minutes(&app);

    let register = page(&app, "decisions/");
    for expected in [
        "/test-ccg/decisions/pcd-2026-002/",
        "Extension or variation of an existing contract",
        "Northshire Community Health",
        "£18,000.50",
        "12 months",
        "/test-ccg/committees/pccc/meetings/2026-03-04/#item-6",
        "Withdrawn",
        "Recorded in error",
        "Chief Finance Officer under delegated authority",
    ] {
        assert!(
            register.contains(expected),
            "{expected:?} missing from the register"
        );
    }
    let decision = page(&app, "decisions/pcd-2026-002/");
    for expected in [
        "Description of the service",
        "<em>closer to home</em>",
        "Existing service",
        "Conflicts of interest declared and how each was managed",
        "None declared at the item",
        "Quorate",
        "7 voting members counted",
        "Continuity of care",
        "1 April 2026",
    ] {
        assert!(
            decision.contains(expected),
            "{expected:?} missing from the decision page"
        );
    }
    let withdrawn = page(&app, "decisions/pcd-2026-003/");
    assert!(withdrawn.contains("This decision was withdrawn: Recorded in error"));

    let (_, xml) = app.get_text(&format!("{}/test-ccg/feeds/decisions.xml", app.base));
    let feed = rss::Channel::read_from(xml.as_bytes()).expect("the decisions feed parses");
    assert_eq!(
        feed.items().len(),
        3,
        "two decisions recorded, one withdrawn"
    );
    for item in feed.items() {
        let audit = &item.extensions()["audit"];
        assert!(audit["seq"][0].value().unwrap().parse::<i64>().is_ok());
        assert_eq!(audit["entry_sha256"][0].value().unwrap().len(), 64);
    }
    let taken = feed
        .items()
        .iter()
        .find(|i| i.extensions()["audit"]["seq"][0].value() == Some(&m.decision_seq.to_string()))
        .expect("the decision's entry is in the feed");
    assert_eq!(
        taken.extensions()["audit"]["entry_sha256"][0].value(),
        Some(m.decision_sha.as_str())
    );
    assert_eq!(
        taken.title(),
        Some("Procurement decision recorded: PCD-2026-002, Community phlebotomy")
    );
    assert_eq!(
        taken.link(),
        Some(format!("{}/test-ccg/decisions/pcd-2026-002/", app.base).as_str())
    );
    assert_eq!(
        feed.extensions()["atom"]["link"][0].attrs()["href"],
        format!("{}/test-ccg/feeds/decisions.xml", app.base)
    );
    assert!(register.contains("<link rel=\"alternate\" type=\"application/rss+xml\""));

    let (_, text) = app.get_text(&format!("{}/test-ccg/data/decisions.csv", app.base));
    let body = text
        .strip_prefix('\u{feff}')
        .expect("CSV starts with a BOM");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header, DECISION_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert!(body.ends_with("\r\n"), "records end in CR LF (RFC 4180)");
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![]);
    writer.write_record(&header).unwrap();
    for r in &rows {
        writer.write_record(r).unwrap();
    }
    assert_eq!(
        String::from_utf8(writer.into_inner().unwrap()).unwrap(),
        body,
        "the CSV round-trips"
    );
    let col = |row: &csv::StringRecord, name: &str| {
        row.get(DECISION_COLUMNS.iter().position(|c| *c == name).unwrap())
            .unwrap()
            .to_owned()
    };
    let taken = rows
        .iter()
        .find(|r| col(r, "reference") == "PCD-2026-002")
        .unwrap();
    assert_eq!(
        col(taken, "committee"),
        "Primary Care Commissioning Committee"
    );
    assert_eq!(col(taken, "meeting_date"), "2026-03-04");
    assert_eq!(col(taken, "item_number"), "6");
    assert_eq!(
        col(taken, "service_description"),
        "Blood tests, closer to home"
    );
    assert_eq!(col(taken, "value_pence"), "1800050");
    assert_eq!(col(taken, "conflicts"), "None declared");
    assert!(col(taken, "quorum").starts_with("Quorate: 7 voting members counted ("));
    assert!(col(taken, "quorum").ends_with("; Helen Lay presided"));
    assert_eq!(col(taken, "status"), "current");
    assert_eq!(
        col(taken, "url"),
        format!("{}/test-ccg/decisions/pcd-2026-002/", app.base)
    );
    let withdrawn = rows
        .iter()
        .find(|r| col(r, "reference") == "PCD-2026-003")
        .unwrap();
    assert_eq!(col(withdrawn, "status"), "withdrawn");
    assert_eq!(col(withdrawn, "withdrawn_reason"), "Recorded in error");
    assert_eq!(col(withdrawn, "committee"), "");

    let (_, doc) = app.get(&format!("{}/test-ccg/data/decisions.json", app.base), None);
    assert_eq!(doc["register"], "decisions");
    let records = doc["records"].as_array().unwrap();
    assert_eq!(records.len(), 2);
    for r in records {
        let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), DECISION_COLUMNS.len(), "{r}");
    }
}

/// A conflict on the decided item names the GP and how it was handled, in the CSV too.
fn decision_conflicts_are_summarised_in_open_data(b: Backend) {
    let app = TestApp::spawn(b);
    let m = minutes(&app);
    let (_, item) = app.get(&app.api(&format!("/meetings/{}", m.meeting)), None);
    let six = item["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["number"] == "6")
        .unwrap();
    let (s, e) = app.post(
        &format!("/items/{}/amend", six["id"]),
        json!({"version": six["version"], "number": "6", "title": "Phlebotomy: extension",
               "conflicts": [{"person": m.gp[2], "nature": "Spouse works for the provider", "decision": "took_part"}],
               "correction_reason": "The declaration was made at the meeting but left out of the draft minutes"}),
    );
    assert_eq!(s, 201, "{e}");
    let (_, text) = app.get_text(&format!("{}/test-ccg/data/decisions.csv", app.base));
    assert!(
        text.contains("Dr Cara Gp (Spouse works for the provider): stayed and took part"),
        "{text}"
    );
    let decision = page(&app, "decisions/pcd-2026-002/");
    assert!(
        decision.contains("Spouse works for the provider")
            && decision.contains("Stayed and took part")
    );
}

fn a_breach_never_reveals_the_person(b: Backend) {
    let app = TestApp::spawn(b);
    let secret = app.add_person("Dr Secret Person", true);
    let (s, named) = app.post(
        "/breaches",
        json!({"occurred_on": "2026-02-01", "identified_on": "2026-02-20",
               "summary": "A member took part in a discussion despite a declared interest.",
               "action_taken": "Decision re-taken without them.", "reported_to": "Audit Committee", "person": secret}),
    );
    assert_eq!(s, 201, "{named}");
    let (s, amended) = app.post(
        &format!("/breaches/{}/amend", named["id"]),
        json!({"version": 1, "action_taken": "Decision re-taken; training given."}),
    );
    assert_eq!(s, 201, "{amended}");
    let (s, anonymous) = app.post(
        "/breaches",
        json!({"occurred_on": "2026-01-05", "summary": "Register published late.", "action_taken": "Process changed."}),
    );
    assert_eq!(s, 201, "{anonymous}");

    let html = page(&app, "breaches/");
    assert!(
        html.contains("Decision re-taken; training given.")
            && html.contains("Register published late.")
    );
    assert!(html.contains("Audit Committee") && html.contains("20 February 2026"));
    let (_, csv) = app.get_text(&format!("{}/test-ccg/data/breaches.csv", app.base));
    let (_, json) = app.get_text(&format!("{}/test-ccg/data/breaches.json", app.base));
    let (_, xml) = app.get_text(&format!("{}/test-ccg/feeds/all.xml", app.base));
    let feed = rss::Channel::read_from(xml.as_bytes()).expect("all changes still parses");
    let about_breaches: Vec<&rss::Item> = feed
        .items()
        .iter()
        .filter(|i| i.title().unwrap().starts_with("Breach"))
        .collect();
    assert_eq!(about_breaches.len(), 3, "every breach entry is announced");
    let all = format!("{about_breaches:?}");
    for (name, text) in [
        ("page", &html),
        ("csv", &csv),
        ("json", &json),
        ("all.xml", &all),
    ] {
        assert!(
            !text.contains("Dr Secret Person")
                && !text.contains(&secret)
                && !text.contains("person_id"),
            "{name} reveals the person"
        );
    }
    assert!(!json.contains("\"person\""), "{json}");

    let (_, chain) = app.get_text(&format!("{}/test-ccg/audit/chain.jsonl", app.base));
    let summary = verify_entries(chain.lines().map(parse_line), None).expect("the chain verifies");
    assert_eq!(summary.entries, app.head());
    let breaches: Vec<Value> = chain
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|e| e["entity"] == "breach")
        .collect();
    assert_eq!(breaches.len(), 3);
    for e in &breaches {
        if e["entity_id"] == named["id"].to_string().trim_matches('"') {
            assert!(
                e["payload"].is_null(),
                "a breach naming someone has no public payload: {e}"
            );
        } else {
            assert_eq!(e["payload"]["person_id"], Value::Null, "{e}");
            assert_eq!(e["payload"]["summary"], "Register published late.");
        }
    }
    // The auditor's API answers the same as the public export.
    let (_, entries) = app.get(
        &app.api(&format!("/audit/entries?start=1&end={}", app.head())),
        None,
    );
    let public = entries.as_array().unwrap();
    assert!(public
        .iter()
        .filter(|e| e["entity"] == "breach"
            && e["entity_id"] != anonymous["id"].to_string().trim_matches('"'))
        .all(|e| e["payload"].is_null()));
}

both_backends!(
    a_meeting_page_shows_conflicts_quorum_and_outcomes,
    moved_meetings_and_renamed_decisions_leave_no_stale_page,
    the_register_of_decisions_is_pages_feed_and_open_data,
    decision_conflicts_are_summarised_in_open_data,
    a_breach_never_reveals_the_person,
);
