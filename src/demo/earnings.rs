//! The demo's register of GP earnings: a dozen practices in the area (the variant's six
//! named practices and six more), each with its figure for the last two financial years
//! that have ended, recorded on the day the practice published it (some months after the
//! year ended); one figure is corrected a week later, so the register has an amendment.

use super::history::{History, Rank};
use super::{Ctx, ACTOR};
use crate::domain::earnings::GpEarningsFields;
use crate::domain::Input;
use crate::store::earnings::{change_earnings, create_earnings, EarningsStep};
use crate::store::StoreError;
use chrono::{Datelike, Days, NaiveDate};
use serde_json::json;

/// The practices besides the variant's six.
const MORE_PRACTICES: [&str; 6] = [
    "Northgate Medical Centre",
    "The Willows Surgery",
    "Parkside Family Practice",
    "Hillcrest Surgery",
    "Meadowbank Health Centre",
    "St Anne's Surgery",
];

/// The first day of the financial year starting in April of `year`.
fn year_start(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 4, 1).expect("1 April is a date")
}

/// The last two financial years that have ended by `today`, older first (start years).
fn last_two_years(today: NaiveDate) -> [i32; 2] {
    let started = if today >= year_start(today.year()) {
        today.year()
    } else {
        today.year() - 1
    };
    // The year that started `started` is under way; the two before it have ended.
    [started - 2, started - 1]
}

fn fields(
    ctx: &Ctx,
    practice: usize,
    name: &str,
    start: i32,
) -> Result<GpEarningsFields, StoreError> {
    let k = (practice as u64) * 10 + (start as u64 % 10);
    let letters = ['B', 'C', 'J', 'M'];
    let letter = letters[(ctx.variant as usize) % letters.len()];
    let code = format!(
        "{letter}{:05}",
        82_003 + practice * 11 + ctx.variant as usize * 300
    );
    // £85,000 to £159,000, rising a little in the later year.
    let pounds = 85_000 + (ctx.mix(9000 + practice as u64) % 70) * 1000 + (ctx.mix(k) % 5) * 1000;
    let full_time = 1 + ctx.mix(9100 + practice as u64) % 7;
    let part_time = ctx.mix(9200 + k) % 6;
    let slug: String = name
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let source = (practice % 4 != 3).then(|| format!("https://www.{slug}.nhs.example/gp-earnings"));
    Ok(GpEarningsFields::parse(
        &Input::from_json(json!({
            "practice_name": name, "ods_code": code,
            "financial_year": format!("{start}/{:02}", (start + 1) % 100),
            "mean_earnings_pence": pounds as i64 * 100,
            "full_time_gps": full_time, "part_time_gps": part_time,
            "source_url": source,
        }))
        .expect("an object"),
    )?)
}

/// Plan the figures: each recorded on the day its practice published it.
pub(super) fn plan<'a>(history: &mut History<'a>, ctx: &'a Ctx) -> Result<(), StoreError> {
    let names: Vec<&str> = ctx
        .practices
        .iter()
        .map(String::as_str)
        .chain(MORE_PRACTICES)
        .collect();
    for start in last_two_years(ctx.today) {
        // Practices publish the year's figure in the autumn after it ends.
        let first = year_start(start + 1) + Days::new(180);
        for (i, name) in names.iter().enumerate() {
            let fields = fields(ctx, i, name, start)?;
            let on = (first + Days::new(ctx.jitter(9300 + i as u64) * 3)).min(ctx.today);
            let corrected = i == 2 && start == last_two_years(ctx.today)[1];
            history.on(on, Rank::GpEarnings, move |c, s| {
                let written = create_earnings(c, s.org_id, ACTOR, fields)?;
                if corrected {
                    // Entered with a part-time GP left out; corrected the same day.
                    let fixed = Input::from_json(
                        json!({"part_time_gps": written.value.record.fields.part_time_gps + 1}),
                    )
                    .expect("an object");
                    let (id, version) = (written.value.id, written.value.version);
                    change_earnings(c, s.org_id, ACTOR, id, version, EarningsStep::Amend(fixed))?;
                }
                Ok(())
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_years_have_ended() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(last_two_years(d(2026, 12, 3)), [2024, 2025]);
        assert_eq!(last_two_years(d(2026, 3, 31)), [2023, 2024]);
        assert_eq!(last_two_years(d(2026, 4, 1)), [2024, 2025]);
    }
}
