//! Chasing annual confirmations and late declarations in the web app, the notice a
//! declarant sees when theirs is due, paging of the admin lists, and importing a
//! register by uploading a file.

use crate::both_backends;
use crate::helpers::{declaration, sql, Backend, FilePart, TestApp};
use chrono::{Months, NaiveDate, Utc};
use coi_register::store::entries::Register;
use coi_register::store::users::Role;
use serde_json::json;

const SCREEN: &str = "/admin/orgs/test-ccg/confirmations";
const IMPORT: &str = "/admin/orgs/test-ccg/import";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn months_ago(n: u32) -> NaiveDate {
    today().checked_sub_months(Months::new(n)).unwrap()
}

fn confirm(app: &TestApp, person: &str, on: NaiveDate) {
    let (s, body) = app.post(
        "/confirmations",
        json!({"person": person, "made_on": on.to_string()}),
    );
    assert_eq!(s, 201, "{body}");
}

/// Declare an interest that arose on 5 January 2026, declared `after` days later.
fn declare_after(app: &TestApp, person: &str, body: &str, after: i64) -> String {
    let arose = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
    let mut d = declaration(person, "Partner in a practice");
    d["body"] = json!(body);
    d["arose_on"] = json!(arose.to_string());
    d["declared_on"] = json!((arose + chrono::Duration::days(after)).to_string());
    let (s, v) = app.post("/declarations", d);
    assert_eq!(s, 201, "{v}");
    match &v["id"] {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A page's text with the entities handlebars writes in attributes (`=` and `&` in
/// links) decoded, as a browser reads them.
fn decoded(body: &str) -> String {
    body.replace("&#x3D;", "=").replace("&amp;", "&")
}

/// The part of the screen that lists the confirmations due.
fn due_section(body: &str) -> &str {
    let start = body.find("id=\"due\"").expect("the confirmations section");
    let end = body
        .find("id=\"late\"")
        .expect("the late declarations section");
    &body[start..end]
}

fn overdue_and_missing_confirmations_and_late_declarations_are_listed(b: Backend) {
    let app = TestApp::spawn(b);
    let overdue = app.add_person("Dr Olive Overdue", true);
    let never = app.add_person("Dr Nora Never", true);
    let recent = app.add_person("Dr Rita Recent", true);
    app.add_person("Mr Sam Staff", false);
    // Added long ago: past the grace period a new person has before their first.
    sql(&mut app.conn(), "UPDATE people SET added_on = '2000-01-01'");
    confirm(&app, &overdue, months_ago(13));
    confirm(&app, &recent, months_ago(11));
    let late13 = declare_after(&app, &overdue, "Late Surgery", 41);
    let late1 = declare_after(&app, &overdue, "Just Late Surgery", 29);
    let on_time = declare_after(&app, &overdue, "On Time Surgery", 28);

    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let home = app.browse("/admin", Some(&browser.cookie));
    assert!(
        home.body.contains(&format!("href=\"{SCREEN}\"")),
        "{}",
        home.body
    );
    assert!(home.body.contains("2 people overdue"), "{}", home.body);

    let screen = app.browse(SCREEN, Some(&browser.cookie));
    assert_eq!(screen.status, 200, "{}", screen.body);
    let screen_text = decoded(&screen.body);
    let due = due_section(&screen_text);
    // Never confirmed first, then the overdue one with how late and their last return.
    let (n, o) = (
        due.find("Dr Nora Never")
            .expect("the one who never confirmed"),
        due.find("Dr Olive Overdue").expect("the overdue one"),
    );
    assert!(n < o, "missing before overdue");
    let last = months_ago(13);
    let due_on = last.checked_add_months(Months::new(12)).unwrap();
    let days = (today() - due_on).num_days();
    assert!(
        due.contains(&format!("{days} days overdue")),
        "{days} days overdue in {due}"
    );
    assert!(
        due.contains(&format!("Annual confirmation made {last}")),
        "{due}"
    );
    assert!(due.contains("None made"), "{due}");
    for person in [&overdue, &never] {
        assert!(
            due.contains(&format!("/admin/orgs/test-ccg/returns/new?person={person}")),
            "a link to make {person}'s return: {due}"
        );
    }
    // Confirmed eleven months ago: not due. Not decision-making: never asked.
    assert!(!screen.body.contains("Dr Rita Recent"), "{}", screen.body);
    assert!(!screen.body.contains("Mr Sam Staff"), "{}", screen.body);

    // Late declarations, most late first; 28 days after is in time.
    let late = &screen.body[screen.body.find("id=\"late\"").unwrap()..];
    let (a, b) = (
        late.find(&format!("/declarations/{late13}\""))
            .expect("13 days late"),
        late.find(&format!("/declarations/{late1}\""))
            .expect("1 day late"),
    );
    assert!(a < b);
    assert!(late.contains("13 days late"), "{late}");
    assert!(late.contains("1 day late"), "{late}");
    assert!(
        !late.contains(&format!("/declarations/{on_time}\"")),
        "declared on the 28th day is not late: {late}"
    );

    // The link preselects the person on the return form.
    let form = app.browse(
        &format!("/admin/orgs/test-ccg/returns/new?person={never}"),
        Some(&browser.cookie),
    );
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(
        decoded(&form.body).contains(&format!("<option value=\"{never}\" selected>")),
        "{}",
        form.body
    );

    // Auditors read the screen but are offered no return to make.
    let auditor = app.account("audit@test.example", Role::Auditor, &["test-ccg"], None);
    let theirs = app.sign_in(&auditor);
    let seen = app.browse(SCREEN, Some(&theirs.cookie));
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(seen.body.contains("Dr Nora Never"));
    assert!(
        !decoded(&seen.body).contains("returns/new?person="),
        "{}",
        seen.body
    );

    // A declarant sees only their own person.
    let me = app.account(
        "me@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&never),
    );
    let mine = app.sign_in(&me);
    let seen = app.browse(SCREEN, Some(&mine.cookie));
    assert_eq!(seen.status, 200, "{}", seen.body);
    assert!(seen.body.contains("Dr Nora Never"));
    assert!(!seen.body.contains("Dr Olive Overdue"), "{}", seen.body);
}

fn a_declarants_home_shows_the_notice_until_they_confirm(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Jane Smith", true);
    confirm(&app, &person, months_ago(14));
    let me = app.account(
        "me@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&person),
    );
    let browser = app.sign_in(&me);
    let home = app.browse("/admin", Some(&browser.cookie));
    assert!(
        home.body.contains("Your annual confirmation is due"),
        "{}",
        home.body
    );
    assert!(home.body.contains("overdue"), "{}", home.body);
    assert!(home
        .body
        .contains("href=\"/admin/orgs/test-ccg/returns/new\">Confirm your entries"));

    let head = app.head();
    let answer = app.submit(
        "/admin/orgs/test-ccg/returns/new",
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("kind", "confirmation"),
            ("made_on", &today().to_string()),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 1, "one audit entry");
    let entry =
        &coi_register::store::audit::range(&mut app.conn(), app.org_id, head + 1, head + 1, 1)
            .unwrap()[0];
    assert_eq!(
        (entry.header.action.as_str(), entry.header.entity.as_str()),
        ("create", "confirmation")
    );
    let home = app.browse("/admin", Some(&browser.cookie));
    assert!(
        !home.body.contains("Your annual confirmation is due"),
        "{}",
        home.body
    );

    // Someone who has never made one is told too; governance leads see the count.
    let other = app.add_person("Dr New Starter", true);
    let them = app.account(
        "new@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&other),
    );
    let theirs = app.sign_in(&them);
    let home = app.browse("/admin", Some(&theirs.cookie));
    assert!(
        !home.body.contains("You have not yet confirmed"),
        "not within the 28 days' grace: {}",
        home.body
    );
    let added_long_ago =
        format!("UPDATE people SET added_on = '2000-01-01' WHERE slug = '{other}'");
    sql(&mut app.conn(), &added_long_ago);
    let home = app.browse("/admin", Some(&theirs.cookie));
    assert!(
        home.body.contains("You have not yet confirmed"),
        "{}",
        home.body
    );
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let gov = app.sign_in(&lead);
    let home = app.browse("/admin", Some(&gov.cookie));
    assert!(home.body.contains("1 person overdue"), "{}", home.body);
    assert!(!home.body.contains("Your annual confirmation is due"));
}

fn the_admin_lists_page_by_fifty_keeping_their_filters(b: Backend) {
    let app = TestApp::spawn(b);
    let people: Vec<String> = (0..51)
        .map(|i| app.add_person(&format!("Dr Person {i:02}"), true))
        .collect();
    let p0 = &people[0];
    let mut interests =
        String::from("person,interest_type,description,body,arose_on,declared_on,mitigation\n");
    let mut gifts = String::from("person,giver,kind,description,value,offered_on,outcome\n");
    for n in 1..=51 {
        interests.push_str(&format!(
            "{p0},financial,Partner {n},Surgery {n},2026-01-05,2026-01-20,Leaves the room\n"
        ));
        gifts.push_str(&format!(
            "{p0},Acme Medical Ltd,gift,Pen {n},60,2026-05-01,declined\n"
        ));
    }
    let mut c = app.conn();
    for (kind, csv) in [
        (coi_register::import::Kind::Interests, &interests),
        (coi_register::import::Kind::Gifts, &gifts),
    ] {
        coi_register::import::import(&mut c, app.org, kind, "system", csv.as_bytes(), today())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    drop(c);
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let cookie = app.sign_in(&lead).cookie;

    let base = "/admin/orgs/test-ccg/declarations";
    let first = app.browse(&format!("{base}?person={p0}"), Some(&cookie));
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.body.matches("\">Declaration ").count(), 50);
    assert!(first.body.contains("aria-label=\"Pages of the register\""));
    assert!(
        decoded(&first.body).contains(&format!("href=\"{base}?person={p0}&page=2\"")),
        "the next link keeps the filter: {}",
        first.body
    );
    let second = app.browse(&format!("{base}?person={p0}&page=2"), Some(&cookie));
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.body.matches("\">Declaration ").count(), 1);
    assert!(second.body.contains("Page 2 of 2"), "{}", second.body);
    assert!(second.body.contains("aria-current=\"page\""));
    assert!(decoded(&second.body).contains(&format!("href=\"{base}?person={p0}\"")));

    for list in ["declarations", "gifts", "people"] {
        let path = format!("/admin/orgs/test-ccg/{list}");
        let two = app.browse(&format!("{path}?page=2"), Some(&cookie));
        assert_eq!(two.status, 200, "{list}: {}", two.body);
        assert!(two.body.contains("Page 2 of 2"), "{list}: {}", two.body);
        let past = app.browse(&format!("{path}?page=99"), Some(&cookie));
        assert_eq!(past.status, 404, "{list}: {}", past.body);
        assert!(past.body.contains("Page not found"));
        for bad in ["abc", "0", "-1", "1e3"] {
            let answer = app.browse(&format!("{path}?page={bad}"), Some(&cookie));
            assert_eq!(answer.status, 400, "{list} page={bad}: {}", answer.body);
            assert!(answer.body.contains("there is a problem with this request"));
        }
    }
    let people_two = app.browse("/admin/orgs/test-ccg/people?page=2", Some(&cookie));
    assert!(
        people_two.body.contains("Dr Person 50"),
        "{}",
        people_two.body
    );
}

/// `rows` interest rows over the people; row `bad` (if any) has an impossible date.
fn interests_csv(people: &[String], rows: usize, bad: Option<usize>) -> String {
    let mut csv = String::from(
        "\u{feff}person,interest_type,description,body,arose_on,declared_on,mitigation\r\n",
    );
    for n in 1..=rows {
        let arose = if Some(n) == bad {
            "2026-02-30"
        } else {
            "2026-01-05"
        };
        csv.push_str(&format!(
            "{},financial,\"Partner, practice {n}\",Upload Surgery {n},{arose},2026-01-20,Leaves the room\r\n",
            people[n % people.len()]
        ));
    }
    csv
}

/// The import form's file field holding `bytes` as register.csv.
fn file(bytes: &[u8]) -> FilePart<'_> {
    FilePart {
        field: "file",
        filename: "register.csv",
        bytes,
    }
}

