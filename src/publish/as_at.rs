//! The registers as they stood at the end of a given day, rebuilt from the audit chain
//! alone. Every entry's payload is the whole record after the change, so folding the
//! entries up to that day gives the records as they then stood, in the shape the site
//! is rendered from (a [`Snapshot`]); evaluated with `today` = that day, the same views,
//! pages and CSV writers then give what the site showed at the end of that day.
//!
//! One thing is not as it was: *today's* withholdings apply. An entry withheld now (to
//! protect someone) is left out of every past view too, and the view counts how many
//! were left out, without saying which. Pure: no I/O, no clock.

use super::business::Ctx;
use super::exports;
use super::views::Visible;
use crate::audit::{ChainEntry, GENESIS_PREV};
use crate::domain::committees::{Committee, Item, Meeting, Membership};
use crate::domain::decisions::{Breach, Decision};
use crate::domain::earnings::GpEarnings;
use crate::domain::entries::{EntryState, Review};
use crate::domain::gifts::Gift;
use crate::domain::interests::Declaration;
use crate::domain::org::OrgSettings;
use crate::domain::payload::PayloadError;
use crate::domain::people::Person;
use crate::domain::returns::Return;
use crate::store::business::Business;
use crate::store::entries::Version;
use crate::store::orgs::Org;
use crate::store::records::{Kind, Stored};
use crate::store::snapshot::{Snapshot, RECENT};
use chrono::{DateTime, NaiveDate};
use std::collections::{BTreeMap, BTreeSet};

/// The registers as they stood at the end of [`AsAt::day`].
pub struct AsAt {
    /// The records as they then stood (today's withholdings applied), for the views.
    pub snapshot: Snapshot,
    pub day: NaiveDate,
    /// The entries it was derived from: `1..=through` (0 when the organisation had
    /// none yet by that day).
    pub through: i64,
    /// How many entries the register then showed that are withheld now, and so left out.
    pub withheld: usize,
}

/// Why a chain could not be folded into registers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AsAtError {
    #[error("entry {seq}: {source}")]
    Payload { seq: i64, source: PayloadError },
    #[error("entry {seq}: its time {at:?} is not an RFC 3339 time")]
    Time { seq: i64, at: String },
    #[error(
        "the chain must be whole from entry 1, but entry {found} is where {expected} should be"
    )]
    Gap { expected: i64, found: i64 },
}

/// The registers at the end of `day`, from an organisation's whole chain (`chain`,
/// entries 1 to the head, in order, with their payloads). `org` gives the
/// organisation's identity; its name and settings are taken from the chain's creation
/// entry where it has one. The entries used are the longest run from entry 1 dated (in
/// UTC) on or before `day`; the rest of the chain says only which entries are withheld now.
pub fn as_at(org: &Org, chain: &[ChainEntry], day: NaiveDate) -> Result<AsAt, AsAtError> {
    let mut then = Folded::default();
    let mut through = 0;
    for (i, e) in chain.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.header.seq != expected {
            return Err(AsAtError::Gap {
                expected,
                found: e.header.seq,
            });
        }
        if entry_day(e)? > day {
            break;
        }
        then.apply(e)?;
        through = expected;
    }
    let mut now = then.clone();
    for e in &chain[through as usize..] {
        now.apply(e)?;
    }
    let (declarations, gifts) = now.withheld();
    let used = &chain[..through as usize];
    let mut snapshot = then.into_snapshot(org, used);
    let shown = {
        let v = Visible::new(&snapshot, day);
        let d = snapshot.declarations.iter().map(|d| &d.entry);
        let g = snapshot.gifts.iter().map(|g| &g.entry);
        d.filter(|d| declarations.contains(&d.id) && v.declaration_is_public(d.id))
            .filter(|d| v.person(d.person_id).is_some())
            .count()
            + g.filter(|g| gifts.contains(&g.id) && v.gift_is_public(g.id))
                .filter(|g| v.person(g.person_id).is_some())
                .count()
    };
    // Withheld with no reason given here: the reason is private, and the views ask
    // only whether there is one.
    for d in &mut snapshot.declarations {
        if declarations.contains(&d.entry.id) {
            d.entry
                .standing
                .withheld_reason
                .get_or_insert_with(String::new);
        }
    }
    for g in &mut snapshot.gifts {
        if gifts.contains(&g.entry.id) {
            g.entry
                .standing
                .withheld_reason
                .get_or_insert_with(String::new);
        }
    }
    Ok(AsAt {
        snapshot,
        day,
        through,
        withheld: shown,
    })
}

