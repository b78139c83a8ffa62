//! Nil returns and annual confirmations in the web app: one form for both, through the
//! store call the JSON API uses (one audit entry each). A declarant makes them for their
//! own person only.

use super::context::{load_org, org_view, see_other, today};
use super::entry_form::{declarable, form_person};
use super::form::field_messages;
use super::{page, AccountView, CsrfForm, FieldError, SignedIn};
use crate::domain::people::Person;
use crate::domain::returns::ReturnKind;
use crate::domain::{FieldErrors, Input};
use crate::store::orgs::Org;
use crate::store::users::Session;
use crate::web::admin::{Data, OrgPath, Page};
use crate::web::api;
use crate::web::auth::governs;
use crate::web::error::ApiError;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

/// The return form as posted.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ReturnForm {
    person: String,
    kind: String,
    made_on: String,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    saved: Option<String>,
    /// The person to preselect (governance leads; a declarant's is always their own).
    person: Option<String>,
}

/// The form with the entries a confirmation for the chosen person confirms.
fn confirming_page(
    session: &Session,
    org: &Org,
    people: &[Person],
    form: &ReturnForm,
    saved: Option<&str>,
    entries: &[Value],
) -> HttpResponse {
    form_page_with(
        StatusCode::OK,
        session,
        org,
        people,
        form,
        &[],
        saved,
        Some(entries),
    )
}

fn form_page(
    status: StatusCode,
    session: &Session,
    org: &Org,
    people: &[Person],
    form: &ReturnForm,
    errors: &[FieldError],
    saved: Option<&str>,
) -> HttpResponse {
    form_page_with(status, session, org, people, form, errors, saved, None)
}

#[allow(clippy::too_many_arguments)]
fn form_page_with(
    status: StatusCode,
    session: &Session,
    org: &Org,
    people: &[Person],
    form: &ReturnForm,
    errors: &[FieldError],
    saved: Option<&str>,
    entries: Option<&[Value]>,
) -> HttpResponse {
    let fixed = (!governs(&session.principal, org.id))
        .then(|| people.first())
        .flatten()
        .map(|x| json!({"slug": x.slug, "name": x.fields.name, "position": x.fields.position}));
    let options: Vec<Value> = people
        .iter()
        .map(|x| json!({"slug": x.slug, "name": x.fields.name, "position": x.fields.position, "selected": x.slug == form.person}))
        .collect();
    let saved = match saved {
        Some("nil_return") => Some("The nil return was recorded"),
        Some("confirmation") => Some("The annual confirmation was recorded"),
        // A declarant's return counts once a governance lead accepts it.
        Some("nil_return-sent") => Some("Your nil return was sent for review"),
        Some("confirmation-sent") => {
            Some("Your annual confirmation was sent for review: it counts once a governance lead accepts it")
        }
        _ => None,
    };
    page(
        status,
        "admin-return-form",
        &json!({
            "title": "Make a nil return or annual confirmation", "account": AccountView::of(session),
            "errors": errors, "org": org_view(org), "fixed_person": fixed, "people": options,
            "values": {"made_on": form.made_on, "nil": form.kind == "nil_return",
                       "confirmation": form.kind == "confirmation"},
            "e": field_messages(errors, &["person", "kind", "made_on"]), "saved": saved,
            "confirming": entries.map(|e| json!({"entries": e})),
        }),
    )
}

pub async fn new_form(
    state: Data,
    signed_in: SignedIn,
    path: OrgPath,
    q: web::Query<DoneQuery>,
) -> Page {
    let org = load_org(&state, &path).await?;
    let people = declarable(&state, &signed_in.0.principal, &org).await?;
    let mut form = ReturnForm {
        made_on: today().to_string(),
        ..Default::default()
    };
    if !governs(&signed_in.0.principal, org.id) {
        form.person = people[0].slug.clone();
    } else if let Some(slug) = q.person.as_deref() {
        // Chosen from the list of confirmations due; an unknown slug selects nobody.
        form.person = slug.to_owned();
    }
    let mut shown = form_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        &people,
        &form,
        &[],
        q.saved.as_deref(),
    );
    // What a confirmation confirms: the person's current entries, listed on the form.
    if let Some(x) = people.iter().find(|x| x.slug == form.person) {
        let (org_id, person_id) = (org.id, x.id);
        let base = format!("/admin/orgs/{}", org.slug);
        let entries = state
            .db(move |c| confirmed_entries(c, org_id, person_id, &base))
            .await?;
        shown = confirming_page(
            &signed_in.0,
            &org,
            &people,
            &form,
            q.saved.as_deref(),
            &entries,
        );
    }
    Ok(shown)
}

