//! Durable acknowledgements with group commit: no write is acknowledged before it would
//! survive a power cut, and concurrent writers share one `fsync`.
//!
//! **SQLite.** The database runs in WAL mode with `synchronous = NORMAL`, so a commit
//! appends its frames to the `-wal` file without syncing it: fast, and safe against a
//! crash of the process (`kill -9`), but not against a power cut. Rather than
//! `synchronous = FULL` (one `fsync` per commit, taken while the write lock is held, so
//! writers queue behind each other's syncs), a write that is about to be acknowledged
//! calls [`sync`] after its commit, outside the write lock. There the first waiter
//! becomes the leader: it notes the highest commit number so far, `fsync`s the `-wal`
//! file once (`File::sync_data`), and releases every writer whose commit it covered;
//! writers that committed while it synced wait for the next round, whose leader covers
//! them all at once. While one round syncs, the next writers already commit.
//!
//! Why syncing the `-wal` file is enough, from SQLite's documentation of
//! `PRAGMA synchronous` (<https://www.sqlite.org/pragma.html#pragma_synchronous>): "In WAL
//! mode when synchronous is NORMAL (1), the WAL file is synchronized before each
//! checkpoint and the database file is synchronized after each completed checkpoint and
//! the WAL file header is synchronized when a WAL file begins to be reused after a
//! checkpoint". So a committed frame is either still in the `-wal` file when we sync it,
//! or a checkpoint copied it into the database file and synced that before the WAL could
//! be reused or deleted. If the `-wal` file is gone (the last connection closed and
//! checkpointed it), every commit is in the synced database file. A `-wal` file seen for
//! the first time (a new inode) also has its folder synced, so its name survives.
//!
//! **PostgreSQL.** Commits are durable already (`synchronous_commit = on`, the default):
//! the server flushes its WAL before a commit returns, and groups the flushes of
//! concurrent commits itself (`commit_delay`, and one WAL flush covering every commit
//! record before it). [`sync`] does nothing there.
//!
//! **Bulk paths.** [`Batch`] runs many writes in one outer transaction (each write keeps
//! its own savepoint, so a refused one writes nothing) and syncs once per batch.

use super::{AnyConnection, StoreError};
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

/// One database file's group-commit state.
#[derive(Debug, Default)]
struct Gate {
    state: Mutex<GateState>,
    done: Condvar,
}

#[derive(Debug, Default)]
struct GateState {
    /// Commits made through this process (the commit number of the latest).
    committed: u64,
    /// Every commit up to this number is durable.
    synced: u64,
    /// A leader is syncing now.
    syncing: bool,
    /// The `-wal` file's inode whose folder entry is known durable.
    wal_inode: Option<u64>,
    /// How many `fsync` rounds ran (for tests and the benchmark).
    rounds: u64,
}

fn gates() -> &'static Mutex<HashMap<PathBuf, Arc<Gate>>> {
    static GATES: OnceLock<Mutex<HashMap<PathBuf, Arc<Gate>>>> = OnceLock::new();
    GATES.get_or_init(Default::default)
}

fn gate_for(path: &Path) -> Arc<Gate> {
    let mut all = gates().lock().unwrap_or_else(|p| p.into_inner());
    all.entry(path.to_owned()).or_default().clone()
}

#[derive(QueryableByName)]
struct DbFile {
    #[diesel(sql_type = diesel::sql_types::Text)]
    file: String,
}

/// The main database file of a SQLite connection (`None` for an in-memory database).
fn sqlite_file(c: &mut AnyConnection) -> Result<Option<PathBuf>, StoreError> {
    let row: DbFile =
        diesel::sql_query("SELECT file FROM pragma_database_list WHERE name = 'main'")
            .get_result(c)?;
    Ok((!row.file.is_empty()).then(|| PathBuf::from(row.file)))
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Durability(format!("cannot {what} {}: {e}", path.display()))
}

