//! View structs the templates render, built from a snapshot. This is where the public
//! register's rules are applied: only what [`Visible`] allows ever reaches a view.

use super::markdown;
use crate::audit::ChainEntry;
use crate::domain::gifts::Outcome;
use crate::domain::money::Pence;
use crate::domain::people::Person;
use crate::domain::returns::{confirmation_due, ReturnKind};
use crate::store::snapshot::Snapshot;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A date as the register shows it: "3 March 2026".
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// Which records of a snapshot the public may see, as of `today`.
pub struct Visible<'a> {
    pub snapshot: &'a Snapshot,
    pub today: NaiveDate,
    people: BTreeMap<i64, &'a Person>,
    declarations: BTreeSet<i64>,
    gifts: BTreeSet<i64>,
    /// Accepted returns.
    returns: BTreeSet<i64>,
}

impl<'a> Visible<'a> {
    pub fn new(snapshot: &'a Snapshot, today: NaiveDate) -> Visible<'a> {
        let people: BTreeMap<i64, &Person> = snapshot
            .people
            .iter()
            // A record retired or merged into another is off the register.
            .filter(|p| p.fields.decision_making && p.standing.is_active())
            .map(|p| (p.id, p))
            .collect();
        let settings = &snapshot.org.settings;
        let declarations = snapshot
            .declarations
            .iter()
            .filter(|v| {
                v.entry
                    .is_public(people.contains_key(&v.entry.person_id), today, settings)
            })
            .map(|v| v.entry.id)
            .collect();
        let gifts = snapshot
            .gifts
            .iter()
            .filter(|v| v.entry.is_public(people.contains_key(&v.entry.person_id)))
            .map(|v| v.entry.id)
            .collect();
        Visible {
            snapshot,
            today,
            people,
            declarations,
            gifts,
            returns: snapshot.returns.iter().map(|r| r.id).collect(),
        }
    }

    /// A published person (decision-making staff whose record is in use).
    pub fn person(&self, id: i64) -> Option<&'a Person> {
        self.people.get(&id).copied()
    }

    /// Published people, by name.
    pub fn people(&self) -> impl Iterator<Item = &'a Person> + '_ {
        self.snapshot
            .people
            .iter()
            .filter(|p| self.people.contains_key(&p.id))
    }

    /// Whether an audit entry's content may be published: the record it describes must
    /// be public now (so a later withholding also hides the earlier versions), and a
    /// version of an entry must have been accepted (a declarant's submission, and a
    /// governance lead's comment returning it, stay between them).
    pub fn entry_is_public(&self, e: &ChainEntry) -> bool {
        // An edition is named by its date and is public from the moment it is made.
        if e.header.entity == "edition" {
            return true;
        }
        let id: i64 = match e.header.entity_id.parse() {
            Ok(id) => id,
            Err(_) => return e.header.entity == "organisation",
        };
        let person_of = |payload: &Option<serde_json::Value>| {
            payload
                .as_ref()
                .and_then(|p| p["person_id"].as_str())
                .and_then(|s| s.parse::<i64>().ok())
        };
        if carries_private_fields(e.payload.as_ref()) {
            return false;
        }
        // Entries from before review existed have no review field: they were accepted.
        let accepted = e
            .payload
            .as_ref()
            .and_then(|p| p.get("review"))
            .and_then(|r| r.as_str())
            .is_none_or(|r| r == "accepted");
        match e.header.entity.as_str() {
            "organisation" => true,
            "person" => self.people.contains_key(&id),
            "declaration" => accepted && self.declarations.contains(&id),
            "gift" => accepted && self.gifts.contains(&id),
            "nil_return" | "confirmation" => {
                self.returns.contains(&id)
                    && person_of(&e.payload).is_some_and(|p| self.people.contains_key(&p))
            }
            // Committee business is public record: minutes, membership, the register of
            // procurement decisions.
            "committee" | "membership" | "meeting" | "item" | "decision" => true,
            // Practices publish their GPs' earnings themselves; the register repeats them.
            "gp_earnings" => true,
            // A breach is published anonymised; its entry names the person concerned, so
            // its payload is public only when it names nobody.
            "breach" => e
                .payload
                .as_ref()
                .is_some_and(|p| p.get("person_id").is_none_or(|id| id.is_null())),
            _ => false,
        }
    }

