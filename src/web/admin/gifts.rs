//! Gifts and hospitality in the web app: the list of offers, and the form to record one,
//! which explains the organisation's thresholds (which offers are declared, which must be
//! declined, which need approval) and checks them. Writes go through the store call the
//! JSON API uses.

use super::declarations::{
    caller, capitalise, declarable, field_messages, form_person, friendly, load_org, org_view,
    see_other, today,
};
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::domain::gifts::{assess, GiftFields, GiftKind};
use crate::domain::org::OrgSettings;
use crate::domain::people::Person;
use crate::domain::validation::parse_pounds;
use crate::domain::{FieldErrors, Input};
use crate::store::orgs::Org;
use crate::store::users::{Role, Session};
use crate::web::api;
use crate::web::auth::governs;
use crate::web::error::ApiError;
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
    let page_no = super::paging::page_number(q.page.as_deref())?;
    let p = signed_in.0.principal.clone();
    let org_id = org.id;
    let (people, versions) = state
        .db(move |c| {
            Ok((
                crate::store::people::all(c, org_id)?,
                crate::store::gifts::current(c, org_id)?,
            ))
        })
        .await?;
    let who = caller(&p);
    let rows: Vec<Value> = versions
        .iter()
        .rev()
        .filter_map(|v| {
            let person = people.iter().find(|x| x.id == v.gift.person_id)?;
            if !who.reads_person(org.id, person.id) {
                return None;
            }
            let g = &v.gift;
            let a = g.fields.assessment(&org.settings);
            let state = if let Some(review) = awaiting_or_returned(&g.standing.review) {
                review
            } else if g.is_public(person.fields.decision_making) {
                "Published"
            } else if g.standing.state == crate::domain::entries::EntryState::Withdrawn {
                "Withdrawn"
            } else if g.standing.withheld_reason.is_some() {
                "Withheld"
            } else {
                "Not public"
            };
            Some(json!({
                "id": g.id, "person": person.fields.name, "giver": g.fields.giver,
                "kind": g.fields.kind.label(), "description": g.fields.description,
                "value": pounds(g.fields.value_pence), "offered_on": g.fields.offered_on.to_string(),
                "outcome": g.fields.outcome.code(), "rule": a.rule, "state": state,
            }))
        })
        .collect();
    let (rows, pagination) = super::paging::paginate(
        rows,
        page_no,
        &format!("/admin/orgs/{}/gifts", org.slug),
        &[],
    )?;
    let may_record =
        governs(&p, org.id) || (p.role == Role::Declarant && p.person_in(org.id).is_some());
    Ok(page(
        StatusCode::OK,
        "admin-gifts",
        &json!({
            "title": format!("Gifts and hospitality – {}", org.name),
            "account": AccountView::of(&signed_in.0), "errors": [], "org": org_view(&org),
            "rows": rows, "may_record": may_record, "pagination": pagination,
            "may_import": governs(&p, org.id),
            "saved": (q.saved.as_deref() == Some("created")).then_some("The offer was recorded"),
        }),
    ))
}

fn pounds(pence: i64) -> String {
    format!("£{}.{:02}", pence / 100, pence % 100)
}

/// The organisation's thresholds, in the words the domain applies them with.
fn rules(s: &OrgSettings) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (kind, supplier, value) in [
        (GiftKind::CashOrVoucher, false, 0),
        (GiftKind::Gift, true, s.supplier_gift_max_pence),
        (GiftKind::Gift, true, s.supplier_gift_max_pence + 1),
        (GiftKind::Gift, false, s.other_gift_declare_from_pence - 1),
        (GiftKind::Gift, false, s.other_gift_declare_from_pence),
        (
            GiftKind::Hospitality,
            false,
            s.hospitality_declare_from_pence - 1,
        ),
        (
            GiftKind::Hospitality,
            false,
            s.hospitality_declare_from_pence,
        ),
        (
            GiftKind::Hospitality,
            false,
            s.hospitality_approval_over_pence + 1,
        ),
    ] {
        let rule = assess(kind, supplier, value.max(0), s).rule;
        if !out.contains(&rule) {
            out.push(rule);
        }
    }
    out
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

