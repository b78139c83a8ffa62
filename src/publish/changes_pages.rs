//! The pages of what changed: `/<org>/changes/` (the months, newest first) and
//! `/<org>/changes/<YYYY-MM>/` (one month's published changes), and the history of a
//! person's entries on their page. A change re-renders only the months its new entries
//! fall in (and the month before, whose link to the newer month may be new) and the
//! index, unless it changes what earlier entries may show (a withholding, say): then every
//! month is written again, as the chain export is.

use super::business::Ctx;
use super::changes::{self, KINDS};
use super::views::OrgView;
use super::{PublishError, Publisher, Scope};
use crate::store::{audit, AnyConnection};
use chrono::NaiveDate;
use serde_json::json;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::collections::HashMap;

/// The changes one page of a month lists at most: the month's entries about the registers,
/// taken in blocks of this many from its first, so that a large organisation's busy month
/// is many light pages, and a new change re-renders only the month's last pages. (The
/// library's own tests, the incremental-equals-full property test among them, use blocks
/// of 4, so that their few writes fill several pages.)
pub const CHANGES_PER_PAGE: usize = if cfg!(test) { 4 } else { 50 };

/// Each organisation's months of changes as far as the chain was last read (its `seq`),
/// so that a write reads only the entries since (see [`Publisher::changes_months`]).
pub(super) type MonthsCache = std::sync::Mutex<HashMap<String, (i64, Vec<Month>)>>;

/// Which of a month's pages a publish renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pages {
    /// The month's page and its numbered pages from this block (0-based) on.
    From(usize),
    /// Only the month's page (whose link to the next month may be new).
    MonthPage,
}

impl Publisher {
    /// Render the months of changes that `scope` touched, and the index.
    ///
    /// A month is `/<org>/changes/<YYYY-MM>/`, listing its latest block of
    /// [`CHANGES_PER_PAGE`] changes; when it has more than one block, each block is also
    /// `/<org>/changes/<YYYY-MM>/<n>/`, numbered from the month's first (so a block's
    /// number and contents stay put as the month grows). New entries re-render the month
    /// page and the numbered pages from the block before the first new one; a new month
    /// also re-renders the previous month's page (its "newer" link). A change to what
    /// earlier entries may show (a withholding, say) re-renders every page.
    pub(super) fn render_changes(
        &self,
        c: &mut AnyConnection,
        ctx: &Ctx,
        scope: &Scope,
        org: &OrgView,
    ) -> Result<(), PublishError> {
        let v = ctx.v;
        let s = v.snapshot;
        let slug = &s.org.slug;
        let head = s.org.chain_seq;
        let key = format!("{slug}/changes#seq");
        let done = self.memo.lock().expect("not poisoned").get(&key).copied();
        let fresh = scope.everything || done.is_none();
        let months = self.changes_months(c, s.org.id, slug, head, fresh)?;
        let mut plan: BTreeMap<usize, Pages> = BTreeMap::new();
        match done.map(|d| d as i64) {
            Some(done) if !scope.everything => {
                let new = if done < head {
                    audit::range(c, s.org.id, done + 1, head, head - done)?
                } else {
                    vec![]
                };
                if self.changes_history(c, v, &new)? {
                    plan.extend((0..months.len()).map(|i| (i, Pages::From(0))));
                } else {
                    for (i, m) in months.iter().enumerate() {
                        let Some(at) = m.seqs.iter().position(|&seq| seq > done) else {
                            continue;
                        };
                        plan.insert(i, Pages::From((at / CHANGES_PER_PAGE).saturating_sub(1)));
                        if at == 0 && i > 0 {
                            plan.entry(i - 1).or_insert(Pages::MonthPage);
                        }
                    }
                }
            }
            _ => plan.extend((0..months.len()).map(|i| (i, Pages::From(0)))),
        }
        for (&i, &pages) in &plan {
            self.render_month(c, ctx, org, &months, i, pages)?;
        }
        let memo = self.memo.lock().expect("not poisoned");
        let index: Vec<serde_json::Value> = months
            .iter()
            .rev()
            .map(|m| {
                let count: u64 = (0..m.blocks())
                    .filter_map(|b| memo.get(&block_count_key(slug, m, b)).copied())
                    .sum();
                json!({"key": m.key, "label": m.label(), "count": count})
            })
            .collect();
        drop(memo);
        let page = json!({
            "title": "What changed", "org": org, "crumbs": crumbs(org), "feeds": [],
            "months": index,
        });
        self.write(
            &format!("{slug}/changes/index.html"),
            &self.render("changes", &page)?,
        )?;
        self.memo
            .lock()
            .expect("not poisoned")
            .insert(key, head as u64);
        Ok(())
    }

