//! The records of a committee's meetings as a governance lead enters them: attendance and
//! co-options, agenda items with the conflicts declared on them, and what became of each
//! item. Whether an item may record a decision is [`super::quorum`]'s rule.

use super::{CommitteeRole, Member, MemberCategory, QuorumEvidence, LONG_TEXT};
use crate::domain::codes::coded;
use crate::domain::validation::{FieldErrors, Input, Parser, MAX_PERSON_REF};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Whether a member came to a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Present,
    Apologies,
    Absent,
}

coded!(Attendance {
    Present => "present", "Present";
    Apologies => "apologies", "Apologies";
    Absent => "absent", "Absent";
});

/// Someone co-opted for a meeting from elsewhere (another committee, the governing
/// body, a neighbouring organisation) to restore a quorum that conflicts broke. A
/// co-option is for the whole meeting: they count for every item they do not declare
/// a conflict on, as a member present would.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoOpted {
    pub person_id: i64,
    pub category: MemberCategory,
    /// Where they come from and why (shown in the minutes).
    pub note: String,
    /// Set when the co-option was recorded after the meeting's date: the day it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorded_on: Option<NaiveDate>,
}

/// A meeting of a committee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    pub committee_id: i64,
    pub held_on: NaiveDate,
    /// Attendance by person id; members not listed were absent.
    pub attendance: Vec<(i64, Attendance)>,
    /// Present by co-option (always present at the meeting).
    pub co_opted: Vec<CoOpted>,
    /// Why this version corrected the record (see [`super::corrections`]), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction_reason: Option<String>,
}

impl Meeting {
    pub fn status_of(&self, person_id: i64) -> Attendance {
        self.attendance
            .iter()
            .find(|(p, _)| *p == person_id)
            .map(|(_, a)| *a)
            .unwrap_or(Attendance::Absent)
    }
    /// Person ids present: members marked present and everyone co-opted.
    pub fn present(&self) -> BTreeSet<i64> {
        self.attendance
            .iter()
            .filter(|(_, a)| *a == Attendance::Present)
            .map(|(p, _)| *p)
            .chain(self.co_opted.iter().map(|c| c.person_id))
            .collect()
    }
    /// The co-opted members as [`Member`]s for the quorum rule: voting, for the day. They
    /// are left unnamed: the rule counts people by id and its failures name nobody.
    pub fn co_opted_members(&self) -> Vec<Member> {
        self.co_opted
            .iter()
            .map(|c| Member {
                person_id: c.person_id,
                name: String::new(),
                category: c.category,
                voting: true,
                role: CommitteeRole::Member,
                from: self.held_on,
                to: Some(self.held_on),
                audit_chair: false,
            })
            .collect()
    }
}

/// A meeting as entered: people named by slug, not yet resolved.
#[derive(Debug, Clone)]
pub struct MeetingInput {
    pub held_on: NaiveDate,
    pub attendance: Vec<(String, Attendance)>,
    pub co_opted: Vec<(String, MemberCategory, String)>,
    /// Why an amendment corrects the record; required for a correction (see
    /// [`super::corrections::reason_required`]).
    pub correction_reason: Option<String>,
}

impl MeetingInput {
    /// Longest note on why a person was co-opted, in characters.
    pub const MAX_NOTE: usize = 500;
    /// Longest reason for a correction, in characters.
    pub const MAX_REASON: usize = 2000;

    /// Parse `held_on`, `attendance` (an object of person slug to `present`,
    /// `apologies` or `absent`) and `co_opted` (a list of `{person, category, note}`).
    pub fn parse(input: &Input) -> Result<MeetingInput, FieldErrors> {
        let mut rest = input.clone();
        let attendance_raw = rest.take("attendance").filter(|v| !v.is_null());
        let co_opted_raw = rest.take("co_opted").filter(|v| !v.is_null());
        let mut p = rest.parser();
        let held_on = p.date("held_on");
        let correction_reason = p.opt_text("correction_reason", Self::MAX_REASON);
        let mut attendance = Vec::new();
        match attendance_raw {
            None => {}
            Some(Value::Object(map)) => {
                for (slug, v) in map {
                    match v.as_str().and_then(Attendance::parse) {
                        Some(a) => attendance.push((slug, a)),
                        None => p.error(
                            &format!("attendance.{slug}"),
                            format!("must be one of {}", Attendance::CODES.join(", ")),
                        ),
                    }
                }
            }
            Some(_) => p.error(
                "attendance",
                "must be an object of person to present, apologies or absent",
            ),
        }
        let mut co_opted = Vec::new();
        for (i, item) in list(&mut p, "co_opted", co_opted_raw) {
            let mut q = item.parser();
            let person = q.text("person", MAX_PERSON_REF);
            let category = q.choice("category", &MemberCategory::CODES, MemberCategory::parse);
            let note = q.text("note", Self::MAX_NOTE);
            if category == Some(MemberCategory::Observer) {
                q.error(
                    "category",
                    "must be a voting category: observers are not co-opted",
                );
            }
            match q.finish() {
                Ok(()) => co_opted.push((
                    person.expect("checked"),
                    category.expect("checked"),
                    note.expect("checked"),
                )),
                Err(e) => nest(&mut p, &format!("co_opted[{i}]"), e),
            }
        }
        p.finish()?;
        Ok(MeetingInput {
            held_on: held_on.expect("checked"),
            attendance,
            co_opted,
            correction_reason,
        })
    }
}

