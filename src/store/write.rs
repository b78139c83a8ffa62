//! The one write path: a change and its audit entry, committed together.

use super::orgs::{self, Org};
use super::schema::{audit_entries, organisations};
use super::{AnyConnection, StoreError};
use crate::audit::{ChainEntry, Draft};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::Value;

/// What a change is about to happen in: the locked organisation, the entry's
/// sequence number and time, and who makes it.
#[derive(Debug, Clone)]
pub struct WriteCtx {
    pub org: Org,
    /// The `seq` the change's audit entry will have.
    pub seq: i64,
    /// The audit timestamp (also used as the record's `recorded_at`).
    pub at: String,
    pub actor: String,
    pub today: NaiveDate,
}

/// What the publisher needs to re-render after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Touched {
    /// The organisation itself (its name, settings): every page.
    Org,
    /// A person's record: their page and every register that names them.
    Person(i64),
    /// A declaration or return of this person: the interests register and their page.
    Interests(i64),
    /// A gift of this person: the gifts register and their page.
    Gifts(i64),
    /// A committee, its membership, meetings or items: its pages and feed, and the
    /// decisions register (which shows the items that took each decision).
    Committee(i64),
    /// The register of procurement decisions.
    Decisions,
    /// The record of breaches.
    Breaches,
    /// The register of GP earnings.
    GpEarnings,
    /// The editions (frozen registers as at a date).
    Editions,
}

/// A change applied inside the transaction, described for its audit entry.
#[derive(Debug)]
pub struct Change<T> {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    /// The record after the change.
    pub payload: Value,
    pub touched: Touched,
    /// What the caller gets back.
    pub value: T,
}

/// A committed change with its audit entry.
#[derive(Debug)]
pub struct Committed<T> {
    pub value: T,
    pub entry: ChainEntry,
    /// Further entries of a [`write_all`], in order.
    pub also: Vec<ChainEntry>,
    pub org: Org,
    pub touched: Touched,
}

/// One audit entry of a change that records several things at once.
#[derive(Debug)]
pub struct Entry {
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: String,
    pub payload: Value,
}

/// A change that appends several entries, in order: the k-th (from 0) gets
/// `seq = ctx.seq + k`, which is the `audit_seq` its record must carry.
#[derive(Debug)]
pub struct Changes<T> {
    pub entries: Vec<Entry>,
    pub touched: Touched,
    pub value: T,
}

/// Apply a change to organisation `org_id` and append its audit entry, in one
/// transaction. Appends to one organisation's chain are serialised: the first
/// statement takes the organisation row's lock (SQLite: the database write lock).
/// It returns once the change is durable (see [`super::durable`]); called inside an
/// outer transaction (a [`super::durable::Batch`]) it is a savepoint, and the outer
/// commit makes it durable.
pub fn write<T>(
    conn: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    apply: impl FnOnce(&mut AnyConnection, &WriteCtx) -> Result<Change<T>, StoreError>,
) -> Result<Committed<T>, StoreError> {
    write_all(conn, org_id, actor, |c, ctx| {
        let change = apply(c, ctx)?;
        Ok(Changes {
            entries: vec![Entry {
                action: change.action,
                entity: change.entity,
                entity_id: change.entity_id,
                payload: change.payload,
            }],
            touched: change.touched,
            value: change.value,
        })
    })
}

