//! People: public reads of decision-making staff; governance creates and amends.

use super::{governed, input, org, take_version, write};
use super::{Answer, Data, OrgPath, RecordPath};
use crate::domain::people::{Person, PersonFields};
use crate::store::people;
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use actix_web::{web, HttpResponse};

pub async fn list(state: Data, caller: Caller, path: OrgPath) -> Answer {
    let org = org(&state, &path).await?;
    let everyone = caller.reads_all(org.id);
    let people = state
        .db(move |c| crate::store::people::all(c, org.id))
        .await?;
    let shown: Vec<_> = people
        .iter()
        .filter(|p| everyone || p.fields.decision_making)
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
    if !person.fields.decision_making && !caller.reads_person(org.id, person.id) {
        return Err(ApiError::NotFound(format!("person {:?}", person.slug)));
    }
    Ok(HttpResponse::Ok().json(person.payload()))
}

pub async fn create(state: Data, caller: Caller, path: OrgPath, body: web::Bytes) -> Answer {
    let (org, actor) = governed(&state, &caller, &path).await?;
    let fields = PersonFields::parse(&input(&body)?)?;
    let create = move |c: &mut _, org_id, actor: &str| people::create(c, org_id, actor, fields);
    write(&state, &org, actor, create, Person::payload).await
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
