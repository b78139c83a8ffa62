//! Following other instances on one PostgreSQL database: each `serve` keeps a dedicated
//! connection that `LISTEN`s for the change notices every write sends when it commits
//! (`store::notify`), and hands another instance's changes to this instance's publishing
//! queue, so a write through either instance is live on both within a second.
//!
//! Nothing is missed:
//! * **At start**, [`Follower::listen`] runs before the initial full publish, so a change
//!   committed while that publish runs is heard afterwards and published again.
//! * **On a gap** (a notice whose first entry is not the one after the last this follower
//!   knows of), what the notices in between touched is unknown, so the organisation is
//!   published whole.
//! * **When the connection drops**, the follower reconnects with back-off, `LISTEN`s, and
//!   then catches up: every organisation whose chain in the database is longer than what
//!   this instance's site shows ([`Queue::live_seq`]) is published whole.
//!
//! `diesel`'s `PgConnection::notifications_iter` reads what has arrived without waiting,
//! so the follower asks every [`POLL`] (a read of the socket's buffer, no round trip), and
//! sends a `SELECT 1` after [`KEEPALIVE`] of silence to notice a connection that died
//! quietly (with TCP keep-alives and a user timeout, so a vanished server is noticed in
//! seconds, not when TCP gives up).

use super::queue::Queue;
use crate::store::notify::{self, Notice, CHANNEL};
use crate::store::{Store, StoreError, Touched};
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// How often the follower looks for notices that have arrived.
pub const POLL: Duration = Duration::from_millis(20);
/// How long a silent connection is trusted before a `SELECT 1` checks it.
pub const KEEPALIVE: Duration = Duration::from_secs(2);
/// The first wait before reconnecting; it doubles up to [`MAX_RECONNECT`].
pub const FIRST_RECONNECT: Duration = Duration::from_millis(100);
/// The longest wait between attempts to reconnect.
pub const MAX_RECONNECT: Duration = Duration::from_secs(10);
/// The listening connection's `application_name`, so an operator (or a test) can find it
/// in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "coi-register follower";

/// A connection listening for change notices, not yet following (see [`Follower::spawn`]).
pub struct Follower {
    url: String,
    conn: PgConnection,
}

/// TCP settings for the listening connection, unless the URL sets them: keep-alive
/// probes notice a server that vanished while the connection was idle, and the user
/// timeout a `SELECT 1` that would otherwise wait for TCP to give up (many minutes).
const TCP_SETTINGS: [(&str, &str); 5] = [
    ("keepalives", "1"),
    ("keepalives_idle", "5"),
    ("keepalives_interval", "2"),
    ("keepalives_count", "3"),
    ("tcp_user_timeout", "10000"),
];

/// `url` with the [`TCP_SETTINGS`] it does not set itself.
fn with_tcp_settings(url: &str) -> String {
    let query = url.split_once('?').map_or("", |(_, q)| q);
    let set: Vec<&str> = query
        .split('&')
        .filter_map(|p| p.split('=').next())
        .collect();
    let mut out = url.to_owned();
    let mut sep = if url.contains('?') { '&' } else { '?' };
    for (name, value) in TCP_SETTINGS {
        if !set.contains(&name) {
            out.push(sep);
            out.push_str(name);
            out.push('=');
            out.push_str(value);
            sep = '&';
        }
    }
    out
}

/// Connect to `url` and `LISTEN` on the change channel.
fn listen(url: &str) -> Result<PgConnection, String> {
    let mut conn = PgConnection::establish(&with_tcp_settings(url)).map_err(|e| e.to_string())?;
    conn.batch_execute(&format!(
        "SET application_name = '{APPLICATION_NAME}'; LISTEN {CHANNEL};"
    ))
    .map_err(|e| e.to_string())?;
    Ok(conn)
}

impl Follower {
    /// Connect to PostgreSQL at `url` and start listening. Call it before the initial
    /// publish: notices of changes committed from then on are kept until
    /// [`Follower::spawn`] reads them.
    pub fn listen(url: &str) -> std::io::Result<Follower> {
        let conn = listen(url)
            .map_err(|e| std::io::Error::other(format!("cannot listen for change notices: {e}")))?;
        Ok(Follower {
            url: url.to_owned(),
            conn,
        })
    }

    /// Follow on a thread of its own, for the life of the process, handing other
    /// instances' changes to `queue`.
    pub fn spawn(self, store: Store, queue: Queue) -> std::io::Result<()> {
        let Follower { url, conn } = self;
        let following = Following {
            url,
            store,
            queue,
            seen: HashMap::new(),
        };
        std::thread::Builder::new()
            .name("follower".into())
            .spawn(move || following.run(conn))?;
        Ok(())
    }
}

struct Following {
    url: String,
    store: Store,
    queue: Queue,
    /// Per organisation, the chain length the notices heard (or the last catch-up) reach.
    seen: HashMap<String, i64>,
}

/// What a catch-up does for an organisation whose site is behind.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CatchUp {
    /// Only learn where each chain stands: at start the full publish, and the notices
    /// heard since `LISTEN`, cover every change.
    Start,
    /// Publish whole each organisation whose site is behind its chain (after a reconnect,
    /// or a notice that could not be read).
    Publish,
}

