//! No request, however malformed, panics or answers 500.

use crate::both_backends;
use crate::helpers::{Account, Backend, Page, TestApp};
use coi_register::store::users::Role;

fn malformed_requests_get_clear_errors_never_500(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    // A committee with a meeting and an item, so their routes reach the handlers.
    let (s, c) = app.post(
        "/committees",
        serde_json::json!({"name": "Audit", "quorum_minimum": 1, "members": [
            {"person": person, "category": "lay", "role": "chair", "from": "2026-01-01"}]}),
    );
    assert_eq!(s, 201, "{c}");
    let (s, m) = app.post(
        "/committees/audit/meetings",
        serde_json::json!({"held_on": "2026-02-02", "attendance": {(person.clone()): "present"}}),
    );
    assert_eq!(s, 201, "{m}");
    let (s, i) = app.post(
        &format!("/meetings/{}/items", m["id"]),
        serde_json::json!({"number": "1", "title": "Minutes"}),
    );
    assert_eq!(s, 201, "{i}");
    let written = app.head();
    let huge = "x".repeat(300 * 1024);
    let bodies: Vec<String> = vec![
        "{".into(),
        "not json".into(),
        "[]".into(),
        "null".into(),
        "42".into(),
        "\"text\"".into(),
        "{\"person\": 5, \"interest_type\": [], \"description\": {}, \"arose_on\": 20260101}"
            .into(),
        format!(
            "{{\"person\": \"{person}\", \"description\": \"{}\"}}",
            "y".repeat(100_000)
        ),
        format!("{{\"person\": \"{person}\", \"description\": \"{huge}\"}}"),
        "{\"person\": \"\\u0000\", \"version\": -1}".into(),
        "\u{feff}{}".into(),
        String::from_utf8_lossy(&[0xff, 0xfe, 0x00]).into_owned(),
    ];
    let paths = [
        "/declarations",
        "/gifts",
        "/people",
        "/nil-returns",
        "/confirmations",
        "/declarations/1/amend",
        "/declarations/abc/end",
        "/declarations/-1/withhold",
        "/declarations/99999999999999999999/release",
        "/gifts/1/amend",
        "/people/nobody/amend",
        "/committees",
        "/committees/audit/amend",
        "/committees/audit/members",
        "/committees/audit/members/1/amend",
        "/committees/audit/members/1/end",
        "/committees/audit/meetings",
        "/meetings/1/amend",
        "/meetings/1/items",
        "/items/1/amend",
        "/items/1/outcome",
        "/decisions",
        "/decisions/pcd-1/amend",
        "/decisions/pcd-1/withdraw",
        "/breaches",
        "/breaches/1/amend",
    ];
    for path in paths {
        for body in &bodies {
            let (s, answer) = app.post_raw(&app.api(path), Some(&app.token), body);
            assert!(
                (400..500).contains(&s),
                "POST {path} {:.40}: {s} {answer}",
                body
            );
        }
    }
    for url in [
        format!("{}/api/v1/orgs/no-such-org/declarations", app.base),
        format!("{}/api/v1/orgs/../../etc/passwd", app.base),
        app.api("/declarations/0"),
        app.api("/declarations/1/versions"),
        app.api("/audit/entries?start=-5"),
        app.api("/audit/entries?start=abc"),
        app.api("/audit/entries?start=5&end=2"),
        app.api("/nothing-here"),
        format!("{}/no-such-page/", app.base),
        format!("{}/test-ccg/interests/nobody/", app.base),
        format!("{}/../../etc/passwd", app.base),
        app.api("/committees/no-such"),
        app.api("/committees/%00"),
        app.api("/meetings/0"),
        app.api("/items/abc"),
        app.api("/decisions/%2e%2e"),
    ] {
        let (s, answer) = app.get(&url, None);
        assert!((400..500).contains(&s), "GET {url}: {s} {answer}");
    }
    for bad in [
        "Bearer",
        "Basic abc",
        "Bearer a b",
        "Bearer coi_0000",
        &format!("Bearer {}", "t".repeat(5000)),
    ] {
        let r = ureq::post(&app.api("/declarations"))
            .set("Authorization", bad)
            .send_string("{}");
        let s = match r {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(s, _)) => s,
            Err(e) => panic!("{e}"),
        };
        assert!((400..500).contains(&s), "Authorization {bad:.20}: {s}");
    }
    let (s, _) = app.get(&format!("{}/healthz", app.base), None);
    assert_eq!(s, 200, "still serving");
    assert_eq!(app.head(), written, "nothing was written");
}

