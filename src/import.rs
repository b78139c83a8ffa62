//! Import of existing registers from CSV (as organisations keep them in spreadsheets):
//! every row is validated first, and nothing is written unless every row is valid; a
//! good import is written through the normal store functions, one audit entry per record.

use crate::domain::decisions::DecisionFields;
use crate::domain::earnings::GpEarningsFields;
use crate::domain::entries::Review;
use crate::domain::gifts::GiftFields;
use crate::domain::interests::DeclarationFields;
use crate::domain::money::Pence;
use crate::domain::{FieldErrors, Input};
use crate::store::durable::Batch;
use crate::store::entries::Register;
use crate::store::{AnyConnection, Committed, StoreError, Touched};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Rows written per transaction (and per `fsync`).
const BATCH: u64 = 500;

/// What a CSV file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    /// Declarations of interest.
    Interests,
    /// Offers of gifts and hospitality.
    Gifts,
    /// Key procurement decisions.
    Decisions,
    /// GP practices' earnings, a practice and financial year a row.
    GpEarnings,
}

impl Kind {
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Interests => "interests",
            Kind::Gifts => "gifts",
            Kind::Decisions => "decisions",
            Kind::GpEarnings => "GP earnings",
        }
    }
}

/// A finished import: how many records, and the audit entries they made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub count: usize,
    /// First and last audit seq written (none for an empty file).
    pub seqs: Option<(i64, i64)>,
    /// What the publisher needs to re-render.
    pub touched: BTreeSet<Touched>,
}

/// Why an import wrote nothing, or stopped part-way.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read as CSV, or its header is wrong; nothing was written.
    #[error("{0}; nothing was imported")]
    File(String),
    /// Every problem of every bad row ("row N (line L): field: message"); nothing written.
    #[error("{} found; nothing was imported:\n{}", crate::domain::words::count(.0.len(), "problem", "problems"), .0.join("\n"))]
    Invalid(Vec<String>),
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A write failed part-way; the rows written before it stand.
    #[error("row {row} (line {line}) could not be written: {error}. {written} row(s) before it were imported{} and stand, each as its own audited record; this row and the {rest} after it were not imported", .seqs.map(|(a, b)| format!(" (audit seq {a}–{b})")).unwrap_or_default())]
    Partial {
        row: usize,
        line: u64,
        error: String,
        written: usize,
        seqs: Option<(i64, i64)>,
        rest: usize,
    },
}

/// One valid row, ready to write.
enum Record {
    Interest(String, DeclarationFields),
    Gift(String, GiftFields),
    Decision(DecisionFields),
    GpEarnings(GpEarningsFields),
}

/// Read CSV text into (file line, input) rows: a UTF-8 BOM is stripped, the header row
/// names the fields, and empty cells are absent.
fn rows(data: &[u8]) -> Result<Vec<(u64, Input)>, ImportError> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(data);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| ImportError::File(format!("the header row: {e}")))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if headers.iter().all(|h| h.is_empty()) {
        return Err(ImportError::File(
            "the file needs a header row naming the fields".into(),
        ));
    }
    let mut seen = HashSet::new();
    for h in &headers {
        if h.is_empty() {
            return Err(ImportError::File(
                "a column of the header row has no name".into(),
            ));
        }
        if !seen.insert(h.as_str()) {
            return Err(ImportError::File(format!(
                "the header row names {h:?} twice"
            )));
        }
    }
    let mut out = Vec::new();
    let mut lines = LineCounter::new(data);
    for record in reader.records() {
        let record = record.map_err(|e| match e.position() {
            Some(p) => ImportError::File(format!(
                "row {} (line {}): {e}",
                out.len() + 1,
                lines.line_at(p.byte())
            )),
            None => ImportError::File(e.to_string()),
        })?;
        let line = record
            .position()
            .map(|p| lines.line_at(p.byte()))
            .unwrap_or(0);
        let input = Input::from_pairs(headers.iter().map(String::as_str).zip(record.iter()));
        out.push((line, input));
    }
    Ok(out)
}

/// File line numbers of records from their byte offsets. The csv reader's own line
/// count is one short after a CRLF line end (as spreadsheets write them): a record's
/// position can point at the `\n` that ends the line before it.
struct LineCounter<'a> {
    data: &'a [u8],
    /// Bytes counted so far, and the `\n`s among them.
    upto: usize,
    newlines: u64,
}

impl<'a> LineCounter<'a> {
    fn new(data: &'a [u8]) -> Self {
        LineCounter {
            data,
            upto: 0,
            newlines: 0,
        }
    }

    /// The line a record starting at `byte` is on (offsets only grow, so each byte of the
    /// file is counted once).
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.data.len());
        while start < self.data.len() && matches!(self.data[start], b'\r' | b'\n') {
            start += 1;
        }
        if start > self.upto {
            self.newlines += self.data[self.upto..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count() as u64;
            self.upto = start;
        }
        self.newlines + 1
    }
}

