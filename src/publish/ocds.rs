//! The register of procurement decisions as an Open Contracting Data Standard (OCDS) 1.1
//! release package, `/<org>/data/decisions.ocds.json` (the page that describes every open
//! data file is [`super::data_page`]).
//!
//! One release per decision, of its current version: a decision is an award (the
//! procurement is over, a supplier chosen), so each release is tagged `award`, or
//! `awardCancellation` with the award `cancelled` once the decision is withdrawn. Only
//! fields of the core 1.1 schema are used, no extension: what OCDS has no field for (the
//! committee item's conflicts and quorum, the clinical lead, comments) is told in the
//! award's `description`, and the meeting page that records them is one of the award's
//! `documents`.

use super::business::Ctx;

use super::markdown;
use super::views::long_date;
use crate::domain::decisions::{route_label, Decision};
use crate::domain::money::Pence;
use crate::store::records::Stored;
use chrono::{Months, NaiveDate};
use serde_json::{json, Map, Value};

/// Where the package is published, under `/<org>/`.
pub const FILE: &str = "data/decisions.ocds.json";

/// The start of every `ocid`. OCDS asks each publisher to register its own prefix with
/// the Open Contracting Partnership (`ocds-` and six characters): an organisation
/// publishing this file for real should substitute its registered prefix here. Until
/// then `ocds-coireg-` marks the identifiers as this software's.
pub const OCID_PREFIX: &str = "ocds-coireg-";

/// The licence of every open data file: the Open Government Licence, as for most UK
/// public sector information.
pub const LICENCE_NAME: &str = "Open Government Licence v3.0";
pub const LICENCE_URL: &str =
    "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/";

/// How each procurement route maps onto OCDS's closed `procurementMethod` codelist:
///
/// * `open`: all interested suppliers may submit a tender;
/// * `selective`: only qualified suppliers are invited to submit a tender;
/// * `limited`: the procuring entity contacts a number of suppliers of its choice;
/// * `direct`: the contract is awarded to a single supplier without competition.
///
/// Our own label for the route always goes in `procurementMethodDetails`, so nothing is
/// lost where the mapping is coarse.
pub const PROCUREMENT_METHODS: [(&str, Option<&str>); 11] = [
    // Advertised, and any provider may bid.
    ("tender", Some("open")),
    // Waiving competition to award to one provider.
    ("single_tender_waiver", Some("direct")),
    // A call-off from a framework: only the providers admitted to the framework, who
    // were qualified when it was let, may be chosen.
    ("framework", Some("selective")),
    // A contract continued or changed with its current provider, without competition.
    ("extension", Some("direct")),
    // Every provider that meets the qualification criteria and accepts the terms gets a
    // contract: participation is limited to qualified providers.
    ("any_qualified_provider", Some("selective")),
    // Provider Selection Regime direct awards A, B and C: to the existing or an
    // identified provider, without competition.
    ("direct_award_a", Some("direct")),
    ("direct_award_b", Some("direct")),
    ("direct_award_c", Some("direct")),
    // PSR most suitable provider: the commissioner considers the providers it knows of
    // and chooses one, without competing them.
    ("most_suitable_provider", Some("limited")),
    // PSR competitive process: advertised, open to any provider.
    ("competitive_process", Some("open")),
    // Nothing defensible to say: the details field carries "Other".
    ("other", None),
];

/// The OCDS `procurementMethod` for one of our route codes, if one fits.
pub fn procurement_method(route: &str) -> Option<&'static str> {
    PROCUREMENT_METHODS
        .iter()
        .find(|(r, _)| *r == route)
        .and_then(|(_, m)| *m)
}

/// A date as an OCDS date-time: the start of the day, or its last second. The register
/// records days, not times, so the time of day carries no meaning.
fn start_of(d: NaiveDate) -> String {
    format!("{d}T00:00:00Z")
}

fn end_of(d: NaiveDate) -> String {
    format!("{d}T23:59:59Z")
}

