//! The demo's editions: the year-end register as at the last 31 March that is over, and
//! monthly editions as at the end of each of the last two months, for every demo
//! organisation whose history reaches back that far.

use crate::domain::editions::{EditionKind, EditionRequest};
use crate::publish::Publisher;
use crate::store::{editions, orgs, AnyConnection, StoreError};
use chrono::{Datelike, NaiveDate};

/// The editions the demo publishes as at `today`: the year end and the two latest other
/// month ends that are over, oldest first.
pub fn planned(today: NaiveDate) -> Vec<EditionRequest> {
    let month_end_before = |d: NaiveDate| {
        d.with_day(1)
            .and_then(|first| first.pred_opt())
            .expect("a day before")
    };
    let march = |y: i32| NaiveDate::from_ymd_opt(y, 3, 31).expect("31 March exists");
    let year_end = if march(today.year()) < today {
        march(today.year())
    } else {
        march(today.year() - 1)
    };
    let mut out = vec![EditionRequest {
        as_at: year_end,
        kind: EditionKind::YearEnd,
    }];
    let mut as_at = month_end_before(today);
    while out.len() < 3 {
        if as_at != year_end {
            out.push(EditionRequest {
                as_at,
                kind: EditionKind::Monthly,
            });
        }
        as_at = month_end_before(as_at);
    }
    out.sort_by_key(|r| r.as_at);
    out
}

/// Publish the planned editions of every organisation that has none yet, skipping a
/// date the organisation's chain does not reach.
pub fn seed_editions(
    c: &mut AnyConnection,
    publisher: &Publisher,
    today: NaiveDate,
) -> Result<usize, StoreError> {
    let mut made = 0;
    for org in orgs::all(c)? {
        if !editions::all(c, org.id)?.is_empty() {
            continue;
        }
        for request in planned(today) {
            if editions::last_seq_on_or_before(c, org.id, request.as_at)? == 0 {
                continue;
            }
            publisher.create_edition(c, &org, super::ACTOR, request)?;
            made += 1;
        }
    }
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_end_and_the_last_two_month_ends() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let dates = |today| -> Vec<(NaiveDate, EditionKind)> {
            planned(today).iter().map(|r| (r.as_at, r.kind)).collect()
        };
        assert_eq!(
            dates(d(2026, 12, 3)),
            [
                (d(2026, 3, 31), EditionKind::YearEnd),
                (d(2026, 10, 31), EditionKind::Monthly),
                (d(2026, 11, 30), EditionKind::Monthly)
            ]
        );
        // In May the year end is also the end of the month before last: it is not
        // published twice, and the monthly editions reach back a month further.
        assert_eq!(
            dates(d(2027, 5, 2)),
            [
                (d(2027, 2, 28), EditionKind::Monthly),
                (d(2027, 3, 31), EditionKind::YearEnd),
                (d(2027, 4, 30), EditionKind::Monthly)
            ]
        );
        // On 31 March itself the day is not over: last year's year end.
        assert_eq!(
            dates(d(2027, 3, 31))[0],
            (d(2026, 3, 31), EditionKind::YearEnd)
        );
    }

    #[test]
    fn the_demo_publishes_a_year_end_edition_with_content_and_two_monthly_ones() {
        let today = NaiveDate::from_ymd_opt(2027, 1, 20).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store =
            crate::store::Store::open(dir.path().join("coi.db").to_str().unwrap(), 1).unwrap();
        let c = &mut *store.conn().unwrap();
        assert!(crate::demo::seed_if_empty(c, today).unwrap());
        let publisher = Publisher::new(dir.path().join("site"), "http://demo.example");
        let made = seed_editions(c, &publisher, today).unwrap();
        assert_eq!(
            seed_editions(c, &publisher, today).unwrap(),
            0,
            "seeded once"
        );
        let org = &orgs::all(c).unwrap()[0];
        let all = editions::all(c, org.id).unwrap();
        let kinds: Vec<(&str, &str)> = all
            .iter()
            .map(|e| (e.as_at.as_str(), e.kind.as_str()))
            .collect();
        assert_eq!(
            kinds,
            [
                ("2026-12-31", "monthly"),
                ("2026-11-30", "monthly"),
                ("2026-03-31", "year_end")
            ]
        );
        assert_eq!(made, 3 * orgs::all(c).unwrap().len());
        let year_end = &all[2];
        assert!(year_end.tree_size > 1 && year_end.tree_size < org.chain_seq);
        let files = editions::files(c, org.id, "2026-03-31").unwrap();
        let csv = &files
            .iter()
            .find(|f| f.path == "data/interests.csv")
            .unwrap()
            .content;
        assert!(
            csv.lines().count() > 2,
            "the year-end register has declarations: {csv}"
        );
    }
}
