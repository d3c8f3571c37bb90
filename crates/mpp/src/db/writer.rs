//! SQLite's writer: one thread that owns the write path (every
//! transaction of the application, `Db::transact`), on a connection of its
//! own (`rusqlite`, so a statement is a function call, not a round trip to
//! another thread; see `sql.rs`). Transactions are queued to it and run
//! back to back on its own single-threaded runtime, so the one in progress
//! never waits behind request handlers for a turn on the CPU. Those that
//! queue up meanwhile are committed together (group commit): `BEGIN
//! IMMEDIATE`, each in its own savepoint (a failing one is rolled back
//! alone), one `COMMIT` — one fsync for the group, still
//! `synchronous=FULL` — and only then is each caller answered, so nothing
//! is acknowledged before it is on disk. Being the only writer, it never
//! meets "database is locked" from this process; readers (WAL) never wait
//! for it. A counter's action waits in a queue of its own, taken first.

use super::sql::Conn;
use futures_util::future::BoxFuture;
use std::path::PathBuf;
use tokio::sync::mpsc;

/// What the writer hands back to a job after the group's COMMIT.
pub type Finish = Box<dyn FnOnce(Result<(), String>) + Send>;
/// A job: runs its statements, says whether they succeeded, and how to
/// answer its caller once the commit is known.
pub type Job = Box<dyn for<'c> FnOnce(&'c mut Conn<'c>) -> BoxFuture<'c, (bool, Finish)> + Send>;

/// Takes the write lock at once, so no reader's lock is ever upgraded.
const BEGIN: &str = "BEGIN IMMEDIATE";

/// Transactions committed together at most.
const MAX_GROUP: usize = 64;

/// Which queue a job waits in: a counter's action goes before the kiosks'
/// tickets queued with it, so an officer never waits behind a rush.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteLane {
    /// An officer at a counter is waiting (call, start, finish …).
    Counter,
    /// Everything else.
    Normal,
}

#[derive(Clone)]
pub struct Writer {
    counter: mpsc::UnboundedSender<Job>,
    normal: mpsc::UnboundedSender<Job>,
}

/// The writer's ends of the two queues.
struct Queues {
    counter: mpsc::UnboundedReceiver<Job>,
    normal: mpsc::UnboundedReceiver<Job>,
}

fn queues() -> (Writer, Queues) {
    let (counter, counter_rx) = mpsc::unbounded_channel();
    let (normal, normal_rx) = mpsc::unbounded_channel();
    (Writer { counter, normal }, Queues { counter: counter_rx, normal: normal_rx })
}

impl Writer {
    /// Opens the writer's connection to the SQLite file and starts its thread.
    pub fn start(file: PathBuf, pragmas: &str) -> anyhow::Result<Writer> {
        let mut conn = rusqlite::Connection::open(&file)?;
        conn.execute_batch(pragmas)?;
        conn.set_prepared_statement_cache_capacity(super::sql::STATEMENT_CACHE);
        let (writer, mut rx) = queues();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new().name("mpp-sqlite-writer".into()).spawn(move || {
            runtime.block_on(async move {
                while let Some(group) = next_group(&mut rx).await {
                    commit_group(&mut conn, group).await;
                }
            })
        })?;
        Ok(writer)
    }

    /// Queues a job; false if the writer has stopped.
    pub fn submit(&self, lane: WriteLane, job: Job) -> bool {
        match lane {
            WriteLane::Counter => self.counter.send(job).is_ok(),
            WriteLane::Normal => self.normal.send(job).is_ok(),
        }
    }
}

/// The next jobs, up to a group's size: the counters' first, then the rest.
async fn next_group(rx: &mut Queues) -> Option<Vec<Job>> {
    let first = tokio::select! {
        biased;
        Some(job) = rx.counter.recv() => job,
        Some(job) = rx.normal.recv() => job,
        else => return None,
    };
    let mut group = vec![first];
    while group.len() < MAX_GROUP {
        match rx.counter.try_recv().or_else(|_| rx.normal.try_recv()) {
            Ok(job) => group.push(job),
            Err(_) => break,
        }
    }
    Some(group)
}

fn exec(conn: &rusqlite::Connection, sql: &str) -> Result<(), String> {
    conn.execute_batch(sql).map_err(|e| e.to_string())
}

/// Runs a group in one transaction and answers every job once its fate is known.
async fn commit_group(conn: &mut rusqlite::Connection, group: Vec<Job>) {
    let mut finishes = Vec::with_capacity(group.len());
    let outcome = run_group(conn, group, &mut finishes).await;
    if let Err(e) = &outcome {
        let _ = exec(conn, "ROLLBACK");
        tracing::error!(error = %e, "a group of writes did not commit");
    }
    // Jobs that never ran dropped their callers' channels: they hear an error too.
    for finish in finishes {
        finish(outcome.clone());
    }
}

async fn run_group(
    conn: &mut rusqlite::Connection,
    mut group: Vec<Job>,
    finishes: &mut Vec<Finish>,
) -> Result<(), String> {
    // Alone, a job needs no savepoint: its failure rolls the whole back.
    if group.len() == 1
        && let Some(job) = group.pop()
    {
        exec(conn, BEGIN)?;
        let (ok, finish) = job(&mut Conn::Lite(conn)).await;
        finishes.push(finish);
        return exec(conn, if ok { "COMMIT" } else { "ROLLBACK" });
    }
    exec(conn, BEGIN)?;
    for job in group {
        exec(conn, "SAVEPOINT job")?;
        let (ok, finish) = job(&mut Conn::Lite(conn)).await;
        finishes.push(finish);
        if !ok {
            exec(conn, "ROLLBACK TO job")?;
        }
        exec(conn, "RELEASE job")?;
    }
    exec(conn, "COMMIT")
}
