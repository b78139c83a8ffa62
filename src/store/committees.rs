//! Committees and their memberships through the write path: a membership change that
//! breaks the constitution on any date from its start, or after which a recorded decision
//! would no longer be quorate, is refused inside the transaction and changes nothing.

use super::business::quorum_from_records;
use super::records::{self, Kind, Stored};
use super::write::{write_all, Changes, Committed, Touched};
use super::{one_change, person_named, AnyConnection, StoreError};
use crate::domain::committees::{
    constitution, Advice, Committee, Item, ItemOutcome, Meeting, Member, Membership, QuorumResult,
};
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
pub fn members<'a>(ms: impl IntoIterator<Item = &'a Stored<Membership>>) -> Vec<Member> {
    ms.into_iter().map(|m| m.record.member.clone()).collect()
}

/// The members of committee `committee_id` as the rules see them, from its current
/// memberships.
pub fn current_members(
    c: &mut AnyConnection,
    org_id: i64,
    committee_id: i64,
) -> Result<Vec<Member>, StoreError> {
    Ok(members(&records::children::<Membership>(
        c,
        org_id,
        committee_id,
    )?))
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

/// Refuse a change after which an item of `committee` that recorded a decision, at a
/// meeting on or after `since`, would no longer be quorate. `meeting_override` stands
/// in for a meeting the change is about to replace.
pub(super) fn recheck_decided(
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
            if !matches!(item.record.outcome, ItemOutcome::Decided { .. }) {
                continue;
            }
            let result =
                quorum_from_records(&committee.record, members, &meeting.record, &item.record);
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
        let who = person_named(c, org_id, slug, &format!("{prefix}.person"), errors)?;
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
        let ms = current_members(c, org_id, id)?;
        let proposed = Stored {
            record: next,
            ..current.clone()
        };
        recheck_decided(c, org_id, &proposed, &ms, NaiveDate::MIN, None)?;
        let stored = records::replace(c, org_id, &current, proposed.record, ctx, ctx.seq)?;
        Ok(one_change(
            stored.entry("amend"),
            Touched::Committee(id),
            stored,
        ))
    })
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
        Ok(one_change(
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