/// The API's error shape, `{"error": "…"}`, with a non-empty message.
fn api_error(page: &Page) -> String {
    let body: serde_json::Value = serde_json::from_str(&page.body)
        .unwrap_or_else(|e| panic!("{} is not JSON ({e}): {:?}", page.status, page.body));
    let message = body["error"].as_str().unwrap_or_default().to_owned();
    assert!(
        !message.is_empty(),
        "{} has no error message: {body}",
        page.status
    );
    message
}

fn every_api_error_is_json_even_those_actix_makes(b: Backend) {
    let app = TestApp::spawn(b);
    let written = app.head();
    let auth = format!("Bearer {}", app.token);
    let json_auth = [
        ("Authorization", auth.as_str()),
        ("Content-Type", "application/json"),
    ];

    // A body over the limit: 413, as JSON.
    let huge = format!("{{\"description\": \"{}\"}}", "x".repeat(300 * 1024));
    let answer = app.send(
        "POST",
        "/api/v1/orgs/test-ccg/declarations",
        &json_auth,
        Some(&huge),
    );
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert!(api_error(&answer).contains("bytes"));

    // A URL over 8 KiB: 414, as JSON, before any handler.
    let long = format!("/api/v1/orgs?x={}", "a".repeat(20_000));
    let answer = app.send("GET", &long, &[], None);
    assert_eq!(answer.status, 414, "{}", answer.body);
    assert!(api_error(&answer).contains("8192"));

    // A route's path with a method it does not take: 405 with Allow, as JSON.
    for method in ["TRACE", "PUT", "DELETE", "PATCH"] {
        let answer = app.send(
            method,
            "/api/v1/orgs/test-ccg/declarations",
            &json_auth,
            None,
        );
        assert_eq!(answer.status, 405, "{method}: {}", answer.body);
        assert!(api_error(&answer).contains("GET, POST"), "{method}");
    }
    // No route at all: still 404.
    let answer = app.send("TRACE", "/api/v1/nothing-here", &[], None);
    assert_eq!(answer.status, 404);
    api_error(&answer);
    assert_eq!(app.head(), written, "nothing was written");
}

fn a_form_whose_fields_are_not_utf8_is_refused_and_changes_nothing(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let lead: Account = app.account("lead2@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let written = app.head();
    // %FF is no UTF-8 byte sequence: a lossy decoder would store U+FFFD instead.
    let body = format!(
        "csrf_token={}&person={person}&interest_type=financial&description=Shares%20in%20%FF%FELtd&arose_on=2026-01-01",
        browser.csrf
    );
    let answer = app.send(
        "POST",
        "/admin/orgs/test-ccg/declarations/new",
        &[
            ("Cookie", browser.cookie.as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(&body),
    );
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(
        answer.body.contains("nothing was changed"),
        "{}",
        answer.body
    );
    assert_eq!(app.head(), written, "nothing was written");
}

/// A link cannot make a page of the web app say something the service did not: the
/// notice a form leaves after a redirect shows only with the service's tag for the
/// session that made it.
fn a_notice_in_a_crafted_link_is_not_shown(b: Backend) {
    let app = TestApp::spawn(b);
    let lead: Account = app.account("lead2@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let spoof = "Your+session+expired.+Re-enter+your+password+at+evil.example";
    for query in [
        format!("saved={spoof}"),
        format!("saved={spoof}&tag=AAAA"),
        format!("saved={spoof}&tag="),
    ] {
        let page = app.browse(
            &format!("/admin/orgs/test-ccg/import?{query}"),
            Some(&browser.cookie),
        );
        assert_eq!(page.status, 200);
        assert!(
            !page.body.contains("evil.example"),
            "{query}: {}",
            page.body
        );
        assert!(!page.body.contains("Success"), "{query}");
    }
    // Nor is a genuine notice shown to another session.
    let other = app.sign_in(&lead);
    let csv = "person,interest_type,description,body,arose_on,declared_on,mitigation\n";
    let person = app.add_person("Dr Anita Shah", true);
    let answer = app.submit(
        "/admin/orgs/test-ccg/import",
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("kind", "interests"),
            (
                "csv",
                &format!("{csv}{person},financial,Shares,Example Ltd,2026-01-05,2026-01-20,None\n"),
            ),
        ],
    );
    let to = answer
        .location
        .clone()
        .unwrap_or_else(|| panic!("a redirect: {}", answer.body));
    let shown = app.browse(&to, Some(&browser.cookie));
    assert!(
        shown.body.contains("Imported 1 interests"),
        "{}",
        shown.body
    );
    let elsewhere = app.browse(&to, Some(&other.cookie));
    assert!(!elsewhere.body.contains("Imported 1 interests"));
}

both_backends!(
    a_notice_in_a_crafted_link_is_not_shown,
    malformed_requests_get_clear_errors_never_500,
    every_api_error_is_json_even_those_actix_makes,
    a_form_whose_fields_are_not_utf8_is_refused_and_changes_nothing,
);
