//! Whether a ticket may be issued now, whichever door it comes through
//! (kiosk, greeter, API, a booking's check-in): one pure decision over the
//! facts the server gathered. The mall must be open, every service of the
//! journey offered at a counter, and the first one must still fit in the
//! service time left today (breaks excluded) at the counters that serve it.

use super::{Break, Room, room_before_closing, service_secs_left};
use time::Time;

/// One service of the journey, as admission needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offered {
    pub active: bool,
    /// Counters serving it, open or yet to open today.
    pub counters: u64,
}

/// What admission looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// Today's opening hours, if the mall opens today.
    pub hours: Option<(Time, Time)>,
    /// Now, in the mall's zone, and its ISO weekday.
    pub now: Time,
    pub weekday: u8,
    pub breaks: Vec<Break>,
    /// The journey's services, in order.
    pub services: Vec<Offered>,
    /// People waiting today for the first service, and how long one visit
    /// there takes (seconds).
    pub waiting: u64,
    pub handling_secs: u64,
}

/// Why no ticket, as a message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    NoService,
    ClosedNow,
    NoCounter,
    ClosingSoon,
    FullToday,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::NoService => "visit.pick_service",
            Refusal::ClosedNow => "visit.closed_now",
            Refusal::NoCounter => "visit.no_counter",
            Refusal::ClosingSoon => "visit.closing_soon",
            Refusal::FullToday => "visit.full_today",
        }
    }
}

pub fn admit(f: &Facts) -> Result<(), Refusal> {
    let Some(first) = f.services.first() else { return Err(Refusal::NoService) };
    let Some((_, closes)) = f.hours.filter(|(opens, closes)| f.now >= *opens && f.now < *closes) else {
        return Err(Refusal::ClosedNow);
    };
    if f.services.iter().any(|s| !s.active || s.counters == 0) {
        return Err(Refusal::NoCounter);
    }
    let until_close = service_secs_left(&f.breaks, f.weekday, f.now, closes);
    match room_before_closing(f.waiting, f.handling_secs, first.counters, until_close) {
        Room::Fits => Ok(()),
        Room::ClosingSoon => Err(Refusal::ClosingSoon),
        Room::Full => Err(Refusal::FullToday),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::time;

    fn morning() -> Facts {
        Facts {
            hours: Some((time!(8:00), time!(15:00))),
            now: time!(9:00),
            weekday: 3,
            breaks: vec![Break { weekday: None, from: time!(12:00), to: time!(13:00) }],
            services: vec![Offered { active: true, counters: 2 }],
            waiting: 0,
            handling_secs: 600,
        }
    }

    #[test]
    fn an_open_mall_with_room_admits_and_says_why_otherwise() {
        assert_eq!(admit(&morning()), Ok(()));
        assert_eq!(admit(&Facts { services: vec![], ..morning() }), Err(Refusal::NoService));
        assert_eq!(admit(&Facts { now: time!(7:59), ..morning() }), Err(Refusal::ClosedNow));
        assert_eq!(admit(&Facts { now: time!(15:00), ..morning() }), Err(Refusal::ClosedNow));
        assert_eq!(admit(&Facts { hours: None, ..morning() }), Err(Refusal::ClosedNow), "a day off");
        let journey = vec![Offered { active: true, counters: 2 }, Offered { active: true, counters: 0 }];
        assert_eq!(admit(&Facts { services: journey, ..morning() }), Err(Refusal::NoCounter), "every leg");
        assert_eq!(admit(&Facts { now: time!(14:55), ..morning() }), Err(Refusal::ClosingSoon));
        // 5 working hours at 2 counters, 10 minutes a visit: 60 visits.
        assert_eq!(admit(&Facts { waiting: 59, ..morning() }), Ok(()));
        assert_eq!(admit(&Facts { waiting: 60, ..morning() }), Err(Refusal::FullToday));
    }

    proptest! {
        /// More people waiting never turns a refusal into a ticket, and a
        /// closed mall never issues one, whatever else holds.
        #[test]
        fn a_longer_line_never_admits_what_a_shorter_refused(
            waiting in 0u64..500, more in 0u64..500, minute in 0u32..(24 * 60),
            counters in 0u64..6, handling in 1u64..3600,
        ) {
            let now = Time::from_hms(u8::try_from(minute / 60).unwrap_or(0), u8::try_from(minute % 60).unwrap_or(0), 0)
                .unwrap_or(Time::MIDNIGHT);
            let base = Facts { now, services: vec![Offered { active: true, counters }], handling_secs: handling, ..morning() };
            let shorter = admit(&Facts { waiting, ..base.clone() });
            let longer = admit(&Facts { waiting: waiting + more, ..base.clone() });
            if shorter.is_err() {
                prop_assert!(longer.is_err());
            }
            if !(time!(8:00)..time!(15:00)).contains(&now) {
                prop_assert_eq!(shorter, Err(Refusal::ClosedNow));
            }
        }
    }
}
