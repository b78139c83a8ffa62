//! Editions on the public site: freezing the registers as at a date (the files kept in
//! the database, bound to a signed checkpoint of the chain's first N entries), and
//! publishing every edition, its manifest and the list of editions into each generation.

use super::views::{self, Visible};
use super::{business, changes, exports, PublishError, Publisher};
use crate::audit::checkpoint::{sign_checkpoint, Checkpoint};
use crate::domain::editions::{EditionKind, EditionRequest};
use crate::store::editions::{self, Edition, File};
use crate::store::orgs::{self, Org};
use crate::store::snapshot::Snapshot;
use crate::store::{audit, checkpoints, AnyConnection, Committed, StoreError};
use chrono::NaiveDate;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The file of an edition that lists every other file's SHA-256 and its checkpoint.
pub const MANIFEST: &str = "manifest.json";
/// The signed checkpoint an edition is bound to, as a file of its own for the verifiers.
pub const CHECKPOINT: &str = "checkpoint";
/// The registers as one printable page.
const REGISTERS_PAGE: &str = "registers.html";
/// What [`REGISTERS_PAGE`] was rendered from, kept (not published: its path starts with a
/// dot) so that a redaction can render the page again without the entry withheld.
const PAGE_DATA: &str = ".registers-page.json";

impl Publisher {
    /// The files of the registers as at the end of `as_at`: the interests, gifts and
    /// decisions registers as one printable page and as CSV and JSON, rendered with the
    /// site's own templates and CSV writers from the registers as they then stood, rebuilt
    /// from the chain alone ([`super::as_at::as_at`], today's withholdings applied).
    pub fn edition_files(
        &self,
        c: &mut AnyConnection,
        slug: &str,
        as_at: NaiveDate,
    ) -> Result<Vec<File>, PublishError> {
        let org = orgs::by_slug(c, slug)?;
        let chain = audit::range(c, org.id, 1, org.chain_seq, org.chain_seq.max(1))?;
        let then = super::as_at::as_at(&org, &chain, as_at)
            .map_err(|e| StoreError::Corrupt(format!("the chain of {slug}: {e}")))?;
        self.registers_as_at(&then.snapshot, as_at)
    }

    fn registers_as_at(&self, s: &Snapshot, as_at: NaiveDate) -> Result<Vec<File>, PublishError> {
        let v = Visible::new(s, as_at);
        let ctx = business::Ctx::new(&v);
        let day = as_at.format("%Y-%m-%d").to_string();
        let doc = |register: &str| json!({"organisation": {"slug": s.org.slug, "name": s.org.name}, "register": register, "as_at": day});
        let mut files = Vec::new();
        files.extend(data_files(
            doc("interests"),
            exports::interests_records(&v),
        )?);
        files.extend(data_files(doc("gifts"), exports::gifts_records(&v))?);
        files.extend(data_files(
            doc("decisions"),
            exports::decisions_records(&ctx, &self.base_url),
        )?);
        let mut org = serde_json::to_value(views::org_view(s)).expect("views serialise");
        org["updated"] = json!(format!("as at {}", views::long_date(as_at)));
        let slug = &s.org.slug;
        let page = json!({
            "title": format!("Registers as at {}", views::long_date(as_at)), "org": org,
            "crumbs": [{"href": "/", "label": "Home"}, {"href": format!("/{slug}/"), "label": s.org.name},
                       {"href": format!("/{slug}/editions/"), "label": "Editions"},
                       {"href": format!("/{slug}/editions/{day}/"), "label": views::long_date(as_at)}],
            "feeds": [], "as_at": views::long_date(as_at),
            "interests": {"caption": "Register of interests", "show_person": true, "org_slug": slug,
                          "rows": views::declaration_rows(&v, None)},
            "gifts": {"caption": "Register of gifts and hospitality", "show_person": true, "org_slug": slug,
                      "rows": views::gift_rows(&v, None)},
        });
        files.push(self.registers_page(&page)?);
        files.push(File {
            path: PAGE_DATA.into(),
            content: serde_json::to_string(&page).expect("JSON values serialise"),
        });
        Ok(files)
    }

