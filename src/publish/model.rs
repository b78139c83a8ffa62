//! The publisher's read model: each organisation's [`Snapshot`] as its last publish read
//! it, kept in memory so that the next publish reads again only what the chain entries
//! since then name ([`snapshot::read_from`]) instead of the whole organisation. One
//! snapshot an organisation, replaced at each publish: memory is bounded by the size of
//! the organisations' published registers. A publish takes its organisation's model out
//! while it runs, so a publish that fails leaves none, and the next reads whole.
//!
//! Every page's footer says the day of the organisation's latest change, so the first
//! change of a day makes every page stale: the models also keep, for each organisation,
//! the day its last whole publish showed ([`Models::pages_day`]), and a publish whose
//! latest change is of another day renders whole.
//!
//! [`snapshot::read_from`]: crate::store::snapshot::read_from

use crate::store::snapshot::Snapshot;
use std::collections::HashMap;
use std::sync::Mutex;

/// The kept snapshots, by organisation slug.
#[derive(Default)]
pub struct Models {
    by_slug: Mutex<HashMap<String, Snapshot>>,
    /// The day of the latest change each organisation's whole publish showed.
    days: Mutex<HashMap<String, String>>,
}

/// The day (`YYYY-MM-DD`) of the latest chain entry of `s`, as its pages show it.
pub fn latest_day(s: &Snapshot) -> String {
    s.recent
        .first()
        .and_then(|e| e.header.at.get(..10))
        .unwrap_or_default()
        .to_owned()
}

impl Models {
    /// Take organisation `slug`'s model out, if one is kept.
    pub fn take(&self, slug: &str) -> Option<Snapshot> {
        self.by_slug.lock().expect("not poisoned").remove(slug)
    }

    /// Keep `model` as organisation `slug`'s, in place of any before it.
    pub fn keep(&self, slug: &str, model: Snapshot) {
        self.by_slug
            .lock()
            .expect("not poisoned")
            .insert(slug.to_owned(), model);
    }

    /// The day of the latest change organisation `slug`'s pages show, if known.
    pub fn pages_day(&self, slug: &str) -> Option<String> {
        self.days.lock().expect("not poisoned").get(slug).cloned()
    }

    /// Record that organisation `slug`'s pages all show `day` (after a whole publish),
    /// or that it is unknown (`None`, after a failed one).
    pub fn set_pages_day(&self, slug: &str, day: Option<String>) {
        let mut days = self.days.lock().expect("not poisoned");
        match day {
            Some(d) => days.insert(slug.to_owned(), d),
            None => days.remove(slug),
        };
    }

    /// A copy of organisation `slug`'s model, if one is kept (for checks).
    pub fn get(&self, slug: &str) -> Option<Snapshot> {
        self.by_slug
            .lock()
            .expect("not poisoned")
            .get(slug)
            .cloned()
    }
}
