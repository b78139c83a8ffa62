//! Committees and quorum (DOMAIN.md, "Committees, meetings and quorum"): who sits on a
//! committee and in which role, whether its constitution holds on a date, and whether
//! an agenda item is quorate once the chair has decided on each declared conflict.
//!
//! Where DOMAIN.md is silent this module decides, and the tests pin it down:
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

use super::validation::{FieldErrors, Input};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

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

impl MemberCategory {
    pub const ALL: [MemberCategory; 4] = [
        MemberCategory::Lay,
        MemberCategory::Executive,
        MemberCategory::Clinical,
        MemberCategory::Observer,
    ];
    pub const CODES: [&'static str; 4] = ["lay", "executive", "clinical", "observer"];

    pub fn code(self) -> &'static str {
        Self::CODES[self as usize]
    }
    pub fn parse(s: &str) -> Option<MemberCategory> {
        Self::CODES
            .iter()
            .position(|c| *c == s)
            .map(|i| Self::ALL[i])
    }
    /// The label pages show.
    pub fn label(self) -> &'static str {
        match self {
            MemberCategory::Lay => "Lay",
            MemberCategory::Executive => "Executive",
            MemberCategory::Clinical => "Clinical",
            MemberCategory::Observer => "Attendee/observer",
        }
    }
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
pub enum Role {
    Chair,
    ViceChair,
    Member,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Chair, Role::ViceChair, Role::Member];
    pub const CODES: [&'static str; 3] = ["chair", "vice_chair", "member"];

    pub fn code(self) -> &'static str {
        Self::CODES[self as usize]
    }
    pub fn parse(s: &str) -> Option<Role> {
        Self::CODES
            .iter()
            .position(|c| *c == s)
            .map(|i| Self::ALL[i])
    }
    /// The label pages show.
    pub fn label(self) -> &'static str {
        match self {
            Role::Chair => "Chair",
            Role::ViceChair => "Vice-chair",
            Role::Member => "Member",
        }
    }
}

const OBSERVERS_DO_NOT_VOTE: &str = "must be false for an observer: observers never vote";
const TO_BEFORE_FROM: &str = "cannot be before the date the membership began";

/// One person's membership of a committee over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub person_id: i64,
    pub name: String,
    pub category: MemberCategory,
    pub voting: bool,
    pub role: Role,
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
        let role = p.opt_choice("role", &Role::CODES, Role::parse);
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
            role: role.unwrap_or(Role::Member),
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
                    Value::Number(n) => {
                        super::validation::whole_number(n).and_then(|i| u64::try_from(i).ok())
                    }
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

    /// In words: "at least 3 voting members, including a lay member and an executive member".
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

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Half of `n` as people write it: "3.5", "3".
fn half(n: usize) -> String {
    if n % 2 == 0 {
        (n / 2).to_string()
    } else {
        format!("{}.5", n / 2)
    }
}

/// A broken constitution rule: membership may not be changed to this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    /// Stable code: `no_voting_members`, `observer_votes`, `duplicate_member`,
    /// `lay_executive_majority`, `one_chair`, `chair_is_lay`, `chair_is_voting`,
    /// `one_vice_chair`, `vice_chair_is_lay` or `vice_chair_is_voting`.
    pub rule: &'static str,
    pub message: String,
}

/// Advice the guidance gives that the committee does not follow (a warning only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Advice {
    /// Stable code: `three_lay_members` or `audit_chair_chairs`.
    pub rule: &'static str,
    pub message: String,
}

impl fmt::Display for Breach {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The result of checking a committee's constitution on a date.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConstitutionCheck {
    pub errors: Vec<Breach>,
    pub warnings: Vec<Advice>,
}

