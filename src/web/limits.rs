//! What every request passes through on its way in and out: a URL longer than
//! [`MAX_URL`] is refused with 414 before any handler runs, and under `/api/` every error
//! answer leaves as the API's JSON shape, `{"error": "…"}`, even those that actix itself
//! makes (413 for an oversized body, 405, 400 from an extractor), so a client parses one
//! shape whatever went wrong.

use super::routes;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};
use serde_json::json;

/// The longest URL (path and query) the service reads, as nginx's default allows.
pub const MAX_URL: usize = 8 * 1024;

/// Whether a path belongs to the JSON API.
fn is_api(path: &str) -> bool {
    path == "/api/v1" || path.starts_with("/api/v1/")
}

/// The middleware: refuse long URLs, and give the API's errors one JSON shape.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let api = is_api(req.path());
    let url_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if url_len > MAX_URL {
        let message = format!("the URL is {url_len} bytes long; at most {MAX_URL} are read");
        let response = error(api, StatusCode::URI_TOO_LONG, &message);
        return Ok(req.into_response(response));
    }
    let res = next.call(req).await?.map_into_boxed_body();
    if !api || !res.status().is_client_error() && !res.status().is_server_error() {
        return Ok(res);
    }
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return Ok(res);
    }
    let status = res.status();
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => format!(
            "the body is larger than the {} bytes the API reads",
            super::MAX_BODY
        ),
        other => other
            .canonical_reason()
            .unwrap_or("the request was refused")
            .to_lowercase(),
    };
    let (req, old) = res.into_parts();
    let mut response = error(true, status, &message);
    // Keep what the answer said about itself (Allow on a 405, WWW-Authenticate on a 401).
    for name in [header::ALLOW, header::WWW_AUTHENTICATE] {
        if let Some(value) = old.headers().get(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    Ok(ServiceResponse::new(req, response))
}

/// An error answer: the API's JSON shape, or a line of text for a browser.
fn error(api: bool, status: StatusCode, message: &str) -> HttpResponse {
    let mut r = HttpResponse::build(status);
    if api {
        r.json(json!({ "error": message }))
    } else {
        r.content_type("text/plain; charset=utf-8")
            .body(format!("{message}\n"))
    }
}

/// The answer for an API path no route serves: 405 with `Allow` where the path is a
/// route's but the method is not, else 404.
pub async fn api_fallback(req: HttpRequest) -> HttpResponse {
    let allowed: Vec<&str> = routes::table()
        .iter()
        .filter(|spec| ResourceDef::new(spec.path).is_match(req.path()))
        .map(|spec| spec.method.as_str())
        .collect();
    if allowed.is_empty() {
        return error(true, StatusCode::NOT_FOUND, "API route not found");
    }
    let allow = allowed.join(", ");
    let mut r = error(
        true,
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("{} is not allowed here; use {allow}", req.method()),
    );
    if let Ok(value) = HeaderValue::from_str(&allow) {
        r.headers_mut().insert(header::ALLOW, value);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_paths_are_those_under_api_v1() {
        assert!(is_api("/api/v1/orgs"));
        assert!(is_api("/api/v1"));
        assert!(!is_api("/api/v10"));
        assert!(!is_api("/northshire-ccg/api/v1/"));
    }
}
