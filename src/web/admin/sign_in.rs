//! Signing in and out. A failed sign-in never says whether the email or the password
//! was wrong, takes as long for an unknown email as for a known one, and five failures
//! for one email within 15 minutes lock that email out for 15 minutes.

use super::{page, CsrfForm, FieldError, PageError};
use crate::domain::accounts::{self, Email};
use crate::store::users;
use crate::store::{AnyConnection, StoreError};
use crate::web::admin::{Data, Page};
use crate::web::auth::{credential, Credential};
use crate::web::session::{random_id, same_secret};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::json;

const WRONG: &str = "The email address or password is not right";
const LOCKED: &str =
    "There have been too many attempts to sign in with this email address. Wait 15 minutes, then try again";

fn sign_in_page(
    status: StatusCode,
    csrf_token: &str,
    email: &str,
    errors: &[FieldError],
    signed_out: bool,
) -> HttpResponse {
    let error_for = |field: &str| {
        errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.clone())
    };
    page(
        status,
        "admin-sign-in",
        &json!({
            "title": "Sign in", "account": null, "errors": errors, "csrf_token": csrf_token,
            "email": email, "email_error": error_for("email"), "password_error": error_for("password"),
            "signed_out": signed_out,
        }),
    )
}

fn see_other(to: &str) -> actix_web::HttpResponseBuilder {
    let mut r = HttpResponse::SeeOther();
    r.insert_header((header::LOCATION, to.to_owned()))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    r
}

/// The sign-in form, with a fresh CSRF token in a short-lived signed cookie.
pub async fn show(state: Data, req: HttpRequest) -> Page {
    let current = credential(&req).await?;
    if let Ok(Some(Credential::Session(_))) = current {
        return Ok(see_other("/admin").finish());
    }
    let (token, cookie) = state.sessions.sign_in_token()?;
    let signed_out = req.query_string() == "signed-out";
    let mut response = sign_in_page(StatusCode::OK, &token, "", &[], signed_out);
    response
        .add_cookie(&cookie)
        .map_err(|e| PageError::Internal(e.to_string()))?;
    if current.is_err() {
        // A session cookie that no longer works: the browser may forget it.
        response
            .add_cookie(&state.sessions.session_removal())
            .map_err(|e| PageError::Internal(e.to_string()))?;
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// What a sign-in attempt came to.
enum Outcome {
    Locked,
    Wrong,
    SignedIn { session_id: String },
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Check a password, throttled per email: always one Argon2 verification unless the
/// email is locked out, whether or not the account exists.
fn attempt(c: &mut AnyConnection, email: &str, password: &str) -> Result<Outcome, StoreError> {
    let now = Utc::now();
    let at = rfc3339(now);
    // Failures older than this can no longer lock anything.
    let since = rfc3339(now - accounts::failure_window() - accounts::lockout());
    let earlier = users::begin_attempt(c, email, &at, &since)?;
    let times: Vec<DateTime<Utc>> = earlier
        .iter()
        .filter_map(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
        .collect();
    if accounts::locked_until(&times, now).is_some() {
        // Refused unchecked: not a failure, so waiting out the lock is enough.
        users::forget_attempt(c, email, &at)?;
        return Ok(Outcome::Locked);
    }
    let record = users::sign_in_record(c, email)?;
    let matches = users::verify_password(record.as_ref().and_then(|r| r.1.as_deref()), password);
    match record {
        Some((user_id, _, false)) if matches => {
            users::clear_attempts(c, email)?;
            let session_id = random_id().map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let expires = rfc3339(now + accounts::session_lifetime());
            users::start_session(c, user_id, &session_id, &expires)?;
            Ok(Outcome::SignedIn { session_id })
        }
        _ => Ok(Outcome::Wrong),
    }
}

/// Sign in: check the form's CSRF token, then the fields, then the password.
pub async fn submit(state: Data, req: HttpRequest, body: web::Bytes) -> Page {
    let form: SignInForm = super::form_body(&body)?;
    let expected = state
        .sessions
        .sign_in_token_of(&req)
        .ok_or(PageError::Csrf)?;
    if !same_secret(&form.csrf_token, &expected) {
        return Err(PageError::Csrf);
    }
    let mut errors = Vec::new();
    let email = if form.email.trim().is_empty() {
        errors.push(FieldError {
            field: "email".into(),
            message: "Enter your email address".into(),
        });
        None
    } else {
        match Email::parse(&form.email) {
            Ok(e) => Some(e),
            Err(_) => {
                errors.push(FieldError {
                    field: "email".into(),
                    message: "Enter an email address in the correct format, like name@example.com"
                        .into(),
                });
                None
            }
        }
    };
    if form.password.is_empty() {
        errors.push(FieldError {
            field: "password".into(),
            message: "Enter your password".into(),
        });
    }
    let shown_email = form.email.trim();
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Ok(sign_in_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &expected,
            shown_email,
            &errors,
            false,
        ));
    };
    if form.password.chars().count() > accounts::NewPassword::MAX_CHARS {
        // No password is this long; do not spend a hash on it.
        return Ok(sign_in_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &expected,
            shown_email,
            &[FieldError {
                field: "email".into(),
                message: WRONG.into(),
            }],
            false,
        ));
    }
    let password = form.password;
    let address = email.as_str().to_owned();
    let outcome = state.db(move |c| attempt(c, &address, &password)).await?;
    let session_id = match outcome {
        Outcome::SignedIn { session_id } => session_id,
        Outcome::Wrong | Outcome::Locked => {
            let (status, message) = match outcome {
                Outcome::Locked => (StatusCode::TOO_MANY_REQUESTS, LOCKED),
                _ => (StatusCode::UNPROCESSABLE_ENTITY, WRONG),
            };
            tracing::info!(
                locked = matches!(outcome, Outcome::Locked),
                "sign-in refused"
            );
            return Ok(sign_in_page(
                status,
                &expected,
                shown_email,
                &[FieldError {
                    field: "email".into(),
                    message: message.into(),
                }],
                false,
            ));
        }
    };
    // A session this browser had before is over: a new sign-in gets a new id.
    if let Ok(Ok(Some(Credential::Session(old)))) = credential(&req).await {
        state
            .db(move |c| users::revoke_session(c, &old.id_sha256))
            .await?;
    }
    let cookie = state
        .sessions
        .session_cookie(&session_id, accounts::session_lifetime());
    Ok(see_other("/admin")
        .cookie(cookie)
        .cookie(state.sessions.sign_in_token_removal())
        .finish())
}

#[derive(Deserialize)]
pub struct NoFields {}

/// Sign out: the session is revoked in the database, so a copy of its cookie is refused.
pub async fn sign_out(state: Data, form: CsrfForm<NoFields>) -> Page {
    let id = form.session.id_sha256.clone();
    state.db(move |c| users::revoke_session(c, &id)).await?;
    Ok(see_other("/admin/sign-in?signed-out")
        .cookie(state.sessions.session_removal())
        .finish())
}
