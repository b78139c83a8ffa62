//! One configuration struct, from flags and the environment.

use std::path::PathBuf;

/// Where the service keeps things and how it listens.
#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://path` or `postgres://…`.
    pub database_url: String,
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub bind: String,
    /// Where the public site is generated.
    pub site_dir: PathBuf,
    /// Where keys and the SQLite database live.
    pub data_dir: PathBuf,
    /// The absolute URL the public site is reached at (for feeds); defaults to `http://<bind>`.
    pub public_url: Option<String>,
    /// Database connections in the pool.
    pub pool_size: u32,
}

impl Config {
    /// Defaults under `data_dir` (DESIGN.md: `./data`).
    pub fn with_data_dir(data_dir: impl Into<PathBuf>) -> Config {
        let data_dir = data_dir.into();
        Config {
            database_url: format!("sqlite://{}", data_dir.join("coi.db").display()),
            bind: "127.0.0.1:8080".into(),
            site_dir: data_dir.join("site"),
            data_dir,
            public_url: None,
            pool_size: 8,
        }
    }
}
