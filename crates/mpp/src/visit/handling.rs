//! How long a visit at each service takes lately (the last 30 served
//! stretches), kept in memory: every ticket issued and every ticket shown
//! estimates its wait from it, and reading it from `ticket_steps` each time
//! was a sixth of PostgreSQL's statements in the bench
//! (docs/PERFORMANCE.md). A served stretch this process records is added at
//! once (`served`, after its commit); the list is read again when a second
//! old by the mall clock, which brings in other server processes' visits.

use super::store;
use crate::db::Db;
use crate::error::AppResult;
use mpp_domain::tenancy::MallId;
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// How many recent stretches the estimate looks at.
pub const RECENT: usize = 30;
/// How old (mall clock, ms) the list may be before it is read again.
const FRESH_MS: i64 = 1000;

/// (mall, service) → (read at, seconds of the latest stretches, newest first).
type Recent = HashMap<(MallId, String), (i64, VecDeque<i64>)>;

#[derive(Default)]
pub struct Handling {
    recent: Mutex<Recent>,
}

impl Handling {
    /// Seconds a visit at this service takes lately
    /// (`mpp_domain::visit::handling_estimate`), or `fallback` before there
    /// is any history.
    pub async fn secs(&self, db: &Db, mall_id: &MallId, service_id: &str, fallback: i64, now: i64) -> AppResult<i64> {
        let key = (mall_id.to_owned(), service_id.to_owned());
        let kept = self.lock().get(&key).filter(|(at, _)| (now - at).abs() < FRESH_MS).map(|(_, l)| l.clone());
        let mut recent = match kept {
            Some(recent) => recent,
            None => {
                let recent: VecDeque<i64> = store::served_stretches(db, mall_id, service_id, RECENT).await?.into();
                self.lock().insert(key, (now, recent.clone()));
                recent
            }
        };
        Ok(mpp_domain::visit::handling_estimate(recent.make_contiguous(), fallback))
    }

    /// A served stretch of `secs` at a service was recorded (committed).
    pub fn served(&self, mall_id: &MallId, service_id: &str, secs: i64) {
        if let Some((_, recent)) = self.lock().get_mut(&(mall_id.to_owned(), service_id.to_owned())) {
            recent.push_front(secs);
            recent.truncate(RECENT);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recent> {
        self.recent.lock().unwrap_or_else(|e| e.into_inner())
    }
}
