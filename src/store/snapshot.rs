//! One consistent read of everything the public site shows about an organisation, read
//! whole ([`read`]) or brought up to date from an earlier one ([`read_from`]) by applying
//! the chain entries recorded since: only the records those entries name are read again.

use super::business::Business;
use super::entries::Register;
use super::orgs::Org;
use super::records::Kind;
use super::{declarations, gifts, AnyConnection, StoreError};
use crate::audit::ChainEntry;
use crate::domain::committees::{Committee, Item, Meeting, Membership};
use crate::domain::decisions::{Breach, Decision};
use crate::domain::earnings::GpEarnings;
use crate::domain::entries::Review;
use crate::domain::people::Person;
use crate::domain::returns::{Return, ReturnKind};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use std::collections::BTreeSet;

/// An organisation's registers as of one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub org: Org,
    pub people: Vec<Person>,
    /// Each declaration's published version: its latest accepted one.
    pub declarations: Vec<declarations::Version>,
    /// Each offer's published version.
    pub gifts: Vec<gifts::Version>,
    /// Accepted returns.
    pub returns: Vec<Return>,
    /// Committees, memberships, meetings, items, procurement decisions, breaches and the
    /// register of GP earnings.
    pub business: Business,
    /// The latest entries of the chain, newest first (for feeds).
    pub recent: Vec<ChainEntry>,
    /// The latest signed checkpoint, if one has been made.
    pub checkpoint: Option<super::checkpoints::Stored>,
}

/// How many recent entries feeds carry.
pub const RECENT: i64 = 200;

/// The most chain entries [`read_from`] applies to an earlier snapshot; further behind,
/// reading the organisation whole is as cheap.
pub const REFRESH_LIMIT: i64 = 5_000;

/// Run `f` inside one read-only snapshot of organisation `slug`: it gets the snapshot
/// and the connection, so it can stream more (the chain) from the same moment.
pub fn read<R>(
    c: &mut AnyConnection,
    slug: &str,
    f: impl FnOnce(&mut AnyConnection, &Snapshot) -> Result<R, StoreError>,
) -> Result<R, StoreError> {
    read_from(c, slug, None, f).map(|(_, r)| r)
}

/// [`read`], starting from `earlier`, a snapshot of the same organisation taken before:
/// inside the one read-only transaction, the chain entries recorded since `earlier` are
/// read, and only what they name is read again (a person's change: everyone, for the
/// order by name; a declaration, gift or return: that one; committee business: all of
/// it), with the organisation row, the checkpoint and the recent entries. The result
/// equals what [`read`] gives at the same moment; when that cannot be assured (another
/// organisation, a chain shorter than the snapshot's, an entry of a kind not known
/// here, an organisation's own change, more than [`REFRESH_LIMIT`] entries behind) the
/// organisation is read whole. Returns the snapshot too, for the next call.
pub fn read_from<R>(
    c: &mut AnyConnection,
    slug: &str,
    earlier: Option<Snapshot>,
    f: impl FnOnce(&mut AnyConnection, &Snapshot) -> Result<R, StoreError>,
) -> Result<(Snapshot, R), StoreError> {
    c.transaction(|c| {
        if let AnyConnection::Postgresql(pg) = c {
            pg.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
        }
        let org = super::orgs::by_slug(c, slug)?;
        let behind = earlier
            .as_ref()
            .map(|s| (s.org.id == org.id).then(|| org.chain_seq - s.org.chain_seq));
        let refreshed = match (earlier, behind) {
            (Some(s), Some(Some(n))) if (0..=REFRESH_LIMIT).contains(&n) => refresh(c, s, &org)?,
            _ => None,
        };
        let snapshot = match refreshed {
            Some(s) => s,
            None => whole(c, org)?,
        };
        let r = f(c, &snapshot)?;
        Ok((snapshot, r))
    })
}

/// Read organisation `org`'s snapshot whole.
fn whole(c: &mut AnyConnection, org: Org) -> Result<Snapshot, StoreError> {
    let recent_start = (org.chain_seq - RECENT + 1).max(1);
    let mut recent = super::audit::range(c, org.id, recent_start, org.chain_seq, RECENT)?;
    recent.reverse();
    Ok(Snapshot {
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
    })
}

