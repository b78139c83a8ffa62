//! Declarations of interest: the four types, their fields, the 28-day rule, and which
//! entries the public register shows (DOMAIN.md, "Register of interests").

use super::entries::{Entry, EntryStep, StandingChange};
use super::org::OrgSettings;
use super::payload::{Fields, PayloadError};
use super::validation::{FieldErrors, Input};
use chrono::{Months, NaiveDate};
use serde::Serialize;
use serde_json::{json, Value};

/// The four types of interest in the guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum InterestType {
    Financial,
    NonFinancialProfessional,
    NonFinancialPersonal,
    Indirect,
}

impl InterestType {
    pub const ALL: [InterestType; 4] = [
        InterestType::Financial,
        InterestType::NonFinancialProfessional,
        InterestType::NonFinancialPersonal,
        InterestType::Indirect,
    ];
    pub const CODES: [&'static str; 4] = [
        "financial",
        "non_financial_professional",
        "non_financial_personal",
        "indirect",
    ];

    pub fn code(self) -> &'static str {
        Self::CODES[self as usize]
    }
    pub fn parse(s: &str) -> Option<InterestType> {
        Self::CODES
            .iter()
            .position(|c| *c == s)
            .map(|i| Self::ALL[i])
    }
    /// The label the register shows.
    pub fn label(self) -> &'static str {
        match self {
            InterestType::Financial => "Financial",
            InterestType::NonFinancialProfessional => "Non-financial professional",
            InterestType::NonFinancialPersonal => "Non-financial personal",
            InterestType::Indirect => "Indirect",
        }
    }
}

/// What a declarant or governance lead enters (the person is resolved separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclarationFields {
    pub position: Option<String>,
    pub interest_type: InterestType,
    /// For indirect interests: who the associate is (e.g. "spouse").
    pub associate: Option<String>,
    /// Markdown.
    pub description: String,
    /// The organisation or body the interest concerns.
    pub body: String,
    pub arose_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub declared_on: NaiveDate,
    pub mitigation: String,
}

/// Longest description accepted, in characters.
pub const MAX_DESCRIPTION: usize = 5000;

impl DeclarationFields {
    /// Longest position held, in characters.
    pub const MAX_POSITION: usize = 200;
    /// Longest description of an indirect interest's associate, in characters.
    pub const MAX_ASSOCIATE: usize = 200;
    /// Longest name of the organisation or body concerned, in characters.
    pub const MAX_BODY: usize = 300;
    /// Longest account of how the interest is managed, in characters.
    pub const MAX_MITIGATION: usize = 2000;

    /// Parse and check every field; `today` bounds the declaration date.
    pub fn parse(input: &Input, today: NaiveDate) -> Result<DeclarationFields, FieldErrors> {
        let mut p = input.parser();
        let position = p.opt_text("position", Self::MAX_POSITION);
        let interest_type = p.choice("interest_type", &InterestType::CODES, InterestType::parse);
        let associate = p.opt_text("associate", Self::MAX_ASSOCIATE);
        let description = p.text("description", MAX_DESCRIPTION);
        let body = p.text("body", Self::MAX_BODY);
        let arose_on = p.date("arose_on");
        let ended_on = p.opt_date("ended_on");
        let declared_on = p.opt_date("declared_on").unwrap_or(today);
        let mitigation = p.text("mitigation", Self::MAX_MITIGATION);
        if declared_on > today && !p.has_error("declared_on") {
            p.error("declared_on", "cannot be in the future");
        }
        if let (Some(a), Some(e)) = (arose_on, ended_on) {
            if e < a {
                p.error("ended_on", "cannot be before the date the interest arose");
            }
        }
        match (interest_type, &associate) {
            (Some(InterestType::Indirect), None) => p.error(
                "associate",
                "is required for an indirect interest: say who, e.g. spouse",
            ),
            (Some(t), Some(_)) if t != InterestType::Indirect => {
                p.error("associate", "applies only to indirect interests")
            }
            _ => {}
        }
        p.finish()?;
        Ok(DeclarationFields {
            position,
            interest_type: interest_type.expect("checked"),
            associate,
            description: description.expect("checked"),
            body: body.expect("checked"),
            arose_on: arose_on.expect("checked"),
            ended_on,
            declared_on,
            mitigation: mitigation.expect("checked"),
        })
    }

