//! The OpenAPI 3.1 description of the JSON API, served at `/api/v1/openapi.json`.
//!
//! It is generated from the route table ([`routes::table`]): every `/api/v1` route is an
//! operation, with the table's summary and a security requirement from its declared
//! access, so a route cannot exist undescribed. What the table does not know, the bodies
//! the handlers accept and the query parameters they read, is kept in [`bodies`] and
//! [`queries`] below, keyed by method and path; a test checks that every POST has a body.

use super::routes::{self, Access, Method, RouteSpec};
use crate::domain::committees::{
    Attendance, CommitteeRole, ConflictDecision, ItemOutcome, MemberCategory, LONG_TEXT,
};
use crate::domain::decisions::{ServiceStatus, ROUTES as PROCUREMENT_ROUTES};
use crate::domain::gifts::{GiftKind, Outcome as GiftOutcome};
use crate::domain::interests::{InterestType, MAX_DESCRIPTION};
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
    let bodies = bodies();
    let queries = queries();
    let mut paths = Map::new();
    for spec in routes::table()
        .iter()
        .filter(|s| s.path.starts_with(PREFIX))
    {
        let item = paths
            .entry(spec.path.to_owned())
            .or_insert_with(|| json!({}));
        let key = spec.method.as_str().to_ascii_lowercase();
        let body = bodies
            .iter()
            .find(|(m, p, _)| *m == spec.method && *p == spec.path)
            .map(|(_, _, b)| b);
        let query = queries
            .iter()
            .find(|(m, p, _)| *m == spec.method && *p == spec.path)
            .map(|(_, _, q)| q.as_slice())
            .unwrap_or(&[]);
        item[key] = operation(spec, body, query);
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
                session and its X-CSRF-Token. Bodies are JSON objects. Generated from the \
                service's route table.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": components(),
    })
}

/// One operation: summary and access from the table, parameters, body and responses.
fn operation(spec: &RouteSpec, body: Option<&Value>, query: &[Value]) -> Value {
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

// Field schemas, as the domain parsers in src/domain read them.

fn text(max: usize) -> Value {
    json!({"type": "string", "maxLength": max})
}
fn opt_text(max: usize) -> Value {
    json!({"type": ["string", "null"], "maxLength": max})
}
fn date() -> Value {
    json!({"type": "string", "format": "date", "description": "YYYY-MM-DD, 1900-01-01 to 2999-12-31"})
}
fn opt_date() -> Value {
    json!({"type": ["string", "null"], "format": "date", "description": "YYYY-MM-DD, 1900-01-01 to 2999-12-31"})
}
fn flag() -> Value {
    json!({"type": ["boolean", "null"]})
}
fn pence(max: i64) -> Value {
    json!({"type": "integer", "minimum": 0, "maximum": max, "description": "Whole pence, e.g. 4999 for £49.99"})
}
fn one_of(codes: &[&str]) -> Value {
    json!({"type": "string", "enum": codes})
}
fn opt_one_of(codes: &[&str]) -> Value {
    json!({"type": ["string", "null"], "enum": codes.iter().map(|c| json!(c)).chain([Value::Null]).collect::<Vec<_>>()})
}
fn id() -> Value {
    json!({"type": ["integer", "null"], "minimum": 1})
}
fn version() -> Value {
    json!({"type": "integer", "minimum": 1, "description": "The version of the record the change is based on (409 if it is no longer current)"})
}

/// An object schema; `closed` when the parser refuses fields it does not know.
fn object(props: &[(&str, Value)], required: &[&str], closed: bool) -> Value {
    let mut o = json!({
        "type": "object",
        "properties": props.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect::<Map<_, _>>(),
    });
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    if closed {
        o["additionalProperties"] = json!(false);
    }
    o
}

/// An amendment: `version`, then any of the record's fields (the rest stay as they are).
fn amend(props: &[(&str, Value)]) -> Value {
    let mut all = vec![("version", version())];
    all.extend(props.iter().cloned());
    object(&all, &["version"], true)
}

fn person_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("name", text(200)),
        ("position", text(200)),
        ("decision_making", flag()),
    ]
}

