//! The demo's history, written in the order it happened: each seeding step is put on its
//! day (a declaration on the day it was declared, a meeting on the day it was held), and
//! the steps run in date order with the service's clock set to their day, so the audit
//! chain's timestamps fall where the records say they do. The registers as at a past date,
//! the editions and the month-by-month changes then have a real history to show.

use super::{Ctx, Seeded};
use crate::store::{AnyConnection, StoreError};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

/// Steps on the same day run in this order (then in the order they were planned).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Rank {
    Declaration,
    DeclarationChange,
    Gift,
    Return,
    Committee,
    Meeting,
    Correction,
    Membership,
    Decision,
    Breach,
    GpEarnings,
}

type Action<'a> = Box<dyn FnOnce(&mut AnyConnection, &mut Seeded) -> Result<(), StoreError> + 'a>;

/// The planned steps of one organisation's history.
#[derive(Default)]
pub(super) struct History<'a> {
    steps: Vec<(NaiveDate, Rank, Action<'a>)>,
}

/// When a day's first step is recorded; the next ones follow a second apart.
const OPENING: NaiveTime = match NaiveTime::from_hms_opt(9, 0, 0) {
    Some(t) => t,
    None => panic!("09:00 is a time"),
};

impl<'a> History<'a> {
    /// Plan `action` for `on`.
    pub(super) fn on(
        &mut self,
        on: NaiveDate,
        rank: Rank,
        action: impl FnOnce(&mut AnyConnection, &mut Seeded) -> Result<(), StoreError> + 'a,
    ) {
        self.steps.push((on, rank, Box::new(action)));
    }

    /// The first planned day (or `ctx.today` if nothing is planned).
    pub(super) fn first_day(&self, ctx: &Ctx) -> NaiveDate {
        (self.steps.iter().map(|s| s.0).min()).unwrap_or(ctx.today)
    }

    /// Run `setup` on the first day, then every step in date order, each with the clock
    /// set to its moment.
    pub(super) fn run(
        mut self,
        c: &mut AnyConnection,
        ctx: &Ctx,
        setup: impl FnOnce(&mut AnyConnection) -> Result<Seeded, StoreError>,
    ) -> Result<(), StoreError> {
        // A stable sort: steps of one day and rank keep the order they were planned in.
        self.steps.sort_by_key(|(on, rank, _)| (*on, *rank));
        let first = self.first_day(ctx);
        let mut moments = Moments::new(ctx.today);
        let clock = crate::clock::set(moments.next(first));
        let mut seeded = setup(c)?;
        for (on, _, action) in self.steps {
            clock.to(moments.next(on));
            action(c, &mut seeded)?;
        }
        Ok(())
    }
}

/// The moments steps are recorded at: from 09:00 on their day, a second apart, always
/// later than the one before, and never after the real time when the day is today.
struct Moments {
    today: NaiveDate,
    last: Option<DateTime<Utc>>,
}

impl Moments {
    fn new(today: NaiveDate) -> Moments {
        Moments { today, last: None }
    }

    fn next(&mut self, on: NaiveDate) -> DateTime<Utc> {
        let mut opening = on.and_time(OPENING).and_utc();
        let real = Utc::now();
        if on >= self.today && on == real.date_naive() {
            // Today's steps end just before the real moment, so what the service
            // records next (the demo accounts' submissions, say) comes after them.
            opening = opening.min(real - Duration::minutes(10));
        }
        let at = match self.last {
            Some(last) if last >= opening => last + Duration::seconds(1),
            _ => opening,
        };
        self.last = Some(at);
        at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_open_at_nine_and_keep_in_order() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let mut m = Moments::new(day(31));
        let text = |t: DateTime<Utc>| t.to_rfc3339();
        assert_eq!(text(m.next(day(2))), "2026-03-02T09:00:00+00:00");
        assert_eq!(text(m.next(day(2))), "2026-03-02T09:00:01+00:00");
        assert_eq!(text(m.next(day(5))), "2026-03-05T09:00:00+00:00");
        // A step planned for an earlier day than the last still comes after it.
        assert_eq!(text(m.next(day(4))), "2026-03-05T09:00:01+00:00");
    }
}
