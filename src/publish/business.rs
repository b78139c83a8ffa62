//! View structs for committee business: committees and their members, meetings with
//! their agenda items (conflicts, quorum, outcome), the register of procurement decisions
//! and the anonymised record of breaches. A person is linked to their page in the
//! register of interests only where [`Visible`] publishes them; a breach never names one.

use super::markdown;
use super::views::{long_date, money, Visible};
use crate::domain::committees::{constitution, Member, QuorumResult, Role};
use crate::domain::decisions::{route_label, Decision};
use crate::domain::meetings::{item_quorum, Committee, Item, Meeting, Membership, Outcome};
use crate::store::committees::{natural, Business};
use crate::store::records::Stored;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

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
}

/// A person as pages name them, linked where their register page is published.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct PersonRef {
    pub name: String,
    pub href: Option<String>,
}

#[derive(Serialize, Debug, Clone)]
pub struct MeetingLink {
    pub date: String,
    pub iso: String,
    pub href: String,
}

#[derive(Serialize, Debug)]
pub struct CommitteeRow {
    pub name: String,
    pub href: String,
    pub chair: Option<PersonRef>,
    pub members: usize,
    pub last_meeting: Option<MeetingLink>,
    pub next_meeting: Option<MeetingLink>,
}

#[derive(Serialize, Debug)]
pub struct MemberRow {
    pub person: PersonRef,
    pub category: &'static str,
    pub voting: bool,
    pub role: &'static str,
    /// Chair or vice-chair.
    pub officer: bool,
    pub since: String,
    pub until: Option<String>,
    /// Joins on a later date.
    pub upcoming: bool,
    pub audit_chair: bool,
}

#[derive(Serialize, Debug)]
pub struct ConstitutionView {
    /// Whether anyone is a member today (a committee not yet formed, or wound up, is not checked).
    pub in_office: bool,
    pub valid: bool,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Serialize, Debug)]
pub struct MeetingSummary {
    #[serde(flatten)]
    pub link: MeetingLink,
    pub items: usize,
    pub decided: usize,
    pub upcoming: bool,
}

#[derive(Serialize, Debug)]
pub struct CommitteeView {
    pub slug: String,
    pub name: String,
    pub terms_html: String,
    pub quorum: String,
    pub chair: Option<PersonRef>,
    pub vice_chair: Option<PersonRef>,
    pub members: Vec<MemberRow>,
    pub past_members: Vec<MemberRow>,
    pub constitution: ConstitutionView,
    /// Newest first.
    pub meetings: Vec<MeetingSummary>,
    pub feed_href: String,
    pub audit_seq: i64,
}

#[derive(Serialize, Debug)]
pub struct AttendanceRow {
    pub person: PersonRef,
    pub category: &'static str,
    pub role: &'static str,
    pub voting: bool,
    pub status: &'static str,
    pub status_code: &'static str,
}

#[derive(Serialize, Debug)]
pub struct CoOptedRow {
    pub person: PersonRef,
    pub category: &'static str,
    pub note: String,
}

#[derive(Serialize, Debug, Clone)]
pub struct ConflictView {
    pub person: PersonRef,
    pub nature: String,
    pub declaration_href: Option<String>,
    pub decision: &'static str,
    pub decision_code: &'static str,
}

#[derive(Serialize, Debug, Clone)]
pub struct QuorumView {
    pub quorate: bool,
    pub presiding: Option<PersonRef>,
    pub counting: usize,
    pub counting_names: Vec<String>,
    pub failures: Vec<String>,
    /// One line: "Quorate: 4 voting members counted (…); Ann Lay presided".
    pub summary: String,
}

