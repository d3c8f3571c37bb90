//! What every handler can reach: the database, the clock, settings and the
//! in-memory guards (login rate limit, metrics).

use crate::auth::rate_limit::RateLimiter;
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
    /// Mark cookies `Secure` even without a proxy header saying TLS.
    pub secure_cookies: bool,
    pub login_limiter: Arc<RateLimiter>,
    pub metrics: Arc<Metrics>,
    /// Rung after every call, so display boards wake at once (they also
    /// poll, which covers calls made by another server process).
    pub board_bell: Arc<tokio::sync::watch::Sender<u64>>,
    /// The notifier's channels, and the bell that wakes its worker.
    pub notify: Arc<crate::notify::Config>,
    pub outbox_bell: Arc<tokio::sync::Notify>,
}
