//! The mall's own devices: kiosks that issue tickets and display boards.
//! A manager registers one, the device's browser is enrolled once with a
//! one-time code, and from then on it is known by a secret cookie until
//! the manager revokes it.
//!
//! A ticket costs the mall a place in a service's day, so only a known
//! kiosk issues them freely. A mall may also let any browser take a
//! ticket (a phone in the hall), a few per client address per hour.

str_enum!(
    /// What a device is for.
    Kind {
        Kiosk = "kiosk",
        Board = "board",
    }
);

/// How long an enrolment code stays good.
pub const ENROL_WINDOW_MS: i64 = 24 * 3600 * 1000;

/// How many tickets one client address may take per hour without an
/// enrolled kiosk, at most (a mall chooses up to this).
pub const MAX_ANONYMOUS_PER_HOUR: i64 = 60;

/// The throttle for tickets taken without an enrolled kiosk: the mall's
/// allowance per client address per hour.
pub fn anonymous_limit(per_hour: i64) -> crate::throttle::Limit {
    crate::throttle::Limit { max_failures: per_hour, window_ms: 3600 * 1000 }
}

/// Whether a kiosk request may issue a ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// An enrolled kiosk of this mall.
    Device,
    /// Any browser, within the mall's allowance for its address.
    Anonymous,
    /// Not a kiosk, and the mall takes no anonymous tickets.
    NotEnrolled,
    /// Not a kiosk, and this address used up its allowance.
    TooMany,
}

pub fn admit(enrolled: bool, per_hour: i64, address_blocked: bool) -> Admission {
    match (enrolled, per_hour > 0, address_blocked) {
        (true, ..) => Admission::Device,
        (false, false, _) => Admission::NotEnrolled,
        (false, true, true) => Admission::TooMany,
        (false, true, false) => Admission::Anonymous,
    }
}

/// A device's name as a manager types it: 1–60 characters.
pub fn check_name(name: &str) -> Result<(), &'static str> {
    match name.trim().chars().count() {
        0 => Err("form.required"),
        n if n > 60 => Err("form.too_long"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enrolled_kiosk_is_always_admitted_and_others_by_the_malls_allowance() {
        assert_eq!(admit(true, 0, true), Admission::Device);
        assert_eq!(admit(false, 0, false), Admission::NotEnrolled);
        assert_eq!(admit(false, 10, false), Admission::Anonymous);
        assert_eq!(admit(false, 10, true), Admission::TooMany);
        let l = anonymous_limit(10);
        assert!(!l.blocks(9, 0, 1000) && l.blocks(10, 0, 1000) && !l.blocks(10, 0, 3600 * 1000));
    }

    #[test]
    fn names_are_short_and_present() {
        assert_eq!(check_name("  "), Err("form.required"));
        assert_eq!(check_name(&"x".repeat(61)), Err("form.too_long"));
        assert_eq!(check_name("Kiosk pintu utara"), Ok(()));
    }
}
