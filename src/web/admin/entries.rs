//! What the pages of register entries share (declarations, gifts and hospitality, and
//! for the history, procurement decisions): an entry's standing as a tag, the table of
//! every version with its audit entry and who recorded it, and the forms that withhold,
//! release and withdraw an entry, or accept or return one a declarant submitted, with
//! their errors.

use super::form::{capitalise, friendly};
use super::{FieldError, PageError};
use crate::domain::entries::{EntryState, Review, Standing, StandingChange};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::web::AppState;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

// The form toolkit's answers, where the entry modules have always found them.
pub(super) use super::form::{answer, changed, ordered_errors, stale, version_of, Answer};

/// Where an entry stands when it is not on the public register for a reason every
/// register shares: awaiting review or returned for changes, withdrawn, withheld, or
/// about someone who is not decision-making staff. `None` when none of those applies.
pub(super) fn hidden(
    s: &Standing,
    person: &Person,
) -> Option<(&'static str, &'static str, String)> {
    let reason = s.withheld_reason.clone().unwrap_or_default();
    match &s.review {
        Review::Accepted => {}
        Review::Submitted => {
            let what = if s.state == EntryState::Withdrawn {
                format!("Withdrawal ({reason}) submitted")
            } else {
                "Submitted".to_owned()
            };
            return Some((
                "submitted",
                "Awaiting review",
                format!("{what} for review: a governance lead accepts it, and it is published, or returns it with a comment. Until then the public register shows the last accepted version, if there is one"),
            ));
        }
        Review::Returned(comment) => {
            return Some((
                "returned",
                "Returned for changes",
                format!("Returned by a governance lead: {comment}"),
            ))
        }
    }
    if s.state == EntryState::Withdrawn {
        return Some((
            "withdrawn",
            "Withdrawn",
            format!("Withdrawn as entered in error: {reason}"),
        ));
    }
    if s.withheld_reason.is_some() {
        return Some((
            "withheld",
            "Withheld",
            format!("Withheld from publication: {reason}"),
        ));
    }
    if !person.fields.decision_making {
        return Some((
            "not_public",
            "Not public",
            format!(
                "Not published: {} is not decision-making staff",
                person.fields.name
            ),
        ));
    }
    None
}

pub(super) fn tag_class(code: &str) -> &'static str {
    match code {
        "published" => "nhsuk-tag--green",
        "withheld" => "nhsuk-tag--orange",
        "submitted" => "nhsuk-tag--yellow",
        "returned" => "nhsuk-tag--red",
        _ => "nhsuk-tag--grey",
    }
}

/// One version in an entry's history, as the `admin-history` partial shows it.
#[derive(Serialize, Debug, Clone)]
pub(super) struct HistoryRow {
    pub version: i64,
    pub audit_seq: i64,
    pub recorded_at: String,
    /// The audit actor; [`history`] replaces an account's with its email.
    pub recorded_by: String,
    pub state: &'static str,
    pub tag_class: &'static str,
    pub ended_on: Option<String>,
    pub reason: Option<String>,
}

/// The account id of an audit actor `user:<id>`.
fn user_id(actor: &str) -> Option<i64> {
    actor.strip_prefix("user:")?.parse().ok()
}

/// The versions (given oldest first) newest first, each naming who recorded it by the
/// account's email where the actor is an account.
pub(super) async fn history(
    state: &AppState,
    mut rows: Vec<HistoryRow>,
) -> Result<Vec<HistoryRow>, PageError> {
    let ids: Vec<i64> = rows
        .iter()
        .filter_map(|x| user_id(&x.recorded_by))
        .collect();
    let emails = state
        .db(move |c| crate::store::users::emails(c, &ids))
        .await?;
    for row in &mut rows {
        if let Some((_, email)) =
            user_id(&row.recorded_by).and_then(|i| emails.iter().find(|(j, _)| *j == i))
        {
            row.recorded_by.clone_from(email);
        }
    }
    rows.reverse();
    Ok(rows)
}

/// What was entered in a page's action forms, kept when one is shown again.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ActionForm {
    pub version: String,
    pub ended_on: String,
    pub reason: String,
    /// A governance lead's comment returning a submitted version.
    pub comment: String,
    /// "yes" once the writer has said they are sure they want to withdraw the entry.
    pub confirmed: String,
    /// Set (never posted) when the page asks whether they are sure.
    #[serde(skip)]
    pub confirming: bool,
}

