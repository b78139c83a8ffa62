//! The query parameters of the API's reads.

use serde_json::{json, Value};

fn query(name: &str, required: bool, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": required, "schema": schema, "description": description})
}

/// A position in the chain: a whole number from 1.
fn seq() -> Value {
    json!({"type": "integer", "minimum": 1, "maximum": i64::MAX})
}

/// `GET …/declarations`
pub fn declarations_query() -> Vec<Value> {
    vec![query(
        "person",
        false,
        json!({"type": "string"}),
        "Only this person's declarations (by slug)",
    )]
}

/// `GET …/gifts`
pub fn gifts_query() -> Vec<Value> {
    vec![query(
        "person",
        false,
        json!({"type": "string"}),
        "Only this person's offers (by slug)",
    )]
}

/// `GET …/audit/entries`
pub fn entries_query() -> Vec<Value> {
    vec![
        query(
            "start",
            false,
            seq(),
            "The first entry's seq (default 1)",
        ),
        query(
            "end",
            false,
            seq(),
            "The last entry's seq, not before `start` (default the head; at most 1000 entries per request)",
        ),
    ]
}

/// `GET …/audit/proof/inclusion`
pub fn inclusion_query() -> Vec<Value> {
    vec![
        query("seq", true, seq(), "The entry to prove included"),
        query(
            "size",
            true,
            seq(),
            "The size of the tree (a checkpoint's) to prove it in: at least `seq`, at most the chain's length",
        ),
    ]
}

/// `GET …/audit/proof/consistency`
pub fn consistency_query() -> Vec<Value> {
    vec![
        query("from", true, seq(), "The older tree size"),
        query(
            "to",
            true,
            seq(),
            "The newer tree size: at least `from`, at most the chain's length",
        ),
    ]
}
