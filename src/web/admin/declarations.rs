//! Declarations of interest in the web app: the list with its filters, the form to
//! declare an interest, a declaration's page with its history, and the forms that
//! amend, end, withhold, release and withdraw it. Every write goes through the same
//! store calls as the JSON API, so it is one audit entry and is published the same way.

use super::context::{caller, load_org, org_view, today};
use super::entries::{
    action_routes, answer, hidden, ordered_errors, show_route, stale, tag_class, version_of,
    Action, ActionForm, Answer,
};
use super::registers::{entry_page, listing, load, EntryPages, Tag};
// The form helpers other admin modules have always found here.
pub(super) use super::form::{capitalise, field_messages, friendly};
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::domain::entries::EntryState;
use crate::domain::interests::{Declaration, DeclarationFields, InterestType, Step};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::declarations::{Declarations, Version};
use crate::store::entries::Register;
use crate::store::orgs::Org;
use crate::store::users::{Principal, Role, Session};
use crate::web::api;
use crate::web::auth::governs;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

impl EntryPages for Declarations {
    const NOUN: &'static str = "declaration";
    const FOLDER: &'static str = "declarations";
    const TEMPLATE: &'static str = "admin-declaration";

    /// Besides what every register hides, an interest that ended long enough ago is no
    /// longer published.
    fn standing(d: &Declaration, person: &Person, org: &Org) -> Tag {
        if let Some(hidden) = hidden(&d.standing, person) {
            return hidden;
        }
        if !d.is_public(true, today(), &org.settings) {
            return (
                "not_public",
                "No longer published",
                format!(
                    "No longer published: the interest ended more than {} months ago",
                    org.settings.publish_ended_months
                ),
            );
        }
        ("published", "Published", "On the public register".into())
    }

    fn details(
        d: &Declaration,
        person: &Person,
        org: &Org,
        published: bool,
        may_write: bool,
    ) -> Map<String, Value> {
        let f = &d.fields;
        let changeable = d.standing.state == EntryState::Active;
        let details = json!({
            "person": {"name": person.fields.name, "slug": person.slug, "position": f.position,
                       "decision_making": person.fields.decision_making},
            "public_href": published.then(|| format!("/{}/interests/{}/", org.slug, person.slug)),
            "fields": {
                "type": f.interest_type.label(), "associate": f.associate, "description": f.description,
                "body": f.body, "arose_on": f.arose_on.to_string(), "ended_on": f.ended_on.map(|e| e.to_string()),
                "declared_on": f.declared_on.to_string(), "mitigation": f.mitigation,
                "days_late": f.days_late(&org.settings),
            },
            "may_end": may_write && changeable && f.ended_on.is_none(),
        });
        match details {
            Value::Object(m) => m,
            _ => unreachable!("a JSON object"),
        }
    }

    fn ended_on(d: &Declaration) -> Option<String> {
        d.fields.ended_on.map(|e| e.to_string())
    }

