//! The register of GP earnings: for each GP practice in the organisation's area and each
//! financial year, the mean net earnings of its GPs and how many full-time and part-time
//! GPs the figure covers, as the practice published them (the GP contract requires
//! practices to publish these; commissioners publish them beside their registers).

use super::money::Pence;
use super::validation::{FieldErrors, Input};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Largest mean earnings accepted: £10m, in pence.
pub const MAX_EARNINGS_PENCE: i64 = 1_000_000_000;

/// Financial years accepted: 2000/01 to 2099/00 are written the same way.
const FIRST_YEAR: u32 = 2000;
const LAST_YEAR: u32 = 2099;

/// The fields of one practice's figure for one financial year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpEarningsFields {
    pub practice_name: String,
    /// The practice's ODS code, upper case: a letter and five digits (`B82005`).
    pub ods_code: String,
    /// The financial year, `2025/26`.
    pub financial_year: String,
    /// The mean net earnings of the practice's GPs, in pence (whole pounds).
    pub mean_earnings_pence: i64,
    pub full_time_gps: u32,
    pub part_time_gps: u32,
    /// Where the practice published the figure, if given.
    pub source_url: Option<String>,
}

/// A GP practice's ODS code: one letter and five digits, e.g. `B82005`; `None` otherwise.
pub fn ods_code(s: &str) -> Option<String> {
    let s = s.trim().to_ascii_uppercase();
    let b = s.as_bytes();
    (b.len() == 6 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit))
        .then_some(s)
}

/// A financial year written `2025/26` (the second year the one after the first); `None`
/// otherwise. `2025-26` is read too, and written back as `2025/26`.
pub fn financial_year(s: &str) -> Option<String> {
    let s = s.trim();
    let (first, second) = s.split_once('/').or_else(|| s.split_once('-'))?;
    if first.len() != 4 || second.len() != 2 {
        return None;
    }
    if !first
        .bytes()
        .chain(second.bytes())
        .all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let year: u32 = first.parse().ok()?;
    let next: u32 = second.parse().ok()?;
    ((FIRST_YEAR..=LAST_YEAR).contains(&year) && next == (year + 1) % 100)
        .then(|| format!("{year}/{next:02}"))
}

impl GpEarningsFields {
    /// Longest practice name, in characters.
    pub const MAX_NAME: usize = 200;
    /// Longest source address, in characters.
    pub const MAX_URL: usize = 500;
    /// Most GPs of either kind one figure covers.
    pub const MAX_GPS: u64 = 500;

    pub fn parse(input: &Input) -> Result<GpEarningsFields, FieldErrors> {
        let mut p = input.parser();
        let practice_name = p.text("practice_name", Self::MAX_NAME);
        let ods = p.text("ods_code", 20);
        let year = p.text("financial_year", 20);
        let mean = p.pence("mean_earnings_pence", MAX_EARNINGS_PENCE);
        let full_time = p.count("full_time_gps", Self::MAX_GPS);
        let part_time = p.count("part_time_gps", Self::MAX_GPS);
        let source_url = p.opt_text("source_url", Self::MAX_URL);
        let ods_code = ods.and_then(|s| {
            let code = ods_code(&s);
            if code.is_none() {
                p.error(
                    "ods_code",
                    "must be a GP practice's ODS code: a letter and five digits, such as B82005",
                );
            }
            code
        });
        let financial_year = year.and_then(|s| {
            let y = financial_year(&s);
            if y.is_none() {
                p.error(
                    "financial_year",
                    "must be a financial year written as 2025/26, from 2000/01 to 2099/00",
                );
            }
            y
        });
        if let Some(m) = mean {
            if m.pence() % 100 != 0 {
                p.error(
                    "mean_earnings_pence",
                    "must be whole pounds, as practices publish it (a multiple of 100 pence)",
                );
            }
        }
        if full_time == Some(0) && part_time == Some(0) {
            p.error(
                "part_time_gps",
                "must be at least 1 when there are no full-time GPs: the figure covers at least one GP",
            );
        }
        if let Some(url) = &source_url {
            let lower = url.to_ascii_lowercase();
            let web = lower.starts_with("https://") || lower.starts_with("http://");
            if !web || url.chars().any(char::is_whitespace) || url.len() <= "https://".len() {
                p.error(
                    "source_url",
                    "must be a web address starting https:// or http://, without spaces",
                );
            }
        }
        p.finish()?;
        Ok(GpEarningsFields {
            practice_name: practice_name.expect("checked"),
            ods_code: ods_code.expect("checked"),
            financial_year: financial_year.expect("checked"),
            mean_earnings_pence: mean.expect("checked").pence(),
            full_time_gps: full_time.expect("checked") as u32,
            part_time_gps: part_time.expect("checked") as u32,
            source_url,
        })
    }

