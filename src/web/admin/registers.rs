//! The pages of the versioned registers (declarations of interest, gifts and
//! hospitality), written once: the list, an entry's page with every version, and the
//! action forms on it. Each register's module says what is its own ([`EntryPages`]);
//! what every entry page shares (tags, history, action forms) is in [`super::entries`].

use super::context::{caller, load_org, org_view};
use super::entries::{
    entry_actions, hidden, history, settle, tag_class, version_of, Action, ActionForm, HistoryRow,
};
use super::form::capitalise;
use super::{page, AccountView, CsrfForm, FieldError, PageError};
use crate::domain::entries::{Entry, EntryStep};
use crate::domain::people::Person;
use crate::domain::FieldErrors;
use crate::store::entries::{Register, Version};
use crate::store::orgs::Org;
use crate::store::users::{Principal, Role, Session};
use crate::web::admin::{Data, Page, RecordPath};
use crate::web::auth::{governs, review_of};
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::http::StatusCode;
use serde_json::{json, Map, Value};

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
    /// the register's own forms, as one JSON object.
    fn details(
        entry: &Entry<Self::Fields>,
        person: &Person,
        org: &Org,
        published: bool,
        may_write: bool,
    ) -> Value;

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
) -> Page {
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
    if let Value::Object(details) = R::details(e, &person, org, code == "published", may_write) {
        data.extend(details);
    }
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
    state: Data,
    path: RecordPath,
    posted: CsrfForm<ActionForm>,
    action: Action,
) -> Page {
    let org = load_org(&state, &path.0).await?;
    let p = posted.session.principal.clone();
    let (v, person) = load::<R>(&state, &p, &org, &path.1).await?;
    action.check(&p, org.id, person.id)?;
    let mut form = posted.form;
    let id = v.entry.id;
    // A withdrawal cannot be undone: the page asks whether they are sure first, the
    // reason kept, and only the answer "yes" withdraws.
    // (One already withdrawn is refused as before, without asking.)
    let withdrawn = v.entry.standing.state != crate::domain::entries::EntryState::Active;
    let sure = action != Action::Withdraw || form.confirmed == "yes" || withdrawn;
    if !sure && R::step(action, &form).is_ok() {
        form.confirming = true;
        let (session, entered) = (&posted.session, Some((action, &form)));
        return entry_page::<R>(
            &state,
            session,
            &org,
            &path.1,
            StatusCode::OK,
            &[],
            entered,
            None,
        )
        .await;
    }
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
