//! Throttles on guessing: how many failures one key (an account, a client
//! address, an application number) may collect in a window before further
//! attempts are refused until the window has passed.
//!
//! Logins and the public tracking of applications share these rules, so
//! that a secret someone can guess (a password, the last four digits of a
//! NIK) is guarded the same way wherever it is asked for.

/// At most `max_failures` in `window_ms` milliseconds from the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max_failures: i64,
    pub window_ms: i64,
}

const FIFTEEN_MINUTES: i64 = 15 * 60 * 1000;

/// One account: five wrong passwords, then it rests for the window,
/// whoever tries (guessing from many addresses gains nothing).
pub const LOGIN_ACCOUNT: Limit = Limit { max_failures: 5, window_ms: FIFTEEN_MINUTES };
/// One client address: more room, since a whole office or a mall's Wi-Fi
/// may share it; when only the address is suspect, a correct password
/// still gets in (see [`login`]).
pub const LOGIN_ADDRESS: Limit = Limit { max_failures: 20, window_ms: FIFTEEN_MINUTES };
/// One application number: five wrong NIK endings, so its 10,000 endings
/// cannot be walked through.
pub const TRACK_APPLICATION: Limit = Limit { max_failures: 5, window_ms: FIFTEEN_MINUTES };
/// One client address tracking applications (a script walking numbers).
pub const TRACK_ADDRESS: Limit = Limit { max_failures: 20, window_ms: FIFTEEN_MINUTES };

impl Limit {
    /// Whether a key with `failures` since `since` is refused at `now`.
    pub fn blocks(self, failures: i64, since: i64, now: i64) -> bool {
        now - since < self.window_ms && failures >= self.max_failures
    }
}

/// What a login attempt may do, given which of its keys are blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Check the password.
    Open,
    /// Check the password, but a wrong one is answered "too many attempts"
    /// (the address is suspect; its legitimate users still get in).
    Suspect,
    /// Refuse without checking: the account itself is under attack.
    Closed,
}

pub fn login(account_blocked: bool, address_blocked: bool) -> Gate {
    match (account_blocked, address_blocked) {
        (true, _) => Gate::Closed,
        (false, true) => Gate::Suspect,
        (false, false) => Gate::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_blocked_at_its_limit_within_the_window_only() {
        let l = Limit { max_failures: 3, window_ms: 1000 };
        assert!(!l.blocks(2, 0, 10));
        assert!(l.blocks(3, 0, 999));
        assert!(!l.blocks(3, 0, 1000));
    }

    #[test]
    fn only_an_attacked_account_is_closed_to_its_right_password() {
        assert_eq!(login(false, false), Gate::Open);
        assert_eq!(login(false, true), Gate::Suspect);
        assert_eq!(login(true, false), Gate::Closed);
        assert_eq!(login(true, true), Gate::Closed);
    }
}
