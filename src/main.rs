//! The `coi-register` binary: parses the command line and hands it to the library.

use clap::Parser;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,actix_server=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = coi_register::cli::run(coi_register::cli::Cli::parse()) {
        // The causes too (a database error says which), each once.
        let mut message = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            let text = c.to_string();
            if !message.contains(&text) {
                message = format!("{message}: {text}");
            }
            cause = c.source();
        }
        eprintln!("coi-register: {message}");
        std::process::exit(1);
    }
}
