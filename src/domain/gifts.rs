//! The register of gifts and hospitality: which offers must be declared, which must be
//! declined, and which need a senior manager's approval (DOMAIN.md thresholds).

use super::entries::Entry;
use super::money::{Pence, Style};
use super::org::OrgSettings;
use super::payload::{Fields, PayloadError};
use super::validation::{FieldErrors, Input};
use crate::domain::codes::coded;
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Value};

/// What was offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GiftKind {
    Gift,
    Hospitality,
    CashOrVoucher,
}

coded!(GiftKind {
    Gift => "gift", "Gift";
    Hospitality => "hospitality", "Hospitality";
    CashOrVoucher => "cash_or_voucher", "Cash or voucher";
});

/// Whether the offer was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Accepted,
    Declined,
}

coded!(Outcome {
    Accepted => "accepted";
    Declined => "declined";
});

/// What the organisation's thresholds say about an offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assessment {
    /// The offer must be declared on the register.
    pub must_declare: bool,
    /// The offer must be declined.
    pub must_decline: bool,
    /// Accepting needs a senior manager's approval in advance.
    pub needs_approval: bool,
    /// Accepting is allowed (with approval) but should normally not happen.
    pub normally_declined: bool,
    /// The rule that applies, in words.
    pub rule: String,
}

/// The bands the thresholds divide offers into: each has one rule, stated in one
/// sentence, and [`assess`] puts every offer in exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    CashOrVoucher,
    SupplierGiftUpToMax,
    SupplierGiftOverMax,
    OtherGiftUnderDeclare,
    OtherGiftFromDeclare,
    HospitalityUnderDeclare,
    HospitalityDeclared,
    HospitalityOverApproval,
}

impl Band {
    /// Every band, in the order the thresholds are explained.
    pub const ALL: [Band; 8] = [
        Band::CashOrVoucher,
        Band::SupplierGiftUpToMax,
        Band::SupplierGiftOverMax,
        Band::OtherGiftUnderDeclare,
        Band::OtherGiftFromDeclare,
        Band::HospitalityUnderDeclare,
        Band::HospitalityDeclared,
        Band::HospitalityOverApproval,
    ];

    /// The band an offer of `kind` worth `value_pence` falls in.
    pub fn of(kind: GiftKind, from_supplier: bool, value_pence: i64, s: &OrgSettings) -> Band {
        match kind {
            GiftKind::CashOrVoucher => Band::CashOrVoucher,
            GiftKind::Gift if from_supplier => {
                if value_pence <= s.supplier_gift_max_pence {
                    Band::SupplierGiftUpToMax
                } else {
                    Band::SupplierGiftOverMax
                }
            }
            GiftKind::Gift => {
                if value_pence < s.other_gift_declare_from_pence {
                    Band::OtherGiftUnderDeclare
                } else {
                    Band::OtherGiftFromDeclare
                }
            }
            GiftKind::Hospitality => {
                if value_pence < s.hospitality_declare_from_pence {
                    Band::HospitalityUnderDeclare
                } else if value_pence <= s.hospitality_approval_over_pence {
                    Band::HospitalityDeclared
                } else {
                    Band::HospitalityOverApproval
                }
            }
        }
    }

    /// Whether an offer (of a value of at least nothing) can fall in this band under
    /// `s`: a threshold of £0 leaves nothing under it.
    pub fn is_possible(self, s: &OrgSettings) -> bool {
        match self {
            Band::SupplierGiftUpToMax => s.supplier_gift_max_pence >= 0,
            Band::OtherGiftUnderDeclare => s.other_gift_declare_from_pence > 0,
            Band::HospitalityUnderDeclare => s.hospitality_declare_from_pence > 0,
            Band::HospitalityDeclared => {
                s.hospitality_approval_over_pence >= s.hospitality_declare_from_pence.max(0)
            }
            _ => true,
        }
    }

