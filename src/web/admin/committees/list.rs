//! The list of an organisation's committees: each with its quorum, its members in
//! office today and whether they make a valid constitution, and its meetings.

use super::base;
use crate::domain::committees::{constitution, Member};
use crate::domain::committees::{Committee, Meeting, Membership};
use crate::store::records;
use crate::web::admin::context::{load_org, org_view, today};
use crate::web::admin::form::capitalise;
use crate::web::admin::{page, AccountView, SignedIn};
use crate::web::admin::{Data, OrgPath, Page};
use crate::web::auth::governs;
use actix_web::http::StatusCode;
use serde_json::{json, Value};

pub async fn list(state: Data, signed_in: SignedIn, path: OrgPath) -> Page {
    let org = load_org(&state, &path).await?;
    let org_id = org.id;
    let (committees, memberships, meetings) = state
        .db(move |c| {
            Ok((
                records::current::<Committee>(c, org_id)?,
                records::current::<Membership>(c, org_id)?,
                records::current::<Meeting>(c, org_id)?,
            ))
        })
        .await?;
    let today = today();
    let rows: Vec<Value> = committees
        .iter()
        .map(|c| {
            let members: Vec<Member> = memberships
                .iter()
                .filter(|m| m.record.committee_id == c.id)
                .map(|m| m.record.member.clone())
                .collect();
            let held: Vec<_> = meetings
                .iter()
                .filter(|m| m.record.committee_id == c.id)
                .map(|m| m.record.held_on)
                .collect();
            json!({
                "name": c.record.name, "href": base(&org, &c.record.slug),
                "quorum": capitalise(&c.record.quorum.describe()),
                "members": members.iter().filter(|m| m.is_active_on(today)).count(),
                "valid": !members.iter().any(|m| m.is_active_on(today)) || constitution(&members, today).is_valid(),
                "meetings": held.len(),
                "last": held.iter().max().map(|d| d.to_string()),
            })
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        "admin-committees",
        &json!({
            "title": format!("Committees – {}", org.name), "account": AccountView::of(&signed_in.0),
            "errors": [], "org": org_view(&org), "rows": rows,
            "may_write": governs(&signed_in.0.principal, org.id),
        }),
    ))
}