fn form_page(
    status: StatusCode,
    session: &Session,
    org: &Org,
    people: &[Person],
    form: &GiftForm,
    errors: &[FieldError],
) -> HttpResponse {
    let fixed = (!governs(&session.principal, org.id))
        .then(|| people.first())
        .flatten()
        .map(|x| json!({"slug": x.slug, "name": x.fields.name, "position": x.fields.position}));
    let options: Vec<Value> = people
        .iter()
        .map(|x| json!({"slug": x.slug, "name": x.fields.name, "position": x.fields.position, "selected": x.slug == form.person}))
        .collect();
    let names: Vec<&str> = FIELDS.iter().map(|(f, _)| *f).collect();
    page(
        status,
        "admin-gift-form",
        &json!({
            "title": "Record an offer of a gift or hospitality", "account": AccountView::of(session),
            "errors": errors, "org": org_view(org), "fixed_person": fixed, "people": options,
            "rules": rules(&org.settings),
            "values": {
                "giver": form.giver, "supplier_yes": form.giver_is_supplier == "true",
                "supplier_no": form.giver_is_supplier == "false",
                "gift": form.kind == "gift", "hospitality": form.kind == "hospitality",
                "cash": form.kind == "cash_or_voucher", "description": form.description,
                "value": form.value, "offered_on": form.offered_on,
                "accepted": form.outcome == "accepted", "declined": form.outcome == "declined",
                "approved_by": form.approved_by, "declared_on": form.declared_on,
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
    Ok(form_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        &people,
        &form,
        &[],
    ))
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
    let mut m = Map::new();
    for (k, v) in [
        ("giver", &form.giver),
        ("giver_is_supplier", &form.giver_is_supplier),
        ("kind", &form.kind),
        ("description", &form.description),
        ("offered_on", &form.offered_on),
        ("outcome", &form.outcome),
        ("approved_by", &form.approved_by),
        ("declared_on", &form.declared_on),
    ] {
        let value = if v.trim().is_empty() {
            Value::Null
        } else {
            Value::String(v.clone())
        };
        m.insert(k.to_owned(), value);
    }
    if form.value.trim().is_empty() {
        fe.add("value", "Enter the value in pounds, for example 49.99");
        m.insert("value_pence".into(), json!(0));
    } else {
        match parse_pounds(&form.value) {
            Some(pence) => {
                m.insert("value_pence".into(), json!(pence));
            }
            None => {
                fe.add("value", "Enter the value in pounds, for example 49.99");
                m.insert("value_pence".into(), json!(0));
            }
        }
    }
    let fields = GiftFields::parse(
        &Input::from_json(Value::Object(m)).expect("an object"),
        today(),
        &org.settings,
    );
    if let Err(e) = &fields {
        for (k, v) in &e.0 {
            let k = if k == "value_pence" {
                "value"
            } else {
                k.as_str()
            };
            fe.add(k, v.clone());
        }
    }
    let show = |status: StatusCode, fe: &FieldErrors| {
        let errors: Vec<FieldError> = FIELDS
            .iter()
            .filter_map(|(field, label)| {
                fe.0.get(*field).map(|m| FieldError {
                    field,
                    message: if m.starts_with("Enter ") {
                        m.clone()
                    } else if *field == "person" {
                        "Select the person the offer was made to".into()
                    } else if m.starts_with("is required") {
                        match *field {
                            "kind" => "Select what was offered".into(),
                            "outcome" => "Select whether the offer was accepted or declined".into(),
                            _ => friendly(field, label, m),
                        }
                    } else if *field == "approved_by" || *field == "outcome" {
                        capitalise(m)
                    } else {
                        friendly(field, label, m)
                    },
                })
            })
            .collect();
        form_page(status, &posted.session, &org, &people, &form, &errors)
    };
    if !fe.is_empty() {
        return Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &fe));
    }
    let (fields, person) = (fields.expect("no errors"), person.expect("no errors"));
    let (org_id, slug, actor) = (org.id, person.slug.clone(), p.actor());
    let review = crate::web::auth::review_of(&p, org.id);
    let written = state
        .db(move |c| crate::store::gifts::create(c, org_id, &actor, &slug, fields, None, review))
        .await;
    match written {
        Ok(committed) => {
            api::publish(&state, &committed.org.slug, committed.touched).await;
            Ok(see_other(format!(
                "/admin/orgs/{}/gifts?saved=created",
                org.slug
            )))
        }
        Err(ApiError::Invalid(fe)) => Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &fe)),
        Err(e) => Err(e.into()),
    }
}

/// The review state a list shows instead of the standing, if the current version has
/// not been accepted.
pub(super) fn awaiting_or_returned(
    review: &crate::domain::entries::Review,
) -> Option<&'static str> {
    (*review != crate::domain::entries::Review::Accepted).then(|| review.label())
}
