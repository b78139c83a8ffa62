//! A committee and who sits on it: its name, terms of reference and quorum, and each
//! person's membership over a period (category, vote, role). The rules a membership must
//! obey together are in [`super::constitution`].

use super::{Quorum, LONG_TEXT};
use crate::domain::codes::coded;
use crate::domain::validation::{is_slug, slugify, FieldErrors, Input};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// A member's category on a committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberCategory {
    Lay,
    Executive,
    Clinical,
    /// An attendee or observer (e.g. HealthWatch): never votes, never counts.
    Observer,
}

coded!(MemberCategory {
    Lay => "lay", "Lay";
    Executive => "executive", "Executive";
    Clinical => "clinical", "Clinical";
    Observer => "observer", "Attendee/observer";
});

impl MemberCategory {
    /// The category as a noun in sentences: "executive member".
    pub fn noun(self) -> &'static str {
        match self {
            MemberCategory::Lay => "lay member",
            MemberCategory::Executive => "executive member",
            MemberCategory::Clinical => "clinical member",
            MemberCategory::Observer => "observer",
        }
    }
    /// Whether the category is on the lay-plus-executive side of the majority rule.
    pub fn is_lay_or_executive(self) -> bool {
        matches!(self, MemberCategory::Lay | MemberCategory::Executive)
    }
}

/// A member's role on a committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitteeRole {
    Chair,
    ViceChair,
    Member,
}

coded!(CommitteeRole {
    Chair => "chair", "Chair";
    ViceChair => "vice_chair", "Vice-chair";
    Member => "member", "Member";
});

const OBSERVERS_DO_NOT_VOTE: &str = "must be false for an observer: observers never vote";
const TO_BEFORE_FROM: &str = "cannot be before the date the membership began";

/// One person's membership of a committee over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub person_id: i64,
    pub name: String,
    pub category: MemberCategory,
    pub voting: bool,
    pub role: CommitteeRole,
    /// First day of membership.
    pub from: NaiveDate,
    /// Last day of membership; open if ongoing.
    pub to: Option<NaiveDate>,
    /// The member chairs the audit committee (the conflicts of interest guardian).
    pub audit_chair: bool,
}

impl Member {
    /// Parse a membership's fields for a person resolved separately; `voting` defaults
    /// to true except for observers, `role` to member.
    pub fn parse(person_id: i64, name: &str, input: &Input) -> Result<Member, FieldErrors> {
        let mut p = input.parser();
        let category = p.choice("category", &MemberCategory::CODES, MemberCategory::parse);
        let voting = p.flag("voting", category != Some(MemberCategory::Observer));
        let role = p.opt_choice("role", &CommitteeRole::CODES, CommitteeRole::parse);
        let from = p.date("from");
        let to = p.opt_date("to");
        let audit_chair = p.flag("audit_chair", false);
        if category == Some(MemberCategory::Observer) && voting {
            p.error("voting", OBSERVERS_DO_NOT_VOTE);
        }
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                p.error("to", TO_BEFORE_FROM);
            }
        }
        p.finish()?;
        Ok(Member {
            person_id,
            name: name.to_owned(),
            category: category.expect("checked"),
            voting,
            role: role.unwrap_or(CommitteeRole::Member),
            from: from.expect("checked"),
            to,
            audit_chair,
        })
    }

    /// Check a membership built in code: observers do not vote, dates are in order.
    pub fn validate(&self) -> Result<(), FieldErrors> {
        let mut e = FieldErrors::default();
        if self.category == MemberCategory::Observer && self.voting {
            e.add("voting", OBSERVERS_DO_NOT_VOTE);
        }
        if self.to.is_some_and(|t| t < self.from) {
            e.add("to", TO_BEFORE_FROM);
        }
        e.into_result(())
    }

    /// The fields as input, so an amendment can overlay its changes.
    pub fn to_input(&self) -> Input {
        Input::from_json(json!({
            "category": self.category.code(), "voting": self.voting, "role": self.role.code(),
            "from": self.from.to_string(), "to": self.to.map(|d| d.to_string()),
            "audit_chair": self.audit_chair,
        }))
        .expect("an object")
    }

    /// Whether the membership is in force on `on` (both ends inclusive).
    pub fn is_active_on(&self, on: NaiveDate) -> bool {
        self.from <= on && self.to.is_none_or(|t| on <= t)
    }

    /// Whether the member votes: observers never do, whatever `voting` says.
    pub fn votes(&self) -> bool {
        self.voting && self.category != MemberCategory::Observer
    }
}

/// A committee: who it is, what it does (markdown), and its quorum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Committee {
    pub slug: String,
    pub name: String,
    /// Terms of reference, markdown (rendered sanitised).
    pub terms_of_reference: String,
    pub quorum: Quorum,
}

impl Committee {
    /// Longest name, in characters.
    pub const MAX_NAME: usize = 200;
    /// Longest slug as entered, in characters (a valid one is at most 60).
    pub const MAX_SLUG: usize = 80;

