//! The rules of signing in: what an account's email and a new password must be, how
//! long a session lasts, and when repeated failed sign-ins lock an email out.

use chrono::{DateTime, Duration, Utc};

/// An account's email address: trimmed, lower case, one `@` with something either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Email, String> {
        let email = raw.trim().to_lowercase();
        let well_formed = email.len() <= 254
            && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && !domain.is_empty() && !domain.contains('@')
            });
        if well_formed {
            Ok(Email(email))
        } else {
            Err(format!("{:?} is not an email address", raw.trim()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password someone chose: long enough to resist guessing, short enough to hash quickly.
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(raw: &str) -> Result<NewPassword, String> {
        let n = raw.chars().count();
        if n < Self::MIN_CHARS {
            Err(format!(
                "a password needs at least {} characters",
                Self::MIN_CHARS
            ))
        } else if n > Self::MAX_CHARS {
            Err(format!(
                "a password may have at most {} characters",
                Self::MAX_CHARS
            ))
        } else if raw.chars().any(char::is_control) {
            Err("a password may not contain control characters".into())
        } else {
            Ok(NewPassword(raw.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

/// How long a session lasts from sign-in, however active it is.
pub fn session_lifetime() -> Duration {
    Duration::hours(8)
}

/// Failed sign-ins for one email within [`failure_window`] that lock it out.
pub const MAX_FAILURES: usize = 5;

/// The window in which [`MAX_FAILURES`] failures lock an email out.
pub fn failure_window() -> Duration {
    Duration::minutes(15)
}

/// How long an email stays locked out after the failure that locked it.
pub fn lockout() -> Duration {
    Duration::minutes(15)
}

/// Until when sign-ins for an email are refused, given its recent failed attempts (any
/// order): [`lockout`] after any failure that was the [`MAX_FAILURES`]th within
/// [`failure_window`]. `None` if the email may try now.
pub fn locked_until(failures: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut times = failures.to_vec();
    times.sort();
    times
        .windows(MAX_FAILURES)
        .filter(|w| w[MAX_FAILURES - 1] - w[0] <= failure_window())
        .map(|w| w[MAX_FAILURES - 1] + lockout())
        .max()
        .filter(|until| *until > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("a valid time")
            + Duration::minutes(minute)
    }

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Lead@Example.ORG ").unwrap().as_str(),
            "lead@example.org"
        );
    }

    #[test]
    fn an_email_needs_one_at_sign_with_text_either_side() {
        for bad in [
            "",
            "lead",
            "@example.org",
            "lead@",
            "a@b@c",
            "le ad@example.org",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_short_password_is_refused() {
        assert!(NewPassword::parse("short").is_err());
        assert!(NewPassword::parse("correct horse battery").is_ok());
        assert!(NewPassword::parse("twelve chars\n").is_err());
    }

    #[test]
    fn four_failures_do_not_lock_an_email() {
        let f: Vec<_> = (0..4).map(at).collect();
        assert_eq!(locked_until(&f, at(5)), None);
    }

    #[test]
    fn five_failures_within_fifteen_minutes_lock_for_fifteen_minutes() {
        let f: Vec<_> = [0, 3, 6, 9, 12].into_iter().map(at).collect();
        assert_eq!(locked_until(&f, at(13)), Some(at(27)));
        assert_eq!(locked_until(&f, at(26)), Some(at(27)));
        assert_eq!(locked_until(&f, at(27)), None);
    }

    #[test]
    fn five_failures_spread_over_more_than_fifteen_minutes_do_not_lock() {
        let f: Vec<_> = [0, 4, 8, 12, 16].into_iter().map(at).collect();
        assert_eq!(locked_until(&f, at(17)), None);
    }

    #[test]
    fn the_latest_locking_failure_decides() {
        let f: Vec<_> = [0, 1, 2, 3, 4, 10].into_iter().map(at).collect();
        assert_eq!(locked_until(&f, at(12)), Some(at(25)));
    }
}
