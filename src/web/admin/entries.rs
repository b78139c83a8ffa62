//! What the pages of register entries share (declarations, gifts and hospitality, and
//! for the history, procurement decisions): an entry's standing as a tag, the table of
//! every version with its audit entry and who recorded it, and the forms that withhold,
//! release and withdraw an entry, or accept or return one a declarant submitted, with
//! their errors. The list, an entry's page and its actions are written once here for
//! the versioned registers ([`EntryPages`]); each register's module says what is its own.

use super::context::{caller, load_org, org_view};
use super::declarations::{capitalise, friendly};
use super::{page, AccountView, CsrfForm, FieldError, PageError};
use crate::domain::entries::{Entry, EntryState, EntryStep, Review, Standing, StandingChange};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::entries::{Register, Version};
use crate::store::orgs::Org;
use crate::store::users::{Principal, Role, Session};
use crate::web::auth::{governs, review_of};
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// What a stale form is told, naming the kind of entry ("declaration", "offer").
pub(super) fn changed(what: &str) -> String {
    format!("This {what} was changed by someone else while you were working on it. Nothing you entered was saved. Check its current version, then send your changes again")
}

/// What a stale form is told, above the form (see [`changed`]).
pub(super) fn stale(what: &str) -> [FieldError; 1] {
    [FieldError {
        field: "current-version",
        message: changed(what),
    }]
}

/// After a write: the public site is published again, and the browser sent to `to`.
pub(super) async fn published<T>(
    state: &AppState,
    committed: &crate::store::Committed<T>,
    to: String,
) -> actix_web::HttpResponse {
    crate::web::api::publish(state, &committed.org.slug, committed.touched).await;
    super::context::see_other(to)
}

/// The store's answer to an entry's record or amend form.
pub(super) enum Answer {
    /// Written and published: where the browser goes now.
    Done(actix_web::HttpResponse),
    /// The entry changed since the form was loaded (the store's error, for the forms
    /// that never expect it).
    Stale(crate::web::error::ApiError),
    /// The store refused the input.
    Refused(FieldErrors),
}