/// The UTC day an entry was recorded on.
fn entry_day(e: &ChainEntry) -> Result<NaiveDate, AsAtError> {
    DateTime::parse_from_rfc3339(&e.header.at)
        .map(|t| t.naive_utc().date())
        .map_err(|_| AsAtError::Time {
            seq: e.header.seq,
            at: e.header.at.clone(),
        })
}

impl AsAt {
    /// What the public saw at the end of the day.
    pub fn visible(&self) -> Visible<'_> {
        Visible::new(&self.snapshot, self.day)
    }

    /// The register of interests as CSV, byte for byte as the site wrote it that day.
    pub fn interests_csv(&self) -> Vec<u8> {
        let v = self.visible();
        exports::to_csv(&exports::INTEREST_COLUMNS, &exports::interests_records(&v))
    }

    /// The register of gifts and hospitality as CSV.
    pub fn gifts_csv(&self) -> Vec<u8> {
        let v = self.visible();
        exports::to_csv(&exports::GIFT_COLUMNS, &exports::gifts_records(&v))
    }

    /// The register of procurement decisions as CSV, its links under `base` (the
    /// site's absolute address, as the publisher has it).
    pub fn decisions_csv(&self, base: &str) -> Vec<u8> {
        let v = self.visible();
        let ctx = Ctx::new(&v);
        exports::to_csv(
            &exports::DECISION_COLUMNS,
            &exports::decisions_records(&ctx, base),
        )
    }
}

/// The records a run of entries leaves, by id: a person's, return's or committee
/// record's latest version, and a register entry's published (latest accepted) one.
#[derive(Clone, Default)]
struct Folded {
    name: Option<String>,
    settings: Option<OrgSettings>,
    people: BTreeMap<i64, Person>,
    declarations: BTreeMap<i64, Version<crate::domain::interests::DeclarationFields>>,
    gifts: BTreeMap<i64, Version<crate::domain::gifts::GiftFields>>,
    returns: BTreeMap<i64, Return>,
    committees: BTreeMap<i64, Stored<Committee>>,
    memberships: BTreeMap<i64, Stored<Membership>>,
    meetings: BTreeMap<i64, Stored<Meeting>>,
    items: BTreeMap<i64, Stored<Item>>,
    decisions: BTreeMap<i64, Stored<Decision>>,
    breaches: BTreeMap<i64, Stored<Breach>>,
    gp_earnings: BTreeMap<i64, Stored<GpEarnings>>,
    /// Every version of the meetings and items, as the store keeps them for the
    /// corrections the pages show.
    meeting_versions: Vec<Stored<Meeting>>,
    item_versions: Vec<Stored<Item>>,
}

/// A map's records in id order, as the store reads them.
fn values<T>(m: BTreeMap<i64, T>) -> Vec<T> {
    m.into_values().collect()
}

/// A record of a kind kept as a body, at its latest version (which it also returns).
fn put<T: Kind>(
    map: &mut BTreeMap<i64, Stored<T>>,
    e: &ChainEntry,
    p: &serde_json::Value,
) -> Result<Stored<T>, PayloadError> {
    let s = Stored::<T>::from_entry(&e.header, p)?;
    map.insert(s.id, s.clone());
    Ok(s)
}