    fn saved(code: &str) -> Option<&'static str> {
        (code == "ended").then_some("The end of the interest was recorded")
    }

    /// The end of an interest, besides the changes of standing.
    fn step(action: Action, form: &ActionForm) -> Result<Step, FieldErrors> {
        match action {
            Action::End => {
                Step::parse_end(&Input::from_pairs([("ended_on", form.ended_on.as_str())]))
            }
            _ => action.standing_change(form).map(Step::Standing),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct ListQuery {
    person: Option<String>,
    state: Option<String>,
    page: Option<String>,
}

const STATES: [(&str, &str); 4] = [
    ("published", "Published"),
    ("withheld", "Withheld"),
    ("not_public", "Not public"),
    ("withdrawn", "Withdrawn"),
];

pub async fn list(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let p = &signed_in.0.principal;
    let want_person = q.person.as_deref().filter(|s| !s.is_empty());
    let want_state = q.state.as_deref().filter(|s| !s.is_empty());
    let filters = [
        ("person", want_person.unwrap_or("")),
        ("state", want_state.unwrap_or("")),
    ];
    let listed = listing::<Declarations>(
        &state,
        p,
        &org,
        q.page.as_deref(),
        &filters,
        |v, person, (code, label, why)| {
            let wanted = want_person.is_none_or(|s| s == person.slug)
                && want_state.is_none_or(|s| s == code);
            let d = &v.entry;
            wanted.then(|| {
                json!({
                    "id": d.id, "href": format!("/admin/orgs/{}/declarations/{}", org.slug, d.id),
                    "person": person.fields.name, "type": d.fields.interest_type.label(),
                    "body": d.fields.body, "arose_on": d.fields.arose_on.to_string(),
                    "ended_on": d.fields.ended_on.map(|e| e.to_string()),
                    "state": label, "state_detail": why, "tag_class": tag_class(code),
                })
            })
        },
    )
    .await?;
    let person_options: Vec<Value> = listed
        .people
        .iter()
        .map(|x| json!({"slug": x.slug, "name": x.fields.name, "selected": want_person == Some(x.slug.as_str())}))
        .collect();
    let state_options: Vec<Value> = STATES
        .iter()
        .map(|(code, label)| json!({"code": code, "label": label, "selected": want_state == Some(*code)}))
        .collect();
    Ok(page(
        StatusCode::OK,
        "admin-declarations",
        &json!({
            "title": format!("Declarations of interest – {}", org.name),
            "account": AccountView::of(&signed_in.0), "errors": [], "org": org_view(&org),
            "rows": listed.rows, "people": person_options, "states": state_options,
            "filtered": want_person.is_some() || want_state.is_some(),
            "may_declare": listed.may_record, "pagination": listed.pagination,
            "may_import": governs(p, org.id),
        }),
    ))
}

// ---------------------------------------------------------------------------------------
// The declaration form (new and amend)
// ---------------------------------------------------------------------------------------

/// The declaration form as posted. Every field is text; empty means not given.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct DeclarationForm {
    person: String,
    interest_type: String,
    associate: String,
    description: String,
    body: String,
    arose_on: String,
    ended_on: String,
    declared_on: String,
    mitigation: String,
    version: String,
}

/// The form's fields in page order, with the label each error names.
const FIELDS: [(&str, &str); 9] = [
    ("person", "Person"),
    ("interest_type", "Type of interest"),
    ("associate", "Who the associate is"),
    ("description", "Description of the interest"),
    ("body", "Organisation or body"),
    ("arose_on", "Date the interest arose"),
    ("ended_on", "Date the interest ended"),
    ("declared_on", "Date declared"),
    ("mitigation", "Action taken to manage the conflict"),
];

impl DeclarationForm {
    /// The domain fields as input: an empty field is absent (so a cleared optional field
    /// clears it, and an amendment keeps only what the form does not show, its position).
    fn input(&self) -> Input {
        let mut m = Map::new();
        for (k, v) in [
            ("interest_type", &self.interest_type),
            ("associate", &self.associate),
            ("description", &self.description),
            ("body", &self.body),
            ("arose_on", &self.arose_on),
            ("ended_on", &self.ended_on),
            ("declared_on", &self.declared_on),
            ("mitigation", &self.mitigation),
        ] {
            m.insert(k.to_owned(), super::form::text_or_null(v));
        }
        Input::from_json(Value::Object(m)).expect("an object")
    }

    fn of(d: &Declaration, person_slug: &str) -> DeclarationForm {
        let f = &d.fields;
        DeclarationForm {
            person: person_slug.to_owned(),
            interest_type: f.interest_type.code().to_owned(),
            associate: f.associate.clone().unwrap_or_default(),
            description: f.description.clone(),
            body: f.body.clone(),
            arose_on: f.arose_on.to_string(),
            ended_on: f.ended_on.map(|e| e.to_string()).unwrap_or_default(),
            declared_on: f.declared_on.to_string(),
            mitigation: f.mitigation.clone(),
            version: d.version.to_string(),
        }
    }

    fn values(&self) -> Value {
        json!({
            "person": self.person, "interest_type": self.interest_type, "associate": self.associate,
            "description": self.description, "body": self.body, "arose_on": self.arose_on,
            "ended_on": self.ended_on, "declared_on": self.declared_on, "mitigation": self.mitigation,
            "version": self.version,
        })
    }
}

/// Field problems in the form's order; a problem with no field of its own (such as the
/// entry's state) is shown against `fallback`.
fn form_errors(
    fe: &FieldErrors,
    fields: &[(&'static str, &'static str)],
    fallback: &'static str,
) -> Vec<FieldError> {
    let names: Vec<&'static str> = fields.iter().map(|(f, _)| *f).collect();
    ordered_errors(fe, &names, fallback, |field, m| {
        let label = fields.iter().find(|(f, _)| *f == field).map_or("", |x| x.1);
        friendly(field, label, m)
    })
}

const TYPE_HINTS: [&str; 4] = [
    "They could gain financially from a decision: a directorship, shares, employment, consultancy, or a partnership in a GP practice.",
    "They could gain in their profession or reputation: an advisory role, a position in a professional body, research funding.",
    "They could benefit personally, but not financially or professionally: a charity trusteeship, membership of a campaign group.",
    "Someone close to them (a spouse, partner, relative or close friend) has an interest of one of these kinds.",
];

/// What the form page needs besides the values and errors.
struct FormContext<'a> {
    session: &'a Session,
    org: &'a Org,
    /// `None` for a new declaration; the declaration's id and person when amending.
    amending: Option<(i64, &'a Person)>,
    /// People the account may declare for (one, fixed, for a declarant).
    people: Vec<Person>,
    /// The declaration's current version, when a stale form is shown again.
    current: Option<Value>,
}

fn form_page(
    status: StatusCode,
    ctx: &FormContext,
    form: &DeclarationForm,
    errors: &[FieldError],
) -> HttpResponse {
    let org = ctx.org;
    let p = &ctx.session.principal;
    let fixed = ctx.amending.map(|(_, person)| person.clone()).or_else(|| {
        (!governs(p, org.id))
            .then(|| ctx.people.first().cloned())
            .flatten()
    });
    let people: Vec<Value> = ctx
        .people
        .iter()
        .map(|x| json!({"slug": x.slug, "name": x.fields.name, "position": x.fields.position, "selected": x.slug == form.person}))
        .collect();
    let types: Vec<Value> = InterestType::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({
                "code": t.code(), "label": t.label(), "hint": TYPE_HINTS[i],
                "id": if i == 0 { "interest_type".to_owned() } else { format!("interest_type-{}", i + 1) },
                "checked": form.interest_type == t.code(),
            })
        })
        .collect();
    let (title, action, back) = match ctx.amending {
        None => (
            "Declare an interest".to_owned(),
            format!("/admin/orgs/{}/declarations/new", org.slug),
            format!("/admin/orgs/{}/declarations", org.slug),
        ),
        Some((id, _)) => (
            format!("Amend declaration {id}"),
            format!("/admin/orgs/{}/declarations/{id}/amend", org.slug),
            format!("/admin/orgs/{}/declarations/{id}", org.slug),
        ),
    };
    let names: Vec<&str> = FIELDS
        .iter()
        .map(|(f, _)| *f)
        .chain(["current-version"])
        .collect();
    page(
        status,
        "admin-declaration-form",
        &json!({
            "title": title, "account": AccountView::of(ctx.session), "errors": errors,
            "org": org_view(org), "action": action, "back": back,
            "amending": ctx.amending.is_some(),
            "fixed_person": fixed.map(|x| json!({"slug": x.slug, "name": x.fields.name, "position": x.fields.position})),
            "people": people, "types": types, "values": form.values(),
            "e": field_messages(errors, &names), "current": ctx.current,
            "today": today().to_string(),
        }),
    )
}