    /// The band's rule in words, with the organisation's amounts.
    pub fn rule(self, s: &OrgSettings) -> String {
        let pounds = |pence: i64| Pence(pence).pounds(Style::BRIEF);
        match self {
            Band::CashOrVoucher => {
                "Cash and vouchers are always declined, and the offer is declared.".into()
            }
            Band::SupplierGiftUpToMax => format!("Gifts from suppliers or contractors worth {} or less may be accepted and need not be declared.", pounds(s.supplier_gift_max_pence)),
            Band::SupplierGiftOverMax => format!("Gifts from suppliers or contractors worth over {} are declared and should normally be declined: one is accepted only with a senior manager's approval.", pounds(s.supplier_gift_max_pence)),
            Band::OtherGiftUnderDeclare => format!(
                "Gifts worth under {} need not be declared.",
                pounds(s.other_gift_declare_from_pence)
            ),
            Band::OtherGiftFromDeclare => format!(
                "Gifts worth {} or more are declared.",
                pounds(s.other_gift_declare_from_pence)
            ),
            Band::HospitalityUnderDeclare => format!(
                "Hospitality worth under {} need not be declared.",
                pounds(s.hospitality_declare_from_pence)
            ),
            Band::HospitalityDeclared => format!(
                "Hospitality worth {} to {} is declared.",
                pounds(s.hospitality_declare_from_pence),
                pounds(s.hospitality_approval_over_pence)
            ),
            Band::HospitalityOverApproval => format!("Hospitality worth over {} is refused unless a senior manager approves it in advance, and is declared either way.", pounds(s.hospitality_approval_over_pence)),
        }
    }
}

/// The organisation's thresholds in words: the rule of every band an offer can fall
/// in, in order, as the form to record an offer explains them.
pub fn threshold_rules(s: &OrgSettings) -> Vec<String> {
    Band::ALL
        .iter()
        .filter(|b| b.is_possible(s))
        .map(|b| b.rule(s))
        .collect()
}

/// Apply the thresholds to an offer of `kind` worth `value_pence`.
pub fn assess(
    kind: GiftKind,
    from_supplier: bool,
    value_pence: i64,
    s: &OrgSettings,
) -> Assessment {
    let band = Band::of(kind, from_supplier, value_pence, s);
    Assessment {
        must_declare: !matches!(
            band,
            Band::SupplierGiftUpToMax | Band::OtherGiftUnderDeclare | Band::HospitalityUnderDeclare
        ),
        must_decline: band == Band::CashOrVoucher,
        needs_approval: matches!(
            band,
            Band::HospitalityOverApproval | Band::SupplierGiftOverMax
        ),
        normally_declined: band == Band::SupplierGiftOverMax,
        rule: band.rule(s),
    }
}

/// Most a single offer may be recorded as worth: £10 million.
pub const MAX_VALUE_PENCE: i64 = 1_000_000_000;

/// What is entered for an offer of a gift or hospitality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GiftFields {
    pub giver: String,
    pub giver_is_supplier: bool,
    pub kind: GiftKind,
    /// Markdown.
    pub description: String,
    pub value_pence: i64,
    pub offered_on: NaiveDate,
    pub outcome: Outcome,
    /// The senior manager who approved acceptance, where approval is needed.
    pub approved_by: Option<String>,
    pub declared_on: NaiveDate,
}

impl GiftFields {
    /// Longest name of who offered it, in characters.
    pub const MAX_GIVER: usize = 300;
    /// Longest description, in characters.
    pub const MAX_DESCRIPTION: usize = 2000;
    /// Longest name of the approving senior manager, in characters.
    pub const MAX_APPROVED_BY: usize = 200;