    /// The fields as input, so an amendment can overlay its changes.
    pub fn to_input(&self) -> Input {
        Input::from_json(json!({
            "position": self.position, "interest_type": self.interest_type.code(),
            "associate": self.associate, "description": self.description, "body": self.body,
            "arose_on": self.arose_on.to_string(), "ended_on": self.ended_on.map(|d| d.to_string()),
            "declared_on": self.declared_on.to_string(), "mitigation": self.mitigation,
        }))
        .expect("an object")
    }

    /// Days past the deadline the declaration was made, if it was late.
    pub fn days_late(&self, settings: &OrgSettings) -> Option<i64> {
        let elapsed = (self.declared_on - self.arose_on).num_days();
        (elapsed > settings.declare_within_days).then_some(elapsed - settings.declare_within_days)
    }

    /// Whether the interest has ended by `today`.
    pub fn has_ended(&self, today: NaiveDate) -> bool {
        self.ended_on.is_some_and(|e| e <= today)
    }
}

/// A declaration as stored: one version of it.
pub type Declaration = Entry<DeclarationFields>;

impl Declaration {
    /// The audit payload: the record after the change.
    pub fn payload(&self, person_slug: &str) -> Value {
        let f = &self.fields;
        json!({
            "id": self.id.to_string(), "version": self.version,
            "person_id": self.person_id.to_string(), "person": person_slug,
            "position": f.position, "interest_type": f.interest_type.code(),
            "associate": f.associate, "description": f.description, "body": f.body,
            "arose_on": f.arose_on.to_string(), "ended_on": f.ended_on.map(|d| d.to_string()),
            "declared_on": f.declared_on.to_string(), "mitigation": f.mitigation,
            "state": self.standing.state.code(), "withheld": self.standing.withheld_reason.is_some(),
            "withheld_reason": self.standing.withheld_reason,
            "review": self.standing.review.code(), "review_comment": self.standing.review.comment(),
        })
    }

    /// The version an audit payload describes: the inverse of [`Declaration::payload`].
    pub fn from_payload(payload: &Value) -> Result<Declaration, PayloadError> {
        let f = Fields(payload);
        Ok(Declaration {
            id: f.int("id")?,
            version: f.int("version")?,
            person_id: f.int("person_id")?,
            fields: DeclarationFields {
                position: f.opt_text("position")?,
                interest_type: f.code("interest_type", InterestType::parse)?,
                associate: f.opt_text("associate")?,
                description: f.text("description")?,
                body: f.text("body")?,
                arose_on: f.date("arose_on")?,
                ended_on: f.opt_date("ended_on")?,
                declared_on: f.date("declared_on")?,
                mitigation: f.text("mitigation")?,
            },
            standing: f.standing()?,
        })
    }

    /// Whether the public may see this entry on `today` (DOMAIN.md): decision-making
    /// staff only, not withheld or withdrawn, and ended interests for a limited time.
    pub fn is_public(
        &self,
        person_decision_making: bool,
        today: NaiveDate,
        settings: &OrgSettings,
    ) -> bool {
        person_decision_making
            && self.standing.is_visible()
            && self.fields.ended_on.is_none_or(|ended| {
                ended
                    .checked_add_months(Months::new(settings.publish_ended_months))
                    .is_none_or(|until| today <= until)
            })
    }
}

/// A lifecycle step on an existing declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Amend(DeclarationFields),
    End(NaiveDate),
    Standing(StandingChange),
}

