//! The audit chain: canonical encoding, entry hashing and chain verification.
//!
//! Pure functions over bytes and structs, implementing the normative format in
//! `docs/audit-chain.md`; used by the store (to append), the publisher (to export) and the CLI.

pub mod canonical;
pub mod checkpoint;
pub mod entry;
pub mod merkle;
pub mod verify;

pub use canonical::{canonical_json, CanonicalError};
pub use entry::{sha256_hex, ChainEntry, Draft, EntryHeader, GENESIS_PREV};
pub use verify::{verify_entries, ChainSummary, Failure, FailureKind};
