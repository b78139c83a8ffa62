//! Reading an organisation's chain back: ranges for the API and the export, and
//! verification of the live chain against the head the organisation row records.

use super::schema::audit_entries as a;
use super::{AnyConnection, StoreError};
use crate::audit::verify::{check_stored, ChainVerifier, ExpectedHead, StoredEntry};
use crate::audit::{ChainEntry, ChainSummary, EntryHeader, Failure};
use diesel::prelude::*;
use rayon::prelude::*;

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

/// The columns of a row as the fast check reads them.
fn stored(r: &Row) -> StoredEntry<'_> {
    StoredEntry {
        seq: r.0,
        org: &r.1,
        at: &r.2,
        actor: &r.3,
        action: &r.4,
        entity: &r.5,
        entity_id: &r.6,
        payload: &r.7,
        payload_sha256: &r.8,
        prev: &r.9,
        entry_sha256: &r.10,
    }
}

/// Verify one page of rows, in order: each row's own hashes on every core, from its
/// stored canonical text; then the links in order. A row the fast check cannot vouch for
/// is read in full and checked by [`ChainVerifier::push`], which names the failure.
fn verify_rows(verifier: &mut ChainVerifier, rows: &[Row]) -> Result<(), Failure> {
    let checked: Vec<_> = rows
        .par_iter()
        .with_min_len(64)
        .map_init(
            || Vec::with_capacity(1024),
            |buf, r| check_stored(&stored(r), buf),
        )
        .collect();
    for (row, c) in rows.iter().zip(checked) {
        match c {
            Some(c) if verifier.link(&c) => {}
            _ => verifier.push(from_row(row.clone()))?,
        }
    }
    Ok(())
}

/// Verify an organisation's live chain: every entry, and that it ends at the recorded head.
///
/// Rows are read a page at a time; the next page is read while this one is hashed.
pub fn verify(
    c: &mut AnyConnection,
    org_slug: &str,
) -> Result<Result<ChainSummary, Failure>, StoreError> {
    const PAGE: i64 = 5000;
    let org = super::orgs::by_slug(c, org_slug)?;
    let expected = ExpectedHead {
        org: org.slug,
        seq: org.chain_seq,
        head: org.chain_head,
    };
    let mut verifier = ChainVerifier::new(Some(&expected.org));
    let mut outcome: Result<(), Failure> = Ok(());
    let load = |c: &mut AnyConnection, after: i64| -> Result<Vec<Row>, StoreError> {
        Ok(a::table
            .filter(a::organisation_id.eq(org.id))
            .filter(a::seq.gt(after))
            .order(a::seq)
            .limit(PAGE)
            .select(columns!())
            .load(c)?)
    };
    let mut page = load(c, 0)?;
    loop {
        let full = page.len() as i64 == PAGE;
        let after = page.last().map(|r| r.0);
        // Every page is read even after a failure: a store that cannot be read is an
        // error of its own, as when the whole chain was read before checking it.
        let (checked, next) = rayon::join(
            || match &outcome {
                Ok(()) => verify_rows(&mut verifier, &page),
                Err(f) => Err(f.clone()),
            },
            || match after {
                Some(after) if full => load(c, after).map(Some),
                _ => Ok(None),
            },
        );
        outcome = checked;
        match next? {
            Some(rows) => page = rows,
            None => break,
        }
    }
    Ok(outcome.and_then(|()| verifier.finish(Some(&expected))))
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
