//! Editions: the registers frozen as at a past day, bound to a signed checkpoint of the
//! entries up to that day. Their manifest's hashes are the served files' hashes, they do
//! not change after later writes, and bad requests are refused with 422, changing nothing.

use crate::both_backends;
use crate::helpers::{declaration, Backend, TestApp};
use crate::python::python;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use coi_register::domain::entries::{EntryStep, Review};
use coi_register::domain::interests::DeclarationFields;
use coi_register::domain::interests::Step;
use coi_register::domain::people::PersonFields;
use coi_register::domain::Input;
use coi_register::store::declarations::Declarations;
use coi_register::store::entries::Register;
use coi_register::store::users::Role;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;

/// The last 31 March that is over.
fn year_end() -> NaiveDate {
    let today = Utc::now().date_naive();
    let this_year = NaiveDate::from_ymd_opt(today.year(), 3, 31).unwrap();
    if this_year < today {
        this_year
    } else {
        NaiveDate::from_ymd_opt(today.year() - 1, 3, 31).unwrap()
    }
}

fn morning(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(9, 0, 0).unwrap().and_utc()
}

/// An app whose organisation was made 40 days before the year end, with one person who
/// declared an interest 30 days before it and another 10 days after it: entries 1 to 3
/// are on or before the year end, entry 4 after it.
fn app_with_history(b: Backend) -> (TestApp, String, i64) {
    let end = year_end();
    let clock = coi_register::clock::set(morning(end - Duration::days(40)));
    let app = TestApp::spawn(b);
    let mut c = app.conn();
    clock.to(morning(end - Duration::days(30)));
    let person = coi_register::store::people::create(
        &mut c,
        app.org_id,
        "system",
        PersonFields {
            name: "Dr Anita Shah".into(),
            position: "GP member".into(),
            decision_making: true,
        },
    )
    .unwrap()
    .value;
    let declare = |c: &mut _, description: &str, on: NaiveDate| {
        clock.to(morning(on));
        let mut body = declaration(&person.slug, description);
        body["arose_on"] = json!(on.to_string());
        body["declared_on"] = json!(on.to_string());
        body.as_object_mut().unwrap().remove("person");
        let fields = DeclarationFields::parse(&Input::from_json(body).unwrap(), on).unwrap();
        Declarations::create(
            c,
            app.org_id,
            "system",
            &person.slug,
            fields,
            None,
            Review::Accepted,
        )
        .unwrap()
        .value
        .entry
        .id
    };
    let first = declare(
        &mut c,
        "Partner, Riverside Surgery",
        end - Duration::days(30),
    );
    declare(
        &mut c,
        "Director, Acme Health Ltd",
        end + Duration::days(10),
    );
    drop(c);
    (app, person.slug, first)
}

fn get_bytes(url: &str) -> (u16, Vec<u8>) {
    let resp = match ureq::get(url).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(code, _)) => return (code, Vec::new()),
        Err(e) => panic!("{url}: {e}"),
    };
    let status = resp.status();
    let mut bytes = Vec::new();
    resp.into_reader().read_to_end(&mut bytes).unwrap();
    (status, bytes)
}

/// Every file of the edition as served, by path, after checking that the manifest
/// lists each with the SHA-256 of the bytes served.
fn served_edition(app: &TestApp, as_at: NaiveDate) -> (Value, BTreeMap<String, Vec<u8>>) {
    let dir = format!("{}/{}/editions/{as_at}", app.base, app.org);
    let (s, manifest) = app.get(&format!("{dir}/manifest.json"), None);
    assert_eq!(s, 200, "{manifest}");
    let mut files = BTreeMap::new();
    for f in manifest["files"].as_array().expect("a list of files") {
        let path = f["path"].as_str().unwrap();
        let (s, bytes) = get_bytes(&format!("{dir}/{path}"));
        assert_eq!(s, 200, "{path}");
        assert_eq!(
            f["sha256"].as_str().unwrap(),
            hex::encode(Sha256::digest(&bytes)),
            "the manifest's hash of {path} is the served file's"
        );
        files.insert(path.to_owned(), bytes);
    }
    for name in ["manifest.json", "checkpoint", "index.html"] {
        files.insert(name.into(), get_bytes(&format!("{dir}/{name}")).1);
    }
    (manifest, files)
}

