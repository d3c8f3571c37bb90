//! SQLite's writer: one thread that owns the write path (every
//! transaction of the application, `Db::transact`), on a connection of its own (`rusqlite`, so a
//! statement is a function call, not a round trip to another thread; see
//! `sql.rs`). They are queued to it and run back to back on its own
//! single-threaded runtime, so the transaction in progress never waits
//! behind request handlers for a turn on the CPU. Transactions that queue up
//! meanwhile are committed together (group commit): `BEGIN IMMEDIATE`, each
//! in its own savepoint (a failing one is rolled back alone), one `COMMIT` —
//! one fsync for the group, still `synchronous=FULL` — and only then is
//! each caller answered, so nothing is acknowledged before it is on disk.
//! Being the only writer, it never meets "database is locked" from this
//! process; readers (WAL) never wait for it.

use super::sql::Conn;
use futures_util::future::BoxFuture;
use std::path::PathBuf;
use tokio::sync::mpsc;

/// What the writer hands back to a job after the group's COMMIT.
pub type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;
/// A job: runs its statements, says whether they succeeded, and how to
/// answer its caller once the commit is known.
pub type Job = Box<dyn for<'c> FnOnce(&'c mut Conn<'c>) -> BoxFuture<'c, (bool, Finish)> + Send>;

/// Transactions committed together at most.
const MAX_GROUP: usize = 64;

#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::UnboundedSender<Job>,
}

impl Writer {
    /// Opens the writer's connection to the database file and starts its thread.
    pub fn start(file: PathBuf, pragmas: &str) -> anyhow::Result<Writer> {
        let conn = rusqlite::Connection::open(&file)?;
        conn.execute_batch(pragmas)?;
        conn.set_prepared_statement_cache_capacity(super::sql::STATEMENT_CACHE);
        let (jobs, rx) = mpsc::unbounded_channel();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new().name("mpp-sqlite-writer".into()).spawn(move || runtime.block_on(run(conn, rx)))?;
        Ok(Writer { jobs })
    }

    /// Queues a job; false if the writer has stopped.
    pub fn submit(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }
}

async fn run(mut conn: rusqlite::Connection, mut rx: mpsc::UnboundedReceiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let mut finishes = Vec::with_capacity(group.len());
        let outcome = run_group(&mut conn, group, &mut finishes).await;
        if outcome.is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        if let Err(e) = &outcome {
            tracing::error!(error = %e, "a group of writes did not commit");
        }
        // Jobs that never ran dropped their callers' channels: they hear an error too.
        for finish in finishes {
            finish(outcome.clone());
        }
    }
}

async fn run_group(conn: &mut rusqlite::Connection, group: Vec<Job>, finishes: &mut Vec<Finish>) -> Result<(), String> {
    let err = |e: rusqlite::Error| e.to_string();
    conn.execute_batch("BEGIN IMMEDIATE").map_err(err)?;
    for job in group {
        conn.execute_batch("SAVEPOINT job").map_err(err)?;
        let (ok, finish) = job(&mut Conn::Lite(conn)).await;
        finishes.push(finish);
        if !ok {
            conn.execute_batch("ROLLBACK TO job").map_err(err)?;
        }
        conn.execute_batch("RELEASE job").map_err(err)?;
    }
    conn.execute_batch("COMMIT").map_err(err)?;
    Ok(())
}