    /// The printable page of an edition's registers.
    fn registers_page(&self, page: &Value) -> Result<File, PublishError> {
        let bytes = self.render("edition-registers", page)?;
        let content = String::from_utf8(bytes)
            .map_err(|_| PublishError::Render("edition-registers".into(), "not UTF-8".into()))?;
        Ok(File {
            path: REGISTERS_PAGE.into(),
            content,
        })
    }

    /// An edition's files as published now: as frozen, less any declaration or gift
    /// withheld since (to protect someone), with a redaction listed for each.
    fn redacted(
        &self,
        frozen: Vec<File>,
        withheld: &Withheld,
    ) -> Result<(Vec<File>, Vec<Value>), PublishError> {
        let mut redactions = Vec::new();
        let mut gone: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
        let mut files: BTreeMap<String, String> =
            frozen.into_iter().map(|f| (f.path, f.content)).collect();
        for (register, ids) in [
            ("interests", &withheld.declarations),
            ("gifts", &withheld.gifts),
        ] {
            let path = format!("data/{register}.json");
            let Some(text) = files.get(&path) else {
                continue;
            };
            let doc: Value = serde_json::from_str(text)
                .map_err(|e| PublishError::Render(path.clone(), e.to_string()))?;
            let records = doc["records"].as_array().cloned().unwrap_or_default();
            let (out, kept): (Vec<Value>, Vec<Value>) = records
                .into_iter()
                .partition(|r| r["id"].as_i64().is_some_and(|id| ids.contains_key(&id)));
            if out.is_empty() {
                continue;
            }
            for r in &out {
                let id = r["id"].as_i64().expect("partitioned on it");
                redactions.push(json!({"seq": r["audit_seq"], "redacted_on": ids[&id]}));
                gone.entry(register).or_default().insert(id);
            }
            for f in data_files(doc, kept)? {
                files.insert(f.path, f.content);
            }
        }
        if !gone.is_empty() {
            if let Some(text) = files.get(PAGE_DATA) {
                let mut page: Value = serde_json::from_str(text)
                    .map_err(|e| PublishError::Render(PAGE_DATA.into(), e.to_string()))?;
                for (rows, ids) in &gone {
                    if let Some(list) = page[*rows]["rows"].as_array_mut() {
                        list.retain(|r| !r["id"].as_i64().is_some_and(|id| ids.contains(&id)));
                    }
                }
                let page_file = self.registers_page(&page)?;
                files.insert(page_file.path, page_file.content);
            }
        }
        let files = files
            .into_iter()
            .map(|(path, content)| File { path, content })
            .collect();
        Ok((files, redactions))
    }

    /// Publish an edition of organisation `org` as `actor`: freeze its files, record it
    /// (with its audit entry) and sign a checkpoint of the entries it is derived from.
    pub fn create_edition(
        &self,
        c: &mut AnyConnection,
        org: &Org,
        actor: &str,
        request: EditionRequest,
    ) -> Result<Committed<Edition>, StoreError> {
        let files = self.edition_files(c, &org.slug, request.as_at)?;
        let committed = editions::create(c, org.id, actor, request, files)?;
        let e = &committed.value;
        self.sign_at(c, org, e.tree_size, &e.root)?;
        Ok(committed)
    }

