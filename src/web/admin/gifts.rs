//! Gifts and hospitality in the web app: the list of offers; the form to record or amend
//! one, which explains the organisation's thresholds (which offers are declared, which
//! must be declined, which need approval) and checks them; an offer's page with every
//! version, and the forms that withhold, release and withdraw it. Writes go through the
//! store calls the JSON API uses, so each is one audit entry, published the same way.

use super::context::{caller, load_org, org_view, today};
use super::declarations::{capitalise, declarable, field_messages, form_person, friendly};
use super::entries::{
    action_routes, answer, ordered_errors, show_route, stale, tag_class, version_of, Answer,
};
use super::registers::{entry_page, listing, load, EntryPages};
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::domain::gifts::{threshold_rules, Gift, GiftFields};
use crate::domain::money::{Pence, Style};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::entries::Register;
use crate::store::gifts::{GiftStep, Gifts, Version};
use crate::store::orgs::Org;
use crate::store::users::Session;
use crate::web::auth::governs;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

#[derive(Deserialize)]
pub struct ListQuery {
    saved: Option<String>,
    page: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let p = &signed_in.0.principal;
    let listed = listing::<Gifts>(&state, p, &org, q.page.as_deref(), &[], |v, person, (code, state, _)| {
        let g = &v.entry;
        let a = g.fields.assessment(&org.settings);
        Some(json!({
            "id": g.id, "href": format!("/admin/orgs/{}/gifts/{}", org.slug, g.id),
            "tag_class": tag_class(code), "person": person.fields.name, "giver": g.fields.giver,
            "kind": g.fields.kind.label(), "description": g.fields.description,
            "value": Pence(g.fields.value_pence).pounds(Style::EXACT), "offered_on": g.fields.offered_on.to_string(),
            "outcome": g.fields.outcome.code(), "rule": a.rule, "state": state,
        }))
    })
    .await?;
    Ok(page(
        StatusCode::OK,
        "admin-gifts",
        &json!({
            "title": format!("Gifts and hospitality – {}", org.name),
            "account": AccountView::of(&signed_in.0), "errors": [], "org": org_view(&org),
            "rows": listed.rows, "may_record": listed.may_record, "pagination": listed.pagination,
            "may_import": governs(p, org.id),
            "saved": (q.saved.as_deref() == Some("created")).then_some("The offer was recorded"),
        }),
    ))
}

/// A form's amount in pounds as pence for the domain's parser, or `message` against
/// `field` (with 0 in its place, so the other fields are still checked).
pub(super) fn pence_of(raw: &str, field: &str, message: &str, fe: &mut FieldErrors) -> Value {
    match Pence::parse_pounds(raw).filter(|_| !raw.trim().is_empty()) {
        Some(pence) => json!(pence.pence()),
        None => {
            fe.add(field, message);
            json!(0)
        }
    }
}

impl EntryPages for Gifts {
    const NOUN: &'static str = "offer";
    const FOLDER: &'static str = "gifts";
    const TEMPLATE: &'static str = "admin-gift";

    fn details(
        g: &Gift,
        person: &Person,
        org: &Org,
        published: bool,
        _may_write: bool,
    ) -> Map<String, Value> {
        let f = &g.fields;
        let a = f.assessment(&org.settings);
        let details = json!({
            "person": {"name": person.fields.name, "position": person.fields.position,
                       "decision_making": person.fields.decision_making},
            "public_href": published.then(|| format!("/{}/gifts/", org.slug)),
            "fields": {
                "giver": f.giver, "supplier": if f.giver_is_supplier { "Yes" } else { "No" },
                "kind": f.kind.label(), "description": f.description, "value": Pence(f.value_pence).pounds(Style::EXACT),
                "offered_on": f.offered_on.to_string(), "outcome": capitalise(f.outcome.code()),
                "approved_by": f.approved_by, "declared_on": f.declared_on.to_string(),
                "rule": a.rule, "warnings": f.warnings(&org.settings),
            },
        });
        match details {
            Value::Object(m) => m,
            _ => unreachable!("a JSON object"),
        }
    }
}

/// The gift form as posted.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct GiftForm {
    person: String,
    giver: String,
    giver_is_supplier: String,
    kind: String,
    description: String,
    value: String,
    offered_on: String,
    outcome: String,
    approved_by: String,
    declared_on: String,
    version: String,
}