impl Step {
    /// The audit action verb.
    pub fn action(&self) -> &'static str {
        match self {
            Step::Amend(_) => "amend",
            Step::End(_) => "end",
            Step::Standing(c) => c.action(),
        }
    }

    /// Parse the body of an `end` request.
    pub fn parse_end(input: &Input) -> Result<Step, FieldErrors> {
        let mut p = input.parser();
        let on = p.date("ended_on");
        p.finish()?;
        Ok(Step::End(on.expect("checked")))
    }

    /// The next version of `current` after this step, or why the step is not allowed.
    pub fn apply(self, current: &Declaration) -> Result<Declaration, FieldErrors> {
        if !matches!(&self, Step::Standing(_)) {
            current.standing.check_changeable()?;
        }
        let mut next = current.clone();
        next.version += 1;
        match self {
            Step::Amend(fields) => next.fields = fields,
            Step::End(on) => {
                if let Some(e) = current.fields.ended_on {
                    return Err(FieldErrors::one(
                        "ended_on",
                        format!("the interest already ended on {e}; amend it to change the date"),
                    ));
                }
                if on < current.fields.arose_on {
                    return Err(FieldErrors::one(
                        "ended_on",
                        "cannot be before the date the interest arose",
                    ));
                }
                next.fields.ended_on = Some(on);
            }
            Step::Standing(change) => next.standing = current.standing.apply(&change)?,
        }
        Ok(next)
    }
}

