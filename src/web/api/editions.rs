//! Editions: a governance lead freezes the public registers as at a past day.

use super::{created, governed, input};
use super::{Answer, Data, OrgPath};
use crate::domain::editions::EditionRequest;
use crate::store::editions::Edition;
use crate::web::auth::Caller;
use actix_web::web;
use serde_json::{json, Value};

/// What the API answers about an edition: its fields and where it is published.
pub fn payload(org_slug: &str, e: &Edition) -> Value {
    json!({
        "as_at": e.as_at, "kind": e.kind, "tree_size": e.tree_size, "root": e.root,
        "created_at": e.created_at,
        "url": format!("/{org_slug}/editions/{}/", e.as_at),
    })
}

/// `POST /api/v1/orgs/{org}/editions`: 201 once the edition is live, 422 for a date
/// that is not over, a year end that is not 31 March, or a date with an edition already.
pub async fn create(state: Data, caller: Caller, path: OrgPath, body: web::Bytes) -> Answer {
    let (org, actor) = governed(&state, &caller, &path).await?;
    let request = EditionRequest::parse(&input(&body)?, crate::clock::today())?;
    let publisher = state.queue.publisher().clone();
    let for_org = org.clone();
    let committed = state
        .db(move |c| publisher.create_edition(c, &for_org, &actor, request))
        .await?;
    let body = payload(&org.slug, &committed.value);
    Ok(created(&state, &committed, body).await)
}
