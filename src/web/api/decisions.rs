//! The register of procurement decisions, and breaches of the conflicts policy. Reads
//! are public, but a breach's person is shown only to governance leads and auditors;
//! writes are a governance lead's.

use super::committees::{path_key, Names};
use super::{created, governed, input, org, parse_id, take_version, write};
use super::{Answer, Data, OrgPath, RecordPath};
use crate::domain::committees::{Item, Meeting};
use crate::domain::decisions::{
    breach_to_input, route_label, Breach, BreachInput, Decision, DecisionFields,
};
use crate::domain::entries::StandingChange;
use crate::store::breaches;
use crate::store::decisions::{self as store, DecisionStep};
use crate::store::orgs::Org;
use crate::store::records::{self, Stored};
use crate::web::auth::Caller;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

fn decision_json(org: &Org, d: &Stored<Decision>) -> Value {
    let mut v = serde_json::to_value(&d.record).expect("decisions serialise");
    v["route_label"] = json!(route_label(&d.record.fields.route));
    v["status"] = json!(if d.record.withdrawn_reason.is_some() {
        "withdrawn"
    } else {
        "current"
    });
    v["url"] = json!(format!(
        "/{}/decisions/{}/",
        org.slug,
        d.record.fields.url_ref()
    ));
    v["id"] = json!(d.id);
    v["version"] = json!(d.version);
    v["recorded_at"] = json!(d.recorded_at);
    v["audit_seq"] = json!(d.audit_seq);
    v
}

pub async fn list(state: Data, path: OrgPath) -> Answer {
    let org = org(&state, &path).await?;
    let org_id = org.id;
    let all = state
        .db(move |c| records::current::<Decision>(c, org_id))
        .await?;
    Ok(HttpResponse::Ok().json(
        all.iter()
            .map(|d| decision_json(&org, d))
            .collect::<Vec<_>>(),
    ))
}

async fn by_ref(state: &AppState, org: &Org, raw: &str) -> Result<Stored<Decision>, ApiError> {
    let key = path_key(raw, "decision")?;
    let org_id = org.id;
    state
        .db(move |c| records::by_key::<Decision>(c, org_id, &key))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("decision {raw:?}")))
}

pub async fn show(state: Data, path: RecordPath) -> Answer {
    let org = org(&state, &path.0).await?;
    let d = by_ref(&state, &org, &path.1).await?;
    Ok(HttpResponse::Ok().json(decision_json(&org, &d)))
}

/// Fill `decided_on` from the meeting of the item that took the decision, if not given.
pub async fn with_meeting_date(
    state: &AppState,
    org: &Org,
    mut fields: crate::domain::Input,
) -> Result<crate::domain::Input, ApiError> {
    if fields.get("decided_on").is_some() {
        return Ok(fields);
    }
    let item = match fields.get("item") {
        Some(Value::Number(n)) => crate::domain::validation::whole_number(n),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    };
    if let Some(item_id) = item.filter(|i| *i > 0) {
        let org_id = org.id;
        let date = state
            .db(move |c| {
                let item = records::get::<Item>(c, org_id, item_id)?;
                Ok(records::get::<Meeting>(c, org_id, item.record.meeting_id)?
                    .record
                    .held_on)
            })
            .await;
        if let Ok(date) = date {
            fields = fields.merged(
                crate::domain::Input::from_json(json!({"decided_on": date.to_string()}))
                    .expect("object"),
            );
        }
    }
    Ok(fields)
}

pub async fn create(state: Data, caller: Caller, path: OrgPath, body: web::Bytes) -> Answer {
    let (org, actor) = governed(&state, &caller, &path).await?;
    let fields = DecisionFields::parse(&with_meeting_date(&state, &org, input(&body)?).await?)?;
    let create =
        move |c: &mut _, org_id, actor: &str| store::create_decision(c, org_id, actor, fields);
    write(&state, &org, actor, create, |d| decision_json(&org, d)).await
}

