//! Time is a parameter. Everything that needs "now" asks the state's clock;
//! `system_now_ms` is the one place that reads the system time, so tests can
//! control time by setting the clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The wall clock, read only here.
pub fn system_now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// A clock that follows the system time, or is fixed at an instant when
/// `MPP_FAKE_NOW_MS` is set (used by tests that start the real server).
#[derive(Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { fixed: None }
    }

    pub fn fixed(at_ms: i64) -> Self {
        Clock { fixed: Some(Arc::new(AtomicI64::new(at_ms))) }
    }

    pub fn now_ms(&self) -> i64 {
        match &self.fixed {
            Some(at) => at.load(Ordering::Relaxed),
            None => system_now_ms(),
        }
    }

    /// Today's date in a mall's time zone.
    pub fn today(&self, zone: mpp_domain::tenancy::TimeZone) -> time::Date {
        let at = time::OffsetDateTime::from_unix_timestamp(self.now_ms().div_euclid(1000))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        at.to_offset(zone.offset()).date()
    }
}
