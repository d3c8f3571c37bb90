//! The queue's rules: ticket numbers, who is called next, and how long a
//! visitor will wait. Pure functions, so the policy is tested on its own and
//! the server only gathers the facts and stores the outcome.

pub mod admission;
pub mod lifecycle;

crate::text_id!(
    /// A ticket's id (a UUIDv7): with its mall's, the key of its row.
    TicketId
);

impl TicketId {
    /// A ticket id from a request (a path, a form): `None` when it is not
    /// one MPP could have made, which the caller answers as not found
    /// without asking the database.
    pub fn parse(s: &str) -> Option<Self> {
        crate::id::is_uuid(s).then(|| Self(s.to_owned()))
    }
}

str_enum! {
    /// A visitor's priority need, chosen at the kiosk or by the greeter.
    Priority { None = "none", Elderly = "elderly", Disability = "disability", Pregnant = "pregnant", Infant = "infant" }
}

str_enum! {
    /// Where a ticket stands. `Void` is a ticket that never reached its
    /// visitor (a jammed printer): never called, never counted as a no-show.
    /// `Expired`: the day ended before the visitor was served.
    TicketStatus {
        Waiting = "waiting", Called = "called", Serving = "serving", Held = "held",
        Done = "done", NoShow = "no_show", Void = "void",
        Expired = "expired",
    }
}

str_enum! {
    /// How a service at a counter ended.
    Outcome { Served = "served", Incomplete = "incomplete", Referred = "referred" }
}

str_enum! {
    /// Who issued a ticket.
    IssuedBy { Kiosk = "kiosk", Greeter = "greeter", Online = "online", Api = "api" }
}

str_enum! {
    /// Whether a counter serves: open, on a break, or closed.
    CounterStatus { Open = "open", Paused = "paused", Closed = "closed" }
}

impl TicketStatus {
    /// Still in the building's queue: waiting, at a counter, or held there.
    pub fn is_open(self) -> bool {
        matches!(self, TicketStatus::Waiting | TicketStatus::Called | TicketStatus::Serving | TicketStatus::Held)
    }
}

/// The printed number: service prefix and the day's sequence, "A-012".
pub fn label(prefix: &str, seq: i64) -> String {
    format!("{prefix}-{seq:03}")
}

/// A printed number as a visitor types it back ("a12", "A 012", "a-0012")
/// in its printed form, or `None` when it cannot be one.
pub fn parse_label(typed: &str) -> Option<String> {
    let kept: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    let mut chars = kept.chars();
    let prefix = chars.next()?.to_ascii_uppercase();
    let digits = chars.as_str();
    if !prefix.is_ascii_uppercase()
        || digits.is_empty()
        || digits.len() > 6
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some(label(&prefix.to_string(), digits.parse().ok()?))
}

/// The lanes a waiting ticket can be in, in the order they are considered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lane {
    /// A booked visitor inside their slot window.
    Appointment,
    /// Elderly, disabled, pregnant or with an infant.
    Priority,
    /// A quick errand sent by the greeter (collecting a finished document).
    Quick,
    Regular,
}

impl Lane {
    pub fn as_str(self) -> &'static str {
        match self {
            Lane::Appointment => "appointment",
            Lane::Priority => "priority",
            Lane::Quick => "quick",
            Lane::Regular => "regular",
        }
    }

    pub fn parse(s: &str) -> Option<Lane> {
        [Lane::Appointment, Lane::Priority, Lane::Quick, Lane::Regular].into_iter().find(|l| l.as_str() == s)
    }
}

/// A ticket waiting for a counter, as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    /// When the visitor joined this queue. A transfer keeps it, so a
    /// transferred visitor is not sent to the back.
    pub queued_at: i64,
    /// The day's sequence number: who joined first when two joined in the
    /// same millisecond.
    pub seq: i64,
    pub priority: bool,
    pub quick: bool,
    /// The booked slot, for tickets made from an appointment.
    pub window: Option<(i64, i64)>,
}

