//! Indonesian formats for money, dates and times (`Rp 50.000`,
//! `24 November 2026`, `08.00 WITA`), and their English counterparts.

use crate::tenancy::TimeZone;
use time::{Date, OffsetDateTime, Time};

/// A user-interface language. Indonesian first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
}

/// Groups thousands with dots: 1500000 → "1.500.000".
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// `Rp 50.000` in both languages (rupiah amounts are written the Indonesian
/// way even in English pages, as Indonesian sites do).
pub fn rupiah(amount: i64) -> String {
    format!("Rp {}", group_thousands(amount))
}

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS_ID: [&str; 7] = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"];
const DAYS_EN: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// `24 November 2026`.
pub fn date(d: Date, lang: Lang) -> String {
    let months = if lang == Lang::Id { MONTHS_ID } else { MONTHS_EN };
    format!("{} {} {}", d.day(), months[usize::from(u8::from(d.month())) - 1], d.year())
}

/// Name of an ISO weekday (1 = Monday).
pub fn weekday_name(iso: u8, lang: Lang) -> &'static str {
    let days = if lang == Lang::Id { DAYS_ID } else { DAYS_EN };
    days[usize::from(iso.clamp(1, 7)) - 1]
}

/// `08.00` in Indonesian (the dot is the Indonesian separator), `08:00` in English.
pub fn clock(t: Time, lang: Lang) -> String {
    let sep = if lang == Lang::Id { '.' } else { ':' };
    format!("{:02}{sep}{:02}", t.hour(), t.minute())
}

/// The day a UTC instant falls on in a mall's zone.
pub fn day_of(utc_millis: i64, zone: TimeZone) -> Date {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(utc_millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    at.to_offset(zone.offset()).date()
}

/// A UTC instant shown in the mall's zone: `24 November 2026 14.05 WITA`.
pub fn instant(utc_millis: i64, zone: TimeZone, lang: Lang) -> String {
    let Ok(at) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(utc_millis) * 1_000_000) else {
        return String::new();
    };
    let local = at.to_offset(zone.offset());
    format!("{} {} {}", date(local.date(), lang), clock(local.time(), lang), zone.as_str())
}

/// A UTC instant as RFC 3339 in the mall's zone, for machines:
/// `2026-11-24T14:05:00+08:00`.
pub fn rfc3339(utc_millis: i64, zone: TimeZone) -> String {
    let Ok(at) = OffsetDateTime::from_unix_timestamp_nanos(i128::from(utc_millis) * 1_000_000) else {
        return String::new();
    };
    let local = at.to_offset(zone.offset()).replace_nanosecond(0).unwrap_or(at);
    local.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// Parses `HH:MM` (or `HH.MM`).
pub fn parse_clock(s: &str) -> Option<Time> {
    let (h, m) = s.trim().split_once([':', '.'])?;
    if h.len() > 2 || m.len() != 2 {
        return None;
    }
    Time::from_hms(h.parse().ok()?, m.parse().ok()?, 0).ok()
}

/// Parses an ISO date `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s.trim(), time::macros::format_description!("[year]-[month]-[day]")).ok()
}

/// ISO `YYYY-MM-DD`.
pub fn iso_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, time};

    #[test]
    fn money() {
        assert_eq!(rupiah(50_000), "Rp 50.000");
        assert_eq!(rupiah(650_000), "Rp 650.000");
        assert_eq!(rupiah(1_500_000), "Rp 1.500.000");
        assert_eq!(rupiah(0), "Rp 0");
        assert_eq!(group_thousands(-1234), "-1.234");
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(date(date!(2026 - 11 - 24), Lang::Id), "24 November 2026");
        assert_eq!(date(date!(2026 - 08 - 17), Lang::Id), "17 Agustus 2026");
        assert_eq!(date(date!(2026 - 08 - 17), Lang::En), "17 August 2026");
        assert_eq!(clock(time!(8:00), Lang::Id), "08.00");
        assert_eq!(clock(time!(15:30), Lang::En), "15:30");
        // 2026-11-24 06:05 UTC is 14:05 WITA.
        assert_eq!(instant(1_795_500_300_000, TimeZone::Wita, Lang::Id), "24 November 2026 14.05 WITA");
        assert_eq!(parse_clock("8.30"), Some(time!(8:30)));
        assert_eq!(parse_clock("25:00"), None);
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(iso_date(date!(2026 - 01 - 05)), "2026-01-05");
    }
}
