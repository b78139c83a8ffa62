//! Chain verification: recompute every hash and link, and name the first bad entry.

#[cfg(test)]
use super::entry::Draft;
use super::entry::{payload_sha256, ChainEntry, GENESIS_PREV};
use std::fmt;

/// Why an entry fails verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    /// The line is not a well-formed entry.
    Malformed(String),
    /// The version field is not 1.
    Version(i64),
    /// The entry belongs to another organisation's chain.
    WrongOrg { expected: String, found: String },
    /// `seq` is not the next number (an entry was deleted, inserted or reordered).
    Gap { expected: i64, found: i64 },
    /// The payload does not hash to `payload_sha256`.
    PayloadHash,
    /// `prev` is not the previous entry's `entry_sha256`.
    BrokenLink,
    /// The header does not hash to `entry_sha256`.
    EntryHash,
    /// The chain is shorter or longer than the head recorded for it.
    Length { expected: i64, found: i64 },
    /// The last entry's hash is not the head recorded for the chain.
    Head,
}

/// The first failure in a chain: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The sequence number at which the chain stops holding.
    pub seq: i64,
    /// 1-based position in the input (the line of an export file).
    pub position: usize,
    pub kind: FailureKind,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seq {} (entry {}): ", self.seq, self.position)?;
        match &self.kind {
            FailureKind::Malformed(why) => write!(f, "malformed entry: {why}"),
            FailureKind::Version(v) => write!(f, "unknown version {v}"),
            FailureKind::WrongOrg { expected, found } => {
                write!(f, "wrong org (expected {expected}, found {found})")
            }
            FailureKind::Gap { expected, found } => {
                write!(f, "gap (expected seq {expected}, found {found})")
            }
            FailureKind::PayloadHash => write!(f, "payload hash mismatch"),
            FailureKind::BrokenLink => {
                write!(f, "broken link (prev does not match the previous entry)")
            }
            FailureKind::EntryHash => write!(f, "entry hash mismatch"),
            FailureKind::Length { expected, found } => {
                write!(f, "chain has {found} entries but its head says {expected}")
            }
            FailureKind::Head => write!(f, "last entry does not match the recorded chain head"),
        }
    }
}

/// What a chain that holds looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    pub org: Option<String>,
    pub entries: i64,
    /// Entries whose payload was withheld, so only their header could be checked.
    pub withheld: i64,
    /// `entry_sha256` of the last entry (64 zeros for an empty chain).
    pub head: String,
}

/// The head a live chain claims: its length and last hash.
#[derive(Debug, Clone)]
pub struct ExpectedHead {
    pub org: String,
    pub seq: i64,
    pub head: String,
}

/// Verify entries in order. `items` yields each entry or a parse error for that
/// position. With `expected`, also checks the org and that the chain ends at the head.
pub fn verify_entries<I>(items: I, expected: Option<&ExpectedHead>) -> Result<ChainSummary, Failure>
where
    I: IntoIterator<Item = Result<ChainEntry, String>>,
{
    let mut org: Option<String> = expected.map(|e| e.org.clone());
    let mut prev = GENESIS_PREV.to_owned();
    let mut count = 0i64;
    let mut withheld = 0i64;
    for (index, item) in items.into_iter().enumerate() {
        let position = index + 1;
        let expected_seq = count + 1;
        let fail = |kind| Failure {
            seq: expected_seq,
            position,
            kind,
        };
        let entry = item.map_err(|why| fail(FailureKind::Malformed(why)))?;
        let h = &entry.header;
        if h.v != 1 {
            return Err(fail(FailureKind::Version(h.v)));
        }
        match &org {
            Some(o) if *o != h.org => {
                return Err(fail(FailureKind::WrongOrg {
                    expected: o.clone(),
                    found: h.org.clone(),
                }))
            }
            Some(_) => {}
            None => org = Some(h.org.clone()),
        }
        if h.seq != expected_seq {
            return Err(fail(FailureKind::Gap {
                expected: expected_seq,
                found: h.seq,
            }));
        }
        match &entry.payload {
            Some(payload) => match payload_sha256(payload) {
                Ok(hash) if hash == h.payload_sha256 => {}
                Ok(_) => return Err(fail(FailureKind::PayloadHash)),
                Err(e) => return Err(fail(FailureKind::Malformed(e.to_string()))),
            },
            None => withheld += 1,
        }
        if h.prev != prev {
            return Err(fail(FailureKind::BrokenLink));
        }
        if h.entry_sha256() != entry.entry_sha256 {
            return Err(fail(FailureKind::EntryHash));
        }
        prev = entry.entry_sha256;
        count += 1;
    }
    if let Some(e) = expected {
        let at = Failure {
            seq: count.min(e.seq) + 1,
            position: count as usize + 1,
            kind: FailureKind::Head,
        };
        if e.seq != count {
            return Err(Failure {
                kind: FailureKind::Length {
                    expected: e.seq,
                    found: count,
                },
                ..at
            });
        }
        if e.head != prev {
            return Err(Failure {
                seq: count,
                position: count as usize,
                ..at
            });
        }
    }
    Ok(ChainSummary {
        org,
        entries: count,
        withheld,
        head: prev,
    })
}

