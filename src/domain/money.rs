//! Money as the registers record it: whole pence. Read from what people write (pounds in
//! the forms and CSV, whole pence in the JSON API) and shown as pounds, in the few
//! styles the pages, forms and open data use.

use super::validation::whole_number;
use serde_json::{json, Value};
use std::fmt;

/// An amount of money in whole pence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pence(pub i64);

/// How an amount is written in pounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Thousands separated by commas: `£1,234`.
    pub grouped: bool,
    /// The pence written even when there are none: `£6.00`.
    pub always_pence: bool,
}

impl Style {
    /// The public register's: `£1,234`, `£12.50`.
    pub const REGISTER: Style = Style {
        grouped: true,
        always_pence: false,
    };
    /// A ledger's, as the admin register of decisions shows values: `£1,234.00`.
    pub const LEDGER: Style = Style {
        grouped: true,
        always_pence: true,
    };
    /// An exact amount as the admin gift pages show it: `£1234.00`.
    pub const EXACT: Style = Style {
        grouped: false,
        always_pence: true,
    };
    /// A threshold in a sentence: `£6`, `£6.01`, `£1000`.
    pub const BRIEF: Style = Style {
        grouped: false,
        always_pence: false,
    };
}

impl Pence {
    /// The amount in pence.
    pub fn pence(self) -> i64 {
        self.0
    }

    /// An amount in pounds as people write it (`"12.50"`, `"£12.5"`, `"1,200"`); `None`
    /// for anything else, such as a negative amount or a third decimal.
    pub fn parse_pounds(s: &str) -> Option<Pence> {
        let s: String = s
            .trim()
            .trim_start_matches('£')
            .chars()
            .filter(|c| *c != ',')
            .collect();
        let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
        if whole.is_empty() || !whole.chars().all(|c| c.is_ascii_digit()) || whole.len() > 12 {
            return None;
        }
        if frac.len() > 2 || !frac.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let frac_pence = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().ok()? * 10,
            _ => frac.parse::<i64>().ok()?,
        };
        whole
            .parse::<i64>()
            .ok()?
            .checked_mul(100)?
            .checked_add(frac_pence)
            .map(Pence)
    }

    /// Whole pence from JSON, `0 ..= max`: an integer, or digits as text (a form's). The
    /// error is the field's problem as the parsers word it.
    pub fn parse_json(v: &Value, max: i64) -> Result<Pence, String> {
        let parsed = match v {
            Value::Number(n) => whole_number(n).ok_or("must be a whole number of pence"),
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .map_err(|_| "must be a whole number of pence, such as 4999 for £49.99"),
            _ => Err("must be a whole number of pence"),
        };
        match parsed {
            Ok(p) if (0..=max).contains(&p) => Ok(Pence(p)),
            Ok(_) => Err(format!("must be between 0 and {max} pence")),
            Err(msg) => Err(msg.to_owned()),
        }
    }

    /// In pounds, in `style`.
    pub fn pounds(self, style: Style) -> String {
        let whole = (self.0 / 100).to_string();
        let whole = if style.grouped {
            group_thousands(&whole)
        } else {
            whole
        };
        if style.always_pence || self.0 % 100 != 0 {
            format!("£{whole}.{:02}", self.0 % 100)
        } else {
            format!("£{whole}")
        }
    }

    /// As a form's field holds an amount in pounds: `49.99`, `6.00`.
    pub fn form_text(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }

    /// As a JSON number of pounds (the open data's): an integer when it is whole pounds,
    /// else the number with its two decimals. `pence / 100` in binary floating point is
    /// the double nearest the exact amount, and JSON writes doubles in the shortest form
    /// that reads back as the same double, so the text is exactly the decimal amount for
    /// up to 15 significant digits (£10 trillion); the tests of the open data check this.
    pub fn json_pounds(self) -> Value {
        if self.0 % 100 == 0 {
            json!(self.0 / 100)
        } else {
            json!(self.0 as f64 / 100.0)
        }
    }
}

/// The public register's style: `£1,234`, `£12.50`.
impl fmt::Display for Pence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pounds(Style::REGISTER))
    }
}

/// `1234567` as `1,234,567`: a comma before every third character from the right.
fn group_thousands(digits: &str) -> String {
    let n = digits.chars().count();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pounds_parse_to_pence() {
        let p = |s| Pence::parse_pounds(s).map(Pence::pence);
        assert_eq!(p("12.50"), Some(1250));
        assert_eq!(p("£1,200"), Some(120000));
        assert_eq!(p("6.5"), Some(650));
        assert_eq!(p("6.505"), None);
        assert_eq!(p("-1"), None);
        assert_eq!(p("abc"), None);
        assert_eq!(p("99999999999999999999"), None);
    }

    #[test]
    fn pence_from_json_are_whole_and_bounded() {
        assert_eq!(Pence::parse_json(&json!(4999), 5000), Ok(Pence(4999)));
        assert_eq!(Pence::parse_json(&json!(" 4999 "), 5000), Ok(Pence(4999)));
        assert_eq!(
            Pence::parse_json(&json!(5001), 5000).unwrap_err(),
            "must be between 0 and 5000 pence"
        );
        assert_eq!(
            Pence::parse_json(&json!(-1), 5000).unwrap_err(),
            "must be between 0 and 5000 pence"
        );
        assert_eq!(Pence::parse_json(&json!(4999.0), 5000), Ok(Pence(4999)));
        assert_eq!(
            Pence::parse_json(&json!(12.5), 5000).unwrap_err(),
            "must be a whole number of pence"
        );
        assert_eq!(
            Pence::parse_json(&json!("£49.99"), 5000).unwrap_err(),
            "must be a whole number of pence, such as 4999 for £49.99"
        );
        assert_eq!(
            Pence::parse_json(&json!(true), 5000).unwrap_err(),
            "must be a whole number of pence"
        );
    }

    #[test]
    fn each_style_writes_pounds_its_own_way() {
        let all = |p: i64| {
            [Style::REGISTER, Style::LEDGER, Style::EXACT, Style::BRIEF].map(|s| Pence(p).pounds(s))
        };
        assert_eq!(all(600), ["£6", "£6.00", "£6.00", "£6"]);
        assert_eq!(all(601), ["£6.01", "£6.01", "£6.01", "£6.01"]);
        assert_eq!(
            all(123_456_789),
            [
                "£1,234,567.89",
                "£1,234,567.89",
                "£1234567.89",
                "£1234567.89"
            ]
        );
        assert_eq!(all(0), ["£0", "£0.00", "£0.00", "£0"]);
        assert_eq!(Pence(123_400).to_string(), "£1,234");
        assert_eq!(Pence(4999).form_text(), "49.99");
        assert_eq!(Pence(600).form_text(), "6.00");
    }

    #[test]
    fn money_is_pounds_with_pence_only_when_needed() {
        assert_eq!(Pence(600).to_string(), "£6");
        assert_eq!(Pence(601).to_string(), "£6.01");
        assert_eq!(Pence(123_456_789).to_string(), "£1,234,567.89");
        assert_eq!(Pence(0).to_string(), "£0");
    }

    #[test]
    fn open_data_amounts_are_numbers_of_pounds() {
        assert_eq!(Pence(125_000_000).json_pounds(), json!(1_250_000));
        assert_eq!(Pence(5).json_pounds().to_string(), "0.05");
        assert!(Pence(1_999).json_pounds().is_f64() && Pence(2_000).json_pounds().is_i64());
    }
}
