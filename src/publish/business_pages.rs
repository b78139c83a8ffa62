//! Committee business on the site: which pages a change touched, and rendering them —
//! the committees with their meetings, the register of procurement decisions and the
//! record of breaches, with their feeds and open data. Pages of records that moved
//! (a committee's slug, a meeting's date, a decision's reference changed) are removed.

use super::business::Ctx;
use super::views::OrgView;
use super::{exports, feeds, PublishError, Publisher, Scope};
use crate::domain::decisions::Decision;
use crate::store::{records, AnyConnection};
use serde_json::json;
use std::collections::BTreeSet;

/// What to render of committee business.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Targets {
    /// The list of committees (and pruning pages of committees that no longer exist).
    pub index: bool,
    /// Committees whose page and feed are rendered.
    pub committees: BTreeSet<i64>,
    /// Meetings whose page is rendered.
    pub meetings: BTreeSet<i64>,
    /// Committees whose pages of meetings that no longer exist are pruned.
    pub prune_meetings: BTreeSet<i64>,
    /// The register of procurement decisions, its feed and open data.
    pub register: bool,
    /// Decisions whose page is rendered.
    pub decisions: BTreeSet<i64>,
    pub breaches: bool,
}

/// What `scope` touches. `changed_items` gives the items a decision was ever taken at
/// (every version), so the meeting that no longer shows it is rendered too.
pub(super) fn targets(
    ctx: &Ctx,
    scope: &Scope,
    mut changed_items: impl FnMut(i64) -> Result<Vec<i64>, PublishError>,
) -> Result<Targets, PublishError> {
    let b = ctx.b;
    let mut t = Targets::default();
    if scope.everything {
        t.index = true;
        t.committees = b.committees.iter().map(|c| c.id).collect();
        t.prune_meetings = t.committees.clone();
        t.meetings = b.meetings.iter().map(|m| m.id).collect();
        t.register = true;
        t.decisions = b.decisions.iter().map(|d| d.id).collect();
        t.breaches = true;
        return Ok(t);
    }
    for &id in &scope.committees {
        if ctx.committee(id).is_some() {
            t.index = true;
            t.committees.insert(id);
            t.prune_meetings.insert(id);
            t.meetings.extend(ctx.meetings_of(id).iter().map(|m| m.id));
        }
    }
    // A person's name, or whether their register page is published, shows on the pages
    // of committees they sit on and of meetings they attended or declared at.
    if !scope.people.is_empty() {
        let people = &scope.people;
        for m in &b.memberships {
            if people.contains(&m.record.member.person_id) {
                t.index = true;
                t.committees.insert(m.record.committee_id);
            }
        }
        for m in &b.meetings {
            let r = &m.record;
            let member_then = ctx.members_of(r.committee_id).iter().any(|ms| {
                people.contains(&ms.record.member.person_id)
                    && ms.record.member.is_active_on(r.held_on)
            });
            let co_opted = r.co_opted.iter().any(|co| people.contains(&co.person_id));
            let declared = ctx.items_of(m.id).iter().any(|i| {
                i.record
                    .conflicts
                    .iter()
                    .any(|cf| people.contains(&cf.person_id))
            });
            if member_then || co_opted || declared {
                t.meetings.insert(m.id);
            }
        }
    }
    if scope.decisions {
        t.register = true;
        // The write path names no decision, but its entry is among the latest.
        let ids: BTreeSet<i64> = ctx
            .v
            .snapshot
            .recent
            .iter()
            .filter(|e| e.header.entity == "decision")
            .filter_map(|e| e.header.entity_id.parse().ok())
            .collect();
        for id in ids {
            if ctx.decision(id).is_some() {
                t.decisions.insert(id);
            }
            for item in changed_items(id)? {
                if let Some(i) = ctx.item(item) {
                    t.meetings.insert(i.record.meeting_id);
                }
            }
        }
    }
    for m in &t.meetings {
        for i in ctx.items_of(*m) {
            t.decisions
                .extend(ctx.decisions_of(i.id).iter().map(|d| d.id));
        }
    }
    t.breaches = scope.breaches;
    Ok(t)
}

