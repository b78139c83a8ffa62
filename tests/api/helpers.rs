//! The test harness: the real application on a random port, with its own database
//! (a fresh SQLite file, or a fresh PostgreSQL database when COI_TEST_POSTGRES_URL is set).

use coi_register::config::Config;
use coi_register::domain::org::{NewOrg, OrgSettings, OrgSlug};
use coi_register::store::users::Role;
use coi_register::store::{AnyConnection, Conn, Store};
use diesel::connection::SimpleConnection;
use diesel::Connection;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generate a `sqlite` and a `postgres` test from one function taking a [`Backend`].
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[test]
                fn sqlite() {
                    super::$name($crate::helpers::Backend::Sqlite)
                }
                // Set COI_TEST_POSTGRES_URL to run these (CI does, and then an unreachable
                // server fails them): without it they are reported as ignored, never as
                // passing tests that ran nothing.
                #[test]
                #[cfg_attr(
                    not(coi_test_postgres),
                    ignore = "PostgreSQL: set COI_TEST_POSTGRES_URL to run"
                )]
                fn postgres() {
                    super::$name($crate::helpers::Backend::Postgres)
                }
            }
        )*
    };
}

/// A running application with its own database and site directory.
pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub site: PathBuf,
    /// A governance lead's token for the test organisation.
    pub token: String,
    pub org: &'static str,
    pub org_id: i64,
    /// The database, for running the command line against it.
    pub database_url: String,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

fn unique_name() -> String {
    let mut bytes = [0u8; 6];
    getrandom::getrandom(&mut bytes).expect("randomness");
    format!("coi_test_{}", hex::encode(bytes))
}

