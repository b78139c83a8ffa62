//! Chain verification: recompute every hash and link, and name the first bad entry.
//!
//! Two paths give one answer. The reference path parses each entry and re-serialises it
//! ([`ChainVerifier::push`]). The fast path hashes the canonical bytes as they stand in an
//! export line or a stored row, after checking that they are canonical, on every core
//! ([`verify_lines`], [`check_stored`]); whatever it cannot vouch for (a hash that does
//! not hold, a line not in canonical form, a broken link) goes through the reference
//! path, so failures and their messages are those of the reference path.

use super::canonical::{
    canonical_integer, canonical_value_end, is_canonical, push_canonical_string,
};
#[cfg(test)]
use super::entry::Draft;
use super::entry::{payload_sha256, ChainEntry, GENESIS_PREV};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
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

/// The state verification carries from one entry to the next: the organisation, the
/// previous entry's hash, and the counts. Entries are pushed in order, either in full
/// ([`ChainVerifier::push`], the reference checks of docs/audit-chain.md §4) or, when the
/// parallel stage has already checked an entry's own hashes, by their links alone.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    org: Option<String>,
    /// `entry_sha256` of the last entry that held (64 zeros before the first).
    prev: [u8; 64],
    count: i64,
    withheld: i64,
}

impl ChainVerifier {
    /// A verifier before the first entry; `org` is the organisation the chain must belong
    /// to, if known (otherwise the first entry's).
    pub fn new(org: Option<&str>) -> ChainVerifier {
        let mut prev = [0u8; 64];
        prev.copy_from_slice(GENESIS_PREV.as_bytes());
        ChainVerifier {
            org: org.map(str::to_owned),
            prev,
            count: 0,
            withheld: 0,
        }
    }

    /// Entries that held so far.
    pub fn entries(&self) -> i64 {
        self.count
    }

    /// The raw bytes of the last entry's hash: its Merkle leaf.
    pub fn head_leaf(&self) -> [u8; 32] {
        let mut leaf = [0u8; 32];
        hex::decode_to_slice(self.prev, &mut leaf).expect("prev is lower-case hex");
        leaf
    }

    fn prev_str(&self) -> &str {
        std::str::from_utf8(&self.prev).expect("prev is lower-case hex")
    }

    /// Check the next entry (or the parse error at its position) in full.
    pub fn push(&mut self, item: Result<ChainEntry, String>) -> Result<(), Failure> {
        let expected_seq = self.count + 1;
        let fail = |kind| Failure {
            seq: expected_seq,
            position: expected_seq as usize,
            kind,
        };
        let entry = item.map_err(|why| fail(FailureKind::Malformed(why)))?;
        let h = &entry.header;
        if h.v != 1 {
            return Err(fail(FailureKind::Version(h.v)));
        }
        match &self.org {
            Some(o) if *o != h.org => {
                return Err(fail(FailureKind::WrongOrg {
                    expected: o.clone(),
                    found: h.org.clone(),
                }))
            }
            Some(_) => {}
            None => self.org = Some(h.org.clone()),
        }
        if h.seq != expected_seq {
            return Err(fail(FailureKind::Gap {
                expected: expected_seq,
                found: h.seq,
            }));
        }
        let withheld = match &entry.payload {
            Some(payload) => match payload_sha256(payload) {
                Ok(hash) if hash == h.payload_sha256 => false,
                Ok(_) => return Err(fail(FailureKind::PayloadHash)),
                Err(e) => return Err(fail(FailureKind::Malformed(e.to_string()))),
            },
            None => true,
        };
        if h.prev != self.prev_str() {
            return Err(fail(FailureKind::BrokenLink));
        }
        if h.entry_sha256() != entry.entry_sha256 {
            return Err(fail(FailureKind::EntryHash));
        }
        // The hash just recomputed is lower-case hex, so it fits `prev`.
        self.prev.copy_from_slice(entry.entry_sha256.as_bytes());
        self.count += 1;
        self.withheld += i64::from(withheld);
        Ok(())
    }

    /// Link an entry whose own hashes already hold: `false` (and nothing changed) if its
    /// org, seq or prev does not follow, so the caller pushes it in full for the reason.
    pub fn link(&mut self, c: &Checked<'_>) -> bool {
        if self.org.as_deref().is_some_and(|o| o != c.org)
            || c.seq != self.count + 1
            || c.prev.as_bytes() != self.prev
        {
            return false;
        }
        if self.org.is_none() {
            self.org = Some(c.org.to_owned());
        }
        hex::encode_to_slice(c.entry, &mut self.prev).expect("64 hex digits for 32 bytes");
        self.count += 1;
        self.withheld += i64::from(c.withheld);
        true
    }

