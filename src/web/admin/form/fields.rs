//! The fields of a form as templates/admin/field.hbs draws them (an input, a textarea,
//! a select, radios, checkboxes or a single checkbox), each carrying what was typed and
//! its problems; the groups they stand in, and the forms that hold the groups.

use super::problems::{FieldError, Problems};
use super::values::Values;
use serde::Serialize;
use serde_json::{json, Value};

/// One choice of a select, radios or checkboxes.
#[derive(Serialize, Default)]
pub struct Opt {
    /// The element id of a radio or checkbox (the first one's is the field's own).
    pub id: String,
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One field as templates/admin/field.hbs draws it: exactly one `is_*` kind is set.
#[derive(Serialize, Default)]
pub struct Field {
    pub id: String,
    pub name: String,
    pub label: String,
    pub hint: Option<String>,
    pub value: String,
    pub error: Option<String>,
    /// Every problem with the field (the first is `error`).
    pub errors: Vec<String>,
    /// The ids that describe the control: its hint, then its error.
    pub described: Option<String>,
    pub input_type: &'static str,
    /// What follows `nhsuk-input` in an input's class (a width class, space first).
    pub width: String,
    /// A textarea's rows.
    pub rows: u8,
    pub is_input: bool,
    pub is_textarea: bool,
    pub is_select: bool,
    pub is_radios: bool,
    pub is_checkboxes: bool,
    pub is_checkbox: bool,
    /// Radios side by side.
    pub inline: bool,
    pub checked: bool,
    pub options: Vec<Opt>,
}

impl Field {
    /// A field `name` (also its id) with what was typed into it and its problems.
    pub fn base(id: &str, name: &str, label: &str, v: &Values, p: &Problems) -> Field {
        Field {
            id: id.to_owned(),
            name: name.to_owned(),
            label: label.to_owned(),
            value: v.get(name).to_owned(),
            error: p.at(id),
            errors: p.all_at(id),
            ..Default::default()
        }
        .described()
    }

    /// A field `id` (also its name) showing `value` and the first of `errors` that is
    /// about it, for the forms that keep their values as named struct fields.
    pub fn of(id: &str, label: &str, value: &str, errors: &[FieldError]) -> Field {
        let error = errors
            .iter()
            .find(|e| e.field == id)
            .map(|e| e.message.clone());
        Field {
            id: id.to_owned(),
            name: id.to_owned(),
            label: label.to_owned(),
            value: value.to_owned(),
            errors: error.clone().into_iter().collect(),
            error,
            ..Default::default()
        }
        .described()
    }

    fn described(mut self) -> Field {
        let mut d = Vec::new();
        if self.hint.is_some() {
            d.push(format!("{}-hint", self.id));
        }
        if self.error.is_some() {
            d.push(format!("{}-error", self.id));
        }
        self.described = (!d.is_empty()).then(|| d.join(" "));
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Field {
        self.hint = Some(hint.into());
        self.described()
    }

    /// This field as an input of `kind` (text, date, …), full width.
    pub fn as_input(mut self, kind: &'static str) -> Field {
        self.is_input = true;
        self.input_type = kind;
        self
    }

    /// An input's width: `nhsuk-input--width-{chars}`.
    pub fn width(mut self, chars: u8) -> Field {
        self.width = format!(" nhsuk-input--width-{chars}");
        self
    }

    /// This field as a textarea of `rows` rows.
    pub fn as_textarea(mut self, rows: u8) -> Field {
        self.is_textarea = true;
        self.rows = rows;
        self
    }

    pub fn input(name: &str, label: &str, kind: &'static str, v: &Values, p: &Problems) -> Field {
        Field::base(name, name, label, v, p).as_input(kind)
    }

    pub fn textarea(name: &str, label: &str, v: &Values, p: &Problems) -> Field {
        Field::base(name, name, label, v, p).as_textarea(4)
    }

    pub fn select(
        name: &str,
        label: &str,
        options: &[(String, String)],
        v: &Values,
        p: &Problems,
    ) -> Field {
        let mut f = Field::base(name, name, label, v, p);
        f.is_select = true;
        f.options = options
            .iter()
            .map(|(value, label)| Opt {
                id: String::new(),
                value: value.clone(),
                label: label.clone(),
                selected: *value == f.value,
            })
            .collect();
        f
    }

    /// Radios (`many` false) or checkboxes (`many` true), one for each option.
    pub fn choices(
        name: &str,
        label: &str,
        options: &[(String, String)],
        v: &Values,
        p: &Problems,
        many: bool,
    ) -> Field {
        let mut f = Field::base(name, name, label, v, p);
        let chosen = v.all(name);
        f.is_radios = !many;
        f.is_checkboxes = many;
        f.options = options
            .iter()
            .enumerate()
            .map(|(i, (value, label))| Opt {
                id: if i == 0 {
                    name.to_owned()
                } else {
                    format!("{name}-{}", i + 1)
                },
                value: value.clone(),
                label: label.clone(),
                selected: chosen.contains(&value.as_str()),
            })
            .collect();
        f
    }

    /// A single checkbox, ticked when its value is `true`.
    pub fn checkbox(name: &str, label: &str, v: &Values, p: &Problems) -> Field {
        let mut f = Field::base(name, name, label, v, p);
        f.is_checkbox = true;
        f.checked = f.value == "true";
        f
    }
}

/// A group of fields: a fieldset with a legend (and the problems of the group as a
/// whole, such as the constitution's), a heading with no fields of its own, or bare
/// fields.
#[derive(Serialize)]
pub struct Section {
    pub legend: Option<String>,
    pub id: String,
    pub hint: Option<String>,
    pub error: bool,
    pub errors: Vec<String>,
    pub fields: Vec<Field>,
}

impl Section {
    pub fn bare(fields: Vec<Field>) -> Section {
        Section {
            legend: None,
            id: String::new(),
            hint: None,
            error: false,
            errors: vec![],
            fields,
        }
    }