const FIELDS: [(&str, &str); 10] = [
    ("person", "Person"),
    ("giver", "Who offered it"),
    ("giver_is_supplier", "Whether the giver is a supplier"),
    ("kind", "What was offered"),
    ("description", "Description"),
    ("value", "Value"),
    ("offered_on", "Date offered"),
    ("outcome", "Outcome"),
    ("approved_by", "Approved by"),
    ("declared_on", "Date declared"),
];

impl GiftForm {
    /// The domain's fields from the form, every problem in `fe` (a value in pounds is
    /// turned into pence first).
    fn fields(&self, org: &Org, fe: &mut FieldErrors) -> Option<GiftFields> {
        let mut m = Map::new();
        for (k, v) in [
            ("giver", &self.giver),
            ("giver_is_supplier", &self.giver_is_supplier),
            ("kind", &self.kind),
            ("description", &self.description),
            ("offered_on", &self.offered_on),
            ("outcome", &self.outcome),
            ("approved_by", &self.approved_by),
            ("declared_on", &self.declared_on),
        ] {
            m.insert(k.to_owned(), super::form::text_or_null(v));
        }
        let value = pence_of(&self.value, "value", VALUE_MESSAGE, fe);
        m.insert("value_pence".into(), value);
        let fields = GiftFields::parse(
            &Input::from_json(Value::Object(m)).expect("an object"),
            today(),
            &org.settings,
        );
        match fields {
            Ok(f) => Some(f),
            Err(e) => {
                for (k, v) in &e.0 {
                    fe.add(k, v.clone());
                }
                None
            }
        }
    }

    fn of(g: &Gift, person_slug: &str) -> GiftForm {
        let f = &g.fields;
        GiftForm {
            person: person_slug.to_owned(),
            giver: f.giver.clone(),
            giver_is_supplier: f.giver_is_supplier.to_string(),
            kind: f.kind.code().to_owned(),
            description: f.description.clone(),
            value: Pence(f.value_pence).form_text(),
            offered_on: f.offered_on.to_string(),
            outcome: f.outcome.code().to_owned(),
            approved_by: f.approved_by.clone().unwrap_or_default(),
            declared_on: f.declared_on.to_string(),
            version: g.version.to_string(),
        }
    }
}

const VALUE_MESSAGE: &str = "Enter the value in pounds, for example 49.99";

/// Problems in the GOV.UK words, in the form's order; a problem with no field of its
/// own (such as the offer's state) is shown against the first field.
fn form_errors(fe: &FieldErrors) -> Vec<FieldError> {
    let names: Vec<&'static str> = FIELDS.iter().map(|(f, _)| *f).collect();
    ordered_errors(fe, &names, "giver", |field, m| {
        let label = FIELDS.iter().find(|(f, _)| *f == field).map_or("", |x| x.1);
        if m.starts_with("Enter ") {
            m.to_owned()
        } else if field == "person" {
            "Select the person the offer was made to".into()
        } else if m.starts_with("is required") {
            match field {
                "kind" => "Select what was offered".into(),
                "outcome" => "Select whether the offer was accepted or declined".into(),
                _ => friendly(field, label, m),
            }
        } else if field == "approved_by" || field == "outcome" {
            capitalise(m)
        } else {
            friendly(field, label, m)
        }
    })
}

/// What the form page needs besides the values and errors.
struct FormContext<'a> {
    session: &'a Session,
    org: &'a Org,
    /// `None` for a new offer; the offer's id and person when amending.
    amending: Option<(i64, &'a Person)>,
    /// People the account may record offers for (one, fixed, for a declarant).
    people: Vec<Person>,
    /// The offer's current version, when a stale form is shown again.
    current: Option<Value>,
}

fn form_page(
    status: StatusCode,
    ctx: &FormContext,
    form: &GiftForm,
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
    let options: Vec<Value> = people
        .iter()
        .map(|x| json!({"slug": x.slug, "name": x.fields.name, "position": x.fields.position, "selected": x.slug == form.person}))
        .collect();
    let names: Vec<&str> = FIELDS
        .iter()
        .map(|(f, _)| *f)
        .chain(["current-version"])
        .collect();
    let (title, action, back) = match ctx.amending {
        None => (
            "Record an offer of a gift or hospitality".to_owned(),
            format!("/admin/orgs/{}/gifts/new", org.slug),
            format!("/admin/orgs/{}/gifts", org.slug),
        ),
        Some((id, _)) => (
            format!("Amend offer {id}"),
            format!("/admin/orgs/{}/gifts/{id}/amend", org.slug),
            format!("/admin/orgs/{}/gifts/{id}", org.slug),
        ),
    };
    page(
        status,
        "admin-gift-form",
        &json!({
            "title": title, "account": AccountView::of(session), "action": action, "back": back,
            "amending": ctx.amending.is_some(), "current": ctx.current,
            "errors": errors, "org": org_view(org), "fixed_person": fixed, "people": options,
            "rules": threshold_rules(&org.settings),
            "values": {
                "giver": form.giver, "supplier_yes": form.giver_is_supplier == "true",
                "supplier_no": form.giver_is_supplier == "false",
                "gift": form.kind == "gift", "hospitality": form.kind == "hospitality",
                "cash": form.kind == "cash_or_voucher", "description": form.description,
                "value": form.value, "offered_on": form.offered_on,
                "accepted": form.outcome == "accepted", "declined": form.outcome == "declined",
                "approved_by": form.approved_by, "declared_on": form.declared_on,
                "version": form.version,
            },
            "e": field_messages(errors, &names),
        }),
    )
}

