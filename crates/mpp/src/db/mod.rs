//! The database: one code path for SQLite and PostgreSQL through sqlx's `Any`
//! driver. The few real differences between the two live here and only here.
//!
//! Writes go through `Db::write`. On SQLite that pool has a single
//! connection, so writers queue in-process instead of failing with
//! "database is locked"; readers use their own pool and, thanks to WAL,
//! never wait for the writer. On PostgreSQL both are the same pool.

pub mod sql;
pub mod writer;

use crate::error::{AppError, AppResult};
use anyhow::Context;
use futures_util::future::BoxFuture;
use sha2::Digest;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::Row;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub read: AnyPool,
    pub write: AnyPool,
    pub dialect: Dialect,
    /// Configuration read on hot paths, for a few seconds (see `cache.rs`).
    pub cache: std::sync::Arc<crate::cache::Cache>,
    /// SQLite only: the thread that runs [`Db::transact`] work.
    writer: Option<writer::Writer>,
    /// SQLite only: connections for the hot reads (see `sql.rs`).
    readers: Option<std::sync::Arc<sql::Readers>>,
}

/// Migrations in order; each file is portable SQL run in one transaction.
/// An applied migration is never edited: its SHA-256 is kept, and a server
/// whose file differs refuses to start (a change goes in a new migration).
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "foundation", include_str!("../../../../migrations/0001_foundation.sql")),
    (2, "visit", include_str!("../../../../migrations/0002_visit.sql")),
    (3, "queue indexes", include_str!("../../../../migrations/0003_queue_indexes.sql")),
    (4, "applications", include_str!("../../../../migrations/0004_applications.sql")),
    (5, "certificates", include_str!("../../../../migrations/0005_certificates.sql")),
    (6, "payments", include_str!("../../../../migrations/0006_payments.sql")),
    (7, "documents", include_str!("../../../../migrations/0007_documents.sql")),
    (8, "step roles", include_str!("../../../../migrations/0008_step_roles.sql")),
    (9, "throttle", include_str!("../../../../migrations/0009_throttle.sql")),
    (10, "devices", include_str!("../../../../migrations/0010_devices.sql")),
    (11, "bookings per citizen", include_str!("../../../../migrations/0011_bookings_per_citizen.sql")),
    (12, "mall publishing", include_str!("../../../../migrations/0012_mall_publishing.sql")),
    (13, "token use", include_str!("../../../../migrations/0013_token_use.sql")),
    (14, "password resets", include_str!("../../../../migrations/0014_password_resets.sql")),
    (15, "staff counters", include_str!("../../../../migrations/0015_staff_counters.sql")),
];

impl Db {
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            anyhow::bail!("unsupported database URL (use sqlite:… or postgres://…)");
        };
        let options = AnyConnectOptions::from_str(url).context("parsing the database URL")?;
        match dialect {
            Dialect::Sqlite => {
                let write = sqlite_pool(1).connect_with(options.clone()).await.context("opening SQLite")?;
                // WAL persists in the file; set it once, before readers open.
                sqlx::query("PRAGMA journal_mode = WAL").execute(&write).await?;
                let read = sqlite_pool(4).connect_with(options).await?;
                let file = sqlx::sqlite::SqliteConnectOptions::from_str(url)?.get_filename().to_path_buf();
                let writer = Some(writer::Writer::start(file.clone(), SQLITE_PRAGMAS, write.clone())?);
                let readers = Some(std::sync::Arc::new(sql::Readers::new(file)));
                Ok(Db { read, write, dialect, cache: Default::default(), writer, readers })
            }
            Dialect::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(options)
                    .await
                    .context("connecting to PostgreSQL")?;
                Ok(Db {
                    read: pool.clone(),
                    write: pool,
                    dialect,
                    cache: Default::default(),
                    writer: None,
                    readers: None,
                })
            }
        }
    }

    /// Applies the migrations not yet applied; returns how many ran.
    pub async fn migrate(&self) -> anyhow::Result<usize> {
        self.migrate_with(MIGRATIONS).await
    }

    /// Applies what of `migrations` is not applied yet, after checking that
    /// every applied one is unchanged. (Tests pass an edited list.)
    pub async fn migrate_with(&self, migrations: &[(i64, &str, &str)]) -> anyhow::Result<usize> {
        self.write
            .execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                    version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .await?;
        // Databases made before checksums were kept gain the column once.
        if self.write.execute("SELECT checksum FROM schema_migrations WHERE 1 = 0").await.is_err() {
            self.write.execute("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT").await?;
        }
        let mut ran = 0;
        for (version, name, sql) in migrations {
            let checksum = crate::auth::hex(&sha2::Sha256::digest(sql.as_bytes()));
            let mut tx = self.write.begin().await?;
            let done: Option<(i64, Option<String>)> =
                sqlx::query_as("SELECT version, checksum FROM schema_migrations WHERE version = $1")
                    .bind(version)
                    .fetch_optional(&mut *tx)
                    .await?;
            match done {
                Some((_, Some(kept))) if kept != checksum => anyhow::bail!(
                    "migration {version} ({name}) was changed after this database applied it (SHA-256 {kept}, \
                     the file now {checksum}): put the file back as it was and make the change a new migration"
                ),
                Some((_, Some(_))) => continue,
                // Applied before checksums were kept: trusted as it is now.
                Some((_, None)) => {
                    sqlx::query("UPDATE schema_migrations SET checksum = $2 WHERE version = $1")
                        .bind(version)
                        .bind(&checksum)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    continue;
                }
                None => {}
            }
            sqlx::raw_sql(sql).execute(&mut *tx).await.with_context(|| format!("migration {version} {name}"))?;
            sqlx::query("INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)")
                .bind(version)
                .bind(*name)
                .bind(crate::clock::system_now_ms())
                .bind(&checksum)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            ran += 1;
        }
        Ok(ran)
    }

    /// Runs `work` in a transaction and commits it: on SQLite through the
    /// writer thread (grouped with concurrent ones, see `writer.rs`), on
    /// PostgreSQL in a transaction of its own. An error from `work` rolls its
    /// changes back and is returned as it is.
    pub async fn transact<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut sql::Conn<'c>) -> BoxFuture<'c, AppResult<T>> + Send + 'static,
    {
        let Some(w) = &self.writer else {
            let mut tx = self.write.begin().await?;
            let value = work(&mut sql::Conn::Any(&mut tx)).await?;
            tx.commit().await?;
            return Ok(value);
        };
        let (answer, answered) = tokio::sync::oneshot::channel::<AppResult<T>>();
        let job: writer::Job = Box::new(move |conn| {
            Box::pin(async move {
                let result = work(conn).await;
                let ok = result.is_ok();
                let finish: writer::Finish = Box::new(move |committed| {
                    let _ = answer.send(match (result, committed) {
                        (Ok(value), Ok(())) => Ok(value),
                        (Ok(_), Err(e)) => Err(AppError::Internal(anyhow::anyhow!("commit failed: {e}"))),
                        (Err(e), _) => Err(e),
                    });
                });
                (ok, finish)
            })
        });
        if !w.submit(job) {
            return Err(AppError::Internal(anyhow::anyhow!("the database writer has stopped")));
        }
        answered.await.map_err(|_| AppError::Internal(anyhow::anyhow!("the write was not committed")))?
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.read).await.is_ok()
    }
}

