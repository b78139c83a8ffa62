//! Change notices between instances: on PostgreSQL every write announces, inside its
//! transaction, which organisation it changed, the chain positions it appended and what
//! it touched, with `pg_notify` on the [`CHANNEL`]. PostgreSQL delivers a notice when,
//! and only if, its transaction commits, in commit order, to every session listening;
//! `publish::follow` listens in each `serve` and re-renders what another instance's
//! write touched. On SQLite (one process per database) there is nobody to tell and
//! [`announce`] does nothing.
//!
//! A notice is one line of text, well under PostgreSQL's 8,000-byte limit on a payload:
//!
//! ```text
//! 1 <instance> <org slug> <first seq> <last seq> <touched>,<touched>,…
//! ```
//!
//! where each touched is `o` (the organisation: everything), `p<id>`, `i<id>`, `g<id>`,
//! `c<id>` (a person, their interests, their gifts, a committee), `d`, `b` or `e`
//! (decisions, breaches, editions); see [`Touched`].

use super::{AnyConnection, StoreError, Touched};
use diesel::sql_types::Text;
use diesel::RunQueryDsl;
use std::sync::OnceLock;

/// The PostgreSQL notification channel change notices go out on.
pub const CHANNEL: &str = "coi_changes";
/// The format's version, the notice's first word.
const VERSION: &str = "1";
/// The longest notice sent; PostgreSQL refuses payloads of 8,000 bytes or more. A change
/// that touched more than fits is announced as touching the organisation (everything).
const MAX_PAYLOAD: usize = 7_000;

/// A change another process committed, as its notice tells it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The process that made the change ([`instance_id`] there).
    pub instance: String,
    /// The organisation's slug.
    pub org: String,
    /// The `seq` of the change's first audit entry.
    pub first_seq: i64,
    /// The chain's length after the change (its last entry's `seq`).
    pub seq: i64,
    /// What the change touched (never empty).
    pub touched: Vec<Touched>,
}

/// This process's instance id, random and fixed for its lifetime: an instance ignores
/// notices of its own writes, which it publishes itself.
pub fn instance_id() -> &'static str {
    static ID: OnceLock<String> = OnceLock::new();
    ID.get_or_init(|| {
        let mut bytes = [0u8; 8];
        // Without randomness the process id still tells processes on one host apart.
        if getrandom::getrandom(&mut bytes).is_err() {
            bytes[..4].copy_from_slice(&std::process::id().to_be_bytes());
        }
        hex::encode(bytes)
    })
}

/// Announce a change inside its write transaction (PostgreSQL; nothing on SQLite): the
/// notice goes out when the transaction commits, and never if it rolls back.
pub fn announce(
    c: &mut AnyConnection,
    org: &str,
    first_seq: i64,
    seq: i64,
    touched: &[Touched],
) -> Result<(), StoreError> {
    let AnyConnection::Postgresql(pg) = c else {
        return Ok(());
    };
    let notice = Notice {
        instance: instance_id().to_owned(),
        org: org.to_owned(),
        first_seq,
        seq,
        touched: touched.to_vec(),
    };
    diesel::sql_query("SELECT pg_notify($1, $2)")
        .bind::<Text, _>(CHANNEL)
        .bind::<Text, _>(notice.encode())
        .execute(pg)?;
    Ok(())
}

impl Notice {
    /// The notice's text (see the module's documentation).
    pub fn encode(&self) -> String {
        let head = format!(
            "{VERSION} {} {} {} {} ",
            self.instance, self.org, self.first_seq, self.seq
        );
        let mut touched: Vec<Touched> = self.touched.clone();
        touched.sort_unstable();
        touched.dedup();
        let list: Vec<String> = touched.iter().map(|t| code(*t)).collect();
        let list = list.join(",");
        if list.is_empty()
            || head.len() + list.len() > MAX_PAYLOAD
            || touched.contains(&Touched::Org)
        {
            head + "o"
        } else {
            head + &list
        }
    }

