//! Who may use what. Every route of the route table, with every role and signed out, by
//! bearer token and by browser session; CSRF tokens; sessions of signed-out and disabled
//! accounts; throttled sign-in; and a declarant guessing the ids of others' entries.

use crate::both_backends;
use crate::helpers::{declaration, sql, Account, Backend, Browser, Page, TestApp};
use coi_register::domain::org::{NewOrg, OrgSettings, OrgSlug};
use coi_register::store::users::Role;
use coi_register::web::routes::{self, Access, Method, RouteSpec};
use serde_json::{json, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    SignedOut,
    Admin,
    Governance,
    Declarant,
    Auditor,
    /// A governance lead of another organisation.
    OtherGovernance,
}

/// The class of answer a route's declared access calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// 401 from the API; the web app sends the browser to the sign-in page.
    SignIn,
    /// 403.
    Forbidden,
    /// Anything but those (and never a server error): authorisation let it through.
    Allowed,
}

/// Written from the roles' descriptions, not from the code that enforces them.
fn expected(access: Access, who: Who) -> Class {
    use Who::*;
    match (access, who) {
        (Access::Public, _) => Class::Allowed,
        (_, SignedOut) => Class::SignIn,
        (Access::SignedIn, _) => Class::Allowed,
        (Access::Governance, Admin | Governance) => Class::Allowed,
        (Access::Governance, _) => Class::Forbidden,
        (Access::GovernanceOrOwnPerson, Admin | Governance | Declarant) => Class::Allowed,
        (Access::GovernanceOrOwnPerson, _) => Class::Forbidden,
        (Access::Reader, Admin | Governance | Declarant | Auditor) => Class::Allowed,
        (Access::Reader, _) => Class::Forbidden,
    }
}