/// Parse one export line into an entry, with a message fit for a person on failure.
pub fn parse_line(line: &str) -> Result<ChainEntry, String> {
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let object = value.as_object().ok_or("not a JSON object")?;
    const KEYS: [&str; 12] = [
        "v",
        "org",
        "seq",
        "at",
        "actor",
        "action",
        "entity",
        "entity_id",
        "payload_sha256",
        "prev",
        "entry_sha256",
        "payload",
    ];
    if let Some(extra) = object.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(format!("unexpected field {extra:?}"));
    }
    serde_json::from_value(value).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: i64) -> Vec<ChainEntry> {
        let mut out: Vec<ChainEntry> = Vec::new();
        for i in 0..n {
            let prev = out.last().map(|e| (e.entry_sha256.as_str(), e.header.seq));
            let e = ChainEntry::next(
                prev,
                Draft {
                    org: "t-ccg",
                    at: format!("2026-01-01T00:00:{:02}Z", i % 60),
                    actor: "system",
                    action: "create",
                    entity: "person",
                    entity_id: &i.to_string(),
                },
                json!({"i": i}),
            )
            .unwrap();
            out.push(e);
        }
        out
    }

    fn check(entries: &[ChainEntry]) -> Result<ChainSummary, Failure> {
        verify_entries(entries.iter().cloned().map(Ok), None)
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let c = chain(20);
        let s = check(&c).unwrap();
        assert_eq!(s.entries, 20);
        assert_eq!(s.head, c[19].entry_sha256);
    }

    #[test]
    fn every_single_field_change_is_caught_at_its_seq() {
        let base = chain(6);
        type Edit = fn(&mut ChainEntry);
        let edits: [(Edit, &str); 10] = [
            (|e| e.payload = Some(json!({"i": 99})), "payload"),
            (|e| e.header.at.push('x'), "at"),
            (|e| e.header.actor = "someone".into(), "actor"),
            (|e| e.header.action = "amend".into(), "action"),
            (|e| e.header.entity = "gift".into(), "entity"),
            (|e| e.header.entity_id = "77".into(), "entity_id"),
            (
                |e| e.header.payload_sha256 = "0".repeat(64),
                "payload_sha256",
            ),
            (|e| e.header.prev = "1".repeat(64), "prev"),
            (|e| e.entry_sha256 = "2".repeat(64), "entry_sha256"),
            (|e| e.header.seq += 10, "seq"),
        ];
        for target in 0..6 {
            for (edit, name) in edits {
                let mut c = base.clone();
                edit(&mut c[target]);
                let failure = check(&c).expect_err(name);
                assert_eq!(
                    failure.seq,
                    target as i64 + 1,
                    "{name} edited at index {target}: {failure}"
                );
            }
        }
    }

    #[test]
    fn deletion_and_reordering_are_gaps() {
        let mut c = chain(5);
        c.remove(2);
        assert!(matches!(
            check(&c).unwrap_err().kind,
            FailureKind::Gap {
                expected: 3,
                found: 4
            }
        ));
        let mut c = chain(5);
        c.swap(1, 3);
        assert_eq!(check(&c).unwrap_err().seq, 2);
    }

    #[test]
    fn a_rehashed_edit_breaks_the_next_link() {
        let mut c = chain(5);
        c[2].payload = Some(json!({"i": 42}));
        c[2].header.payload_sha256 = payload_sha256(c[2].payload.as_ref().unwrap()).unwrap();
        c[2].entry_sha256 = c[2].header.entry_sha256();
        let f = check(&c).unwrap_err();
        assert_eq!((f.seq, f.kind), (4, FailureKind::BrokenLink));
    }

    #[test]
    fn withheld_payloads_still_verify_their_headers() {
        let mut c = chain(4);
        c[1] = c[1].clone().withheld();
        assert_eq!(check(&c).unwrap().withheld, 1);
    }

    #[test]
    fn truncation_is_caught_against_the_recorded_head() {
        let c = chain(5);
        let head = ExpectedHead {
            org: "t-ccg".into(),
            seq: 5,
            head: c[4].entry_sha256.clone(),
        };
        let f = verify_entries(c[..4].iter().cloned().map(Ok), Some(&head)).unwrap_err();
        assert_eq!(
            f.kind,
            FailureKind::Length {
                expected: 5,
                found: 4
            }
        );
        assert_eq!(f.seq, 5);
        let wrong_org = ExpectedHead {
            org: "other".into(),
            ..head
        };
        assert!(matches!(
            verify_entries(c.iter().cloned().map(Ok), Some(&wrong_org))
                .unwrap_err()
                .kind,
            FailureKind::WrongOrg { .. }
        ));
    }

    #[test]
    fn lines_round_trip_and_junk_is_malformed() {
        let c = chain(2);
        assert_eq!(parse_line(&c[1].to_json_line()).unwrap(), c[1]);
        assert!(parse_line("{").is_err());
        assert!(parse_line("[]").is_err());
        let mut v: serde_json::Value = serde_json::from_str(&c[0].to_json_line()).unwrap();
        v["extra"] = json!(1);
        assert!(parse_line(&v.to_string()).is_err());
    }
}
