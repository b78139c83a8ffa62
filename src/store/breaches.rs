//! The record of breaches of the conflicts of interest policy through the write path.
//! The person concerned is kept for the governance lead, salted so the published record's
//! hash does not give them away.

use super::records::{self, Kind, Stored};
use super::write::{write_all, Committed, Touched};
use super::{one_change, person_named, AnyConnection, StoreError};
use crate::domain::decisions::{Breach, BreachInput};
use crate::domain::FieldErrors;
use chrono::NaiveDate;

impl Kind for Breach {
    const KIND: &'static str = "breach";
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
        Some(slug) => person_named(c, org_id, slug, "person", &mut errors)?.map(|p| p.id),
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
        Ok(one_change(
            stored.entry("create"),
            Touched::Breaches,
            stored,
        ))
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
        Ok(one_change(stored.entry("amend"), Touched::Breaches, stored))
    })
}
