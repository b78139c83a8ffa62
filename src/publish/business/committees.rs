//! Committees, their members and constitution, and meetings item by item.

use super::*;
use crate::domain::committees::{constitution, ItemOutcome, Member};
use crate::publish::markdown;
use chrono::NaiveDate;
use std::collections::BTreeSet;

impl<'a> Ctx<'a> {
    fn meeting_link(&self, m: &Meeting) -> Option<MeetingLink> {
        Some(MeetingLink {
            date: long_date(m.held_on),
            iso: m.held_on.to_string(),
            href: self.meeting_href(m)?,
        })
    }

    fn holder(
        &self,
        ms: &[&Stored<Membership>],
        role: CommitteeRole,
        on: NaiveDate,
    ) -> Option<PersonRef> {
        ms.iter()
            .map(|m| &m.record.member)
            .find(|m| m.role == role && m.is_active_on(on))
            .map(|m| self.person(m.person_id, &m.name))
    }

    /// The committees, by name, with their chair today and their last and next meetings.
    pub fn committee_rows(&self) -> Vec<CommitteeRow> {
        let today = self.v.today;
        let mut rows: Vec<CommitteeRow> = self
            .b
            .committees
            .iter()
            .map(|c| {
                let ms = self.members_of(c.id);
                let meetings = self.meetings_of(c.id);
                CommitteeRow {
                    name: c.record.name.clone(),
                    href: self.committee_href(&c.record),
                    chair: self.holder(ms, CommitteeRole::Chair, today),
                    members: ms
                        .iter()
                        .filter(|m| m.record.member.is_active_on(today))
                        .count(),
                    last_meeting: meetings
                        .iter()
                        .rev()
                        .find(|m| m.record.held_on <= today)
                        .and_then(|m| self.meeting_link(&m.record)),
                    next_meeting: meetings
                        .iter()
                        .find(|m| m.record.held_on > today)
                        .and_then(|m| self.meeting_link(&m.record)),
                }
            })
            .collect();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        rows
    }

    fn member_row(&self, m: &Member) -> MemberRow {
        MemberRow {
            person: self.person(m.person_id, &m.name),
            category: m.category.label(),
            voting: m.votes(),
            role: m.role.label(),
            officer: m.role != CommitteeRole::Member,
            since: long_date(m.from),
            until: m.to.map(long_date),
            upcoming: m.from > self.v.today,
            audit_chair: m.audit_chair,
        }
    }

    /// One committee's page.
    pub fn committee_view(&self, c: &Stored<Committee>) -> CommitteeView {
        let today = self.v.today;
        let ms = self.members_of(c.id);
        let mut current: Vec<&Member> = ms
            .iter()
            .map(|m| &m.record.member)
            .filter(|m| m.to.is_none_or(|t| t >= today))
            .collect();
        current.sort_by_key(|m| {
            (
                role_order(m.role),
                m.from > today,
                m.category,
                self.name(m.person_id, &m.name),
            )
        });
        let mut past: Vec<&Member> = ms
            .iter()
            .map(|m| &m.record.member)
            .filter(|m| m.to.is_some_and(|t| t < today))
            .collect();
        past.sort_by(|a, b| b.to.cmp(&a.to).then(a.name.cmp(&b.name)));
        let all: Vec<Member> = ms.iter().map(|m| m.record.member.clone()).collect();
        let in_office = all.iter().any(|m| m.is_active_on(today));
        let check = constitution(&all, today);
        let meetings = self
            .meetings_of(c.id)
            .iter()
            .rev()
            .filter_map(|m| {
                let items = self.items_of(m.id);
                Some(MeetingSummary {
                    link: self.meeting_link(&m.record)?,
                    items: items.len(),
                    decided: items
                        .iter()
                        .filter(|i| matches!(i.record.outcome, ItemOutcome::Decided { .. }))
                        .count(),
                    upcoming: m.record.held_on > today,
                })
            })
            .collect();
        CommitteeView {
            slug: c.record.slug.clone(),
            name: c.record.name.clone(),
            terms_html: markdown::to_html(&c.record.terms_of_reference),
            quorum: capitalise(&c.record.quorum.describe()),
            chair: self.holder(ms, CommitteeRole::Chair, today),
            vice_chair: self.holder(ms, CommitteeRole::ViceChair, today),
            members: current.into_iter().map(|m| self.member_row(m)).collect(),
            past_members: past.into_iter().map(|m| self.member_row(m)).collect(),
            constitution: ConstitutionView {
                in_office,
                valid: in_office && check.is_valid(),
                errors: if in_office {
                    check
                        .errors
                        .iter()
                        .map(|e| capitalise(&e.to_string()))
                        .collect()
                } else {
                    vec![]
                },
                warnings: if in_office {
                    check
                        .warnings
                        .iter()
                        .map(|w| capitalise(&w.to_string()))
                        .collect()
                } else {
                    vec![]
                },
            },
            meetings,
            feed_href: format!("/{}/feeds/committees/{}.xml", self.org, c.record.slug),
            audit_seq: c.audit_seq,
        }
    }