fn declaration_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("position", opt_text(200)),
        ("interest_type", one_of(&InterestType::CODES)),
        ("associate", opt_text(200)),
        ("description", text(MAX_DESCRIPTION)),
        ("body", text(300)),
        ("arose_on", date()),
        ("ended_on", opt_date()),
        ("declared_on", opt_date()),
        ("mitigation", text(2000)),
    ]
}

fn gift_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("giver", text(300)),
        ("giver_is_supplier", flag()),
        ("kind", one_of(&GiftKind::CODES)),
        ("description", text(2000)),
        ("value_pence", pence(crate::domain::gifts::MAX_VALUE_PENCE)),
        ("offered_on", date()),
        ("outcome", one_of(&GiftOutcome::CODES)),
        ("approved_by", opt_text(200)),
        ("declared_on", opt_date()),
    ]
}

fn committee_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("name", text(200)),
        (
            "slug",
            json!({"type": ["string", "null"], "maxLength": 80, "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$",
                        "description": "Made from the name if absent"}),
        ),
        (
            "terms_of_reference",
            json!({"type": ["string", "null"], "maxLength": LONG_TEXT, "description": "Markdown"}),
        ),
        (
            "quorum_minimum",
            json!({"type": "integer", "minimum": 1, "maximum": crate::domain::committees::Quorum::MAX_MINIMUM,
                                  "description": "The fewest voting members present for a quorum"}),
        ),
        (
            "quorum_required",
            json!({"type": ["array", "string"], "items": one_of(&MemberCategory::CODES),
                                   "description": "Categories at least one member of which must be present (a list, or codes in text)"}),
        ),
    ]
}

fn member_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("category", one_of(&MemberCategory::CODES)),
        (
            "voting",
            json!({"type": ["boolean", "null"], "description": "Defaults to true except for observers, who never vote"}),
        ),
        ("role", opt_one_of(&CommitteeRole::CODES)),
        ("from", date()),
        ("to", opt_date()),
        ("audit_chair", flag()),
    ]
}

fn membership() -> Value {
    let mut props = vec![("person", text(80))];
    props.extend(member_fields());
    object(&props, &["person", "category", "from"], true)
}

fn members() -> Value {
    json!({"type": "array", "items": membership()})
}

fn meeting_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("held_on", date()),
        (
            "attendance",
            json!({"type": ["object", "null"], "additionalProperties": one_of(&Attendance::CODES),
                              "description": "Person slug to attendance"}),
        ),
        (
            "co_opted",
            json!({"type": ["array", "null"], "items": object(&[
            ("person", text(80)),
            ("category", one_of(&MemberCategory::CODES[..3])),
            ("note", text(500)),
        ], &["person", "category", "note"], true)}),
        ),
    ]
}

fn item_fields() -> Vec<(&'static str, Value)> {
    vec![
        (
            "number",
            json!({"type": "string", "maxLength": 20, "description": "Letters, digits and dots, e.g. 5 or 5.2"}),
        ),
        ("title", text(300)),
        ("description", opt_text(LONG_TEXT)),
        (
            "conflicts",
            json!({"type": ["array", "null"], "items": object(&[
            ("person", text(80)),
            ("declaration", id()),
            ("nature", text(2000)),
            ("decision", one_of(&ConflictDecision::CODES)),
        ], &["person", "nature", "decision"], true)}),
        ),
    ]
}

fn decision_fields() -> Vec<(&'static str, Value)> {
    let routes: Vec<&str> = PROCUREMENT_ROUTES.iter().map(|(c, _)| *c).collect();
    vec![
        ("reference", text(40)),
        ("title", text(300)),
        ("service_description", text(LONG_TEXT)),
        ("service_status", one_of(&ServiceStatus::CODES)),
        ("route", one_of(&routes)),
        ("clinical_lead", opt_text(200)),
        ("contract_manager", opt_text(200)),
        (
            "decided_on",
            json!({"type": ["string", "null"], "format": "date",
                              "description": "YYYY-MM-DD; the meeting's date if absent and `item` is given"}),
        ),
        (
            "item",
            json!({"type": ["integer", "null"], "minimum": 1, "description": "The agenda item the decision was taken on"}),
        ),
        ("how_decided", opt_text(LONG_TEXT)),
        ("conflicts_note", opt_text(LONG_TEXT)),
        ("justification", text(LONG_TEXT)),
        ("supplier", opt_text(300)),
        (
            "value_pence",
            pence(crate::domain::decisions::MAX_CONTRACT_VALUE_PENCE),
        ),
        (
            "term_months",
            json!({"type": ["integer", "null"], "minimum": 1, "maximum": 600}),
        ),
        ("starts_on", opt_date()),
        ("comments", opt_text(LONG_TEXT)),
    ]
}

