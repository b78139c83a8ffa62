//! Plain types and the rules of DOMAIN.md: what a valid record is, when a declaration
//! is late, which gifts must be declared or declined, what the public may see.
//! No I/O, no database, no HTTP: everything here is a pure function of its inputs.

pub mod accounts;
pub mod codes;
pub mod committees;
pub mod decisions;
pub mod earnings;
pub mod editions;
pub mod entries;
pub mod gifts;
pub mod interests;
pub mod money;
pub mod names;
pub mod org;
pub mod payload;
pub mod people;
pub mod returns;
pub mod validation;
pub mod words;

pub use validation::{FieldErrors, Input};
