//! The personal-data breach register (UU 27/2022 art. 46): the mall
//! manager records an incident (what happened, in which window, and whose
//! reads are suspect), MPP finds the citizens affected from the access log,
//! and they and the supervisor must be told within 3 × 24 hours of its
//! discovery.

use crate::tenancy::TimeZone;

/// Time allowed from discovery to telling those affected: 3 × 24 hours.
pub const NOTIFY_MS: i64 = 3 * 24 * 60 * 60 * 1000;

/// A `datetime-local` value (`2026-11-24T08:30`) in a mall's zone, as UTC ms.
pub fn parse_local(raw: &str, zone: TimeZone) -> Option<i64> {
    let (day, clock) = raw.trim().split_once('T')?;
    let day = crate::format::parse_date(day)?;
    let clock = crate::format::parse_clock(clock.get(..5)?)?;
    let at = time::PrimitiveDateTime::new(day, clock).assume_offset(zone.offset());
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

/// What is wrong with a report: (field, message key).
pub fn check(
    title: &str,
    from_at: Option<i64>,
    to_at: Option<i64>,
    discovered_at: Option<i64>,
    now: i64,
) -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    if title.trim().is_empty() || title.chars().count() > 200 {
        out.push(("title", "breach.bad_title"));
    }
    for (field, at) in [("from", from_at), ("to", to_at), ("discovered", discovered_at)] {
        match at {
            None => out.push((field, "breach.bad_time")),
            Some(at) if at > now => out.push((field, "breach.in_future")),
            Some(_) => {}
        }
    }
    if let (Some(from), Some(to)) = (from_at, to_at)
        && to < from
    {
        out.push(("to", "breach.ends_before"));
    }
    out
}

/// Where the telling stands: `done` (in time), `late` (done after the
/// deadline), `due` (not yet, time left) or `overdue`.
pub fn notice_state(notify_by: i64, notified_at: Option<i64>, now: i64) -> &'static str {
    match notified_at {
        Some(at) if at <= notify_by => "done",
        Some(_) => "late",
        None if now <= notify_by => "due",
        None => "overdue",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_needs_a_title_and_a_window_in_the_past_in_order() {
        let at = |s: &str| parse_local(s, TimeZone::Wita).expect("a time");
        assert_eq!(at("2026-11-24T08:30"), at("2026-11-24T00:30") + 8 * 3_600_000);
        assert_eq!(parse_local("2026-11-24 08:30", TimeZone::Wita), None);
        let now = at("2026-11-25T09:00");
        let (from, to) = (Some(at("2026-11-24T08:00")), Some(at("2026-11-24T17:00")));
        assert!(check("Akun petugas dipakai orang lain", from, to, Some(now), now).is_empty());
        assert_eq!(check(" ", from, to, Some(now), now), [("title", "breach.bad_title")]);
        assert_eq!(check("x", to, from, Some(now), now), [("to", "breach.ends_before")]);
        assert_eq!(
            check("x", from, Some(now + 1), None, now),
            [("to", "breach.in_future"), ("discovered", "breach.bad_time")]
        );
    }

    #[test]
    fn telling_is_due_for_three_days_then_overdue() {
        let by = 1_000 + NOTIFY_MS;
        assert_eq!(notice_state(by, None, by), "due");
        assert_eq!(notice_state(by, None, by + 1), "overdue");
        assert_eq!(notice_state(by, Some(by), by + 5), "done");
        assert_eq!(notice_state(by, Some(by + 1), by + 5), "late");
    }
}
