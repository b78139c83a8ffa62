//! The register of gifts and hospitality: versioned like declarations.

use super::schema::gifts as g;
use super::write::{next_id, write, Change, Committed, Touched};
use super::{parse_date, AnyConnection, StoreError, WriteCtx};
use crate::domain::entries::{EntryState, Review, Standing, StandingChange};
use crate::domain::gifts::{Gift, GiftFields, GiftKind, Outcome};
use diesel::prelude::*;

/// One stored version of an offer.
#[derive(Debug, Clone)]
pub struct Version {
    pub gift: Gift,
    pub recorded_at: String,
    pub recorded_by: String,
    pub audit_seq: i64,
}

#[derive(Queryable)]
struct Row {
    id: i64,
    version: i64,
    person_id: i64,
    giver: String,
    giver_is_supplier: i32,
    kind: String,
    description: String,
    value_pence: i64,
    offered_on: String,
    outcome: String,
    approved_by: Option<String>,
    declared_on: String,
    state: String,
    withheld_reason: Option<String>,
    recorded_at: String,
    recorded_by: String,
    audit_seq: i64,
    review: String,
    review_comment: Option<String>,
}

macro_rules! columns {
    () => {
        (
            g::id,
            g::version,
            g::person_id,
            g::giver,
            g::giver_is_supplier,
            g::kind,
            g::description,
            g::value_pence,
            g::offered_on,
            g::outcome,
            g::approved_by,
            g::declared_on,
            g::state,
            g::withheld_reason,
            g::recorded_at,
            g::recorded_by,
            g::audit_seq,
            g::review,
            g::review_comment,
        )
    };
}

fn from_row(r: Row) -> Result<Version, StoreError> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("gift {} has a bad {what}", r.id));
    let fields = GiftFields {
        giver: r.giver,
        giver_is_supplier: r.giver_is_supplier != 0,
        kind: GiftKind::parse(&r.kind).ok_or_else(|| corrupt("kind"))?,
        description: r.description,
        value_pence: r.value_pence,
        offered_on: parse_date(&r.offered_on)?,
        outcome: Outcome::parse(&r.outcome).ok_or_else(|| corrupt("outcome"))?,
        approved_by: r.approved_by,
        declared_on: parse_date(&r.declared_on)?,
    };
    let standing = Standing {
        state: EntryState::parse(&r.state).ok_or_else(|| corrupt("state"))?,
        withheld_reason: r.withheld_reason,
        review: Review::parse(&r.review, r.review_comment).ok_or_else(|| corrupt("review"))?,
    };
    Ok(Version {
        gift: Gift {
            id: r.id,
            version: r.version,
            person_id: r.person_id,
            fields,
            standing,
        },
        recorded_at: r.recorded_at,
        recorded_by: r.recorded_by,
        audit_seq: r.audit_seq,
    })
}

/// The version of every gift that the public register shows: its latest accepted
/// one (an entry never accepted has none), oldest entry first.
pub fn published(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Version>, StoreError> {
    let rows: Vec<Row> = g::table
        .filter(g::organisation_id.eq(org_id))
        .filter(g::is_published.eq(1))
        .order(g::id)
        .select(columns!())
        .load(c)?;
    rows.into_iter().map(from_row).collect()
}

/// The published version of one gift, if it has been accepted.
pub fn published_one(
    c: &mut AnyConnection,
    org_id: i64,
    id: i64,
) -> Result<Option<Version>, StoreError> {
    let row: Option<Row> = g::table
        .filter(g::organisation_id.eq(org_id))
        .filter(g::id.eq(id))
        .filter(g::is_published.eq(1))
        .select(columns!())
        .first(c)
        .optional()?;
    row.map(from_row).transpose()
}

/// The current version of every offer, oldest first.
pub fn current(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Version>, StoreError> {
    let rows: Vec<Row> = g::table
        .filter(g::organisation_id.eq(org_id))
        .filter(g::is_current.eq(1))
        .order(g::id)
        .select(columns!())
        .load(c)?;
    rows.into_iter().map(from_row).collect()
}

pub fn get(c: &mut AnyConnection, org_id: i64, id: i64) -> Result<Version, StoreError> {
    let row: Option<Row> = g::table
        .filter(g::organisation_id.eq(org_id))
        .filter(g::id.eq(id))
        .filter(g::is_current.eq(1))
        .select(columns!())
        .first(c)
        .optional()?;
    row.map(from_row)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("gift {id}")))
}

