//! What every handler can reach: the database, the clock, settings and the
//! in-memory guards (metrics).

use crate::clock::Clock;
use crate::db::Db;
use crate::metrics::Metrics;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub files_dir: PathBuf,
    /// Where the malls' secret signing keys are (never in the database).
    pub keys: Arc<crate::certificate::keys::KeyStore>,
    /// Seals citizens' documents at rest (its key is never in the database).
    pub vault: Arc<crate::document::vault::Vault>,
    /// The population register NIKs are checked against, if configured.
    pub register: Arc<Option<crate::profile::register::Config>>,
    /// Mark cookies `Secure` even without a proxy header saying TLS.
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` names the client (`client_addr.rs`).
    pub trusted_proxies: Arc<crate::client_addr::TrustedProxies>,
    pub metrics: Arc<Metrics>,
    /// What a scraper must send to read `/metrics` (`--metrics-token`).
    pub metrics_token: Option<Arc<str>>,
    /// Rung after every call, so display boards wake at once (they also
    /// poll, which covers calls made by another server process).
    pub board_bell: Arc<tokio::sync::watch::Sender<u64>>,
    /// The notifier's channels, and the bell that wakes its worker.
    pub notify: Arc<crate::notify::Config>,
    pub outbox_bell: Arc<tokio::sync::Notify>,
}