    /// The conflicts declared on an item, each linked to its declaration where published.
    pub fn conflicts(&self, item: &Item) -> Vec<ConflictView> {
        item.conflicts
            .iter()
            .map(|cf| {
                let person = self.person(cf.person_id, "");
                let declaration_href = cf.declaration_id.and_then(|d| {
                    let owner = *self.declaration_owner.get(&d)?;
                    let p = self.v.person(owner)?;
                    Some(format!(
                        "/{}/interests/{}/#declaration-{d}",
                        self.org, p.slug
                    ))
                });
                ConflictView {
                    person,
                    nature: cf.nature.clone(),
                    declaration_href,
                    decision: cf.decision.label(),
                    decision_code: cf.decision.code(),
                    took_part_reason: cf.took_part_reason.clone(),
                }
            })
            .collect()
    }

    /// The item's quorum from the records as they stand.
    pub fn quorum(&self, item: &Item) -> Option<QuorumView> {
        self.quorum_result(item).map(|r| self.result_view(r))
    }

    fn outcome(item: &Item) -> OutcomeView {
        let (decision, reason, referred_to) = match &item.outcome {
            ItemOutcome::Open => (None, None, None),
            ItemOutcome::Decided { decision, .. } => (Some(decision.clone()), None, None),
            ItemOutcome::Deferred { reason } => (None, Some(reason.clone()), None),
            ItemOutcome::Referred {
                referred_to,
                reason,
            } => (None, Some(reason.clone()), Some(referred_to.clone())),
        };
        OutcomeView {
            code: item.outcome.code(),
            label: item.outcome.label(),
            decision,
            reason,
            referred_to,
        }
    }

    /// One meeting's page: attendance, co-opted members, and each item in agenda order.
    pub fn meeting_view(&self, m: &Stored<Meeting>) -> Option<MeetingView> {
        let c = self.committee(m.record.committee_id)?;
        let on = m.record.held_on;
        let upcoming = on > self.v.today;
        let mut seen = BTreeSet::new();
        let mut members: Vec<&Member> = self
            .members_of(c.id)
            .iter()
            .map(|ms| &ms.record.member)
            .filter(|mb| mb.is_active_on(on) && seen.insert(mb.person_id))
            .collect();
        members.sort_by_key(|mb| {
            (
                role_order(mb.role),
                mb.category,
                self.name(mb.person_id, &mb.name),
            )
        });
        let attendance = members
            .into_iter()
            .map(|mb| {
                let status = m.record.status_of(mb.person_id);
                let recorded = m.record.attendance.iter().any(|(p, _)| *p == mb.person_id);
                let (status, status_code) = if upcoming && !recorded {
                    ("Not yet held", "not_yet_held")
                } else {
                    (status.label(), status.code())
                };
                AttendanceRow {
                    person: self.person(mb.person_id, &mb.name),
                    category: mb.category.label(),
                    role: mb.role.label(),
                    voting: mb.votes(),
                    status,
                    status_code,
                }
            })
            .collect();
        let co_opted = m
            .record
            .co_opted
            .iter()
            .map(|co| CoOptedRow {
                person: self.person(co.person_id, ""),
                category: co.category.label(),
                note: co.note.clone(),
                recorded_afterwards: super::evidence::recorded_afterwards(co),
            })
            .collect();
        let items = self
            .items_of(m.id)
            .iter()
            .map(|i| ItemView {
                number: i.record.number.clone(),
                anchor: format!("item-{}", i.record.number),
                title: i.record.title.clone(),
                description_html: markdown::to_html(&i.record.description),
                conflicts: self.conflicts(&i.record),
                quorum: if upcoming {
                    None
                } else {
                    self.quorum(&i.record)
                },
                evidence: self.item_evidence(i),
                corrections: self.item_corrections(i.id),
                outcome: Self::outcome(&i.record),
                decisions: self
                    .decisions_of(i.id)
                    .iter()
                    .map(|d| DecisionLink {
                        reference: d.record.fields.reference.clone(),
                        href: self.decision_href(&d.record),
                        title: d.record.fields.title.clone(),
                        withdrawn: d.record.withdrawn_reason.is_some(),
                    })
                    .collect(),
                audit_seq: i.audit_seq,
            })
            .collect();
        Some(MeetingView {
            committee: c.record.name.clone(),
            committee_href: self.committee_href(&c.record),
            date: long_date(on),
            iso: on.to_string(),
            upcoming,
            attendance,
            co_opted,
            corrections: self.meeting_corrections(m.id),
            items,
            audit_seq: m.audit_seq,
        })
    }
}
