//! People in the web app: the list (with each person's declarations), and the forms
//! with which governance leads add a person and amend one, through the same store calls
//! as the JSON API.

use super::context::{caller, load_org, org_view, see_other};
use super::form::{capitalise, field_messages};
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::domain::people::{Person, PersonFields, PersonStanding};
use crate::domain::{FieldErrors, Input};
use crate::store::entries::Register;
use crate::store::orgs::Org;
use crate::store::users::Session;
use crate::web::admin::{Data, OrgPath, Page, RecordPath};
use crate::web::api;
use crate::web::auth::governs;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// The people list's query: its page, and the person just added (with the tag that
/// vouches the service sent the browser here after adding them).
#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<String>,
    added: Option<String>,
    tag: Option<String>,
}

pub async fn list(
    state: Data,
    signed_in: SignedIn,
    path: OrgPath,
    q: web::Query<ListQuery>,
) -> Page {
    let org = load_org(&state, &path).await?;
    let page_no = super::paging::page_number(q.page.as_deref())?;
    let p = signed_in.0.principal.clone();
    let org_id = org.id;
    let (people, versions) = state
        .db(move |c| {
            Ok((
                crate::store::people::all(c, org_id)?,
                crate::store::declarations::Declarations::current(c, org_id)?,
            ))
        })
        .await?;
    let who = caller(&p);
    let may_govern = governs(&p, org.id);
    let added = match (&q.added, &q.tag) {
        (Some(slug), Some(tag)) => state.sessions.flash(&signed_in.0.csrf_token, slug, tag),
        _ => None,
    }
    .and_then(|slug| people.iter().find(|x| x.slug == slug))
    .map(|x| {
        json!({"name": x.fields.name,
               "href": format!("/admin/orgs/{}/declarations?person={}", org.slug, x.slug),
               "declare_href": format!("/admin/orgs/{}/declarations/new?person={}", org.slug, x.slug)})
    });
    let name_of = |id: i64| {
        people
            .iter()
            .find(|x| x.id == id)
            .map(|x| x.fields.name.clone())
    };
    let rows: Vec<Value> = people
        .iter()
        .filter(|x| who.reads_person(org.id, x.id))
        .map(|x| {
            let n = versions
                .iter()
                .filter(|v| v.entry.person_id == x.id)
                .count();
            json!({
                "slug": x.slug, "name": x.fields.name, "position": x.fields.position,
                "decision_making": x.fields.decision_making, "declarations": n,
                "declarations_href": format!("/admin/orgs/{}/declarations?person={}", org.slug, x.slug),
                "amend_href": (may_govern && x.standing.is_active()).then(|| format!("/admin/orgs/{}/people/{}/amend", org.slug, x.slug)),
                "retire_href": (may_govern && x.standing.is_active()).then(|| format!("/admin/orgs/{}/people/{}/retire", org.slug, x.slug)),
                "retired": matches!(x.standing, PersonStanding::Retired { .. }),
                "merged_into": x.standing.merged_into().and_then(name_of),
            })
        })
        .collect();
    let (rows, pagination) = super::paging::paginate(
        rows,
        page_no,
        &format!("/admin/orgs/{}/people", org.slug),
        &[],
    )?;
    Ok(page(
        StatusCode::OK,
        "admin-people",
        &json!({
            "title": format!("People – {}", org.name), "account": AccountView::of(&signed_in.0),
            "errors": [], "org": org_view(&org), "rows": rows, "may_add": may_govern,
            "pagination": pagination, "added": added,
        }),
    ))
}

/// The person form as posted.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct PersonForm {
    name: String,
    position: String,
    decision_making: String,
    version: String,
    /// "true" once the clerk has confirmed a similarly named person is someone else.
    confirm_similar: String,
}

const FIELDS: [(&str, &str); 3] = [
    ("name", "Name"),
    ("position", "Position"),
    ("decision_making", "Decision-making staff"),
];

impl PersonForm {
    fn input(&self) -> Input {
        let mut m = Map::new();
        for (k, v) in [
            ("name", &self.name),
            ("position", &self.position),
            ("decision_making", &self.decision_making),
        ] {
            m.insert(k.to_owned(), super::form::text_or_null(v));
        }
        Input::from_json(Value::Object(m)).expect("an object")
    }
}

fn errors_of(fe: &FieldErrors) -> Vec<FieldError> {
    let mut out: Vec<FieldError> = FIELDS
        .iter()
        .filter_map(|(field, label)| {
            fe.0.get(*field).map(|m| FieldError {
                field: field.to_string(),
                message: match (*field, m.as_str()) {
                    ("name", "is required") => "Enter the person's name".into(),
                    ("position", "is required") => "Enter the person's position".into(),
                    _ => format!("{label} {m}"),
                },
            })
        })
        .collect();
    for (k, m) in &fe.0 {
        if !FIELDS.iter().any(|(f, _)| f == k) {
            out.push(FieldError {
                field: "name".into(),
                message: capitalise(m),
            });
        }
    }
    out
}

fn form_page(
    status: StatusCode,
    session: &Session,
    org: &Org,
    amending: Option<&Person>,
    form: &PersonForm,
    errors: &[FieldError],
) -> HttpResponse {
    form_page_similar(status, session, org, amending, form, errors, &[])
}

