//! Online appointments: which slots a service offers on a day, how many
//! visitors each slot takes, booking codes, what a booking becomes at the
//! kiosk, and the iCalendar file the citizen keeps.

pub mod capacity;

use crate::visit::Break;
use time::{OffsetDateTime, Time};

str_enum! {
    /// Where a booking stands.
    AppointmentStatus {
        Booked = "booked",
        /// Checked in at the kiosk within its window: it has a ticket.
        CheckedIn = "checked_in",
        /// Checked in after its grace time: a ticket in the regular line.
        Late = "late",
        Cancelled = "cancelled",
        /// The slot passed without a check-in.
        NoShow = "no_show",
    }
}

/// Slot length for online appointments.
pub const SLOT_MINUTES: i64 = 30;
/// How late a booked visitor may check in and keep their booking.
pub const GRACE_MINUTES: i64 = 15;
/// How far ahead a citizen may book.
pub const DAYS_AHEAD: i64 = 14;

/// The day's slots between opening and closing, skipping any that overlap
/// a break, each `SLOT_MINUTES` long.
pub fn slots(opens: Time, closes: Time, breaks: &[Break], weekday: u8) -> Vec<(Time, Time)> {
    let step = time::Duration::minutes(SLOT_MINUTES);
    let mut out = Vec::new();
    let mut from = opens;
    while from + step <= closes && from + step > from {
        let to = from + step;
        let clashes = breaks.iter().any(|b| b.weekday.is_none_or(|w| w == weekday) && b.from < to && from < b.to);
        if !clashes {
            out.push((from, to));
        }
        from = to;
    }
    out
}

/// How many booked visitors one slot takes: half of what the counters
/// serving the service can handle in it (the other half is for walk-ins),
/// at least one when any counter serves it.
pub fn slot_capacity(counters: u64, handling_secs: u64) -> u64 {
    if counters == 0 {
        return 0;
    }
    let per_slot = counters * (SLOT_MINUTES as u64 * 60) / handling_secs.max(1);
    (per_slot / 2).max(1)
}

/// A booking code: eight characters of Crockford's base 32 (no I, L, O, U),
/// shown as `XXXX-XXXX`. 40 bits: unguessable enough for a public slot.
pub fn booking_code(random: [u8; 5]) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut n = random.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    let mut chars = [0u8; 8];
    for c in chars.iter_mut().rev() {
        *c = ALPHABET[(n & 31) as usize];
        n >>= 5;
    }
    let s = String::from_utf8_lossy(&chars).to_string();
    format!("{}-{}", &s[..4], &s[4..])
}

/// A typed code, forgiving: case, spaces, a missing dash, O for 0, I/L for 1.
pub fn parse_booking_code(s: &str) -> Option<String> {
    let cleaned: String = s
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        })
        .collect();
    let ok = cleaned.len() == 8 && cleaned.bytes().all(|b| b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b));
    ok.then(|| format!("{}-{}", &cleaned[..4], &cleaned[4..]))
}

/// What a booking becomes when its visitor checks in at the kiosk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckIn {
    /// A ticket served ahead of walk-ins inside this window (UTC ms).
    Window(i64, i64),
    /// Too late: an ordinary walk-in ticket.
    WalkIn,
}

pub fn check_in(now: i64, slot_start: i64, slot_end: i64) -> CheckIn {
    let grace = GRACE_MINUTES * 60_000;
    if now > slot_end + grace { CheckIn::WalkIn } else { CheckIn::Window(slot_start, slot_end + grace) }
}

/// One appointment as an iCalendar (RFC 5545) file.
pub struct Event<'a> {
    pub uid: &'a str,
    pub start: OffsetDateTime,
    pub end: OffsetDateTime,
    pub stamp: OffsetDateTime,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub url: &'a str,
}

