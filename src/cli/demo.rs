//! `serve`, and the demo's accounts: one of each role, whose passwords are printed once.

use super::{add_user, generate_password, CliError};
use crate::config::Config;
use crate::domain::accounts::NewPassword;
use crate::store::users::Role;
use crate::store::{AnyConnection, Store, StoreError};

/// A demo account, with the password (and, for the governance lead, the token) to print.
pub struct DemoAccount {
    pub email: &'static str,
    pub role: Role,
    pub password: NewPassword,
    pub token: String,
    /// Who a declarant declares for.
    pub person: Option<String>,
}

/// One account per role for the demo organisations: admin, governance lead, a declarant
/// linked to a decision-making person of the first organisation, and an auditor.
pub fn seed_demo_accounts(
    c: &mut crate::store::AnyConnection,
) -> Result<Vec<DemoAccount>, CliError> {
    let both: Vec<String> = vec!["northshire-ccg".into(), "southdale-ccg".into()];
    let north = crate::store::orgs::by_slug(c, "northshire-ccg")?;
    let declarant = crate::store::people::all(c, north.id)?
        .into_iter()
        .find(|p| p.fields.decision_making)
        .ok_or_else(|| StoreError::NotFound("a decision-making demo person".into()))?;
    let plan: [(&'static str, Role, &[String], Option<&str>); 4] = [
        ("admin@northshire.example", Role::Admin, &both, None),
        (
            "governance@northshire.example",
            Role::Governance,
            &both,
            None,
        ),
        (
            "declarant@northshire.example",
            Role::Declarant,
            &both[..1],
            Some(&declarant.slug),
        ),
        ("auditor@northshire.example", Role::Auditor, &both, None),
    ];
    let mut out = Vec::new();
    let mut ids = Vec::new();
    for (email, role, orgs, person) in plan {
        let (token, id) = add_user(c, email, role, orgs, person)?;
        ids.push((role, id));
        let password = generate_password()?;
        crate::store::users::set_password(c, id, &password)?;
        out.push(DemoAccount {
            email,
            role,
            password,
            token,
            person: person.map(|_| format!("{} ({})", declarant.fields.name, north.name)),
        });
    }
    let id_of = |role: Role| ids.iter().find(|(r, _)| *r == role).map(|(_, id)| *id);
    if let (Some(lead), Some(own)) = (id_of(Role::Governance), id_of(Role::Declarant)) {
        crate::demo::seed_submissions(c, north.id, &declarant.slug, lead, own)?;
    }
    Ok(out)
}

/// Publish the demo's editions (see `demo::editions`), rendered as the site will be.
pub(super) fn seed_demo_editions(c: &mut AnyConnection, config: &Config) -> Result<(), CliError> {
    let base_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.bind.replace("0.0.0.0", "localhost")));
    let publisher = config.publisher(&base_url)?;
    crate::demo::seed_editions(c, &publisher, crate::clock::today())?;
    Ok(())
}

/// Print the demo accounts: where to sign in, and each account's password.
pub(super) fn print_demo_accounts(url: &str, accounts: &[DemoAccount]) {
    println!("Sign in at {url}/admin/sign-in with a demo account (passwords shown once):");
    for a in accounts {
        println!(
            "  {:<11} {:<31} {}{}",
            a.role.code(),
            a.email,
            a.password.expose(),
            a.person
                .as_deref()
                .map(|p| format!("  declares for {p}"))
                .unwrap_or_default()
        );
    }
}

pub(super) fn serve(config: Config, demo: bool) -> Result<(), CliError> {
    let store = Store::open(&config.database_url, config.pool_size)?;
    let mut demo_accounts = None;
    if demo {
        let mut c = store.conn()?;
        if crate::demo::seed_if_empty(&mut c, crate::clock::today())? {
            demo_accounts = Some(seed_demo_accounts(&mut c)?);
            seed_demo_editions(&mut c, &config)?;
        }
    }
    actix_web::rt::System::new().block_on(async move {
        let app = crate::web::Application::build(&config, store)?;
        let url = format!("http://{}", config.bind.replace("0.0.0.0", "localhost"));
        let url = if config.bind.ends_with(":0") { format!("http://127.0.0.1:{}", app.port()) } else { url };
        println!("coi-register is serving the registers at {url}/");
        if let Some(accounts) = demo_accounts {
            println!("Demo data seeded: {url}/northshire-ccg/ and {url}/southdale-ccg/");
            print_demo_accounts(&url, &accounts);
            let lead = accounts.iter().find(|a| a.role == Role::Governance).expect("a demo governance lead");
            println!("Demo governance lead: {}", lead.email);
            println!("Demo API token (governance, both organisations): {}", lead.token);
            println!("Try: curl -H 'Authorization: Bearer {}' {url}/api/v1/orgs/northshire-ccg/declarations", lead.token);
        }
        app.run().await
    })?;
    Ok(())
}