fn breach_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("occurred_on", date()),
        ("identified_on", opt_date()),
        ("summary", text(LONG_TEXT)),
        ("action_taken", text(LONG_TEXT)),
        ("reported_to", opt_text(300)),
        (
            "person",
            json!({"type": ["string", "null"], "maxLength": 80, "description": "The slug of the person concerned, if any"}),
        ),
    ]
}

fn with(
    mut fields: Vec<(&'static str, Value)>,
    more: &[(&'static str, Value)],
) -> Vec<(&'static str, Value)> {
    fields.extend(more.iter().cloned());
    fields
}

fn reason() -> (&'static str, Value) {
    ("reason", text(2000))
}

/// The body of an `accept` (versioned) or `return` (with the comment for the declarant).
fn review(versioned: bool, comment: bool) -> Value {
    let mut props = vec![];
    let mut required = vec![];
    if versioned {
        props.push(("version", version()));
        required.push("version");
    }
    if comment {
        props.push(("comment", text(2000)));
        required.push("comment");
    }
    object(&props, &required, true)
}

/// The request body of every POST route of the API, by method and path.
pub fn bodies() -> Vec<(Method, &'static str, Value)> {
    use Method::Post;
    let entry_person = (
        "person",
        json!({"type": "string", "maxLength": 100, "description": "The slug of the person the entry is for (a declarant's own)"}),
    );
    let returns = object(
        &[entry_person.clone(), ("made_on", opt_date())],
        &["person"],
        true,
    );
    vec![
        (
            Post,
            "/api/v1/orgs/{org}/people",
            object(&person_fields(), &["name", "position"], true),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/people/{slug}/amend",
            amend(&person_fields()),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/declarations",
            object(
                &with(
                    declaration_fields(),
                    &[
                        entry_person.clone(),
                        (
                            "withheld_reason",
                            json!({"type": ["string", "null"], "description": "Withhold the entry from publication at once, for this reason"}),
                        ),
                    ],
                ),
                &[
                    "person",
                    "interest_type",
                    "description",
                    "body",
                    "arose_on",
                    "mitigation",
                ],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/declarations/{id}/amend",
            amend(&declaration_fields()),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/declarations/{id}/end",
            object(
                &[("version", version()), ("ended_on", date())],
                &["version", "ended_on"],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/declarations/{id}/withdraw",
            object(
                &[("version", version()), reason()],
                &["version", "reason"],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/declarations/{id}/withhold",
            object(
                &[("version", version()), reason()],
                &["version", "reason"],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/declarations/{id}/release",
            object(&[("version", version())], &["version"], true),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/gifts",
            object(
                &with(gift_fields(), std::slice::from_ref(&entry_person)),
                &[
                    "person",
                    "giver",
                    "kind",
                    "description",
                    "value_pence",
                    "offered_on",
                    "outcome",
                ],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/gifts/{id}/amend",
            amend(&gift_fields()),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/gifts/{id}/withdraw",
            object(
                &[("version", version()), reason()],
                &["version", "reason"],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/gifts/{id}/withhold",
            object(
                &[("version", version()), reason()],
                &["version", "reason"],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/gifts/{id}/release",
            object(&[("version", version())], &["version"], true),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/declarations/{id}/accept",
            review(true, false),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/declarations/{id}/return",
            review(true, true),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/gifts/{id}/accept",
            review(true, false),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/gifts/{id}/return",
            review(true, true),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/returns/{id}/accept",
            review(false, false),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/returns/{id}/return",
            review(false, true),
        ),
        (Post, "/api/v1/orgs/{org}/nil-returns", returns.clone()),
        (Post, "/api/v1/orgs/{org}/confirmations", returns),
        (
            Post,
            "/api/v1/orgs/{org}/committees",
            object(
                &with(committee_fields(), &[("members", members())]),
                &["name", "quorum_minimum"],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/committees/{slug}/amend",
            amend(&committee_fields()),
        ),
        // Only `members` is read; the rest of the body is ignored.
        (
            Post,
            "/api/v1/orgs/{org}/committees/{slug}/members",
            object(&[("members", members())], &["members"], false),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/committees/{slug}/members/{id}/amend",
            amend(&member_fields()),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/committees/{slug}/members/{id}/end",
            object(
                &with(vec![("version", version())], &member_fields()),
                &["version", "to"],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/committees/{slug}/meetings",
            object(&meeting_fields(), &["held_on"], true),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/meetings/{id}/amend",
            amend(&meeting_fields()),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/meetings/{id}/items",
            object(&item_fields(), &["number", "title"], true),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/items/{id}/amend",
            amend(&item_fields()),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/items/{id}/outcome",
            object(
                &[
                    ("version", version()),
                    ("outcome", one_of(&ItemOutcome::CODES)),
                    (
                        "decision",
                        json!({"type": ["string", "null"], "maxLength": LONG_TEXT, "description": "Required when decided"}),
                    ),
                    (
                        "reason",
                        json!({"type": ["string", "null"], "maxLength": LONG_TEXT, "description": "Required when deferred or referred"}),
                    ),
                    (
                        "referred_to",
                        json!({"type": ["string", "null"], "maxLength": 300, "description": "Required when referred"}),
                    ),
                ],
                &["version", "outcome"],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/decisions",
            object(
                &decision_fields(),
                &[
                    "reference",
                    "title",
                    "service_description",
                    "service_status",
                    "route",
                    "justification",
                    "value_pence",
                ],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/decisions/{reference}/amend",
            amend(&decision_fields()),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/decisions/{reference}/withdraw",
            object(
                &[("version", version()), reason()],
                &["version", "reason"],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/breaches",
            object(
                &breach_fields(),
                &["occurred_on", "summary", "action_taken"],
                true,
            ),
        ),
        (
            Post,
            "/api/v1/orgs/{org}/breaches/{id}/amend",
            amend(&breach_fields()),
        ),
    ]
}

fn query(name: &str, required: bool, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": required, "schema": schema, "description": description})
}

/// The query parameters routes read, by method and path.
pub fn queries() -> Vec<(Method, &'static str, Vec<Value>)> {
    use Method::Get;
    let seq = json!({"type": "integer", "minimum": 1});
    vec![
        (
            Get,
            "/api/v1/orgs/{org}/declarations",
            vec![query(
                "person",
                false,
                json!({"type": "string"}),
                "Only this person's declarations (by slug)",
            )],
        ),
        (
            Get,
            "/api/v1/orgs/{org}/gifts",
            vec![query(
                "person",
                false,
                json!({"type": "string"}),
                "Only this person's offers (by slug)",
            )],
        ),
        (
            Get,
            "/api/v1/orgs/{org}/audit/entries",
            vec![
                query(
                    "start",
                    false,
                    json!({"type": "integer", "minimum": 1}),
                    "The first entry's seq (default 1)",
                ),
                query(
                    "end",
                    false,
                    json!({"type": "integer", "minimum": 1}),
                    "The last entry's seq (default the head; at most 1000 entries per request)",
                ),
            ],
        ),
        (
            Get,
            "/api/v1/orgs/{org}/audit/proof/inclusion",
            vec![
                query("seq", true, seq.clone(), "The entry to prove included"),
                query(
                    "size",
                    true,
                    seq.clone(),
                    "The size of the tree (a checkpoint's) to prove it in",
                ),
            ],
        ),
        (
            Get,
            "/api/v1/orgs/{org}/audit/proof/consistency",
            vec![
                query("from", true, seq.clone(), "The older tree size"),
                query("to", true, seq, "The newer tree size"),
            ],
        ),
    ]
}