/// Make every commit this connection has made durable, sharing the `fsync` with
/// concurrent writers (see the module documentation). Call it after the commit and
/// before acknowledging; inside a transaction it does nothing (the outer commit syncs).
pub fn sync(c: &mut AnyConnection) -> Result<(), StoreError> {
    if !matches!(c, AnyConnection::Sqlite(_)) || in_transaction(c)? {
        return Ok(());
    }
    let Some(db) = sqlite_file(c)? else {
        return Ok(());
    };
    let gate = gate_for(&db);
    let mut state = gate.state.lock().unwrap_or_else(|p| p.into_inner());
    state.committed += 1;
    let mine = state.committed;
    loop {
        if state.synced >= mine {
            return Ok(());
        }
        if !state.syncing {
            state.syncing = true;
            let target = state.committed;
            let known_inode = state.wal_inode;
            drop(state);
            let result = fsync_wal(&db, known_inode);
            state = gate.state.lock().unwrap_or_else(|p| p.into_inner());
            state.syncing = false;
            state.rounds += 1;
            gate.done.notify_all();
            match result {
                Ok(inode) => {
                    state.synced = state.synced.max(target);
                    state.wal_inode = inode.or(state.wal_inode);
                }
                // Nobody this round covered may be told their write is durable.
                Err(e) => return Err(e),
            }
        } else {
            state = gate.done.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// How many `fsync` rounds the process has run for the database at `path`.
pub fn rounds(path: &Path) -> u64 {
    let gate = gate_for(path);
    let rounds = gate.state.lock().unwrap_or_else(|p| p.into_inner()).rounds;
    rounds
}

/// Sync `<db>-wal`, and its folder when the file is new to us; returns its inode.
fn fsync_wal(db: &Path, known_inode: Option<u64>) -> Result<Option<u64>, StoreError> {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    let file = match std::fs::File::open(&wal) {
        Ok(f) => f,
        // No WAL: the last connection checkpointed it into the synced database file.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("open", &wal, e)),
    };
    file.sync_data().map_err(|e| io_error("sync", &wal, e))?;
    let inode = inode_of(&file);
    if inode.is_none() || inode != known_inode {
        if let Some(dir) = wal.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| io_error("sync the folder", dir, e))?;
        }
    }
    Ok(inode)
}

#[cfg(unix)]
fn inode_of(file: &std::fs::File) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    file.metadata().ok().map(|m| m.ino())
}

#[cfg(not(unix))]
fn inode_of(_: &std::fs::File) -> Option<u64> {
    None
}

/// Whether the connection is inside a transaction (so a commit is still to come).
pub fn in_transaction(c: &mut AnyConnection) -> Result<bool, StoreError> {
    let status = AnyConnection::transaction_manager_status_mut(c);
    Ok(status.transaction_depth()?.is_some())
}

/// Many writes in one transaction, committed and synced every `size` writes: the bulk
/// paths (seeding, imports) go through the ordinary write path, each write in its own
/// savepoint, and pay one commit and one `fsync` per batch instead of one per write.
///
/// On SQLite the outer transaction begins `IMMEDIATE`, taking the write lock at once, so
/// a read before the first write cannot leave it unable to write.
pub struct Batch {
    size: u64,
    pending: u64,
    open: bool,
}

impl Batch {
    /// A batch that commits every `size` writes (at least 1), with its transaction open.
    pub fn begin(c: &mut AnyConnection, size: u64) -> Result<Batch, StoreError> {
        let mut batch = Batch {
            size: size.max(1),
            pending: 0,
            open: false,
        };
        batch.open_transaction(c)?;
        Ok(batch)
    }

    fn open_transaction(&mut self, c: &mut AnyConnection) -> Result<(), StoreError> {
        match c {
            AnyConnection::Sqlite(s) => {
                AnsiTransactionManager::begin_transaction_sql(s, "BEGIN IMMEDIATE")?
            }
            AnyConnection::Postgresql(p) => AnsiTransactionManager::begin_transaction(p)?,
        }
        self.open = true;
        Ok(())
    }

    /// Count one write; every `size` writes, commit and sync, and open the next batch.
    /// Returns whether it committed (the writes so far are durable).
    pub fn wrote(&mut self, c: &mut AnyConnection) -> Result<bool, StoreError> {
        self.pending += 1;
        if self.pending < self.size {
            return Ok(false);
        }
        self.commit(c)?;
        self.open_transaction(c)?;
        Ok(true)
    }

