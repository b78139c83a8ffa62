//! The OpenAPI description at /api/v1/openapi.json: it describes exactly the `/api/v1`
//! routes of the route table (so a route cannot be added undescribed, nor a described one
//! removed), every write has a body schema, every protected operation says how to
//! authenticate and what a refusal looks like, and the document is well formed.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use coi_register::web::routes::{self, Access, Method};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

both_backends!(the_description_matches_the_route_table);

fn the_description_matches_the_route_table(backend: Backend) {
    let app = TestApp::spawn(backend);
    let (status, doc) = app.get(&format!("{}/api/v1/openapi.json", app.base), None);
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["openapi"], "3.1.0");

    // Exactly the API routes of the table, no more, no fewer.
    let table: BTreeSet<(String, String)> = routes::table()
        .iter()
        .filter(|s| s.path.starts_with("/api/v1/"))
        .map(|s| (s.method.as_str().to_ascii_lowercase(), s.path.to_owned()))
        .collect();
    let paths = doc["paths"].as_object().expect("paths is an object");
    let mut described = BTreeSet::new();
    for (path, item) in paths {
        for (key, _) in item.as_object().expect("a path item is an object") {
            if METHODS.contains(&key.as_str()) {
                described.insert((key.clone(), path.clone()));
            }
        }
    }
    let missing: Vec<_> = table.difference(&described).collect();
    let extra: Vec<_> = described.difference(&table).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "routes not described: {missing:?}; described but not routes: {extra:?}"
    );

    for spec in routes::table()
        .iter()
        .filter(|s| s.path.starts_with("/api/v1/"))
    {
        let method = spec.method.as_str().to_ascii_lowercase();
        let op = &doc["paths"][spec.path][&method];
        let at = format!("{} {}", spec.method.as_str(), spec.path);
        assert_eq!(op["summary"], spec.summary, "{at}");
        assert!(op["responses"].is_object(), "{at}: responses");

        if method == "post" {
            let schema = &op["requestBody"]["content"]["application/json"]["schema"];
            assert!(
                schema["properties"].is_object(),
                "{at}: no request body schema with properties"
            );
        }

        let security = op["security"].as_array().expect("security is declared");
        if spec.access == Access::Public {
            assert!(security.is_empty(), "{at}: public, yet needs {security:?}");
        } else {
            assert!(!security.is_empty(), "{at}: no security requirement");
            for code in ["401", "403"] {
                assert!(
                    op["responses"][code].is_object(),
                    "{at}: no {code} response"
                );
            }
            for requirement in security {
                for scheme in requirement.as_object().expect("an object").keys() {
                    assert!(
                        doc["components"]["securitySchemes"][scheme].is_object(),
                        "{at}: unknown security scheme {scheme}"
                    );
                }
            }
        }

        // Every `{name}` of the template is a declared, required path parameter.
        let declared: BTreeSet<String> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .inspect(|p| assert_eq!(p["required"], true, "{at}: {p}"))
                    .map(|p| p["name"].as_str().expect("a name").to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let template: BTreeSet<String> = spec
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            .map(str::to_owned)
            .collect();
        assert_eq!(declared, template, "{at}: path parameters");
    }

    // The audit queries are documented.
    for (path, names) in [
        ("/api/v1/orgs/{org}/audit/entries", ["start", "end"]),
        ("/api/v1/orgs/{org}/audit/proof/inclusion", ["seq", "size"]),
        ("/api/v1/orgs/{org}/audit/proof/consistency", ["from", "to"]),
    ] {
        let params = doc["paths"][path]["get"]["parameters"]
            .as_array()
            .expect("parameters");
        for name in names {
            assert!(
                params
                    .iter()
                    .any(|p| p["in"] == "query" && p["name"] == name),
                "{path}: query parameter {name}"
            );
        }
    }

    // Bodies and queries are declared only where a handler reads them: a body on an API
    // write, query parameters on an API read, and the description shows exactly those.
    for spec in routes::table() {
        let at = format!("{} {}", spec.method.as_str(), spec.path);
        let api = spec.path.starts_with("/api/v1/");
        if spec.body.is_some() {
            assert!(
                api && spec.method == Method::Post,
                "{at}: a body for no API write"
            );
        }
        if let Some(params) = spec.query {
            assert!(
                api && spec.method == Method::Get,
                "{at}: a query for no API read"
            );
            let op = &doc["paths"][spec.path]["get"];
            let declared: BTreeSet<String> = params()
                .iter()
                .map(|p| p["name"].as_str().expect("a name").to_owned())
                .collect();
            let documented: BTreeSet<String> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query")
                .map(|p| p["name"].as_str().expect("a name").to_owned())
                .collect();
            assert_eq!(declared, documented, "{at}: query parameters");
        }
    }
    queries_are_read(&app, &doc);

    bodies_match_the_parsers(&app, &doc);
    well_formed(&doc);
}

/// Every integer query parameter the description declares is read by its handler: given
/// text instead of a number, the request is refused with 400.
fn queries_are_read(app: &TestApp, doc: &Value) {
    let mut checked = 0;
    for spec in routes::table().iter().filter(|s| s.query.is_some()) {
        let params = doc["paths"][spec.path]["get"]["parameters"]
            .as_array()
            .expect("parameters");
        for p in params.iter().filter(|p| p["in"] == "query") {
            if p["schema"]["type"] != "integer" {
                continue;
            }
            let name = p["name"].as_str().expect("a name");
            // The other parameters valid, this one not a number.
            let query: Vec<String> = params
                .iter()
                .filter(|q| q["in"] == "query" && q["schema"]["type"] == "integer")
                .map(|q| {
                    let n = q["name"].as_str().expect("a name");
                    format!("{n}={}", if n == name { "x" } else { "1" })
                })
                .collect();
            let url = format!(
                "{}{}?{}",
                app.base,
                spec.path.replace("{org}", app.org),
                query.join("&")
            );
            let (status, answer) = app.get(&url, None);
            assert_eq!(status, 400, "GET {url}: {answer}");
            checked += 1;
        }
    }
    assert!(checked >= 6, "only {checked} query parameters checked");
}

