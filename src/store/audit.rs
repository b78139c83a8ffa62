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
        Some(ids) => {
            // In chunks (a statement's variables are limited), each chunk's latest
            // `limit`, then the latest `limit` of them all.
            let mut rows = Vec::new();
            for chunk in ids.chunks(IDS_PER_QUERY) {
                let some: Vec<Row> = query
                    .filter(a::entity_id.eq_any(chunk))
                    .select(columns)
                    .load(c)?;
                rows.extend(some);
            }
            rows.sort_by_key(|r: &Row| std::cmp::Reverse(r.0));
            rows.truncate(usize::try_from(limit).unwrap_or(0));
            rows
        }
    };
    entries(rows)
}

/// The most ids one statement lists: SQLite allows 32,766 variables a statement,
/// PostgreSQL 65,535 parameters; the queries over a register's ids read in chunks of this.
const IDS_PER_QUERY: usize = 10_000;

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

/// Append entries built elsewhere to an organisation's chain and move its head, many
/// rows per transaction: how the verification benchmark and tests make chains of a million
/// entries in seconds. Not a write path: the entries' hashes are taken as given (the
/// verifier is what checks them), only that they continue the chain's numbering.
pub(crate) fn append_built(
    c: &mut AnyConnection,
    org_id: i64,
    built: &[ChainEntry],
) -> Result<(), StoreError> {
    use super::schema::organisations as o;
    c.transaction(|c| {
        let (seq, _head): (i64, String) = o::table
            .find(org_id)
            .select((o::chain_seq, o::chain_head))
            .first(c)?;
        let Some(last) = built.last() else {
            return Ok(());
        };
        if built.first().map(|e| e.header.seq) != Some(seq + 1) {
            return Err(StoreError::Corrupt(
                "entries do not continue the chain".into(),
            ));
        }
        for e in built {
            let h = &e.header;
            let payload = match &e.payload {
                Some(p) => crate::audit::canonical_json(p)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                None => "null".to_owned(),
            };
            diesel::insert_into(a::table)
                .values((
                    a::organisation_id.eq(org_id),
                    a::seq.eq(h.seq),
                    a::org.eq(&h.org),
                    a::at.eq(&h.at),
                    a::actor.eq(&h.actor),
                    a::action.eq(&h.action),
                    a::entity.eq(&h.entity),
                    a::entity_id.eq(&h.entity_id),
                    a::payload.eq(payload),
                    a::payload_sha256.eq(&h.payload_sha256),
                    a::prev.eq(&h.prev),
                    a::entry_sha256.eq(&e.entry_sha256),
                ))
                .execute(c)?;
        }
        diesel::update(o::table.find(org_id))
            .set((
                o::chain_seq.eq(last.header.seq),
                o::chain_head.eq(&last.entry_sha256),
            ))
            .execute(c)?;
        Ok(())
    })
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
    let mut rows: Vec<Row> = Vec::new();
    for chunk in ids.chunks(IDS_PER_QUERY) {
        let some: Vec<Row> = a::table
            .filter(a::organisation_id.eq(org_id))
            .filter(a::entity.eq(entity))
            .filter(a::entity_id.eq_any(chunk))
            .order(a::seq)
            .select(columns!())
            .load(c)?;
        rows.extend(some);
    }
    if ids.len() > IDS_PER_QUERY {
        rows.sort_by_key(|r| r.0);
    }
    entries(rows)
}