#[derive(Serialize, Debug)]
pub struct OutcomeView {
    pub code: &'static str,
    pub label: String,
    pub decision: Option<String>,
    pub reason: Option<String>,
    pub referred_to: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct DecisionLink {
    pub reference: String,
    pub href: String,
    pub title: String,
    pub withdrawn: bool,
}

#[derive(Serialize, Debug)]
pub struct ItemView {
    pub number: String,
    pub anchor: String,
    pub title: String,
    pub description_html: String,
    pub conflicts: Vec<ConflictView>,
    pub quorum: Option<QuorumView>,
    pub outcome: OutcomeView,
    pub decisions: Vec<DecisionLink>,
    pub audit_seq: i64,
}

#[derive(Serialize, Debug)]
pub struct MeetingView {
    pub committee: String,
    pub committee_href: String,
    pub date: String,
    pub iso: String,
    /// Not yet held: no attendance, and no quorum to speak of.
    pub upcoming: bool,
    pub attendance: Vec<AttendanceRow>,
    pub co_opted: Vec<CoOptedRow>,
    pub items: Vec<ItemView>,
    pub audit_seq: i64,
}

/// How a decision was taken, as the register shows it.
#[derive(Serialize, Debug)]
pub struct HowDecided {
    pub text: String,
    pub href: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct DecisionRow {
    pub reference: String,
    pub href: String,
    pub title: String,
    pub route: &'static str,
    pub supplier: Option<String>,
    pub value: String,
    pub term: Option<String>,
    pub decided_on: String,
    pub how: HowDecided,
    pub withdrawn: bool,
    pub withdrawn_reason: Option<String>,
    pub audit_seq: i64,
}

/// The agenda item that took a decision.
#[derive(Serialize, Debug)]
pub struct ItemRef {
    pub committee: String,
    pub committee_href: String,
    pub meeting_date: String,
    pub number: String,
    pub title: String,
    pub href: String,
    pub decision: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct DecisionView {
    pub reference: String,
    pub title: String,
    pub service_description_html: String,
    pub service_status: &'static str,
    pub route: &'static str,
    pub clinical_lead: Option<String>,
    pub contract_manager: Option<String>,
    pub decided_on: String,
    pub item: Option<ItemRef>,
    pub how_decided: Option<String>,
    pub conflicts: Vec<ConflictView>,
    pub conflicts_note: Option<String>,
    pub quorum: Option<QuorumView>,
    pub justification_html: String,
    pub supplier: Option<String>,
    pub value: String,
    pub term: Option<String>,
    pub starts_on: Option<String>,
    pub comments_html: Option<String>,
    pub withdrawn: bool,
    pub withdrawn_reason: Option<String>,
    pub version: i64,
    pub audit_seq: i64,
}

/// A breach as published: what, when, what was done. Never who.
#[derive(Serialize, Debug)]
pub struct BreachRow {
    pub id: i64,
    pub occurred_on: String,
    pub identified_on: String,
    pub summary: String,
    pub action_taken: String,
    pub reported_to: Option<String>,
    pub audit_seq: i64,
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

fn role_order(r: Role) -> u8 {
    match r {
        Role::Chair => 0,
        Role::ViceChair => 1,
        Role::Member => 2,
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
        Ctx {
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
                .filter(|d| v.declaration_is_public(d.declaration.id))
                .map(|d| (d.declaration.id, d.declaration.person_id))
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

    fn meeting_link(&self, m: &Meeting) -> Option<MeetingLink> {
        Some(MeetingLink {
            date: long_date(m.held_on),
            iso: m.held_on.to_string(),
            href: self.meeting_href(m)?,
        })
    }

    fn holder(&self, ms: &[&Stored<Membership>], role: Role, on: NaiveDate) -> Option<PersonRef> {
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
                    chair: self.holder(ms, Role::Chair, today),
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
            officer: m.role != Role::Member,
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
                        .filter(|i| matches!(i.record.outcome, Outcome::Decided { .. }))
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
            chair: self.holder(ms, Role::Chair, today),
            vice_chair: self.holder(ms, Role::ViceChair, today),
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
                }
            })
            .collect()
    }

