//! The command line: one library function per subcommand, so `main.rs` stays thin.

use crate::audit::{ChainSummary, Failure};
use crate::config::Config;
use crate::domain::accounts::NewPassword;
use crate::store::users::Role;
use crate::store::{Store, StoreError};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "coi-register",
    version,
    about = "Registers of interests, gifts and hospitality for NHS commissioning organisations"
)]
pub struct Cli {
    /// Database: sqlite://path or postgres://… (default: sqlite under the data directory).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Where the database file, keys and generated site live.
    #[arg(long, env = "COI_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Where the public site is generated (default: <data dir>/site).
    #[arg(long, env = "COI_SITE_DIR", global = true)]
    pub site_dir: Option<PathBuf>,
    /// The site's public URL, for links in feeds and the checkpoint key's name
    /// (default: http://<bind>, key name `coi-register`).
    #[arg(long, env = "COI_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the JSON API and the public site.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "COI_BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Seed the two demo organisations first, if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Re-render the whole public site.
    Publish,
    /// Verify an exported chain file, an organisation's chain in the database, or a
    /// live service (with --url), against signed checkpoints.
    Verify {
        /// A JSON Lines export (as /<org>/audit/chain.jsonl).
        file: Option<PathBuf>,
        /// The organisation: its chain in the database, or at --url.
        #[arg(long, conflicts_with = "file")]
        org: Option<String>,
        /// A service's public address: fetch its checkpoint, entries and proofs.
        #[arg(long, requires = "org")]
        url: Option<String>,
        /// With a file: a signed checkpoint the export must match.
        #[arg(long, requires = "file")]
        checkpoint: Option<PathBuf>,
        /// The verifier key (or a file holding it) that must have signed the checkpoints.
        #[arg(long)]
        key: Option<String>,
        /// With --url: a checkpoint saved earlier, which the service's latest must extend.
        #[arg(long, requires = "url")]
        since: Option<PathBuf>,
        /// With --url: save the service's latest checkpoint here, for next time.
        #[arg(long, requires = "url")]
        save: Option<PathBuf>,
    },
    /// Measure the audit chain: verification and Merkle proofs on a generated chain.
    Bench {
        /// Entries in the generated chain.
        #[arg(long, default_value_t = 1_000_000)]
        entries: u64,
        /// Instead, measure publishing on the database: a full publish, then this many
        /// writes timed from commit to live pages (seed with `demo --scale large`).
        #[arg(long)]
        publish_writes: Option<u64>,
    },
    /// Export data.
    Export {
        #[command(subcommand)]
        what: Export,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Import an existing register from CSV: every row is checked first and nothing is
    /// written unless all are valid; each record is written with its own audit entry.
    Import {
        /// What the file holds.
        #[arg(value_enum)]
        kind: crate::import::Kind,
        /// The organisation (slug) to import into.
        #[arg(long)]
        org: String,
        /// The CSV file: a header row naming the fields the JSON API takes.
        file: PathBuf,
    },
    /// Seed the demo organisations into an empty database.
    Demo {
        /// `large`: instead, one organisation with the large-ICB data set of DESIGN.md
        /// (5,000 people, 50,000 declarations, 20,000 gifts, 40 committees, 5,000 decisions).
        #[arg(long, value_enum, default_value_t = DemoScale::Demo)]
        scale: DemoScale,
        /// With --scale large: the organisation's slug.
        #[arg(long, default_value = "large-icb")]
        org: String,
    },
}

/// How much demo data to seed.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemoScale {
    /// The two demo organisations.
    Demo,
    /// One organisation at the scale of a large ICB.
    Large,
}

