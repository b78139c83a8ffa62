//! What awaits a governance lead's review, and what was returned to declarants.

use super::entries::Register;
use super::schema::{declarations as d, gifts as g, returns as r};
use super::{declarations, gifts, AnyConnection, StoreError};
use crate::domain::entries::Review;
use crate::domain::returns::Return;
use diesel::dsl::count_star;
use diesel::prelude::*;

/// Entries whose current version awaits review, oldest first.
pub struct Pending {
    pub declarations: Vec<declarations::Version>,
    pub gifts: Vec<gifts::Version>,
    pub returns: Vec<Return>,
}

pub fn pending(c: &mut AnyConnection, org_id: i64) -> Result<Pending, StoreError> {
    Ok(Pending {
        declarations: declarations::Declarations::current(c, org_id)?
            .into_iter()
            .filter(|v| v.entry.standing.review == Review::Submitted)
            .collect(),
        gifts: gifts::Gifts::current(c, org_id)?
            .into_iter()
            .filter(|v| v.entry.standing.review == Review::Submitted)
            .collect(),
        returns: super::returns::all(c, org_id)?
            .into_iter()
            .filter(|x| x.review == Review::Submitted)
            .collect(),
    })
}

/// How many entries (declarations, gifts, returns) of the organisation await review.
pub fn awaiting(c: &mut AnyConnection, org_id: i64) -> Result<i64, StoreError> {
    count(c, org_id, Review::Submitted.code(), None)
}

/// How many of a person's entries were returned to them for changes.
pub fn returned_to(c: &mut AnyConnection, org_id: i64, person_id: i64) -> Result<i64, StoreError> {
    count(c, org_id, "returned", Some(person_id))
}

fn count(
    c: &mut AnyConnection,
    org_id: i64,
    code: &str,
    person_id: Option<i64>,
) -> Result<i64, StoreError> {
    let mut dq = d::table
        .filter(d::organisation_id.eq(org_id))
        .filter(d::is_current.eq(1))
        .filter(d::review.eq(code))
        .into_boxed();
    let mut gq = g::table
        .filter(g::organisation_id.eq(org_id))
        .filter(g::is_current.eq(1))
        .filter(g::review.eq(code))
        .into_boxed();
    let mut rq = r::table
        .filter(r::organisation_id.eq(org_id))
        .filter(r::review.eq(code))
        .into_boxed();
    if let Some(p) = person_id {
        dq = dq.filter(d::person_id.eq(p));
        gq = gq.filter(g::person_id.eq(p));
        rq = rq.filter(r::person_id.eq(p));
    }
    let n: i64 = dq.select(count_star()).first(c)?;
    let m: i64 = gq.select(count_star()).first(c)?;
    let k: i64 = rq.select(count_star()).first(c)?;
    Ok(n + m + k)
}