/// The people this account may declare for: everyone for governance, their own for a
/// declarant (403 for a declarant without one, or any other role).
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

pub async fn new_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let people = declarable(&state, &signed_in.0.principal, &org).await?;
    let mut form = DeclarationForm {
        declared_on: today().to_string(),
        ..Default::default()
    };
    if !governs(&signed_in.0.principal, org.id) {
        form.person = people[0].slug.clone();
    } else if let Some(slug) = q.person.as_deref() {
        form.person = slug.to_owned();
    }
    let ctx = FormContext {
        session: &signed_in.0,
        org: &org,
        amending: None,
        people,
        current: None,
    };
    Ok(form_page(StatusCode::OK, &ctx, &form, &[]))
}

pub async fn create(
    state: web::Data<AppState>,
    path: web::Path<String>,
    posted: CsrfForm<DeclarationForm>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let p = posted.session.principal.clone();
    let mut form = posted.form;
    let mut fe = FieldErrors::default();
    let (people, person) =
        form_person(&state, &p, &org, &mut form.person, "is required", &mut fe).await?;
    let fields = DeclarationFields::parse(&form.input(), today());
    if let Err(e) = &fields {
        e.0.iter().for_each(|(k, v)| fe.add(k, v.clone()));
    }
    let ctx = FormContext {
        session: &posted.session,
        org: &org,
        amending: None,
        people,
        current: None,
    };
    if !fe.is_empty() {
        let errors = form_errors(&fe, &FIELDS, "interest_type");
        return Ok(form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ctx,
            &form,
            &errors,
        ));
    }
    let (fields, person) = (fields.expect("no errors"), person.expect("no errors"));
    let (org_id, slug, actor) = (org.id, person.slug.clone(), p.actor());
    let review = crate::web::auth::review_of(&p, org.id);
    let written = state
        .db(move |c| Declarations::create(c, org_id, &actor, &slug, fields, None, review))
        .await;
    let to = |d: &Version| {
        let id = d.entry.id;
        format!("/admin/orgs/{}/declarations/{id}?saved=created", org.slug)
    };
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Refused(fe) => {
            let errors = form_errors(&fe, &FIELDS, "interest_type");
            Ok(form_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ctx,
                &form,
                &errors,
            ))
        }
        Answer::Stale(e) => Err(e.into()),
    }
}