impl Waiting {
    /// The lane this ticket is in at `now`: a booking counts only inside
    /// its window; before or after it the visitor waits like anyone else.
    pub fn lane(&self, now: i64) -> Lane {
        match self.window {
            Some((from, to)) if from <= now && now <= to => Lane::Appointment,
            _ if self.priority => Lane::Priority,
            _ if self.quick => Lane::Quick,
            _ => Lane::Regular,
        }
    }
}

/// The mall's calling policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// At most this many priority visitors are called in a row at one
    /// counter while others wait, so the long queue still moves.
    pub priority_run: u32,
    /// The same for the greeter's quick lane.
    pub quick_run: u32,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { priority_run: 3, quick_run: 2 }
    }
}

/// Which waiting ticket a counter calls next. `recent` lists the lanes of
/// this counter's latest calls, newest first. Appointments in their window
/// always go first; then the priority and quick lanes, each capped by the
/// policy when someone in a later lane is waiting; then first come, first
/// served. Ties go to whoever joined the queue first.
pub fn pick_next(waiting: &[Waiting], now: i64, recent: &[Lane], policy: Policy) -> Option<usize> {
    let lanes: Vec<Lane> = waiting.iter().map(|w| w.lane(now)).collect();
    let earliest_in = |lane: Lane| {
        (0..waiting.len()).filter(|&i| lanes[i] == lane).min_by_key(|&i| (waiting[i].queued_at, waiting[i].seq))
    };
    let run = |lane: Lane| recent.iter().take_while(|l| **l == lane).count();
    for lane in [Lane::Appointment, Lane::Priority, Lane::Quick, Lane::Regular] {
        let Some(i) = earliest_in(lane) else { continue };
        let cap = match lane {
            Lane::Priority => Some(policy.priority_run),
            Lane::Quick => Some(policy.quick_run),
            Lane::Appointment | Lane::Regular => None,
        };
        let others_wait = lanes.iter().any(|l| *l > lane);
        match cap {
            Some(cap) if others_wait && run(lane) >= cap as usize => continue,
            _ => return Some(i),
        }
    }
    // Every lane with people in it hit its cap: serve the earliest anyway.
    (0..waiting.len()).min_by_key(|&i| (lanes[i], waiting[i].queued_at, waiting[i].seq))
}

/// Visits a service needs on record before their times alone are trusted.
pub const TRUSTED_VISITS: usize = 10;

/// The handling time to plan with, in seconds, from the service's recent
/// visits (newest first, at most 30): their median, so a couple of instant
/// "finishes" (a test, a mistaken click) barely move it; until there are
/// [`TRUSTED_VISITS`], never below half of `default_secs`; never below a
/// minute. With no visits, `default_secs`. (A plain mean of two instant
/// finishes once opened a day's bookings in one half-hour slot.)
pub fn handling_estimate(recent_secs: &[i64], default_secs: i64) -> i64 {
    if recent_secs.is_empty() {
        return default_secs;
    }
    let mut sorted: Vec<i64> = recent_secs.iter().map(|s| (*s).max(0)).collect();
    sorted.sort_unstable();
    let n = sorted.len();
    let median = if n % 2 == 1 { sorted[n / 2] } else { (sorted[n / 2 - 1] + sorted[n / 2]) / 2 };
    let floor = if n < TRUSTED_VISITS { default_secs / 2 } else { 0 };
    median.max(floor).max(60)
}

/// The wait a visitor with `ahead` people before them can expect, in whole
/// minutes, from recent handling time and the counters now open.
pub fn estimate_wait_minutes(ahead: u64, avg_handling_secs: u64, open_counters: u64) -> u64 {
    let secs = ahead * avg_handling_secs / open_counters.max(1);
    secs.div_ceil(60)
}

/// Whether one more visitor can still be served today, and if not, why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Room {
    /// The work already waiting plus theirs fits in the time left.
    Fits,
    /// Not even one visit fits in the time the counters have left: they
    /// close soon (whatever the queue).
    ClosingSoon,
    /// The queue already fills the time left.
    Full,
}

