//! Nil returns and annual confirmations.

use super::{created, input, org};
use crate::domain::returns::{Return, ReturnKind};
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::{web, HttpResponse};
use serde_json::Value;

async fn make(
    state: web::Data<AppState>,
    caller: Caller,
    org_slug: &str,
    body: web::Bytes,
    kind: ReturnKind,
) -> Result<HttpResponse, ApiError> {
    let org = org(&state, org_slug).await?;
    let input = input(&body)?;
    let person_slug = match input.get("person") {
        Some(Value::String(s)) => s.trim().to_owned(),
        _ => String::new(),
    };
    let org_id = org.id;
    let slug = person_slug.clone();
    let person = if slug.is_empty() {
        None
    } else {
        state
            .db(move |c| crate::store::people::by_slug(c, org_id, &slug))
            .await
            .ok()
    };
    let actor = match &person {
        Some(p) => caller.writer_for(org.id, p.id)?,
        None => caller.governance(org.id)?,
    }
    .actor();
    let made_on = Return::parse_date(&input, chrono::Utc::now().date_naive());
    let mut errors = made_on.as_ref().err().cloned().unwrap_or_default();
    if person.is_none() && !errors.0.contains_key("person") {
        errors.add(
            "person",
            format!("no person {person_slug:?} in this organisation"),
        );
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let made_on = made_on.expect("no errors");
    let committed = state
        .db(move |c| crate::store::returns::create(c, org_id, &actor, &person_slug, kind, made_on))
        .await?;
    let body = committed.value.payload(&person.expect("no errors").slug);
    Ok(created(&state, &committed, body).await)
}

pub async fn nil_return(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    make(state, caller, &path, body, ReturnKind::Nil).await
}

pub async fn confirmation(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    make(state, caller, &path, body, ReturnKind::Confirmation).await
}
