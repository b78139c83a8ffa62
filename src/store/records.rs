//! Versioned records kept as JSON bodies: committees, memberships, meetings, agenda
//! items, procurement decisions and breaches. A record's body is what its audit entry
//! carries (plus `id` and `version`); the columns beside it are only what records are
//! looked up by: the parent (a membership's or meeting's committee, an item's meeting)
//! and a key unique among current records of a kind (a committee's slug, say).
//! Changes add a version and keep the old one, never rewrite it.

use super::schema::records as r;
use super::write::{Entry, WriteCtx};
use super::{AnyConnection, StoreError};
use crate::domain::payload::{Fields, PayloadError};
use diesel::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// A kind of record.
pub trait Kind: Serialize + DeserializeOwned + Clone {
    /// The kind's name: the `kind` column and the audit entry's `entity`.
    const KIND: &'static str;
    /// The record this one belongs to, if any.
    fn parent(&self) -> Option<i64> {
        None
    }
    /// A key unique among current records of the kind, if the kind has one.
    fn key(&self) -> Option<String> {
        None
    }
}

/// One stored version of a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored<T> {
    pub id: i64,
    pub version: i64,
    pub record: T,
    pub recorded_at: String,
    pub recorded_by: String,
    pub audit_seq: i64,
}

impl<T: Kind> Stored<T> {
    /// The record as its audit entry carries it: its fields, `id` and `version`.
    pub fn payload(&self) -> Value {
        let mut v = serde_json::to_value(&self.record).expect("records serialise");
        if let Value::Object(m) = &mut v {
            m.insert("id".into(), json!(self.id));
            m.insert("version".into(), json!(self.version));
        }
        v
    }

    /// The version an audit entry records: the inverse of [`Stored::payload`], with
    /// when, by whom and in which entry from the entry's header. Pure: no database.
    pub fn from_entry(
        header: &crate::audit::EntryHeader,
        payload: &Value,
    ) -> Result<Stored<T>, PayloadError> {
        let f = Fields(payload);
        let (id, version) = (f.int("id")?, f.int("version")?);
        let mut body = payload.clone();
        if let Value::Object(m) = &mut body {
            m.remove("id");
            m.remove("version");
        }
        let record = serde_json::from_value(body)
            .map_err(|_| PayloadError::new(T::KIND, "does not read back as its record"))?;
        Ok(Stored {
            id,
            version,
            record,
            recorded_at: header.at.clone(),
            recorded_by: header.actor.clone(),
            audit_seq: header.seq,
        })
    }

    /// The audit entry recording this version.
    pub fn entry(&self, action: &'static str) -> Entry {
        Entry {
            action,
            entity: T::KIND,
            entity_id: self.id.to_string(),
            payload: self.payload(),
        }
    }
}

type Row = (i64, i64, String, String, String, i64);

fn from_row<T: Kind>(
    (id, version, body, recorded_at, recorded_by, audit_seq): Row,
) -> Result<Stored<T>, StoreError> {
    let record = serde_json::from_str(&body)
        .map_err(|e| StoreError::Corrupt(format!("{} {id} has a bad body: {e}", T::KIND)))?;
    Ok(Stored {
        id,
        version,
        record,
        recorded_at,
        recorded_by,
        audit_seq,
    })
}

macro_rules! columns {
    () => {
        (
            r::id,
            r::version,
            r::body,
            r::recorded_at,
            r::recorded_by,
            r::audit_seq,
        )
    };
}

fn load<T: Kind>(rows: Vec<Row>) -> Result<Vec<Stored<T>>, StoreError> {
    rows.into_iter().map(from_row).collect()
}

/// The current version of every record of a kind, by id.
pub fn current<T: Kind>(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Stored<T>>, StoreError> {
    load(
        r::table
            .filter(r::organisation_id.eq(org_id))
            .filter(r::kind.eq(T::KIND))
            .filter(r::is_current.eq(1))
            .order(r::id)
            .select(columns!())
            .load(c)?,
    )
}

/// The current records of a kind that belong to `parent`, by id.
pub fn children<T: Kind>(
    c: &mut AnyConnection,
    org_id: i64,
    parent: i64,
) -> Result<Vec<Stored<T>>, StoreError> {
    load(
        r::table
            .filter(r::organisation_id.eq(org_id))
            .filter(r::kind.eq(T::KIND))
            .filter(r::is_current.eq(1))
            .filter(r::parent_id.eq(parent))
            .order(r::id)
            .select(columns!())
            .load(c)?,
    )
}

/// The current version of record `id`.
pub fn get<T: Kind>(c: &mut AnyConnection, org_id: i64, id: i64) -> Result<Stored<T>, StoreError> {
    let row: Option<Row> = r::table
        .filter(r::organisation_id.eq(org_id))
        .filter(r::kind.eq(T::KIND))
        .filter(r::id.eq(id))
        .filter(r::is_current.eq(1))
        .select(columns!())
        .first(c)
        .optional()?;
    row.map(from_row)
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("{} {id}", T::KIND)))
}

