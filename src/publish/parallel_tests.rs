//! A full publish rendered in parallel writes the same site, file for file and byte for
//! byte, as one rendered on a single thread ([`Publisher::sequential`]), and so does a
//! staged publish of a few changes: on a generated organisation large enough that every
//! parallel loop runs over many items (people in more than one batch, several pages of
//! each register, committees, meetings and decisions). On SQLite, and on PostgreSQL when
//! `COI_TEST_POSTGRES_URL` is set.

use super::{Publisher, Scope, PEOPLE_PER_BATCH};
use crate::clock;
use crate::domain::Input;
use crate::scale::{seed, Scale};
use crate::store::{people, AnyConnection, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

const ORG: &str = "parallel-icb";

/// More people than one batch of histories, more than one page of each register view
/// and of procurement decisions.
const SCALE: Scale = Scale {
    people: PEOPLE_PER_BATCH as u64 + 44,
    declarations_per_person: 2,
    gifts_per_person: 1,
    decisions: 120,
    committees: 3,
    meetings_per_year: 4,
    years: 2,
};

/// Every file of the site under `root` as published now, by path: each organisation's
/// directory followed to its live generation; the generations themselves (`.gen`) and
/// hidden files left out.
fn site_files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(dir: &Path, rel: &str, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).expect("a site directory") {
            let entry = entry.expect("a directory entry");
            let name = entry.file_name().into_string().expect("text names");
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let rel = format!("{rel}{name}");
            // `is_dir` follows the organisation's symlink to its generation.
            if path.is_dir() {
                walk(&path, &format!("{rel}/"), out);
            } else {
                out.insert(rel, std::fs::read(&path).expect("a readable file"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, "", &mut out);
    out
}

/// Where two sites differ: the first few paths only one has or whose bytes differ.
fn differences(a: &BTreeMap<String, Vec<u8>>, b: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut out: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect();
    out.dedup();
    out.truncate(10);
    out
}

fn count(files: &BTreeMap<String, Vec<u8>>, prefix: &str, suffix: &str) -> usize {
    files
        .keys()
        .filter(|k| k.starts_with(prefix) && k.ends_with(suffix))
        .count()
}

/// A temporary directory for sites, and the store at `url` with the generated organisation
/// seeded as on 23 November 2026, the clock held there while the guard lives.
fn seeded(url: &str) -> (tempfile::TempDir, Store, clock::SetClock, NaiveDate) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = Store::open(url, 2).expect("open the store");
    let now: DateTime<Utc> = "2026-11-23T10:00:00Z".parse().expect("a time");
    let guard = clock::set(now);
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("a date");
    let mut c = store.conn().expect("a connection");
    seed(&mut c, ORG, "Parallel ICB", today, &SCALE, || ()).expect("seeded");
    (dir, store, guard, today)
}

fn run(url: &str) {
    let (dir, store, _clock, _) = seeded(url);
    let mut c = store.conn().expect("a connection");
    let c: &mut AnyConnection = &mut c;

    let sequential = Publisher::new(dir.path().join("one"), "https://x.test").sequential();
    let parallel = Publisher::new(dir.path().join("many"), "https://x.test");
    sequential.publish_all(c).expect("published on one thread");
    parallel.publish_all(c).expect("published in parallel");
    let one = site_files(sequential.site_dir());
    let many = site_files(parallel.site_dir());
    assert_eq!(one.len(), many.len(), "{:?}", differences(&one, &many));
    assert!(
        one == many,
        "the sites differ at {:?}",
        differences(&one, &many)
    );
    // The loops ran over many items each.
    let people_pages = count(&one, &format!("{ORG}/interests/"), "/index.html");
    assert!(people_pages > PEOPLE_PER_BATCH, "{people_pages} pages");
    assert!(count(&one, &format!("{ORG}/interests/page/"), "index.html") > 1);
    assert!(count(&one, &format!("{ORG}/decisions/page/"), "index.html") > 1);
    assert!(count(&one, &format!("{ORG}/committees/"), "/index.html") > 10);

    // A few changes, published staged (only what they touched) by both: the same again.
    // People renamed (moving them in the registers) and one leaving decision-making (their
    // page removed).
    let org_id = crate::store::orgs::by_slug(c, ORG).expect("the org").id;
    let mut scope = Scope::default();
    for (i, p) in people::all(c, org_id)
        .expect("people")
        .iter()
        .step_by(37)
        .enumerate()
    {
        let change = if i == 0 {
            json!({"decision_making": false})
        } else {
            json!({"name": format!("Aaron {} Renamed", p.fields.name)})
        };
        let input = Input::from_json(change).expect("an object");
        people::amend(c, org_id, "system", &p.slug, p.version, input).expect("amended");
        scope.add(crate::store::Touched::Person(p.id));
    }
    sequential
        .publish_org(c, ORG, &scope)
        .expect("staged on one thread");
    parallel
        .publish_org(c, ORG, &scope)
        .expect("staged in parallel");
    let one = site_files(sequential.site_dir());
    let many = site_files(parallel.site_dir());
    assert!(
        one == many,
        "the sites differ after a staged publish at {:?}",
        differences(&one, &many)
    );
    assert!(one
        .values()
        .any(|bytes| String::from_utf8_lossy(bytes).contains("Renamed")));
}

#[test]
fn a_parallel_publish_writes_the_same_site_as_a_sequential_one() {
    crate::test_db::on_sqlite(run);
}

#[test]
#[cfg_attr(
    not(coi_test_postgres),
    ignore = "PostgreSQL: set COI_TEST_POSTGRES_URL to run"
)]
fn a_parallel_publish_writes_the_same_site_as_a_sequential_one_on_postgres() {
    crate::test_db::on_postgres("coi_parallel", run);
}

