//! Nil returns and annual confirmations.

use super::schema::returns as r;
use super::write::{next_id, write, Change, Committed, Touched};
use super::{parse_date, AnyConnection, StoreError};
use crate::domain::entries::{Review, StandingChange};
use crate::domain::returns::{Return, ReturnKind};
use diesel::prelude::*;

type Row = (i64, i64, String, String, String, Option<String>);

fn from_row((id, person_id, kind, made_on, review, comment): Row) -> Result<Return, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("return {id} has a bad {what}"));
    Ok(Return {
        id,
        person_id,
        kind: ReturnKind::parse(&kind).ok_or_else(|| corrupt("kind"))?,
        made_on: parse_date(&made_on)?,
        review: Review::parse(&review, comment).ok_or_else(|| corrupt("review"))?,
    })
}

macro_rules! columns {
    () => {
        (
            r::id,
            r::person_id,
            r::kind,
            r::made_on,
            r::review,
            r::review_comment,
        )
    };
}

/// Every return in an organisation, oldest first, whatever its review.
pub fn all(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Return>, StoreError> {
    let rows: Vec<Row> = r::table
        .filter(r::organisation_id.eq(org_id))
        .order(r::id)
        .select(columns!())
        .load(c)?;
    rows.into_iter().map(from_row).collect()
}

/// The returns that count as made, for who is due to confirm: accepted ones, and ones
/// awaiting review (the declarant has done their part; the return is in the governance
/// lead's queue). One returned for changes does not count. The public register counts
/// accepted ones only.
pub fn made(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Return>, StoreError> {
    Ok(all(c, org_id)?
        .into_iter()
        .filter(|r| !matches!(r.review, Review::Returned(_)))
        .collect())
}

/// One return.
pub fn get(c: &mut AnyConnection, org_id: i64, id: i64) -> Result<Return, StoreError> {
    let row: Option<Row> = r::table
        .filter(r::organisation_id.eq(org_id))
        .filter(r::id.eq(id))
        .select(columns!())
        .first(c)
        .optional()?;
    row.map(from_row)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("return {id}")))
}

/// Accept or return a submitted return (`change` is a review). A return is one fact,
/// not versioned: its row records the review, and the audit entry the step.
pub fn review(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    id: i64,
    change: StandingChange,
) -> Result<Committed<Return>, StoreError> {
    write(c, org_id, actor, |c, _| {
        let mut ret = get(c, org_id, id)?;
        if !change.is_review() {
            return Err(crate::domain::FieldErrors::one(
                "action",
                "a return can only be accepted or returned for changes",
            )
            .into());
        }
        ret.review = ret.review.decide(&change)?;
        diesel::update(r::table.find((org_id, id)))
            .set((
                r::review.eq(ret.review.code()),
                r::review_comment.eq(ret.review.comment()),
            ))
            .execute(c)?;
        let person = super::people::by_id(c, org_id, ret.person_id)?;
        Ok(Change {
            action: change.action(),
            entity: ret.kind.code(),
            entity_id: ret.id.to_string(),
            payload: ret.payload(&person.slug),
            touched: Touched::Interests(person.id),
            value: ret,
        })
    })
}

/// Record a return for a person (given by slug).
pub fn create(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    person_slug: &str,
    kind: ReturnKind,
    made_on: chrono::NaiveDate,
    review: Review,
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
            review,
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
                r::review.eq(ret.review.code()),
                r::review_comment.eq(ret.review.comment()),
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