pub fn room_before_closing(waiting: u64, avg_handling_secs: u64, counters: u64, secs_until_close: u64) -> Room {
    // One visit is served at one counter: it must fit in one counter's time.
    if counters > 0 && avg_handling_secs > secs_until_close {
        Room::ClosingSoon
    } else if counters > 0 && (waiting + 1) * avg_handling_secs <= counters * secs_until_close {
        Room::Fits
    } else {
        Room::Full
    }
}

/// A scheduled break of the counters, in local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Break {
    /// ISO weekday (1 = Monday … 7 = Sunday), or `None` for every day.
    pub weekday: Option<u8>,
    pub from: time::Time,
    pub to: time::Time,
}

/// The break in force at this moment, if any.
pub fn break_at(breaks: &[Break], weekday: u8, at: time::Time) -> Option<Break> {
    breaks.iter().copied().find(|b| b.weekday.is_none_or(|w| w == weekday) && b.from <= at && at < b.to)
}

/// Seconds of service left today from `at` until `closes`, breaks excluded.
pub fn service_secs_left(breaks: &[Break], weekday: u8, at: time::Time, closes: time::Time) -> u64 {
    if at >= closes {
        return 0;
    }
    // The breaks of the day, clipped to what is left, merged where they overlap.
    let mut spans: Vec<(time::Time, time::Time)> = breaks
        .iter()
        .filter(|b| b.weekday.is_none_or(|w| w == weekday))
        .map(|b| (b.from.max(at), b.to.min(closes)))
        .filter(|(from, to)| from < to)
        .collect();
    spans.sort();
    let mut secs = (closes - at).whole_seconds();
    let mut covered_until = at;
    for (from, to) in spans {
        let from = from.max(covered_until);
        if from < to {
            secs -= (to - from).whole_seconds();
            covered_until = to;
        }
    }
    u64::try_from(secs.max(0)).unwrap_or(0)
}

/// The mall's queue settings as a manager submits them.
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct SettingsInput {
    /// Priority visitors called in a row while others wait (1–10).
    pub priority_run: i64,
    /// Quick errands called in a row while others wait (1–10).
    pub quick_run: i64,
    /// Times a visitor may be "not here" before the ticket closes as a no-show (1–5).
    pub recall_limit: i64,
    /// Daily break, local "HH:MM", both or neither.
    pub daily_break_from: String,
    pub daily_break_to: String,
    /// Friday prayers break, local "HH:MM", both or neither.
    pub friday_break_from: String,
    pub friday_break_to: String,
    /// The board's running text (up to 300 characters).
    pub board_text_id: String,
    pub board_text_en: String,
    /// Tickets any browser (not an enrolled kiosk) may take per client
    /// address per hour; 0: only the mall's kiosks issue tickets.
    pub anonymous_kiosk_per_hour: i64,
    /// Bookings one citizen may hold for one service on one day (1–5).
    pub bookings_per_citizen: i64,
}

impl Default for SettingsInput {
    /// What a field left out means: nothing, but one booking per citizen
    /// (the rule before the setting existed, so older clients keep it).
    fn default() -> Self {
        SettingsInput {
            priority_run: 0,
            quick_run: 0,
            recall_limit: 0,
            daily_break_from: String::new(),
            daily_break_to: String::new(),
            friday_break_from: String::new(),
            friday_break_to: String::new(),
            board_text_id: String::new(),
            board_text_en: String::new(),
            anonymous_kiosk_per_hour: 0,
            bookings_per_citizen: 1,
        }
    }
}

