//! Procurement decisions in the web app: the register of decisions a page at a time, a
//! decision's page with its history, the forms that record, amend and withdraw one.
//! Writes are a governance lead's and go through the store calls the JSON API uses, so
//! the store's own refusals (an item that took no decision, a date that is not its
//! meeting's) come back as form errors with nothing written. Breaches, recorded by the
//! same people with the same form helpers, are in `breaches.rs`.

use super::context::{caller, load_org, org_view};
use super::decision_form::{item_choices, load, withdrawn};
use super::entries::{action_values, history, settle, show_route, Action, ActionForm, HistoryRow};
use super::form::{capitalise, ordered_errors, text_or_null, version_of};
use super::paging::PageQuery;
use super::{page, AccountView, CsrfForm, FieldError, PageError, SignedIn};
use crate::domain::decisions::{route_label, Decision};
use crate::domain::entries::StandingChange;
use crate::domain::money::{Pence, Style};
use crate::domain::FieldErrors;
use crate::store::decisions::{self as store, DecisionStep};
use crate::store::orgs::Org;
use crate::store::records::{self};
use crate::store::users::Session;
use crate::web::admin::{Data, OrgPath, Page, RecordPath};
use crate::web::auth::governs;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::web;
use serde_json::{json, Map, Value};

// The form's and the breach screens' handlers, where the route table names them.
pub use super::breaches::{
    amend_breach, amend_breach_form, create_breach, list_breaches, new_breach_form,
};
pub use super::decision_form::{amend, amend_form, create, new_form};

/// Decisions on a page of the list.
const PAGE_SIZE: usize = 50;

pub(super) fn today() -> chrono::NaiveDate {
    crate::clock::today()
}

/// Each field's message on a form of `fields` (as [`form_errors`] takes them) and its
/// `current-version`, null where it has none.
pub(super) fn form_messages(
    errors: &[FieldError],
    fields: &[(&'static str, &'static str, &'static str)],
) -> Value {
    let names: Vec<&str> = fields
        .iter()
        .map(|(f, _, _)| *f)
        .chain(["current-version"])
        .collect();
    super::form::field_messages(errors, &names)
}

/// Problems in the GOV.UK words: `fields` is (field, label, what to say when it is
/// missing); a message the store wrote as a sentence of its own is shown as it is.
pub(super) fn form_errors(
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
pub(super) fn text_input(pairs: &[(&str, &String)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), text_or_null(v)))
        .collect()
}

// ---------------------------------------------------------------------------------------
// The register of decisions
// ---------------------------------------------------------------------------------------

pub async fn list(
    state: Data,
    signed_in: SignedIn,
    path: OrgPath,
    q: web::Query<PageQuery>,
) -> Page {
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
) -> Page {
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

pub async fn withdraw(state: Data, path: RecordPath, posted: CsrfForm<ActionForm>) -> Page {
    let org = load_org(&state, &path.0).await?;
    let actor = caller(&posted.session.principal)
        .governance(org.id)?
        .actor();
    let d = load(&state, &org, &path.1).await?;
    let mut form = posted.form;
    let action = Action::Withdraw;
    // A withdrawal cannot be undone: a valid reason first shows the page again asking
    // whether they are sure, and only the answer "yes" withdraws.
    let unsure = form.confirmed != "yes" && action.standing_change(&form).is_ok();
    let (status, errors) = if d.record.withdrawn_reason.is_some() {
        let mut refusal = withdrawn(&d);
        refusal.field = "current".into();
        (StatusCode::CONFLICT, vec![refusal])
    } else if unsure {
        form.confirming = true;
        (StatusCode::OK, vec![])
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