/// The `seq` and time of each entry `after + 1 ..= upto` about records of the given kinds,
/// in order, without their payloads: enough to find which months have changes.
pub fn times_of_kinds(
    c: &mut AnyConnection,
    org_id: i64,
    kinds: &[&str],
    after: i64,
    upto: i64,
) -> Result<Vec<(i64, String)>, StoreError> {
    Ok(a::table
        .filter(a::organisation_id.eq(org_id))
        .filter(a::entity.eq_any(kinds))
        .filter(a::seq.gt(after))
        .filter(a::seq.le(upto))
        .order(a::seq)
        .select((a::seq, a::at))
        .load(c)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{verify_entries, Draft, FailureKind};
    use crate::domain::org::{NewOrg, OrgSettings, OrgSlug};
    use crate::store::Store;
    use diesel::connection::SimpleConnection;
    use serde_json::json;

    /// A register's history read for more ids than one statement may list (a large
    /// ICB's tens of thousands of declarations): answered, in chunks, in order.
    #[test]
    fn histories_of_more_ids_than_a_statement_may_list_are_read() {
        crate::test_db::on_sqlite(|url| {
            let store = Store::open(url, 1).unwrap();
            let mut c = store.conn().unwrap();
            let org = NewOrg {
                slug: OrgSlug::parse("many-ccg").unwrap(),
                name: "Many CCG".into(),
            };
            let org = super::super::orgs::create(&mut c, "system", &org, OrgSettings::default())
                .unwrap()
                .org;
            let ids: Vec<String> = (0..40_000).map(|i| i.to_string()).collect();
            let organisation = org.slug.clone();
            let mut asked = ids.clone();
            asked.push(organisation.clone());
            let all = history_of(&mut c, org.id, "organisation", &asked).unwrap();
            assert_eq!(
                all.len(),
                1,
                "the organisation's own entry, found past the chunks"
            );
            let latest = latest_about(&mut c, org.id, "organisation", Some(&asked), 5).unwrap();
            assert_eq!(latest.len(), 1);
            assert!(history_of(&mut c, org.id, "declaration", &ids)
                .unwrap()
                .is_empty());
        });
    }

    /// The reference answer: every row read, then checked by parsing and re-serialising.
    fn reference(c: &mut AnyConnection, org_id: i64) -> Result<ChainSummary, Failure> {
        let org = super::super::orgs::by_slug(c, "paged-ccg").unwrap();
        let mut entries = Vec::new();
        for_each(c, org_id, |e| entries.push(e)).unwrap();
        let expected = ExpectedHead {
            org: org.slug,
            seq: org.chain_seq,
            head: org.chain_head,
        };
        verify_entries(entries, Some(&expected))
    }

    /// A chain over several pages, checked whole and after hand edits in its second and
    /// third pages: the answer is the reference path's, seq for seq.
    fn run(url: &str) {
        let store = Store::open(url, 1).unwrap();
        let mut c = store.conn().unwrap();
        let org = NewOrg {
            slug: OrgSlug::parse("paged-ccg").unwrap(),
            name: "Paged CCG".into(),
        };
        let org = super::super::orgs::create(&mut c, "system", &org, OrgSettings::default())
            .unwrap()
            .org;
        let mut prev = (org.chain_head.clone(), org.chain_seq);
        let mut built = Vec::new();
        for i in 0..12_000i64 {
            let actor = if i % 97 == 0 {
                "user:\"7\"\n"
            } else {
                "user:7"
            };
            let e = ChainEntry::next(
                Some((prev.0.as_str(), prev.1)),
                Draft {
                    org: "paged-ccg",
                    at: "2026-02-03T04:05:06Z".into(),
                    actor,
                    action: "create",
                    entity: "gift",
                    entity_id: &i.to_string(),
                },
                json!({"i": i, "note": "café\u{1}\u{2028}😀".repeat((i % 3) as usize)}),
            )
            .unwrap();
            prev = (e.entry_sha256.clone(), e.header.seq);
            built.push(e);
        }
        append_built(&mut c, org.id, &built).unwrap();
        let whole = verify(&mut c, "paged-ccg").unwrap();
        assert_eq!(whole.as_ref().unwrap().entries, 12_001);
        assert_eq!(whole, reference(&mut c, org.id));

        // A payload stored with white space still denotes the same value: it holds.
        c.batch_execute(
            "UPDATE audit_entries SET payload = '{\"i\": 9000, \"note\": \"\"}' \
             WHERE seq = 9002 AND org = 'paged-ccg'",
        )
        .unwrap();
        let spaced = verify(&mut c, "paged-ccg").unwrap();
        assert!(spaced.is_ok(), "{spaced:?}");
        assert_eq!(spaced, reference(&mut c, org.id));

        let edits = [
            (
                "UPDATE audit_entries SET actor = 'someone' WHERE seq = 11000",
                11_000,
            ),
            (
                "UPDATE audit_entries SET payload = '{\"i\":7776,\"note\":\"x\"}' WHERE seq = 7777",
                7_777,
            ),
            ("DELETE FROM audit_entries WHERE seq = 5001", 5_001),
        ];
        for (sql, seq) in edits {
            c.batch_execute(sql).unwrap();
            let failure = verify(&mut c, "paged-ccg").unwrap().unwrap_err();
            assert_eq!(failure.seq, seq, "{sql}: {failure}");
            assert_eq!(Err(failure), reference(&mut c, org.id), "{sql}");
        }
        let failure = verify(&mut c, "paged-ccg").unwrap().unwrap_err();
        assert!(matches!(failure.kind, FailureKind::Gap { .. }));
    }

    #[test]
    fn a_chain_of_many_pages_verifies_as_the_reference_path_on_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        run(dir.path().join("coi.db").to_str().unwrap());
    }

    #[test]
    #[cfg_attr(
        not(coi_test_postgres),
        ignore = "PostgreSQL: set COI_TEST_POSTGRES_URL to run"
    )]
    fn a_chain_of_many_pages_verifies_as_the_reference_path_on_postgres() {
        crate::test_db::on_postgres("coi_verify", run);
    }
}