fn an_edition_is_frozen_and_bound_to_its_checkpoint(b: Backend) {
    let (app, person, _) = app_with_history(b);
    let end = year_end();
    let (s, body) = app.post(
        "/editions",
        json!({"as_at": end.to_string(), "kind": "year_end"}),
    );
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["live"], true, "{body}");
    assert_eq!(
        body["tree_size"], 3,
        "entries 1 to 3 are on or before {end}: {body}"
    );
    let root = body["root"].as_str().unwrap().to_owned();

    let (manifest, files) = served_edition(&app, end);
    assert_eq!(manifest["checkpoint"]["tree_size"], 3);
    assert_eq!(manifest["checkpoint"]["root"], root);
    assert_eq!(
        manifest["statement"],
        format!(
            "The register of interests as at 31 March {}, derived from entries 1..3 of the chain, checkpoint {root}.",
            end.year()
        )
    );
    // The signed checkpoint of size 3 is kept, listed and served beside the edition.
    let (_, checkpoints) = app.get(&app.api("/audit/checkpoints"), None);
    let three = checkpoints
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["size"] == 3)
        .unwrap_or_else(|| panic!("no checkpoint of size 3: {checkpoints}"));
    assert_eq!(three["root"], root);
    assert_eq!(manifest["checkpoint"]["note"], three["note"]);
    assert_eq!(
        files["checkpoint"],
        three["note"].as_str().unwrap().as_bytes()
    );
    let csv = String::from_utf8(files["data/interests.csv"].clone()).unwrap();
    assert!(csv.contains("Partner, Riverside Surgery"), "{csv}");
    let page = String::from_utf8(files["index.html"].clone()).unwrap();
    assert!(
        page.contains(&root) && page.contains("entries 1..3"),
        "{page}"
    );
    let (s, list) = app.get_text(&format!("{}/{}/editions/", app.base, app.org));
    assert_eq!(s, 200);
    assert!(
        list.contains(&format!("/{}/editions/{end}/", app.org)),
        "{list}"
    );

    // Later writes, through the API, leave every file of the edition as it was.
    app.declare(&person, "Trustee, Riverside Trust");
    let (s, more) = app.post(
        "/editions",
        json!({"as_at": (end + Duration::days(30)).to_string(), "kind": "monthly"}),
    );
    assert_eq!(s, 201, "{more}");
    assert_eq!(more["tree_size"], 4, "{more}");
    let (_, after) = served_edition(&app, end);
    assert_eq!(
        after, files,
        "the year-end edition changed after later writes"
    );
    // The chain records each edition, publicly.
    let (_, entries) = app.get(&app.api("/audit/entries"), None);
    let recorded: Vec<&Value> = entries
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "edition")
        .collect();
    assert_eq!(recorded.len(), 2, "{entries}");
    assert_eq!(recorded[0]["payload"]["root"], root);
}

