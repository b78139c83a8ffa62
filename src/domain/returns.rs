//! Nil returns and annual confirmations: each decision-making person confirms their
//! entries at least yearly, or states that they have nothing to declare.

use super::entries::Review;
use super::org::OrgSettings;
use super::validation::{FieldErrors, Input};
use chrono::{Months, NaiveDate};
use serde_json::{json, Value};

/// The two kinds of return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnKind {
    /// "I have nothing to declare."
    Nil,
    /// "My entries on the register are complete and correct."
    Confirmation,
}

impl ReturnKind {
    pub fn code(self) -> &'static str {
        match self {
            ReturnKind::Nil => "nil_return",
            ReturnKind::Confirmation => "confirmation",
        }
    }
    pub fn parse(s: &str) -> Option<ReturnKind> {
        match s {
            "nil_return" => Some(ReturnKind::Nil),
            "confirmation" => Some(ReturnKind::Confirmation),
            _ => None,
        }
    }
}

/// A dated return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Return {
    pub id: i64,
    pub person_id: i64,
    pub kind: ReturnKind,
    pub made_on: NaiveDate,
    /// A declarant's own return counts once a governance lead accepts it.
    pub review: Review,
}

impl Return {
    /// Parse a request body `{ "person": …, "made_on": … }` (the person is resolved by the caller).
    pub fn parse_date(input: &Input, today: NaiveDate) -> Result<NaiveDate, FieldErrors> {
        let mut p = input.parser();
        p.text("person", 100);
        let made_on = p.opt_date("made_on").unwrap_or(today);
        if made_on > today && !p.has_error("made_on") {
            p.error("made_on", "cannot be in the future");
        }
        p.finish()?;
        Ok(made_on)
    }

    /// A nil return is only true of someone with no current declarations.
    pub fn check(kind: ReturnKind, current_declarations: usize) -> Result<(), FieldErrors> {
        if kind == ReturnKind::Nil && current_declarations > 0 {
            return Err(FieldErrors::one(
                "person",
                format!("has {current_declarations} current declaration(s); end them first, or make a confirmation instead of a nil return"),
            ));
        }
        Ok(())
    }

    pub fn payload(&self, person_slug: &str) -> Value {
        json!({
            "id": self.id.to_string(), "person_id": self.person_id.to_string(), "person": person_slug,
            "kind": self.kind.code(), "made_on": self.made_on.to_string(),
            "review": self.review.code(), "review_comment": self.review.comment(),
        })
    }
}

/// Whether a person whose last return was `last` is due to confirm again on `today`.
pub fn confirmation_due(last: Option<NaiveDate>, today: NaiveDate, settings: &OrgSettings) -> bool {
    match last.and_then(|d| d.checked_add_months(Months::new(settings.confirm_every_months))) {
        Some(due) => today > due,
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_nil_return_contradicting_current_entries_is_refused() {
        assert!(Return::check(ReturnKind::Nil, 2).unwrap_err().0["person"].contains("2 current"));
        assert!(Return::check(ReturnKind::Nil, 0).is_ok());
        assert!(Return::check(ReturnKind::Confirmation, 2).is_ok());
    }

    #[test]
    fn confirmations_fall_due_after_twelve_months() {
        let s = OrgSettings::default();
        assert!(confirmation_due(None, d(2026, 1, 1), &s));
        assert!(!confirmation_due(Some(d(2025, 1, 1)), d(2026, 1, 1), &s));
        assert!(confirmation_due(Some(d(2025, 1, 1)), d(2026, 1, 2), &s));
    }

    #[test]
    fn made_on_defaults_to_today_and_is_not_future() {
        let today = d(2026, 6, 30);
        let input = Input::from_json(json!({"person": "a"})).unwrap();
        assert_eq!(Return::parse_date(&input, today).unwrap(), today);
        let future = Input::from_json(json!({"person": "a", "made_on": "2026-07-01"})).unwrap();
        assert!(Return::parse_date(&future, today).is_err());
    }
}
