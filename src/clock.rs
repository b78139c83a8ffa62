//! The service's one clock. Everything that dates a record or decides what is true
//! "today" (audit entries, the registers' rules, the public register's view) asks here,
//! so that the demo can be seeded as it happened, and tests can live through days in
//! order, with the same code the service runs. Session lifetimes and retry back-off
//! keep to the real clock.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use std::cell::Cell;

thread_local! {
    static SET: Cell<Option<DateTime<Utc>>> = const { Cell::new(None) };
}

/// The current time: this thread's set time if one is set, else the system's.
pub fn now() -> DateTime<Utc> {
    SET.with(Cell::get).unwrap_or_else(Utc::now)
}

/// Today's date (UTC).
pub fn today() -> NaiveDate {
    now().date_naive()
}

/// The current time as the audit chain writes it: RFC 3339, UTC, milliseconds, `Z`.
pub fn now_rfc3339() -> String {
    now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Set this thread's clock to `at` until the returned guard is dropped (then it goes
/// back to what it was). Used by the demo's seeding and by tests; the service itself
/// never sets it.
#[must_use = "the clock goes back when the guard is dropped"]
pub fn set(at: DateTime<Utc>) -> SetClock {
    SetClock {
        previous: SET.with(|s| s.replace(Some(at))),
    }
}

/// Holds a set clock; dropping it restores the previous one.
pub struct SetClock {
    previous: Option<DateTime<Utc>>,
}

impl SetClock {
    /// Move the set clock to `at`.
    pub fn to(&self, at: DateTime<Utc>) {
        SET.with(|s| s.set(Some(at)));
    }
}

impl Drop for SetClock {
    fn drop(&mut self) {
        SET.with(|s| s.set(self.previous));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_clock_holds_until_its_guard_is_dropped() {
        let at = DateTime::parse_from_rfc3339("2026-03-31T23:59:00Z")
            .unwrap()
            .with_timezone(&Utc);
        {
            let clock = set(at);
            assert_eq!(now_rfc3339(), "2026-03-31T23:59:00.000Z");
            clock.to(at + chrono::Duration::days(1));
            assert_eq!(today().to_string(), "2026-04-01");
        }
        assert!(today() > NaiveDate::from_ymd_opt(2026, 4, 1).unwrap());
    }
}
