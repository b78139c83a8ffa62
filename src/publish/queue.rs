//! The publishing queue: writes notify it after they commit; one worker thread
//! re-renders what they touched, batching notices that arrive together, and tells each
//! waiting writer whether its change is live: its pages and feeds are. The bulk open
//! data files (interests and gifts CSV and JSON, OCDS), rewritten whole from a register,
//! follow off the writer's path: a change marks them dirty and one publish of their own
//! rewrites them [`BULK_DELAY`] after the first mark, for every change made meanwhile.
//! A publish that fails (a full disk, an
//! unwritable site directory) is retried with back-off, rendering the organisation
//! whole, until it succeeds; meanwhile [`Queue::health`] reports how far each site lags
//! behind its chain. When the date changes it re-renders everything, because what the
//! public may see depends on the date (ended interests leave the register six months
//! after they end, confirmations fall due).

use super::{Part, Publisher, Scope};
use crate::store::{Store, Touched};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The first wait before retrying a failed publish; it doubles up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// The longest wait between retries.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// How long after a change its bulk open data files are rewritten (with those of every
/// change made meanwhile).
pub const BULK_DELAY: Duration = Duration::from_secs(1);
/// How often the worker wakes with nothing to do, to notice a new day.
const IDLE: Duration = Duration::from_secs(300);

enum Job {
    Org {
        slug: String,
        touched: Touched,
        done: oneshot::Sender<bool>,
    },
    Home {
        done: oneshot::Sender<bool>,
    },
}

/// How one organisation's public site stands against its chain.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SiteState {
    /// The chain length the live site's pages and feeds show (at least).
    pub live_seq: i64,
    /// The chain length its bulk open data files show (at least); they follow the pages
    /// within [`BULK_DELAY`] and a publish.
    pub data_seq: i64,
    /// Since when publishing has failed, if it is failing now.
    pub failing_since: Option<DateTime<Utc>>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// Failed attempts since the last success.
    pub failed_attempts: u32,
}

/// A handle to the worker; cheap to clone.
#[derive(Clone)]
pub struct Queue {
    tx: mpsc::Sender<Job>,
    states: Arc<Mutex<BTreeMap<String, SiteState>>>,
    /// The worker's publisher, for work that renders inside a request (an edition's files).
    publisher: Arc<Publisher>,
}

/// What the worker carries between batches: the organisations whose publish failed and
/// when to try them again.
struct Retry {
    failed: BTreeSet<String>,
    home: bool,
    at: Option<Instant>,
    backoff: Duration,
}

impl Retry {
    fn schedule(&mut self) {
        self.at = Some(Instant::now() + self.backoff);
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
    }

    fn clear(&mut self) {
        self.at = None;
        self.backoff = FIRST_BACKOFF;
    }
}

/// The bulk files owed: each organisation's, as one scope, and when to write them.
#[derive(Default)]
struct Deferred {
    dirty: BTreeMap<String, Scope>,
    at: Option<Instant>,
}

impl Deferred {
    /// Owe `bulk` for organisation `slug`, due [`BULK_DELAY`] after the first owed.
    fn mark(&mut self, slug: &str, bulk: &Scope) {
        match self.dirty.get_mut(slug) {
            Some(owed) => owed.merge(bulk),
            None => {
                self.dirty.insert(slug.to_owned(), bulk.clone());
            }
        }
        self.at.get_or_insert_with(|| Instant::now() + BULK_DELAY);
    }
}

impl Queue {
    /// Start the worker thread. The site is taken to be live up to each organisation's
    /// current chain length (the caller has just published it whole).
    pub fn spawn(store: Store, publisher: Arc<Publisher>) -> Queue {
        let (tx, rx) = mpsc::channel::<Job>();
        let states = Arc::new(Mutex::new(BTreeMap::new()));
        if let Ok(mut c) = store.conn() {
            if let Ok(orgs) = crate::store::orgs::all(&mut c) {
                let mut s = states.lock().expect("not poisoned");
                for org in orgs {
                    s.insert(
                        org.slug,
                        SiteState {
                            live_seq: org.chain_seq,
                            data_seq: org.chain_seq,
                            ..SiteState::default()
                        },
                    );
                }
            }
        }
        let worker = Worker {
            store,
            publisher: publisher.clone(),
            states: states.clone(),
        };
        std::thread::Builder::new()
            .name("publisher".into())
            .spawn(move || worker.run(rx))
            .expect("the publisher thread starts");
        Queue {
            tx,
            states,
            publisher,
        }
    }

