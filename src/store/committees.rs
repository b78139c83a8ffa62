//! Committee business through the write path, with the rules enforced inside the
//! transaction that records it: a membership change that breaks the constitution, a
//! decision on an inquorate item, or a later change that would make a recorded decision
//! inquorate, is refused and changes nothing. Also the register of procurement
//! decisions (each linked to the item that took it) and the record of breaches.

use super::entries::Register;
use super::records::{self, Kind, Stored};
use super::write::{write_all, Changes, Committed, Entry, Touched};
use super::{AnyConnection, StoreError};
use crate::domain::committees::{constitution, Advice, Member, QuorumResult};
use crate::domain::decisions::{Breach, BreachInput, Decision, DecisionFields};
use crate::domain::meetings::{
    item_quorum, quorum_evidence, CoOpted, Committee, Conflict, Item, ItemInput, Meeting,
    MeetingInput, Membership, Outcome, OutcomeInput,
};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use chrono::NaiveDate;
use std::collections::BTreeSet;

impl Kind for Committee {
    const KIND: &'static str = "committee";
    fn key(&self) -> Option<String> {
        Some(self.slug.clone())
    }
}

impl Kind for Membership {
    const KIND: &'static str = "membership";
    fn parent(&self) -> Option<i64> {
        Some(self.committee_id)
    }
}

impl Kind for Meeting {
    const KIND: &'static str = "meeting";
    fn parent(&self) -> Option<i64> {
        Some(self.committee_id)
    }
    fn key(&self) -> Option<String> {
        Some(format!("{}/{}", self.committee_id, self.held_on))
    }
}

impl Kind for Item {
    const KIND: &'static str = "item";
    fn parent(&self) -> Option<i64> {
        Some(self.meeting_id)
    }
    fn key(&self) -> Option<String> {
        Some(format!("{}/{}", self.meeting_id, self.number))
    }
}

impl Kind for Decision {
    const KIND: &'static str = "decision";
    fn key(&self) -> Option<String> {
        Some(self.fields.url_ref())
    }
}

impl Kind for Breach {
    const KIND: &'static str = "breach";
}

/// A committee with its memberships (current versions, past and present).
#[derive(Debug, Clone)]
pub struct CommitteeRecord {
    pub committee: Stored<Committee>,
    pub members: Vec<Stored<Membership>>,
    /// Advice the constitution does not follow (after a membership change: as of its date).
    pub warnings: Vec<Advice>,
}

/// The committee with slug `slug`.
pub fn by_slug(
    c: &mut AnyConnection,
    org_id: i64,
    slug: &str,
) -> Result<Stored<Committee>, StoreError> {
    records::by_key::<Committee>(c, org_id, slug)?
        .ok_or_else(|| StoreError::NotFound(format!("committee {slug:?}")))
}

/// The members of a committee as the rules see them.
pub fn members(ms: &[Stored<Membership>]) -> Vec<Member> {
    ms.iter().map(|m| m.record.member.clone()).collect()
}

