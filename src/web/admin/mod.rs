//! The web app at `/admin`: server-rendered pages in the NHS.UK look, no JavaScript.
//! This module holds what every page shares: the templates, the signed-in session as an
//! extractor, forms whose CSRF token is checked before the handler sees them, and how
//! failures become pages.

mod breaches;
pub mod committees;
pub mod confirmations;
mod context;
mod decision_form;
pub mod decisions;
pub mod declarations;
pub mod editions;
mod entries;
mod entry_form;
pub mod form;
pub mod gifts;
pub mod gp_earnings;
pub mod home;
mod home_own;
pub mod import;
pub mod paging;
pub mod people;
pub mod people_standing;
mod registers;
pub mod returns;
pub mod review;
pub mod sign_in;
pub mod upload;

use super::auth::{credential, Credential};
use super::error::ApiError;
use super::session::same_secret;
use crate::store::users::Session;
use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use handlebars::Handlebars;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

const TEMPLATES: &[(&str, &str)] = &[
    (
        "admin-field",
        include_str!("../../../templates/admin/field.hbs"),
    ),
    (
        "admin-saved",
        include_str!("../../../templates/admin/saved.hbs"),
    ),
    (
        "admin-history",
        include_str!("../../../templates/admin/history.hbs"),
    ),
    (
        "admin-standing-forms",
        include_str!("../../../templates/admin/standing-forms.hbs"),
    ),
    (
        "admin-gift",
        include_str!("../../../templates/admin/gift.hbs"),
    ),
    (
        "admin-decisions",
        include_str!("../../../templates/admin/decisions.hbs"),
    ),
    (
        "admin-decision",
        include_str!("../../../templates/admin/decision.hbs"),
    ),
    (
        "admin-decision-form",
        include_str!("../../../templates/admin/decision-form.hbs"),
    ),
    (
        "admin-breaches",
        include_str!("../../../templates/admin/breaches.hbs"),
    ),
    (
        "admin-breach-form",
        include_str!("../../../templates/admin/breach-form.hbs"),
    ),
    (
        "admin-gp-earnings",
        include_str!("../../../templates/admin/gp-earnings.hbs"),
    ),
    (
        "admin-layout",
        include_str!("../../../templates/admin/layout.hbs"),
    ),
    (
        "admin-error-summary",
        include_str!("../../../templates/admin/error-summary.hbs"),
    ),
    (
        "admin-sign-in",
        include_str!("../../../templates/admin/sign-in.hbs"),
    ),
    (
        "admin-home",
        include_str!("../../../templates/admin/home.hbs"),
    ),
    (
        "admin-error",
        include_str!("../../../templates/admin/error.hbs"),
    ),
    (
        "admin-declarations",
        include_str!("../../../templates/admin/declarations.hbs"),
    ),
    (
        "admin-declaration-form",
        include_str!("../../../templates/admin/declaration-form.hbs"),
    ),
    (
        "admin-declaration",
        include_str!("../../../templates/admin/declaration.hbs"),
    ),
    (
        "admin-people",
        include_str!("../../../templates/admin/people.hbs"),
    ),
    (
        "admin-person-form",
        include_str!("../../../templates/admin/person-form.hbs"),
    ),
    (
        "admin-person-standing",
        include_str!("../../../templates/admin/person-standing.hbs"),
    ),
    (
        "admin-return-form",
        include_str!("../../../templates/admin/return-form.hbs"),
    ),
    (
        "admin-gifts",
        include_str!("../../../templates/admin/gifts.hbs"),
    ),
    (
        "admin-gift-form",
        include_str!("../../../templates/admin/gift-form.hbs"),
    ),
    (
        "admin-import",
        include_str!("../../../templates/admin/import.hbs"),
    ),
    (
        "admin-review",
        include_str!("../../../templates/admin/review.hbs"),
    ),
    (
        "admin-committees",
        include_str!("../../../templates/admin/committees.hbs"),
    ),
    (
        "admin-committee",
        include_str!("../../../templates/admin/committee.hbs"),
    ),
    (
        "admin-committee-members",
        include_str!("../../../templates/admin/committee-members.hbs"),
    ),
    (
        "admin-form",
        include_str!("../../../templates/admin/form.hbs"),
    ),
    (
        "admin-meeting",
        include_str!("../../../templates/admin/meeting.hbs"),
    ),
    // The public site's pagination nav, shared so both look and read the same.
    (
        "admin-pagination",
        include_str!("../../../templates/pagination.hbs"),
    ),
    (
        "admin-confirmations",
        include_str!("../../../templates/admin/confirmations.hbs"),
    ),
    (
        "admin-review-forms",
        include_str!("../../../templates/admin/review-forms.hbs"),
    ),
];

fn templates() -> &'static Handlebars<'static> {
    static HB: OnceLock<Handlebars<'static>> = OnceLock::new();
    HB.get_or_init(|| {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        crate::publish::helpers::register(&mut hb);
        for &(name, text) in TEMPLATES {
            hb.register_template_string(name, text)
                .expect("the built-in admin templates parse");
        }
        hb
    })
}

/// Render a page with `status`. Every page's data has `title`, `account` and `errors`.
pub fn page(status: StatusCode, template: &str, data: &impl Serialize) -> HttpResponse {
    match templates().render(template, data) {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(html),
        Err(e) => PageError::Internal(format!("rendering {template}: {e}")).error_response(),
    }
}

/// The signed-in account as the layout shows it (with the token its sign-out form needs).
#[derive(Serialize)]
pub struct AccountView {
    pub email: String,
    pub role: &'static str,
    pub csrf_token: String,
}