    /// The item's quorum from the records as they stand.
    pub fn quorum(&self, item: &Item) -> Option<QuorumView> {
        let meeting = self.meeting(item.meeting_id)?;
        let committee = self.committee(meeting.record.committee_id)?;
        let members: Vec<Member> = self
            .members_of(committee.id)
            .iter()
            .map(|m| m.record.member.clone())
            .collect();
        let result = item_quorum(&committee.record, &members, &meeting.record, item, |id| {
            self.name(id, "")
        });
        Some(match result {
            QuorumResult::Quorate {
                presiding,
                counting,
            } => {
                let names: Vec<String> = counting.iter().map(|id| self.name(*id, "")).collect();
                let presiding = self.person(presiding, "");
                QuorumView {
                    quorate: true,
                    summary: format!(
                        "Quorate: {} voting member{} counted ({}); {} presided",
                        names.len(),
                        if names.len() == 1 { "" } else { "s" },
                        names.join(", "),
                        presiding.name
                    ),
                    presiding: Some(presiding),
                    counting: counting.len(),
                    counting_names: names,
                    failures: vec![],
                }
            }
            QuorumResult::Inquorate { failures } => {
                let failures: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
                QuorumView {
                    quorate: false,
                    summary: format!("Inquorate: {}", failures.join("; ")),
                    presiding: None,
                    counting: 0,
                    counting_names: vec![],
                    failures,
                }
            }
        })
    }

    fn outcome(item: &Item) -> OutcomeView {
        let (decision, reason, referred_to) = match &item.outcome {
            Outcome::Open => (None, None, None),
            Outcome::Decided { decision, .. } => (Some(decision.clone()), None, None),
            Outcome::Deferred { reason } => (None, Some(reason.clone()), None),
            Outcome::Referred {
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
            items,
            audit_seq: m.audit_seq,
        })
    }

    /// The item that took a decision, with its meeting and committee.
    fn taking_item(
        &self,
        d: &Decision,
    ) -> Option<(&'a Stored<Item>, &'a Stored<Meeting>, &'a Stored<Committee>)> {
        let item = self.item(d.fields.item_id?)?;
        let meeting = self.meeting(item.record.meeting_id)?;
        let committee = self.committee(meeting.record.committee_id)?;
        Some((item, meeting, committee))
    }

    fn how(&self, d: &Decision) -> HowDecided {
        match self.taking_item(d) {
            Some((item, meeting, committee)) => HowDecided {
                text: format!(
                    "{}, {}, item {}",
                    committee.record.name,
                    long_date(meeting.record.held_on),
                    item.record.number
                ),
                href: self.item_href(&item.record),
            },
            None => HowDecided {
                text: d.fields.how_decided.clone().unwrap_or_default(),
                href: None,
            },
        }
    }

    /// The register of procurement decisions, newest first; withdrawn ones stay, tagged.
    pub fn decision_rows(&self) -> Vec<DecisionRow> {
        let mut ds: Vec<&Stored<Decision>> = self.b.decisions.iter().collect();
        ds.sort_by(|a, b| {
            b.record
                .fields
                .decided_on
                .cmp(&a.record.fields.decided_on)
                .then(a.record.fields.reference.cmp(&b.record.fields.reference))
        });
        ds.into_iter()
            .map(|d| {
                let f = &d.record.fields;
                DecisionRow {
                    reference: f.reference.clone(),
                    href: self.decision_href(&d.record),
                    title: f.title.clone(),
                    route: route_label(&f.route),
                    supplier: f.supplier.clone(),
                    value: money(f.value_pence),
                    term: term(f.term_months),
                    decided_on: long_date(f.decided_on),
                    how: self.how(&d.record),
                    withdrawn: d.record.withdrawn_reason.is_some(),
                    withdrawn_reason: d.record.withdrawn_reason.clone(),
                    audit_seq: d.audit_seq,
                }
            })
            .collect()
    }

