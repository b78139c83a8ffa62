//! The chain over HTTP: its head, and ranges of entries as in the export (payloads of
//! unpublished records only for governance leads and auditors).

use super::org;
use crate::publish::exports::public_entry;
use crate::publish::views::Visible;
use crate::store::snapshot;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

pub async fn head(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
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

pub async fn entries(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<Range>,
) -> Result<HttpResponse, ApiError> {
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
                let visible = Visible::new(s, chrono::Utc::now().date_naive());
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
