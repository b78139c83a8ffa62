//! Committees (DOMAIN.md, "Committees, meetings and quorum"), by concern: the records a
//! governance lead enters ([`membership`], [`meetings`]), the rules a committee's membership
//! must obey ([`constitution`]) and the rule an agenda item must pass to record a decision
//! ([`quorum`]). Everything is re-exported here, so callers name `domain::committees::X`.
//!
//! Where DOMAIN.md is silent these modules decide, and their tests pin it down:
//!
//! * Only **voting** members count, and observers never vote: a voting observer is an
//!   invalid membership ([`Member::validate`]), a constitution breach, and is treated as
//!   non-voting everywhere else.
//! * A committee with **no voting members** on a date is a breach (`no_voting_members`);
//!   the majority rule is then not reported as well. Likewise an item with nobody
//!   counting fails the minimum, but the majority rule is not reported for it.
//! * Holding **two memberships** of one committee at once is a breach
//!   (`duplicate_member`); when counting for an item each person counts once.
//! * The 3-lay-members advice counts voting lay members.
//! * Anyone who **declared a conflict** on an item may not preside over it, even if the
//!   chair let them take part: [`ConflictDecision::TookPart`] keeps them counting, not
//!   presiding. Who presides: the chair, else the vice-chair, else the longest-serving
//!   other lay member (earliest `from`, then lowest person id), standing members before
//!   co-opted ones; each must be present, voting, lay and free of any declared conflict.
//! * **Co-opted** members (brought in from elsewhere when conflicts make a committee
//!   inquorate) are passed separately, count like members when present, and never take
//!   the chair's or vice-chair's place whatever role they carry.
//!
//! People are named by their slug in input and by their id once resolved; fields that
//! name people are resolved by the store, which knows who exists.

pub mod constitution;
pub mod corrections;
pub mod crosscheck;
pub mod meetings;
pub mod membership;
pub mod quorum;

pub use constitution::{
    constitution, majority, Advice, ConstitutionBreach, ConstitutionCheck, MajorityShortfall,
};
pub use corrections::{conflict_changes, meeting_changes, reason_required, Part, PersonChange};
pub use meetings::{
    item_to_input, Attendance, CoOpted, Conflict, ConflictDecision, ConflictInput, Item, ItemInput,
    ItemOutcome, ItemOutcomeInput, Meeting, MeetingInput,
};
pub use membership::{Committee, CommitteeRole, Member, MemberCategory, Membership};
pub use quorum::{
    item_quorum, quorum_evidence, quorum_summary, EvidencePerson, EvidenceReason, ItemQuorumInput,
    Quorum, QuorumEvidence, QuorumFailure, QuorumResult,
};

/// Longest free text accepted in a minute or a description.
pub const LONG_TEXT: usize = 20_000;

// The wording the rules' messages share (`domain::words`), so that a constitution breach
// and a quorum failure about the same rule read alike.
use crate::domain::words::{join_and, majority_shortfall, plural, with_article};

/// The committee the tests of every rule share, and the dates they use.
#[cfg(test)]
mod fixtures {
    use super::*;
    use chrono::{Days, NaiveDate};
    use MemberCategory::*;

    pub fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    pub fn meeting() -> NaiveDate {
        d("2026-03-12")
    }
    pub fn member(id: i64, name: &str, category: MemberCategory, role: CommitteeRole) -> Member {
        Member {
            person_id: id,
            name: name.to_owned(),
            category,
            voting: category != Observer,
            role,
            from: d("2024-04-01") + Days::new(id as u64),
            to: None,
            audit_chair: false,
        }
    }
    /// A primary care commissioning committee: 3 lay, 2 executive, 3 GPs and two
    /// observers; quorum 5 including a lay, an executive and a clinical member.
    pub fn pccc() -> (Vec<Member>, Quorum) {
        let members = vec![
            member(1, "Ms Lay Chair", Lay, CommitteeRole::Chair),
            member(2, "Mr Lay Vice", Lay, CommitteeRole::ViceChair),
            member(3, "Mrs Lay Governance", Lay, CommitteeRole::Member),
            member(4, "Chief Finance Officer", Executive, CommitteeRole::Member),
            member(5, "Director of Nursing", Executive, CommitteeRole::Member),
            member(6, "Dr GP Riverside A", Clinical, CommitteeRole::Member),
            member(7, "Dr GP Riverside B", Clinical, CommitteeRole::Member),
            member(8, "Dr GP Hillside", Clinical, CommitteeRole::Member),
            member(9, "HealthWatch", Observer, CommitteeRole::Member),
            member(
                10,
                "Health and Wellbeing Board",
                Observer,
                CommitteeRole::Member,
            ),
        ];
        let quorum = Quorum::new(5, vec![Lay, Executive, Clinical]).unwrap();
        (members, quorum)
    }
}
