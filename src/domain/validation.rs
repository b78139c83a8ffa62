//! Field-by-field parsing of untrusted input (JSON bodies, form posts, CSV rows) into
//! domain values, collecting every problem at once so the user can fix them together.

use super::money::Pence;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Each field's problem, keyed by field name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    /// An error set with one field's problem.
    pub fn one(field: &str, message: impl Into<String>) -> FieldErrors {
        let mut e = FieldErrors::default();
        e.add(field, message);
        e
    }
    /// Record a problem (the first one found for a field is kept).
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| message.into());
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

/// Untrusted input: named fields holding JSON values (form and CSV input arrive as strings).
#[derive(Debug, Clone, Default)]
pub struct Input {
    fields: Map<String, Value>,
}

impl Input {
    /// Input from a JSON document, which must be an object.
    pub fn from_json(value: Value) -> Result<Input, FieldErrors> {
        match value {
            Value::Object(fields) => Ok(Input { fields }),
            _ => Err(FieldErrors::one("body", "must be a JSON object")),
        }
    }
    /// Input from string pairs (an HTML form or a CSV row); empty strings count as absent.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Input {
        let fields = pairs
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k.to_owned(), Value::String(v.to_owned())))
            .collect();
        Input { fields }
    }
    /// Overlay `changes` on this input (an amendment over the current record).
    pub fn merged(mut self, changes: Input) -> Input {
        for (k, v) in changes.fields {
            self.fields.insert(k, v);
        }
        self
    }
    /// Start parsing; every field read is remembered so unknown ones can be reported.
    pub fn parser(&self) -> Parser<'_> {
        Parser {
            input: self,
            errors: FieldErrors::default(),
            seen: BTreeSet::new(),
        }
    }
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.get(name).filter(|v| !v.is_null())
    }
    /// Remove a field (used for fields handled outside the domain, such as `version`).
    pub fn take(&mut self, name: &str) -> Option<Value> {
        self.fields.remove(name)
    }
}

/// Reads typed fields out of an [`Input`], collecting errors.
pub struct Parser<'a> {
    input: &'a Input,
    errors: FieldErrors,
    seen: BTreeSet<String>,
}

/// The earliest date any field accepts.
pub const MIN_DATE: &str = "1900-01-01";
/// The latest date any field accepts.
pub const MAX_DATE: &str = "2999-12-31";
/// Longest slug, in characters.
pub const MAX_SLUG: usize = 60;
/// Longest person slug a nested record (a member, a conflict, a breach) may name, in
/// characters: slugs are at most 60, so a longer one names nobody.
pub const MAX_PERSON_REF: usize = 80;