/// Versions by id, then oldest first, as the store reads them.
fn by_id<T>(mut versions: Vec<Stored<T>>) -> Vec<Stored<T>> {
    versions.sort_by_key(|v| (v.id, v.version));
    versions
}

/// A register entry's version, published if it was accepted.
fn publish<F>(
    map: &mut BTreeMap<i64, Version<F>>,
    e: &ChainEntry,
    entry: crate::domain::entries::Entry<F>,
) {
    if entry.standing.review == Review::Accepted {
        let version = Version {
            entry,
            recorded_at: e.header.at.clone(),
            recorded_by: e.header.actor.clone(),
            audit_seq: e.header.seq,
        };
        map.insert(version.entry.id, version);
    }
}

impl Folded {
    /// Fold in one entry. An entry without its payload (as the public export carries
    /// a withheld one) says nothing the public may see, and is passed over.
    fn apply(&mut self, e: &ChainEntry) -> Result<(), AsAtError> {
        let Some(p) = &e.payload else {
            return Ok(());
        };
        self.apply_payload(e, p)
            .map_err(|source| AsAtError::Payload {
                seq: e.header.seq,
                source,
            })
    }

    fn apply_payload(&mut self, e: &ChainEntry, p: &serde_json::Value) -> Result<(), PayloadError> {
        match e.header.entity.as_str() {
            "organisation" => {
                if let Some(name) = p.get("name").and_then(|n| n.as_str()) {
                    self.name = Some(name.to_owned());
                }
                if let Some(s) = p.get("settings") {
                    self.settings = Some(
                        serde_json::from_value(s.clone())
                            .map_err(|_| PayloadError::new("settings", "are not settings"))?,
                    );
                }
            }
            "person" => {
                let mut person = Person::from_payload(p)?;
                // The day they were added is their record's first entry's, as stored.
                person.added_on = match self.people.get(&person.id) {
                    Some(earlier) => earlier.added_on,
                    None => e.header.at.get(..10).and_then(|d| d.parse().ok()),
                };
                self.people.insert(person.id, person);
            }
            "declaration" => publish(&mut self.declarations, e, Declaration::from_payload(p)?),
            "gift" => publish(&mut self.gifts, e, Gift::from_payload(p)?),
            "nil_return" | "confirmation" => {
                let r = Return::from_payload(p)?;
                self.returns.insert(r.id, r);
            }
            Committee::KIND => {
                put(&mut self.committees, e, p)?;
            }
            Membership::KIND => {
                put(&mut self.memberships, e, p)?;
            }
            Meeting::KIND => self.meeting_versions.push(put(&mut self.meetings, e, p)?),
            Item::KIND => self.item_versions.push(put(&mut self.items, e, p)?),
            Decision::KIND => {
                put(&mut self.decisions, e, p)?;
            }
            Breach::KIND => {
                put(&mut self.breaches, e, p)?;
            }
            GpEarnings::KIND => {
                put(&mut self.gp_earnings, e, p)?;
            }
            // Nothing else is on a register.
            _ => {}
        }
        Ok(())
    }

    /// The declarations and gifts whose published version is withheld (withdrawn ones
    /// are not withheld: they are off the register anyway).
    fn withheld(&self) -> (BTreeSet<i64>, BTreeSet<i64>) {
        fn held<F>(m: &BTreeMap<i64, Version<F>>) -> BTreeSet<i64> {
            m.values()
                .map(|v| &v.entry)
                .filter(|e| e.standing.state == EntryState::Active)
                .filter(|e| e.standing.withheld_reason.is_some())
                .map(|e| e.id)
                .collect()
        }
        (held(&self.declarations), held(&self.gifts))
    }

