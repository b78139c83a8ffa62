//! Meetings and their agenda items through the write path: who attended and who was
//! co-opted, the conflicts declared on each item, and what became of it. A decision on an
//! inquorate item, or a later change that would make a recorded decision inquorate, is
//! refused inside the transaction and changes nothing.

use super::business::{evidence_from_records, quorum_from_records};
use super::committees::{current_members, recheck_decided};
use super::decisions::taken_at;
use super::entries::Register;
use super::records::{self, Kind, Stored};
use super::write::{write_all, Committed, Touched};
use super::{one_change, person_named, AnyConnection, StoreError};
use crate::domain::committees::crosscheck::{needs_reason, StandAside};
use crate::domain::committees::{
    conflict_changes, meeting_changes, quorum_summary, reason_required, CoOpted, Committee,
    Conflict, Item, ItemInput, ItemOutcome, ItemOutcomeInput, Meeting, MeetingInput, Member,
    PersonChange, QuorumEvidence, QuorumResult,
};
use crate::domain::FieldErrors;
use chrono::NaiveDate;
use std::collections::BTreeSet;

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

/// Refuse an inquorate item: each failed rule under `quorum.<rule>` and `why` under
/// `outcome`.
fn refuse_inquorate(result: &QuorumResult, why: &str) -> Result<(), StoreError> {
    if let QuorumResult::Inquorate { failures } = result {
        let mut e = FieldErrors::default();
        for f in failures {
            e.add(&format!("quorum.{}", f.rule()), f.to_string());
        }
        e.add("outcome", why);
        return Err(e.into());
    }
    Ok(())
}

/// The decision with its quorum frozen as evidence: the verdict in brief and the whole
/// evidence as it stands now, names included; or the refusal of an inquorate item.
fn decided_with_evidence(
    c: &mut AnyConnection,
    org_id: i64,
    committee: &Committee,
    members: &[Member],
    meeting: &Meeting,
    item: &Item,
    decision: String,
) -> Result<ItemOutcome, StoreError> {
    let result = quorum_from_records(committee, members, meeting, item);
    refuse_inquorate(
        &result,
        "the item is not quorate, so it cannot record a decision: record it as deferred or referred, or co-opt members to the meeting",
    )?;
    let mut names = std::collections::BTreeMap::new();
    for co in &meeting.co_opted {
        let p = super::people::by_id(c, org_id, co.person_id)?;
        names.insert(co.person_id, p.fields.name);
    }
    let evidence: QuorumEvidence =
        evidence_from_records(committee, members, meeting, item, &|id| {
            names.get(&id).cloned().unwrap_or_default()
        });
    Ok(ItemOutcome::Decided {
        decision,
        quorum: quorum_summary(&result),
        evidence: Some(Box::new(evidence)),
    })
}

/// Refuse a correction that gives no reason where one is required
/// ([`reason_required`]). `relied_on` is true when an item of the meeting has an
/// outcome, or when the change makes an item quorate that was not: a refused decision
/// never becomes an accepted one without a visible correction.
fn refuse_unexplained(
    changes: &[PersonChange],
    held_on: NaiveDate,
    today: NaiveDate,
    relied_on: bool,
    reason: &Option<String>,
    what: &str,
) -> Result<(), StoreError> {
    if reason.is_none() && reason_required(changes, held_on, today, relied_on) {
        return Err(FieldErrors::one(
            "correction_reason",
            format!(
                "is required: this corrects {what} after the meeting's date, after an outcome was recorded, or so that an item not quorate before becomes quorate, so say why"
            ),
        )
        .into());
    }
    Ok(())
}

/// Whether any item of meeting `meeting_id` has an outcome recorded.
fn any_outcome(c: &mut AnyConnection, org_id: i64, meeting_id: i64) -> Result<bool, StoreError> {
    Ok(records::children::<Item>(c, org_id, meeting_id)?
        .iter()
        .any(|i| i.record.outcome != ItemOutcome::Open))
}

const MEETING_DATE_TAKEN: &str = "a meeting of this committee is already recorded on that date";
const ITEM_NUMBER_TAKEN: &str = "is already used by another item of this meeting";

/// Refuse `record` if another current record of its kind has its key (a meeting's date,
/// an item's number), with `message` under `field`.
fn refuse_taken_key<T: Kind>(
    c: &mut AnyConnection,
    org_id: i64,
    record: &T,
    field: &str,
    message: &str,
) -> Result<(), StoreError> {
    match records::by_key::<T>(c, org_id, &record.key().expect("keyed"))? {
        Some(_) => Err(FieldErrors::one(field, message).into()),
        None => Ok(()),
    }
}

