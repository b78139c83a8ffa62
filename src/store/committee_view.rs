//! One committee's business read at once, for a page about that committee: its current
//! memberships, meetings and agenda items, and the people they name, rather than the
//! whole organisation's committees, decisions and breaches.

use super::business::{natural, quorum_from_records, Business};
use super::committees::{by_slug, members};
use super::records::Stored;
use super::{AnyConnection, StoreError};
use crate::domain::committees::{Committee, Item, Meeting, Member, Membership, QuorumResult};
use crate::domain::people::Person;

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
    /// The committee with slug `slug` and its current records, read through
    /// [`Business::load_committee`], the store's one loader of a committee's business.
    pub fn load(
        c: &mut AnyConnection,
        org_id: i64,
        slug: &str,
    ) -> Result<CommitteeView, StoreError> {
        let id = by_slug(c, org_id, slug)?.id;
        let business = Business::load_committee(c, org_id, id)?;
        let mut people = business.people(c, org_id)?;
        people.sort_by(|a, b| (&a.fields.name, a.id).cmp(&(&b.fields.name, b.id)));
        let Business {
            mut committees,
            memberships,
            mut meetings,
            items,
            ..
        } = business;
        let committee = committees
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("committee {slug:?}")))?;
        meetings.sort_by_key(|m| m.record.held_on);
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
        members(&self.memberships)
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
    pub fn quorum(&self, item: &Item) -> Option<QuorumResult> {
        let meeting = self.meetings.iter().find(|m| m.id == item.meeting_id)?;
        Some(quorum_from_records(
            &self.committee.record,
            &self.members(),
            &meeting.record,
            item,
        ))
    }
}