    pub fn declaration_is_public(&self, id: i64) -> bool {
        self.declarations.contains(&id)
    }
    pub fn gift_is_public(&self, id: i64) -> bool {
        self.gifts.contains(&id)
    }
}

/// Fields of a declaration's or gift's record that only those who may read the person's
/// entries see: why it was withheld (a threat to someone's safety, say) stays private
/// after the entry is released.
pub const PRIVATE_FIELDS: [&str; 1] = ["withheld_reason"];

/// Whether a record (an audit payload, an API record) holds a private field with a value:
/// such a payload is never published, whatever becomes of its record (its hash still
/// binds it in the chain).
pub fn carries_private_fields(record: Option<&serde_json::Value>) -> bool {
    record.is_some_and(|r| {
        PRIVATE_FIELDS
            .iter()
            .any(|f| r.get(f).is_some_and(|v| !v.is_null()))
    })
}

/// A record of an entry as the public may see it: its private fields null.
pub fn public_record(mut record: serde_json::Value) -> serde_json::Value {
    for f in PRIVATE_FIELDS {
        if let Some(v) = record.get_mut(f) {
            *v = serde_json::Value::Null;
        }
    }
    record
}

#[derive(Serialize, Clone)]
pub struct OrgView {
    pub slug: String,
    pub name: String,
    /// When the registers last changed ("23 November 2026"), from the chain head.
    pub updated: String,
    pub updated_iso: String,
    pub chain_seq: i64,
    pub chain_head: String,
}

#[derive(Serialize)]
pub struct DeclarationRow {
    pub id: i64,
    pub version: i64,
    pub person_name: String,
    pub person_slug: String,
    pub position: String,
    pub interest_type: &'static str,
    pub type_code: &'static str,
    pub associate: Option<String>,
    pub description_html: String,
    pub body: String,
    pub arose_on: String,
    pub ended_on: Option<String>,
    pub ended: bool,
    pub declared_on: String,
    pub late: Option<String>,
    pub mitigation: String,
    pub audit_seq: i64,
}

#[derive(Serialize)]
pub struct GiftRow {
    pub id: i64,
    pub person_name: String,
    pub person_slug: String,
    pub position: String,
    pub giver: String,
    pub giver_is_supplier: bool,
    pub kind: &'static str,
    pub description_html: String,
    pub value: String,
    pub offered_on: String,
    pub accepted: bool,
    pub outcome: &'static str,
    pub approved_by: Option<String>,
    pub declared_on: String,
    pub rule: String,
    pub audit_seq: i64,
}

#[derive(Serialize)]
pub struct NothingDeclaredRow {
    pub person_name: String,
    pub person_slug: String,
    pub position: String,
    pub status: String,
}

#[derive(Serialize)]
pub struct PersonView {
    pub name: String,
    pub slug: String,
    pub position: String,
    pub last_return: Option<String>,
    pub confirmation_due: bool,
}

pub fn org_view(s: &Snapshot) -> OrgView {
    let (updated, updated_iso) = match s.recent.first() {
        Some(e) => {
            let date = e
                .header
                .at
                .get(..10)
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            (date.map(long_date).unwrap_or_default(), e.header.at.clone())
        }
        None => (String::new(), String::new()),
    };
    OrgView {
        slug: s.org.slug.clone(),
        name: s.org.name.clone(),
        updated,
        updated_iso,
        chain_seq: s.org.chain_seq,
        chain_head: s.org.chain_head.clone(),
    }
}

