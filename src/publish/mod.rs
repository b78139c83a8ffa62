//! The public site: rendered from one read snapshot per organisation into plain files
//! (pages, feeds, open data, the chain export), each swapped in atomically.

pub mod as_at;
mod as_at_page;
pub mod business;
mod business_pages;
mod chain_export;
pub mod changes;
mod changes_pages;
pub mod checkpoints;
pub mod compress;
pub mod data_page;
pub mod diff;
pub mod earnings;
pub mod editions;
pub mod exports;
pub mod feeds;
pub mod follow;
pub mod helpers;
pub mod markdown;
pub mod model;
pub mod ocds;
#[cfg(test)]
mod parallel_tests;
pub mod queue;
pub mod registers;
mod scope;
pub mod site;
pub mod views;
mod work;

pub use changes_pages::CHANGES_PER_PAGE;
pub use scope::{Part, Scope};

use crate::store::snapshot::{self, Snapshot};
use crate::store::{AnyConnection, StoreError};
use handlebars::Handlebars;
use serde_json::json;
use std::path::{Path, PathBuf};
use views::Visible;

/// Why publishing failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the site: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot render {0}: {1}")]
    Render(String, String),
}

impl From<PublishError> for StoreError {
    fn from(e: PublishError) -> Self {
        match e {
            PublishError::Store(s) => s,
            other => StoreError::Corrupt(other.to_string()),
        }
    }
}

/// People whose pages are rendered from one read of their entries' histories: enough
/// that the read is one query a kind rather than one a person, few enough that the
/// histories held at once stay small.
const PEOPLE_PER_BATCH: usize = 256;

/// Renders the site.
pub struct Publisher {
    hb: Handlebars<'static>,
    site_dir: PathBuf,
    base_url: String,
    signer: Option<crate::audit::checkpoint::NoteSigner>,
    /// Where the publish in progress writes (see [`site::Output`]). Pages are rendered
    /// and written by several threads at once, each holding this for reading (an
    /// [`site::Output`] writes through `&self`); only [`Publisher::with_output`], before
    /// and after rendering, takes it for writing.
    out: std::sync::RwLock<Option<site::Output>>,
    progress: Option<indicatif::ProgressBar>,
    /// The hash of each paged register page's inputs when it was last rendered.
    memo: std::sync::Mutex<std::collections::HashMap<String, u64>>,
    /// Each organisation's shadow generation, where its next staged publish writes.
    shadows: std::sync::Mutex<std::collections::HashMap<String, site::Shadow>>,
    /// Each organisation's read model as its last publish read it (see [`model`]).
    models: model::Models,
    /// Each organisation's months of changes (see [`changes_pages`]).
    months: changes_pages::MonthsCache,
    /// Whether pages are rendered on the render threads ([`work::render_pool`]) or all on the
    /// calling thread ([`Publisher::sequential`]).
    parallel: bool,
}

const TEMPLATES: [(&str, &str); 34] = [
    ("layout", include_str!("../../templates/layout.hbs")),
    ("index", include_str!("../../templates/index.hbs")),
    ("org", include_str!("../../templates/org.hbs")),
    ("interests", include_str!("../../templates/interests.hbs")),
    ("person", include_str!("../../templates/person.hbs")),
    ("gifts", include_str!("../../templates/gifts.hbs")),
    (
        "register-nav",
        include_str!("../../templates/register-nav.hbs"),
    ),
    ("pagination", include_str!("../../templates/pagination.hbs")),
    ("audit", include_str!("../../templates/audit.hbs")),
    (
        "declarations-table",
        include_str!("../../templates/declarations-table.hbs"),
    ),
    (
        "gifts-table",
        include_str!("../../templates/gifts-table.hbs"),
    ),
    ("committees", include_str!("../../templates/committees.hbs")),
    ("committee", include_str!("../../templates/committee.hbs")),
    ("meeting", include_str!("../../templates/meeting.hbs")),
    ("decisions", include_str!("../../templates/decisions.hbs")),
    ("decision", include_str!("../../templates/decision.hbs")),
    ("breaches", include_str!("../../templates/breaches.hbs")),
    (
        "gp-earnings",
        include_str!("../../templates/gp-earnings.hbs"),
    ),
    ("data", include_str!("../../templates/data.hbs")),
    ("editions", include_str!("../../templates/editions.hbs")),
    ("edition", include_str!("../../templates/edition.hbs")),
    (
        "edition-changes",
        include_str!("../../templates/edition-changes.hbs"),
    ),
    (
        "edition-registers",
        include_str!("../../templates/edition-registers.hbs"),
    ),
    ("person-ref", include_str!("../../templates/person-ref.hbs")),
    (
        "conflicts-table",
        include_str!("../../templates/conflicts-table.hbs"),
    ),
    (
        "quorum-result",
        include_str!("../../templates/quorum-result.hbs"),
    ),
    (
        "item-evidence",
        include_str!("../../templates/item-evidence.hbs"),
    ),
    ("correction", include_str!("../../templates/correction.hbs")),
    ("as-at-form", include_str!("../../templates/as-at-form.hbs")),
    (
        "decisions-table",
        include_str!("../../templates/decisions-table.hbs"),
    ),
    (
        "registers-as-at",
        include_str!("../../templates/registers-as-at.hbs"),
    ),
    ("changes", include_str!("../../templates/changes.hbs")),
    (
        "changes-month",
        include_str!("../../templates/changes-month.hbs"),
    ),
    (
        "changes-list",
        include_str!("../../templates/changes-list.hbs"),
    ),
];