pub fn ics(e: &Event<'_>) -> String {
    let utc = |t: OffsetDateTime| {
        let t = t.to_offset(time::UtcOffset::UTC);
        format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    };
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//MPP//Mal Pelayanan Publik//ID".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:{}", escape(e.uid)),
        format!("DTSTAMP:{}", utc(e.stamp)),
        format!("DTSTART:{}", utc(e.start)),
        format!("DTEND:{}", utc(e.end)),
        format!("SUMMARY:{}", escape(e.summary)),
        format!("LOCATION:{}", escape(e.location)),
        format!("DESCRIPTION:{}", escape(e.description)),
        format!("URL:{}", e.url),
        "BEGIN:VALARM".into(),
        "TRIGGER:-PT1H".into(),
        "ACTION:DISPLAY".into(),
        format!("DESCRIPTION:{}", escape(e.summary)),
        "END:VALARM".into(),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    lines.iter().map(|l| fold(l)).collect::<Vec<_>>().join("")
}

/// TEXT escaping of RFC 5545 §3.3.11.
fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace("\r\n", "\\n").replace('\n', "\\n")
}

/// Lines of at most 75 octets, continued with CRLF + space, never splitting
/// a UTF-8 character (§3.1).
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u8, m: u8) -> Time {
        Time::from_hms(h, m, 0).expect("a valid time")
    }

    #[test]
    fn slots_skip_breaks() {
        let breaks = [
            Break { weekday: None, from: t(12, 0), to: t(13, 0) },
            Break { weekday: Some(5), from: t(11, 30), to: t(13, 30) },
        ];
        let wednesday = slots(t(8, 0), t(15, 0), &breaks, 3);
        assert_eq!(wednesday.len(), 12, "7 hours less the noon hour");
        assert_eq!(wednesday.first(), Some(&(t(8, 0), t(8, 30))));
        assert!(!wednesday.iter().any(|(f, _)| *f == t(12, 0) || *f == t(12, 30)));
        let friday = slots(t(8, 0), t(15, 30), &breaks, 5);
        assert_eq!(friday.len(), 11, "7.5 hours less 11:30–13:30");
        assert_eq!(slots(t(8, 0), t(8, 20), &[], 1), vec![]);
    }

    #[test]
    fn capacity_leaves_room_for_walk_ins() {
        assert_eq!(slot_capacity(1, 600), 1, "one counter, ten-minute visits: 3 per slot, half booked, rounded down");
        assert_eq!(slot_capacity(2, 300), 6);
        assert_eq!(slot_capacity(0, 300), 0);
        assert_eq!(slot_capacity(1, 7200), 1, "at least one");
    }

    #[test]
    fn booking_codes_read_back_forgivingly() {
        let code = booking_code([0xde, 0xad, 0xbe, 0xef, 0x01]);
        assert_eq!(code.len(), 9);
        assert_eq!(parse_booking_code(&code.to_lowercase().replace('-', " ")), Some(code.clone()));
        assert_eq!(parse_booking_code("0O1I-LL00"), Some("0011-1100".into()));
        assert_eq!(parse_booking_code("ABCD-EFG"), None);
        assert_eq!(parse_booking_code("ABCD-EFGU"), None, "no U in the alphabet");
    }

    #[test]
    fn late_arrivals_become_walk_ins() {
        let (start, end) = (1_000_000, 1_000_000 + 30 * 60_000);
        assert_eq!(check_in(start - 3_600_000, start, end), CheckIn::Window(start, end + 15 * 60_000));
        assert_eq!(check_in(end + 15 * 60_000, start, end), CheckIn::Window(start, end + 15 * 60_000));
        assert_eq!(check_in(end + 15 * 60_000 + 1, start, end), CheckIn::WalkIn);
    }

    #[test]
    fn ics_lines_are_folded_and_escaped() {
        let at = OffsetDateTime::from_unix_timestamp(1_795_000_000).expect("an instant");
        let text = ics(&Event {
            uid: "abc@mpp",
            start: at,
            end: at + time::Duration::minutes(30),
            stamp: at,
            summary: "Perekaman KTP-el; Dukcapil, MPP TTU",
            location: "MPP Kabupaten Timor Tengah Utara, Jl. Basuki Rahmat No. 1, Kefamenanu — lantai 1",
            description: "Kode booking ABCD-EFGH\\nBawa: KK asli",
            url: "https://mpp.example/m/ttu/janji/kode/ABCD-EFGH",
        });
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("SUMMARY:Perekaman KTP-el\\; Dukcapil\\, MPP TTU\r\n"));
        assert!(text.lines().all(|l| l.len() <= 75), "{text}");
        assert!(text.contains("\r\n "), "the long location is folded");
    }
}
