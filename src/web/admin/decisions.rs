//! Procurement decisions and breaches of the conflicts policy in the web app: the
//! register of decisions a page at a time, a decision's page with its history, the forms
//! that record, amend and withdraw one; the record of breaches, and the forms that record
//! and amend one. Writes are a governance lead's and go through the store calls the JSON
//! API uses, so the store's own refusals (an item that took no decision, a date that is
//! not its meeting's) come back as form errors with nothing written.

use super::context::{caller, load_org, org_view};
use super::entries::{action_values, history, settle, show_route, Action, ActionForm, HistoryRow};
use super::form::{
    answer, capitalise, field_messages, ordered_errors, stale, text_or_null, version_of, Answer,
    Field,
};
use super::gifts::pence_of;
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::domain::committees::{Committee, Item, Meeting};
use crate::domain::decisions::{
    route_label, Breach, BreachInput, Decision, DecisionFields, ServiceStatus, ROUTES,
};
use crate::domain::entries::StandingChange;
use crate::domain::money::{Pence, Style};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::breaches;
use crate::store::decisions::{self as store, DecisionStep};
use crate::store::orgs::Org;
use crate::store::records::{self, Stored};
use crate::store::users::Session;
use crate::web::api;
use crate::web::auth::governs;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Map, Value};

/// Decisions on a page of the list.
const PAGE_SIZE: usize = 50;

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Problems in the GOV.UK words: `fields` is (field, label, what to say when it is
/// missing); a message the store wrote as a sentence of its own is shown as it is.
fn form_errors(
    fe: &FieldErrors,
    fields: &[(&'static str, &'static str, &'static str)],
) -> Vec<FieldError> {
    let names: Vec<&'static str> = fields.iter().map(|(f, _, _)| *f).collect();
    ordered_errors(fe, &names, names[0], |field, m| {
        let (_, label, required) = fields
            .iter()
            .find(|(f, _, _)| *f == field)
            .expect("a field");
        // A choice from a select or radios is asked for again, not told its codes.
        if m.starts_with("is required") || m.starts_with("must be one of") {
            (*required).to_owned()
        } else if m.starts_with("Enter ") || m.starts_with("item ") || m.starts_with("no ") {
            capitalise(m)
        } else {
            format!("{label} {m}")
        }
    })
}

/// Form text as domain input: an empty field is absent (null), so clearing an optional
/// field clears it when amending.
fn text_input(pairs: &[(&str, &String)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), text_or_null(v)))
        .collect()
}

// ---------------------------------------------------------------------------------------
// The register of decisions
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct ListQuery {
    page: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    q: web::Query<ListQuery>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let org_id = org.id;
    let mut all = state
        .db(move |c| records::current::<Decision>(c, org_id))
        .await?;
    all.sort_by_key(|d| std::cmp::Reverse((d.record.fields.decided_on, d.id)));
    let pages = all.len().div_ceil(PAGE_SIZE).max(1);
    let at = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<usize>().ok())
        .filter(|p| (1..=pages).contains(p))
        .unwrap_or(1);
    let rows: Vec<Value> = all
        .iter()
        .skip((at - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|d| {
            let f = &d.record.fields;
            json!({
                "href": format!("/admin/orgs/{}/decisions/{}", org.slug, d.id),
                "reference": f.reference, "title": f.title, "decided_on": f.decided_on.to_string(),
                "route": route_label(&f.route), "supplier": f.supplier, "value": Pence(f.value_pence).pounds(Style::LEDGER),
                "withdrawn": d.record.withdrawn_reason.is_some(),
            })
        })
        .collect();
    let href = |n: usize| format!("/admin/orgs/{}/decisions?page={n}", org.slug);
    Ok(page(
        StatusCode::OK,
        "admin-decisions",
        &json!({
            "title": format!("Procurement decisions – {}", org.name),
            "account": AccountView::of(&signed_in.0), "errors": [], "org": org_view(&org),
            "rows": rows, "count": all.len(), "page": at, "pages": pages,
            "previous": (at > 1).then(|| href(at - 1)),
            "next": (at < pages).then(|| href(at + 1)),
            "may_record": governs(&signed_in.0.principal, org.id),
        }),
    ))
}

// ---------------------------------------------------------------------------------------
// The decision form (new and amend)
// ---------------------------------------------------------------------------------------

/// The decision form as posted. Every field is text; empty means not given.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct DecisionForm {
    reference: String,
    title: String,
    service_description: String,
    service_status: String,
    route: String,
    clinical_lead: String,
    contract_manager: String,
    decided_on: String,
    item: String,
    how_decided: String,
    conflicts_note: String,
    justification: String,
    supplier: String,
    value: String,
    term_months: String,
    starts_on: String,
    comments: String,
    version: String,
}

