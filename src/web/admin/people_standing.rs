//! A person's record added by mistake, in the web app: the page with the two ways to
//! take it off the register, retiring it (kept in the chain) or merging it into the
//! right person's record (their entries follow), each with its reason.

use super::context::{caller, load_org, org_view, see_other};
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::domain::people::{parse_reason, Person};
use crate::domain::{FieldErrors, Input};
use crate::store::orgs::Org;
use crate::store::users::Session;
use crate::web::admin::form::field_messages;
use crate::web::admin::{Data, Page, RecordPath};
use crate::web::api;
use crate::web::error::ApiError;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

/// The retire or merge form as posted.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct StandingForm {
    version: String,
    into: String,
    reason: String,
}

/// Which of the page's two forms was sent.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    Retire,
    Merge,
}

impl Which {
    /// The id of the form's reason field (the page has two).
    fn reason_field(self) -> &'static str {
        match self {
            Which::Retire => "retire-reason",
            Which::Merge => "merge-reason",
        }
    }
}

fn form_page(
    status: StatusCode,
    session: &Session,
    org: &Org,
    (x, others): (&Person, &[Person]),
    sent: Option<(Which, &StandingForm)>,
    errors: &[FieldError],
) -> HttpResponse {
    let (retire, merge) = match sent {
        Some((Which::Retire, f)) => (f.reason.as_str(), ("", "")),
        Some((Which::Merge, f)) => ("", (f.into.as_str(), f.reason.as_str())),
        None => ("", ("", "")),
    };
    let choices: Vec<Value> = others
        .iter()
        .filter(|p| p.id != x.id && p.standing.is_active())
        .map(|p| {
            json!({"slug": p.slug, "name": p.fields.name, "position": p.fields.position,
                   "selected": p.slug == merge.0})
        })
        .collect();
    let base = format!("/admin/orgs/{}/people/{}", org.slug, x.slug);
    page(
        status,
        "admin-person-standing",
        &json!({
            "title": format!("Retire or merge {}", x.fields.name),
            "account": AccountView::of(session), "errors": errors, "org": org_view(org),
            "person": {"name": x.fields.name, "position": x.fields.position, "slug": x.slug},
            "version": x.version, "retire_action": format!("{base}/retire"),
            "merge_action": format!("{base}/merge"), "choices": choices,
            "values": {"retire_reason": retire, "merge_reason": merge.1},
            "back": format!("/admin/orgs/{}/people", org.slug),
            "e": field_messages(errors, &["retire-reason", "into", "merge-reason", "person"]),
        }),
    )
}

async fn load(state: &Data, org: &Org, slug: &str) -> Result<(Person, Vec<Person>), PageError> {
    let (org_id, slug) = (org.id, slug.to_owned());
    Ok(state
        .db(move |c| {
            let x = crate::store::people::by_slug(c, org_id, &slug)?;
            Ok((x, crate::store::people::all(c, org_id)?))
        })
        .await?)
}

pub async fn retire_form(state: Data, signed_in: SignedIn, path: RecordPath) -> Page {
    let org = load_org(&state, &path.0).await?;
    caller(&signed_in.0.principal).governance(org.id)?;
    let (x, all) = load(&state, &org, &path.1).await?;
    if !x.standing.is_active() {
        return Err(PageError::NotFound(format!("person {:?} in use", x.slug)));
    }
    Ok(form_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        (&x, &all),
        None,
        &[],
    ))
}

/// The form's problems as the page shows them: the reason under its own form's field.
fn errors_of(which: Which, fe: &FieldErrors) -> Vec<FieldError> {
    fe.0.iter()
        .map(|(field, m)| {
            let (field, message) = match (field.as_str(), m.as_str()) {
                ("reason", "is required") => (
                    which.reason_field(),
                    "Enter why the record is taken off the register".to_owned(),
                ),
                ("reason", m) => (which.reason_field(), format!("The reason {m}")),
                ("into", "is required") => ("into", "Select the person to merge into".to_owned()),
                ("into", m) => ("into", format!("The person to merge into {m}")),
                (_, m) => ("person", super::form::capitalise(m)),
            };
            FieldError {
                field: field.to_owned(),
                message,
            }
        })
        .collect()
}

async fn standing(
    state: Data,
    path: RecordPath,
    posted: CsrfForm<StandingForm>,
    which: Which,
) -> Page {
    let org = load_org(&state, &path.0).await?;
    let p = posted.session.principal.clone();
    caller(&p).governance(org.id)?;
    let (x, all) = load(&state, &org, &path.1).await?;
    let form = posted.form;
    let reasons = Input::from_pairs([("reason", form.reason.trim())]);
    let mut problems = FieldErrors::default();
    if which == Which::Merge && form.into.trim().is_empty() {
        problems.add("into", "is required");
    }
    let reason = parse_reason(&reasons).map_err(|fe| problems.0.extend(fe.0));
    let again = |status, errors: &[FieldError]| {
        form_page(
            status,
            &posted.session,
            &org,
            (&x, &all),
            Some((which, &form)),
            errors,
        )
    };
    let reason = match reason {
        Ok(r) if problems.is_empty() => r,
        _ => {
            let errors = errors_of(which, &problems);
            return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, &errors));
        }
    };
    let version = form.version.trim().parse::<i64>().unwrap_or(0);
    let (org_id, actor, slug, into) = (org.id, p.actor(), x.slug.clone(), form.into.clone());
    let written = state
        .db(move |c| match which {
            Which::Retire => {
                crate::store::people::retire(c, org_id, &actor, &slug, version, reason)
            }
            Which::Merge => {
                crate::store::people::merge(c, org_id, &actor, &slug, version, &into, reason)
            }
        })
        .await;
    match written {
        Ok(committed) => {
            api::publish(&state, &committed.org.slug, committed.touched).await;
            Ok(see_other(format!("/admin/orgs/{}/people", org.slug)))
        }
        Err(ApiError::Invalid(fe)) => Ok(again(
            StatusCode::UNPROCESSABLE_ENTITY,
            &errors_of(which, &fe),
        )),
        Err(ApiError::Conflict(_)) => {
            let errors = [FieldError {
                field: "person".into(),
                message: "This person was changed by someone else while you were working on it. Nothing was saved. Check their record and send the form again".into(),
            }];
            Ok(again(StatusCode::CONFLICT, &errors))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn retire(state: Data, path: RecordPath, posted: CsrfForm<StandingForm>) -> Page {
    standing(state, path, posted, Which::Retire).await
}

pub async fn merge(state: Data, path: RecordPath, posted: CsrfForm<StandingForm>) -> Page {
    standing(state, path, posted, Which::Merge).await
}
