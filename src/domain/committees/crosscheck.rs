//! The cross-check of a conflict against the register of interests: a member recorded
//! as having stayed and taken part in an item, on a declaration that says they stand
//! aside from such items, needs the chair's reason, which the minutes then show.
//!
//! The rule, decided here alone: a conflict whose decision is "stayed and took part",
//! linked to a declaration (the declaration chosen for the item), needs the chair's
//! reason when that declaration is a financial interest, or when its action (how the
//! interest is managed) says the member leaves the room, withdraws, takes no part or
//! does not vote. Linking the declaration to the item is the chair's statement that the
//! item is about that interest, so the action applies to it.

use super::ConflictDecision;
use crate::domain::interests::InterestType;

/// Words in a declaration's action that say the member stands aside from items about
/// the interest, matched in lower case.
const STANDS_ASIDE: [&str; 12] = [
    "leave the room",
    "leaves the room",
    "leave the meeting",
    "leaves the meeting",
    "withdraw",
    "no part",
    "not take part",
    "not to take part",
    "not participate",
    "not vote",
    "abstain",
    "excluded from",
];

/// Why a declaration says its holder should not take part in an item it is linked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StandAside {
    /// A financial interest in the item.
    Financial,
    /// The declaration's action, quoted.
    Action(String),
    /// Both.
    FinancialWithAction(String),
}

impl StandAside {
    /// The reason in words, after "declaration 12 ": "is a financial interest", "says
    /// \"Leaves the room for podiatry items\"".
    pub fn describe(&self) -> String {
        match self {
            StandAside::Financial => "is a financial interest".into(),
            StandAside::Action(a) => format!("says \"{a}\""),
            StandAside::FinancialWithAction(a) => {
                format!("is a financial interest and says \"{a}\"")
            }
        }
    }
}

/// Whether a declaration of `interest_type` managed by `action` says its holder stands
/// aside from items it is linked to, and why.
pub fn stands_aside(interest_type: InterestType, action: &str) -> Option<StandAside> {
    let lower = action.to_lowercase();
    let says = STANDS_ASIDE.iter().any(|w| lower.contains(w));
    let quoted = action.trim().to_owned();
    match (interest_type == InterestType::Financial, says) {
        (true, true) => Some(StandAside::FinancialWithAction(quoted)),
        (true, false) => Some(StandAside::Financial),
        (false, true) => Some(StandAside::Action(quoted)),
        (false, false) => None,
    }
}

/// Whether recording `decision` on a conflict linked to that declaration needs the
/// chair's reason: only "stayed and took part" against a declaration that stands aside.
pub fn needs_reason(
    decision: ConflictDecision,
    interest_type: InterestType,
    action: &str,
) -> Option<StandAside> {
    match decision {
        ConflictDecision::TookPart => stands_aside(interest_type, action),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ConflictDecision::*;
    use InterestType::*;

    #[test]
    fn taking_part_against_a_leave_the_room_action_needs_a_reason() {
        let action = "Leaves the room for podiatry items";
        assert_eq!(
            needs_reason(TookPart, NonFinancialProfessional, action),
            Some(StandAside::Action(action.into()))
        );
        for d in [LeftRoom, StayedNotVoting] {
            assert_eq!(needs_reason(d, NonFinancialProfessional, action), None);
        }
    }

    #[test]
    fn each_wording_of_standing_aside_counts() {
        for action in [
            "Will withdraw from discussion",
            "Takes no part in decisions about the federation",
            "Does not vote on contracts with the practice",
            "Should abstain",
            "Is excluded from procurement items",
            "Leaves the meeting for items about Elm Practice",
        ] {
            assert!(
                needs_reason(TookPart, Indirect, action).is_some(),
                "{action}"
            );
        }
        assert_eq!(
            needs_reason(TookPart, NonFinancialPersonal, "Declared at each meeting"),
            None
        );
    }

    #[test]
    fn a_financial_interest_needs_a_reason_whatever_its_action() {
        assert_eq!(
            needs_reason(TookPart, Financial, "Declared at each meeting"),
            Some(StandAside::Financial)
        );
        let both = needs_reason(TookPart, Financial, "Leaves the room").unwrap();
        assert_eq!(
            both.describe(),
            "is a financial interest and says \"Leaves the room\""
        );
    }
}
