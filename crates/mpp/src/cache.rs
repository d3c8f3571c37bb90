//! A short-lived, per-process cache of configuration the hot paths read on
//! every request (the mall, a counter and its services, a service's short
//! description, the queue settings, a day's opening hours). Writes through
//! this process clear it at once; another process's writes show within
//! [`TTL`]. Besides configuration: a user's roles in a mall and an API
//! token's owner (granting a role clears the cache). Nothing that changes
//! per visit is cached.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a cached value may be served.
pub const TTL: Duration = Duration::from_secs(5);
/// More entries than this and the cache starts over (a mall has few).
const MAX_ENTRIES: usize = 10_000;

type Entry = (Instant, Arc<dyn Any + Send + Sync>);

#[derive(Default)]
pub struct Cache {
    entries: Mutex<HashMap<String, Entry>>,
    /// One gate per key being loaded: when an entry expires under load,
    /// one caller loads it and the others wait for that value instead of
    /// all loading at once (200 clients sharing an API token each wrote
    /// its `last_used_at`, queueing on one row).
    loading: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Counts the clears, so that a value loaded across one is not kept.
    generation: AtomicU64,
}

impl Cache {
    /// The cached value under `key`, or the loaded one (then cached).
    pub async fn get_or<T, E, F, Fut>(&self, key: String, load: F) -> Result<T, E>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        if let Some(v) = self.get::<T>(&key) {
            return Ok(v);
        }
        let gate = Arc::clone(self.loading.lock().unwrap_or_else(|e| e.into_inner()).entry(key.clone()).or_default());
        let turn = gate.lock().await;
        let loaded = match self.get::<T>(&key) {
            Some(v) => Ok(v),
            None => {
                let generation = self.generation.load(Ordering::Acquire);
                let loaded = load().await;
                if let Ok(v) = &loaded {
                    let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
                    // Cleared meanwhile: what was loaded may predate the change.
                    if self.generation.load(Ordering::Acquire) == generation {
                        if entries.len() >= MAX_ENTRIES {
                            entries.clear();
                        }
                        entries.insert(key.clone(), (Instant::now(), Arc::new(v.clone())));
                    }
                }
                loaded
            }
        };
        drop(turn);
        let mut loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        // The last one through removes the gate (the map's and ours are the two left).
        if Arc::strong_count(&gate) <= 2 {
            loading.remove(&key);
        }
        loaded
    }

    fn get<T: Clone + 'static>(&self, key: &str) -> Option<T> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let (at, v) = entries.get(key)?;
        if at.elapsed() > TTL {
            return None;
        }
        v.downcast_ref::<T>().cloned()
    }

    /// Forgets everything (after a configuration change).
    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn values_are_loaded_once_then_served_until_cleared() {
        let cache = Cache::default();
        let mut loads = 0;
        for _ in 0..3 {
            let v: Result<i64, ()> = cache.get_or("k".into(), || async { Ok(42) }).await;
            assert_eq!(v, Ok(42));
        }
        let v: Result<i64, ()> = cache
            .get_or("k".into(), || {
                loads += 1;
                async { Ok(7) }
            })
            .await;
        assert_eq!((v, loads), (Ok(42), 0), "served from the cache");
        cache.clear();
        let v: Result<i64, ()> = cache.get_or("k".into(), || async { Ok(7) }).await;
        assert_eq!(v, Ok(7));
        let failed: Result<i64, &str> = cache.get_or("e".into(), || async { Err("down") }).await;
        assert_eq!(failed, Err("down"), "errors are not cached");
    }

    #[tokio::test]
    async fn many_callers_of_a_missing_value_load_it_once() {
        let cache = Arc::new(Cache::default());
        let loads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let callers = (0..50).map(|_| {
            let (cache, loads) = (Arc::clone(&cache), Arc::clone(&loads));
            tokio::spawn(async move {
                cache
                    .get_or("token".into(), || async {
                        loads.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok::<i64, ()>(1)
                    })
                    .await
            })
        });
        for caller in futures_util::future::join_all(callers).await {
            assert_eq!(caller.expect("the caller ran"), Ok(1));
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        assert!(cache.loading.lock().expect("not poisoned").is_empty(), "no gate left behind");
    }

    #[tokio::test]
    async fn a_value_loaded_across_a_clear_is_not_kept() {
        let cache = Cache::default();
        let v: Result<i64, ()> = cache
            .get_or("k".into(), || async {
                cache.clear();
                Ok(1)
            })
            .await;
        assert_eq!(v, Ok(1), "the caller gets what it loaded");
        let v: Result<i64, ()> = cache.get_or("k".into(), || async { Ok(2) }).await;
        assert_eq!(v, Ok(2), "but the next caller loads afresh");
    }
}