/// The form's fields in page order: the label each error names, and what a missing one
/// is told.
const FIELDS: [(&str, &str, &str); 17] = [
    (
        "reference",
        "Reference",
        "Enter the reference of the decision, for example PCD-2026-014",
    ),
    ("title", "Title", "Enter a title for the decision"),
    (
        "service_description",
        "Description of the service",
        "Enter a description of the service",
    ),
    (
        "service_status",
        "Service",
        "Select whether the service is an existing or a new one",
    ),
    (
        "route",
        "Procurement route",
        "Select how the contract was procured",
    ),
    ("clinical_lead", "Clinical lead", "Enter the clinical lead"),
    (
        "contract_manager",
        "Contract manager",
        "Enter the contract manager",
    ),
    (
        "decided_on",
        "Date of the decision",
        "Enter the date of the decision, or choose the committee item that took it",
    ),
    (
        "item",
        "Committee item",
        "Select the committee item that took the decision",
    ),
    (
        "how_decided",
        "How the decision was made",
        "Say who took the decision and how, as no committee item took it",
    ),
    (
        "conflicts_note",
        "Conflicts and how they were managed",
        "Enter the conflicts and how they were managed",
    ),
    (
        "justification",
        "Justification",
        "Enter why this route and supplier were chosen",
    ),
    ("supplier", "Supplier", "Enter the supplier"),
    (
        "value",
        "Value",
        "Enter the value of the contract in pounds, for example 125000",
    ),
    ("term_months", "Term in months", "Enter the term in months"),
    ("starts_on", "Start date", "Enter the start date"),
    ("comments", "Comments", "Enter any comments"),
];

impl DecisionForm {
    fn of(d: &Stored<Decision>) -> DecisionForm {
        let f = &d.record.fields;
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        DecisionForm {
            reference: f.reference.clone(),
            title: f.title.clone(),
            service_description: f.service_description.clone(),
            service_status: ServiceStatus::CODES[f.service_status as usize].to_owned(),
            route: f.route.clone(),
            clinical_lead: opt(&f.clinical_lead),
            contract_manager: opt(&f.contract_manager),
            decided_on: f.decided_on.to_string(),
            item: f.item_id.map(|i| i.to_string()).unwrap_or_default(),
            how_decided: opt(&f.how_decided),
            conflicts_note: opt(&f.conflicts_note),
            justification: f.justification.clone(),
            supplier: opt(&f.supplier),
            value: Pence(f.value_pence).form_text(),
            term_months: f.term_months.map(|t| t.to_string()).unwrap_or_default(),
            starts_on: f.starts_on.map(|s| s.to_string()).unwrap_or_default(),
            comments: opt(&f.comments),
            version: d.version.to_string(),
        }
    }

    /// Every field as domain input (the value in pence, problems with it in `fe`), the
    /// date of the decision taken from the item's meeting when it is left empty.
    async fn input(
        &self,
        state: &AppState,
        org: &Org,
        fe: &mut FieldErrors,
    ) -> Result<Input, PageError> {
        let mut m = text_input(&[
            ("reference", &self.reference),
            ("title", &self.title),
            ("service_description", &self.service_description),
            ("service_status", &self.service_status),
            ("route", &self.route),
            ("clinical_lead", &self.clinical_lead),
            ("contract_manager", &self.contract_manager),
            ("item", &self.item),
            ("how_decided", &self.how_decided),
            ("conflicts_note", &self.conflicts_note),
            ("justification", &self.justification),
            ("supplier", &self.supplier),
            ("term_months", &self.term_months),
            ("starts_on", &self.starts_on),
            ("comments", &self.comments),
        ]);
        let message = FIELDS[13].2;
        m.insert(
            "value_pence".into(),
            pence_of(&self.value, "value", message, fe),
        );
        if !self.decided_on.trim().is_empty() {
            m.insert("decided_on".into(), json!(self.decided_on));
        }
        let input = Input::from_json(Value::Object(m)).expect("an object");
        let input = api::decisions::with_meeting_date(state, org, input).await?;
        if input.get("decided_on").is_some() {
            return Ok(input);
        }
        let none = Input::from_json(json!({"decided_on": null})).expect("an object");
        Ok(input.merged(none))
    }
}

