//! The OpenAPI 3.1 description of the JSON API, served at `/api/v1/openapi.json`.
//!
//! It is generated from the route table ([`routes::table`]): every `/api/v1` route is an
//! operation, with the table's summary, a security requirement from its declared access,
//! and the body and query parameters its line names (written in [`bodies`] from the
//! parsers' constants, in the words of [`schema`]), so a route cannot exist undescribed.
//! A test checks that every POST has a body and that the bodies agree with the parsers.

pub mod bodies;
pub mod schema;

use super::routes::{self, Access, Method, RouteSpec};
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// The prefix of the JSON API's routes.
pub const PREFIX: &str = "/api/v1";

/// `GET /api/v1/openapi.json`: the description, built once.
pub async fn serve() -> HttpResponse {
    static DOC: OnceLock<String> = OnceLock::new();
    let body = DOC.get_or_init(|| document().to_string());
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.as_str())
}

/// The whole OpenAPI 3.1 document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for spec in routes::table()
        .iter()
        .filter(|s| s.path.starts_with(PREFIX))
    {
        let item = paths
            .entry(spec.path.to_owned())
            .or_insert_with(|| json!({}));
        let key = spec.method.as_str().to_ascii_lowercase();
        let body = spec.body.map(|schema| schema());
        let query = spec.query.map(|params| params()).unwrap_or_default();
        item[key] = operation(spec, body, &query);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "coi-register JSON API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The registers of interests, gifts and hospitality and procurement \
                decisions of NHS commissioning organisations, their committees, and the \
                hash-chained audit log every change is recorded in. Reads of published \
                entries are public; writes need a bearer token, or a signed-in browser \
                session and its X-CSRF-Token. Bodies are JSON objects, and each body's \
                schema states in full the form its fields must take. What depends on the \
                records as they stand or on today's date is refused with 422 naming the field: \
                a person, member, meeting or item that does not exist; a slug, reference, \
                item number or meeting date already used; a date in the future, or before the date it \
                follows; a change the record's state does not allow (such as accepting a \
                version that is not awaiting review); a committee that would break its \
                constitution, or a decision without a quorum; and the organisation's gift \
                thresholds. Generated from the service's route table.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": components(),
    })
}

/// One operation: summary and access from the table, parameters, body and responses.
fn operation(spec: &RouteSpec, body: Option<Value>, query: &[Value]) -> Value {
    let mut parameters: Vec<Value> = path_params(spec.path)
        .into_iter()
        .map(|name| path_param(&name))
        .collect();
    parameters.extend(query.iter().cloned());
    let mut op = json!({
        "operationId": operation_id(spec),
        "summary": spec.summary,
        "tags": [tag(spec.path)],
        "responses": responses(spec, !query.is_empty()),
    });
    if !parameters.is_empty() {
        op["parameters"] = json!(parameters);
    }
    match spec.access {
        Access::Public => op["security"] = json!([]),
        access => {
            op["security"] = json!([{"bearerAuth": []}, {"sessionCookie": []}]);
            op["description"] = json!(format!(
                "Roles: {}{}.",
                access.roles().join(", "),
                match access {
                    Access::Governance => " (governance leads and admins of the organisation)",
                    Access::GovernanceOrOwnPerson =>
                        " (a declarant only for the person linked to their account)",
                    _ => "",
                }
            ));
        }
    }
    if let Some(schema) = body {
        op["requestBody"] = json!({
            "required": true,
            "content": {"application/json": {"schema": schema}},
        });
    }
    op
}

fn responses(spec: &RouteSpec, has_query: bool) -> Value {
    let mut r = Map::new();
    match spec.method {
        Method::Get => {
            r.insert(
                "200".into(),
                json!({"description": "OK", "content": {"application/json": {"schema": {}}}}),
            );
            if has_query {
                r.insert("400".into(), reference("BadRequest"));
            }
        }
        Method::Post => {
            r.insert("201".into(), reference("Created"));
            r.insert("400".into(), reference("BadRequest"));
        }
    }
    if spec.access != Access::Public {
        r.insert("401".into(), reference("Unauthorized"));
        r.insert("403".into(), reference("Forbidden"));
    }
    if !path_params(spec.path).is_empty() {
        r.insert("404".into(), reference("NotFound"));
    }
    if spec.method == Method::Post {
        if takes_version(spec.path) {
            r.insert("409".into(), reference("Conflict"));
        }
        r.insert("422".into(), reference("Invalid"));
    }
    json!(r)
}

