//! Organisations: public listing and settings.

use super::org;
use super::{Answer, Data, OrgPath};
use actix_web::HttpResponse;
use serde_json::json;

fn org_json(o: &crate::store::orgs::Org) -> serde_json::Value {
    json!({"slug": o.slug, "name": o.name, "settings": o.settings, "chain_seq": o.chain_seq, "chain_head": o.chain_head})
}

pub async fn list(state: Data) -> Answer {
    let orgs = state.db(crate::store::orgs::all).await?;
    Ok(HttpResponse::Ok().json(orgs.iter().map(org_json).collect::<Vec<_>>()))
}

pub async fn show(state: Data, path: OrgPath) -> Answer {
    Ok(HttpResponse::Ok().json(org_json(&org(&state, &path).await?)))
}