impl EntryStep<DeclarationFields> for Step {
    fn amend(fields: DeclarationFields) -> Step {
        Step::Amend(fields)
    }
    fn standing(change: StandingChange) -> Step {
        Step::Standing(change)
    }
    fn action(&self) -> &'static str {
        Step::action(self)
    }
    fn is_review(&self) -> bool {
        matches!(self, Step::Standing(s) if s.is_review())
    }
    fn apply(self, current: &Declaration) -> Result<Declaration, FieldErrors> {
        Step::apply(self, current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::entries::Standing;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn today() -> NaiveDate {
        d("2026-06-30")
    }
    fn input(v: Value) -> Input {
        Input::from_json(v).unwrap()
    }
    fn valid() -> Value {
        json!({"interest_type": "financial", "description": "Partner in **Riverside** Surgery",
               "body": "Riverside Surgery", "arose_on": "2026-01-01", "declared_on": "2026-01-20",
               "mitigation": "Leaves the room for items about the practice"})
    }
    fn declaration(v: Value) -> Declaration {
        Declaration {
            id: 1,
            version: 1,
            person_id: 1,
            fields: DeclarationFields::parse(&input(v), today()).unwrap(),
            standing: Standing::active(),
        }
    }

    #[test]
    fn a_declaration_reads_back_from_its_payload() {
        let mut v = valid();
        v["interest_type"] = json!("indirect");
        v["associate"] = json!("Spouse");
        v["ended_on"] = json!("2026-02-01");
        let plain = declaration(v);
        let withheld = Step::Standing(StandingChange::Withhold("risk of harm".into()))
            .apply(&plain)
            .unwrap();
        let mut returned = plain.clone();
        returned.standing.review = crate::domain::entries::Review::Returned("which?".into());
        returned.fields.position = None;
        for d in [plain, withheld, returned] {
            assert_eq!(Declaration::from_payload(&d.payload("dr-a")), Ok(d));
        }
        let mut bad = declaration(valid()).payload("dr-a");
        bad["arose_on"] = json!("yesterday");
        assert_eq!(
            Declaration::from_payload(&bad).unwrap_err().field,
            "arose_on"
        );
    }

    #[test]
    fn a_complete_declaration_parses() {
        let f = DeclarationFields::parse(&input(valid()), today()).unwrap();
        assert_eq!(f.interest_type, InterestType::Financial);
        assert_eq!(f.days_late(&OrgSettings::default()), None);
    }

    #[test]
    fn each_required_field_is_named_when_missing() {
        let e = DeclarationFields::parse(&input(json!({})), today()).unwrap_err();
        for f in [
            "interest_type",
            "description",
            "body",
            "arose_on",
            "mitigation",
        ] {
            assert!(e.0.contains_key(f), "{f} missing from {e}");
        }
    }

    #[test]
    fn the_type_must_be_one_of_the_four() {
        let mut v = valid();
        v["interest_type"] = json!("pecuniary");
        let e = DeclarationFields::parse(&input(v), today()).unwrap_err();
        assert!(e.0["interest_type"].contains("non_financial_professional"));
        for code in InterestType::CODES {
            assert_eq!(InterestType::parse(code).unwrap().code(), code);
        }
    }

    #[test]
    fn dates_must_be_in_order_and_not_future_declared() {
        let mut v = valid();
        v["ended_on"] = json!("2025-12-31");
        v["declared_on"] = json!("2026-07-01");
        let e = DeclarationFields::parse(&input(v), today()).unwrap_err();
        assert!(e.0.contains_key("ended_on") && e.0.contains_key("declared_on"));
    }

    #[test]
    fn indirect_interests_name_the_associate_and_only_they_do() {
        let mut v = valid();
        v["interest_type"] = json!("indirect");
        assert!(DeclarationFields::parse(&input(v.clone()), today())
            .unwrap_err()
            .0
            .contains_key("associate"));
        v["associate"] = json!("Spouse");
        assert!(DeclarationFields::parse(&input(v), today()).is_ok());
        let mut w = valid();
        w["associate"] = json!("Spouse");
        assert!(DeclarationFields::parse(&input(w), today()).is_err());
    }

    #[test]
    fn declarations_after_28_days_are_late_by_the_excess() {
        let s = OrgSettings::default();
        let mut v = valid();
        v["declared_on"] = json!("2026-01-29"); // 28 days after
        assert_eq!(declaration(v.clone()).fields.days_late(&s), None);
        v["declared_on"] = json!("2026-01-30"); // 29 days after
        assert_eq!(declaration(v.clone()).fields.days_late(&s), Some(1));
        let strict = OrgSettings {
            declare_within_days: 14,
            ..s
        };
        assert_eq!(declaration(v).fields.days_late(&strict), Some(15));
    }

    #[test]
    fn ended_interests_are_public_for_six_months_then_dropped() {
        let s = OrgSettings::default();
        let mut v = valid();
        v["ended_on"] = json!("2025-12-31");
        v["arose_on"] = json!("2025-01-01");
        let decl = declaration(v);
        assert!(decl.is_public(true, d("2026-06-30"), &s));
        assert!(!decl.is_public(true, d("2026-07-01"), &s));
        assert!(
            !decl.is_public(false, d("2026-01-01"), &s),
            "non-decision-making staff are never published"
        );
    }

    #[test]
    fn withheld_and_withdrawn_entries_are_not_public() {
        let s = OrgSettings::default();
        let decl = declaration(valid());
        let withheld = Step::Standing(StandingChange::Withhold("risk of harm".into()))
            .apply(&decl)
            .unwrap();
        assert!(!withheld.is_public(true, today(), &s));
        assert_eq!(withheld.version, 2);
        let released = Step::Standing(StandingChange::Release)
            .apply(&withheld)
            .unwrap();
        assert!(released.is_public(true, today(), &s));
        let withdrawn = Step::Standing(StandingChange::Withdraw("entered twice".into()))
            .apply(&decl)
            .unwrap();
        assert!(!withdrawn.is_public(true, today(), &s));
        assert!(Step::End(today()).apply(&withdrawn).is_err());
    }

    #[test]
    fn ending_checks_the_date_and_only_happens_once() {
        let decl = declaration(valid());
        assert!(Step::End(d("2025-01-01")).apply(&decl).is_err());
        let ended = Step::End(d("2026-03-01")).apply(&decl).unwrap();
        assert_eq!(ended.fields.ended_on, Some(d("2026-03-01")));
        assert!(Step::End(d("2026-04-01")).apply(&ended).is_err());
    }

    #[test]
    fn amendments_round_trip_through_input() {
        let decl = declaration(valid());
        let changed = decl
            .fields
            .to_input()
            .merged(input(json!({"body": "Other body"})));
        let f = DeclarationFields::parse(&changed, today()).unwrap();
        assert_eq!(f.body, "Other body");
        assert_eq!(f.description, decl.fields.description);
    }
}
