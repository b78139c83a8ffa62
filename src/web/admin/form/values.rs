//! What was typed into a form, by field name and in the order it was sent, so that a
//! refused form is shown again with everything kept; and the small readings every form
//! makes of it (text or nothing, the version it carries, its numbered rows).

use serde_json::Value;

/// Most rows of any kind a posted form may add.
pub const MAX_ROWS: usize = 50;

/// A form's values by name: as posted (repeated names for checkboxes), or as a record
/// fills them in.
#[derive(Clone, Default, Debug)]
pub struct Values(pub Vec<(String, String)>);

impl Values {
    /// The first value named `k` ("" when there is none).
    pub fn get(&self, k: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every value named `k`, in order (the boxes ticked of a group of checkboxes).
    pub fn all(&self, k: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `k` set to `v`, replacing whatever it held.
    pub fn set(&mut self, k: &str, v: impl Into<String>) {
        self.0.retain(|(n, _)| n != k);
        self.0.push((k.to_owned(), v.into()));
    }

    /// Text, trimmed, or null when empty (so an amendment clears an optional field).
    pub fn text(&self, k: &str) -> Value {
        text_or_null(self.get(k).trim())
    }

    /// The version the form carries (see [`version_of`]).
    pub fn version(&self) -> i64 {
        version_of(self.get("version"))
    }

    /// How many rows `prefix-N-...` the form has: at least `min`, one past the last
    /// posted, and never more than [`MAX_ROWS`].
    pub fn rows(&self, prefix: &str, min: usize) -> usize {
        let posted = self
            .0
            .iter()
            .filter_map(|(n, _)| {
                let rest = n.strip_prefix(prefix)?.strip_prefix('-')?;
                rest.split('-').next()?.parse::<usize>().ok()
            })
            .max()
            .map(|i| i + 1)
            .unwrap_or(0);
        posted.max(min).min(MAX_ROWS)
    }

    /// Whether every field `prefix-i-<name>` of a row is empty.
    pub fn blank_row(&self, prefix: &str, i: usize, names: &[&str]) -> bool {
        names
            .iter()
            .all(|n| self.get(&format!("{prefix}-{i}-{n}")).trim().is_empty())
    }

    /// The rows `prefix-i-...` of the form (at least `min`) with any of `fields` filled in.
    pub fn filled_rows(&self, prefix: &str, min: usize, fields: &[(&str, &str)]) -> Vec<usize> {
        let names: Vec<&str> = fields.iter().map(|(f, _)| *f).collect();
        (0..self.rows(prefix, min))
            .filter(|i| !self.blank_row(prefix, *i, &names))
            .collect()
    }
}

/// Form text as domain input, as it was typed: a blank field is null, so clearing an
/// optional field clears it when amending.
pub fn text_or_null(raw: &str) -> Value {
    if raw.trim().is_empty() {
        Value::Null
    } else {
        Value::String(raw.to_owned())
    }
}

/// The version a form carries (0, which no record has, when it is missing or bad).
pub fn version_of(raw: &str) -> i64 {
    raw.trim()
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_count_one_past_the_last_posted_and_stop_at_the_most() {
        let v = Values(vec![
            ("members-11-person".into(), "x".into()),
            ("members-2-from".into(), String::new()),
        ]);
        assert_eq!(v.rows("members", 8), 12);
        assert_eq!(v.rows("conflicts", 4), 4);
        assert!(v.blank_row("members", 2, &["person", "from"]));
        assert!(!v.blank_row("members", 11, &["person", "from"]));
        assert_eq!(v.filled_rows("members", 8, &[("person", "")]), vec![11]);
        assert_eq!(
            Values(vec![("members-999-person".into(), "x".into())]).rows("members", 8),
            MAX_ROWS
        );
    }

    #[test]
    fn a_missing_or_bad_version_is_none_a_record_has() {
        assert_eq!(version_of(" 3 "), 3);
        assert_eq!(version_of("0"), 0);
        assert_eq!(version_of("-2"), 0);
        assert_eq!(version_of("x"), 0);
    }
}