/// Static files every site carries: NHS.UK frontend's CSS (vendored, see
/// `public/nhsuk/README.md`) and the site's own few additions to it.
const ASSETS: [(&str, &str); 2] = [
    (
        "assets/nhsuk.min.css",
        include_str!("../../public/nhsuk/nhsuk-frontend.min.css"),
    ),
    ("assets/site.css", include_str!("../../public/site.css")),
];

impl Publisher {
    /// A publisher writing into `site_dir`, with absolute links (feeds) under `base_url`.
    pub fn new(site_dir: impl Into<PathBuf>, base_url: &str) -> Publisher {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        helpers::register(&mut hb);
        for (name, text) in TEMPLATES {
            hb.register_template_string(name, text)
                .expect("the built-in templates parse");
        }
        Publisher {
            hb,
            site_dir: site_dir.into(),
            base_url: base_url.trim_end_matches('/').to_owned(),
            signer: None,
            out: std::sync::RwLock::new(None),
            progress: None,
            memo: std::sync::Mutex::new(std::collections::HashMap::new()),
            shadows: std::sync::Mutex::new(std::collections::HashMap::new()),
            models: model::Models::default(),
            months: changes_pages::MonthsCache::default(),
            parallel: true,
        }
    }

    /// Render every page on the calling thread: the same files, byte for byte, as the
    /// parallel publish (a test holds it to that), for comparison and measurement.
    pub fn sequential(mut self) -> Publisher {
        self.parallel = false;
        self
    }

    /// Sign a checkpoint of each chain after publishing it.
    pub fn with_signer(mut self, signer: crate::audit::checkpoint::NoteSigner) -> Publisher {
        self.signer = Some(signer);
        self
    }

    pub fn site_dir(&self) -> &Path {
        &self.site_dir
    }

    /// Count written files on `bar` (the `publish` command's progress).
    pub fn with_progress(mut self, bar: indicatif::ProgressBar) -> Publisher {
        self.progress = Some(bar);
        self
    }

    /// Re-render the whole site: assets, the home page and every organisation.
    pub fn publish_all(&self, c: &mut AnyConnection) -> Result<usize, PublishError> {
        for (rel, text) in ASSETS {
            self.write(rel, text.as_bytes())?;
        }
        let orgs = crate::store::orgs::all(c)?;
        self.publish_home(c)?;
        for org in &orgs {
            self.publish_org(c, &org.slug, &Scope::everything())?;
        }
        Ok(orgs.len())
    }

    /// The site's home page, listing the organisations.
    pub fn publish_home(&self, c: &mut AnyConnection) -> Result<(), PublishError> {
        let mut orgs = Vec::new();
        for org in crate::store::orgs::all(c)? {
            orgs.push(snapshot::read(c, &org.slug, |_, s| Ok(views::org_view(s)))?);
        }
        let page = json!({"title": "Registers of interests", "org": null, "crumbs": [], "feeds": [], "orgs": orgs});
        self.write("index.html", &self.render("index", &page)?)
    }

