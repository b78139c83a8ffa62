//! The quorum rule (DOMAIN.md, "Quorum per item"): a committee's quorum, whether one
//! agenda item is quorate once the chair has decided on each declared conflict, who
//! presides over it, and the result kept as evidence beside a recorded decision.

use super::constitution::majority;
use super::{join_and, majority_shortfall, plural, with_article};
use super::{CoOpted, CommitteeRole, Conflict, ConflictDecision, Member, MemberCategory};
use crate::domain::validation::{FieldErrors, Input};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A committee's quorum: a minimum of voting members and categories that must be among them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quorum {
    pub minimum: u32,
    /// Categories at least one of which must count, in canonical order, no repeats.
    pub required: Vec<MemberCategory>,
}

impl Quorum {
    /// Largest minimum accepted.
    pub const MAX_MINIMUM: u32 = 100;

    /// A checked quorum: minimum 1..=100 and no smaller than the number of required
    /// categories; observers cannot be required. Repeated categories are merged.
    pub fn new(minimum: u32, required: Vec<MemberCategory>) -> Result<Quorum, FieldErrors> {
        let mut e = FieldErrors::default();
        let required: Vec<MemberCategory> = required
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if required.contains(&MemberCategory::Observer) {
            e.add(
                "required",
                "cannot include observers: they never count toward a quorum",
            );
        }
        if !(1..=Self::MAX_MINIMUM).contains(&minimum) {
            e.add(
                "minimum",
                format!("must be between 1 and {}", Self::MAX_MINIMUM),
            );
        } else if (minimum as usize) < required.len() {
            e.add(
                "minimum",
                format!(
                    "must be at least {}, the number of required categories",
                    required.len()
                ),
            );
        }
        e.into_result(Quorum { minimum, required })
    }

    /// Parse the fields `minimum` (a number, or digits as text) and `required` (category
    /// codes as a list, or as text separated by commas or spaces; absent means none).
    pub fn parse(input: &Input) -> Result<Quorum, FieldErrors> {
        let mut rest = input.clone();
        let minimum = rest.take("minimum").filter(|v| !v.is_null());
        let required = rest.take("required").filter(|v| !v.is_null());
        let mut p = rest.parser();
        let minimum = match minimum {
            None => {
                p.error("minimum", "is required");
                None
            }
            Some(v) => {
                let n = match &v {
                    Value::Number(n) => crate::domain::validation::whole_number(n)
                        .and_then(|i| u64::try_from(i).ok()),
                    Value::String(s) => s.trim().parse::<u64>().ok(),
                    _ => None,
                };
                if n.is_none() {
                    p.error("minimum", "must be a whole number of voting members");
                }
                n.map(|n| u32::try_from(n).unwrap_or(u32::MAX))
            }
        };
        let required = match required.map(|v| parse_categories(&v)).unwrap_or(Ok(vec![])) {
            Ok(r) => Some(r),
            Err(msg) => {
                p.error("required", msg);
                None
            }
        };
        p.finish()?;
        Quorum::new(minimum.expect("checked"), required.expect("checked"))
    }

    /// The fields as input, so an amendment can overlay its changes.
    pub fn to_input(&self) -> Input {
        let required: Vec<&str> = self.required.iter().map(|c| c.code()).collect();
        Input::from_json(json!({"minimum": self.minimum, "required": required})).expect("an object")
    }

    /// The whole rule [`item_quorum`] applies, in one sentence: "at least 3 voting members,
    /// including a lay member and an executive member; more than half of those counting
    /// lay or executive, and a lay member without a conflict to preside".
    pub fn describe(&self) -> String {
        let mut s = format!(
            "at least {} voting {}",
            self.minimum,
            plural(self.minimum as usize, "member", "members")
        );
        if !self.required.is_empty() {
            let each: Vec<String> = self
                .required
                .iter()
                .map(|c| with_article(c.noun()))
                .collect();
            s.push_str(", including ");
            s.push_str(&join_and(&each));
        }
        s.push_str(MAJORITY_AND_PRESIDING);
        s
    }
}

fn parse_categories(v: &Value) -> Result<Vec<MemberCategory>, String> {
    let choices = "must list categories from lay, executive, clinical";
    let words: Vec<String> = match v {
        Value::String(s) => s
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect(),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(|s| s.trim().to_owned()).ok_or(choices))
            .collect::<Result<_, _>>()?,
        _ => return Err(choices.to_owned()),
    };
    words
        .iter()
        .map(|w| {
            MemberCategory::parse(&w.to_ascii_lowercase()).ok_or_else(|| {
                format!(
                    "{choices}, not {:?}",
                    w.chars().take(40).collect::<String>()
                )
            })
        })
        .collect()
}