/// Settles the store's answer to a record or amend form: written, it is published and
/// the browser sent to `to(value)`; a stale version or a refusal comes back for the form
/// to be shown again; anything else is an error page.
pub(super) async fn answer<T>(
    state: &AppState,
    written: Result<crate::store::Committed<T>, crate::web::error::ApiError>,
    to: impl FnOnce(&T) -> String,
) -> Result<Answer, PageError> {
    use crate::web::error::ApiError;
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

/// The version a form carries (0, which no record has, when it is missing or bad).
pub(super) fn version_of(raw: &str) -> i64 {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .unwrap_or(0)
}

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
            .map(|(k, m)| FieldError {
                field: self.field(),
                message: match k.as_str() {
                    "ended_on" | "reason" | "comment" => friendly(k, self.label(), m),
                    _ => capitalise(m),
                },
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
                json!({"ended_on": f.ended_on, "reason": f.reason, "comment": f.comment})
            }
            _ => json!({"ended_on": "", "reason": "", "comment": ""}),
        };
        m.insert(a.code().to_owned(), v);
    }
    m.insert(
        "e".into(),
        super::declarations::field_messages(errors, &ACTION_FIELDS),
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
/// `pub async fn name`, which hands the posted form to [`act`] with that action.
macro_rules! action_routes {
    ($register:ty: $($name:ident => $action:ident),* $(,)?) => {$(
        pub async fn $name(
            state: actix_web::web::Data<crate::web::AppState>,
            path: actix_web::web::Path<(String, String)>,
            posted: super::CsrfForm<super::entries::ActionForm>,
        ) -> Result<actix_web::HttpResponse, super::PageError> {
            super::entries::act::<$register>(state, path, posted, super::entries::Action::$action)
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
/// errors, entered form, saved): [`entry_page`] for a versioned register.
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
    use crate::web::error::ApiError;
    use actix_web::http::StatusCode;
    match written {
        Ok(committed) => {
            let to = format!("{to}?saved={}", action.done());
            Ok(Ok(published(state, &committed, to).await))
        }
        Err(ApiError::Conflict(_)) => {
            let errors = vec![FieldError {
                field: "current",
                message: changed(what),
            }];
            Ok(Err((StatusCode::CONFLICT, errors)))
        }
        Err(ApiError::Invalid(fe)) => {
            Ok(Err((StatusCode::UNPROCESSABLE_ENTITY, action.errors(&fe))))
        }
        Err(e) => Err(e.into()),
    }
}

/// Field problems in the form's order (`fields`), each in the words `say` gives it; a
/// problem with no field of its own (such as an entry's state) is shown against
/// `fallback`. `value_pence` is the form's `value` (entered in pounds).
pub(super) fn ordered_errors(
    fe: &FieldErrors,
    fields: &[&'static str],
    fallback: &'static str,
    say: impl Fn(&'static str, &str) -> String,
) -> Vec<FieldError> {
    let mut problems = fe.0.clone();
    if let Some(m) = problems.remove("value_pence") {
        problems.entry("value".into()).or_insert(m);
    }
    let mut out: Vec<FieldError> = fields
        .iter()
        .filter_map(|field| {
            problems.get(*field).map(|m| FieldError {
                field,
                message: say(field, m),
            })
        })
        .collect();
    for (k, m) in &problems {
        if !fields.contains(&k.as_str()) {
            out.push(FieldError {
                field: fallback,
                message: capitalise(m),
            });
        }
    }
    out
}

/// Where an entry stands as its pages show it: a tag code, its label, and why.
pub(super) type Tag = (&'static str, &'static str, String);

/// What a versioned register's pages say of their own.
pub(super) trait EntryPages: Register + 'static {
    /// What the pages call an entry: "declaration", "offer".
    const NOUN: &'static str;
    /// The folder of the register's pages under the organisation's: "declarations".
    const FOLDER: &'static str;
    /// The template of an entry's page.
    const TEMPLATE: &'static str;

    /// Where an entry stands: [`hidden`] for the reasons every register shares, else
    /// on the public register.
    fn standing(entry: &Entry<Self::Fields>, person: &Person, _org: &Org) -> Tag {
        hidden(&entry.standing, person).unwrap_or((
            "published",
            "Published",
            "On the public register".into(),
        ))
    }

    /// What an entry's page shows of it besides what every entry's page shows: its
    /// person, its fields, where the public register shows it (when `published`), and
    /// the register's own forms.
    fn details(
        entry: &Entry<Self::Fields>,
        person: &Person,
        org: &Org,
        published: bool,
        may_write: bool,
    ) -> Map<String, Value>;

    /// The date a version says the entry ended, for the history.
    fn ended_on(_entry: &Entry<Self::Fields>) -> Option<String> {
        None
    }

    /// What the page says after a write of the register's own (`?saved=<code>`).
    fn saved(_code: &str) -> Option<&'static str> {
        None
    }

    /// The step an action form asks for: a change of standing, unless the register
    /// has actions of its own.
    fn step(action: Action, form: &ActionForm) -> Result<Self::Step, FieldErrors> {
        action.standing_change(form).map(Self::Step::standing)
    }
}

/// The entry and its person, or 404 if this account may not read that person's entries
/// (a declarant guessing another person's ids learns nothing).
pub(super) async fn load<R: EntryPages>(
    state: &AppState,
    p: &Principal,
    org: &Org,
    raw_id: &str,
) -> Result<(Version<R::Fields>, Person), PageError> {
    let id = crate::web::api::parse_id(raw_id, R::ENTITY)?;
    let org_id = org.id;
    let (v, person) = state
        .db(move |c| {
            let v = R::get(c, org_id, id)?;
            let person = crate::store::people::by_id(c, org_id, v.entry.person_id)?;
            Ok((v, person))
        })
        .await?;
    if !caller(p).reads_person(org.id, person.id) {
        return Err(PageError::NotFound(format!("{} {id}", R::ENTITY)));
    }
    Ok((v, person))
}

/// A register's list, for its page to show.
pub(super) struct Listing {
    /// The people whose entries the account may read.
    pub people: Vec<Person>,
    /// This page of rows.
    pub rows: Vec<Value>,
    pub pagination: Value,
    /// Whether the account may record an entry (governance, or a declarant with a person).
    pub may_record: bool,
}

/// The current version of every entry of the register this account may read, newest
/// first, as `row` shows it (`None` for one the page's `filters` leave out), a page
/// (`page_no`) at a time.
pub(super) async fn listing<R: EntryPages>(
    state: &AppState,
    p: &Principal,
    org: &Org,
    page_no: Option<&str>,
    filters: &[(&str, &str)],
    row: impl Fn(&Version<R::Fields>, &Person, Tag) -> Option<Value>,
) -> Result<Listing, PageError> {
    let page_no = super::paging::page_number(page_no)?;
    let org_id = org.id;
    let (people, versions) = state
        .db(move |c| {
            Ok((
                crate::store::people::all(c, org_id)?,
                R::current(c, org_id)?,
            ))
        })
        .await?;
    let who = caller(p);
    let people: Vec<Person> = people
        .into_iter()
        .filter(|person| who.reads_person(org.id, person.id))
        .collect();
    let rows: Vec<Value> = versions
        .iter()
        .rev()
        .filter_map(|v| {
            let person = people.iter().find(|x| x.id == v.entry.person_id)?;
            row(v, person, R::standing(&v.entry, person, org))
        })
        .collect();
    let base = format!("/admin/orgs/{}/{}", org.slug, R::FOLDER);
    let (rows, pagination) = super::paging::paginate(rows, page_no, &base, filters)?;
    let may_record =
        governs(p, org.id) || (p.role == Role::Declarant && p.person_in(org.id).is_some());
    Ok(Listing {
        people,
        rows,
        pagination,
        may_record,
    })
}

/// What an entry's page says after a write (`?saved=<code>`).
fn saved_message<R: EntryPages>(code: &str) -> Option<String> {
    let noun = R::NOUN;
    Some(match code {
        "created" => format!("The {noun} was recorded"),
        "amended" => format!("The {noun} was amended"),
        "withheld" => format!("The {noun} is now withheld from publication"),
        "released" => format!("The {noun} is no longer withheld"),
        "withdrawn" => format!("The {noun} was withdrawn"),
        "accepted" => format!("The {noun} was accepted and is published"),
        "returned" => format!("The {noun} was returned to the declarant with your comment"),
        _ => return R::saved(code).map(str::to_owned),
    })
}

/// An entry's page: the current version, its standing, the forms this account may use
/// (with what was `entered` in one sent, and its `errors`), and every version with its
/// audit entry.
#[allow(clippy::too_many_arguments)]
pub(super) async fn entry_page<R: EntryPages>(
    state: &AppState,
    session: &Session,
    org: &Org,
    raw_id: &str,
    status: StatusCode,
    errors: &[FieldError],
    entered: Option<(Action, &ActionForm)>,
    saved: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let p = &session.principal;
    let (v, person) = load::<R>(state, p, org, raw_id).await?;
    let (org_id, id) = (org.id, v.entry.id);
    let all = state.db(move |c| R::versions(c, org_id, id)).await?;
    let rows = all
        .iter()
        .map(|x| {
            let (c, l, _) = R::standing(&x.entry, &person, org);
            HistoryRow {
                version: x.entry.version,
                audit_seq: x.audit_seq,
                recorded_at: x.recorded_at.clone(),
                recorded_by: x.recorded_by.clone(),
                state: l,
                tag_class: tag_class(c),
                ended_on: R::ended_on(&x.entry),
                reason: x.entry.standing.withheld_reason.clone(),
            }
        })
        .collect();
    let history = history(state, rows).await?;
    let e = &v.entry;
    let (code, label, why) = R::standing(e, &person, org);
    let may_write = caller(p).writer_for(org.id, person.id).is_ok();
    let noun = R::NOUN;
    let mut data = Map::new();
    for (k, v) in [
        (
            "title",
            json!(format!(
                "{} {} – {}",
                capitalise(noun),
                e.id,
                person.fields.name
            )),
        ),
        ("account", json!(AccountView::of(session))),
        ("errors", json!(errors)),
        ("org", org_view(org)),
        ("saved", json!(saved.and_then(saved_message::<R>))),
        ("id", json!(e.id)),
        ("version", json!(e.version)),
        (
            "base",
            json!(format!("/admin/orgs/{}/{}/{}", org.slug, R::FOLDER, e.id)),
        ),
        (
            "state",
            json!({"label": label, "detail": why, "tag_class": tag_class(code)}),
        ),
        ("history", json!(history)),
    ] {
        data.insert(k.into(), v);
    }
    data.extend(R::details(e, &person, org, code == "published", may_write));
    data.extend(entry_actions(
        noun,
        &e.standing,
        may_write,
        governs(p, org.id),
        entered,
        errors,
    ));
    Ok(page(status, R::TEMPLATE, &data))
}

/// An action form of an entry's page, sent: the step is written and the browser sent
/// back to the page, or the page is shown again with why not.
pub(super) async fn act<R: EntryPages>(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    posted: CsrfForm<ActionForm>,
    action: Action,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path.0).await?;
    let p = posted.session.principal.clone();
    let (v, person) = load::<R>(&state, &p, &org, &path.1).await?;
    action.check(&p, org.id, person.id)?;
    let form = posted.form;
    let id = v.entry.id;
    let written = match R::step(action, &form) {
        Ok(step) => {
            let (org_id, version, actor) = (org.id, version_of(&form.version), p.actor());
            let review = review_of(&p, org.id);
            state
                .db(move |c| R::change(c, org_id, &actor, id, version, review, |_, _| Ok(step)))
                .await
        }
        Err(fe) => Err(ApiError::Invalid(fe)),
    };
    let to = format!("/admin/orgs/{}/{}/{id}", org.slug, R::FOLDER);
    let (status, errors) = match settle(&state, written, action, R::NOUN, to).await? {
        Ok(done) => return Ok(done),
        Err(refused) => refused,
    };
    let (session, entered) = (&posted.session, Some((action, &form)));
    entry_page::<R>(
        &state, session, &org, &path.1, status, &errors, entered, None,
    )
    .await
}