    /// Re-render what `scope` names for one organisation, from one snapshot.
    #[tracing::instrument(skip(self, c))]
    pub fn publish_org(
        &self,
        c: &mut AnyConnection,
        slug: &str,
        scope: &Scope,
    ) -> Result<(), PublishError> {
        let today = crate::clock::today();
        if let Some(signer) = &self.signer {
            checkpoints::checkpoint(c, signer, slug)?;
        }
        // With no live generation yet (a new organisation, or the site directory was
        // emptied) there is nothing to stage changes against: render everything.
        let everything = Scope::everything();
        let scope = if site::live_generation(&self.site_dir, slug).is_none()
            || self.models.pages_day(slug) != Some(self.latest_day(c, slug)?)
        {
            // Every page's footer says the day of the latest change: when that is not
            // the day the pages show (the day's first change), every page is rendered.
            &everything
        } else {
            scope
        };
        let out = if scope.everything {
            // A fresh generation starts empty: every page is rendered into it.
            let prefix = format!("{slug}/");
            self.memo
                .lock()
                .expect("not poisoned")
                .retain(|k, _| !k.starts_with(&prefix));
            site::Output::fresh(&self.site_dir, slug)?
        } else {
            // Taken, not borrowed: if this publish fails, the shadow's state is unknown
            // and the next one makes a new shadow.
            let shadow = self.shadows.lock().expect("not poisoned").remove(slug);
            site::Output::staged(&self.site_dir, slug, shadow)?
        };
        self.with_output(slug, out, || {
            // A whole publish reads the organisation whole; a scoped one brings the
            // model its last publish kept up to date with the entries since.
            let earlier = self.models.take(slug).filter(|_| !scope.everything);
            if scope.everything {
                self.models.set_pages_day(slug, None);
            }
            let since = earlier.as_ref().map(|m| m.org.chain_seq);
            let (model, rendered) = snapshot::read_from(c, slug, earlier, |c, s| {
                // A change that hides what was published (a withholding, a person who
                // no longer takes decisions) takes it out of the open data files at
                // once, not a second later.
                let urgent = scope.part == Part::Pages && self.hides(c, s, today, since)?;
                let scope = if urgent {
                    &Scope {
                        part: Part::All,
                        ..scope.clone()
                    }
                } else {
                    scope
                };
                Ok(self.render_org(c, s, today, scope))
            })?;
            if scope.everything && rendered.is_ok() {
                self.models
                    .set_pages_day(slug, Some(model::latest_day(&model)));
            }
            self.models.keep(slug, model);
            rendered
        })
    }