fn bad_requests_are_refused_with_each_fields_problem(b: Backend) {
    let (app, _, _) = app_with_history(b);
    let end = year_end();
    let today = Utc::now().date_naive();
    let (s, ok) = app.post(
        "/editions",
        json!({"as_at": end.to_string(), "kind": "year_end"}),
    );
    assert_eq!(s, 201, "{ok}");
    let head = app.head();
    let refused = |body: Value, field: &str, says: &str| {
        let (s, answer) = app.post("/editions", body.clone());
        assert_eq!(s, 422, "{body}: {answer}");
        let problem = answer["fields"][field]
            .as_str()
            .unwrap_or_else(|| panic!("{body}: no problem for {field}: {answer}"));
        assert!(problem.contains(says), "{body}: {field}: {problem}");
        assert_eq!(app.head(), head, "a refused edition wrote to the chain");
    };
    refused(
        json!({"as_at": today.to_string(), "kind": "monthly"}),
        "as_at",
        "over",
    );
    refused(
        json!({"as_at": (today + Duration::days(9)).to_string(), "kind": "monthly"}),
        "as_at",
        "over",
    );
    refused(
        json!({"as_at": (end - Duration::days(1)).to_string(), "kind": "year_end"}),
        "kind",
        "31 March",
    );
    refused(
        json!({"as_at": end.to_string(), "kind": "monthly"}),
        "as_at",
        "already",
    );
    refused(
        json!({"as_at": "2001-01-31", "kind": "monthly"}),
        "as_at",
        "no entries",
    );
    refused(
        json!({"as_at": "31/03/2026", "kind": "year_end"}),
        "as_at",
        "YYYY-MM-DD",
    );
    refused(
        json!({"as_at": end.to_string(), "kind": "annual"}),
        "kind",
        "one of",
    );
    refused(
        json!({"as_at": end.to_string(), "kind": "year_end", "x": 1}),
        "x",
        "not a field",
    );
    refused(json!({}), "as_at", "required");
    let (s, answer) = app.post_raw(&app.api("/editions"), Some(&app.token), "[1]");
    assert!(s == 422 || s == 400, "{s}: {answer}");
    let (s, answer) = app.post_raw(
        &app.api("/editions"),
        None,
        &json!({"as_at": "2026-01-31", "kind": "monthly"}).to_string(),
    );
    assert!(s == 401 || s == 403, "{s}: {answer}");
    assert_eq!(app.head(), head);
}

fn an_entry_withheld_later_is_redacted_and_the_redaction_listed(b: Backend) {
    let (app, _, declaration) = app_with_history(b);
    let end = year_end();
    let (s, body) = app.post(
        "/editions",
        json!({"as_at": end.to_string(), "kind": "year_end"}),
    );
    assert_eq!(s, 201, "{body}");
    let (manifest, frozen) = served_edition(&app, end);
    assert_eq!(manifest["redactions"], json!([]));
    let (s, answer) = app.post(
        &format!("/declarations/{declaration}/withhold"),
        json!({"version": 1, "reason": "stalker risk"}),
    );
    assert_eq!(s, 201, "{answer}");
    let (manifest, redacted) = served_edition(&app, end);
    assert_eq!(
        manifest["redactions"],
        json!([{"seq": 3, "redacted_on": Utc::now().date_naive().to_string()}]),
        "the redaction names the entry and the day, nothing else"
    );
    for path in [
        "data/interests.csv",
        "data/interests.json",
        "registers.html",
    ] {
        let text = String::from_utf8(redacted[path].clone()).unwrap();
        assert!(!text.contains("Partner"), "{path}: {text}");
        assert!(!text.contains("stalker"), "{path}: {text}");
        assert!(String::from_utf8_lossy(&frozen[path]).contains("Partner"));
    }
    for path in ["data/gifts.csv", "data/decisions.csv", "checkpoint"] {
        assert_eq!(redacted[path], frozen[path], "{path} changed");
    }
    assert_eq!(manifest["checkpoint"]["tree_size"], 3);
    // Released, the entry is no longer redacted: the edition is as it was frozen.
    let (s, answer) = app.post(
        &format!("/declarations/{declaration}/release"),
        json!({"version": 2}),
    );
    assert_eq!(s, 201, "{answer}");
    let (_, restored) = served_edition(&app, end);
    assert_eq!(restored, frozen);
}

/// The page of what changed between two editions, and the edition's link to it.
fn edition_page(app: &TestApp, rel: &str) -> String {
    let (s, text) = app.get_text(&format!("{}/{}/editions/{rel}", app.base, app.org));
    assert_eq!(s, 200, "{rel}: {text}");
    text
}