impl<'a> Parser<'a> {
    fn value(&mut self, name: &str) -> Option<&'a Value> {
        self.seen.insert(name.to_owned());
        self.input.get(name)
    }

    /// Record a problem found by a cross-field rule.
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.add(field, message);
    }

    pub fn has_error(&self, field: &str) -> bool {
        self.errors.0.contains_key(field)
    }

    /// Optional text, trimmed, at most `max` characters; empty means absent.
    pub fn opt_text(&mut self, name: &str, max: usize) -> Option<String> {
        match self.value(name)? {
            Value::String(s) => {
                let s = s.trim();
                if s.chars().count() > max {
                    self.error(name, format!("must be {max} characters or fewer"));
                    None
                } else if s
                    .chars()
                    .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
                {
                    self.error(name, "must not contain control characters");
                    None
                } else if s.is_empty() {
                    None
                } else {
                    Some(s.to_owned())
                }
            }
            _ => {
                self.error(name, "must be text");
                None
            }
        }
    }

    /// Required text.
    pub fn text(&mut self, name: &str, max: usize) -> Option<String> {
        let v = self.opt_text(name, max);
        if v.is_none() && !self.has_error(name) {
            self.error(name, "is required");
        }
        v
    }

    /// Optional date, `YYYY-MM-DD`.
    pub fn opt_date(&mut self, name: &str) -> Option<NaiveDate> {
        let raw = match self.value(name)? {
            Value::String(s) if s.trim().is_empty() => return None,
            Value::String(s) => s.trim(),
            _ => {
                self.error(name, "must be a date written YYYY-MM-DD");
                return None;
            }
        };
        match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) if raw.len() == 10 && d >= min_date() && d <= max_date() => Some(d),
            Ok(_) => {
                self.error(name, format!("must be between {MIN_DATE} and {MAX_DATE}"));
                None
            }
            Err(_) => {
                self.error(name, "must be a real date written YYYY-MM-DD");
                None
            }
        }
    }

    /// Required date.
    pub fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let v = self.opt_date(name);
        if v.is_none() && !self.has_error(name) {
            self.error(name, "is required");
        }
        v
    }

    /// A yes/no field; absent means `default`.
    pub fn flag(&mut self, name: &str, default: bool) -> bool {
        match self.value(name) {
            None => default,
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" => true,
                "false" | "no" | "off" | "0" => false,
                _ => {
                    self.error(name, "must be true or false");
                    default
                }
            },
            Some(_) => {
                self.error(name, "must be true or false");
                default
            }
        }
    }

    /// A required whole number of pence, 0 ..= `max` (a JSON integer, or digits as text
    /// from a form). Amounts in pounds are converted with [`Pence::parse_pounds`] before this.
    pub fn pence(&mut self, name: &str, max: i64) -> Option<Pence> {
        let Some(v) = self.value(name) else {
            self.error(name, "is required");
            return None;
        };
        match Pence::parse_json(v, max) {
            Ok(p) => Some(p),
            Err(msg) => {
                self.error(name, msg);
                None
            }
        }
    }

    /// An optional whole number in `1..=max` (a JSON integer, or digits as text).
    pub fn opt_count(&mut self, name: &str, max: u64) -> Option<u64> {
        let parsed = match self.value(name)? {
            Value::Null => return None,
            Value::String(s) if s.trim().is_empty() => return None,
            Value::Number(n) => whole_number(n).and_then(|i| u64::try_from(i).ok()),
            Value::String(s) => s.trim().parse::<u64>().ok(),
            _ => None,
        };
        match parsed {
            Some(n) if (1..=max).contains(&n) => Some(n),
            _ => {
                self.error(name, format!("must be a whole number from 1 to {max}"));
                None
            }
        }
    }

    /// A required whole number in `0..=max` (a JSON integer, or digits as text).
    pub fn count(&mut self, name: &str, max: u64) -> Option<u64> {
        let parsed = match self.value(name) {
            None | Some(Value::Null) => {
                self.error(name, "is required");
                return None;
            }
            Some(Value::String(s)) if s.trim().is_empty() => {
                self.error(name, "is required");
                return None;
            }
            Some(Value::Number(n)) => whole_number(n).and_then(|i| u64::try_from(i).ok()),
            Some(Value::String(s)) => s.trim().parse::<u64>().ok(),
            Some(_) => None,
        };
        match parsed {
            Some(n) if n <= max => Some(n),
            _ => {
                self.error(name, format!("must be a whole number from 0 to {max}"));
                None
            }
        }
    }

    /// An optional record id (a positive whole number).
    pub fn opt_id(&mut self, name: &str) -> Option<i64> {
        self.opt_count(name, i64::MAX as u64).map(|n| n as i64)
    }

    /// A required value from a closed set, parsed by `parse`; the error lists the choices.
    pub fn choice<T>(
        &mut self,
        name: &str,
        choices: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let v = self.opt_choice(name, choices, parse);
        if v.is_none() && !self.has_error(name) {
            self.error(name, format!("is required: one of {}", choices.join(", ")));
        }
        v
    }

    /// An optional value from a closed set.
    pub fn opt_choice<T>(
        &mut self,
        name: &str,
        choices: &[&str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        match self.value(name)? {
            Value::String(s) => {
                let v = parse(s.trim());
                if v.is_none() {
                    self.error(name, format!("must be one of {}", choices.join(", ")));
                }
                v
            }
            _ => {
                self.error(name, format!("must be one of {}", choices.join(", ")));
                None
            }
        }
    }

    /// Finish: report fields nobody asked for, and return the errors (if any).
    pub fn finish(mut self) -> Result<(), FieldErrors> {
        let unknown: Vec<String> = self
            .input
            .fields
            .keys()
            .filter(|k| !self.seen.contains(*k))
            .cloned()
            .collect();
        for k in unknown {
            let shown: String = k.chars().take(40).collect();
            self.errors.add(&shown, "is not a field of this record");
        }
        self.errors.into_result(())
    }
}