    fn commit(&mut self, c: &mut AnyConnection) -> Result<(), StoreError> {
        self.open = false;
        self.pending = 0;
        AnyConnection::commit_transaction(c)?;
        sync(c)
    }

    /// Commit and sync the writes of the last batch.
    pub fn finish(mut self, c: &mut AnyConnection) -> Result<(), StoreError> {
        self.commit(c)
    }

    /// Roll back the writes of the open batch (those committed before stand).
    pub fn abandon(mut self, c: &mut AnyConnection) -> Result<(), StoreError> {
        if std::mem::take(&mut self.open) {
            AnyConnection::rollback_transaction(c)?;
        }
        Ok(())
    }

    /// Run `work` in batches of `size`: commit what it wrote if it succeeds, roll back
    /// the open batch if it fails. `work` calls [`Batch::wrote`] after each write.
    pub fn run<T, E: From<StoreError>>(
        c: &mut AnyConnection,
        size: u64,
        work: impl FnOnce(&mut AnyConnection, &mut Batch) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut batch = Batch::begin(c, size)?;
        match work(c, &mut batch) {
            Ok(value) => {
                batch.finish(c)?;
                Ok(value)
            }
            Err(e) => {
                // The work's error is the one to report; a failed rollback leaves the
                // connection broken, and the pool discards it.
                let _ = batch.abandon(c);
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::org::{NewOrg, OrgSettings, OrgSlug};
    use crate::domain::people::PersonFields;

    fn person(n: u64) -> PersonFields {
        PersonFields {
            name: format!("Member {n}"),
            position: "GP member".into(),
            decision_making: true,
        }
    }

    #[test]
    fn each_write_is_synced_before_it_returns_and_a_batch_once_per_commit() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("d.db");
        let store = crate::store::Store::open(&db.display().to_string(), 1).unwrap();
        let mut c = store.conn().unwrap();
        let db = std::fs::canonicalize(&db).unwrap();
        let org = NewOrg {
            slug: OrgSlug::parse("sync-ccg").unwrap(),
            name: "Sync CCG".into(),
        };
        let org_id = crate::store::orgs::create(&mut c, "system", &org, OrgSettings::default())
            .unwrap()
            .org
            .id;
        let after_create = rounds(&db);
        assert!(after_create >= 1, "the write was synced before it returned");
        crate::store::people::create(&mut c, org_id, "system", person(0)).unwrap();
        assert_eq!(rounds(&db), after_create + 1, "one sync per single write");
        Batch::run(&mut c, 3, |c, batch| {
            for n in 1..=7 {
                crate::store::people::create(c, org_id, "system", person(n))?;
                batch.wrote(c)?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
        assert_eq!(
            rounds(&db),
            after_create + 4,
            "7 writes in batches of 3: two full batches and the last one"
        );
    }

    /// Accounts are durable as the registers' writes are: an account, a token or a
    /// password acknowledged, and a session or token revoked, each synced before it
    /// returns (a revocation lost to a power cut would let a stolen cookie in again).
    #[test]
    fn account_writes_and_revocations_are_synced_before_they_return() {
        use crate::store::users::{self, Role};
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        let store = crate::store::Store::open(&db.display().to_string(), 1).unwrap();
        let mut c = store.conn().unwrap();
        let db = std::fs::canonicalize(&db).unwrap();
        let before = rounds(&db);
        let id = users::create(&mut c, "lead@example.org", Role::Admin, &[]).unwrap();
        assert_eq!(rounds(&db), before + 1, "the new account");
        users::issue_token(&mut c, id).unwrap();
        assert_eq!(rounds(&db), before + 2, "the token");
        users::start_session(&mut c, id, "a-session", "2999-01-01T00:00:00.000Z").unwrap();
        users::revoke_sessions_of(&mut c, id).unwrap();
        assert_eq!(rounds(&db), before + 3, "the revocation");
        users::disable(&mut c, id).unwrap();
        assert_eq!(rounds(&db), before + 4, "the account disabled");
    }
}
