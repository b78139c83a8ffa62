//! Committee business as one read model, for the site, the API and the admin pages: the
//! current committees, memberships, meetings, items, procurement decisions and breaches,
//! of a whole organisation or of one committee. Also the one place the quorum rule's
//! inputs are assembled from stored records ([`quorum_from_records`]).

use super::committees::members;
use super::records::{self, Stored};
use super::{AnyConnection, StoreError};
use crate::domain::committees::{
    item_quorum, quorum_evidence, Committee, Item, ItemQuorumInput, Meeting, Member, Membership,
    QuorumEvidence, QuorumResult,
};
use crate::domain::decisions::{Breach, Decision};
use crate::domain::earnings::GpEarnings;
use crate::domain::people::Person;
use std::collections::{BTreeMap, BTreeSet};

/// Whether `item` of `meeting` is quorate (the rule: [`item_quorum`]), given the
/// committee's members as they stand or as a change would leave them. Every caller that
/// checks or shows an item's quorum (the write path, the API, the admin pages, the site)
/// comes here, so they cannot disagree.
pub fn quorum_from_records(
    committee: &Committee,
    members: &[Member],
    meeting: &Meeting,
    item: &Item,
) -> QuorumResult {
    with_quorum_input(committee, members, meeting, item, item_quorum)
}

/// The quorum of `item` as evidence to keep beside its decision ([`quorum_evidence`]),
/// from the same inputs as [`quorum_from_records`]; `name_of` names the co-opted.
pub fn evidence_from_records(
    committee: &Committee,
    members: &[Member],
    meeting: &Meeting,
    item: &Item,
    name_of: &dyn Fn(i64) -> String,
) -> QuorumEvidence {
    with_quorum_input(committee, members, meeting, item, |input| {
        quorum_evidence(input, &item.conflicts, &meeting.co_opted, name_of)
    })
}

/// Assemble the quorum rule's inputs from stored records, the one place it is done.
fn with_quorum_input<R>(
    committee: &Committee,
    members: &[Member],
    meeting: &Meeting,
    item: &Item,
    f: impl FnOnce(&ItemQuorumInput) -> R,
) -> R {
    let co_opted = meeting.co_opted_members();
    let present = meeting.present();
    let conflicts = item
        .conflicts
        .iter()
        .map(|c| (c.person_id, c.decision))
        .collect::<BTreeMap<_, _>>();
    f(&ItemQuorumInput {
        on: meeting.held_on,
        members,
        co_opted: &co_opted,
        quorum: &committee.quorum,
        present: &present,
        conflicts: &conflicts,
    })
}

/// Everything about a committee's business, for the site and the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Business {
    pub committees: Vec<Stored<Committee>>,
    pub memberships: Vec<Stored<Membership>>,
    pub meetings: Vec<Stored<Meeting>>,
    pub items: Vec<Stored<Item>>,
    pub decisions: Vec<Stored<Decision>>,
    pub breaches: Vec<Stored<Breach>>,
    /// The register of GP earnings (current versions, withdrawn ones included).
    pub gp_earnings: Vec<Stored<GpEarnings>>,
    /// Every version of the meetings, by id and then oldest first: what a correction
    /// changed is read from consecutive versions.
    pub meeting_versions: Vec<Stored<Meeting>>,
    /// Every version of the items, likewise.
    pub item_versions: Vec<Stored<Item>>,
}

impl Business {
    /// The current records of an organisation.
    pub fn load(c: &mut AnyConnection, org_id: i64) -> Result<Business, StoreError> {
        Ok(Business {
            committees: records::current(c, org_id)?,
            memberships: records::current(c, org_id)?,
            meetings: records::current(c, org_id)?,
            items: records::current(c, org_id)?,
            decisions: records::current(c, org_id)?,
            breaches: records::current(c, org_id)?,
            gp_earnings: records::current(c, org_id)?,
            meeting_versions: records::all_versions(c, org_id)?,
            item_versions: records::all_versions(c, org_id)?,
        })
    }

