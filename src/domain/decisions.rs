//! The register of procurement decisions (DOMAIN.md, every column it lists) and the
//! record of breaches of the conflicts policy (published anonymised).

use super::committees::LONG_TEXT;
use super::money::Pence;
use super::validation::{is_slug, FieldErrors, Input, MAX_PERSON_REF};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Whether the decision is about a service already provided or a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceStatus {
    Existing,
    New,
}

impl ServiceStatus {
    pub const CODES: [&'static str; 2] = ["existing", "new"];
    pub fn parse(s: &str) -> Option<ServiceStatus> {
        match s {
            "existing" => Some(ServiceStatus::Existing),
            "new" => Some(ServiceStatus::New),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ServiceStatus::Existing => "Existing service",
            ServiceStatus::New => "New service",
        }
    }
}

/// How the contract was procured: the routes of the guidance, and those of the Provider
/// Selection Regime that replaced competitive tendering rules for health services in 2024.
pub const ROUTES: [(&str, &str); 11] = [
    ("tender", "Competitive tender"),
    ("single_tender_waiver", "Single tender waiver"),
    ("framework", "Call-off from a framework"),
    (
        "extension",
        "Extension or variation of an existing contract",
    ),
    ("any_qualified_provider", "Any qualified provider"),
    ("direct_award_a", "Direct award process A (PSR)"),
    ("direct_award_b", "Direct award process B (PSR)"),
    ("direct_award_c", "Direct award process C (PSR)"),
    (
        "most_suitable_provider",
        "Most suitable provider process (PSR)",
    ),
    ("competitive_process", "Competitive process (PSR)"),
    ("other", "Other"),
];

pub fn route_label(code: &str) -> &'static str {
    ROUTES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("Other")
}

/// Largest contract value accepted: £100bn, in pence.
pub const MAX_CONTRACT_VALUE_PENCE: i64 = 10_000_000_000_000;

/// The fields of a key procurement decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionFields {
    /// The organisation's reference, used in the URL: letters, digits and hyphens.
    pub reference: String,
    pub title: String,
    pub service_description: String,
    pub service_status: ServiceStatus,
    /// A code of [`ROUTES`].
    pub route: String,
    pub clinical_lead: Option<String>,
    pub contract_manager: Option<String>,
    pub decided_on: NaiveDate,
    /// The agenda item at which a committee took the decision, if one did.
    pub item_id: Option<i64>,
    /// How the decision was made (required when no committee item took it).
    pub how_decided: Option<String>,
    /// Conflicts and how they were managed, where no committee item records them.
    pub conflicts_note: Option<String>,
    pub justification: String,
    pub supplier: Option<String>,
    pub value_pence: i64,
    pub term_months: Option<u32>,
    pub starts_on: Option<NaiveDate>,
    pub comments: Option<String>,
}

impl DecisionFields {
    /// Longest reference, in characters.
    pub const MAX_REFERENCE: usize = 40;
    /// Longest title, in characters.
    pub const MAX_TITLE: usize = 300;
    /// Longest name of the clinical lead or contract manager, in characters.
    pub const MAX_NAME: usize = 200;
    /// Longest supplier's name, in characters.
    pub const MAX_SUPPLIER: usize = 300;
    /// Longest contract term, in months (50 years).
    pub const MAX_TERM_MONTHS: u64 = 600;

