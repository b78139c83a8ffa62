//! Open data: each register as CSV (RFC 4180, header row, UTF-8 with BOM so
//! spreadsheets open it cleanly) and JSON, and the public export of the audit chain.

use super::markdown;
use super::views::Visible;
use crate::audit::ChainEntry;
use serde_json::{json, Value};

const BOM: &[u8] = "\u{feff}".as_bytes();

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(BOM.to_vec());
    w.write_record(header)
        .expect("writing to memory cannot fail");
    for r in rows {
        w.write_record(r).expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// Published declarations as JSON records (raw values: ISO dates, codes).
pub fn interests_records(v: &Visible) -> Vec<Value> {
    let settings = &v.snapshot.org.settings;
    v.snapshot
        .declarations
        .iter()
        .filter(|d| v.declaration_is_public(d.declaration.id))
        .filter_map(|ver| {
            let d = &ver.declaration;
            let p = v.person(d.person_id)?;
            let f = &d.fields;
            Some(json!({
                "id": d.id, "version": d.version, "person": p.fields.name, "person_slug": p.slug,
                "position": f.position.clone().unwrap_or_else(|| p.fields.position.clone()),
                "interest_type": f.interest_type.code(), "associate": f.associate,
                "description": f.description, "body": f.body, "arose_on": f.arose_on.to_string(),
                "ended_on": f.ended_on.map(|e| e.to_string()), "declared_on": f.declared_on.to_string(),
                "days_late": f.days_late(settings), "mitigation": f.mitigation, "audit_seq": ver.audit_seq,
            }))
        })
        .collect()
}

pub const INTEREST_COLUMNS: [&str; 15] = [
    "id",
    "version",
    "person",
    "person_slug",
    "position",
    "interest_type",
    "associate",
    "description",
    "body",
    "arose_on",
    "ended_on",
    "declared_on",
    "days_late",
    "mitigation",
    "audit_seq",
];

/// Published gifts and hospitality as JSON records.
pub fn gifts_records(v: &Visible) -> Vec<Value> {
    let settings = &v.snapshot.org.settings;
    v.snapshot
        .gifts
        .iter()
        .filter(|g| v.gift_is_public(g.gift.id))
        .filter_map(|ver| {
            let g = &ver.gift;
            let p = v.person(g.person_id)?;
            let f = &g.fields;
            let a = f.assessment(settings);
            Some(json!({
                "id": g.id, "version": g.version, "person": p.fields.name, "person_slug": p.slug,
                "position": p.fields.position, "giver": f.giver, "giver_is_supplier": f.giver_is_supplier,
                "kind": f.kind.code(), "description": f.description, "value_pence": f.value_pence,
                "offered_on": f.offered_on.to_string(), "outcome": f.outcome.code(), "approved_by": f.approved_by,
                "declared_on": f.declared_on.to_string(), "declaration_required": a.must_declare, "audit_seq": ver.audit_seq,
            }))
        })
        .collect()
}

pub const GIFT_COLUMNS: [&str; 16] = [
    "id",
    "version",
    "person",
    "person_slug",
    "position",
    "giver",
    "giver_is_supplier",
    "kind",
    "description",
    "value_pence",
    "offered_on",
    "outcome",
    "approved_by",
    "declared_on",
    "declaration_required",
    "audit_seq",
];

fn cell(v: &Value, markdown_field: bool) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) if markdown_field => markdown::to_text(s),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Records as CSV with the given columns (descriptions as plain text).
pub fn to_csv(columns: &[&str], records: &[Value]) -> Vec<u8> {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| cell(&r[*c], *c == "description"))
                .collect()
        })
        .collect();
    csv_bytes(columns, &rows)
}

/// Records as a JSON document naming the organisation and when it last changed.
pub fn to_json(v: &Visible, register: &str, records: Vec<Value>) -> Vec<u8> {
    let org = &v.snapshot.org;
    let doc = json!({
        "organisation": {"slug": org.slug, "name": org.name},
        "register": register,
        "as_of_seq": org.chain_seq,
        "chain_head": org.chain_head,
        "records": records,
    });
    let mut out = serde_json::to_vec_pretty(&doc).expect("JSON values serialise");
    out.push(b'\n');
    out
}

/// The public form of a chain entry: its payload only where the record is public.
pub fn public_entry(v: &Visible, e: ChainEntry) -> ChainEntry {
    if v.entry_is_public(&e) {
        e
    } else {
        e.withheld()
    }
}