impl AccountView {
    pub fn of(s: &Session) -> AccountView {
        AccountView {
            email: s.principal.email.clone(),
            role: s.principal.role.code(),
            csrf_token: s.csrf_token.clone(),
        }
    }
}

pub use super::api::{Data, OrgPath, RecordPath};
pub use form::FieldError;

/// A page handler's answer: a page, a redirect, or a [`PageError`] shown as a page.
pub type Page = Result<HttpResponse, PageError>;

/// A request the web app refuses, answered as a page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    #[error("sign in first")]
    SignIn,
    #[error("{0}")]
    Forbidden(String),
    #[error("the form's security token is missing or out of date")]
    Csrf,
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("internal error")]
    Internal(String),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::NotFound(what) => PageError::NotFound(what),
            ApiError::Unauthorized => PageError::SignIn,
            ApiError::Forbidden(why) => PageError::Forbidden(why),
            ApiError::BadRequest(why) => PageError::BadRequest(why),
            other => PageError::Internal(super::error::error_chain(&other)),
        }
    }
}

impl From<std::io::Error> for PageError {
    fn from(e: std::io::Error) -> Self {
        PageError::Internal(e.to_string())
    }
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            PageError::SignIn => StatusCode::SEE_OTHER,
            PageError::Forbidden(_) | PageError::Csrf => StatusCode::FORBIDDEN,
            PageError::NotFound(_) => StatusCode::NOT_FOUND,
            PageError::BadRequest(_) => StatusCode::BAD_REQUEST,
            PageError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (title, message, link) = match self {
            PageError::SignIn => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, "/admin/sign-in"))
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .finish()
            }
            PageError::Forbidden(why) => (
                "You cannot do this",
                format!("Your account does not allow this: {why}."),
                ("/admin", "Go to your account"),
            ),
            PageError::Csrf => (
                "This form has expired",
                "The form was open too long, or was not sent from this service, so nothing was changed.".to_owned(),
                ("/admin", "Go back and try again"),
            ),
            PageError::NotFound(_) => (
                "Page not found",
                "If you typed the web address, check it is correct.".to_owned(),
                ("/admin", "Go to your account"),
            ),
            PageError::BadRequest(_) => (
                "Sorry, there is a problem with this request",
                "What was sent could not be understood, so nothing was changed.".to_owned(),
                ("/admin", "Go to your account"),
            ),
            PageError::Internal(chain) => {
                tracing::error!(error = %chain, "page failed");
                (
                    "Sorry, there is a problem with the service",
                    "Try again later. Nothing you sent has been lost if it was shown as saved.".to_owned(),
                    ("/admin", "Go to your account"),
                )
            }
        };
        let data = json!({
            "title": title, "message": message, "account": null, "errors": [],
            "link": {"href": link.0, "label": link.1},
        });
        match templates().render("admin-error", &data) {
            Ok(html) => HttpResponse::build(self.status_code())
                .content_type("text/html; charset=utf-8")
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .body(html),
            Err(_) => HttpResponse::build(self.status_code()).body(title),
        }
    }
}

/// The signed-in session of a page request. The web app signs in with sessions only;
/// without one the browser is sent to the sign-in page.
pub struct SignedIn(pub Session);

impl FromRequest for SignedIn {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<SignedIn, PageError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            match credential(&req).await? {
                Ok(Some(Credential::Session(s))) => Ok(SignedIn(s)),
                _ => Err(PageError::SignIn),
            }
        })
    }
}

/// Most a form body may hold.
const FORM_LIMIT: usize = 64 * 1024;

/// A form body (`application/x-www-form-urlencoded`) decoded into `T`. Every name and
/// value must be UTF-8 once percent-decoded: a browser sends nothing else, and decoding
/// lossily would store U+FFFD in place of what was typed, so anything else is refused
/// with 400 before a field is read.
pub(crate) fn form_body<T: DeserializeOwned>(body: &[u8]) -> Result<T, PageError> {
    let not_text = || PageError::BadRequest("the form's fields are not UTF-8 text".into());
    for pair in body.split(|&b| b == b'&') {
        let plus_as_space: Vec<u8> = pair
            .iter()
            .map(|&b| if b == b'+' { b' ' } else { b })
            .collect();
        let decoded: std::borrow::Cow<[u8]> =
            percent_encoding::percent_decode(&plus_as_space).into();
        std::str::from_utf8(&decoded).map_err(|_| not_text())?;
    }
    serde_urlencoded::from_bytes(body).map_err(|e| PageError::BadRequest(e.to_string()))
}

/// A form posted by a signed-in session whose `csrf_token` field matches the session's.
/// Anything else is refused (403) before the handler runs, so it changes nothing.
pub struct CsrfForm<T> {
    pub session: Session,
    pub form: T,
}

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<CsrfForm<T>, PageError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let body = actix_web::web::Bytes::from_request(&req, payload);
        Box::pin(async move {
            let SignedIn(session) = SignedIn::from_request(&req, &mut Payload::None).await?;
            let body = body
                .await
                .map_err(|e| PageError::BadRequest(e.to_string()))?;
            if body.len() > FORM_LIMIT {
                return Err(PageError::BadRequest("the form is too large".into()));
            }
            let fields: Vec<(String, String)> = form_body(&body)?;
            let sent = fields
                .iter()
                .find(|(k, _)| k == "csrf_token")
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            if !same_secret(sent, &session.csrf_token) {
                return Err(PageError::Csrf);
            }
            let form = form_body(&body)?;
            Ok(CsrfForm { session, form })
        })
    }
}