pub async fn amend_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path.0).await?;
    let p = &signed_in.0.principal;
    let (v, person) = load::<Declarations>(&state, p, &org, &path.1).await?;
    caller(p).writer_for(org.id, person.id)?;
    let form = DeclarationForm::of(&v.entry, &person.slug);
    let ctx = FormContext {
        session: &signed_in.0,
        org: &org,
        amending: Some((v.entry.id, &person)),
        people: vec![person.clone()],
        current: None,
    };
    Ok(form_page(StatusCode::OK, &ctx, &form, &[]))
}

/// The current version, briefly, for a stale form shown again.
fn current_view(v: &Version) -> Value {
    let f = &v.entry.fields;
    json!({
        "version": v.entry.version, "recorded_at": v.recorded_at, "recorded_by": v.recorded_by,
        "type": f.interest_type.label(), "associate": f.associate, "description": f.description,
        "body": f.body, "arose_on": f.arose_on.to_string(), "ended_on": f.ended_on.map(|e| e.to_string()),
        "declared_on": f.declared_on.to_string(), "mitigation": f.mitigation,
    })
}

pub async fn amend(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    posted: CsrfForm<DeclarationForm>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path.0).await?;
    let p = posted.session.principal.clone();
    let (v, person) = load::<Declarations>(&state, &p, &org, &path.1).await?;
    caller(&p).writer_for(org.id, person.id)?;
    let mut form = posted.form;
    form.person = person.slug.clone();
    let id = v.entry.id;
    let mut ctx = FormContext {
        session: &posted.session,
        org: &org,
        amending: Some((id, &person)),
        people: vec![person.clone()],
        current: None,
    };
    let version = version_of(&form.version);
    let fields = DeclarationFields::parse(&v.entry.fields.to_input().merged(form.input()), today());
    let fields = match fields {
        Ok(f) => f,
        Err(fe) => {
            let errors = form_errors(&fe, &FIELDS, "interest_type");
            return Ok(form_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ctx,
                &form,
                &errors,
            ));
        }
    };
    let (org_id, actor) = (org.id, p.actor());
    let review = crate::web::auth::review_of(&p, org.id);
    let written = state
        .db(move |c| {
            Declarations::change(c, org_id, &actor, id, version, review, |_, _| {
                Ok(Step::Amend(fields))
            })
        })
        .await;
    let to = |_: &_| format!("/admin/orgs/{}/declarations/{id}?saved=amended", org.slug);
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Stale(_) => {
            // Keep what they entered; the next send is based on the version they have
            // now been shown.
            let (now, _) = load::<Declarations>(&state, &p, &org, &path.1).await?;
            form.version = now.entry.version.to_string();
            ctx.current = Some(current_view(&now));
            let errors = stale("declaration");
            Ok(form_page(StatusCode::CONFLICT, &ctx, &form, &errors))
        }
        Answer::Refused(fe) => {
            let errors = form_errors(&fe, &FIELDS, "interest_type");
            Ok(form_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ctx,
                &form,
                &errors,
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------
// A declaration's page and its actions
// ---------------------------------------------------------------------------------------

show_route!(entry_page::<Declarations>);

action_routes! { Declarations:
    end => End,
    withhold => Withhold,
    release => Release,
    withdraw => Withdraw,
    accept => Accept,
    return_for_changes => Return,
}
