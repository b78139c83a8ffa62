//! The incremental publisher checked by property: random sequences of writes (people,
//! declarations, gifts and returns created, amended, ended, withheld, released,
//! withdrawn and accepted, GP earnings recorded, amended and withdrawn, spread over days with the clock under the test's control),
//! each followed by the publish the queue makes of it: the pages and feeds of what the
//! write touched, from the read model the publisher keeps, and (at random points and at
//! the end) the deferred bulk files; a new day publishes whole, as the queue does. After
//! every publish the kept read model must equal a fresh [`snapshot::read`]; at the end the
//! organisation's site must equal a whole publish of the same database into another
//! directory, file for file and byte for byte. On SQLite, and on PostgreSQL when
//! `COI_TEST_POSTGRES_URL` is set. 32 cases by default; `PROPTEST_CASES` sets more.

use crate::as_at_property::{apply, first_morning, op, Op};
use crate::clock;
use crate::domain::org::{NewOrg, OrgSettings, OrgSlug};
use crate::publish::{Publisher, Scope};
use crate::store::{orgs, snapshot, AnyConnection, Store};
use chrono::Duration;
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestRunner};
use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `dir` (following the organisation's symlink to its generation), by
/// path relative to `dir`.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("a readable folder")
            .map(|e| e.expect("a folder entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("below the root");
                let bytes = std::fs::read(&path).expect("a readable file");
                out.insert(rel.to_string_lossy().into_owned(), bytes);
            }
        }
    }
    let mut out = BTreeMap::new();
    let root = dir.canonicalize().expect("the organisation's generation");
    walk(&root, &root, &mut out);
    out
}

/// The first line where `got` and `want` differ, each side shown.
fn first_difference(got: &[u8], want: &[u8]) -> String {
    let (got, want) = (String::from_utf8_lossy(got), String::from_utf8_lossy(want));
    let (g, w): (Vec<&str>, Vec<&str>) = (got.lines().collect(), want.lines().collect());
    let i = (0..g.len().max(w.len()))
        .find(|&i| g.get(i) != w.get(i))
        .unwrap_or_default();
    format!(
        "line {}:\n--- incremental\n{}\n--- whole\n{}",
        i + 1,
        g.get(i).copied().unwrap_or("(none)"),
        w.get(i).copied().unwrap_or("(none)")
    )
}

/// Publish `scope` of organisation `slug` as the queue does (pages first, the bulk
/// files owed in `owed`), then check the kept read model against a fresh read.
fn publish(
    c: &mut AnyConnection,
    p: &Publisher,
    slug: &str,
    scope: &Scope,
    owed: &mut Option<Scope>,
) -> Result<(), TestCaseError> {
    p.publish_org(c, slug, &scope.pages())
        .expect("the incremental publish");
    if scope.everything {
        *owed = None;
    } else if let Some(bulk) = scope.bulk() {
        match owed {
            Some(o) => o.merge(&bulk),
            None => *owed = Some(bulk),
        }
    }
    let fresh = snapshot::read(c, slug, |_, s| Ok(s.clone())).expect("a fresh read");
    prop_assert!(
        p.model(slug).as_ref() == Some(&fresh),
        "the kept read model differs from a fresh read"
    );
    Ok(())
}

/// Write the bulk files owed, as the queue's deferred pass does.
fn flush(c: &mut AnyConnection, p: &Publisher, slug: &str, owed: &mut Option<Scope>) {
    if let Some(bulk) = owed.take() {
        p.publish_org(c, slug, &bulk).expect("the bulk publish");
    }
}

/// Run one generated sequence as a new organisation (`slug`): its incremental site must
/// end as a whole publish of it. `flushes[i]` says whether the bulk files owed are
/// written after write `i` (as when a second passes between writes).
fn check(
    c: &mut AnyConnection,
    slug: &str,
    ops: &[Op],
    flushes: &[bool],
    written: &mut usize,
) -> Result<(), TestCaseError> {
    let clock = clock::set(first_morning());
    let new = NewOrg {
        slug: OrgSlug::parse(slug).expect("a slug"),
        name: format!("NHS {slug}"),
    };
    orgs::create(c, "system", &new, OrgSettings::default()).expect("the organisation");
    let org_id = orgs::by_slug(c, slug).expect("the organisation").id;
    let (inc_dir, full_dir) = (
        tempfile::tempdir().expect("a folder"),
        tempfile::tempdir().expect("a folder"),
    );
    let incremental = Publisher::new(inc_dir.path(), "https://example.org");
    let mut owed = None;
    publish(c, &incremental, slug, &Scope::everything(), &mut owed)?;
    let mut morning = first_morning();
    let mut at = morning;
    for (i, op) in ops.iter().enumerate() {
        if matches!(op, Op::NextDay) {
            morning += Duration::days(1);
            at = morning;
            clock.to(at);
            // A new day changes what the public may see: the queue publishes whole.
            publish(c, &incremental, slug, &Scope::everything(), &mut owed)?;
            continue;
        }
        at += Duration::minutes(7);
        clock.to(at);
        if let Some(touched) = apply(c, org_id, op).expect("the write, or its refusal") {
            *written += 1;
            let mut scope = Scope::default();
            scope.add(touched);
            publish(c, &incremental, slug, &scope, &mut owed)?;
        }
        if flushes.get(i).copied().unwrap_or(false) {
            flush(c, &incremental, slug, &mut owed);
        }
    }
    flush(c, &incremental, slug, &mut owed);
    let whole = Publisher::new(full_dir.path(), "https://example.org");
    whole
        .publish_org(c, slug, &Scope::everything())
        .expect("the whole publish");
    drop(clock);
    let (got, want) = (
        files(&inc_dir.path().join(slug)),
        files(&full_dir.path().join(slug)),
    );
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    prop_assert_eq!(names(&got), names(&want), "the same files");
    for (name, bytes) in &want {
        prop_assert!(
            got[name] == *bytes,
            "{} differs: {}",
            name,
            first_difference(&got[name], bytes)
        );
    }
    Ok(())
}

/// Run the property against the store at `url`, each case a new organisation.
fn run(url: &str) {
    let store = Store::open(url, 1).expect("open the store");
    let mut runner = TestRunner::new(crate::fuzz::cases(32));
    let n = std::cell::Cell::new(0);
    let written = std::cell::Cell::new(0usize);
    let cases = prop::collection::vec((op(), any::<bool>()), 1..40);
    runner
        .run(&cases, |steps| {
            n.set(n.get() + 1);
            let (ops, flushes): (Vec<Op>, Vec<bool>) = steps.into_iter().unzip();
            let mut w = written.get();
            // A connection of its own: one a failed case left mid-transaction is not reused.
            let mut c = store.conn().expect("a connection");
            let result = check(&mut c, &format!("inc-{}", n.get()), &ops, &flushes, &mut w);
            written.set(w);
            result
        })
        .unwrap();
    assert!(
        written.get() > 0,
        "no case wrote anything: the property showed nothing"
    );
}

#[test]
fn the_incremental_site_is_a_whole_publish_byte_for_byte_on_sqlite() {
    crate::test_db::on_sqlite(run);
}

#[test]
#[cfg_attr(
    not(coi_test_postgres),
    ignore = "PostgreSQL: set COI_TEST_POSTGRES_URL to run"
)]
fn the_incremental_site_is_a_whole_publish_byte_for_byte_on_postgres() {
    crate::test_db::on_postgres("coi_inc", run);
}