/// The actions of an entry's page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Action {
    End,
    Withhold,
    Release,
    Withdraw,
    Accept,
    Return,
}

/// The ids of the action forms' fields (each problem links to its own).
pub(super) const ACTION_FIELDS: [&str; 7] = [
    "end-ended_on",
    "withhold-reason",
    "release",
    "withdraw-reason",
    "accept",
    "return-comment",
    "current",
];

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::End => "end",
            Action::Withhold => "withhold",
            Action::Release => "release",
            Action::Withdraw => "withdraw",
            Action::Accept => "accept",
            Action::Return => "return",
        }
    }
    pub fn done(self) -> &'static str {
        match self {
            Action::End => "ended",
            Action::Withhold => "withheld",
            Action::Release => "released",
            Action::Withdraw => "withdrawn",
            Action::Accept => "accepted",
            Action::Return => "returned",
        }
    }
    /// The id of the action's field on the page (every problem links to it).
    pub fn field(self) -> &'static str {
        match self {
            Action::End => "end-ended_on",
            Action::Withhold => "withhold-reason",
            Action::Release => "release",
            Action::Withdraw => "withdraw-reason",
            Action::Accept => "accept",
            Action::Return => "return-comment",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Action::End => "Date the interest ended",
            Action::Withhold => "Reason for withholding",
            Action::Release => "Release",
            Action::Withdraw => "Reason for withdrawing",
            Action::Accept => "Accept",
            Action::Return => "Comment for the declarant",
        }
    }
    /// Whether this account may take the action on an entry of `person_id`: withhold,
    /// release and the review are governance's, the rest also the person's own
    /// declarant's.
    pub fn check(
        self,
        p: &crate::store::users::Principal,
        org_id: i64,
        person_id: i64,
    ) -> Result<(), PageError> {
        let who = super::context::caller(p);
        match self {
            Action::Withhold | Action::Release | Action::Accept | Action::Return => {
                who.governance(org_id).map(|_| ())
            }
            _ => who.writer_for(org_id, person_id).map(|_| ()),
        }
        .map_err(Into::into)
    }

    /// The standing change a withhold, release, withdraw, accept or return form asks for.
    pub fn standing_change(self, form: &ActionForm) -> Result<StandingChange, FieldErrors> {
        match self {
            Action::Release => Ok(StandingChange::Release),
            Action::Accept => Ok(StandingChange::Accept),
            Action::Return => StandingChange::parse(
                self.code(),
                &Input::from_pairs([("comment", form.comment.as_str())]),
            ),
            _ => StandingChange::parse(
                self.code(),
                &Input::from_pairs([("reason", form.reason.as_str())]),
            ),
        }
    }

    /// The first problem, against the action's own field.
    pub fn errors(self, fe: &FieldErrors) -> Vec<FieldError> {
        fe.0.iter()
            .map(|(k, m)| {
                let message = match k.as_str() {
                    "ended_on" | "reason" | "comment" => friendly(k, self.label(), m),
                    _ => capitalise(m),
                };
                FieldError::new(self.field(), message)
            })
            .take(1)
            .collect()
    }
}

/// What the action forms show: what was entered in the one sent, empty elsewhere, and
/// each field's message (`e`).
pub(super) fn action_values(
    entered: Option<(Action, &ActionForm)>,
    errors: &[FieldError],
) -> Map<String, Value> {
    let mut m = Map::new();
    for a in [
        Action::End,
        Action::Withhold,
        Action::Withdraw,
        Action::Return,
    ] {
        let v = match entered {
            Some((b, f)) if a == b => {
                json!({"ended_on": f.ended_on, "reason": f.reason, "comment": f.comment,
                       "confirming": f.confirming})
            }
            _ => json!({"ended_on": "", "reason": "", "comment": "", "confirming": false}),
        };
        m.insert(a.code().to_owned(), v);
    }
    m.insert(
        "e".into(),
        super::form::field_messages(errors, &ACTION_FIELDS),
    );
    m
}