/// The rules every quorum has besides its minimum and categories, as [`Quorum::describe`]
/// ends.
const MAJORITY_AND_PRESIDING: &str =
    "; more than half of those counting lay or executive members, and a lay member without a conflict to preside";

/// Everything needed to decide whether one agenda item is quorate.
#[derive(Debug, Clone, Copy)]
pub struct ItemQuorumInput<'a> {
    /// The meeting date: memberships not in force that day are ignored.
    pub on: NaiveDate,
    /// The committee's members (see [`constitution`]).
    pub members: &'a [Member],
    /// Members co-opted from elsewhere for this meeting or item; their role is ignored.
    pub co_opted: &'a [Member],
    pub quorum: &'a Quorum,
    /// Person ids of those present; anyone else (absent, apologies) does not count.
    pub present: &'a BTreeSet<i64>,
    /// Declared conflicts on this item, by person id, with the chair's decision.
    pub conflicts: &'a BTreeMap<i64, ConflictDecision>,
}

/// A quorum rule an item fails, with its numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuorumFailure {
    /// Fewer voting members count than the quorum's minimum.
    BelowMinimum { counting: usize, minimum: u32 },
    /// No counting member of a required category.
    MissingCategory { category: MemberCategory },
    /// Lay plus executive are not more than half of those counting.
    NoLayExecutiveMajority {
        lay_executive: usize,
        counting: usize,
    },
    /// No counting lay member free of a declared conflict to preside.
    NoPresidingMember,
}

impl QuorumFailure {
    /// Stable code: `minimum`, `required_category`, `lay_executive_majority` or
    /// `presiding_member`.
    pub fn rule(&self) -> &'static str {
        match self {
            QuorumFailure::BelowMinimum { .. } => "minimum",
            QuorumFailure::MissingCategory { .. } => "required_category",
            QuorumFailure::NoLayExecutiveMajority { .. } => "lay_executive_majority",
            QuorumFailure::NoPresidingMember => "presiding_member",
        }
    }
}

impl fmt::Display for QuorumFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuorumFailure::BelowMinimum { counting, minimum } => write!(
                f,
                "{counting} voting {} for this item; the quorum is {minimum}",
                plural(*counting, "member counts", "members count")
            ),
            QuorumFailure::MissingCategory { category } => {
                write!(f, "no {} counts for this item", category.noun())
            }
            QuorumFailure::NoLayExecutiveMajority {
                lay_executive,
                counting,
            } => f.write_str(&majority_shortfall(
                *lay_executive,
                *counting,
                "member counting for this item",
                "members counting for this item",
            )),
            QuorumFailure::NoPresidingMember => {
                f.write_str("no lay member who is not conflicted can preside")
            }
        }
    }
}

/// Whether an item may record a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuorumResult {
    /// Quorate: who presides, and the person ids who count, ascending.
    Quorate { presiding: i64, counting: Vec<i64> },
    /// Inquorate: every rule failed, in the order minimum, categories, majority, presiding.
    Inquorate { failures: Vec<QuorumFailure> },
}

impl QuorumResult {
    pub fn is_quorate(&self) -> bool {
        matches!(self, QuorumResult::Quorate { .. })
    }
}

/// Decide whether an item is quorate (DOMAIN.md, "Quorum per item"): those counting are
/// the voting members and co-opted members present, less those a declared conflict
/// excludes; they must reach the minimum and each required category, lay plus executive
/// must be more than half of them, and a lay member free of conflict must preside.
pub fn item_quorum(input: &ItemQuorumInput) -> QuorumResult {
    let mut seen = BTreeSet::new();
    let people: Vec<(&Member, bool)> = input
        .members
        .iter()
        .map(|m| (m, false))
        .chain(input.co_opted.iter().map(|m| (m, true)))
        .filter(|(m, _)| m.is_active_on(input.on) && seen.insert(m.person_id))
        .collect();
    let counting: Vec<(&Member, bool)> = people
        .into_iter()
        .filter(|(m, _)| counts(input, m))
        .collect();

    let mut failures = Vec::new();
    let n = counting.len();
    if n < input.quorum.minimum as usize {
        failures.push(QuorumFailure::BelowMinimum {
            counting: n,
            minimum: input.quorum.minimum,
        });
    }
    let mut required_seen = BTreeSet::new();
    for &category in &input.quorum.required {
        if required_seen.insert(category) && !counting.iter().any(|(m, _)| m.category == category) {
            failures.push(QuorumFailure::MissingCategory { category });
        }
    }
    if let Some(short) = majority(counting.iter().map(|(m, _)| *m)) {
        failures.push(QuorumFailure::NoLayExecutiveMajority {
            lay_executive: short.lay_executive,
            counting: short.voters,
        });
    }
    let presiding = presiding_member(&counting, input.conflicts);
    if presiding.is_none() {
        failures.push(QuorumFailure::NoPresidingMember);
    }
    match presiding {
        Some(presiding) if failures.is_empty() => {
            let mut counting: Vec<i64> = counting.iter().map(|(m, _)| m.person_id).collect();
            counting.sort_unstable();
            QuorumResult::Quorate {
                presiding,
                counting,
            }
        }
        _ => QuorumResult::Inquorate { failures },
    }
}

