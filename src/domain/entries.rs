//! What every register entry shares: it may be withdrawn as entered in error, or
//! withheld from the public with a recorded reason, and changes only by new versions.
//! A version made by a declarant waits for a governance lead's review (accepted, or
//! returned with a comment); only accepted versions are published.

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

/// Where a version stands in review. A governance lead's change is accepted as made
/// (they are the reviewers); a declarant's is submitted until one reviews it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Review {
    Accepted,
    Submitted,
    /// Sent back to the declarant with a comment saying what to change.
    Returned(String),
}

impl Review {
    /// The review a change leaves its version in, by whether its author governs the
    /// organisation.
    pub fn of_author(governs: bool) -> Review {
        if governs {
            Review::Accepted
        } else {
            Review::Submitted
        }
    }
    pub fn code(&self) -> &'static str {
        match self {
            Review::Accepted => "accepted",
            Review::Submitted => "submitted",
            Review::Returned(_) => "returned",
        }
    }
    pub fn comment(&self) -> Option<&str> {
        match self {
            Review::Returned(c) => Some(c),
            _ => None,
        }
    }
    /// From the stored code and comment.
    pub fn parse(code: &str, comment: Option<String>) -> Option<Review> {
        match (code, comment) {
            ("accepted", _) => Some(Review::Accepted),
            ("submitted", _) => Some(Review::Submitted),
            ("returned", Some(c)) => Some(Review::Returned(c)),
            _ => None,
        }
    }
    /// This version's review after a governance lead's decision (`change` is a review):
    /// only a submitted version is decided.
    pub fn decide(&self, change: &StandingChange) -> Result<Review, FieldErrors> {
        if *self != Review::Submitted {
            return Err(FieldErrors::one(
                "review",
                format!(
                    "this version is not awaiting review (it is {})",
                    self.label().to_lowercase()
                ),
            ));
        }
        Ok(match change {
            StandingChange::Return(comment) => Review::Returned(comment.clone()),
            _ => Review::Accepted,
        })
    }
    /// What a reader is told: "Accepted", "Awaiting review", "Returned".
    pub fn label(&self) -> &'static str {
        match self {
            Review::Accepted => "Accepted",
            Review::Submitted => "Awaiting review",
            Review::Returned(_) => "Returned for changes",
        }
    }
}

/// An entry's standing: active or withdrawn, whether (and why) it is withheld, and
/// whether this version has been accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub state: EntryState,
    pub withheld_reason: Option<String>,
    pub review: Review,
}

impl Standing {
    pub fn active() -> Standing {
        Standing {
            state: EntryState::Active,
            withheld_reason: None,
            review: Review::Accepted,
        }
    }
    /// Accepted, and neither withdrawn nor withheld.
    pub fn is_visible(&self) -> bool {
        self.state == EntryState::Active
            && self.withheld_reason.is_none()
            && self.review == Review::Accepted
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
    /// Apply a standing change, or say why it is not allowed. A review decides on the
    /// version as it is, even a withdrawal (a declarant's withdrawal is reviewed too).
    pub fn apply(&self, change: &StandingChange) -> Result<Standing, FieldErrors> {
        let mut next = self.clone();
        if change.is_review() {
            next.review = self.review.decide(change)?;
            return Ok(next);
        }
        self.check_changeable()?;
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
            StandingChange::Accept | StandingChange::Return(_) => unreachable!("handled above"),
        }
        Ok(next)
    }
}

/// One version of an entry of a register: which entry, which version, whose, what was
/// entered (`F`, the register's own fields) and where it stands. Every change makes a
/// new version; the earlier ones are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<F> {
    pub id: i64,
    pub version: i64,
    pub person_id: i64,
    pub fields: F,
    pub standing: Standing,
}

impl<F: Clone> Entry<F> {
    /// The next version with `fields` in place of these, unless the entry was withdrawn.
    pub fn amended(&self, fields: F) -> Result<Entry<F>, FieldErrors> {
        self.standing.check_changeable()?;
        Ok(Entry {
            version: self.version + 1,
            fields,
            ..self.clone()
        })
    }

    /// The next version after a change of standing, or why it is not allowed.
    pub fn with_standing(&self, change: &StandingChange) -> Result<Entry<F>, FieldErrors> {
        Ok(Entry {
            version: self.version + 1,
            standing: self.standing.apply(change)?,
            ..self.clone()
        })
    }
}