    pub fn parse(input: &Input) -> Result<DecisionFields, FieldErrors> {
        let mut p = input.parser();
        let reference = p.text("reference", Self::MAX_REFERENCE);
        let title = p.text("title", Self::MAX_TITLE);
        let service_description = p.text("service_description", LONG_TEXT);
        let service_status = p.choice(
            "service_status",
            &ServiceStatus::CODES,
            ServiceStatus::parse,
        );
        let codes: Vec<&str> = ROUTES.iter().map(|(c, _)| *c).collect();
        let route = p.choice("route", &codes, |s| {
            ROUTES
                .iter()
                .find(|(c, _)| *c == s)
                .map(|(c, _)| c.to_string())
        });
        let clinical_lead = p.opt_text("clinical_lead", Self::MAX_NAME);
        let contract_manager = p.opt_text("contract_manager", Self::MAX_NAME);
        let decided_on = p.date("decided_on");
        let item_id = p.opt_id("item");
        let how_decided = p.opt_text("how_decided", LONG_TEXT);
        let conflicts_note = p.opt_text("conflicts_note", LONG_TEXT);
        let justification = p.text("justification", LONG_TEXT);
        let supplier = p.opt_text("supplier", Self::MAX_SUPPLIER);
        let value_pence = p
            .pence("value_pence", MAX_CONTRACT_VALUE_PENCE)
            .map(Pence::pence);
        let term_months = p
            .opt_count("term_months", Self::MAX_TERM_MONTHS)
            .map(|n| n as u32);
        let starts_on = p.opt_date("starts_on");
        let comments = p.opt_text("comments", LONG_TEXT);
        if let Some(r) = &reference {
            if r.eq_ignore_ascii_case("page") {
                p.error(
                    "reference",
                    "cannot be \"page\": the register uses it for its own pages",
                );
            } else if !is_slug(&r.to_ascii_lowercase()) {
                p.error(
                    "reference",
                    "must be letters and digits joined by hyphens, e.g. PCD-2026-014",
                );
            }
        }
        if item_id.is_none() && how_decided.is_none() && !p.has_error("item") {
            p.error(
                "how_decided",
                "is required when no committee item is given: say who took the decision and how",
            );
        }
        p.finish()?;
        Ok(DecisionFields {
            reference: reference.expect("checked"),
            title: title.expect("checked"),
            service_description: service_description.expect("checked"),
            service_status: service_status.expect("checked"),
            route: route.expect("checked"),
            clinical_lead,
            contract_manager,
            decided_on: decided_on.expect("checked"),
            item_id,
            how_decided,
            conflicts_note,
            justification: justification.expect("checked"),
            supplier,
            value_pence: value_pence.expect("checked"),
            term_months,
            starts_on,
            comments,
        })
    }

    /// The fields as input, so an amendment can overlay its changes.
    pub fn to_input(&self) -> Input {
        Input::from_json(json!({
            "reference": self.reference, "title": self.title,
            "service_description": self.service_description,
            "service_status": ServiceStatus::CODES[self.service_status as usize],
            "route": self.route, "clinical_lead": self.clinical_lead,
            "contract_manager": self.contract_manager, "decided_on": self.decided_on.to_string(),
            "item": self.item_id, "how_decided": self.how_decided,
            "conflicts_note": self.conflicts_note, "justification": self.justification,
            "supplier": self.supplier, "value_pence": self.value_pence,
            "term_months": self.term_months, "starts_on": self.starts_on.map(|d| d.to_string()),
            "comments": self.comments,
        }))
        .expect("an object")
    }

    /// The reference as it appears in URLs (lower case).
    pub fn url_ref(&self) -> String {
        self.reference.to_ascii_lowercase()
    }
}

/// A recorded procurement decision: its fields and whether it still stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    #[serde(flatten)]
    pub fields: DecisionFields,
    /// Set when the decision was withdrawn (recorded in error, or rescinded).
    pub withdrawn_reason: Option<String>,
}

/// A breach of the conflicts of interest policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breach {
    pub occurred_on: NaiveDate,
    pub identified_on: NaiveDate,
    /// What happened, written for publication: no names, nothing identifying.
    pub summary: String,
    pub action_taken: String,
    /// Where it was reported (e.g. the audit committee, NHS England, counter fraud).
    pub reported_to: Option<String>,
    /// The person concerned, kept for the governance lead; never published.
    pub person_id: Option<i64>,
    /// Random hex, present whenever `person_id` is: the rest of the record is published,
    /// so without it the withheld payload's hash would give the person away to anyone
    /// who tried each person id in turn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
}

/// A breach as entered: the person, if any, named by slug.
#[derive(Debug, Clone)]
pub struct BreachInput {
    pub occurred_on: NaiveDate,
    pub identified_on: NaiveDate,
    pub summary: String,
    pub action_taken: String,
    pub reported_to: Option<String>,
    pub person: Option<String>,
}

impl BreachInput {
    /// Longest name of whom the breach was reported to, in characters.
    pub const MAX_REPORTED_TO: usize = 300;