    /// The current records of one committee, in the shape (and order) of [`Business::load`]:
    /// the committee, its memberships, its meetings, their items, and the procurement
    /// decisions taken at those items. Breaches belong to no committee, so there are none.
    pub fn load_committee(
        c: &mut AnyConnection,
        org_id: i64,
        committee_id: i64,
    ) -> Result<Business, StoreError> {
        let committee = records::get::<Committee>(c, org_id, committee_id)?;
        let meetings: Vec<Stored<Meeting>> = records::children(c, org_id, committee_id)?;
        let mut items: Vec<Stored<Item>> = Vec::new();
        for m in &meetings {
            items.extend(records::children::<Item>(c, org_id, m.id)?);
        }
        items.sort_by_key(|i| i.id);
        let mut meeting_versions = Vec::new();
        for m in &meetings {
            meeting_versions.extend(records::history::<Meeting>(c, org_id, m.id)?);
        }
        let mut item_versions = Vec::new();
        for i in &items {
            item_versions.extend(records::history::<Item>(c, org_id, i.id)?);
        }
        let item_ids: BTreeSet<i64> = items.iter().map(|i| i.id).collect();
        // Decisions have no parent to look them up by; the register is small beside the
        // committee business it cites.
        let decisions = records::current::<Decision>(c, org_id)?
            .into_iter()
            .filter(|d| {
                d.record
                    .fields
                    .item_id
                    .is_some_and(|i| item_ids.contains(&i))
            })
            .collect();
        Ok(Business {
            committees: vec![committee],
            memberships: records::children(c, org_id, committee_id)?,
            meetings,
            items,
            decisions,
            breaches: vec![],
            gp_earnings: vec![],
            meeting_versions,
            item_versions,
        })
    }

    /// Everyone the committee records name (members, co-opted people, those who declared
    /// a conflict, the person a breach concerns), by id: what a page about one committee
    /// needs instead of [`super::people::all`].
    pub fn people(&self, c: &mut AnyConnection, org_id: i64) -> Result<Vec<Person>, StoreError> {
        let ids: BTreeSet<i64> = self
            .memberships
            .iter()
            .map(|m| m.record.member.person_id)
            .chain(self.meetings.iter().flat_map(|m| {
                let attended = m.record.attendance.iter().map(|(p, _)| *p);
                attended.chain(m.record.co_opted.iter().map(|co| co.person_id))
            }))
            .chain(
                self.items
                    .iter()
                    .flat_map(|i| i.record.conflicts.iter().map(|cf| cf.person_id)),
            )
            .chain(self.breaches.iter().filter_map(|b| b.record.person_id))
            .collect();
        ids.into_iter()
            .map(|id| super::people::by_id(c, org_id, id))
            .collect()
    }

    pub fn members_of(&self, committee_id: i64) -> Vec<&Stored<Membership>> {
        self.memberships
            .iter()
            .filter(|m| m.record.committee_id == committee_id)
            .collect()
    }

    pub fn meetings_of(&self, committee_id: i64) -> Vec<&Stored<Meeting>> {
        let mut out: Vec<_> = self
            .meetings
            .iter()
            .filter(|m| m.record.committee_id == committee_id)
            .collect();
        out.sort_by_key(|m| m.record.held_on);
        out
    }

    pub fn items_of(&self, meeting_id: i64) -> Vec<&Stored<Item>> {
        let mut out: Vec<_> = self
            .items
            .iter()
            .filter(|i| i.record.meeting_id == meeting_id)
            .collect();
        out.sort_by_key(|i| natural(&i.record.number));
        out
    }

    /// The quorum of an item now, from the records as they stand.
    pub fn quorum(&self, item: &Item) -> Option<QuorumResult> {
        let meeting = self.meetings.iter().find(|m| m.id == item.meeting_id)?;
        let committee = self
            .committees
            .iter()
            .find(|c| c.id == meeting.record.committee_id)?;
        let ms = members(self.members_of(committee.id));
        Some(quorum_from_records(
            &committee.record,
            &ms,
            &meeting.record,
            item,
        ))
    }
}

/// Sort key for agenda numbers: `5.10` after `5.9`.
pub fn natural(number: &str) -> Vec<(u64, String)> {
    number
        .split('.')
        .map(|p| (p.parse().unwrap_or(u64::MAX), p.to_owned()))
        .collect()
}