    /// One decision's page: every column of the register, with the taking item's
    /// conflicts and quorum as evidence.
    pub fn decision_view(&self, d: &Stored<Decision>) -> DecisionView {
        let f = &d.record.fields;
        let taking = self.taking_item(&d.record);
        let opt_html = |s: &Option<String>| s.as_deref().map(markdown::to_html);
        DecisionView {
            reference: f.reference.clone(),
            title: f.title.clone(),
            service_description_html: markdown::to_html(&f.service_description),
            service_status: f.service_status.label(),
            route: route_label(&f.route),
            clinical_lead: f.clinical_lead.clone(),
            contract_manager: f.contract_manager.clone(),
            decided_on: long_date(f.decided_on),
            item: taking.map(|(item, meeting, committee)| ItemRef {
                committee: committee.record.name.clone(),
                committee_href: self.committee_href(&committee.record),
                meeting_date: long_date(meeting.record.held_on),
                number: item.record.number.clone(),
                title: item.record.title.clone(),
                href: self.item_href(&item.record).unwrap_or_default(),
                decision: match &item.record.outcome {
                    Outcome::Decided { decision, .. } => Some(decision.clone()),
                    _ => None,
                },
            }),
            how_decided: f.how_decided.clone(),
            conflicts: taking
                .map(|(item, _, _)| self.conflicts(&item.record))
                .unwrap_or_default(),
            conflicts_note: f.conflicts_note.clone(),
            quorum: taking.and_then(|(item, _, _)| self.quorum(&item.record)),
            justification_html: markdown::to_html(&f.justification),
            supplier: f.supplier.clone(),
            value: money(f.value_pence),
            term: term(f.term_months),
            starts_on: f.starts_on.map(long_date),
            comments_html: opt_html(&f.comments),
            withdrawn: d.record.withdrawn_reason.is_some(),
            withdrawn_reason: d.record.withdrawn_reason.clone(),
            version: d.version,
            audit_seq: d.audit_seq,
        }
    }

    /// The conflicts of the item that took `d` as one line ("Dr X (partner at the practice
    /// bidding): left the room; …"), else its own note on conflicts.
    pub fn conflicts_text(&self, d: &Decision) -> String {
        match self.taking_item(d) {
            Some((item, _, _)) if item.record.conflicts.is_empty() => "None declared".to_owned(),
            Some((item, _, _)) => self
                .conflicts(&item.record)
                .iter()
                .map(|c| {
                    format!(
                        "{} ({}): {}",
                        c.person.name,
                        c.nature,
                        c.decision.to_lowercase()
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
            None => d.fields.conflicts_note.clone().unwrap_or_default(),
        }
    }

    /// The quorum of the item that took `d`, as one line.
    pub fn quorum_text(&self, d: &Decision) -> String {
        self.taking_item(d)
            .and_then(|(item, _, _)| self.quorum(&item.record))
            .map(|q| q.summary)
            .unwrap_or_default()
    }

    /// Committee name, meeting date and item number of the item that took `d`.
    pub fn taken_at(&self, d: &Decision) -> Option<(String, NaiveDate, String)> {
        self.taking_item(d).map(|(item, meeting, committee)| {
            (
                committee.record.name.clone(),
                meeting.record.held_on,
                item.record.number.clone(),
            )
        })
    }

    /// The breaches, most recent first, without the person concerned.
    pub fn breach_rows(&self) -> Vec<BreachRow> {
        let mut rows: Vec<(NaiveDate, BreachRow)> = self
            .b
            .breaches
            .iter()
            .map(|b| {
                let r = &b.record;
                (
                    r.occurred_on,
                    BreachRow {
                        id: b.id,
                        occurred_on: long_date(r.occurred_on),
                        identified_on: long_date(r.identified_on),
                        summary: r.summary.clone(),
                        action_taken: r.action_taken.clone(),
                        reported_to: r.reported_to.clone(),
                        audit_seq: b.audit_seq,
                    },
                )
            })
            .collect();
        rows.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.id.cmp(&a.1.id)));
        rows.into_iter().map(|(_, r)| r).collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::committees::{MemberCategory, Quorum};
    use crate::domain::decisions::{DecisionFields, ServiceStatus};

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
            role: Role::Chair,
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
                    outcome: Outcome::Open,
                },
            )],
            decisions: vec![stored(11, decision), stored(12, unlinked)],
            breaches: vec![],
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
