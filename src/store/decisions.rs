//! The register of procurement decisions through the write path: each decision's
//! reference is unique, and the agenda item it cites (if any) recorded a decision at a
//! meeting held on the decision's date.

use super::records::{self, Kind, Stored};
use super::write::{write_all, Committed, Touched};
use super::{one_change, AnyConnection, StoreError};
use crate::domain::committees::{Item, ItemOutcome, Meeting};
use crate::domain::decisions::{Decision, DecisionFields};
use crate::domain::{FieldErrors, Input};

impl Kind for Decision {
    const KIND: &'static str = "decision";
    fn key(&self) -> Option<String> {
        Some(self.fields.url_ref())
    }
}

/// The first procurement decision in force (not withdrawn) that cites an agenda item for
/// which `at` holds: such an item must keep its decision, and its meeting its date.
pub(super) fn taken_at(
    c: &mut AnyConnection,
    org_id: i64,
    at: impl Fn(i64) -> bool,
) -> Result<Option<Stored<Decision>>, StoreError> {
    Ok(records::current::<Decision>(c, org_id)?
        .into_iter()
        .find(|d| d.record.withdrawn_reason.is_none() && d.record.fields.item_id.is_some_and(&at)))
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
                if !matches!(item.record.outcome, ItemOutcome::Decided { .. }) {
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
        Ok(one_change(
            stored.entry("create"),
            Touched::Decisions,
            stored,
        ))
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
        Ok(one_change(stored.entry(action), Touched::Decisions, stored))
    })
}