#[derive(Subcommand, Debug)]
pub enum Export {
    /// An organisation's full audit chain as JSON Lines (payloads included).
    Chain {
        #[arg(long)]
        org: String,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum RoleArg {
    Admin,
    Governance,
    Declarant,
    Auditor,
}

#[derive(Subcommand, Debug)]
pub enum UserAction {
    /// Create an account: prints its password (unless given on standard input) and its
    /// API token, each shown once and stored only as a hash.
    Add {
        email: String,
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The organisation (slug) the account belongs to; repeat for several.
        #[arg(long = "org")]
        orgs: Vec<String>,
        /// For a declarant: the person (slug) they declare for, in the first --org.
        #[arg(long)]
        person: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts: email, role, organisations (with a declarant's person), status.
    List,
    /// Disable an account: its sessions and API tokens stop working at once.
    Disable { email: String },
    /// Set a new password (generated, or read from standard input) and end the
    /// account's sessions.
    ResetPassword {
        email: String,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
}

/// A failure the CLI reports in one line, with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("chain verification failed at {0}")]
    Verify(Failure),
    #[error("{0}")]
    Audit(#[from] crate::auditor::AuditError),
    #[error("{0}")]
    Import(#[from] crate::import::ImportError),
}

impl Cli {
    fn config(&self) -> Config {
        let mut config = Config::with_data_dir(&self.data_dir);
        if let Some(url) = &self.database_url {
            config.database_url.clone_from(url);
        }
        if let Some(site) = &self.site_dir {
            config.site_dir.clone_from(site);
        }
        config.public_url.clone_from(&self.public_url);
        config
    }
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let mut config = cli.config();
    match cli.command {
        Command::Serve { bind, demo } => {
            config.bind = bind;
            serve(config, demo)
        }
        Command::Publish => {
            let store = Store::open(&config.database_url, 2)?;
            let publisher = config.publisher(
                config
                    .public_url
                    .as_deref()
                    .unwrap_or("http://127.0.0.1:8080"),
            )?;
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {elapsed_precise} {pos} files written ({per_sec})",
                )
                .expect("a valid template"),
            );
            let publisher = publisher.with_progress(bar.clone());
            let started = std::time::Instant::now();
            let n = publisher
                .publish_all(&mut *store.conn()?)
                .map_err(StoreError::from)?;
            bar.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            println!(
                "published {n} organisation(s) to {}: {} files in {secs:.1}s ({:.0} files/s)",
                config.site_dir.display(),
                bar.position(),
                bar.position() as f64 / secs.max(1e-9)
            );
            Ok(())
        }
        Command::Verify {
            file: Some(file),
            checkpoint,
            key,
            ..
        } => {
            let key = key.as_deref().map(crate::auditor::read_key).transpose()?;
            let report = crate::auditor::verify_file(&file, checkpoint.as_deref(), key.as_ref())?;
            println!("{report}");
            Ok(())
        }
        Command::Verify {
            org: Some(org),
            url: Some(url),
            key,
            since,
            save,
            ..
        } => {
            let key = key.as_deref().map(crate::auditor::read_key).transpose()?;
            let report = crate::auditor::verify_url(
                &url,
                &org,
                since.as_deref(),
                key.as_ref(),
                save.as_deref(),
            )?;
            println!("{report}");
            Ok(())
        }
        Command::Bench {
            publish_writes: Some(writes),
            ..
        } => Ok(crate::bench::publish(&config, writes)?),
        Command::Bench { entries, .. } => {
            crate::bench::audit(entries);
            Ok(())
        }
        Command::Verify { org: Some(org), .. } => {
            let store = Store::open(&config.database_url, 2)?;
            let summary = crate::store::audit::verify(&mut *store.conn()?, &org)?
                .map_err(CliError::Verify)?;
            print_summary(&summary);
            Ok(())
        }
        Command::Verify { .. } => Err(CliError::Usage(
            "give an export file to verify, or --org <slug> to verify the database".into(),
        )),
        Command::Export {
            what: Export::Chain { org, output },
        } => {
            let store = Store::open(&config.database_url, 2)?;
            export_chain(&store, &org, output)
        }
        Command::Import { kind, org, file } => {
            let store = Store::open(&config.database_url, 2)?;
            import(&store, kind, &org, &file)
        }
        Command::User { action } => {
            let store = Store::open(&config.database_url, 2)?;
            user(&store, action)
        }
        Command::Demo {
            scale: DemoScale::Large,
            org,
        } => {
            let store = Store::open(&config.database_url, 2)?;
            let scale = crate::scale::Scale::LARGE;
            let bar = indicatif::ProgressBar::new(scale.writes());
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40}] {pos}/{len} writes ({per_sec}, {eta} left)",
                )
                .expect("a valid template"),
            );
            let started = std::time::Instant::now();
            crate::scale::seed(
                &mut *store.conn()?,
                &org,
                "NHS Large Integrated Care Board",
                chrono::Utc::now().date_naive(),
                &scale,
                || bar.inc(1),
            )?;
            bar.finish();
            println!(
                "seeded {org}: {} writes in {:.1}s ({:.0} writes/s)",
                bar.position(),
                started.elapsed().as_secs_f64(),
                bar.position() as f64 / started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Demo { .. } => {
            let store = Store::open(&config.database_url, 2)?;
            let mut c = store.conn()?;
            if !crate::demo::seed_if_empty(&mut c, chrono::Utc::now().date_naive())? {
                println!("the database is not empty; nothing seeded");
                return Ok(());
            }
            let accounts = seed_demo_accounts(&mut c)?;
            println!("seeded the demo organisations");
            let url = config
                .public_url
                .clone()
                .unwrap_or_else(|| "http://127.0.0.1:8080".into());
            print_demo_accounts(url.trim_end_matches('/'), &accounts);
            if let Some(lead) = accounts.iter().find(|a| a.role == Role::Governance) {
                println!(
                    "Demo API token (governance, both organisations): {}",
                    lead.token
                );
            }
            Ok(())
        }
    }
}

fn print_summary(s: &ChainSummary) {
    println!(
        "OK: {} chain holds, {} entries ({} with withheld payloads), head {}",
        s.org.as_deref().unwrap_or("empty"),
        s.entries,
        s.withheld,
        s.head
    );
}

fn export_chain(store: &Store, org: &str, output: Option<PathBuf>) -> Result<(), CliError> {
    let mut c = store.conn()?;
    let org = crate::store::orgs::by_slug(&mut c, org)?;
    let mut out: Box<dyn Write> = match &output {
        Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let mut failed: Option<std::io::Error> = None;
    crate::store::audit::for_each(&mut c, org.id, |e| {
        let line = match e {
            Ok(e) => e.to_json_line(),
            Err(why) => format!("{{\"error\":{}}}", serde_json::Value::String(why)),
        };
        if let Err(e) = writeln!(out, "{line}") {
            failed.get_or_insert(e);
        }
    })?;
    if let Some(e) = failed {
        return Err(e.into());
    }
    out.flush()?;
    Ok(())
}

fn import(
    store: &Store,
    kind: crate::import::Kind,
    org: &str,
    file: &std::path::Path,
) -> Result<(), CliError> {
    let data = std::fs::read(file)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", file.display())))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| file.display().to_string());
    let actor = format!("import:{name}");
    let done = crate::import::import(
        &mut *store.conn()?,
        org,
        kind,
        &actor,
        &data,
        chrono::Utc::now().date_naive(),
    )?;
    match done.seqs {
        Some((a, b)) => println!(
            "imported {} {} into {org} (audit seq {a}–{b})",
            done.count,
            kind.noun()
        ),
        None => println!(
            "imported 0 {} into {org}: the file has no rows",
            kind.noun()
        ),
    }
    Ok(())
}

fn user(store: &Store, action: UserAction) -> Result<(), CliError> {
    use crate::store::users;
    let mut c = store.conn()?;
    match action {
        UserAction::Add {
            email,
            role,
            orgs,
            person,
            password_stdin,
        } => {
            let role = match role {
                RoleArg::Admin => Role::Admin,
                RoleArg::Governance => Role::Governance,
                RoleArg::Declarant => Role::Declarant,
                RoleArg::Auditor => Role::Auditor,
            };
            // Read and check the password before anything is created.
            let password = new_password(password_stdin)?;
            let (token, id) = add_user(&mut c, &email, role, &orgs, person.as_deref())?;
            users::set_password(&mut c, id, &password)?;
            println!(
                "created {} account {}",
                role.code(),
                email.trim().to_lowercase()
            );
            if !password_stdin {
                println!("password (shown once; keep it safe): {}", password.expose());
            }
            println!("API token (shown once; keep it safe): {token}");
            Ok(())
        }
        UserAction::List => {
            for a in users::list(&mut c)? {
                let orgs: Vec<String> = a
                    .orgs
                    .iter()
                    .map(|(org, person)| match person {
                        Some(p) => format!("{org} (person {p})"),
                        None => org.clone(),
                    })
                    .collect();
                println!(
                    "{}\t{}\t{}\t{}",
                    a.email,
                    a.role,
                    if orgs.is_empty() {
                        "-".to_owned()
                    } else {
                        orgs.join(", ")
                    },
                    if a.disabled { "disabled" } else { "active" }
                );
            }
            Ok(())
        }
        UserAction::Disable { email } => {
            let email = normalised_email(&email)?;
            let id = users::id_by_email(&mut c, &email)?;
            users::disable(&mut c, id)?;
            println!("disabled {email}: its sessions and API tokens no longer work");
            Ok(())
        }
        UserAction::ResetPassword {
            email,
            password_stdin,
        } => {
            let email = normalised_email(&email)?;
            let id = users::id_by_email(&mut c, &email)?;
            let password = new_password(password_stdin)?;
            users::set_password(&mut c, id, &password)?;
            users::revoke_sessions_of(&mut c, id)?;
            println!("set a new password for {email}; its sessions have ended");
            if !password_stdin {
                println!("password (shown once; keep it safe): {}", password.expose());
            }
            Ok(())
        }
    }
}

fn normalised_email(raw: &str) -> Result<String, CliError> {
    crate::domain::accounts::Email::parse(raw)
        .map(|e| e.as_str().to_owned())
        .map_err(CliError::Usage)
}

/// The password for an account: read from standard input (one line), or generated.
fn new_password(from_stdin: bool) -> Result<NewPassword, CliError> {
    if !from_stdin {
        return Ok(generate_password()?);
    }
    let mut text = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)?;
    let line = text
        .strip_suffix("\r\n")
        .or_else(|| text.strip_suffix('\n'))
        .unwrap_or(&text);
    NewPassword::parse(line).map_err(CliError::Usage)
}

/// A strong random password: four groups of five characters from an alphabet without
/// look-alikes (about 99 bits).
pub fn generate_password() -> std::io::Result<NewPassword> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut out = String::with_capacity(23);
    let mut byte = [0u8; 1];
    while out.len() < 23 {
        if out.len() % 6 == 5 {
            out.push('-');
            continue;
        }
        getrandom::getrandom(&mut byte).map_err(|e| std::io::Error::other(e.to_string()))?;
        // Rejection sampling keeps every character equally likely.
        if usize::from(byte[0]) < 256 - 256 % ALPHABET.len() {
            out.push(char::from(ALPHABET[usize::from(byte[0]) % ALPHABET.len()]));
        }
    }
    Ok(NewPassword::parse(&out).expect("23 characters is a valid password"))
}

/// Create an account in the named organisations and issue its first token.
pub fn add_user(
    c: &mut crate::store::AnyConnection,
    email: &str,
    role: Role,
    orgs: &[String],
    person: Option<&str>,
) -> Result<(String, i64), CliError> {
    let email = normalised_email(email)?;
    if orgs.is_empty() && role != Role::Admin {
        return Err(CliError::Usage(
            "name the account's organisation with --org <slug>".into(),
        ));
    }
    if role == Role::Declarant && person.is_none() {
        return Err(CliError::Usage(
            "a declarant needs --person <slug>: the person they declare for".into(),
        ));
    }
    if role != Role::Declarant && person.is_some() {
        return Err(CliError::Usage(
            "only a declarant account is linked to a person (--person)".into(),
        ));
    }
    let mut memberships = Vec::new();
    for (i, slug) in orgs.iter().enumerate() {
        let org = crate::store::orgs::by_slug(c, slug)?;
        let person_id = match (i, person) {
            (0, Some(p)) => Some(crate::store::people::by_slug(c, org.id, p)?.id),
            _ => None,
        };
        memberships.push((org.id, person_id));
    }
    let id = crate::store::users::create(c, &email, role, &memberships)?;
    Ok((crate::store::users::issue_token(c, id)?, id))
}

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

/// Print the demo accounts: where to sign in, and each account's password.
fn print_demo_accounts(url: &str, accounts: &[DemoAccount]) {
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

fn serve(config: Config, demo: bool) -> Result<(), CliError> {
    let store = Store::open(&config.database_url, config.pool_size)?;
    let mut demo_accounts = None;
    if demo {
        let mut c = store.conn()?;
        if crate::demo::seed_if_empty(&mut c, chrono::Utc::now().date_naive())? {
            demo_accounts = Some(seed_demo_accounts(&mut c)?);
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