fn a_register_is_imported_by_uploading_its_csv_file(b: Backend) {
    let app = TestApp::spawn(b);
    let people: Vec<String> = (0..3)
        .map(|i| app.add_person(&format!("Dr Person {i}"), true))
        .collect();
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let form = app.browse(IMPORT, Some(&browser.cookie));
    assert!(form.body.contains("enctype=\"multipart/form-data\""));
    assert!(form.body.contains("type=\"file\""));
    assert!(form.body.contains("name=\"csv\""), "the paste box stays");
    for list in ["declarations", "gifts"] {
        let page = app.browse(
            &format!("/admin/orgs/test-ccg/{list}"),
            Some(&browser.cookie),
        );
        assert!(page.body.contains(&format!("href=\"{IMPORT}\"")), "{list}");
    }
    let home = app.browse("/admin", Some(&browser.cookie));
    assert!(home.body.contains(&format!("href=\"{IMPORT}\"")));
    let head = app.head();
    let csrf = browser.csrf.as_str();

    // A bad row: named, and nothing written.
    let bad = interests_csv(&people, 5, Some(3));
    let bad = bad.into_bytes();
    let answer = app.upload(
        IMPORT,
        Some(&browser.cookie),
        &[("csrf_token", csrf), ("kind", "interests"), ("csv", "")],
        &[file(&bad)],
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(
        answer.body.contains("row 3 (line 4): arose_on:"),
        "{}",
        answer.body
    );
    assert!(answer.body.contains("nothing was imported"));
    assert!(
        answer.body.contains("href=\"#file\""),
        "the summary links to the file input"
    );
    assert_eq!(app.head(), head, "nothing written");

    // Without the CSRF token, or with another: refused, nothing written.
    let good = interests_csv(&people, 5, None).into_bytes();
    for fields in [
        vec![("kind", "interests")],
        vec![("csrf_token", "not-the-token"), ("kind", "interests")],
    ] {
        let answer = app.upload(IMPORT, Some(&browser.cookie), &fields, &[file(&good)]);
        assert_eq!(answer.status, 403, "{}", answer.body);
    }
    assert_eq!(app.head(), head, "nothing written");

    // Over 5 MB: refused with a clear message, nothing written.
    let mut big = interests_csv(&people, 5, None).into_bytes();
    big.resize(5 * 1024 * 1024 + 1, b'\n');
    let answer = app.upload(
        IMPORT,
        Some(&browser.cookie),
        &[("csrf_token", csrf), ("kind", "interests")],
        &[file(&big)],
    );
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert!(
        answer.body.contains("must be smaller than 5 MB"),
        "{}",
        answer.body
    );
    assert_eq!(app.head(), head, "nothing written");

    // A file and pasted CSV at once is ambiguous; neither is an error too.
    let answer = app.upload(
        IMPORT,
        Some(&browser.cookie),
        &[
            ("csrf_token", csrf),
            ("kind", "interests"),
            ("csv", "person\nx\n"),
        ],
        &[file(&good)],
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("not both"));
    let answer = app.upload(
        IMPORT,
        Some(&browser.cookie),
        &[("csrf_token", csrf), ("kind", "interests"), ("csv", "")],
        &[FilePart {
            field: "file",
            filename: "",
            bytes: b"",
        }],
    );
    assert_eq!(answer.status, 422, "{}", answer.body);
    assert!(answer.body.contains("Choose a CSV file"));
    assert_eq!(app.head(), head, "nothing written");

    // A good file: every row, one audit entry each, under the lead's account.
    let answer = app.upload(
        IMPORT,
        Some(&browser.cookie),
        &[("csrf_token", csrf), ("kind", "interests"), ("csv", "")],
        &[file(&good)],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 5);
    let entries =
        coi_register::store::audit::range(&mut app.conn(), app.org_id, head + 1, head + 5, 10)
            .unwrap();
    assert_eq!(entries.len(), 5);
    for e in &entries {
        assert_eq!(
            (e.header.action.as_str(), e.header.entity.as_str()),
            ("create", "declaration")
        );
        assert!(e.header.actor.starts_with("user:"), "{}", e.header.actor);
    }
    let bodies: Vec<String> =
        coi_register::store::declarations::Declarations::current(&mut app.conn(), app.org_id)
            .unwrap()
            .iter()
            .map(|v| v.entry.fields.body.clone())
            .collect();
    for n in 1..=5 {
        assert!(
            bodies.contains(&format!("Upload Surgery {n}")),
            "{bodies:?}"
        );
    }
    let done = app.browse(answer.location.as_deref().unwrap(), Some(&browser.cookie));
    assert!(
        done.body
            .contains("Imported 5 interests from register.csv (audit seq"),
        "{}",
        done.body
    );

    // The paste box still works, through the same form.
    let pasted = interests_csv(&people, 2, None);
    let answer = app.upload(
        IMPORT,
        Some(&browser.cookie),
        &[
            ("csrf_token", csrf),
            ("kind", "interests"),
            ("csv", &pasted),
        ],
        &[FilePart {
            field: "file",
            filename: "",
            bytes: b"",
        }],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(app.head(), head + 7);

    // A declarant may not upload, token or not.
    let me = app.account(
        "me@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&people[0]),
    );
    let mine = app.sign_in(&me);
    let answer = app.upload(
        IMPORT,
        Some(&mine.cookie),
        &[("csrf_token", &mine.csrf), ("kind", "interests")],
        &[file(&good)],
    );
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert_eq!(app.head(), head + 7);
}

both_backends!(
    overdue_and_missing_confirmations_and_late_declarations_are_listed,
    a_declarants_home_shows_the_notice_until_they_confirm,
    the_admin_lists_page_by_fifty_keeping_their_filters,
    a_register_is_imported_by_uploading_its_csv_file,
);