/// Read a list of objects from `raw`, reporting anything else under `field`.
fn list(p: &mut Parser<'_>, field: &str, raw: Option<Value>) -> Vec<(usize, Input)> {
    match raw {
        None => vec![],
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for (i, v) in items.into_iter().enumerate() {
                match Input::from_json(v) {
                    Ok(input) => out.push((i, input)),
                    Err(_) => p.error(&format!("{field}[{i}]"), "must be an object"),
                }
            }
            out
        }
        Some(_) => {
            p.error(field, "must be a list");
            vec![]
        }
    }
}

/// Report a nested record's errors under `prefix`.
fn nest(p: &mut Parser<'_>, prefix: &str, e: FieldErrors) {
    for (k, v) in e.0 {
        p.error(&format!("{prefix}.{k}"), v);
    }
}

/// The chair's decision on a member's declared conflict for one agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictDecision {
    LeftRoom,
    StayedNotVoting,
    TookPart,
}

coded!(ConflictDecision {
    LeftRoom => "left_room", "Left the room";
    StayedNotVoting => "stayed_not_voting", "Stayed but did not vote";
    TookPart => "took_part", "Stayed and took part";
});

impl ConflictDecision {
    /// Whether the member stops counting for the item.
    pub fn excludes(self) -> bool {
        !matches!(self, ConflictDecision::TookPart)
    }
}

/// A conflict declared on an agenda item, and the chair's decision on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub person_id: i64,
    /// The entry in the register of interests, where there is one.
    pub declaration_id: Option<i64>,
    /// The nature of the interest, as minuted.
    pub nature: String,
    pub decision: ConflictDecision,
    /// The chair's reason for letting the member take part although their declaration
    /// says they stand aside (see [`super::crosscheck`]); absent on records made before
    /// it was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub took_part_reason: Option<String>,
}

/// A conflict as entered: the person named by slug.
#[derive(Debug, Clone)]
pub struct ConflictInput {
    pub person: String,
    pub declaration_id: Option<i64>,
    pub nature: String,
    pub decision: ConflictDecision,
    pub took_part_reason: Option<String>,
}

/// What became of an agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ItemOutcome {
    /// Not yet recorded (or an item for information).
    Open,
    /// A decision was taken; `quorum` is the verdict in brief when it was recorded and
    /// `evidence` the whole quorum as it stood then (absent on outcomes recorded before
    /// evidence was kept).
    Decided {
        decision: String,
        quorum: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence: Option<Box<QuorumEvidence>>,
    },
    /// Put off to a later meeting.
    Deferred { reason: String },
    /// Sent to another committee or the governing body.
    Referred { referred_to: String, reason: String },
}

impl ItemOutcome {
    pub const CODES: [&'static str; 3] = ["decided", "deferred", "referred"];
    pub fn code(&self) -> &'static str {
        match self {
            ItemOutcome::Open => "open",
            ItemOutcome::Decided { .. } => "decided",
            ItemOutcome::Deferred { .. } => "deferred",
            ItemOutcome::Referred { .. } => "referred",
        }
    }
    pub fn label(&self) -> String {
        match self {
            ItemOutcome::Open => "No decision recorded".into(),
            ItemOutcome::Decided { .. } => "Decided".into(),
            ItemOutcome::Deferred { .. } => "Deferred".into(),
            ItemOutcome::Referred { referred_to, .. } => format!("Referred to {referred_to}"),
        }
    }
}

/// An outcome as entered, before the quorum check (which a decision must pass).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemOutcomeInput {
    Decided { decision: String },
    Deferred { reason: String },
    Referred { referred_to: String, reason: String },
}

