//! Import of a register from CSV in the web app: the CSV is uploaded as a file (a
//! spreadsheet's CSV export) or pasted into the form, checked row by row through
//! [`crate::import`], and written only if every row is valid.

use super::context::{load_org, org_view, see_other, today};
use super::form::field_messages;
use super::upload;
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::import::{ImportError, Kind};
use crate::store::orgs::Org;
use crate::store::users::Session;
use crate::web::admin::{Data, OrgPath, Page};
use crate::web::api;
use crate::web::auth::governs;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::json;

/// The import form as posted.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ImportForm {
    kind: String,
    csv: String,
}

/// Where a finished import sends the browser: the notice, and the tag with which the
/// service vouches for it ([`crate::web::session::SessionKeys::flash`]). A notice without
/// a valid tag, as in a link crafted to show someone's words as the service's, is ignored.
#[derive(Deserialize)]
pub struct DoneQuery {
    saved: Option<String>,
    tag: Option<String>,
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
                       "gifts": form.kind == "gifts", "decisions": form.kind == "decisions",
                       "gp_earnings": form.kind == "gp-earnings"},
            "e": field_messages(errors, &["kind", "file", "csv"]), "saved": saved,
            "file_limit_mb": FILE_LIMIT / (1024 * 1024),
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
    state: Data,
    signed_in: SignedIn,
    path: OrgPath,
    q: web::Query<DoneQuery>,
) -> Page {
    let org = load_org(&state, &path).await?;
    only_governance(&signed_in.0, &org)?;
    let saved = match (&q.saved, &q.tag) {
        (Some(message), Some(tag)) => state.sessions.flash(&signed_in.0.csrf_token, message, tag),
        _ => None,
    };
    Ok(form_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        &ImportForm::default(),
        &[],
        &[],
        saved,
    ))
}

/// Most an uploaded file may hold: a spreadsheet's CSV export of a large register.
pub const FILE_LIMIT: usize = 5 * 1024 * 1024;

/// The import form, pasted (`application/x-www-form-urlencoded`) or with a file
/// (`multipart/form-data`); either way its CSRF token is checked before anything else.
pub async fn create(state: Data, path: OrgPath, req: HttpRequest, payload: web::Payload) -> Page {
    let (session, form, file, too_large) = if upload::is_multipart(&req) {
        let up = upload::read(&req, payload, "file", FILE_LIMIT).await?;
        let form = ImportForm {
            kind: up.field("kind").to_owned(),
            csv: up.field("csv").to_owned(),
        };
        let too_large = up.too_large.clone();
        (up.session, form, up.file, too_large)
    } else {
        let posted = CsrfForm::<ImportForm>::from_request(&req, &mut payload.into_inner()).await?;
        (posted.session, posted.form, None, Vec::new())
    };
    let org = load_org(&state, &path).await?;
    let session = &session;
    only_governance(session, &org)?;
    let refuse_with =
        |status: StatusCode, field: &'static str, message: String, problems: &[String]| {
            form_page(
                status,
                session,
                &org,
                &form,
                &[FieldError::new(field, message)],
                problems,
                None,
            )
        };
    let refuse = |field: &'static str, message: String, problems: &[String]| {
        refuse_with(StatusCode::UNPROCESSABLE_ENTITY, field, message, problems)
    };
    if too_large.iter().any(|f| f == "file") {
        return Ok(refuse_with(
            StatusCode::PAYLOAD_TOO_LARGE,
            "file",
            format!(
                "The selected file must be smaller than {} MB; nothing was imported. Split it into smaller files, or use coi-register import",
                FILE_LIMIT / (1024 * 1024)
            ),
            &[],
        ));
    }
    if !too_large.is_empty() {
        return Ok(refuse(
            "csv",
            "The pasted CSV must be smaller than 64 KB; upload it as a file instead".into(),
            &[],
        ));
    }
    let kind = match form.kind.as_str() {
        "interests" => Kind::Interests,
        "gifts" => Kind::Gifts,
        "decisions" => Kind::Decisions,
        "gp-earnings" => Kind::GpEarnings,
        _ => return Ok(refuse("kind", "Select what the file holds".into(), &[])),
    };
    // Where the rows come from, and the field a problem with them is shown against.
    let (data, field): (Vec<u8>, &'static str) = match (&file, form.csv.trim().is_empty()) {
        (Some(_), false) => {
            return Ok(refuse(
                "file",
                "Choose a file or paste the CSV, not both".into(),
                &[],
            ))
        }
        (Some(f), true) if f.bytes.is_empty() => {
            return Ok(refuse("file", "The selected file is empty".into(), &[]))
        }
        (Some(f), true) => (f.bytes.clone(), "file"),
        (None, false) => (form.csv.clone().into_bytes(), "csv"),
        (None, true) if upload::is_multipart(&req) => {
            return Ok(refuse(
                "file",
                "Choose a CSV file to upload, or paste the CSV".into(),
                &[],
            ))
        }
        (None, true) => return Ok(refuse("csv", "Paste the CSV, header row first".into(), &[])),
    };
    let from = file
        .as_ref()
        .filter(|f| !f.filename.is_empty())
        .map(|f| format!(" from {}", f.filename))
        .unwrap_or_default();
    let (slug, actor) = (org.slug.clone(), session.principal.actor());
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
            let saved = format!("Imported {} {}{from}{seqs}", done.count, kind.noun());
            let tag = state.sessions.flash_tag(&session.csrf_token, &saved);
            Ok(see_other(format!(
                "/admin/orgs/{}/import?saved={}&tag={tag}",
                org.slug,
                urlencoding(&saved)
            )))
        }
        Err(ImportError::Invalid(problems)) => Ok(refuse(
            field,
            format!(
                "{} found; nothing was imported. Fix these rows and try again:",
                crate::domain::words::count(problems.len(), "problem", "problems")
            ),
            &problems,
        )),
        Err(e @ ImportError::Partial { .. }) => {
            api::publish(&state, &org.slug, crate::store::Touched::Org).await;
            Ok(refuse(field, e.to_string(), &[]))
        }
        Err(ImportError::Store(e)) => Err(crate::web::error::ApiError::from(e).into()),
        Err(e) => Ok(refuse(field, e.to_string(), &[])),
    }
}

/// Percent-encode a message for a query string.
fn urlencoding(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|q| q.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}
