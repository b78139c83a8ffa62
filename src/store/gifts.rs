//! The register of gifts and hospitality as stored: an offer's own columns, its audit
//! payload and its lifecycle steps. Versions, reads and writes are the versioned
//! registers' ([`super::entries::Register`]).

use super::entries::{self, NewVersion, Recorded, Register, Retiring};
use super::schema::gifts as g;
use super::write::{next_id, Touched};
use super::{parse_date, AnyConnection, StoreError};
use crate::domain::entries::{Entry, EntryStep, StandingChange};
use crate::domain::gifts::{Gift, GiftFields, GiftKind, Outcome};
use crate::domain::FieldErrors;
use diesel::prelude::*;
use serde_json::Value;

/// The register of gifts and hospitality.
pub struct Gifts;

/// One stored version of an offer.
pub type Version = entries::Version<GiftFields>;

/// What can happen to a recorded offer.
pub enum GiftStep {
    Amend(GiftFields),
    Standing(StandingChange),
}

impl EntryStep<GiftFields> for GiftStep {
    fn amend(fields: GiftFields) -> GiftStep {
        GiftStep::Amend(fields)
    }
    fn standing(change: StandingChange) -> GiftStep {
        GiftStep::Standing(change)
    }
    fn action(&self) -> &'static str {
        match self {
            GiftStep::Amend(_) => "amend",
            GiftStep::Standing(change) => change.action(),
        }
    }
    fn is_review(&self) -> bool {
        matches!(self, GiftStep::Standing(s) if s.is_review())
    }
    fn apply(self, current: &Gift) -> Result<Gift, FieldErrors> {
        match self {
            GiftStep::Amend(fields) => current.amended(fields),
            GiftStep::Standing(change) => current.with_standing(&change),
        }
    }
}

/// An offer's own columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = g)]
pub struct Row {
    giver: String,
    giver_is_supplier: i32,
    kind: String,
    description: String,
    value_pence: i64,
    offered_on: String,
    outcome: String,
    approved_by: Option<String>,
    declared_on: String,
}

impl Register for Gifts {
    type Fields = GiftFields;
    type Step = GiftStep;
    type Row = Row;
    const ENTITY: &'static str = "gift";

    fn touched(person_id: i64) -> Touched {
        Touched::Gifts(person_id)
    }

    fn payload(entry: &Entry<GiftFields>, person_slug: &str) -> Value {
        entry.payload(person_slug)
    }

    fn rows(
        c: &mut AnyConnection,
        org_id: i64,
        pick: entries::Pick,
    ) -> QueryResult<Vec<(Recorded, Row)>> {
        let query = g::table.select((entries::recorded(), Row::as_select()));
        pick.apply(org_id, query.into_boxed()).load(c)
    }

    fn fields(r: Row, corrupt: impl Fn(&str) -> StoreError) -> Result<GiftFields, StoreError> {
        Ok(GiftFields {
            giver: r.giver,
            giver_is_supplier: r.giver_is_supplier != 0,
            kind: GiftKind::parse(&r.kind).ok_or_else(|| corrupt("kind"))?,
            description: r.description,
            value_pence: r.value_pence,
            offered_on: parse_date(&r.offered_on)?,
            outcome: Outcome::parse(&r.outcome).ok_or_else(|| corrupt("outcome"))?,
            approved_by: r.approved_by,
            declared_on: parse_date(&r.declared_on)?,
        })
    }

    fn next_id(c: &mut AnyConnection, org_id: i64) -> Result<i64, StoreError> {
        Ok(next_id!(c, gifts, org_id))
    }

    fn insert(c: &mut AnyConnection, new: NewVersion<'_>, f: &GiftFields) -> QueryResult<usize> {
        let own = (
            g::giver.eq(&f.giver),
            g::giver_is_supplier.eq(i32::from(f.giver_is_supplier)),
            g::kind.eq(f.kind.code()),
            g::description.eq(&f.description),
            g::value_pence.eq(f.value_pence),
            g::offered_on.eq(f.offered_on.to_string()),
            g::outcome.eq(f.outcome.code()),
            g::approved_by.eq(&f.approved_by),
            g::declared_on.eq(f.declared_on.to_string()),
        );
        diesel::insert_into(g::table).values((new, own)).execute(c)
    }

    fn retire(c: &mut AnyConnection, which: Retiring, unpublish: bool) -> QueryResult<usize> {
        diesel::update(g::table.filter(which))
            .set((
                g::is_current.eq(0),
                unpublish.then_some(g::is_published.eq(0)),
            ))
            .execute(c)
    }
}
