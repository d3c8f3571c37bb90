//! How many appointments fit: one pure decision over the places counted for
//! the wanted slot, so the rule (the citizen's own limit, then the day's
//! quota, then the slot's capacity) lives here, whole, and is tested with
//! random sequences of bookings, cancellations and moves. The store
//! (`booking/store.rs`) loads the counts, asks, and saves what it is told.
//!
//! A move gives the old booking's places back before it takes the new ones,
//! so a row the two share never refuses it: moving within a day is not held
//! back by a limit of one booking a day or a full day, and moving within the
//! same slot is always allowed.

/// A counted place: each booking holds one in each row, checked in this order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// The citizen's bookings of the service that day.
    Citizen,
    /// The service's bookings that day.
    Day,
    /// The bookings in one slot.
    Slot,
}

impl Place {
    pub const ALL: [Place; 3] = [Place::Citizen, Place::Day, Place::Slot];

    /// What a full row refuses with.
    pub fn refusal(self) -> Refusal {
        match self {
            Place::Citizen => Refusal::OnePerDay,
            Place::Day => Refusal::DayFull,
            Place::Slot => Refusal::SlotFull,
        }
    }
}

/// Places taken in the three rows of one booking (or of the wanted slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub citizen: i64,
    pub day: i64,
    pub slot: i64,
}

impl Counts {
    pub fn get(&self, place: Place) -> i64 {
        match place {
            Place::Citizen => self.citizen,
            Place::Day => self.day,
            Place::Slot => self.slot,
        }
    }
}

/// How many places each row holds. Zero or less: none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub per_citizen: i64,
    pub day_quota: i64,
    pub slot_capacity: i64,
}

impl Limits {
    pub fn get(&self, place: Place) -> i64 {
        match place {
            Place::Citizen => self.per_citizen,
            Place::Day => self.day_quota,
            Place::Slot => self.slot_capacity,
        }
    }
}

/// Which of the wanted rows a moved booking is already counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlap {
    /// Another service or day: no row in common.
    Elsewhere,
    /// The same service and day, another slot: the citizen's and the day's rows.
    SameDay,
    /// The same slot: every row.
    SameSlot,
}

impl Overlap {
    /// How the old booking's `(service, day, slot_start)` meets the wanted one's.
    pub fn between<S: PartialEq, D: PartialEq>(old: (S, D, i64), new: (S, D, i64)) -> Overlap {
        match (old.0 == new.0 && old.1 == new.1, old.2 == new.2) {
            (false, _) => Overlap::Elsewhere,
            (true, false) => Overlap::SameDay,
            (true, true) => Overlap::SameSlot,
        }
    }

    pub fn shares(self, place: Place) -> bool {
        match self {
            Overlap::Elsewhere => false,
            Overlap::SameDay => place != Place::Slot,
            Overlap::SameSlot => true,
        }
    }

    /// The old booking's rows the wanted slot does not share.
    fn unshared(self) -> &'static [Place] {
        match self {
            Overlap::Elsewhere => &Place::ALL,
            Overlap::SameDay => &[Place::Slot],
            Overlap::SameSlot => &[],
        }
    }
}

/// What the decision looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The wanted slot's rows as loaded (a missing row is 0).
    pub wanted: Counts,
    pub limits: Limits,
    /// The booking being moved, if any, and which wanted rows it counts in.
    pub replacing: Option<Overlap>,
}

/// Why no booking, as a message key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    OnePerDay,
    DayFull,
    SlotFull,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::OnePerDay => "booking.one_per_day",
            Refusal::DayFull => "booking.day_full",
            Refusal::SlotFull => "booking.slot_full",
        }
    }
}

/// What to save, all together or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Take {
    /// The moved booking's rows to give one place back in (never below
    /// zero): those the wanted slot does not share. None for a new booking.
    pub give_back: &'static [Place],
    /// The wanted rows' counts once saved.
    pub wanted: Counts,
}

/// Whether the wanted slot has room; the first full row refuses.
pub fn decide(facts: &Facts) -> Result<Take, Refusal> {
    let take = |place: Place| {
        let count = facts.wanted.get(place).max(0);
        if facts.replacing.is_some_and(|o| o.shares(place)) {
            // Given back and taken again: at least the moved booking's own place.
            Ok(count.max(1))
        } else if count < facts.limits.get(place) {
            Ok(count + 1)
        } else {
            Err(place.refusal())
        }
    };
    // Fields are evaluated in order: the citizen, the day, the slot.
    let wanted = Counts { citizen: take(Place::Citizen)?, day: take(Place::Day)?, slot: take(Place::Slot)? };
    Ok(Take { give_back: facts.replacing.map_or(&[], Overlap::unshared), wanted })
}

