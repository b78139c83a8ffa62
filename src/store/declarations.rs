//! Declarations of interest: every change is a new version row; the previous one is
//! kept (marked not current) so the history of an entry can always be shown.

use super::schema::declarations as d;
use super::write::{next_id, write, Change, Committed, Touched};
use super::{parse_date, parse_opt_date, AnyConnection, StoreError};
use crate::domain::entries::{EntryState, Review, Standing};
use crate::domain::interests::{Declaration, DeclarationFields, InterestType, Step};
use diesel::prelude::*;

/// One stored version, with when and by whom it was recorded.
#[derive(Debug, Clone)]
pub struct Version {
    pub declaration: Declaration,
    pub recorded_at: String,
    pub recorded_by: String,
    pub audit_seq: i64,
}

#[derive(Queryable)]
struct Row {
    id: i64,
    version: i64,
    person_id: i64,
    position: Option<String>,
    interest_type: String,
    associate: Option<String>,
    description: String,
    body: String,
    arose_on: String,
    ended_on: Option<String>,
    declared_on: String,
    mitigation: String,
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
            d::id,
            d::version,
            d::person_id,
            d::position,
            d::interest_type,
            d::associate,
            d::description,
            d::body,
            d::arose_on,
            d::ended_on,
            d::declared_on,
            d::mitigation,
            d::state,
            d::withheld_reason,
            d::recorded_at,
            d::recorded_by,
            d::audit_seq,
            d::review,
            d::review_comment,
        )
    };
}

