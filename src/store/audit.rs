//! Reading an organisation's chain back: ranges for the API and the export, and
//! verification of the live chain against the head the organisation row records.

use super::schema::audit_entries as a;
use super::{AnyConnection, StoreError};
use crate::audit::verify::{verify_entries, ExpectedHead};
use crate::audit::{ChainEntry, ChainSummary, EntryHeader, Failure};
use diesel::prelude::*;

/// The columns a [`Row`] is read from, in its order.
macro_rules! columns {
    () => {
        (
            a::seq,
            a::org,
            a::at,
            a::actor,
            a::action,
            a::entity,
            a::entity_id,
            a::payload,
            a::payload_sha256,
            a::prev,
            a::entry_sha256,
        )
    };
}

type Row = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

fn from_row(r: Row) -> Result<ChainEntry, String> {
    let payload =
        serde_json::from_str(&r.7).map_err(|e| format!("stored payload is not JSON: {e}"))?;
    Ok(ChainEntry {
        header: EntryHeader {
            v: 1,
            seq: r.0,
            org: r.1,
            at: r.2,
            actor: r.3,
            action: r.4,
            entity: r.5,
            entity_id: r.6,
            payload_sha256: r.8,
            prev: r.9,
        },
        entry_sha256: r.10,
        payload: Some(payload),
    })
}

/// Stored rows as entries; a row that cannot be read makes the whole read corrupt.
fn entries(rows: Vec<Row>) -> Result<Vec<ChainEntry>, StoreError> {
    rows.into_iter()
        .map(|r| from_row(r).map_err(StoreError::Corrupt))
        .collect()
}

/// Entries `start ..= end` (by seq) of an organisation's chain, at most `limit` of them.
pub fn range(
    c: &mut AnyConnection,
    org_id: i64,
    start: i64,
    end: i64,
    limit: i64,
) -> Result<Vec<ChainEntry>, StoreError> {
    let rows: Vec<Row> = a::table
        .filter(a::organisation_id.eq(org_id))
        .filter(a::seq.ge(start))
        .filter(a::seq.le(end))
        .order(a::seq)
        .limit(limit)
        .select(columns!())
        .load(c)?;
    entries(rows)
}

/// The latest `limit` entries about records of kind `entity` (only those with the given
/// `ids`, if any), newest first: what a feed of one register or one committee carries,
/// which the latest entries of the whole chain may not reach.
pub fn latest_about(
    c: &mut AnyConnection,
    org_id: i64,
    entity: &str,
    ids: Option<&[String]>,
    limit: i64,
) -> Result<Vec<ChainEntry>, StoreError> {
    let columns = columns!();
    let query = a::table
        .filter(a::organisation_id.eq(org_id))
        .filter(a::entity.eq(entity))
        .order(a::seq.desc())
        .limit(limit);
    let rows: Vec<Row> = match ids {
        None => query.select(columns).load(c)?,
        Some([]) => vec![],
        Some(ids) => query
            .filter(a::entity_id.eq_any(ids))
            .select(columns)
            .load(c)?,
    };
    entries(rows)
}

/// Call `f` on every entry in order, reading in pages so memory stays bounded.
/// A stored row that cannot be read is passed on as an error for that position.
pub fn for_each(
    c: &mut AnyConnection,
    org_id: i64,
    mut f: impl FnMut(Result<ChainEntry, String>),
) -> Result<(), StoreError> {
    const PAGE: i64 = 5000;
    let mut after = 0i64;
    loop {
        let rows: Vec<Row> = a::table
            .filter(a::organisation_id.eq(org_id))
            .filter(a::seq.gt(after))
            .order(a::seq)
            .limit(PAGE)
            .select(columns!())
            .load(c)?;
        let n = rows.len() as i64;
        for r in rows {
            after = r.0;
            f(from_row(r));
        }
        if n < PAGE {
            return Ok(());
        }
    }
}

/// Verify an organisation's live chain: every entry, and that it ends at the recorded head.
pub fn verify(
    c: &mut AnyConnection,
    org_slug: &str,
) -> Result<Result<ChainSummary, Failure>, StoreError> {
    let org = super::orgs::by_slug(c, org_slug)?;
    let mut entries = Vec::new();
    for_each(c, org.id, |e| entries.push(e))?;
    let expected = ExpectedHead {
        org: org.slug,
        seq: org.chain_seq,
        head: org.chain_head,
    };
    Ok(verify_entries(entries, Some(&expected)))
}

/// Entries `after + 1 ..= upto` about records of the given kinds, in order: the changes
/// to some registers between two positions of the chain.
pub fn about_kinds_between(
    c: &mut AnyConnection,
    org_id: i64,
    kinds: &[&str],
    after: i64,
    upto: i64,
) -> Result<Vec<ChainEntry>, StoreError> {
    let rows: Vec<Row> = a::table
        .filter(a::organisation_id.eq(org_id))
        .filter(a::entity.eq_any(kinds))
        .filter(a::seq.gt(after))
        .filter(a::seq.le(upto))
        .order(a::seq)
        .select(columns!())
        .load(c)?;
    entries(rows)
}

/// Every entry about the records of kind `entity` with the given `ids`, in order (each
/// record's whole history).
pub fn history_of(
    c: &mut AnyConnection,
    org_id: i64,
    entity: &str,
    ids: &[String],
) -> Result<Vec<ChainEntry>, StoreError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let rows: Vec<Row> = a::table
        .filter(a::organisation_id.eq(org_id))
        .filter(a::entity.eq(entity))
        .filter(a::entity_id.eq_any(ids))
        .order(a::seq)
        .select(columns!())
        .load(c)?;
    entries(rows)
}

/// The `seq` and time of every entry about records of the given kinds, in order, without
/// their payloads: enough to find which months have changes.
pub fn times_of_kinds(
    c: &mut AnyConnection,
    org_id: i64,
    kinds: &[&str],
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(a::table
        .filter(a::organisation_id.eq(org_id))
        .filter(a::entity.eq_any(kinds))
        .order(a::seq)
        .select((a::seq, a::at))
        .load(c)?)
}
