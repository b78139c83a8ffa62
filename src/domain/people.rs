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

/// Whether a person's record is in use, or was added by mistake: retired (kept in the
/// chain, gone from the register) or merged into another person's record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum PersonStanding {
    #[default]
    Active,
    Retired {
        reason: String,
    },
    Merged {
        into: i64,
        reason: String,
    },
}

impl PersonStanding {
    /// Longest reason for retiring or merging, in characters.
    pub const MAX_REASON: usize = 1000;

    /// The code stored and put in the audit payload.
    pub fn code(&self) -> &'static str {
        match self {
            PersonStanding::Active => "active",
            PersonStanding::Retired { .. } => "retired",
            PersonStanding::Merged { .. } => "merged",
        }
    }

    pub fn is_active(&self) -> bool {
        *self == PersonStanding::Active
    }

    /// The reason given for retiring or merging the record.
    pub fn reason(&self) -> Option<&str> {
        match self {
            PersonStanding::Active => None,
            PersonStanding::Retired { reason } | PersonStanding::Merged { reason, .. } => {
                Some(reason)
            }
        }
    }

    /// The person this record was merged into.
    pub fn merged_into(&self) -> Option<i64> {
        match self {
            PersonStanding::Merged { into, .. } => Some(*into),
            _ => None,
        }
    }

    /// The standing stored as `code` (with its reason and the record merged into).
    pub fn from_parts(code: &str, reason: Option<String>, into: Option<i64>) -> Option<Self> {
        match (code, reason, into) {
            ("active", _, _) => Some(PersonStanding::Active),
            ("retired", Some(reason), _) => Some(PersonStanding::Retired { reason }),
            ("merged", Some(reason), Some(into)) => Some(PersonStanding::Merged { into, reason }),
            _ => None,
        }
    }
}

/// Why a person's record is retired or merged: required, so the chain says why.
pub fn parse_reason(input: &Input) -> Result<String, FieldErrors> {
    let mut p = input.parser();
    let reason = p.text("reason", PersonStanding::MAX_REASON);
    p.finish()?;
    Ok(reason.expect("checked"))
}

/// A person as stored and published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub slug: String,
    pub version: i64,
    pub fields: PersonFields,
    pub standing: PersonStanding,
    /// The day the person was added (the date of their record's first audit entry); not
    /// in the payload, which the chain's entry dates already bind. `None` for a record
    /// whose first entry cannot be read back.
    pub added_on: Option<chrono::NaiveDate>,
}

impl Person {
    /// The audit payload: the record after the change. A record in use carries no
    /// standing, as every person's payload did before records could be retired.
    pub fn payload(&self) -> Value {
        let mut p = json!({
            "id": self.id.to_string(), "slug": self.slug, "version": self.version,
            "name": self.fields.name, "position": self.fields.position,
            "decision_making": self.fields.decision_making,
        });
        if !self.standing.is_active() {
            p["standing"] = json!(self.standing.code());
            p["reason"] = json!(self.standing.reason());
        }
        if let Some(into) = self.standing.merged_into() {
            p["merged_into"] = json!(into.to_string());
        }
        p
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
            standing: match payload.get("standing").and_then(Value::as_str) {
                None => PersonStanding::Active,
                Some(code) => {
                    let reason = payload["reason"].as_str().map(str::to_owned);
                    let into = match payload.get("merged_into") {
                        Some(_) => Some(f.int("merged_into")?),
                        None => None,
                    };
                    PersonStanding::from_parts(code, reason, into)
                        .ok_or_else(|| PayloadError::new("standing", "is not a standing"))?
                }
            },
            added_on: None,
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
            standing: PersonStanding::Active,
            added_on: None,
        };
        assert_eq!(Person::from_payload(&p.payload()), Ok(p.clone()));
        assert!(p.payload().get("standing").is_none());
        let merged = Person {
            standing: PersonStanding::Merged {
                into: 3,
                reason: "Added twice".into(),
            },
            ..p.clone()
        };
        assert_eq!(merged.payload()["merged_into"], "3");
        assert_eq!(Person::from_payload(&merged.payload()), Ok(merged));
        let retired = Person {
            standing: PersonStanding::Retired {
                reason: "Added by mistake".into(),
            },
            ..p
        };
        assert_eq!(Person::from_payload(&retired.payload()), Ok(retired));
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