/// A lifecycle step of an entry of a register with fields `F` (an amendment, a change
/// of standing, and whatever else the register allows).
pub trait EntryStep<F>: Sized {
    /// The step that amends the entry's fields to `fields`.
    fn amend(fields: F) -> Self;
    /// The step that changes the entry's standing.
    fn standing(change: StandingChange) -> Self;
    /// The audit action verb.
    fn action(&self) -> &'static str;
    /// A governance lead's review decision, which leaves the version's review as it
    /// decides rather than as its author's role would.
    fn is_review(&self) -> bool;
    /// The next version of `current` after this step, or why the step is not allowed.
    fn apply(self, current: &Entry<F>) -> Result<Entry<F>, FieldErrors>;
}

/// A change to an entry's standing, common to every register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StandingChange {
    Withhold(String),
    Release,
    Withdraw(String),
    /// A governance lead accepts a submitted version: it is published.
    Accept,
    /// A governance lead returns a submitted version to the declarant, with a comment.
    Return(String),
}

impl StandingChange {
    /// Longest reason (to withhold or withdraw) or review comment, in characters.
    pub const MAX_REASON: usize = 2000;

    /// The audit action verb.
    pub fn action(&self) -> &'static str {
        match self {
            StandingChange::Withhold(_) => "withhold",
            StandingChange::Release => "release",
            StandingChange::Withdraw(_) => "withdraw",
            StandingChange::Accept => "accept",
            StandingChange::Return(_) => "return",
        }
    }
    /// A review decision, which leaves the version's review as it decides rather than
    /// as its author's role would.
    pub fn is_review(&self) -> bool {
        matches!(self, StandingChange::Accept | StandingChange::Return(_))
    }
    /// Parse the body of a `withhold`, `release`, `withdraw`, `accept` or `return` request.
    pub fn parse(action: &str, input: &Input) -> Result<StandingChange, FieldErrors> {
        let mut p = input.parser();
        let change = match action {
            "withhold" => p
                .text("reason", Self::MAX_REASON)
                .map(StandingChange::Withhold),
            "withdraw" => p
                .text("reason", Self::MAX_REASON)
                .map(StandingChange::Withdraw),
            "return" => p
                .text("comment", Self::MAX_REASON)
                .map(StandingChange::Return),
            "accept" => Some(StandingChange::Accept),
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
    fn only_a_submitted_version_is_reviewed_and_only_an_accepted_one_is_visible() {
        let submitted = Standing {
            review: Review::Submitted,
            ..Standing::active()
        };
        assert!(!submitted.is_visible());
        let returned = submitted
            .apply(&StandingChange::Return("say which practice".into()))
            .unwrap();
        assert_eq!(returned.review.comment(), Some("say which practice"));
        assert!(!returned.is_visible());
        let e = returned.apply(&StandingChange::Accept).unwrap_err();
        assert!(e.0["review"].contains("returned for changes"), "{e}");
        assert!(submitted
            .apply(&StandingChange::Accept)
            .unwrap()
            .is_visible());
        assert!(Standing::active().apply(&StandingChange::Accept).is_err());
        // A declarant's withdrawal is reviewed like any other change.
        let withdrawal = Standing {
            state: EntryState::Withdrawn,
            review: Review::Submitted,
            ..Standing::active()
        };
        let accepted = withdrawal.apply(&StandingChange::Accept).unwrap();
        assert_eq!(accepted.state, EntryState::Withdrawn);
        assert_eq!(accepted.review, Review::Accepted);
    }

    #[test]
    fn a_comment_is_required_to_return() {
        let e = StandingChange::parse("return", &Input::default()).unwrap_err();
        assert_eq!(e.0["comment"], "is required");
        assert_eq!(Review::of_author(false), Review::Submitted);
        assert_eq!(
            Review::parse("returned", Some("x".into())),
            Some(Review::Returned("x".into()))
        );
        assert_eq!(Review::parse("returned", None), None);
    }

    #[test]
    fn a_reason_is_required_to_withhold() {
        let e = StandingChange::parse("withhold", &Input::default()).unwrap_err();
        assert_eq!(e.0["reason"], "is required");
    }
}
