//! Serving the generated site: the precompressed variant the client accepts, decoded to
//! the very file on disk; `Vary`, `Cache-Control`, `ETag` and `304`; no stale page from
//! the hot cache after a write; files 0644 and directories 0755; and nothing outside the
//! site directory reachable, by `..`, encoded or not, hidden folders or symbolic links.

use crate::both_backends;
use crate::helpers::{Backend, TestApp};
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;

both_backends!(
    the_encoding_the_client_accepts_is_sent_and_decodes_to_the_file,
    a_matching_etag_gets_304_and_each_encoding_has_its_own,
    a_write_shows_at_once_in_every_encoding,
    the_site_is_world_readable,
    nothing_outside_the_site_directory_is_served,
    a_file_too_large_to_cache_is_streamed_with_the_same_headers,
);

/// One answer, with the body's raw bytes (ureq decodes nothing here).
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body decoded as its `Content-Encoding` says.
    fn decoded(&self) -> Vec<u8> {
        decode(self.header("content-encoding"), &self.body)
    }
}

fn decode(encoding: Option<&str>, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        Some("br") => brotli::Decompressor::new(bytes, 4096)
            .read_to_end(&mut out)
            .map(|_| ())
            .expect("Brotli"),
        Some("gzip") => flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map(|_| ())
            .expect("gzip"),
        None => out.extend_from_slice(bytes),
        Some(other) => panic!("unexpected encoding {other}"),
    }
    out
}

fn request(app: &TestApp, method: &str, path: &str, headers: &[(&str, &str)]) -> Answer {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let mut req = agent.request(method, &format!("{}{path}", app.base));
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let resp = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{path}: {e}"),
    };
    let headers = resp
        .headers_names()
        .into_iter()
        .map(|n| {
            let v = resp.header(&n).unwrap_or_default().to_owned();
            (n, v)
        })
        .collect();
    let status = resp.status();
    let mut body = Vec::new();
    resp.into_reader().read_to_end(&mut body).expect("body");
    Answer {
        status,
        headers,
        body,
    }
}

fn get(app: &TestApp, path: &str, accept: &str) -> Answer {
    request(app, "GET", path, &[("Accept-Encoding", accept)])
}

/// A request written byte for byte (a client library would normalise the path): the
/// status and the body.
fn raw_get(app: &TestApp, target: &str) -> (u16, String) {
    let addr = app.base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{target}: no status in {text}"));
    (status, text)
}

fn the_encoding_the_client_accepts_is_sent_and_decodes_to_the_file(b: Backend) {
    let app = TestApp::spawn(b);
    let gp = app.add_person("Dr Anita Shah", true);
    for n in 0..8 {
        app.declare(&gp, &format!("Shares in Riverside Pharmacy number {n}"));
    }
    // The CSV is an open data file: it follows the pages within a second or two.
    app.wait_for_data_files();
    let on_disk = std::fs::read(app.site.join("test-ccg/interests/index.html")).unwrap();
    for path in [
        "/test-ccg/interests/",
        "/test-ccg/feeds/interests.xml",
        "/test-ccg/data/interests.csv",
    ] {
        for (accept, expected) in [
            ("gzip, deflate, br", Some("br")),
            ("gzip", Some("gzip")),
            ("br;q=0, gzip", Some("gzip")),
            ("gzip;q=0.4, br;q=0.8", Some("br")),
            ("identity", None),
            ("br;q=0, gzip;q=0", None),
            ("", None),
        ] {
            let a = get(&app, path, accept);
            assert_eq!(a.status, 200, "{path} {accept}");
            assert_eq!(a.header("content-encoding"), expected, "{path} {accept}");
            assert_eq!(a.header("vary"), Some("Accept-Encoding"), "{path}");
            assert_eq!(
                a.header("cache-control"),
                Some("public, max-age=60"),
                "{path}"
            );
            assert!(
                a.header("etag").is_some_and(|e| e.starts_with('"')),
                "{path}: a strong tag"
            );
            let file = path.strip_prefix('/').unwrap();
            let file = if file.ends_with('/') {
                format!("{file}index.html")
            } else {
                file.to_owned()
            };
            assert_eq!(
                a.decoded(),
                std::fs::read(app.site.join(&file)).unwrap(),
                "{path} {accept}: decodes to the published file"
            );
            if expected.is_some() {
                assert!(a.body.len() * 3 < a.decoded().len(), "{path}: compressed");
            }
        }
    }
    let page = get(&app, "/test-ccg/interests/", "br");
    assert_eq!(page.decoded(), on_disk);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    for (path, ty) in [
        (
            "/test-ccg/feeds/interests.xml",
            "application/rss+xml; charset=utf-8",
        ),
        ("/test-ccg/data/interests.csv", "text/csv; charset=utf-8"),
        ("/test-ccg/data/interests.json", "application/json"),
        (
            "/test-ccg/audit/chain.jsonl",
            "application/jsonl; charset=utf-8",
        ),
    ] {
        assert_eq!(
            get(&app, path, "gzip").header("content-type"),
            Some(ty),
            "{path}"
        );
    }
    // The chain export, appended to, has no siblings: it goes as it is.
    let export = get(&app, "/test-ccg/audit/chain.jsonl", "br, gzip");
    assert_eq!(export.header("content-encoding"), None);
    assert_eq!(
        export.body,
        std::fs::read(app.site.join("test-ccg/audit/chain.jsonl")).unwrap()
    );
    // The stylesheets are kept longer.
    let css = get(&app, "/assets/nhsuk.min.css", "gzip");
    assert_eq!(css.header("cache-control"), Some("public, max-age=86400"));
    assert_eq!(css.header("content-encoding"), Some("gzip"));
    assert_eq!(css.header("content-type"), Some("text/css; charset=utf-8"));

    // HEAD: the headers of GET, no body.
    let head = request(
        &app,
        "HEAD",
        "/test-ccg/interests/",
        &[("Accept-Encoding", "gzip")],
    );
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-encoding"), Some("gzip"));
    assert!(head.body.is_empty());
    // A directory without its slash is sent to it; what is not there is the 404 page.
    let bare = get(&app, "/test-ccg/interests", "gzip");
    assert_eq!(bare.status, 307);
    assert_eq!(bare.header("location"), Some("/test-ccg/interests/"));
    let missing = get(&app, "/test-ccg/no-such-page/", "gzip");
    assert_eq!(missing.status, 404);
    assert!(String::from_utf8_lossy(&missing.body).contains("Page not found"));
    // The site is read, never written.
    assert_eq!(
        request(&app, "DELETE", "/test-ccg/interests/", &[]).status,
        405
    );
}

