//! The chain over HTTP: its head, and ranges of entries as in the export (payloads of
//! unpublished records only for governance leads and auditors).

use super::org;
use super::{Answer, Data, OrgPath};
use crate::publish::exports::public_entry;
use crate::publish::views::Visible;
use crate::store::snapshot;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

pub async fn head(state: Data, path: OrgPath) -> Answer {
    let org = org(&state, &path).await?;
    Ok(HttpResponse::Ok()
        .json(json!({"org": org.slug, "seq": org.chain_seq, "entry_sha256": org.chain_head})))
}

#[derive(Deserialize)]
pub struct Range {
    start: Option<i64>,
    end: Option<i64>,
}

/// Most entries one request returns.
const PAGE: i64 = 1000;

pub async fn entries(state: Data, caller: Caller, path: OrgPath, q: web::Query<Range>) -> Answer {
    let org = org(&state, &path).await?;
    let start = q.start.unwrap_or(1);
    let end = q.end.unwrap_or(org.chain_seq).min(org.chain_seq);
    if start < 1 || q.end.is_some_and(|e| e < start) {
        return Err(ApiError::BadRequest(format!(
            "start must be at least 1 and end at least start (the chain has {} entries)",
            org.chain_seq
        )));
    }
    let everything = caller.reads_all(org.id);
    let slug = org.slug.clone();
    let lines = state
        .db(move |c| {
            snapshot::read(c, &slug, |c, s| {
                let visible = Visible::new(s, crate::clock::today());
                let entries = crate::store::audit::range(c, s.org.id, start, end, PAGE)?;
                Ok(entries
                    .into_iter()
                    .map(|e| {
                        if everything {
                            e
                        } else {
                            public_entry(&visible, e)
                        }
                    })
                    .collect::<Vec<_>>())
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(lines))
}

/// Every signed checkpoint, oldest first.
pub async fn checkpoints(state: Data, path: OrgPath) -> Answer {
    let org = org(&state, &path).await?;
    let all = state
        .db(move |c| crate::store::checkpoints::all(c, org.id))
        .await?;
    Ok(HttpResponse::Ok().json(all))
}

#[derive(Deserialize)]
pub struct InclusionQuery {
    seq: Option<String>,
    size: Option<String>,
}

#[derive(Deserialize)]
pub struct ConsistencyQuery {
    from: Option<String>,
    to: Option<String>,
}

/// A required positive whole-number query parameter.
fn number(name: &str, raw: &Option<String>) -> Result<u64, ApiError> {
    let raw = raw
        .as_deref()
        .ok_or_else(|| ApiError::BadRequest(format!("{name} is required")))?;
    raw.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        ApiError::BadRequest(format!("{name} must be a whole number from 1, not {raw:?}"))
    })
}

fn hexes(hashes: &[crate::audit::merkle::Hash]) -> Vec<String> {
    hashes.iter().map(hex::encode).collect()
}

fn proof_failed(e: crate::audit::merkle::ProofError) -> ApiError {
    match e {
        crate::audit::merkle::ProofError::OutOfRange(why) => ApiError::BadRequest(why),
        other => ApiError::Internal(other.to_string()),
    }
}

/// RFC 6962 audit path for entry `seq` in the tree of `size` entries.
pub async fn inclusion(state: Data, path: OrgPath, q: web::Query<InclusionQuery>) -> Answer {
    let org = org(&state, &path).await?;
    let (seq, size) = (number("seq", &q.seq)?, number("size", &q.size)?);
    if seq > size || size > org.chain_seq as u64 {
        return Err(ApiError::BadRequest(format!(
            "need 1 <= seq <= size <= {} (the chain's length); got seq {seq}, size {size}",
            org.chain_seq
        )));
    }
    let org_id = org.id;
    let (path, root, entry) = state
        .db(move |c| {
            let path = crate::store::merkle::inclusion(c, org_id, seq, size);
            let root = crate::store::merkle::root(c, org_id, size);
            let entry = crate::store::audit::range(c, org_id, seq as i64, seq as i64, 1)?;
            Ok((path, root, entry))
        })
        .await?;
    let (path, root) = (path.map_err(proof_failed)?, root.map_err(proof_failed)?);
    let entry = entry
        .first()
        .ok_or_else(|| ApiError::NotFound(format!("entry {seq}")))?;
    Ok(HttpResponse::Ok().json(json!({
        "seq": seq, "size": size, "leaf_index": seq - 1, "entry_sha256": entry.entry_sha256,
        "root": hex::encode(root), "path": hexes(&path),
    })))
}

/// RFC 6962 consistency proof between the trees of `from` and `to` entries.
pub async fn consistency(state: Data, path: OrgPath, q: web::Query<ConsistencyQuery>) -> Answer {
    let org = org(&state, &path).await?;
    let (from, to) = (number("from", &q.from)?, number("to", &q.to)?);
    if from > to || to > org.chain_seq as u64 {
        return Err(ApiError::BadRequest(format!(
            "need 1 <= from <= to <= {} (the chain's length); got from {from}, to {to}",
            org.chain_seq
        )));
    }
    let org_id = org.id;
    let (proof, from_root, to_root) = state
        .db(move |c| {
            Ok((
                crate::store::merkle::consistency(c, org_id, from, to),
                crate::store::merkle::root(c, org_id, from),
                crate::store::merkle::root(c, org_id, to),
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "from": from, "to": to,
        "from_root": hex::encode(from_root.map_err(proof_failed)?),
        "to_root": hex::encode(to_root.map_err(proof_failed)?),
        "proof": hexes(&proof.map_err(proof_failed)?),
    })))
}
