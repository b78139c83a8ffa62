//! RSS 2.0 feeds. Every item names its audit entry's `seq` and `entry_sha256`, so each
//! subscriber keeps an independent record of the chain's history.

mod business;

use super::business::Ctx;
use super::changes::Change;
use super::views::Visible;
use crate::audit::ChainEntry;
use crate::domain::committees::Committee;
use crate::store::records::Stored;
use crate::store::snapshot::RECENT;
use crate::store::{audit, AnyConnection, StoreError};
use rss::extension::{Extension, ExtensionMap};
use rss::{ChannelBuilder, GuidBuilder, ItemBuilder};
use std::collections::BTreeMap;

/// The namespace of the audit elements in feed items.
pub const AUDIT_NS: &str = "urn:coi-register:audit:1";

/// Which feed: a register, one committee's business, or all changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed<'a> {
    Interests,
    Gifts,
    /// The register of procurement decisions.
    Decisions,
    /// The register of GP earnings.
    GpEarnings,
    /// One committee: its terms, membership, meetings, items (conflicts, outcomes) and
    /// the procurement decisions taken at them, for observers.
    Committee(&'a Stored<Committee>),
    All,
}

impl Feed<'_> {
    /// The feed's path under `/<org>/feeds/`.
    pub fn file(self) -> String {
        match self {
            Feed::Interests => "interests.xml".into(),
            Feed::Gifts => "gifts.xml".into(),
            Feed::Decisions => "decisions.xml".into(),
            Feed::GpEarnings => "gp-earnings.xml".into(),
            Feed::Committee(c) => format!("committees/{}.xml", c.record.slug),
            Feed::All => "all.xml".into(),
        }
    }
    fn wants(self, ctx: &Ctx, e: &ChainEntry) -> bool {
        let entity = e.header.entity.as_str();
        match self {
            Feed::Interests => matches!(entity, "declaration" | "nil_return" | "confirmation"),
            Feed::Gifts => entity == "gift",
            Feed::Decisions => entity == "decision",
            Feed::GpEarnings => entity == "gp_earnings",
            Feed::Committee(c) => {
                e.header
                    .entity_id
                    .parse()
                    .ok()
                    .and_then(|id| ctx.index.committee_of(entity, id))
                    == Some(c.id)
            }
            Feed::All => true,
        }
    }
    fn title(self) -> String {
        match self {
            Feed::Interests => "Register of interests".into(),
            Feed::Gifts => "Register of gifts and hospitality".into(),
            Feed::Decisions => "Register of procurement decisions".into(),
            Feed::GpEarnings => "Register of GP earnings".into(),
            Feed::Committee(c) => c.record.name.clone(),
            Feed::All => "All changes".into(),
        }
    }
}

/// Every feed field but an item's description, as plain text: anything that would open a
/// tag (`<` then a letter, `/`, `!` or `?`) is taken out up to its `>`, repeatedly, so no
/// markup survives however a reader shows the field. Many readers render titles and
/// channel fields as HTML after decoding the XML once; escaping for XML alone (which the
/// rss crate does) would hand them live markup. Stripping, rather than entity-encoding
/// `<`, keeps ordinary text (`&`, `<3`, `a < b`) the same for readers that show fields as
/// text. Item descriptions are HTML on purpose: they are built from escaped text and
/// markdown sanitised by [`super::markdown::to_html`].
pub fn plain(text: &str) -> String {
    let opens_tag = |rest: &str| {
        let mut cs = rest.chars();
        cs.next() == Some('<')
            && cs
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
    };
    let mut out = text.to_owned();
    // Taking a tag out can join a `<` before it to a letter after it: go again until none opens.
    while let Some(at) = out
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| opens_tag(&out[i..]))
    {
        let end = out[at..].find('>').map_or(out.len(), |e| at + e + 1);
        out.replace_range(at..end, "");
    }
    out
}

fn element(name: &str, value: String) -> Extension {
    Extension {
        name: name.into(),
        value: Some(plain(&value)),
        attrs: BTreeMap::new(),
        children: BTreeMap::new(),
    }
}