/// What the form page needs besides the values and errors.
struct FormContext<'a> {
    session: &'a Session,
    org: &'a Org,
    /// The decision's id when amending.
    amending: Option<i64>,
    /// The agenda items a decision may cite.
    items: Vec<(i64, String)>,
}

/// Every agenda item, newest meeting first, described for the form's select.
async fn item_choices(state: &AppState, org: &Org) -> Result<Vec<(i64, String)>, PageError> {
    let org_id = org.id;
    let (committees, meetings, items) = state
        .db(move |c| {
            Ok((
                records::current::<Committee>(c, org_id)?,
                records::current::<Meeting>(c, org_id)?,
                records::current::<Item>(c, org_id)?,
            ))
        })
        .await?;
    let mut out: Vec<(chrono::NaiveDate, i64, String)> = items
        .iter()
        .filter_map(|i| {
            let m = meetings.iter().find(|m| m.id == i.record.meeting_id)?;
            let committee = committees
                .iter()
                .find(|c| c.id == m.record.committee_id)
                .map(|c| c.record.name.as_str())
                .unwrap_or("A committee");
            let label = format!(
                "{committee}, {}, item {}: {} ({})",
                m.record.held_on,
                i.record.number,
                i.record.title,
                i.record.outcome.label().to_lowercase()
            );
            Some((m.record.held_on, i.id, label))
        })
        .collect();
    out.sort_by_key(|x| std::cmp::Reverse((x.0, x.1)));
    Ok(out.into_iter().map(|(_, id, label)| (id, label)).collect())
}

fn form_page(
    status: StatusCode,
    ctx: &FormContext,
    form: &DecisionForm,
    errors: &[FieldError],
) -> HttpResponse {
    let org = ctx.org;
    let (title, action, back) = match ctx.amending {
        None => (
            "Record a procurement decision".to_owned(),
            format!("/admin/orgs/{}/decisions/new", org.slug),
            format!("/admin/orgs/{}/decisions", org.slug),
        ),
        Some(id) => (
            format!("Amend decision {}", form.reference),
            format!("/admin/orgs/{}/decisions/{id}/amend", org.slug),
            format!("/admin/orgs/{}/decisions/{id}", org.slug),
        ),
    };
    let routes: Vec<Value> = ROUTES
        .iter()
        .map(|(code, label)| json!({"code": code, "label": label, "selected": form.route == *code}))
        .collect();
    let items: Vec<Value> = ctx
        .items
        .iter()
        .map(|(id, label)| json!({"id": id, "label": label, "selected": form.item.trim() == id.to_string()}))
        .collect();
    let names: Vec<&str> = FIELDS
        .iter()
        .map(|(f, _, _)| *f)
        .chain(["current-version"])
        .collect();
    page(
        status,
        "admin-decision-form",
        &json!({
            "title": title, "account": AccountView::of(ctx.session), "errors": errors,
            "org": org_view(org), "action": action, "back": back,
            "amending": ctx.amending.is_some(), "routes": routes, "items": items,
            "values": {
                "reference": form.reference, "title": form.title,
                "service_description": form.service_description,
                "existing": form.service_status == "existing", "new": form.service_status == "new",
                "clinical_lead": form.clinical_lead, "contract_manager": form.contract_manager,
                "decided_on": form.decided_on, "item": form.item, "how_decided": form.how_decided,
                "conflicts_note": form.conflicts_note, "justification": form.justification,
                "supplier": form.supplier, "value": form.value, "term_months": form.term_months,
                "starts_on": form.starts_on, "comments": form.comments, "version": form.version,
            },
            "e": field_messages(errors, &names),
            "f": decision_fields(form, errors),
        }),
    )
}

