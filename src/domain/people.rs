//! People who may declare interests: name, position, and whether they are
//! decision-making staff (only theirs is published).

use super::payload::{Fields, PayloadError};
use super::validation::{FieldErrors, Input};
use serde_json::{json, Value};

/// The fields of a person a user may set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFields {
    pub name: String,
    pub position: String,
    pub decision_making: bool,
}

impl PersonFields {
    /// Longest name, in characters.
    pub const MAX_NAME: usize = 200;
    /// Longest position (job title), in characters.
    pub const MAX_POSITION: usize = 200;

    pub fn parse(input: &Input) -> Result<PersonFields, FieldErrors> {
        let mut p = input.parser();
        let name = p.text("name", Self::MAX_NAME);
        let position = p.text("position", Self::MAX_POSITION);
        let decision_making = p.flag("decision_making", true);
        p.finish()?;
        Ok(PersonFields {
            name: name.expect("checked"),
            position: position.expect("checked"),
            decision_making,
        })
    }

    /// The fields as input, so an amendment can overlay its changes.
    pub fn to_input(&self) -> Input {
        Input::from_json(json!({
            "name": self.name, "position": self.position, "decision_making": self.decision_making,
        }))
        .expect("an object")
    }
}

/// A person as stored and published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub slug: String,
    pub version: i64,
    pub fields: PersonFields,
}

impl Person {
    /// The audit payload: the record after the change.
    pub fn payload(&self) -> Value {
        json!({
            "id": self.id.to_string(), "slug": self.slug, "version": self.version,
            "name": self.fields.name, "position": self.fields.position,
            "decision_making": self.fields.decision_making,
        })
    }

    /// The person an audit payload describes: the inverse of [`Person::payload`].
    pub fn from_payload(payload: &Value) -> Result<Person, PayloadError> {
        let f = Fields(payload);
        Ok(Person {
            id: f.int("id")?,
            slug: f.text("slug")?,
            version: f.int("version")?,
            fields: PersonFields {
                name: f.text("name")?,
                position: f.text("position")?,
                decision_making: f.flag("decision_making")?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_reads_back_from_their_payload() {
        let p = Person {
            id: 12,
            slug: "dr-a-2".into(),
            version: 4,
            fields: PersonFields {
                name: "Dr A".into(),
                position: "GP".into(),
                decision_making: false,
            },
        };
        assert_eq!(Person::from_payload(&p.payload()), Ok(p));
        let e = Person::from_payload(&json!({"id": "x"})).unwrap_err();
        assert_eq!(e.field, "id");
    }

    #[test]
    fn a_person_needs_a_name_and_position() {
        let e =
            PersonFields::parse(&Input::from_json(json!({"decision_making": "maybe"})).unwrap())
                .unwrap_err();
        assert_eq!(e.0.len(), 3);
        let ok = PersonFields::parse(
            &Input::from_json(json!({"name": "Dr A", "position": "GP"})).unwrap(),
        )
        .unwrap();
        assert!(
            ok.decision_making,
            "people are decision-making unless said otherwise"
        );
    }
}
