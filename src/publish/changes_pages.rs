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
use crate::store::{audit, AnyConnection, StoreError};
use chrono::NaiveDate;
use serde_json::json;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::collections::HashMap;

impl Publisher {
    /// Render the months of changes that `scope` touched, and the index.
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
        let months = months(c, s.org.id)?;
        let wanted: BTreeSet<String> = match (scope.everything, done) {
            (false, Some(done)) => {
                let done = done as i64;
                let new = if done < head {
                    crate::store::audit::range(c, s.org.id, done + 1, head, head - done)?
                } else {
                    vec![]
                };
                if self.changes_history(c, v, &new)? {
                    months.iter().map(|m| m.key.clone()).collect()
                } else {
                    let touched: BTreeSet<&str> = new
                        .iter()
                        .filter(|e| KINDS.contains(&e.header.entity.as_str()))
                        .filter_map(|e| e.header.at.get(..7))
                        .collect();
                    let mut wanted = BTreeSet::new();
                    for (i, m) in months.iter().enumerate() {
                        if touched.contains(m.key.as_str()) {
                            wanted.insert(m.key.clone());
                            if let Some(before) = i.checked_sub(1).map(|j| &months[j]) {
                                wanted.insert(before.key.clone());
                            }
                        }
                    }
                    wanted
                }
            }
            _ => months.iter().map(|m| m.key.clone()).collect(),
        };
        let crumbs = [
            json!({"href": "/", "label": "Home"}),
            json!({"href": format!("/{slug}/"), "label": s.org.name}),
        ];
        let month_view = |m: &Month| json!({"key": m.key, "label": m.label()});
        for (i, m) in months.iter().enumerate() {
            if !wanted.contains(&m.key) {
                continue;
            }
            let list = changes::between(c, ctx, m.first - 1, m.last)?;
            self.memo
                .lock()
                .expect("not poisoned")
                .insert(format!("{slug}/changes/{}#count", m.key), list.len() as u64);
            let label = m.label();
            let page = json!({
                "title": format!("What changed in {label}"), "org": org,
                "crumbs": [crumbs[0], crumbs[1], {"href": format!("/{slug}/changes/"), "label": "What changed"}],
                "feeds": [], "month": label, "changes": list,
                "newer": months.get(i + 1).map(month_view),
                "older": i.checked_sub(1).map(|j| month_view(&months[j])),
            });
            self.write(
                &format!("{slug}/changes/{}/index.html", m.key),
                &self.render("changes-month", &page)?,
            )?;
        }
        let memo = self.memo.lock().expect("not poisoned");
        let index: Vec<serde_json::Value> = months
            .iter()
            .rev()
            .map(|m| {
                let count = memo
                    .get(&format!("{slug}/changes/{}#count", m.key))
                    .copied()
                    .unwrap_or(0);
                json!({"key": m.key, "label": m.label(), "count": count})
            })
            .collect();
        drop(memo);
        let page = json!({
            "title": "What changed", "org": org, "crumbs": crumbs, "feeds": [],
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

/// A month of the chain with changes to the registers: the `seq`s of its first and last
/// such entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// "2026-03".
    pub key: String,
    pub first: i64,
    pub last: i64,
}

impl Month {
    /// "March 2026".
    pub fn label(&self) -> String {
        NaiveDate::parse_from_str(&format!("{}-01", self.key), "%Y-%m-%d")
            .map(|d| d.format("%B %Y").to_string())
            .unwrap_or_else(|_| self.key.clone())
    }
}

/// The months in which the registers' records changed, oldest first. (Entries are dated
/// in order, so each month's entries are one run of the chain.)
pub fn months(c: &mut AnyConnection, org_id: i64) -> Result<Vec<Month>, StoreError> {
    let mut by_key: BTreeMap<String, Month> = BTreeMap::new();
    for (seq, at) in audit::times_of_kinds(c, org_id, &KINDS)? {
        let Some(key) = at.get(..7) else { continue };
        let m = by_key.entry(key.to_owned()).or_insert_with(|| Month {
            key: key.to_owned(),
            first: seq,
            last: seq,
        });
        m.first = m.first.min(seq);
        m.last = m.last.max(seq);
    }
    Ok(by_key.into_values().collect())
}