    /// Read a notice's text; `None` for anything else (another version, a stray `NOTIFY`).
    pub fn decode(text: &str) -> Option<Notice> {
        let mut words = text.split(' ');
        if words.next()? != VERSION {
            return None;
        }
        let instance = words.next().filter(|w| !w.is_empty())?.to_owned();
        let org = words.next().filter(|w| !w.is_empty())?.to_owned();
        let first_seq: i64 = words.next()?.parse().ok()?;
        let seq: i64 = words.next()?.parse().ok()?;
        let touched = words
            .next()?
            .split(',')
            .map(parse_code)
            .collect::<Option<Vec<_>>>()?;
        if words.next().is_some() || touched.is_empty() || first_seq < 1 || seq < first_seq {
            return None;
        }
        Some(Notice {
            instance,
            org,
            first_seq,
            seq,
            touched,
        })
    }
}

fn code(t: Touched) -> String {
    match t {
        Touched::Org => "o".into(),
        Touched::Person(id) => format!("p{id}"),
        Touched::Interests(id) => format!("i{id}"),
        Touched::Gifts(id) => format!("g{id}"),
        Touched::Committee(id) => format!("c{id}"),
        Touched::Decisions => "d".into(),
        Touched::Breaches => "b".into(),
        Touched::GpEarnings => "n".into(),
        Touched::Editions => "e".into(),
    }
}

fn parse_code(s: &str) -> Option<Touched> {
    let (kind, digits) = s.split_at_checked(1)?;
    let id = || digits.parse::<i64>().ok();
    Some(match (kind, digits.is_empty()) {
        ("o", true) => Touched::Org,
        ("d", true) => Touched::Decisions,
        ("b", true) => Touched::Breaches,
        ("n", true) => Touched::GpEarnings,
        ("e", true) => Touched::Editions,
        ("p", false) => Touched::Person(id()?),
        ("i", false) => Touched::Interests(id()?),
        ("g", false) => Touched::Gifts(id()?),
        ("c", false) => Touched::Committee(id()?),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice(touched: Vec<Touched>) -> Notice {
        Notice {
            instance: "0123456789abcdef".into(),
            org: "test-ccg".into(),
            first_seq: 41,
            seq: 43,
            touched,
        }
    }

    #[test]
    fn every_kind_of_touched_survives_the_round_trip() {
        let all = vec![
            Touched::Person(7),
            Touched::Interests(8),
            Touched::Gifts(9),
            Touched::Committee(10),
            Touched::Decisions,
            Touched::Breaches,
            Touched::GpEarnings,
            Touched::Editions,
        ];
        let n = notice(all.clone());
        let text = n.encode();
        assert_eq!(
            text,
            "1 0123456789abcdef test-ccg 41 43 p7,i8,g9,c10,d,b,n,e"
        );
        assert_eq!(Notice::decode(&text), Some(n));
    }

    #[test]
    fn the_organisation_stands_for_everything_and_too_much_becomes_the_organisation() {
        let text = notice(vec![Touched::Person(1), Touched::Org]).encode();
        assert_eq!(text, "1 0123456789abcdef test-ccg 41 43 o");
        let many: Vec<Touched> = (0..5_000).map(Touched::Interests).collect();
        let text = notice(many).encode();
        assert!(text.len() < 8_000, "{} bytes", text.len());
        assert_eq!(Notice::decode(&text).unwrap().touched, vec![Touched::Org]);
    }

    #[test]
    fn anything_else_is_not_a_notice() {
        for text in [
            "",
            "hello",
            "2 a org 1 1 o",
            "1 a org 1 1",
            "1 a org 1 1 ",
            "1 a org 0 1 o",
            "1 a org 3 2 o",
            "1 a org x 2 o",
            "1 a org 1 2 q",
            "1 a org 1 2 p",
            "1 a org 1 2 px",
            "1 a org 1 2 o1",
            "1 a org 1 2 o extra",
            "1 a org 1 2 é",
        ] {
            assert_eq!(Notice::decode(text), None, "{text:?}");
        }
    }

    #[test]
    fn the_instance_id_is_fixed_for_the_process() {
        assert_eq!(instance_id(), instance_id());
        assert_eq!(instance_id().len(), 16);
    }
}