impl SettingsInput {
    pub fn validate(&self) -> Vec<crate::catalog::Problem> {
        use crate::catalog::Problem;
        let mut out = Vec::new();
        for (field, value, max) in [
            ("priority_run", self.priority_run, 10),
            ("quick_run", self.quick_run, 10),
            ("recall_limit", self.recall_limit, 5),
            ("bookings_per_citizen", self.bookings_per_citizen, 5),
        ] {
            if !(1..=max).contains(&value) {
                out.push(Problem { field, key: "form.out_of_range" });
            }
        }
        for (field, from, to) in [
            ("daily_break_from", &self.daily_break_from, &self.daily_break_to),
            ("friday_break_from", &self.friday_break_from, &self.friday_break_to),
        ] {
            if let Err(key) = crate::calendar::check_hours(from, to) {
                out.push(Problem { field, key });
            }
        }
        if !(0..=crate::device::MAX_ANONYMOUS_PER_HOUR).contains(&self.anonymous_kiosk_per_hour) {
            out.push(Problem { field: "anonymous_kiosk_per_hour", key: "form.out_of_range" });
        }
        for (field, text) in [("board_text_id", &self.board_text_id), ("board_text_en", &self.board_text_en)] {
            if text.chars().count() > 300 {
                out.push(Problem { field, key: "form.too_long" });
            }
        }
        out
    }
}

