//! Nil returns and annual confirmations.

use super::{created, entry_person, governed, input, org, parse_id};
use super::{Answer, Data, OrgPath, RecordPath};
use crate::domain::entries::StandingChange;
use crate::domain::returns::{Return, ReturnKind};
use crate::domain::FieldErrors;
use crate::web::auth::Caller;
use actix_web::web;

async fn make(
    state: Data,
    caller: Caller,
    org_slug: &str,
    body: web::Bytes,
    kind: ReturnKind,
) -> Answer {
    let org = org(&state, org_slug).await?;
    let input = input(&body)?;
    let mut errors = FieldErrors::default();
    let person = entry_person(
        &state,
        &caller,
        &org,
        input.get("person").cloned(),
        &mut errors,
    )
    .await?;
    let made_on = Return::parse_date(&input, crate::clock::today());
    if let Err(e) = &made_on {
        e.0.iter().for_each(|(k, v)| errors.add(k, v.clone()));
    }
    if !errors.is_empty() {
        return Err(errors.into());
    }
    let (made_on, person) = (made_on.expect("no errors"), person.expect("no errors"));
    let (org_id, slug, actor) = (org.id, person.slug.clone(), caller.actor()?);
    let review = caller.review(org.id);
    let committed = state
        .db(move |c| crate::store::returns::create(c, org_id, &actor, &slug, kind, made_on, review))
        .await?;
    let body = committed.value.payload(&person.slug);
    Ok(created(&state, &committed, body).await)
}

pub async fn nil_return(state: Data, caller: Caller, path: OrgPath, body: web::Bytes) -> Answer {
    make(state, caller, &path, body, ReturnKind::Nil).await
}

pub async fn confirmation(state: Data, caller: Caller, path: OrgPath, body: web::Bytes) -> Answer {
    make(state, caller, &path, body, ReturnKind::Confirmation).await
}

/// Accept or return a submitted nil return or confirmation.
async fn review(
    state: Data,
    caller: Caller,
    path: RecordPath,
    body: web::Bytes,
    action: &'static str,
) -> Answer {
    let (org, actor) = governed(&state, &caller, &path.0).await?;
    let id = parse_id(&path.1, "return")?;
    let change = StandingChange::parse(action, &input(&body)?)?;
    let org_id = org.id;
    let committed = state
        .db(move |c| crate::store::returns::review(c, org_id, &actor, id, change))
        .await?;
    let person_id = committed.value.person_id;
    let person = state
        .db(move |c| crate::store::people::by_id(c, org_id, person_id))
        .await?;
    let body = committed.value.payload(&person.slug);
    Ok(created(&state, &committed, body).await)
}

pub async fn accept(state: Data, caller: Caller, path: RecordPath, body: web::Bytes) -> Answer {
    review(state, caller, path, body, "accept").await
}

pub async fn return_for_changes(
    state: Data,
    caller: Caller,
    path: RecordPath,
    body: web::Bytes,
) -> Answer {
    review(state, caller, path, body, "return").await
}
