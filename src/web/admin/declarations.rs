//! Declarations of interest in the web app: the list with its filters, the form to
//! declare an interest, a declaration's page with its history, and the forms that
//! amend, end, withhold, release and withdraw it. Every write goes through the same
//! store calls as the JSON API, so it is one audit entry and is published the same way.

use super::context::{load_org, org_view, today};
use super::entries::{action_routes, hidden, show_route, tag_class, Action, ActionForm};
use super::entry_form::{form_routes, gathered, posted_form, text_input, EntryForm};
use super::registers::{entry_page, listing, EntryPages, Tag};
use super::{page, AccountView, SignedIn};
use crate::domain::entries::EntryState;
use crate::domain::interests::{Declaration, DeclarationFields, InterestType, Step};
use crate::domain::people::Person;
use crate::domain::{FieldErrors, Input};
use crate::store::declarations::Declarations;
use crate::store::orgs::Org;
use crate::web::admin::{Data, OrgPath, Page};
use crate::web::auth::governs;
use actix_web::http::StatusCode;
use actix_web::web;
use serde::Deserialize;
use serde_json::{json, Value};

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
                    "No longer published: the interest ended more than {} ago",
                    crate::domain::words::count(
                        usize::try_from(org.settings.publish_ended_months).unwrap_or(0),
                        "month",
                        "months"
                    )
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
    ) -> Value {
        let f = &d.fields;
        let changeable = d.standing.state == EntryState::Active;
        json!({
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
        })
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
    state: Data,
    signed_in: SignedIn,
    path: OrgPath,
    q: web::Query<ListQuery>,
) -> Page {
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

posted_form!(
    /// The declaration form as posted.
    DeclarationForm {
        interest_type: "Type of interest",
        associate: "Who the associate is",
        description: "Description of the interest",
        body: "Organisation or body",
        arose_on: "Date the interest arose",
        ended_on: "Date the interest ended",
        declared_on: "Date declared",
        mitigation: "Action taken to manage the conflict",
    }
);

const TYPE_HINTS: [&str; 4] = [
    "They could gain financially from a decision: a directorship, shares, employment, consultancy, or a partnership in a GP practice.",
    "They could gain in their profession or reputation: an advisory role, a position in a professional body, research funding.",
    "They could benefit personally, but not financially or professionally: a charity trusteeship, membership of a campaign group.",
    "Someone close to them (a spouse, partner, relative or close friend) has an interest of one of these kinds.",
];

impl EntryForm for Declarations {
    type Form = DeclarationForm;
    const NEW_TITLE: &'static str = "Declare an interest";
    const FORM_TEMPLATE: &'static str = "admin-declaration-form";

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

    /// An amendment keeps what the form does not show (the position) from `current`.
    fn parse_form(
        form: &DeclarationForm,
        _org: &Org,
        current: Option<&DeclarationFields>,
        fe: &mut FieldErrors,
    ) -> Option<DeclarationFields> {
        let typed = Input::from_json(Value::Object(text_input(form, &[]))).expect("an object");
        let input = match current {
            Some(f) => f.to_input().merged(typed),
            None => typed,
        };
        gathered(DeclarationFields::parse(&input, today()), fe)
    }

    const FALLBACK: &'static str = "interest_type";

    fn current_fields(f: &DeclarationFields) -> Value {
        json!({
            "type": f.interest_type.label(), "associate": f.associate, "description": f.description,
            "body": f.body, "arose_on": f.arose_on.to_string(), "ended_on": f.ended_on.map(|e| e.to_string()),
            "declared_on": f.declared_on.to_string(), "mitigation": f.mitigation,
        })
    }

    fn form_data(form: &DeclarationForm, _org: &Org) -> Value {
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
        json!({
            "types": types, "today": today().to_string(),
            "values": {
                "person": form.person, "interest_type": form.interest_type, "associate": form.associate,
                "description": form.description, "body": form.body, "arose_on": form.arose_on,
                "ended_on": form.ended_on, "declared_on": form.declared_on, "mitigation": form.mitigation,
                "version": form.version,
            },
        })
    }
}

form_routes!(Declarations, DeclarationForm);

// ---------------------------------------------------------------------------------------
// A declaration's page and its actions
// ---------------------------------------------------------------------------------------

show_route!(entry_page::<Declarations>);

action_routes! { Declarations: standing, end => End }