    /// After the last entry: with `expected`, check the chain ends at the recorded head.
    pub fn finish(self, expected: Option<&ExpectedHead>) -> Result<ChainSummary, Failure> {
        let count = self.count;
        let head = self.prev_str().to_owned();
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
            if e.head != head {
                return Err(Failure {
                    seq: count,
                    position: count as usize,
                    ..at
                });
            }
        }
        Ok(ChainSummary {
            org: self.org,
            entries: count,
            withheld: self.withheld,
            head,
        })
    }
}

/// Verify entries in order. `items` yields each entry or a parse error for that
/// position. With `expected`, also checks the org and that the chain ends at the head.
pub fn verify_entries<I>(items: I, expected: Option<&ExpectedHead>) -> Result<ChainSummary, Failure>
where
    I: IntoIterator<Item = Result<ChainEntry, String>>,
{
    let mut verifier = ChainVerifier::new(expected.map(|e| e.org.as_str()));
    for item in items {
        verifier.push(item)?;
    }
    verifier.finish(expected)
}

/// What the parallel stage established about one entry on its own: its payload and header
/// hash to what it states, and it is version 1. What is left is its place in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<'a> {
    pub seq: i64,
    pub org: &'a str,
    pub prev: &'a str,
    /// The entry's hash (equal to the `entry_sha256` it states).
    pub entry: [u8; 32],
    pub withheld: bool,
}

/// Whether `stated` (a JSON string's contents) is the lower-case hex of `digest`.
fn states(stated: &[u8], digest: &[u8]) -> bool {
    let mut hex = [0u8; 64];
    hex::encode_to_slice(digest, &mut hex).expect("64 hex digits for 32 bytes");
    stated == hex
}

/// Reads an export line field by field, in the canonical key order.
struct Cursor<'a> {
    line: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn key(&mut self, key: &str) -> Option<()> {
        let rest = self.line.get(self.at..)?;
        rest.starts_with(key).then(|| self.at += key.len())
    }

    fn value(&mut self) -> Option<&'a str> {
        let start = self.at;
        self.at = canonical_value_end(self.line.as_bytes(), start)?;
        Some(&self.line[start..self.at])
    }

    /// A string's contents, as written (escapes and all).
    fn string(&mut self) -> Option<&'a str> {
        let v = self.value()?;
        v.starts_with('"').then(|| &v[1..v.len() - 1])
    }
}

/// Check one export line's own hashes from its bytes, if it is the canonical JSON of an
/// entry (as the service writes it): the header's canonical JSON is the line without its
/// `entry_sha256` and `payload` members, and the payload's is its text in the line.
/// `None` when the line is not in that form or a hash does not hold: the full parser
/// then decides, and names the failure.
pub fn check_line(line: &str) -> Option<Checked<'_>> {
    let mut c = Cursor { line, at: 0 };
    for key in [
        "{\"action\":",
        ",\"actor\":",
        ",\"at\":",
        ",\"entity\":",
        ",\"entity_id\":",
    ] {
        c.key(key)?;
        c.string()?;
    }
    let header_end = c.at;
    c.key(",\"entry_sha256\":")?;
    let stated_entry = c.string()?;
    let org_start = c.at;
    c.key(",\"org\":")?;
    let org = c.string()?;
    let org_end = c.at;
    c.key(",\"payload\":")?;
    let payload = c.value()?;
    let tail = c.at;
    c.key(",\"payload_sha256\":")?;
    let stated_payload = c.string()?;
    c.key(",\"prev\":")?;
    let prev = c.string()?;
    c.key(",\"seq\":")?;
    let seq = canonical_integer(c.value()?.as_bytes())?;
    c.key(",\"v\":1}")?;
    // An escaped org is compared decoded, by the full path.
    if c.at != line.len() || org.contains('\\') {
        return None;
    }
    let withheld = payload == "null";
    if !withheld && !states(stated_payload.as_bytes(), &Sha256::digest(payload)) {
        return None;
    }
    let bytes = line.as_bytes();
    let mut hasher = Sha256::new();
    hasher.update(&bytes[..header_end]);
    hasher.update(&bytes[org_start..org_end]);
    hasher.update(&bytes[tail..]);
    let entry: [u8; 32] = hasher.finalize().into();
    if !states(stated_entry.as_bytes(), &entry) {
        return None;
    }
    Some(Checked {
        seq,
        org,
        prev,
        entry,
        withheld,
    })
}

/// An entry as the store holds it: the header's columns, the payload's stored
/// (canonical) text, and the stated hashes.
#[derive(Debug, Clone, Copy)]
pub struct StoredEntry<'a> {
    pub seq: i64,
    pub org: &'a str,
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub payload: &'a str,
    pub payload_sha256: &'a str,
    pub prev: &'a str,
    pub entry_sha256: &'a str,
}