/// What the organisation's home page counts in each register.
pub fn counts(v: &Visible) -> serde_json::Value {
    let s = v.snapshot;
    let b = &s.business;
    let practices = b
        .gp_earnings
        .iter()
        .filter(|g| g.record.withdrawn_reason.is_none())
        .map(|g| g.record.fields.ods_code.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    serde_json::json!({
        "declarations": s.declarations.iter().filter(|d| {
            v.declaration_is_public(d.entry.id) && v.person(d.entry.person_id).is_some()
        }).count(),
        "gifts": s.gifts.iter().filter(|g| v.gift_is_public(g.entry.id) && v.person(g.entry.person_id).is_some()).count(),
        "people": v.people().count(),
        "committees": b.committees.len(),
        "decisions": b.decisions.iter().filter(|d| d.record.withdrawn_reason.is_none()).count(),
        "breaches": b.breaches.len(),
        "gp_practices": match practices {
            1 => "1 GP practice".to_owned(),
            n => format!("{n} GP practices"),
        },
    })
}

/// Published declarations, ongoing first, then by person and date.
pub fn declaration_rows(v: &Visible, person: Option<i64>) -> Vec<DeclarationRow> {
    sorted_declaration_rows(
        v,
        v.snapshot
            .declarations
            .iter()
            .filter(|d| person.is_none_or(|p| p == d.entry.person_id)),
    )
}

/// The published ones of `versions` as rows, current before ended, then by name.
pub fn sorted_declaration_rows<'a>(
    v: &Visible,
    versions: impl Iterator<Item = &'a crate::store::declarations::Version>,
) -> Vec<DeclarationRow> {
    let mut rows: Vec<DeclarationRow> = versions
        .filter(|d| v.declaration_is_public(d.entry.id))
        .filter_map(|ver| declaration_row(v, ver))
        .collect();
    rows.sort_by(|a, b| (a.ended, &a.person_name, a.id).cmp(&(b.ended, &b.person_name, b.id)));
    rows
}

/// One published declaration as the register shows it (none if its person is not public).
pub fn declaration_row(
    v: &Visible,
    ver: &crate::store::declarations::Version,
) -> Option<DeclarationRow> {
    let settings = &v.snapshot.org.settings;
    let d = &ver.entry;
    let p = v.person(d.person_id)?;
    let f = &d.fields;
    Some(DeclarationRow {
        id: d.id,
        version: d.version,
        person_name: p.fields.name.clone(),
        person_slug: p.slug.clone(),
        position: f
            .position
            .clone()
            .unwrap_or_else(|| p.fields.position.clone()),
        interest_type: f.interest_type.label(),
        type_code: f.interest_type.code(),
        associate: f.associate.clone(),
        description_html: markdown::to_html(&f.description),
        body: f.body.clone(),
        arose_on: long_date(f.arose_on),
        ended_on: f.ended_on.map(long_date),
        ended: f.has_ended(v.today),
        declared_on: long_date(f.declared_on),
        late: f
            .days_late(settings)
            .map(|n| format!("Declared {n} day{} late", if n == 1 { "" } else { "s" })),
        mitigation: f.mitigation.clone(),
        audit_seq: ver.audit_seq,
    })
}

/// Published gifts and hospitality, newest first.
pub fn gift_rows(v: &Visible, person: Option<i64>) -> Vec<GiftRow> {
    sorted_gift_rows(
        v,
        v.snapshot
            .gifts
            .iter()
            .filter(|g| person.is_none_or(|p| p == g.entry.person_id)),
    )
}

/// The published ones of `versions` as rows, newest first.
pub fn sorted_gift_rows<'a>(
    v: &Visible,
    versions: impl Iterator<Item = &'a crate::store::gifts::Version>,
) -> Vec<GiftRow> {
    let mut rows: Vec<(NaiveDate, GiftRow)> = versions
        .filter(|g| v.gift_is_public(g.entry.id))
        .filter_map(|ver| Some((ver.entry.fields.offered_on, gift_row(v, ver)?)))
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.id.cmp(&a.1.id)));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// One published offer as the register shows it (none if its person is not public).
pub fn gift_row(v: &Visible, ver: &crate::store::gifts::Version) -> Option<GiftRow> {
    let settings = &v.snapshot.org.settings;
    let g = &ver.entry;
    let p = v.person(g.person_id)?;
    let f = &g.fields;
    Some(GiftRow {
        id: g.id,
        person_name: p.fields.name.clone(),
        person_slug: p.slug.clone(),
        position: p.fields.position.clone(),
        giver: f.giver.clone(),
        giver_is_supplier: f.giver_is_supplier,
        kind: f.kind.label(),
        description_html: markdown::to_html(&f.description),
        value: Pence(f.value_pence).to_string(),
        offered_on: long_date(f.offered_on),
        accepted: f.outcome == Outcome::Accepted,
        outcome: if f.outcome == Outcome::Accepted {
            "Accepted"
        } else {
            "Declined"
        },
        approved_by: f.approved_by.clone(),
        declared_on: long_date(f.declared_on),
        rule: f.assessment(settings).rule,
        audit_seq: ver.audit_seq,
    })
}

