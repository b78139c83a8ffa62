//! Import of a register from CSV in the web app: the CSV is pasted into a form, checked
//! row by row through [`crate::import`], and written only if every row is valid.

use super::declarations::{field_messages, load_org, org_view, see_other, today};
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::import::{ImportError, Kind};
use crate::store::orgs::Org;
use crate::store::users::Session;
use crate::web::api;
use crate::web::auth::governs;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::json;

/// The import form as posted.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ImportForm {
    kind: String,
    csv: String,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    saved: Option<String>,
}

fn form_page(
    status: StatusCode,
    session: &Session,
    org: &Org,
    form: &ImportForm,
    errors: &[FieldError],
    problems: &[String],
    saved: Option<&str>,
) -> HttpResponse {
    page(
        status,
        "admin-import",
        &json!({
            "title": "Import a register from CSV", "account": AccountView::of(session),
            "errors": errors, "org": org_view(org), "problems": problems,
            "values": {"csv": form.csv, "interests": form.kind == "interests",
                       "gifts": form.kind == "gifts", "decisions": form.kind == "decisions"},
            "e": field_messages(errors, &["kind", "csv"]), "saved": saved,
        }),
    )
}

fn only_governance(session: &Session, org: &Org) -> Result<(), PageError> {
    if governs(&session.principal, org.id) {
        Ok(())
    } else {
        Err(PageError::Forbidden(
            "only governance leads and admins import registers".into(),
        ))
    }
}

pub async fn new_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    only_governance(&signed_in.0, &org)?;
    Ok(form_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        &ImportForm::default(),
        &[],
        &[],
        q.saved.as_deref(),
    ))
}

pub async fn create(
    state: web::Data<AppState>,
    path: web::Path<String>,
    posted: CsrfForm<ImportForm>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let session = &posted.session;
    only_governance(session, &org)?;
    let form = posted.form.clone();
    let refuse = |field: &'static str, message: String, problems: &[String]| {
        form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            session,
            &org,
            &form,
            &[FieldError { field, message }],
            problems,
            None,
        )
    };
    let kind = match form.kind.as_str() {
        "interests" => Kind::Interests,
        "gifts" => Kind::Gifts,
        "decisions" => Kind::Decisions,
        _ => return Ok(refuse("kind", "Select what the file holds".into(), &[])),
    };
    if form.csv.trim().is_empty() {
        return Ok(refuse("csv", "Paste the CSV, header row first".into(), &[]));
    }
    let (slug, actor, data) = (
        org.slug.clone(),
        session.principal.actor(),
        form.csv.clone().into_bytes(),
    );
    let result = state
        .db(move |c| {
            Ok(crate::import::import(
                c,
                &slug,
                kind,
                &actor,
                &data,
                today(),
            ))
        })
        .await?;
    match result {
        Ok(done) => {
            for t in &done.touched {
                api::publish(&state, &org.slug, *t).await;
            }
            let seqs = done
                .seqs
                .map(|(a, b)| format!(" (audit seq {a}–{b})"))
                .unwrap_or_default();
            let saved = format!("Imported {} {}{seqs}", done.count, kind.noun());
            Ok(see_other(format!(
                "/admin/orgs/{}/import?saved={}",
                org.slug,
                urlencoding(&saved)
            )))
        }
        Err(ImportError::Invalid(problems)) => Ok(refuse(
            "csv",
            format!(
                "{} problem(s) found; nothing was imported. Fix these rows and try again:",
                problems.len()
            ),
            &problems,
        )),
        Err(e @ ImportError::Partial { .. }) => {
            api::publish(&state, &org.slug, crate::store::Touched::Org).await;
            Ok(refuse("csv", e.to_string(), &[]))
        }
        Err(ImportError::Store(e)) => Err(crate::web::error::ApiError::from(e).into()),
        Err(e) => Ok(refuse("csv", e.to_string(), &[])),
    }
}

/// Percent-encode a message for a query string.
fn urlencoding(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|q| q.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}
