//! Committee business as the site shows it: committees and their members, meetings with
//! their agenda items (conflicts, quorum, outcome), the register of procurement decisions
//! and the anonymised record of breaches. [`Ctx`] indexes a snapshot's records once per
//! render; a person is linked to their page in the register of interests only where
//! [`Visible`] publishes them, and a breach never names one.

mod committees;
mod decisions;
mod evidence;
mod views;

pub use views::*;

use super::views::{long_date, Visible};
use crate::domain::committees::CommitteeRole;
use crate::domain::committees::{Committee, Item, Meeting, Membership};
use crate::domain::decisions::Decision;
use crate::store::business::{natural, Business};
use crate::store::records::Stored;
use std::collections::BTreeMap;

/// Where each record of committee business belongs: memberships and meetings to their
/// committee, items to their meeting, decisions to the item that took them.
#[derive(Debug, Default)]
pub struct Index {
    membership_committee: BTreeMap<i64, i64>,
    meeting_committee: BTreeMap<i64, i64>,
    item_meeting: BTreeMap<i64, i64>,
    decision_item: BTreeMap<i64, i64>,
}

impl Index {
    pub fn new(b: &Business) -> Index {
        Index {
            membership_committee: b
                .memberships
                .iter()
                .map(|m| (m.id, m.record.committee_id))
                .collect(),
            meeting_committee: b
                .meetings
                .iter()
                .map(|m| (m.id, m.record.committee_id))
                .collect(),
            item_meeting: b
                .items
                .iter()
                .map(|i| (i.id, i.record.meeting_id))
                .collect(),
            decision_item: b
                .decisions
                .iter()
                .filter_map(|d| Some((d.id, d.record.fields.item_id?)))
                .collect(),
        }
    }

    /// The committee an audit entry's record belongs to (`entity`, `entity_id` as in the
    /// entry): the committee itself, a membership, a meeting, an agenda item, or a
    /// procurement decision taken at one of its items.
    pub fn committee_of(&self, entity: &str, id: i64) -> Option<i64> {
        match entity {
            "committee" => Some(id),
            "membership" => self.membership_committee.get(&id).copied(),
            "meeting" => self.meeting_committee.get(&id).copied(),
            "item" => self.meeting_committee_of_item(id),
            "decision" => self
                .decision_item
                .get(&id)
                .and_then(|item| self.meeting_committee_of_item(*item)),
            _ => None,
        }
    }

    fn meeting_committee_of_item(&self, item: i64) -> Option<i64> {
        let meeting = self.item_meeting.get(&item)?;
        self.meeting_committee.get(meeting).copied()
    }
}

/// Everything the business pages look things up in, built once per render.
pub struct Ctx<'a> {
    pub v: &'a Visible<'a>,
    pub b: &'a Business,
    pub index: Index,
    org: &'a str,
    /// Everyone's current name (committee members and co-opted people are named in
    /// minutes whether or not their own declarations are published).
    names: BTreeMap<i64, &'a str>,
    /// Published declarations: id to the person who made it.
    declaration_owner: BTreeMap<i64, i64>,
    committees: BTreeMap<i64, &'a Stored<Committee>>,
    meetings: BTreeMap<i64, &'a Stored<Meeting>>,
    items: BTreeMap<i64, &'a Stored<Item>>,
    decisions: BTreeMap<i64, &'a Stored<Decision>>,
    /// Memberships by committee.
    members_of: BTreeMap<i64, Vec<&'a Stored<Membership>>>,
    /// Meetings by committee, oldest first.
    meetings_of: BTreeMap<i64, Vec<&'a Stored<Meeting>>>,
    /// Items by meeting, in agenda order.
    items_of: BTreeMap<i64, Vec<&'a Stored<Item>>>,
    /// Decisions by the item that took them.
    decisions_of: BTreeMap<i64, Vec<&'a Stored<Decision>>>,
    /// Every version of each meeting, oldest first.
    meeting_versions: BTreeMap<i64, Vec<&'a Stored<Meeting>>>,
    /// Every version of each item, oldest first.
    item_versions: BTreeMap<i64, Vec<&'a Stored<Item>>>,
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "36 months", "1 month".
pub fn term(months: Option<u32>) -> Option<String> {
    months.map(|m| format!("{m} month{}", if m == 1 { "" } else { "s" }))
}

fn role_order(r: CommitteeRole) -> u8 {
    match r {
        CommitteeRole::Chair => 0,
        CommitteeRole::ViceChair => 1,
        CommitteeRole::Member => 2,
    }
}