fn the_changes_between_two_editions_are_listed_until_withheld(b: Backend) {
    let (app, _, first) = app_with_history(b);
    let end = year_end();
    let later = end + Duration::days(25);
    {
        // Entry 5: the first declaration amended 20 days after the year end.
        let _clock = coi_register::clock::set(morning(end + Duration::days(20)));
        let mut c = app.conn();
        Declarations::change(
            &mut c,
            app.org_id,
            "system",
            first,
            1,
            Review::Accepted,
            |e, _| {
                let mut fields = e.fields.clone();
                fields.description = "Senior partner, Riverside Surgery".into();
                Ok(Step::amend(fields))
            },
        )
        .unwrap();
    }
    for (as_at, kind) in [(end, "year_end"), (later, "monthly")] {
        let (s, body) = app.post(
            "/editions",
            json!({"as_at": as_at.to_string(), "kind": kind}),
        );
        assert_eq!(s, 201, "{body}");
    }
    let rel = format!("{later}/changes-since/{end}/");
    assert!(
        edition_page(&app, &format!("{later}/"))
            .contains(&format!("href=\"changes-since/{end}/\"")),
        "the later edition links to the changes since the earlier"
    );
    assert!(!edition_page(&app, &format!("{end}/")).contains("changes-since/"));
    let text = edition_page(&app, &rel);
    assert!(
        text.contains(&format!(
            "<h1>Changes between the editions of {} and {}</h1>",
            end.format("%-d %B %Y"),
            later.format("%-d %B %Y")
        )),
        "{text}"
    );
    for edition in [end, later] {
        let link = format!("href=\"/{}/editions/{edition}/\"", app.org);
        assert!(text.contains(&link), "links back to {edition}: {text}");
    }
    assert!(text.contains("Amended"), "{text}");
    assert!(
        text.contains("<ins><span class=\"nhsuk-u-visually-hidden\">added: </span>Senior partner,</ins> Riverside Surgery"),
        "the new text, the added words marked: {text}"
    );
    assert!(
        text.contains("<del><span class=\"nhsuk-u-visually-hidden\">removed: </span>Partner,</del> Riverside Surgery"),
        "the old text, the removed word marked: {text}"
    );
    assert!(
        text.contains("Director, Acme Health Ltd"),
        "the addition between them: {text}"
    );
    assert!(
        !text.contains("id=\"change-3\""),
        "the declaration's addition (entry 3) is in both editions, not between them: {text}"
    );

    let (s, answer) = app.post(
        &format!("/declarations/{first}/withhold"),
        json!({"version": 2, "reason": "stalker risk"}),
    );
    assert_eq!(s, 201, "{answer}");
    let text = edition_page(&app, &rel);
    for hidden in ["Partner,", "Senior partner", "stalker", "id=\"change-5\""] {
        assert!(
            !text.contains(hidden),
            "{hidden} shown after withholding: {text}"
        );
    }
    assert!(
        text.contains("Director, Acme Health Ltd"),
        "other entries stay: {text}"
    );
}

both_backends!(
    the_changes_between_two_editions_are_listed_until_withheld,
    the_auditor_reproduces_an_edition_from_the_chain_and_names_a_tampered_entry,
    a_governance_lead_publishes_an_edition_through_the_form,
    an_entry_withheld_later_is_redacted_and_the_redaction_listed,
    an_edition_is_frozen_and_bound_to_its_checkpoint,
    bad_requests_are_refused_with_each_fields_problem,
);

