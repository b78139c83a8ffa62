//! What the admin pages' handlers share about a request: today's date, the organisation
//! named in the path and how a page shows it, the signed-in account as the API's caller,
//! and the redirect after a form is sent.

use super::PageError;
use crate::store::orgs::Org;
use crate::store::users::Principal;
use crate::web::api;
use crate::web::auth::Caller;
use crate::web::AppState;
use actix_web::http::header;
use actix_web::HttpResponse;
use chrono::NaiveDate;
use serde_json::{json, Value};

pub(super) fn today() -> NaiveDate {
    crate::clock::today()
}

/// Send the browser on to `to` after a form (never cached, so Back shows the form anew).
pub(super) fn see_other(to: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The signed-in account as the checks of the API know it.
pub(super) fn caller(p: &Principal) -> Caller {
    Caller(Some(p.clone()))
}

/// The organisation named in the path (404 if there is none).
pub(super) async fn load_org(state: &AppState, slug: &str) -> Result<Org, PageError> {
    Ok(api::org(state, slug).await?)
}

/// The organisation as every page's template shows it.
pub(super) fn org_view(org: &Org) -> Value {
    json!({"slug": org.slug, "name": org.name})
}
