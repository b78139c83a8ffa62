//! The register of GP earnings: reads are public (withdrawn figures included, marked),
//! writes a governance lead's. The figure's id is its key in the path.

use super::{governed, input, org, parse_id, take_version, write};
use super::{Answer, Data, OrgPath, RecordPath};
use crate::domain::earnings::{GpEarnings, GpEarningsFields};
use crate::domain::entries::StandingChange;
use crate::store::earnings::{self as store, EarningsStep};
use crate::store::orgs::Org;
use crate::store::records::{self, Stored};
use crate::web::auth::Caller;
use actix_web::{web, HttpResponse};
use serde_json::{json, Value};

/// A figure as the API shows it.
pub fn earnings_json(org: &Org, g: &Stored<GpEarnings>) -> Value {
    let mut v = serde_json::to_value(&g.record).expect("figures serialise");
    v["status"] = json!(if g.record.withdrawn_reason.is_some() {
        "withdrawn"
    } else {
        "current"
    });
    v["url"] = json!(format!("/{}/gp-earnings/", org.slug));
    v["id"] = json!(g.id);
    v["version"] = json!(g.version);
    v["recorded_at"] = json!(g.recorded_at);
    v["audit_seq"] = json!(g.audit_seq);
    v
}

pub async fn list(state: Data, path: OrgPath) -> Answer {
    let org = org(&state, &path).await?;
    let org_id = org.id;
    let all = state
        .db(move |c| records::current::<GpEarnings>(c, org_id))
        .await?;
    Ok(HttpResponse::Ok().json(
        all.iter()
            .map(|g| earnings_json(&org, g))
            .collect::<Vec<_>>(),
    ))
}

pub async fn show(state: Data, path: RecordPath) -> Answer {
    let org = org(&state, &path.0).await?;
    let id = parse_id(&path.1, "GP earnings entry")?;
    let org_id = org.id;
    let g = state
        .db(move |c| records::get::<GpEarnings>(c, org_id, id))
        .await?;
    Ok(HttpResponse::Ok().json(earnings_json(&org, &g)))
}

pub async fn create(state: Data, caller: Caller, path: OrgPath, body: web::Bytes) -> Answer {
    let (org, actor) = governed(&state, &caller, &path).await?;
    let fields = GpEarningsFields::parse(&input(&body)?)?;
    let create =
        move |c: &mut _, org_id, actor: &str| store::create_earnings(c, org_id, actor, fields);
    write(&state, &org, actor, create, |g| earnings_json(&org, g)).await
}

async fn change(
    state: Data,
    caller: Caller,
    path: RecordPath,
    body: web::Bytes,
    withdraw: bool,
) -> Answer {
    let (org, actor) = governed(&state, &caller, &path.0).await?;
    let id = parse_id(&path.1, "GP earnings entry")?;
    let mut changes = input(&body)?;
    let version = take_version(&mut changes)?;
    let step = if withdraw {
        let mut p = changes.parser();
        let reason = p.text("reason", StandingChange::MAX_REASON);
        p.finish()?;
        EarningsStep::Withdraw(reason.expect("checked"))
    } else {
        EarningsStep::Amend(changes)
    };
    let change = move |c: &mut _, org_id, actor: &str| {
        store::change_earnings(c, org_id, actor, id, version, step)
    };
    write(&state, &org, actor, change, |g| earnings_json(&org, g)).await
}

pub async fn amend(state: Data, caller: Caller, path: RecordPath, body: web::Bytes) -> Answer {
    change(state, caller, path, body, false).await
}

pub async fn withdraw(state: Data, caller: Caller, path: RecordPath, body: web::Bytes) -> Answer {
    change(state, caller, path, body, true).await
}
