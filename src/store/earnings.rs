//! The register of GP earnings through the write path: one current figure per practice
//! (ODS code) and financial year; amended or withdrawn (entered in error) as a new
//! version with its audit entry, kept as a versioned record (`records`, kind `gp_earnings`).

use super::records::{self, Kind, Stored};
use super::write::{write_all, Committed, Touched};
use super::{one_change, AnyConnection, StoreError};
use crate::domain::earnings::{GpEarnings, GpEarningsFields};
use crate::domain::{FieldErrors, Input};

impl Kind for GpEarnings {
    const KIND: &'static str = "gp_earnings";
    /// Withdrawn figures give up their key, so the practice's figure for the year can be
    /// entered again correctly.
    fn key(&self) -> Option<String> {
        self.withdrawn_reason.is_none().then(|| self.fields.key())
    }
}

/// A practice has one current figure for a year. Also used by the CSV import to check
/// every row before writing any.
pub fn check_earnings(
    c: &mut AnyConnection,
    org_id: i64,
    fields: &GpEarningsFields,
    replacing: Option<i64>,
) -> Result<(), StoreError> {
    if let Some(other) = records::by_key::<GpEarnings>(c, org_id, &fields.key())? {
        if Some(other.id) != replacing {
            let mut errors = FieldErrors::default();
            errors.add(
                "financial_year",
                format!(
                    "already has a figure for practice {} (entry {}): amend that one instead",
                    fields.ods_code, other.id
                ),
            );
            return Err(errors.into());
        }
    }
    Ok(())
}

/// Record a practice's GP earnings for a financial year.
pub fn create_earnings(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    fields: GpEarningsFields,
) -> Result<Committed<Stored<GpEarnings>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        check_earnings(c, org_id, &fields, None)?;
        let record = GpEarnings {
            fields,
            withdrawn_reason: None,
        };
        let stored = records::create(c, org_id, record, ctx, ctx.seq)?;
        Ok(one_change(
            stored.entry("create"),
            Touched::GpEarnings,
            stored,
        ))
    })
}

/// What can happen to a recorded figure.
pub enum EarningsStep {
    /// Overlay these changes on the current fields.
    Amend(Input),
    /// Withdraw it as entered in error, with the reason.
    Withdraw(String),
}

/// Amend or withdraw figure `id` (at `version`, else 409).
pub fn change_earnings(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    id: i64,
    version: i64,
    step: EarningsStep,
) -> Result<Committed<Stored<GpEarnings>>, StoreError> {
    write_all(c, org_id, actor, |c, ctx| {
        let current = records::for_change::<GpEarnings>(c, org_id, id, version)?;
        if current.record.withdrawn_reason.is_some() {
            return Err(StoreError::Conflict(format!(
                "GP earnings entry {id} was withdrawn and cannot change"
            )));
        }
        let (next, action) = match step {
            EarningsStep::Amend(changes) => {
                let fields =
                    GpEarningsFields::parse(&current.record.fields.to_input().merged(changes))?;
                check_earnings(c, org_id, &fields, Some(id))?;
                let record = GpEarnings {
                    fields,
                    withdrawn_reason: None,
                };
                (record, "amend")
            }
            EarningsStep::Withdraw(reason) => {
                let record = GpEarnings {
                    withdrawn_reason: Some(reason),
                    ..current.record.clone()
                };
                (record, "withdraw")
            }
        };
        let stored = records::replace(c, org_id, &current, next, ctx, ctx.seq)?;
        Ok(one_change(
            stored.entry(action),
            Touched::GpEarnings,
            stored,
        ))
    })
}
