//! JSON API handlers, one module per resource. Handlers parse and authorise, call the
//! domain and the store, wait for the public site to show the change, and answer.

pub mod audit;
mod committee_write;
pub mod committees;
pub mod decisions;
pub mod declarations;
pub mod earnings;
pub mod editions;
pub mod entries;
pub mod gifts;
pub mod orgs;
pub mod people;
pub mod returns;

use super::auth::Caller;
use super::error::ApiError;
use super::AppState;
use crate::domain::people::Person;
use crate::domain::validation::whole_number;
use crate::domain::{FieldErrors, Input};
use crate::store::orgs::Org;
use crate::store::{AnyConnection, Committed, StoreError, Touched};
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

/// The application's state, as a handler receives it.
pub type Data = web::Data<AppState>;
/// `/orgs/{org}/…`: the organisation's slug.
pub type OrgPath = web::Path<String>;
/// `/orgs/{org}/<resource>/{key}…`: the organisation's slug and the record's key (an id,
/// slug or reference).
pub type RecordPath = web::Path<(String, String)>;
/// A handler's answer.
pub type Answer = Result<HttpResponse, ApiError>;

/// The request body as field input. An empty body is an empty object (so every
/// required field is reported), anything else must be a JSON object.
pub fn input(body: &web::Bytes) -> Result<Input, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Input::default());
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    Ok(Input::from_json(value)?)
}

/// Take the `version` an edit is based on out of the input (409 if it is stale, later).
pub fn take_version(input: &mut Input) -> Result<i64, ApiError> {
    match input.take("version") {
        Some(Value::Number(n)) if whole_number(&n).is_some_and(|v| v > 0) => {
            Ok(whole_number(&n).expect("checked"))
        }
        Some(_) => Err(crate::domain::FieldErrors::one(
            "version",
            "must be the positive whole version number the change is based on",
        )
        .into()),
        None => Err(crate::domain::FieldErrors::one(
            "version",
            "is required: the version the change is based on",
        )
        .into()),
    }
}

/// An id from the path; anything but a positive number is simply not found.
pub fn parse_id(raw: &str, what: &str) -> Result<i64, ApiError> {
    raw.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| ApiError::NotFound(format!("{what} {raw:?}")))
}

/// Longest person slug a new entry's `person` may hold, in characters: slugs are at
/// most 60, so a longer one names nobody.
pub const MAX_PERSON_SLUG: usize = 100;

/// The person a new entry is for, named by slug in its `person` field. Authorises the
/// caller to write for them (governance, or that person's own declarant) before any
/// field problem is reported, and records a missing or unknown person in `errors`.
pub async fn entry_person(
    state: &AppState,
    caller: &Caller,
    org: &Org,
    field: Option<Value>,
    errors: &mut FieldErrors,
) -> Result<Option<Person>, ApiError> {
    let slug = match field {
        Some(Value::String(s)) => s.trim().to_owned(),
        _ => String::new(),
    };
    // A slug is short and printable; anything else names nobody (and must not reach
    // the database: PostgreSQL refuses NUL in text).
    let plausible =
        !slug.is_empty() && slug.len() <= MAX_PERSON_SLUG && !slug.chars().any(char::is_control);
    let person = if !plausible {
        None
    } else {
        let (org_id, slug) = (org.id, slug.clone());
        match state
            .db(move |c| crate::store::people::by_slug(c, org_id, &slug))
            .await
        {
            Ok(p) => Some(p),
            Err(ApiError::NotFound(_)) => None,
            Err(e) => return Err(e),
        }
    };
    match &person {
        Some(p) => caller.writer_for(org.id, p.id)?,
        None => caller.governance(org.id)?,
    };
    if person.is_none() {
        let problem = if slug.is_empty() {
            "is required: the slug of the person the entry is for".to_owned()
        } else {
            format!("no person {slug:?} in this organisation")
        };
        errors.add("person", problem);
    }
    Ok(person)
}

/// Look up an organisation by slug (404 if unknown).
pub async fn org(state: &AppState, slug: &str) -> Result<Org, ApiError> {
    let slug = slug.to_owned();
    state
        .db(move |c| crate::store::orgs::by_slug(c, &slug))
        .await
}

/// The organisation named by `org_slug` and the governance lead writing to it (403 for
/// anyone else).
pub async fn governed(
    state: &AppState,
    caller: &Caller,
    org_slug: &str,
) -> Result<(Org, String), ApiError> {
    let org = org(state, org_slug).await?;
    let actor = caller.governance(org.id)?.actor();
    Ok((org, actor))
}

