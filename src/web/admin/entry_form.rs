//! The form that records or amends an entry of a versioned register (a declaration of
//! interest, an offer of a gift or hospitality), written once: who may use it and for
//! whom, the page with what was typed and why it was refused, the write, and a stale
//! form shown again beside the current version. Each register says what is its own
//! ([`EntryForm`]): its fields, how they are parsed and how their problems are worded.
//! `form_routes!(Register, Form)` makes a register module's `new_form`, `create`, `amend_form`
//! and `amend` handlers.

use super::context::{caller, load_org, org_view, today};
use super::entries::{answer, ordered_errors, stale, version_of, Answer};
use super::form::{field_messages, friendly};
use super::registers::{load, EntryPages};
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::domain::entries::EntryStep;
use crate::domain::people::Person;
use crate::domain::FieldErrors;
use crate::store::entries::Version;
use crate::store::orgs::Org;
use crate::store::users::{Principal, Role, Session};
use crate::web::admin::{Data, OrgPath, Page, RecordPath};
use crate::web::api;
use crate::web::auth::{governs, review_of};
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// What a register's entry form has of its own.
pub(super) trait EntryForm: EntryPages {
    /// The form as posted (declared with [`posted_form!`]).
    type Form: Posted + DeserializeOwned + Clone + 'static;

    /// The title of the form for a new entry.
    const NEW_TITLE: &'static str;
    /// The template of the form.
    const FORM_TEMPLATE: &'static str;

    /// The form showing `entry` as it stands.
    fn of(entry: &crate::domain::entries::Entry<Self::Fields>, person_slug: &str) -> Self::Form;
    /// The domain's fields from the form (over `current` when amending, if the register
    /// keeps what the form does not show), every problem in `fe`.
    fn parse_form(
        form: &Self::Form,
        org: &Org,
        current: Option<&Self::Fields>,
        fe: &mut FieldErrors,
    ) -> Option<Self::Fields>;
    /// The field a problem with no field of its own (such as the entry's state) is
    /// shown against.
    const FALLBACK: &'static str;
    /// A problem with `field` (labelled `label`) in the GOV.UK words.
    fn wording(field: &str, label: &str, message: &str) -> String {
        friendly(field, label, message)
    }
    /// The current version's fields, briefly, for a stale form shown again.
    fn current_fields(fields: &Self::Fields) -> Value;
    /// What the form's template needs of the register's own, as one JSON object: the
    /// typed values, choices and wording.
    fn form_data(form: &Self::Form, org: &Org) -> Value;
}

