//! Corrections to a meeting's record: what changed between two versions of a meeting
//! (attendance, co-options) or of an item (its conflicts), and when such a change needs
//! a reason. A correction is never a rewrite: the old version stays, and the change is
//! shown from consecutive versions.

use super::{Attendance, ConflictDecision, Item, Meeting, MemberCategory};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One person's part in the record, before or after a correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// A member's attendance.
    Attended(Attendance),
    /// Co-opted to the meeting, in a category.
    CoOpted(MemberCategory),
    /// A conflict declared on an item, with the chair's decision.
    Declared(ConflictDecision),
    /// Not in that part of the record.
    Unrecorded,
}

impl Part {
    /// How the change reads: "present", "co-opted (lay)", "left the room", "not recorded".
    pub fn describe(self) -> String {
        match self {
            Part::Attended(a) => a.label().to_lowercase(),
            Part::CoOpted(c) => format!("co-opted ({})", c.label().to_lowercase()),
            Part::Declared(d) => d.label().to_lowercase(),
            Part::Unrecorded => "not recorded".to_owned(),
        }
    }
}

/// One person's change between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PersonChange {
    pub person_id: i64,
    pub from: Part,
    pub to: Part,
}

fn changes(old: BTreeMap<i64, Part>, new: BTreeMap<i64, Part>) -> Vec<PersonChange> {
    let ids: std::collections::BTreeSet<i64> = old.keys().chain(new.keys()).copied().collect();
    ids.into_iter()
        .filter_map(|person_id| {
            let from = old.get(&person_id).copied().unwrap_or(Part::Unrecorded);
            let to = new.get(&person_id).copied().unwrap_or(Part::Unrecorded);
            (from != to).then_some(PersonChange {
                person_id,
                from,
                to,
            })
        })
        .collect()
}

fn standing(m: &Meeting) -> BTreeMap<i64, Part> {
    m.attendance
        .iter()
        .map(|(p, a)| (*p, Part::Attended(*a)))
        .chain(
            m.co_opted
                .iter()
                .map(|c| (c.person_id, Part::CoOpted(c.category))),
        )
        .collect()
}

/// What a meeting's attendance and co-options lost or gained from `old` to `new`, by
/// person id. A member not listed counts as absent, so "absent" and "not recorded" are
/// the same for attendance.
pub fn meeting_changes(old: &Meeting, new: &Meeting) -> Vec<PersonChange> {
    let norm = |m: &Meeting| {
        let mut s = standing(m);
        s.retain(|_, v| *v != Part::Attended(Attendance::Absent));
        s
    };
    changes(norm(old), norm(new))
}

/// What an item's declared conflicts lost or gained from `old` to `new`, by person id.
pub fn conflict_changes(old: &Item, new: &Item) -> Vec<PersonChange> {
    let declared = |i: &Item| {
        i.conflicts
            .iter()
            .map(|c| (c.person_id, Part::Declared(c.decision)))
            .collect()
    };
    changes(declared(old), declared(new))
}

/// Whether a change to a meeting's attendance or co-options, or to an item's conflicts,
/// is a correction that must give its reason: it changes who was there or who was
/// conflicted, and is made after the meeting's date or once the record has been relied
/// on (`relied_on`: an item of the meeting has an outcome, or the change makes an item
/// quorate that was not, so a refused decision cannot quietly become an accepted one).
pub fn reason_required(
    changes: &[PersonChange],
    held_on: NaiveDate,
    today: NaiveDate,
    relied_on: bool,
) -> bool {
    !changes.is_empty() && (today > held_on || relied_on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::committees::{CoOpted, Conflict, ItemOutcome};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn meeting(attendance: Vec<(i64, Attendance)>, co: &[i64]) -> Meeting {
        Meeting {
            committee_id: 1,
            held_on: d("2026-03-04"),
            attendance,
            co_opted: co
                .iter()
                .map(|p| CoOpted {
                    person_id: *p,
                    category: MemberCategory::Lay,
                    note: String::new(),
                    recorded_on: None,
                })
                .collect(),
            correction_reason: None,
        }
    }

    #[test]
    fn meeting_changes_name_each_person_old_and_new() {
        use Attendance::*;
        let old = meeting(vec![(1, Present), (2, Apologies), (3, Absent)], &[]);
        let new = meeting(vec![(1, Apologies), (2, Apologies)], &[9]);
        let c = meeting_changes(&old, &new);
        assert_eq!(
            c,
            vec![
                PersonChange {
                    person_id: 1,
                    from: Part::Attended(Present),
                    to: Part::Attended(Apologies)
                },
                PersonChange {
                    person_id: 9,
                    from: Part::Unrecorded,
                    to: Part::CoOpted(MemberCategory::Lay)
                },
            ],
            "3 was absent either way: listed absent and unlisted are the same"
        );
        assert_eq!(c[0].from.describe(), "present");
        assert_eq!(c[1].to.describe(), "co-opted (lay)");
        assert!(meeting_changes(&old, &old).is_empty());
    }

    #[test]
    fn conflict_changes_show_the_chairs_decision() {
        let item = |decision| Item {
            meeting_id: 1,
            number: "1".into(),
            title: "T".into(),
            description: String::new(),
            conflicts: vec![Conflict {
                person_id: 4,
                declaration_id: None,
                nature: "n".into(),
                decision,
                took_part_reason: None,
            }],
            outcome: ItemOutcome::Open,
            correction_reason: None,
        };
        let c = conflict_changes(
            &item(ConflictDecision::TookPart),
            &item(ConflictDecision::LeftRoom),
        );
        assert_eq!(c.len(), 1);
        assert_eq!(
            format!("{} → {}", c[0].from.describe(), c[0].to.describe()),
            "stayed and took part → left the room"
        );
    }

    #[test]
    fn a_reason_is_required_after_the_meeting_or_an_outcome() {
        let change = [PersonChange {
            person_id: 1,
            from: Part::Unrecorded,
            to: Part::Attended(Attendance::Present),
        }];
        let on = d("2026-03-04");
        assert!(
            !reason_required(&change, on, on, false),
            "on the day, before any outcome"
        );
        assert!(
            reason_required(&change, on, on, true),
            "once an item has an outcome"
        );
        assert!(
            reason_required(&change, on, d("2026-03-05"), false),
            "after the day"
        );
        assert!(
            !reason_required(&[], on, d("2027-01-01"), true),
            "nothing changed"
        );
    }
}