/// Accept an amount in pounds (`value`, e.g. "1,250.00") for `value_pence` (or, for
/// GP earnings, `mean_earnings` for `mean_earnings_pence`).
fn pounds(input: &mut Input, errors: &mut FieldErrors, (field, pence_field): (&str, &str)) {
    let Some(v) = input.take(field) else {
        return;
    };
    if input.get(pence_field).is_some() {
        errors.add(
            field,
            format!("give {field} (pounds) or {pence_field}, not both"),
        );
        return;
    }
    match v.as_str().and_then(Pence::parse_pounds) {
        Some(pence) => {
            let merged = std::mem::take(input).merged(Input::from_pairs([(
                pence_field,
                pence.pence().to_string().as_str(),
            )]));
            *input = merged;
        }
        None => errors.add(field, "must be an amount in pounds, such as 49.99"),
    }
}

fn parse_row(
    kind: Kind,
    mut input: Input,
    today: NaiveDate,
    settings: &crate::domain::org::OrgSettings,
    people: &HashSet<String>,
) -> Result<Record, FieldErrors> {
    let mut errors = FieldErrors::default();
    let person = match kind {
        Kind::Decisions | Kind::GpEarnings => None,
        _ => match input.take("person") {
            Some(serde_json::Value::String(s)) => {
                let s = s.trim().to_owned();
                if !people.contains(&s) {
                    errors.add("person", format!("no person {s:?} in this organisation"));
                }
                Some(s)
            }
            _ => {
                errors.add("person", "is required");
                None
            }
        },
    };
    let money = match kind {
        Kind::GpEarnings => ("mean_earnings", "mean_earnings_pence"),
        _ => ("value", "value_pence"),
    };
    if kind != Kind::Interests {
        pounds(&mut input, &mut errors, money);
    }
    let record = match kind {
        Kind::Interests => DeclarationFields::parse(&input, today)
            .map(|f| Record::Interest(person.clone().unwrap_or_default(), f)),
        Kind::Gifts => GiftFields::parse(&input, today, settings)
            .map(|f| Record::Gift(person.clone().unwrap_or_default(), f)),
        Kind::Decisions => DecisionFields::parse(&input).map(Record::Decision),
        Kind::GpEarnings => GpEarningsFields::parse(&input).map(Record::GpEarnings),
    };
    if let Err(e) = &record {
        e.0.iter().for_each(|(k, v)| errors.add(k, v.clone()));
    }
    if errors.0.contains_key(money.0) {
        // The amount was given in pounds: its own problem is the one to report.
        errors.0.remove(money.1);
    }
    match record {
        Ok(r) if errors.is_empty() => Ok(r),
        _ => Err(errors),
    }
}