impl ConstitutionCheck {
    /// Whether no rule is broken (warnings allowed).
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Check the constitution rules on `on` against the memberships in force that day
/// (checked whenever membership changes: pass the memberships as they would be).
pub fn constitution(members: &[Member], on: NaiveDate) -> ConstitutionCheck {
    let active: Vec<&Member> = members.iter().filter(|m| m.is_active_on(on)).collect();
    let voters: Vec<&Member> = active.iter().copied().filter(|m| m.votes()).collect();
    let mut errors = Vec::new();
    let mut breach = |rule, message: String| errors.push(Breach { rule, message });

    if voters.is_empty() {
        breach(
            "no_voting_members",
            format!("the committee has no voting members on {on}"),
        );
    }
    for m in active
        .iter()
        .filter(|m| m.category == MemberCategory::Observer && m.voting)
    {
        breach(
            "observer_votes",
            format!("{} is an observer and cannot vote", m.name),
        );
    }
    let mut memberships: BTreeMap<i64, (usize, &str)> = BTreeMap::new();
    for m in &active {
        memberships.entry(m.person_id).or_insert((0, &m.name)).0 += 1;
    }
    for (n, name) in memberships.values().filter(|(n, _)| *n > 1) {
        breach(
            "duplicate_member",
            format!("{name} holds {n} memberships of the committee on {on}; one is allowed"),
        );
    }
    let lay_executive = voters
        .iter()
        .filter(|m| m.category.is_lay_or_executive())
        .count();
    if !voters.is_empty() && 2 * lay_executive <= voters.len() {
        breach(
            "lay_executive_majority",
            format!(
                "lay+executive {lay_executive} of {} voting members; need more than {}",
                voters.len(),
                half(voters.len())
            ),
        );
    }
    for (role, count_rule, lay_rule, voting_rule) in [
        (Role::Chair, "one_chair", "chair_is_lay", "chair_is_voting"),
        (
            Role::ViceChair,
            "one_vice_chair",
            "vice_chair_is_lay",
            "vice_chair_is_voting",
        ),
    ] {
        let holders: Vec<&Member> = active.iter().copied().filter(|m| m.role == role).collect();
        let title = role.label().to_lowercase();
        match (role, holders.len()) {
            (Role::Chair, 0) => breach(count_rule, "the committee has no chair".to_owned()),
            (_, 0 | 1) => {}
            (_, n) => breach(
                count_rule,
                format!(
                    "the committee has {n} {title}s; it {} one",
                    if role == Role::Chair {
                        "must have exactly"
                    } else {
                        "may have at most"
                    }
                ),
            ),
        }
        for m in holders {
            if m.category != MemberCategory::Lay {
                breach(
                    lay_rule,
                    format!(
                        "the {title}, {}, is {}; the {title} must be a lay member",
                        m.name,
                        with_article(m.category.noun())
                    ),
                );
            }
            if !m.votes() {
                breach(
                    voting_rule,
                    format!(
                        "the {title}, {}, is not a voting member; the {title} must vote",
                        m.name
                    ),
                );
            }
        }
    }

    let mut warnings = Vec::new();
    let lay = voters
        .iter()
        .filter(|m| m.category == MemberCategory::Lay)
        .count();
    if lay < 3 {
        warnings.push(Advice {
            rule: "three_lay_members",
            message: format!(
                "at least 3 lay members is recommended; there {} {lay}",
                plural(lay, "is", "are")
            ),
        });
    }
    for m in active
        .iter()
        .filter(|m| m.role == Role::Chair && m.audit_chair)
    {
        warnings.push(Advice {
            rule: "audit_chair_chairs",
            message: format!(
                "{} chairs the audit committee (the conflicts of interest guardian) and should not chair this committee",
                m.name
            ),
        });
    }
    ConstitutionCheck { errors, warnings }
}

/// The chair's decision on a member's declared conflict for one agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictDecision {
    LeftRoom,
    StayedNotVoting,
    TookPart,
}

