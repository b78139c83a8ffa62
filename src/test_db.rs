//! Databases for the library's own tests: a property or store test written once as
//! `run(database_url)` runs on a fresh SQLite file, and on a fresh PostgreSQL database
//! (created on the server `COI_TEST_POSTGRES_URL` names, dropped afterwards, whatever the
//! test's outcome) when that variable is set.

use diesel::connection::SimpleConnection;
use diesel::Connection;

/// Run `run` on a fresh SQLite database in a temporary folder.
pub fn on_sqlite(run: impl FnOnce(&str)) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    run(dir.path().join("coi.db").to_str().expect("a UTF-8 path"));
}

/// Run `run` on a fresh PostgreSQL database named `<prefix>_<random>`, dropped after it
/// (a failing test's panic is passed on once the database is gone).
pub fn on_postgres(prefix: &str, run: impl FnOnce(&str) + std::panic::UnwindSafe) {
    let admin = std::env::var("COI_TEST_POSTGRES_URL").expect("COI_TEST_POSTGRES_URL");
    let mut bytes = [0u8; 6];
    getrandom::getrandom(&mut bytes).expect("randomness");
    let name = format!("{prefix}_{}", hex::encode(bytes));
    let mut c = diesel::PgConnection::establish(&admin).expect("connect to PostgreSQL");
    c.batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("a database");
    let (server, _) = admin.rsplit_once('/').expect("a database URL with a path");
    let url = format!("{server}/{name}");
    let result = std::panic::catch_unwind(|| run(&url));
    let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}