/// Look up a person named in input, reporting an unknown one under `field`.
fn person(
    c: &mut AnyConnection,
    org_id: i64,
    slug: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> Result<Option<Person>, StoreError> {
    match super::people::by_slug(c, org_id, slug) {
        Ok(p) => Ok(Some(p)),
        Err(StoreError::NotFound(_)) => {
            errors.add(field, format!("no person {slug:?} in this organisation"));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

fn nested(errors: &mut FieldErrors, prefix: &str, e: FieldErrors) {
    for (k, v) in e.0 {
        errors.add(&format!("{prefix}.{k}"), v);
    }
}

/// Check the constitution on `since` and on every later date the membership changes;
/// dates when nobody is a member (a committee not yet formed, or wound up) are skipped.
/// Returns the advice that applies on any of those dates, each once.
fn check_constitution(members: &[Member], since: NaiveDate) -> Result<Vec<Advice>, FieldErrors> {
    let mut dates: BTreeSet<NaiveDate> = BTreeSet::from([since]);
    for m in members {
        dates.insert(m.from);
        if let Some(next) = m.to.and_then(|t| t.succ_opt()) {
            dates.insert(next);
        }
    }
    let mut advice: Vec<Advice> = Vec::new();
    for d in dates.into_iter().filter(|d| *d >= since) {
        if !members.iter().any(|m| m.is_active_on(d)) {
            continue;
        }
        let check = constitution(members, d);
        if !check.is_valid() {
            let mut e = FieldErrors::default();
            for b in check.errors {
                e.add(
                    &format!("constitution.{}", b.rule),
                    format!("on {d}: {}", b.message),
                );
            }
            return Err(e);
        }
        for w in check.warnings {
            if !advice.iter().any(|a| a.rule == w.rule) {
                advice.push(Advice {
                    rule: w.rule,
                    message: format!("from {d}: {}", w.message),
                });
            }
        }
    }
    Ok(advice)
}

/// The quorum of `item` with the committee's members as given.
pub fn quorum_of(
    c: &mut AnyConnection,
    org_id: i64,
    committee: &Committee,
    members: &[Member],
    meeting: &Meeting,
    item: &Item,
) -> Result<QuorumResult, StoreError> {
    let mut names = std::collections::BTreeMap::new();
    for co in &meeting.co_opted {
        names.insert(
            co.person_id,
            super::people::by_id(c, org_id, co.person_id)?.fields.name,
        );
    }
    Ok(item_quorum(committee, members, meeting, item, |id| {
        names.get(&id).cloned().unwrap_or_default()
    }))
}

fn failures_as_errors(result: &QuorumResult) -> FieldErrors {
    let mut e = FieldErrors::default();
    if let QuorumResult::Inquorate { failures } = result {
        for f in failures {
            e.add(&format!("quorum.{}", f.rule()), f.to_string());
        }
    }
    e
}

/// Refuse a change after which an item of `committee` that recorded a decision, at a
/// meeting on or after `since`, would no longer be quorate. `meeting_override` stands
/// in for a meeting the change is about to replace.
fn recheck_decided(
    c: &mut AnyConnection,
    org_id: i64,
    committee: &Stored<Committee>,
    members: &[Member],
    since: NaiveDate,
    meeting_override: Option<&Stored<Meeting>>,
) -> Result<(), StoreError> {
    for stored in records::children::<Meeting>(c, org_id, committee.id)? {
        let meeting = match meeting_override {
            Some(m) if m.id == stored.id => m.clone(),
            _ => stored,
        };
        if meeting.record.held_on < since {
            continue;
        }
        for item in records::children::<Item>(c, org_id, meeting.id)? {
            if !matches!(item.record.outcome, Outcome::Decided { .. }) {
                continue;
            }
            let result = quorum_of(
                c,
                org_id,
                &committee.record,
                members,
                &meeting.record,
                &item.record,
            )?;
            if let QuorumResult::Inquorate { failures } = result {
                let why: Vec<String> = failures.iter().map(|f| f.to_string()).collect();
                return Err(FieldErrors::one(
                    "quorum",
                    format!(
                        "item {} at the meeting of {} recorded a decision and would no longer be quorate: {}",
                        item.record.number,
                        meeting.record.held_on,
                        why.join("; ")
                    ),
                )
                .into());
            }
        }
    }
    Ok(())
}

/// Parse and resolve memberships entered as `(person slug, fields)`, reporting errors
/// under `members[i]`.
fn resolve_members(
    c: &mut AnyConnection,
    org_id: i64,
    committee_id: i64,
    entered: &[(Option<String>, Input)],
    errors: &mut FieldErrors,
) -> Result<Vec<Membership>, StoreError> {
    let mut out = Vec::new();
    for (i, (slug, fields)) in entered.iter().enumerate() {
        let prefix = format!("members[{i}]");
        let Some(slug) = slug else {
            errors.add(&format!("{prefix}.person"), "is required");
            if let Err(e) = Member::parse(0, "", fields) {
                nested(errors, &prefix, e);
            }
            continue;
        };
        let who = person(c, org_id, slug, &format!("{prefix}.person"), errors)?;
        let (id, name) = who.map(|p| (p.id, p.fields.name)).unwrap_or_default();
        match Member::parse(id, &name, fields) {
            Ok(member) => out.push(Membership {
                committee_id,
                member,
            }),
            Err(e) => nested(errors, &prefix, e),
        }
    }
    Ok(out)
}

/// Create a committee with its first members (each membership its own audit entry).
pub fn create_committee(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    committee: Committee,
    entered: Vec<(Option<String>, Input)>,
) -> Result<Committed<CommitteeRecord>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let mut errors = FieldErrors::default();
        if records::by_key::<Committee>(c, org_id, &committee.slug)?.is_some() {
            errors.add("slug", "is already used by another committee");
        }
        let id = records::next_id::<Committee>(c, org_id)?;
        let new_members = resolve_members(c, org_id, id, &entered, &mut errors)?;
        let all = new_members
            .iter()
            .map(|m| m.member.clone())
            .collect::<Vec<_>>();
        let warnings = match all.iter().map(|m| m.from).min() {
            Some(since) if errors.is_empty() => {
                check_constitution(&all, since).unwrap_or_else(|e| {
                    errors = e;
                    vec![]
                })
            }
            _ => vec![],
        };
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let committee = records::create(c, org_id, committee, ctx, ctx.seq)?;
        let mut entries = vec![committee.entry("create")];
        let mut members = Vec::new();
        for (k, m) in new_members.into_iter().enumerate() {
            let stored = records::create(c, org_id, m, ctx, ctx.seq + 1 + k as i64)?;
            entries.push(stored.entry("create"));
            members.push(stored);
        }
        Ok(Changes {
            entries,
            touched: Touched::Committee(committee.id),
            value: CommitteeRecord {
                committee,
                members,
                warnings,
            },
        })
    })
}

/// Amend a committee's name, terms of reference, slug or quorum. A new quorum must still
/// be met by every item that recorded a decision.
pub fn amend_committee(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    id: i64,
    version: i64,
    changes: Input,
) -> Result<Committed<Stored<Committee>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let current = records::for_change::<Committee>(c, org_id, id, version)?;
        let next = Committee::parse(&current.record.to_input().merged(changes))?;
        if next.slug != current.record.slug
            && records::by_key::<Committee>(c, org_id, &next.slug)?.is_some()
        {
            return Err(FieldErrors::one("slug", "is already used by another committee").into());
        }
        let ms = members(&records::children::<Membership>(c, org_id, id)?);
        let proposed = Stored {
            record: next,
            ..current.clone()
        };
        recheck_decided(c, org_id, &proposed, &ms, NaiveDate::MIN, None)?;
        let stored = records::replace(c, org_id, &current, proposed.record, ctx, ctx.seq)?;
        Ok(one(stored.entry("amend"), Touched::Committee(id), stored))
    })
}