/// Whether `m` counts for the item: voting, present, and not excluded by a declared conflict.
fn counts(input: &ItemQuorumInput, m: &Member) -> bool {
    m.votes()
        && input.present.contains(&m.person_id)
        && !input
            .conflicts
            .get(&m.person_id)
            .is_some_and(|d| d.excludes())
}

/// Among those counting, the chair, else the vice-chair, else the longest-serving other
/// lay member (standing before co-opted, then earliest `from`, then lowest id), each lay
/// and without a declared conflict on the item.
fn presiding_member(
    counting: &[(&Member, bool)],
    conflicts: &BTreeMap<i64, ConflictDecision>,
) -> Option<i64> {
    let mut eligible: Vec<(&Member, bool)> = counting
        .iter()
        .copied()
        .filter(|(m, _)| m.category == MemberCategory::Lay && !conflicts.contains_key(&m.person_id))
        .collect();
    eligible.sort_by_key(|(m, co_opted)| (*co_opted, m.from, m.person_id));
    let holding = |role: CommitteeRole| {
        eligible
            .iter()
            .find(|(m, co_opted)| !co_opted && m.role == role)
    };
    holding(CommitteeRole::Chair)
        .or_else(|| holding(CommitteeRole::ViceChair))
        .or_else(|| eligible.first())
        .map(|(m, _)| m.person_id)
}

/// A quorum result in brief: who presided and who counted, or each failed rule (the
/// `quorum` field of a decided item, and the API's `quorum_now`).
pub fn quorum_summary(result: &QuorumResult) -> Value {
    match result {
        QuorumResult::Quorate {
            presiding,
            counting,
        } => json!({"quorate": true, "presiding": presiding, "counting": counting}),
        QuorumResult::Inquorate { failures } => json!({
            "quorate": false,
            "failures": failures.iter().map(|f| json!({"rule": f.rule(), "message": f.to_string()})).collect::<Vec<_>>(),
        }),
    }
}

/// One person in a quorum's evidence: a member on the meeting's date or someone
/// co-opted to it, and what they counted as for the item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidencePerson {
    pub person_id: i64,
    pub name: String,
    pub category: MemberCategory,
    pub role: CommitteeRole,
    pub voting: bool,
    pub co_opted: bool,
    /// For a co-option recorded after the meeting's date: the day it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_on: Option<NaiveDate>,
    pub present: bool,
    pub counted: bool,
    /// The conflict they declared on the item (with its declaration and the chair's
    /// decision), which is why they did not count if `counted` is false while present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflict: Option<Conflict>,
}

/// A failed rule in a quorum's evidence: its stable code and its sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceReason {
    pub rule: String,
    pub message: String,
}

/// The quorum of an item as it stood when its outcome was recorded: the committee's
/// rule and its membership on the meeting's date, who was present, who counted, who a
/// declared conflict excluded and why, who presided, and the verdict with its reasons.
/// Stored in the item's version (so in its audit entry) and never recomputed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuorumEvidence {
    /// The meeting's date.
    pub on: NaiveDate,
    pub quorum: Quorum,
    /// The quorum rule in words, as it read that day.
    pub rule: String,
    /// Members in office that day, then those co-opted, each once.
    pub people: Vec<EvidencePerson>,
    pub presiding: Option<i64>,
    pub quorate: bool,
    /// Each failed rule, for an inquorate item.
    pub reasons: Vec<EvidenceReason>,
}

