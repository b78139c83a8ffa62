//! Nil returns and annual confirmations: each decision-making person confirms their
//! entries at least yearly, or states that they have nothing to declare.

use super::entries::Review;
use super::org::OrgSettings;
use super::payload::{Fields, PayloadError};
use super::people::Person;
use super::validation::{FieldErrors, Input};
use super::words;
use chrono::{Days, Months, NaiveDate};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The two kinds of return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnKind {
    /// "I have nothing to declare."
    Nil,
    /// "My entries on the register are complete and correct."
    Confirmation,
}

impl ReturnKind {
    pub fn code(self) -> &'static str {
        match self {
            ReturnKind::Nil => "nil_return",
            ReturnKind::Confirmation => "confirmation",
        }
    }
    pub fn parse(s: &str) -> Option<ReturnKind> {
        match s {
            "nil_return" => Some(ReturnKind::Nil),
            "confirmation" => Some(ReturnKind::Confirmation),
            _ => None,
        }
    }
}

/// A dated return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Return {
    pub id: i64,
    pub person_id: i64,
    pub kind: ReturnKind,
    pub made_on: NaiveDate,
    /// A declarant's own return counts once a governance lead accepts it.
    pub review: Review,
}

impl Return {
    /// Longest person slug the body may name, in characters.
    pub const MAX_PERSON: usize = 100;

    /// Parse a request body `{ "person": …, "made_on": … }` (the person is resolved by the caller).
    pub fn parse_date(input: &Input, today: NaiveDate) -> Result<NaiveDate, FieldErrors> {
        let mut p = input.parser();
        p.text("person", Self::MAX_PERSON);
        let made_on = p.opt_date("made_on").unwrap_or(today);
        if made_on > today && !p.has_error("made_on") {
            p.error("made_on", "cannot be in the future");
        }
        p.finish()?;
        Ok(made_on)
    }

    /// A nil return is only true of someone with no current declarations.
    pub fn check(kind: ReturnKind, current_declarations: usize) -> Result<(), FieldErrors> {
        if kind == ReturnKind::Nil && current_declarations > 0 {
            return Err(FieldErrors::one(
                "person",
                format!(
                    "has {}; end {} first, or make a confirmation instead of a nil return",
                    words::count(
                        current_declarations,
                        "current declaration",
                        "current declarations"
                    ),
                    words::plural(current_declarations, "it", "them"),
                ),
            ));
        }
        Ok(())
    }

    pub fn payload(&self, person_slug: &str) -> Value {
        json!({
            "id": self.id.to_string(), "person_id": self.person_id.to_string(), "person": person_slug,
            "kind": self.kind.code(), "made_on": self.made_on.to_string(),
            "review": self.review.code(), "review_comment": self.review.comment(),
        })
    }

    /// The return an audit payload describes: the inverse of [`Return::payload`].
    pub fn from_payload(payload: &Value) -> Result<Return, PayloadError> {
        let f = Fields(payload);
        Ok(Return {
            id: f.int("id")?,
            person_id: f.int("person_id")?,
            kind: f.code("kind", ReturnKind::parse)?,
            made_on: f.date("made_on")?,
            review: f.review()?,
        })
    }
}

/// Where a person stands with their annual confirmation on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// Their last return is recent enough; the next is due on this day.
    Current { due_on: NaiveDate },
    /// Their last return is older than the organisation allows: due on `due_on`, and
    /// `days` days past that.
    Overdue { due_on: NaiveDate, days: i64 },
    /// They have never made a return.
    Missing,
}

impl Confirmation {
    /// Whether they should confirm now: overdue or never made one.
    pub fn is_due(self) -> bool {
        !matches!(self, Confirmation::Current { .. })
    }
}

/// Where a person whose last return (nil return or confirmation) was `last` stands on
/// `today`. A return made exactly `confirm_every_months` ago is still current that day.
pub fn confirmation(
    last: Option<NaiveDate>,
    today: NaiveDate,
    settings: &OrgSettings,
) -> Confirmation {
    let Some(last) = last else {
        return Confirmation::Missing;
    };
    match last.checked_add_months(Months::new(settings.confirm_every_months)) {
        Some(due_on) if today > due_on => Confirmation::Overdue {
            due_on,
            days: (today - due_on).num_days(),
        },
        Some(due_on) => Confirmation::Current { due_on },
        // Past the end of the calendar: never due.
        None => Confirmation::Current { due_on: last },
    }
}

