//! The publisher under stress: a publish that fails is reported and retried until the
//! site recovers; a burst of writes never shows a reader one change half applied; the
//! files it writes can be served by a web server running as another user.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use coi_register::store::users::Role;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

/// Poll `check` until it returns `Some`, or fail after `seconds`.
fn eventually<T>(seconds: u64, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        if let Some(t) = check() {
            return t;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: still not so after {seconds}s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The test organisation's line of `/healthz`.
fn site_health(app: &TestApp) -> (String, Value) {
    let (s, body) = app.get(&format!("{}/healthz", app.base), None);
    assert_eq!(s, 200, "{body}");
    let site = body["site"]
        .as_array()
        .and_then(|orgs| orgs.iter().find(|o| o["org"] == app.org))
        .cloned()
        .expect("the test organisation in /healthz");
    (body["status"].as_str().unwrap_or_default().to_owned(), site)
}

fn a_failed_publish_is_reported_retried_and_recovers(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    let first = app.declare(&person, "Partner in Riverside Surgery");
    assert_eq!(first["live"], true, "{first}");
    let (status, site) = site_health(&app);
    assert_eq!(status, "ok");
    assert_eq!(site["lag_entries"], 0, "{site}");

    // Break the site directory as a full or read-only disk would: the generations
    // directory becomes a file, so nothing can be written (root ignores permissions).
    let gens = app.site.join(".gen");
    let saved = app.site.join(".gen-saved");
    std::fs::rename(&gens, &saved).unwrap();
    std::fs::write(&gens, "in the way").unwrap();

    let (s, answer) = app.post(
        "/declarations",
        crate::helpers::declaration(&person, "Shareholder in Northshire Diagnostics Ltd"),
    );
    assert_eq!(s, 201, "committed, so acknowledged: {answer}");
    assert_eq!(answer["live"], false, "but not live: {answer}");
    let (status, site) = site_health(&app);
    assert_eq!(status, "publishing_failing", "{site}");
    assert!(site["lag_entries"].as_i64().unwrap() >= 1, "{site}");
    assert!(site["failing_since"].is_string(), "{site}");

    // Governance leads are told on /admin, with the error; the public /healthz says only
    // how far behind the site is.
    let lead = app.account("lead2@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let home = app.browse("/admin", Some(&browser.cookie));
    assert!(
        home.body.contains("the public site is not up to date"),
        "{}",
        home.body
    );
    assert!(
        !site.to_string().contains(".gen"),
        "no paths in /healthz: {site}"
    );

    // It keeps trying: the lag in seconds grows while it fails.
    eventually(10, "the lag is counted in seconds", || {
        (site_health(&app).1["lag_seconds"].as_i64().unwrap() >= 1).then_some(())
    });

    // Mended, it recovers by itself: the site shows the change, and the lag is gone.
    std::fs::remove_file(&gens).unwrap();
    std::fs::rename(&saved, &gens).unwrap();
    eventually(40, "publishing recovers", || {
        let (status, site) = site_health(&app);
        (status == "ok" && site["lag_entries"] == 0).then_some(())
    });
    let page = std::fs::read_to_string(
        app.site
            .join(format!("test-ccg/interests/{person}/index.html")),
    )
    .unwrap();
    assert!(
        page.contains("Northshire Diagnostics"),
        "the retried publish shows it"
    );
    let home = app.browse("/admin", Some(&browser.cookie));
    assert!(!home.body.contains("the public site is not up to date"));
}

/// The markers of `BURST-n` declarations in a text.
fn markers(text: &str) -> BTreeSet<String> {
    text.split("BURST-")
        .skip(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_digit).collect())
        .collect()
}

fn readers_never_see_a_change_half_applied(b: Backend) {
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    app.declare(&person, "Partner in Riverside Surgery");
    let site = app.site.clone();
    let link = site.join("test-ccg");
    let page_rel = format!("interests/{person}/index.html");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));

    // A reader as a web server reads the directory: each sample opens the person's page
    // and the chain export through `site/test-ccg`, takes their lengths, and counts only
    // samples during which the live generation did not change (else the two files may
    // rightly differ).
    let reader = {
        let (stop, link, page_rel) = (stop.clone(), link.clone(), page_rel.clone());
        std::thread::spawn(move || {
            let (mut consistent, mut mixed) = (0, Vec::new());
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let before = std::fs::read_link(&link).ok();
                let page = std::fs::File::open(link.join(&page_rel));
                let chain = std::fs::File::open(link.join("audit/chain.jsonl"));
                let (Ok(page), Ok(chain)) = (page, chain) else {
                    mixed.push("a file was missing".to_owned());
                    continue;
                };
                // As a web server does: the length is taken when the file is opened
                // (Content-Length), and that many bytes are sent. Taken before the
                // second look at the link, so both lengths were read while the same
                // generation was live: once it is not, the next publish may grow its
                // export in place, past the length a reader took.
                let lengths = (
                    page.metadata().unwrap().len(),
                    chain.metadata().unwrap().len(),
                );
                let after = std::fs::read_link(&link).ok();
                if before != after {
                    continue;
                }
                let (mut p, mut c) = (String::new(), String::new());
                std::io::Read::read_to_string(&mut std::io::Read::take(page, lengths.0), &mut p)
                    .unwrap();
                std::io::Read::read_to_string(&mut std::io::Read::take(chain, lengths.1), &mut c)
                    .unwrap();
                if !c.ends_with('\n') {
                    mixed.push("the export ends in half a line".to_owned());
                }
                if markers(&p) != markers(&c) {
                    mixed.push(format!(
                        "page {:?} but export {:?}",
                        markers(&p),
                        markers(&c)
                    ));
                }
                consistent += 1;
            }
            (consistent, mixed)
        })
    };
    // Readers over HTTP meanwhile: every answer is a whole page.
    let http = {
        let (stop, base, page) = (
            stop.clone(),
            app.base.clone(),
            format!("/test-ccg/interests/{person}/"),
        );
        std::thread::spawn(move || {
            let mut fetched = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = ureq::get(&format!("{base}{page}"))
                    .call()
                    .expect("the page");
                assert_eq!(r.status(), 200);
                let body = r.into_string().unwrap();
                assert!(body.trim_end().ends_with("</html>"), "a whole page");
                fetched += 1;
            }
            fetched
        })
    };
    for n in 0..40 {
        let (s, body) = app.post(
            "/declarations",
            crate::helpers::declaration(&person, &format!("Director of BURST-{n} Ltd")),
        );
        assert_eq!(s, 201, "{body}");
        assert_eq!(body["live"], true);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (consistent, mixed) = reader.join().unwrap();
    let fetched = http.join().unwrap();
    assert!(
        mixed.is_empty(),
        "{} of {consistent} samples mixed two changes: {:?}",
        mixed.len(),
        &mixed[..mixed.len().min(5)]
    );
    assert!(consistent > 10, "only {consistent} samples");
    assert!(fetched > 10, "only {fetched} pages fetched over HTTP");
    let last = std::fs::read_to_string(link.join(&page_rel)).unwrap();
    assert_eq!(markers(&last).len(), 40, "every change is live at the end");
}

fn generated_files_are_readable_by_a_web_server_of_another_user(b: Backend) {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn(b);
    let person = app.add_person("Dr Anita Shah", true);
    app.declare(&person, "Partner in Riverside Surgery");
    let mut stack = vec![app.site.clone()];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let path = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            if meta.file_type().is_symlink() {
                continue;
            }
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_dir() {
                assert_eq!(mode, 0o755, "{}", rel(&app.site, &path));
                stack.push(path);
            } else {
                assert_eq!(mode, 0o644, "{}", rel(&app.site, &path));
                files += 1;
            }
        }
    }
    assert!(files > 20, "only {files} files");
}

fn rel(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap().display().to_string()
}

both_backends!(
    a_failed_publish_is_reported_retried_and_recovers,
    readers_never_see_a_change_half_applied,
    generated_files_are_readable_by_a_web_server_of_another_user,
);