/// The decision form's text fields, as templates/admin/field.hbs draws them.
fn decision_fields(form: &DecisionForm, errors: &[FieldError]) -> Value {
    let f = |id: &str, label: &str, value: &str| Field::of(id, label, value, errors);
    json!({
        "reference": f("reference", "Reference", &form.reference).as_input("text").width(20)
            .hint("The organisation's reference: letters and digits joined by hyphens, for example PCD-2026-014. It is part of the decision's web address."),
        "title": f("title", "Title", &form.title).as_input("text"),
        "service_description": f("service_description", "Description of the service", &form.service_description).as_textarea(4),
        "clinical_lead": f("clinical_lead", "Clinical lead (optional)", &form.clinical_lead).as_input("text"),
        "contract_manager": f("contract_manager", "Contract manager (optional)", &form.contract_manager).as_input("text"),
        "decided_on": f("decided_on", "Date of the decision", &form.decided_on).as_input("date").width(10)
            .hint("Leave empty to use the date of the committee item's meeting"),
        "how_decided": f("how_decided", "How the decision was made (if no committee item took it)", &form.how_decided).as_textarea(3),
        "conflicts_note": f("conflicts_note", "Conflicts and how they were managed (optional)", &form.conflicts_note).as_textarea(3)
            .hint("Where no committee item records them"),
        "justification": f("justification", "Justification", &form.justification).as_textarea(4),
        "supplier": f("supplier", "Supplier (optional)", &form.supplier).as_input("text"),
        "term_months": f("term_months", "Term in months (optional)", &form.term_months).as_input("text").width(4),
        "starts_on": f("starts_on", "Start date (optional)", &form.starts_on).as_input("date").width(10),
        "comments": f("comments", "Comments (optional)", &form.comments).as_textarea(3),
    })
}

pub async fn new_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let ctx = FormContext {
        session: &signed_in.0,
        org: &org,
        amending: None,
        items: item_choices(&state, &org).await?,
    };
    Ok(form_page(
        StatusCode::OK,
        &ctx,
        &DecisionForm::default(),
        &[],
    ))
}

/// The decision with record id `raw_id` (404 if there is none).
async fn load(state: &AppState, org: &Org, raw_id: &str) -> Result<Stored<Decision>, PageError> {
    let id = api::parse_id(raw_id, "decision")?;
    let org_id = org.id;
    Ok(state
        .db(move |c| records::get::<Decision>(c, org_id, id))
        .await?)
}

pub async fn create(
    state: web::Data<AppState>,
    path: web::Path<String>,
    posted: CsrfForm<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let actor = caller(&posted.session.principal)
        .governance(org.id)?
        .actor();
    let form = posted.form;
    let ctx = FormContext {
        session: &posted.session,
        org: &org,
        amending: None,
        items: item_choices(&state, &org).await?,
    };
    let refused = |fe: &FieldErrors| {
        let errors = form_errors(fe, &FIELDS);
        Ok(form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ctx,
            &form,
            &errors,
        ))
    };
    let mut fe = FieldErrors::default();
    let input = form.input(&state, &org, &mut fe).await?;
    let fields = DecisionFields::parse(&input);
    if let Err(e) = &fields {
        e.0.iter().for_each(|(k, v)| fe.add(k, v.clone()));
    }
    if !fe.is_empty() {
        return refused(&fe);
    }
    let (org_id, fields) = (org.id, fields.expect("no errors"));
    let written = state
        .db(move |c| store::create_decision(c, org_id, &actor, fields))
        .await;
    let to =
        |d: &Stored<Decision>| format!("/admin/orgs/{}/decisions/{}?saved=created", org.slug, d.id);
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Refused(fe) => refused(&fe),
        Answer::Stale(e) => Err(e.into()),
    }
}

/// What a form for a withdrawn decision is told.
fn withdrawn(d: &Stored<Decision>) -> FieldError {
    FieldError::new(
        "current-version",
        format!(
            "Decision {} was withdrawn and cannot be changed",
            d.record.fields.reference
        ),
    )
}

pub async fn amend_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path.0).await?;
    let d = load(&state, &org, &path.1).await?;
    if d.record.withdrawn_reason.is_some() {
        return Err(PageError::NotFound(format!("decision {} to amend", d.id)));
    }
    let ctx = FormContext {
        session: &signed_in.0,
        org: &org,
        amending: Some(d.id),
        items: item_choices(&state, &org).await?,
    };
    Ok(form_page(StatusCode::OK, &ctx, &DecisionForm::of(&d), &[]))
}

