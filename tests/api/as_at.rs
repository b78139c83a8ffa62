//! The registers as at a past day (`/<org>/registers/as-at/<date>/` and the files beside
//! it): an entry as it then read, a later amendment not shown, an entry withheld since
//! left out and counted, the CSV byte for byte what the site wrote that day, the register
//! pages' form and its redirect, and 404s for today, the future, a malformed date and an
//! unknown file.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use chrono::{DateTime, NaiveDate, Utc};
use coi_register::clock;
use coi_register::domain::entries::{Review, StandingChange};
use coi_register::domain::gifts::{GiftFields, GiftKind, Outcome};
use coi_register::domain::interests::{DeclarationFields, InterestType, Step};
use coi_register::domain::org::{NewOrg, OrgSettings, OrgSlug};
use coi_register::domain::people::PersonFields;
use coi_register::store::declarations::Declarations;
use coi_register::store::entries::Register;
use coi_register::store::gifts::{GiftStep, Gifts};
use coi_register::store::{orgs, people};

const LEAD: &str = "lead@test.example";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn interest(body: &str) -> DeclarationFields {
    DeclarationFields {
        position: None,
        interest_type: InterestType::Financial,
        associate: None,
        description: format!("Partner in {body}"),
        body: body.into(),
        arose_on: day("2026-02-20"),
        ended_on: None,
        declared_on: day("2026-03-01"),
        mitigation: "Leaves the room".into(),
    }
}

fn dinner() -> GiftFields {
    GiftFields {
        giver: "Acme Medical Ltd".into(),
        giver_is_supplier: false,
        kind: GiftKind::Hospitality,
        description: "Dinner".into(),
        value_pence: 4000,
        offered_on: day("2026-02-27"),
        outcome: Outcome::Accepted,
        approved_by: None,
        declared_on: day("2026-03-01"),
    }
}

/// Organisation `past-ccg`, its history written with the clock set: on 1 March 2026
/// Dr Past declares Riverside and an offer of dinner; the site is published that
/// evening (into `site`); on 2 March the declaration is amended to Hillside; on 3 March
/// the offer is withheld.
fn history(app: &TestApp, site: &std::path::Path) {
    let mut c = app.conn();
    let clock = clock::set(at("2026-03-01T09:00:00Z"));
    let new = NewOrg {
        slug: OrgSlug::parse("past-ccg").unwrap(),
        name: "NHS Past CCG".into(),
    };
    orgs::create(&mut c, "system", &new, OrgSettings::default()).unwrap();
    let org = orgs::by_slug(&mut c, "past-ccg").unwrap().id;
    let fields = PersonFields {
        name: "Dr Past".into(),
        position: "GP member".into(),
        decision_making: true,
    };
    let person = people::create(&mut c, org, LEAD, fields).unwrap().value;
    let d = Declarations::create(
        &mut c,
        org,
        LEAD,
        &person.slug,
        interest("Riverside"),
        None,
        Review::Accepted,
    )
    .unwrap()
    .value;
    let g = Gifts::create(
        &mut c,
        org,
        LEAD,
        &person.slug,
        dinner(),
        None,
        Review::Accepted,
    )
    .unwrap()
    .value;
    clock.to(at("2026-03-01T23:00:00Z"));
    coi_register::publish::Publisher::new(site, &app.base)
        .publish_all(&mut c)
        .unwrap();
    clock.to(at("2026-03-02T10:00:00Z"));
    Declarations::change(
        &mut c,
        org,
        LEAD,
        d.entry.id,
        1,
        Review::Accepted,
        |_, _| {
            Ok(Step::Amend(DeclarationFields {
                position: Some("GP member".into()),
                ..interest("Hillside")
            }))
        },
    )
    .unwrap();
    clock.to(at("2026-03-03T10:00:00Z"));
    Gifts::change(
        &mut c,
        org,
        LEAD,
        g.entry.id,
        1,
        Review::Accepted,
        |_, _| {
            Ok(
                <GiftStep as coi_register::domain::entries::EntryStep<_>>::standing(
                    StandingChange::Withhold("risk of harm".into()),
                ),
            )
        },
    )
    .unwrap();
}

fn as_at(app: &TestApp, date: &str, file: &str) -> (u16, String) {
    app.get_text(&format!(
        "{}/past-ccg/registers/as-at/{date}/{file}",
        app.base
    ))
}

