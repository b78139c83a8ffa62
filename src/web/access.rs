//! The check every route passes before its handler: the access its line in the route
//! table declares. Signed out where sign-in is needed: 401 (the API) or the sign-in
//! page (the web app); signed in with a role or organisation that may not: 403.

use super::admin::PageError;
use super::auth::{api_credential, credential, Credential};
use super::error::ApiError;
use super::routes::Access;
use super::AppState;
use crate::store::users::Principal;
use actix_web::body::BoxBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{web, HttpRequest, ResponseError};

/// Why a request is refused before its handler.
enum Refusal {
    SignIn,
    Forbidden(String),
    Api(ApiError),
}

/// Run the route's handler only if the caller has the route's declared access.
pub async fn enforce(
    access: Access,
    page: bool,
    req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if access == Access::Public {
        return next.call(req).await;
    }
    match check(access, page, req.request()).await {
        Ok(()) => next.call(req).await,
        Err(refusal) => {
            let response = match (refusal, page) {
                (Refusal::SignIn, true) => PageError::SignIn.error_response(),
                (Refusal::SignIn, false) => ApiError::Unauthorized.error_response(),
                (Refusal::Forbidden(why), true) => PageError::Forbidden(why).error_response(),
                (Refusal::Forbidden(why), false) => ApiError::Forbidden(why).error_response(),
                (Refusal::Api(e), true) => PageError::from(e).error_response(),
                (Refusal::Api(e), false) => e.error_response(),
            };
            Ok(req.into_response(response))
        }
    }
}

async fn check(access: Access, page: bool, req: &HttpRequest) -> Result<(), Refusal> {
    let principal: Principal = if page {
        // The web app signs in with sessions only.
        match credential(req).await.map_err(Refusal::Api)? {
            Ok(Some(Credential::Session(s))) => s.principal,
            _ => return Err(Refusal::SignIn),
        }
    } else {
        match api_credential(req).await {
            Ok(Some(c)) => c.principal().clone(),
            Ok(None) => return Err(Refusal::SignIn),
            Err(e) => return Err(Refusal::Api(e)),
        }
    };
    if !access.roles().contains(&principal.role.code()) {
        return Err(Refusal::Forbidden(format!(
            "an account with the {} role may not do this",
            principal.role.code()
        )));
    }
    if access == Access::SignedIn {
        return Ok(());
    }
    // The organisation in the path: the account must belong to it. An unknown one is
    // left to the handler, which answers 404.
    let Some(slug) = req.match_info().get("org").map(str::to_owned) else {
        return Ok(());
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| Refusal::Api(ApiError::Internal("application state missing".into())))?;
    match state
        .db(move |c| crate::store::orgs::by_slug(c, &slug))
        .await
    {
        Ok(org) if principal.in_org(org.id) => Ok(()),
        Ok(_) => Err(Refusal::Forbidden(
            "this account does not belong to this organisation".into(),
        )),
        Err(ApiError::NotFound(_)) => Ok(()),
        Err(e) => Err(Refusal::Api(e)),
    }
}