fn from_row(r: Row) -> Result<Version, StoreError> {
    let corrupt =
        |what: &str| StoreError::Corrupt(format!("declaration {} has a bad {what}", r.id));
    let fields = DeclarationFields {
        position: r.position,
        interest_type: InterestType::parse(&r.interest_type)
            .ok_or_else(|| corrupt("interest type"))?,
        associate: r.associate,
        description: r.description,
        body: r.body,
        arose_on: parse_date(&r.arose_on)?,
        ended_on: parse_opt_date(r.ended_on.as_deref())?,
        declared_on: parse_date(&r.declared_on)?,
        mitigation: r.mitigation,
    };
    let standing = Standing {
        state: EntryState::parse(&r.state).ok_or_else(|| corrupt("state"))?,
        withheld_reason: r.withheld_reason,
        review: Review::parse(&r.review, r.review_comment).ok_or_else(|| corrupt("review"))?,
    };
    Ok(Version {
        declaration: Declaration {
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

/// The version of every declaration that the public register shows: its latest accepted
/// one (an entry never accepted has none), oldest entry first.
pub fn published(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Version>, StoreError> {
    let rows: Vec<Row> = d::table
        .filter(d::organisation_id.eq(org_id))
        .filter(d::is_published.eq(1))
        .order(d::id)
        .select(columns!())
        .load(c)?;
    rows.into_iter().map(from_row).collect()
}

/// The published version of one declaration, if it has been accepted.
pub fn published_one(
    c: &mut AnyConnection,
    org_id: i64,
    id: i64,
) -> Result<Option<Version>, StoreError> {
    let row: Option<Row> = d::table
        .filter(d::organisation_id.eq(org_id))
        .filter(d::id.eq(id))
        .filter(d::is_published.eq(1))
        .select(columns!())
        .first(c)
        .optional()?;
    row.map(from_row).transpose()
}

/// The current version of every declaration in an organisation, oldest first.
pub fn current(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Version>, StoreError> {
    let rows: Vec<Row> = d::table
        .filter(d::organisation_id.eq(org_id))
        .filter(d::is_current.eq(1))
        .order(d::id)
        .select(columns!())
        .load(c)?;
    rows.into_iter().map(from_row).collect()
}

/// The current version of one declaration.
pub fn get(c: &mut AnyConnection, org_id: i64, id: i64) -> Result<Version, StoreError> {
    let row: Option<Row> = d::table
        .filter(d::organisation_id.eq(org_id))
        .filter(d::id.eq(id))
        .filter(d::is_current.eq(1))
        .select(columns!())
        .first(c)
        .optional()?;
    row.map(from_row)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("declaration {id}")))
}

/// Every version of one declaration, oldest first.
pub fn versions(c: &mut AnyConnection, org_id: i64, id: i64) -> Result<Vec<Version>, StoreError> {
    let rows: Vec<Row> = d::table
        .filter(d::organisation_id.eq(org_id))
        .filter(d::id.eq(id))
        .order(d::version)
        .select(columns!())
        .load(c)?;
    if rows.is_empty() {
        return Err(StoreError::NotFound(format!("declaration {id}")));
    }
    rows.into_iter().map(from_row).collect()
}

/// Current, not withdrawn, not ended declarations of one person.
pub fn count_current_for(
    c: &mut AnyConnection,
    org_id: i64,
    person_id: i64,
    today: chrono::NaiveDate,
) -> Result<usize, StoreError> {
    let rows: Vec<(Option<String>, String)> = d::table
        .filter(d::organisation_id.eq(org_id))
        .filter(d::person_id.eq(person_id))
        .filter(d::is_current.eq(1))
        .select((d::ended_on, d::state))
        .load(c)?;
    let today = today.to_string();
    Ok(rows
        .iter()
        .filter(|(ended, state)| state == "active" && ended.as_ref().is_none_or(|e| *e > today))
        .count())
}

fn insert(
    c: &mut AnyConnection,
    org_id: i64,
    decl: &Declaration,
    ctx: &super::WriteCtx,
) -> Result<(), StoreError> {
    let f = &decl.fields;
    // The public register shows an entry's latest accepted version.
    let accepted = decl.standing.review == Review::Accepted;
    if accepted {
        diesel::update(
            d::table
                .filter(d::organisation_id.eq(org_id))
                .filter(d::id.eq(decl.id)),
        )
        .set(d::is_published.eq(0))
        .execute(c)?;
    }
    diesel::insert_into(d::table)
        .values((
            d::organisation_id.eq(org_id),
            d::id.eq(decl.id),
            d::version.eq(decl.version),
            d::is_current.eq(1),
            d::person_id.eq(decl.person_id),
            d::position.eq(&f.position),
            d::interest_type.eq(f.interest_type.code()),
            d::associate.eq(&f.associate),
            d::description.eq(&f.description),
            d::body.eq(&f.body),
            d::arose_on.eq(f.arose_on.to_string()),
            d::ended_on.eq(f.ended_on.map(|e| e.to_string())),
            d::declared_on.eq(f.declared_on.to_string()),
            d::mitigation.eq(&f.mitigation),
            d::state.eq(decl.standing.state.code()),
            d::withheld_reason.eq(&decl.standing.withheld_reason),
            d::recorded_at.eq(&ctx.at),
            d::recorded_by.eq(&ctx.actor),
            d::audit_seq.eq(ctx.seq),
            d::review.eq(decl.standing.review.code()),
            d::review_comment.eq(decl.standing.review.comment()),
            d::is_published.eq(i32::from(accepted)),
        ))
        .execute(c)?;
    Ok(())
}

/// Record a new declaration for a person (given by slug).
pub fn create(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    person_slug: &str,
    fields: DeclarationFields,
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
        let mut fields = fields;
        fields
            .position
            .get_or_insert_with(|| person.fields.position.clone());
        let decl = Declaration {
            id: next_id!(c, declarations, org_id),
            version: 1,
            person_id: person.id,
            fields,
            standing: Standing {
                state: EntryState::Active,
                withheld_reason,
                review,
            },
        };
        insert(c, org_id, &decl, ctx)?;
        Ok(Change {
            action: "create",
            entity: "declaration",
            entity_id: decl.id.to_string(),
            payload: decl.payload(&person.slug),
            touched: Touched::Interests(person.id),
            value: Version {
                declaration: decl,
                recorded_at: ctx.at.clone(),
                recorded_by: ctx.actor.clone(),
                audit_seq: ctx.seq,
            },
        })
    })
}

/// Apply a lifecycle step to declaration `id`, whose current version must be `version`.
/// `step` builds the step from the current version (an amendment overlays its changes).
/// The new version is left in `review` (by who made the change), unless the step is
/// itself a review.
pub fn change(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    id: i64,
    version: i64,
    review: Review,
    step: impl FnOnce(&Declaration, chrono::NaiveDate) -> Result<Step, StoreError>,
) -> Result<Committed<Version>, StoreError> {
    write(c, org_id, actor, |c, ctx| {
        let current = get(c, org_id, id)?.declaration;
        if current.version != version {
            return Err(StoreError::Conflict(format!(
                "declaration {id} is at version {}, not {version}; reload it and try again",
                current.version
            )));
        }
        let step = step(&current, ctx.today)?;
        let action = step.action();
        let is_review = matches!(&step, Step::Standing(s) if s.is_review());
        let mut next = step.apply(&current)?;
        if !is_review {
            next.standing.review = review;
        }
        diesel::update(d::table.find((org_id, id, version)))
            .set(d::is_current.eq(0))
            .execute(c)?;
        insert(c, org_id, &next, ctx)?;
        let person = super::people::by_id(c, org_id, next.person_id)?;
        Ok(Change {
            action,
            entity: "declaration",
            entity_id: id.to_string(),
            payload: next.payload(&person.slug),
            touched: Touched::Interests(person.id),
            value: Version {
                declaration: next,
                recorded_at: ctx.at.clone(),
                recorded_by: ctx.actor.clone(),
                audit_seq: ctx.seq,
            },
        })
    })
}