/// The latest return of each person.
pub fn last_returns(s: &Snapshot) -> BTreeMap<i64, (ReturnKind, NaiveDate)> {
    crate::domain::returns::latest_returns(&s.returns)
}

/// Decision-making staff with no published entry: each with their nil return, or
/// "no declaration received" (the guidance asks for both to be listed by name).
pub fn nothing_declared(v: &Visible) -> Vec<NothingDeclaredRow> {
    // Someone with a withheld entry has declared something, so is not listed as having nothing.
    let with_entries: BTreeSet<i64> = v
        .snapshot
        .declarations
        .iter()
        .map(|d| &d.entry)
        .filter(|d| {
            v.declaration_is_public(d.id)
                || (d.standing.state == crate::domain::entries::EntryState::Active
                    && d.standing.withheld_reason.is_some())
        })
        .map(|d| d.person_id)
        .collect();
    let returns = last_returns(v.snapshot);
    v.people()
        .filter(|p| !with_entries.contains(&p.id))
        .map(|p| NothingDeclaredRow {
            person_name: p.fields.name.clone(),
            person_slug: p.slug.clone(),
            position: p.fields.position.clone(),
            status: match returns.get(&p.id) {
                Some((ReturnKind::Nil, on)) => format!("Nil return made {}", long_date(*on)),
                Some((ReturnKind::Confirmation, on)) => {
                    format!("Confirmed nothing to declare {}", long_date(*on))
                }
                None => "No declaration received".into(),
            },
        })
        .collect()
}

pub fn person_view(v: &Visible, p: &Person) -> PersonView {
    person_view_with(v, p, last_returns(v.snapshot).get(&p.id).copied())
}

/// [`person_view`] given the person's latest return (for rendering many people at once).
pub fn person_view_with(
    v: &Visible,
    p: &Person,
    last: Option<(ReturnKind, NaiveDate)>,
) -> PersonView {
    PersonView {
        name: p.fields.name.clone(),
        slug: p.slug.clone(),
        position: p.fields.position.clone(),
        last_return: last.map(|(k, on)| {
            format!(
                "{} {}",
                if k == ReturnKind::Nil {
                    "Nil return made"
                } else {
                    "Entries confirmed"
                },
                long_date(on)
            )
        }),
        confirmation_due: confirmation_due(
            p.added_on,
            last.map(|l| l.1),
            v.today,
            &v.snapshot.org.settings,
        ),
    }
}

/// How old the register of interests is (the guidance asks that everyone's entries be
/// reviewed at least every 12 months): each decision-making person's latest review is
/// their latest return (nil return or confirmation) or declaration; the register is as
/// old as the oldest of those.
pub fn register_age(v: &Visible) -> serde_json::Value {
    let s = v.snapshot;
    let mut reviewed: BTreeMap<i64, NaiveDate> = last_returns(s)
        .into_iter()
        .map(|(p, (_, on))| (p, on))
        .collect();
    for d in &s.declarations {
        let e = reviewed
            .entry(d.entry.person_id)
            .or_insert(d.entry.fields.declared_on);
        *e = (*e).max(d.entry.fields.declared_on);
    }
    let people: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = v
        .people()
        .map(|p| (p.added_on, reviewed.get(&p.id).copied()))
        .collect();
    let overdue = people
        .iter()
        .filter(|(added, last)| confirmation_due(*added, *last, v.today, &s.org.settings))
        .count();
    let oldest = people.iter().map(|(_, last)| *last).min().flatten();
    serde_json::json!({
        "months": s.org.settings.confirm_every_months,
        "people": people.len(),
        "overdue": overdue,
        "oldest": oldest.map(long_date),
        "never": people.iter().filter(|(_, last)| last.is_none()).count(),
        // New people within the grace period before their first confirmation is due.
        "new": people
            .iter()
            .filter(|(added, last)| {
                last.is_none() && !confirmation_due(*added, *last, v.today, &s.org.settings)
            })
            .count(),
        "grace_days": s.org.settings.confirm_grace_days,
    })
}

