//! Time is a parameter. Everything that needs "now" asks the state's clock;
//! `system_now_ms` is the one place that reads the system time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The wall clock, read only here.
#[allow(clippy::disallowed_methods)]
pub fn system_now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// The clock everything asks for "now". Running: the system time plus an
/// offset (zero in production; `mpp serve --clock-start` moves it so that
/// opening hours, daily resets and slot windows can be shown at any hour,
/// and time runs on from there). Fixed: a time that moves only when told
/// (`set_now`, `advance`), for tests, so that nothing in them depends on
/// how fast the machine is.
#[derive(Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
    fixed: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock::default()
    }

    /// A clock that reads `at_ms` until moved.
    pub fn fixed(at_ms: i64) -> Self {
        Clock { offset_ms: Arc::default(), fixed: Some(Arc::new(AtomicI64::new(at_ms))) }
    }

    pub fn now_ms(&self) -> i64 {
        match &self.fixed {
            Some(at) => at.load(Ordering::Relaxed),
            None => system_now_ms() + self.offset_ms.load(Ordering::Relaxed),
        }
    }

    /// Moves the clock so that it reads `at_ms` now.
    pub fn set_now(&self, at_ms: i64) {
        match &self.fixed {
            Some(at) => at.store(at_ms, Ordering::Relaxed),
            None => self.offset_ms.store(at_ms - system_now_ms(), Ordering::Relaxed),
        }
    }

    /// Moves the clock on by `ms`.
    pub fn advance(&self, ms: i64) {
        match &self.fixed {
            Some(at) => {
                at.fetch_add(ms, Ordering::Relaxed);
            }
            None => {
                self.offset_ms.fetch_add(ms, Ordering::Relaxed);
            }
        }
    }

    /// Today's date in a mall's time zone.
    pub fn today(&self, zone: mpp_domain::tenancy::TimeZone) -> time::Date {
        self.local(zone).date()
    }

    /// Now, in a mall's time zone.
    pub fn local(&self, zone: mpp_domain::tenancy::TimeZone) -> time::OffsetDateTime {
        let at = time::OffsetDateTime::from_unix_timestamp(self.now_ms().div_euclid(1000))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        at.to_offset(zone.offset())
    }
}