/// Import a CSV file of `kind` into organisation `org_slug` as `actor`: validate every
/// row, then (only if all are valid) write each through the normal store functions.
pub fn import(
    c: &mut AnyConnection,
    org_slug: &str,
    kind: Kind,
    actor: &str,
    data: &[u8],
    today: NaiveDate,
) -> Result<Imported, ImportError> {
    let org = crate::store::orgs::by_slug(c, org_slug)?;
    let rows = rows(data)?;
    let people: HashSet<String> = match kind {
        Kind::Decisions | Kind::GpEarnings => HashSet::new(),
        _ => crate::store::people::all(c, org.id)?
            .into_iter()
            .map(|p| p.slug)
            .collect(),
    };
    let mut problems = Vec::new();
    let mut records = Vec::with_capacity(rows.len());
    let mut references: HashMap<String, (usize, u64)> = HashMap::new();
    for (i, (line, input)) in rows.into_iter().enumerate() {
        let n = i + 1;
        let mut errors = match parse_row(kind, input, today, &org.settings, &people) {
            Ok(record) => {
                let mut errors = FieldErrors::default();
                if let Record::Decision(d) = &record {
                    if let Some((first, first_line)) = references.get(&d.url_ref()) {
                        errors.add(
                            "reference",
                            format!(
                                "{} is also the reference of row {first} (line {first_line})",
                                d.reference
                            ),
                        );
                    } else {
                        references.insert(d.url_ref(), (n, line));
                        match crate::store::decisions::check_decision(c, org.id, d, None) {
                            Ok(()) => {}
                            Err(StoreError::Invalid(e)) => {
                                e.0.into_iter().for_each(|(k, v)| errors.add(&k, v))
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                }
                if let Record::GpEarnings(g) = &record {
                    if let Some((first, first_line)) = references.get(&g.key()) {
                        errors.add(
                            "financial_year",
                            format!(
                                "{} {} is also on row {first} (line {first_line})",
                                g.ods_code, g.financial_year
                            ),
                        );
                    } else {
                        references.insert(g.key(), (n, line));
                        match crate::store::earnings::check_earnings(c, org.id, g, None) {
                            Ok(()) => {}
                            Err(StoreError::Invalid(e)) => {
                                e.0.into_iter().for_each(|(k, v)| errors.add(&k, v))
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                }
                records.push((n, line, record));
                errors
            }
            Err(errors) => errors,
        };
        for (field, message) in std::mem::take(&mut errors.0) {
            problems.push(format!("row {n} (line {line}): {field}: {message}"));
        }
    }
    if !problems.is_empty() {
        return Err(ImportError::Invalid(problems));
    }
    let total = records.len();
    let mut seqs: Option<(i64, i64)> = None;
    let mut touched = BTreeSet::new();
    // Rows are written in batches of BATCH, each one transaction and one fsync; every
    // row keeps its own savepoint, so a row that fails writes nothing. `durable` is what
    // the last committed batch reached: what stands if a later commit fails.
    let lines: Vec<(usize, u64)> = records.iter().map(|(n, line, _)| (*n, *line)).collect();
    // Rows `done..` were not imported; the first of them is reported.
    let partial = |done: usize, seqs, error: String| {
        let (row, line) = lines[done];
        ImportError::Partial {
            row,
            line,
            error,
            written: done,
            seqs,
            rest: total - done - 1,
        }
    };
    let mut batch = Batch::begin(c, BATCH)?;
    let mut durable: (usize, Option<(i64, i64)>) = (0, None);
    for (written, (_, _, record)) in records.into_iter().enumerate() {
        let result = match record {
            Record::Interest(person, fields) => crate::store::declarations::Declarations::create(
                c,
                org.id,
                actor,
                &person,
                fields,
                None,
                Review::Accepted,
            )
            .map(|w| last_seq(&w)),
            Record::Gift(person, fields) => crate::store::gifts::Gifts::create(
                c,
                org.id,
                actor,
                &person,
                fields,
                None,
                Review::Accepted,
            )
            .map(|w| last_seq(&w)),
            Record::Decision(fields) => {
                crate::store::decisions::create_decision(c, org.id, actor, fields)
                    .map(|w| last_seq(&w))
            }
            Record::GpEarnings(fields) => {
                crate::store::earnings::create_earnings(c, org.id, actor, fields)
                    .map(|w| last_seq(&w))
            }
        };
        let error = match result {
            Ok((first, last, t)) => {
                touched.insert(t);
                seqs = Some((seqs.map_or(first, |(a, _)| a), last));
                match batch.wrote(c) {
                    Ok(true) => {
                        durable = (written + 1, seqs);
                        continue;
                    }
                    Ok(false) => continue,
                    // The open batch's rows were not committed: this row and those
                    // before it since the last commit are lost with it.
                    Err(e) => return Err(partial(durable.0, durable.1, e.to_string())),
                }
            }
            Err(e) => e,
        };
        // The rows before this one stand: commit them, then report.
        let (done, seqs) = match batch.finish(c) {
            Ok(()) => (written, seqs),
            Err(_) => durable,
        };
        return Err(partial(done, seqs, error.to_string()));
    }
    batch.finish(c)?;
    Ok(Imported {
        count: total,
        seqs,
        touched,
    })
}

/// The first and last audit seq of a write, and what it touched.
fn last_seq<T>(w: &Committed<T>) -> (i64, i64, Touched) {
    let first = w.entry.header.seq;
    (
        first,
        w.also.last().map_or(first, |e| e.header.seq),
        w.touched,
    )
}

/// Everything an import checks before it writes, for the fuzz tests: the file read as
/// rows, and each row parsed as every kind of record.
#[cfg(test)]
pub(crate) fn check_for_fuzzing(data: &[u8]) {
    let people: HashSet<String> = ["dr-a-person".to_owned()].into_iter().collect();
    let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date");
    let settings = crate::domain::org::OrgSettings::default();
    if let Ok(rows) = rows(data) {
        for (_, input) in rows {
            for kind in [
                Kind::Interests,
                Kind::Gifts,
                Kind::Decisions,
                Kind::GpEarnings,
            ] {
                let _ = parse_row(kind, input.clone(), today, &settings, &people);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_know_their_file_lines_whatever_the_line_ends() {
        for end in ["\n", "\r\n"] {
            let csv = ["a,b", "1,2", "3,\"x", "y\"", "5,6", ""].join(end);
            let lines: Vec<u64> = rows(csv.as_bytes())
                .unwrap()
                .iter()
                .map(|(l, _)| *l)
                .collect();
            assert_eq!(lines, [2, 3, 5], "line ends {end:?}");
        }
    }
}