pub async fn amend(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    posted: CsrfForm<DecisionForm>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path.0).await?;
    let actor = caller(&posted.session.principal)
        .governance(org.id)?
        .actor();
    let d = load(&state, &org, &path.1).await?;
    let mut form = posted.form;
    let ctx = FormContext {
        session: &posted.session,
        org: &org,
        amending: Some(d.id),
        items: item_choices(&state, &org).await?,
    };
    if d.record.withdrawn_reason.is_some() {
        let errors = [withdrawn(&d)];
        return Ok(form_page(StatusCode::CONFLICT, &ctx, &form, &errors));
    }
    let mut fe = FieldErrors::default();
    let input = form.input(&state, &org, &mut fe).await?;
    if let Err(e) = DecisionFields::parse(&input) {
        e.0.iter().for_each(|(k, v)| fe.add(k, v.clone()));
    }
    if !fe.is_empty() {
        let errors = form_errors(&fe, &FIELDS);
        return Ok(form_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &ctx,
            &form,
            &errors,
        ));
    }
    let (org_id, id, version) = (org.id, d.id, version_of(&form.version));
    let written = state
        .db(move |c| {
            store::change_decision(c, org_id, &actor, id, version, DecisionStep::Amend(input))
        })
        .await;
    let to = |_: &_| format!("/admin/orgs/{}/decisions/{id}?saved=amended", org.slug);
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Stale(_) => {
            // Keep what they entered; the next send is based on the version there is now.
            let now = load(&state, &org, &path.1).await?;
            form.version = now.version.to_string();
            let errors = stale("decision");
            Ok(form_page(StatusCode::CONFLICT, &ctx, &form, &errors))
        }
        Answer::Refused(fe) => {
            let errors = form_errors(&fe, &FIELDS);
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
// A decision's page, and withdrawing it
// ---------------------------------------------------------------------------------------

fn saved_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "The decision was recorded",
        "amended" => "The decision was amended",
        "withdrawn" => "The decision was withdrawn",
        _ => return None,
    })
}

#[allow(clippy::too_many_arguments)]
async fn decision_page(
    state: &AppState,
    session: &Session,
    org: &Org,
    raw_id: &str,
    status: StatusCode,
    errors: &[FieldError],
    entered: Option<&ActionForm>,
    saved: Option<&str>,
) -> Result<HttpResponse, PageError> {
    let d = load(state, org, raw_id).await?;
    let (org_id, id) = (org.id, d.id);
    let all = state
        .db(move |c| records::history::<Decision>(c, org_id, id))
        .await?;
    let rows = all
        .iter()
        .map(|x| {
            let withdrawn = x.record.withdrawn_reason.is_some();
            HistoryRow {
                version: x.version,
                audit_seq: x.audit_seq,
                recorded_at: x.recorded_at.clone(),
                recorded_by: x.recorded_by.clone(),
                state: if withdrawn { "Withdrawn" } else { "Current" },
                tag_class: if withdrawn {
                    "nhsuk-tag--grey"
                } else {
                    "nhsuk-tag--green"
                },
                ended_on: None,
                reason: x.record.withdrawn_reason.clone(),
            }
        })
        .collect();
    let history = history(state, rows).await?;
    let item = match d.record.fields.item_id {
        Some(item_id) => item_choices(state, org)
            .await?
            .into_iter()
            .find(|(i, _)| *i == item_id)
            .map(|(_, label)| label),
        None => None,
    };
    let f = &d.record.fields;
    let withdrawn = d.record.withdrawn_reason.is_some();
    let may_govern = governs(&session.principal, org.id);
    let mut data = json!({
        "title": format!("Decision {} – {}", f.reference, org.name),
        "account": AccountView::of(session), "errors": errors, "org": org_view(org),
        "saved": saved.and_then(saved_message),
        "version": d.version,
        "base": format!("/admin/orgs/{}/decisions/{}", org.slug, d.id),
        "public_href": format!("/{}/decisions/{}/", org.slug, f.url_ref()),
        "withdrawn_reason": d.record.withdrawn_reason,
        "fields": {
            "reference": f.reference, "title": f.title, "service_description": f.service_description,
            "service_status": f.service_status.label(), "route": route_label(&f.route),
            "clinical_lead": f.clinical_lead, "contract_manager": f.contract_manager,
            "decided_on": f.decided_on.to_string(), "item": item, "item_id": f.item_id,
            "how_decided": f.how_decided, "conflicts_note": f.conflicts_note,
            "justification": f.justification, "supplier": f.supplier, "value": Pence(f.value_pence).pounds(Style::LEDGER),
            "term_months": f.term_months, "starts_on": f.starts_on.map(|s| s.to_string()),
            "comments": f.comments,
        },
        "may_amend": may_govern && !withdrawn,
        "may_withdraw": may_govern && !withdrawn,
        "may_withhold": false, "may_release": false,
        "noun": "decision",
        "withdraw_title": "Withdraw this decision",
        "withdraw_hint": "If it was recorded in error or rescinded. The register keeps it, marked withdrawn with this reason, and it cannot be changed again",
        "history": history,
    });
    if let Value::Object(m) = &mut data {
        m.extend(action_values(
            entered.map(|f| (Action::Withdraw, f)),
            errors,
        ));
    }
    Ok(page(status, "admin-decision", &data))
}

