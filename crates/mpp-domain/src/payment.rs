//! Payments of application fees: what a bank or QRIS gateway's callback
//! must satisfy to be believed, and what became of each callback.
//!
//! The fee itself (rules, speed tiers, billing codes) is in
//! `application.rs`; the HMAC is checked by the server.

/// How far a callback's timestamp may be from our clock, in seconds: a
/// captured callback replayed later than this is refused.
pub const WINDOW_SECS: i64 = 300;

/// Whether a callback sent at `sent` (Unix seconds) is fresh at `now`.
pub fn is_fresh(sent: i64, now: i64) -> bool {
    (now - sent).abs() <= WINDOW_SECS
}

/// The message a webhook's HMAC signs, the gateway's to us and ours to
/// gateways alike: the timestamp, a dot, the raw body (as Stripe and others
/// do, so the timestamp cannot be swapped).
pub fn signed_message(timestamp: &str, body: &[u8]) -> Vec<u8> {
    [timestamp.as_bytes(), b".", body].concat()
}

/// The receipt (kuitansi) number of a paid bill.
pub fn receipt_number(billing_code: &str) -> String {
    format!("KW-{billing_code}")
}

str_enum!(
    /// What became of a payment callback (each is logged).
    Outcome {
        Accepted = "accepted",
        /// Bad or missing signature.
        Forged = "forged",
        /// Timestamp outside the window: a replay of an old call.
        Stale = "stale",
        /// The same idempotency key again: answered as the first time, not paid twice.
        Replayed = "replayed",
        UnknownCode = "unknown_code",
        WrongAmount = "wrong_amount",
        AlreadyPaid = "already_paid",
        /// Not the JSON the webhook takes.
        Malformed = "malformed",
    }
);

str_enum!(
    /// How a bill was paid.
    Channel {
        /// Recorded by an officer at the counter.
        Counter = "counter",
        /// Confirmed by the bank or QRIS gateway's signed callback.
        Gateway = "gateway",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_callback_is_fresh_for_five_minutes_either_way() {
        assert!(is_fresh(1_000, 1_300));
        assert!(is_fresh(1_300, 1_000));
        assert!(!is_fresh(1_000, 1_301));
        assert!(!is_fresh(1_302, 1_001));
    }

    #[test]
    fn the_signed_message_binds_the_timestamp_to_the_body() {
        assert_eq!(signed_message("1700000000", b"{}"), b"1700000000.{}".to_vec());
        assert_eq!(receipt_number("123456789012345"), "KW-123456789012345");
    }
}