impl<'a> Ctx<'a> {
    pub fn new(v: &'a Visible<'a>) -> Ctx<'a> {
        let s = v.snapshot;
        let b = &s.business;
        let mut members_of: BTreeMap<i64, Vec<_>> = BTreeMap::new();
        for m in &b.memberships {
            members_of.entry(m.record.committee_id).or_default().push(m);
        }
        let mut meetings_of: BTreeMap<i64, Vec<_>> = BTreeMap::new();
        for m in &b.meetings {
            meetings_of
                .entry(m.record.committee_id)
                .or_default()
                .push(m);
        }
        for ms in meetings_of.values_mut() {
            ms.sort_by_key(|m| m.record.held_on);
        }
        let mut items_of: BTreeMap<i64, Vec<&Stored<Item>>> = BTreeMap::new();
        for i in &b.items {
            items_of.entry(i.record.meeting_id).or_default().push(i);
        }
        for is in items_of.values_mut() {
            is.sort_by_key(|i| natural(&i.record.number));
        }
        let mut decisions_of: BTreeMap<i64, Vec<_>> = BTreeMap::new();
        for d in &b.decisions {
            if let Some(item) = d.record.fields.item_id {
                decisions_of.entry(item).or_default().push(d);
            }
        }
        let mut meeting_versions: BTreeMap<i64, Vec<_>> = BTreeMap::new();
        for m in &b.meeting_versions {
            meeting_versions.entry(m.id).or_default().push(m);
        }
        let mut item_versions: BTreeMap<i64, Vec<_>> = BTreeMap::new();
        for i in &b.item_versions {
            item_versions.entry(i.id).or_default().push(i);
        }
        Ctx {
            meeting_versions,
            item_versions,
            committees: b.committees.iter().map(|c| (c.id, c)).collect(),
            meetings: b.meetings.iter().map(|m| (m.id, m)).collect(),
            items: b.items.iter().map(|i| (i.id, i)).collect(),
            decisions: b.decisions.iter().map(|d| (d.id, d)).collect(),
            members_of,
            meetings_of,
            items_of,
            decisions_of,
            v,
            b: &s.business,
            index: Index::new(&s.business),
            org: &s.org.slug,
            names: s
                .people
                .iter()
                .map(|p| (p.id, p.fields.name.as_str()))
                .collect(),
            declaration_owner: s
                .declarations
                .iter()
                .filter(|d| v.declaration_is_public(d.entry.id))
                .map(|d| (d.entry.id, d.entry.person_id))
                .collect(),
        }
    }

    pub fn org(&self) -> &str {
        self.org
    }

    /// A person's current name, else `fallback` (the name a membership recorded).
    pub fn name(&self, id: i64, fallback: &str) -> String {
        self.names
            .get(&id)
            .map(|n| n.to_string())
            .unwrap_or_else(|| fallback.to_owned())
    }

    pub fn person(&self, id: i64, fallback: &str) -> PersonRef {
        PersonRef {
            name: self.name(id, fallback),
            href: self
                .v
                .person(id)
                .map(|p| format!("/{}/interests/{}/", self.org, p.slug)),
        }
    }

    pub fn committee(&self, id: i64) -> Option<&'a Stored<Committee>> {
        self.committees.get(&id).copied()
    }

    pub fn meeting(&self, id: i64) -> Option<&'a Stored<Meeting>> {
        self.meetings.get(&id).copied()
    }

    pub fn item(&self, id: i64) -> Option<&'a Stored<Item>> {
        self.items.get(&id).copied()
    }

    pub fn decision(&self, id: i64) -> Option<&'a Stored<Decision>> {
        self.decisions.get(&id).copied()
    }

    /// A committee's memberships, past and present.
    pub fn members_of(&self, committee: i64) -> &[&'a Stored<Membership>] {
        self.members_of.get(&committee).map_or(&[], Vec::as_slice)
    }

    /// A committee's meetings, oldest first.
    pub fn meetings_of(&self, committee: i64) -> &[&'a Stored<Meeting>] {
        self.meetings_of.get(&committee).map_or(&[], Vec::as_slice)
    }

    /// A meeting's items in agenda order.
    pub fn items_of(&self, meeting: i64) -> &[&'a Stored<Item>] {
        self.items_of.get(&meeting).map_or(&[], Vec::as_slice)
    }

    /// The procurement decisions taken at an item.
    pub fn decisions_of(&self, item: i64) -> &[&'a Stored<Decision>] {
        self.decisions_of.get(&item).map_or(&[], Vec::as_slice)
    }

    /// `/<org>/committees/<slug>/`
    pub fn committee_href(&self, c: &Committee) -> String {
        format!("/{}/committees/{}/", self.org, c.slug)
    }

    /// `/<org>/committees/<slug>/meetings/<date>/`
    pub fn meeting_href(&self, m: &Meeting) -> Option<String> {
        let c = self.committee(m.committee_id)?;
        Some(format!(
            "{}meetings/{}/",
            self.committee_href(&c.record),
            m.held_on
        ))
    }

    /// The meeting page's anchor for an item: `…/meetings/<date>/#item-<number>`.
    pub fn item_href(&self, item: &Item) -> Option<String> {
        let m = self.meeting(item.meeting_id)?;
        Some(format!(
            "{}#item-{}",
            self.meeting_href(&m.record)?,
            item.number
        ))
    }

    /// `/<org>/decisions/<ref>/`
    pub fn decision_href(&self, d: &Decision) -> String {
        format!("/{}/decisions/{}/", self.org, d.fields.url_ref())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::committees::ItemOutcome;
    use crate::domain::committees::{Member, MemberCategory, Quorum};
    use crate::domain::decisions::{DecisionFields, ServiceStatus};
    use chrono::NaiveDate;

    pub fn stored<T>(id: i64, record: T) -> Stored<T> {
        Stored {
            id,
            version: 1,
            record,
            recorded_at: "2026-03-04T10:00:00Z".into(),
            recorded_by: "system".into(),
            audit_seq: id,
        }
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Two committees; committee 2 has membership 5, meeting 7 with item 9, taken as decision 11.
    pub fn business() -> Business {
        let committee = |slug: &str| Committee {
            slug: slug.into(),
            name: slug.into(),
            terms_of_reference: String::new(),
            quorum: Quorum::new(1, vec![]).unwrap(),
        };
        let member = Member {
            person_id: 1,
            name: "Ann".into(),
            category: MemberCategory::Lay,
            voting: true,
            role: CommitteeRole::Chair,
            from: date("2025-01-01"),
            to: None,
            audit_chair: false,
        };
        let decision = Decision {
            fields: DecisionFields {
                reference: "PCD-1".into(),
                title: "T".into(),
                service_description: "S".into(),
                service_status: ServiceStatus::New,
                route: "tender".into(),
                clinical_lead: None,
                contract_manager: None,
                decided_on: date("2026-03-04"),
                item_id: Some(9),
                how_decided: None,
                conflicts_note: None,
                justification: "J".into(),
                supplier: None,
                value_pence: 100,
                term_months: None,
                starts_on: None,
                comments: None,
            },
            withdrawn_reason: None,
        };
        let mut unlinked = decision.clone();
        unlinked.fields.item_id = None;
        Business {
            committees: vec![stored(1, committee("audit")), stored(2, committee("pccc"))],
            memberships: vec![stored(
                5,
                Membership {
                    committee_id: 2,
                    member,
                },
            )],
            meetings: vec![stored(
                7,
                Meeting {
                    committee_id: 2,
                    held_on: date("2026-03-04"),
                    attendance: vec![],
                    co_opted: vec![],
                    correction_reason: None,
                },
            )],
            items: vec![stored(
                9,
                Item {
                    meeting_id: 7,
                    number: "5".into(),
                    title: "Extended access".into(),
                    description: String::new(),
                    conflicts: vec![],
                    outcome: ItemOutcome::Open,
                    correction_reason: None,
                },
            )],
            decisions: vec![stored(11, decision), stored(12, unlinked)],
            breaches: vec![],
            gp_earnings: vec![],
            ..Business::default()
        }
    }

    #[test]
    fn entries_map_to_the_committee_they_belong_to() {
        let index = Index::new(&business());
        assert_eq!(index.committee_of("committee", 1), Some(1));
        assert_eq!(index.committee_of("membership", 5), Some(2));
        assert_eq!(index.committee_of("meeting", 7), Some(2));
        assert_eq!(index.committee_of("item", 9), Some(2));
        assert_eq!(
            index.committee_of("decision", 11),
            Some(2),
            "a decision belongs to the committee whose item took it"
        );
        assert_eq!(index.committee_of("decision", 12), None);
        assert_eq!(index.committee_of("breach", 1), None);
        assert_eq!(index.committee_of("declaration", 5), None);
        assert_eq!(
            index.committee_of("item", 99),
            None,
            "unknown ids belong nowhere"
        );
    }

    #[test]
    fn terms_are_written_out() {
        assert_eq!(term(Some(36)).as_deref(), Some("36 months"));
        assert_eq!(term(Some(1)).as_deref(), Some("1 month"));
        assert_eq!(term(None), None);
        assert_eq!(capitalise("at least 3"), "At least 3");
    }
}