impl Following {
    fn run(mut self, conn: PgConnection) {
        let mut conn = Some(conn);
        let mut catch_up = Some(CatchUp::Start);
        let mut backoff = FIRST_RECONNECT;
        let mut last_heard = Instant::now();
        loop {
            let Some(c) = conn.as_mut() else {
                match listen(&self.url) {
                    Ok(c) => {
                        tracing::info!("listening for change notices again; catching up");
                        conn = Some(c);
                        catch_up = Some(CatchUp::Publish);
                        last_heard = Instant::now();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, retry_ms = backoff.as_millis() as u64, "cannot listen for change notices");
                        std::thread::sleep(backoff);
                        backoff = (backoff * 2).min(MAX_RECONNECT);
                    }
                }
                continue;
            };
            if let Some(how) = catch_up {
                match self.catch_up(how) {
                    Ok(()) => {
                        catch_up = None;
                        backoff = FIRST_RECONNECT;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "catching up failed; trying again");
                        std::thread::sleep(backoff);
                        backoff = (backoff * 2).min(MAX_RECONNECT);
                        continue;
                    }
                }
            }
            let mut heard = Vec::new();
            let mut broken = None;
            for n in c.notifications_iter() {
                match n {
                    Ok(n) => heard.push(n.payload),
                    Err(e) => {
                        broken = Some(e);
                        break;
                    }
                }
            }
            for payload in &heard {
                if !self.hear(payload) {
                    catch_up = Some(CatchUp::Publish);
                }
            }
            if let Some(e) = broken {
                tracing::warn!(error = %e, "the change notice connection failed; reconnecting");
                conn = None;
                continue;
            }
            if !heard.is_empty() {
                last_heard = Instant::now();
                continue;
            }
            if last_heard.elapsed() >= KEEPALIVE {
                if let Err(e) = c.batch_execute("SELECT 1") {
                    tracing::warn!(error = %e, "the change notice connection failed; reconnecting");
                    conn = None;
                    continue;
                }
                last_heard = Instant::now();
            }
            std::thread::sleep(POLL);
        }
    }

    /// Act on one notice; false if it could not be read (the caller then catches up).
    fn hear(&mut self, payload: &str) -> bool {
        let Some(notice) = Notice::decode(payload) else {
            tracing::warn!(
                payload = ?payload.chars().take(200).collect::<String>(),
                "an unreadable change notice; catching up"
            );
            return false;
        };
        let seen = self.seen.get(&notice.org).copied().unwrap_or(0);
        let known = self.queue.live_seq(&notice.org).is_some();
        // One organisation's notices arrive in commit order, each starting where the last
        // ended; a gap means changes this follower never heard of.
        let gap = notice.first_seq > seen + 1;
        if gap {
            tracing::warn!(org = %notice.org, seen, first_seq = notice.first_seq, "a gap in the change notices; publishing the organisation whole");
            self.queue.enqueue(&notice.org, Touched::Org);
        } else if notice.instance != notify::instance_id() {
            tracing::debug!(org = %notice.org, seq = notice.seq, "another instance's change");
            for t in &notice.touched {
                self.queue.enqueue(&notice.org, *t);
            }
        }
        if !known && (gap || notice.instance != notify::instance_id()) {
            // An organisation this instance has not published: it is new to the home page.
            self.queue.enqueue(&notice.org, Touched::Org);
            self.queue.enqueue_home();
        }
        self.seen.insert(notice.org, seen.max(notice.seq));
        true
    }

    /// Learn where every organisation's chain stands and, for [`CatchUp::Publish`],
    /// publish whole each one whose site is behind it.
    fn catch_up(&mut self, how: CatchUp) -> Result<(), StoreError> {
        let orgs = crate::store::orgs::all(&mut *self.store.conn()?)?;
        let mut home = false;
        for org in orgs {
            let seen = self.seen.entry(org.slug.clone()).or_insert(0);
            *seen = (*seen).max(org.chain_seq);
            if how == CatchUp::Start {
                continue;
            }
            let live = self.queue.live_seq(&org.slug);
            if live.is_none_or(|live| live < org.chain_seq) {
                tracing::info!(org = %org.slug, live_seq = live.unwrap_or(0), chain_seq = org.chain_seq, "catching up: publishing the organisation whole");
                self.queue.enqueue(&org.slug, Touched::Org);
                home |= live.is_none();
            }
        }
        if home {
            self.queue.enqueue_home();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::with_tcp_settings;

    #[test]
    fn the_listening_connection_gets_tcp_settings_the_url_does_not_set() {
        assert_eq!(
            with_tcp_settings("postgres://coi@db/coi"),
            "postgres://coi@db/coi?keepalives=1&keepalives_idle=5&keepalives_interval=2\
             &keepalives_count=3&tcp_user_timeout=10000"
        );
        assert_eq!(
            with_tcp_settings(
                "postgres://coi@db/coi?sslmode=require&keepalives_idle=60&tcp_user_timeout=0"
            ),
            "postgres://coi@db/coi?sslmode=require&keepalives_idle=60&tcp_user_timeout=0\
             &keepalives=1&keepalives_interval=2&keepalives_count=3"
        );
    }
}
