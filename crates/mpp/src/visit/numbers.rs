//! The next ticket number of each prefix and day, kept in memory. Every
//! ticket used to take it from one row per prefix (`ticket_numbers`), and
//! on PostgreSQL each issuing transaction held that row's lock until its
//! commit had reached the disk, so issuing went one ticket at a time per
//! service (docs/PERFORMANCE.md). Now the database's unique key
//! (mall, day, prefix, seq) is what keeps two tickets from one number:
//! a process that finds its number taken (another server process took it)
//! reads the highest stored number and goes on from there. After a restart
//! the numbers go on from the highest stored one.

use mpp_domain::tenancy::MallId;
use std::collections::HashMap;
use std::sync::Mutex;

/// (mall, day, prefix).
type Key = (MallId, String, String);

#[derive(Default)]
pub struct Numbers {
    next: Mutex<HashMap<Key, i64>>,
}

impl Numbers {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, i64>> {
        self.next.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next number, when this process knows where the prefix stands.
    pub fn take(&self, mall_id: &MallId, day: &str, prefix: &str) -> Option<i64> {
        let mut next = self.lock();
        let n = next.get_mut(&(mall_id.clone(), day.to_string(), prefix.to_string()))?;
        *n += 1;
        Some(*n - 1)
    }

    /// The next number after `highest`, the highest one stored (never one
    /// this process already gave out).
    pub fn take_after(&self, mall_id: &MallId, day: &str, prefix: &str, highest: i64) -> i64 {
        let mut next = self.lock();
        // A new day's numbers replace the mall's earlier days'.
        next.retain(|(mall, d, _), _| mall != mall_id || d == day);
        let n = next.entry((mall_id.clone(), day.to_string(), prefix.to_string())).or_insert(0);
        *n = (*n).max(highest + 1) + 1;
        *n - 1
    }

    /// Hands a number back when its ticket was not stored, if no later one
    /// was given out meanwhile (so a refusal leaves no gap).
    pub fn give_back(&self, mall_id: &MallId, day: &str, prefix: &str, seq: i64) {
        let mut next = self.lock();
        if let Some(n) = next.get_mut(&(mall_id.clone(), day.to_string(), prefix.to_string()))
            && *n == seq + 1
        {
            *n = seq;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_follow_on_never_repeat_and_start_again_each_day() {
        let n = Numbers::default();
        let m = MallId::new("m");
        assert_eq!(n.take(&m, "d1", "A"), None, "unknown until read from the database");
        assert_eq!(n.take_after(&m, "d1", "A", 0), 1);
        assert_eq!(n.take(&m, "d1", "A"), Some(2));
        // Another process took up to 7: on from there.
        assert_eq!(n.take_after(&m, "d1", "A", 7), 8);
        // A stale read never goes back.
        assert_eq!(n.take_after(&m, "d1", "A", 3), 9);
        n.give_back(&m, "d1", "A", 9);
        assert_eq!(n.take(&m, "d1", "A"), Some(9), "the last one handed back is given again");
        n.take(&m, "d1", "A");
        n.give_back(&m, "d1", "A", 9);
        assert_eq!(n.take(&m, "d1", "A"), Some(11), "not once a later one was given");
        assert_eq!(n.take_after(&m, "d2", "A", 0), 1);
        assert_eq!(n.take(&m, "d1", "A"), None, "yesterday's are forgotten");
    }
}