    /// The publisher the worker renders with.
    pub fn publisher(&self) -> &Arc<Publisher> {
        &self.publisher
    }

    /// Ask for what `touched` shows to be re-rendered; the receiver says whether it is
    /// live (false: the publish failed and is being retried).
    pub fn notify(&self, slug: &str, touched: Touched) -> oneshot::Receiver<bool> {
        let (done, rx) = oneshot::channel();
        // If the worker has gone the receiver reports an error; writes are committed anyway.
        let _ = self.tx.send(Job::Org {
            slug: slug.to_owned(),
            touched,
            done,
        });
        rx
    }

    /// Ask for the home page (the list of organisations) to be re-rendered.
    pub fn notify_home(&self) -> oneshot::Receiver<bool> {
        let (done, rx) = oneshot::channel();
        let _ = self.tx.send(Job::Home { done });
        rx
    }

    /// Ask for what `touched` shows to be re-rendered, with nobody waiting for the answer
    /// (a change another instance made, told by `publish::follow`).
    pub fn enqueue(&self, slug: &str, touched: Touched) {
        // Dropping the receiver is fine: the worker ignores a waiter that has gone.
        drop(self.notify(slug, touched));
    }

    /// Ask for the home page to be re-rendered, with nobody waiting for the answer.
    pub fn enqueue_home(&self) {
        drop(self.notify_home());
    }

    /// The chain length organisation `slug`'s live site shows (at least), or `None` if
    /// this instance has not published it.
    pub fn live_seq(&self, slug: &str) -> Option<i64> {
        let states = self.states.lock().expect("not poisoned");
        states.get(slug).map(|s| s.live_seq)
    }

    /// How each organisation's site stands, by slug.
    pub fn health(&self) -> BTreeMap<String, SiteState> {
        self.states.lock().expect("not poisoned").clone()
    }
}

struct Worker {
    store: Store,
    publisher: Arc<Publisher>,
    states: Arc<Mutex<BTreeMap<String, SiteState>>>,
}

impl Worker {
    fn run(self, rx: mpsc::Receiver<Job>) {
        let mut rendered_on = crate::clock::today();
        let mut retry = Retry {
            failed: BTreeSet::new(),
            home: false,
            at: None,
            backoff: FIRST_BACKOFF,
        };
        let mut deferred = Deferred::default();
        loop {
            let next = [retry.at, deferred.at].into_iter().flatten().min();
            let wait = next.map_or(IDLE, |at| at.saturating_duration_since(Instant::now()));
            match rx.recv_timeout(wait) {
                Ok(first) => {
                    let mut batch = vec![first];
                    batch.extend(rx.try_iter());
                    self.run_batch(batch, &mut retry, &mut deferred);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // Write what is owed before going: nothing acknowledged is left out.
                    self.flush(&mut deferred, &mut retry);
                    return;
                }
            }
            if retry.at.is_some_and(|at| at <= Instant::now()) {
                self.retry(&mut retry);
            }
            if deferred.at.is_some_and(|at| at <= Instant::now()) {
                self.flush(&mut deferred, &mut retry);
            }
            let today = crate::clock::today();
            if today != rendered_on {
                rendered_on = today;
                self.republish_all(&mut retry);
            }
        }
    }

    /// Write the bulk files owed. An organisation whose publish is failing is rendered
    /// whole at its retry, bulk files and all; one whose bulk publish fails joins it.
    fn flush(&self, deferred: &mut Deferred, retry: &mut Retry) {
        deferred.at = None;
        for (slug, bulk) in std::mem::take(&mut deferred.dirty) {
            if !retry.failed.contains(&slug) && !self.publish(&slug, &bulk) {
                retry.failed.insert(slug);
            }
        }
        if !retry.failed.is_empty() && retry.at.is_none() {
            retry.schedule();
        }
    }