/// The contract's period: from `starts_on`, and for `term_months` months when the term is
/// known, ending the day before the same date that many months on (a 36-month contract
/// from 1 April 2026 ends on 31 March 2029). `durationInDays` is the days from the start
/// to the end of that last day. Without a start date no dates are given (a term alone is
/// told in the award's description rather than turned into an approximate number of days).
pub fn contract_period(starts_on: Option<NaiveDate>, term_months: Option<u32>) -> Option<Value> {
    let start = starts_on?;
    let mut period = Map::new();
    period.insert("startDate".into(), json!(start_of(start)));
    if let Some(after) = term_months.and_then(|m| start.checked_add_months(Months::new(m))) {
        if let Some(last) = after.pred_opt().filter(|l| *l >= start) {
            period.insert("endDate".into(), json!(end_of(last)));
            period.insert("durationInDays".into(), json!((after - start).num_days()));
        }
    }
    Some(Value::Object(period))
}

/// A party identifier for a supplier, from its name: "Northshire GP Federation Ltd" is
/// `supplier-northshire-gp-federation-ltd`.
pub fn supplier_id(name: &str) -> String {
    let mut id = String::from("supplier");
    let mut gap = true;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if gap {
                id.push('-');
                gap = false;
            }
            id.extend(c.to_lowercase());
        } else {
            gap = true;
        }
    }
    id
}

/// The committee item that took a decision, as the release links to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenAt {
    pub committee: String,
    pub held_on: NaiveDate,
    pub item: String,
    /// The absolute URL of the item on its meeting's page.
    pub url: String,
}

/// What one release needs besides the decision: the organisation, the absolute URL of
/// the decision's page, and where the committee business records say it was taken.
#[derive(Debug, Clone)]
pub struct About<'a> {
    pub org_slug: &'a str,
    pub org_name: &'a str,
    pub decision_url: String,
    pub taken_at: Option<TakenAt>,
    /// The conflicts declared for the item and how each was managed (or the decision's
    /// own note on conflicts), as one line.
    pub conflicts: String,
    /// The item's quorum, as one line.
    pub quorum: String,
}

/// The `ocid` of a decision: the prefix, the organisation, the decision's reference (in
/// lower case, as in its URL, so it stays the same whatever case it is typed in).
pub fn ocid(org_slug: &str, d: &Decision) -> String {
    format!("{OCID_PREFIX}{org_slug}-{}", d.fields.url_ref())
}

/// The award's description: what the register says that OCDS has no field for.
fn award_description(d: &Decision, about: &About) -> String {
    let f = &d.fields;
    let mut parts = vec![format!("{}.", f.service_status.label())];
    match &about.taken_at {
        Some(t) => parts.push(format!(
            "Decided by the {} at its meeting of {}, item {}.",
            t.committee,
            long_date(t.held_on),
            t.item
        )),
        None => {
            if let Some(how) = &f.how_decided {
                parts.push(format!("How the decision was made: {}", sentence(how)));
            }
        }
    }
    if !about.conflicts.is_empty() {
        parts.push(format!(
            "Conflicts of interest declared and how they were managed: {}",
            sentence(&about.conflicts)
        ));
    }
    if about.quorum.to_ascii_lowercase().contains("quorate") {
        // "Quorate: 6 voting members counted (…)" says what it is.
        parts.push(sentence(&about.quorum));
    } else if !about.quorum.is_empty() {
        parts.push(format!("Quorum: {}", sentence(&about.quorum)));
    }
    if let Some(lead) = &f.clinical_lead {
        parts.push(format!("Clinical lead: {}", sentence(lead)));
    }
    if let Some(manager) = &f.contract_manager {
        parts.push(format!("Contract manager: {}", sentence(manager)));
    }
    if let Some(m) = f.term_months {
        parts.push(format!("Term: {m} month{}.", if m == 1 { "" } else { "s" }));
    }
    if let Some(c) = &f.comments {
        parts.push(format!("Comments: {}", sentence(&markdown::to_text(c))));
    }
    if let Some(why) = &d.withdrawn_reason {
        parts.push(format!("This decision was withdrawn: {}", sentence(why)));
    }
    parts.join(" ")
}

