//! coi-register: registers of interests, gifts and hospitality for NHS commissioning
//! organisations, with a per-organisation hash-chained audit log and a published site.

pub mod audit;
pub mod auditor;
pub mod bench;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod import;
pub mod publish;
pub mod scale;
pub mod store;
pub mod web;

#[cfg(test)]
mod as_at_property;
#[cfg(test)]
mod fuzz;
#[cfg(test)]
mod publish_property;
#[cfg(test)]
mod test_db;
