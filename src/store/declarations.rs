//! Declarations of interest as stored: their own columns, their audit payload and their
//! lifecycle steps (amend, end, a change of standing). Versions, reads and writes are
//! the versioned registers' ([`super::entries::Register`]).

use super::entries::{self, NewVersion, Recorded, Register, Retiring};
use super::schema::declarations as d;
use super::write::{next_id, Touched};
use super::{parse_date, parse_opt_date, AnyConnection, StoreError};
use crate::domain::entries::Entry;
use crate::domain::interests::{DeclarationFields, InterestType, Step};
use crate::domain::people::Person;
use diesel::prelude::*;
use serde_json::Value;

/// The register of interests.
pub struct Declarations;

/// One stored version of a declaration.
pub type Version = entries::Version<DeclarationFields>;

/// A declaration's own columns.
#[derive(Queryable, Selectable)]
#[diesel(table_name = d)]
pub struct Row {
    position: Option<String>,
    interest_type: String,
    associate: Option<String>,
    description: String,
    body: String,
    arose_on: String,
    ended_on: Option<String>,
    declared_on: String,
    mitigation: String,
}

impl Register for Declarations {
    type Fields = DeclarationFields;
    type Step = Step;
    type Row = Row;
    const ENTITY: &'static str = "declaration";

    fn touched(person_id: i64) -> Touched {
        Touched::Interests(person_id)
    }

    fn payload(entry: &Entry<DeclarationFields>, person_slug: &str) -> Value {
        entry.payload(person_slug)
    }

    /// A declaration without a position records the person's at the time.
    fn for_person(mut fields: DeclarationFields, person: &Person) -> DeclarationFields {
        fields
            .position
            .get_or_insert_with(|| person.fields.position.clone());
        fields
    }

    fn rows(
        c: &mut AnyConnection,
        org_id: i64,
        pick: entries::Pick,
    ) -> QueryResult<Vec<(Recorded, Row)>> {
        let query = d::table.select((entries::recorded(), Row::as_select()));
        pick.apply(org_id, query.into_boxed()).load(c)
    }

    fn fields(
        r: Row,
        corrupt: impl Fn(&str) -> StoreError,
    ) -> Result<DeclarationFields, StoreError> {
        Ok(DeclarationFields {
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
        })
    }

    fn next_id(c: &mut AnyConnection, org_id: i64) -> Result<i64, StoreError> {
        Ok(next_id!(c, declarations, org_id))
    }

    fn insert(
        c: &mut AnyConnection,
        new: NewVersion<'_>,
        f: &DeclarationFields,
    ) -> QueryResult<usize> {
        let own = (
            d::position.eq(&f.position),
            d::interest_type.eq(f.interest_type.code()),
            d::associate.eq(&f.associate),
            d::description.eq(&f.description),
            d::body.eq(&f.body),
            d::arose_on.eq(f.arose_on.to_string()),
            d::ended_on.eq(f.ended_on.map(|e| e.to_string())),
            d::declared_on.eq(f.declared_on.to_string()),
            d::mitigation.eq(&f.mitigation),
        );
        diesel::insert_into(d::table).values((new, own)).execute(c)
    }

    fn retire(c: &mut AnyConnection, which: Retiring, unpublish: bool) -> QueryResult<usize> {
        diesel::update(d::table.filter(which))
            .set((
                d::is_current.eq(0),
                unpublish.then_some(d::is_published.eq(0)),
            ))
            .execute(c)
    }
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