/// A JSON number that is a whole number within `i64`, however it is written (`3` or
/// `3.0`): JSON Schema's `integer`, which the API description promises for these fields.
/// A number written with a fraction is read as a double, which serde_json may land a unit
/// in the last place away from the written value (`2251799813685247.0` can arrive as
/// `…46.5`), so one within that rounding of a whole number is that whole number.
pub fn whole_number(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| {
        let f = n.as_f64()?;
        let whole = f.round();
        ((f - whole).abs() <= f64::EPSILON * f.abs()
            && whole >= i64::MIN as f64
            && whole < i64::MAX as f64)
            .then_some(whole as i64)
    })
}

fn min_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid constant date")
}
fn max_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2999, 12, 31).expect("a valid constant date")
}

/// A URL-safe slug: lower-case ASCII letters and digits joined by single hyphens.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(MAX_SLUG);
    out.trim_end_matches('-').to_owned()
}

/// Whether `s` is already a valid slug.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_SLUG && slugify(s) == s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_problem_is_reported_at_once() {
        let input =
            Input::from_json(json!({"name": 5, "on": "2024-02-30", "n": "x", "junk": 1})).unwrap();
        let mut p = input.parser();
        p.text("name", 10);
        p.date("on");
        p.pence("n", 100);
        p.text("missing", 10);
        let e = p.finish().unwrap_err();
        assert_eq!(e.0.len(), 5, "{e}");
        assert_eq!(e.0["missing"], "is required");
        assert_eq!(e.0["junk"], "is not a field of this record");
    }

    #[test]
    fn text_is_trimmed_and_bounded() {
        let input =
            Input::from_json(json!({"a": "  hi ", "b": "x".repeat(11), "c": "bad\u{0}"})).unwrap();
        let mut p = input.parser();
        assert_eq!(p.text("a", 10).as_deref(), Some("hi"));
        assert_eq!(p.text("b", 10), None);
        assert_eq!(p.text("c", 10), None);
        assert_eq!(p.finish().unwrap_err().0.len(), 2);
    }

    #[test]
    fn whole_numbers_may_be_written_with_a_zero_fraction() {
        let n = |v: Value| match v {
            Value::Number(n) => whole_number(&n),
            _ => unreachable!("a number"),
        };
        assert_eq!(n(json!(452)), Some(452));
        assert_eq!(n(json!(452.0)), Some(452));
        assert_eq!(n(json!(-3.0)), Some(-3));
        assert_eq!(n(json!(452.5)), None);
        let big: Value = serde_json::from_str("2251799813685247.0").unwrap();
        assert!(n(big).is_some_and(|v| (v - 2251799813685247).abs() <= 1));
        assert_eq!(n(json!(u64::MAX)), None);
        assert_eq!(n(json!(1e19)), None);
    }

    #[test]
    fn non_objects_are_refused() {
        assert!(Input::from_json(json!([1])).is_err());
    }

    #[test]
    fn slugs_are_lower_case_and_hyphenated() {
        assert_eq!(slugify("Dr Anita  Shah (GP)"), "dr-anita-shah-gp");
        assert_eq!(slugify("--É--"), "");
        assert!(is_slug("northshire-ccg"));
        assert!(!is_slug("Northshire"));
        assert!(!is_slug("a--b"));
    }
}