    pub fn group(id: &str, legend: impl Into<String>, hint: Option<&str>, p: &Problems) -> Section {
        let errors = p.all_at(id);
        Section {
            legend: Some(legend.into()),
            id: id.to_owned(),
            hint: hint.map(str::to_owned),
            error: !errors.is_empty(),
            errors,
            fields: vec![],
        }
    }

    pub fn with(mut self, fields: Vec<Field>) -> Section {
        self.fields = fields;
        self
    }
}

/// A group for each row `prefix-i-...` of a form (at least `min`), "{noun} {i + 1}",
/// with the fields `fields` makes from the row's name prefix (`prefix-i-`).
pub fn row_sections(
    v: &Values,
    p: &Problems,
    prefix: &str,
    min: usize,
    noun: &str,
    fields: impl Fn(&str) -> Vec<Field>,
) -> Vec<Section> {
    (0..v.rows(prefix, min))
        .map(|i| {
            Section::group(
                &format!("{prefix}-{i}"),
                format!("{noun} {}", i + 1),
                None,
                p,
            )
            .with(fields(&format!("{prefix}-{i}-")))
        })
        .collect()
}

#[derive(Serialize)]
pub struct Hidden {
    pub name: String,
    pub value: String,
}

/// One form of a page: where it is sent, its sections and its button.
#[derive(Serialize)]
pub struct FormView {
    pub action: String,
    pub heading: Option<String>,
    pub hidden: Vec<Hidden>,
    pub sections: Vec<Section>,
    pub submit: String,
    pub secondary: bool,
}

impl FormView {
    pub fn new(action: String, submit: &str, sections: Vec<Section>) -> FormView {
        FormView {
            action,
            heading: None,
            hidden: vec![],
            sections,
            submit: submit.to_owned(),
            secondary: false,
        }
    }

    /// The form carries the version it was filled in against.
    pub fn version(mut self, v: &Values) -> FormView {
        self.hidden.push(Hidden {
            name: "version".into(),
            value: v.get("version").to_owned(),
        });
        self
    }
}

/// A row of the summary list above a page's forms.
pub fn fact(key: &str, value: impl Into<String>, notes: Vec<String>) -> Value {
    json!({"key": key, "value": value.into(), "notes": notes})
}

/// A select's options: `none` first (the empty value), then each `(code, label)`.
pub fn choose<'a>(
    none: &str,
    pairs: impl Iterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, String)> {
    std::iter::once((String::new(), none.to_owned()))
        .chain(pairs.map(|(a, b)| (a.to_owned(), b.to_owned())))
        .collect()
}

/// Options from `(value, label)` pairs.
pub fn opts(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}
