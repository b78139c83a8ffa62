//! What changed: the published changes to the registers of interests, gifts and
//! procurement decisions between two positions of the chain, read from the audit entries
//! (each carries the whole record after its change). A change is an addition, an
//! amendment (its fields old and new, the changed words marked), an ending, a withdrawal
//! or a release, and is listed only when the versions it compares are public now
//! ([`Visible::entry_is_public`]); a withholding, or the withdrawal of an entry that is
//! no longer shown, is listed only as "an entry was withheld" (or withdrawn), nothing
//! more. The monthly pages (`/<org>/changes/`), a person's entries' history, amendment
//! feed items and the comparison of two editions are all built from [`between`],
//! [`history`] and [`describe`].

use super::business::Ctx;
use super::diff;
use super::views::{long_date, Visible};
use crate::audit::ChainEntry;
use crate::domain::decisions::route_label;
use crate::domain::gifts::GiftKind;
use crate::domain::interests::InterestType;
use crate::domain::money::Pence;
use crate::store::{audit, AnyConnection, StoreError};
use chrono::NaiveDate;
use handlebars::html_escape as esc;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The kinds of record whose changes are listed.
pub const KINDS: [&str; 4] = ["declaration", "gift", "decision", "gp_earnings"];

/// One published change.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// The audit entry that recorded it.
    pub seq: i64,
    pub on: String,
    pub on_iso: String,
    /// "Added", "Amended", "Ended", "Withdrawn", "Published again", "Withheld".
    pub kind: &'static str,
    /// Which register, and which entry ("Declaration 12: Dr A Shah, financial"), as plain
    /// text; none for an entry that is no longer shown.
    pub register: Option<&'static str>,
    pub entry: Option<String>,
    pub href: Option<String>,
    /// What the table of fields is called ("Declaration 12 amended on 3 March 2026").
    pub caption: String,
    /// Whether the fields compare two versions (else they are the entry as added).
    pub compares: bool,
    pub fields: Vec<FieldChange>,
}

/// A field of a change: its old text (for a comparison) and its new text, as HTML
/// (escaped, the changed words marked).
#[derive(Debug, Clone, Serialize)]
pub struct FieldChange {
    pub label: &'static str,
    pub before_html: Option<String>,
    pub after_html: String,
}

impl Change {
    /// The fields that changed, by name ("description, mitigation").
    pub fn changed_fields(&self) -> String {
        let labels: Vec<String> = self.fields.iter().map(|f| f.label.to_lowercase()).collect();
        labels.join(", ")
    }

    /// The change as HTML for a feed item's description: each field old → new.
    pub fn feed_html(&self) -> String {
        self.fields
            .iter()
            .map(|f| match &f.before_html {
                Some(before) => format!("<p>{}: {before} → {}</p>", esc(f.label), f.after_html),
                None => format!("<p>{}: {}</p>", esc(f.label), f.after_html),
            })
            .collect()
    }
}

/// How a field's value is shown.
#[derive(Clone, Copy)]
enum Show {
    Text,
    /// Markdown, compared as the words a reader sees (as the CSV has them): no markup,
    /// and nothing of a raw `<script>`.
    Markdown,
    Date,
    Pounds,
    YesNo,
    Interest,
    Gift,
    Route,
}

type Fields = &'static [(&'static str, &'static str, Show)];