    /// Render month `i`'s page and, if it has more than one block, its numbered pages as
    /// `pages` says.
    fn render_month(
        &self,
        c: &mut AnyConnection,
        ctx: &Ctx,
        org: &OrgView,
        months: &[Month],
        i: usize,
        pages: Pages,
    ) -> Result<(), PublishError> {
        let slug = &ctx.v.snapshot.org.slug;
        let m = &months[i];
        let last = m.blocks() - 1;
        let numbered = match pages {
            Pages::From(from) if last > 0 => from..last + 1,
            _ => 0..0,
        };
        let label = m.label();
        let mut crumbs = crumbs(org).to_vec();
        crumbs.push(json!({"href": format!("/{slug}/changes/"), "label": "What changed"}));
        let mut latest = None;
        for b in numbered {
            let list = self.block_changes(c, ctx, m, b)?;
            let mut within = crumbs.clone();
            within.push(json!({"href": format!("/{slug}/changes/{}/", m.key), "label": label}));
            let page = json!({
                "title": format!("What changed in {label}: page {}", b + 1),
                "org": org, "crumbs": within, "feeds": [],
                "month": label, "key": m.key, "part": b + 1, "changes": &list,
                "newer_part": (b < last).then_some(b + 2),
                "older_part": (b > 0).then_some(b),
            });
            self.write(
                &format!("{slug}/changes/{}/{}/index.html", m.key, b + 1),
                &self.render("changes-month", &page)?,
            )?;
            if b == last {
                latest = Some(list);
            }
        }
        let list = match latest {
            Some(list) => list,
            None => self.block_changes(c, ctx, m, last)?,
        };
        let month_view = |m: &Month| json!({"key": m.key, "label": m.label()});
        let page = json!({
            "title": format!("What changed in {label}"), "org": org, "crumbs": crumbs,
            "feeds": [], "month": label, "key": m.key, "changes": list,
            "older_part": (last > 0).then_some(last),
            "newer": months.get(i + 1).map(month_view),
            "older": i.checked_sub(1).map(|j| month_view(&months[j])),
        });
        self.write(
            &format!("{slug}/changes/{}/index.html", m.key),
            &self.render("changes-month", &page)?,
        )?;
        Ok(())
    }

    /// The published changes of block `b` of month `m`, newest first, their number
    /// recorded for the index.
    fn block_changes(
        &self,
        c: &mut AnyConnection,
        ctx: &Ctx,
        m: &Month,
        b: usize,
    ) -> Result<Vec<changes::Change>, PublishError> {
        let (first, upto) = m.block(b);
        let list = changes::between(c, ctx, first - 1, upto)?;
        self.memo.lock().expect("not poisoned").insert(
            block_count_key(&ctx.v.snapshot.org.slug, m, b),
            list.len() as u64,
        );
        Ok(list)
    }

    /// The months of changes of the chain up to `head`, oldest first: read from the
    /// chain once, then only its new entries (history only grows). `fresh` reads it all.
    fn changes_months(
        &self,
        c: &mut AnyConnection,
        org_id: i64,
        slug: &str,
        head: i64,
        fresh: bool,
    ) -> Result<Vec<Month>, PublishError> {
        let mut cache = self.months.lock().expect("not poisoned");
        let (read, months) = cache.entry(slug.to_owned()).or_default();
        if fresh || *read > head {
            *read = 0;
            months.clear();
        }
        if *read < head {
            for (seq, at) in audit::times_of_kinds(c, org_id, &KINDS, *read, head)? {
                let Some(key) = at.get(..7) else { continue };
                match months.last_mut() {
                    Some(m) if m.key == key => m.seqs.push(seq),
                    _ => months.push(Month {
                        key: key.to_owned(),
                        seqs: vec![seq],
                    }),
                }
            }
            *read = head;
        }
        Ok(months.clone())
    }
}