    fn render_org(
        &self,
        c: &mut AnyConnection,
        s: &Snapshot,
        today: chrono::NaiveDate,
        scope: &Scope,
    ) -> Result<(), PublishError> {
        let v = Visible::new(s, today);
        let ctx = business::Ctx::new(&v);
        let org = views::org_view(s);
        let slug = &s.org.slug;
        let base = &self.base_url;
        let feed = |file: &str, title: &str| json!({"href": format!("/{slug}/feeds/{file}"), "title": format!("{} – {title}", s.org.name)});
        let crumb_home = json!({"href": "/", "label": "Home"});
        let crumb_org = json!({"href": format!("/{slug}/"), "label": s.org.name});
        let all = scope.everything;
        if scope.part == Part::Bulk {
            return self.render_bulk(&v, &ctx, scope);
        }

        // The home and data pages say how long the chain is: every change renders them.
        {
            let page = json!({"title": s.org.name, "org": org, "crumbs": [crumb_home], "feeds": [feed("all.xml", "all changes")], "counts": views::counts(&v)});
            self.write(&format!("{slug}/index.html"), &self.render("org", &page)?)?;
        }
        if all || scope.interests || scope.gifts {
            // Each register's pages and open data are rendered while its feed reads
            // the database.
            if all || scope.interests {
                let (written, feed) = self.both(
                    || self.render_interests(&v, &org),
                    || feeds::publish(c, &ctx, feeds::Feed::Interests, base),
                );
                written?;
                self.write(&format!("{slug}/feeds/interests.xml"), feed?.as_bytes())?;
            }
            if all || scope.gifts {
                let (written, feed) = self.both(
                    || self.render_gifts(&v, &org),
                    || feeds::publish(c, &ctx, feeds::Feed::Gifts, base),
                );
                written?;
                self.write(&format!("{slug}/feeds/gifts.xml"), feed?.as_bytes())?;
            }
        }

        let people: Vec<i64> = if all {
            s.people.iter().map(|p| p.id).collect()
        } else {
            scope.people.iter().copied().collect()
        };
        // Each person's entries, found once rather than once a person.
        let wanted: std::collections::HashSet<i64> = people.iter().copied().collect();
        let mut declarations_of: std::collections::HashMap<i64, Vec<_>> = Default::default();
        for d in s
            .declarations
            .iter()
            .filter(|d| wanted.contains(&d.entry.person_id))
        {
            declarations_of
                .entry(d.entry.person_id)
                .or_default()
                .push(d);
        }
        let mut gifts_of: std::collections::HashMap<i64, Vec<_>> = Default::default();
        for g in s
            .gifts
            .iter()
            .filter(|g| wanted.contains(&g.entry.person_id))
        {
            gifts_of.entry(g.entry.person_id).or_default().push(g);
        }
        let last_returns = views::last_returns(s);
        let by_id: std::collections::HashMap<i64, &crate::domain::people::Person> =
            s.people.iter().map(|p| (p.id, p)).collect();
        let mut shown = Vec::new();
        for id in people {
            let Some(p) = by_id.get(&id).copied() else {
                continue;
            };
            if v.person(id).is_none() {
                self.remove_dir(&format!("{slug}/interests/{}", p.slug))?;
            } else {
                shown.push(p);
            }
        }
        let crumb_reg =
            json!({"href": format!("/{slug}/interests/"), "label": "Register of interests"});
        // The histories are read from the database a batch of people at a time (the
        // connection is this publish's), the next batch's while this one's pages are
        // rendered and written in parallel.
        let histories_of = |c: &mut AnyConnection, batch: &[&crate::domain::people::Person]| {
            let entries: Vec<(i64, Vec<i64>, Vec<i64>)> = batch
                .iter()
                .map(|p| {
                    let of = |id| declarations_of.get(id).into_iter().flatten();
                    let declarations = of(&p.id).map(|d| d.entry.id).collect();
                    let gifts = gifts_of.get(&p.id).into_iter().flatten();
                    (p.id, declarations, gifts.map(|g| g.entry.id).collect())
                })
                .collect();
            changes_pages::people_histories(c, &ctx, &entries)
        };
        let batches: Vec<&[&crate::domain::people::Person]> =
            shown.chunks(PEOPLE_PER_BATCH).collect();
        let mut histories = match batches.first() {
            Some(batch) => histories_of(c, batch)?,
            None => Default::default(),
        };
        for (k, batch) in batches.iter().enumerate() {
            let (written, next) = self.both(
                || {
                    self.each_parallel(batch, |p| {
                        let id = p.id;
                        let page = json!({
                            "title": p.fields.name, "org": org, "crumbs": [crumb_home, crumb_org, crumb_reg], "feeds": [],
                            "history": histories.get(&id).map_or(&[][..], Vec::as_slice),
                            "person": views::person_view_with(&v, p, last_returns.get(&id).copied()),
                            "table": {"caption": format!("Interests declared by {}", p.fields.name), "show_person": false, "org_slug": slug,
                                      "rows": views::sorted_declaration_rows(&v, declarations_of.get(&id).into_iter().flatten().copied())},
                            "gifts": {"caption": format!("Gifts and hospitality offered to {}", p.fields.name), "show_person": false, "org_slug": slug,
                                      "rows": views::sorted_gift_rows(&v, gifts_of.get(&id).into_iter().flatten().copied())},
                        });
                        self.write(
                            &format!("{slug}/interests/{}/index.html", p.slug),
                            &self.render("person", &page)?,
                        )
                    })
                },
                || batches.get(k + 1).map(|next| histories_of(c, next)).transpose(),
            );
            written?;
            histories = next?.unwrap_or_default();
        }

        self.render_business(c, &ctx, scope, &org)?;
        if all || scope.gp_earnings {
            self.render_gp_earnings(c, &ctx, &org)?;
        }
        // The months of changes and the editions read the database; the bulk open data
        // files (a whole publish's) are rendered from the snapshot meanwhile.
        let (history, bulk) = self.both(
            || {
                if all
                    || scope.interests
                    || scope.gifts
                    || scope.decisions
                    || scope.gp_earnings
                    || scope.person_records
                {
                    self.render_changes(c, &ctx, scope, &org)?;
                }
                // A declaration or gift withheld since an edition is redacted from it.
                if (all || scope.editions || scope.interests || scope.gifts)
                    && self.editions_stale(c, &v, scope)?
                {
                    self.render_editions(c, &ctx, &org)?;
                }
                Ok::<(), PublishError>(())
            },
            || {
                if scope.part == Part::All {
                    self.render_bulk(&v, &ctx, scope)?;
                }
                Ok::<(), PublishError>(())
            },
        );
        history?;
        bulk?;
        {
            let page = json!({
                "title": "Open data", "org": org, "crumbs": [crumb_home, crumb_org],
                "feeds": [feed("all.xml", "all changes")], "open": data_page::data_page(&ctx),
            });
            self.write(
                &format!("{slug}/data/index.html"),
                &self.render("data", &page)?,
            )?;
        }

        let verifier_key = self.signer.as_ref().map(|k| k.verifier_key());
        let page = json!({
            "title": "Audit log", "org": org, "crumbs": [crumb_home, crumb_org], "feeds": [feed("all.xml", "all changes")],
            "checkpoint": s.checkpoint, "verifier_key": verifier_key,
            "key_name": self.signer.as_ref().map(|k| k.name().to_owned()),
        });
        self.write(
            &format!("{slug}/audit/index.html"),
            &self.render("audit", &page)?,
        )?;
        if let Some(cp) = &s.checkpoint {
            self.write(&format!("{slug}/audit/checkpoint"), cp.note.as_bytes())?;
        }
        if let Some(key) = &verifier_key {
            self.write(
                &format!("{slug}/audit/verifier-key"),
                format!("{key}\n").as_bytes(),
            )?;
        }
        self.write(
            &format!("{slug}/feeds/all.xml"),
            feeds::publish(c, &ctx, feeds::Feed::All, base)?.as_bytes(),
        )?;
        self.export_chain(c, &v, scope)
    }

