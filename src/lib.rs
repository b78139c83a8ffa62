//! coi-register: registers of interests, gifts and hospitality for NHS commissioning
//! organisations, with a per-organisation hash-chained audit log and a published site.

pub mod audit;
pub mod config;
pub mod domain;
pub mod store;