show_route!(decision_page);

pub async fn withdraw(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    posted: CsrfForm<ActionForm>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path.0).await?;
    let actor = caller(&posted.session.principal)
        .governance(org.id)?
        .actor();
    let d = load(&state, &org, &path.1).await?;
    let form = posted.form;
    let action = Action::Withdraw;
    let (status, errors) = if d.record.withdrawn_reason.is_some() {
        let mut refusal = withdrawn(&d);
        refusal.field = "current".into();
        (StatusCode::CONFLICT, vec![refusal])
    } else {
        let written = match action.standing_change(&form) {
            Ok(StandingChange::Withdraw(reason)) => {
                let (org_id, id, version) = (org.id, d.id, version_of(&form.version));
                let step = DecisionStep::Withdraw(reason);
                state
                    .db(move |c| store::change_decision(c, org_id, &actor, id, version, step))
                    .await
            }
            Ok(other) => {
                let why = format!("a withdraw form parsed as {other:?}");
                return Err(PageError::Internal(why));
            }
            Err(fe) => Err(ApiError::Invalid(fe)),
        };
        let to = format!("/admin/orgs/{}/decisions/{}", org.slug, d.id);
        match settle(&state, written, action, "decision", to).await? {
            Ok(done) => return Ok(done),
            Err(refused) => refused,
        }
    };
    let (session, entered) = (&posted.session, Some(&form));
    decision_page(
        &state, session, &org, &path.1, status, &errors, entered, None,
    )
    .await
}

// ---------------------------------------------------------------------------------------
// Breaches
// ---------------------------------------------------------------------------------------

#[derive(Deserialize)]
pub struct BreachListQuery {
    saved: Option<String>,
}

async fn people(state: &AppState, org: &Org) -> Result<Vec<Person>, PageError> {
    let org_id = org.id;
    Ok(state
        .db(move |c| crate::store::people::all(c, org_id))
        .await?)
}

pub async fn list_breaches(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
    q: web::Query<BreachListQuery>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let org_id = org.id;
    let all = state
        .db(move |c| records::current::<Breach>(c, org_id))
        .await?;
    let p = &signed_in.0.principal;
    // The person concerned only for those who may read everything, as the API shows it.
    let full = caller(p).reads_all(org.id);
    let people = if full {
        people(&state, &org).await?
    } else {
        Vec::new()
    };
    let rows: Vec<Value> = all
        .iter()
        .rev()
        .map(|b| {
            let r = &b.record;
            let person = r
                .person_id
                .filter(|_| full)
                .map(|id| people.iter().find(|x| x.id == id).map(|x| x.fields.name.clone()).unwrap_or_default());
            json!({
                "id": b.id, "href": format!("/admin/orgs/{}/breaches/{}/amend", org.slug, b.id),
                "occurred_on": r.occurred_on.to_string(), "identified_on": r.identified_on.to_string(),
                "summary": r.summary, "action_taken": r.action_taken, "reported_to": r.reported_to,
                "person": person, "version": b.version,
            })
        })
        .collect();
    let saved = match q.saved.as_deref() {
        Some("created") => Some("The breach was recorded"),
        Some("amended") => Some("The breach was amended"),
        _ => None,
    };
    Ok(page(
        StatusCode::OK,
        "admin-breaches",
        &json!({
            "title": format!("Breaches – {}", org.name),
            "account": AccountView::of(&signed_in.0), "errors": [], "org": org_view(&org),
            "rows": rows, "full": full, "may_record": governs(p, org.id), "saved": saved,
        }),
    ))
}