fn one<T>(entry: Entry, touched: Touched, value: T) -> Changes<T> {
    Changes {
        entries: vec![entry],
        touched,
        value,
    }
}

/// Add memberships to a committee; the constitution must hold from the earliest new
/// membership on, and every recorded decision must stay quorate.
pub fn add_members(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    committee_id: i64,
    entered: Vec<(Option<String>, Input)>,
) -> Result<Committed<CommitteeRecord>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let committee = records::get::<Committee>(c, org_id, committee_id)?;
        let mut errors = FieldErrors::default();
        if entered.is_empty() {
            errors.add("members", "must list at least one membership");
        }
        let new_members = resolve_members(c, org_id, committee_id, &entered, &mut errors)?;
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let existing = records::children::<Membership>(c, org_id, committee_id)?;
        let mut all = members(&existing);
        all.extend(new_members.iter().map(|m| m.member.clone()));
        let since = new_members
            .iter()
            .map(|m| m.member.from)
            .min()
            .expect("not empty");
        let warnings = check_constitution(&all, since)?;
        recheck_decided(c, org_id, &committee, &all, since, None)?;
        let mut entries = Vec::new();
        let mut members_out = existing;
        for (k, m) in new_members.into_iter().enumerate() {
            let stored = records::create(c, org_id, m, ctx, ctx.seq + k as i64)?;
            entries.push(stored.entry("create"));
            members_out.push(stored);
        }
        Ok(Changes {
            entries,
            touched: Touched::Committee(committee_id),
            value: CommitteeRecord {
                committee,
                members: members_out,
                warnings,
            },
        })
    })
}