    pub fn parse(input: &Input, today: NaiveDate) -> Result<BreachInput, FieldErrors> {
        let mut p = input.parser();
        let occurred_on = p.date("occurred_on");
        let identified_on = p.opt_date("identified_on");
        let summary = p.text("summary", LONG_TEXT);
        let action_taken = p.text("action_taken", LONG_TEXT);
        let reported_to = p.opt_text("reported_to", Self::MAX_REPORTED_TO);
        let person = p.opt_text("person", MAX_PERSON_REF);
        if let (Some(o), Some(i)) = (occurred_on, identified_on) {
            if i < o {
                p.error("identified_on", "cannot be before the breach occurred");
            }
        }
        if occurred_on.is_some_and(|o| o > today) {
            p.error("occurred_on", "cannot be in the future");
        }
        if identified_on.is_some_and(|i| i > today) {
            p.error("identified_on", "cannot be in the future");
        }
        p.finish()?;
        let occurred_on = occurred_on.expect("checked");
        Ok(BreachInput {
            occurred_on,
            identified_on: identified_on.unwrap_or(occurred_on),
            summary: summary.expect("checked"),
            action_taken: action_taken.expect("checked"),
            reported_to,
            person,
        })
    }
}

/// The fields of a breach as input, given the person's slug.
pub fn breach_to_input(b: &Breach, person_slug: Option<String>) -> Input {
    Input::from_json(json!({
        "occurred_on": b.occurred_on.to_string(), "identified_on": b.identified_on.to_string(),
        "summary": b.summary, "action_taken": b.action_taken, "reported_to": b.reported_to,
        "person": person_slug,
    }))
    .expect("an object")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn valid() -> Value {
        json!({
            "reference": "PCD-2026-001", "title": "Extended access", "service_description": "Evening and weekend GP appointments",
            "service_status": "new", "route": "competitive_process", "decided_on": "2026-03-04",
            "item": 7, "justification": "Best value", "value_pence": "125000000", "term_months": 36
        })
    }

    #[test]
    fn a_decision_round_trips_through_input() {
        let d = DecisionFields::parse(&Input::from_json(valid()).unwrap()).unwrap();
        assert_eq!(d.value_pence, 125_000_000);
        assert_eq!(d.url_ref(), "pcd-2026-001");
        assert_eq!(DecisionFields::parse(&d.to_input()).unwrap(), d);
    }

    #[test]
    fn a_decision_without_an_item_says_how_it_was_made() {
        let mut v = valid();
        v.as_object_mut().unwrap().remove("item");
        let e = DecisionFields::parse(&Input::from_json(v.clone()).unwrap()).unwrap_err();
        assert!(e.0.contains_key("how_decided"), "{e}");
        v["how_decided"] = json!("Governing body, 4 March 2026");
        assert!(DecisionFields::parse(&Input::from_json(v).unwrap()).is_ok());
    }

    #[test]
    fn decision_errors_name_each_field() {
        let e = DecisionFields::parse(
            &Input::from_json(json!({"reference": "a b", "route": "bribe", "value_pence": -1, "term_months": 0, "service_status": "old"}))
                .unwrap(),
        )
        .unwrap_err();
        for f in [
            "reference",
            "route",
            "value_pence",
            "term_months",
            "service_status",
            "title",
            "decided_on",
            "justification",
        ] {
            assert!(e.0.contains_key(f), "{f} missing: {e}");
        }
    }

    #[test]
    fn breaches_check_their_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let ok = BreachInput::parse(
            &Input::from_json(
                json!({"occurred_on": "2026-01-10", "summary": "s", "action_taken": "a"}),
            )
            .unwrap(),
            today,
        )
        .unwrap();
        assert_eq!(ok.identified_on, ok.occurred_on);
        let e = BreachInput::parse(
            &Input::from_json(json!({"occurred_on": "2026-07-10", "identified_on": "2026-07-01"}))
                .unwrap(),
            today,
        )
        .unwrap_err();
        for f in ["occurred_on", "identified_on", "summary", "action_taken"] {
            assert!(e.0.contains_key(f), "{f} missing: {e}");
        }
    }
}
