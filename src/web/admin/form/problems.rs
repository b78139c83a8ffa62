//! What is wrong with a sent form, in the GOV.UK error pattern: each problem names the
//! element it is about (the error summary links to it, the field shows it beside
//! itself), in the form's own order, worded for the person filling it in.

use crate::domain::FieldErrors;
use serde::Serialize;
use serde_json::{Map, Value};

/// One problem with a form, for the error summary and beside its field.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The id of the element the problem is about.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A form's problems, in the order the error summary lists them.
#[derive(Default, Debug)]
pub struct Problems(pub Vec<FieldError>);

impl Problems {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError::new(field, message));
    }

    /// The first problem with element `id`.
    pub fn at(&self, id: &str) -> Option<String> {
        self.0
            .iter()
            .find(|p| p.field == id)
            .map(|p| p.message.clone())
    }

    /// Every problem with element `id`.
    pub fn all_at(&self, id: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|p| p.field == id)
            .map(|p| p.message.clone())
            .collect()
    }
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A domain problem in the words of the GOV.UK pattern.
pub fn friendly(field: &str, label: &str, message: &str) -> String {
    if message.starts_with("is required") {
        return match field {
            "person" => "Select the person the declaration is for".into(),
            "interest_type" => "Select the type of interest".into(),
            "associate" => "Enter who the associate is, for example spouse".into(),
            "description" => "Enter a description of the interest".into(),
            "body" => "Enter the organisation or body the interest concerns".into(),
            "arose_on" => "Enter the date the interest arose".into(),
            "ended_on" => "Enter the date the interest ended".into(),
            "reason" => "Enter the reason".into(),
            "mitigation" => {
                "Enter the action taken to manage the conflict, or say that none is needed".into()
            }
            _ => format!("{label} {message}"),
        };
    }
    format!("{label} {message}")
}

/// Each field's message, null where it has none (the templates ask for every field).
pub fn field_messages(errors: &[FieldError], fields: &[&str]) -> Value {
    let mut m = Map::new();
    for f in fields {
        let message = errors
            .iter()
            .find(|e| e.field == *f)
            .map(|e| Value::String(e.message.clone()))
            .unwrap_or(Value::Null);
        m.insert((*f).to_owned(), message);
    }
    Value::Object(m)
}

/// Field problems in the form's order (`fields`), each in the words `say` gives it; a
/// problem with no field of its own (such as an entry's state) is shown against
/// `fallback`. `value_pence` is the form's `value` (entered in pounds).
pub fn ordered_errors(
    fe: &FieldErrors,
    fields: &[&'static str],
    fallback: &'static str,
    say: impl Fn(&'static str, &str) -> String,
) -> Vec<FieldError> {
    let mut problems = fe.0.clone();
    if let Some(m) = problems.remove("value_pence") {
        problems.entry("value".into()).or_insert(m);
    }
    let mut out: Vec<FieldError> = fields
        .iter()
        .filter_map(|field| {
            problems
                .get(*field)
                .map(|m| FieldError::new(*field, say(field, m)))
        })
        .collect();
    for (k, m) in &problems {
        if !fields.contains(&k.as_str()) {
            out.push(FieldError::new(fallback, capitalise(m)));
        }
    }
    out
}

/// The quorum rules by the codes the store reports them under.
pub fn quorum_rule(code: &str) -> &'static str {
    match code {
        "minimum" => "minimum number of voting members",
        "required_category" => "required category",
        "lay_executive_majority" => "lay and executive majority",
        "presiding_member" => "a lay member to preside",
        _ => "quorum",
    }
}

/// Field problems (the domain's or the store's) placed on the page, in the order they
/// came: `locate` gives each key's element id and the label its message starts with
/// ("" for none). The store's quorum and constitution refusals keep their own words.
pub fn placed(fe: &FieldErrors, locate: impl Fn(&str) -> (String, String)) -> Problems {
    let mut out = Problems::default();
    for (k, m) in &fe.0 {
        let (id, label) = locate(k);
        let message = if let Some(rule) = k.strip_prefix("quorum.") {
            format!("Quorum rule not met ({}): {m}", quorum_rule(rule))
        } else if k.starts_with("constitution.") {
            format!("The constitution would not hold {m}")
        } else if label.is_empty() {
            capitalise(m)
        } else {
            format!("{label} {m}")
        };
        out.add(id, message);
    }
    out
}

/// `prefix[k].field` as `(k, field)`.
pub fn row_key<'a>(key: &'a str, prefix: &str) -> Option<(usize, &'a str)> {
    let rest = key.strip_prefix(prefix)?.strip_prefix('[')?;
    let (k, field) = rest.split_once(']')?;
    Some((k.parse().ok()?, field.strip_prefix('.').unwrap_or("")))
}

/// Where the problem `prefix[k].f` of the `k`th filled-in row goes: to the field of
/// form row `rows[k]`, labelled "{noun} {row}: {f's label in `fields`}".
pub fn locate_row(
    key: &str,
    prefix: &str,
    noun: &str,
    fields: &[(&str, &str)],
    rows: &[usize],
) -> Option<(String, String)> {
    let (k, f) = row_key(key, prefix)?;
    let i = *rows.get(k)?;
    let label = fields
        .iter()
        .find(|(n, _)| *n == f)
        .map(|(_, l)| *l)
        .unwrap_or(f);
    Some((
        format!("{prefix}-{i}-{f}"),
        format!("{noun} {}: {label}", i + 1),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_keys_name_the_filled_in_row_and_its_field() {
        assert_eq!(row_key("members[3].person", "members"), Some((3, "person")));
        assert_eq!(row_key("members", "members"), None);
        let fields = [("person", "person")];
        assert_eq!(
            locate_row("members[1].person", "members", "Member", &fields, &[0, 4]),
            Some(("members-4-person".into(), "Member 5: person".into()))
        );
    }

    #[test]
    fn problems_come_in_the_forms_order_with_strays_at_the_fallback() {
        let mut fe = FieldErrors::default();
        fe.add("state", "the entry is withdrawn");
        fe.add("value_pence", "must be a whole number");
        fe.add("body", "is required");
        let got = ordered_errors(&fe, &["body", "value"], "body", |f, m| format!("{f} {m}"));
        let fields: Vec<&str> = got.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["body", "value", "body"]);
        assert_eq!(got[2].message, "The entry is withdrawn");
        assert_eq!(
            field_messages(&got, &["value", "other"]),
            serde_json::json!({"value": "value must be a whole number", "other": null})
        );
    }
}