/// Amend a membership (`action` `amend`), or end it (`end`, with `to`). The rules are
/// checked from the earlier of its old and new start.
pub fn change_membership(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    committee_id: i64,
    (id, version): (i64, i64),
    action: &'static str,
    changes: Input,
) -> Result<Committed<CommitteeRecord>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let committee = records::get::<Committee>(c, org_id, committee_id)?;
        let current = records::for_change::<Membership>(c, org_id, id, version)?;
        if current.record.committee_id != committee_id {
            return Err(StoreError::NotFound(format!("membership {id}")));
        }
        let old = &current.record.member;
        if action == "end" && changes.get("to").is_none() {
            return Err(FieldErrors::one("to", "is required: the last day of membership").into());
        }
        let member = Member::parse(old.person_id, &old.name, &old.to_input().merged(changes))?;
        let since = member.from.min(old.from);
        let existing = records::children::<Membership>(c, org_id, committee_id)?;
        let all: Vec<Member> = existing
            .iter()
            .map(|m| {
                if m.id == id {
                    member.clone()
                } else {
                    m.record.member.clone()
                }
            })
            .collect();
        let warnings = check_constitution(&all, since)?;
        recheck_decided(c, org_id, &committee, &all, since, None)?;
        let stored = records::replace(
            c,
            org_id,
            &current,
            Membership {
                committee_id,
                member,
            },
            ctx,
            ctx.seq,
        )?;
        let entry = stored.entry(action);
        let members_out = existing
            .into_iter()
            .map(|m| if m.id == id { stored.clone() } else { m })
            .collect();
        Ok(one(
            entry,
            Touched::Committee(committee_id),
            CommitteeRecord {
                committee,
                members: members_out,
                warnings,
            },
        ))
    })
}

/// Resolve a meeting as entered: attendance of members in office that day, co-opted
/// people who exist and are not already members.
fn resolve_meeting(
    c: &mut AnyConnection,
    org_id: i64,
    committee_id: i64,
    entered: MeetingInput,
) -> Result<Meeting, StoreError> {
    let ms = members(&records::children::<Membership>(c, org_id, committee_id)?);
    let on = entered.held_on;
    let mut errors = FieldErrors::default();
    let mut attendance = Vec::new();
    for (slug, status) in entered.attendance {
        let field = format!("attendance.{slug}");
        if let Some(p) = person(c, org_id, &slug, &field, &mut errors)? {
            if ms.iter().any(|m| m.person_id == p.id && m.is_active_on(on)) {
                attendance.push((p.id, status));
            } else {
                errors.add(&field, format!("is not a member of the committee on {on}"));
            }
        }
    }
    attendance.sort_by_key(|(id, _)| *id);
    let mut co_opted = Vec::new();
    for (i, (slug, category, note)) in entered.co_opted.into_iter().enumerate() {
        let field = format!("co_opted[{i}].person");
        if let Some(p) = person(c, org_id, &slug, &field, &mut errors)? {
            if ms.iter().any(|m| m.person_id == p.id && m.is_active_on(on)) {
                errors.add(
                    &field,
                    "is a member of the committee already; record their attendance instead",
                );
            } else if co_opted.iter().any(|co: &CoOpted| co.person_id == p.id) {
                errors.add(&field, "is listed twice");
            } else {
                co_opted.push(CoOpted {
                    person_id: p.id,
                    category,
                    note,
                });
            }
        }
    }
    errors
        .into_result(Meeting {
            committee_id,
            held_on: on,
            attendance,
            co_opted,
        })
        .map_err(Into::into)
}

