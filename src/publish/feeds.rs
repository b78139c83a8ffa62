//! RSS 2.0 feeds. Every item names its audit entry's `seq` and `entry_sha256`, so each
//! subscriber keeps an independent record of the chain's history.

use super::views::Visible;
use crate::audit::ChainEntry;
use rss::extension::{Extension, ExtensionMap};
use rss::{ChannelBuilder, GuidBuilder, ItemBuilder};
use std::collections::BTreeMap;

/// The namespace of the audit elements in feed items.
pub const AUDIT_NS: &str = "urn:coi-register:audit:1";

/// Which feed: a register, or all changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    Interests,
    Gifts,
    All,
}

impl Feed {
    pub fn file(self) -> &'static str {
        match self {
            Feed::Interests => "interests.xml",
            Feed::Gifts => "gifts.xml",
            Feed::All => "all.xml",
        }
    }
    fn wants(self, entity: &str) -> bool {
        match self {
            Feed::Interests => matches!(entity, "declaration" | "nil_return" | "confirmation"),
            Feed::Gifts => entity == "gift",
            Feed::All => true,
        }
    }
    fn title(self) -> &'static str {
        match self {
            Feed::Interests => "Register of interests",
            Feed::Gifts => "Register of gifts and hospitality",
            Feed::All => "All changes",
        }
    }
}

fn element(name: &str, value: String) -> Extension {
    Extension {
        name: name.into(),
        value: Some(value),
        attrs: BTreeMap::new(),
        children: BTreeMap::new(),
    }
}

fn describe(v: &Visible, e: &ChainEntry, base: &str, org: &str) -> (String, String, String) {
    let h = &e.header;
    let p = e.payload.as_ref().expect("public entries carry payloads");
    let person = p["person"]
        .as_str()
        .and_then(|slug| v.people().find(|x| x.slug == slug));
    let who = person.map(|x| x.fields.name.as_str()).unwrap_or("");
    let verb = match h.action.as_str() {
        "create" => "recorded",
        "amend" => "amended",
        "end" => "ended",
        "release" => "published",
        other => other,
    };
    let (title, link) = match h.entity.as_str() {
        "declaration" => (
            format!(
                "Declaration {} {verb}: {who}, {}",
                h.entity_id,
                p["interest_type"].as_str().unwrap_or("").replace('_', "-")
            ),
            format!(
                "{base}/{org}/interests/{}/",
                p["person"].as_str().unwrap_or("")
            ),
        ),
        "gift" => (
            format!(
                "Gift or hospitality {} {verb}: {who}, from {}",
                h.entity_id,
                p["giver"].as_str().unwrap_or("")
            ),
            format!(
                "{base}/{org}/interests/{}/",
                p["person"].as_str().unwrap_or("")
            ),
        ),
        "nil_return" => (
            format!("Nil return: {who}"),
            format!("{base}/{org}/interests/"),
        ),
        "confirmation" => (
            format!("Entries confirmed: {who}"),
            format!("{base}/{org}/interests/"),
        ),
        "person" => (
            format!("Person {verb}: {}", p["name"].as_str().unwrap_or("")),
            format!("{base}/{org}/interests/"),
        ),
        _ => (format!("Organisation {verb}"), format!("{base}/{org}/")),
    };
    let description = match p.get("description").and_then(|d| d.as_str()) {
        Some(md) => super::markdown::to_html(md),
        None => String::new(),
    };
    (title, link, description)
}

/// Render one feed of an organisation from its recent entries.
pub fn render(v: &Visible, feed: Feed, base: &str) -> String {
    let org = &v.snapshot.org;
    let mut items = Vec::new();
    for e in v
        .snapshot
        .recent
        .iter()
        .filter(|e| feed.wants(&e.header.entity))
    {
        let public = v.entry_is_public(e);
        if !public && feed != Feed::All {
            continue;
        }
        let (title, link, description) = if public {
            describe(v, e, base, &org.slug)
        } else {
            (
                format!("Audit entry {} (content not published)", e.header.seq),
                format!("{base}/{}/audit/", org.slug),
                String::new(),
            )
        };
        let audit_note = format!(
            "<p>Audit entry {} · entry_sha256 {}</p>",
            e.header.seq, e.entry_sha256
        );
        let mut ext: ExtensionMap = BTreeMap::new();
        let mut audit = BTreeMap::new();
        audit.insert(
            "seq".to_owned(),
            vec![element("audit:seq", e.header.seq.to_string())],
        );
        audit.insert(
            "entry_sha256".to_owned(),
            vec![element("audit:entry_sha256", e.entry_sha256.clone())],
        );
        ext.insert("audit".into(), audit);
        let pub_date = chrono::DateTime::parse_from_rfc3339(&e.header.at)
            .map(|d| d.to_rfc2822())
            .ok();
        items.push(
            ItemBuilder::default()
                .title(Some(title))
                .link(Some(link))
                .description(Some(format!("{description}{audit_note}")))
                .guid(Some(
                    GuidBuilder::default()
                        .value(format!(
                            "{base}/{}/audit/chain.jsonl#seq-{}",
                            org.slug, e.header.seq
                        ))
                        .permalink(false)
                        .build(),
                ))
                .pub_date(pub_date)
                .extensions(ext)
                .build(),
        );
    }
    let self_url = format!("{base}/{}/feeds/{}", org.slug, feed.file());
    let mut atom_link = Extension {
        name: "atom:link".into(),
        value: None,
        attrs: BTreeMap::new(),
        children: BTreeMap::new(),
    };
    atom_link.attrs.insert("href".into(), self_url);
    atom_link.attrs.insert("rel".into(), "self".into());
    atom_link
        .attrs
        .insert("type".into(), "application/rss+xml".into());
    let mut channel_ext: ExtensionMap = BTreeMap::new();
    channel_ext.insert(
        "atom".into(),
        BTreeMap::from([("link".to_owned(), vec![atom_link])]),
    );
    // The all-changes feed also carries the latest signed checkpoint, so every
    // subscriber keeps an independent copy of the tree heads.
    if let (Feed::All, Some(cp)) = (feed, &v.snapshot.checkpoint) {
        let note = element("audit:checkpoint", cp.note.clone());
        channel_ext.insert(
            "audit".into(),
            BTreeMap::from([("checkpoint".to_owned(), vec![note])]),
        );
    }
    let last_build = v
        .snapshot
        .recent
        .first()
        .and_then(|e| chrono::DateTime::parse_from_rfc3339(&e.header.at).ok())
        .map(|d| d.to_rfc2822());
    let channel = ChannelBuilder::default()
        .title(format!("{}: {}", org.name, feed.title()))
        .link(format!("{base}/{}/", org.slug))
        .description(format!(
            "{} of {}, with the audit sequence number and hash of each change.",
            feed.title(),
            org.name
        ))
        .language(Some("en-gb".into()))
        .last_build_date(last_build)
        .namespaces(BTreeMap::from([
            ("audit".to_owned(), AUDIT_NS.to_owned()),
            ("atom".to_owned(), "http://www.w3.org/2005/Atom".to_owned()),
        ]))
        .extensions(channel_ext)
        .items(items)
        .build();
    channel.to_string()
}