/// The fields each register shows, by label, payload key and how shown.
fn fields_of(entity: &str) -> Fields {
    match entity {
        "declaration" => &[
            ("Type of interest", "interest_type", Show::Interest),
            ("Position", "position", Show::Text),
            ("Associate", "associate", Show::Text),
            ("Description", "description", Show::Markdown),
            ("Organisation or body", "body", Show::Text),
            ("Arose on", "arose_on", Show::Date),
            ("Ended on", "ended_on", Show::Date),
            ("Declared on", "declared_on", Show::Date),
            ("Action taken", "mitigation", Show::Text),
        ],
        "gift" => &[
            ("Giver", "giver", Show::Text),
            ("Giver is a supplier", "giver_is_supplier", Show::YesNo),
            ("Kind", "kind", Show::Gift),
            ("Description", "description", Show::Markdown),
            ("Value", "value_pence", Show::Pounds),
            ("Offered on", "offered_on", Show::Date),
            ("Outcome", "outcome", Show::Text),
            ("Approved by", "approved_by", Show::Text),
            ("Declared on", "declared_on", Show::Date),
        ],
        "decision" => &[
            ("Reference", "reference", Show::Text),
            ("Title", "title", Show::Text),
            ("Service", "service_description", Show::Text),
            ("Route", "route", Show::Route),
            ("Decided on", "decided_on", Show::Date),
            ("Supplier", "supplier", Show::Text),
            ("Value", "value_pence", Show::Pounds),
            ("How decided", "how_decided", Show::Text),
            ("Conflicts", "conflicts_note", Show::Text),
            ("Justification", "justification", Show::Text),
            ("Comments", "comments", Show::Text),
            ("Reason withdrawn", "withdrawn_reason", Show::Text),
        ],
        "gp_earnings" => &[
            ("Practice", "practice_name", Show::Text),
            ("ODS code", "ods_code", Show::Text),
            ("Financial year", "financial_year", Show::Text),
            ("Mean net earnings", "mean_earnings_pence", Show::Pounds),
            ("Full-time GPs", "full_time_gps", Show::Text),
            ("Part-time GPs", "part_time_gps", Show::Text),
            ("Source", "source_url", Show::Text),
            ("Reason withdrawn", "withdrawn_reason", Show::Text),
        ],
        _ => &[],
    }
}

