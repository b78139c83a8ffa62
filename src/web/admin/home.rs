//! The page an account lands on after signing in: who you are, what your role allows,
//! and your organisations with the size of their registers.

use super::{page, AccountView, PageError, SignedIn};
use crate::store::review;
use crate::store::users::{self, Role};
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use serde_json::json;

#[derive(Serialize)]
struct RoleView {
    name: &'static str,
    description: &'static str,
}

fn role_view(role: Role) -> RoleView {
    let (name, description) = match role {
        Role::Admin => (
            "Administrator",
            "Manages organisations and accounts, with a governance lead's rights in every organisation.",
        ),
        Role::Governance => (
            "Governance lead",
            "Records and reviews the registers of your organisations, and decides what is withheld from publication.",
        ),
        Role::Declarant => (
            "Declarant",
            "Declares your own interests, gifts and hospitality, and makes your nil returns.",
        ),
        Role::Auditor => (
            "Auditor",
            "Reads everything, including entries withheld from publication, and checks the audit chain. Changes nothing.",
        ),
    };
    RoleView { name, description }
}

#[derive(Serialize)]
struct OrgRow {
    slug: String,
    name: String,
    people: i64,
    declarations: i64,
    gifts: i64,
    audit_entries: i64,
    /// For governance leads: entries declarants submitted, awaiting review.
    awaiting_review: i64,
    /// For a declarant: their entries a governance lead returned for changes.
    returned: i64,
}

#[derive(Serialize)]
struct DeclaresFor {
    name: String,
    /// Their published page: only decision-making staff have one.
    href: Option<String>,
    org_name: String,
}

pub async fn show(
    state: web::Data<AppState>,
    signed_in: SignedIn,
) -> Result<HttpResponse, PageError> {
    let principal = signed_in.0.principal.clone();
    let (orgs, declares_for) = state
        .db(move |c| {
            let mut orgs = Vec::new();
            let mut declares_for = Vec::new();
            for org in crate::store::orgs::all(c)? {
                if !principal.in_org(org.id) {
                    continue;
                }
                let n = users::org_counts(c, org.id)?;
                let awaiting_review = if crate::web::auth::governs(&principal, org.id) {
                    review::awaiting(c, org.id)?
                } else {
                    0
                };
                let returned = match principal.person_in(org.id) {
                    Some(person) => review::returned_to(c, org.id, person)?,
                    None => 0,
                };
                if let Some(person_id) = principal.person_in(org.id) {
                    let person = crate::store::people::by_id(c, org.id, person_id)?;
                    declares_for.push(DeclaresFor {
                        href: person
                            .fields
                            .decision_making
                            .then(|| format!("/{}/interests/{}/", org.slug, person.slug)),
                        name: person.fields.name,
                        org_name: org.name.clone(),
                    });
                }
                orgs.push(OrgRow {
                    slug: org.slug,
                    name: org.name,
                    people: n.people,
                    declarations: n.declarations,
                    gifts: n.gifts,
                    audit_entries: n.audit_entries,
                    awaiting_review,
                    returned,
                });
            }
            Ok((orgs, declares_for))
        })
        .await?;
    Ok(page(
        StatusCode::OK,
        "admin-home",
        &json!({
            "title": "Your account", "account": AccountView::of(&signed_in.0), "errors": [],
            "role": role_view(signed_in.0.principal.role), "orgs": orgs, "declares_for": declares_for,
        }),
    ))
}
