//! What changed: the monthly pages of published changes (`/<org>/changes/`), a person's
//! entries' history on their page, and amendment feed items that carry the change. Only
//! what the public may see: a withheld entry's versions never appear, before or after.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use serde_json::json;

const DEL: &str = "<del><span class=\"nhsuk-u-visually-hidden\">removed: </span>";
const INS: &str = "<ins><span class=\"nhsuk-u-visually-hidden\">added: </span>";

/// The month (`YYYY-MM`) of the chain's latest entry.
fn month_of_head(app: &TestApp) -> String {
    let (_, chain) = app.get_text(&format!("{}/test-ccg/audit/chain.jsonl", app.base));
    let last: serde_json::Value =
        serde_json::from_str(chain.lines().last().expect("an entry")).expect("a JSON line");
    last["at"].as_str().expect("a time")[..7].to_owned()
}

fn page(app: &TestApp, rel: &str) -> String {
    let (s, text) = app.get_text(&format!("{}/test-ccg/{rel}", app.base));
    assert_eq!(s, 200, "{rel}: {text}");
    text
}

fn an_amendment_is_listed_with_both_texts_marked(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let d = app.declare(&person, "Trustee of the Riverside Trust");
    let id = d["id"].as_str().expect("an id").to_owned();
    let (s, v2) = app.post(
        &format!("/declarations/{id}/amend"),
        json!({"version": 1, "description": "Chair of the **Riverside Trust** <script>alert(1)</script>",
               "body": "Riverside Trust <script>alert(2)</script>"}),
    );
    assert_eq!(s, 201, "{v2}");
    let (s, g) = app.post(
        "/gifts",
        json!({"person": person, "giver": "Acme Medical Ltd", "giver_is_supplier": true, "kind": "hospitality",
               "description": "Dinner at a conference", "value_pence": 4500, "offered_on": "2026-05-01", "outcome": "declined"}),
    );
    assert_eq!(s, 201, "{g}");
    let (s, decision) = app.post(
        "/decisions",
        json!({"reference": "PCD-2026-002", "title": "Phlebotomy", "service_description": "Community phlebotomy",
               "service_status": "existing", "route": "extension", "decided_on": "2026-02-10",
               "how_decided": "Chief Finance Officer under delegated authority", "justification": "Continuity",
               "value_pence": 1800000}),
    );
    assert_eq!(s, 201, "{decision}");
    let (s, amended) = app.post(
        "/decisions/PCD-2026-002/amend",
        json!({"version": 1, "justification": "Continuity of care for housebound patients"}),
    );
    assert_eq!(s, 201, "{amended}");

    let month = month_of_head(&app);
    let text = page(&app, &format!("changes/{month}/"));
    // The amendment: which entry, both texts, the changed words marked, user text escaped.
    assert!(text.contains("Amended"), "{text}");
    assert!(
        text.contains(&format!("Declaration {id}: Dr Anita Shah, financial")),
        "{text}"
    );
    assert!(
        text.contains(&format!("{DEL}Trustee</del> of the Riverside Trust")),
        "the old text, its removed word marked: {text}"
    );
    assert!(
        text.contains(&format!("{INS}Chair</ins> of the Riverside Trust</td>")),
        "the new text, as read (no markup, no script), its added words marked: {text}"
    );
    assert!(
        text.contains(&format!("Riverside {DEL}Surgery</del>")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Riverside {INS}Trust &lt;script&gt;alert(2)&lt;/script&gt;</ins>"
        )),
        "a plain-text field's markup is escaped: {text}"
    );
    assert!(
        !text.contains("<script") && !text.contains("alert(1)"),
        "no script reaches the page"
    );
    assert!(text.contains("<th scope=\"col\" class=\"nhsuk-table__header\">Before</th>"));
    // The addition, the gift and the decision's amendment are listed too.
    assert!(text.contains("Added"));
    assert!(text.contains("Gift or hospitality"), "{text}");
    assert!(
        text.contains("Procurement decision PCD-2026-002: Phlebotomy"),
        "{text}"
    );
    assert!(text.contains(&format!(
        "Continuity{INS} of care for housebound patients</ins>"
    )));

    let index = page(&app, "changes/");
    assert!(
        index.contains(&format!("href=\"/test-ccg/changes/{month}/\"")),
        "{index}"
    );
    assert!(
        page(&app, "").contains("href=\"/test-ccg/changes/\""),
        "the home page links to it"
    );
    assert!(page(&app, "interests/").contains("href=\"/test-ccg/changes/\""));

    // The person's page: each entry's published versions, with their dates.
    let person_page = page(&app, &format!("interests/{person}/"));
    assert!(
        person_page.contains("History of these entries"),
        "{person_page}"
    );
    assert!(
        person_page.contains(&format!(
            "Declaration {id}: Dr Anita Shah, financial (2 published versions)"
        )),
        "{person_page}"
    );
    assert!(
        person_page.contains("Trustee of the Riverside Trust"),
        "the first version"
    );
    assert!(person_page.contains(&format!("{DEL}Trustee</del>")));
    assert!(!person_page.contains("<script"));

    // The feed item of the amendment says what changed, and shows it.
    let (_, xml) = app.get_text(&format!("{}/test-ccg/feeds/interests.xml", app.base));
    let channel = rss::Channel::read_from(xml.as_bytes()).expect("a feed");
    let item = channel
        .items()
        .iter()
        .find(|i| i.title().is_some_and(|t| t.contains("amended")))
        .expect("the amendment's item");
    assert_eq!(
        item.title(),
        Some(
            format!("Declaration {id} amended: Dr Anita Shah, financial (changed: description, organisation or body)")
                .as_str()
        )
    );
    let description = item.description().expect("a description");
    assert!(
        description.contains(&format!("{DEL}Trustee</del> of the Riverside Trust →")),
        "{description}"
    );
    assert!(
        description.contains(&format!("{INS}Chair</ins>")),
        "{description}"
    );
    assert!(!description.contains("<script"), "{description}");
}