impl TestApp {
    /// Start an app with one organisation, `test-ccg`, and a governance token for it.
    pub fn spawn(backend: Backend) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = Config::with_data_dir(dir.path());
        config.bind = "127.0.0.1:0".into();
        config.pool_size = 10;
        let mut pg = None;
        if backend == Backend::Postgres {
            let admin = std::env::var("COI_TEST_POSTGRES_URL").expect("COI_TEST_POSTGRES_URL");
            let name = unique_name();
            let mut c =
                diesel::PgConnection::establish(&admin).expect("connect to the test PostgreSQL");
            c.batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create test database");
            let (server, _) = admin.rsplit_once('/').expect("a database URL with a path");
            config.database_url = format!("{server}/{name}");
            pg = Some((admin, name));
        }
        let store = Store::open(&config.database_url, config.pool_size).expect("open store");
        let (org_id, token) = org_with_lead(&store, "test-ccg");
        let (tx, rx) = std::sync::mpsc::channel();
        let server_store = store.clone();
        let server_config = config.clone();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let app = coi_register::web::Application::build(&server_config, server_store)
                    .expect("build app");
                tx.send(app.port()).expect("send port");
                app.run().await
            })
        });
        let port = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the app starts");
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            store,
            site: config.site_dir.clone(),
            token,
            org: "test-ccg",
            org_id,
            database_url: config.database_url.clone(),
            _dir: dir,
            pg,
        }
    }

    pub fn conn(&self) -> Conn {
        self.store.conn().expect("conn")
    }

    pub fn api(&self, path: &str) -> String {
        format!("{}/api/v1/orgs/{}{path}", self.base, self.org)
    }

    /// GET a URL: (status, body text).
    pub fn get_text(&self, url: &str) -> (u16, String) {
        answer(ureq::get(url).call())
    }

    /// GET with an optional token: (status, JSON body).
    pub fn get(&self, url: &str, token: Option<&str>) -> (u16, Value) {
        let mut req = ureq::get(url);
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        let (status, text) = answer(req.call());
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// POST a raw body with an optional token: (status, JSON body).
    pub fn post_raw(&self, url: &str, token: Option<&str>, body: &str) -> (u16, Value) {
        let mut req = ureq::post(url).set("Content-Type", "application/json");
        if let Some(t) = token {
            req = req.set("Authorization", &format!("Bearer {t}"));
        }
        let (status, text) = answer(req.send_string(body));
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// POST JSON as the governance lead.
    pub fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.post_raw(&self.api(path), Some(&self.token), &body.to_string())
    }

    pub fn add_person(&self, name: &str, decision_making: bool) -> String {
        let (s, body) = self.post("/people", serde_json::json!({"name": name, "position": "GP member", "decision_making": decision_making}));
        assert_eq!(s, 201, "{body}");
        body["slug"].as_str().unwrap().to_owned()
    }

    pub fn declare(&self, person: &str, description: &str) -> Value {
        let (s, body) = self.post("/declarations", declaration(person, description));
        assert_eq!(s, 201, "{body}");
        body
    }

    /// The chain head (seq) of the test organisation.
    pub fn head(&self) -> i64 {
        coi_register::store::orgs::by_slug(&mut self.conn(), self.org)
            .unwrap()
            .chain_seq
    }

    /// Wait until the test organisation's bulk open data files (CSV, JSON, OCDS) show
    /// every change: they follow its pages within a second or two (see
    /// `coi_register::publish::queue::BULK_DELAY`), as `/healthz` reports.
    pub fn wait_for_data_files(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let (_, health) = self.get(&format!("{}/healthz", self.base), None);
            let site = health["site"].as_array().cloned().unwrap_or_default();
            if site
                .iter()
                .any(|o| o["org"] == self.org && o["data_lag_entries"] == 0)
            {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the data files still lag after 30 s: {health}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Every file of the generated site, as (relative path, text); a compressed
    /// sibling (`.gz`, `.br`) as the text it decodes to, so that what a test looks for
    /// in the site is looked for in what every encoding serves.
    pub fn site_files(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut stack = vec![self.site.clone()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(&self.site).unwrap().display().to_string();
                    out.push((rel, site_text(&p)));
                }
            }
        }
        out
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg {
            if let Ok(mut c) = diesel::PgConnection::establish(admin) {
                let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// A site file's text, decoded if it is a compressed sibling; empty if it is not text.
fn site_text(path: &std::path::Path) -> String {
    use std::io::Read;
    let bytes = std::fs::read(path).unwrap_or_default();
    let name = path.to_string_lossy();
    let mut text = String::new();
    let decoded = if name.ends_with(".gz") {
        flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text)
    } else if name.ends_with(".br") {
        brotli::Decompressor::new(&bytes[..], 4096).read_to_string(&mut text)
    } else {
        return String::from_utf8(bytes).unwrap_or_default();
    };
    decoded.map(|_| text).unwrap_or_default()
}

fn answer(r: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    match r {
        Ok(resp) => (resp.status(), resp.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(code, resp)) => (code, resp.into_string().unwrap_or_default()),
        Err(e) => panic!("request failed: {e}"),
    }
}

/// A valid declaration body.
pub fn declaration(person: &str, description: &str) -> Value {
    serde_json::json!({
        "person": person, "interest_type": "financial", "description": description,
        "body": "Riverside Surgery", "arose_on": "2026-01-05", "declared_on": "2026-01-20",
        "mitigation": "Leaves the room for items about the practice",
    })
}

/// Run raw SQL against the test database (to play the part of someone editing it by hand).
pub fn sql(c: &mut AnyConnection, statement: &str) {
    use diesel::RunQueryDsl;
    diesel::sql_query(statement)
        .execute(c)
        .unwrap_or_else(|e| panic!("{statement}: {e}"));
}

// ---------------------------------------------------------------------------------------
// Accounts of every role, and a browser that signs in to the web app.
// ---------------------------------------------------------------------------------------

/// An account made for a test: its email, password and API token.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
    pub password: String,
    pub token: String,
}

/// A signed-in browser: its session cookie and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

/// An HTTP answer seen as a browser sees it: redirects are not followed.
#[derive(Debug)]
pub struct Page {
    pub status: u16,
    pub location: Option<String>,
    /// `name=value` of each cookie set (an empty value is a removal).
    pub cookies: Vec<String>,
    /// The raw `Set-Cookie` headers.
    pub set_cookie: Vec<String>,
    pub body: String,
}

impl Page {
    /// The cookie named `name` that the answer set (with a value).
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies
            .iter()
            .find(|c| c.starts_with(&format!("{name}=")) && c.len() > name.len() + 1)
            .cloned()
    }

    /// The value of the first hidden `csrf_token` field on the page.
    pub fn csrf_field(&self) -> Option<String> {
        let at = self.body.find("name=\"csrf_token\" value=\"")?;
        let rest = &self.body[at + "name=\"csrf_token\" value=\"".len()..];
        Some(rest[..rest.find('"')?].to_owned())
    }
}

fn no_redirects() -> ureq::Agent {
    ureq::AgentBuilder::new().redirects(0).build()
}

fn page(r: Result<ureq::Response, ureq::Error>) -> Page {
    let resp = match r {
        Ok(resp) => resp,
        Err(ureq::Error::Status(_, resp)) => resp,
        Err(e) => panic!("request failed: {e}"),
    };
    let set_cookie: Vec<String> = resp
        .all("set-cookie")
        .into_iter()
        .map(str::to_owned)
        .collect();
    Page {
        status: resp.status(),
        location: resp.header("location").map(str::to_owned),
        cookies: set_cookie
            .iter()
            .map(|c| c.split(';').next().unwrap_or("").trim().to_owned())
            .collect(),
        set_cookie,
        body: resp.into_string().unwrap_or_default(),
    }
}

impl TestApp {
    /// Create an account with a password in `orgs` (a declarant linked to `person` in
    /// the first), straight in the database as `coi-register user add` does.
    pub fn account(&self, email: &str, role: Role, orgs: &[&str], person: Option<&str>) -> Account {
        let mut c = self.conn();
        let orgs: Vec<String> = orgs.iter().map(|o| o.to_string()).collect();
        let (token, id) =
            coi_register::cli::add_user(&mut c, email, role, &orgs, person).expect("add account");
        let password = format!("pw-{}-{}", email, unique_name());
        let parsed = coi_register::domain::accounts::NewPassword::parse(&password).unwrap();
        coi_register::store::users::set_password(&mut c, id, &parsed).expect("set password");
        Account {
            email: email.to_owned(),
            password,
            token,
        }
    }

    /// GET a URL as a browser, with an optional cookie header.
    pub fn browse(&self, path: &str, cookie: Option<&str>) -> Page {
        let mut req = no_redirects().get(&format!("{}{path}", self.base));
        if let Some(c) = cookie {
            req = req.set("Cookie", c);
        }
        page(req.call())
    }

    /// POST a form (`application/x-www-form-urlencoded`) as a browser.
    pub fn submit(&self, path: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Page {
        let mut req = no_redirects().post(&format!("{}{path}", self.base));
        if let Some(c) = cookie {
            req = req.set("Cookie", c);
        }
        page(req.send_form(fields))
    }

    /// A request with any method, headers and body, as a browser (no redirects followed).
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Page {
        let mut req = no_redirects().request(method, &format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.set(k, v);
        }
        page(match body {
            Some(b) => req.send_string(b),
            None => req.call(),
        })
    }

    /// The sign-in form's CSRF token and the cookie that vouches for it.
    pub fn sign_in_form(&self) -> (String, String) {
        let form = self.browse("/admin/sign-in", None);
        assert_eq!(form.status, 200, "{}", form.body);
        let cookie = form.cookie("coi_sign_in").expect("a sign-in form cookie");
        (form.csrf_field().expect("a CSRF field"), cookie)
    }

    /// Try to sign in: the answer to the form's POST.
    pub fn try_sign_in(&self, email: &str, password: &str) -> Page {
        let (csrf, cookie) = self.sign_in_form();
        self.submit(
            "/admin/sign-in",
            Some(&cookie),
            &[
                ("csrf_token", &csrf),
                ("email", email),
                ("password", password),
            ],
        )
    }

    /// Sign in through the sign-in form; panics unless it succeeds.
    pub fn sign_in(&self, account: &Account) -> Browser {
        let answer = self.try_sign_in(&account.email, &account.password);
        assert_eq!(
            answer.status, 303,
            "sign in as {}: {}",
            account.email, answer.body
        );
        let cookie = answer.cookie("coi_session").expect("a session cookie");
        let home = self.browse("/admin", Some(&cookie));
        assert_eq!(home.status, 200, "{}", home.body);
        Browser {
            csrf: home.csrf_field().expect("the sign-out form's CSRF token"),
            cookie,
        }
    }
}

// ---------------------------------------------------------------------------------------
// File uploads: a multipart/form-data body, as a browser sends a form with a file input.
// ---------------------------------------------------------------------------------------

/// One file of a multipart form: its field name, file name and bytes.
pub struct FilePart<'a> {
    pub field: &'a str,
    pub filename: &'a str,
    pub bytes: &'a [u8],
}

/// A `multipart/form-data` body of text `fields` then `files`: (content type, body).
pub fn multipart(fields: &[(&str, &str)], files: &[FilePart]) -> (String, Vec<u8>) {
    let boundary = format!("----coi-test-{}", unique_name());
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for f in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: text/csv\r\n\r\n",
                f.field, f.filename
            )
            .as_bytes(),
        );
        body.extend_from_slice(f.bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

impl TestApp {
    /// POST a form with files (`multipart/form-data`) as a browser.
    pub fn upload(
        &self,
        path: &str,
        cookie: Option<&str>,
        fields: &[(&str, &str)],
        files: &[FilePart],
    ) -> Page {
        let (content_type, body) = multipart(fields, files);
        let mut req = no_redirects()
            .post(&format!("{}{path}", self.base))
            .set("Content-Type", &content_type);
        if let Some(c) = cookie {
            req = req.set("Cookie", c);
        }
        page(req.send_bytes(&body))
    }
}

/// Organisation `slug` ("NHS Test CCG") and its governance lead, written through the
/// store: the organisation's id and the lead's API token.
pub fn org_with_lead(store: &Store, slug: &str) -> (i64, String) {
    let mut c = store.conn().expect("conn");
    let org = NewOrg {
        slug: OrgSlug::parse(slug).unwrap(),
        name: "NHS Test CCG".into(),
    };
    let org_id = coi_register::store::orgs::create(&mut c, "system", &org, OrgSettings::default())
        .expect("create org")
        .org
        .id;
    let (token, _) = coi_register::cli::add_user(
        &mut c,
        "lead@test.example",
        Role::Governance,
        &[slug.into()],
        None,
    )
    .expect("user");
    (org_id, token)
}