/// A field of a payload as the public reads it ("" when not given).
fn shown(p: &Value, key: &str, how: Show) -> String {
    let v = &p[key];
    let text = match v {
        Value::Null => return String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match how {
        Show::Text => text,
        Show::Markdown => super::markdown::to_text(&text),
        Show::Date => NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(long_date)
            .unwrap_or(text),
        Show::Pounds => v.as_i64().map(|n| Pence(n).to_string()).unwrap_or(text),
        Show::YesNo => match v.as_bool() {
            Some(true) => "Yes".into(),
            Some(false) => "No".into(),
            None => text,
        },
        Show::Interest => InterestType::parse(&text).map_or(text, |t| t.label().to_owned()),
        Show::Gift => GiftKind::parse(&text).map_or(text, |k| k.label().to_owned()),
        Show::Route => route_label(&text).to_owned(),
    }
}

/// "Not given", for an empty side of a field.
fn or_none(html: String) -> String {
    if html.is_empty() {
        "Not given".into()
    } else {
        html
    }
}

/// The date part of an entry's time.
fn date_of(e: &ChainEntry) -> Option<NaiveDate> {
    e.header
        .at
        .get(..10)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

fn register_of(entity: &str) -> &'static str {
    match entity {
        "declaration" => "Register of interests",
        "gift" => "Register of gifts and hospitality",
        "gp_earnings" => "Register of GP earnings",
        _ => "Register of procurement decisions",
    }
}

/// Which entry a payload is, as plain text, and where it is shown now.
fn entry_of(ctx: &Ctx, e: &ChainEntry, p: &Value) -> (String, Option<String>) {
    let h = &e.header;
    let org = ctx.org();
    let who = || {
        p["person"]
            .as_str()
            .and_then(|slug| ctx.v.people().find(|x| x.slug == slug))
            .map(|x| x.fields.name.clone())
            .unwrap_or_default()
    };
    let person_page = || {
        p["person"]
            .as_str()
            .map(|slug| format!("/{org}/interests/{slug}/"))
    };
    match h.entity.as_str() {
        "declaration" => (
            format!(
                "Declaration {}: {}, {}",
                h.entity_id,
                who(),
                shown(p, "interest_type", Show::Interest).to_lowercase()
            ),
            person_page(),
        ),
        "gift" => (
            format!(
                "Gift or hospitality {}: {}, from {}",
                h.entity_id,
                who(),
                shown(p, "giver", Show::Text)
            ),
            person_page(),
        ),
        "gp_earnings" => (
            format!(
                "GP earnings {}: {} ({}), {}",
                h.entity_id,
                shown(p, "practice_name", Show::Text),
                shown(p, "ods_code", Show::Text),
                shown(p, "financial_year", Show::Text)
            ),
            Some(format!("/{org}/gp-earnings/")),
        ),
        _ => (
            format!(
                "Procurement decision {}: {}",
                shown(p, "reference", Show::Text),
                shown(p, "title", Show::Text)
            ),
            h.entity_id
                .parse()
                .ok()
                .and_then(|id| ctx.decision(id))
                .map(|d| ctx.decision_href(&d.record)),
        ),
    }
}

/// The published change entry `e` made, given the version published before it (`prev`,
/// public now too): `None` when `e` is not public, or changed nothing the public sees
/// (an acceptance that left the fields as they were).
pub fn describe(ctx: &Ctx, e: &ChainEntry, prev: Option<&ChainEntry>) -> Option<Change> {
    if !ctx.v.entry_is_public(e) {
        return None;
    }
    let p = e.payload.as_ref()?;
    let h = &e.header;
    let fields = fields_of(&h.entity);
    let before = prev.and_then(|x| x.payload.as_ref());
    let kind = match (before, h.action.as_str()) {
        (None, _) => "Added",
        (Some(_), "end") => "Ended",
        (Some(_), "withdraw") => "Withdrawn",
        (Some(_), "release") => "Published again",
        (Some(_), _) => "Amended",
    };
    let changes: Vec<FieldChange> = fields
        .iter()
        .filter_map(|&(label, key, how)| {
            let new = shown(p, key, how);
            match before {
                None if new.is_empty() => None,
                None => Some(FieldChange {
                    label,
                    before_html: None,
                    after_html: esc(&new),
                }),
                Some(b) => {
                    let old = shown(b, key, how);
                    (old != new).then(|| {
                        let m = diff::words(&old, &new);
                        FieldChange {
                            label,
                            before_html: Some(or_none(m.before)),
                            after_html: or_none(m.after),
                        }
                    })
                }
            }
        })
        .collect();
    if changes.is_empty() && kind == "Amended" {
        return None;
    }
    let (entry, href) = entry_of(ctx, e, p);
    let on = date_of(e);
    let on_long = on.map(long_date).unwrap_or_default();
    let caption = match before {
        None => format!("{entry}, as added on {on_long}"),
        Some(_) => format!("{entry}: {} on {on_long}", kind.to_lowercase()),
    };
    Some(Change {
        seq: h.seq,
        on: on_long,
        on_iso: on.map(|d| d.to_string()).unwrap_or_default(),
        kind,
        register: Some(register_of(&h.entity)),
        entry: Some(entry),
        href,
        caption,
        compares: before.is_some(),
        fields: changes,
    })
}

/// "An entry was withheld" (or withdrawn) for entry `e`, when it is not public, took a
/// published person's entry off the register, and was itself accepted; nothing more is
/// said of it.
fn hidden(v: &Visible, e: &ChainEntry) -> Option<Change> {
    let h = &e.header;
    if v.entry_is_public(e) || !matches!(h.entity.as_str(), "declaration" | "gift") {
        return None;
    }
    let p = e.payload.as_ref()?;
    let person = p["person_id"].as_str()?.parse::<i64>().ok()?;
    v.person(person)?;
    let accepted = p["review"].as_str().is_none_or(|r| r == "accepted");
    let kind = match h.action.as_str() {
        "withhold" if p["withheld"] == Value::Bool(true) => "Withheld",
        "withdraw" | "accept" if accepted && p["state"] == "withdrawn" => "Withdrawn",
        _ => return None,
    };
    let on = date_of(e);
    Some(Change {
        seq: h.seq,
        on: on.map(long_date).unwrap_or_default(),
        on_iso: on.map(|d| d.to_string()).unwrap_or_default(),
        kind,
        register: None,
        entry: None,
        href: None,
        caption: String::new(),
        compares: false,
        fields: vec![],
    })
}

/// Each record's public versions (entries), oldest first, keyed by kind and id.
type Histories = HashMap<(String, String), Vec<ChainEntry>>;

/// The public versions of the records `wanted` names (kind → ids).
fn histories(
    c: &mut AnyConnection,
    v: &Visible,
    wanted: &BTreeMap<String, BTreeSet<String>>,
) -> Result<Histories, StoreError> {
    let mut out = Histories::new();
    for (entity, ids) in wanted {
        let ids: Vec<String> = ids.iter().cloned().collect();
        for e in audit::history_of(c, v.snapshot.org.id, entity, &ids)? {
            if v.entry_is_public(&e) {
                let key = (e.header.entity.clone(), e.header.entity_id.clone());
                out.entry(key).or_default().push(e);
            }
        }
    }
    Ok(out)
}

/// The version of `e`'s record published before it, if any.
fn previous<'h>(histories: &'h Histories, e: &ChainEntry) -> Option<&'h ChainEntry> {
    let key = (e.header.entity.clone(), e.header.entity_id.clone());
    histories
        .get(&key)?
        .iter()
        .rev()
        .find(|x| x.header.seq < e.header.seq)
}

