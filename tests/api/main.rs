//! Integration tests: the real application on a random port with its own database,
//! each test on SQLite and (when COI_TEST_POSTGRES_URL is set) on PostgreSQL.

mod helpers;

mod access;
mod admin;
mod admin_committees;
mod admin_confirm;
mod admin_decisions;
mod admin_home;
mod admin_withdraw;
mod as_at;
mod business_site;
mod chain;
mod changes;
mod committees;
mod crosscheck;
mod declarations;
mod editions;
mod evidence;
mod gifts;
mod gp_earnings;
mod group_commit;
mod hostile;
mod import;
mod instances;
mod openapi;
mod page_size;
mod people;
mod proofs;
mod publish_reliability;
mod publishing;
mod python;
mod review;
mod robustness;
mod serving;
mod withheld;
mod xss;