    /// Parse and check every field against the organisation's thresholds.
    pub fn parse(
        input: &Input,
        today: NaiveDate,
        settings: &OrgSettings,
    ) -> Result<GiftFields, FieldErrors> {
        let mut p = input.parser();
        let giver = p.text("giver", Self::MAX_GIVER);
        let giver_is_supplier = p.flag("giver_is_supplier", false);
        let kind = p.choice("kind", &GiftKind::CODES, GiftKind::parse);
        let description = p.text("description", Self::MAX_DESCRIPTION);
        let value_pence = p.pence("value_pence", MAX_VALUE_PENCE).map(Pence::pence);
        let offered_on = p.date("offered_on");
        let outcome = p.choice("outcome", &Outcome::CODES, Outcome::parse);
        let approved_by = p.opt_text("approved_by", Self::MAX_APPROVED_BY);
        let declared_on = p.opt_date("declared_on").unwrap_or(today);
        for (name, date) in [
            ("offered_on", offered_on),
            ("declared_on", Some(declared_on)),
        ] {
            if date.is_some_and(|d| d > today) && !p.has_error(name) {
                p.error(name, "cannot be in the future");
            }
        }
        if let (Some(k), Some(v), Some(o)) = (kind, value_pence, outcome) {
            let a = assess(k, giver_is_supplier, v, settings);
            if o == Outcome::Accepted && a.must_decline {
                p.error("outcome", "cash and vouchers must always be declined");
            }
            if o == Outcome::Accepted && a.needs_approval && approved_by.is_none() {
                p.error("approved_by", format!("{} Name the senior manager who approved it, or record the offer as declined.", a.rule));
            }
        }
        p.finish()?;
        Ok(GiftFields {
            giver: giver.expect("checked"),
            giver_is_supplier,
            kind: kind.expect("checked"),
            description: description.expect("checked"),
            value_pence: value_pence.expect("checked"),
            offered_on: offered_on.expect("checked"),
            outcome: outcome.expect("checked"),
            approved_by,
            declared_on,
        })
    }

    pub fn to_input(&self) -> Input {
        Input::from_json(json!({
            "giver": self.giver, "giver_is_supplier": self.giver_is_supplier, "kind": self.kind.code(),
            "description": self.description, "value_pence": self.value_pence,
            "offered_on": self.offered_on.to_string(), "outcome": self.outcome.code(),
            "approved_by": self.approved_by, "declared_on": self.declared_on.to_string(),
        }))
        .expect("an object")
    }

    pub fn assessment(&self, settings: &OrgSettings) -> Assessment {
        assess(
            self.kind,
            self.giver_is_supplier,
            self.value_pence,
            settings,
        )
    }
}

/// One version of a recorded offer.
pub type Gift = Entry<GiftFields>;

impl Gift {
    pub fn payload(&self, person_slug: &str) -> Value {
        let f = &self.fields;
        json!({
            "id": self.id.to_string(), "version": self.version,
            "person_id": self.person_id.to_string(), "person": person_slug,
            "giver": f.giver, "giver_is_supplier": f.giver_is_supplier, "kind": f.kind.code(),
            "description": f.description, "value_pence": f.value_pence,
            "offered_on": f.offered_on.to_string(), "outcome": f.outcome.code(),
            "approved_by": f.approved_by, "declared_on": f.declared_on.to_string(),
            "state": self.standing.state.code(), "withheld": self.standing.withheld_reason.is_some(),
            "withheld_reason": self.standing.withheld_reason,
            "review": self.standing.review.code(), "review_comment": self.standing.review.comment(),
        })
    }

    /// The version an audit payload describes: the inverse of [`Gift::payload`].
    pub fn from_payload(payload: &Value) -> Result<Gift, PayloadError> {
        let f = Fields(payload);
        Ok(Gift {
            id: f.int("id")?,
            version: f.int("version")?,
            person_id: f.int("person_id")?,
            fields: GiftFields {
                giver: f.text("giver")?,
                giver_is_supplier: f.flag("giver_is_supplier")?,
                kind: f.code("kind", GiftKind::parse)?,
                description: f.text("description")?,
                value_pence: f.int("value_pence")?,
                offered_on: f.date("offered_on")?,
                outcome: f.code("outcome", Outcome::parse)?,
                approved_by: f.opt_text("approved_by")?,
                declared_on: f.date("declared_on")?,
            },
            standing: f.standing()?,
        })
    }

