//! Build-time switch for the test suite: when `COI_TEST_POSTGRES_URL` is set, every
//! integration test also runs on PostgreSQL; when it is not, the PostgreSQL half is
//! compiled as `#[ignore]`d, so `cargo test` reports it as ignored instead of passing
//! tests that ran nothing.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(coi_test_postgres)");
    println!("cargo::rerun-if-env-changed=COI_TEST_POSTGRES_URL");
    println!("cargo::rerun-if-changed=build.rs");
    if std::env::var_os("COI_TEST_POSTGRES_URL").is_some_and(|url| !url.is_empty()) {
        println!("cargo::rustc-cfg=coi_test_postgres");
    }
}
