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
                #[test]
                fn postgres() {
                    if std::env::var("COI_TEST_POSTGRES_URL").is_ok() {
                        super::$name($crate::helpers::Backend::Postgres)
                    }
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
        let (org_id, token) = {
            let mut c = store.conn().expect("conn");
            let org = NewOrg {
                slug: OrgSlug::parse("test-ccg").unwrap(),
                name: "NHS Test CCG".into(),
            };
            coi_register::store::orgs::create(&mut c, "system", &org, OrgSettings::default())
                .expect("create org");
            let (token, _) = coi_register::cli::add_user(
                &mut c,
                "lead@test.example",
                Role::Governance,
                &["test-ccg".into()],
                None,
            )
            .expect("user");
            (
                coi_register::store::orgs::by_slug(&mut c, "test-ccg")
                    .unwrap()
                    .id,
                token,
            )
        };
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

    /// Every file of the generated site, as (relative path, text).
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
                    out.push((rel, std::fs::read_to_string(&p).unwrap_or_default()));
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
