//! Storage: one diesel connection type over SQLite and PostgreSQL, embedded migrations,
//! and one module per aggregate. Every change goes through [`write::write`], which
//! appends the audit entry in the same transaction.

pub mod audit;
pub mod breaches;
pub mod business;
pub mod checkpoints;
pub mod committee_view;
pub mod committees;
pub mod decisions;
pub mod declarations;
pub mod durable;
pub mod earnings;
pub mod editions;
pub mod entries;
pub mod gifts;
pub mod meetings;
pub mod merkle;
pub mod notify;
pub mod orgs;
pub mod people;
pub mod records;
pub mod returns;
pub mod review;
pub mod schema;
pub mod snapshot;
pub mod users;
pub mod write;

#[cfg(test)]
mod tests;

use crate::domain::people::Person;
use crate::domain::FieldErrors;
use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

pub use write::{write, write_all, Change, Changes, Committed, Entry, Touched, WriteCtx};

/// Either backend, behind one connection type.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A pooled connection.
pub type Conn = PooledConnection<ConnectionManager<AnyConnection>>;

/// Everything that can go wrong below the web layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("{0} not found")]
    NotFound(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("database error")]
    Db(#[from] diesel::result::Error),
    #[error("database connection error")]
    Pool(#[from] diesel::r2d2::PoolError),
    #[error("could not run migrations: {0}")]
    Migration(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    /// A commit could not be made durable (its `fsync` failed): it must not be
    /// acknowledged as saved.
    #[error("could not make the change durable: {0}")]
    Durability(String),
}

impl From<FieldErrors> for StoreError {
    fn from(e: FieldErrors) -> Self {
        StoreError::Invalid(e)
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<AnyConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        if let AnyConnection::Sqlite(c) = conn {
            // WAL lets readers (the publisher) work while a writer commits; the busy
            // timeout makes concurrent writers queue for the write lock instead of failing.
            c.batch_execute(
                "PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL; \
                 PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

/// The database: a connection pool with migrations applied.
#[derive(Clone)]
pub struct Store {
    pool: Pool<ConnectionManager<AnyConnection>>,
    backend: Backend,
}

impl Store {
    /// Connect to `url` (`sqlite://path`, a plain path, or `postgres://…`), creating the
    /// SQLite file's folder if needed, and run the embedded migrations.
    pub fn open(url: &str, max_size: u32) -> Result<Store, StoreError> {
        let backend = Backend::of(url);
        let target = match backend {
            Backend::Postgres => url.to_owned(),
            Backend::Sqlite => {
                let path = url.strip_prefix("sqlite://").unwrap_or(url);
                if let Some(dir) = std::path::Path::new(path)
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StoreError::Migration(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
                path.to_owned()
            }
        };
        let pool = Pool::builder()
            .max_size(max_size)
            .connection_timeout(Duration::from_secs(30))
            .connection_customizer(Box::new(Pragmas))
            .build(ConnectionManager::<AnyConnection>::new(target))
            .map_err(|e| StoreError::Migration(format!("cannot connect to the database: {e}")))?;
        let store = Store { pool, backend };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let mut conn = self.conn()?;
        let result = match &mut *conn {
            AnyConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
            AnyConnection::Postgresql(c) => {
                c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ())
            }
        };
        result.map_err(|e| StoreError::Migration(e.to_string()))
    }

    /// A connection from the pool.
    pub fn conn(&self) -> Result<Conn, StoreError> {
        Ok(self.pool.get()?)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// The current time as the audit chain writes it: RFC 3339, UTC, milliseconds, `Z`.
pub fn now_rfc3339() -> String {
    crate::clock::now_rfc3339()
}

/// Parse a stored `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Result<chrono::NaiveDate, StoreError> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| StoreError::Corrupt(format!("bad stored date {s:?}")))
}

pub(crate) fn parse_opt_date(s: Option<&str>) -> Result<Option<chrono::NaiveDate>, StoreError> {
    s.map(parse_date).transpose()
}

/// Look up a person named in input by slug, reporting an unknown one under `field` (the
/// committee records name people; a name that is nobody is the input's fault).
pub(crate) fn person_named(
    c: &mut AnyConnection,
    org_id: i64,
    slug: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> Result<Option<Person>, StoreError> {
    match people::by_slug(c, org_id, slug) {
        Ok(p) => Ok(Some(p)),
        Err(StoreError::NotFound(_)) => {
            errors.add(field, format!("no person {slug:?} in this organisation"));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// A change that records one thing with one audit entry.
pub(crate) fn one_change<T>(entry: Entry, touched: Touched, value: T) -> Changes<T> {
    Changes {
        entries: vec![entry],
        touched,
        value,
    }
}