/// Run `change` as `actor` in `org`, then answer 201 with what `show` makes of the
/// result (once the public site shows it): the tail every simple API write shares.
pub async fn write<T: Send + 'static>(
    state: &AppState,
    org: &Org,
    actor: String,
    change: impl FnOnce(&mut AnyConnection, i64, &str) -> Result<Committed<T>, StoreError>
        + Send
        + 'static,
    show: impl FnOnce(&T) -> Value,
) -> Answer {
    let org_id = org.id;
    let committed = state.db(move |c| change(c, org_id, &actor)).await?;
    let body = show(&committed.value);
    Ok(created(state, &committed, body).await)
}

/// After a committed write: wait until its pages are live, then answer 201 with `body`
/// plus the audit entry that records it, and `live`: whether the public site shows it
/// yet (false when publishing failed; it is retried, and `/healthz` reports the lag).
pub async fn created<T>(
    state: &AppState,
    committed: &Committed<T>,
    mut body: Value,
) -> HttpResponse {
    let live = publish(state, &committed.org.slug, committed.touched).await;
    body["live"] = json!(live);
    body["audit_seq"] = json!(committed.entry.header.seq);
    body["entry_sha256"] = json!(committed.entry.entry_sha256);
    if !committed.also.is_empty() {
        // A change that recorded several things: every entry, in order.
        let seqs: Vec<i64> = std::iter::once(&committed.entry)
            .chain(&committed.also)
            .map(|e| e.header.seq)
            .collect();
        body["audit_seqs"] = json!(seqs);
    }
    HttpResponse::Created().json(body)
}

/// Wait for the publisher to show a change: true once it is live, false if publishing
/// failed (the publisher logs why and retries).
pub async fn publish(state: &AppState, org: &str, touched: Touched) -> bool {
    state.queue.notify(org, touched).await.unwrap_or(false)
}

/// Whether the service is up, and how far each organisation's public site lags behind
/// its chain: `status` is `ok`, or `publishing_failing` while a publish is being retried.
/// Why it fails is logged and shown to governance leads on `/admin`, not here.
pub async fn health(state: Data) -> Answer {
    let orgs = state.db(crate::store::orgs::all).await?;
    let sites = state.queue.health();
    let now = chrono::Utc::now();
    let mut failing = false;
    let site: Vec<Value> = orgs
        .iter()
        .map(|org| {
            let s = sites.get(&org.slug).cloned().unwrap_or_default();
            failing |= s.failing_since.is_some();
            let lag_seconds = s
                .failing_since
                .map_or(0, |since| (now - since).num_seconds().max(0));
            json!({
                "org": org.slug,
                "chain_seq": org.chain_seq,
                "live_seq": s.live_seq,
                "lag_entries": (org.chain_seq - s.live_seq).max(0),
                // The bulk open data files follow the pages within a second or two.
                "data_lag_entries": (org.chain_seq - s.data_seq).max(0),
                "lag_seconds": lag_seconds,
                "failing_since": s.failing_since.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
            })
        })
        .collect();
    let status = if failing { "publishing_failing" } else { "ok" };
    Ok(HttpResponse::Ok().json(json!({"status": status, "site": site})))
}

pub async fn page_not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/html; charset=utf-8")
        .body(concat!(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">",
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
            "<title>Page not found – Registers of interests</title>",
            "<link rel=\"stylesheet\" href=\"/assets/nhsuk.min.css\"><link rel=\"stylesheet\" href=\"/assets/site.css\"></head>",
            "<body><a class=\"nhsuk-skip-link\" href=\"#maincontent\">Skip to main content</a>",
            "<header class=\"nhsuk-header\" role=\"banner\"><div class=\"nhsuk-header__container nhsuk-width-container\">",
            "<div class=\"nhsuk-header__service\"><a class=\"nhsuk-header__service-name\" href=\"/\">Registers of interests</a></div></div></header>",
            "<div class=\"nhsuk-width-container\"><main class=\"nhsuk-main-wrapper\" id=\"maincontent\" role=\"main\">",
            "<h1>Page not found</h1><p>If you typed the web address, check it is correct.</p>",
            "<p>If you pasted the web address, check you copied the entire address.</p>",
            "<p><a href=\"/\">Go to the list of registers</a></p></main></div></body></html>"
        ))
}
