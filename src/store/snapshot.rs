//! One consistent read of everything the public site shows about an organisation.

use super::business::Business;
use super::entries::Register;
use super::orgs::Org;
use super::{declarations, gifts, AnyConnection, StoreError};
use crate::audit::ChainEntry;
use crate::domain::entries::Review;
use crate::domain::people::Person;
use crate::domain::returns::Return;
use diesel::connection::SimpleConnection;
use diesel::Connection;

/// An organisation's registers as of one moment.
pub struct Snapshot {
    pub org: Org,
    pub people: Vec<Person>,
    /// Each declaration's published version: its latest accepted one.
    pub declarations: Vec<declarations::Version>,
    /// Each offer's published version.
    pub gifts: Vec<gifts::Version>,
    /// Accepted returns.
    pub returns: Vec<Return>,
    /// Committees, memberships, meetings, items, procurement decisions and breaches.
    pub business: Business,
    /// The latest entries of the chain, newest first (for feeds).
    pub recent: Vec<ChainEntry>,
    /// The latest signed checkpoint, if one has been made.
    pub checkpoint: Option<super::checkpoints::Stored>,
}

/// How many recent entries feeds carry.
pub const RECENT: i64 = 200;

/// Run `f` inside one read-only snapshot of organisation `slug`: it gets the snapshot
/// and the connection, so it can stream more (the chain) from the same moment.
pub fn read<R>(
    c: &mut AnyConnection,
    slug: &str,
    f: impl FnOnce(&mut AnyConnection, &Snapshot) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    c.transaction(|c| {
        if let AnyConnection::Postgresql(pg) = c {
            pg.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        let org = super::orgs::by_slug(c, slug)?;
        let recent_start = (org.chain_seq - RECENT + 1).max(1);
        let mut recent = super::audit::range(c, org.id, recent_start, org.chain_seq, RECENT)?;
        recent.reverse();
        let snapshot = Snapshot {
            people: super::people::all(c, org.id)?,
            declarations: declarations::Declarations::published(c, org.id)?,
            gifts: gifts::Gifts::published(c, org.id)?,
            returns: super::returns::all(c, org.id)?
                .into_iter()
                .filter(|r| r.review == Review::Accepted)
                .collect(),
            business: Business::load(c, org.id)?,
            checkpoint: super::checkpoints::latest(c, org.id)?,
            recent,
            org,
        };
        f(c, &snapshot)
    })
}