    /// Whether the public register shows this offer: decision-making staff only,
    /// neither withheld nor withdrawn.
    pub fn is_public(&self, person_decision_making: bool) -> bool {
        person_decision_making && self.standing.is_visible()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
    }
    fn parse(v: Value) -> Result<GiftFields, FieldErrors> {
        GiftFields::parse(
            &Input::from_json(v).unwrap(),
            today(),
            &OrgSettings::default(),
        )
    }
    fn offer(kind: &str, supplier: bool, value: i64, outcome: &str) -> Value {
        json!({"giver": "Acme Medical Ltd", "giver_is_supplier": supplier, "kind": kind,
               "description": "Offer", "value_pence": value, "offered_on": "2026-06-01", "outcome": outcome})
    }

    #[test]
    fn an_offer_reads_back_from_its_payload() {
        let mut fields = parse(offer("gift", false, 5000, "accepted")).unwrap();
        fields.approved_by = Some("Chief Finance Officer".into());
        let g = Gift {
            id: 4,
            version: 3,
            person_id: 2,
            fields,
            standing: crate::domain::entries::Standing::active(),
        };
        let withdrawn = g
            .with_standing(&crate::domain::entries::StandingChange::Withdraw(
                "twice".into(),
            ))
            .unwrap();
        let mut bad = g.payload("dr-a");
        for g in [g, withdrawn] {
            assert_eq!(Gift::from_payload(&g.payload("dr-a")), Ok(g));
        }
        bad["kind"] = json!("bribe");
        assert_eq!(Gift::from_payload(&bad).unwrap_err().field, "kind");
    }

    #[test]
    fn supplier_gifts_of_six_pounds_or_less_need_no_declaration() {
        let s = OrgSettings::default();
        assert!(!assess(GiftKind::Gift, true, 600, &s).must_declare);
        let over = assess(GiftKind::Gift, true, 601, &s);
        assert!(over.must_declare && over.normally_declined);
    }

    #[test]
    fn other_gifts_under_fifty_pounds_need_no_declaration() {
        let s = OrgSettings::default();
        assert!(!assess(GiftKind::Gift, false, 4999, &s).must_declare);
        assert!(assess(GiftKind::Gift, false, 5000, &s).must_declare);
    }

    #[test]
    fn hospitality_thresholds_are_25_and_75_pounds() {
        let s = OrgSettings::default();
        assert!(!assess(GiftKind::Hospitality, false, 2499, &s).must_declare);
        let mid = assess(GiftKind::Hospitality, false, 7500, &s);
        assert!(mid.must_declare && !mid.needs_approval);
        let high = assess(GiftKind::Hospitality, false, 7501, &s);
        assert!(high.must_declare && high.needs_approval);
    }

    #[test]
    fn cash_is_always_declared_and_declined() {
        let a = assess(GiftKind::CashOrVoucher, false, 1, &OrgSettings::default());
        assert!(a.must_declare && a.must_decline);
        assert!(parse(offer("cash_or_voucher", false, 1000, "accepted"))
            .unwrap_err()
            .0
            .contains_key("outcome"));
        assert!(parse(offer("cash_or_voucher", false, 1000, "declined")).is_ok());
    }

    #[test]
    fn expensive_hospitality_needs_named_approval_to_be_accepted() {
        let e = parse(offer("hospitality", false, 12000, "accepted")).unwrap_err();
        assert!(e.0["approved_by"].contains("£75"));
        let mut ok = offer("hospitality", false, 12000, "accepted");
        ok["approved_by"] = json!("Director of Finance");
        assert!(parse(ok).is_ok());
        assert!(parse(offer("hospitality", false, 12000, "declined")).is_ok());
    }