/// The crumbs every page of changes starts with: the home page and the organisation's.
fn crumbs(org: &OrgView) -> [serde_json::Value; 2] {
    [
        json!({"href": "/", "label": "Home"}),
        json!({"href": format!("/{}/", org.slug), "label": org.name}),
    ]
}

/// The memo key of a block's count of published changes.
fn block_count_key(slug: &str, m: &Month, block: usize) -> String {
    format!("{slug}/changes/{}/{block}#count", m.key)
}

/// The published history of each person's entries (declarations, then gifts), for
/// their pages: each entry published now, with each of its published versions, newest
/// first. `people` gives each person's declarations and gifts; the histories of all of
/// them are read together, one query a kind.
pub(super) fn people_histories(
    c: &mut AnyConnection,
    ctx: &Ctx,
    people: &[(i64, Vec<i64>, Vec<i64>)],
) -> Result<HashMap<i64, Vec<serde_json::Value>>, PublishError> {
    let public = |entity: &str, ids: &[i64]| -> BTreeSet<i64> {
        collect_public(ctx, entity, ids.iter().copied())
            .into_iter()
            .collect()
    };
    let wanted: Vec<(i64, BTreeSet<i64>, BTreeSet<i64>)> = people
        .iter()
        .map(|(p, d, g)| (*p, public("declaration", d), public("gift", g)))
        .collect();
    let all_declarations: Vec<i64> = wanted.iter().flat_map(|w| w.1.iter().copied()).collect();
    let all_gifts: Vec<i64> = wanted.iter().flat_map(|w| w.2.iter().copied()).collect();
    let mut declarations = changes::history(c, ctx, "declaration", &all_declarations)?;
    let mut gifts = changes::history(c, ctx, "gift", &all_gifts)?;
    let mut out = HashMap::new();
    for (person, own_declarations, own_gifts) in wanted {
        let mut list = Vec::new();
        for (ids, histories) in [
            (own_declarations, &mut declarations),
            (own_gifts, &mut gifts),
        ] {
            for id in ids {
                let Some(mut versions) = histories.remove(&id) else {
                    continue;
                };
                versions.reverse();
                let Some(latest) = versions.first() else {
                    continue;
                };
                let summary = format!(
                    "{} ({} published version{})",
                    latest.entry.clone().unwrap_or_default(),
                    versions.len(),
                    if versions.len() == 1 { "" } else { "s" }
                );
                list.push(json!({"summary": summary, "changes": versions}));
            }
        }
        out.insert(person, list);
    }
    Ok(out)
}

/// The ones of `ids` the public sees now.
fn collect_public(ctx: &Ctx, entity: &str, ids: impl Iterator<Item = i64>) -> Vec<i64> {
    ids.filter(|id| match entity {
        "declaration" => ctx.v.declaration_is_public(*id),
        _ => ctx.v.gift_is_public(*id),
    })
    .collect()
}

/// A month of the chain with changes to the registers: the `seq`s of its entries about
/// them, in order. (Entries are dated in order, so each month's entries are one run of the
/// chain.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// "2026-03".
    pub key: String,
    pub seqs: Vec<i64>,
}

impl Month {
    /// "March 2026".
    pub fn label(&self) -> String {
        NaiveDate::parse_from_str(&format!("{}-01", self.key), "%Y-%m-%d")
            .map(|d| d.format("%B %Y").to_string())
            .unwrap_or_else(|_| self.key.clone())
    }

    /// How many pages of [`CHANGES_PER_PAGE`] its changes fill (at least one).
    pub fn blocks(&self) -> usize {
        self.seqs.len().div_ceil(CHANGES_PER_PAGE).max(1)
    }

    /// The first and last `seq` of block `b`.
    pub fn block(&self, b: usize) -> (i64, i64) {
        let chunk = self.seqs.chunks(CHANGES_PER_PAGE).nth(b).unwrap_or(&[]);
        match (chunk.first(), chunk.last()) {
            (Some(first), Some(last)) => (*first, *last),
            _ => (1, 0),
        }
    }
}