/// Text ending in a full stop (or its own closing punctuation).
fn sentence(s: &str) -> String {
    let s = s.trim();
    if s.ends_with(['.', '!', '?']) {
        s.to_owned()
    } else {
        format!("{s}.")
    }
}

/// The release for the current version of a decision.
pub fn release(d: &Stored<Decision>, about: &About) -> Value {
    let f = &d.record.fields;
    let withdrawn = d.record.withdrawn_reason.is_some();
    let buyer = json!({"id": about.org_slug, "name": about.org_name});
    let mut parties = vec![json!({
        "id": about.org_slug, "name": about.org_name, "roles": ["buyer", "procuringEntity"],
    })];
    let mut suppliers = vec![];
    if let Some(name) = f.supplier.as_deref().filter(|s| !s.trim().is_empty()) {
        let id = supplier_id(name);
        parties.push(json!({"id": id, "name": name, "roles": ["supplier"]}));
        suppliers.push(json!({"id": id, "name": name}));
    }

    let mut tender = Map::new();
    tender.insert("id".into(), json!(f.reference));
    tender.insert("title".into(), json!(f.title));
    tender.insert(
        "description".into(),
        json!(markdown::to_text(&f.service_description)),
    );
    tender.insert("procuringEntity".into(), buyer.clone());
    if let Some(method) = procurement_method(&f.route) {
        tender.insert("procurementMethod".into(), json!(method));
    }
    tender.insert(
        "procurementMethodDetails".into(),
        json!(route_label(&f.route)),
    );
    tender.insert(
        "procurementMethodRationale".into(),
        json!(markdown::to_text(&f.justification)),
    );

    let mut documents = vec![json!({
        "id": "decision", "documentType": "awardNotice",
        "title": format!("{} in the register of procurement decisions", f.reference),
        "url": about.decision_url, "format": "text/html", "language": "en",
    })];
    if let Some(t) = &about.taken_at {
        documents.push(json!({
            "id": "committee-item", "documentType": "conflictOfInterest",
            "title": format!("{}, meeting of {}, item {}: attendance, conflicts of interest declared and how they were managed, quorum", t.committee, long_date(t.held_on), t.item),
            "url": t.url, "format": "text/html", "language": "en",
        }));
    }

    let mut award = Map::new();
    award.insert("id".into(), json!(f.reference));
    award.insert("title".into(), json!(f.title));
    award.insert(
        "description".into(),
        json!(award_description(&d.record, about)),
    );
    award.insert(
        "status".into(),
        json!(if withdrawn { "cancelled" } else { "active" }),
    );
    award.insert("date".into(), json!(start_of(f.decided_on)));
    award.insert(
        "value".into(),
        json!({"amount": Pence(f.value_pence).json_pounds(), "currency": "GBP"}),
    );
    if !suppliers.is_empty() {
        award.insert("suppliers".into(), Value::Array(suppliers));
    }
    if let Some(period) = contract_period(f.starts_on, f.term_months) {
        award.insert("contractPeriod".into(), period);
    }
    award.insert("documents".into(), Value::Array(documents));

    json!({
        "ocid": ocid(about.org_slug, &d.record),
        "id": format!("{}-v{}", f.reference, d.version),
        "date": d.recorded_at,
        "tag": [if withdrawn { "awardCancellation" } else { "award" }],
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "buyer": buyer,
        "tender": tender,
        "awards": [award],
    })
}

/// The package around the releases. `published` is when its contents last changed (OCDS:
/// a package generated on demand carries the date of the last change to what it holds).
pub fn package(
    org_name: &str,
    uri: &str,
    policy: &str,
    published: &str,
    releases: Vec<Value>,
) -> Value {
    json!({
        "uri": uri,
        "version": "1.1",
        "publishedDate": published,
        "publisher": {"name": org_name},
        "license": LICENCE_URL,
        "publicationPolicy": policy,
        "releases": releases,
    })
}