/// The current entries of person `person_id` that an annual confirmation confirms.
fn confirmed_entries(
    c: &mut crate::store::AnyConnection,
    org_id: i64,
    person_id: i64,
    base: &str,
) -> Result<Vec<Value>, crate::store::StoreError> {
    use crate::domain::entries::EntryState;
    use crate::store::entries::Register;
    let active = |p: i64, s: EntryState| p == person_id && s == EntryState::Active;
    let mut out = Vec::new();
    for v in crate::store::declarations::Declarations::current(c, org_id)? {
        if active(v.entry.person_id, v.entry.standing.state) {
            out.push(
                json!({"what": v.entry.fields.description, "kind": "Declaration",
                            "href": format!("{base}/declarations/{}", v.entry.id)}),
            );
        }
    }
    for v in crate::store::gifts::Gifts::current(c, org_id)? {
        if active(v.entry.person_id, v.entry.standing.state) {
            out.push(
                json!({"what": format!("{}: {}", v.entry.fields.giver, v.entry.fields.description),
                            "kind": "Gift or hospitality",
                            "href": format!("{base}/gifts/{}", v.entry.id)}),
            );
        }
    }
    Ok(out)
}

pub async fn create(state: Data, path: OrgPath, posted: CsrfForm<ReturnForm>) -> Page {
    let org = load_org(&state, &path).await?;
    let p = posted.session.principal.clone();
    let mut form = posted.form;
    let mut fe = FieldErrors::default();
    let (people, person) = form_person(
        &state,
        &p,
        &org,
        &mut form.person,
        "Select the person the return is for",
        &mut fe,
    )
    .await?;
    let kind = ReturnKind::parse(form.kind.trim());
    if kind.is_none() {
        fe.add(
            "kind",
            "Select whether this is a nil return or an annual confirmation",
        );
    }
    let made_on = crate::domain::returns::Return::parse_date(
        &Input::from_pairs([
            ("person", form.person.as_str()),
            ("made_on", form.made_on.as_str()),
        ]),
        today(),
    );
    if let Err(e) = &made_on {
        e.0.iter()
            .for_each(|(k, v)| fe.add(k, super::form::friendly(k, "Date made", v)));
    }
    let show = |status: StatusCode, fe: &FieldErrors| {
        let errors: Vec<FieldError> = [
            ("person", "person"),
            ("kind", "kind"),
            ("made_on", "made_on"),
        ]
        .iter()
        .filter_map(|(k, field)| {
            fe.0.get(*k).map(|m| FieldError {
                field: field.to_string(),
                message: m.clone(),
            })
        })
        .collect();
        form_page(status, &posted.session, &org, &people, &form, &errors, None)
    };
    if !fe.is_empty() {
        return Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &fe));
    }
    let (kind, made_on, person) = (
        kind.expect("no errors"),
        made_on.expect("no errors"),
        person.expect("no errors"),
    );
    let (org_id, slug, actor) = (org.id, person.slug.clone(), p.actor());
    let review = crate::web::auth::review_of(&p, org.id);
    let written = state
        .db(move |c| crate::store::returns::create(c, org_id, &actor, &slug, kind, made_on, review))
        .await;
    match written {
        Ok(committed) => {
            api::publish(&state, &committed.org.slug, committed.touched).await;
            let sent = match committed.value.review {
                crate::domain::entries::Review::Accepted => "",
                _ => "-sent",
            };
            Ok(see_other(format!(
                "/admin/orgs/{}/returns/new?saved={}{sent}",
                org.slug,
                kind.code()
            )))
        }
        Err(ApiError::Invalid(fe)) => {
            // A nil return for someone with current declarations: said against the person.
            let mut shown = FieldErrors::default();
            for (k, m) in &fe.0 {
                if k == "made_on" {
                    shown.add(k, super::form::capitalise(m));
                } else {
                    shown.add("person", format!("The person {m}"));
                }
            }
            Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &shown))
        }
        Err(e) => Err(e.into()),
    }
}