/// A register's form as posted: every field text, empty meaning not given; the person
/// it is for and the version it was loaded at besides the register's own fields.
pub(super) trait Posted: Default {
    /// The form's fields in page order, with the label each error names.
    const FIELDS: &'static [(&'static str, &'static str)];
    /// The slug of the person the form names.
    fn person(&mut self) -> &mut String;
    /// The version the form was loaded at ("" for a new entry).
    fn version(&mut self) -> &mut String;
    /// A blank form, declared `today`.
    fn blank(today: &str) -> Self;
    /// The register's own fields by name, as typed.
    fn text(&self) -> Vec<(&'static str, &str)>;
}

/// `posted_form!(Name { field: "Label", … })` declares a register's posted form:
/// `person`, the fields named in page order (one must be `declared_on`) and `version`,
/// all text, and its [`Posted`].
macro_rules! posted_form {
    ($(#[$meta:meta])* $name:ident { $($field:ident: $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(serde::Deserialize, Default, Clone, Debug)]
        #[serde(default)]
        pub struct $name {
            person: String,
            $($field: String,)+
            version: String,
        }

        impl super::entry_form::Posted for $name {
            const FIELDS: &'static [(&'static str, &'static str)] =
                &[("person", "Person"), $((stringify!($field), $label)),+];
            fn person(&mut self) -> &mut String {
                &mut self.person
            }
            fn version(&mut self) -> &mut String {
                &mut self.version
            }
            fn blank(today: &str) -> Self {
                $name {
                    declared_on: today.to_owned(),
                    ..Default::default()
                }
            }
            fn text(&self) -> Vec<(&'static str, &str)> {
                vec![$((stringify!($field), self.$field.as_str())),+]
            }
        }
    };
}
pub(super) use posted_form;

/// The form's fields as the domain's input, but for those `left_out` (which the
/// register reads itself): an empty field is absent, so a cleared optional field clears
/// it.
pub(super) fn text_input(form: &impl Posted, left_out: &[&str]) -> Map<String, Value> {
    form.text()
        .into_iter()
        .filter(|(k, _)| !left_out.contains(k))
        .map(|(k, v)| (k.to_owned(), super::form::text_or_null(v)))
        .collect()
}

/// The parsed value, or `None` with its problems added to `fe`.
pub(super) fn gathered<T>(parsed: Result<T, FieldErrors>, fe: &mut FieldErrors) -> Option<T> {
    parsed
        .map_err(|e| e.0.iter().for_each(|(k, v)| fe.add(k, v.clone())))
        .ok()
}

/// The people this account may record entries for: everyone for governance, their own
/// for a declarant (403 for a declarant without one, or any other role).
pub(super) async fn declarable(
    state: &AppState,
    p: &Principal,
    org: &Org,
) -> Result<Vec<Person>, PageError> {
    let org_id = org.id;
    if governs(p, org_id) {
        return Ok(state
            .db(move |c| crate::store::people::all(c, org_id))
            .await?);
    }
    match (p.role, p.person_in(org_id)) {
        (Role::Declarant, Some(person_id)) => Ok(vec![
            state
                .db(move |c| crate::store::people::by_id(c, org_id, person_id))
                .await?,
        ]),
        _ => Err(PageError::Forbidden(
            "only a governance lead, or a declarant for their own person, may declare".into(),
        )),
    }
}

/// The person a posted form is for, and the people the account may name. A declarant's
/// form that names nobody means their own person; a declarant naming anyone else is
/// refused here (403), before any field is looked at. A missing or unknown person is
/// reported in `fe` with `missing`.
pub(super) async fn form_person(
    state: &AppState,
    p: &Principal,
    org: &Org,
    named: &mut String,
    missing: &str,
    fe: &mut FieldErrors,
) -> Result<(Vec<Person>, Option<Person>), PageError> {
    let people = declarable(state, p, org).await?;
    if !governs(p, org.id) && named.trim().is_empty() {
        named.clone_from(&people[0].slug);
    }
    let mut found = FieldErrors::default();
    let person = api::entry_person(
        state,
        &caller(p),
        org,
        Some(Value::String(named.clone())),
        &mut found,
    )
    .await?;
    if found.0.contains_key("person") {
        fe.add("person", missing);
    }
    Ok((people, person))
}

/// The problems in the register's words, in the form's order.
fn errors<R: EntryForm>(fe: &FieldErrors) -> Vec<FieldError> {
    let names: Vec<&'static str> = R::Form::FIELDS.iter().map(|(f, _)| *f).collect();
    ordered_errors(fe, &names, R::FALLBACK, |field, m| {
        let label = R::Form::FIELDS
            .iter()
            .find(|(f, _)| *f == field)
            .map_or("", |x| x.1);
        R::wording(field, label, m)
    })
}

/// The current version, briefly, for a stale form shown again: who recorded it when,
/// and its fields.
fn current_view<R: EntryForm>(v: &Version<R::Fields>) -> Value {
    let mut current = R::current_fields(&v.entry.fields);
    if let Value::Object(m) = &mut current {
        m.insert("version".into(), json!(v.entry.version));
        m.insert("recorded_at".into(), json!(v.recorded_at));
        m.insert("recorded_by".into(), json!(v.recorded_by));
    }
    current
}

/// What the form page needs besides the values and errors.
struct FormContext<'a> {
    session: &'a Session,
    org: &'a Org,
    /// `None` for a new entry; the entry's id and person when amending.
    amending: Option<(i64, &'a Person)>,
    /// People the account may record entries for (one, fixed, for a declarant).
    people: Vec<Person>,
    /// The entry's current version, when a stale form is shown again.
    current: Option<Value>,
}

impl<'a> FormContext<'a> {
    fn amending(session: &'a Session, org: &'a Org, id: i64, person: &'a Person) -> Self {
        FormContext {
            session,
            org,
            amending: Some((id, person)),
            people: vec![person.clone()],
            current: None,
        }
    }
}

fn form_page<R: EntryForm>(
    status: StatusCode,
    ctx: &FormContext,
    form: &mut R::Form,
    errors: &[FieldError],
) -> HttpResponse {
    let (session, org, people) = (ctx.session, ctx.org, &ctx.people);
    let fixed = ctx
        .amending
        .map(|(_, person)| person)
        .or_else(|| {
            (!governs(&session.principal, org.id))
                .then(|| people.first())
                .flatten()
        })
        .map(|x| json!({"slug": x.slug, "name": x.fields.name, "position": x.fields.position}));
    let named = form.person().clone();
    let options: Vec<Value> = people
        .iter()
        .map(|x| json!({"slug": x.slug, "name": x.fields.name, "position": x.fields.position, "selected": x.slug == named}))
        .collect();
    let names: Vec<&str> = R::Form::FIELDS
        .iter()
        .map(|(f, _)| *f)
        .chain(["current-version"])
        .collect();
    let base = format!("/admin/orgs/{}/{}", org.slug, R::FOLDER);
    let (title, action, back) = match ctx.amending {
        None => (R::NEW_TITLE.to_owned(), format!("{base}/new"), base),
        Some((id, _)) => (
            format!("Amend {} {id}", R::NOUN),
            format!("{base}/{id}/amend"),
            format!("{base}/{id}"),
        ),
    };
    let mut data = match R::form_data(form, org) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    for (k, v) in [
        ("title", json!(title)),
        ("account", json!(AccountView::of(session))),
        ("errors", json!(errors)),
        ("org", org_view(org)),
        ("action", json!(action)),
        ("back", json!(back)),
        ("amending", json!(ctx.amending.is_some())),
        ("fixed_person", json!(fixed)),
        ("people", json!(options)),
        ("e", field_messages(errors, &names)),
        ("current", json!(ctx.current)),
    ] {
        data.insert(k.into(), v);
    }
    page(status, R::FORM_TEMPLATE, &data)
}

/// What the form for a new entry may be asked: the person to preselect.
#[derive(Deserialize)]
pub struct NewQuery {
    person: Option<String>,
}

pub(super) async fn new_form<R: EntryForm>(
    state: Data,
    signed_in: SignedIn,
    path: OrgPath,
    q: web::Query<NewQuery>,
) -> Page {
    let org = load_org(&state, &path).await?;
    let people = declarable(&state, &signed_in.0.principal, &org).await?;
    let mut form = R::Form::blank(&today().to_string());
    if !governs(&signed_in.0.principal, org.id) {
        people[0].slug.clone_into(form.person());
    } else if let Some(slug) = q.person.as_deref() {
        slug.clone_into(form.person());
    }
    let ctx = FormContext {
        session: &signed_in.0,
        org: &org,
        amending: None,
        people,
        current: None,
    };
    Ok(form_page::<R>(StatusCode::OK, &ctx, &mut form, &[]))
}

pub(super) async fn create<R: EntryForm>(
    state: Data,
    path: OrgPath,
    posted: CsrfForm<R::Form>,
) -> Page {
    let org = load_org(&state, &path).await?;
    let p = posted.session.principal.clone();
    let mut form = posted.form;
    let mut fe = FieldErrors::default();
    let named = form.person();
    let (people, person) = form_person(&state, &p, &org, named, "is required", &mut fe).await?;
    let fields = R::parse_form(&form, &org, None, &mut fe);
    let ctx = FormContext {
        session: &posted.session,
        org: &org,
        amending: None,
        people,
        current: None,
    };
    let (fields, person) = match (fields, person) {
        (Some(fields), Some(person)) if fe.is_empty() => (fields, person),
        _ => {
            let errors = errors::<R>(&fe);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(form_page::<R>(status, &ctx, &mut form, &errors));
        }
    };
    let (org_id, slug, actor) = (org.id, person.slug.clone(), p.actor());
    let review = review_of(&p, org.id);
    let written = state
        .db(move |c| R::create(c, org_id, &actor, &slug, fields, None, review))
        .await;
    let to = |v: &Version<R::Fields>| {
        let id = v.entry.id;
        format!("/admin/orgs/{}/{}/{id}?saved=created", org.slug, R::FOLDER)
    };
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Refused(fe) => {
            let errors = errors::<R>(&fe);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(form_page::<R>(status, &ctx, &mut form, &errors))
        }
        Answer::Stale(e) => Err(e.into()),
    }
}

pub(super) async fn amend_form<R: EntryForm>(
    state: Data,
    signed_in: SignedIn,
    path: RecordPath,
) -> Page {
    let org = load_org(&state, &path.0).await?;
    let p = &signed_in.0.principal;
    let (v, person) = load::<R>(&state, p, &org, &path.1).await?;
    caller(p).writer_for(org.id, person.id)?;
    let mut form = R::of(&v.entry, &person.slug);
    let ctx = FormContext::amending(&signed_in.0, &org, v.entry.id, &person);
    Ok(form_page::<R>(StatusCode::OK, &ctx, &mut form, &[]))
}

pub(super) async fn amend<R: EntryForm>(
    state: Data,
    path: RecordPath,
    posted: CsrfForm<R::Form>,
) -> Page {
    let org = load_org(&state, &path.0).await?;
    let p = posted.session.principal.clone();
    let (v, person) = load::<R>(&state, &p, &org, &path.1).await?;
    caller(&p).writer_for(org.id, person.id)?;
    let mut form = posted.form;
    person.slug.clone_into(form.person());
    let id = v.entry.id;
    let mut ctx = FormContext::amending(&posted.session, &org, id, &person);
    let mut fe = FieldErrors::default();
    let fields = match R::parse_form(&form, &org, Some(&v.entry.fields), &mut fe) {
        Some(f) if fe.is_empty() => f,
        _ => {
            let errors = errors::<R>(&fe);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(form_page::<R>(status, &ctx, &mut form, &errors));
        }
    };
    let version = version_of(form.version());
    let (org_id, actor) = (org.id, p.actor());
    let review = review_of(&p, org.id);
    let step = R::Step::amend(fields);
    let written = state
        .db(move |c| R::change(c, org_id, &actor, id, version, review, |_, _| Ok(step)))
        .await;
    let to = |_: &_| format!("/admin/orgs/{}/{}/{id}?saved=amended", org.slug, R::FOLDER);
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Stale(_) => {
            // Keep what they entered; the next send is based on the version they have
            // now been shown.
            let (now, _) = load::<R>(&state, &p, &org, &path.1).await?;
            *form.version() = now.entry.version.to_string();
            ctx.current = Some(current_view::<R>(&now));
            let errors = stale(R::NOUN);
            Ok(form_page::<R>(
                StatusCode::CONFLICT,
                &ctx,
                &mut form,
                &errors,
            ))
        }
        Answer::Refused(fe) => {
            let errors = errors::<R>(&fe);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(form_page::<R>(status, &ctx, &mut form, &errors))
        }
    }
}