/// Where a person added on `added_on` whose last return was `last` stands on `today`:
/// someone who has made no return yet is not due until the organisation's grace period
/// (`confirm_grace_days`, 28 by default) after the day they were added.
pub fn person_confirmation(
    added_on: Option<NaiveDate>,
    last: Option<NaiveDate>,
    today: NaiveDate,
    settings: &OrgSettings,
) -> Confirmation {
    let grace_ends = added_on
        .filter(|_| last.is_none())
        .and_then(|added| added.checked_add_days(Days::new(settings.confirm_grace_days.into())));
    match grace_ends {
        Some(due_on) if today <= due_on => Confirmation::Current { due_on },
        _ => confirmation(last, today, settings),
    }
}

/// Each person's latest return (by the date it was made; the later recorded of two on
/// one day), keyed by person id.
pub fn latest_returns<'a>(
    returns: impl IntoIterator<Item = &'a Return>,
) -> BTreeMap<i64, (ReturnKind, NaiveDate)> {
    let mut out: BTreeMap<i64, (ReturnKind, NaiveDate)> = BTreeMap::new();
    for r in returns {
        let e = out.entry(r.person_id).or_insert((r.kind, r.made_on));
        if r.made_on >= e.1 {
            *e = (r.kind, r.made_on);
        }
    }
    out
}

/// A decision-making person who should confirm now, with their last return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due<'a> {
    pub person: &'a Person,
    pub last: Option<(ReturnKind, NaiveDate)>,
    pub standing: Confirmation,
}

/// The decision-making people whose confirmation is overdue or missing on `today`:
/// those who never made one first, then the longest overdue, then by name.
pub fn due_for_confirmation<'a>(
    people: &'a [Person],
    returns: &[Return],
    today: NaiveDate,
    settings: &OrgSettings,
) -> Vec<Due<'a>> {
    let latest = latest_returns(returns);
    let mut due: Vec<Due> = people
        .iter()
        .filter(|p| p.fields.decision_making && p.standing.is_active())
        .filter_map(|person| {
            let last = latest.get(&person.id).copied();
            let standing = person_confirmation(person.added_on, last.map(|l| l.1), today, settings);
            standing.is_due().then_some(Due {
                person,
                last,
                standing,
            })
        })
        .collect();
    let rank = |d: &Due| match d.standing {
        Confirmation::Missing => i64::MAX,
        Confirmation::Overdue { days, .. } => days,
        Confirmation::Current { .. } => -1,
    };
    due.sort_by(|a, b| {
        rank(b)
            .cmp(&rank(a))
            .then_with(|| a.person.fields.name.cmp(&b.person.fields.name))
    });
    due
}