    /// Parse `slug` (optional: made from the name), `name`, `terms_of_reference` and the
    /// quorum as `quorum_minimum` and `quorum_required` (category codes, a list or text).
    pub fn parse(input: &Input) -> Result<Committee, FieldErrors> {
        let mut rest = input.clone();
        let mut quorum_input = serde_json::Map::new();
        for (from, to) in [
            ("quorum_minimum", "minimum"),
            ("quorum_required", "required"),
        ] {
            if let Some(v) = rest.take(from) {
                quorum_input.insert(to.into(), v);
            }
        }
        let quorum = Quorum::parse(&Input::from_json(Value::Object(quorum_input)).expect("object"));
        let mut p = rest.parser();
        let name = p.text("name", Self::MAX_NAME);
        let slug = p.opt_text("slug", Self::MAX_SLUG);
        let terms = p.opt_text("terms_of_reference", LONG_TEXT);
        if let Err(e) = &quorum {
            for (k, v) in &e.0 {
                p.error(&format!("quorum_{k}"), v.clone());
            }
        }
        let slug = match (slug, &name) {
            (Some(s), _) if !is_slug(&s) => {
                p.error(
                    "slug",
                    "must be lower-case letters and digits joined by hyphens",
                );
                None
            }
            (Some(s), _) => Some(s),
            (None, Some(n)) if slugify(n).is_empty() => {
                p.error("slug", "is required: the name has no letters or digits");
                None
            }
            (None, Some(n)) => Some(slugify(n)),
            (None, None) => None,
        };
        p.finish()?;
        Ok(Committee {
            slug: slug.expect("checked"),
            name: name.expect("checked"),
            terms_of_reference: terms.unwrap_or_default(),
            quorum: quorum.expect("checked"),
        })
    }

    /// The fields as input, so an amendment can overlay its changes.
    pub fn to_input(&self) -> Input {
        let required: Vec<&str> = self.quorum.required.iter().map(|c| c.code()).collect();
        Input::from_json(json!({
            "slug": self.slug, "name": self.name, "terms_of_reference": self.terms_of_reference,
            "quorum_minimum": self.quorum.minimum, "quorum_required": required,
        }))
        .expect("an object")
    }
}

/// One membership of a committee (a person may hold several over time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub committee_id: i64,
    #[serde(flatten)]
    pub member: Member,
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{d, member, pccc};
    use super::super::ConflictDecision;
    use super::*;
    use MemberCategory::*;

    fn input(v: Value) -> Input {
        Input::from_json(v).unwrap()
    }

    #[test]
    fn codes_round_trip_and_labels_exist() {
        for code in MemberCategory::CODES {
            let c = MemberCategory::parse(code).unwrap();
            assert_eq!(c.code(), code);
            assert!(!c.label().is_empty());
        }
        for code in CommitteeRole::CODES {
            assert_eq!(CommitteeRole::parse(code).unwrap().code(), code);
        }
        for code in ConflictDecision::CODES {
            assert_eq!(ConflictDecision::parse(code).unwrap().code(), code);
        }
        assert_eq!(CommitteeRole::ViceChair.label(), "Vice-chair");
        assert_eq!(MemberCategory::parse("governor"), None);
    }

    #[test]
    fn memberships_count_only_between_their_dates() {
        let mut m = member(1, "A", Lay, CommitteeRole::Chair);
        m.from = d("2025-01-01");
        m.to = Some(d("2025-12-31"));
        assert!(!m.is_active_on(d("2024-12-31")));
        assert!(m.is_active_on(d("2025-01-01")));
        assert!(m.is_active_on(d("2025-12-31")));
        assert!(!m.is_active_on(d("2026-01-01")));
    }

    #[test]
    fn memberships_parse_with_sensible_defaults_and_refuse_voting_observers() {
        let input = |v: Value| Input::from_json(v).unwrap();
        let m = Member::parse(
            9,
            "HealthWatch",
            &input(json!({"category": "observer", "from": "2025-04-01"})),
        )
        .unwrap();
        assert!(!m.voting);
        assert_eq!(m.role, CommitteeRole::Member);
        let e = Member::parse(
            9,
            "HealthWatch",
            &input(
                json!({"category": "observer", "voting": "yes", "from": "2025-04-01",
                          "to": "2025-01-01", "role": "king"}),
            ),
        )
        .unwrap_err();
        for f in ["voting", "to", "role"] {
            assert!(e.0.contains_key(f), "{f} missing from {e}");
        }
        let (members, _) = pccc();
        for m in members {
            assert_eq!(
                Member::parse(m.person_id, &m.name, &m.to_input()).unwrap(),
                m
            );
        }
    }

    #[test]
    fn committee_slug_comes_from_the_name() {
        let c = Committee::parse(&input(json!({
            "name": "Primary Care Commissioning Committee",
            "quorum_minimum": 3, "quorum_required": "lay, executive"
        })))
        .unwrap();
        assert_eq!(c.slug, "primary-care-commissioning-committee");
        assert_eq!(c.quorum.minimum, 3);
        assert_eq!(
            c.quorum.required,
            vec![MemberCategory::Lay, MemberCategory::Executive]
        );
        assert_eq!(Committee::parse(&c.to_input()).unwrap(), c);
    }

    #[test]
    fn committee_errors_name_each_field() {
        let e = Committee::parse(&input(json!({"slug": "Bad Slug", "quorum_minimum": 0, "quorum_required": "observer", "colour": 1})))
            .unwrap_err();
        for field in [
            "name",
            "slug",
            "quorum_minimum",
            "quorum_required",
            "colour",
        ] {
            assert!(e.0.contains_key(field), "{field} missing from {e}");
        }
    }
}