/// Every SQLite connection's settings. FULL: a commit acknowledged to a
/// user survives a power cut. A larger page cache saves reads (a mall's
/// database is small). (Memory-mapped I/O was tried: the page faults cost
/// more than the reads it saved, docs/PERFORMANCE.md.)
const SQLITE_PRAGMAS: &str = "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;
    PRAGMA cache_size = -32000; PRAGMA temp_store = MEMORY;";

fn sqlite_pool(size: u32) -> AnyPoolOptions {
    AnyPoolOptions::new()
        .max_connections(size)
        .acquire_timeout(Duration::from_secs(30))
        // A connection to a local file does not go stale; the ping would be
        // one more round trip to its thread on every acquire.
        .test_before_acquire(false)
        .after_connect(|conn, _| {
            Box::pin(async move {
                conn.execute(SQLITE_PRAGMAS).await?;
                Ok(())
            })
        })
}

/// A value as the JSON text of a TEXT column.
pub fn json(value: &impl serde::Serialize) -> crate::error::AppResult<String> {
    serde_json::to_string(value).map_err(|e| crate::error::AppError::Internal(e.into()))
}

/// A new globally unique, time-ordered id (UUIDv7, as text) whose time is
/// the caller's "now" from the clock, so ids follow the clock a test sets.
/// One counter for the process keeps ids made in the same millisecond in
/// the order they were made.
pub fn new_id(now_ms: i64) -> String {
    static CONTEXT: std::sync::Mutex<uuid::ContextV7> = std::sync::Mutex::new(uuid::ContextV7::new());
    let ms = u64::try_from(now_ms).unwrap_or(0);
    let context = CONTEXT.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let at = uuid::Timestamp::from_unix(&*context, ms / 1000, u32::try_from(ms % 1000).unwrap_or(0) * 1_000_000);
    uuid::Uuid::new_v7(at).to_string()
}

/// A unique-constraint violation, whatever the backend calls it.
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.code().as_deref() == Some("23505")
                || db.message().contains("UNIQUE constraint failed")
                || db.code().as_deref() == Some("2067")
                || db.code().as_deref() == Some("1555")
        }
        _ => false,
    }
}

/// A foreign-key violation (e.g. deleting an agency that still has services).
pub fn is_foreign_key_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => {
            db.code().as_deref() == Some("23503")
                || db.message().contains("FOREIGN KEY constraint failed")
                || db.code().as_deref() == Some("787")
        }
        _ => false,
    }
}

/// Flags are stored as 0/1 integers: sqlx's `Any` driver cannot decode
/// SQLite's BOOLEAN. Row structs keep `bool` fields with
/// `#[sqlx(try_from = "IntBool")]`, and queries bind `i64::from(flag)`.
pub struct IntBool(i64);

impl From<IntBool> for bool {
    fn from(v: IntBool) -> bool {
        v.0 != 0
    }
}

impl sqlx::Type<sqlx::Any> for IntBool {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<sqlx::Any>>::type_info()
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for IntBool {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(IntBool(<i64 as sqlx::Decode<sqlx::Any>>::decode(value)?))
    }
}
