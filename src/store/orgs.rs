//! Organisations: creation (the first entry of their chain), look-up, settings.

use super::schema::organisations;
use super::write::{write, Change, Committed, Touched};
use super::{AnyConnection, StoreError};
use crate::audit::GENESIS_PREV;
use crate::domain::org::{NewOrg, OrgSettings};
use diesel::prelude::*;
use serde_json::json;

/// An organisation with its chain head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub settings: OrgSettings,
    pub chain_seq: i64,
    pub chain_head: String,
    pub created_at: String,
}

type Row = (i64, String, String, String, i64, String, String);

fn from_row(r: Row) -> Result<Org, StoreError> {
    let settings = serde_json::from_str(&r.3)
        .map_err(|e| StoreError::Corrupt(format!("settings of {}: {e}", r.1)))?;
    Ok(Org {
        id: r.0,
        slug: r.1,
        name: r.2,
        settings,
        chain_seq: r.4,
        chain_head: r.5,
        created_at: r.6,
    })
}

const COLUMNS: (
    organisations::id,
    organisations::slug,
    organisations::name,
    organisations::settings,
    organisations::chain_seq,
    organisations::chain_head,
    organisations::created_at,
) = (
    organisations::id,
    organisations::slug,
    organisations::name,
    organisations::settings,
    organisations::chain_seq,
    organisations::chain_head,
    organisations::created_at,
);

pub fn by_id(c: &mut AnyConnection, id: i64) -> Result<Org, StoreError> {
    let row: Row = organisations::table
        .find(id)
        .select(COLUMNS)
        .first(c)
        .optional()?
        .ok_or_else(|| StoreError::NotFound("organisation".into()))?;
    from_row(row)
}

pub fn by_slug(c: &mut AnyConnection, slug: &str) -> Result<Org, StoreError> {
    let row: Row = organisations::table
        .filter(organisations::slug.eq(slug))
        .select(COLUMNS)
        .first(c)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("organisation {slug:?}")))?;
    from_row(row)
}

pub fn all(c: &mut AnyConnection) -> Result<Vec<Org>, StoreError> {
    let rows: Vec<Row> = organisations::table
        .order(organisations::slug)
        .select(COLUMNS)
        .load(c)?;
    rows.into_iter().map(from_row).collect()
}

fn payload(org: &NewOrg, settings: &OrgSettings) -> serde_json::Value {
    json!({"slug": org.slug.as_str(), "name": org.name, "settings": settings})
}

/// Create an organisation; its chain starts with the creation entry.
pub fn create(
    c: &mut AnyConnection,
    actor: &str,
    org: &NewOrg,
    settings: OrgSettings,
) -> Result<Committed<()>, StoreError> {
    settings.validate()?;
    let committed = c.transaction(|c| {
        let settings_text = serde_json::to_string(&settings).expect("settings serialise");
        diesel::insert_into(organisations::table)
            .values((
                organisations::slug.eq(org.slug.as_str()),
                organisations::name.eq(&org.name),
                organisations::settings.eq(settings_text),
                organisations::chain_seq.eq(0),
                organisations::chain_head.eq(GENESIS_PREV),
                organisations::created_at.eq(super::now_rfc3339()),
            ))
            .execute(c)
            .map_err(|e| match e {
                diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::UniqueViolation,
                    _,
                ) => StoreError::Conflict(format!(
                    "organisation {} already exists",
                    org.slug.as_str()
                )),
                e => e.into(),
            })?;
        let id = by_slug(c, org.slug.as_str())?.id;
        write(c, id, actor, |_, _| {
            Ok(Change {
                action: "create",
                entity: "organisation",
                entity_id: org.slug.as_str().to_owned(),
                payload: payload(org, &settings),
                touched: Touched::Org,
                value: (),
            })
        })
    })?;
    // The inner write was a savepoint: the organisation is durable only once synced.
    super::durable::sync(c)?;
    Ok(committed)
}