/// Record a meeting of a committee (one a day).
pub fn create_meeting(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    committee_id: i64,
    entered: MeetingInput,
) -> Result<Committed<Stored<Meeting>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        records::get::<Committee>(c, org_id, committee_id)?;
        let meeting = resolve_meeting(c, org_id, committee_id, entered)?;
        if records::by_key::<Meeting>(c, org_id, &meeting.key().expect("keyed"))?.is_some() {
            return Err(FieldErrors::one(
                "held_on",
                "a meeting of this committee is already recorded on that date",
            )
            .into());
        }
        let stored = records::create(c, org_id, meeting, ctx, ctx.seq)?;
        Ok(one(
            stored.entry("create"),
            Touched::Committee(committee_id),
            stored,
        ))
    })
}

/// Amend a meeting's date, attendance or co-options; decisions recorded at it must stay
/// quorate, and everyone who declared a conflict must still be there.
pub fn amend_meeting(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    id: i64,
    version: i64,
    entered: MeetingInput,
) -> Result<Committed<Stored<Meeting>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let current = records::for_change::<Meeting>(c, org_id, id, version)?;
        let committee_id = current.record.committee_id;
        let committee = records::get::<Committee>(c, org_id, committee_id)?;
        let meeting = resolve_meeting(c, org_id, committee_id, entered)?;
        if meeting.held_on != current.record.held_on
            && records::by_key::<Meeting>(c, org_id, &meeting.key().expect("keyed"))?.is_some()
        {
            return Err(FieldErrors::one(
                "held_on",
                "a meeting of this committee is already recorded on that date",
            )
            .into());
        }
        if meeting.held_on != current.record.held_on {
            let items: BTreeSet<i64> = records::children::<Item>(c, org_id, id)?
                .iter()
                .map(|i| i.id)
                .collect();
            if let Some(d) = records::current::<Decision>(c, org_id)?
                .into_iter()
                .find(|d| {
                    d.record.withdrawn_reason.is_none()
                        && d.record.fields.item_id.is_some_and(|i| items.contains(&i))
                })
            {
                return Err(FieldErrors::one(
                    "held_on",
                    format!(
                        "procurement decision {} was taken at this meeting on {}; amend or withdraw it first",
                        d.record.fields.reference, current.record.held_on
                    ),
                )
                .into());
            }
        }
        let present = meeting.present();
        for item in records::children::<Item>(c, org_id, id)? {
            if let Some(cf) = item
                .record
                .conflicts
                .iter()
                .find(|cf| !present.contains(&cf.person_id))
            {
                let who = super::people::by_id(c, org_id, cf.person_id)?;
                return Err(FieldErrors::one(
                    "attendance",
                    format!(
                        "{} declared a conflict on item {}, so must be recorded as present",
                        who.fields.name, item.record.number
                    ),
                )
                .into());
            }
        }
        let next = Stored {
            record: meeting,
            ..current.clone()
        };
        let ms = members(&records::children::<Membership>(c, org_id, committee_id)?);
        recheck_decided(c, org_id, &committee, &ms, NaiveDate::MIN, Some(&next))?;
        let stored = records::replace(c, org_id, &current, next.record, ctx, ctx.seq)?;
        Ok(one(
            stored.entry("amend"),
            Touched::Committee(committee_id),
            stored,
        ))
    })
}

/// Resolve an item as entered at `meeting`: conflicts of people present, linked to
/// their own declarations.
fn resolve_item(
    c: &mut AnyConnection,
    org_id: i64,
    meeting: &Stored<Meeting>,
    entered: ItemInput,
    outcome: Outcome,
) -> Result<Item, StoreError> {
    let present = meeting.record.present();
    let mut errors = FieldErrors::default();
    let mut conflicts = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, cf) in entered.conflicts.into_iter().enumerate() {
        let prefix = format!("conflicts[{i}]");
        let Some(p) = person(
            c,
            org_id,
            &cf.person,
            &format!("{prefix}.person"),
            &mut errors,
        )?
        else {
            continue;
        };
        if !present.contains(&p.id) {
            errors.add(
                &format!("{prefix}.person"),
                "was not present at the meeting",
            );
        } else if !seen.insert(p.id) {
            errors.add(
                &format!("{prefix}.person"),
                "is listed twice: give one conflict per person, describing every interest",
            );
        }
        if let Some(d) = cf.declaration_id {
            match super::declarations::Declarations::get(c, org_id, d) {
                Ok(v) if v.entry.person_id == p.id => {}
                Ok(_) => errors.add(
                    &format!("{prefix}.declaration"),
                    format!("declaration {d} is not one of {}'s", p.fields.name),
                ),
                Err(StoreError::NotFound(_)) => errors.add(
                    &format!("{prefix}.declaration"),
                    format!("no declaration {d}"),
                ),
                Err(e) => return Err(e),
            }
        }
        conflicts.push(Conflict {
            person_id: p.id,
            declaration_id: cf.declaration_id,
            nature: cf.nature,
            decision: cf.decision,
        });
    }
    errors
        .into_result(Item {
            meeting_id: meeting.id,
            number: entered.number,
            title: entered.title,
            description: entered.description,
            conflicts,
            outcome,
        })
        .map_err(Into::into)
}

