//! The registers of interests and of gifts as paged, filterable pages with stable URLs,
//! rendered without JavaScript: every filter is a pre-rendered set of pages.
//!
//! A page holds whole people (every row of up to [`PEOPLE_PER_PAGE`] people, in name
//! order, fewer where their rows would weigh more than [`PAGE_WEIGHT`]), so a change to
//! one person's entries changes the pages that person is on and no others, unless they
//! join or leave a view or the weight moves a page's end. Each page's inputs are hashed,
//! and a page whose hash is unchanged since the last publish is not rendered again: after
//! a single write only the pages it touched are rendered.

use super::views::{self, OrgView, Visible};
use super::{PublishError, Publisher};
use crate::domain::interests::InterestType;
use crate::store::declarations::Version as DeclarationVersion;
use crate::store::gifts::Version as GiftVersion;
use chrono::Datelike;
use serde_json::{json, Value};
use std::collections::hash_map::DefaultHasher;
use std::collections::BTreeSet;
use std::hash::{Hash, Hasher};

/// People per page. At the large ICB's seven or so public declarations a person, ten
/// people make a page of about 48 KB (twenty made 228 KB before the markup was trimmed,
/// and would still be over 60 KB after).
pub const PEOPLE_PER_PAGE: usize = 10;

/// The most a page's rows may weigh (about their bytes of HTML, [`RowWeight`]) before the
/// page ends early, so that people with long declarations still make pages under 60 KB
/// with the page's navigation. A page always holds at least one whole person, however
/// heavy. Ten people of the large ICB weigh well under this, so there the page ends are
/// set by the number of people alone and do not move when an entry's text grows.
pub const PAGE_WEIGHT: usize = 40_000;

/// Rows per page of registers that are not grouped by person.
pub const ROWS_PER_PAGE: usize = 50;

/// What a row adds to a page, in about bytes of HTML: its free text, where the markdown
/// may grow by a quarter as HTML, and the rest of the row (name, position, dates, tags
/// and markup) as a fixed amount.
pub(super) trait RowWeight {
    /// About how many bytes of HTML the row adds to a page.
    fn weight(&self) -> usize;
}

/// A register row's markup, name, position, dates and tags, less its free text.
const ROW_FIXED_WEIGHT: usize = 450;

impl RowWeight for DeclarationVersion {
    fn weight(&self) -> usize {
        let f = &self.entry.fields;
        ROW_FIXED_WEIGHT
            + f.description.len() * 5 / 4
            + f.body.len()
            + f.mitigation.len()
            + f.position.as_ref().map_or(0, String::len)
            + f.associate.as_ref().map_or(0, String::len)
    }
}

impl RowWeight for GiftVersion {
    fn weight(&self) -> usize {
        let f = &self.entry.fields;
        ROW_FIXED_WEIGHT
            + f.description.len() * 5 / 4
            + f.giver.len()
            + f.approved_by.as_ref().map_or(0, String::len)
    }
}

/// One filtered view of a register: where its pages live and what it shows.
struct View<'a, R> {
    /// Path under the organisation, e.g. `interests/type/financial`.
    path: String,
    /// The view's name, shown as the page's heading and in the filter links.
    label: String,
    rows: Vec<&'a R>,
}

/// Split rows, already in person order, into pages of whole people: at most
/// [`PEOPLE_PER_PAGE`] of them, and a page ends before a person whose rows would take its
/// weight over [`PAGE_WEIGHT`] (unless the page is still empty).
fn pages<R>(
    rows: &[&R],
    person: impl Fn(&R) -> i64,
    weight: impl Fn(&R) -> usize,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let (mut start, mut people, mut page_weight) = (0, 0, 0);
    let mut i = 0;
    while i < rows.len() {
        let p = person(rows[i]);
        let end = i + rows[i..].iter().take_while(|r| person(r) == p).count();
        let w: usize = rows[i..end].iter().map(|r| weight(r)).sum();
        if people > 0 && (people == PEOPLE_PER_PAGE || page_weight + w > PAGE_WEIGHT) {
            out.push((start, i));
            start = i;
            people = 0;
            page_weight = 0;
        }
        people += 1;
        page_weight += w;
        i = end;
    }
    if start < rows.len() || out.is_empty() {
        out.push((start, rows.len()));
    }
    out
}