/// Every route and who may use it, written out here by hand from the roles' descriptions
/// (README, "Who uses it"), not read from the route table: the matrix below checks the
/// service's answers against this list, and a test checks that the route table declares
/// exactly these routes with exactly this access, so a route added or loosened in one place
/// only fails until the other agrees.
#[rustfmt::skip] // one route a line, as in the route table
const EXPECTED: &[(Method, &str, Access)] = {
    use Access::{Governance, GovernanceOrOwnPerson, Public, Reader, SignedIn};
    use Method::{Get, Post};
    &[
        (Get, "/admin", SignedIn),
        (Get, "/admin/sign-in", Public),
        (Post, "/admin/sign-in", Public),
        (Post, "/admin/sign-out", SignedIn),
        (Get, "/admin/orgs/{org}/declarations", Reader),
        (Get, "/admin/orgs/{org}/declarations/new", GovernanceOrOwnPerson),
        (Post, "/admin/orgs/{org}/declarations/new", GovernanceOrOwnPerson),
        (Get, "/admin/orgs/{org}/declarations/{id}", Reader),
        (Get, "/admin/orgs/{org}/declarations/{id}/amend", GovernanceOrOwnPerson),
        (Post, "/admin/orgs/{org}/declarations/{id}/amend", GovernanceOrOwnPerson),
        (Post, "/admin/orgs/{org}/declarations/{id}/end", GovernanceOrOwnPerson),
        (Post, "/admin/orgs/{org}/declarations/{id}/withhold", Governance),
        (Post, "/admin/orgs/{org}/declarations/{id}/release", Governance),
        (Post, "/admin/orgs/{org}/declarations/{id}/withdraw", GovernanceOrOwnPerson),
        (Post, "/admin/orgs/{org}/declarations/{id}/accept", Governance),
        (Post, "/admin/orgs/{org}/declarations/{id}/return", Governance),
        (Get, "/admin/orgs/{org}/people", Reader),
        (Get, "/admin/orgs/{org}/people/new", Governance),
        (Post, "/admin/orgs/{org}/people/new", Governance),
        (Get, "/admin/orgs/{org}/people/{slug}/amend", Governance),
        (Post, "/admin/orgs/{org}/people/{slug}/amend", Governance),
        (Get, "/admin/orgs/{org}/people/{slug}/retire", Governance),
        (Post, "/admin/orgs/{org}/people/{slug}/retire", Governance),
        (Post, "/admin/orgs/{org}/people/{slug}/merge", Governance),
        (Get, "/admin/orgs/{org}/returns/new", GovernanceOrOwnPerson),
        (Post, "/admin/orgs/{org}/returns/new", GovernanceOrOwnPerson),
        (Get, "/admin/orgs/{org}/confirmations", Reader),
        (Get, "/admin/orgs/{org}/gifts", Reader),
        (Get, "/admin/orgs/{org}/gifts/new", GovernanceOrOwnPerson),
        (Post, "/admin/orgs/{org}/gifts/new", GovernanceOrOwnPerson),
        (Get, "/admin/orgs/{org}/review", Governance),
        (Post, "/admin/orgs/{org}/review/gifts/{id}/accept", Governance),
        (Post, "/admin/orgs/{org}/review/gifts/{id}/return", Governance),
        (Post, "/admin/orgs/{org}/review/returns/{id}/accept", Governance),
        (Post, "/admin/orgs/{org}/review/returns/{id}/return", Governance),
        (Get, "/admin/orgs/{org}/committees", Reader),
        (Get, "/admin/orgs/{org}/committees/new", Governance),
        (Post, "/admin/orgs/{org}/committees/new", Governance),
        (Get, "/admin/orgs/{org}/committees/{slug}", Reader),
        (Get, "/admin/orgs/{org}/committees/{slug}/amend", Governance),
        (Post, "/admin/orgs/{org}/committees/{slug}/amend", Governance),
        (Get, "/admin/orgs/{org}/committees/{slug}/members/new", Governance),
        (Post, "/admin/orgs/{org}/committees/{slug}/members/new", Governance),
        (Get, "/admin/orgs/{org}/committees/{slug}/members/{id}", Governance),
        (Post, "/admin/orgs/{org}/committees/{slug}/members/{id}/amend", Governance),
        (Post, "/admin/orgs/{org}/committees/{slug}/members/{id}/end", Governance),
        (Get, "/admin/orgs/{org}/committees/{slug}/meetings/new", Governance),
        (Post, "/admin/orgs/{org}/committees/{slug}/meetings/new", Governance),
        (Get, "/admin/orgs/{org}/committees/{slug}/meetings/{id}", Reader),
        (Get, "/admin/orgs/{org}/committees/{slug}/meetings/{id}/amend", Governance),
        (Post, "/admin/orgs/{org}/committees/{slug}/meetings/{id}/amend", Governance),
        (Get, "/admin/orgs/{org}/committees/{slug}/meetings/{id}/items/new", Governance),
        (Post, "/admin/orgs/{org}/committees/{slug}/meetings/{id}/items/new", Governance),
        (Get, "/admin/orgs/{org}/committees/{slug}/items/{id}/amend", Governance),
        (Post, "/admin/orgs/{org}/committees/{slug}/items/{id}/amend", Governance),
        (Get, "/admin/orgs/{org}/committees/{slug}/items/{id}/outcome", Governance),
        (Post, "/admin/orgs/{org}/committees/{slug}/items/{id}/outcome", Governance),
        (Get, "/admin/orgs/{org}/gifts/{id}", Reader),
        (Get, "/admin/orgs/{org}/gifts/{id}/amend", GovernanceOrOwnPerson),
        (Post, "/admin/orgs/{org}/gifts/{id}/amend", GovernanceOrOwnPerson),
        (Post, "/admin/orgs/{org}/gifts/{id}/withhold", Governance),
        (Post, "/admin/orgs/{org}/gifts/{id}/release", Governance),
        (Post, "/admin/orgs/{org}/gifts/{id}/withdraw", GovernanceOrOwnPerson),
        (Post, "/admin/orgs/{org}/gifts/{id}/accept", Governance),
        (Post, "/admin/orgs/{org}/gifts/{id}/return", Governance),
        (Get, "/admin/orgs/{org}/decisions", Reader),
        (Get, "/admin/orgs/{org}/decisions/new", Governance),
        (Post, "/admin/orgs/{org}/decisions/new", Governance),
        (Get, "/admin/orgs/{org}/decisions/{id}", Reader),
        (Get, "/admin/orgs/{org}/decisions/{id}/amend", Governance),
        (Post, "/admin/orgs/{org}/decisions/{id}/amend", Governance),
        (Post, "/admin/orgs/{org}/decisions/{id}/withdraw", Governance),
        (Get, "/admin/orgs/{org}/breaches", Reader),
        (Get, "/admin/orgs/{org}/breaches/new", Governance),
        (Post, "/admin/orgs/{org}/breaches/new", Governance),
        (Get, "/admin/orgs/{org}/breaches/{id}/amend", Governance),
        (Post, "/admin/orgs/{org}/breaches/{id}/amend", Governance),
        (Get, "/admin/orgs/{org}/gp-earnings", Reader),
        (Get, "/admin/orgs/{org}/gp-earnings/new", Governance),
        (Post, "/admin/orgs/{org}/gp-earnings/new", Governance),
        (Get, "/admin/orgs/{org}/gp-earnings/{id}/amend", Governance),
        (Post, "/admin/orgs/{org}/gp-earnings/{id}/amend", Governance),
        (Post, "/admin/orgs/{org}/gp-earnings/{id}/withdraw", Governance),
        (Get, "/admin/orgs/{org}/editions", Governance),
        (Post, "/admin/orgs/{org}/editions", Governance),
        (Get, "/admin/orgs/{org}/import", Governance),
        (Post, "/admin/orgs/{org}/import", Governance),
        (Get, "/{org}/registers/as-at/", Public),
        (Get, "/{org}/registers/as-at/{date}", Public),
        (Get, "/{org}/registers/as-at/{date}/", Public),
        (Get, "/{org}/registers/as-at/{date}/{file}", Public),
        (Get, "/healthz", Public),
        (Get, "/api/v1/openapi.json", Public),
        (Get, "/api/v1/orgs", Public),
        (Get, "/api/v1/orgs/{org}", Public),
        (Get, "/api/v1/orgs/{org}/people", Public),
        (Get, "/api/v1/orgs/{org}/people/{slug}", Public),
        (Post, "/api/v1/orgs/{org}/people", Governance),
        (Post, "/api/v1/orgs/{org}/people/{slug}/amend", Governance),
        (Post, "/api/v1/orgs/{org}/people/{slug}/retire", Governance),
        (Post, "/api/v1/orgs/{org}/people/{slug}/merge", Governance),
        (Get, "/api/v1/orgs/{org}/declarations", Public),
        (Get, "/api/v1/orgs/{org}/declarations/{id}", Public),
        (Get, "/api/v1/orgs/{org}/declarations/{id}/versions", Public),
        (Post, "/api/v1/orgs/{org}/declarations", GovernanceOrOwnPerson),
        (Post, "/api/v1/orgs/{org}/declarations/{id}/amend", GovernanceOrOwnPerson),
        (Post, "/api/v1/orgs/{org}/declarations/{id}/end", GovernanceOrOwnPerson),
        (Post, "/api/v1/orgs/{org}/declarations/{id}/withdraw", GovernanceOrOwnPerson),
        (Post, "/api/v1/orgs/{org}/declarations/{id}/withhold", Governance),
        (Post, "/api/v1/orgs/{org}/declarations/{id}/release", Governance),
        (Post, "/api/v1/orgs/{org}/declarations/{id}/accept", Governance),
        (Post, "/api/v1/orgs/{org}/declarations/{id}/return", Governance),
        (Get, "/api/v1/orgs/{org}/gifts", Public),
        (Get, "/api/v1/orgs/{org}/gifts/{id}", Public),
        (Post, "/api/v1/orgs/{org}/gifts", GovernanceOrOwnPerson),
        (Post, "/api/v1/orgs/{org}/gifts/{id}/amend", GovernanceOrOwnPerson),
        (Post, "/api/v1/orgs/{org}/gifts/{id}/withdraw", GovernanceOrOwnPerson),
        (Post, "/api/v1/orgs/{org}/gifts/{id}/withhold", Governance),
        (Post, "/api/v1/orgs/{org}/gifts/{id}/release", Governance),
        (Post, "/api/v1/orgs/{org}/gifts/{id}/accept", Governance),
        (Post, "/api/v1/orgs/{org}/gifts/{id}/return", Governance),
        (Post, "/api/v1/orgs/{org}/nil-returns", GovernanceOrOwnPerson),
        (Post, "/api/v1/orgs/{org}/confirmations", GovernanceOrOwnPerson),
        (Post, "/api/v1/orgs/{org}/returns/{id}/accept", Governance),
        (Post, "/api/v1/orgs/{org}/returns/{id}/return", Governance),
        (Get, "/api/v1/orgs/{org}/committees", Public),
        (Get, "/api/v1/orgs/{org}/committees/{slug}", Public),
        (Get, "/api/v1/orgs/{org}/meetings/{id}", Public),
        (Get, "/api/v1/orgs/{org}/items/{id}", Public),
        (Post, "/api/v1/orgs/{org}/committees", Governance),
        (Post, "/api/v1/orgs/{org}/committees/{slug}/amend", Governance),
        (Post, "/api/v1/orgs/{org}/committees/{slug}/members", Governance),
        (Post, "/api/v1/orgs/{org}/committees/{slug}/members/{id}/amend", Governance),
        (Post, "/api/v1/orgs/{org}/committees/{slug}/members/{id}/end", Governance),
        (Post, "/api/v1/orgs/{org}/committees/{slug}/meetings", Governance),
        (Post, "/api/v1/orgs/{org}/meetings/{id}/amend", Governance),
        (Post, "/api/v1/orgs/{org}/meetings/{id}/items", Governance),
        (Post, "/api/v1/orgs/{org}/items/{id}/amend", Governance),
        (Post, "/api/v1/orgs/{org}/items/{id}/outcome", Governance),
        (Get, "/api/v1/orgs/{org}/decisions", Public),
        (Get, "/api/v1/orgs/{org}/decisions/{reference}", Public),
        (Post, "/api/v1/orgs/{org}/decisions", Governance),
        (Post, "/api/v1/orgs/{org}/decisions/{reference}/amend", Governance),
        (Post, "/api/v1/orgs/{org}/decisions/{reference}/withdraw", Governance),
        (Get, "/api/v1/orgs/{org}/breaches", Public),
        (Post, "/api/v1/orgs/{org}/breaches", Governance),
        (Post, "/api/v1/orgs/{org}/breaches/{id}/amend", Governance),
        (Get, "/api/v1/orgs/{org}/gp-earnings", Public),
        (Get, "/api/v1/orgs/{org}/gp-earnings/{id}", Public),
        (Post, "/api/v1/orgs/{org}/gp-earnings", Governance),
        (Post, "/api/v1/orgs/{org}/gp-earnings/{id}/amend", Governance),
        (Post, "/api/v1/orgs/{org}/gp-earnings/{id}/withdraw", Governance),
        (Post, "/api/v1/orgs/{org}/editions", Governance),
        (Get, "/api/v1/orgs/{org}/audit/head", Public),
        (Get, "/api/v1/orgs/{org}/audit/entries", Public),
        (Get, "/api/v1/orgs/{org}/audit/checkpoints", Public),
        (Get, "/api/v1/orgs/{org}/audit/proof/inclusion", Public),
        (Get, "/api/v1/orgs/{org}/audit/proof/consistency", Public),
    ]
};

