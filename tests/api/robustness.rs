//! No request, however malformed, panics or answers 500.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

fn malformed_requests_get_clear_errors_never_500(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
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
    assert_eq!(app.head(), 2, "nothing was written");
}

both_backends!(malformed_requests_get_clear_errors_never_500);
