//! Signed checkpoints (tree heads), every one kept.

use super::schema::checkpoints as k;
use super::{AnyConnection, StoreError};
use diesel::prelude::*;

/// A stored checkpoint: the tree size, its root (hex) and the signed note.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Stored {
    pub size: i64,
    pub root: String,
    pub note: String,
    pub created_at: String,
}

type Row = (i64, String, String, String);

fn stored((size, root, note, created_at): Row) -> Stored {
    Stored {
        size,
        root,
        note,
        created_at,
    }
}

pub fn latest(c: &mut AnyConnection, org_id: i64) -> Result<Option<Stored>, StoreError> {
    let row: Option<Row> = k::table
        .filter(k::organisation_id.eq(org_id))
        .order(k::size.desc())
        .select((k::size, k::root, k::note, k::created_at))
        .first(c)
        .optional()?;
    Ok(row.map(stored))
}

/// The checkpoint of the first `size` entries, if one was signed.
pub fn at(c: &mut AnyConnection, org_id: i64, size: i64) -> Result<Option<Stored>, StoreError> {
    let row: Option<Row> = k::table
        .filter(k::organisation_id.eq(org_id))
        .filter(k::size.eq(size))
        .select((k::size, k::root, k::note, k::created_at))
        .first(c)
        .optional()?;
    Ok(row.map(stored))
}

/// Every checkpoint of an organisation, oldest first.
pub fn all(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Stored>, StoreError> {
    let rows: Vec<Row> = k::table
        .filter(k::organisation_id.eq(org_id))
        .order(k::size)
        .select((k::size, k::root, k::note, k::created_at))
        .load(c)?;
    Ok(rows.into_iter().map(stored).collect())
}

/// Keep a new checkpoint (one per tree size; a size already signed is left as it is).
pub fn insert(
    c: &mut AnyConnection,
    org_id: i64,
    size: i64,
    root: &str,
    note: &str,
) -> Result<(), StoreError> {
    let inserted = diesel::insert_into(k::table)
        .values((
            k::organisation_id.eq(org_id),
            k::size.eq(size),
            k::root.eq(root),
            k::note.eq(note),
            k::created_at.eq(super::now_rfc3339()),
        ))
        .execute(c);
    match inserted {
        Ok(_)
        | Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(()),
        Err(e) => Err(e.into()),
    }
}
