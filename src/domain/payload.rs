//! Reading an audit payload back into a record: the inverse of each record's `payload`
//! (`Declaration::payload`, `Gift::payload`, `Person::payload`, `Return::payload`), so
//! that a register can be rebuilt from the chain alone (the register as at a date).
//! Each record's `from_payload` sits beside its `payload`; the field readers they share
//! are here. A payload that does not read back is a [`PayloadError`] naming the field.

use super::entries::{EntryState, Review, Standing};
use chrono::NaiveDate;
use serde_json::Value;

/// A payload that does not read back as the record it should describe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the payload's {field:?} {problem}")]
pub struct PayloadError {
    pub field: String,
    pub problem: &'static str,
}

impl PayloadError {
    pub fn new(field: &str, problem: &'static str) -> PayloadError {
        PayloadError {
            field: field.to_owned(),
            problem,
        }
    }
}

/// A payload's fields, read one at a time.
pub struct Fields<'a>(pub &'a Value);

impl Fields<'_> {
    fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field).filter(|v| !v.is_null())
    }

    /// A required text field.
    pub fn text(&self, field: &str) -> Result<String, PayloadError> {
        self.opt_text(field)?
            .ok_or_else(|| PayloadError::new(field, "is missing"))
    }

    /// A text field that may be null or absent.
    pub fn opt_text(&self, field: &str) -> Result<Option<String>, PayloadError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(PayloadError::new(field, "is not text")),
        }
    }

    /// A whole number, written as a number or (ids) as a string of digits.
    pub fn int(&self, field: &str) -> Result<i64, PayloadError> {
        match self.get(field) {
            Some(Value::Number(n)) => n
                .as_i64()
                .ok_or_else(|| PayloadError::new(field, "is not a whole number")),
            Some(Value::String(s)) => s
                .parse()
                .map_err(|_| PayloadError::new(field, "is not a whole number")),
            Some(_) => Err(PayloadError::new(field, "is not a whole number")),
            None => Err(PayloadError::new(field, "is missing")),
        }
    }

    /// A true or false field.
    pub fn flag(&self, field: &str) -> Result<bool, PayloadError> {
        match self.get(field) {
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(PayloadError::new(field, "is not true or false")),
            None => Err(PayloadError::new(field, "is missing")),
        }
    }

    /// A required ISO date.
    pub fn date(&self, field: &str) -> Result<NaiveDate, PayloadError> {
        self.opt_date(field)?
            .ok_or_else(|| PayloadError::new(field, "is missing"))
    }

    /// An ISO date that may be null or absent.
    pub fn opt_date(&self, field: &str) -> Result<Option<NaiveDate>, PayloadError> {
        self.opt_text(field)?
            .map(|s| {
                NaiveDate::parse_from_str(&s, "%Y-%m-%d")
                    .map_err(|_| PayloadError::new(field, "is not a date (YYYY-MM-DD)"))
            })
            .transpose()
    }

    /// A code read by `parse` (an interest type, a gift's kind).
    pub fn code<T>(
        &self,
        field: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<T, PayloadError> {
        parse(&self.text(field)?).ok_or_else(|| PayloadError::new(field, "is not a known code"))
    }

    /// A review: its code and comment. Entries from before review existed have no
    /// review field: they were accepted as made.
    pub fn review(&self) -> Result<Review, PayloadError> {
        match self.opt_text("review")? {
            None => Ok(Review::Accepted),
            Some(code) => Review::parse(&code, self.opt_text("review_comment")?)
                .ok_or_else(|| PayloadError::new("review", "is not a known review")),
        }
    }

    /// A register entry's standing: its state, why it is withheld, its review.
    pub fn standing(&self) -> Result<Standing, PayloadError> {
        let state = match self.opt_text("state")? {
            None => EntryState::Active,
            Some(s) => EntryState::parse(&s)
                .ok_or_else(|| PayloadError::new("state", "is not a known state"))?,
        };
        let withheld_reason = match self.opt_text("withheld_reason")? {
            Some(reason) => Some(reason),
            // The reason is private; a payload that says only that the entry is
            // withheld still withholds it.
            None if self.get("withheld").is_some() && self.flag("withheld")? => Some(String::new()),
            None => None,
        };
        Ok(Standing {
            state,
            withheld_reason,
            review: self.review()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_reader_names_the_field_that_does_not_read() {
        let v = json!({"id": "7", "n": 3, "t": "x", "d": "2026-13-01", "b": "yes", "z": null});
        let f = Fields(&v);
        assert_eq!(f.int("id"), Ok(7));
        assert_eq!(f.int("n"), Ok(3));
        assert_eq!(f.int("t").unwrap_err().field, "t");
        assert_eq!(f.opt_text("z"), Ok(None));
        assert_eq!(f.text("z").unwrap_err().problem, "is missing");
        assert_eq!(f.date("d").unwrap_err().field, "d");
        assert_eq!(f.flag("b").unwrap_err().field, "b");
        assert_eq!(f.text("n").unwrap_err().problem, "is not text");
    }

    #[test]
    fn a_standing_reads_back_with_old_payloads_accepted() {
        let v = json!({"state": "withdrawn", "withheld": true, "withheld_reason": null});
        let s = Fields(&v).standing().unwrap();
        assert_eq!(s.state, EntryState::Withdrawn);
        assert_eq!(s.withheld_reason, Some(String::new()));
        assert_eq!(s.review, Review::Accepted);
        let v = json!({"state": "active", "review": "returned", "review_comment": "say which"});
        let s = Fields(&v).standing().unwrap();
        assert_eq!(s.review, Review::Returned("say which".into()));
        assert!(Fields(&json!({"review": "maybe"})).standing().is_err());
    }
}