fn registers_as_at_a_past_day(backend: Backend) {
    let app = TestApp::spawn(backend);
    let site = tempfile::tempdir().unwrap();
    history(&app, site.path());

    let (status, first) = as_at(&app, "2026-03-01", "interests.csv");
    assert_eq!(status, 200, "{first}");
    let published =
        std::fs::read_to_string(site.path().join("past-ccg/data/interests.csv")).unwrap();
    assert_eq!(
        first, published,
        "the CSV the site wrote that evening, byte for byte"
    );
    assert!(
        first.contains("Riverside") && !first.contains("Hillside"),
        "{first}"
    );

    let (_, second) = as_at(&app, "2026-03-02", "interests.csv");
    assert!(
        second.contains("Hillside") && !second.contains("Riverside"),
        "{second}"
    );

    // The offer was on the register on 1 March, and is withheld now: it is left out, and counted.
    let site_gifts = std::fs::read_to_string(site.path().join("past-ccg/data/gifts.csv")).unwrap();
    assert!(site_gifts.contains("Acme Medical Ltd"), "{site_gifts}");
    let (status, gifts) = as_at(&app, "2026-03-01", "gifts.csv");
    assert_eq!(status, 200);
    assert!(!gifts.contains("Acme Medical Ltd"), "{gifts}");
    let (status, json) = as_at(&app, "2026-03-01", "registers.json");
    assert_eq!(status, 200, "{json}");
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["withheld_since"], 1);
    assert_eq!(doc["derived_from"]["last_seq"], 4);
    assert_eq!(doc["interests"][0]["body"], "Riverside");
    assert_eq!(doc["gifts"], serde_json::json!([]));

    // Before the organisation's first entry: empty registers derived from no entries.
    let (status, json) = as_at(&app, "2026-02-28", "registers.json");
    assert_eq!(status, 200);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["derived_from"]["last_seq"], 0);
    assert_eq!(doc["interests"], serde_json::json!([]));
    let (status, decisions) = as_at(&app, "2026-02-28", "decisions.csv");
    assert_eq!((status, decisions.lines().count()), (200, 1), "{decisions}");

    let today = chrono::Utc::now().date_naive();
    for (date, file) in [
        (today.to_string(), "interests.csv"),
        (
            (today + chrono::Duration::days(1)).to_string(),
            "interests.csv",
        ),
        ("2026-3-1".into(), "interests.csv"),
        ("2026-02-30".into(), "interests.csv"),
        ("2026-03-01".into(), "people.csv"),
    ] {
        let (status, page) = as_at(&app, &date, file);
        assert_eq!(status, 404, "{date}/{file}");
        assert!(page.contains("Page not found"), "{page}");
    }
    let (status, _) = app.get_text(&format!(
        "{}/no-such-ccg/registers/as-at/2026-03-01/interests.csv",
        app.base
    ));
    assert_eq!(status, 404);
}

fn the_page_of_the_registers_as_at_a_past_day(backend: Backend) {
    let app = TestApp::spawn(backend);
    let site = tempfile::tempdir().unwrap();
    history(&app, site.path());

    let page = app.browse("/past-ccg/registers/as-at/2026-03-01/", None);
    assert_eq!(page.status, 200, "{}", page.body);
    let body = &page.body;
    assert!(
        body.contains("<title>Registers as at 1 March 2026 – NHS Past CCG</title>"),
        "{body}"
    );
    assert!(
        body.contains("Riverside") && !body.contains("Hillside"),
        "the entry as it then read, not its later amendment: {body}"
    );
    assert!(
        body.contains("Derived from entries 1 to 4 of the <a"),
        "{body}"
    );
    assert!(
        body.contains("1 entry that was on the register on this date has since been withheld."),
        "{body}"
    );
    assert!(!body.contains("Acme Medical Ltd"), "{body}");
    for file in [
        "interests.csv",
        "gifts.csv",
        "decisions.csv",
        "registers.json",
    ] {
        assert!(body.contains(&format!("<a href=\"{file}\">")), "{file}");
    }
    assert!(body.contains("No procurement decisions had been recorded."));

    let page_on = |date: &str| {
        app.browse(&format!("/past-ccg/registers/as-at/{date}/"), None)
            .body
    };
    let later = page_on("2026-03-02");
    assert!(
        later.contains("Hillside") && !later.contains("Riverside"),
        "{later}"
    );
    let after = page_on("2026-03-03");
    assert!(
        after.contains("Derived from entries 1 to 6 of the <a") && !after.contains("withheld."),
        "withheld by then, so not counted as withheld since: {after}"
    );
    let before = page_on("2026-02-28");
    assert!(
        before.contains("NHS Past CCG had no entries in its <a"),
        "{before}"
    );
    assert!(before.contains("No interests were on the register."));

    let bare = app.browse("/past-ccg/registers/as-at/2026-03-01", None);
    assert_eq!(
        (bare.status, bare.location.as_deref()),
        (302, Some("/past-ccg/registers/as-at/2026-03-01/"))
    );

    // The register pages' form, and where it leads.
    for register in ["interests", "gifts", "decisions"] {
        let page =
            std::fs::read_to_string(site.path().join(format!("past-ccg/{register}/index.html")))
                .unwrap();
        assert!(
            page.contains(r#"<form class="app-as-at" method="get" action="/past-ccg/registers/as-at/">"#)
                && page.contains(r#"<label class="nhsuk-label nhsuk-label--s" for="as-at-date">See the registers as at a date</label>"#)
                && page.contains(r#"id="as-at-date" name="date" type="date""#),
            "{register}: {page}"
        );
    }
    let chosen = app.browse("/past-ccg/registers/as-at/?date=2026-03-01", None);
    assert_eq!(
        (chosen.status, chosen.location.as_deref()),
        (303, Some("/past-ccg/registers/as-at/2026-03-01/"))
    );

    let today = chrono::Utc::now().date_naive();
    let tomorrow = today + chrono::Duration::days(1);
    for date in [
        today.to_string(),
        tomorrow.to_string(),
        "2026-3-1".into(),
        "2026-02-30".into(),
        "soon".into(),
    ] {
        let page = app.browse(&format!("/past-ccg/registers/as-at/{date}/"), None);
        assert_eq!(page.status, 404, "{date}");
        assert!(page.body.contains("Page not found"), "{}", page.body);
        let chosen = app.browse(&format!("/past-ccg/registers/as-at/?date={date}"), None);
        assert_eq!(
            (chosen.status, chosen.location),
            (404, None),
            "?date={date}"
        );
    }
    for query in ["", "?date=", "?day=2026-03-01", "?date=%ff%fe"] {
        let chosen = app.browse(&format!("/past-ccg/registers/as-at/{query}"), None);
        assert_eq!((chosen.status, chosen.location), (404, None), "{query}");
        assert!(chosen.body.contains("Page not found"));
    }
    let unknown = app.browse("/no-such-ccg/registers/as-at/2026-03-01/", None);
    assert_eq!(unknown.status, 404);
}

both_backends!(registers_as_at_a_past_day);
both_backends!(the_page_of_the_registers_as_at_a_past_day);
