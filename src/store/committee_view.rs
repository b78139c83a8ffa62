//! One committee's business read at once, for a page about that committee: its current
//! memberships, meetings and agenda items, and the people they name, rather than the
//! whole organisation's committees, decisions and breaches.

use super::committees::{by_slug, natural};
use super::records::{self, Stored};
use super::{AnyConnection, StoreError};
use crate::domain::committees::{Member, QuorumResult};
use crate::domain::meetings::{item_quorum, Committee, Item, Meeting, Membership};
use crate::domain::people::Person;
use std::collections::BTreeSet;

/// A committee and its current records.
#[derive(Debug, Clone)]
pub struct CommitteeView {
    pub committee: Stored<Committee>,
    /// Past and present, by id.
    pub memberships: Vec<Stored<Membership>>,
    /// Oldest first.
    pub meetings: Vec<Stored<Meeting>>,
    /// Every meeting's items, by id.
    pub items: Vec<Stored<Item>>,
    /// Everyone a membership, co-option or conflict names, by name.
    pub people: Vec<Person>,
}

impl CommitteeView {
    /// The committee with slug `slug` and its current records.
    pub fn load(
        c: &mut AnyConnection,
        org_id: i64,
        slug: &str,
    ) -> Result<CommitteeView, StoreError> {
        let committee = by_slug(c, org_id, slug)?;
        let memberships: Vec<Stored<Membership>> = records::children(c, org_id, committee.id)?;
        let mut meetings: Vec<Stored<Meeting>> = records::children(c, org_id, committee.id)?;
        meetings.sort_by_key(|m| m.record.held_on);
        let mut items = Vec::new();
        for m in &meetings {
            items.extend(records::children::<Item>(c, org_id, m.id)?);
        }
        items.sort_by_key(|i| i.id);
        let mut named: BTreeSet<i64> = memberships
            .iter()
            .map(|m| m.record.member.person_id)
            .collect();
        for m in &meetings {
            named.extend(m.record.co_opted.iter().map(|co| co.person_id));
        }
        for i in &items {
            named.extend(i.record.conflicts.iter().map(|cf| cf.person_id));
        }
        let mut people = Vec::new();
        for id in named {
            people.push(super::people::by_id(c, org_id, id)?);
        }
        people.sort_by(|a, b| (&a.fields.name, a.id).cmp(&(&b.fields.name, b.id)));
        Ok(CommitteeView {
            committee,
            memberships,
            meetings,
            items,
            people,
        })
    }

    /// The members as the rules see them.
    pub fn members(&self) -> Vec<Member> {
        self.memberships
            .iter()
            .map(|m| m.record.member.clone())
            .collect()
    }

    /// A meeting's items in agenda order (`5.10` after `5.9`).
    pub fn items_of(&self, meeting_id: i64) -> Vec<&Stored<Item>> {
        let mut out: Vec<_> = self
            .items
            .iter()
            .filter(|i| i.record.meeting_id == meeting_id)
            .collect();
        out.sort_by_key(|i| natural(&i.record.number));
        out
    }

    /// The quorum of one of the committee's items now, from the records as they stand.
    pub fn quorum(&self, item: &Item, name_of: impl Fn(i64) -> String) -> Option<QuorumResult> {
        let meeting = self.meetings.iter().find(|m| m.id == item.meeting_id)?;
        Some(item_quorum(
            &self.committee.record,
            &self.members(),
            &meeting.record,
            item,
            name_of,
        ))
    }
}
