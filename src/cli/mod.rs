//! The command line: one library function per subcommand, so `main.rs` stays thin.
//! This module parses the arguments and dispatches; the subcommands that need more than
//! a few lines live beside it: `serve` and the demo accounts, user accounts, and the
//! chain's export and the CSV import.

mod chain;
mod demo;
mod users;

use chain::{export_chain, import, print_summary};
use demo::{print_demo_accounts, serve};
pub use demo::{seed_demo_accounts, DemoAccount};
use users::user;
pub use users::{add_user, generate_password};

use crate::audit::Failure;
use crate::config::Config;
use crate::store::users::Role;
use crate::store::{Store, StoreError};
use clap::{Parser, Subcommand, ValueEnum};
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
    Publish {
        /// Render every page on one thread (by default pages are rendered on a thread a
        /// core, up to four): the same files, for comparing the speed of the two.
        #[arg(long)]
        sequential: bool,
    },
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
        /// writes through the API, each timed from before its request is sent to its page
        /// being served with the new text (seed with `demo --scale large`; 200 if no number).
        #[arg(long, num_args = 0..=1, default_missing_value = "200")]
        publish_writes: Option<u64>,
        /// Instead, measure concurrent API writers on the database (the demo is seeded
        /// into an empty one): this many writers, each amending its own declaration,
        /// beside as many bare store writes.
        #[arg(long)]
        writers: Option<usize>,
        /// With --writers: amendments per writer.
        #[arg(long, default_value_t = 200, requires = "writers")]
        writes_each: u64,
        /// Instead, time `verify` on an export file of --entries entries, next to
        /// SHA-256's own speed (openssl speed and an in-process loop) in the same run.
        #[arg(long)]
        verify: bool,
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
        Command::Publish { sequential } => {
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
            let publisher = if sequential {
                publisher.sequential()
            } else {
                publisher
            };
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
        Command::Bench {
            writers: Some(writers),
            writes_each,
            ..
        } => Ok(crate::bench::writers(&config, writers, writes_each)?),
        Command::Bench {
            verify: true,
            entries,
            ..
        } => Ok(crate::bench::verify::verify(entries)?),
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
                crate::clock::today(),
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
            if !crate::demo::seed_if_empty(&mut c, crate::clock::today())? {
                println!("the database is not empty; nothing seeded");
                return Ok(());
            }
            let accounts = seed_demo_accounts(&mut c)?;
            demo::seed_demo_editions(&mut c, &config)?;
            println!("seeded the demo organisations and their editions");
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
