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
    /// The name of the checkpoint signing key, and the prefix of each log's origin
    /// (default: the public URL's host, or `coi-register`).
    pub key_name: Option<String>,
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
            key_name: None,
        }
    }

    /// The signing key's name: as configured, else the public URL's host and port.
    pub fn key_name(&self) -> String {
        let from_url = self.public_url.as_deref().map(|u| {
            u.split("://")
                .last()
                .unwrap_or(u)
                .trim_end_matches('/')
                .replace('/', "-")
        });
        self.key_name
            .clone()
            .or(from_url)
            .filter(|n| !n.is_empty() && !n.contains(['+', ' ']))
            .unwrap_or_else(|| "coi-register".into())
    }

    /// The publisher for this configuration, with the signing key (created on first use).
    pub fn publisher(&self, base_url: &str) -> std::io::Result<crate::publish::Publisher> {
        let signer =
            crate::publish::checkpoints::load_or_create_signer(&self.data_dir, &self.key_name())?;
        Ok(crate::publish::Publisher::new(&self.site_dir, base_url).with_signer(signer))
    }
}