/// The breach form as posted.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct BreachForm {
    occurred_on: String,
    identified_on: String,
    summary: String,
    action_taken: String,
    reported_to: String,
    person: String,
    version: String,
}

const BREACH_FIELDS: [(&str, &str, &str); 6] = [
    (
        "occurred_on",
        "Date of the breach",
        "Enter the date the breach happened",
    ),
    (
        "identified_on",
        "Date identified",
        "Enter the date the breach was identified",
    ),
    (
        "summary",
        "Summary",
        "Enter what happened, without names or anything that identifies anyone",
    ),
    ("action_taken", "Action taken", "Enter the action taken"),
    ("reported_to", "Reported to", "Enter who it was reported to"),
    ("person", "Person concerned", "Select the person concerned"),
];

impl BreachForm {
    fn input(&self) -> Input {
        let m = text_input(&[
            ("occurred_on", &self.occurred_on),
            ("identified_on", &self.identified_on),
            ("summary", &self.summary),
            ("action_taken", &self.action_taken),
            ("reported_to", &self.reported_to),
            ("person", &self.person),
        ]);
        Input::from_json(Value::Object(m)).expect("an object")
    }
}

fn breach_page(
    status: StatusCode,
    session: &Session,
    org: &Org,
    people: &[Person],
    amending: Option<i64>,
    form: &BreachForm,
    errors: &[FieldError],
) -> HttpResponse {
    let (title, action) = match amending {
        None => (
            "Record a breach of the conflicts policy".to_owned(),
            format!("/admin/orgs/{}/breaches/new", org.slug),
        ),
        Some(id) => (
            format!("Amend breach {id}"),
            format!("/admin/orgs/{}/breaches/{id}/amend", org.slug),
        ),
    };
    let options: Vec<Value> = people
        .iter()
        .map(|x| json!({"slug": x.slug, "name": x.fields.name, "position": x.fields.position, "selected": x.slug == form.person}))
        .collect();
    let names: Vec<&str> = BREACH_FIELDS
        .iter()
        .map(|(f, _, _)| *f)
        .chain(["current-version"])
        .collect();
    page(
        status,
        "admin-breach-form",
        &json!({
            "title": title, "account": AccountView::of(session), "errors": errors,
            "org": org_view(org), "action": action, "amending": amending.is_some(),
            "people": options,
            "values": {
                "occurred_on": form.occurred_on, "identified_on": form.identified_on,
                "summary": form.summary, "action_taken": form.action_taken,
                "reported_to": form.reported_to, "version": form.version,
            },
            "e": field_messages(errors, &names),
            "f": breach_fields(form, errors),
        }),
    )
}

/// The breach form's text fields, as templates/admin/field.hbs draws them.
fn breach_fields(form: &BreachForm, errors: &[FieldError]) -> Value {
    let f = |id: &str, label: &str, value: &str| Field::of(id, label, value, errors);
    json!({
        "occurred_on": f("occurred_on", "Date of the breach", &form.occurred_on).as_input("date").width(10),
        "identified_on": f("identified_on", "Date it was identified (optional)", &form.identified_on).as_input("date").width(10)
            .hint("Leave empty if it was identified the day it happened"),
        "summary": f("summary", "What happened", &form.summary).as_textarea(4),
        "action_taken": f("action_taken", "Action taken", &form.action_taken).as_textarea(3),
        "reported_to": f("reported_to", "Who it was reported to (optional)", &form.reported_to).as_input("text")
            .hint("For example the audit committee, NHS England or counter fraud"),
    })
}