    /// The snapshot the site would have read after `used` (the entries folded in).
    fn into_snapshot(self, org: &Org, used: &[ChainEntry]) -> Snapshot {
        let mut people: Vec<Person> = self.people.into_values().collect();
        people.sort_by(|a, b| (&a.fields.name, a.id).cmp(&(&b.fields.name, b.id)));
        let recent: Vec<ChainEntry> = used.iter().rev().take(RECENT as usize).cloned().collect();
        Snapshot {
            org: Org {
                name: self.name.unwrap_or_else(|| org.name.clone()),
                settings: self.settings.unwrap_or_else(|| org.settings.clone()),
                chain_seq: used.len() as i64,
                chain_head: used
                    .last()
                    .map_or_else(|| GENESIS_PREV.to_owned(), |e| e.entry_sha256.clone()),
                ..org.clone()
            },
            people,
            declarations: values(self.declarations),
            gifts: values(self.gifts),
            returns: self
                .returns
                .into_values()
                .filter(|r| r.review == Review::Accepted)
                .collect(),
            business: Business {
                committees: values(self.committees),
                memberships: values(self.memberships),
                meetings: values(self.meetings),
                items: values(self.items),
                decisions: values(self.decisions),
                breaches: values(self.breaches),
                gp_earnings: values(self.gp_earnings),
                meeting_versions: by_id(self.meeting_versions),
                item_versions: by_id(self.item_versions),
            },
            recent,
            checkpoint: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entries::{Entry, Standing, StandingChange};
    use crate::domain::interests::{DeclarationFields, InterestType};
    use crate::domain::people::PersonFields;
    use crate::publish::views::fixture;
    use serde_json::{json, Value};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// A chain built entry by entry, each dated on the day given.
    #[derive(Default)]
    struct Chain(Vec<ChainEntry>);

    impl Chain {
        fn add(&mut self, on: &str, action: &str, entity: &str, id: i64, payload: Value) {
            let seq = self.0.len() as i64 + 1;
            let mut e = fixture::entry(seq, action, entity, id, payload);
            e.header.at = format!("{on}T23:59:59.999Z");
            self.0.push(e);
        }
    }

    fn person(id: i64, name: &str, decision_making: bool) -> Person {
        Person {
            id,
            slug: name.to_lowercase().replace(' ', "-"),
            version: 1,
            fields: PersonFields {
                name: name.into(),
                position: "GP member".into(),
                decision_making,
            },
            standing: Default::default(),
            added_on: None,
        }
    }

    fn declaration(id: i64, person_id: i64, body: &str) -> Declaration {
        Entry {
            id,
            version: 1,
            person_id,
            fields: DeclarationFields {
                position: Some("GP member".into()),
                interest_type: InterestType::Financial,
                associate: None,
                description: format!("Partner in **{body}**"),
                body: body.into(),
                arose_on: d("2026-01-01"),
                ended_on: None,
                declared_on: d("2026-01-05"),
                mitigation: "Leaves the room".into(),
            },
            standing: Standing::active(),
        }
    }

    fn org() -> Org {
        fixture::snapshot(Business::default(), vec![]).org
    }

    fn csv_lines(csv: Vec<u8>) -> Vec<String> {
        String::from_utf8(csv)
            .unwrap()
            .split("\r\n")
            .map(str::to_owned)
            .collect()
    }

    /// Day 1: Dr A declares Riverside. Day 2: amended to Hillside; Dr B declares
    /// Lakeside, a submission not yet accepted. Day 3: Dr A's is withheld.
    fn history() -> Vec<ChainEntry> {
        let mut c = Chain::default();
        c.add(
            "2026-01-05",
            "create",
            "organisation",
            0,
            json!({"slug": "test-ccg", "name": "NHS Test CCG", "settings": OrgSettings::default()}),
        );
        c.0[0].header.entity_id = "test-ccg".into();
        c.add(
            "2026-01-05",
            "create",
            "person",
            1,
            person(1, "Dr A", true).payload(),
        );
        c.add(
            "2026-01-05",
            "create",
            "person",
            2,
            person(2, "Dr B", true).payload(),
        );
        let first = declaration(1, 1, "Riverside");
        c.add(
            "2026-01-05",
            "create",
            "declaration",
            1,
            first.payload("dr-a"),
        );
        let mut amended = first.amended(declaration(1, 1, "Hillside").fields).unwrap();
        c.add(
            "2026-01-06",
            "amend",
            "declaration",
            1,
            amended.payload("dr-a"),
        );
        let mut submitted = declaration(2, 2, "Lakeside");
        submitted.standing.review = Review::Submitted;
        c.add(
            "2026-01-06",
            "create",
            "declaration",
            2,
            submitted.payload("dr-b"),
        );
        amended = amended
            .with_standing(&StandingChange::Withhold("risk of harm".into()))
            .unwrap();
        c.add(
            "2026-01-07",
            "withhold",
            "declaration",
            1,
            amended.payload("dr-a"),
        );
        c.0
    }

    #[test]
    fn a_day_shows_each_entry_as_it_then_read_less_what_is_withheld_now() {
        let chain = history();
        let before = as_at(&org(), &chain, d("2026-01-04")).unwrap();
        assert_eq!((before.through, before.withheld), (0, 0));
        assert_eq!(csv_lines(before.interests_csv()).len(), 2, "a header only");
        assert_eq!(before.snapshot.org.chain_head, GENESIS_PREV);

        let day1 = as_at(&org(), &chain, d("2026-01-05")).unwrap();
        assert_eq!(day1.through, 4);
        assert_eq!(day1.snapshot.org.chain_seq, 4);
        assert_eq!(day1.snapshot.org.chain_head, chain[3].entry_sha256);
        assert_eq!(day1.withheld, 1, "Dr A's entry, withheld on day 3");
        assert_eq!(csv_lines(day1.interests_csv()).len(), 2);
        assert_eq!(day1.snapshot.declarations[0].entry.fields.body, "Riverside");
        assert_eq!(day1.snapshot.declarations[0].audit_seq, 4);
    }

    #[test]
    fn without_the_later_withholding_the_entry_shows_as_it_read_that_day() {
        let chain = history();
        let upto = &chain[..6];
        let day1 = as_at(&org(), upto, d("2026-01-05")).unwrap();
        assert_eq!(day1.withheld, 0);
        let lines = csv_lines(day1.interests_csv());
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[1].starts_with("1,1,Dr A,dr-a,"), "{}", lines[1]);
        assert!(lines[1].contains("Riverside") && !lines[1].contains("Hillside"));

        let day2 = as_at(&org(), upto, d("2026-01-06")).unwrap();
        let lines = csv_lines(day2.interests_csv());
        assert_eq!(
            lines.len(),
            3,
            "Dr B's submission is not published: {lines:?}"
        );
        assert!(lines[1].starts_with("1,2,") && lines[1].contains("Hillside"));
        assert!(
            lines[1].ends_with(",5"),
            "the amendment's entry: {}",
            lines[1]
        );
    }

    #[test]
    fn a_withheld_entry_stays_out_of_every_later_day_and_a_gap_is_refused() {
        let chain = history();
        let later = as_at(&org(), &chain, d("2026-02-01")).unwrap();
        assert_eq!(
            (later.through, later.withheld),
            (7, 0),
            "already withheld then"
        );
        assert_eq!(csv_lines(later.interests_csv()).len(), 2);
        let mut gapped = chain.clone();
        gapped.remove(2);
        assert_eq!(
            as_at(&org(), &gapped, d("2026-02-01")).err(),
            Some(AsAtError::Gap {
                expected: 3,
                found: 4
            })
        );
        let mut bad = chain;
        bad[4].payload.as_mut().unwrap()["declared_on"] = json!("soon");
        let Err(e) = as_at(&org(), &bad, d("2026-01-05")) else {
            panic!("a payload that does not read back is refused");
        };
        assert!(e.to_string().starts_with("entry 5:"), "{e}");
    }
}
