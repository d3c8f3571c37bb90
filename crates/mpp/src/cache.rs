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
        let v = load().await?;
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(key, (Instant::now(), Arc::new(v.clone())));
        Ok(v)
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
}