/// The file of page `n` (1-based) of a view.
pub(super) fn page_file(slug: &str, path: &str, n: usize) -> String {
    if n == 1 {
        format!("{slug}/{path}/index.html")
    } else {
        format!("{slug}/{path}/page/{n}/index.html")
    }
}

fn page_url(slug: &str, path: &str, n: usize) -> String {
    if n == 1 {
        format!("/{slug}/{path}/")
    } else {
        format!("/{slug}/{path}/page/{n}/")
    }
}

/// NHS.UK pagination: previous and next, and the page numbers of [`page_numbers`].
pub(super) fn pagination(slug: &str, path: &str, n: usize, total: usize) -> Value {
    let link = |k: usize| json!({"href": page_url(slug, path, k), "number": k, "current": k == n});
    let numbers: Vec<Value> = page_numbers(n, total)
        .into_iter()
        .map(|k| k.map_or_else(|| json!({"gap": true}), link))
        .collect();
    json!({
        "show": total > 1,
        "previous": (n > 1).then(|| link(n - 1)),
        "next": (n < total).then(|| link(n + 1)),
        "pages": numbers,
        "number": n, "total": total,
    })
}

/// The page numbers offered on page `n` of `total`, `None` for a gap: the first and the
/// last, two either side of `n`, and every `step`-th page (10, 20, 50, 100…, so at most
/// about eight), in order. A view of the large ICB has hundreds of pages: linking every
/// one from every page cost 19 KB a page; these are a few dozen links, and every page is
/// still within a few steps.
fn page_numbers(n: usize, total: usize) -> Vec<Option<usize>> {
    let step = [1, 2, 5]
        .iter()
        .flat_map(|m| (1..8).map(move |e| m * 10usize.pow(e)))
        .filter(|s| total / s <= 8)
        .min()
        .unwrap_or(usize::MAX);
    let mut out = Vec::new();
    let mut last = 0;
    for k in 1..=total {
        if k == 1 || k == total || k.abs_diff(n) <= 2 || k % step == 0 {
            if k == last + 2 {
                out.push(Some(last + 1));
            } else if k > last + 2 {
                out.push(None);
            }
            out.push(Some(k));
            last = k;
        }
    }
    out
}

/// The filters without their counts (each link's `counted` flag off).
fn uncounted(filters: &Value) -> Value {
    let mut out = filters.clone();
    for group in out.as_array_mut().into_iter().flatten() {
        for link in group["links"].as_array_mut().into_iter().flatten() {
            link["counted"] = json!(false);
        }
    }
    out
}

fn hash_of(parts: impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    parts.hash(&mut h);
    h.finish()
}

impl Publisher {
    /// Forget what was published under `prefix` (a fresh generation starts empty), and
    /// stop publishing pages under it that this publish did not produce.
    fn forget_pages(&self, prefix: &str, keep: &BTreeSet<String>) -> Result<(), PublishError> {
        let stale: Vec<String> = self
            .memo
            .lock()
            .expect("not poisoned")
            .keys()
            .filter(|k| k.starts_with(prefix) && !keep.contains(*k))
            .cloned()
            .collect();
        for file in stale {
            self.memo.lock().expect("not poisoned").remove(&file);
            if let Some(dir) = file.strip_suffix("/index.html") {
                let inside = format!("{dir}/");
                if !keep.iter().any(|k| k.starts_with(&inside)) {
                    self.remove_dir(dir)?;
                }
            }
        }
        Ok(())
    }

