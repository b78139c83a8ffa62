//! The review queue: what declarants have submitted (declarations, gifts and
//! hospitality, nil returns and confirmations) waiting for a governance lead to accept
//! it, which publishes it, or return it with a comment. Declarations are reviewed on
//! their own page, which shows every version; offers and returns here.

use super::context::{load_org, org_view, see_other};
use super::form::{capitalise, friendly};
use super::{page, AccountView, CsrfForm, PageError, SignedIn};
use crate::domain::entries::StandingChange;
use crate::domain::money::{Pence, Style};
use crate::domain::{FieldErrors, Input};
use crate::store::entries::Register;
use crate::store::gifts::{GiftStep, Gifts};
use crate::store::orgs::Org;
use crate::store::users::Session;
use crate::web::admin::{Data, OrgPath, Page, RecordPath};
use crate::web::api;
use crate::web::error::ApiError;
use crate::web::AppState;
use actix_web::http::StatusCode;
use actix_web::web;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
pub struct QueueQuery {
    done: Option<String>,
}

/// A review decision as posted: the version reviewed (offers) and the comment (returns).
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ReviewForm {
    version: String,
    comment: String,
}

/// What kind of entry a review route is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Gift,
    Return,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Gift => "gift",
            Kind::Return => "return",
        }
    }
}

/// A problem with one decision, shown at the entry it is about.
struct Problem {
    kind: Kind,
    id: i64,
    accept: bool,
    message: String,
    comment: String,
}

impl Problem {
    fn anchor(&self) -> String {
        let what = if self.accept { "accept" } else { "comment" };
        format!("{}-{}-{what}", self.kind.code(), self.id)
    }
}

fn done_message(code: &str) -> Option<&'static str> {
    Some(match code {
        "accepted" => "Accepted: the entry is now on the public register",
        "returned" => "Returned to the declarant with your comment",
        _ => return None,
    })
}

async fn queue_page(
    state: &AppState,
    session: &Session,
    org: &Org,
    status: StatusCode,
    problem: Option<Problem>,
    done: Option<&str>,
) -> Page {
    let org_id = org.id;
    let (pending, people) = state
        .db(move |c| {
            Ok((
                crate::store::review::pending(c, org_id)?,
                crate::store::people::all(c, org_id)?,
            ))
        })
        .await?;
    let name = |id: i64| {
        people
            .iter()
            .find(|p| p.id == id)
            .map(|p| p.fields.name.clone())
            .unwrap_or_default()
    };
    let at = |kind: Kind, id: i64| {
        let p = problem.as_ref().filter(|p| p.kind == kind && p.id == id);
        json!({
            "accept_error": p.filter(|p| p.accept).map(|p| &p.message),
            "comment_error": p.filter(|p| !p.accept).map(|p| &p.message),
            "comment": p.map(|p| p.comment.as_str()).unwrap_or(""),
        })
    };
    let declarations: Vec<Value> = pending
        .declarations
        .iter()
        .map(|v| {
            let d = &v.entry;
            json!({
                "id": d.id, "person": name(d.person_id), "type": d.fields.interest_type.label(),
                "description": d.fields.description, "submitted_at": v.recorded_at,
                "withdrawal": d.standing.state == crate::domain::entries::EntryState::Withdrawn,
                "href": format!("/admin/orgs/{}/declarations/{}#review", org.slug, d.id),
            })
        })
        .collect();
    let gifts: Vec<Value> = pending
        .gifts
        .iter()
        .map(|v| {
            let g = &v.entry;
            json!({
                "id": g.id, "version": g.version, "person": name(g.person_id),
                "giver": g.fields.giver, "kind": g.fields.kind.label(),
                "description": g.fields.description, "value": Pence(g.fields.value_pence).pounds(Style::EXACT),
                "outcome": g.fields.outcome.code(), "offered_on": g.fields.offered_on.to_string(),
                "submitted_at": v.recorded_at,
                "withdrawal": g.standing.state == crate::domain::entries::EntryState::Withdrawn,
                "at": at(Kind::Gift, g.id),
            })
        })
        .collect();
    let returns: Vec<Value> = pending
        .returns
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "person": name(r.person_id),
                "kind": match r.kind {
                    crate::domain::returns::ReturnKind::Nil => "Nil return: nothing to declare",
                    crate::domain::returns::ReturnKind::Confirmation => "Annual confirmation: entries complete and correct",
                },
                "made_on": r.made_on.to_string(), "at": at(Kind::Return, r.id),
            })
        })
        .collect();
    let errors: Vec<Value> = problem
        .iter()
        .map(|p| json!({"field": p.anchor(), "message": p.message}))
        .collect();
    let total = declarations.len() + gifts.len() + returns.len();
    Ok(page(
        status,
        "admin-review",
        &json!({
            "title": "Entries awaiting review", "account": AccountView::of(session),
            "errors": errors, "org": org_view(org), "total": total,
            "done": done.and_then(done_message),
            "declarations": declarations, "gifts": gifts, "returns": returns,
        }),
    ))
}