/// Record an agenda item with the conflicts declared on it (no outcome yet).
pub fn create_item(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    meeting_id: i64,
    entered: ItemInput,
) -> Result<Committed<Stored<Item>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let meeting = records::get::<Meeting>(c, org_id, meeting_id)?;
        let item = resolve_item(c, org_id, &meeting, entered, Outcome::Open)?;
        if records::by_key::<Item>(c, org_id, &item.key().expect("keyed"))?.is_some() {
            return Err(FieldErrors::one(
                "number",
                "is already used by another item of this meeting",
            )
            .into());
        }
        let stored = records::create(c, org_id, item, ctx, ctx.seq)?;
        Ok(one(
            stored.entry("create"),
            Touched::Committee(meeting.record.committee_id),
            stored,
        ))
    })
}

/// Amend an item's number, title, description or conflicts; if it recorded a decision,
/// it must stay quorate (and the evidence is brought up to date).
pub fn amend_item(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    id: i64,
    version: i64,
    entered: ItemInput,
) -> Result<Committed<Stored<Item>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let current = records::for_change::<Item>(c, org_id, id, version)?;
        let meeting = records::get::<Meeting>(c, org_id, current.record.meeting_id)?;
        let mut item = resolve_item(c, org_id, &meeting, entered, current.record.outcome.clone())?;
        if item.number != current.record.number
            && records::by_key::<Item>(c, org_id, &item.key().expect("keyed"))?.is_some()
        {
            return Err(FieldErrors::one(
                "number",
                "is already used by another item of this meeting",
            )
            .into());
        }
        let committee = records::get::<Committee>(c, org_id, meeting.record.committee_id)?;
        if let Outcome::Decided { decision, .. } = &item.outcome {
            let ms = members(&records::children::<Membership>(c, org_id, committee.id)?);
            let result = quorum_of(c, org_id, &committee.record, &ms, &meeting.record, &item)?;
            if !result.is_quorate() {
                let mut e = failures_as_errors(&result);
                e.add(
                    "outcome",
                    "this item recorded a decision, which would no longer be quorate",
                );
                return Err(e.into());
            }
            item.outcome = Outcome::Decided {
                decision: decision.clone(),
                quorum: quorum_evidence(&result),
            };
        }
        let stored = records::replace(c, org_id, &current, item, ctx, ctx.seq)?;
        Ok(one(
            stored.entry("amend"),
            Touched::Committee(committee.id),
            stored,
        ))
    })
}

