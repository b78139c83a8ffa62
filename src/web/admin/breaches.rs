//! Breaches of the conflicts policy in the web app: the record of breaches (the person
//! concerned only for those who may read everything) and the forms that record and amend
//! one. Writes are a governance lead's; the store's refusals come back as form errors.

use super::context::{caller, load_org, org_view};
use super::decisions::{form_errors, form_messages, text_input, today};
use super::form::{answer, stale, version_of, Answer, Field};
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::domain::decisions::{Breach, BreachInput};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::breaches;
use crate::store::orgs::Org;
use crate::store::records;
use crate::store::users::Session;
use crate::web::admin::{Data, OrgPath, Page, RecordPath};
use crate::web::api;
use crate::web::auth::governs;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
pub struct BreachListQuery {
    saved: Option<String>,
}

async fn people(state: &AppState, org: &Org) -> Result<Vec<Person>, PageError> {
    let org_id = org.id;
    Ok(state
        .db(move |c| crate::store::people::all(c, org_id))
        .await?)
}

pub async fn list_breaches(
    state: Data,
    signed_in: SignedIn,
    path: OrgPath,
    q: web::Query<BreachListQuery>,
) -> Page {
    let org = load_org(&state, &path).await?;
    let org_id = org.id;
    let all = state
        .db(move |c| records::current::<Breach>(c, org_id))
        .await?;
    let p = &signed_in.0.principal;
    // The person concerned only for those who may read everything, as the API shows it.
    let full = caller(p).reads_all(org.id);
    let people = if full {
        people(&state, &org).await?
    } else {
        Vec::new()
    };
    let rows: Vec<Value> = all
        .iter()
        .rev()
        .map(|b| {
            let r = &b.record;
            let person = r
                .person_id
                .filter(|_| full)
                .map(|id| people.iter().find(|x| x.id == id).map(|x| x.fields.name.clone()).unwrap_or_default());
            json!({
                "id": b.id, "href": format!("/admin/orgs/{}/breaches/{}/amend", org.slug, b.id),
                "occurred_on": r.occurred_on.to_string(), "identified_on": r.identified_on.to_string(),
                "summary": r.summary, "action_taken": r.action_taken, "reported_to": r.reported_to,
                "person": person, "version": b.version,
            })
        })
        .collect();
    let saved = match q.saved.as_deref() {
        Some("created") => Some("The breach was recorded"),
        Some("amended") => Some("The breach was amended"),
        _ => None,
    };
    Ok(page(
        StatusCode::OK,
        "admin-breaches",
        &json!({
            "title": format!("Breaches – {}", org.name),
            "account": AccountView::of(&signed_in.0), "errors": [], "org": org_view(&org),
            "rows": rows, "full": full, "may_record": governs(p, org.id), "saved": saved,
        }),
    ))
}

/// The breach form as posted.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct BreachForm {
    occurred_on: String,
    identified_on: String,
    summary: String,
    action_taken: String,
    reported_to: String,
    person: String,
    version: String,
}

const BREACH_FIELDS: [(&str, &str, &str); 6] = [
    (
        "occurred_on",
        "Date of the breach",
        "Enter the date the breach happened",
    ),
    (
        "identified_on",
        "Date identified",
        "Enter the date the breach was identified",
    ),
    (
        "summary",
        "Summary",
        "Enter what happened, without names or anything that identifies anyone",
    ),
    ("action_taken", "Action taken", "Enter the action taken"),
    ("reported_to", "Reported to", "Enter who it was reported to"),
    ("person", "Person concerned", "Select the person concerned"),
];

impl BreachForm {
    fn input(&self) -> Input {
        let m = text_input(&[
            ("occurred_on", &self.occurred_on),
            ("identified_on", &self.identified_on),
            ("summary", &self.summary),
            ("action_taken", &self.action_taken),
            ("reported_to", &self.reported_to),
            ("person", &self.person),
        ]);
        Input::from_json(Value::Object(m)).expect("an object")
    }
}

fn breach_page(
    status: StatusCode,
    session: &Session,
    org: &Org,
    people: &[Person],
    amending: Option<i64>,
    form: &BreachForm,
    errors: &[FieldError],
) -> HttpResponse {
    let (title, action) = match amending {
        None => (
            "Record a breach of the conflicts policy".to_owned(),
            format!("/admin/orgs/{}/breaches/new", org.slug),
        ),
        Some(id) => (
            format!("Amend breach {id}"),
            format!("/admin/orgs/{}/breaches/{id}/amend", org.slug),
        ),
    };
    let options: Vec<Value> = people
        .iter()
        .map(|x| json!({"slug": x.slug, "name": x.fields.name, "position": x.fields.position, "selected": x.slug == form.person}))
        .collect();
    page(
        status,
        "admin-breach-form",
        &json!({
            "title": title, "account": AccountView::of(session), "errors": errors,
            "org": org_view(org), "action": action, "amending": amending.is_some(),
            "people": options,
            "values": {
                "occurred_on": form.occurred_on, "identified_on": form.identified_on,
                "summary": form.summary, "action_taken": form.action_taken,
                "reported_to": form.reported_to, "version": form.version,
            },
            "e": form_messages(errors, &BREACH_FIELDS),
            "f": breach_fields(form, errors),
        }),
    )
}

