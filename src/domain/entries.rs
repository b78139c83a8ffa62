//! What every register entry shares: it may be withdrawn as entered in error, or
//! withheld from the public with a recorded reason, and changes only by new versions.

use super::validation::{FieldErrors, Input};

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryState {
    /// On the register.
    Active,
    /// Withdrawn as entered in error; kept, never shown.
    Withdrawn,
}

impl EntryState {
    pub fn code(self) -> &'static str {
        match self {
            EntryState::Active => "active",
            EntryState::Withdrawn => "withdrawn",
        }
    }
    pub fn parse(s: &str) -> Option<EntryState> {
        match s {
            "active" => Some(EntryState::Active),
            "withdrawn" => Some(EntryState::Withdrawn),
            _ => None,
        }
    }
}

/// An entry's standing: active or withdrawn, and whether (and why) it is withheld.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub state: EntryState,
    pub withheld_reason: Option<String>,
}

impl Standing {
    pub fn active() -> Standing {
        Standing {
            state: EntryState::Active,
            withheld_reason: None,
        }
    }
    /// Neither withdrawn nor withheld.
    pub fn is_visible(&self) -> bool {
        self.state == EntryState::Active && self.withheld_reason.is_none()
    }
    pub fn check_changeable(&self) -> Result<(), FieldErrors> {
        if self.state == EntryState::Withdrawn {
            Err(FieldErrors::one(
                "state",
                "the entry was withdrawn and cannot change",
            ))
        } else {
            Ok(())
        }
    }
    /// Apply a standing change, or say why it is not allowed.
    pub fn apply(&self, change: &StandingChange) -> Result<Standing, FieldErrors> {
        self.check_changeable()?;
        let mut next = self.clone();
        match change {
            StandingChange::Withhold(reason) => {
                if self.withheld_reason.is_some() {
                    return Err(FieldErrors::one("reason", "the entry is already withheld"));
                }
                next.withheld_reason = Some(reason.clone());
            }
            StandingChange::Release => {
                if self.withheld_reason.is_none() {
                    return Err(FieldErrors::one("state", "the entry is not withheld"));
                }
                next.withheld_reason = None;
            }
            StandingChange::Withdraw(reason) => {
                next.state = EntryState::Withdrawn;
                next.withheld_reason = next.withheld_reason.or(Some(reason.clone()));
            }
        }
        Ok(next)
    }
}

/// A change to an entry's standing, common to every register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StandingChange {
    Withhold(String),
    Release,
    Withdraw(String),
}

impl StandingChange {
    /// The audit action verb.
    pub fn action(&self) -> &'static str {
        match self {
            StandingChange::Withhold(_) => "withhold",
            StandingChange::Release => "release",
            StandingChange::Withdraw(_) => "withdraw",
        }
    }
    /// Parse the body of a `withhold`, `release` or `withdraw` request.
    pub fn parse(action: &str, input: &Input) -> Result<StandingChange, FieldErrors> {
        let mut p = input.parser();
        let change = match action {
            "withhold" => p.text("reason", 2000).map(StandingChange::Withhold),
            "withdraw" => p.text("reason", 2000).map(StandingChange::Withdraw),
            _ => Some(StandingChange::Release),
        };
        p.finish()?;
        Ok(change.expect("checked"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn withholding_is_recorded_once_and_can_be_released() {
        let s = Standing::active();
        let w = s
            .apply(&StandingChange::Withhold("risk of harm".into()))
            .unwrap();
        assert!(!w.is_visible());
        assert!(w.apply(&StandingChange::Withhold("again".into())).is_err());
        assert!(w.apply(&StandingChange::Release).unwrap().is_visible());
        assert!(s.apply(&StandingChange::Release).is_err());
    }

    #[test]
    fn withdrawn_entries_are_frozen() {
        let w = Standing::active()
            .apply(&StandingChange::Withdraw("duplicate".into()))
            .unwrap();
        assert!(!w.is_visible());
        assert!(w.apply(&StandingChange::Release).is_err());
        assert!(w.check_changeable().is_err());
    }

    #[test]
    fn a_reason_is_required_to_withhold() {
        let e = StandingChange::parse("withhold", &Input::default()).unwrap_err();
        assert_eq!(e.0["reason"], "is required");
    }
}