/// A new declaration re-writes the register's pages in proportion to the change: the
/// pages it is on (in each view that lists it) and the register's front page, with its
/// filters' counts, not every page of every view.
fn one_declaration_rewrites_a_few_register_pages(url: &str) {
    use crate::domain::entries::Review;
    use crate::domain::interests::DeclarationFields;
    use crate::store::declarations::Declarations;
    use crate::store::entries::Register;
    let (dir, store, _clock, today) = seeded(url);
    let mut c = store.conn().expect("a connection");
    let c: &mut AnyConnection = &mut c;
    let publisher = Publisher::new(dir.path().join("site"), "https://x.test");
    publisher.publish_all(c).expect("published");
    let before = site_files(publisher.site_dir());
    let org_id = crate::store::orgs::by_slug(c, ORG).expect("the org").id;
    let person = people::all(c, org_id).expect("people").remove(40);
    // Of a type the person has declared already: a person new to a view moves that view's
    // later pages along (their people each move a place), which is the one change that
    // re-writes pages other than its own.
    let kind = crate::store::snapshot::read(c, ORG, |_, s| {
        Ok(s.declarations
            .iter()
            .find(|d| d.entry.person_id == person.id)
            .expect("a declaration of theirs")
            .entry
            .fields
            .interest_type
            .code())
    })
    .expect("read");
    let input = Input::from_json(json!({
        "interest_type": kind, "description": "Shareholder in Riverside Health Ltd",
        "body": "Riverside Health Ltd", "arose_on": "2026-01-05", "declared_on": "2026-11-20",
        "mitigation": "Leaves the room for related items", "associate": "Spouse",
    }))
    .expect("an object");
    let fields = DeclarationFields::parse(&input, today).expect("valid");
    let d = Declarations::create(
        c,
        org_id,
        "system",
        &person.slug,
        fields,
        None,
        Review::Accepted,
    )
    .expect("declared");
    let mut scope = Scope::default();
    scope.add(d.touched);
    publisher.publish_org(c, ORG, &scope).expect("staged");
    let after = site_files(publisher.site_dir());
    // The list pages: the register's own, and its views' (by type, status, committee,
    // year), each paged; not people's pages (`interests/<person>/`).
    let lists: Vec<&String> = after
        .keys()
        .filter(|f| {
            let Some(rest) = f.strip_prefix(&format!("{ORG}/interests/")) else {
                return false;
            };
            if !rest.ends_with("index.html") {
                return false; // its .gz and .br siblings follow it
            }
            rest == "index.html"
                || ["page/", "type/", "status/", "committee/", "declared/"]
                    .iter()
                    .any(|view| rest.starts_with(view))
        })
        .collect();
    let changed: Vec<&&String> = lists
        .iter()
        .filter(|f| before.get(f.as_str()) != after.get(f.as_str()))
        .collect();
    assert!(
        changed
            .iter()
            .any(|f| f.as_str() == format!("{ORG}/interests/index.html")),
        "the front page's counts changed: {changed:?}"
    );
    assert!(lists.len() > 40, "{} list pages", lists.len());
    assert!(
        changed.len() <= 5,
        "{} of {} list pages re-written: {changed:?}",
        changed.len(),
        lists.len()
    );
}

#[test]
fn one_declaration_rewrites_a_few_register_pages_on_sqlite() {
    crate::test_db::on_sqlite(one_declaration_rewrites_a_few_register_pages);
}

#[test]
#[cfg_attr(
    not(coi_test_postgres),
    ignore = "PostgreSQL: set COI_TEST_POSTGRES_URL to run"
)]
fn one_declaration_rewrites_a_few_register_pages_on_postgres() {
    crate::test_db::on_postgres(
        "coi_few_pages",
        one_declaration_rewrites_a_few_register_pages,
    );
}