/// Whether a person whose last return was `last` is due to confirm again on `today`.
pub fn confirmation_due(
    added_on: Option<NaiveDate>,
    last: Option<NaiveDate>,
    today: NaiveDate,
    settings: &OrgSettings,
) -> bool {
    person_confirmation(added_on, last, today, settings).is_due()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_return_reads_back_from_its_payload() {
        for review in [Review::Accepted, Review::Returned("which year?".into())] {
            let r = Return {
                id: 3,
                person_id: 5,
                kind: ReturnKind::Confirmation,
                made_on: d(2026, 3, 31),
                review,
            };
            assert_eq!(Return::from_payload(&r.payload("dr-a")), Ok(r));
        }
        let e = Return::from_payload(&json!({"id": "1", "person_id": "1", "kind": "none"}));
        assert_eq!(e.unwrap_err().field, "kind");
    }

    #[test]
    fn a_nil_return_contradicting_current_entries_is_refused() {
        assert!(Return::check(ReturnKind::Nil, 2).unwrap_err().0["person"].contains("2 current"));
        assert!(Return::check(ReturnKind::Nil, 0).is_ok());
        assert!(Return::check(ReturnKind::Confirmation, 2).is_ok());
    }

    #[test]
    fn confirmations_fall_due_after_twelve_months() {
        let s = OrgSettings::default();
        assert!(confirmation_due(None, None, d(2026, 1, 1), &s));
        assert!(!confirmation_due(
            None,
            Some(d(2025, 1, 1)),
            d(2026, 1, 1),
            &s
        ));
        assert!(confirmation_due(
            None,
            Some(d(2025, 1, 1)),
            d(2026, 1, 2),
            &s
        ));
    }

    #[test]
    fn exactly_twelve_months_is_current_and_a_day_more_is_overdue() {
        let s = OrgSettings::default();
        let last = Some(d(2025, 3, 15));
        assert_eq!(
            confirmation(last, d(2026, 3, 15), &s),
            Confirmation::Current {
                due_on: d(2026, 3, 15)
            }
        );
        assert_eq!(
            confirmation(last, d(2026, 3, 16), &s),
            Confirmation::Overdue {
                due_on: d(2026, 3, 15),
                days: 1
            }
        );
        assert_eq!(
            confirmation(last, d(2026, 4, 14), &s),
            Confirmation::Overdue {
                due_on: d(2026, 3, 15),
                days: 30
            }
        );
        // Eleven months ago is current.
        assert!(!confirmation(Some(d(2025, 4, 15)), d(2026, 3, 15), &s).is_due());
        assert_eq!(
            confirmation(None, d(2026, 3, 15), &s),
            Confirmation::Missing
        );
        assert!(Confirmation::Missing.is_due());
    }

    #[test]
    fn a_stricter_organisation_and_month_ends() {
        let six = OrgSettings {
            confirm_every_months: 6,
            ..OrgSettings::default()
        };
        assert!(confirmation(Some(d(2025, 9, 1)), d(2026, 3, 2), &six).is_due());
        assert!(!confirmation(Some(d(2025, 9, 1)), d(2026, 3, 1), &six).is_due());
        // A return on 29 February falls due on 28 February the next year.
        let s = OrgSettings::default();
        assert!(!confirmation(Some(d(2024, 2, 29)), d(2025, 2, 28), &s).is_due());
        assert!(confirmation(Some(d(2024, 2, 29)), d(2025, 3, 1), &s).is_due());
    }

    fn person(id: i64, name: &str, decision_making: bool) -> Person {
        Person {
            id,
            slug: name.to_lowercase(),
            fields: crate::domain::people::PersonFields {
                name: name.into(),
                position: "GP member".into(),
                decision_making,
            },
            version: 1,
            standing: Default::default(),
            added_on: None,
        }
    }

    fn ret(id: i64, person_id: i64, kind: ReturnKind, made_on: NaiveDate) -> Return {
        Return {
            id,
            person_id,
            kind,
            made_on,
            review: Review::Accepted,
        }
    }

    #[test]
    fn the_decision_makers_due_are_the_missing_then_the_longest_overdue() {
        let people = [
            person(1, "Ann", true),
            person(2, "Bob", true),
            person(3, "Cat", true),
            person(4, "Dan", false),
            person(5, "Eve", true),
        ];
        let returns = [
            // Ann: an old confirmation, then a nil return eleven months ago: current.
            ret(1, 1, ReturnKind::Confirmation, d(2024, 1, 1)),
            ret(2, 1, ReturnKind::Nil, d(2025, 7, 1)),
            // Bob: thirteen months ago.
            ret(3, 2, ReturnKind::Confirmation, d(2025, 5, 1)),
            // Eve: two years ago.
            ret(4, 5, ReturnKind::Nil, d(2024, 6, 1)),
        ];
        let today = d(2026, 6, 1);
        let due = due_for_confirmation(&people, &returns, today, &OrgSettings::default());
        let names: Vec<&str> = due.iter().map(|x| x.person.fields.name.as_str()).collect();
        // Dan is not decision-making staff; Cat never made a return.
        assert_eq!(names, ["Cat", "Eve", "Bob"]);
        assert_eq!(due[0].standing, Confirmation::Missing);
        assert_eq!(due[0].last, None);
        assert_eq!(
            due[2].standing,
            Confirmation::Overdue {
                due_on: d(2026, 5, 1),
                days: 31
            }
        );
        assert_eq!(due[2].last, Some((ReturnKind::Confirmation, d(2025, 5, 1))));
    }

    #[test]
    fn made_on_defaults_to_today_and_is_not_future() {
        let today = d(2026, 6, 30);
        let input = Input::from_json(json!({"person": "a"})).unwrap();
        assert_eq!(Return::parse_date(&input, today).unwrap(), today);
        let future = Input::from_json(json!({"person": "a", "made_on": "2026-07-01"})).unwrap();
        assert!(Return::parse_date(&future, today).is_err());
    }

    #[test]
    fn a_new_person_is_not_due_until_the_grace_period_is_over() {
        let s = OrgSettings::default();
        let added = Some(d(2026, 3, 1));
        assert_eq!(
            person_confirmation(added, None, d(2026, 3, 1), &s),
            Confirmation::Current {
                due_on: d(2026, 3, 29)
            },
            "added today: 28 days' grace"
        );
        assert!(!confirmation_due(added, None, d(2026, 3, 29), &s));
        assert!(confirmation_due(added, None, d(2026, 3, 30), &s));
        let none = OrgSettings {
            confirm_grace_days: 0,
            ..OrgSettings::default()
        };
        assert!(confirmation_due(added, None, d(2026, 3, 2), &none));
        assert!(
            !confirmation_due(added, Some(d(2026, 3, 5)), d(2026, 4, 1), &s),
            "a return made counts as before"
        );
        assert!(
            confirmation_due(None, None, d(2026, 3, 1), &s),
            "added on unknown: due"
        );
    }
}