/// The records of `entries` whose changes are listed, by kind.
fn records_of(entries: &[ChainEntry]) -> BTreeMap<String, BTreeSet<String>> {
    let mut wanted: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| KINDS.contains(&e.header.entity.as_str()))
    {
        wanted
            .entry(e.header.entity.clone())
            .or_default()
            .insert(e.header.entity_id.clone());
    }
    wanted
}

/// The published changes recorded by entries `after + 1 ..= upto` of the chain, newest
/// first: what a month's page lists, and what changed between two editions.
pub fn between(
    c: &mut AnyConnection,
    ctx: &Ctx,
    after: i64,
    upto: i64,
) -> Result<Vec<Change>, StoreError> {
    let v = ctx.v;
    let inside = audit::about_kinds_between(c, v.snapshot.org.id, &KINDS, after, upto)?;
    let histories = histories(c, v, &records_of(&inside))?;
    let mut out: Vec<Change> = inside
        .iter()
        .filter_map(|e| describe(ctx, e, previous(&histories, e)).or_else(|| hidden(v, e)))
        .collect();
    out.reverse();
    Ok(out)
}

/// Each public version's change of the records of kind `entity` with the given `ids`,
/// oldest first: a person's entries' published history.
pub fn history(
    c: &mut AnyConnection,
    ctx: &Ctx,
    entity: &str,
    ids: &[i64],
) -> Result<BTreeMap<i64, Vec<Change>>, StoreError> {
    let wanted = BTreeMap::from([(
        entity.to_owned(),
        ids.iter().map(i64::to_string).collect::<BTreeSet<_>>(),
    )]);
    let histories = histories(c, ctx.v, &wanted)?;
    let mut out = BTreeMap::new();
    for ((_, id), versions) in &histories {
        let Ok(id) = id.parse::<i64>() else { continue };
        let changes: Vec<Change> = versions
            .iter()
            .enumerate()
            .filter_map(|(i, e)| describe(ctx, e, i.checked_sub(1).map(|j| &versions[j])))
            .collect();
        out.insert(id, changes);
    }
    Ok(out)
}

