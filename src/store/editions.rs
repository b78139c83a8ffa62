//! Editions: frozen copies of an organisation's public registers as at a past day, each
//! bound to the chain's first `tree_size` entries. An edition and its files are written
//! once, with an audit entry, and read back unchanged into every generation of the site.

use super::schema::{audit_entries as a, edition_files as f, editions as e};
use super::write::{write, Change, Committed, Touched};
use super::{merkle, AnyConnection, StoreError};
use crate::domain::editions::EditionRequest;
use crate::domain::FieldErrors;
use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::json;
use sha2::{Digest, Sha256};

/// A stored edition.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Edition {
    pub as_at: String,
    pub kind: String,
    /// The chain entries it is derived from: 1 ..= tree_size.
    pub tree_size: i64,
    /// The Merkle root (hex) of those entries.
    pub root: String,
    /// The audit entry that recorded its publication.
    pub audit_seq: i64,
    pub created_at: String,
}

/// One file of an edition, as published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative to the edition's directory, such as `data/interests.csv`.
    pub path: String,
    pub content: String,
}

impl File {
    pub fn sha256(&self) -> String {
        hex::encode(Sha256::digest(self.content.as_bytes()))
    }
}

/// The last entry of the chain made on or before the end of `day` (UTC), 0 if none.
pub fn last_seq_on_or_before(
    c: &mut AnyConnection,
    org_id: i64,
    day: NaiveDate,
) -> Result<i64, StoreError> {
    let Some(next) = day.succ_opt() else {
        return Err(StoreError::Invalid(FieldErrors::one(
            "as_at",
            "is past the last day there is",
        )));
    };
    // RFC 3339 UTC times sort as text: every time of `day` sorts before the next day.
    let seq: Option<i64> = a::table
        .filter(a::organisation_id.eq(org_id))
        .filter(a::at.lt(next.format("%Y-%m-%d").to_string()))
        .select(diesel::dsl::max(a::seq))
        .first(c)?;
    Ok(seq.unwrap_or(0))
}

/// Publish an edition with its `files` (each frozen as given): refused with the field's
/// problem if there is one for that date already or the chain had no entries by then.
pub fn create(
    c: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    request: EditionRequest,
    files: Vec<File>,
) -> Result<Committed<Edition>, StoreError> {
    let as_at = request.as_at.format("%Y-%m-%d").to_string();
    write(c, org_id, actor, |c, ctx| {
        if find(c, org_id, &as_at)?.is_some() {
            return Err(StoreError::Invalid(FieldErrors::one(
                "as_at",
                format!("there is an edition as at {as_at} already: an edition never changes"),
            )));
        }
        let tree_size = last_seq_on_or_before(c, org_id, request.as_at)?;
        if tree_size == 0 {
            return Err(StoreError::Invalid(FieldErrors::one(
                "as_at",
                format!("the chain has no entries on or before {as_at}"),
            )));
        }
        let root = merkle::root(c, org_id, tree_size as u64)
            .map_err(|e| StoreError::Corrupt(format!("Merkle tree: {e}")))?;
        let edition = Edition {
            as_at: as_at.clone(),
            kind: request.kind.as_str().to_owned(),
            tree_size,
            root: hex::encode(root),
            audit_seq: ctx.seq,
            created_at: ctx.at.clone(),
        };
        diesel::insert_into(e::table)
            .values((
                e::organisation_id.eq(org_id),
                e::as_at.eq(&edition.as_at),
                e::kind.eq(&edition.kind),
                e::tree_size.eq(edition.tree_size),
                e::root.eq(&edition.root),
                e::audit_seq.eq(edition.audit_seq),
                e::created_at.eq(&edition.created_at),
            ))
            .execute(c)?;
        let mut hashes = serde_json::Map::new();
        for file in &files {
            diesel::insert_into(f::table)
                .values((
                    f::organisation_id.eq(org_id),
                    f::as_at.eq(&as_at),
                    f::path.eq(&file.path),
                    f::content.eq(&file.content),
                ))
                .execute(c)?;
            hashes.insert(file.path.clone(), json!(file.sha256()));
        }
        Ok(Change {
            action: "create",
            entity: "edition",
            entity_id: as_at.clone(),
            payload: json!({
                "as_at": edition.as_at, "kind": edition.kind,
                "tree_size": edition.tree_size, "root": edition.root, "files": hashes,
            }),
            touched: Touched::Editions,
            value: edition,
        })
    })
}

type Row = (String, String, i64, String, i64, String);

/// The columns of a [`Row`].
type Columns = (
    e::as_at,
    e::kind,
    e::tree_size,
    e::root,
    e::audit_seq,
    e::created_at,
);
const COLUMNS: Columns = (
    e::as_at,
    e::kind,
    e::tree_size,
    e::root,
    e::audit_seq,
    e::created_at,
);

fn from_row((as_at, kind, tree_size, root, audit_seq, created_at): Row) -> Edition {
    Edition {
        as_at,
        kind,
        tree_size,
        root,
        audit_seq,
        created_at,
    }
}

/// The edition as at `as_at` (`YYYY-MM-DD`), if there is one.
pub fn find(
    c: &mut AnyConnection,
    org_id: i64,
    as_at: &str,
) -> Result<Option<Edition>, StoreError> {
    let row: Option<Row> = e::table
        .filter(e::organisation_id.eq(org_id))
        .filter(e::as_at.eq(as_at))
        .select(COLUMNS)
        .first(c)
        .optional()?;
    Ok(row.map(from_row))
}

/// Every edition of an organisation, the latest date first.
pub fn all(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Edition>, StoreError> {
    let rows: Vec<Row> = e::table
        .filter(e::organisation_id.eq(org_id))
        .order(e::as_at.desc())
        .select(COLUMNS)
        .load(c)?;
    Ok(rows.into_iter().map(from_row).collect())
}

/// An edition's files, by path.
pub fn files(c: &mut AnyConnection, org_id: i64, as_at: &str) -> Result<Vec<File>, StoreError> {
    let rows: Vec<(String, String)> = f::table
        .filter(f::organisation_id.eq(org_id))
        .filter(f::as_at.eq(as_at))
        .order(f::path)
        .select((f::path, f::content))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(path, content)| File { path, content })
        .collect())
}
