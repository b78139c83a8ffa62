//! The governance lead's chasing list: decision-making people whose annual confirmation
//! (or nil return) is overdue or missing, each with a link to make it for them, and the
//! declarations made later than the organisation's deadline. Auditors read it too; a
//! declarant sees only their own person.

use super::context::{caller, load_org, org_view, today};
use super::{page, AccountView, PageError, SignedIn};
use crate::domain::entries::EntryState;
use crate::domain::people::Person;
use crate::domain::returns::{due_for_confirmation, Confirmation, Due, Return, ReturnKind};
use crate::store::entries::Register;
use crate::store::orgs::Org;
use crate::web::admin::{Data, OrgPath, Page};
use crate::web::auth::governs;
use crate::web::AppState;
use actix_web::http::StatusCode;
use serde_json::{json, Value};

/// What the organisation's people and returns are, read once.
pub(super) async fn people_and_returns(
    state: &AppState,
    org: &Org,
) -> Result<(Vec<Person>, Vec<Return>), PageError> {
    let org_id = org.id;
    Ok(state
        .db(move |c| {
            Ok((
                crate::store::people::all(c, org_id)?,
                crate::store::returns::made(c, org_id)?,
            ))
        })
        .await?)
}

/// "1 day", "3 days".
pub(super) fn days(n: i64) -> String {
    format!("{n} day{}", if n == 1 { "" } else { "s" })
}

/// The link that makes the return for `person`.
pub(super) fn return_href(org: &Org, person: &Person) -> String {
    format!(
        "/admin/orgs/{}/returns/new?person={}",
        org.slug, person.slug
    )
}

fn due_row(org: &Org, d: &Due, may_write: bool) -> Value {
    let last = d.last.map(|(kind, on)| {
        json!({
            "kind": if kind == ReturnKind::Nil { "Nil return" } else { "Annual confirmation" },
            "on": on.to_string(),
        })
    });
    let (overdue, due_on) = match d.standing {
        Confirmation::Overdue { due_on, days: n } => {
            (format!("{} overdue", days(n)), Some(due_on.to_string()))
        }
        _ => ("None made".to_owned(), None),
    };
    json!({
        "name": d.person.fields.name, "position": d.person.fields.position,
        "last": last, "overdue": overdue, "due_on": due_on,
        "href": may_write.then(|| return_href(org, d.person)),
    })
}

pub async fn show(state: Data, signed_in: SignedIn, path: OrgPath) -> Page {
    let org = load_org(&state, &path).await?;
    let p = &signed_in.0.principal;
    let (people, returns) = people_and_returns(&state, &org).await?;
    let org_id = org.id;
    let versions = state
        .db(move |c| crate::store::declarations::Declarations::current(c, org_id))
        .await?;
    let who = caller(p);
    let may_write = governs(p, org.id);
    let settings = &org.settings;
    let now = today();
    let readable: Vec<Person> = people
        .into_iter()
        .filter(|x| who.reads_person(org.id, x.id))
        .collect();
    let due: Vec<Value> = due_for_confirmation(&readable, &returns, now, settings)
        .iter()
        .map(|d| due_row(&org, d, may_write))
        .collect();
    let mut late: Vec<(i64, Value)> = versions
        .iter()
        .filter(|v| v.entry.standing.state != EntryState::Withdrawn)
        .filter_map(|v| {
            let d = &v.entry;
            let person = readable.iter().find(|x| x.id == d.person_id)?;
            let n = d.fields.days_late(settings)?;
            Some((
                n,
                json!({
                    "id": d.id, "href": format!("/admin/orgs/{}/declarations/{}", org.slug, d.id),
                    "person": person.fields.name, "type": d.fields.interest_type.label(),
                    "body": d.fields.body, "arose_on": d.fields.arose_on.to_string(),
                    "declared_on": d.fields.declared_on.to_string(), "late": format!("{} late", days(n)),
                }),
            ))
        })
        .collect();
    late.sort_by_key(|l| std::cmp::Reverse(l.0));
    let late: Vec<Value> = late.into_iter().map(|(_, v)| v).collect();
    Ok(page(
        StatusCode::OK,
        "admin-confirmations",
        &json!({
            "title": format!("Annual confirmations and late declarations – {}", org.name),
            "account": AccountView::of(&signed_in.0), "errors": [], "org": org_view(&org),
            "due": due, "late": late, "months": settings.confirm_every_months,
            "within_days": settings.declare_within_days, "may_write": may_write,
            "today": now.to_string(),
        }),
    ))
}