pub async fn new_breach_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let people = people(&state, &org).await?;
    let form = BreachForm::default();
    Ok(breach_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        &people,
        None,
        &form,
        &[],
    ))
}

pub async fn create_breach(
    state: web::Data<AppState>,
    path: web::Path<String>,
    posted: CsrfForm<BreachForm>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path).await?;
    let actor = caller(&posted.session.principal)
        .governance(org.id)?
        .actor();
    let people = people(&state, &org).await?;
    let form = posted.form;
    let refused = |fe: &FieldErrors| {
        let errors = form_errors(fe, &BREACH_FIELDS);
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(breach_page(
            status,
            &posted.session,
            &org,
            &people,
            None,
            &form,
            &errors,
        ))
    };
    let entered = match BreachInput::parse(&form.input(), today()) {
        Ok(b) => b,
        Err(fe) => return refused(&fe),
    };
    let org_id = org.id;
    let written = state
        .db(move |c| breaches::create_breach(c, org_id, &actor, entered))
        .await;
    let to = |_: &_| format!("/admin/orgs/{}/breaches?saved=created", org.slug);
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Refused(fe) => refused(&fe),
        Answer::Stale(e) => Err(e.into()),
    }
}

/// Breach `raw_id` as its form shows it (404 if there is none).
async fn load_breach(state: &AppState, org: &Org, raw_id: &str) -> Result<BreachForm, PageError> {
    let id = api::parse_id(raw_id, "breach")?;
    let org_id = org.id;
    let (b, slug) = state
        .db(move |c| {
            let b = records::get::<Breach>(c, org_id, id)?;
            let slug = match b.record.person_id {
                Some(p) => Some(crate::store::people::by_id(c, org_id, p)?.slug),
                None => None,
            };
            Ok((b, slug))
        })
        .await?;
    let r = &b.record;
    Ok(BreachForm {
        occurred_on: r.occurred_on.to_string(),
        identified_on: r.identified_on.to_string(),
        summary: r.summary.clone(),
        action_taken: r.action_taken.clone(),
        reported_to: r.reported_to.clone().unwrap_or_default(),
        person: slug.unwrap_or_default(),
        version: b.version.to_string(),
    })
}

pub async fn amend_breach_form(
    state: web::Data<AppState>,
    signed_in: SignedIn,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path.0).await?;
    let form = load_breach(&state, &org, &path.1).await?;
    let people = people(&state, &org).await?;
    let id = api::parse_id(&path.1, "breach")?;
    Ok(breach_page(
        StatusCode::OK,
        &signed_in.0,
        &org,
        &people,
        Some(id),
        &form,
        &[],
    ))
}

pub async fn amend_breach(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    posted: CsrfForm<BreachForm>,
) -> Result<HttpResponse, PageError> {
    let org = load_org(&state, &path.0).await?;
    let actor = caller(&posted.session.principal)
        .governance(org.id)?
        .actor();
    let current = load_breach(&state, &org, &path.1).await?;
    let id = api::parse_id(&path.1, "breach")?;
    let people = people(&state, &org).await?;
    let mut form = posted.form;
    let show = |status: StatusCode, form: &BreachForm, errors: &[FieldError]| {
        breach_page(
            status,
            &posted.session,
            &org,
            &people,
            Some(id),
            form,
            errors,
        )
    };
    if let Err(fe) = BreachInput::parse(&form.input(), today()) {
        let errors = form_errors(&fe, &BREACH_FIELDS);
        return Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &form, &errors));
    }
    let (org_id, version, input) = (org.id, version_of(&form.version), form.input());
    let written = state
        .db(move |c| {
            breaches::amend_breach(c, org_id, &actor, id, version, |_, _, today| {
                BreachInput::parse(&input, today)
            })
        })
        .await;
    let to = |_: &_| format!("/admin/orgs/{}/breaches?saved=amended", org.slug);
    match answer(&state, written, to).await? {
        Answer::Done(done) => Ok(done),
        Answer::Stale(_) => {
            form.version = current.version;
            Ok(show(StatusCode::CONFLICT, &form, &stale("breach")))
        }
        Answer::Refused(fe) => {
            let errors = form_errors(&fe, &BREACH_FIELDS);
            Ok(show(StatusCode::UNPROCESSABLE_ENTITY, &form, &errors))
        }
    }
}