/// A cancelled booking's rows once its places are given back.
pub fn cancel(held: Counts) -> Counts {
    let back = |n: i64| (n - 1).max(0);
    Counts { citizen: back(held.citizen), day: back(held.day), slot: back(held.slot) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    const ROOMY: Limits = Limits { per_citizen: 1, day_quota: 10, slot_capacity: 2 };

    fn facts(citizen: i64, day: i64, slot: i64) -> Facts {
        Facts { wanted: Counts { citizen, day, slot }, limits: ROOMY, replacing: None }
    }

    #[test]
    fn a_booking_takes_a_place_in_each_row_until_one_is_full() {
        let took = decide(&facts(0, 3, 1)).expect("room everywhere");
        assert_eq!(took, Take { give_back: &[], wanted: Counts { citizen: 1, day: 4, slot: 2 } });
        assert_eq!(decide(&facts(1, 0, 0)), Err(Refusal::OnePerDay));
        assert_eq!(decide(&facts(0, 10, 0)), Err(Refusal::DayFull));
        assert_eq!(decide(&facts(0, 0, 2)), Err(Refusal::SlotFull));
        // In order: the citizen, the day, the slot.
        assert_eq!(decide(&facts(1, 10, 2)), Err(Refusal::OnePerDay));
        assert_eq!(decide(&facts(0, 10, 2)), Err(Refusal::DayFull));
        assert_eq!(Refusal::DayFull.key(), "booking.day_full");
    }

    #[test]
    fn zero_negative_and_odd_inputs_are_safe() {
        let none = Limits { per_citizen: 0, day_quota: 0, slot_capacity: 0 };
        assert_eq!(decide(&Facts { limits: none, ..facts(0, 0, 0) }), Err(Refusal::OnePerDay));
        let no_quota = Limits { day_quota: 0, ..ROOMY };
        assert_eq!(decide(&Facts { limits: no_quota, ..facts(0, 0, 0) }), Err(Refusal::DayFull), "a quota of 0");
        let negative = Limits { slot_capacity: -3, ..ROOMY };
        assert_eq!(decide(&Facts { limits: negative, ..facts(0, 0, 0) }), Err(Refusal::SlotFull));
        let drifted = decide(&facts(-5, -1, i64::MIN)).expect("a count below zero is none");
        assert_eq!(drifted.wanted, Counts { citizen: 1, day: 1, slot: 1 });
        assert_eq!(decide(&facts(0, 11, 0)), Err(Refusal::DayFull), "already over");
        let max = Limits { per_citizen: i64::MAX, day_quota: i64::MAX, slot_capacity: i64::MAX };
        assert_eq!(decide(&Facts { limits: max, ..facts(i64::MAX, 0, 0) }), Err(Refusal::OnePerDay), "no overflow");
        assert_eq!(cancel(Counts { citizen: 2, day: 0, slot: -1 }), Counts { citizen: 1, day: 0, slot: 0 });
    }

    #[test]
    fn a_move_frees_the_places_it_shares() {
        let moving = |overlap, f: Facts| decide(&Facts { replacing: Some(overlap), ..f });
        // Elsewhere: every old row is given back, every new one checked.
        assert_eq!(moving(Overlap::Elsewhere, facts(1, 0, 0)), Err(Refusal::OnePerDay));
        let away = moving(Overlap::Elsewhere, facts(0, 0, 0)).expect("room");
        assert_eq!(away.give_back, &Place::ALL);
        // The same day, another slot: one a day and a full day do not refuse it…
        let later = moving(Overlap::SameDay, facts(1, 10, 1)).expect("the day's own place");
        assert_eq!(later, Take { give_back: &[Place::Slot], wanted: Counts { citizen: 1, day: 10, slot: 2 } });
        // …but the new slot must have room.
        assert_eq!(moving(Overlap::SameDay, facts(1, 10, 2)), Err(Refusal::SlotFull));
        // The same slot: always, even full or with limits lowered to none.
        let none = Limits { per_citizen: 0, day_quota: 0, slot_capacity: 0 };
        let stay = moving(Overlap::SameSlot, Facts { limits: none, ..facts(3, 12, 5) }).expect("no new place");
        assert_eq!(stay, Take { give_back: &[], wanted: Counts { citizen: 3, day: 12, slot: 5 } });
        assert_eq!(Overlap::between(("S", "d1", 9), ("S", "d1", 9)), Overlap::SameSlot);
        assert_eq!(Overlap::between(("S", "d1", 9), ("S", "d1", 10)), Overlap::SameDay);
        assert_eq!(Overlap::between(("S", "d1", 9), ("T", "d1", 9)), Overlap::Elsewhere);
        assert_eq!(Overlap::between(("S", "d1", 9), ("S", "d2", 9)), Overlap::Elsewhere);
    }

    /// A booking in the model: citizen, service, day, slot.
    type Booking = (u8, u8, u8, u8);
    /// A counted row: its kind, service, day, and the citizen or the slot.
    type Row = (Place, u8, u8, u8);

    fn row((user, service, day, slot): Booking, place: Place) -> Row {
        match place {
            Place::Citizen => (place, service, day, user),
            Place::Day => (place, service, day, 0),
            Place::Slot => (place, service, day, slot),
        }
    }

    #[derive(Debug, Clone)]
    enum Command {
        Book(Booking),
        Cancel(usize),
        /// Move live booking `k` to another service, day and slot.
        Move(usize, (u8, u8, u8)),
    }

    fn command() -> impl Strategy<Value = Command> {
        let at = (0u8..2, 0u8..2, 0u8..3);
        prop_oneof![
            (0u8..3, at.clone()).prop_map(|(u, (s, d, t))| Command::Book((u, s, d, t))),
            any::<usize>().prop_map(Command::Cancel),
            (any::<usize>(), at).prop_map(|(k, to)| Command::Move(k, to)),
        ]
    }

    /// The store in miniature: counted rows and the live bookings.
    #[derive(Debug, Clone, PartialEq, Default)]
    struct Model {
        counts: HashMap<Row, i64>,
        live: Vec<Booking>,
    }

    impl Model {
        fn load(&self, b: Booking) -> Counts {
            let n = |p| self.counts.get(&row(b, p)).copied().unwrap_or(0);
            Counts { citizen: n(Place::Citizen), day: n(Place::Day), slot: n(Place::Slot) }
        }

        fn save(&mut self, b: Booking, c: Counts) {
            for p in Place::ALL {
                self.counts.insert(row(b, p), c.get(p));
            }
        }

        /// Books `new`, moving live booking `old` there if given, as the
        /// store would; checks a refusal against the live bookings. True
        /// when booked.
        fn book(&mut self, limits: Limits, old: Option<usize>, new: Booking) -> Result<bool, TestCaseError> {
            let replacing = old.map(|k| {
                let (_, s, d, t) = self.live[k];
                Overlap::between((s, d, t.into()), (new.1, new.2, new.3.into()))
            });
            // The first row whose other live bookings fill it.
            let others =
                |p| self.live.iter().enumerate().filter(|&(i, b)| Some(i) != old && row(*b, p) == row(new, p)).count();
            let full = Place::ALL.into_iter().find(|&p| others(p) as i64 >= limits.get(p));
            match decide(&Facts { wanted: self.load(new), limits, replacing }) {
                Err(refusal) => {
                    prop_assert_eq!(Some(refusal), full.map(Place::refusal));
                    prop_assert_ne!(replacing, Some(Overlap::SameSlot), "a move within its slot is never refused");
                    Ok(false)
                }
                Ok(take) => {
                    prop_assert_eq!(full, None);
                    if let Some(k) = old {
                        let gone = self.live.remove(k);
                        for &p in take.give_back {
                            let n = self.counts.entry(row(gone, p)).or_insert(0);
                            *n = (*n - 1).max(0);
                        }
                    }
                    self.save(new, take.wanted);
                    self.live.push(new);
                    Ok(true)
                }
            }
        }

        fn check(&self, limits: Limits) -> Result<(), TestCaseError> {
            for (r, n) in &self.counts {
                let truth = self.live.iter().filter(|b| row(**b, r.0) == *r).count() as i64;
                prop_assert!(*n >= 0 && *n <= limits.get(r.0), "{:?} holds {} of {:?}", r, n, limits);
                prop_assert_eq!(*n, truth, "{:?} counts its live bookings", r);
            }
            let counted = |b: &Booking| Place::ALL.iter().all(|p| self.counts.contains_key(&row(*b, *p)));
            prop_assert!(self.live.iter().all(counted), "every live booking is counted");
            Ok(())
        }
    }

    proptest! {
        /// Whatever citizens book, cancel and move, in whatever order, no row
        /// holds more than its limit or less than zero, every row counts
        /// exactly its live bookings, and a refusal names the first row
        /// without room (the moved booking's own place aside) and changes
        /// nothing: a refused move leaves the old booking where it was.
        #[test]
        fn any_sequence_keeps_counts_true_and_within_limits(
            commands in prop::collection::vec(command(), 1..60),
            (per_citizen, day_quota, slot_capacity) in (0i64..3, 0i64..5, 0i64..3),
        ) {
            let limits = Limits { per_citizen, day_quota, slot_capacity };
            let mut model = Model::default();
            for command in commands {
                let before = model.clone();
                let live = model.live.len();
                let booked = match command {
                    Command::Book(b) => model.book(limits, None, b)?,
                    Command::Cancel(_) | Command::Move(..) if live == 0 => continue,
                    Command::Cancel(k) => {
                        let b = model.live.remove(k % live);
                        let after = cancel(model.load(b));
                        model.save(b, after);
                        true
                    }
                    Command::Move(k, (s, d, t)) => {
                        let old = model.live[k % live];
                        let moved = model.book(limits, Some(k % live), (old.0, s, d, t))?;
                        prop_assert!(moved || model.live.contains(&old), "a refused move leaves the old booking");
                        moved
                    }
                };
                if !booked {
                    prop_assert_eq!(&model, &before, "a refusal changes nothing");
                }
                model.check(limits)?;
            }
        }
    }
}
