//! MPP: the public service mall. The binary (`main.rs`) is a thin CLI over
//! this library so that tests start exactly the server users run.
//!
//! One folder per feature (routes, pages and SQL side by side); shared
//! plumbing in the top-level modules.

pub mod access;
pub mod agreements;
pub mod api;
pub mod application;
pub mod audit;
pub mod auth;
pub mod booking;
pub mod breach;
pub mod bundle;
pub mod cache;
pub mod calendar;
pub mod catalog;
pub mod certificate;
pub mod client_addr;
pub mod clock;
pub mod consent;
pub mod crud;
pub mod db;
pub mod demo;
pub mod device;
pub mod document;
pub mod error;
pub mod exchange;
pub mod files;
pub mod forms;
pub mod i18n;
pub mod idempotency;
pub mod input;
pub mod metrics;
pub mod notify;
pub mod openapi;
pub mod payment;
pub mod policy;
pub mod profile;
pub mod region;
pub mod rights;
pub mod server;
pub mod staff;
pub mod state;
pub mod tenancy;
pub mod throttle;
pub mod visit;
pub mod web;

use std::path::PathBuf;
use std::sync::Arc;

/// Settings for one running server.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub database_url: String,
    pub data_dir: PathBuf,
    pub demo: bool,
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` is believed (`--trusted-proxies`).
    pub trusted_proxies: client_addr::TrustedProxies,
    /// The bearer token `/metrics` asks for; without one it is off (404).
    pub metrics_token: Option<String>,
    /// Where signing key files are kept (`--key-dir`); default `keys` in
    /// the data directory.
    pub key_dir: Option<PathBuf>,
    /// Signing keys the environment gives, by mall slug (`MPP_SIGNING_KEY_<SLUG>`).
    pub signing_keys_from_env: std::collections::BTreeMap<String, String>,
    /// The documents' vault key, if the environment gives it (`MPP_VAULT_KEY`);
    /// else `vault.key` in the key directory.
    pub vault_key_from_env: Option<String>,
    /// The population register NIKs are checked against (`--population-register`);
    /// without one, every check answers "unavailable".
    pub register: Option<profile::register::Config>,
    pub notify: notify::Config,
}

/// Opens the database, migrates it, loads the demo mall when asked and
/// empty, and returns the state to serve with.
pub async fn prepare(settings: &Settings, clock: clock::Clock) -> anyhow::Result<state::AppState> {
    std::fs::create_dir_all(&settings.data_dir)?;
    let db = db::Db::connect(&settings.database_url).await?;
    db.migrate().await?;
    let keys = certificate::keys::KeyStore {
        dir: settings.key_dir.clone().unwrap_or_else(|| settings.data_dir.join("keys")),
        from_env: settings.signing_keys_from_env.clone(),
    };
    let moved = certificate::keys::move_out_of_the_database(&db, &keys).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    if moved > 0 {
        tracing::info!(keys = moved, dir = %keys.dir.display(), "moved signing keys out of the database into key files");
    }
    let vault = document::vault::Vault::load(&keys.dir, settings.vault_key_from_env.as_deref()).await?;
    let files_dir = settings.data_dir.join("files");
    let sealed = document::seal_plain_files(&db, &files_dir, &vault).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
    if sealed > 0 {
        tracing::info!(files = sealed, "sealed citizens' documents an older version kept plain");
    }
    if settings.demo {
        let today = clock.today(mpp_domain::tenancy::TimeZone::Wita);
        if let Some(slug) = demo::seed_if_empty(&db, today, clock.now_ms()).await? {
            tracing::info!(%slug, "loaded the demo mall");
        }
    }
    Ok(state::AppState {
        db,
        clock,
        files_dir,
        keys: Arc::new(keys),
        vault: Arc::new(vault),
        register: Arc::new(settings.register.clone()),
        secure_cookies: settings.secure_cookies,
        trusted_proxies: Arc::new(settings.trusted_proxies.clone()),
        metrics_token: settings.metrics_token.clone().map(Arc::from),
        metrics: Arc::new(metrics::Metrics::default()),
        board_bell: Arc::new(tokio::sync::watch::channel(0).0),
        notify: Arc::new(settings.notify.clone()),
        outbox_bell: Arc::new(tokio::sync::Notify::new()),
    })
}