fn a_matching_etag_gets_304_and_each_encoding_has_its_own(b: Backend) {
    let app = TestApp::spawn(b);
    let gp = app.add_person("Dr Anita Shah", true);
    app.declare(&gp, "Shares in Riverside Pharmacy");
    let path = "/test-ccg/interests/";
    let tags: Vec<String> = ["br", "gzip", "identity"]
        .iter()
        .map(|accept| get(&app, path, accept).header("etag").unwrap().to_owned())
        .collect();
    assert!(
        tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2],
        "{tags:?}"
    );
    for (accept, tag) in ["br", "gzip", "identity"].iter().zip(&tags) {
        let again = request(
            &app,
            "GET",
            path,
            &[("Accept-Encoding", accept), ("If-None-Match", tag)],
        );
        assert_eq!(again.status, 304, "{accept}");
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(tag.as_str()));
        assert_eq!(again.header("vary"), Some("Accept-Encoding"));
        assert_eq!(again.header("cache-control"), Some("public, max-age=60"));
        // Weak comparison, and a list.
        let listed = format!("\"nope\", W/{tag}");
        let weak = request(
            &app,
            "GET",
            path,
            &[("Accept-Encoding", accept), ("If-None-Match", &listed)],
        );
        assert_eq!(weak.status, 304, "{accept}: {listed}");
    }
    // Another encoding's tag is not a match.
    let other = request(
        &app,
        "GET",
        path,
        &[("Accept-Encoding", "gzip"), ("If-None-Match", &tags[0])],
    );
    assert_eq!(other.status, 200);
    // After a write the old tag no longer matches.
    app.declare(&gp, "Director of Hillside Care Ltd");
    let changed = request(
        &app,
        "GET",
        path,
        &[("Accept-Encoding", "br"), ("If-None-Match", &tags[0])],
    );
    assert_eq!(changed.status, 200);
    assert!(String::from_utf8_lossy(&changed.decoded()).contains("Hillside Care"));
    assert_ne!(changed.header("etag"), Some(tags[0].as_str()));
}

fn a_write_shows_at_once_in_every_encoding(b: Backend) {
    let app = TestApp::spawn(b);
    let gp = app.add_person("Dr Anita Shah", true);
    let first = app.declare(&gp, "Shares in Riverside Pharmacy");
    let pages = [
        "/test-ccg/interests/",
        "/test-ccg/",
        "/test-ccg/feeds/interests.xml",
    ];
    // Into the hot cache, every variant.
    for path in pages {
        for accept in ["br", "gzip", "identity"] {
            assert_eq!(get(&app, path, accept).status, 200);
        }
    }
    for n in 0..3 {
        let marker = format!("FRESHMARKER{n}");
        app.declare(&gp, &format!("Trustee of {marker} Trust"));
        for path in ["/test-ccg/interests/", "/test-ccg/feeds/interests.xml"] {
            for accept in ["br", "gzip", "identity"] {
                let a = get(&app, path, accept);
                let text = String::from_utf8(a.decoded()).unwrap();
                assert!(
                    text.contains(&marker),
                    "{path} {accept} after write {n}: stale"
                );
            }
            // And on disk, the siblings as the file.
            let file = path.trim_start_matches('/');
            let file = if file.ends_with('/') {
                format!("{file}index.html")
            } else {
                file.to_owned()
            };
            let plain = std::fs::read(app.site.join(&file)).unwrap();
            for (suffix, coding) in [(".gz", "gzip"), (".br", "br")] {
                let sibling = std::fs::read(app.site.join(format!("{file}{suffix}"))).unwrap();
                assert_eq!(decode(Some(coding), &sibling), plain, "{file}{suffix}");
            }
        }
    }
    // A withdrawn entry leaves no variant behind that still shows it.
    let (s, body) = app.post(
        &format!("/declarations/{}/withhold", first["id"].as_str().unwrap()),
        serde_json::json!({"version": 1, "reason": "risk of harm to the declarant"}),
    );
    assert_eq!(s, 201, "{body}");
    for accept in ["br", "gzip", "identity"] {
        let text = String::from_utf8(get(&app, "/test-ccg/interests/", accept).decoded()).unwrap();
        assert!(
            !text.contains("Riverside Pharmacy"),
            "{accept}: a withheld entry is served"
        );
    }
}

