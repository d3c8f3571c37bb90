//! Working days (hari kerja): SLAs count working days, skipping weekends,
//! national holidays and cuti bersama. Each mall keeps its own copy of the
//! national calendar, so the rules take the set of days off as a value.

use std::collections::BTreeSet;
use time::{Date, Weekday};

/// What kind of day off (or special day) a calendar entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// Hari libur nasional.
    Holiday,
    /// Cuti bersama: collective leave, also not a working day for SLAs.
    CutiBersama,
    /// A local day off decided by the region (e.g. the regency's anniversary).
    LocalHoliday,
}

impl DayKind {
    pub const ALL: [DayKind; 3] = [DayKind::Holiday, DayKind::CutiBersama, DayKind::LocalHoliday];

    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::CutiBersama => "cuti_bersama",
            DayKind::LocalHoliday => "local_holiday",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A mall's working-day calendar: weekends plus its days off.
#[derive(Debug, Clone, Default)]
pub struct WorkingCalendar {
    days_off: BTreeSet<Date>,
}

impl WorkingCalendar {
    pub fn new(days_off: impl IntoIterator<Item = Date>) -> Self {
        Self { days_off: days_off.into_iter().collect() }
    }

    pub fn is_working_day(&self, day: Date) -> bool {
        !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) && !self.days_off.contains(&day)
    }

    /// The day on which something started on `start` is due when it takes
    /// `n` working days: the n-th working day after `start` (the start day
    /// itself does not count). With `n == 0` it is `start` when that is a
    /// working day, otherwise the next one.
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut day = start;
        if n == 0 {
            while !self.is_working_day(day) {
                day = day.next_day().unwrap_or(day);
            }
            return day;
        }
        let mut left = n;
        while left > 0 {
            let Some(next) = day.next_day() else { return day };
            day = next;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days in the half-open range (from, to].
    pub fn working_days_between(&self, from: Date, to: Date) -> u32 {
        let mut count = 0;
        let mut day = from;
        while day < to {
            let Some(next) = day.next_day() else { break };
            day = next;
            if self.is_working_day(day) {
                count += 1;
            }
        }
        count
    }
}

/// A day off as an admin submits it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct DayInput {
    pub day: String,
    pub kind: String,
    pub name_id: String,
    pub name_en: String,
}

impl DayInput {
    pub fn validate(&self) -> Vec<crate::catalog::Problem> {
        use crate::catalog::Problem;
        let mut p = Vec::new();
        if crate::format::parse_date(&self.day).is_none() {
            p.push(Problem { field: "day", key: "form.bad_date" });
        }
        if DayKind::parse(&self.kind).is_none() {
            p.push(Problem { field: "kind", key: "form.bad_choice" });
        }
        if self.name_id.trim().is_empty() {
            p.push(Problem { field: "name_id", key: "form.required" });
        } else if self.name_id.chars().count() > 200 {
            p.push(Problem { field: "name_id", key: "form.too_long" });
        }
        if self.name_en.chars().count() > 200 {
            p.push(Problem { field: "name_en", key: "form.too_long" });
        }
        p
    }
}

/// Opening hours of one weekday; `None` means closed.
pub fn check_hours(opens: &str, closes: &str) -> Result<Option<(time::Time, time::Time)>, &'static str> {
    match (opens.trim().is_empty(), closes.trim().is_empty()) {
        (true, true) => Ok(None),
        (false, false) => {
            let o = crate::format::parse_clock(opens).ok_or("form.bad_time")?;
            let c = crate::format::parse_clock(closes).ok_or("form.bad_time")?;
            if c <= o { Err("hours.closes_before_opens") } else { Ok(Some((o, c))) }
        }
        _ => Err("hours.both_or_neither"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    fn cal() -> WorkingCalendar {
        // Nyepi, Idul Fitri and its cuti bersama in March 2026.
        WorkingCalendar::new([
            date!(2026 - 03 - 19),
            date!(2026 - 03 - 20),
            date!(2026 - 03 - 21),
            date!(2026 - 03 - 23),
            date!(2026 - 03 - 24),
        ])
    }

    #[test]
    fn hours_are_both_or_neither_and_in_order() {
        assert_eq!(check_hours("", ""), Ok(None));
        assert_eq!(check_hours("08:00", ""), Err("hours.both_or_neither"));
        assert_eq!(check_hours("15:00", "08:00"), Err("hours.closes_before_opens"));
        assert_eq!(check_hours("8.00", "15.30").map(|h| h.is_some()), Ok(true));
    }

    #[test]
    fn skips_weekend_and_lebaran() {
        // Wednesday 18 March + 1 working day jumps the whole Lebaran break.
        assert_eq!(cal().add_working_days(date!(2026 - 03 - 18), 1), date!(2026 - 03 - 25));
        // Friday + 1 is Monday.
        assert_eq!(cal().add_working_days(date!(2026 - 11 - 27), 1), date!(2026 - 11 - 30));
        // Zero days on a Sunday is the Monday.
        assert_eq!(cal().add_working_days(date!(2026 - 11 - 29), 0), date!(2026 - 11 - 30));
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (0i32..2000).prop_map(|offset| date!(2026 - 01 - 01) + time::Duration::days(offset.into()))
    }

    fn any_calendar() -> impl Strategy<Value = WorkingCalendar> {
        proptest::collection::vec(any_date(), 0..80).prop_map(WorkingCalendar::new)
    }

    proptest! {
        #[test]
        fn n_working_days_later_is_a_working_day_n_working_days_away(
            cal in any_calendar(), start in any_date(), n in 1u32..60
        ) {
            let due = cal.add_working_days(start, n);
            prop_assert!(due > start);
            prop_assert!(cal.is_working_day(due));
            prop_assert_eq!(cal.working_days_between(start, due), n);
            // Nothing earlier would do: the day before has one working day fewer.
            prop_assert_eq!(cal.working_days_between(start, due.previous_day().unwrap()), n - 1);
        }

        #[test]
        fn never_lands_on_a_weekend_or_day_off(cal in any_calendar(), start in any_date(), n in 0u32..30) {
            let due = cal.add_working_days(start, n);
            prop_assert!(!matches!(due.weekday(), Weekday::Saturday | Weekday::Sunday));
            prop_assert!(!cal.days_off.contains(&due));
        }

        #[test]
        fn adding_is_additive(cal in any_calendar(), start in any_date(), a in 1u32..20, b in 1u32..20) {
            let step = cal.add_working_days(cal.add_working_days(start, a), b);
            prop_assert_eq!(step, cal.add_working_days(start, a + b));
        }
    }
}