/// What one chain entry makes a snapshot read again.
#[derive(Debug, PartialEq, Eq)]
enum Reread {
    People,
    Declaration(i64),
    Gift(i64),
    Return(i64),
    Business,
    /// Nothing the snapshot holds (an edition).
    Nothing,
    /// The organisation whole.
    Whole,
}

/// What entry `e` changed of a snapshot, by its entity.
fn reread(e: &ChainEntry) -> Reread {
    let entity = e.header.entity.as_str();
    let id = e.header.entity_id.parse::<i64>();
    let business = [
        Committee::KIND,
        Membership::KIND,
        Meeting::KIND,
        Item::KIND,
        Decision::KIND,
        Breach::KIND,
        GpEarnings::KIND,
    ];
    match (entity, id) {
        ("person", _) => Reread::People,
        ("edition", _) => Reread::Nothing,
        (_, _) if business.contains(&entity) => Reread::Business,
        (declarations::Declarations::ENTITY, Ok(id)) => Reread::Declaration(id),
        (gifts::Gifts::ENTITY, Ok(id)) => Reread::Gift(id),
        (kind, Ok(id)) if ReturnKind::parse(kind).is_some() => Reread::Return(id),
        _ => Reread::Whole,
    }
}

/// Put `new` in place of the item of `list` (sorted by `key`) with key `id`, or take
/// that item out when `new` is `None`.
fn replace<T>(list: &mut Vec<T>, id: i64, new: Option<T>, key: impl Fn(&T) -> i64) {
    match (list.binary_search_by_key(&id, &key), new) {
        (Ok(i), Some(v)) => list[i] = v,
        (Ok(i), None) => {
            list.remove(i);
        }
        (Err(i), Some(v)) => list.insert(i, v),
        (Err(_), None) => {}
    }
}

/// `s` brought up to `org`'s chain length by reading again what the entries since name,
/// or `None` when an entry asks for the organisation to be read whole.
fn refresh(
    c: &mut AnyConnection,
    mut s: Snapshot,
    org: &Org,
) -> Result<Option<Snapshot>, StoreError> {
    let behind = org.chain_seq - s.org.chain_seq;
    let new = super::audit::range(c, org.id, s.org.chain_seq + 1, org.chain_seq, behind)?;
    if new.len() as i64 != behind {
        return Ok(None);
    }
    let (mut people, mut business) = (false, false);
    let (mut decls, mut gifts_, mut returns) = (BTreeSet::new(), BTreeSet::new(), BTreeSet::new());
    for e in &new {
        match reread(e) {
            Reread::People => people = true,
            Reread::Declaration(id) => {
                decls.insert(id);
            }
            Reread::Gift(id) => {
                gifts_.insert(id);
            }
            Reread::Return(id) => {
                returns.insert(id);
            }
            Reread::Business => business = true,
            Reread::Nothing => {}
            Reread::Whole => return Ok(None),
        }
    }
    if people {
        s.people = super::people::all(c, org.id)?;
    }
    for id in decls {
        let v = declarations::Declarations::published_one(c, org.id, id)?;
        replace(&mut s.declarations, id, v, |v| v.entry.id);
    }
    for id in gifts_ {
        let v = gifts::Gifts::published_one(c, org.id, id)?;
        replace(&mut s.gifts, id, v, |v| v.entry.id);
    }
    for id in returns {
        let r = match super::returns::get(c, org.id, id) {
            Ok(r) => Some(r).filter(|r| r.review == Review::Accepted),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        replace(&mut s.returns, id, r, |r| r.id);
    }
    if business {
        s.business = Business::load(c, org.id)?;
    }
    s.checkpoint = super::checkpoints::latest(c, org.id)?;
    let mut recent: Vec<ChainEntry> = new.into_iter().rev().collect();
    recent.append(&mut s.recent);
    recent.truncate(RECENT as usize);
    s.recent = recent;
    s.org = org.clone();
    Ok(Some(s))
}