/// For the writes that need no existing record: an empty body is refused naming every
/// field the schema requires, a value just past a field's limits (empty where text is
/// required, a character too long, one past a number's bounds) is refused naming that
/// field, and a closed schema's parser refuses an unknown field.
fn bodies_match_the_parsers(app: &TestApp, doc: &Value) {
    let (mut checked, mut limits) = (0, 0);
    for spec in routes::table()
        .iter()
        .filter(|s| s.method == Method::Post && s.path.starts_with("/api/v1/orgs/{org}/"))
        .filter(|s| s.path.matches('{').count() == 1)
    {
        let url = format!("{}{}", app.base, spec.path.replace("{org}", app.org));
        let schema = &doc["paths"][spec.path]["post"]["requestBody"]["content"]["application/json"]
            ["schema"];
        let (status, answer) = app.post_raw(&url, Some(&app.token), "{}");
        assert_eq!(status, 422, "POST {}: {answer}", spec.path);
        for field in schema["required"].as_array().into_iter().flatten() {
            let field = field.as_str().expect("a name");
            assert!(
                answer["fields"][field].is_string(),
                "POST {}: {field} is required by the schema, but {answer}",
                spec.path
            );
        }
        // Each field's limits are the parser's: one past them is refused, naming the field.
        let props = schema["properties"].as_object().expect("properties");
        for (field, p) in props {
            let mut past = Vec::new();
            if p["minLength"].as_u64() == Some(1) {
                past.push(json!(""));
            }
            if let Some(max) = p["maxLength"].as_u64() {
                past.push(json!("x".repeat(max as usize + 1)));
            }
            if let Some(max) = p["maximum"].as_i64().filter(|m| *m < i64::MAX) {
                past.push(json!(max + 1));
            }
            if let Some(min) = p["minimum"].as_i64() {
                past.push(json!(min - 1));
            }
            for value in past {
                let body = json!({ field: value }).to_string();
                let (status, answer) = app.post_raw(&url, Some(&app.token), &body);
                assert_eq!(status, 422, "POST {} {body}: {answer}", spec.path);
                assert!(
                    answer["fields"][field].is_string(),
                    "POST {} {body}: the schema refuses it, but the parser took it: {answer}",
                    spec.path
                );
                limits += 1;
            }
        }
        if schema["additionalProperties"] == false {
            let (status, answer) = app.post_raw(&url, Some(&app.token), r#"{"zz_not_a_field": 1}"#);
            assert_eq!(status, 422, "POST {}: {answer}", spec.path);
            assert!(
                answer["fields"]["zz_not_a_field"].is_string(),
                "POST {}: a closed schema, but the parser took an unknown field: {answer}",
                spec.path
            );
        }
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} writes checked");
    assert!(limits >= 40, "only {limits} field limits checked");
}

/// As much of OpenAPI 3.1's structure as can be checked without a validator: the
/// required keys, operations with responses and unique ids, and every `$ref` resolving.
fn well_formed(doc: &Value) {
    assert!(doc["info"]["title"].is_string(), "info.title");
    assert!(doc["info"]["version"].is_string(), "info.version");
    assert!(doc["paths"].is_object(), "paths");
    for server in doc["servers"].as_array().expect("servers") {
        assert!(server["url"].is_string(), "server url");
    }
    let mut ids = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        assert!(path.starts_with('/'), "{path}: a path starts with /");
        for (method, op) in item.as_object().expect("path item") {
            assert!(METHODS.contains(&method.as_str()), "{path}: {method}");
            let id = op["operationId"].as_str().expect("operationId");
            assert!(ids.insert(id.to_owned()), "operationId {id} repeated");
            let responses = op["responses"].as_object().expect("responses");
            assert!(!responses.is_empty(), "{path} {method}: no responses");
            for (code, r) in responses {
                assert!(
                    code == "default" || (code.len() == 3 && code.parse::<u16>().is_ok()),
                    "{path} {method}: response code {code}"
                );
                let r = resolve(doc, r);
                assert!(r["description"].is_string(), "{path} {method} {code}");
            }
            for p in op["parameters"].as_array().into_iter().flatten() {
                assert!(p["name"].is_string(), "{path} {method}: {p}");
                assert!(
                    ["path", "query", "header", "cookie"].contains(&p["in"].as_str().unwrap_or("")),
                    "{path} {method}: {p}"
                );
            }
        }
    }
    for (name, scheme) in doc["components"]["securitySchemes"]
        .as_object()
        .expect("securitySchemes")
    {
        match scheme["type"].as_str() {
            Some("http") => assert!(scheme["scheme"].is_string(), "{name}"),
            Some("apiKey") => {
                assert!(scheme["name"].is_string(), "{name}");
                assert!(
                    ["query", "header", "cookie"].contains(&scheme["in"].as_str().unwrap_or("")),
                    "{name}"
                );
            }
            other => panic!("{name}: security scheme type {other:?}"),
        }
    }
    let mut refs = Vec::new();
    collect_refs(doc, &mut refs);
    assert!(!refs.is_empty(), "the document uses components");
    for r in refs {
        let pointer = r
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{r}: only references within the document"));
        assert!(doc.pointer(pointer).is_some(), "{r} does not resolve");
    }
}

fn resolve<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("{r} does not resolve")),
        None => v,
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                match (k.as_str(), x) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(x, out),
                }
            }
        }
        Value::Array(xs) => xs.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}