/// [`write`] for a change that records several things, each with its own entry
/// (a committee and its first members, say), all in one transaction.
#[tracing::instrument(skip(conn, apply), fields(org_id, actor))]
pub fn write_all<T>(
    conn: &mut AnyConnection,
    org_id: i64,
    actor: &str,
    apply: impl FnOnce(&mut AnyConnection, &WriteCtx) -> Result<Changes<T>, StoreError>,
) -> Result<Committed<T>, StoreError> {
    let committed = conn.transaction(|c| {
        // Taking the lock must be the transaction's first statement: in SQLite's WAL
        // mode a transaction that read first could not upgrade to a writer safely.
        // Inside an outer transaction (a batch) the lock is already held, and this
        // re-takes it (PostgreSQL) or is an ordinary write (SQLite).
        let locked = diesel::update(organisations::table.find(org_id))
            .set(organisations::chain_seq.eq(organisations::chain_seq))
            .execute(c)?;
        if locked == 0 {
            return Err(StoreError::NotFound("organisation".into()));
        }
        let org = orgs::by_id(c, org_id)?;
        let ctx = WriteCtx {
            seq: org.chain_seq + 1,
            at: super::now_rfc3339(),
            actor: actor.to_owned(),
            today: crate::clock::today(),
            org,
        };
        let changes = apply(c, &ctx)?;
        if changes.entries.is_empty() {
            return Err(StoreError::Corrupt("a change must record something".into()));
        }
        let (mut head, mut seq) = (ctx.org.chain_head.clone(), ctx.org.chain_seq);
        let mut written = Vec::with_capacity(changes.entries.len());
        for change in changes.entries {
            let draft = Draft {
                org: &ctx.org.slug,
                at: ctx.at.clone(),
                actor,
                action: change.action,
                entity: change.entity,
                entity_id: &change.entity_id,
            };
            let prev = (seq > 0).then_some((head.as_str(), seq));
            let entry = ChainEntry::next(prev, draft, change.payload)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            insert_entry(c, org_id, &entry)?;
            head.clone_from(&entry.entry_sha256);
            seq = entry.header.seq;
            written.push(entry);
        }
        // The Merkle view grows with the chain, in the same transaction.
        let hashes: Vec<&str> = written.iter().map(|e| e.entry_sha256.as_str()).collect();
        super::merkle::extend(c, org_id, ctx.org.chain_seq, &hashes)?;
        diesel::update(organisations::table.find(org_id))
            .set((
                organisations::chain_seq.eq(seq),
                organisations::chain_head.eq(&head),
            ))
            .execute(c)?;
        // Other instances on this database learn of the change when, and if, it commits.
        super::notify::announce(c, &ctx.org.slug, ctx.seq, seq, &[changes.touched])?;
        let mut org = ctx.org;
        org.chain_seq = seq;
        org.chain_head = head;
        let entry = written.remove(0);
        Ok(Committed {
            value: changes.value,
            entry,
            also: written,
            org,
            touched: changes.touched,
        })
    })?;
    // Acknowledged only once durable: one fsync shared with concurrent writers.
    super::durable::sync(conn)?;
    Ok(committed)
}

fn insert_entry(c: &mut AnyConnection, org_id: i64, e: &ChainEntry) -> Result<(), StoreError> {
    let h = &e.header;
    let payload = e.payload.as_ref().expect("a new entry carries its payload");
    let payload_text =
        crate::audit::canonical_json(payload).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    diesel::insert_into(audit_entries::table)
        .values((
            audit_entries::organisation_id.eq(org_id),
            audit_entries::seq.eq(h.seq),
            audit_entries::org.eq(&h.org),
            audit_entries::at.eq(&h.at),
            audit_entries::actor.eq(&h.actor),
            audit_entries::action.eq(&h.action),
            audit_entries::entity.eq(&h.entity),
            audit_entries::entity_id.eq(&h.entity_id),
            audit_entries::payload.eq(payload_text),
            audit_entries::payload_sha256.eq(&h.payload_sha256),
            audit_entries::prev.eq(&h.prev),
            audit_entries::entry_sha256.eq(&e.entry_sha256),
        ))
        .execute(c)?;
    Ok(())
}

/// The next free per-organisation id in a table (safe: writes to one organisation are serialised).
macro_rules! next_id {
    ($conn:expr, $table:ident, $org_id:expr) => {{
        use diesel::dsl::max;
        let current: Option<i64> = $crate::store::schema::$table::table
            .filter($crate::store::schema::$table::organisation_id.eq($org_id))
            .select(max($crate::store::schema::$table::id))
            .first($conn)?;
        current.unwrap_or(0) + 1
    }};
}
pub(crate) use next_id;
