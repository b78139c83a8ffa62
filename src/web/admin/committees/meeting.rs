//! A meeting's page: who came, who was co-opted, and each agenda item with its
//! conflicts, its outcome and the quorum it has now.

use super::committee::ShowQuery;
use super::{load, quorum_view, saved_message};
use crate::domain::committees::ItemOutcome;
use crate::domain::committees::Member;
use crate::web::admin::context::org_view;
use crate::web::admin::{page, AccountView, SignedIn};
use crate::web::admin::{Data, Page};
use crate::web::auth::governs;
use actix_web::http::StatusCode;
use actix_web::web;
use chrono::NaiveDate;
use serde_json::{json, Value};

fn outcome_text(o: &ItemOutcome) -> Option<String> {
    match o {
        ItemOutcome::Open => None,
        ItemOutcome::Decided { decision, .. } => Some(decision.clone()),
        ItemOutcome::Deferred { reason } | ItemOutcome::Referred { reason, .. } => {
            Some(reason.clone())
        }
    }
}

/// The one-click prompt to record a breach where a member took part against their
/// declaration: the breach form's address and the fields it is filled in with (the
/// summary without names, as the public breach register needs it).
fn breach_prompt(
    href: &str,
    committee: &str,
    on: NaiveDate,
    number: &str,
    title: &str,
    person: &str,
    reason: &str,
) -> Value {
    json!({
        "href": href,
        "fields": [
            {"name": "occurred_on", "value": on.to_string()},
            {"name": "person", "value": person},
            {"name": "summary", "value": format!(
                "At item {number} ({title}) of the {committee} meeting on {on}, a member stayed and took part although their declaration says they stand aside from such items. The chair's reason: {reason}"
            )},
        ],
    })
}

pub async fn show_meeting(
    state: Data,
    signed_in: SignedIn,
    path: web::Path<(String, String, String)>,
    q: web::Query<ShowQuery>,
) -> Page {
    let l = load(&state, &path.0, &path.1).await?;
    let c = l.committee();
    let m = l.meeting(&path.2)?;
    let committee_href = l.base();
    let here = format!("{committee_href}/meetings/{}", m.id);
    let on = m.record.held_on;
    let mut in_office: Vec<&Member> = l
        .view
        .memberships
        .iter()
        .collect::<Vec<_>>()
        .into_iter()
        .map(|x| &x.record.member)
        .filter(|x| x.is_active_on(on))
        .collect();
    in_office.sort_by_key(|x| (x.role, x.category, l.names.name(x.person_id)));
    let attendance: Vec<Value> = in_office
        .iter()
        .map(|x| {
            json!({
                "name": l.names.name(x.person_id), "role": x.role.label(), "category": x.category.label(),
                "voting": x.votes(), "status": m.record.status_of(x.person_id).label(),
            })
        })
        .collect();
    let co_opted: Vec<Value> = m
        .record
        .co_opted
        .iter()
        .map(|co| json!({"name": l.names.name(co.person_id), "category": co.category.label(), "note": co.note}))
        .collect();
    let breach_href = format!("/admin/orgs/{}/breaches/new", l.org.slug);
    let items: Vec<Value> = l.view.items_of(m.id)
        .into_iter()
        .map(|i| {
            let r = &i.record;
            let quorum = l.view.quorum(r);
            json!({
                "id": i.id, "number": r.number, "title": r.title,
                "description_html": (!r.description.is_empty()).then(|| crate::publish::markdown::to_html(&r.description)),
                "conflicts": r.conflicts.iter().map(|cf| json!({
                    "name": l.names.name(cf.person_id), "nature": cf.nature,
                    "declaration": cf.declaration_id, "decision": cf.decision.label(),
                    "took_part_reason": cf.took_part_reason,
                    "breach": cf.took_part_reason.as_ref().map(|reason| breach_prompt(
                        &breach_href, &c.record.name, on, &r.number, &r.title,
                        &l.names.slug(cf.person_id), reason,
                    )),
                })).collect::<Vec<_>>(),
                "outcome": r.outcome.label(), "outcome_text": outcome_text(&r.outcome),
                "quorum": quorum_view(quorum.as_ref(), &l.names),
                "amend_href": format!("{committee_href}/items/{}/amend", i.id),
                "outcome_href": format!("{committee_href}/items/{}/outcome", i.id),
            })
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        "admin-meeting",
        &json!({
            "title": format!("Meeting of {} – {}", on, c.record.name), "account": AccountView::of(&signed_in.0),
            "errors": [], "org": org_view(&l.org), "committee": c.record.name, "committee_href": committee_href,
            "base": here, "held_on": on.to_string(), "version": m.version, "recorded_at": m.recorded_at,
            "audit_seq": m.audit_seq, "may_write": governs(&signed_in.0.principal, l.org.id),
            "saved": q.saved.as_deref().and_then(saved_message),
            "attendance": attendance, "co_opted": co_opted, "items": items,
        }),
    ))
}