impl ItemOutcomeInput {
    /// Longest name of the body an item was referred to, in characters.
    pub const MAX_REFERRED_TO: usize = 300;

    /// Parse `outcome` (`decided`, `deferred` or `referred`) with `decision` (the
    /// minuted decision), or `reason` (and `referred_to`).
    pub fn parse(input: &Input) -> Result<ItemOutcomeInput, FieldErrors> {
        let mut p = input.parser();
        let kind = p.choice("outcome", &ItemOutcome::CODES, |s| {
            ItemOutcome::CODES.iter().position(|c| *c == s)
        });
        let decision = p.opt_text("decision", LONG_TEXT);
        let reason = p.opt_text("reason", LONG_TEXT);
        let referred_to = p.opt_text("referred_to", Self::MAX_REFERRED_TO);
        let need = |p: &mut Parser<'_>, field: &str, v: &Option<String>| {
            if v.is_none() && !p.has_error(field) {
                p.error(field, "is required for this outcome");
            }
        };
        match kind {
            Some(0) => need(&mut p, "decision", &decision),
            Some(1) => need(&mut p, "reason", &reason),
            Some(2) => {
                need(&mut p, "referred_to", &referred_to);
                need(&mut p, "reason", &reason);
            }
            _ => {}
        }
        p.finish()?;
        Ok(match kind.expect("checked") {
            0 => ItemOutcomeInput::Decided {
                decision: decision.expect("checked"),
            },
            1 => ItemOutcomeInput::Deferred {
                reason: reason.expect("checked"),
            },
            _ => ItemOutcomeInput::Referred {
                referred_to: referred_to.expect("checked"),
                reason: reason.expect("checked"),
            },
        })
    }
}

/// An agenda item of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub meeting_id: i64,
    /// The item's number on the agenda, e.g. `5` or `5.2`.
    pub number: String,
    pub title: String,
    /// Markdown.
    pub description: String,
    pub conflicts: Vec<Conflict>,
    #[serde(flatten)]
    pub outcome: ItemOutcome,
    /// Why this version corrected the conflicts, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction_reason: Option<String>,
}

/// An item as entered: conflicts name people by slug.
#[derive(Debug, Clone)]
pub struct ItemInput {
    pub number: String,
    pub title: String,
    pub description: String,
    pub conflicts: Vec<ConflictInput>,
    /// Why an amendment corrects the conflicts; required for a correction.
    pub correction_reason: Option<String>,
}

impl ItemInput {
    /// Longest item number, in characters.
    pub const MAX_NUMBER: usize = 20;
    /// Longest title, in characters.
    pub const MAX_TITLE: usize = 300;
    /// Longest account of a conflict's nature, in characters.
    pub const MAX_NATURE: usize = 2000;

    /// Parse `number`, `title`, `description` and `conflicts` (a list of `{person,
    /// declaration, nature, decision, took_part_reason}`; decision `left_room`,
    /// `stayed_not_voting` or `took_part`; the reason only with `took_part`).
    pub fn parse(input: &Input) -> Result<ItemInput, FieldErrors> {
        let mut rest = input.clone();
        let conflicts_raw = rest.take("conflicts").filter(|v| !v.is_null());
        let mut p = rest.parser();
        let number = p.text("number", Self::MAX_NUMBER);
        let title = p.text("title", Self::MAX_TITLE);
        let description = p.opt_text("description", LONG_TEXT);
        let correction_reason = p.opt_text("correction_reason", MeetingInput::MAX_REASON);
        let mut conflicts = Vec::new();
        for (i, item) in list(&mut p, "conflicts", conflicts_raw) {
            let mut q = item.parser();
            let person = q.text("person", MAX_PERSON_REF);
            let declaration_id = q.opt_id("declaration");
            let nature = q.text("nature", Self::MAX_NATURE);
            let decision = q.choice(
                "decision",
                &ConflictDecision::CODES,
                ConflictDecision::parse,
            );
            let took_part_reason = q.opt_text("took_part_reason", MeetingInput::MAX_REASON);
            if took_part_reason.is_some()
                && decision.is_some_and(|d| d != ConflictDecision::TookPart)
            {
                q.error(
                    "took_part_reason",
                    "applies only to a member who stayed and took part",
                );
            }
            match q.finish() {
                Ok(()) => conflicts.push(ConflictInput {
                    person: person.expect("checked"),
                    declaration_id,
                    nature: nature.expect("checked"),
                    decision: decision.expect("checked"),
                    took_part_reason,
                }),
                Err(e) => nest(&mut p, &format!("conflicts[{i}]"), e),
            }
        }
        if let Some(n) = &number {
            if !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '.') {
                p.error("number", "must be letters, digits and dots, e.g. 5 or 5.2");
            }
        }
        p.finish()?;
        Ok(ItemInput {
            number: number.expect("checked"),
            title: title.expect("checked"),
            description: description.unwrap_or_default(),
            conflicts,
            correction_reason,
        })
    }
}