/// Snapshots built in memory, for the publisher's unit tests.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::audit::{ChainEntry, EntryHeader};
    use crate::domain::org::OrgSettings;
    use crate::domain::people::{Person, PersonFields};
    use crate::store::business::Business;
    use crate::store::orgs::Org;
    use crate::store::snapshot::Snapshot;
    use serde_json::Value;

    /// Organisation `test-ccg` with one decision-making person, id 1, "Dr Hidden Person".
    pub fn snapshot(business: Business, recent: Vec<ChainEntry>) -> Snapshot {
        Snapshot {
            org: Org {
                id: 1,
                slug: "test-ccg".into(),
                name: "NHS Test CCG".into(),
                settings: OrgSettings::default(),
                chain_seq: recent.first().map_or(0, |e| e.header.seq),
                chain_head: "0".repeat(64),
                created_at: "2026-01-01T00:00:00Z".into(),
            },
            people: vec![Person {
                id: 1,
                slug: "dr-hidden-person".into(),
                version: 1,
                fields: PersonFields {
                    name: "Dr Hidden Person".into(),
                    position: "GP member".into(),
                    decision_making: true,
                },
                standing: Default::default(),
                added_on: None,
            }],
            declarations: vec![],
            gifts: vec![],
            returns: vec![],
            business,
            recent,
            checkpoint: None,
        }
    }

    /// An entry (hashes are placeholders: nothing here verifies the chain).
    pub fn entry(seq: i64, action: &str, entity: &str, id: i64, payload: Value) -> ChainEntry {
        ChainEntry {
            header: EntryHeader {
                v: 1,
                org: "test-ccg".into(),
                seq,
                at: "2026-03-04T10:00:00Z".into(),
                actor: "lead@test.example".into(),
                action: action.into(),
                entity: entity.into(),
                entity_id: id.to_string(),
                payload_sha256: "a".repeat(64),
                prev: "b".repeat(64),
            },
            entry_sha256: format!("{seq:064x}"),
            payload: Some(payload),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn a_payload_carrying_a_withholding_reason_is_never_public() {
        let s = fixture::snapshot(Default::default(), vec![]);
        let v = Visible::new(&s, NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
        let about = |reason: Value| {
            fixture::entry(
                1,
                "withhold",
                "person",
                1,
                json!({"name": "Dr Hidden Person", "withheld_reason": reason}),
            )
        };
        assert!(v.entry_is_public(&about(Value::Null)));
        assert!(!v.entry_is_public(&about(json!("stalker risk"))));
        let record = json!({"id": "1", "withheld": true, "withheld_reason": "stalker risk"});
        assert_eq!(
            public_record(record),
            json!({"id": "1", "withheld": true, "withheld_reason": null})
        );
        assert_eq!(public_record(json!({"id": "1"})), json!({"id": "1"}));
    }

    #[test]
    fn a_breach_entry_is_public_only_when_it_names_nobody() {
        let s = fixture::snapshot(Default::default(), vec![]);
        let v = Visible::new(&s, NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
        let breach = |person: Value| {
            json!({"occurred_on": "2026-02-01", "identified_on": "2026-02-01", "summary": "s",
                   "action_taken": "a", "reported_to": null, "person_id": person, "id": 1, "version": 1})
        };
        let named = fixture::entry(1, "create", "breach", 1, breach(json!(1)));
        assert!(
            !v.entry_is_public(&named),
            "the person concerned is never published"
        );
        let anonymous = fixture::entry(2, "create", "breach", 2, breach(Value::Null));
        assert!(v.entry_is_public(&anonymous));
        let mut stripped = anonymous.clone();
        stripped.payload = None;
        assert!(
            !v.entry_is_public(&stripped),
            "no payload, nothing to judge"
        );
        for entity in ["committee", "membership", "meeting", "item", "decision"] {
            let e = fixture::entry(3, "create", entity, 1, json!({"id": 1}));
            assert!(v.entry_is_public(&e), "{entity} entries are public record");
        }
    }

    #[test]
    fn dates_are_written_out() {
        assert_eq!(
            long_date(NaiveDate::from_ymd_opt(2026, 3, 3).unwrap()),
            "3 March 2026"
        );
    }
}