    /// Every page of a register's views; `render_rows` builds a page's rows (the costly
    /// part: markdown) only for pages that changed. A page whose inputs (hashed) are
    /// unchanged since the last publish of it is not rendered again; the others are
    /// rendered and written in parallel. Returns how many were rendered.
    #[allow(clippy::too_many_arguments)]
    fn render_views<R: RowWeight + Sync>(
        &self,
        org: &OrgView,
        register: &str,
        template: &str,
        views: &[View<R>],
        filters: &Value,
        common: &Value,
        first_page: &Value,
        row_key: impl Fn(&R) -> (i64, i64, i64),
        render_rows: impl Fn(&[&R]) -> Value + Sync + Send,
    ) -> Result<usize, PublishError> {
        let slug = &org.slug;
        let mut keep = BTreeSet::new();
        // Each page: its file, the hash of its inputs, its view, number, the number of
        // pages of its view, and its rows.
        let mut wanted = Vec::new();
        // The filters' counts are on the register's front page only: on every page they
        // would make each new entry re-render every page of every view.
        let uncounted = uncounted(filters);
        let (counted_text, uncounted_text, common_text) = (
            filters.to_string(),
            uncounted.to_string(),
            common.to_string(),
        );
        for (k, view) in views.iter().enumerate() {
            let bounds = pages(&view.rows, |r| row_key(r).0, |r| r.weight());
            let total = bounds.len();
            for (i, (a, b)) in bounds.iter().copied().enumerate() {
                let n = i + 1;
                let file = page_file(slug, &view.path, n);
                let keys: Vec<(i64, i64, i64)> =
                    view.rows[a..b].iter().map(|r| row_key(r)).collect();
                let (extra, filters_text) = if k == 0 && n == 1 {
                    (first_page.to_string(), &counted_text)
                } else {
                    (String::new(), &uncounted_text)
                };
                let key = hash_of((
                    &keys,
                    n,
                    total,
                    &org.updated,
                    &view.label,
                    filters_text,
                    &common_text,
                    extra,
                ));
                keep.insert(file.clone());
                wanted.push((file, key, k, n, total, a..b));
            }
        }
        {
            let memo = self.memo.lock().expect("not poisoned");
            wanted.retain(|(file, key, ..)| memo.get(file) != Some(key));
        }
        let crumb_reg =
            json!({"href": format!("/{slug}/{register}/"), "label": common["register_title"]});
        let register_title = common["register_title"].as_str().unwrap_or_default();
        self.each_parallel(&wanted, |(file, _, k, n, total, rows)| {
            let (view, n, total) = (&views[*k], *n, *total);
            let mut crumbs = vec![
                json!({"href": "/", "label": "Home"}),
                json!({"href": format!("/{slug}/"), "label": org.name}),
            ];
            if view.path != register || n > 1 {
                crumbs.push(crumb_reg.clone());
            }
            let mut page = common.clone();
            page["org"] = json!(org);
            page["crumbs"] = json!(crumbs);
            page["view"] =
                json!({"label": view.label, "is_all": view.path == register, "first_page": n == 1});
            page["title"] = json!(if view.path == register && n == 1 {
                register_title.to_owned()
            } else if n == 1 {
                format!("{register_title}: {}", view.label)
            } else {
                format!("{register_title}: {}, page {n} of {total}", view.label)
            });
            page["filters"] = if *k == 0 && n == 1 {
                filters.clone()
            } else {
                uncounted.clone()
            };
            page["pagination"] = pagination(slug, &view.path, n, total);
            page["table"] = render_rows(&view.rows[rows.clone()]);
            if *k == 0 && n == 1 {
                if let (Value::Object(page), Value::Object(more)) = (&mut page, first_page) {
                    page.extend(more.clone());
                }
            }
            self.write(file, &self.render(template, &page)?)
        })?;
        // Remembered only once written: a failed publish renders them again next time.
        let mut memo = self.memo.lock().expect("not poisoned");
        for (file, key, ..) in &wanted {
            memo.insert(file.clone(), *key);
        }
        drop(memo);
        self.forget_pages(&format!("{slug}/{register}/"), &keep)?;
        Ok(wanted.len())
    }