/// The fields of an item as input (for amendments), given each person's slug.
pub fn item_to_input(item: &Item, slug_of: impl Fn(i64) -> String) -> Input {
    let conflicts: Vec<Value> = item
        .conflicts
        .iter()
        .map(|c| {
            json!({"person": slug_of(c.person_id), "declaration": c.declaration_id,
                   "nature": c.nature, "decision": c.decision.code(),
                   "took_part_reason": c.took_part_reason})
        })
        .collect();
    Input::from_json(json!({
        "number": item.number, "title": item.title, "description": item.description,
        "conflicts": conflicts,
    }))
    .expect("an object")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(v: Value) -> Input {
        Input::from_json(v).unwrap()
    }

    #[test]
    fn meeting_attendance_and_co_options_parse() {
        let m = MeetingInput::parse(&input(json!({
            "held_on": "2026-03-04",
            "attendance": {"ann": "present", "bob": "apologies"},
            "co_opted": [{"person": "cat", "category": "lay", "note": "Lay member of the audit committee"}]
        })))
        .unwrap();
        assert_eq!(m.attendance.len(), 2);
        assert_eq!(m.co_opted[0].1, MemberCategory::Lay);
        let e = MeetingInput::parse(&input(json!({
            "held_on": "2026-02-30",
            "attendance": {"ann": "here"},
            "co_opted": [{"person": "cat", "category": "observer"}, 3]
        })))
        .unwrap_err();
        for field in [
            "held_on",
            "attendance.ann",
            "co_opted[0].category",
            "co_opted[0].note",
            "co_opted[1]",
        ] {
            assert!(e.0.contains_key(field), "{field} missing from {e}");
        }
    }

    #[test]
    fn items_need_a_number_title_and_well_formed_conflicts() {
        let i = ItemInput::parse(&input(json!({
            "number": "5.2", "title": "Extended access contract",
            "conflicts": [{"person": "dr-a", "declaration": 4, "nature": "Partner at the practice bidding", "decision": "left_room"}]
        })))
        .unwrap();
        assert_eq!(i.conflicts[0].declaration_id, Some(4));
        assert_eq!(i.conflicts[0].took_part_reason, None);
        let e = ItemInput::parse(&input(json!({
            "number": "5 2", "conflicts": [
                {"person": "dr-a", "decision": "went_home"},
                {"person": "dr-b", "nature": "GP partner", "decision": "left_room", "took_part_reason": "Sole expert"}
            ]
        })))
        .unwrap_err();
        for field in [
            "number",
            "title",
            "conflicts[0].nature",
            "conflicts[0].decision",
            "conflicts[1].took_part_reason",
        ] {
            assert!(e.0.contains_key(field), "{field} missing from {e}");
        }
    }

    #[test]
    fn outcomes_need_their_text() {
        assert_eq!(
            ItemOutcomeInput::parse(&input(
                json!({"outcome": "deferred", "reason": "Inquorate"})
            ))
            .unwrap(),
            ItemOutcomeInput::Deferred {
                reason: "Inquorate".into()
            }
        );
        let e = ItemOutcomeInput::parse(&input(json!({"outcome": "referred"}))).unwrap_err();
        assert!(e.0.contains_key("referred_to") && e.0.contains_key("reason"));
        let e = ItemOutcomeInput::parse(&input(json!({"outcome": "approved"}))).unwrap_err();
        assert!(e.0.contains_key("outcome"));
    }

    #[test]
    fn item_outcome_serialises_flat() {
        let item = Item {
            meeting_id: 1,
            number: "3".into(),
            title: "T".into(),
            description: String::new(),
            conflicts: vec![],
            outcome: ItemOutcome::Deferred { reason: "r".into() },
            correction_reason: Some("c".into()),
        };
        let v = serde_json::to_value(&item).unwrap();
        assert_eq!(v["outcome"], "deferred");
        assert_eq!(v["reason"], "r");
        assert_eq!(serde_json::from_value::<Item>(v).unwrap(), item);
    }
}