/// The routes of a register's entry form: `form_routes!(Register, Form)` makes
/// `new_form`, `create`, `amend_form` and `amend`, each handing over to this module's
/// with the register (`Form` is its [`EntryForm::Form`]).
macro_rules! form_routes {
    ($register:ty, $form:ty) => {
        pub async fn new_form(
            state: actix_web::web::Data<crate::web::AppState>,
            signed_in: super::SignedIn,
            path: actix_web::web::Path<String>,
            q: actix_web::web::Query<super::entry_form::NewQuery>,
        ) -> Result<actix_web::HttpResponse, super::PageError> {
            super::entry_form::new_form::<$register>(state, signed_in, path, q).await
        }

        pub async fn create(
            state: actix_web::web::Data<crate::web::AppState>,
            path: actix_web::web::Path<String>,
            posted: super::CsrfForm<$form>,
        ) -> Result<actix_web::HttpResponse, super::PageError> {
            super::entry_form::create::<$register>(state, path, posted).await
        }

        pub async fn amend_form(
            state: actix_web::web::Data<crate::web::AppState>,
            signed_in: super::SignedIn,
            path: actix_web::web::Path<(String, String)>,
        ) -> Result<actix_web::HttpResponse, super::PageError> {
            super::entry_form::amend_form::<$register>(state, signed_in, path).await
        }

        pub async fn amend(
            state: actix_web::web::Data<crate::web::AppState>,
            path: actix_web::web::Path<(String, String)>,
            posted: super::CsrfForm<$form>,
        ) -> Result<actix_web::HttpResponse, super::PageError> {
            super::entry_form::amend::<$register>(state, path, posted).await
        }
    };
}
pub(super) use form_routes;
