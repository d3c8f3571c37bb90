//! Consent per purpose (UU 27/2022): a citizen lets one agency of one mall
//! use their kept documents and details for one purpose (an application)
//! until a day, and may withdraw it at any time. A read that rests on a
//! consent is allowed only while it is live.

use time::Date;

/// How long a consent given while filing lasts: long enough for the
/// application's work and a correction round; the citizen may end it sooner.
pub const FILING_DAYS: i64 = 90;

/// The last day a consent given on `today` for an application holds.
pub fn filing_until(today: Date) -> Date {
    today.saturating_add(time::Duration::days(FILING_DAYS))
}

/// Whether a consent holds on `today`: not withdrawn, and its last day
/// (ISO date) not passed.
pub fn live(until_day: &str, withdrawn_at: Option<i64>, today: Date) -> bool {
    withdrawn_at.is_none() && crate::format::parse_date(until_day).is_some_and(|until| today <= until)
}

/// A consent as its page names its state.
pub fn state(until_day: &str, withdrawn_at: Option<i64>, today: Date) -> &'static str {
    match (withdrawn_at, live(until_day, withdrawn_at, today)) {
        (Some(_), _) => "withdrawn",
        (None, true) => "live",
        (None, false) => "ended",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_consent_holds_through_its_last_day_unless_withdrawn() {
        let day = |s: &str| crate::format::parse_date(s).expect("a date");
        let until = crate::format::iso_date(filing_until(day("2026-11-25")));
        assert_eq!(until, "2027-02-23");
        assert!(live(&until, None, day("2027-02-23")));
        assert!(!live(&until, None, day("2027-02-24")));
        assert!(!live(&until, Some(1), day("2026-11-26")));
        assert!(!live("not a date", None, day("2026-11-26")), "an unreadable day holds nothing");
        assert_eq!(state(&until, None, day("2026-12-01")), "live");
        assert_eq!(state(&until, Some(1), day("2026-12-01")), "withdrawn");
        assert_eq!(state(&until, None, day("2027-03-01")), "ended");
    }
}