async fn change(
    state: Data,
    caller: Caller,
    path: RecordPath,
    body: web::Bytes,
    withdraw: bool,
) -> Answer {
    let (org, actor) = governed(&state, &caller, &path.0).await?;
    let current = by_ref(&state, &org, &path.1).await?;
    let mut changes = input(&body)?;
    let version = take_version(&mut changes)?;
    let step = if withdraw {
        let mut p = changes.parser();
        let reason = p.text("reason", StandingChange::MAX_REASON);
        p.finish()?;
        DecisionStep::Withdraw(reason.expect("checked"))
    } else {
        DecisionStep::Amend(changes)
    };
    let id = current.id;
    let change = move |c: &mut _, org_id, actor: &str| {
        store::change_decision(c, org_id, actor, id, version, step)
    };
    write(&state, &org, actor, change, |d| decision_json(&org, d)).await
}

pub async fn amend(state: Data, caller: Caller, path: RecordPath, body: web::Bytes) -> Answer {
    change(state, caller, path, body, false).await
}

pub async fn withdraw(state: Data, caller: Caller, path: RecordPath, body: web::Bytes) -> Answer {
    change(state, caller, path, body, true).await
}

/// A breach as shown: the person only to those who may read everything.
fn breach_json(b: &Stored<Breach>, names: &Names, full: bool) -> Value {
    let r = &b.record;
    let mut v = json!({
        "id": b.id, "version": b.version, "occurred_on": r.occurred_on.to_string(),
        "identified_on": r.identified_on.to_string(), "summary": r.summary,
        "action_taken": r.action_taken, "reported_to": r.reported_to,
        "recorded_at": b.recorded_at, "audit_seq": b.audit_seq,
    });
    if full {
        v["person"] = json!(r.person_id.map(|p| names.slug(p)));
    }
    v
}

async fn names(state: &AppState, org: &Org) -> Result<Names, ApiError> {
    let org_id = org.id;
    Ok(Names::new(
        state
            .db(move |c| crate::store::people::all(c, org_id))
            .await?,
    ))
}

pub async fn list_breaches(state: Data, caller: Caller, path: OrgPath) -> Answer {
    let org = org(&state, &path).await?;
    let org_id = org.id;
    let all = state
        .db(move |c| records::current::<Breach>(c, org_id))
        .await?;
    let names = names(&state, &org).await?;
    let full = caller.reads_all(org.id);
    Ok(HttpResponse::Ok().json(
        all.iter()
            .map(|b| breach_json(b, &names, full))
            .collect::<Vec<_>>(),
    ))
}

pub async fn create_breach(state: Data, caller: Caller, path: OrgPath, body: web::Bytes) -> Answer {
    let (org, actor) = governed(&state, &caller, &path).await?;
    let today = crate::clock::today();
    let entered = BreachInput::parse(&input(&body)?, today)?;
    let org_id = org.id;
    let committed = state
        .db(move |c| breaches::create_breach(c, org_id, &actor, entered))
        .await?;
    let body = breach_json(&committed.value, &names(&state, &org).await?, true);
    Ok(created(&state, &committed, body).await)
}

pub async fn amend_breach(
    state: Data,
    caller: Caller,
    path: RecordPath,
    body: web::Bytes,
) -> Answer {
    let (org, actor) = governed(&state, &caller, &path.0).await?;
    let id = parse_id(&path.1, "breach")?;
    let mut changes = input(&body)?;
    let version = take_version(&mut changes)?;
    let org_id = org.id;
    let committed = state
        .db(move |c| {
            breaches::amend_breach(c, org_id, &actor, id, version, |b, slug, today| {
                BreachInput::parse(&breach_to_input(b, slug).merged(changes), today)
            })
        })
        .await?;
    let body = breach_json(&committed.value, &names(&state, &org).await?, true);
    Ok(created(&state, &committed, body).await)
}