/// The person form; with `similar`, the step that asks whether the person being added
/// is one of these people already here.
fn form_page_similar(
    status: StatusCode,
    session: &Session,
    org: &Org,
    amending: Option<&Person>,
    form: &PersonForm,
    errors: &[FieldError],
    similar: &[Person],
) -> HttpResponse {
    let similar: Vec<Value> = similar
        .iter()
        .map(|x| {
            json!({"name": x.fields.name, "position": x.fields.position,
                   "href": format!("/admin/orgs/{}/declarations?person={}", org.slug, x.slug)})
        })
        .collect();
    let (title, action) = match amending {
        None => (
            "Add a person".to_owned(),
            format!("/admin/orgs/{}/people/new", org.slug),
        ),
        Some(p) => (
            format!("Amend {}", p.fields.name),
            format!("/admin/orgs/{}/people/{}/amend", org.slug, p.slug),
        ),
    };
    let dm = form.decision_making.trim();
    page(
        status,
        "admin-person-form",
        &json!({
            "title": title, "account": AccountView::of(session), "errors": errors,
            "org": org_view(org), "action": action, "amending": amending.is_some(),
            "back": format!("/admin/orgs/{}/people", org.slug),
            "values": {"name": form.name, "position": form.position, "version": form.version,
                       "dm_yes": dm == "true", "dm_no": dm == "false"},
            "e": field_messages(errors, &["name", "position", "decision_making", "current-version"]),
            "similar": similar,
        }),
    )
}

pub async fn new_form(state: Data, signed_in: SignedIn, path: OrgPath) -> Page {
    let org = load_org(&state, &path).await?;
    caller(&signed_in.0.principal).governance(org.id)?;
    let form = PersonForm {
        decision_making: "true".into(),
        ..Default::default()
    };
    Ok(form_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        None,
        &form,
        &[],
    ))
}

pub async fn create(state: Data, path: OrgPath, posted: CsrfForm<PersonForm>) -> Page {
    let org = load_org(&state, &path).await?;
    let p = posted.session.principal.clone();
    caller(&p).governance(org.id)?;
    let form = posted.form;
    let fields = match PersonFields::parse(&form.input()) {
        Ok(f) => f,
        Err(fe) => {
            return Ok(form_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &posted.session,
                &org,
                None,
                &form,
                &errors_of(&fe),
            ))
        }
    };
    let confirmed = form.confirm_similar == "true";
    let (org_id, actor, name) = (org.id, p.actor(), fields.name.clone());
    if !confirmed {
        let similar = state
            .db(move |c| crate::store::people::similar_to(c, org_id, &name))
            .await?;
        if !similar.is_empty() {
            return Ok(form_page_similar(
                StatusCode::OK,
                &posted.session,
                &org,
                None,
                &form,
                &[],
                &similar,
            ));
        }
    }
    let written = state
        .db(move |c| crate::store::people::add(c, org_id, &actor, fields, confirmed))
        .await;
    let committed = match written {
        Ok(committed) => committed,
        Err(ApiError::Invalid(fe)) => {
            return Ok(form_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &posted.session,
                &org,
                None,
                &form,
                &errors_of(&fe),
            ))
        }
        Err(e) => return Err(e.into()),
    };
    api::publish(&state, &committed.org.slug, committed.touched).await;
    let slug = committed.value.slug;
    let tag = state.sessions.flash_tag(&posted.session.csrf_token, &slug);
    Ok(see_other(format!(
        "/admin/orgs/{}/people?added={slug}&tag={tag}",
        org.slug
    )))
}

async fn person(state: &AppState, org: &Org, slug: &str) -> Result<Person, PageError> {
    let (org_id, slug) = (org.id, slug.to_owned());
    Ok(state
        .db(move |c| crate::store::people::by_slug(c, org_id, &slug))
        .await?)
}

pub async fn amend_form(state: Data, signed_in: SignedIn, path: RecordPath) -> Page {
    let org = load_org(&state, &path.0).await?;
    caller(&signed_in.0.principal).governance(org.id)?;
    let x = person(&state, &org, &path.1).await?;
    let form = PersonForm {
        name: x.fields.name.clone(),
        position: x.fields.position.clone(),
        decision_making: x.fields.decision_making.to_string(),
        version: x.version.to_string(),
        confirm_similar: String::new(),
    };
    Ok(form_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        Some(&x),
        &form,
        &[],
    ))
}

pub async fn amend(state: Data, path: RecordPath, posted: CsrfForm<PersonForm>) -> Page {
    let org = load_org(&state, &path.0).await?;
    let p = posted.session.principal.clone();
    caller(&p).governance(org.id)?;
    let x = person(&state, &org, &path.1).await?;
    let mut form = posted.form;
    let input = x.fields.to_input().merged(form.input());
    if let Err(fe) = PersonFields::parse(&input) {
        return Ok(form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &posted.session,
            &org,
            Some(&x),
            &form,
            &errors_of(&fe),
        ));
    }
    let version = form.version.trim().parse::<i64>().unwrap_or(0);
    let (org_id, actor, slug, changes) = (org.id, p.actor(), x.slug.clone(), form.input());
    let written = state
        .db(move |c| crate::store::people::amend(c, org_id, &actor, &slug, version, changes))
        .await;
    match written {
        Ok(committed) => {
            api::publish(&state, &committed.org.slug, committed.touched).await;
            Ok(see_other(format!("/admin/orgs/{}/people", org.slug)))
        }
        Err(ApiError::Conflict(_)) => {
            form.version = x.version.to_string();
            let errors = [FieldError {
                field: "current-version".into(),
                message: format!(
                    "This person was changed by someone else while you were working on it. Nothing you entered was saved. Their record now says: {}, {}, {}. Send your changes again to replace it",
                    x.fields.name,
                    x.fields.position,
                    if x.fields.decision_making { "decision-making" } else { "not decision-making" }
                ),
            }];
            Ok(form_page(
                StatusCode::CONFLICT,
                &posted.session,
                &org,
                Some(&x),
                &form,
                &errors,
            ))
        }
        Err(ApiError::Invalid(fe)) => Ok(form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &posted.session,
            &org,
            Some(&x),
            &form,
            &errors_of(&fe),
        )),
        Err(e) => Err(e.into()),
    }
}