/// Title, absolute link and HTML description of a public entry. An entry that changed a
/// record published before it says which fields changed in its title, and shows them old
/// → new, the changed words marked, as its description.
fn describe(
    ctx: &Ctx,
    e: &ChainEntry,
    change: Option<&Change>,
    base: &str,
    org: &str,
) -> (String, String, String) {
    let (title, link, description) = describe_entry(ctx, e, base, org);
    match change {
        Some(change) if !change.fields.is_empty() => (
            format!("{title} (changed: {})", change.changed_fields()),
            link,
            change.feed_html(),
        ),
        _ => (title, link, description),
    }
}

fn describe_entry(ctx: &Ctx, e: &ChainEntry, base: &str, org: &str) -> (String, String, String) {
    let v = ctx.v;
    let h = &e.header;
    let p = e.payload.as_ref().expect("public entries carry payloads");
    if let Some(described) = business::describe(ctx, e, p, base) {
        return described;
    }
    let person = p["person"]
        .as_str()
        .and_then(|slug| v.people().find(|x| x.slug == slug));
    let who = person.map(|x| x.fields.name.as_str()).unwrap_or("");
    let verb = verb(&h.action);
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

/// The past participle of an entry's action, for titles.
fn verb(action: &str) -> &str {
    match action {
        "create" => "recorded",
        "amend" => "amended",
        "end" => "ended",
        "release" => "published",
        "withhold" => "withheld",
        "withdraw" => "withdrawn",
        "accept" => "accepted",
        "return" => "returned for changes",
        "outcome" => "updated",
        "retire" => "retired",
        "merge" => "merged into another record",
        "reassign" => "moved to the person's other record",
        other => other,
    }
}

/// The entries a feed carries, newest first: the latest [`RECENT`] about its register's
/// records (or its committee's), read in the snapshot's transaction; for all changes,
/// the snapshot's latest entries of the chain.
pub fn entries(
    c: &mut AnyConnection,
    ctx: &Ctx,
    feed: Feed,
) -> Result<Vec<ChainEntry>, StoreError> {
    let org_id = ctx.v.snapshot.org.id;
    let ids = |v: Vec<i64>| v.into_iter().map(|id| id.to_string()).collect::<Vec<_>>();
    let kinds: Vec<(&str, Option<Vec<String>>)> = match feed {
        Feed::All => return Ok(ctx.v.snapshot.recent.clone()),
        Feed::Interests => vec![
            ("declaration", None),
            ("nil_return", None),
            ("confirmation", None),
        ],
        Feed::Gifts => vec![("gift", None)],
        Feed::Decisions => vec![("decision", None)],
        Feed::GpEarnings => vec![("gp_earnings", None)],
        Feed::Committee(committee) => {
            let meetings: Vec<i64> = ctx.meetings_of(committee.id).iter().map(|m| m.id).collect();
            let items: Vec<i64> = meetings
                .iter()
                .flat_map(|m| ctx.items_of(*m).iter().map(|i| i.id))
                .collect();
            let decisions: Vec<i64> = items
                .iter()
                .flat_map(|i| ctx.decisions_of(*i).iter().map(|d| d.id))
                .collect();
            vec![
                ("committee", Some(ids(vec![committee.id]))),
                (
                    "membership",
                    Some(ids(ctx
                        .members_of(committee.id)
                        .iter()
                        .map(|m| m.id)
                        .collect())),
                ),
                ("meeting", Some(ids(meetings))),
                ("item", Some(ids(items))),
                ("decision", Some(ids(decisions))),
            ]
        }
    };
    let mut out = Vec::new();
    for (entity, ids) in kinds {
        out.extend(audit::latest_about(
            c,
            org_id,
            entity,
            ids.as_deref(),
            RECENT,
        )?);
    }
    out.sort_by_key(|e| std::cmp::Reverse(e.header.seq));
    out.truncate(RECENT as usize);
    Ok(out)
}

/// One feed of an organisation, read in the snapshot's transaction: its [`entries`] and the
/// changes those made to records published before them.
pub fn publish(
    c: &mut AnyConnection,
    ctx: &Ctx,
    feed: Feed,
    base: &str,
) -> Result<String, StoreError> {
    let entries = entries(c, ctx, feed)?;
    let changes = super::changes::for_feed(c, ctx, &entries)?;
    Ok(render(ctx, feed, &entries, &changes, base))
}

/// Render one feed of an organisation from `entries` (newest first; see [`entries`]) and
/// the changes they made, by `seq` (see [`super::changes::for_feed`]).
pub fn render(
    ctx: &Ctx,
    feed: Feed,
    entries: &[ChainEntry],
    changes: &BTreeMap<i64, Change>,
    base: &str,
) -> String {
    let v: &Visible = ctx.v;
    let org = &v.snapshot.org;
    let mut items = Vec::new();
    // When the feed's content last changed: its newest item's entry (so a feed reads the
    // same whether or not it was rendered again after changes it does not carry).
    let mut newest: Option<&str> = None;
    for e in entries.iter().filter(|e| feed.wants(ctx, e)) {
        let public = v.entry_is_public(e);
        if !public && feed != Feed::All {
            continue;
        }
        newest.get_or_insert(e.header.at.as_str());
        let (title, link, description) = if public {
            describe(ctx, e, changes.get(&e.header.seq), base, &org.slug)
        } else if e.header.entity == "breach" {
            // Its content names the person concerned; the record of breaches shows it anonymised.
            (
                format!(
                    "Breach of the conflicts policy {} (see the record of breaches; this entry's content is not published)",
                    verb(&e.header.action)
                ),
                format!("{base}/{}/breaches/", org.slug),
                String::new(),
            )
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
                .title(Some(plain(&title)))
                .link(Some(plain(&link)))
                .description(Some(format!("{description}{audit_note}")))
                .guid(Some(
                    GuidBuilder::default()
                        .value(plain(&format!(
                            "{base}/{}/audit/chain.jsonl#seq-{}",
                            org.slug, e.header.seq
                        )))
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
    let last_build = newest
        .and_then(|at| chrono::DateTime::parse_from_rfc3339(at).ok())
        .map(|d| d.to_rfc2822());
    let channel = ChannelBuilder::default()
        .title(plain(&format!("{}: {}", org.name, feed.title())))
        .link(plain(&format!("{base}/{}/", org.slug)))
        .description(plain(&format!(
            "{} of {}, with the audit sequence number and hash of each change.",
            feed.title(),
            org.name
        )))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::decisions::Decision;
    use crate::publish::business::tests::business;
    use crate::publish::views::fixture;
    use serde_json::{json, Value};

    fn item_payload(conflicts: Value, outcome: Value) -> Value {
        let mut p = json!({"meeting_id": 7, "number": "5", "title": "Extended access", "description": "",
                           "conflicts": conflicts, "id": 9, "version": 1});
        for (k, v) in outcome.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    }

    #[test]
    fn plain_text_fields_carry_no_tag() {
        assert_eq!(
            plain("Committee recorded: <img src=x onerror=alert(1)>"),
            "Committee recorded: "
        );
        assert_eq!(plain("<b>Bold</b> & <i>italic"), "Bold & italic");
        assert_eq!(
            plain("<<b>img src=x onerror=alert(1)>x"),
            "x",
            "a tag joined up by stripping another"
        );
        assert_eq!(plain("a <!-- c --> b </x> <?php ?>"), "a  b  ");
        for text in [
            "Smith & Jones",
            "a < b, b > a",
            "<3",
            "&lt;img src=x&gt;",
            "£5 <= £6",
            "Élan < Ñ",
        ] {
            assert_eq!(plain(text), text, "{text} is plain text already");
        }
    }

    #[test]
    fn names_with_markup_reach_no_title_or_channel_field() {
        let mut b = business();
        b.committees[1].record.name = "<img src=x onerror=alert(1)>PCCC".into();
        let recent = vec![fixture::entry(
            1,
            "create",
            "committee",
            b.committees[1].id,
            json!({"slug": "pccc", "name": "<script>alert(1)</script>", "terms_of_reference": "",
                   "quorum": {"minimum": 1, "required": []}}),
        )];
        let s = fixture::snapshot(b, recent);
        let v = Visible::new(&s, chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
        let ctx = Ctx::new(&v);
        let ch = channel(&render(
            &ctx,
            Feed::Committee(&s.business.committees[1]),
            &s.recent,
            &BTreeMap::new(),
            "https://r.example",
        ));
        assert_eq!(ch.title(), "NHS Test CCG: PCCC");
        assert!(!ch.description().contains('<'), "{}", ch.description());
        assert_eq!(ch.items()[0].title(), Some("Committee recorded: alert(1)"));
    }

    fn channel(xml: &str) -> rss::Channel {
        rss::Channel::read_from(xml.as_bytes()).expect("the feed parses")
    }

    #[test]
    fn a_committee_feed_carries_its_own_business_with_audit_elements() {
        let conflict = json!([{"person_id": 1, "declaration_id": null, "nature": "Partner at a bidding practice", "decision": "left_room"}]);
        let recent = vec![
            fixture::entry(
                4,
                "outcome",
                "item",
                9,
                item_payload(
                    conflict.clone(),
                    json!({"outcome": "decided", "decision": "Award", "quorum": {}}),
                ),
            ),
            fixture::entry(
                3,
                "create",
                "item",
                9,
                item_payload(conflict, json!({"outcome": "open"})),
            ),
            fixture::entry(
                2,
                "create",
                "committee",
                1,
                json!({"slug": "audit", "name": "audit", "terms_of_reference": "", "quorum": {"minimum": 1, "required": []}}),
            ),
            fixture::entry(
                1,
                "create",
                "person",
                1,
                json!({"name": "Dr Hidden Person"}),
            ),
        ];
        let s = fixture::snapshot(business(), recent);
        let v = Visible::new(&s, chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
        let ctx = Ctx::new(&v);
        let pccc = &s.business.committees[1];
        let ch = channel(&render(
            &ctx,
            Feed::Committee(pccc),
            &s.recent,
            &BTreeMap::new(),
            "https://r.example",
        ));
        let titles: Vec<&str> = ch.items().iter().filter_map(|i| i.title()).collect();
        assert_eq!(
            titles,
            [
                "Item 5 decided: Extended access (pccc, 4 March 2026)",
                "Conflict declared on item 5: Extended access (pccc, 4 March 2026)",
            ]
        );
        let first = &ch.items()[0];
        assert_eq!(
            first.link(),
            Some("https://r.example/test-ccg/committees/pccc/meetings/2026-03-04/#item-5")
        );
        let audit = &first.extensions()["audit"];
        assert_eq!(audit["seq"][0].value(), Some("4"));
        assert_eq!(
            audit["entry_sha256"][0].value(),
            Some(format!("{:064x}", 4).as_str())
        );
        assert!(ch.items()[1]
            .description()
            .unwrap()
            .contains("Dr Hidden Person (Partner at a bidding practice): Left the room"));
        let atom = &ch.extensions()["atom"]["link"][0];
        assert_eq!(
            atom.attrs()["href"],
            "https://r.example/test-ccg/feeds/committees/pccc.xml"
        );
    }

    #[test]
    fn a_breach_naming_someone_is_announced_without_its_content() {
        let breach = json!({"occurred_on": "2026-02-01", "identified_on": "2026-02-03",
            "summary": "SUMMARYMARKER", "action_taken": "a", "reported_to": null, "person_id": 1, "id": 1, "version": 1});
        let s = fixture::snapshot(
            business(),
            vec![fixture::entry(1, "create", "breach", 1, breach)],
        );
        let v = Visible::new(&s, chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
        let xml = render(
            &Ctx::new(&v),
            Feed::All,
            &s.recent,
            &BTreeMap::new(),
            "https://r.example",
        );
        let ch = channel(&xml);
        assert_eq!(ch.items().len(), 1);
        assert!(ch.items()[0]
            .title()
            .unwrap()
            .starts_with("Breach of the conflicts policy recorded"));
        assert!(
            !xml.contains("SUMMARYMARKER") && !xml.contains("Dr Hidden Person"),
            "{xml}"
        );
    }

    #[test]
    fn the_decisions_feed_describes_decisions_only() {
        let d = serde_json::to_value(s_decision()).unwrap();
        let s = fixture::snapshot(
            business(),
            vec![
                fixture::entry(2, "withdraw", "decision", 11, d),
                fixture::entry(1, "create", "committee", 1, json!({})),
            ],
        );
        let v = Visible::new(&s, chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap());
        let ch = channel(&render(
            &Ctx::new(&v),
            Feed::Decisions,
            &s.recent,
            &BTreeMap::new(),
            "https://r.example",
        ));
        assert_eq!(ch.items().len(), 1);
        assert_eq!(
            ch.items()[0].title(),
            Some("Procurement decision withdrawn: PCD-1, T")
        );
        assert_eq!(
            ch.items()[0].link(),
            Some("https://r.example/test-ccg/decisions/pcd-1/")
        );
    }

    fn s_decision() -> Decision {
        business().decisions[0].record.clone()
    }
}