/// The breach form's text fields, as templates/admin/field.hbs draws them.
fn breach_fields(form: &BreachForm, errors: &[FieldError]) -> Value {
    let f = |id: &str, label: &str, value: &str| Field::of(id, label, value, errors);
    json!({
        "occurred_on": f("occurred_on", "Date of the breach", &form.occurred_on).as_input("date").width(10),
        "identified_on": f("identified_on", "Date it was identified (optional)", &form.identified_on).as_input("date").width(10)
            .hint("Leave empty if it was identified the day it happened"),
        "summary": f("summary", "What happened", &form.summary).as_textarea(4),
        "action_taken": f("action_taken", "Action taken", &form.action_taken).as_textarea(3),
        "reported_to": f("reported_to", "Who it was reported to (optional)", &form.reported_to).as_input("text")
            .hint("For example the audit committee, NHS England or counter fraud"),
    })
}

/// The form to record a breach, filled in with what the query gives (the prompt on a
/// meeting's page, where a member took part against their declaration, sends the date,
/// the person and a summary).
pub async fn new_breach_form(
    state: Data,
    signed_in: SignedIn,
    path: OrgPath,
    prefill: web::Query<BreachForm>,
) -> Page {
    let org = load_org(&state, &path).await?;
    let people = people(&state, &org).await?;
    let form = BreachForm {
        version: String::new(),
        ..prefill.into_inner()
    };
    Ok(breach_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        &people,
        None,
        &form,
        &[],
    ))
}

pub async fn create_breach(state: Data, path: OrgPath, posted: CsrfForm<BreachForm>) -> Page {
    let org = load_org(&state, &path).await?;
    let actor = caller(&posted.session.principal)
        .governance(org.id)?
        .actor();
    let people = people(&state, &org).await?;
    let form = posted.form;
    let refused = |fe: &FieldErrors| {
        let errors = form_errors(fe, &BREACH_FIELDS);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(breach_page(
            status,
            &posted.session,
            &org,
            &people,
            None,
            &form,
            &errors,
        ))
    };
    let entered = match BreachInput::parse(&form.input(), today()) {
        Ok(b) => b,
        Err(fe) => return refused(&fe),
    };
    let org_id = org.id;
    let written = state
        .db(move |c| breaches::create_breach(c, org_id, &actor, entered))
        .await;
    let to = |_: &_| format!("/admin/orgs/{}/breaches?saved=created", org.slug);
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Refused(fe) => refused(&fe),
        Answer::Stale(e) => Err(e.into()),
    }
}

/// Breach `raw_id` as its form shows it (404 if there is none).
async fn load_breach(state: &AppState, org: &Org, raw_id: &str) -> Result<BreachForm, PageError> {
    let id = api::parse_id(raw_id, "breach")?;
    let org_id = org.id;
    let (b, slug) = state
        .db(move |c| {
            let b = records::get::<Breach>(c, org_id, id)?;
            let slug = match b.record.person_id {
                Some(p) => Some(crate::store::people::by_id(c, org_id, p)?.slug),
                None => None,
            };
            Ok((b, slug))
        })
        .await?;
    let r = &b.record;
    Ok(BreachForm {
        occurred_on: r.occurred_on.to_string(),
        identified_on: r.identified_on.to_string(),
        summary: r.summary.clone(),
        action_taken: r.action_taken.clone(),
        reported_to: r.reported_to.clone().unwrap_or_default(),
        person: slug.unwrap_or_default(),
        version: b.version.to_string(),
    })
}

pub async fn amend_breach_form(state: Data, signed_in: SignedIn, path: RecordPath) -> Page {
    let org = load_org(&state, &path.0).await?;
    let form = load_breach(&state, &org, &path.1).await?;
    let people = people(&state, &org).await?;
    let id = api::parse_id(&path.1, "breach")?;
    Ok(breach_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        &people,
        Some(id),
        &form,
        &[],
    ))
}

pub async fn amend_breach(state: Data, path: RecordPath, posted: CsrfForm<BreachForm>) -> Page {
    let org = load_org(&state, &path.0).await?;
    let actor = caller(&posted.session.principal)
        .governance(org.id)?
        .actor();
    let current = load_breach(&state, &org, &path.1).await?;
    let id = api::parse_id(&path.1, "breach")?;
    let people = people(&state, &org).await?;
    let mut form = posted.form;
    let show = |status: StatusCode, form: &BreachForm, errors: &[FieldError]| {
        breach_page(
            status,
            &posted.session,
            &org,
            &people,
            Some(id),
            form,
            errors,
        )
    };
    if let Err(fe) = BreachInput::parse(&form.input(), today()) {
        let errors = form_errors(&fe, &BREACH_FIELDS);
        return Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &form, &errors));
    }
    let (org_id, version, input) = (org.id, version_of(&form.version), form.input());
    let written = state
        .db(move |c| {
            breaches::amend_breach(c, org_id, &actor, id, version, |_, _, today| {
                BreachInput::parse(&input, today)
            })
        })
        .await;
    let to = |_: &_| format!("/admin/orgs/{}/breaches?saved=amended", org.slug);
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Stale(_) => {
            form.version = current.version;
            Ok(show(StatusCode::CONFLICT, &form, &stale("breach")))
        }
        Answer::Refused(fe) => {
            let errors = form_errors(&fe, &BREACH_FIELDS);
            Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &form, &errors))
        }
    }
}