fn insert(
    c: &mut AnyConnection,
    org_id: i64,
    gift: &Gift,
    ctx: &WriteCtx,
) -> Result<(), StoreError> {
    let f = &gift.fields;
    // The public register shows an entry's latest accepted version.
    let accepted = gift.standing.review == Review::Accepted;
    if accepted {
        diesel::update(
            g::table
                .filter(g::organisation_id.eq(org_id))
                .filter(g::id.eq(gift.id)),
        )
        .set(g::is_published.eq(0))
        .execute(c)?;
    }
    diesel::insert_into(g::table)
        .values((
            g::organisation_id.eq(org_id),
            g::id.eq(gift.id),
            g::version.eq(gift.version),
            g::is_current.eq(1),
            g::person_id.eq(gift.person_id),
            g::giver.eq(&f.giver),
            g::giver_is_supplier.eq(i32::from(f.giver_is_supplier)),
            g::kind.eq(f.kind.code()),
            g::description.eq(&f.description),
            g::value_pence.eq(f.value_pence),
            g::offered_on.eq(f.offered_on.to_string()),
            g::outcome.eq(f.outcome.code()),
            g::approved_by.eq(&f.approved_by),
            g::declared_on.eq(f.declared_on.to_string()),
            g::state.eq(gift.standing.state.code()),
            g::withheld_reason.eq(&gift.standing.withheld_reason),
            g::recorded_at.eq(&ctx.at),
            g::recorded_by.eq(&ctx.actor),
            g::audit_seq.eq(ctx.seq),
            g::review.eq(gift.standing.review.code()),
            g::review_comment.eq(gift.standing.review.comment()),
            g::is_published.eq(i32::from(accepted)),
        ))
        .execute(c)?;
    Ok(())
}

fn committed(
    gift: Gift,
    person_slug: &str,
    action: &'static str,
    ctx: &WriteCtx,
) -> Change<Version> {
    Change {
        action,
        entity: "gift",
        entity_id: gift.id.to_string(),
        payload: gift.payload(person_slug),
        touched: Touched::Gifts(gift.person_id),
        value: Version {
            gift,
            recorded_at: ctx.at.clone(),
            recorded_by: ctx.actor.clone(),
            audit_seq: ctx.seq,
        },
    }
}

/// Record an offer made to a person (given by slug).
pub fn create(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    person_slug: &str,
    fields: GiftFields,
    withheld_reason: Option<String>,
    review: Review,
) -> Result<Committed<Version>, StoreError> {
    write(c, org_id, actor, |c, ctx| {
        let person = super::people::by_slug(c, org_id, person_slug).map_err(|_| {
            crate::domain::FieldErrors::one(
                "person",
                format!("no person {person_slug:?} in this organisation"),
            )
        })?;
        let gift = Gift {
            id: next_id!(c, gifts, org_id),
            version: 1,
            person_id: person.id,
            fields,
            standing: Standing {
                state: EntryState::Active,
                withheld_reason,
                review,
            },
        };
        insert(c, org_id, &gift, ctx)?;
        Ok(committed(gift, &person.slug, "create", ctx))
    })
}

/// What can happen to a recorded offer.
pub enum GiftStep {
    Amend(GiftFields),
    Standing(StandingChange),
}

/// Amend, withhold, release, withdraw, accept or return offer `id`, whose current version
/// must be `version`. The new version is left in `review` (by who made the change),
/// unless the step is itself a review.
pub fn change(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    id: i64,
    version: i64,
    review: Review,
    step: impl FnOnce(&Gift, chrono::NaiveDate) -> Result<GiftStep, StoreError>,
) -> Result<Committed<Version>, StoreError> {
    write(c, org_id, actor, |c, ctx| {
        let current = get(c, org_id, id)?.gift;
        if current.version != version {
            return Err(StoreError::Conflict(format!(
                "gift {id} is at version {}, not {version}; reload it and try again",
                current.version
            )));
        }
        let mut next = current.clone();
        next.version += 1;
        let step = step(&current, ctx.today)?;
        let is_review = matches!(&step, GiftStep::Standing(s) if s.is_review());
        let action = match step {
            GiftStep::Amend(fields) => {
                current.standing.check_changeable()?;
                next.fields = fields;
                "amend"
            }
            GiftStep::Standing(change) => {
                next.standing = current.standing.apply(&change)?;
                change.action()
            }
        };
        if !is_review {
            next.standing.review = review;
        }
        diesel::update(g::table.find((org_id, id, version)))
            .set(g::is_current.eq(0))
            .execute(c)?;
        insert(c, org_id, &next, ctx)?;
        let person = super::people::by_id(c, org_id, next.person_id)?;
        Ok(committed(next, &person.slug, action, ctx))
    })
}

/// Every version of one offer, oldest first.
pub fn versions(c: &mut AnyConnection, org_id: i64, id: i64) -> Result<Vec<Version>, StoreError> {
    let rows: Vec<Row> = g::table
        .filter(g::organisation_id.eq(org_id))
        .filter(g::id.eq(id))
        .order(g::version)
        .select(columns!())
        .load(c)?;
    if rows.is_empty() {
        return Err(StoreError::NotFound(format!("gift {id}")));
    }
    rows.into_iter().map(from_row).collect()
}