/// The access written in [`EXPECTED`] for a route of the table.
fn written(spec: &RouteSpec) -> Access {
    EXPECTED
        .iter()
        .find(|(m, p, _)| *m == spec.method && *p == spec.path)
        .map(|(_, _, a)| *a)
        .unwrap_or_else(|| panic!("{spec:?} is not in EXPECTED: write down who may use it"))
}

#[test]
fn the_route_table_declares_exactly_the_routes_and_access_written_here() {
    for spec in routes::table() {
        assert_eq!(spec.access, written(spec), "{spec:?}");
    }
    for (method, path, _) in EXPECTED {
        assert!(
            routes::table()
                .iter()
                .any(|s| s.method == *method && s.path == *path),
            "{} {path} is expected but the service has no such route",
            method.as_str()
        );
    }
}

fn class_of(spec: &RouteSpec, answer: &Page) -> Result<Class, String> {
    match answer.status {
        s if s >= 500 => Err(format!("server error {s}: {}", answer.body)),
        401 if spec.is_page() => Err("a page answered 401 instead of sending to sign-in".into()),
        401 => Ok(Class::SignIn),
        303 if spec.is_page() && answer.location.as_deref() == Some("/admin/sign-in") => {
            Ok(Class::SignIn)
        }
        403 => Ok(Class::Forbidden),
        _ => Ok(Class::Allowed),
    }
}

fn gift(person: &str) -> Value {
    json!({"person": person, "giver": "Acme Medical Ltd", "giver_is_supplier": false, "kind": "gift",
           "description": "A book token", "value_pence": 2000, "offered_on": "2026-05-01", "outcome": "declined"})
}

