//! The stored Merkle view of each chain: complete subtree hashes, appended in the
//! same transaction as each audit entry, so proofs and tree heads are look-ups.

use super::schema::{audit_entries, merkle_nodes as m};
use super::{AnyConnection, StoreError};
use crate::audit::merkle::{self, Hash, Nodes, ProofError};
use diesel::prelude::*;
use std::cell::RefCell;

/// An organisation's stored nodes, read through a connection.
pub struct DbNodes<'a> {
    c: RefCell<&'a mut AnyConnection>,
    org_id: i64,
}

impl<'a> DbNodes<'a> {
    pub fn new(c: &'a mut AnyConnection, org_id: i64) -> DbNodes<'a> {
        DbNodes {
            c: RefCell::new(c),
            org_id,
        }
    }
}

fn to_hash(hex_text: &str) -> Option<Hash> {
    hex::decode(hex_text).ok()?.try_into().ok()
}

impl Nodes for DbNodes<'_> {
    fn node(&self, level: u32, index: u64) -> Result<Hash, ProofError> {
        let missing = || ProofError::MissingNode { level, index };
        let (level_i, index_i) = (
            i32::try_from(level).map_err(|_| missing())?,
            i64::try_from(index).map_err(|_| missing())?,
        );
        let mut c = self.c.borrow_mut();
        let found: Option<String> = m::table
            .filter(m::organisation_id.eq(self.org_id))
            .filter(m::level.eq(level_i))
            .filter(m::idx.eq(index_i))
            .select(m::hash)
            .first(*c)
            .optional()
            .map_err(|_| missing())?;
        found.as_deref().and_then(to_hash).ok_or_else(missing)
    }
}

fn proof_error(e: ProofError) -> StoreError {
    StoreError::Corrupt(format!("Merkle tree: {e}"))
}

/// How many leaves the stored tree of an organisation has.
pub fn stored_size(c: &mut AnyConnection, org_id: i64) -> Result<u64, StoreError> {
    let max: Option<i64> = m::table
        .filter(m::organisation_id.eq(org_id))
        .filter(m::level.eq(0))
        .select(diesel::dsl::max(m::idx))
        .first(c)?;
    Ok(max.map_or(0, |i| i as u64 + 1))
}

/// Append one entry's hash as leaf `size_before`, storing every node it completes.
pub fn append(
    c: &mut AnyConnection,
    org_id: i64,
    size_before: u64,
    entry_sha256: &str,
) -> Result<(), StoreError> {
    let leaf = to_hash(entry_sha256).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "entry hash {entry_sha256:?} is not 32 bytes of hex"
        ))
    })?;
    let new = merkle::new_nodes_for_leaf(
        size_before,
        merkle::leaf_hash(&leaf),
        &DbNodes::new(c, org_id),
    )
    .map_err(proof_error)?;
    for (level, idx, hash) in new {
        diesel::insert_into(m::table)
            .values((
                m::organisation_id.eq(org_id),
                m::level.eq(level as i32),
                m::idx.eq(idx as i64),
                m::hash.eq(hex::encode(hash)),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// Append the entries a write just made (`hashes`, in order, after `size_before`
/// entries): directly when the stored tree is as long as the chain was, which saves the
/// write re-reading them; else through [`catch_up`].
pub fn extend(
    c: &mut AnyConnection,
    org_id: i64,
    size_before: i64,
    hashes: &[&str],
) -> Result<(), StoreError> {
    let size = stored_size(c, org_id)?;
    if size as i64 != size_before {
        catch_up(c, org_id, size_before + hashes.len() as i64)?;
        return Ok(());
    }
    for (i, h) in hashes.iter().enumerate() {
        append(c, org_id, size + i as u64, h)?;
    }
    Ok(())
}

/// Bring the stored tree up to the chain's length (chains written before the tree
/// existed, or a tree rebuilt after its nodes were cleared). Returns leaves added.
pub fn catch_up(c: &mut AnyConnection, org_id: i64, chain_seq: i64) -> Result<u64, StoreError> {
    let mut size = stored_size(c, org_id)?;
    let start = size;
    while (size as i64) < chain_seq {
        let hashes: Vec<String> = audit_entries::table
            .filter(audit_entries::organisation_id.eq(org_id))
            .filter(audit_entries::seq.gt(size as i64))
            .order(audit_entries::seq)
            .limit(5000)
            .select(audit_entries::entry_sha256)
            .load(c)?;
        if hashes.is_empty() {
            break;
        }
        c.transaction(|c| {
            for h in &hashes {
                append(c, org_id, size, h)?;
                size += 1;
            }
            Ok::<_, StoreError>(())
        })?;
    }
    Ok(size - start)
}

/// The tree head over the first `size` entries.
pub fn root(c: &mut AnyConnection, org_id: i64, size: u64) -> Result<Hash, ProofError> {
    merkle::root(&DbNodes::new(c, org_id), size)
}

/// RFC 6962 inclusion proof for entry `seq` (1-based) in the tree of `size` entries.
pub fn inclusion(
    c: &mut AnyConnection,
    org_id: i64,
    seq: u64,
    size: u64,
) -> Result<Vec<Hash>, ProofError> {
    let index = seq
        .checked_sub(1)
        .ok_or_else(|| ProofError::OutOfRange("seq starts at 1".into()))?;
    merkle::inclusion_proof(&DbNodes::new(c, org_id), index, size)
}

/// RFC 6962 consistency proof between the trees of `from` and `to` entries.
pub fn consistency(
    c: &mut AnyConnection,
    org_id: i64,
    from: u64,
    to: u64,
) -> Result<Vec<Hash>, ProofError> {
    merkle::consistency_proof(&DbNodes::new(c, org_id), from, to)
}
