//! Gifts and hospitality: record an offer (with the thresholds' verdict), amend,
//! withhold, release, withdraw; reads show the public only published offers.

use super::{created, entry_person, input, org, parse_id, take_version};
use crate::domain::entries::StandingChange;
use crate::domain::gifts::GiftFields;
use crate::domain::people::Person;
use crate::domain::FieldErrors;
use crate::store::gifts::{GiftStep, Version};
use crate::store::orgs::Org;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn record(v: &Version, person: &Person, org: &Org) -> Value {
    let g = &v.gift;
    let mut j = g.payload(&person.slug);
    j["assessment"] = json!(g.fields.assessment(&org.settings));
    j["warnings"] = json!(g.fields.warnings(&org.settings));
    j["public"] = json!(g.is_public(person.fields.decision_making));
    j["recorded_at"] = json!(v.recorded_at);
    j["audit_seq"] = json!(v.audit_seq);
    j
}

pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let org = org(&state, &path).await?;
    let org_id = org.id;
    // Only a signed-in caller may read anything but published versions.
    let signed_in = caller.0.is_some();
    let (people, current, published) = state
        .db(move |c| {
            let current = if signed_in {
                crate::store::gifts::current(c, org_id)?
            } else {
                Vec::new()
            };
            Ok((
                crate::store::people::all(c, org_id)?,
                current,
                crate::store::gifts::published(c, org_id)?,
            ))
        })
        .await?;
    let people: BTreeMap<i64, &Person> = people.iter().map(|p| (p.id, p)).collect();
    let reads = |p: &Person| caller.reads_person(org.id, p.id);
    // Anyone sees the published version of a public offer; those who may read the
    // person's entries see its latest version instead. By id, oldest first.
    let mut shown: BTreeMap<i64, (&Version, &Person)> = BTreeMap::new();
    for v in &published {
        if let Some(&p) = people.get(&v.gift.person_id) {
            if !reads(p) && v.gift.is_public(p.fields.decision_making) {
                shown.insert(v.gift.id, (v, p));
            }
        }
    }
    for v in &current {
        if let Some(&p) = people.get(&v.gift.person_id).filter(|p| reads(p)) {
            shown.insert(v.gift.id, (v, p));
        }
    }
    let out: Vec<Value> = shown.values().map(|(v, p)| record(v, p, &org)).collect();
    Ok(HttpResponse::Ok().json(out))
}

async fn load(
    state: &AppState,
    caller: &Caller,
    org: &Org,
    raw_id: &str,
) -> Result<(Version, Person), ApiError> {
    let id = parse_id(raw_id, "gift")?;
    let org_id = org.id;
    let (v, person) = state
        .db(move |c| {
            let v = crate::store::gifts::get(c, org_id, id)?;
            let p = crate::store::people::by_id(c, org_id, v.gift.person_id)?;
            Ok((v, p))
        })
        .await?;
    if caller.reads_person(org.id, person.id) {
        return Ok((v, person));
    }
    let published = state
        .db(move |c| crate::store::gifts::published_one(c, org_id, id))
        .await?
        .filter(|p| p.gift.is_public(person.fields.decision_making));
    let Some(v) = published else {
        return Err(ApiError::NotFound(format!("gift {id}")));
    };
    Ok((v, person))
}

pub async fn show(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let org = org(&state, &path.0).await?;
    let (v, person) = load(&state, &caller, &org, &path.1).await?;
    Ok(HttpResponse::Ok().json(record(&v, &person, &org)))
}

pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let org = org(&state, &path).await?;
    let mut input = input(&body)?;
    let mut errors = FieldErrors::default();
    let person = entry_person(&state, &caller, &org, input.take("person"), &mut errors).await?;
    let fields = GiftFields::parse(&input, today(), &org.settings);
    if let Err(e) = &fields {
        e.0.iter().for_each(|(k, v)| errors.add(k, v.clone()));
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let (fields, person) = (fields.expect("no errors"), person.expect("no errors"));
    let (org_id, slug, actor) = (org.id, person.slug.clone(), caller.actor()?);
    let review = caller.review(org.id);
    let committed = state
        .db(move |c| crate::store::gifts::create(c, org_id, &actor, &slug, fields, None, review))
        .await?;
    let body = record(&committed.value, &person, &org);
    Ok(created(&state, &committed, body).await)
}

async fn standing(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    governance_only: bool,
    action: &'static str,
) -> Result<HttpResponse, ApiError> {
    let org = org(&state, &path.0).await?;
    let (current, person) = load(&state, &caller, &org, &path.1).await?;
    let actor = if governance_only {
        caller.governance(org.id)?
    } else {
        caller.writer_for(org.id, person.id)?
    }
    .actor();
    let mut input = input(&body)?;
    let version = take_version(&mut input)?;
    let (org_id, id, review) = (org.id, current.gift.id, caller.review(org.id));
    let step = GiftStep::Standing(StandingChange::parse(action, &input)?);
    let committed = state
        .db(move |c| {
            crate::store::gifts::change(c, org_id, &actor, id, version, review, |_, _| Ok(step))
        })
        .await?;
    let body = record(&committed.value, &person, &org);
    Ok(created(&state, &committed, body).await)
}

pub async fn amend(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let org = org(&state, &path.0).await?;
    let (current, person) = load(&state, &caller, &org, &path.1).await?;
    let actor = caller.writer_for(org.id, person.id)?.actor();
    let mut changes = input(&body)?;
    let version = take_version(&mut changes)?;
    let (org_id, id, settings) = (org.id, current.gift.id, org.settings.clone());
    let review = caller.review(org.id);
    let committed = state
        .db(move |c| {
            crate::store::gifts::change(c, org_id, &actor, id, version, review, |g, today| {
                Ok(GiftStep::Amend(GiftFields::parse(
                    &g.fields.to_input().merged(changes),
                    today,
                    &settings,
                )?))
            })
        })
        .await?;
    let body = record(&committed.value, &person, &org);
    Ok(created(&state, &committed, body).await)
}

pub async fn withhold(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    standing(state, caller, path, body, true, "withhold").await
}

pub async fn release(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    standing(state, caller, path, body, true, "release").await
}

pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    standing(state, caller, path, body, false, "withdraw").await
}

pub async fn accept(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    standing(state, caller, path, body, true, "accept").await
}

pub async fn return_for_changes(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    standing(state, caller, path, body, true, "return").await
}