fn the_site_is_world_readable(b: Backend) {
    let app = TestApp::spawn(b);
    let gp = app.add_person("Dr Anita Shah", true);
    app.declare(&gp, "Shares in Riverside Pharmacy");
    app.declare(&gp, "Director of Hillside Care Ltd");
    let mut stack = vec![app.site.clone()];
    let (mut files, mut dirs) = (0, 0);
    while let Some(dir) = stack.pop() {
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o755, "{} is {mode:o}", dir.display());
        dirs += 1;
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let kind = e.file_type().unwrap();
            if kind.is_symlink() {
                continue;
            }
            if kind.is_dir() {
                stack.push(e.path());
            } else {
                let mode = e.metadata().unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o644, "{} is {mode:o}", e.path().display());
                files += 1;
            }
        }
    }
    assert!(files > 20 && dirs > 5, "{files} files, {dirs} directories");
}

fn nothing_outside_the_site_directory_is_served(b: Backend) {
    let app = TestApp::spawn(b);
    // A secret beside the site directory, and links to it planted inside.
    let outside = app.site.parent().unwrap().join("secret");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("index.html"), "SECRETMARKER".repeat(100)).unwrap();
    std::os::unix::fs::symlink(outside.join("index.html"), app.site.join("leak.html")).unwrap();
    std::os::unix::fs::symlink(&outside, app.site.join("leakdir")).unwrap();
    for target in [
        "/../secret/index.html",
        "/test-ccg/../../secret/index.html",
        "/%2e%2e/secret/index.html",
        "/test-ccg/%2E%2E/%2e%2e/secret/index.html",
        "/test-ccg/..%2f..%2fsecret/index.html",
        "/test-ccg/..%5c..%5csecret/index.html",
        "/leak.html",
        "/leakdir/",
        "/leakdir/index.html",
        "/.gen/",
        "/%2egen/",
        "/.test-ccg.link/",
        "/test-ccg/index.html%00.css",
    ] {
        let (status, text) = raw_get(&app, target);
        assert!(status == 404 || status == 400, "{target}: {status}");
        assert!(!text.contains("SECRETMARKER"), "{target} leaked the secret");
    }
    // A generation is reached only through its organisation's link.
    let gens: Vec<String> = std::fs::read_dir(app.site.join(".gen"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    for g in gens {
        let (status, _) = raw_get(&app, &format!("/.gen/{g}/index.html"));
        assert_eq!(status, 404, "{g}");
    }
    // The organisation's own link, which leads into `.gen`, is served.
    assert_eq!(raw_get(&app, "/test-ccg/").0, 200);
}

fn a_file_too_large_to_cache_is_streamed_with_the_same_headers(b: Backend) {
    let app = TestApp::spawn(b);
    let big: String = (0..120_000)
        .map(|n| format!("{n},Dr Person {n},Shares in Pharmacy {}\n", n % 97))
        .collect();
    assert!(big.len() as u64 > coi_register::web::static_files::CACHED_FILE_MAX);
    coi_register::publish::site::write_atomic(&app.site, "bulk.csv", big.as_bytes()).unwrap();
    for (accept, coding) in [
        ("br, gzip", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let a = get(&app, "/bulk.csv", accept);
        assert_eq!(a.status, 200, "{accept}");
        assert_eq!(a.header("content-encoding"), coding, "{accept}");
        assert_eq!(a.header("content-type"), Some("text/csv; charset=utf-8"));
        assert_eq!(a.header("vary"), Some("Accept-Encoding"));
        assert_eq!(a.header("cache-control"), Some("public, max-age=60"));
        assert_eq!(a.decoded(), big.as_bytes(), "{accept}");
        let tag = a.header("etag").unwrap().to_owned();
        let again = request(
            &app,
            "GET",
            "/bulk.csv",
            &[("Accept-Encoding", accept), ("If-None-Match", &tag)],
        );
        assert_eq!(again.status, 304, "{accept}");
    }
}