pub async fn queue(
    state: Data,
    signed_in: SignedIn,
    path: OrgPath,
    q: web::Query<QueueQuery>,
) -> Page {
    let org = load_org(&state, &path).await?;
    queue_page(
        &state,
        &signed_in.0,
        &org,
        StatusCode::OK,
        None,
        q.done.as_deref(),
    )
    .await
}

/// Accept (no comment) or return (`accept` false, with the form's comment) an offer or a
/// return, then go back to the queue; a problem is shown at the entry.
async fn decide(
    state: Data,
    path: RecordPath,
    posted: CsrfForm<ReviewForm>,
    kind: Kind,
    accept: bool,
) -> Page {
    let org = load_org(&state, &path.0).await?;
    let p = posted.session.principal.clone();
    let Ok(id) = path.1.parse::<i64>() else {
        return Err(PageError::NotFound(format!("{} {}", kind.code(), path.1)));
    };
    let form = posted.form.clone();
    let refuse = |status: StatusCode, message: String| {
        let (state, session, org, comment) = (
            state.clone(),
            posted.session.clone(),
            org.clone(),
            form.comment.clone(),
        );
        async move {
            let problem = Problem {
                kind,
                id,
                accept,
                message,
                comment,
            };
            queue_page(&state, &session, &org, status, Some(problem), None).await
        }
    };
    let change = if accept {
        Ok(StandingChange::Accept)
    } else {
        StandingChange::parse(
            "return",
            &Input::from_pairs([("comment", form.comment.as_str())]),
        )
    };
    let first = |fe: &FieldErrors| {
        fe.0.iter()
            .next()
            .map(|(k, m)| match k.as_str() {
                "comment" => friendly(k, "Comment for the declarant", m),
                _ => capitalise(m),
            })
            .unwrap_or_default()
    };
    let change = match change {
        Ok(c) => c,
        Err(fe) => return refuse(StatusCode::UNPROCESSABLE_ENTITY, first(&fe)).await,
    };
    let (org_id, actor) = (org.id, p.actor());
    let version = form.version.trim().parse::<i64>().unwrap_or(0);
    let written = match kind {
        Kind::Gift => {
            state
                .db(move |c| {
                    // A review step leaves the version as it decides: this is not used.
                    let review = crate::domain::entries::Review::Accepted;
                    Gifts::change(c, org_id, &actor, id, version, review, |_, _| {
                        Ok(GiftStep::Standing(change))
                    })
                    .map(|w| (w.org.slug.clone(), w.touched))
                })
                .await
        }
        Kind::Return => {
            state
                .db(move |c| {
                    crate::store::returns::review(c, org_id, &actor, id, change)
                        .map(|w| (w.org.slug.clone(), w.touched))
                })
                .await
        }
    };
    match written {
        Ok((slug, touched)) => {
            api::publish(&state, &slug, touched).await;
            let done = if accept { "accepted" } else { "returned" };
            Ok(see_other(format!("/admin/orgs/{slug}/review?done={done}")))
        }
        Err(ApiError::NotFound(_)) => Err(PageError::NotFound(format!("{} {id}", kind.code()))),
        Err(ApiError::Conflict(_)) => {
            refuse(
                StatusCode::CONFLICT,
                "This entry was changed while you were reviewing it, so nothing was saved. Review its current version".into(),
            )
            .await
        }
        Err(ApiError::Invalid(fe)) => refuse(StatusCode::UNPROCESSABLE_ENTITY, first(&fe)).await,
        Err(e) => Err(e.into()),
    }
}

pub async fn accept_gift(state: Data, path: RecordPath, posted: CsrfForm<ReviewForm>) -> Page {
    decide(state, path, posted, Kind::Gift, true).await
}

pub async fn return_gift(state: Data, path: RecordPath, posted: CsrfForm<ReviewForm>) -> Page {
    decide(state, path, posted, Kind::Gift, false).await
}

pub async fn accept_return(state: Data, path: RecordPath, posted: CsrfForm<ReviewForm>) -> Page {
    decide(state, path, posted, Kind::Return, true).await
}

pub async fn return_return(state: Data, path: RecordPath, posted: CsrfForm<ReviewForm>) -> Page {
    decide(state, path, posted, Kind::Return, false).await
}