fn a_withheld_entrys_versions_never_appear(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Ben Okafor", true);
    app.declare(&person, "Partner at Hillside Surgery");
    let d = app.declare(&person, "Director of Quietwater Holdings");
    let id = d["id"].as_str().expect("an id").to_owned();
    let (s, v2) = app.post(
        &format!("/declarations/{id}/amend"),
        json!({"version": 1, "description": "Director of Quietwater Holdings Limited"}),
    );
    assert_eq!(s, 201, "{v2}");
    let month = month_of_head(&app);
    assert!(
        page(&app, &format!("changes/{month}/")).contains("Quietwater"),
        "listed while public"
    );

    let (s, w) = app.post(
        &format!("/declarations/{id}/withhold"),
        json!({"version": 2, "reason": "risk to the declarant's family"}),
    );
    assert_eq!(s, 201, "{w}");
    for (rel, text) in app.site_files() {
        assert!(
            !text.contains("Quietwater"),
            "{rel} shows a withheld entry's version"
        );
    }
    let text = page(&app, &format!("changes/{month}/"));
    assert!(text.contains("An entry was withheld on"), "{text}");
    assert!(
        text.contains("Partner at Hillside Surgery"),
        "other entries stay listed"
    );
    let person_page = page(&app, &format!("interests/{person}/"));
    assert!(
        person_page.contains("(1 published version)"),
        "{person_page}"
    );

    // Released, its versions are shown again.
    let (s, r) = app.post(
        &format!("/declarations/{id}/release"),
        json!({"version": 3}),
    );
    assert_eq!(s, 201, "{r}");
    let text = page(&app, &format!("changes/{month}/"));
    assert!(
        text.contains(&format!(
            "Director of Quietwater Holdings{INS} Limited</ins>"
        )),
        "{text}"
    );
    assert!(text.contains("Published again"), "{text}");
}

/// A busy month is paged: its page lists the latest block of changes and links to the
/// numbered pages before it, each numbered from the month's first, so that a new change
/// re-renders only the last of them; the index counts them all.
fn a_busy_month_is_paged(b: Backend) {
    use coi_register::publish::CHANGES_PER_PAGE;
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let n = CHANGES_PER_PAGE + 5;
    for i in 1..=n {
        app.declare(&person, &format!("Trustee of the Number{i:03} Trust"));
    }
    let month = month_of_head(&app);
    let latest = page(&app, &format!("changes/{month}/"));
    assert!(latest.contains(&format!("Number{n:03}")), "{latest}");
    assert!(
        !latest.contains("Number001"),
        "the first block is on page 1"
    );
    assert!(
        latest.contains(&format!("href=\"/test-ccg/changes/{month}/1/\"")),
        "links to the earlier page: {latest}"
    );
    let first = page(&app, &format!("changes/{month}/1/"));
    assert!(first.contains("Number001"), "{first}");
    assert!(first.contains(&format!("Number{CHANGES_PER_PAGE:03}")));
    assert!(!first.contains(&format!("Number{:03}", CHANGES_PER_PAGE + 1)));
    assert!(
        first.contains(&format!("href=\"/test-ccg/changes/{month}/2/\"")),
        "links to the newer page: {first}"
    );
    let second = page(&app, &format!("changes/{month}/2/"));
    assert!(second.contains(&format!("Number{n:03}")), "{second}");
    assert!(!second.contains("Number001"));
    let index = page(&app, "changes/");
    assert!(
        index.contains(&format!("<td class=\"nhsuk-table__cell\">{n}</td>")),
        "the index counts every change of the month: {index}"
    );
}

both_backends!(
    an_amendment_is_listed_with_both_texts_marked,
    a_withheld_entrys_versions_never_appear,
    a_busy_month_is_paged,
);
