//! Nil returns and annual confirmations.

use super::schema::returns as r;
use super::write::{next_id, write, Change, Committed, Touched};
use super::{parse_date, AnyConnection, StoreError};
use crate::domain::returns::{Return, ReturnKind};
use diesel::prelude::*;

/// Every return in an organisation, oldest first.
pub fn all(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Return>, StoreError> {
    let rows: Vec<(i64, i64, String, String)> = r::table
        .filter(r::organisation_id.eq(org_id))
        .order(r::id)
        .select((r::id, r::person_id, r::kind, r::made_on))
        .load(c)?;
    rows.into_iter()
        .map(|(id, person_id, kind, made_on)| {
            let kind = ReturnKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("return {id} has kind {kind:?}")))?;
            Ok(Return {
                id,
                person_id,
                kind,
                made_on: parse_date(&made_on)?,
            })
        })
        .collect()
}

/// Record a return for a person (given by slug).
pub fn create(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    person_slug: &str,
    kind: ReturnKind,
    made_on: chrono::NaiveDate,
) -> Result<Committed<Return>, StoreError> {
    write(c, org_id, actor, |c, ctx| {
        let person = super::people::by_slug(c, org_id, person_slug).map_err(|_| {
            crate::domain::FieldErrors::one(
                "person",
                format!("no person {person_slug:?} in this organisation"),
            )
        })?;
        let current = super::declarations::count_current_for(c, org_id, person.id, ctx.today)?;
        Return::check(kind, current)?;
        let ret = Return {
            id: next_id!(c, returns, org_id),
            person_id: person.id,
            kind,
            made_on,
        };
        diesel::insert_into(r::table)
            .values((
                r::organisation_id.eq(org_id),
                r::id.eq(ret.id),
                r::person_id.eq(person.id),
                r::kind.eq(kind.code()),
                r::made_on.eq(made_on.to_string()),
                r::recorded_at.eq(&ctx.at),
                r::recorded_by.eq(&ctx.actor),
                r::audit_seq.eq(ctx.seq),
            ))
            .execute(c)?;
        Ok(Change {
            action: "create",
            entity: kind.code(),
            entity_id: ret.id.to_string(),
            payload: ret.payload(&person.slug),
            touched: Touched::Interests(person.id),
            value: ret,
        })
    })
}