    /// The register of interests: all, by type, current or ended, by committee, by year
    /// declared; each paged.
    pub(super) fn render_interests(
        &self,
        v: &Visible,
        org: &OrgView,
    ) -> Result<usize, PublishError> {
        let s = v.snapshot;
        let slug = &org.slug;
        let mut rows: Vec<&DeclarationVersion> = s
            .declarations
            .iter()
            .filter(|d| {
                v.declaration_is_public(d.entry.id) && v.person(d.entry.person_id).is_some()
            })
            .collect();
        let name = |d: &DeclarationVersion| {
            v.person(d.entry.person_id)
                .map(|p| p.fields.name.as_str())
                .unwrap_or("")
        };
        rows.sort_by(|a, b| {
            (
                name(a),
                a.entry.person_id,
                a.entry.fields.has_ended(v.today),
                a.entry.id,
            )
                .cmp(&(
                    name(b),
                    b.entry.person_id,
                    b.entry.fields.has_ended(v.today),
                    b.entry.id,
                ))
        });
        let view = |path: String, label: String, keep: &dyn Fn(&DeclarationVersion) -> bool| View {
            path,
            label,
            rows: rows.iter().copied().filter(|d| keep(d)).collect(),
        };
        let mut all = vec![view(
            "interests".into(),
            "All declared interests".into(),
            &|_| true,
        )];
        for t in InterestType::ALL {
            all.push(view(
                format!("interests/type/{}", t.code()),
                t.label().to_owned(),
                &|d| d.entry.fields.interest_type == t,
            ));
        }
        all.push(view(
            "interests/status/current".into(),
            "Current interests".into(),
            &|d| !d.entry.fields.has_ended(v.today),
        ));
        all.push(view(
            "interests/status/ended".into(),
            "Interests that have ended".into(),
            &|d| d.entry.fields.has_ended(v.today),
        ));
        let today = v.today;
        for c in &s.business.committees {
            let members: BTreeSet<i64> = s
                .business
                .members_of(c.id)
                .into_iter()
                .filter(|m| m.record.member.is_active_on(today))
                .map(|m| m.record.member.person_id)
                .collect();
            all.push(view(
                format!("interests/committee/{}", c.record.slug),
                format!("Members of the {}", c.record.name),
                &|d| members.contains(&d.entry.person_id),
            ));
        }
        let years: BTreeSet<i32> = rows
            .iter()
            .map(|d| d.entry.fields.declared_on.year())
            .collect();
        for y in years.iter().rev() {
            let y = *y;
            all.push(view(
                format!("interests/declared/{y}"),
                format!("Declared in {y}"),
                &|d| d.entry.fields.declared_on.year() == y,
            ));
        }
        let group = |label: &str, views: &[View<DeclarationVersion>]| json!({"label": label, "links": views.iter().map(|v| json!({"href": format!("/{slug}/{}/", v.path), "label": v.label, "count": v.rows.len(), "counted": true})).collect::<Vec<_>>()});
        let n_types = InterestType::ALL.len();
        let n_committees = s.business.committees.len();
        let filters = json!([
            group("Type of interest", &all[1..1 + n_types]),
            group("Current or ended", &all[1 + n_types..3 + n_types]),
            group("Committee", &all[3 + n_types..3 + n_types + n_committees]),
            group("Year declared", &all[3 + n_types + n_committees..]),
        ]);
        let person_version = |id: i64| v.person(id).map_or(0, |p| p.version);
        let common = json!({
            "register_title": "Register of interests",
            "publish_ended_months": s.org.settings.publish_ended_months,
            "feeds": [{"href": format!("/{slug}/feeds/interests.xml"), "title": format!("{} – register of interests", s.org.name)}],
            "front": false, "nothing": [],
        });
        let front = json!({"front": true, "nothing": views::nothing_declared(v), "age": views::register_age(v)});
        self.render_views(
            org,
            "interests",
            "interests",
            &all,
            &filters,
            &common,
            &front,
            |d| (d.entry.person_id, d.audit_seq, person_version(d.entry.person_id)),
            |page_rows| {
                json!({"caption": "Declared interests", "show_person": true, "org_slug": slug,
                       "rows": page_rows.iter().filter_map(|d| views::declaration_row(v, d)).collect::<Vec<_>>()})
            },
        )
    }