/// Mean and 90th percentile (nearest rank) of durations; zeros when empty.
pub fn mean_and_p90(values: &[i64]) -> (i64, i64) {
    if values.is_empty() {
        return (0, 0);
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len();
    let mean = sorted.iter().sum::<i64>() / n as i64;
    let rank = (n * 9).div_ceil(10).max(1);
    (mean, sorted[rank - 1])
}

/// An Indonesian mobile number for "your turn is near" messages, in the
/// international form gateways expect: "0812-3456-789" → "628123456789".
pub fn parse_phone(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')')).collect();
    let national =
        digits.strip_prefix("+62").or_else(|| digits.strip_prefix("62")).or_else(|| digits.strip_prefix('0'))?;
    let ok =
        national.starts_with('8') && (9..=12).contains(&national.len()) && national.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| format!("62{national}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_few_instant_finishes_do_not_shrink_the_handling_time() {
        assert_eq!(handling_estimate(&[], 600), 600);
        assert_eq!(handling_estimate(&[0, 1], 600), 300, "two instant finishes: half the default still");
        let mut mostly_real = vec![480; 12];
        mostly_real.extend([0, 0, 1]);
        assert_eq!(handling_estimate(&mostly_real, 600), 480, "the median ignores the odd instant one");
        assert_eq!(handling_estimate(&[20; 12], 600), 60, "never under a minute");
        assert_eq!(handling_estimate(&[900; 3], 600), 900);
    }

    use super::*;

    fn walk_in(queued_at: i64) -> Waiting {
        Waiting { queued_at, seq: queued_at, priority: false, quick: false, window: None }
    }
    fn priority(queued_at: i64) -> Waiting {
        Waiting { priority: true, ..walk_in(queued_at) }
    }
    fn quick(queued_at: i64) -> Waiting {
        Waiting { quick: true, ..walk_in(queued_at) }
    }
    fn booked(queued_at: i64, from: i64, to: i64) -> Waiting {
        Waiting { window: Some((from, to)), ..walk_in(queued_at) }
    }

    const P: Policy = Policy { priority_run: 2, quick_run: 1 };

    #[test]
    fn first_come_first_served() {
        assert_eq!(pick_next(&[walk_in(30), walk_in(10), walk_in(20)], 100, &[], P), Some(1));
        assert_eq!(pick_next(&[], 100, &[], P), None);
    }

    #[test]
    fn appointments_in_their_window_go_first() {
        let q = [walk_in(1), priority(2), booked(50, 90, 120)];
        assert_eq!(pick_next(&q, 100, &[], P), Some(2));
        // Before the window the booking waits like a walk-in…
        assert_eq!(pick_next(&q, 80, &[], P), Some(1));
        // …and after it (late past the grace) too.
        assert_eq!(pick_next(&[walk_in(1), booked(50, 90, 120)], 130, &[], P), Some(0));
        // Appointments are never capped.
        let recent = [Lane::Appointment; 5];
        assert_eq!(pick_next(&q, 100, &recent, P), Some(2));
    }

    #[test]
    fn priority_lane_is_capped_while_others_wait() {
        let q = [walk_in(1), priority(5), priority(6)];
        assert_eq!(pick_next(&q, 100, &[], P), Some(1));
        assert_eq!(pick_next(&q, 100, &[Lane::Priority], P), Some(1));
        // Two priority calls in a row: the walk-in's turn.
        assert_eq!(pick_next(&q, 100, &[Lane::Priority, Lane::Priority], P), Some(0));
        // A regular call in between resets the run.
        assert_eq!(pick_next(&q, 100, &[Lane::Regular, Lane::Priority, Lane::Priority], P), Some(1));
        // With nobody else waiting the cap does not hold anyone back.
        assert_eq!(pick_next(&[priority(5)], 100, &[Lane::Priority; 9], P), Some(0));
    }

    #[test]
    fn quick_lane_comes_after_priority() {
        let q = [walk_in(1), quick(2), priority(3)];
        assert_eq!(pick_next(&q, 100, &[], P), Some(2));
        assert_eq!(pick_next(&q, 100, &[Lane::Priority, Lane::Priority], P), Some(1));
        assert_eq!(pick_next(&q, 100, &[Lane::Quick], P), Some(2));
        assert_eq!(pick_next(&[walk_in(1), quick(2)], 100, &[Lane::Quick], P), Some(0));
    }

    #[test]
    fn a_typed_number_is_read_back_in_its_printed_form() {
        for typed in ["A-012", "a12", " A 012 ", "a-0012", "A12"] {
            assert_eq!(parse_label(typed).as_deref(), Some("A-012"), "{typed}");
        }
        assert_eq!(parse_label("B-1234").as_deref(), Some("B-1234"));
        for typed in ["", "12", "A", "AB-12", "A-1x", "Ä-12", "A-1234567"] {
            assert_eq!(parse_label(typed), None, "{typed}");
        }
    }

    #[test]
    fn labels_and_estimates() {
        assert_eq!(label("A", 12), "A-012");
        assert_eq!(label("B", 1234), "B-1234");
        assert_eq!(estimate_wait_minutes(0, 300, 2), 0);
        assert_eq!(estimate_wait_minutes(4, 300, 2), 10);
        assert_eq!(estimate_wait_minutes(1, 90, 0), 2);
        assert_eq!(room_before_closing(3, 600, 1, 2400), Room::Fits);
        assert_eq!(room_before_closing(4, 600, 1, 2400), Room::Full);
        assert_eq!(room_before_closing(0, 60, 0, 9999), Room::Full);
        // Ten minutes a visit, five minutes left: closing soon, even with nobody waiting.
        assert_eq!(room_before_closing(0, 600, 3, 300), Room::ClosingSoon);
    }

    #[test]
    fn breaks_stop_calls_and_shorten_the_day() {
        let t = |h, m| time::Time::from_hms(h, m, 0).expect("a valid time");
        let breaks = [
            Break { weekday: None, from: t(12, 0), to: t(13, 0) },
            Break { weekday: Some(5), from: t(11, 30), to: t(13, 30) },
        ];
        assert_eq!(break_at(&breaks, 3, t(12, 30)).map(|b| b.to), Some(t(13, 0)));
        assert_eq!(break_at(&breaks, 3, t(13, 0)), None, "the break ends at its end time");
        assert_eq!(break_at(&breaks, 5, t(11, 45)).map(|b| b.to), Some(t(13, 30)), "Friday prayers");
        assert_eq!(break_at(&breaks, 4, t(11, 45)), None);
        // Wednesday 11:00 to 15:00 is four hours, less the hour's break.
        assert_eq!(service_secs_left(&breaks, 3, t(11, 0), t(15, 0)), 3 * 3600);
        // Friday: the daily break falls inside the prayer break; 11:30–13:30 is lost once.
        assert_eq!(service_secs_left(&breaks, 5, t(11, 0), t(15, 30)), 4 * 3600 + 30 * 60 - 2 * 3600);
        assert_eq!(service_secs_left(&breaks, 3, t(12, 30), t(15, 0)), 2 * 3600);
        assert_eq!(service_secs_left(&breaks, 3, t(16, 0), t(15, 0)), 0);
    }

    #[test]
    fn settings_are_checked() {
        let good = SettingsInput {
            priority_run: 3,
            quick_run: 2,
            recall_limit: 2,
            daily_break_from: "12:00".into(),
            daily_break_to: "13:00".into(),
            ..Default::default()
        };
        assert!(good.validate().is_empty());
        let bad = SettingsInput {
            priority_run: 0,
            daily_break_to: String::new(),
            friday_break_from: "13:00".into(),
            friday_break_to: "11:00".into(),
            board_text_id: "x".repeat(301),
            ..good
        };
        let fields: Vec<_> = bad.validate().iter().map(|p| (p.field, p.key)).collect();
        assert_eq!(
            fields,
            [
                ("priority_run", "form.out_of_range"),
                ("daily_break_from", "hours.both_or_neither"),
                ("friday_break_from", "hours.closes_before_opens"),
                ("board_text_id", "form.too_long")
            ]
        );
    }

    #[test]
    fn means_and_percentiles() {
        assert_eq!(mean_and_p90(&[]), (0, 0));
        assert_eq!(mean_and_p90(&[5]), (5, 5));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(mean_and_p90(&ten), (5, 9));
        let hundred: Vec<i64> = (1..=100).rev().collect();
        assert_eq!(mean_and_p90(&hundred), (50, 90));
    }

    #[test]
    fn phone_numbers() {
        assert_eq!(parse_phone("0812-3456-789").as_deref(), Some("628123456789"));
        assert_eq!(parse_phone("+62 812 3456 7890").as_deref(), Some("6281234567890"));
        assert_eq!(parse_phone("62812345678").as_deref(), Some("62812345678"));
        assert_eq!(parse_phone("021 555 1234"), None, "landlines get no SMS");
        assert_eq!(parse_phone("08123"), None);
        assert_eq!(parse_phone("0812abc45678"), None);
    }

    #[test]
    fn in_the_same_millisecond_the_first_number_goes_first() {
        // A booking before its window waits like a walk-in: the walk-in who
        // took a number first, in the same millisecond, is called first,
        // wherever the two stand in the list.
        let walk_in = Waiting { seq: 1, ..walk_in(500) };
        let early_booking = Waiting { seq: 2, ..booked(500, 10_000, 20_000) };
        assert_eq!(pick_next(&[early_booking.clone(), walk_in.clone()], 600, &[], P), Some(1));
        assert_eq!(pick_next(&[walk_in, early_booking], 600, &[], P), Some(0));
    }

    proptest::proptest! {
        /// Whatever the queue and history, someone is called when anyone
        /// waits, and a regular visitor is never passed over by a later one.
        #[test]
        fn never_idle_and_fifo_within_a_lane(
            q in proptest::collection::vec((0i64..50, proptest::bool::ANY, proptest::bool::ANY), 0..12),
            runs in 0usize..5,
        ) {
            let waiting: Vec<Waiting> = q
                .iter()
                .enumerate()
                .map(|(seq, &(t, p, k))| Waiting { queued_at: t, seq: seq as i64, priority: p, quick: k, window: None })
                .collect();
            let recent = vec![Lane::Priority; runs];
            let pick = pick_next(&waiting, 100, &recent, P);
            proptest::prop_assert_eq!(pick.is_some(), !waiting.is_empty());
            if let Some(i) = pick {
                let lane = waiting[i].lane(100);
                for w in &waiting {
                    if w.lane(100) == lane {
                        proptest::prop_assert!((w.queued_at, w.seq) >= (waiting[i].queued_at, waiting[i].seq));
                    }
                }
            }
        }
    }
}