    #[test]
    fn accepted_supplier_gifts_over_six_pounds_are_refused_without_approval() {
        let e = parse(offer("gift", true, 2000, "accepted")).unwrap_err();
        let why = &e.0["approved_by"];
        assert!(why.contains("over £6") && why.contains("senior manager who approved it"));
        assert_eq!(
            why.matches("should normally be declined").count(),
            1,
            "{why}"
        );
        let mut ok = offer("gift", true, 2000, "accepted");
        ok["approved_by"] = json!("Director of Finance");
        assert!(parse(ok).is_ok());
        assert!(parse(offer("gift", true, 2000, "declined")).is_ok());
        assert!(parse(offer("gift", true, 600, "accepted")).is_ok());
    }

    /// The rules as the gift screen used to find them: by assessing one offer either
    /// side of each boundary, keeping each sentence once.
    fn probed_rules(s: &OrgSettings) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (kind, supplier, value) in [
            (GiftKind::CashOrVoucher, false, 0),
            (GiftKind::Gift, true, s.supplier_gift_max_pence),
            (GiftKind::Gift, true, s.supplier_gift_max_pence + 1),
            (GiftKind::Gift, false, s.other_gift_declare_from_pence - 1),
            (GiftKind::Gift, false, s.other_gift_declare_from_pence),
            (
                GiftKind::Hospitality,
                false,
                s.hospitality_declare_from_pence - 1,
            ),
            (
                GiftKind::Hospitality,
                false,
                s.hospitality_declare_from_pence,
            ),
            (
                GiftKind::Hospitality,
                false,
                s.hospitality_approval_over_pence + 1,
            ),
        ] {
            let rule = assess(kind, supplier, value.max(0), s).rule;
            if !out.contains(&rule) {
                out.push(rule);
            }
        }
        out
    }

    #[test]
    fn the_threshold_rules_are_every_band_an_offer_can_fall_in() {
        let rules = threshold_rules(&OrgSettings::default());
        assert_eq!(rules.len(), 8);
        assert_eq!(rules[1], "Gifts from suppliers or contractors worth £6 or less may be accepted and need not be declared.");
        assert_eq!(rules[6], "Hospitality worth £25 to £75 is declared.");
        for (supplier, other, from, over) in [
            (0, 0, 0, 0),
            (0, 1, 0, 1),
            (600, 5000, 2500, 7500),
            (601, 4999, 7500, 7500),
            (150_000, 10_000_000, 1, 99_999_999),
        ] {
            let s = OrgSettings {
                supplier_gift_max_pence: supplier,
                other_gift_declare_from_pence: other,
                hospitality_declare_from_pence: from,
                hospitality_approval_over_pence: over,
                ..Default::default()
            };
            assert!(s.validate().is_ok());
            assert_eq!(threshold_rules(&s), probed_rules(&s), "{s:?}");
        }
    }

    #[test]
    fn stricter_settings_move_the_thresholds() {
        let s = OrgSettings {
            other_gift_declare_from_pence: 1000,
            ..Default::default()
        };
        assert!(assess(GiftKind::Gift, false, 1000, &s).must_declare);
    }

    #[test]
    fn values_are_whole_pence_and_bounded() {
        let mut v = offer("gift", false, 0, "declined");
        v["value_pence"] = json!("4999");
        assert_eq!(parse(v.clone()).unwrap().value_pence, 4999);
        v["value_pence"] = json!("£49.99");
        assert!(parse(v.clone()).is_err());
        v["value_pence"] = json!(-5);
        assert!(parse(v.clone()).is_err());
        v["value_pence"] = json!(12.5);
        assert!(parse(v).is_err());
        let e = parse(json!({})).unwrap_err();
        for f in [
            "giver",
            "kind",
            "description",
            "value_pence",
            "offered_on",
            "outcome",
        ] {
            assert!(e.0.contains_key(f), "{f}");
        }
    }
}