impl ConflictDecision {
    pub const ALL: [ConflictDecision; 3] = [
        ConflictDecision::LeftRoom,
        ConflictDecision::StayedNotVoting,
        ConflictDecision::TookPart,
    ];
    pub const CODES: [&'static str; 3] = ["left_room", "stayed_not_voting", "took_part"];

    pub fn code(self) -> &'static str {
        Self::CODES[self as usize]
    }
    pub fn parse(s: &str) -> Option<ConflictDecision> {
        Self::CODES
            .iter()
            .position(|c| *c == s)
            .map(|i| Self::ALL[i])
    }
    /// The label minutes show.
    pub fn label(self) -> &'static str {
        match self {
            ConflictDecision::LeftRoom => "Left the room",
            ConflictDecision::StayedNotVoting => "Stayed but did not vote",
            ConflictDecision::TookPart => "Stayed and took part",
        }
    }
    /// Whether the member stops counting for the item.
    pub fn excludes(self) -> bool {
        !matches!(self, ConflictDecision::TookPart)
    }
}

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
            } => write!(
                f,
                "lay+executive {lay_executive} of {counting} counting {}; need more than {}",
                plural(*counting, "member", "members"),
                half(*counting)
            ),
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
    let counts = |m: &Member| {
        m.votes()
            && input.present.contains(&m.person_id)
            && !input
                .conflicts
                .get(&m.person_id)
                .is_some_and(|d| d.excludes())
    };
    let counting: Vec<(&Member, bool)> = people.into_iter().filter(|(m, _)| counts(m)).collect();

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
    let lay_executive = counting
        .iter()
        .filter(|(m, _)| m.category.is_lay_or_executive())
        .count();
    if n > 0 && 2 * lay_executive <= n {
        failures.push(QuorumFailure::NoLayExecutiveMajority {
            lay_executive,
            counting: n,
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
    let holding = |role: Role| {
        eligible
            .iter()
            .find(|(m, co_opted)| !co_opted && m.role == role)
    };
    holding(Role::Chair)
        .or_else(|| holding(Role::ViceChair))
        .or_else(|| eligible.first())
        .map(|(m, _)| m.person_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Days;
    use proptest::prelude::*;
    use std::time::Instant;

    use ConflictDecision::*;
    use MemberCategory::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn meeting() -> NaiveDate {
        d("2026-03-12")
    }
    fn member(id: i64, name: &str, category: MemberCategory, role: Role) -> Member {
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
    fn rules(check: &ConstitutionCheck) -> (Vec<&str>, Vec<&str>) {
        (
            check.errors.iter().map(|b| b.rule).collect(),
            check.warnings.iter().map(|a| a.rule).collect(),
        )
    }

    /// A primary care commissioning committee: 3 lay, 2 executive, 3 GPs and two
    /// observers; quorum 5 including a lay, an executive and a clinical member.
    fn pccc() -> (Vec<Member>, Quorum) {
        let members = vec![
            member(1, "Ms Lay Chair", Lay, Role::Chair),
            member(2, "Mr Lay Vice", Lay, Role::ViceChair),
            member(3, "Mrs Lay Governance", Lay, Role::Member),
            member(4, "Chief Finance Officer", Executive, Role::Member),
            member(5, "Director of Nursing", Executive, Role::Member),
            member(6, "Dr GP Riverside A", Clinical, Role::Member),
            member(7, "Dr GP Riverside B", Clinical, Role::Member),
            member(8, "Dr GP Hillside", Clinical, Role::Member),
            member(9, "HealthWatch", Observer, Role::Member),
            member(10, "Health and Wellbeing Board", Observer, Role::Member),
        ];
        let quorum = Quorum::new(5, vec![Lay, Executive, Clinical]).unwrap();
        (members, quorum)
    }

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
    fn codes_round_trip_and_labels_exist() {
        for code in MemberCategory::CODES {
            let c = MemberCategory::parse(code).unwrap();
            assert_eq!(c.code(), code);
            assert!(!c.label().is_empty());
        }
        for code in Role::CODES {
            assert_eq!(Role::parse(code).unwrap().code(), code);
        }
        for code in ConflictDecision::CODES {
            assert_eq!(ConflictDecision::parse(code).unwrap().code(), code);
        }
        assert_eq!(Role::ViceChair.label(), "Vice-chair");
        assert_eq!(MemberCategory::parse("governor"), None);
    }

    #[test]
    fn the_pccc_as_constituted_is_valid() {
        let (members, _) = pccc();
        let check = constitution(&members, meeting());
        assert!(check.is_valid(), "{check:?}");
        assert!(check.warnings.is_empty(), "{check:?}");
    }

    #[test]
    fn the_constitution_with_an_executive_chair_is_refused() {
        let (mut members, _) = pccc();
        members[0].role = Role::Member;
        members[3].role = Role::Chair;
        let check = constitution(&members, meeting());
        assert_eq!(rules(&check).0, vec!["chair_is_lay"]);
        assert_eq!(
            check.errors[0].message,
            "the chair, Chief Finance Officer, is an executive member; the chair must be a lay member"
        );
    }

    #[test]
    fn a_membership_change_that_breaks_the_majority_is_refused_with_its_numbers() {
        let (mut members, _) = pccc();
        members.truncate(8);
        members.remove(4); // 3 lay, 1 executive, 3 clinical: 4 of 7
        assert!(constitution(&members, meeting()).is_valid());
        // The CFO leaves and a fourth GP joins the next day.
        members[3].to = Some(meeting());
        let mut gp = member(11, "Dr GP Lakeside", Clinical, Role::Member);
        gp.from = meeting() + Days::new(1);
        members.push(gp);
        assert!(constitution(&members, meeting()).is_valid());
        let check = constitution(&members, meeting() + Days::new(1));
        assert_eq!(rules(&check).0, vec!["lay_executive_majority"]);
        assert_eq!(
            check.errors[0].message,
            "lay+executive 3 of 7 voting members; need more than 3.5"
        );
    }

    #[test]
    fn an_even_committee_needs_more_than_half_exactly() {
        let members = vec![
            member(1, "Lay chair", Lay, Role::Chair),
            member(2, "Lay", Lay, Role::Member),
            member(3, "Lay", Lay, Role::Member),
            member(4, "GP", Clinical, Role::Member),
            member(5, "GP", Clinical, Role::Member),
            member(6, "GP", Clinical, Role::Member),
        ];
        let check = constitution(&members, meeting());
        assert_eq!(
            check.errors[0].message,
            "lay+executive 3 of 6 voting members; need more than 3"
        );
    }

    #[test]
    fn chairs_and_vice_chairs_are_single_lay_and_voting() {
        let mut members = vec![
            member(1, "A", Lay, Role::Chair),
            member(2, "B", Lay, Role::Chair),
            member(3, "C", Clinical, Role::ViceChair),
            member(4, "D", Executive, Role::ViceChair),
            member(5, "E", Executive, Role::Member),
        ];
        members[1].voting = false;
        let check = constitution(&members, meeting());
        assert_eq!(
            rules(&check).0,
            vec![
                "one_chair",
                "chair_is_voting",
                "one_vice_chair",
                "vice_chair_is_lay",
                "vice_chair_is_lay"
            ]
        );
        assert_eq!(
            check.errors[0].message,
            "the committee has 2 chairs; it must have exactly one"
        );
        assert_eq!(
            check.errors[2].message,
            "the committee has 2 vice-chairs; it may have at most one"
        );
        let none = constitution(&members[2..], meeting());
        assert!(rules(&none).0.contains(&"one_chair"));
        assert_eq!(none.errors[0].message, "the committee has no chair");
    }

    #[test]
    fn a_committee_with_no_voting_members_is_a_breach() {
        let mut chair = member(1, "Lay chair", Lay, Role::Chair);
        chair.voting = false;
        let members = vec![chair, member(2, "HealthWatch", Observer, Role::Member)];
        let check = constitution(&members, meeting());
        assert_eq!(
            rules(&check),
            (
                vec!["no_voting_members", "chair_is_voting"],
                vec!["three_lay_members"]
            )
        );
        assert_eq!(
            check.warnings[0].message,
            "at least 3 lay members is recommended; there are 0"
        );
        assert_eq!(
            rules(&constitution(&[], meeting())).0,
            vec!["no_voting_members", "one_chair"]
        );
    }

    #[test]
    fn voting_observers_and_double_memberships_are_breaches() {
        let (mut members, _) = pccc();
        members[8].voting = true;
        let mut again = members[5].clone();
        again.role = Role::Member;
        members.push(again);
        let check = constitution(&members, meeting());
        assert_eq!(rules(&check).0, vec!["observer_votes", "duplicate_member"]);
        assert!(members[8].validate().is_err());
    }

    #[test]
    fn few_lay_members_and_the_audit_chair_in_the_chair_are_warnings() {
        let (mut members, _) = pccc();
        members[0].audit_chair = true;
        members[2].to = Some(meeting() - Days::new(1));
        let check = constitution(&members, meeting());
        assert!(check.is_valid(), "{check:?}");
        assert_eq!(
            rules(&check).1,
            vec!["three_lay_members", "audit_chair_chairs"]
        );
        assert_eq!(
            check.warnings[0].message,
            "at least 3 lay members is recommended; there are 2"
        );
        assert!(check.warnings[1]
            .message
            .starts_with("Ms Lay Chair chairs the audit committee"));
    }

    #[test]
    fn memberships_count_only_between_their_dates() {
        let mut m = member(1, "A", Lay, Role::Chair);
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
        assert_eq!(m.role, Role::Member);
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
    fn quorums_parse_from_fields_and_describe_themselves() {
        let input = |v: Value| Input::from_json(v).unwrap();
        let q = Quorum::parse(&input(
            json!({"minimum": "3", "required": "executive, lay"}),
        ))
        .unwrap();
        assert_eq!(q.required, vec![Lay, Executive]);
        assert_eq!(
            q.describe(),
            "at least 3 voting members, including a lay member and an executive member"
        );
        let q = Quorum::parse(&input(
            json!({"minimum": 4, "required": ["clinical", "lay", "executive", "lay"]}),
        ))
        .unwrap();
        assert_eq!(
            q.describe(),
            "at least 4 voting members, including a lay member, an executive member and a clinical member"
        );
        assert_eq!(Quorum::parse(&q.to_input()).unwrap(), q);
        let q = Quorum::parse(&input(json!({"minimum": 1}))).unwrap();
        assert_eq!(q.describe(), "at least 1 voting member");
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
                "lay+executive 1 of 3 counting members; need more than 1.5",
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
        let mut newer = member(11, "Newer lay member", Lay, Role::Member);
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
                "lay+executive 2 of 4 counting members; need more than 2",
            ]
        );
        let mut director = member(
            20,
            "Director of Finance, governing body",
            Executive,
            Role::Chair,
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
        let mut lay = member(21, "Lay member from a neighbouring CCG", Lay, Role::Chair);
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
        role: Role,
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
        let standing_in = |role: Role| {
            (0..seats.len())
                .find(|&i| can_preside(i) && !seats[i].co_opted && seats[i].role == role)
        };
        let longest_serving = (0..seats.len())
            .filter(|&i| can_preside(i))
            .min_by_key(|&i| (seats[i].co_opted, seats[i].from_days, i));
        let presiding = standing_in(Role::Chair)
            .or(standing_in(Role::ViceChair))
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
        let mut observer = member(100, "HealthWatch", Observer, Role::Member);
        observer.from = base;
        let mut former = member(101, "Former chair", Lay, Role::Chair);
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
                    Role::Chair
                } else if Some(i) == vice {
                    Role::ViceChair
                } else {
                    Role::Member
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

    fn reference_constitution(
        members: &[Member],
        on: NaiveDate,
    ) -> (BTreeSet<&'static str>, BTreeSet<&'static str>) {
        let active: Vec<&Member> = members
            .iter()
            .filter(|m| m.from <= on && m.to.is_none_or(|t| t >= on))
            .collect();
        let votes = |m: &Member| m.voting && m.category != Observer;
        let voters = active.iter().filter(|m| votes(m)).count();
        let lay_exec = active
            .iter()
            .filter(|m| votes(m) && matches!(m.category, Lay | Executive))
            .count();
        let lay = active
            .iter()
            .filter(|m| votes(m) && m.category == Lay)
            .count();
        let mut errors = BTreeSet::new();
        if voters == 0 {
            errors.insert("no_voting_members");
        } else if lay_exec <= voters - lay_exec {
            errors.insert("lay_executive_majority");
        }
        if active.iter().any(|m| m.category == Observer && m.voting) {
            errors.insert("observer_votes");
        }
        let ids: BTreeSet<i64> = active.iter().map(|m| m.person_id).collect();
        if ids.len() < active.len() {
            errors.insert("duplicate_member");
        }
        let chairs: Vec<&&Member> = active.iter().filter(|m| m.role == Role::Chair).collect();
        let vices: Vec<&&Member> = active
            .iter()
            .filter(|m| m.role == Role::ViceChair)
            .collect();
        if chairs.len() != 1 {
            errors.insert("one_chair");
        }
        if vices.len() > 1 {
            errors.insert("one_vice_chair");
        }
        if chairs.iter().any(|m| m.category != Lay) {
            errors.insert("chair_is_lay");
        }
        if chairs.iter().any(|m| !votes(m)) {
            errors.insert("chair_is_voting");
        }
        if vices.iter().any(|m| m.category != Lay) {
            errors.insert("vice_chair_is_lay");
        }
        if vices.iter().any(|m| !votes(m)) {
            errors.insert("vice_chair_is_voting");
        }
        let mut warnings = BTreeSet::new();
        if lay < 3 {
            warnings.insert("three_lay_members");
        }
        if chairs.iter().any(|m| m.audit_chair) {
            warnings.insert("audit_chair_chairs");
        }
        (errors, warnings)
    }

    fn check_constitution(members: &[Member], on: NaiveDate) {
        let got = constitution(members, on);
        let errors: BTreeSet<&str> = got.errors.iter().map(|b| b.rule).collect();
        let warnings: BTreeSet<&str> = got.warnings.iter().map(|a| a.rule).collect();
        assert_eq!(
            (errors, warnings),
            reference_constitution(members, on),
            "{members:?}"
        );
        assert_eq!(got.is_valid(), got.errors.is_empty());
    }

    #[test]
    fn constitution_agrees_with_the_reference_for_every_committee_of_up_to_three() {
        let started = Instant::now();
        let mut kinds = vec![];
        for category in MemberCategory::ALL {
            for voting in [true, false] {
                for role in Role::ALL {
                    kinds.push((category, voting, role));
                }
            }
        }
        let mut checked = 0;
        for size in 0..=3u32 {
            for code in 0..kinds.len().pow(size) {
                let members: Vec<Member> = (0..size as usize)
                    .map(|i| {
                        let (category, voting, role) =
                            kinds[code / kinds.len().pow(i as u32) % kinds.len()];
                        Member {
                            voting,
                            role,
                            audit_chair: code % 2 == 0 && i == 0,
                            ..member(i as i64 + 1, "M", category, role)
                        }
                    })
                    .collect();
                check_constitution(&members, meeting());
                checked += 1;
            }
        }
        assert_eq!(checked, 1 + 24 + 576 + 13_824);
        eprintln!("{checked} constitutions in {:?}", started.elapsed());
    }

    fn arb_member() -> impl Strategy<Value = Member> {
        (
            1i64..8,
            0usize..4,
            any::<bool>(),
            0usize..3,
            -3i64..3,
            prop::option::of(-3i64..3),
            any::<bool>(),
        )
            .prop_map(
                |(id, category, voting, role, from, to, audit_chair)| Member {
                    person_id: id,
                    name: format!("Person {id}"),
                    category: MemberCategory::ALL[category],
                    voting,
                    role: Role::ALL[role],
                    from: meeting() + chrono::Duration::days(from),
                    to: to.map(|t| meeting() + chrono::Duration::days(from + t.abs())),
                    audit_chair,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn constitution_agrees_with_the_reference_for_random_committees(
            members in prop::collection::vec(arb_member(), 0..10),
            offset in -2i64..3,
        ) {
            check_constitution(&members, meeting() + chrono::Duration::days(offset));
        }

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
