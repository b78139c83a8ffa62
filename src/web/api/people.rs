//! People: public reads of decision-making staff; governance creates (asking first
//! whether a similar name is someone else), amends, retires and merges.

use super::{governed, input, org, take_version, write};
use super::{Answer, Data, OrgPath, RecordPath};
use crate::domain::people::{parse_reason, Person, PersonFields};
use crate::domain::FieldErrors;
use crate::store::people;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use actix_web::{web, HttpResponse};
use serde_json::Value;

pub async fn list(state: Data, caller: Caller, path: OrgPath) -> Answer {
    let org = org(&state, &path).await?;
    let everyone = caller.reads_all(org.id);
    let people = state
        .db(move |c| crate::store::people::all(c, org.id))
        .await?;
    let shown: Vec<_> = people
        .iter()
        .filter(|p| everyone || (p.fields.decision_making && p.standing.is_active()))
        .map(Person::payload)
        .collect();
    Ok(HttpResponse::Ok().json(shown))
}

pub async fn show(state: Data, caller: Caller, path: RecordPath) -> Answer {
    let (org_slug, slug) = path.into_inner();
    let org = org(&state, &org_slug).await?;
    let person = state
        .db(move |c| crate::store::people::by_slug(c, org.id, &slug))
        .await?;
    let public = person.fields.decision_making && person.standing.is_active();
    if !public && !caller.reads_person(org.id, person.id) {
        return Err(ApiError::NotFound(format!("person {:?}", person.slug)));
    }
    Ok(HttpResponse::Ok().json(person.payload()))
}

pub async fn create(state: Data, caller: Caller, path: OrgPath, body: web::Bytes) -> Answer {
    let (org, actor) = governed(&state, &caller, &path).await?;
    let mut input = input(&body)?;
    let confirmed = match input.take("confirm_similar") {
        None | Some(Value::Null) | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        Some(_) => return Err(FieldErrors::one("confirm_similar", "must be true or false").into()),
    };
    let fields = PersonFields::parse(&input)?;
    let create =
        move |c: &mut _, org_id, actor: &str| people::add(c, org_id, actor, fields, confirmed);
    write(&state, &org, actor, create, Person::payload).await
}

/// Retire a person's record added by mistake (kept in the chain, off the register).
pub async fn retire(state: Data, caller: Caller, path: RecordPath, body: web::Bytes) -> Answer {
    let (org_slug, slug) = path.into_inner();
    let (org, actor) = governed(&state, &caller, &org_slug).await?;
    let mut body = input(&body)?;
    let version = take_version(&mut body)?;
    let reason = parse_reason(&body)?;
    let retire = move |c: &mut _, org_id, actor: &str| {
        people::retire(c, org_id, actor, &slug, version, reason)
    };
    write(&state, &org, actor, retire, Person::payload).await
}

/// Merge a person's record added by mistake into another's; their entries follow.
pub async fn merge(state: Data, caller: Caller, path: RecordPath, body: web::Bytes) -> Answer {
    let (org_slug, slug) = path.into_inner();
    let (org, actor) = governed(&state, &caller, &org_slug).await?;
    let mut body = input(&body)?;
    let version = take_version(&mut body)?;
    let into = match body.take("into") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        _ => return Err(FieldErrors::one("into", "is required: the slug of a person").into()),
    };
    let reason = parse_reason(&body)?;
    let merge = move |c: &mut _, org_id, actor: &str| {
        people::merge(c, org_id, actor, &slug, version, &into, reason)
    };
    write(&state, &org, actor, merge, Person::payload).await
}

pub async fn amend(state: Data, caller: Caller, path: RecordPath, body: web::Bytes) -> Answer {
    let (org_slug, slug) = path.into_inner();
    let (org, actor) = governed(&state, &caller, &org_slug).await?;
    let mut changes = input(&body)?;
    let version = take_version(&mut changes)?;
    let amend = move |c: &mut _, org_id, actor: &str| {
        people::amend(c, org_id, actor, &slug, version, changes)
    };
    write(&state, &org, actor, amend, Person::payload).await
}