/// The change each of `entries` (a feed's) made to a record published before it, by
/// `seq`: what an amendment's feed item shows.
pub fn for_feed(
    c: &mut AnyConnection,
    ctx: &Ctx,
    entries: &[ChainEntry],
) -> Result<BTreeMap<i64, Change>, StoreError> {
    let public: Vec<ChainEntry> = entries
        .iter()
        .filter(|e| e.header.action != "create" && ctx.v.entry_is_public(e))
        .cloned()
        .collect();
    let histories = histories(c, ctx.v, &records_of(&public))?;
    Ok(public
        .iter()
        .filter_map(|e| {
            let prev = previous(&histories, e)?;
            describe(ctx, e, Some(prev)).map(|change| (e.header.seq, change))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::views::fixture;
    use serde_json::json;

    fn declaration(seq: i64, action: &str, description: &str, extra: Value) -> ChainEntry {
        let mut p = json!({"id": "5", "version": seq, "person_id": "1", "person": "dr-hidden-person",
            "position": null, "interest_type": "financial", "associate": null,
            "description": description, "body": "Riverside Trust", "arose_on": "2026-01-02",
            "ended_on": null, "declared_on": "2026-01-03", "mitigation": "",
            "state": "active", "withheld": false, "withheld_reason": null, "review": "accepted"});
        for (k, v) in extra.as_object().expect("an object") {
            p[k] = v.clone();
        }
        fixture::entry(seq, action, "declaration", 5, p)
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()
    }

    /// The test organisation with declaration 5 of its person published.
    fn snapshot() -> crate::store::snapshot::Snapshot {
        use crate::domain::entries::{Entry, Standing};
        use crate::domain::interests::DeclarationFields;
        let mut s = fixture::snapshot(Default::default(), vec![]);
        let on = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
        s.declarations.push(crate::store::entries::Version {
            entry: Entry {
                id: 5,
                version: 2,
                person_id: 1,
                fields: DeclarationFields {
                    position: None,
                    interest_type: InterestType::Financial,
                    associate: None,
                    description: "Chair of the Trust".into(),
                    body: "Riverside Trust".into(),
                    arose_on: on,
                    ended_on: None,
                    declared_on: on,
                    mitigation: String::new(),
                },
                standing: Standing::active(),
            },
            recorded_at: "2026-03-04T10:00:00Z".into(),
            recorded_by: "lead@test.example".into(),
            audit_seq: 2,
        });
        s
    }

    #[test]
    fn an_amendment_shows_its_changed_fields_old_and_new() {
        let s = snapshot();
        let v = Visible::new(&s, today());
        let ctx = Ctx::new(&v);
        let old = declaration(1, "create", "Trustee of the Trust", json!({}));
        let new = declaration(
            2,
            "amend",
            "Chair of the Trust",
            json!({"mitigation": "Leaves the room"}),
        );
        let added = describe(&ctx, &old, None).expect("public");
        assert_eq!(added.kind, "Added");
        assert!(!added.compares);
        assert!(added
            .fields
            .iter()
            .any(|f| f.after_html == "Trustee of the Trust"));
        let amended = describe(&ctx, &new, Some(&old)).expect("public");
        assert_eq!(amended.kind, "Amended");
        assert_eq!(amended.changed_fields(), "description, action taken");
        let d = &amended.fields[0];
        assert!(d
            .before_html
            .as_deref()
            .unwrap()
            .contains("removed: </span>Trustee</del>"));
        assert!(d.after_html.contains("added: </span>Chair</ins>"));
        assert_eq!(amended.fields[1].before_html.as_deref(), Some("Not given"));
        assert_eq!(
            amended.entry.as_deref(),
            Some("Declaration 5: Dr Hidden Person, financial")
        );
        let html = amended.feed_html();
        assert!(html.contains("→"), "{html}");
    }

    #[test]
    fn a_withholding_says_nothing_more_and_an_unchanged_acceptance_nothing() {
        let s = snapshot();
        let v = Visible::new(&s, today());
        let ctx = Ctx::new(&v);
        let withheld = declaration(
            3,
            "withhold",
            "Secret",
            json!({"withheld": true, "withheld_reason": "risk"}),
        );
        assert!(describe(&ctx, &withheld, None).is_none());
        let h = hidden(&v, &withheld).expect("listed");
        assert_eq!(h.kind, "Withheld");
        assert!(h.entry.is_none() && h.register.is_none() && h.fields.is_empty());
        assert!(!serde_json::to_string(&h).unwrap().contains("Secret"));
        let old = declaration(1, "create", "Same", json!({}));
        let same = declaration(2, "accept", "Same", json!({}));
        assert!(describe(&ctx, &same, Some(&old)).is_none());
        let submitted = declaration(4, "amend", "New", json!({"review": "submitted"}));
        assert!(describe(&ctx, &submitted, Some(&old)).is_none());
        assert!(hidden(&v, &submitted).is_none());
    }

    #[test]
    fn an_ending_is_named() {
        let s = snapshot();
        let v = Visible::new(&s, today());
        let ctx = Ctx::new(&v);
        let old = declaration(1, "create", "Trustee", json!({}));
        let ended = declaration(2, "end", "Trustee", json!({"ended_on": "2026-02-01"}));
        let change = describe(&ctx, &ended, Some(&old)).expect("public");
        assert_eq!(change.kind, "Ended");
        assert_eq!(change.changed_fields(), "ended on");
    }
}