/// Which of the standing forms this account may use on an entry, with what was entered
/// in them: `may_amend`, `may_withdraw` for one who may write the entry, `may_withhold`
/// and `may_release` for governance, none once it is withdrawn; and the words the
/// `admin-standing-forms` and `admin-history` partials use for the entry (`noun`); and
/// for the `admin-review-forms` partial, `may_review` (governance, on a version awaiting
/// review) and the comment a returned version carries.
pub(super) fn entry_actions(
    noun: &str,
    s: &Standing,
    may_write: bool,
    may_govern: bool,
    entered: Option<(Action, &ActionForm)>,
    errors: &[FieldError],
) -> Map<String, Value> {
    let changeable = s.state == EntryState::Active;
    let withheld = s.withheld_reason.is_some();
    let mut m = action_values(entered, errors);
    for (k, v) in [
        ("may_amend", may_write && changeable),
        ("may_withdraw", may_write && changeable),
        ("may_withhold", may_govern && changeable && !withheld),
        ("may_release", may_govern && changeable && withheld),
        ("may_review", may_govern && s.review == Review::Submitted),
    ] {
        m.insert(k.into(), Value::Bool(v));
    }
    m.insert("noun".into(), json!(noun));
    m.insert("returned_comment".into(), json!(s.review.comment()));
    m.insert(
        "withdraw_title".into(),
        json!("Withdraw as entered in error"),
    );
    m.insert(
        "withdraw_hint".into(),
        json!(format!(
            "A withdrawn {noun} is kept but never shown, and cannot be changed again"
        )),
    );
    m
}

/// The routes of an entry's actions: `action_routes!(Register: name => Action, …)` makes
/// `pub async fn name`, which hands the posted form to [`super::registers::act`] with
/// that action; `action_routes!(Register: standing, …)` the withhold, release,
/// withdraw, accept and return routes every register has, and those listed after.
macro_rules! action_routes {
    ($register:ty: standing $(, $name:ident => $action:ident)* $(,)?) => {
        super::entries::action_routes! { $register:
            withhold => Withhold,
            release => Release,
            withdraw => Withdraw,
            accept => Accept,
            return_for_changes => Return,
            $($name => $action,)*
        }
    };
    ($register:ty: $($name:ident => $action:ident),* $(,)?) => {$(
        pub async fn $name(
            state: actix_web::web::Data<crate::web::AppState>,
            path: actix_web::web::Path<(String, String)>,
            posted: super::CsrfForm<super::entries::ActionForm>,
        ) -> Result<actix_web::HttpResponse, super::PageError> {
            super::registers::act::<$register>(state, path, posted, super::entries::Action::$action)
                .await
        }
    )*};
}
pub(super) use action_routes;

/// What an entry's page is asked: which write, if any, it follows.
#[derive(Deserialize)]
pub struct ShowQuery {
    pub saved: Option<String>,
}

/// An entry's page route, `show`, drawn by `$page` (state, session, org, raw id, status,
/// errors, entered form, saved): [`super::registers::entry_page`] for a versioned register.
macro_rules! show_route {
    ($page:path) => {
        pub async fn show(
            state: actix_web::web::Data<crate::web::AppState>,
            signed_in: super::SignedIn,
            path: actix_web::web::Path<(String, String)>,
            q: actix_web::web::Query<super::entries::ShowQuery>,
        ) -> Result<actix_web::HttpResponse, super::PageError> {
            let org = super::context::load_org(&state, &path.0).await?;
            let (status, saved) = (actix_web::http::StatusCode::OK, q.saved.as_deref());
            $page(
                &state,
                &signed_in.0,
                &org,
                &path.1,
                status,
                &[],
                None,
                saved,
            )
            .await
        }
    };
}
pub(super) use show_route;

/// Why an action form is shown again: the status and the problems.
pub(super) type Refusal = (actix_web::http::StatusCode, Vec<FieldError>);

/// The outcome of an action form from the store's answer (or the form's own problems, as
/// `Invalid`). Written, it is published and the answer goes back to the entry's page
/// (`to`, with `?saved=<done>`); otherwise the refusal says why, for the page to be shown
/// again: a stale version, or the reason against the action's field.
pub(super) async fn settle<T>(
    state: &AppState,
    written: Result<crate::store::write::Committed<T>, crate::web::error::ApiError>,
    action: Action,
    what: &str,
    to: String,
) -> Result<Result<actix_web::HttpResponse, Refusal>, PageError> {
    use actix_web::http::StatusCode;
    let to = |_: &T| format!("{to}?saved={}", action.done());
    Ok(match answer(state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Stale(_) => Err((
            StatusCode::CONFLICT,
            vec![FieldError::new("current", changed(what))],
        )),
        Answer::Refused(fe) => Err((StatusCode::UNPROCESSABLE_ENTITY, action.errors(&fe))),
    })
}
