//! How a publish does its work: the threads pages are rendered on, and the writes of the
//! publish in progress into its [`site::Output`] (or straight into the site).

use super::{exports, site, views::Visible, PublishError, Publisher};

/// The most threads pages are rendered on, however many cores the machine has: the
/// service's request threads and the database need some too.
const RENDER_THREADS: usize = 4;

/// The threads pages are rendered on: one pool for the process, made on first use, with
/// a thread a core up to [`RENDER_THREADS`]. `None` if no thread could be started; then
/// pages are rendered on the calling thread.
pub(super) fn render_pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(RENDER_THREADS);
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("render-{i}"))
            .build()
            .map_err(|e| tracing::warn!(error = %e, "rendering on one thread"))
            .ok()
    })
    .as_ref()
}

impl Publisher {
    /// Run `a` and `b` at once on the render threads (one after the other if this
    /// publisher is [sequential](Publisher::sequential)): work that reads the database on
    /// this publish's connection beside work that only renders, so neither waits for the
    /// other. The same rule about the clock as [`Publisher::each_parallel`] holds.
    pub(super) fn both<A: Send, B: Send>(
        &self,
        a: impl FnOnce() -> A + Send,
        b: impl FnOnce() -> B + Send,
    ) -> (A, B) {
        match render_pool() {
            Some(pool) if self.parallel => pool.install(|| rayon::join(a, b)),
            _ => (a(), b()),
        }
    }

    /// Run `each` on every item, spread over the render threads ([`render_pool`]) unless
    /// this publisher is [sequential](Publisher::sequential). The work must not read the
    /// clock (it is set per thread): rendering takes its day from [`Visible`]. The first
    /// error is returned; other items may have been written by then, but a publish that
    /// fails is never made visible ([`Publisher::with_output`]).
    pub(super) fn each_parallel<T: Sync>(
        &self,
        items: &[T],
        each: impl Fn(&T) -> Result<(), PublishError> + Sync + Send,
    ) -> Result<(), PublishError> {
        use rayon::prelude::*;
        match render_pool() {
            Some(pool) if self.parallel && items.len() > 1 => {
                pool.install(|| items.par_iter().try_for_each(each))
            }
            _ => items.iter().try_for_each(each),
        }
    }

    pub(super) fn render(
        &self,
        template: &str,
        data: &serde_json::Value,
    ) -> Result<Vec<u8>, PublishError> {
        self.hb
            .render(template, data)
            .map(String::into_bytes)
            .map_err(|e| PublishError::Render(template.into(), e.to_string()))
    }

    /// Write a page (or feed, or data file) of the publish in progress.
    pub(super) fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), PublishError> {
        if let Some(bar) = &self.progress {
            bar.inc(1);
        }
        match self.out.read().expect("not poisoned").as_ref() {
            Some(out) => Ok(out.write(rel, bytes)?),
            None => Ok(site::write_atomic(&self.site_dir, rel, bytes)?),
        }
    }

    /// Write `/<org>/data/<register>.csv` and `.json`, streaming the records.
    pub(super) fn write_data(
        &self,
        slug: &str,
        v: &Visible,
        register: &str,
        columns: &[&str],
        records: impl Iterator<Item = serde_json::Value>,
    ) -> Result<(), PublishError> {
        let guard = self.out.read().expect("not poisoned");
        let out = guard.as_ref().expect("publishing runs inside with_output");
        let mut csv = out.create(&format!("{slug}/data/{register}.csv"))?;
        let mut json = out.create(&format!("{slug}/data/{register}.json"))?;
        exports::write_both(csv.writer(), json.writer(), v, register, columns, records)?;
        out.finish(csv)?;
        out.finish(json)?;
        if let Some(bar) = &self.progress {
            bar.inc(2);
        }
        Ok(())
    }

    /// What is published under `rel` now: its directories (`dirs`) or files.
    pub(super) fn list(&self, rel: &str, dirs: bool) -> Result<Vec<String>, PublishError> {
        match self.out.read().expect("not poisoned").as_ref() {
            Some(out) => Ok(out.list(rel, dirs)?),
            None => Ok(site::list(&self.site_dir, rel, dirs)?),
        }
    }

    /// Stop publishing directory `rel` (when this publish commits).
    pub(super) fn remove_dir(&self, rel: &str) -> Result<(), PublishError> {
        match self.out.read().expect("not poisoned").as_ref() {
            Some(out) => Ok(out.remove(rel)?),
            None => Ok(site::remove_dir(&self.site_dir, rel)?),
        }
    }

    /// Stop publishing file `rel` (when this publish commits).
    pub(super) fn remove_file(&self, rel: &str) -> Result<(), PublishError> {
        match self.out.read().expect("not poisoned").as_ref() {
            Some(out) => Ok(out.remove(rel)?),
            None => Ok(site::remove_file(&self.site_dir, rel)?),
        }
    }

    /// Run `render` with its writes going to `out`, then make them visible together and
    /// keep the organisation's shadow generation for its next publish.
    pub(super) fn with_output(
        &self,
        slug: &str,
        out: site::Output,
        render: impl FnOnce() -> Result<(), PublishError>,
    ) -> Result<(), PublishError> {
        *self.out.write().expect("not poisoned") = Some(out);
        let result = render();
        let out = self.out.write().expect("not poisoned").take();
        result?;
        let shadow = out.expect("set above").commit()?;
        self.shadows
            .lock()
            .expect("not poisoned")
            .insert(slug.to_owned(), shadow);
        Ok(())
    }
}