    /// Keep a signed checkpoint of the first `size` entries, if there is none yet.
    fn sign_at(
        &self,
        c: &mut AnyConnection,
        org: &Org,
        size: i64,
        root: &str,
    ) -> Result<(), StoreError> {
        let Some(signer) = &self.signer else {
            return Ok(());
        };
        if checkpoints::at(c, org.id, size)?.is_some() {
            return Ok(());
        }
        let bytes: [u8; 32] = hex::decode(root)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("edition root {root:?}")))?;
        let note = sign_checkpoint(
            signer,
            &Checkpoint {
                origin: super::checkpoints::origin(signer.name(), &org.slug),
                size: size as u64,
                root: bytes,
            },
        );
        checkpoints::insert(c, org.id, size, root, &note)
    }

    /// Whether the editions must be written again: on a full publish or a new edition,
    /// or when a change since they were last written hides or shows again what earlier
    /// entries showed (a withholding redacts editions, a release restores them). Any
    /// other write leaves them, and the pages between them, as they are, so a write costs
    /// the same however many editions there are.
    pub(super) fn editions_stale(
        &self,
        c: &mut AnyConnection,
        v: &views::Visible,
        scope: &super::Scope,
    ) -> Result<bool, PublishError> {
        let s = v.snapshot;
        let head = s.org.chain_seq;
        let key = format!("{}/editions#seq", s.org.slug);
        let done = self
            .memo
            .lock()
            .expect("not poisoned")
            .insert(key, head as u64);
        let stale = match done {
            Some(done) if !scope.everything && !scope.editions => {
                let done = done as i64;
                let new = if done < head {
                    crate::store::audit::range(c, s.org.id, done + 1, head, head - done)?
                } else {
                    vec![]
                };
                new.len() as i64 != head - done || self.changes_history(c, v, &new)?
            }
            _ => true,
        };
        Ok(stale)
    }

    /// Write every edition of the organisation, its manifest and checkpoint, and the page
    /// that lists them.
    pub(super) fn render_editions(
        &self,
        c: &mut AnyConnection,
        ctx: &business::Ctx,
        org: &views::OrgView,
    ) -> Result<(), PublishError> {
        let s = ctx.v.snapshot;
        let slug = &s.org.slug;
        let crumbs = vec![
            json!({"href": "/", "label": "Home"}),
            json!({"href": format!("/{slug}/"), "label": s.org.name}),
        ];
        let withheld = Withheld::now(s);
        let mut listed = Vec::new();
        let all = editions::all(c, s.org.id)?;
        for (i, e) in all.iter().enumerate() {
            let earlier = &all[i + 1..];
            self.render_changes_since(c, ctx, org, e, earlier)?;
            let frozen = editions::files(c, s.org.id, &e.as_at)?;
            let (files, redactions) = self.redacted(frozen, &withheld)?;
            let files: Vec<File> = files
                .into_iter()
                .filter(|f| !f.path.starts_with('.'))
                .collect();
            let note = checkpoints::at(c, s.org.id, e.tree_size)?.map(|k| k.note);
            let manifest = manifest(&s.org.slug, e, &files, note.as_deref(), redactions);
            let dir = format!("{slug}/editions/{}", e.as_at);
            for f in &files {
                self.write(&format!("{dir}/{}", f.path), f.content.as_bytes())?;
            }
            let mut manifest_bytes =
                serde_json::to_vec_pretty(&manifest).expect("JSON values serialise");
            manifest_bytes.push(b'\n');
            self.write(&format!("{dir}/{MANIFEST}"), &manifest_bytes)?;
            if let Some(note) = &note {
                self.write(&format!("{dir}/{CHECKPOINT}"), note.as_bytes())?;
            }
            let date = long_date(&e.as_at);
            let mut page_crumbs = crumbs.clone();
            page_crumbs.push(json!({"href": format!("/{slug}/editions/"), "label": "Editions"}));
            let page = json!({
                "title": format!("Edition as at {date}"), "org": org, "crumbs": page_crumbs, "feeds": [],
                "edition": e, "date": date, "manifest": manifest, "published_on": long_date(e.created_at.get(..10).unwrap_or_default()), "year_end": e.kind == EditionKind::YearEnd.as_str(),
                "since": earlier.iter().map(|b| json!({"as_at": b.as_at, "date": long_date(&b.as_at)})).collect::<Vec<_>>(),
            });
            self.write(
                &format!("{dir}/index.html"),
                &self.render("edition", &page)?,
            )?;
            listed.push(json!({"as_at": e.as_at, "date": date, "year_end": e.kind == EditionKind::YearEnd.as_str(),
                               "tree_size": e.tree_size, "published": long_date(e.created_at.get(..10).unwrap_or_default())}));
        }
        let page = json!({"title": "Editions", "org": org, "crumbs": crumbs, "feeds": [], "editions": listed});
        self.write(
            &format!("{slug}/editions/index.html"),
            &self.render("editions", &page)?,
        )
    }
}

