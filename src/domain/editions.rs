//! Editions: a governance lead's request to freeze the public registers as at the end of
//! a past day, monthly or at the year end (31 March, the end of the NHS financial year).

use super::validation::{FieldErrors, Input};
use chrono::{Datelike, NaiveDate};

/// What an edition is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditionKind {
    Monthly,
    /// The register as at 31 March, which the external auditors sign off with the accounts.
    YearEnd,
}

impl EditionKind {
    pub const CHOICES: [&'static str; 2] = ["monthly", "year_end"];

    pub fn parse(s: &str) -> Option<EditionKind> {
        match s {
            "monthly" => Some(EditionKind::Monthly),
            "year_end" => Some(EditionKind::YearEnd),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EditionKind::Monthly => "monthly",
            EditionKind::YearEnd => "year_end",
        }
    }
}

/// A valid request to publish an edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditionRequest {
    pub as_at: NaiveDate,
    pub kind: EditionKind,
}

impl EditionRequest {
    /// Parse `{"as_at": "YYYY-MM-DD", "kind": "monthly" | "year_end"}`. The date must be
    /// over (before `today`): a day still running has no settled register. A year-end
    /// edition is as at 31 March.
    pub fn parse(input: &Input, today: NaiveDate) -> Result<EditionRequest, FieldErrors> {
        let mut p = input.parser();
        let as_at = p.date("as_at");
        let kind = p.choice("kind", &EditionKind::CHOICES, EditionKind::parse);
        if let Some(d) = as_at {
            if d >= today {
                p.error(
                    "as_at",
                    format!("must be a day that is over: before {today}"),
                );
            }
            if kind == Some(EditionKind::YearEnd) && (d.month(), d.day()) != (3, 31) {
                p.error("kind", "year_end is only for an edition as at 31 March");
            }
        }
        p.finish()?;
        Ok(EditionRequest {
            as_at: as_at.expect("no error, so present"),
            kind: kind.expect("no error, so present"),
        })
    }

    /// The sentence an auditor signs against, for a year-end edition.
    pub fn statement(self, tree_size: i64, root: &str) -> Option<String> {
        (self.kind == EditionKind::YearEnd).then(|| {
            format!(
                "The register of interests as at 31 March {}, derived from entries 1..{tree_size} of the chain, checkpoint {root}.",
                self.as_at.year()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: serde_json::Value) -> Result<EditionRequest, FieldErrors> {
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        EditionRequest::parse(&Input::from_json(v).unwrap(), today)
    }

    #[test]
    fn a_past_year_end_is_accepted() {
        let r = parse(json!({"as_at": "2026-03-31", "kind": "year_end"})).unwrap();
        assert_eq!(r.kind, EditionKind::YearEnd);
        assert_eq!(
            r.statement(7, "ab").unwrap(),
            "The register of interests as at 31 March 2026, derived from entries 1..7 of the chain, checkpoint ab."
        );
        let monthly = parse(json!({"as_at": "2026-11-30", "kind": "monthly"})).unwrap();
        assert_eq!(monthly.statement(7, "ab"), None);
    }

    #[test]
    fn bad_requests_name_the_field() {
        let e = parse(json!({"as_at": "2026-12-03", "kind": "monthly"})).unwrap_err();
        assert!(e.0["as_at"].contains("over"), "{e}");
        let e = parse(json!({"as_at": "2026-04-30", "kind": "year_end"})).unwrap_err();
        assert!(e.0["kind"].contains("31 March"), "{e}");
        let e = parse(json!({"as_at": "2026-02-30", "kind": "weekly", "x": 1})).unwrap_err();
        assert_eq!(e.0.keys().collect::<Vec<_>>(), ["as_at", "kind", "x"]);
    }
}
