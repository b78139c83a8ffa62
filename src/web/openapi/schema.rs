//! The words the API description is written in: one JSON Schema for each kind of field
//! the parsers of [`crate::domain::validation::Parser`] read, saying exactly what that
//! kind of field accepts (never more), so a client built from the description sends
//! nothing the service refuses for its form. Limits come from the parsers' constants.

use crate::domain::validation::{MAX_DATE, MIN_DATE};
use serde_json::{json, Map, Value};

/// Text the parsers accept: no control characters but tab, line feed and carriage
/// return (`char::is_control` is Unicode's Cc: U+0000–U+001F and U+007F–U+009F).
const TEXT: &str = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$";

/// Required text: as [`TEXT`], with at least one character that is not white space
/// (the parsers trim Unicode's White_Space, and what is left must not be empty).
const REQUIRED_TEXT: &str = concat!(
    r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*",
    r"[^\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]",
    r"[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
);

/// The years the date fields accept ([`MIN_DATE`] to [`MAX_DATE`]).
const YEARS: &str = r"^(19[0-9]{2}|2[0-9]{3})-";

/// Required text of at most `max` characters.
pub fn text(max: usize) -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": max, "pattern": REQUIRED_TEXT})
}

/// Optional text of at most `max` characters; empty or white space means absent.
pub fn opt_text(max: usize) -> Value {
    json!({"type": ["string", "null"], "maxLength": max, "pattern": TEXT})
}

/// Optional text that, when given, must not be empty: at most `max` characters.
pub fn opt_nonempty_text(max: usize) -> Value {
    json!({"type": ["string", "null"], "minLength": 1, "maxLength": max, "pattern": REQUIRED_TEXT})
}

fn date_description() -> String {
    format!("YYYY-MM-DD, {MIN_DATE} to {MAX_DATE}")
}

/// A required date.
pub fn date() -> Value {
    json!({"type": "string", "format": "date", "pattern": YEARS, "description": date_description()})
}

/// An optional date.
pub fn opt_date() -> Value {
    json!({"type": ["string", "null"], "format": "date", "pattern": YEARS,
           "description": date_description()})
}

/// A yes/no field; absent or null means the field's default.
pub fn flag() -> Value {
    json!({"type": ["boolean", "null"]})
}

/// A required amount in whole pence, 0 ..= `max`.
pub fn pence(max: i64) -> Value {
    json!({"type": "integer", "minimum": 0, "maximum": max,
           "description": "Whole pence, e.g. 4999 for £49.99"})
}

/// An optional whole number, 1 ..= `max`.
pub fn count(max: u64) -> Value {
    json!({"type": ["integer", "null"], "minimum": 1, "maximum": max})
}

/// An optional record id: a positive whole number.
pub fn id() -> Value {
    count(i64::MAX as u64)
}

/// The version of the record a change is based on.
pub fn version() -> Value {
    json!({"type": "integer", "minimum": 1, "maximum": i64::MAX,
           "description": "The version of the record the change is based on (409 if it is no longer current)"})
}

/// A required code from a closed set.
pub fn one_of(codes: &[&str]) -> Value {
    json!({"type": "string", "enum": codes})
}

/// An optional code from a closed set.
pub fn opt_one_of(codes: &[&str]) -> Value {
    json!({"type": ["string", "null"], "enum": codes.iter().map(|c| json!(c)).chain([Value::Null]).collect::<Vec<_>>()})
}

/// `schema` with a description.
pub fn described(mut schema: Value, description: &str) -> Value {
    schema["description"] = json!(description);
    schema
}

/// An object schema; `closed` when the parser refuses fields it does not know.
pub fn object(props: &[(&str, Value)], required: &[&str], closed: bool) -> Value {
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

/// An amendment: `version`, then any of the record's fields (the rest stay as they
/// are). A field may not be emptied if the record requires it, so each keeps its own
/// schema; only its presence is optional.
pub fn amend(props: &[(&str, Value)]) -> Value {
    let mut all = vec![("version", version())];
    all.extend(props.iter().cloned());
    object(&all, &["version"], true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_lite::Regex;

    fn matches(pattern: &str, s: &str) -> bool {
        Regex::new(pattern).expect("a valid pattern").is_match(s)
    }

    #[test]
    fn required_text_needs_a_character_that_trimming_leaves() {
        for ok in ["a", " a ", "a\nb", "\té"] {
            assert!(matches(REQUIRED_TEXT, ok), "{ok:?}");
        }
        for refused in ["", " ", "\u{a0}\u{3000}", "a\u{0}", "\u{85}", "a\u{9f}"] {
            assert!(!matches(REQUIRED_TEXT, refused), "{refused:?}");
            assert!(
                refused.trim().is_empty()
                    || refused
                        .chars()
                        .any(|c| c.is_control() && !"\t\n\r".contains(c)),
                "{refused:?} is accepted by the parser"
            );
        }
    }

    #[test]
    fn optional_text_refuses_only_control_characters() {
        assert!(matches(TEXT, "") && matches(TEXT, " x\r\n\t"));
        assert!(!matches(TEXT, "x\u{7f}") && !matches(TEXT, "\u{1b}"));
    }

    #[test]
    fn dates_are_in_the_parsers_years() {
        assert!(matches(YEARS, "1900-01-01") && matches(YEARS, "2999-12-31"));
        assert!(!matches(YEARS, "1899-12-31") && !matches(YEARS, "3000-01-01"));
    }
}