    /// The fields as input, so an amendment can overlay its changes.
    pub fn to_input(&self) -> Input {
        Input::from_json(json!({
            "practice_name": self.practice_name, "ods_code": self.ods_code,
            "financial_year": self.financial_year,
            "mean_earnings_pence": self.mean_earnings_pence,
            "full_time_gps": self.full_time_gps, "part_time_gps": self.part_time_gps,
            "source_url": self.source_url,
        }))
        .expect("an object")
    }

    /// What identifies the figure among the current ones: the practice and the year.
    pub fn key(&self) -> String {
        format!("{}/{}", self.ods_code, self.financial_year)
    }

    /// The GPs the figure covers, in words: `5 GPs (3 full-time, 2 part-time)`, `1 GP
    /// (1 full-time, 0 part-time)`.
    pub fn gps_covered(&self) -> String {
        let total = self.full_time_gps + self.part_time_gps;
        let s = if total == 1 { "" } else { "s" };
        format!(
            "{total} GP{s} ({} full-time, {} part-time)",
            self.full_time_gps, self.part_time_gps
        )
    }

    /// The mean earnings as the register shows them: `£104,000`.
    pub fn mean_earnings(&self) -> String {
        Pence(self.mean_earnings_pence).to_string()
    }
}

/// A recorded figure: its fields and, once withdrawn (entered in error), why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GpEarnings {
    #[serde(flatten)]
    pub fields: GpEarningsFields,
    pub withdrawn_reason: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn valid() -> Value {
        json!({"practice_name": "Riverside Surgery", "ods_code": "b82005",
               "financial_year": "2025-26", "mean_earnings_pence": 10_400_000,
               "full_time_gps": 3, "part_time_gps": "2",
               "source_url": "https://riverside.example/earnings"})
    }

    fn parse(v: Value) -> Result<GpEarningsFields, FieldErrors> {
        GpEarningsFields::parse(&Input::from_json(v).unwrap())
    }

    #[test]
    fn a_figure_is_read_and_normalised() {
        let f = parse(valid()).unwrap();
        assert_eq!(f.ods_code, "B82005");
        assert_eq!(f.financial_year, "2025/26");
        assert_eq!((f.full_time_gps, f.part_time_gps), (3, 2));
        assert_eq!(f.key(), "B82005/2025/26");
        assert_eq!(f.mean_earnings(), "£104,000");
        assert_eq!(f.gps_covered(), "5 GPs (3 full-time, 2 part-time)");
        let one = GpEarningsFields {
            full_time_gps: 0,
            part_time_gps: 1,
            ..f.clone()
        };
        assert_eq!(one.gps_covered(), "1 GP (0 full-time, 1 part-time)");
        assert_eq!(GpEarningsFields::parse(&f.to_input()).unwrap(), f);
    }

    #[test]
    fn each_field_says_its_problem() {
        let e = parse(json!({"ods_code": "B8200", "financial_year": "2025/27",
            "mean_earnings_pence": 10_400_050, "full_time_gps": 0, "part_time_gps": 0,
            "source_url": "ftp://x", "colour": "red"}))
        .unwrap_err();
        let msg = |k: &str| e.0.get(k).cloned().unwrap_or_default();
        assert_eq!(msg("practice_name"), "is required");
        assert!(msg("ods_code").contains("B82005"));
        assert!(msg("financial_year").contains("2025/26"));
        assert!(msg("mean_earnings_pence").contains("whole pounds"));
        assert!(msg("part_time_gps").contains("at least 1"));
        assert!(msg("source_url").contains("https://"));
        assert_eq!(msg("colour"), "is not a field of this record");
        let e = parse(json!({})).unwrap_err();
        for k in [
            "practice_name",
            "ods_code",
            "financial_year",
            "mean_earnings_pence",
            "full_time_gps",
            "part_time_gps",
        ] {
            assert_eq!(e.0.get(k).map(String::as_str), Some("is required"), "{k}");
        }
        let e = parse(json!({"full_time_gps": -1, "part_time_gps": 501})).unwrap_err();
        assert!(e.0["full_time_gps"].contains("0 to 500"));
        assert!(e.0["part_time_gps"].contains("0 to 500"));
    }

    #[test]
    fn years_and_codes() {
        assert_eq!(financial_year("1999/00"), None);
        assert_eq!(financial_year("2099/00").as_deref(), Some("2099/00"));
        assert_eq!(financial_year("2025/2026"), None);
        assert_eq!(financial_year("２０２５/26"), None);
        assert_eq!(ods_code(" y02345 ").as_deref(), Some("Y02345"));
        assert_eq!(ods_code("BB2005"), None);
        assert_eq!(ods_code("B820056"), None);
    }
}