/// The current record with `key`, if there is one.
pub fn by_key<T: Kind>(
    c: &mut AnyConnection,
    org_id: i64,
    key: &str,
) -> Result<Option<Stored<T>>, StoreError> {
    let row: Option<Row> = r::table
        .filter(r::organisation_id.eq(org_id))
        .filter(r::kind.eq(T::KIND))
        .filter(r::record_key.eq(key))
        .filter(r::is_current.eq(1))
        .select(columns!())
        .first(c)
        .optional()?;
    row.map(from_row).transpose()
}

/// Every version of record `id`, oldest first.
pub fn history<T: Kind>(
    c: &mut AnyConnection,
    org_id: i64,
    id: i64,
) -> Result<Vec<Stored<T>>, StoreError> {
    load(
        r::table
            .filter(r::organisation_id.eq(org_id))
            .filter(r::kind.eq(T::KIND))
            .filter(r::id.eq(id))
            .order(r::version)
            .select(columns!())
            .load(c)?,
    )
}

/// The next free id of a kind (safe: writes to one organisation are serialised).
pub fn next_id<T: Kind>(c: &mut AnyConnection, org_id: i64) -> Result<i64, StoreError> {
    let max: Option<i64> = r::table
        .filter(r::organisation_id.eq(org_id))
        .filter(r::kind.eq(T::KIND))
        .select(diesel::dsl::max(r::id))
        .first(c)?;
    Ok(max.unwrap_or(0) + 1)
}

/// Store a new version of record `id` (the first if `version` is 1), making it the
/// current one; `audit_seq` is the seq of the entry that records it.
fn put<T: Kind>(
    c: &mut AnyConnection,
    org_id: i64,
    id: i64,
    version: i64,
    record: T,
    ctx: &WriteCtx,
    audit_seq: i64,
) -> Result<Stored<T>, StoreError> {
    if version > 1 {
        diesel::update(r::table.find((org_id, T::KIND, id, version - 1)))
            .set(r::is_current.eq(0))
            .execute(c)?;
    }
    let body = serde_json::to_string(&record).expect("records serialise");
    diesel::insert_into(r::table)
        .values((
            r::organisation_id.eq(org_id),
            r::kind.eq(T::KIND),
            r::id.eq(id),
            r::version.eq(version),
            r::is_current.eq(1),
            r::parent_id.eq(record.parent()),
            r::record_key.eq(record.key()),
            r::body.eq(body),
            r::recorded_at.eq(&ctx.at),
            r::recorded_by.eq(&ctx.actor),
            r::audit_seq.eq(audit_seq),
        ))
        .execute(c)?;
    Ok(Stored {
        id,
        version,
        record,
        recorded_at: ctx.at.clone(),
        recorded_by: ctx.actor.clone(),
        audit_seq,
    })
}

/// Store a new record, recorded by the entry with `audit_seq`.
pub fn create<T: Kind>(
    c: &mut AnyConnection,
    org_id: i64,
    record: T,
    ctx: &WriteCtx,
    audit_seq: i64,
) -> Result<Stored<T>, StoreError> {
    let id = next_id::<T>(c, org_id)?;
    put(c, org_id, id, 1, record, ctx, audit_seq)
}

/// Store `record` as the next version of `current`.
pub fn replace<T: Kind>(
    c: &mut AnyConnection,
    org_id: i64,
    current: &Stored<T>,
    record: T,
    ctx: &WriteCtx,
    audit_seq: i64,
) -> Result<Stored<T>, StoreError> {
    put(
        c,
        org_id,
        current.id,
        current.version + 1,
        record,
        ctx,
        audit_seq,
    )
}

/// Load record `id` for a change, refusing a stale `version` (409).
pub fn for_change<T: Kind>(
    c: &mut AnyConnection,
    org_id: i64,
    id: i64,
    version: i64,
) -> Result<Stored<T>, StoreError> {
    let current = get::<T>(c, org_id, id)?;
    if current.version != version {
        return Err(StoreError::Conflict(format!(
            "{} {id} is at version {}, not {version}; reload it and try again",
            T::KIND,
            current.version
        )));
    }
    Ok(current)
}
