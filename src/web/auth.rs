//! Bearer-token authentication for the JSON API, and the checks of what each role may do.

use super::error::ApiError;
use super::AppState;
use crate::store::users::{Principal, Role};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;

/// The caller: `Some` with a valid token, `None` without one. A token that is
/// presented but not valid is refused (401), never treated as anonymous.
pub struct Caller(pub Option<Principal>);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let header = req
            .headers()
            .get("Authorization")
            .map(|h| h.to_str().map(str::to_owned));
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = match header {
                None => return Ok(Caller(None)),
                Some(Ok(h)) => match h.strip_prefix("Bearer ") {
                    Some(t) if !t.trim().is_empty() && t.len() <= 200 => t.trim().to_owned(),
                    _ => return Err(ApiError::Unauthorized),
                },
                Some(Err(_)) => return Err(ApiError::Unauthorized),
            };
            let state =
                state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let found = state
                .db(move |c| crate::store::users::by_token(c, &token))
                .await?;
            found.map(|p| Caller(Some(p))).ok_or(ApiError::Unauthorized)
        })
    }
}

impl Caller {
    /// The audit actor of a signed-in caller.
    pub fn actor(&self) -> Result<String, ApiError> {
        self.0
            .as_ref()
            .map(Principal::actor)
            .ok_or(ApiError::Unauthorized)
    }

    /// The caller may read everything in `org_id`, withheld entries included.
    pub fn reads_all(&self, org_id: i64) -> bool {
        self.0.as_ref().is_some_and(|p| {
            p.in_org(org_id) && matches!(p.role, Role::Admin | Role::Governance | Role::Auditor)
        })
    }

    /// The caller may read entries of `person_id` that are not public (their own, for a declarant).
    pub fn reads_person(&self, org_id: i64, person_id: i64) -> bool {
        self.reads_all(org_id)
            || self.0.as_ref().is_some_and(|p| {
                p.role == Role::Declarant && p.person_in(org_id) == Some(person_id)
            })
    }

    /// The account that may write registers of `org_id` (governance leads and admins).
    pub fn governance(&self, org_id: i64) -> Result<&Principal, ApiError> {
        let p = self.0.as_ref().ok_or(ApiError::Unauthorized)?;
        match p.role {
            Role::Admin | Role::Governance if p.in_org(org_id) => Ok(p),
            _ => Err(ApiError::Forbidden(
                "only a governance lead of this organisation may do this".into(),
            )),
        }
    }

    /// The account that may write entries for `person_id`: governance, or that person's declarant.
    pub fn writer_for(&self, org_id: i64, person_id: i64) -> Result<&Principal, ApiError> {
        let p = self.0.as_ref().ok_or(ApiError::Unauthorized)?;
        match p.role {
            Role::Admin | Role::Governance if p.in_org(org_id) => Ok(p),
            Role::Declarant if p.person_in(org_id) == Some(person_id) => Ok(p),
            Role::Declarant => Err(ApiError::Forbidden(
                "a declarant may only declare for their own person record".into(),
            )),
            _ => Err(ApiError::Forbidden(
                "this account may not change registers of this organisation".into(),
            )),
        }
    }
}
