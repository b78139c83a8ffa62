//! Who is asking: a bearer token (the JSON API's scripts) or a signed session cookie (a
//! browser signed in at /admin), resolved once per request; and the checks of what each
//! role may do, which handlers use for the rules the route table cannot state.

use super::error::ApiError;
use super::session::{same_secret, SessionCookie};
use super::AppState;
use crate::domain::entries::Review;
use crate::store::users::{Principal, Role, Session};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use std::future::Future;
use std::pin::Pin;

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    /// `Authorization: Bearer coi_…`: no CSRF token needed, a browser never sends it by itself.
    Token(Principal),
    /// The session cookie: state-changing requests must also carry the session's CSRF token.
    Session(Session),
}

impl Credential {
    pub fn principal(&self) -> &Principal {
        match self {
            Credential::Token(p) => p,
            Credential::Session(s) => &s.principal,
        }
    }
}

/// The request's credential, resolved once and kept in the request's extensions.
#[derive(Clone)]
struct Resolved(Result<Option<Credential>, Presented>);

/// A credential was presented but is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    /// A malformed or unknown token: refused, never treated as anonymous.
    BadToken,
    /// A session cookie that is forged, expired, signed out or of a disabled account.
    BadSession,
}

/// Resolve the request's credential: a bearer token if there is an `Authorization`
/// header, else the session cookie, else none. Database failures are errors; an invalid
/// credential is `Ok(Err(_))`, for the caller to answer as its kind of route does.
pub async fn credential(
    req: &HttpRequest,
) -> Result<Result<Option<Credential>, Presented>, ApiError> {
    if let Some(Resolved(r)) = req.extensions().get::<Resolved>() {
        return Ok(r.clone());
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let resolved = match req.headers().get("Authorization") {
        Some(header) => {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty() && t.len() <= 200)
                .map(str::to_owned);
            match token {
                None => Err(Presented::BadToken),
                Some(t) => state
                    .db(move |c| crate::store::users::by_token(c, &t))
                    .await?
                    .map(|p| Some(Credential::Token(p)))
                    .ok_or(Presented::BadToken),
            }
        }
        None => match state.sessions.session_cookie_of(req) {
            SessionCookie::Absent => Ok(None),
            SessionCookie::Forged => Err(Presented::BadSession),
            SessionCookie::Signed(id) => state
                .db(move |c| crate::store::users::by_session(c, &id))
                .await?
                .map(|s| Some(Credential::Session(s)))
                .ok_or(Presented::BadSession),
        },
    };
    req.extensions_mut().insert(Resolved(resolved.clone()));
    Ok(resolved)
}

/// Whether the method changes nothing, so needs no CSRF token.
pub fn is_safe(req: &HttpRequest) -> bool {
    matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS")
}

/// The credential of a JSON API request: an invalid one is 401, and a browser session's
/// state-changing request without its CSRF token in `X-CSRF-Token` is 403.
pub async fn api_credential(req: &HttpRequest) -> Result<Option<Credential>, ApiError> {
    let credential = credential(req).await?.map_err(|_| ApiError::Unauthorized)?;
    if let Some(Credential::Session(s)) = &credential {
        let sent = req
            .headers()
            .get("X-CSRF-Token")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if !is_safe(req) && !same_secret(sent, &s.csrf_token) {
            return Err(ApiError::Forbidden(
                "a request from a signed-in browser must carry its X-CSRF-Token".into(),
            ));
        }
    }
    Ok(credential)
}

/// The caller of a JSON API route: `Some` with a valid bearer token or session, `None`
/// without either. A credential that is presented but not valid is refused (401), never
/// treated as anonymous.
pub struct Caller(pub Option<Principal>);

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let credential = api_credential(&req).await?;
            Ok(Caller(credential.map(|c| c.principal().clone())))
        })
    }
}

impl Caller {
    /// The review the caller's change to `org_id`'s registers needs (see [`review_of`]).
    pub fn review(&self, org_id: i64) -> Review {
        Review::of_author(self.0.as_ref().is_some_and(|p| governs(p, org_id)))
    }

    /// The audit actor of a signed-in caller.
    pub fn actor(&self) -> Result<String, ApiError> {
        self.0
            .as_ref()
            .map(Principal::actor)
            .ok_or(ApiError::Unauthorized)
    }

    /// The caller may read everything in `org_id`, withheld entries included.
    pub fn reads_all(&self, org_id: i64) -> bool {
        self.0.as_ref().is_some_and(|p| reads_all(p, org_id))
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
        if governs(p, org_id) {
            Ok(p)
        } else {
            Err(ApiError::Forbidden(
                "only a governance lead of this organisation may do this".into(),
            ))
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

/// The review a change by `p` to `org_id`'s registers needs: none (accepted as made)
/// from a governance lead or admin, a governance lead's from a declarant.
pub fn review_of(p: &Principal, org_id: i64) -> Review {
    Review::of_author(governs(p, org_id))
}

/// Governance leads and admins of `org_id` write its registers.
pub fn governs(p: &Principal, org_id: i64) -> bool {
    matches!(p.role, Role::Admin | Role::Governance) && p.in_org(org_id)
}

/// Governance leads, admins and auditors of `org_id` read everything in it.
pub fn reads_all(p: &Principal, org_id: i64) -> bool {
    matches!(p.role, Role::Admin | Role::Governance | Role::Auditor) && p.in_org(org_id)
}
