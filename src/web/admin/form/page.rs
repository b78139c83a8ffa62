//! A form's page and the store's answer to it: the page drawn with status 200, 409 or
//! 422 (templates/admin/form.hbs), and the answer settled one way for every form —
//! written and published, then the browser sent on; refused, and the form shown again
//! with what was typed and why; or stale, someone else having changed the record.

use super::fields::FormView;
use super::problems::{placed, FieldError, Problems};
use super::values::Values;
use crate::domain::FieldErrors;
use crate::store::orgs::Org;
use crate::store::users::Session;
use crate::store::Committed;
use crate::web::admin::context::{org_view, see_other};
use crate::web::admin::Page;
use crate::web::admin::{page, AccountView, PageError};
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Value};

/// What a stale form is told: `what` changed, and where to look before sending again.
fn changed_words(what: &str, look: &str) -> String {
    format!("This {what} was changed by someone else while you were working on it. Nothing you entered was saved. Check {look}, then send your changes again")
}

/// What a stale entry form is told, naming the kind of entry ("declaration", "offer").
pub fn changed(what: &str) -> String {
    changed_words(what, "its current version")
}

/// What a stale committee form is told.
pub fn record_changed() -> String {
    changed_words("record", "the current record")
}

/// What a stale entry form is told, above the form (see [`changed`]).
pub fn stale(what: &str) -> [FieldError; 1] {
    [FieldError::new("current-version", changed(what))]
}

/// After a write: the public site is published again, and the browser sent to `to`.
pub async fn published<T>(state: &AppState, committed: &Committed<T>, to: String) -> HttpResponse {
    crate::web::api::publish(state, &committed.org.slug, committed.touched).await;
    see_other(to)
}

/// The store's answer to a form.
pub enum Answer {
    /// Written and published: where the browser goes now.
    Done(HttpResponse),
    /// The record changed since the form was loaded (the store's error, for the forms
    /// that never expect it).
    Stale(ApiError),
    /// The store refused the input.
    Refused(FieldErrors),
}

/// Settles the store's answer to a form: written, it is published and the browser sent
/// to `to(value)`; a stale version or a refusal comes back for the form to be shown
/// again; anything else is an error page.
pub async fn answer<T>(
    state: &AppState,
    written: Result<Committed<T>, ApiError>,
    to: impl FnOnce(&T) -> String,
) -> Result<Answer, PageError> {
    match written {
        Ok(committed) => {
            let to = to(&committed.value);
            Ok(Answer::Done(published(state, &committed, to).await))
        }
        Err(e @ ApiError::Conflict(_)) => Ok(Answer::Stale(e)),
        Err(ApiError::Invalid(fe)) => Ok(Answer::Refused(fe)),
        Err(e) => Err(e.into()),
    }
}

/// The form again (422), with `fe`'s problems placed by `locate`.
pub fn refused(
    fe: &FieldErrors,
    v: &Values,
    locate: impl Fn(&str) -> (String, String),
    again: impl FnOnce(StatusCode, &Values, &Problems) -> HttpResponse,
) -> HttpResponse {
    again(StatusCode::UNPROCESSABLE_ENTITY, v, &placed(fe, locate))
}

/// Where a stale form is told so: the field, and the version it is shown again with.
pub type Stale<'a> = Option<(&'a str, i64)>;

/// Settles the store's answer to a form of [`Values`]: a write publishes and sends the
/// browser to `to`; a refusal shows the form again (422) with the store's problems
/// placed by `locate`; a stale version, where `stale` allows one, shows it again (409)
/// with the current version and [`record_changed`] at its field; anything else is an
/// error page.
pub async fn settle<T>(
    state: &AppState,
    written: Result<Committed<T>, ApiError>,
    to: impl FnOnce(&T) -> String,
    mut v: Values,
    locate: impl Fn(&str) -> (String, String),
    stale: Stale<'_>,
    again: impl FnOnce(StatusCode, &Values, &Problems) -> HttpResponse,
) -> Page {
    match (answer(state, written, to).await?, stale) {
        (Answer::Done(done), _) => Ok(done),
        (Answer::Refused(fe), _) => Ok(refused(&fe, &v, locate, again)),
        (Answer::Stale(_), Some((field, version))) => {
            v.set("version", version.to_string());
            let mut p = Problems::default();
            p.add(field, record_changed());
            Ok(again(StatusCode::CONFLICT, &v, &p))
        }
        (Answer::Stale(e), None) => Err(e.into()),
    }
}

/// A page of forms (templates/admin/form.hbs): a title, an optional caption and
/// introduction, a summary list of facts, then each form.
pub struct FormPage {
    pub title: String,
    pub caption: Option<String>,
    pub back: String,
    pub intro: Vec<String>,
    pub facts: Vec<Value>,
    pub forms: Vec<FormView>,
}

impl FormPage {
    pub fn new(title: impl Into<String>, back: String, forms: Vec<FormView>) -> FormPage {
        FormPage {
            title: title.into(),
            caption: None,
            back,
            intro: vec![],
            facts: vec![],
            forms,
        }
    }

    pub fn render(
        self,
        status: StatusCode,
        session: &Session,
        org: &Org,
        p: &Problems,
    ) -> HttpResponse {
        page(
            status,
            "admin-form",
            &json!({
                "title": self.title, "caption": self.caption, "account": AccountView::of(session),
                "errors": p.0, "org": org_view(org), "back": self.back, "intro": self.intro,
                "facts": self.facts, "forms": self.forms,
            }),
        )
    }
}
