//! The publishing queue: writes notify it after they commit; one worker thread
//! re-renders what they touched, batching notices that arrive together, and tells each
//! waiting writer when its change is live. When the date changes it re-renders
//! everything, because what the public may see depends on the date (ended interests
//! leave the register six months after they end, confirmations fall due).

use super::{Publisher, Scope};
use crate::store::{Store, Touched};
use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::Arc;
use tokio::sync::oneshot;

enum Job {
    Org {
        slug: String,
        touched: Touched,
        done: oneshot::Sender<()>,
    },
    Home {
        done: oneshot::Sender<()>,
    },
}

/// A handle to the worker; cheap to clone.
#[derive(Clone)]
pub struct Queue {
    tx: mpsc::Sender<Job>,
}

impl Queue {
    /// Start the worker thread.
    pub fn spawn(store: Store, publisher: Arc<Publisher>) -> Queue {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("publisher".into())
            .spawn(move || {
                let mut rendered_on = chrono::Utc::now().date_naive();
                loop {
                    match rx.recv_timeout(std::time::Duration::from_secs(300)) {
                        Ok(first) => {
                            let mut batch = vec![first];
                            batch.extend(rx.try_iter());
                            run_batch(&store, &publisher, batch);
                        }
                        Err(mpsc::RecvTimeoutError::Timeout) => {}
                        Err(mpsc::RecvTimeoutError::Disconnected) => return,
                    }
                    let today = chrono::Utc::now().date_naive();
                    if today != rendered_on {
                        rendered_on = today;
                        republish_all(&store, &publisher);
                    }
                }
            })
            .expect("the publisher thread starts");
        Queue { tx }
    }

    /// Ask for what `touched` shows to be re-rendered; the receiver fires when it is live.
    pub fn notify(&self, slug: &str, touched: Touched) -> oneshot::Receiver<()> {
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
    pub fn notify_home(&self) -> oneshot::Receiver<()> {
        let (done, rx) = oneshot::channel();
        let _ = self.tx.send(Job::Home { done });
        rx
    }
}

fn republish_all(store: &Store, publisher: &Publisher) {
    let result = store
        .conn()
        .map_err(super::PublishError::from)
        .and_then(|mut c| publisher.publish_all(&mut c));
    match result {
        Ok(n) => tracing::info!(orgs = n, "re-published the site for a new day"),
        Err(e) => tracing::error!(error = %e, "daily re-publish failed"),
    }
}

fn run_batch(store: &Store, publisher: &Publisher, batch: Vec<Job>) {
    let mut scopes: BTreeMap<String, Scope> = BTreeMap::new();
    let mut home = false;
    let mut waiting = Vec::new();
    for job in batch {
        match job {
            Job::Org {
                slug,
                touched,
                done,
            } => {
                scopes.entry(slug).or_default().add(touched);
                waiting.push(done);
            }
            Job::Home { done } => {
                home = true;
                waiting.push(done);
            }
        }
    }
    let started = std::time::Instant::now();
    match store.conn() {
        Ok(mut c) => {
            for (slug, scope) in &scopes {
                if let Err(e) = publisher.publish_org(&mut c, slug, scope) {
                    tracing::error!(org = %slug, error = %e, "publishing failed; the next change or `publish` will retry");
                }
            }
            if home {
                if let Err(e) = publisher.publish_home(&mut c) {
                    tracing::error!(error = %e, "publishing the home page failed");
                }
            }
        }
        Err(e) => tracing::error!(error = %e, "publishing skipped: no database connection"),
    }
    tracing::debug!(
        orgs = scopes.len(),
        writes = waiting.len(),
        elapsed_ms = started.elapsed().as_millis() as u64,
        "published"
    );
    for done in waiting {
        let _ = done.send(());
    }
}