/// Record what became of an item. A decision is refused unless the item is quorate;
/// deferring or referring is always possible, unless a procurement decision cites the
/// item as the one that took it.
pub fn record_outcome(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    id: i64,
    version: i64,
    entered: OutcomeInput,
) -> Result<Committed<Stored<Item>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let current = records::for_change::<Item>(c, org_id, id, version)?;
        let meeting = records::get::<Meeting>(c, org_id, current.record.meeting_id)?;
        let committee = records::get::<Committee>(c, org_id, meeting.record.committee_id)?;
        let outcome = match entered {
            OutcomeInput::Decided { decision } => {
                let ms = members(&records::children::<Membership>(c, org_id, committee.id)?);
                let result = quorum_of(
                    c,
                    org_id,
                    &committee.record,
                    &ms,
                    &meeting.record,
                    &current.record,
                )?;
                if !result.is_quorate() {
                    let mut e = failures_as_errors(&result);
                    e.add(
                        "outcome",
                        "the item is not quorate, so it cannot record a decision: record it as deferred or referred, or co-opt members to the meeting",
                    );
                    return Err(e.into());
                }
                Outcome::Decided {
                    decision,
                    quorum: quorum_evidence(&result),
                }
            }
            OutcomeInput::Deferred { reason } => Outcome::Deferred { reason },
            OutcomeInput::Referred {
                referred_to,
                reason,
            } => Outcome::Referred {
                referred_to,
                reason,
            },
        };
        if !matches!(outcome, Outcome::Decided { .. }) {
            if let Some(d) = records::current::<Decision>(c, org_id)?
                .into_iter()
                .find(|d| {
                    d.record.fields.item_id == Some(id) && d.record.withdrawn_reason.is_none()
                })
            {
                return Err(FieldErrors::one(
                    "outcome",
                    format!("procurement decision {} was taken at this item; amend or withdraw it first", d.record.fields.reference),
                )
                .into());
            }
        }
        let item = Item {
            outcome,
            ..current.record.clone()
        };
        let stored = records::replace(c, org_id, &current, item, ctx, ctx.seq)?;
        Ok(one(
            stored.entry("outcome"),
            Touched::Committee(committee.id),
            stored,
        ))
    })
}

/// Check a procurement decision's links: a unique reference, and an item (if given)
/// that recorded a decision at a meeting held on `decided_on`.
/// Also used by the CSV import to validate every row before writing any.
pub fn check_decision(
    c: &mut AnyConnection,
    org_id: i64,
    fields: &DecisionFields,
    replacing: Option<i64>,
) -> Result<(), StoreError> {
    let mut errors = FieldErrors::default();
    if let Some(other) = records::by_key::<Decision>(c, org_id, &fields.url_ref())? {
        if Some(other.id) != replacing {
            errors.add("reference", "is already used by another decision");
        }
    }
    if let Some(item_id) = fields.item_id {
        match records::get::<Item>(c, org_id, item_id) {
            Ok(item) => {
                let meeting = records::get::<Meeting>(c, org_id, item.record.meeting_id)?;
                if !matches!(item.record.outcome, Outcome::Decided { .. }) {
                    errors.add(
                        "item",
                        format!(
                            "item {} of the meeting of {} did not record a decision ({})",
                            item.record.number,
                            meeting.record.held_on,
                            item.record.outcome.label().to_lowercase()
                        ),
                    );
                } else if meeting.record.held_on != fields.decided_on {
                    errors.add(
                        "decided_on",
                        format!(
                            "must be the date of the meeting that took it, {}",
                            meeting.record.held_on
                        ),
                    );
                }
            }
            Err(StoreError::NotFound(_)) => errors.add("item", format!("no agenda item {item_id}")),
            Err(e) => return Err(e),
        }
    }
    errors.into_result(()).map_err(Into::into)
}

/// Record a procurement decision.
pub fn create_decision(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    fields: DecisionFields,
) -> Result<Committed<Stored<Decision>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        check_decision(c, org_id, &fields, None)?;
        let decision = Decision {
            fields,
            withdrawn_reason: None,
        };
        let stored = records::create(c, org_id, decision, ctx, ctx.seq)?;
        Ok(one(stored.entry("create"), Touched::Decisions, stored))
    })
}

/// What can happen to a recorded procurement decision.
pub enum DecisionStep {
    /// Overlay these changes on the current fields.
    Amend(Input),
    /// Withdraw it (recorded in error, or rescinded), with the reason.
    Withdraw(String),
}

