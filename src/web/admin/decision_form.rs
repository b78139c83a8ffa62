//! The procurement decision form in the web app: recording a decision against the agenda
//! item that took it, and amending one. The store's own refusals (an item that took no
//! decision, a date that is not its meeting's) come back as form errors, nothing written.

use super::context::{caller, load_org, org_view};
use super::decisions::{form_errors, form_messages, text_input};
use super::form::{answer, stale, version_of, Answer, Field};
use super::gifts::pence_of;
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::domain::committees::{Committee, Item, Meeting};
use crate::domain::decisions::{Decision, DecisionFields, ServiceStatus, ROUTES};
use crate::domain::money::Pence;
use crate::domain::{FieldErrors, Input};
use crate::store::decisions::{self as store, DecisionStep};
use crate::store::orgs::Org;
use crate::store::records::{self, Stored};
use crate::store::users::Session;
use crate::web::admin::{Data, OrgPath, Page, RecordPath};
use crate::web::api;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Deserialize;
use serde_json::{json, Value};

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
pub(super) async fn item_choices(
    state: &AppState,
    org: &Org,
) -> Result<Vec<(i64, String)>, PageError> {
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
            "e": form_messages(errors, &FIELDS),
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

pub async fn new_form(state: Data, signed_in: SignedIn, path: OrgPath) -> Page {
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
pub(super) async fn load(
    state: &AppState,
    org: &Org,
    raw_id: &str,
) -> Result<Stored<Decision>, PageError> {
    let id = api::parse_id(raw_id, "decision")?;
    let org_id = org.id;
    Ok(state
        .db(move |c| records::get::<Decision>(c, org_id, id))
        .await?)
}

pub async fn create(state: Data, path: OrgPath, posted: CsrfForm<DecisionForm>) -> Page {
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
pub(super) fn withdrawn(d: &Stored<Decision>) -> FieldError {
    FieldError::new(
        "current-version",
        format!(
            "Decision {} was withdrawn and cannot be changed",
            d.record.fields.reference
        ),
    )
}

pub async fn amend_form(state: Data, signed_in: SignedIn, path: RecordPath) -> Page {
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

pub async fn amend(state: Data, path: RecordPath, posted: CsrfForm<DecisionForm>) -> Page {
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