    /// The register of gifts and hospitality: all, accepted, declined, by year offered; paged.
    pub(super) fn render_gifts(&self, v: &Visible, org: &OrgView) -> Result<usize, PublishError> {
        let s = v.snapshot;
        let slug = &org.slug;
        let mut rows: Vec<&GiftVersion> = s
            .gifts
            .iter()
            .filter(|g| v.gift_is_public(g.entry.id) && v.person(g.entry.person_id).is_some())
            .collect();
        let name = |g: &GiftVersion| {
            v.person(g.entry.person_id)
                .map(|p| p.fields.name.as_str())
                .unwrap_or("")
        };
        rows.sort_by(|a, b| {
            (
                name(a),
                a.entry.person_id,
                std::cmp::Reverse(a.entry.fields.offered_on),
                a.entry.id,
            )
                .cmp(&(
                    name(b),
                    b.entry.person_id,
                    std::cmp::Reverse(b.entry.fields.offered_on),
                    b.entry.id,
                ))
        });
        let view = |path: String, label: String, keep: &dyn Fn(&GiftVersion) -> bool| View {
            path,
            label,
            rows: rows.iter().copied().filter(|g| keep(g)).collect(),
        };
        use crate::domain::gifts::Outcome;
        let mut all = vec![
            view("gifts".into(), "All offers".into(), &|_| true),
            view("gifts/outcome/accepted".into(), "Accepted".into(), &|g| {
                g.entry.fields.outcome == Outcome::Accepted
            }),
            view("gifts/outcome/declined".into(), "Declined".into(), &|g| {
                g.entry.fields.outcome == Outcome::Declined
            }),
        ];
        let years: BTreeSet<i32> = rows
            .iter()
            .map(|g| g.entry.fields.offered_on.year())
            .collect();
        for y in years.iter().rev() {
            let y = *y;
            all.push(view(
                format!("gifts/offered/{y}"),
                format!("Offered in {y}"),
                &|g| g.entry.fields.offered_on.year() == y,
            ));
        }
        let group = |label: &str, views: &[View<GiftVersion>]| json!({"label": label, "links": views.iter().map(|v| json!({"href": format!("/{slug}/{}/", v.path), "label": v.label, "count": v.rows.len(), "counted": true})).collect::<Vec<_>>()});
        let filters = json!([
            group("Accepted or declined", &all[1..3]),
            group("Year offered", &all[3..])
        ]);
        let person_version = |id: i64| v.person(id).map_or(0, |p| p.version);
        let common = json!({
            "register_title": "Register of gifts and hospitality",
            "feeds": [{"href": format!("/{slug}/feeds/gifts.xml"), "title": format!("{} – register of gifts and hospitality", s.org.name)}],
        });
        self.render_views(
            org,
            "gifts",
            "gifts",
            &all,
            &filters,
            &common,
            &json!({}),
            |g| (g.entry.person_id, g.audit_seq, person_version(g.entry.person_id)),
            |page_rows| {
                json!({"caption": "Offers of gifts and hospitality", "show_person": true, "org_slug": slug,
                       "rows": page_rows.iter().filter_map(|g| views::gift_row(v, g)).collect::<Vec<_>>()})
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_hold_whole_people() {
        let rows: Vec<i64> = (0..50)
            .flat_map(|p| std::iter::repeat_n(p, (p % 3 + 1) as usize))
            .collect();
        let refs: Vec<&i64> = rows.iter().collect();
        let bounds = pages(&refs, |r| *r, |_| 1);
        assert_eq!(bounds.len(), 50usize.div_ceil(PEOPLE_PER_PAGE));
        for (a, b) in &bounds {
            let people: BTreeSet<i64> = rows[*a..*b].iter().copied().collect();
            assert!(people.len() <= PEOPLE_PER_PAGE);
            assert!(
                *a == 0 || rows[a - 1] != rows[*a],
                "a person is split across pages"
            );
        }
        assert_eq!(bounds.last().unwrap().1, rows.len());
        assert_eq!(
            pages::<i64>(&[], |r| *r, |_| 1),
            vec![(0, 0)],
            "an empty view still has its first page"
        );
    }

    #[test]
    fn heavy_people_end_a_page_early_but_are_never_split() {
        // Person p has p % 4 + 1 rows, each weighing a tenth of a page; person 7 alone
        // weighs more than a page.
        let rows: Vec<i64> = (0..30)
            .flat_map(|p| std::iter::repeat_n(p, (p % 4 + 1) as usize))
            .collect();
        let refs: Vec<&i64> = rows.iter().collect();
        let weight = |r: &i64| {
            if *r == 7 {
                PAGE_WEIGHT
            } else {
                PAGE_WEIGHT / 10
            }
        };
        let bounds = pages(&refs, |r| *r, weight);
        assert_eq!(bounds.first().unwrap().0, 0);
        assert_eq!(bounds.last().unwrap().1, rows.len());
        for (i, (a, b)) in bounds.iter().enumerate() {
            assert!(a < b, "no empty page");
            assert!(i == 0 || bounds[i - 1].1 == *a, "pages are contiguous");
            assert!(
                *a == 0 || rows[a - 1] != rows[*a],
                "a person is split across pages"
            );
            let people: BTreeSet<i64> = rows[*a..*b].iter().copied().collect();
            let w: usize = rows[*a..*b].iter().map(weight).sum();
            assert!(people.len() <= PEOPLE_PER_PAGE);
            assert!(
                w <= PAGE_WEIGHT || people.len() == 1,
                "{people:?} weigh {w}"
            );
        }
        assert!(
            bounds
                .iter()
                .any(|(a, b)| rows[*a..*b].iter().all(|r| *r == 7)),
            "the heaviest person has a page of their own"
        );
    }

    #[test]
    fn page_urls_are_stable() {
        assert_eq!(page_file("x", "interests", 1), "x/interests/index.html");
        assert_eq!(
            page_file("x", "interests/type/financial", 3),
            "x/interests/type/financial/page/3/index.html"
        );
        let p = pagination("x", "gifts", 2, 3);
        assert_eq!(p["previous"]["href"], "/x/gifts/");
        assert_eq!(p["next"]["href"], "/x/gifts/page/3/");
        assert_eq!(pagination("x", "gifts", 1, 1)["show"], false);
    }

    #[test]
    fn page_numbers_are_few_and_reach_every_page() {
        let some = |v: &[usize]| v.iter().map(|k| Some(*k)).collect::<Vec<_>>();
        assert_eq!(page_numbers(1, 1), some(&[1]));
        assert_eq!(page_numbers(3, 7), some(&[1, 2, 3, 4, 5, 6, 7]));
        // A gap of one page shows the page rather than an ellipsis.
        assert_eq!(page_numbers(5, 9), some(&[1, 2, 3, 4, 5, 6, 7, 8, 9]));
        assert_eq!(
            page_numbers(4, 9),
            vec![
                Some(1),
                Some(2),
                Some(3),
                Some(4),
                Some(5),
                Some(6),
                None,
                Some(9)
            ]
        );
        assert_eq!(
            page_numbers(10, 30),
            vec![
                Some(1),
                None,
                Some(8),
                Some(9),
                Some(10),
                Some(11),
                Some(12),
                None,
                Some(20),
                None,
                Some(30)
            ]
        );
        for total in [1usize, 2, 9, 30, 99, 250, 501, 5000] {
            for n in [
                1,
                2.min(total),
                (total / 2).max(1),
                total.saturating_sub(1).max(1),
                total,
            ] {
                let shown = page_numbers(n, total);
                assert!(shown.len() <= 24, "{n} of {total}: {shown:?}");
                let pages: Vec<usize> = shown.iter().flatten().copied().collect();
                assert!(pages.windows(2).all(|w| w[0] < w[1]), "in order");
                assert_eq!((pages[0], *pages.last().unwrap()), (1, total));
                for k in n.saturating_sub(2).max(1)..=(n + 2).min(total) {
                    assert!(pages.contains(&k), "{k} is near {n} of {total}");
                }
                // Every gap lies between two shown pages.
                assert!(shown.first().unwrap().is_some() && shown.last().unwrap().is_some());
            }
        }
    }
}
