//! The HTTP service: the JSON API, the web app at /admin and the generated public site,
//! built in one place ([`Application::build`]) that the binary and the tests both use.

pub mod access;
pub mod admin;
pub mod api;
pub mod as_at;
pub mod auth;
pub mod error;
pub mod limits;
pub mod openapi;
pub mod routes;
pub mod session;
pub mod static_files;

use crate::config::Config;
use crate::publish::follow::Follower;
use crate::publish::queue::Queue;
use crate::publish::Publisher;
use crate::store::{AnyConnection, Backend, Store, StoreError};
use actix_web::dev::Server;
use actix_web::{middleware, web, App, HttpServer};
use error::ApiError;
use std::net::TcpListener;
use std::sync::Arc;

/// What every handler shares.
/// The largest request body the JSON API and the forms read (a CSV upload has its own limit).
pub const MAX_BODY: usize = 256 * 1024;

pub struct AppState {
    pub store: Store,
    pub queue: Queue,
    /// Signs and checks the web app's cookies.
    pub sessions: session::SessionKeys,
    /// The site's absolute address, as the publisher writes it into links.
    pub base_url: String,
    /// The registers as at past days, as rendered on request.
    pub as_at: Arc<as_at::Cache>,
    /// Renders the pages served on request (the registers as at a past day).
    pub publisher: Arc<Publisher>,
}

impl AppState {
    /// Run blocking database work off the async workers.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let store = self.store.clone();
        web::block(move || {
            let mut c = store.conn()?;
            f(&mut c)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
        .map_err(ApiError::from)
    }
}

/// A built, bound, not yet running service.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Open the database (running migrations), render the site once, bind the listener.
    pub fn build(config: &Config, store: Store) -> Result<Application, std::io::Error> {
        let listener = TcpListener::bind(&config.bind)?;
        let port = listener.local_addr()?.port();
        let base_url = config.public_url.clone().unwrap_or_else(|| {
            format!(
                "http://{}",
                listener
                    .local_addr()
                    .expect("bound")
                    .to_string()
                    .replace("0.0.0.0", "localhost")
            )
        });
        let publisher = Arc::new(config.publisher(&base_url)?);
        // On PostgreSQL other instances may share the database: listen for their changes
        // before the initial publish, so none committed while it runs goes unpublished.
        let follower = match store.backend() {
            Backend::Postgres => Some(Follower::listen(&config.database_url)?),
            Backend::Sqlite => None,
        };
        {
            let mut c = store
                .conn()
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            publisher
                .publish_all(&mut c)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
        }
        // Session cookies are `Secure` when the service is reached over TLS.
        let secure = base_url.starts_with("https://");
        let sessions = session::SessionKeys::load_or_create(&config.data_dir, secure)?;
        std::thread::spawn(crate::store::users::prepare_decoy);
        let queue = Queue::spawn(store.clone(), publisher.clone());
        if let Some(follower) = follower {
            follower.spawn(store.clone(), queue.clone())?;
        }
        let state = web::Data::new(AppState {
            store,
            queue,
            sessions,
            base_url,
            as_at: Arc::default(),
            publisher,
        });
        // One hot cache of the site's files, shared by every worker.
        let site = web::Data::new(static_files::Site::new(config.site_dir.clone()));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(MAX_BODY))
                .app_data(
                    web::QueryConfig::default()
                        .error_handler(|e, _| ApiError::BadRequest(e.to_string()).into()),
                )
                .app_data(
                    web::PathConfig::default()
                        .error_handler(|e, _| ApiError::NotFound(e.to_string()).into()),
                )
                .wrap(actix_web::middleware::from_fn(limits::guard))
                .wrap(
                    middleware::DefaultHeaders::new()
                        .add(("X-Content-Type-Options", "nosniff"))
                        .add(("Referrer-Policy", "same-origin"))
                        .add((
                            "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'",
                        ))
                        .add(("X-Frame-Options", "DENY")),
                )
                .wrap(tracing_actix())
                .configure(|cfg| routes::configure(cfg, site.clone()))
        })
        .listen(listener)?
        .run();
        Ok(Application { port, server })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serve until stopped.
    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Request logging: method, path (never headers or bodies, so no token, cookie or
/// password reaches a log), status, time.
fn tracing_actix() -> middleware::Logger {
    middleware::Logger::new("%r %s %Dms")
}
