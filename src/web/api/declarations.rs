//! Declarations of interest: create, amend, end, withhold, release, withdraw; reads
//! show the public only what the published register shows.

use super::{created, entry_person, input, org, parse_id, take_version};
use crate::domain::entries::{Review, StandingChange};
use crate::domain::interests::{DeclarationFields, Step};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::declarations::Version;
use crate::store::orgs::Org;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Builds a step from the declaration's current version.
type StepBuilder =
    Box<dyn FnOnce(&crate::domain::interests::Declaration) -> Result<Step, FieldErrors> + Send>;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

fn record(v: &Version, person: &Person, org: &Org) -> Value {
    let d = &v.declaration;
    let mut j = d.payload(&person.slug);
    j["days_late"] = json!(d.fields.days_late(&org.settings));
    j["public"] = json!(d.is_public(person.fields.decision_making, today(), &org.settings));
    j["recorded_at"] = json!(v.recorded_at);
    j["audit_seq"] = json!(v.audit_seq);
    j
}

#[derive(Deserialize)]
pub struct ListQuery {
    person: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let org = org(&state, &path).await?;
    let org_id = org.id;
    // Only a signed-in caller may read anything but published versions.
    let signed_in = caller.0.is_some();
    let (people, current, published) = state
        .db(move |c| {
            let current = if signed_in {
                crate::store::declarations::current(c, org_id)?
            } else {
                Vec::new()
            };
            Ok((
                crate::store::people::all(c, org_id)?,
                current,
                crate::store::declarations::published(c, org_id)?,
            ))
        })
        .await?;
    let people: BTreeMap<i64, &Person> = people.iter().map(|p| (p.id, p)).collect();
    let reads = |p: &Person| caller.reads_person(org.id, p.id);
    // Anyone sees the published version of a public entry; those who may read the
    // person's entries see its latest version instead. By id, oldest first.
    let mut shown: BTreeMap<i64, (&Version, &Person)> = BTreeMap::new();
    for v in &published {
        let d = &v.declaration;
        if let Some(&p) = people.get(&d.person_id) {
            if !reads(p) && d.is_public(p.fields.decision_making, today(), &org.settings) {
                shown.insert(d.id, (v, p));
            }
        }
    }
    for v in &current {
        if let Some(&p) = people.get(&v.declaration.person_id).filter(|p| reads(p)) {
            shown.insert(v.declaration.id, (v, p));
        }
    }
    let out: Vec<Value> = shown
        .values()
        .filter(|(_, p)| q.person.as_deref().is_none_or(|s| s == p.slug))
        .map(|(v, p)| record(v, p, &org))
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Load a declaration and its person, or 404 if the caller may not see it.
async fn load(
    state: &AppState,
    caller: &Caller,
    org: &Org,
    raw_id: &str,
) -> Result<(Version, Person), ApiError> {
    let id = parse_id(raw_id, "declaration")?;
    let org_id = org.id;
    let (v, person) = state
        .db(move |c| {
            let v = crate::store::declarations::get(c, org_id, id)?;
            let p = crate::store::people::by_id(c, org_id, v.declaration.person_id)?;
            Ok((v, p))
        })
        .await?;
    if caller.reads_person(org.id, person.id) {
        return Ok((v, person));
    }
    let published = state
        .db(move |c| crate::store::declarations::published_one(c, org_id, id))
        .await?
        .filter(|p| {
            p.declaration
                .is_public(person.fields.decision_making, today(), &org.settings)
        });
    let Some(v) = published else {
        return Err(ApiError::NotFound(format!("declaration {id}")));
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

pub async fn versions(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let org = org(&state, &path.0).await?;
    let (v, person) = load(&state, &caller, &org, &path.1).await?;
    let (org_id, id) = (org.id, v.declaration.id);
    let all = state
        .db(move |c| crate::store::declarations::versions(c, org_id, id))
        .await?;
    // The public sees the accepted versions only.
    let reads = caller.reads_person(org.id, person.id);
    Ok(HttpResponse::Ok().json(
        all.iter()
            .filter(|v| reads || v.declaration.standing.review == Review::Accepted)
            .map(|v| record(v, &person, &org))
            .collect::<Vec<_>>(),
    ))
}

pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let org = org(&state, &path).await?;
    let mut input = input(&body)?;
    let withheld_reason = input.take("withheld_reason");
    let mut errors = FieldErrors::default();
    let person = entry_person(&state, &caller, &org, input.take("person"), &mut errors).await?;
    let fields = DeclarationFields::parse(&input, today());
    if let Err(e) = &fields {
        e.0.iter().for_each(|(k, v)| errors.add(k, v.clone()));
    }
    let withheld_reason = match withheld_reason {
        None | Some(Value::Null) => None,
        // Control characters are refused as every text field refuses them (PostgreSQL
        // cannot store NUL).
        Some(Value::String(s))
            if !s.trim().is_empty()
                && s.chars().count() <= StandingChange::MAX_REASON
                && !s.chars().any(|c| c.is_control() && !"\t\n\r".contains(c)) =>
        {
            Some(s.trim().to_owned())
        }
        Some(_) => {
            errors.add("withheld_reason", "must be text of 1 to 2000 characters");
            None
        }
    };
    if withheld_reason.is_some() {
        caller.governance(org.id)?;
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let (fields, person) = (fields.expect("no errors"), person.expect("no errors"));
    let (org_id, slug, actor) = (org.id, person.slug.clone(), caller.actor()?);
    let review = caller.review(org.id);
    let committed = state
        .db(move |c| {
            crate::store::declarations::create(
                c,
                org_id,
                &actor,
                &slug,
                fields,
                withheld_reason,
                review,
            )
        })
        .await?;
    let body = record(&committed.value, &person, &org);
    Ok(created(&state, &committed, body).await)
}

/// Apply a step to a declaration after checking who may, then answer with the new version.
async fn step(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
    governance_only: bool,
    make: impl FnOnce(Input) -> Result<StepBuilder, FieldErrors>,
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
    let build = make(input)?;
    let (org_id, id, review) = (org.id, current.declaration.id, caller.review(org.id));
    let committed = state
        .db(move |c| {
            crate::store::declarations::change(c, org_id, &actor, id, version, review, |d, _| {
                build(d).map_err(Into::into)
            })
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
    step(state, caller, path, body, false, |changes| {
        Ok(Box::new(move |d| {
            Ok(Step::Amend(DeclarationFields::parse(
                &d.fields.to_input().merged(changes),
                today(),
            )?))
        }))
    })
    .await
}

pub async fn end(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(state, caller, path, body, false, |input| {
        let s = Step::parse_end(&input)?;
        Ok(Box::new(move |_| Ok(s)))
    })
    .await
}

fn standing(action: &'static str) -> impl FnOnce(Input) -> Result<StepBuilder, FieldErrors> {
    move |input| {
        let change = StandingChange::parse(action, &input)?;
        Ok(Box::new(move |_| Ok(Step::Standing(change))))
    }
}

pub async fn withhold(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(state, caller, path, body, true, standing("withhold")).await
}

pub async fn release(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(state, caller, path, body, true, standing("release")).await
}

pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(state, caller, path, body, false, standing("withdraw")).await
}

pub async fn accept(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(state, caller, path, body, true, standing("accept")).await
}

pub async fn return_for_changes(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    step(state, caller, path, body, true, standing("return")).await
}
