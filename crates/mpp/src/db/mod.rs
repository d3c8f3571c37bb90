//! The database: one query API (`sql.rs`) over two native drivers —
//! `rusqlite` for SQLite, sqlx's PostgreSQL driver for PostgreSQL — and
//! the few real differences between the two, here and only here.
//!
//! Every write goes through [`Db::transact`] (or [`Db::run`] for a single
//! statement): on SQLite the group-commit writer thread (`writer.rs`), on
//! PostgreSQL a pooled transaction. Every read outside a transaction goes
//! through [`sql::Conn::Read`]: on SQLite a few read-only connections that,
//! thanks to WAL, never wait for the writer; on PostgreSQL the pool. These
//! two are the seams where an access log or an event outbox plugs in
//! (docs/ARCHITECTURE.md, "The data path").

pub mod backup;
pub mod batch;
pub mod sql;
pub mod writer;

pub use writer::WriteLane;

use crate::error::{AppError, AppResult};
use anyhow::Context;
use futures_util::future::BoxFuture;
use sha2::Digest;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub dialect: Dialect,
    /// Configuration read on hot paths, for a few seconds (see `cache.rs`).
    pub cache: std::sync::Arc<crate::cache::Cache>,
    /// Who waits for what, kept beside the tickets this process writes
    /// (see `visit/line.rs`).
    pub lines: std::sync::Arc<crate::visit::line::Lines>,
    /// The next ticket numbers (see `visit/numbers.rs`).
    pub numbers: std::sync::Arc<crate::visit::numbers::Numbers>,
    /// How long visits take lately (see `visit/handling.rs`).
    pub handling: std::sync::Arc<crate::visit::handling::Handling>,
    /// The counters' requests, run in batches per mall (see `batch.rs`).
    pub desks: std::sync::Arc<batch::Batches<crate::visit::store::DeskWork>>,
    /// Plain kiosk tickets, stored in batches per mall (see `batch.rs`).
    pub plain_tickets: std::sync::Arc<batch::Batches<crate::visit::store::PlainTicket>>,
    /// Reads on their way to the access log, written in batches per mall
    /// (see `access/store.rs`).
    pub access_reads: std::sync::Arc<batch::Batches<crate::access::Pending>>,
    backend: Backend,
}

#[derive(Clone)]
enum Backend {
    Sqlite {
        /// The thread that runs every transaction (see `writer.rs`).
        writer: writer::Writer,
        /// Connections for reads (see `sql.rs`).
        readers: std::sync::Arc<sql::Readers>,
    },
    Postgres(Pg),
}

/// PostgreSQL's connections in three pools, so that neither the reads nor
/// the kiosks' tickets can hold every connection a counter's action needs
/// (measured: with one pool, reads queued the writes behind them).
#[derive(Clone)]
struct Pg {
    reads: PgPool,
    writes: PgPool,
    /// For [`WriteLane::Counter`].
    counters: PgPool,
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
    (16, "special lane index", include_str!("../../../../migrations/0016_special_lane_index.sql")),
    (17, "ticket indexes for the line", include_str!("../../../../migrations/0017_ticket_indexes.sql")),
    (18, "audit chain", include_str!("../../../../migrations/0018_audit_chain.sql")),
    (19, "access log", include_str!("../../../../migrations/0019_access_log.sql")),
    (20, "chain statements", include_str!("../../../../migrations/0020_chain_statements.sql")),
    (21, "citizen profiles", include_str!("../../../../migrations/0021_citizen_profiles.sql")),
    (22, "document kinds", include_str!("../../../../migrations/0022_document_kinds.sql")),
    (23, "consents", include_str!("../../../../migrations/0023_consents.sql")),
    (24, "rights", include_str!("../../../../migrations/0024_rights.sql")),
    (25, "breaches", include_str!("../../../../migrations/0025_breaches.sql")),
    (26, "bundles", include_str!("../../../../migrations/0026_bundles.sql")),
    (27, "exchange", include_str!("../../../../migrations/0027_exchange.sql")),
];

