//! One entry of an organisation's chain: its header, its hashes, and its export line.

use super::canonical::{canonical_json, CanonicalError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// `prev` of the first entry in every chain.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The hashed header of an entry, field for field as docs/audit-chain.md (section 3) defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryHeader {
    pub v: i64,
    pub org: String,
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub payload_sha256: String,
    pub prev: String,
}

impl EntryHeader {
    /// `entry_sha256`: the hash of the canonical header.
    pub fn entry_sha256(&self) -> String {
        let value = serde_json::to_value(self).expect("a header always serialises");
        let text = canonical_json(&value).expect("a header holds only strings and small integers");
        sha256_hex(text.as_bytes())
    }
}

/// Hash of a payload's canonical form.
pub fn payload_sha256(payload: &Value) -> Result<String, CanonicalError> {
    Ok(sha256_hex(canonical_json(payload)?.as_bytes()))
}

/// An entry as exported (one JSON Lines record): header, its hash, and the payload
/// (`None` where the payload is withheld from the public).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainEntry {
    #[serde(flatten)]
    pub header: EntryHeader,
    pub entry_sha256: String,
    pub payload: Option<Value>,
}

/// What a new entry says, before it is linked into a chain.
#[derive(Debug, Clone)]
pub struct Draft<'a> {
    pub org: &'a str,
    pub at: String,
    pub actor: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
}

impl ChainEntry {
    /// Build the next entry after `prev` (`None` for the first entry of a chain).
    pub fn next(
        prev: Option<(&str, i64)>,
        draft: Draft<'_>,
        payload: Value,
    ) -> Result<ChainEntry, CanonicalError> {
        let (prev_hash, prev_seq) = prev.unwrap_or((GENESIS_PREV, 0));
        let header = EntryHeader {
            v: 1,
            org: draft.org.to_owned(),
            seq: prev_seq + 1,
            at: draft.at,
            actor: draft.actor.to_owned(),
            action: draft.action.to_owned(),
            entity: draft.entity.to_owned(),
            entity_id: draft.entity_id.to_owned(),
            payload_sha256: payload_sha256(&payload)?,
            prev: prev_hash.to_owned(),
        };
        let entry_sha256 = header.entry_sha256();
        Ok(ChainEntry {
            header,
            entry_sha256,
            payload: Some(payload),
        })
    }

    /// The export line (no trailing newline), keys in canonical order.
    pub fn to_json_line(&self) -> String {
        let value = json!({
            "v": self.header.v, "org": self.header.org, "seq": self.header.seq,
            "at": self.header.at, "actor": self.header.actor, "action": self.header.action,
            "entity": self.header.entity, "entity_id": self.header.entity_id,
            "payload_sha256": self.header.payload_sha256, "prev": self.header.prev,
            "entry_sha256": self.entry_sha256, "payload": self.payload,
        });
        canonical_json(&value).expect("entries hold canonical payloads")
    }

    /// The same entry with its payload withheld.
    pub fn withheld(mut self) -> ChainEntry {
        self.payload = None;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Vectors {
        canonical: Vec<CanonicalVector>,
        entries: Vec<EntryVector>,
        chain: Vec<ChainEntry>,
    }
    #[derive(Deserialize)]
    struct CanonicalVector {
        name: String,
        input: Value,
        canonical: String,
        sha256: String,
    }
    #[derive(Deserialize)]
    struct EntryVector {
        name: String,
        header: EntryHeader,
        payload: Value,
        payload_sha256: String,
        entry_sha256: String,
    }

    fn vectors() -> Vectors {
        let text = include_str!("../../tests/vectors/audit_vectors.json");
        serde_json::from_str(text).expect("the vector file parses")
    }

    #[test]
    fn canonical_encoding_matches_the_fixed_vectors() {
        let v = vectors();
        assert!(v.canonical.len() >= 10);
        for case in v.canonical {
            let text = canonical_json(&case.input).unwrap();
            assert_eq!(text, case.canonical, "canonical form of {}", case.name);
            assert_eq!(
                sha256_hex(text.as_bytes()),
                case.sha256,
                "hash of {}",
                case.name
            );
        }
    }

    #[test]
    fn entry_hashes_match_the_fixed_vectors() {
        let v = vectors();
        assert!(!v.entries.is_empty());
        for case in v.entries {
            assert_eq!(
                payload_sha256(&case.payload).unwrap(),
                case.payload_sha256,
                "{}",
                case.name
            );
            assert_eq!(
                case.header.payload_sha256, case.payload_sha256,
                "{}",
                case.name
            );
            assert_eq!(
                case.header.entry_sha256(),
                case.entry_sha256,
                "{}",
                case.name
            );
        }
    }

    #[test]
    fn the_vector_chain_verifies() {
        let chain = vectors().chain;
        let summary = crate::audit::verify_entries(chain.iter().cloned().map(Ok), None).unwrap();
        assert_eq!(summary.entries, chain.len() as i64);
        assert_eq!(summary.withheld, 1);
    }

    #[test]
    fn next_links_entries_and_starts_at_genesis() {
        let a = ChainEntry::next(
            None,
            Draft {
                org: "x",
                at: "2026-01-01T00:00:00Z".into(),
                actor: "system",
                action: "create",
                entity: "person",
                entity_id: "1",
            },
            serde_json::json!({"a":1}),
        )
        .unwrap();
        assert_eq!(a.header.seq, 1);
        assert_eq!(a.header.prev, GENESIS_PREV);
        let b = ChainEntry::next(
            Some((&a.entry_sha256, 1)),
            Draft {
                org: "x",
                at: "2026-01-01T00:00:01Z".into(),
                actor: "system",
                action: "amend",
                entity: "person",
                entity_id: "1",
            },
            serde_json::json!({"a":2}),
        )
        .unwrap();
        assert_eq!(b.header.seq, 2);
        assert_eq!(b.header.prev, a.entry_sha256);
        let line = b.to_json_line();
        let back: ChainEntry = serde_json::from_str(&line).unwrap();
        assert_eq!(back, b);
    }
}
