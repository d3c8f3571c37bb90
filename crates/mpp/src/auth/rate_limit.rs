//! Login rate limit: after too many failures for one address or one account
//! within a window, further attempts are refused until the window passes.
//! Kept in memory: a restart forgives, which is acceptable for a throttle.

use std::collections::HashMap;
use std::sync::Mutex;

pub struct RateLimiter {
    max_failures: u32,
    window_ms: i64,
    failures: Mutex<HashMap<String, (u32, i64)>>,
}

impl RateLimiter {
    pub fn new(max_failures: u32, window_ms: i64) -> Self {
        RateLimiter { max_failures, window_ms, failures: Mutex::new(HashMap::new()) }
    }

    /// Whether any of the keys has used up its failures.
    pub fn is_blocked(&self, keys: &[&str], now_ms: i64) -> bool {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter().any(|k| {
            map.get(*k).is_some_and(|(count, since)| now_ms - since < self.window_ms && *count >= self.max_failures)
        })
    }

    pub fn record_failure(&self, keys: &[&str], now_ms: i64) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| now_ms - *since < self.window_ms);
        }
        for k in keys {
            let entry = map.entry((*k).to_string()).or_insert((0, now_ms));
            if now_ms - entry.1 >= self.window_ms {
                *entry = (0, now_ms);
            }
            entry.0 += 1;
        }
    }

    pub fn clear(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_then_forgives() {
        let rl = RateLimiter::new(3, 1000);
        for _ in 0..3 {
            assert!(!rl.is_blocked(&["ip", "a@b"], 0));
            rl.record_failure(&["ip", "a@b"], 0);
        }
        assert!(rl.is_blocked(&["a@b"], 10));
        assert!(!rl.is_blocked(&["other"], 10));
        assert!(!rl.is_blocked(&["a@b"], 1000));
    }
}