/// The release package of an organisation's register of procurement decisions, oldest
/// decision first, every decision included (withdrawn ones as cancelled awards).
pub fn render(ctx: &Ctx, base: &str) -> Vec<u8> {
    let mut out = Vec::new();
    render_to(ctx, base, &mut out).expect("writing to memory cannot fail");
    out
}

/// [`render`], streamed: one release at a time, so the package takes little memory.
pub fn render_to(ctx: &Ctx, base: &str, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let s = ctx.v.snapshot;
    let org = &s.org;
    let mut ds: Vec<&Stored<Decision>> = ctx.b.decisions.iter().collect();
    ds.sort_by(|a, b| {
        (a.record.fields.decided_on, &a.record.fields.reference)
            .cmp(&(b.record.fields.decided_on, &b.record.fields.reference))
    });
    let releases = ds.into_iter().map(|d| {
        let taken_at = ctx.taken_at(&d.record).map(|(committee, held_on, item)| {
            let href = d
                .record
                .fields
                .item_id
                .and_then(|id| ctx.item(id))
                .and_then(|i| ctx.item_href(&i.record))
                .unwrap_or_default();
            TakenAt {
                committee,
                held_on,
                item,
                url: format!("{base}{href}"),
            }
        });
        let about = About {
            org_slug: &org.slug,
            org_name: &org.name,
            decision_url: format!("{base}{}", ctx.decision_href(&d.record)),
            taken_at,
            conflicts: ctx.conflicts_text(&d.record),
            quorum: ctx.quorum_text(&d.record),
        };
        release(d, &about)
    });
    let published = s
        .recent
        .first()
        .map(|e| e.header.at.clone())
        .unwrap_or_else(|| org.created_at.clone());
    let doc = package(
        &org.name,
        &format!("{base}/{}/{FILE}", org.slug),
        &format!("{base}/{}/data/", org.slug),
        &published,
        vec![],
    );
    // The package with no releases, and the releases written one by one where its
    // empty list was.
    let text = serde_json::to_string(&doc).expect("JSON values serialise");
    let at = text
        .find("\"releases\":[]")
        .expect("the package has a releases list")
        + "\"releases\":[".len();
    out.write_all(&text.as_bytes()[..at])?;
    for (i, r) in releases.enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, &r)?;
    }
    out.write_all(&text.as_bytes()[at..])?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::super::data_page::*;
    use super::super::exports;
    use super::*;
    use crate::domain::decisions::DecisionFields;
    use crate::domain::decisions::{ServiceStatus, ROUTES};

    fn decision(withdrawn: Option<&str>) -> Stored<Decision> {
        Stored {
            id: 7,
            version: 3,
            record: Decision {
                fields: DecisionFields {
                    reference: "PCD-2026-014".into(),
                    title: "Extended access".into(),
                    service_description: "Evening and **weekend** GP appointments".into(),
                    service_status: ServiceStatus::New,
                    route: "direct_award_c".into(),
                    clinical_lead: Some("Dr A Lead".into()),
                    contract_manager: None,
                    decided_on: NaiveDate::from_ymd_opt(2026, 3, 4).unwrap(),
                    item_id: Some(11),
                    how_decided: None,
                    conflicts_note: None,
                    justification: "The existing provider is *satisfactory*".into(),
                    supplier: Some("Northshire GP Federation Ltd".into()),
                    value_pence: 125_000_001,
                    term_months: Some(36),
                    starts_on: NaiveDate::from_ymd_opt(2026, 4, 1),
                    comments: None,
                },
                withdrawn_reason: withdrawn.map(str::to_owned),
            },
            recorded_at: "2026-03-05T09:30:00.000Z".into(),
            recorded_by: "lead@test.example".into(),
            audit_seq: 42,
        }
    }

    fn about() -> About<'static> {
        About {
            org_slug: "test-ccg",
            org_name: "NHS Test CCG",
            decision_url: "https://r.example/test-ccg/decisions/pcd-2026-014/".into(),
            taken_at: Some(TakenAt {
                committee: "Primary Care Commissioning Committee".into(),
                held_on: NaiveDate::from_ymd_opt(2026, 3, 4).unwrap(),
                item: "5".into(),
                url: "https://r.example/test-ccg/committees/pccc/meetings/2026-03-04/#item-5"
                    .into(),
            }),
            conflicts: "Dr X (partner at the practice bidding): left the room".into(),
            quorum: "Quorate: 4 voting members counted".into(),
        }
    }

    /// The decimal text of an amount, as a reader of the JSON sees it.
    fn text(pence: i64) -> String {
        serde_json::to_string(&Pence(pence).json_pounds()).unwrap()
    }

    /// The exact decimal number of pounds in `pence`, written shortest.
    fn exact(pence: i64) -> String {
        let s = Pence(pence).form_text();
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }

    #[test]
    fn amounts_are_the_exact_pounds() {
        for pence in (0..200_000).chain([
            999_999_999_999,
            1_234_567_890_123,
            crate::domain::decisions::MAX_CONTRACT_VALUE_PENCE - 1,
            crate::domain::decisions::MAX_CONTRACT_VALUE_PENCE,
        ]) {
            assert_eq!(text(pence), exact(pence), "{pence} pence");
            let back: f64 = text(pence).parse().unwrap();
            assert_eq!((back * 100.0).round() as i64, pence);
        }
        assert_eq!(text(125_000_000), "1250000");
        assert_eq!(text(125_000_001), "1250000.01");
        assert_eq!(text(10), "0.1");
        assert_eq!(text(5), "0.05");
        assert!(Pence(1_999).json_pounds().is_f64() && Pence(2_000).json_pounds().is_i64());
    }

    #[test]
    fn contract_periods_end_the_day_before_the_term_is_up() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(
            contract_period(Some(d(2026, 4, 1)), Some(36)).unwrap(),
            json!({"startDate": "2026-04-01T00:00:00Z", "endDate": "2029-03-31T23:59:59Z", "durationInDays": 1096})
        );
        assert_eq!(
            contract_period(Some(d(2026, 1, 15)), Some(1)).unwrap(),
            json!({"startDate": "2026-01-15T00:00:00Z", "endDate": "2026-02-14T23:59:59Z", "durationInDays": 31})
        );
        assert_eq!(
            contract_period(Some(d(2026, 4, 1)), None).unwrap(),
            json!({"startDate": "2026-04-01T00:00:00Z"})
        );
        assert_eq!(contract_period(None, Some(12)), None);
    }

    #[test]
    fn every_route_has_a_method_entry_and_methods_are_in_the_codelist() {
        for (route, _) in ROUTES {
            assert!(
                PROCUREMENT_METHODS.iter().any(|(r, _)| *r == route),
                "{route} has no mapping"
            );
        }
        for (_, m) in PROCUREMENT_METHODS {
            if let Some(m) = m {
                assert!(["open", "selective", "limited", "direct"].contains(&m));
            }
        }
        assert_eq!(procurement_method("tender"), Some("open"));
        assert_eq!(procurement_method("framework"), Some("selective"));
        assert_eq!(procurement_method("single_tender_waiver"), Some("direct"));
        assert_eq!(procurement_method("other"), None);
    }

    #[test]
    fn a_decision_is_an_award_release() {
        let r = release(&decision(None), &about());
        assert_eq!(r["ocid"], "ocds-coireg-test-ccg-pcd-2026-014");
        assert_eq!(r["id"], "PCD-2026-014-v3");
        assert_eq!(r["date"], "2026-03-05T09:30:00.000Z");
        assert_eq!(r["tag"], json!(["award"]));
        assert_eq!(r["initiationType"], "tender");
        assert_eq!(
            r["buyer"],
            json!({"id": "test-ccg", "name": "NHS Test CCG"})
        );
        assert_eq!(
            r["parties"],
            json!([
                {"id": "test-ccg", "name": "NHS Test CCG", "roles": ["buyer", "procuringEntity"]},
                {"id": "supplier-northshire-gp-federation-ltd", "name": "Northshire GP Federation Ltd", "roles": ["supplier"]},
            ])
        );
        let t = &r["tender"];
        assert_eq!(t["id"], "PCD-2026-014");
        assert_eq!(t["description"], "Evening and weekend GP appointments");
        assert_eq!(t["procurementMethod"], "direct");
        assert_eq!(
            t["procurementMethodDetails"],
            "Direct award process C (PSR)"
        );
        assert_eq!(
            t["procurementMethodRationale"],
            "The existing provider is satisfactory"
        );
        let a = &r["awards"][0];
        assert_eq!(a["status"], "active");
        assert_eq!(a["date"], "2026-03-04T00:00:00Z");
        assert_eq!(a["value"], json!({"amount": 1250000.01, "currency": "GBP"}));
        assert_eq!(
            a["suppliers"],
            json!([{"id": "supplier-northshire-gp-federation-ltd", "name": "Northshire GP Federation Ltd"}])
        );
        assert_eq!(a["contractPeriod"]["endDate"], "2029-03-31T23:59:59Z");
        let description = a["description"].as_str().unwrap();
        for part in [
            "New service.",
            "Decided by the Primary Care Commissioning Committee at its meeting of 4 March 2026, item 5.",
            "Dr X (partner at the practice bidding): left the room.",
            "left the room. Quorate: 4 voting members counted.",
            "Clinical lead: Dr A Lead.",
            "Term: 36 months.",
        ] {
            assert!(description.contains(part), "{part:?} not in {description:?}");
        }
        assert!(!description.contains("withdrawn"));
        let docs = a["documents"].as_array().unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1]["documentType"], "conflictOfInterest");
        assert_eq!(
            docs[1]["url"],
            "https://r.example/test-ccg/committees/pccc/meetings/2026-03-04/#item-5"
        );
        // Only core OCDS fields at the top level.
        let keys: Vec<&str> = r.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        for k in keys {
            assert!(
                [
                    "ocid",
                    "id",
                    "date",
                    "tag",
                    "initiationType",
                    "language",
                    "parties",
                    "buyer",
                    "tender",
                    "awards"
                ]
                .contains(&k),
                "{k}"
            );
        }
    }

    #[test]
    fn a_withdrawn_decision_is_a_cancelled_award() {
        let r = release(&decision(Some("Recorded in error")), &about());
        assert_eq!(r["tag"], json!(["awardCancellation"]));
        assert_eq!(r["awards"][0]["status"], "cancelled");
        assert!(r["awards"][0]["description"]
            .as_str()
            .unwrap()
            .ends_with("This decision was withdrawn: Recorded in error."));
    }

    #[test]
    fn a_decision_without_supplier_or_item_says_how_it_was_made() {
        let mut d = decision(None);
        d.record.fields.supplier = None;
        d.record.fields.item_id = None;
        d.record.fields.route = "other".into();
        d.record.fields.how_decided = Some("Governing body, 4 March 2026".into());
        let about = About {
            taken_at: None,
            conflicts: "None".into(),
            quorum: String::new(),
            ..about()
        };
        let r = release(&d, &about);
        assert_eq!(r["parties"].as_array().unwrap().len(), 1);
        assert!(r["awards"][0].get("suppliers").is_none());
        assert!(r["tender"].get("procurementMethod").is_none());
        assert_eq!(r["tender"]["procurementMethodDetails"], "Other");
        assert_eq!(r["awards"][0]["documents"].as_array().unwrap().len(), 1);
        let description = r["awards"][0]["description"].as_str().unwrap();
        assert!(description.contains("How the decision was made: Governing body, 4 March 2026."));
        assert!(!description.contains("Quorum"));
    }

    #[test]
    fn the_package_names_its_publisher_licence_and_policy() {
        let p = package(
            "NHS Test CCG",
            "https://r.example/test-ccg/data/decisions.ocds.json",
            "https://r.example/test-ccg/data/",
            "2026-03-05T09:30:00.000Z",
            vec![release(&decision(None), &about())],
        );
        assert_eq!(p["version"], "1.1");
        assert_eq!(p["publisher"], json!({"name": "NHS Test CCG"}));
        assert_eq!(p["license"], LICENCE_URL);
        assert_eq!(p["publicationPolicy"], "https://r.example/test-ccg/data/");
        assert_eq!(p["releases"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn supplier_ids_are_slugs_of_their_names() {
        assert_eq!(supplier_id("Acme & Sons, Ltd."), "supplier-acme-sons-ltd");
        assert_eq!(supplier_id("  Ünïty Health  "), "supplier-ünïty-health");
    }

    #[test]
    fn the_package_and_the_data_page_render_from_a_snapshot() {
        use crate::publish::business::Ctx;
        use crate::publish::views::{self, fixture, Visible};
        use crate::store::business::Business;
        let business = Business {
            decisions: vec![decision(None)],
            ..Business::default()
        };
        let recent = vec![fixture::entry(9, "create", "decision", 7, json!({}))];
        let s = fixture::snapshot(business, recent);
        let v = Visible::new(&s, NaiveDate::from_ymd_opt(2026, 6, 1).unwrap());
        let ctx = Ctx::new(&v);
        let p: Value = serde_json::from_slice(&render(&ctx, "https://r.example")).unwrap();
        assert_eq!(
            p["uri"],
            "https://r.example/test-ccg/data/decisions.ocds.json"
        );
        assert_eq!(p["publishedDate"], "2026-03-04T10:00:00Z");
        assert_eq!(p["publisher"]["name"], "NHS Test CCG");
        let r = &p["releases"][0];
        assert_eq!(r["ocid"], "ocds-coireg-test-ccg-pcd-2026-014");
        assert_eq!(
            r["awards"][0]["documents"][0]["url"],
            "https://r.example/test-ccg/decisions/pcd-2026-014/"
        );

        // The page renders in strict mode, every column described.
        let publisher = crate::publish::Publisher::new("/nonexistent", "https://r.example");
        let page = json!({
            "title": "Open data", "org": views::org_view(&s), "crumbs": [], "feeds": [],
            "open": data_page(&ctx),
        });
        let html = String::from_utf8(publisher.render("data", &page).unwrap()).unwrap();
        for text in [
            "href=\"/test-ccg/data/decisions.ocds.json\"",
            "href=\"/test-ccg/data/breaches.csv\"",
            "href=\"/test-ccg/audit/chain.jsonl\"",
            "href=\"/test-ccg/feeds/decisions.xml\"",
            "<code>withdrawn_reason</code>",
            "28 days after the interest arose",
            "Open Government Licence v3.0",
        ] {
            assert!(html.contains(text), "{text} not on the page");
        }
        assert!(!html.contains("Not yet described"));
    }

    /// Every column each export writes is described on the data page, and nothing else is.
    #[test]
    fn every_exported_column_is_described() {
        for (names, meanings) in [
            (&exports::INTEREST_COLUMNS[..], &INTEREST_MEANINGS[..]),
            (&exports::GIFT_COLUMNS[..], &GIFT_MEANINGS[..]),
            (&exports::DECISION_COLUMNS[..], &DECISION_MEANINGS[..]),
            (&exports::BREACH_COLUMNS[..], &BREACH_MEANINGS[..]),
        ] {
            let described: Vec<&str> = meanings.iter().map(|(n, _)| *n).collect();
            assert_eq!(
                names,
                &described[..],
                "columns and their descriptions differ"
            );
        }
    }
}