/// Resolve a meeting as entered: attendance of members in office that day, co-opted
/// people who exist and are not already members.
fn resolve_meeting(
    c: &mut AnyConnection,
    org_id: i64,
    committee_id: i64,
    entered: MeetingInput,
) -> Result<Meeting, StoreError> {
    let ms = current_members(c, org_id, committee_id)?;
    let on = entered.held_on;
    let mut errors = FieldErrors::default();
    let mut attendance = Vec::new();
    for (slug, status) in entered.attendance {
        let field = format!("attendance.{slug}");
        if let Some(p) = person_named(c, org_id, &slug, &field, &mut errors)? {
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
        if let Some(p) = person_named(c, org_id, &slug, &field, &mut errors)? {
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
                    recorded_on: None,
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
            correction_reason: entered.correction_reason,
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
        refuse_taken_key(c, org_id, &meeting, "held_on", MEETING_DATE_TAKEN)?;
        let stored = records::create(c, org_id, meeting, ctx, ctx.seq)?;
        Ok(one_change(
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
        let mut meeting = resolve_meeting(c, org_id, committee_id, entered)?;
        for co in &mut meeting.co_opted {
            co.recorded_on = match current
                .record
                .co_opted
                .iter()
                .find(|was| was.person_id == co.person_id)
            {
                Some(was) => was.recorded_on,
                None => (ctx.today > current.record.held_on).then_some(ctx.today),
            };
        }
        if meeting.held_on != current.record.held_on {
            refuse_taken_key(c, org_id, &meeting, "held_on", MEETING_DATE_TAKEN)?;
            let items: BTreeSet<i64> = records::children::<Item>(c, org_id, id)?
                .iter()
                .map(|i| i.id)
                .collect();
            if let Some(d) = taken_at(c, org_id, |item| items.contains(&item))? {
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
        let ms = current_members(c, org_id, committee_id)?;
        recheck_decided(c, org_id, &committee, &ms, NaiveDate::MIN, Some(&next))?;
        let items = records::children::<Item>(c, org_id, id)?;
        let quorate =
            |m: &Meeting, i: &Item| quorum_from_records(&committee.record, &ms, m, i).is_quorate();
        let makes_quorate = (items.iter().map(|i| &i.record))
            .any(|i| !quorate(&current.record, i) && quorate(&next.record, i));
        refuse_unexplained(
            &meeting_changes(&current.record, &next.record),
            current.record.held_on,
            ctx.today,
            any_outcome(c, org_id, id)? || makes_quorate,
            &next.record.correction_reason,
            "who attended",
        )?;
        let stored = records::replace(c, org_id, &current, next.record, ctx, ctx.seq)?;
        Ok(one_change(
            stored.entry("amend"),
            Touched::Committee(committee_id),
            stored,
        ))
    })
}

/// The refusal of "stayed and took part" without the chair's reason, where declaration
/// `d` of `name` says they stand aside ([`needs_reason`]).
fn took_part_unexplained(d: i64, name: &str, aside: &StandAside) -> String {
    format!(
        "is required: {name} stayed and took part, but their declaration {d} {}; record the chair's reason for letting them take part, or what they did instead",
        aside.describe()
    )
}

/// Refuse a decision on an item where a member took part against their declaration
/// without the chair's reason (an item recorded before the reason was asked for, or
/// whose declaration has since been amended to say they stand aside).
fn refuse_unexplained_took_part(
    c: &mut AnyConnection,
    org_id: i64,
    item: &Item,
) -> Result<(), StoreError> {
    for cf in item
        .conflicts
        .iter()
        .filter(|cf| cf.took_part_reason.is_none())
    {
        let Some(d) = cf.declaration_id else { continue };
        let v = match super::declarations::Declarations::get(c, org_id, d) {
            Ok(v) => v,
            Err(StoreError::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        let f = &v.entry.fields;
        if let Some(aside) = needs_reason(cf.decision, f.interest_type, &f.mitigation) {
            let who = super::people::by_id(c, org_id, cf.person_id)?;
            return Err(FieldErrors::one(
                "outcome",
                format!(
                    "{} stayed and took part, but their declaration {d} {}; amend the item to record the chair's reason first",
                    who.fields.name,
                    aside.describe()
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// Resolve an item as entered at `meeting`: conflicts of people present, linked to
/// their own declarations.
fn resolve_item(
    c: &mut AnyConnection,
    org_id: i64,
    meeting: &Stored<Meeting>,
    entered: ItemInput,
    outcome: ItemOutcome,
) -> Result<Item, StoreError> {
    let present = meeting.record.present();
    let mut errors = FieldErrors::default();
    let mut conflicts = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, cf) in entered.conflicts.into_iter().enumerate() {
        let prefix = format!("conflicts[{i}]");
        let Some(p) = person_named(
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
                Ok(v) if v.entry.person_id == p.id => {
                    let f = &v.entry.fields;
                    let aside = needs_reason(cf.decision, f.interest_type, &f.mitigation);
                    if let (Some(aside), None) = (aside, &cf.took_part_reason) {
                        errors.add(
                            &format!("{prefix}.took_part_reason"),
                            took_part_unexplained(d, &p.fields.name, &aside),
                        );
                    }
                }
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
            took_part_reason: cf.took_part_reason,
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
            correction_reason: entered.correction_reason,
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
        let item = resolve_item(c, org_id, &meeting, entered, ItemOutcome::Open)?;
        refuse_taken_key(c, org_id, &item, "number", ITEM_NUMBER_TAKEN)?;
        let stored = records::create(c, org_id, item, ctx, ctx.seq)?;
        Ok(one_change(
            stored.entry("create"),
            Touched::Committee(meeting.record.committee_id),
            stored,
        ))
    })
}

/// Amend an item's number, title, description or conflicts; if it recorded a decision,
/// it must stay quorate. The evidence recorded with the decision is kept as it was: the
/// pages show the correction beside it.
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
        let item = resolve_item(c, org_id, &meeting, entered, current.record.outcome.clone())?;
        if item.number != current.record.number {
            refuse_taken_key(c, org_id, &item, "number", ITEM_NUMBER_TAKEN)?;
        }
        let committee = records::get::<Committee>(c, org_id, meeting.record.committee_id)?;
        let ms = current_members(c, org_id, committee.id)?;
        let quorum = |i: &Item| quorum_from_records(&committee.record, &ms, &meeting.record, i);
        if let ItemOutcome::Decided { .. } = &item.outcome {
            refuse_inquorate(
                &quorum(&item),
                "this item recorded a decision, which would no longer be quorate",
            )?;
        }
        let makes_quorate = !quorum(&current.record).is_quorate() && quorum(&item).is_quorate();
        refuse_unexplained(
            &conflict_changes(&current.record, &item),
            meeting.record.held_on,
            ctx.today,
            any_outcome(c, org_id, meeting.id)? || makes_quorate,
            &item.correction_reason,
            "the conflicts declared",
        )?;
        let stored = records::replace(c, org_id, &current, item, ctx, ctx.seq)?;
        Ok(one_change(
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
    entered: ItemOutcomeInput,
) -> Result<Committed<Stored<Item>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let current = records::for_change::<Item>(c, org_id, id, version)?;
        let meeting = records::get::<Meeting>(c, org_id, current.record.meeting_id)?;
        let committee = records::get::<Committee>(c, org_id, meeting.record.committee_id)?;
        let outcome = match entered {
            ItemOutcomeInput::Decided { decision } => {
                refuse_unexplained_took_part(c, org_id, &current.record)?;
                let ms = current_members(c, org_id, committee.id)?;
                decided_with_evidence(
                    c,
                    org_id,
                    &committee.record,
                    &ms,
                    &meeting.record,
                    &current.record,
                    decision,
                )?
            }
            ItemOutcomeInput::Deferred { reason } => ItemOutcome::Deferred { reason },
            ItemOutcomeInput::Referred {
                referred_to,
                reason,
            } => ItemOutcome::Referred {
                referred_to,
                reason,
            },
        };
        if !matches!(outcome, ItemOutcome::Decided { .. }) {
            if let Some(d) = taken_at(c, org_id, |item| item == id)? {
                return Err(FieldErrors::one(
                    "outcome",
                    format!("procurement decision {} was taken at this item; amend or withdraw it first", d.record.fields.reference),
                )
                .into());
            }
        }
        let item = Item {
            outcome,
            correction_reason: None,
            ..current.record.clone()
        };
        let stored = records::replace(c, org_id, &current, item, ctx, ctx.seq)?;
        Ok(one_change(
            stored.entry("outcome"),
            Touched::Committee(committee.id),
            stored,
        ))
    })
}