fn id_of(record: &Value) -> String {
    match &record["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An account to make: who, email, role, organisations, a declarant's person.
type Plan<'a> = (Who, &'a str, Role, &'a [&'a str], Option<&'a str>);

/// An app with an account of every role, each signed in once.
struct World {
    app: TestApp,
    accounts: Vec<(Who, Account, Browser)>,
    own_person: String,
    own_declaration: String,
    own_gift: String,
}

impl World {
    fn new(backend: Backend) -> World {
        let app = TestApp::spawn(backend);
        {
            let mut c = app.conn();
            let other = NewOrg {
                slug: OrgSlug::parse("other-ccg").unwrap(),
                name: "NHS Other CCG".into(),
            };
            coi_register::store::orgs::create(&mut c, "system", &other, OrgSettings::default())
                .expect("another organisation");
        }
        let own_person = app.add_person("Dr Own Declarant", true);
        let own_declaration = id_of(&app.declare(&own_person, "Partner in Riverside Surgery"));
        let (s, g) = app.post("/gifts", gift(&own_person));
        assert_eq!(s, 201, "{g}");
        let own_gift = id_of(&g);
        let plan: [Plan; 5] = [
            (Who::Admin, "admin@test.example", Role::Admin, &[], None),
            (
                Who::Governance,
                "governance@test.example",
                Role::Governance,
                &["test-ccg"],
                None,
            ),
            (
                Who::Declarant,
                "declarant@test.example",
                Role::Declarant,
                &["test-ccg"],
                Some(&own_person),
            ),
            (
                Who::Auditor,
                "auditor@test.example",
                Role::Auditor,
                &["test-ccg"],
                None,
            ),
            (
                Who::OtherGovernance,
                "lead@other.example",
                Role::Governance,
                &["other-ccg"],
                None,
            ),
        ];
        let accounts = plan
            .into_iter()
            .map(|(who, email, role, orgs, person)| {
                let account = app.account(email, role, orgs, person);
                let browser = app.sign_in(&account);
                (who, account, browser)
            })
            .collect();
        World {
            app,
            accounts,
            own_person,
            own_declaration,
            own_gift,
        }
    }

    fn account(&self, who: Who) -> &(Who, Account, Browser) {
        self.accounts
            .iter()
            .find(|a| a.0 == who)
            .expect("an account")
    }

    /// The route's path with harmless values: the declarant's own person and entries,
    /// and ids that name nothing elsewhere.
    fn path(&self, spec: &RouteSpec) -> String {
        let mut p = spec
            .path
            .replace("{org}", "test-ccg")
            .replace("{reference}", "no-such-decision");
        p = if p.contains("/people/{slug}") {
            p.replace("{slug}", &self.own_person)
        } else {
            p.replace("{slug}", "no-such-committee")
        };
        if p.contains("/declarations/{id}") {
            p = p.replace("{id}", &self.own_declaration);
        } else if p.contains("/gifts/{id}") {
            p = p.replace("{id}", &self.own_gift);
        }
        p.replace("{id}", "999999")
    }

    /// A body that names the declarant's own person but is never complete, so nothing
    /// is written whoever sends it.
    fn body(&self, spec: &RouteSpec) -> String {
        let path = spec.path;
        if path.ends_with("/declarations") || path.ends_with("/gifts") {
            json!({"person": self.own_person}).to_string()
        } else if path.ends_with("/nil-returns") || path.ends_with("/confirmations") {
            json!({"person": self.own_person, "made_on": "not a date"}).to_string()
        } else {
            "{}".into()
        }
    }

    /// Send the route's request as `who`: by session (`by_token` false) or bearer token.
    fn ask(&self, spec: &RouteSpec, who: Who, by_token: bool) -> Page {
        let app = &self.app;
        let path = self.path(spec);
        let account = (who != Who::SignedOut).then(|| self.account(who));
        if spec.is_page() {
            let cookie = account.map(|a| a.2.cookie.clone());
            return match (spec.method, spec.path) {
                (Method::Get, _) => app.browse(&path, cookie.as_deref()),
                (Method::Post, "/admin/sign-in") => {
                    let (csrf, form_cookie) = app.sign_in_form();
                    let cookies = match cookie {
                        Some(c) => format!("{c}; {form_cookie}"),
                        None => form_cookie,
                    };
                    app.submit(
                        &path,
                        Some(&cookies),
                        &[("csrf_token", &csrf), ("email", ""), ("password", "")],
                    )
                }
                (Method::Post, "/admin/sign-out") => match account {
                    // A session of its own, so the shared one lives on.
                    Some(a) => {
                        let fresh = app.sign_in(&a.1);
                        app.submit(&path, Some(&fresh.cookie), &[("csrf_token", &fresh.csrf)])
                    }
                    None => app.submit(&path, None, &[("csrf_token", "x")]),
                },
                // The entry, people, decision and breach forms: the session's own token, and a version
                // no record has (and no fields), so nothing is written whoever sends it.
                (Method::Post, p)
                    if p.starts_with("/admin/orgs/{org}/declarations/")
                        || p.starts_with("/admin/orgs/{org}/people/")
                        || p.starts_with("/admin/orgs/{org}/returns/")
                        || p.starts_with("/admin/orgs/{org}/gifts/")
                        || p.starts_with("/admin/orgs/{org}/review/")
                        || p.starts_with("/admin/orgs/{org}/committees/")
                        || p.starts_with("/admin/orgs/{org}/decisions/")
                        || p.starts_with("/admin/orgs/{org}/breaches/")
                        || p.starts_with("/admin/orgs/{org}/gp-earnings/")
                        || p == "/admin/orgs/{org}/import"
                        || p == "/admin/orgs/{org}/editions" =>
                {
                    let csrf = account.map(|a| a.2.csrf.clone()).unwrap_or_default();
                    app.submit(
                        &path,
                        cookie.as_deref(),
                        &[("csrf_token", &csrf), ("version", "999999")],
                    )
                }
                (Method::Post, other) => panic!("no harmless form for {other}: add one here"),
            };
        }
        let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
        if let Some((_, account, browser)) = account {
            if by_token {
                headers.push(("Authorization".into(), format!("Bearer {}", account.token)));
            } else {
                headers.push(("Cookie".into(), browser.cookie.clone()));
                headers.push(("X-CSRF-Token".into(), browser.csrf.clone()));
            }
        }
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let body = self.body(spec);
        match spec.method {
            Method::Get => app.send("GET", &path, &headers, None),
            Method::Post => app.send("POST", &path, &headers, Some(&body)),
        }
    }
}

fn every_route_answers_every_role_as_its_access_declares(b: Backend) {
    let w = World::new(b);
    let head = w.app.head();
    let whos = [
        Who::SignedOut,
        Who::Admin,
        Who::Governance,
        Who::Declarant,
        Who::Auditor,
        Who::OtherGovernance,
    ];
    let mut wrong = Vec::new();
    let mut asked = 0;
    for spec in routes::table() {
        for who in whos {
            let ways: &[bool] = if who == Who::SignedOut || spec.is_page() {
                &[false]
            } else {
                &[true, false]
            };
            for &by_token in ways {
                let answer = w.ask(spec, who, by_token);
                asked += 1;
                let want = expected(written(spec), who);
                let how = if by_token { "token" } else { "session" };
                match class_of(spec, &answer) {
                    // Refused by the route's declared access, before its handler ran.
                    Ok(Class::Forbidden) if want == Class::Forbidden && !spec.is_page() => {
                        let guard = if who == Who::OtherGovernance {
                            "does not belong to this organisation"
                        } else {
                            "role may not do this"
                        };
                        if !answer.body.contains(guard) {
                            wrong.push(format!(
                                "{spec:?} as {who:?} by {how}: refused by the handler, not the route table: {}",
                                answer.body
                            ));
                        }
                    }
                    Ok(got) if got == want => {}
                    Ok(got) => wrong.push(format!(
                        "{spec:?} as {who:?} by {how}: wanted {want:?}, got {got:?} ({} {})",
                        answer.status, answer.body
                    )),
                    Err(why) => wrong.push(format!("{spec:?} as {who:?} by {how}: {why}")),
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {asked} answers were wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(asked > 300, "only {asked} requests");
    assert_eq!(w.app.head(), head, "the matrix's requests changed nothing");
}

/// The table's own promises: no write is public but signing in, every API read is public
/// (handlers show each caller what they may see), and no route is declared twice.
#[test]
fn the_route_table_declares_no_public_writes_and_no_route_twice() {
    let mut seen = std::collections::BTreeSet::new();
    for spec in routes::table() {
        match (spec.method, spec.path) {
            (Method::Post, "/admin/sign-in") => assert_eq!(spec.access, Access::Public),
            (Method::Post, _) => assert_ne!(spec.access, Access::Public, "{spec:?}"),
            (Method::Get, p) if p.starts_with("/api/") => {
                assert_eq!(spec.access, Access::Public, "{spec:?}")
            }
            (Method::Get, _) => {}
        }
        assert!(!spec.summary.is_empty(), "{spec:?} says what it does");
        assert!(
            seen.insert((spec.method.as_str(), spec.path)),
            "{spec:?} twice"
        );
    }
}

fn a_form_or_api_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(b: Backend) {
    let w = World::new(b);
    let app = &w.app;
    let (_, lead, browser) = w.account(Who::Governance);
    let head = app.head();

    // The sign-out form without its token, or with another session's, does nothing.
    let (_, _, other) = w.account(Who::Auditor);
    for token in ["", "not-the-token", other.csrf.as_str()] {
        let answer = app.submit(
            "/admin/sign-out",
            Some(&browser.cookie),
            &[("csrf_token", token)],
        );
        assert_eq!(answer.status, 403, "token {token:?}: {}", answer.body);
        assert!(answer.body.contains("This form has expired"));
    }
    assert_eq!(app.browse("/admin", Some(&browser.cookie)).status, 200);

    // The sign-in form needs the token its own cookie vouches for.
    let (csrf, cookie) = app.sign_in_form();
    let (other_csrf, _) = app.sign_in_form();
    let fields = |t: &str| {
        vec![
            ("csrf_token", t.to_owned()),
            ("email", lead.email.clone()),
            ("password", lead.password.clone()),
        ]
    };
    for (cookie, token) in [
        (None, csrf.as_str()),
        (Some(cookie.as_str()), ""),
        (Some(cookie.as_str()), other_csrf.as_str()),
        (Some("coi_sign_in=forged.1999999999.AAAA"), csrf.as_str()),
    ] {
        let f = fields(token);
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let answer = app.submit("/admin/sign-in", cookie, &f);
        assert_eq!(answer.status, 403, "{cookie:?} {token:?}");
        assert_eq!(answer.cookie("coi_session"), None, "no session");
    }

    // A browser session's API write needs X-CSRF-Token; a bearer token does not.
    let body = declaration(&w.own_person, "Shares in Example Health Ltd").to_string();
    let path = "/api/v1/orgs/test-ccg/declarations";
    for token in [None, Some("wrong"), Some(other.csrf.as_str())] {
        let mut headers = vec![
            ("Content-Type", "application/json"),
            ("Cookie", browser.cookie.as_str()),
        ];
        if let Some(t) = token {
            headers.push(("X-CSRF-Token", t));
        }
        let answer = app.send("POST", path, &headers, Some(&body));
        assert_eq!(answer.status, 403, "{token:?}: {}", answer.body);
    }
    assert_eq!(app.head(), head, "nothing was written");
    let answer = app.send(
        "POST",
        path,
        &[
            ("Content-Type", "application/json"),
            ("Cookie", &browser.cookie),
            ("X-CSRF-Token", &browser.csrf),
        ],
        Some(&body),
    );
    assert_eq!(answer.status, 201, "{}", answer.body);
    assert_eq!(app.head(), head + 1);
    // Reads need no token.
    let read = app.send("GET", path, &[("Cookie", &browser.cookie)], None);
    assert_eq!(read.status, 200);
}

/// Walked from the route table, so a new form cannot forget its check: every POST route
/// refuses a signed-in browser's request without the session's CSRF token, or with another
/// session's, and nothing is written.
fn every_post_route_refuses_a_session_without_its_csrf_token(b: Backend) {
    let w = World::new(b);
    let app = &w.app;
    let head = app.head();
    let (_, _, admin) = w.account(Who::Admin);
    let (_, _, other) = w.account(Who::Auditor);
    let mut posts = 0;
    for spec in routes::table().iter().filter(|s| s.method == Method::Post) {
        // The sign-in form is checked against its own cookie (before there is a session):
        // see the test above.
        if spec.path == "/admin/sign-in" {
            continue;
        }
        posts += 1;
        let path = w.path(spec);
        for token in [None, Some("not-the-token"), Some(other.csrf.as_str())] {
            let answer = if spec.is_page() {
                let mut fields = vec![("version", "999999")];
                if let Some(t) = token {
                    fields.push(("csrf_token", t));
                }
                app.submit(&path, Some(&admin.cookie), &fields)
            } else {
                let mut headers = vec![
                    ("Content-Type", "application/json"),
                    ("Cookie", admin.cookie.as_str()),
                ];
                if let Some(t) = token {
                    headers.push(("X-CSRF-Token", t));
                }
                app.send("POST", &path, &headers, Some(&w.body(spec)))
            };
            assert_eq!(
                answer.status, 403,
                "{spec:?} with token {token:?} was not refused: {}",
                answer.body
            );
        }
    }
    assert!(posts >= 60, "only {posts} POST routes walked");
    assert_eq!(app.head(), head, "nothing was written");
    assert_eq!(
        app.browse("/admin", Some(&admin.cookie)).status,
        200,
        "still signed in"
    );
}

fn a_signed_out_session_cookie_is_refused_wherever_it_was_copied(b: Backend) {
    let app = TestApp::spawn(b);
    let lead = app.account("lead2@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let copy = browser.cookie.clone();
    let out = app.submit(
        "/admin/sign-out",
        Some(&browser.cookie),
        &[("csrf_token", &browser.csrf)],
    );
    assert_eq!(out.status, 303);
    assert_eq!(out.location.as_deref(), Some("/admin/sign-in?signed-out"));
    assert!(
        out.cookies.iter().any(|c| c == "coi_session="),
        "the browser is told to forget the cookie: {:?}",
        out.cookies
    );
    assert!(app
        .browse("/admin/sign-in?signed-out", None)
        .body
        .contains("You have signed out"));
    let home = app.browse("/admin", Some(&copy));
    assert_eq!(
        (home.status, home.location.as_deref()),
        (303, Some("/admin/sign-in"))
    );
    let api = app.send(
        "GET",
        "/api/v1/orgs/test-ccg/declarations",
        &[("Cookie", &copy)],
        None,
    );
    assert_eq!(api.status, 401, "a stale session is not read as anonymous");
    let again = app.sign_in(&lead);
    assert_ne!(again.cookie, copy, "a new sign-in is a new session");
}

fn a_disabled_accounts_sessions_and_tokens_are_refused(b: Backend) {
    let app = TestApp::spawn(b);
    let lead = app.account("lead2@test.example", Role::Governance, &["test-ccg"], None);
    let browser = app.sign_in(&lead);
    let (s, _) = app.get(&app.api("/declarations"), Some(&lead.token));
    assert_eq!(s, 200);
    {
        let mut c = app.conn();
        let id = coi_register::store::users::id_by_email(&mut c, &lead.email).unwrap();
        coi_register::store::users::disable(&mut c, id).unwrap();
    }
    let home = app.browse("/admin", Some(&browser.cookie));
    assert_eq!(
        (home.status, home.location.as_deref()),
        (303, Some("/admin/sign-in"))
    );
    let (s, _) = app.get(&app.api("/declarations"), Some(&lead.token));
    assert_eq!(s, 401);
    let api = app.send(
        "GET",
        "/api/v1/orgs/test-ccg/declarations",
        &[("Cookie", &browser.cookie)],
        None,
    );
    assert_eq!(api.status, 401);
    let answer = app.try_sign_in(&lead.email, &lead.password);
    assert_eq!(answer.status, 422);
    assert!(answer
        .body
        .contains("The email address or password is not right"));
    assert_eq!(answer.cookie("coi_session"), None);
}

fn sessions_are_signed_http_only_lax_cookies_that_expire(b: Backend) {
    let app = TestApp::spawn(b);
    let lead = app.account("lead2@test.example", Role::Governance, &["test-ccg"], None);
    let answer = app.try_sign_in(&lead.email, &lead.password);
    assert_eq!(answer.status, 303);
    assert_eq!(answer.location.as_deref(), Some("/admin"));
    let set = answer
        .set_cookie
        .iter()
        .find(|c| c.starts_with("coi_session=") && !c.starts_with("coi_session=;"))
        .expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=28800"] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    assert!(!set.contains("Secure"), "plain http here: {set}");
    let cookie = answer.cookie("coi_session").unwrap();
    assert_eq!(app.browse("/admin", Some(&cookie)).status, 200);

    // A cookie this service did not sign is refused; so is one whose session expired.
    let (name_value, tag) = cookie.rsplit_once('.').unwrap();
    let flipped = if tag.starts_with('A') { "B" } else { "A" };
    let forged = format!("{name_value}.{flipped}{}", &tag[1..]);
    assert_eq!(app.browse("/admin", Some(&forged)).status, 303);
    let id = name_value.trim_start_matches("coi_session=");
    let forged_id = format!("coi_session={}x.{tag}", id);
    assert_eq!(app.browse("/admin", Some(&forged_id)).status, 303);
    sql(
        &mut app.conn(),
        "UPDATE sessions SET expires_at = '2000-01-01T00:00:00.000Z'",
    );
    let home = app.browse("/admin", Some(&cookie));
    assert_eq!(
        (home.status, home.location.as_deref()),
        (303, Some("/admin/sign-in"))
    );
    // The sign-in page then tells the browser to forget it.
    let form = app.browse("/admin/sign-in", Some(&cookie));
    assert!(form.cookies.iter().any(|c| c == "coi_session="));
    // A bearer token does not sign in to the web app.
    let page = app.send(
        "GET",
        "/admin",
        &[("Authorization", &format!("Bearer {}", lead.token))],
        None,
    );
    assert_eq!(page.status, 303);
    // The key that signs the cookies is the data directory's own, readable by nobody else.
    let key = std::path::Path::new(&app.site)
        .parent()
        .unwrap()
        .join("session.key");
    let meta = std::fs::metadata(&key).expect("session.key in the data directory");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    }
    let _ = meta;
}

fn sign_in_errors_are_shown_the_gov_uk_way_and_never_say_which_was_wrong(b: Backend) {
    let app = TestApp::spawn(b);
    let lead = app.account("lead2@test.example", Role::Governance, &["test-ccg"], None);
    let empty = app.try_sign_in("", "");
    assert_eq!(empty.status, 422);
    for text in [
        "There is a problem",
        "<a href=\"#email\">Enter your email address</a>",
        "<a href=\"#password\">Enter your password</a>",
        "nhsuk-form-group--error",
        "aria-describedby=\"email-error\"",
        "<title>Error: Sign in",
    ] {
        assert!(empty.body.contains(text), "{text} in {}", empty.body);
    }
    let malformed = app.try_sign_in("not-an-email", "x");
    assert!(malformed
        .body
        .contains("Enter an email address in the correct format, like name@example.com"));
    assert!(
        malformed.body.contains("value=\"not-an-email\""),
        "the input is kept"
    );
    // A wrong password and an unknown email read the same.
    let summary = |p: &Page| {
        let start = p
            .body
            .find("nhsuk-error-summary")
            .expect("an error summary");
        let end = p.body.find("<h1>").unwrap();
        p.body[start..end].to_owned()
    };
    let wrong_password = app.try_sign_in(&lead.email, "not the password at all");
    let unknown = app.try_sign_in("nobody@test.example", "not the password at all");
    assert_eq!(wrong_password.status, 422);
    assert_eq!(unknown.status, 422);
    assert_eq!(summary(&wrong_password), summary(&unknown));
    assert!(summary(&unknown).contains("The email address or password is not right"));
    assert!(!wrong_password.body.contains("not the password at all"));
}

fn five_failed_sign_ins_lock_that_email_for_fifteen_minutes(b: Backend) {
    let app = TestApp::spawn(b);
    let lead = app.account("lead2@test.example", Role::Governance, &["test-ccg"], None);
    let other = app.account("other@test.example", Role::Governance, &["test-ccg"], None);
    for _ in 0..5 {
        assert_eq!(app.try_sign_in(&lead.email, "wrong password!").status, 422);
        assert_eq!(
            app.try_sign_in("nobody@test.example", "wrong password!")
                .status,
            422
        );
    }
    // Locked, even with the right password; an unknown email is locked alike.
    let locked = app.try_sign_in(&lead.email, &lead.password);
    assert_eq!(locked.status, 429, "{}", locked.body);
    assert!(locked.body.contains("too many attempts"));
    assert_eq!(locked.cookie("coi_session"), None);
    let unknown = app.try_sign_in("nobody@test.example", "wrong password!");
    assert_eq!(unknown.status, 429);
    // Emails are locked one by one, case and spaces aside.
    let upper = app.try_sign_in(&format!("  {}", lead.email.to_uppercase()), &lead.password);
    assert_eq!(upper.status, 429);
    app.sign_in(&other);
    // The failures are kept in the database; once they are 15 minutes old, the lock lifts.
    sql(
        &mut app.conn(),
        "UPDATE sign_in_attempts SET at = '2000-01-01T00:00:00.000Z'",
    );
    app.sign_in(&lead);
}

fn a_declarant_cannot_read_or_change_another_persons_entries_by_guessing_ids(b: Backend) {
    let app = TestApp::spawn(b);
    let own = app.add_person("Dr Own Declarant", true);
    let declarant = app.account(
        "own@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&own),
    );
    let browser = app.sign_in(&declarant);
    // Someone else: staff who are not decision-making, so nothing of theirs is public.
    let other = app.add_person("Ms Other Person", false);
    let secret = "Directorship of Hidden Holdings Ltd";
    let d = id_of(&app.declare(&other, secret));
    let (s, g) = app.post("/gifts", gift(&other));
    assert_eq!(s, 201, "{g}");
    let g = id_of(&g);
    // A published entry of a third person: readable by all, changeable by none of them.
    let third = app.add_person("Dr Third Person", true);
    let public = id_of(&app.declare(&third, "Partner in Hillside Practice"));
    let head = app.head();

    let as_token = vec![
        ("Content-Type", "application/json".to_owned()),
        ("Authorization", format!("Bearer {}", declarant.token)),
    ];
    let as_session = vec![
        ("Content-Type", "application/json".to_owned()),
        ("Cookie", browser.cookie.clone()),
        ("X-CSRF-Token", browser.csrf.clone()),
    ];
    for headers in [as_token, as_session] {
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let api = |p: &str| format!("/api/v1/orgs/test-ccg{p}");
        for path in [
            format!("/declarations/{d}"),
            format!("/declarations/{d}/versions"),
            format!("/gifts/{g}"),
            "/people/ms-other-person".to_owned(),
        ] {
            let r = app.send("GET", &api(&path), &h, None);
            assert_eq!(r.status, 404, "GET {path}: {}", r.body);
            assert!(!r.body.contains(secret) && !r.body.contains("book token"));
        }
        for path in ["/declarations", "/gifts", "/people"] {
            let r = app.send("GET", &api(path), &h, None);
            assert_eq!(r.status, 200);
            assert!(
                !r.body.contains(secret)
                    && !r.body.contains("book token")
                    && !r.body.contains("ms-other-person"),
                "GET {path} lists only what the declarant may see: {}",
                r.body
            );
        }
        for (path, body) in [
            (
                format!("/declarations/{d}/amend"),
                json!({"version": 1, "description": "x"}),
            ),
            (
                format!("/declarations/{d}/end"),
                json!({"version": 1, "ended_on": "2026-02-01"}),
            ),
            (
                format!("/declarations/{d}/withdraw"),
                json!({"version": 1, "reason": "x"}),
            ),
            (
                format!("/gifts/{g}/amend"),
                json!({"version": 1, "description": "x"}),
            ),
            (
                format!("/gifts/{g}/withdraw"),
                json!({"version": 1, "reason": "x"}),
            ),
        ] {
            let r = app.send("POST", &api(&path), &h, Some(&body.to_string()));
            assert!(
                r.status == 404 || r.status == 403,
                "POST {path}: {} {}",
                r.status,
                r.body
            );
            assert!(!r.body.contains(secret));
        }
        for (path, body) in [
            (
                format!("/declarations/{public}/amend"),
                json!({"version": 1, "description": "x"}),
            ),
            (
                format!("/declarations/{public}/withdraw"),
                json!({"version": 1, "reason": "x"}),
            ),
            (
                format!("/declarations/{public}/withhold"),
                json!({"version": 1, "reason": "x"}),
            ),
            ("/declarations".to_owned(), declaration(&third, "x")),
            ("/declarations".to_owned(), declaration(&other, "x")),
            ("/gifts".to_owned(), gift(&other)),
            ("/nil-returns".to_owned(), json!({"person": other})),
            ("/confirmations".to_owned(), json!({"person": third})),
        ] {
            let r = app.send("POST", &api(&path), &h, Some(&body.to_string()));
            assert_eq!(r.status, 403, "POST {path}: {}", r.body);
        }
        let r = app.send("GET", &api(&format!("/declarations/{public}")), &h, None);
        assert_eq!(r.status, 200, "published entries are public");
    }
    assert_eq!(app.head(), head, "nothing was changed");
    // Their own entries are theirs to read and change.
    let mine = app.send(
        "POST",
        "/api/v1/orgs/test-ccg/declarations",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", &format!("Bearer {}", declarant.token)),
        ],
        Some(&declaration(&own, "Partner in Riverside Surgery").to_string()),
    );
    assert_eq!(mine.status, 201, "{}", mine.body);
}

fn the_home_page_shows_the_account_its_role_and_its_organisations(b: Backend) {
    let app = TestApp::spawn(b);
    let own = app.add_person("Dr Own Declarant", true);
    app.declare(&own, "Partner in Riverside Surgery");
    let declarant = app.account(
        "own@test.example",
        Role::Declarant,
        &["test-ccg"],
        Some(&own),
    );
    let browser = app.sign_in(&declarant);
    let home = app.browse("/admin", Some(&browser.cookie));
    assert_eq!(home.status, 200);
    for text in [
        "own@test.example",
        "Declarant",
        "<a href=\"/test-ccg/interests/dr-own-declarant/\">Dr Own Declarant</a>",
        "action=\"/admin/sign-out\"",
        "Sign out",
    ] {
        assert!(home.body.contains(text), "{text} in {}", home.body);
    }
    assert!(!home.body.contains("<script"), "no JavaScript");
    // Their own entries, not the organisation's counts.
    assert!(home.body.contains("Your entries") && !home.body.contains("Audit entries"));
    // Signed in, the sign-in page sends you home.
    let form = app.browse("/admin/sign-in", Some(&browser.cookie));
    assert_eq!(
        (form.status, form.location.as_deref()),
        (303, Some("/admin"))
    );
}

/// Run the command line against the app's database: (succeeded, stdout, stderr).
fn cli(app: &TestApp, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    run_cli(&app.database_url, args, stdin)
}

fn run_cli(database_url: &str, args: &[&str], stdin: Option<&str>) -> (bool, String, String) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut child = Command::new(env!("CARGO_BIN_EXE_coi-register"))
        .arg("--database-url")
        .arg(database_url)
        .arg("--data-dir")
        .arg(data_dir.path())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run coi-register");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    let out = child.wait_with_output().expect("coi-register ends");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The value printed after `label` on a line of its own.
fn printed(out: &str, label: &str) -> String {
    out.lines()
        .find_map(|l| l.strip_prefix(label))
        .unwrap_or_else(|| panic!("{label:?} in {out}"))
        .trim()
        .to_owned()
}

fn user_commands_add_list_disable_and_reset_passwords(b: Backend) {
    let app = TestApp::spawn(b);
    let (ok, out, err) = cli(
        &app,
        &[
            "user",
            "add",
            "--role",
            "governance",
            "--org",
            "test-ccg",
            " New.Lead@Test.example",
        ],
        None,
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("created governance account new.lead@test.example"),
        "{out}"
    );
    let lead = Account {
        email: "new.lead@test.example".into(),
        password: printed(&out, "password (shown once; keep it safe): "),
        token: printed(&out, "API token (shown once; keep it safe): "),
    };
    assert!(lead.password.len() >= 20, "a strong generated password");
    let (s, _) = app.post_raw(&app.api("/people"), Some(&lead.token), "{}");
    assert_eq!(s, 422, "the token writes (and the empty person is refused)");
    let browser = app.sign_in(&lead);

    // A password from standard input is never printed.
    let (ok, out, err) = cli(
        &app,
        &[
            "user",
            "add",
            "--role",
            "auditor",
            "--org",
            "test-ccg",
            "--password-stdin",
            "aud@test.example",
        ],
        Some("correct horse battery staple\n"),
    );
    assert!(ok, "{err}");
    assert!(!out.contains("correct horse") && !out.contains("password (shown once"));
    app.sign_in(&Account {
        email: "aud@test.example".into(),
        password: "correct horse battery staple".into(),
        token: printed(&out, "API token (shown once; keep it safe): "),
    });

    // Clear errors, a non-zero exit, and nothing created.
    for (args, stdin, why) in [
        (
            vec![
                "user",
                "add",
                "--role",
                "auditor",
                "--org",
                "test-ccg",
                "--password-stdin",
                "short@test.example",
            ],
            Some("short\n"),
            "at least 12 characters",
        ),
        (
            vec![
                "user",
                "add",
                "--role",
                "governance",
                "--org",
                "nope",
                "x@test.example",
            ],
            None,
            "organisation \"nope\" not found",
        ),
        (
            vec![
                "user",
                "add",
                "--role",
                "chief",
                "--org",
                "test-ccg",
                "x@test.example",
            ],
            None,
            "invalid value 'chief'",
        ),
        (
            vec![
                "user",
                "add",
                "--role",
                "declarant",
                "--org",
                "test-ccg",
                "--person",
                "nobody",
                "x@test.example",
            ],
            None,
            "person \"nobody\" not found",
        ),
        (
            vec![
                "user",
                "add",
                "--role",
                "declarant",
                "--org",
                "test-ccg",
                "x@test.example",
            ],
            None,
            "needs --person",
        ),
        (
            vec![
                "user",
                "add",
                "--role",
                "governance",
                "--org",
                "test-ccg",
                "new.lead@test.example",
            ],
            None,
            "already exists",
        ),
        (
            vec![
                "user",
                "add",
                "--role",
                "governance",
                "--org",
                "test-ccg",
                "not-an-email",
            ],
            None,
            "not an email address",
        ),
        (
            vec!["user", "disable", "nobody@test.example"],
            None,
            "account nobody@test.example not found",
        ),
        (
            vec!["user", "reset-password", "nobody@test.example"],
            None,
            "account nobody@test.example not found",
        ),
    ] {
        let (ok, _, err) = cli(&app, &args, stdin);
        assert!(!ok, "{args:?} must fail");
        assert!(err.contains(why), "{args:?}: {why:?} in {err}");
    }
    let (ok, list, _) = cli(&app, &["user", "list"], None);
    assert!(ok);
    assert!(
        list.contains("new.lead@test.example\tgovernance\ttest-ccg\tactive"),
        "{list}"
    );
    assert!(
        list.contains("aud@test.example\tauditor\ttest-ccg\tactive"),
        "{list}"
    );
    assert!(
        !list.contains("short@") && !list.contains("x@test.example"),
        "{list}"
    );

    // A reset ends the account's sessions; only the new password works.
    let (ok, out, err) = cli(
        &app,
        &["user", "reset-password", "new.lead@test.example"],
        None,
    );
    assert!(ok, "{err}");
    let password = printed(&out, "password (shown once; keep it safe): ");
    assert_ne!(password, lead.password);
    assert_eq!(app.browse("/admin", Some(&browser.cookie)).status, 303);
    assert_eq!(app.try_sign_in(&lead.email, &lead.password).status, 422);
    let lead = Account { password, ..lead };
    let browser = app.sign_in(&lead);

    // Disabling ends everything at once.
    let (ok, out, err) = cli(&app, &["user", "disable", "New.Lead@test.example"], None);
    assert!(ok, "{err}");
    assert!(out.contains("disabled new.lead@test.example"), "{out}");
    assert_eq!(app.browse("/admin", Some(&browser.cookie)).status, 303);
    assert_eq!(
        app.post_raw(&app.api("/people"), Some(&lead.token), "{}").0,
        401
    );
    assert_eq!(app.try_sign_in(&lead.email, &lead.password).status, 422);
    let (_, list, _) = cli(&app, &["user", "list"], None);
    assert!(
        list.contains("new.lead@test.example\tgovernance\ttest-ccg\tdisabled"),
        "{list}"
    );
}

#[test]
fn the_demo_creates_one_account_per_role_and_prints_their_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("coi.db").display());
    let (ok, out, err) = run_cli(&url, &["demo"], None);
    assert!(ok, "{err}");
    let store = coi_register::store::Store::open(&url, 1).unwrap();
    let mut c = store.conn().unwrap();
    for role in ["admin", "governance", "declarant", "auditor"] {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{role} ")))
            .unwrap_or_else(|| panic!("{role} in {out}"));
        let fields: Vec<&str> = line.split_whitespace().collect();
        let (email, password) = (fields[1], fields[2]);
        let (_, hash, disabled) = coi_register::store::users::sign_in_record(&mut c, email)
            .unwrap()
            .expect("the account exists");
        assert!(!disabled);
        assert!(hash.as_deref().is_some_and(|h| h.starts_with("$argon2id$")));
        assert!(coi_register::store::users::verify_password(
            hash.as_deref(),
            password
        ));
    }
    assert!(out.contains("declares for"), "{out}");
    let token = printed(&out, "Demo API token (governance, both organisations): ");
    let principal = coi_register::store::users::by_token(&mut c, &token)
        .unwrap()
        .expect("the printed token works");
    assert_eq!(principal.email, "governance@northshire.example");
    assert_eq!(principal.orgs.len(), 2);
    let (_, list, _) = run_cli(&url, &["user", "list"], None);
    assert!(
        list.contains("declarant@northshire.example\tdeclarant\tnorthshire-ccg (person "),
        "{list}"
    );
}

both_backends!(
    every_route_answers_every_role_as_its_access_declares,
    a_form_or_api_post_without_a_valid_csrf_token_is_refused_and_changes_nothing,
    every_post_route_refuses_a_session_without_its_csrf_token,
    a_signed_out_session_cookie_is_refused_wherever_it_was_copied,
    a_disabled_accounts_sessions_and_tokens_are_refused,
    sessions_are_signed_http_only_lax_cookies_that_expire,
    sign_in_errors_are_shown_the_gov_uk_way_and_never_say_which_was_wrong,
    five_failed_sign_ins_lock_that_email_for_fifteen_minutes,
    a_declarant_cannot_read_or_change_another_persons_entries_by_guessing_ids,
    the_home_page_shows_the_account_its_role_and_its_organisations,
    user_commands_add_list_disable_and_reset_passwords,
);