impl Db {
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if let Some(path) = url.strip_prefix("sqlite:") {
            // `sqlite:file.db`, `sqlite://file.db`, `sqlite:///abs/file.db`,
            // with options after `?` (the file is created when missing).
            let path = path.strip_prefix("//").unwrap_or(path);
            let file = std::path::PathBuf::from(path.split('?').next().unwrap_or(path));
            anyhow::ensure!(!file.as_os_str().is_empty(), "the SQLite URL names no file");
            let writer = writer::Writer::start(file.clone(), SQLITE_PRAGMAS).context("opening SQLite")?;
            let readers = std::sync::Arc::new(sql::Readers::new(file));
            let backend = Backend::Sqlite { writer, readers };
            return Ok(Db {
                dialect: Dialect::Sqlite,
                cache: Default::default(),
                lines: Default::default(),
                numbers: Default::default(),
                handling: Default::default(),
                desks: Default::default(),
                plain_tickets: Default::default(),
                access_reads: Default::default(),
                backend,
            });
        }
        if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
            anyhow::bail!("unsupported database URL (use sqlite:… or postgres://…)");
        }
        // Every execution of a statement is planned for its values. A
        // prepared statement otherwise switches to a generic plan after five
        // runs and keeps it for the connection's life: planned while a new
        // mall's tickets fit in one page, a key lookup stayed a scan of the
        // whole table as the day filled it (measured: 1,300 pages read per
        // ticket looked up by id, docs/PERFORMANCE.md).
        let options = PgConnectOptions::from_str(url)
            .context("parsing the database URL")?
            .options([("plan_cache_mode", "force_custom_plan")]);
        let pool = |size: u32| {
            PgPoolOptions::new()
                .max_connections(size)
                .acquire_timeout(Duration::from_secs(10))
                .connect_lazy_with(options.clone())
        };
        // Counters get the larger share of writes: when the database is
        // the bottleneck, serving the visitors already waiting comes before
        // taking more tickets (measured: with 4 of 20 connections, a hundred
        // counters queued for them while the kiosks filled the line).
        let pg = Pg { reads: pool(8), writes: pool(4), counters: pool(8) };
        // Connect now, so that a wrong URL fails at start, not at the first request.
        drop(pg.reads.acquire().await.context("connecting to PostgreSQL")?);
        Ok(Db {
            dialect: Dialect::Postgres,
            cache: Default::default(),
            lines: Default::default(),
            numbers: Default::default(),
            handling: Default::default(),
            desks: Default::default(),
            plain_tickets: Default::default(),
            access_reads: Default::default(),
            backend: Backend::Postgres(pg),
        })
    }

    /// Applies the migrations not yet applied; returns how many ran.
    pub async fn migrate(&self) -> anyhow::Result<usize> {
        self.migrate_with(MIGRATIONS).await
    }

    /// Applies what of `migrations` is not applied yet, after checking that
    /// every applied one is unchanged. (Tests pass an edited list.)
    pub async fn migrate_with(&self, migrations: &[(i64, &str, &str)]) -> anyhow::Result<usize> {
        let migrations: Vec<(i64, String, String)> =
            migrations.iter().map(|(v, name, text)| (*v, (*name).to_owned(), (*text).to_owned())).collect();
        let ran = self
            .transact(move |conn| {
                Box::pin(async move {
                    conn.batch(
                        "CREATE TABLE IF NOT EXISTS schema_migrations (
                            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                    )
                    .await?;
                    // Databases made before checksums were kept gain the column once.
                    if !conn.has_column("schema_migrations", "checksum").await? {
                        conn.batch("ALTER TABLE schema_migrations ADD COLUMN checksum TEXT").await?;
                    }
                    let mut ran = 0;
                    for (version, name, text) in &migrations {
                        ran += usize::from(migrate_one(conn, *version, name, text).await?);
                    }
                    Ok(ran)
                })
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e:#}"))?;
        Ok(ran)
    }

    /// Runs `work` in a transaction and commits it: on SQLite through the
    /// writer thread (grouped with concurrent ones, see `writer.rs`), on
    /// PostgreSQL in a pooled transaction of its own. An error from `work`
    /// rolls its changes back and is returned as it is.
    pub async fn transact<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut sql::Conn<'c>) -> BoxFuture<'c, AppResult<T>> + Send + 'static,
    {
        self.transact_in(WriteLane::Normal, work).await
    }

    /// [`Db::transact`] in a lane: a counter's action goes before the
    /// tickets the kiosks queued meanwhile (SQLite: the writer's queue of
    /// its own; PostgreSQL: a pool of its own).
    pub async fn transact_in<T, F>(&self, lane: WriteLane, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut sql::Conn<'c>) -> BoxFuture<'c, AppResult<T>> + Send + 'static,
    {
        let w = match &self.backend {
            Backend::Sqlite { writer, .. } => writer,
            // Measured: PostgreSQL's own row locks and concurrent commits
            // serve better than one serial writer while the reads are this
            // heavy (docs/PERFORMANCE.md, "PostgreSQL: a writer tried").
            Backend::Postgres(pg) => {
                let pool = match lane {
                    WriteLane::Counter => &pg.counters,
                    WriteLane::Normal => &pg.writes,
                };
                let mut tx = pool.begin().await?;
                let value = work(&mut sql::Conn::Pg(&mut tx)).await?;
                tx.commit().await?;
                return Ok(value);
            }
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
        if !w.submit(lane, job) {
            return Err(AppError::Internal(anyhow::anyhow!("the database writer has stopped")));
        }
        answered.await.map_err(|_| AppError::Internal(anyhow::anyhow!("the write was not committed")))?
    }

    /// Runs one write statement in a transaction of its own (see
    /// [`Db::transact`]). On PostgreSQL the statement is its own
    /// transaction (autocommit), sparing the round trips of BEGIN and COMMIT.
    pub async fn run(&self, statement: sql::Query<'static>) -> AppResult<u64> {
        if let Backend::Postgres(pg) = &self.backend {
            let mut conn = pg.writes.acquire().await?;
            return statement.execute(&mut sql::Conn::Pg(&mut conn)).await;
        }
        self.transact(move |conn| Box::pin(statement.execute(conn))).await
    }

    /// [`Db::run`] for a statement that returns rows (`… RETURNING`).
    pub async fn run_returning_all<T: sql::FromRow + Send + 'static>(
        &self,
        statement: sql::Query<'static>,
    ) -> AppResult<Vec<T>> {
        if let Backend::Postgres(pg) = &self.backend {
            let mut conn = pg.writes.acquire().await?;
            return statement.fetch_all(&mut sql::Conn::Pg(&mut conn)).await;
        }
        self.transact(move |conn| Box::pin(statement.fetch_all(conn))).await
    }

    /// PostgreSQL: gives the planner statistics for every table that
    /// changed by a fifth (and at least 500 rows) since it last had them;
    /// returns the tables analysed. Without statistics (a new database, a
    /// busy first minute before autovacuum's) PostgreSQL took a partial
    /// index for a ticket's keyed UPDATE and read every open ticket of the
    /// mall (measured: 40 % more database CPU per visit,
    /// docs/PERFORMANCE.md). SQLite has nothing to do.
    pub async fn refresh_statistics(&self) -> AppResult<Vec<String>> {
        let Backend::Postgres(pg) = &self.backend else { return Ok(Vec::new()) };
        let stale: Vec<String> = sql::query(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()
             AND n_mod_since_analyze >= 500 AND n_mod_since_analyze * 5 >= n_live_tup ORDER BY relname",
        )
        .fetch_all(&mut sql::Conn::Read(self))
        .await?;
        // Most seconds nothing is stale: no write connection is taken then.
        if stale.is_empty() {
            return Ok(stale);
        }
        let mut conn = pg.writes.acquire().await?;
        for table in &stale {
            let statement = format!("ANALYZE \"{}\"", table.replace('"', "\"\""));
            sql::query(statement).execute(&mut sql::Conn::Pg(&mut conn)).await?;
        }
        Ok(stale)
    }

    pub async fn ping(&self) -> bool {
        sql::query("SELECT 1").fetch_one::<i64>(&mut sql::Conn::Read(self)).await.is_ok()
    }

    /// SQLite's read connections (PostgreSQL reads from its pool).
    fn readers(&self) -> Option<&sql::Readers> {
        match &self.backend {
            Backend::Sqlite { readers, .. } => Some(readers),
            Backend::Postgres(_) => None,
        }
    }

    fn pool(&self) -> Option<&PgPool> {
        match &self.backend {
            Backend::Postgres(pg) => Some(&pg.reads),
            Backend::Sqlite { .. } => None,
        }
    }
}

/// Every SQLite connection's settings. FULL: a commit acknowledged to a
/// user survives a power cut. A larger page cache saves reads (a mall's
/// database is small). (Memory-mapped I/O was tried: the page faults cost
/// more than the reads it saved, docs/PERFORMANCE.md.)
const SQLITE_PRAGMAS: &str =
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;
    PRAGMA cache_size = -32000; PRAGMA temp_store = MEMORY;";

/// Applies one migration unless it was; refuses one changed since it was.
async fn migrate_one(conn: &mut sql::Conn<'_>, version: i64, name: &str, text: &str) -> AppResult<bool> {
    let checksum = crate::auth::hex(&sha2::Sha256::digest(text.as_bytes()));
    let done: Option<(i64, Option<String>)> =
        sql::query("SELECT version, checksum FROM schema_migrations WHERE version = $1")
            .bind(version)
            .fetch_optional(conn)
            .await?;
    match done {
        Some((_, Some(kept))) if kept != checksum => Err(AppError::Internal(anyhow::anyhow!(
            "migration {version} ({name}) was changed after this database applied it (SHA-256 {kept}, \
             the file now {checksum}): put the file back as it was and make the change a new migration"
        ))),
        Some((_, Some(_))) => Ok(false),
        // Applied before checksums were kept: trusted as it is now.
        Some((_, None)) => {
            sql::query("UPDATE schema_migrations SET checksum = $2 WHERE version = $1")
                .bind(version)
                .bind(checksum)
                .execute(conn)
                .await?;
            Ok(false)
        }
        None => {
            conn.batch(text)
                .await
                .map_err(|e| AppError::Internal(anyhow::anyhow!("migration {version} {name}: {e}")))?;
            sql::query("INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)")
                .bind(version)
                .bind(name)
                .bind(crate::clock::system_now_ms())
                .bind(checksum)
                .execute(conn)
                .await?;
            Ok(true)
        }
    }
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

/// A constraint a write broke, whatever the backend calls it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    /// A unique key or primary key was taken.
    Unique,
    /// A foreign key points nowhere, or a row still in use was deleted.
    ForeignKey,
}

/// Which constraint `err` (from a statement) broke, if it was one.
pub fn violation(err: &AppError) -> Option<Violation> {
    let AppError::Internal(e) = err else { return None };
    if let Some(rusqlite::Error::SqliteFailure(f, _)) = e.downcast_ref::<rusqlite::Error>() {
        return match f.extended_code {
            rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                Some(Violation::Unique)
            }
            rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Some(Violation::ForeignKey),
            _ => None,
        };
    }
    if let Some(sqlx::Error::Database(db)) = e.downcast_ref::<sqlx::Error>() {
        return match db.code().as_deref() {
            Some("23505") => Some(Violation::Unique),
            Some("23503") => Some(Violation::ForeignKey),
            _ => None,
        };
    }
    None
}