/// Check a stored entry's own hashes: the payload's stored text when it is canonical, and
/// the header written into `buf` as canonical JSON. `None` when the full path must decide.
pub fn check_stored<'a>(e: &StoredEntry<'a>, buf: &mut Vec<u8>) -> Option<Checked<'a>> {
    if !is_canonical(e.payload) || !states(e.payload_sha256.as_bytes(), &Sha256::digest(e.payload))
    {
        return None;
    }
    buf.clear();
    for (key, value) in [
        ("{\"action\":", e.action),
        (",\"actor\":", e.actor),
        (",\"at\":", e.at),
        (",\"entity\":", e.entity),
        (",\"entity_id\":", e.entity_id),
        (",\"org\":", e.org),
        (",\"payload_sha256\":", e.payload_sha256),
        (",\"prev\":", e.prev),
    ] {
        buf.extend_from_slice(key.as_bytes());
        push_canonical_string(value, buf);
    }
    // JCS refuses integers beyond 2^53 - 1, as the full path does.
    if e.seq.abs() > (1 << 53) - 1 {
        return None;
    }
    buf.extend_from_slice(b",\"seq\":");
    buf.extend_from_slice(e.seq.to_string().as_bytes());
    buf.extend_from_slice(b",\"v\":1}");
    let entry: [u8; 32] = Sha256::digest(&buf[..]).into();
    if !states(e.entry_sha256.as_bytes(), &entry) {
        return None;
    }
    Some(Checked {
        seq: e.seq,
        org: e.org,
        prev: e.prev,
        entry,
        withheld: false,
    })
}

