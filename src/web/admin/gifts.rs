//! Gifts and hospitality in the web app: the list of offers; the form to record or amend
//! one, which explains the organisation's thresholds (which offers are declared, which
//! must be declined, which need approval) and checks them; an offer's page with every
//! version, and the forms that withhold, release and withdraw it. Writes go through the
//! store calls the JSON API uses, so each is one audit entry, published the same way.

use super::context::{load_org, org_view, today};
use super::entries::{action_routes, show_route, tag_class};
use super::entry_form::{form_routes, gathered, posted_form, text_input, EntryForm};
use super::form::{capitalise, friendly};
use super::registers::{entry_page, listing, EntryPages};
use super::{page, AccountView, SignedIn};
use crate::domain::gifts::{threshold_rules, Gift, GiftFields};
use crate::domain::money::{Pence, Style};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::gifts::Gifts;
use crate::store::orgs::Org;
use crate::web::admin::{Data, OrgPath, Page};
use crate::web::auth::governs;
use actix_web::http::StatusCode;
use actix_web::web;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
pub struct ListQuery {
    saved: Option<String>,
    page: Option<String>,
}

pub async fn list(
    state: Data,
    signed_in: SignedIn,
    path: OrgPath,
    q: web::Query<ListQuery>,
) -> Page {
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

    fn details(g: &Gift, person: &Person, org: &Org, published: bool, _may_write: bool) -> Value {
        let f = &g.fields;
        let a = f.assessment(&org.settings);
        json!({
            "person": {"name": person.fields.name, "position": person.fields.position,
                       "decision_making": person.fields.decision_making},
            "public_href": published.then(|| format!("/{}/gifts/", org.slug)),
            "fields": {
                "giver": f.giver, "supplier": if f.giver_is_supplier { "Yes" } else { "No" },
                "kind": f.kind.label(), "description": f.description, "value": Pence(f.value_pence).pounds(Style::EXACT),
                "offered_on": f.offered_on.to_string(), "outcome": capitalise(f.outcome.code()),
                "approved_by": f.approved_by, "declared_on": f.declared_on.to_string(),
                "rule": a.rule,
            },
        })
    }
}

posted_form!(
    /// The gift form as posted.
    GiftForm {
        giver: "Who offered it",
        giver_is_supplier: "Whether the giver is a supplier",
        kind: "What was offered",
        description: "Description",
        value: "Value",
        offered_on: "Date offered",
        outcome: "Outcome",
        approved_by: "Approved by",
        declared_on: "Date declared",
    }
);

const VALUE_MESSAGE: &str = "Enter the value in pounds, for example 49.99";

impl EntryForm for Gifts {
    type Form = GiftForm;
    const NEW_TITLE: &'static str = "Record an offer of a gift or hospitality";
    const FORM_TEMPLATE: &'static str = "admin-gift-form";

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

    /// The form shows every field, so an amendment is the form alone; a value in pounds
    /// is turned into pence first.
    fn parse_form(
        form: &GiftForm,
        org: &Org,
        _current: Option<&GiftFields>,
        fe: &mut FieldErrors,
    ) -> Option<GiftFields> {
        let mut m = text_input(form, &["value"]);
        let value = pence_of(&form.value, "value", VALUE_MESSAGE, fe);
        m.insert("value_pence".into(), value);
        let input = Input::from_json(Value::Object(m)).expect("an object");
        gathered(GiftFields::parse(&input, today(), &org.settings), fe)
    }

    /// A problem with no field of its own (such as the offer's state) is shown against
    /// the first field.
    const FALLBACK: &'static str = "giver";

    fn wording(field: &str, label: &str, m: &str) -> String {
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
    }

    fn current_fields(f: &GiftFields) -> Value {
        json!({
            "giver": f.giver, "kind": f.kind.label(), "description": f.description,
            "value": Pence(f.value_pence).pounds(Style::EXACT), "offered_on": f.offered_on.to_string(),
            "outcome": f.outcome.code(), "approved_by": f.approved_by,
            "declared_on": f.declared_on.to_string(),
        })
    }

    /// The organisation's thresholds as sentences, and the typed values with each
    /// choice as a flag the template checks.
    fn form_data(form: &GiftForm, org: &Org) -> Value {
        json!({
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
        })
    }
}

form_routes!(Gifts, GiftForm);

show_route!(entry_page::<Gifts>);

action_routes! { Gifts: standing }