impl Publisher {
    /// Write `/<org>/editions/<a>/changes-since/<b>/` for edition `a` and each `earlier`
    /// edition `b`: the published changes between the entries they are bound to, as the
    /// public may see them now (so a withholding since either edition applies).
    fn render_changes_since(
        &self,
        c: &mut AnyConnection,
        ctx: &business::Ctx,
        org: &views::OrgView,
        a: &Edition,
        earlier: &[Edition],
    ) -> Result<(), PublishError> {
        let slug = &ctx.v.snapshot.org.slug;
        let date = long_date(&a.as_at);
        let edition = json!({"as_at": a.as_at, "date": date, "tree_size": a.tree_size});
        for b in earlier {
            let list = changes::between(c, ctx, b.tree_size, a.tree_size)?;
            let since_date = long_date(&b.as_at);
            let page = json!({
                "title": format!("Changes between the editions of {since_date} and {date}"),
                "org": org, "feeds": [], "edition": edition, "changes": list,
                "since": {"as_at": b.as_at, "date": since_date, "tree_size": b.tree_size},
                "crumbs": [{"href": "/", "label": "Home"}, {"href": format!("/{slug}/"), "label": org.name},
                           {"href": format!("/{slug}/editions/"), "label": "Editions"},
                           {"href": format!("/{slug}/editions/{}/", a.as_at), "label": date}],
            });
            self.write(
                &format!(
                    "{slug}/editions/{}/changes-since/{}/index.html",
                    a.as_at, b.as_at
                ),
                &self.render("edition-changes", &page)?,
            )?;
        }
        Ok(())
    }
}

fn long_date(iso: &str) -> String {
    NaiveDate::parse_from_str(iso, "%Y-%m-%d")
        .map(views::long_date)
        .unwrap_or_else(|_| iso.to_owned())
}

/// An edition's manifest: what it is, the checkpoint it is bound to, the auditor's
/// statement (year end), and each file's SHA-256.
pub fn manifest(
    org: &str,
    e: &Edition,
    files: &[File],
    note: Option<&str>,
    redactions: Vec<Value>,
) -> Value {
    let statement = NaiveDate::parse_from_str(&e.as_at, "%Y-%m-%d")
        .ok()
        .zip(EditionKind::parse(&e.kind))
        .and_then(|(as_at, kind)| EditionRequest { as_at, kind }.statement(e.tree_size, &e.root));
    json!({
        "organisation": org,
        "as_at": e.as_at,
        "kind": e.kind,
        "published_at": e.created_at,
        "audit_seq": e.audit_seq,
        "checkpoint": {"tree_size": e.tree_size, "root": e.root, "note": note},
        "statement": statement,
        "files": files.iter().map(|f| json!({"path": f.path, "sha256": f.sha256()})).collect::<Vec<_>>(),
        "redactions": redactions,
    })
}

/// A register's records as its CSV and JSON files, written by the site's own writers;
/// `doc` is the JSON document without its records.
fn data_files(mut doc: Value, records: Vec<Value>) -> Result<[File; 2], PublishError> {
    let register = doc["register"].as_str().unwrap_or_default().to_owned();
    let columns: &[&str] = match register.as_str() {
        "interests" => &exports::INTEREST_COLUMNS,
        "gifts" => &exports::GIFT_COLUMNS,
        _ => &exports::DECISION_COLUMNS,
    };
    let csv = exports::to_csv(columns, &records);
    doc["records"] = Value::Array(records);
    let json = serde_json::to_string_pretty(&doc).expect("JSON values serialise") + "\n";
    let csv = String::from_utf8(csv)
        .map_err(|_| PublishError::Render(format!("{register}.csv"), "not UTF-8".into()))?;
    Ok([
        File {
            path: format!("data/{register}.csv"),
            content: csv,
        },
        File {
            path: format!("data/{register}.json"),
            content: json,
        },
    ])
}

/// The declarations and gifts withheld now, each with the day it was withheld.
struct Withheld {
    declarations: BTreeMap<i64, String>,
    gifts: BTreeMap<i64, String>,
}

impl Withheld {
    fn now(s: &Snapshot) -> Withheld {
        let day = |at: &str| at.get(..10).unwrap_or(at).to_owned();
        Withheld {
            declarations: s
                .declarations
                .iter()
                .filter(|d| d.entry.standing.withheld_reason.is_some())
                .map(|d| (d.entry.id, day(&d.recorded_at)))
                .collect(),
            gifts: s
                .gifts
                .iter()
                .filter(|g| g.entry.standing.withheld_reason.is_some())
                .map(|g| (g.entry.id, day(&g.recorded_at)))
                .collect(),
        }
    }
}
