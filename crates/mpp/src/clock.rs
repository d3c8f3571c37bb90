//! Time is a parameter. Everything that needs "now" asks the state's clock;
//! `system_now_ms` is the one place that reads the system time.

/// The wall clock, read only here.
pub fn system_now_ms() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}

/// The clock everything asks for "now". Tests that need another time will
/// give it a fixed variant here; nothing else reads the system time.
#[derive(Clone, Default)]
pub struct Clock;

impl Clock {
    pub fn system() -> Self {
        Clock
    }

    pub fn now_ms(&self) -> i64 {
        system_now_ms()
    }

    /// Today's date in a mall's time zone.
    pub fn today(&self, zone: mpp_domain::tenancy::TimeZone) -> time::Date {
        let at = time::OffsetDateTime::from_unix_timestamp(self.now_ms().div_euclid(1000))
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        at.to_offset(zone.offset()).date()
    }
}
