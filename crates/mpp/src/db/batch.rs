//! Requests of one kind for one mall that arrive while a batch of them
//! runs wait, and then run together as the next batch: one transaction of
//! a few set-based statements (`UPDATE … FROM (VALUES …)`, multi-row
//! `INSERT`) for all of them, instead of a transaction each. This is what
//! PostgreSQL needs under load: its cost is per statement and per commit,
//! not per row (measured: docs/PERFORMANCE.md, "Counters in batches").
//!
//! A quiet mall's request runs at once, alone (a batch of one); the busier
//! the mall, the larger the batches. At most one batch per kind and mall
//! runs at a time, on a task of its own, so a request whose client went
//! away cancels nothing of the others'.

use crate::error::AppError;
use mpp_domain::tenancy::MallId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// The most requests one batch takes (the rest wait for the next).
const MOST: usize = 64;

pub struct Batches<W> {
    malls: Mutex<HashMap<MallId, Queue<W>>>,
}

impl<W> Default for Batches<W> {
    fn default() -> Self {
        Batches { malls: Mutex::new(HashMap::new()) }
    }
}

struct Queue<W> {
    waiting: Vec<W>,
    running: bool,
}

impl<W: Send + 'static> Batches<W> {
    /// Queues `work` for `mall_id`; when no batch of the mall runs, starts
    /// one that runs `run` on what is queued, then on what queued meanwhile,
    /// until nothing waits. `run` answers each work item itself (the items
    /// carry their answer channels).
    pub fn submit<F>(self: &Arc<Self>, mall_id: &MallId, work: W, run: F)
    where
        F: Fn(Vec<W>) -> futures_util::future::BoxFuture<'static, ()> + Send + 'static,
    {
        let mut malls = self.lock();
        let queue = malls.entry(mall_id.to_owned()).or_insert_with(|| Queue { waiting: Vec::new(), running: false });
        queue.waiting.push(work);
        if queue.running {
            return;
        }
        queue.running = true;
        drop(malls);
        let mut running = Running { batches: Arc::clone(self), mall_id: mall_id.to_owned(), done: false };
        tokio::spawn(async move {
            while let Some(batch) = running.next() {
                run(batch).await;
            }
        });
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<MallId, Queue<W>>> {
        self.malls.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A mall's running batch task. Dropped (done, or a panic unwinding), it
/// leaves the mall free for the next request to start a task again; work
/// still queued then is dropped, so its requests get an error, not silence.
struct Running<W: Send + 'static> {
    batches: Arc<Batches<W>>,
    mall_id: MallId,
    /// Finished normally: the mall may already run a new task.
    done: bool,
}

impl<W: Send + 'static> Running<W> {
    /// The next batch, or `None` (and the mall marked free) when nothing waits.
    fn next(&mut self) -> Option<Vec<W>> {
        let mut malls = self.batches.lock();
        let queue = malls.get_mut(&self.mall_id)?;
        if queue.waiting.is_empty() {
            queue.running = false;
            self.done = true;
            return None;
        }
        let rest = queue.waiting.split_off(queue.waiting.len().min(MOST));
        Some(std::mem::replace(&mut queue.waiting, rest))
    }
}

impl<W: Send + 'static> Drop for Running<W> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let mut malls = self.batches.lock();
        if let Some(queue) = malls.get_mut(&self.mall_id) {
            queue.running = false;
            queue.waiting.clear();
        }
    }
}

/// An error of a whole batch (its transaction rolled back), for each of
/// its requests: a refusal as it is, anything else as an internal error
/// that says what happened.
pub fn for_each(e: &AppError) -> AppError {
    match e {
        AppError::Conflict(key) => AppError::Conflict(key),
        e => AppError::Internal(anyhow::anyhow!("{e:#}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Work that arrives while a batch runs goes into the next one, whole;
    /// every item is answered once.
    #[tokio::test]
    async fn work_that_waits_runs_together_and_each_is_answered() {
        let batches: Arc<Batches<(usize, tokio::sync::oneshot::Sender<usize>)>> = Arc::default();
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let (release, released) = tokio::sync::watch::channel(false);
        let run = {
            let (sizes, released) = (Arc::clone(&sizes), released.clone());
            move |batch: Vec<(usize, tokio::sync::oneshot::Sender<usize>)>| {
                let (sizes, mut released) = (Arc::clone(&sizes), released.clone());
                Box::pin(async move {
                    sizes.lock().unwrap_or_else(|e| e.into_inner()).push(batch.len());
                    // The first batch holds until the others have queued.
                    let _ = released.wait_for(|r| *r).await;
                    for (n, answer) in batch {
                        let _ = answer.send(n * 10);
                    }
                }) as futures_util::future::BoxFuture<'static, ()>
            }
        };
        let mut answers = Vec::new();
        for n in 0..5 {
            let (tx, rx) = tokio::sync::oneshot::channel();
            batches.submit(&MallId::new("m"), (n, tx), run.clone());
            answers.push(rx);
            tokio::task::yield_now().await;
        }
        release.send(true).unwrap_or_default();
        let mut got = Vec::new();
        for rx in answers {
            got.push(rx.await.unwrap_or(usize::MAX));
        }
        assert_eq!(got, vec![0, 10, 20, 30, 40]);
        assert_eq!(*sizes.lock().unwrap_or_else(|e| e.into_inner()), vec![1, 4]);
        // Then the mall is free: the next work starts a batch of its own.
        let (tx, rx) = tokio::sync::oneshot::channel();
        batches.submit(&MallId::new("m"), (7, tx), run);
        assert_eq!(rx.await.unwrap_or(usize::MAX), 70);
    }

    /// A batch that panics leaves the mall free, and the work it had queued
    /// is answered with an error (its channel closed), never left waiting.
    #[tokio::test]
    async fn a_batch_that_fails_frees_the_mall() {
        let batches: Arc<Batches<tokio::sync::oneshot::Sender<()>>> = Arc::default();
        let calls = Arc::new(AtomicUsize::new(0));
        let run = {
            let calls = Arc::clone(&calls);
            move |batch: Vec<tokio::sync::oneshot::Sender<()>>| {
                let calls = Arc::clone(&calls);
                Box::pin(async move {
                    if calls.fetch_add(1, Ordering::SeqCst) == 0 {
                        drop(batch);
                        panic!("a batch failed");
                    }
                    for answer in batch {
                        let _ = answer.send(());
                    }
                }) as futures_util::future::BoxFuture<'static, ()>
            }
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        batches.submit(&MallId::new("m"), tx, run.clone());
        assert!(rx.await.is_err());
        let (tx, rx) = tokio::sync::oneshot::channel();
        batches.submit(&MallId::new("m"), tx, run);
        assert!(rx.await.is_ok());
    }
}