/// Amend or withdraw procurement decision `id`.
pub fn change_decision(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    id: i64,
    version: i64,
    step: DecisionStep,
) -> Result<Committed<Stored<Decision>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let current = records::for_change::<Decision>(c, org_id, id, version)?;
        if current.record.withdrawn_reason.is_some() {
            return Err(StoreError::Conflict(format!(
                "decision {id} was withdrawn and cannot change"
            )));
        }
        let (next, action) = match step {
            DecisionStep::Amend(changes) => {
                let fields =
                    DecisionFields::parse(&current.record.fields.to_input().merged(changes))?;
                check_decision(c, org_id, &fields, Some(id))?;
                (
                    Decision {
                        fields,
                        withdrawn_reason: None,
                    },
                    "amend",
                )
            }
            DecisionStep::Withdraw(reason) => (
                Decision {
                    withdrawn_reason: Some(reason),
                    ..current.record.clone()
                },
                "withdraw",
            ),
        };
        let stored = records::replace(c, org_id, &current, next, ctx, ctx.seq)?;
        Ok(one(stored.entry(action), Touched::Decisions, stored))
    })
}

/// 128 random bits as hex.
fn random_salt() -> Result<String, StoreError> {
    let mut bytes = [0u8; 16];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| StoreError::Corrupt(format!("no randomness available: {e}")))?;
    Ok(hex::encode(bytes))
}

fn resolve_breach(
    c: &mut AnyConnection,
    org_id: i64,
    b: BreachInput,
) -> Result<Breach, StoreError> {
    let mut errors = FieldErrors::default();
    let person_id = match &b.person {
        Some(slug) => person(c, org_id, slug, "person", &mut errors)?.map(|p| p.id),
        None => None,
    };
    errors
        .into_result(Breach {
            occurred_on: b.occurred_on,
            identified_on: b.identified_on,
            summary: b.summary,
            action_taken: b.action_taken,
            reported_to: b.reported_to,
            salt: person_id.map(|_| random_salt()).transpose()?,
            person_id,
        })
        .map_err(Into::into)
}

/// Record a breach of the conflicts of interest policy.
pub fn create_breach(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    entered: BreachInput,
) -> Result<Committed<Stored<Breach>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let breach = resolve_breach(c, org_id, entered)?;
        let stored = records::create(c, org_id, breach, ctx, ctx.seq)?;
        Ok(one(stored.entry("create"), Touched::Breaches, stored))
    })
}

/// Amend a breach record (`parse` turns the current record's input, overlaid with the
/// changes, into the new fields).
pub fn amend_breach(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    id: i64,
    version: i64,
    parse: impl FnOnce(&Breach, Option<String>, NaiveDate) -> Result<BreachInput, FieldErrors>,
) -> Result<Committed<Stored<Breach>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let current = records::for_change::<Breach>(c, org_id, id, version)?;
        let slug = match current.record.person_id {
            Some(p) => Some(super::people::by_id(c, org_id, p)?.slug),
            None => None,
        };
        let entered = parse(&current.record, slug, ctx.today)?;
        let breach = resolve_breach(c, org_id, entered)?;
        let stored = records::replace(c, org_id, &current, breach, ctx, ctx.seq)?;
        Ok(one(stored.entry("amend"), Touched::Breaches, stored))
    })
}

/// Everything about a committee's business, for the site and the API.
#[derive(Debug, Clone, Default)]
pub struct Business {
    pub committees: Vec<Stored<Committee>>,
    pub memberships: Vec<Stored<Membership>>,
    pub meetings: Vec<Stored<Meeting>>,
    pub items: Vec<Stored<Item>>,
    pub decisions: Vec<Stored<Decision>>,
    pub breaches: Vec<Stored<Breach>>,
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
        })
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
    pub fn quorum(&self, item: &Item, name_of: impl Fn(i64) -> String) -> Option<QuorumResult> {
        let meeting = self.meetings.iter().find(|m| m.id == item.meeting_id)?;
        let committee = self
            .committees
            .iter()
            .find(|c| c.id == meeting.record.committee_id)?;
        let ms: Vec<Member> = self
            .members_of(committee.id)
            .into_iter()
            .map(|m| m.record.member.clone())
            .collect();
        Some(item_quorum(
            &committee.record,
            &ms,
            &meeting.record,
            item,
            name_of,
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