/// Verify the next export lines, in order, on every core: each line's own hashes in
/// parallel ([`check_line`]), then the links in order. A line the fast check cannot vouch
/// for goes through [`parse_line`] and [`ChainVerifier::push`], so every failure is the
/// one [`verify_entries`] reports. `leaves`, if given, receives each entry's hash.
pub fn verify_lines(
    verifier: &mut ChainVerifier,
    lines: &[&str],
    mut leaves: Option<&mut Vec<[u8; 32]>>,
) -> Result<(), Failure> {
    let checked: Vec<Option<Checked<'_>>> = lines
        .par_iter()
        .with_min_len(64)
        .map(|line| check_line(line))
        .collect();
    for (line, c) in lines.iter().zip(checked) {
        let leaf = match c {
            Some(c) if verifier.link(&c) => c.entry,
            _ => {
                verifier.push(parse_line(line))?;
                verifier.head_leaf()
            }
        };
        if let Some(leaves) = leaves.as_deref_mut() {
            leaves.push(leaf);
        }
    }
    Ok(())
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

    /// Both paths over export lines, the fast one fed in blocks of `block` lines.
    fn both(
        lines: &[String],
        block: usize,
    ) -> (Result<ChainSummary, Failure>, Result<ChainSummary, Failure>) {
        let reference = verify_entries(lines.iter().map(|l| parse_line(l)), None);
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mut v = ChainVerifier::new(None);
        let mut leaves = Vec::new();
        let fast = refs
            .chunks(block.max(1))
            .try_for_each(|b| verify_lines(&mut v, b, Some(&mut leaves)))
            .and_then(|()| v.finish(None));
        if let Ok(summary) = &fast {
            assert_eq!(leaves.len() as i64, summary.entries);
            let last = leaves.last().map(hex::encode);
            assert_eq!(last.unwrap_or_else(|| GENESIS_PREV.into()), summary.head);
        }
        (reference, fast)
    }

    fn lines_of(entries: &[ChainEntry]) -> Vec<String> {
        entries.iter().map(ChainEntry::to_json_line).collect()
    }

    #[test]
    fn the_fast_path_vouches_for_every_line_the_service_writes() {
        let mut c = chain(12);
        c[3] = c[3].clone().withheld();
        for line in lines_of(&c) {
            let checked = check_line(&line).expect("a canonical line");
            let entry = parse_line(&line).unwrap();
            assert_eq!(checked.seq, entry.header.seq);
            assert_eq!(checked.prev, entry.header.prev);
            assert_eq!(hex::encode(checked.entry), entry.entry_sha256);
            assert_eq!(checked.withheld, entry.payload.is_none());
        }
        for block in [1, 5, 64] {
            let (reference, fast) = both(&lines_of(&c), block);
            assert_eq!(fast, reference);
            assert_eq!(fast.unwrap().withheld, 1);
        }
    }

    #[test]
    fn every_single_field_change_in_a_line_fails_as_the_reference_says() {
        let base = chain(6);
        type Edit = fn(&mut ChainEntry);
        let edits: [Edit; 10] = [
            |e| e.payload = Some(json!({"i": 99})),
            |e| e.header.at.push('x'),
            |e| e.header.actor = "some\none".into(),
            |e| e.header.org = "other".into(),
            |e| e.header.v = 2,
            |e| e.header.payload_sha256 = "0".repeat(64),
            |e| e.header.prev = "1".repeat(64),
            |e| e.entry_sha256 = "A".repeat(64),
            |e| e.header.seq += 10,
            |e| e.header.seq = -1,
        ];
        for target in 0..6 {
            for (n, edit) in edits.iter().enumerate() {
                let mut c = base.clone();
                edit(&mut c[target]);
                let (reference, fast) = both(&lines_of(&c), 4);
                assert!(reference.is_err(), "edit {n} at {target}");
                assert_eq!(fast, reference, "edit {n} at {target}");
            }
        }
    }

    #[test]
    fn lines_that_are_not_canonical_verify_as_the_reference_says() {
        let c = chain(5);
        // Pretty-printed, reordered and escaped lines still parse to the same entries.
        let mut lines = lines_of(&c);
        lines[1] = serde_json::to_string_pretty(&c[1])
            .unwrap()
            .replace('\n', " ");
        lines[2] = serde_json::to_string(&c[2]).unwrap();
        lines[3] = lines[3].replace("\"org\":\"t-ccg\"", "\"org\":\"t\\u002dccg\"");
        assert!(check_line(&lines[2]).is_none() && check_line(&lines[3]).is_none());
        assert!(lines[3].contains("t\\u002dccg"));
        let (reference, fast) = both(&lines, 2);
        assert_eq!(fast, reference);
        assert_eq!(fast.unwrap().entries, 5);
        // Junk, blank and truncated lines are malformed at their seq.
        for junk in ["", "{", "[]", "null", "{\"v\":1}"] {
            let mut lines = lines_of(&c);
            lines[2] = junk.to_owned();
            let (reference, fast) = both(&lines, 3);
            assert!(matches!(
                reference.as_ref().unwrap_err().kind,
                FailureKind::Malformed(_)
            ));
            assert_eq!(fast, reference, "{junk:?}");
        }
        // A float in a payload has no canonical form: malformed, on both paths.
        let mut lines = lines_of(&c);
        lines[1] = lines[1].replace("\"payload\":{\"i\":1}", "\"payload\":{\"i\":1.0}");
        assert!(lines[1].contains("1.0"));
        let (reference, fast) = both(&lines, 3);
        assert!(matches!(
            reference.as_ref().unwrap_err().kind,
            FailureKind::Malformed(_)
        ));
        assert_eq!(fast, reference);
        let mut lines = lines_of(&c);
        let shorter = lines[4].len() - 1;
        lines[4].truncate(shorter);
        let (reference, fast) = both(&lines, 3);
        assert_eq!(reference.as_ref().unwrap_err().seq, 5);
        assert_eq!(fast, reference);
    }

    #[test]
    fn stored_entries_are_checked_from_their_columns() {
        let c = chain(3);
        let mut buf = Vec::new();
        for e in &c {
            let payload = crate::audit::canonical_json(e.payload.as_ref().unwrap()).unwrap();
            let h = &e.header;
            let stored = StoredEntry {
                seq: h.seq,
                org: &h.org,
                at: &h.at,
                actor: &h.actor,
                action: &h.action,
                entity: &h.entity,
                entity_id: &h.entity_id,
                payload: &payload,
                payload_sha256: &h.payload_sha256,
                prev: &h.prev,
                entry_sha256: &e.entry_sha256,
            };
            let checked = check_stored(&stored, &mut buf).expect("a stored entry holds");
            assert_eq!(hex::encode(checked.entry), e.entry_sha256);
            let spaced = payload.replace(':', ": ");
            assert!(check_stored(
                &StoredEntry {
                    payload: &spaced,
                    ..stored
                },
                &mut buf
            )
            .is_none());
            let actor = "some\"one";
            assert!(check_stored(&StoredEntry { actor, ..stored }, &mut buf).is_none());
            let seq = h.seq + 1;
            assert!(check_stored(&StoredEntry { seq, ..stored }, &mut buf).is_none());
        }
    }

    proptest::proptest! {
        #[test]
        fn any_one_byte_change_fails_as_the_reference_says(
            target in 0usize..6,
            at in proptest::prelude::any::<proptest::sample::Index>(),
            byte in 0x20u8..0x7f,
            block in 1usize..7,
        ) {
            let mut lines = lines_of(&chain(6));
            let line = &lines[target];
            let ascii: Vec<usize> = line.bytes().enumerate().filter(|(_, b)| b.is_ascii()).map(|(i, _)| i).collect();
            let i = ascii[at.index(ascii.len())];
            let mut bytes = line.clone().into_bytes();
            bytes[i] = byte;
            lines[target] = String::from_utf8(bytes).unwrap();
            let (reference, fast) = both(&lines, block);
            proptest::prop_assert_eq!(fast, reference);
        }
    }
}