    /// Publish one organisation, recording how its site then stands.
    fn publish(&self, slug: &str, scope: &Scope) -> bool {
        let result = self
            .store
            .conn()
            .map_err(super::PublishError::from)
            .and_then(|mut c| {
                // Read before publishing: the snapshot the publish renders is at least this long.
                let seq = crate::store::orgs::by_slug(&mut c, slug)?.chain_seq;
                self.publisher.publish_org(&mut c, slug, scope)?;
                Ok(seq)
            });
        let mut states = self.states.lock().expect("not poisoned");
        let state = states.entry(slug.to_owned()).or_default();
        match result {
            Ok(seq) => {
                if state.failing_since.is_some() {
                    tracing::info!(org = %slug, attempts = state.failed_attempts, "publishing recovered");
                }
                let (pages, data) = match scope.part {
                    Part::All => (true, true),
                    Part::Pages => (true, false),
                    Part::Bulk => (false, true),
                };
                *state = SiteState {
                    live_seq: if pages {
                        state.live_seq.max(seq)
                    } else {
                        state.live_seq
                    },
                    data_seq: if data {
                        state.data_seq.max(seq)
                    } else {
                        state.data_seq
                    },
                    ..SiteState::default()
                };
                true
            }
            Err(e) => {
                tracing::error!(org = %slug, error = %e, "publishing failed; retrying with back-off");
                state.failing_since.get_or_insert_with(Utc::now);
                state.last_error = Some(e.to_string());
                state.failed_attempts += 1;
                false
            }
        }
    }

    fn publish_home(&self) -> bool {
        let result = self
            .store
            .conn()
            .map_err(super::PublishError::from)
            .and_then(|mut c| self.publisher.publish_home(&mut c));
        if let Err(e) = &result {
            tracing::error!(error = %e, "publishing the home page failed; retrying with back-off");
        }
        result.is_ok()
    }

    fn run_batch(&self, batch: Vec<Job>, retry: &mut Retry, deferred: &mut Deferred) {
        let mut scopes: BTreeMap<String, Scope> = BTreeMap::new();
        let mut home = false;
        let mut waiting: Vec<(Option<String>, oneshot::Sender<bool>)> = Vec::new();
        for job in batch {
            match job {
                Job::Org {
                    slug,
                    touched,
                    done,
                } => {
                    scopes.entry(slug.clone()).or_default().add(touched);
                    waiting.push((Some(slug), done));
                }
                Job::Home { done } => {
                    home = true;
                    waiting.push((None, done));
                }
            }
        }
        let started = Instant::now();
        let mut live: BTreeMap<Option<String>, bool> = BTreeMap::new();
        for (slug, scope) in &scopes {
            // An organisation already failing is rendered whole at its retry; a change in
            // between would be staged against a generation in an unknown state.
            let ok = !retry.failed.contains(slug) && self.publish(slug, &scope.pages());
            if !ok {
                retry.failed.insert(slug.clone());
            } else if let Some(bulk) = scope.bulk() {
                deferred.mark(slug, &bulk);
            }
            live.insert(Some(slug.clone()), ok);
        }
        if home {
            let ok = self.publish_home();
            retry.home |= !ok;
            live.insert(None, ok);
        }
        if (!retry.failed.is_empty() || retry.home) && retry.at.is_none() {
            retry.schedule();
        }
        tracing::debug!(
            orgs = scopes.len(),
            writes = waiting.len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "published"
        );
        for (key, done) in waiting {
            let _ = done.send(live.get(&key).copied().unwrap_or(false));
        }
    }

    /// Try the failed organisations again, each rendered whole.
    fn retry(&self, retry: &mut Retry) {
        let failed: Vec<String> = retry.failed.iter().cloned().collect();
        for slug in failed {
            if self.publish(&slug, &Scope::everything()) {
                retry.failed.remove(&slug);
            }
        }
        if retry.home && self.publish_home() {
            retry.home = false;
        }
        if retry.failed.is_empty() && !retry.home {
            retry.clear();
        } else {
            retry.schedule();
        }
    }

    fn republish_all(&self, retry: &mut Retry) {
        let orgs = self
            .store
            .conn()
            .map_err(super::PublishError::from)
            .and_then(|mut c| Ok(crate::store::orgs::all(&mut c)?));
        match orgs {
            Ok(orgs) => {
                for org in orgs {
                    if !self.publish(&org.slug, &Scope::everything()) {
                        retry.failed.insert(org.slug);
                    }
                }
                tracing::info!("re-published the site for a new day");
            }
            Err(e) => tracing::error!(error = %e, "daily re-publish failed"),
        }
        if !self.publish_home() {
            retry.home = true;
        }
        if (!retry.failed.is_empty() || retry.home) && retry.at.is_none() {
            retry.schedule();
        }
    }
}
