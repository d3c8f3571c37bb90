//! Time is a parameter. Everything that needs "now" asks the state's clock;
//! `system_now_ms` is the one place that reads the system time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The wall clock, read only here.
pub fn system_now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// The clock everything asks for "now": the system time plus an offset.
/// The offset is zero in production; `mpp serve --clock-start` and the
/// tests move it so that opening hours, daily resets and slot windows can
/// be exercised at any hour. Time keeps running from the moved start.
#[derive(Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn system() -> Self {
        Clock::default()
    }

    pub fn now_ms(&self) -> i64 {
        system_now_ms() + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Moves the clock so that it reads `at_ms` now.
    pub fn set_now(&self, at_ms: i64) {
        self.offset_ms.store(at_ms - system_now_ms(), Ordering::Relaxed);
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