impl Publisher {
    /// Render the committee business that `scope` touched.
    pub(super) fn render_business(
        &self,
        conn: &mut AnyConnection,
        ctx: &Ctx,
        scope: &Scope,
        org: &OrgView,
    ) -> Result<(), PublishError> {
        let org_id = ctx.v.snapshot.org.id;
        let t = targets(ctx, scope, |id| {
            Ok(records::history::<Decision>(conn, org_id, id)?
                .into_iter()
                .filter_map(|d| d.record.fields.item_id)
                .collect())
        })?;
        let slug = ctx.org();
        let base = &self.base_url;
        let feed = |file: &str, title: &str| json!({"href": format!("/{slug}/feeds/{file}"), "title": format!("{} – {title}", org.name)});
        let crumb_home = json!({"href": "/", "label": "Home"});
        let crumb_org = json!({"href": format!("/{slug}/"), "label": org.name});
        let crumb_committees =
            json!({"href": format!("/{slug}/committees/"), "label": "Committees"});
        let crumb_decisions =
            json!({"href": format!("/{slug}/decisions/"), "label": "Procurement decisions"});

        if t.index {
            let rows = ctx.committee_rows();
            let feeds: Vec<_> = ctx
                .b
                .committees
                .iter()
                .map(|c| feed(&format!("committees/{}.xml", c.record.slug), &c.record.name))
                .collect();
            let page = json!({
                "title": "Committees", "org": org, "crumbs": [crumb_home, crumb_org], "feeds": feeds,
                "committees": rows,
            });
            self.write(
                &format!("{slug}/committees/index.html"),
                &self.render("committees", &page)?,
            )?;
            let slugs: BTreeSet<&str> = ctx
                .b
                .committees
                .iter()
                .map(|c| c.record.slug.as_str())
                .collect();
            for dir in self.list(&format!("{slug}/committees"), true)? {
                if !slugs.contains(dir.as_str()) {
                    self.remove_dir(&format!("{slug}/committees/{dir}"))?;
                }
            }
            for file in self.list(&format!("{slug}/feeds/committees"), false)? {
                let stem = file.strip_suffix(".xml").unwrap_or(&file);
                if !slugs.contains(stem) {
                    self.remove_file(&format!("{slug}/feeds/committees/{file}"))?;
                }
            }
        }

        // Pages are rendered and written in parallel; feeds, which read the database,
        // on this thread.
        let committees: Vec<_> = t
            .committees
            .iter()
            .filter_map(|id| ctx.committee(*id))
            .collect();
        self.each_parallel(&committees, |c| {
            let file = format!("committees/{}.xml", c.record.slug);
            let page = json!({
                "title": c.record.name, "org": org,
                "crumbs": [crumb_home, crumb_org, crumb_committees],
                "feeds": [feed(&file, &c.record.name), feed("decisions.xml", "register of procurement decisions")],
                "committee": ctx.committee_view(c),
            });
            self.write(
                &format!("{slug}/committees/{}/index.html", c.record.slug),
                &self.render("committee", &page)?,
            )
        })?;
        for c in committees {
            self.write(
                &format!("{slug}/feeds/committees/{}.xml", c.record.slug),
                feeds::publish(conn, ctx, feeds::Feed::Committee(c), base)?.as_bytes(),
            )?;
        }

        let meetings: Vec<i64> = t.meetings.iter().copied().collect();
        self.each_parallel(&meetings, |id| {
            let Some(m) = ctx.meeting(*id) else {
                return Ok(());
            };
            let Some(c) = ctx.committee(m.record.committee_id) else {
                return Ok(());
            };
            let Some(view) = ctx.meeting_view(m) else {
                return Ok(());
            };
            let crumb_committee =
                json!({"href": ctx.committee_href(&c.record), "label": c.record.name});
            let page = json!({
                "title": format!("{}, {}", c.record.name, view.date), "org": org,
                "crumbs": [crumb_home, crumb_org, crumb_committees, crumb_committee],
                "feeds": [feed(&format!("committees/{}.xml", c.record.slug), &c.record.name)],
                "meeting": view,
            });
            self.write(
                &format!(
                    "{slug}/committees/{}/meetings/{}/index.html",
                    c.record.slug, m.record.held_on
                ),
                &self.render("meeting", &page)?,
            )
        })?;

        for id in &t.prune_meetings {
            let Some(c) = ctx.committee(*id) else {
                continue;
            };
            let dates: BTreeSet<String> = ctx
                .meetings_of(*id)
                .iter()
                .map(|m| m.record.held_on.to_string())
                .collect();
            let dir = format!("{slug}/committees/{}/meetings", c.record.slug);
            for date in self.list(&dir, true)? {
                if !dates.contains(&date) {
                    self.remove_dir(&format!("{dir}/{date}"))?;
                }
            }
        }

        if t.register {
            // Paged, most recent first: a new decision changes every page, but decisions
            // are added a few a week, not a few a second.
            let rows = ctx.decision_rows();
            let chunks: Vec<&[_]> = if rows.is_empty() {
                vec![&rows[..]]
            } else {
                rows.chunks(super::registers::ROWS_PER_PAGE).collect()
            };
            let total = chunks.len();
            let numbered: Vec<(usize, &[_])> = chunks.into_iter().enumerate().collect();
            self.each_parallel(&numbered, |&(i, chunk)| {
                let n = i + 1;
                let mut crumbs = vec![crumb_home.clone(), crumb_org.clone()];
                if n > 1 {
                    crumbs.push(crumb_decisions.clone());
                }
                let page = json!({
                    "title": if n == 1 { "Register of procurement decisions".to_owned() } else { format!("Register of procurement decisions, page {n} of {total}") },
                    "org": org, "crumbs": crumbs,
                    "feeds": [feed("decisions.xml", "register of procurement decisions")],
                    "decisions": chunk,
                    "pagination": super::registers::pagination(slug, "decisions", n, total),
                });
                self.write(
                    &super::registers::page_file(slug, "decisions", n),
                    &self.render("decisions", &page)?,
                )
            })?;
            for dir in self.list(&format!("{slug}/decisions/page"), true)? {
                if dir.parse::<usize>().map_or(true, |k| k > total || k < 2) {
                    self.remove_dir(&format!("{slug}/decisions/page/{dir}"))?;
                }
            }
            self.write_data(
                slug,
                ctx.v,
                "decisions",
                &exports::DECISION_COLUMNS,
                exports::decisions_records(ctx, base).into_iter(),
            )?;
            self.write(
                &format!("{slug}/feeds/decisions.xml"),
                feeds::publish(conn, ctx, feeds::Feed::Decisions, base)?.as_bytes(),
            )?;
            let refs: BTreeSet<String> = ctx
                .b
                .decisions
                .iter()
                .map(|d| d.record.fields.url_ref())
                .collect();
            for dir in self.list(&format!("{slug}/decisions"), true)? {
                if !refs.contains(&dir) && dir != "page" {
                    self.remove_dir(&format!("{slug}/decisions/{dir}"))?;
                }
            }
        }

        let decisions: Vec<i64> = t.decisions.iter().copied().collect();
        self.each_parallel(&decisions, |id| {
            let Some(d) = ctx.decision(*id) else {
                return Ok(());
            };
            let page = json!({
                "title": format!("{}: {}", d.record.fields.reference, d.record.fields.title), "org": org,
                "crumbs": [crumb_home, crumb_org, crumb_decisions],
                "feeds": [feed("decisions.xml", "register of procurement decisions")],
                "decision": ctx.decision_view(d),
            });
            self.write(
                &format!("{slug}/decisions/{}/index.html", d.record.fields.url_ref()),
                &self.render("decision", &page)?,
            )
        })?;

        if t.breaches {
            let page = json!({
                "title": "Breaches of the conflicts of interest policy", "org": org,
                "crumbs": [crumb_home, crumb_org],
                "feeds": [feed("all.xml", "all changes")],
                "breaches": ctx.breach_rows(),
            });
            self.write(
                &format!("{slug}/breaches/index.html"),
                &self.render("breaches", &page)?,
            )?;
            self.write_breaches_data(slug, ctx)?;
        }
        Ok(())
    }
}

impl Publisher {
    /// Write `/<org>/data/breaches.csv` and `.json` (with the breaches page, and in the
    /// coalesced pass of the bulk open data files).
    pub(super) fn write_breaches_data(&self, slug: &str, ctx: &Ctx) -> Result<(), PublishError> {
        let records = exports::breaches_records(ctx);
        self.write(
            &format!("{slug}/data/breaches.csv"),
            &exports::to_csv(&exports::BREACH_COLUMNS, &records),
        )?;
        self.write(
            &format!("{slug}/data/breaches.json"),
            &exports::to_json(ctx.v, "breaches", records),
        )
    }
}
