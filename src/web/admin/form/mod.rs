//! One form toolkit for every admin page: what was typed ([`values`]), what is wrong
//! with it in the GOV.UK error pattern ([`problems`]), the fields a template draws
//! ([`fields`], with templates/admin/field.hbs) and the page with the store's answer
//! settled ([`page`]).

pub mod fields;
pub mod page;
pub mod problems;
pub mod values;

pub use fields::{choose, fact, opts, row_sections, Field, FormView, Hidden, Section};
pub use page::{answer, changed, published, refused, settle, stale, Answer, FormPage, Stale};
pub use problems::{
    capitalise, field_messages, friendly, locate_row, ordered_errors, placed, quorum_rule,
    FieldError, Problems,
};
pub use values::{text_or_null, version_of, Values};