fn reference(response: &str) -> Value {
    json!({"$ref": format!("#/components/responses/{response}")})
}

/// Changes to an existing record name the `version` they are based on.
fn takes_version(path: &str) -> bool {
    path.contains("/{")
        && [
            "/amend",
            "/end",
            "/withhold",
            "/release",
            "/withdraw",
            "/outcome",
            "/accept",
            "/return",
        ]
        .iter()
        .any(|s| path.ends_with(s))
        // A nil return or confirmation is one fact, not versioned.
        && !path.contains("/returns/")
}

/// The `{name}` segments of an actix path pattern.
pub fn path_params(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
        .map(str::to_owned)
        .collect()
}

fn path_param(name: &str) -> Value {
    let (schema, description) = match name {
        "org" => (json!({"type": "string"}), "The organisation's slug"),
        "slug" => (json!({"type": "string"}), "The record's slug"),
        "reference" => (
            json!({"type": "string"}),
            "The procurement decision's reference",
        ),
        "id" => (
            json!({"type": "string", "pattern": "^[0-9]+$"}),
            "The record's id: a positive whole number (anything else is not found)",
        ),
        _ => (json!({"type": "string"}), ""),
    };
    json!({"name": name, "in": "path", "required": true, "description": description, "schema": schema})
}

fn operation_id(spec: &RouteSpec) -> String {
    let rest = spec.path.trim_start_matches(PREFIX);
    let words: Vec<String> = rest
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect();
    format!(
        "{}_{}",
        spec.method.as_str().to_ascii_lowercase(),
        words.join("_")
    )
}

/// The resource an operation is about: the segment after the organisation.
fn tag(path: &str) -> &str {
    let segs: Vec<&str> = path.trim_start_matches(PREFIX).split('/').collect();
    match segs.as_slice() {
        [_, "orgs", "{org}", resource, ..] => match *resource {
            "meetings" | "items" => "committees",
            "breaches" => "decisions",
            "nil-returns" | "confirmations" => "returns",
            r => r,
        },
        [_, "orgs", ..] => "orgs",
        _ => "api",
    }
}

fn components() -> Value {
    let error = |description: &str| {
        json!({"description": description,
               "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
    };
    json!({
        "securitySchemes": {
            "bearerAuth": {
                "type": "http",
                "scheme": "bearer",
                "description": "An account's API token (`coi_…`), printed once when the account is created.",
            },
            "sessionCookie": {
                "type": "apiKey",
                "in": "cookie",
                "name": "coi_session",
                "description": "The signed session cookie of a browser signed in at /admin/sign-in. \
                    Calls other than GET made with it must also send the session's CSRF token \
                    in the X-CSRF-Token header; calls with a bearer token need none.",
            },
        },
        "schemas": {
            "Error": {
                "type": "object",
                "properties": {"error": {"type": "string"}},
                "required": ["error"],
            },
            "ValidationError": {
                "type": "object",
                "description": "Each field's problem. Nested fields are named like `members[0].from` or `attendance.<person>`.",
                "properties": {
                    "error": {"const": "validation failed"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
                "required": ["error", "fields"],
            },
            "Created": {
                "type": "object",
                "description": "The record after the change, with the audit entry that records it \
                    (`audit_seqs` lists every entry when one change recorded several).",
                "properties": {
                    "audit_seq": {"type": "integer", "minimum": 1},
                    "entry_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    "audit_seqs": {"type": "array", "items": {"type": "integer"}},
                },
                "required": ["audit_seq", "entry_sha256"],
                "additionalProperties": true,
            },
        },
        "responses": {
            "Created": {
                "description": "Recorded, and live on the public site",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Created"}}},
            },
            "BadRequest": error("The body is not a JSON object, or a query parameter is not valid"),
            "Unauthorized": error("Not signed in and no valid bearer token (or a session call without its X-CSRF-Token)"),
            "Forbidden": error("The account may not do this"),
            "NotFound": error("No such organisation or record"),
            "Conflict": error("The version is stale: the record changed since it was read"),
            "Invalid": {
                "description": "The fields are not valid",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ValidationError"}}},
            },
        },
    })
}