pub async fn new_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let people = declarable(&state, &signed_in.0.principal, &org).await?;
    let mut form = GiftForm {
        declared_on: today().to_string(),
        ..Default::default()
    };
    if !governs(&signed_in.0.principal, org.id) {
        form.person = people[0].slug.clone();
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
    posted: CsrfForm<GiftForm>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let p = posted.session.principal.clone();
    let mut form = posted.form;
    let mut fe = FieldErrors::default();
    let (people, person) =
        form_person(&state, &p, &org, &mut form.person, "is required", &mut fe).await?;
    let fields = form.fields(&org, &mut fe);
    let ctx = FormContext {
        session: &posted.session,
        org: &org,
        amending: None,
        people,
        current: None,
    };
    let show =
        |status: StatusCode, fe: &FieldErrors| form_page(status, &ctx, &form, &form_errors(fe));
    if !fe.is_empty() {
        return Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &fe));
    }
    let (fields, person) = (fields.expect("no errors"), person.expect("no errors"));
    let (org_id, slug, actor) = (org.id, person.slug.clone(), p.actor());
    let review = crate::web::auth::review_of(&p, org.id);
    let written = state
        .db(move |c| Gifts::create(c, org_id, &actor, &slug, fields, None, review))
        .await;
    let to = |v: &Version| {
        format!(
            "/admin/orgs/{}/gifts/{}?saved=created",
            org.slug, v.entry.id
        )
    };
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Refused(fe) => Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &fe)),
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
    let (v, person) = load::<Gifts>(&state, p, &org, &path.1).await?;
    caller(p).writer_for(org.id, person.id)?;
    let form = GiftForm::of(&v.entry, &person.slug);
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
        "giver": f.giver, "kind": f.kind.label(), "description": f.description,
        "value": Pence(f.value_pence).pounds(Style::EXACT), "offered_on": f.offered_on.to_string(),
        "outcome": f.outcome.code(), "approved_by": f.approved_by,
        "declared_on": f.declared_on.to_string(),
    })
}

pub async fn amend(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    posted: CsrfForm<GiftForm>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path.0).await?;
    let p = posted.session.principal.clone();
    let (v, person) = load::<Gifts>(&state, &p, &org, &path.1).await?;
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
    let mut fe = FieldErrors::default();
    let fields = form.fields(&org, &mut fe);
    let fields = match fields {
        Some(f) if fe.is_empty() => f,
        _ => {
            return Ok(form_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &ctx,
                &form,
                &form_errors(&fe),
            ))
        }
    };
    let version = version_of(&form.version);
    let (org_id, actor) = (org.id, p.actor());
    let review = crate::web::auth::review_of(&p, org.id);
    let written = state
        .db(move |c| {
            Gifts::change(c, org_id, &actor, id, version, review, |_, _| {
                Ok(GiftStep::Amend(fields))
            })
        })
        .await;
    let to = |_: &_| format!("/admin/orgs/{}/gifts/{id}?saved=amended", org.slug);
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Stale(_) => {
            // Keep what they entered; the next send is based on the version shown now.
            let (now, _) = load::<Gifts>(&state, &p, &org, &path.1).await?;
            form.version = now.entry.version.to_string();
            ctx.current = Some(current_view(&now));
            let errors = stale("offer");
            Ok(form_page(StatusCode::CONFLICT, &ctx, &form, &errors))
        }
        Answer::Refused(fe) => Ok(form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ctx,
            &form,
            &form_errors(&fe),
        )),
    }
}

show_route!(entry_page::<Gifts>);

action_routes! { Gifts:
    withhold => Withhold,
    release => Release,
    withdraw => Withdraw,
    accept => Accept,
    return_for_changes => Return,
}