impl QuorumEvidence {
    /// The person ids who counted, ascending.
    pub fn counting(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .people
            .iter()
            .filter(|p| p.counted)
            .map(|p| p.person_id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Whether `result` (a recomputation) reaches the same verdict with the same people.
    pub fn agrees_with(&self, result: &QuorumResult) -> bool {
        match result {
            QuorumResult::Quorate {
                presiding,
                counting,
            } => self.quorate && self.presiding == Some(*presiding) && &self.counting() == counting,
            QuorumResult::Inquorate { failures } => {
                !self.quorate
                    && failures
                        .iter()
                        .map(|f| f.to_string())
                        .eq(self.reasons.iter().map(|r| r.message.clone()))
            }
        }
    }
}

/// The evidence for one item, built from the inputs [`item_quorum`] decides on, with
/// the conflicts as minuted, the meeting's co-options (for when each was recorded) and
/// the names of people the inputs leave unnamed. The verdict is `item_quorum`'s own.
pub fn quorum_evidence(
    input: &ItemQuorumInput,
    conflicts: &[Conflict],
    co_options: &[CoOpted],
    name_of: &dyn Fn(i64) -> String,
) -> QuorumEvidence {
    let result = item_quorum(input);
    let (presiding, reasons) = match &result {
        QuorumResult::Quorate { presiding, .. } => (Some(*presiding), vec![]),
        QuorumResult::Inquorate { failures } => (
            None,
            failures
                .iter()
                .map(|f| EvidenceReason {
                    rule: f.rule().to_owned(),
                    message: f.to_string(),
                })
                .collect(),
        ),
    };
    let mut seen = BTreeSet::new();
    let people = input
        .members
        .iter()
        .map(|m| (m, false))
        .chain(input.co_opted.iter().map(|m| (m, true)))
        .filter(|(m, _)| m.is_active_on(input.on) && seen.insert(m.person_id))
        .map(|(m, co_opted)| EvidencePerson {
            person_id: m.person_id,
            name: if m.name.is_empty() {
                name_of(m.person_id)
            } else {
                m.name.clone()
            },
            category: m.category,
            role: m.role,
            voting: m.votes(),
            co_opted,
            recorded_on: co_options
                .iter()
                .find(|c| co_opted && c.person_id == m.person_id)
                .and_then(|c| c.recorded_on),
            present: input.present.contains(&m.person_id),
            counted: counts(input, m),
            conflict: conflicts
                .iter()
                .find(|c| c.person_id == m.person_id)
                .cloned(),
        })
        .collect();
    QuorumEvidence {
        on: input.on,
        quorum: input.quorum.clone(),
        rule: input.quorum.describe(),
        people,
        presiding,
        quorate: result.is_quorate(),
        reasons,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{d, meeting, member, pccc};
    use super::*;
    use chrono::Days;
    use proptest::prelude::*;
    use std::time::Instant;

    use ConflictDecision::*;
    use MemberCategory::*;

    fn decide(
        members: &[Member],
        co_opted: &[Member],
        quorum: &Quorum,
        present: &[i64],
        conflicts: &[(i64, ConflictDecision)],
    ) -> QuorumResult {
        item_quorum(&ItemQuorumInput {
            on: meeting(),
            members,
            co_opted,
            quorum,
            present: &present.iter().copied().collect(),
            conflicts: &conflicts.iter().copied().collect(),
        })
    }
    fn failures(r: &QuorumResult) -> Vec<String> {
        match r {
            QuorumResult::Inquorate { failures } => {
                failures.iter().map(|f| f.to_string()).collect()
            }
            QuorumResult::Quorate { .. } => vec![],
        }
    }
    fn presiding(r: &QuorumResult) -> i64 {
        match r {
            QuorumResult::Quorate { presiding, .. } => *presiding,
            other => panic!("expected quorate, got {other:?}"),
        }
    }

    #[test]
    fn quorums_parse_from_fields_and_describe_themselves() {
        let input = |v: Value| Input::from_json(v).unwrap();
        let q = Quorum::parse(&input(
            json!({"minimum": "3", "required": "executive, lay"}),
        ))
        .unwrap();
        assert_eq!(q.required, vec![Lay, Executive]);
        assert_eq!(
            q.describe(),
            "at least 3 voting members, including a lay member and an executive member; more than half of those counting lay or executive members, and a lay member without a conflict to preside"
        );
        let q = Quorum::parse(&input(
            json!({"minimum": 4, "required": ["clinical", "lay", "executive", "lay"]}),
        ))
        .unwrap();
        assert_eq!(
            q.describe(),
            "at least 4 voting members, including a lay member, an executive member and a clinical member; more than half of those counting lay or executive members, and a lay member without a conflict to preside"
        );
        assert_eq!(Quorum::parse(&q.to_input()).unwrap(), q);
        let q = Quorum::parse(&input(json!({"minimum": 1}))).unwrap();
        assert!(q
            .describe()
            .starts_with("at least 1 voting member; more than half"));
    }

    #[test]
    fn nonsensical_quorums_are_refused() {
        let input = |v: Value| Input::from_json(v).unwrap();
        for (v, field) in [
            (json!({"minimum": 0}), "minimum"),
            (json!({"minimum": -2}), "minimum"),
            (json!({"minimum": "three"}), "minimum"),
            (json!({}), "minimum"),
            (json!({"minimum": 101}), "minimum"),
            (
                json!({"minimum": 1, "required": "lay executive"}),
                "minimum",
            ),
            (
                json!({"minimum": 3, "required": "lay, observer"}),
                "required",
            ),
            (
                json!({"minimum": 3, "required": "lay, governor"}),
                "required",
            ),
            (json!({"minimum": 3, "required": [1]}), "required"),
            (json!({"minimum": 3, "extra": 1}), "extra"),
        ] {
            let e = Quorum::parse(&input(v.clone())).unwrap_err();
            assert!(e.0.contains_key(field), "{v}: {e}");
        }
    }

    #[test]
    fn a_full_meeting_is_quorate_and_the_chair_presides() {
        let (members, quorum) = pccc();
        let r = decide(
            &members,
            &[],
            &quorum,
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
            &[],
        );
        assert_eq!(
            r,
            QuorumResult::Quorate {
                presiding: 1,
                counting: vec![1, 2, 3, 4, 5, 6, 7, 8]
            }
        );
        assert!(r.is_quorate());
    }

    #[test]
    fn gp_members_who_leave_the_room_for_their_own_practice_drop_the_item_below_quorum() {
        let (members, quorum) = pccc();
        let present = [1, 3, 4, 5, 6, 7, 8, 9, 10];
        assert!(decide(&members, &[], &quorum, &present, &[]).is_quorate());
        // An item on the Riverside and Hillside practices' contracts: all three GPs leave.
        let r = decide(
            &members,
            &[],
            &quorum,
            &present,
            &[(6, LeftRoom), (7, LeftRoom), (8, LeftRoom)],
        );
        assert!(!r.is_quorate());
        assert_eq!(
            failures(&r),
            vec![
                "4 voting members count for this item; the quorum is 5",
                "no clinical member counts for this item",
            ]
        );
        let QuorumResult::Inquorate { failures } = r else {
            unreachable!()
        };
        let codes: Vec<&str> = failures.iter().map(|f| f.rule()).collect();
        assert_eq!(codes, vec!["minimum", "required_category"]);
    }

    #[test]
    fn conflicts_that_leave_clinicians_in_the_majority_are_reported_with_their_numbers() {
        let (members, _) = pccc();
        let quorum = Quorum::new(3, vec![Lay, Executive]).unwrap();
        let r = decide(
            &members,
            &[],
            &quorum,
            &[1, 4, 6, 7],
            &[(4, StayedNotVoting)],
        );
        assert_eq!(
            failures(&r),
            vec![
                "no executive member counts for this item",
                "1 of 3 members counting for this item is lay or executive; more than half is needed, so at least 2",
            ]
        );
    }

    #[test]
    fn the_chair_conflicted_means_the_vice_chair_presides() {
        let (members, quorum) = pccc();
        let present = [1, 2, 3, 4, 5, 6];
        let r = decide(&members, &[], &quorum, &present, &[(1, LeftRoom)]);
        assert_eq!(presiding(&r), 2);
    }

    #[test]
    fn chair_and_vice_chair_both_conflicted_means_another_lay_member_presides() {
        let (mut members, quorum) = pccc();
        let mut newer = member(11, "Newer lay member", Lay, CommitteeRole::Member);
        newer.from = d("2025-09-01");
        members.push(newer);
        members[2].from = d("2020-01-01"); // the longest-serving lay member
        let present = [1, 2, 11, 3, 4, 5, 6];
        let r = decide(
            &members,
            &[],
            &quorum,
            &present,
            &[(1, StayedNotVoting), (2, LeftRoom)],
        );
        assert_eq!(presiding(&r), 3);
    }

    #[test]
    fn with_no_unconflicted_lay_member_left_nobody_can_preside() {
        let (members, _) = pccc();
        let quorum = Quorum::new(3, vec![]).unwrap();
        let r = decide(
            &members,
            &[],
            &quorum,
            &[1, 2, 4, 5, 6],
            &[(1, LeftRoom), (2, LeftRoom)],
        );
        assert_eq!(
            failures(&r),
            vec!["no lay member who is not conflicted can preside"]
        );
    }

    #[test]
    fn observers_present_never_count() {
        let (mut members, _) = pccc();
        let quorum = Quorum::new(3, vec![Lay]).unwrap();
        members[9].voting = true; // invalid, and still does not count
        let r = decide(&members, &[], &quorum, &[1, 4, 9, 10], &[]);
        assert_eq!(
            failures(&r),
            vec!["2 voting members count for this item; the quorum is 3"]
        );
        let r = decide(&members, &[], &quorum, &[1, 4, 5, 9, 10], &[]);
        assert_eq!(
            r,
            QuorumResult::Quorate {
                presiding: 1,
                counting: vec![1, 4, 5]
            }
        );
    }

    #[test]
    fn took_part_keeps_a_conflicted_member_counting_but_not_presiding() {
        let (members, quorum) = pccc();
        let present = [1, 2, 3, 4, 6, 7];
        let left = decide(
            &members,
            &[],
            &quorum,
            &present,
            &[(6, LeftRoom), (7, LeftRoom)],
        );
        assert_eq!(
            failures(&left),
            vec![
                "4 voting members count for this item; the quorum is 5",
                "no clinical member counts for this item",
            ]
        );
        // The chair and one GP declare but take part; the other GP stays without voting.
        let r = decide(
            &members,
            &[],
            &quorum,
            &present,
            &[(1, TookPart), (6, TookPart), (7, StayedNotVoting)],
        );
        assert_eq!(
            r,
            QuorumResult::Quorate {
                presiding: 2,
                counting: vec![1, 2, 3, 4, 6]
            }
        );
    }

    #[test]
    fn absent_members_and_members_whose_term_ended_do_not_count() {
        let (mut members, quorum) = pccc();
        members[4].to = Some(meeting() - Days::new(1));
        let r = decide(&members, &[], &quorum, &[1, 2, 5, 6], &[]);
        assert_eq!(
            failures(&r),
            vec![
                "3 voting members count for this item; the quorum is 5",
                "no executive member counts for this item",
            ]
        );
    }

    #[test]
    fn co_opting_an_extra_executive_member_restores_quorum() {
        let (members, _) = pccc();
        let quorum = Quorum::new(3, vec![Lay, Executive]).unwrap();
        let present = [1, 2, 4, 6, 7, 20];
        let conflicts = [(4, LeftRoom)];
        assert_eq!(
            failures(&decide(&members, &[], &quorum, &present, &conflicts)),
            vec![
                "no executive member counts for this item",
                "2 of 4 members counting for this item are lay or executive; more than half is needed, so at least 3",
            ]
        );
        let mut director = member(
            20,
            "Director of Finance, governing body",
            Executive,
            CommitteeRole::Chair,
        );
        director.from = meeting();
        director.to = Some(meeting());
        let r = decide(&members, &[director.clone()], &quorum, &present, &conflicts);
        assert_eq!(
            r,
            QuorumResult::Quorate {
                presiding: 1,
                counting: vec![1, 2, 6, 7, 20]
            }
        );
        // A co-opted member counts only when present.
        assert!(!decide(
            &members,
            &[director.clone()],
            &quorum,
            &[1, 2, 4, 6, 7],
            &conflicts
        )
        .is_quorate());
        // A co-opted lay "chair" does not displace the vice-chair, but presides last of all.
        let mut lay = member(
            21,
            "Lay member from a neighbouring CCG",
            Lay,
            CommitteeRole::Chair,
        );
        lay.from = d("2000-01-01");
        let co_opted = [director, lay];
        let present = [1, 2, 4, 6, 20, 21];
        let r = decide(&members, &co_opted, &quorum, &present, &[(1, LeftRoom)]);
        assert_eq!(presiding(&r), 2);
        let r = decide(
            &members,
            &co_opted,
            &quorum,
            &present,
            &[(1, LeftRoom), (2, LeftRoom)],
        );
        assert_eq!(presiding(&r), 21);
    }

    // ---- Reference implementations, written from the DOMAIN.md text, by counting ----

    /// One seat in a generated committee.
    #[derive(Debug, Clone, Copy)]
    struct Seat {
        category: MemberCategory,
        voting: bool,
        role: CommitteeRole,
        co_opted: bool,
        from_days: u64,
    }

    /// Where a person is for one item.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Here {
        Away,
        Present(Option<ConflictDecision>),
    }

    /// The failed rule codes, and who presides when there is no failure.
    fn reference_item(
        seats: &[Seat],
        states: &[Here],
        quorum: &Quorum,
    ) -> (BTreeSet<&'static str>, Option<usize>) {
        let counts = |i: usize| {
            let s = seats[i];
            s.voting
                && s.category != Observer
                && match states[i] {
                    Here::Away => false,
                    Here::Present(None) | Here::Present(Some(TookPart)) => true,
                    Here::Present(Some(_)) => false,
                }
        };
        let mut by_category = [0usize; 4];
        let mut n = 0;
        for i in 0..seats.len() {
            if counts(i) {
                n += 1;
                by_category[seats[i].category as usize] += 1;
            }
        }
        let mut failed = BTreeSet::new();
        if n < quorum.minimum as usize {
            failed.insert("minimum");
        }
        if quorum
            .required
            .iter()
            .any(|c| by_category[*c as usize] == 0)
        {
            failed.insert("required_category");
        }
        let lay_exec = by_category[0] + by_category[1];
        if n > 0 && lay_exec <= n - lay_exec {
            failed.insert("lay_executive_majority");
        }
        let can_preside =
            |i: usize| counts(i) && seats[i].category == Lay && states[i] == Here::Present(None);
        let standing_in = |role: CommitteeRole| {
            (0..seats.len())
                .find(|&i| can_preside(i) && !seats[i].co_opted && seats[i].role == role)
        };
        let longest_serving = (0..seats.len())
            .filter(|&i| can_preside(i))
            .min_by_key(|&i| (seats[i].co_opted, seats[i].from_days, i));
        let presiding = standing_in(CommitteeRole::Chair)
            .or(standing_in(CommitteeRole::ViceChair))
            .or(longest_serving);
        if presiding.is_none() {
            failed.insert("presiding_member");
        }
        (failed, presiding)
    }

    /// A generated committee: its members and co-opted members.
    struct Built {
        members: Vec<Member>,
        co_opted: Vec<Member>,
    }

    /// Person ids are seat index + 1; an observer (id 100) and a former lay chair whose
    /// term has ended (id 101) are always present too, and must never change anything.
    fn build(seats: &[Seat]) -> Built {
        let base = d("2020-01-01");
        let mut observer = member(100, "HealthWatch", Observer, CommitteeRole::Member);
        observer.from = base;
        let mut former = member(101, "Former chair", Lay, CommitteeRole::Chair);
        former.from = base;
        former.to = Some(meeting() - Days::new(1));
        let mut built = Built {
            members: vec![former, observer],
            co_opted: vec![],
        };
        for (i, s) in seats.iter().enumerate() {
            let m = Member {
                person_id: i as i64 + 1,
                name: String::new(),
                category: s.category,
                voting: s.voting,
                role: s.role,
                from: base + Days::new(s.from_days),
                to: None,
                audit_chair: false,
            };
            if s.co_opted {
                built.co_opted.push(m);
            } else {
                built.members.push(m);
            }
        }
        built
    }

    fn run_item(built: &Built, states: &[Here], quorum: &Quorum, on: NaiveDate) -> QuorumResult {
        let mut present: BTreeSet<i64> = [100, 101].into();
        let mut conflicts = BTreeMap::new();
        for (i, here) in states.iter().enumerate() {
            if let Here::Present(decision) = here {
                present.insert(i as i64 + 1);
                if let Some(decision) = decision {
                    conflicts.insert(i as i64 + 1, *decision);
                }
            }
        }
        item_quorum(&ItemQuorumInput {
            on,
            members: &built.members,
            co_opted: &built.co_opted,
            quorum,
            present: &present,
            conflicts: &conflicts,
        })
    }

    fn check_item(seats: &[Seat], built: &Built, states: &[Here], quorum: &Quorum, on: NaiveDate) {
        let got = run_item(built, states, quorum, on);
        let (want, want_presiding) = reference_item(seats, states, quorum);
        match &got {
            QuorumResult::Quorate { presiding, .. } => {
                assert!(
                    want.is_empty(),
                    "{seats:?} {states:?} {quorum:?}: want {want:?}"
                );
                assert_eq!(
                    Some(*presiding as usize - 1),
                    want_presiding,
                    "{seats:?} {states:?}"
                );
            }
            QuorumResult::Inquorate { failures } => {
                let codes: BTreeSet<&str> = failures.iter().map(|f| f.rule()).collect();
                assert_eq!(codes, want, "{seats:?} {states:?} {quorum:?}");
            }
        }
    }

    fn quorums() -> Vec<Quorum> {
        vec![
            Quorum::new(1, vec![]).unwrap(),
            Quorum::new(3, vec![Lay, Executive]).unwrap(),
            Quorum::new(2, vec![Clinical]).unwrap(),
        ]
    }

    /// Every combination of states for the seats: away, present, or excluded (left the
    /// room on even seats, stayed without voting on odd ones), and with `took_part` also
    /// declared but taking part.
    fn every_state(seats: &[Seat], quorums: &[Quorum], took_part: bool) -> usize {
        let n = seats.len();
        let built = build(seats);
        let on = meeting();
        let mut checked = 0;
        let k = if took_part { 4usize } else { 3 };
        for code in 0..k.pow(n as u32) {
            let states: Vec<Here> = (0..n)
                .map(|i| match code / k.pow(i as u32) % k {
                    0 => Here::Away,
                    1 => Here::Present(None),
                    2 if i % 2 == 0 => Here::Present(Some(LeftRoom)),
                    2 => Here::Present(Some(StayedNotVoting)),
                    _ => Here::Present(Some(TookPart)),
                })
                .collect();
            for quorum in quorums {
                check_item(seats, &built, &states, quorum, on);
                checked += 1;
            }
        }
        checked
    }

    /// Seats for categories; even variants make the first lay seats chair and vice-chair,
    /// odd ones give those roles to the first two seats whatever their category.
    fn seats(categories: &[MemberCategory], variant: usize, co_opt_last: bool) -> Vec<Seat> {
        let lay: Vec<usize> = (0..categories.len())
            .filter(|&i| categories[i] == Lay)
            .collect();
        let (chair, vice) = if variant % 2 == 0 {
            (
                lay.first().copied(),
                lay.last().copied().filter(|_| lay.len() > 1),
            )
        } else {
            (Some(0), Some(1))
        };
        categories
            .iter()
            .enumerate()
            .map(|(i, &category)| Seat {
                category,
                voting: true,
                role: if Some(i) == chair {
                    CommitteeRole::Chair
                } else if Some(i) == vice {
                    CommitteeRole::ViceChair
                } else {
                    CommitteeRole::Member
                },
                co_opted: co_opt_last && i + 1 == categories.len(),
                from_days: (i as u64 * 5) % 7,
            })
            .collect()
    }

    #[test]
    fn item_quorum_agrees_with_the_reference_for_every_small_committee() {
        let started = Instant::now();
        let all = quorums();
        let mut checked = 0;
        for size in 1..=5usize {
            for code in 0..3usize.pow(size as u32) {
                let categories: Vec<MemberCategory> = (0..size)
                    .map(|i| [Lay, Executive, Clinical][code / 3usize.pow(i as u32) % 3])
                    .collect();
                // Every quorum, and "took part" too, for sizes up to 4; at size 5 one
                // quorum per committee and only away, present and excluded.
                let (quorums, took_part) = if size < 5 {
                    (&all[..], true)
                } else {
                    (&all[code % all.len()..][..1], false)
                };
                let seats = seats(&categories, code, code % 5 == 4);
                checked += every_state(&seats, quorums, took_part);
            }
        }
        assert!(checked > 100_000);
        eprintln!("{checked} items in {:?}", started.elapsed());
    }

    #[test]
    fn item_quorum_agrees_with_the_reference_for_representative_larger_committees() {
        let started = Instant::now();
        let committees: [&[MemberCategory]; 6] = [
            &[Lay, Lay, Lay, Executive, Executive, Clinical, Clinical],
            &[Lay, Executive, Clinical, Clinical, Clinical, Clinical, Lay],
            &[Clinical, Clinical, Clinical, Lay, Executive, Executive],
            &[Lay, Lay, Executive, Clinical, Clinical, Clinical],
            &[Executive, Executive, Executive, Clinical, Clinical, Lay],
            &[Lay, Lay, Lay, Lay, Executive, Clinical],
        ];
        let all = quorums();
        let mut checked = 0;
        for (k, categories) in committees.iter().enumerate() {
            let quorum = &all[k % all.len()..][..1];
            checked += every_state(&seats(categories, k, k % 2 == 1), quorum, true);
        }
        eprintln!("{checked} items in {:?}", started.elapsed());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]


        #[test]
        fn item_quorum_agrees_with_the_reference_for_random_larger_committees(
            kinds in prop::collection::vec((0usize..3, any::<bool>(), 0usize..4), 1..12),
            variant in 0usize..4,
            quorum in 0usize..3,
        ) {
            let categories: Vec<MemberCategory> =
                kinds.iter().map(|(c, _, _)| [Lay, Executive, Clinical][*c]).collect();
            let mut seats = seats(&categories, variant, variant >= 2);
            for (seat, (_, voting, _)) in seats.iter_mut().zip(&kinds) {
                seat.voting = *voting;
            }
            let states: Vec<Here> = kinds
                .iter()
                .map(|(_, _, s)| match s {
                    0 => Here::Away,
                    1 => Here::Present(None),
                    2 => Here::Present(Some(LeftRoom)),
                    _ => Here::Present(Some(TookPart)),
                })
                .collect();
            check_item(&seats, &build(&seats), &states, &quorums()[quorum], meeting());
        }
    }
}
