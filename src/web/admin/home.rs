//! The page an account lands on after signing in: who you are, what your role allows,
//! and your organisations with the size of their registers.

use super::confirmations::days;
use super::context::today;
use super::{page, AccountView, SignedIn};
use crate::domain::people::Person;
use crate::domain::returns::{
    due_for_confirmation, latest_returns, person_confirmation, Confirmation, Return,
};
use crate::store::orgs::Org;
use crate::store::review;
use crate::store::users::{self, Role};
use crate::web::admin::{Data, Page};
use crate::web::auth::{governs, reads_all};
use actix_web::http::StatusCode;
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
    /// How many decision-making people are overdue for a confirmation, for those who
    /// read the whole register (governance leads, admins, auditors).
    confirmations_due: Option<String>,
    may_import: bool,
    /// For governance leads: why the public site is not up to date, while publishing fails.
    publishing: Option<Publishing>,
}

/// A failing publish, as a governance lead is told of it.
#[derive(Serialize)]
struct Publishing {
    since: String,
    unpublished: i64,
    error: String,
}

/// A notice to a declarant whose own confirmation is due.
#[derive(Serialize)]
struct ConfirmNotice {
    org_name: String,
    message: String,
    href: String,
}

/// What a declarant is told when their confirmation is due, or none.
fn confirm_notice(org: &Org, person: &Person, returns: &[Return]) -> Option<ConfirmNotice> {
    let last = latest_returns(returns.iter().filter(|r| r.person_id == person.id))
        .get(&person.id)
        .copied();
    if !person.fields.decision_making {
        return None;
    }
    let message = match person_confirmation(person.added_on, last.map(|l| l.1), today(), &org.settings) {
        Confirmation::Current { .. } => return None,
        Confirmation::Missing => format!(
            "You have not yet confirmed your entries on the register, or made a nil return. Decision-making staff do this at least every {}.",
            crate::domain::words::count(usize::try_from(org.settings.confirm_every_months).unwrap_or(0), "month", "months")
        ),
        Confirmation::Overdue { due_on, days: n } => format!(
            "Your annual confirmation was due on {due_on} and is {} overdue. You last made a return on {}.",
            days(n),
            last.map(|l| l.1.to_string()).unwrap_or_default()
        ),
    };
    Some(ConfirmNotice {
        org_name: org.name.clone(),
        message,
        href: format!("/admin/orgs/{}/returns/new", org.slug),
    })
}

#[derive(Serialize)]
struct DeclaresFor {
    name: String,
    /// Their published page: only decision-making staff have one.
    href: Option<String>,
    org_name: String,
}

pub async fn show(state: Data, signed_in: SignedIn) -> Page {
    let principal = signed_in.0.principal.clone();
    let sites = state.queue.health();
    let (orgs, declares_for, notices, own) = state
        .db(move |c| {
            let mut own = Vec::new();
            let mut orgs = Vec::new();
            let mut declares_for = Vec::new();
            let mut notices = Vec::new();
            for org in crate::store::orgs::all(c)? {
                if !principal.in_org(org.id) {
                    continue;
                }
                // A declarant sees their own entries and returns, nothing of the
                // organisation's.
                if !reads_all(&principal, org.id) {
                    if let Some(person_id) = principal.person_in(org.id) {
                        let person = crate::store::people::by_id(c, org.id, person_id)?;
                        let returns = crate::store::returns::made(c, org.id)?;
                        notices.extend(confirm_notice(&org, &person, &returns));
                        own.push(super::home_own::own(c, &org, &person, today())?);
                        declares_for.push(DeclaresFor {
                            href: person
                                .fields
                                .decision_making
                                .then(|| format!("/{}/interests/{}/", org.slug, person.slug)),
                            name: person.fields.name,
                            org_name: org.name.clone(),
                        });
                    }
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
                let returns = crate::store::returns::made(c, org.id)?;
                let confirmations_due = if reads_all(&principal, org.id) {
                    let people = crate::store::people::all(c, org.id)?;
                    let n = due_for_confirmation(&people, &returns, today(), &org.settings).len();
                    Some(match n {
                        0 => "nobody is overdue".to_owned(),
                        1 => "1 person overdue".to_owned(),
                        n => format!("{n} people overdue"),
                    })
                } else {
                    None
                };
                if let Some(person_id) = principal.person_in(org.id) {
                    let person = crate::store::people::by_id(c, org.id, person_id)?;
                    notices.extend(confirm_notice(&org, &person, &returns));
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
                    people: n.people,
                    declarations: n.declarations,
                    gifts: n.gifts,
                    audit_entries: n.audit_entries,
                    awaiting_review,
                    returned,
                    confirmations_due,
                    may_import: governs(&principal, org.id),
                    publishing: sites
                        .get(&org.slug)
                        .filter(|_| governs(&principal, org.id))
                        .and_then(|site| {
                            Some(Publishing {
                                since: site
                                    .failing_since?
                                    .format("%-d %B %Y at %H:%M:%S UTC")
                                    .to_string(),
                                unpublished: (org.chain_seq - site.live_seq).max(0),
                                error: site.last_error.clone().unwrap_or_default(),
                            })
                        }),
                    slug: org.slug,
                    name: org.name,
                });
            }
            Ok((orgs, declares_for, notices, own))
        })
        .await?;
    Ok(page(
        StatusCode::OK,
        "admin-home",
        &json!({
            "title": "Your account", "account": AccountView::of(&signed_in.0), "errors": [],
            "role": role_view(signed_in.0.principal.role), "orgs": orgs, "declares_for": declares_for,
            "notices": notices, "own": own,
        }),
    ))
}