fn a_governance_lead_publishes_an_edition_through_the_form(b: Backend) {
    let (app, _, _) = app_with_history(b);
    let end = year_end();
    let lead = app.account("gov@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    const FORM: &str = "/admin/orgs/test-ccg/editions";
    let form = app.browse(FORM, Some(&browser.cookie));
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains("name=\"csrf_token\""), "{}", form.body);
    let head = app.head();
    // Without the CSRF token nothing is written.
    let forged = app.submit(
        FORM,
        Some(&browser.cookie),
        &[("as_at", &end.to_string()), ("kind", "year_end")],
    );
    assert_ne!(forged.status, 303, "{}", forged.body);
    assert_eq!(app.head(), head);
    // A year end that is not 31 March: the form again, the problem at its field.
    let bad_day = (end - Duration::days(1)).to_string();
    let bad = app.submit(
        FORM,
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("as_at", &bad_day),
            ("kind", "year_end"),
        ],
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    assert!(
        bad.body.contains("There is a problem") && bad.body.contains("31 March"),
        "{}",
        bad.body
    );
    assert!(bad.body.contains(&bad_day), "what was typed is kept");
    assert_eq!(app.head(), head);
    let done = app.submit(
        FORM,
        Some(&browser.cookie),
        &[
            ("csrf_token", &browser.csrf),
            ("as_at", &end.to_string()),
            ("kind", "year_end"),
        ],
    );
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        done.location.as_deref(),
        Some(format!("/test-ccg/editions/{end}/").as_str())
    );
    assert_eq!(app.head(), head + 1);
    let (s, page) = app.get_text(&format!("{}/test-ccg/editions/{end}/", app.base));
    assert_eq!(s, 200);
    assert!(page.contains("entries 1..3"), "{page}");
    let list = app.browse(FORM, Some(&browser.cookie));
    assert!(list.body.contains(&format!("As at {end}")), "{}", list.body);
}

fn the_auditor_reproduces_an_edition_from_the_chain_and_names_a_tampered_entry(b: Backend) {
    let (app, _, _) = app_with_history(b);
    // After both declarations (entries 3 and 4), with nothing recorded since but the edition.
    let as_at = year_end() + Duration::days(20);
    let (s, body) = app.post(
        "/editions",
        json!({"as_at": as_at.to_string(), "kind": "monthly"}),
    );
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["tree_size"], 4);
    let dir = tempfile::tempdir().unwrap();
    let edition = dir.path().join("edition");
    std::fs::create_dir_all(edition.join("data")).unwrap();
    let site = format!("{}/{}", app.base, app.org);
    for (url, file) in [
        (
            format!("{site}/editions/{as_at}/manifest.json"),
            edition.join("manifest.json"),
        ),
        (
            format!("{site}/editions/{as_at}/checkpoint"),
            edition.join("checkpoint"),
        ),
        (
            format!("{site}/editions/{as_at}/data/interests.csv"),
            edition.join("data/interests.csv"),
        ),
        (
            format!("{site}/audit/chain.jsonl"),
            dir.path().join("chain.jsonl"),
        ),
        (
            format!("{site}/audit/verifier-key"),
            dir.path().join("verifier-key"),
        ),
    ] {
        let (s, bytes) = get_bytes(&url);
        assert_eq!(s, 200, "{url}");
        std::fs::write(file, bytes).unwrap();
    }
    let path = |p: &std::path::Path| p.to_str().unwrap().to_owned();
    let (chain, key) = (
        dir.path().join("chain.jsonl"),
        dir.path().join("verifier-key"),
    );
    let run = |chain: &std::path::Path| {
        python(&[
            "tools/reproduce_edition.py",
            &path(chain),
            &path(&edition),
            "--key",
            &path(&key),
        ])
    };
    let (ok, out) = run(&chain);
    assert!(
        ok && out.starts_with(&format!(
            "OK: test-ccg register of interests as at {as_at} (2 entries)"
        )),
        "{out}"
    );
    // One payload changed in the export: the script names its entry.
    let text = std::fs::read_to_string(&chain).unwrap();
    let tampered = dir.path().join("tampered.jsonl");
    std::fs::write(
        &tampered,
        text.replacen("Partner, Riverside", "Partner, Lakeside", 1),
    )
    .unwrap();
    let (ok, out) = run(&tampered);
    assert!(
        !ok && out.contains("FAIL seq 3") && out.contains("payload hash mismatch"),
        "{out}"
    );
    // A published file that is not the register the chain gives: the row is named.
    let csv = edition.join("data/interests.csv");
    let published = std::fs::read_to_string(&csv).unwrap();
    std::fs::write(
        &csv,
        published.replacen("Partner, Riverside", "Partner, Lakeside", 1),
    )
    .unwrap();
    let (ok, out) = run(&chain);
    assert!(!ok && out.contains("FAIL"), "{out}");
}