    /// Write the bulk open data files `scope` names: the interests and gifts CSV and
    /// JSON, and the OCDS release package; a `Bulk` publish writes every data file (the
    /// decisions, breaches and GP earnings CSV and JSON too, which a whole publish writes with their
    /// pages).
    fn render_bulk(
        &self,
        v: &Visible,
        ctx: &business::Ctx,
        scope: &Scope,
    ) -> Result<(), PublishError> {
        let slug = &v.snapshot.org.slug;
        let all = scope.everything || scope.part == Part::Bulk;
        if scope.part == Part::Bulk {
            let records = exports::decisions_records(ctx, &self.base_url).into_iter();
            self.write_data(slug, v, "decisions", &exports::DECISION_COLUMNS, records)?;
            self.write_breaches_data(slug, ctx)?;
            self.write_gp_earnings_data(slug, ctx)?;
        }
        if all || scope.interests {
            let records = exports::interests_iter(v);
            self.write_data(slug, v, "interests", &exports::INTEREST_COLUMNS, records)?;
        }
        if all || scope.gifts {
            let records = exports::gifts_iter(v);
            self.write_data(slug, v, "gifts", &exports::GIFT_COLUMNS, records)?;
        }
        // The register of procurement decisions in OCDS: its award descriptions name the
        // people who declared conflicts, so a change to a person re-renders it too.
        if all || scope.decisions || !scope.committees.is_empty() || scope.person_records {
            let file = format!("{slug}/{}", ocds::FILE);
            let guard = self.out.read().expect("not poisoned");
            let out = guard.as_ref().expect("publishing runs inside with_output");
            let mut f = out.create(&file)?;
            ocds::render_to(ctx, &self.base_url, f.writer())?;
            out.finish(f)?;
        }
        Ok(())
    }

    /// Whether the chain entries of `s` after `since` hide anything earlier entries
    /// showed (see `changes_history`); with no `since` (the model was read whole), it
    /// cannot be told, so yes.
    fn hides(
        &self,
        c: &mut AnyConnection,
        s: &Snapshot,
        today: chrono::NaiveDate,
        since: Option<i64>,
    ) -> Result<bool, StoreError> {
        let Some(since) = since else {
            return Ok(true);
        };
        let head = s.org.chain_seq;
        if since >= head {
            return Ok(false);
        }
        let new = crate::store::audit::range(c, s.org.id, since + 1, head, head - since)?;
        let v = Visible::new(s, today);
        Ok(self.changes_history(c, &v, &new)?)
    }

    /// The day (`YYYY-MM-DD`) of organisation `slug`'s latest change.
    fn latest_day(&self, c: &mut AnyConnection, slug: &str) -> Result<String, PublishError> {
        let org = crate::store::orgs::by_slug(c, slug)?;
        let last = crate::store::audit::range(c, org.id, org.chain_seq, org.chain_seq, 1)?;
        Ok(last
            .first()
            .and_then(|e| e.header.at.get(..10))
            .unwrap_or_default()
            .to_owned())
    }

    /// Organisation `slug`'s read model as the last publish left it (for checks).
    pub fn model(&self, slug: &str) -> Option<Snapshot> {
        self.models.get(slug)
    }
}
