//! Users, sessions, roles and the guards around them: Argon2id passwords,
//! HttpOnly cookie sessions, CSRF tokens on every form, a login rate limit,
//! API tokens for integrators.

pub mod admin_cli;
pub mod csrf;
pub mod password;
pub mod reset;
pub mod routes;
pub mod session;
pub mod store;
pub mod token;

use sha2::{Digest, Sha256};

/// A random secret as lowercase hex (session ids, API tokens, CSRF tokens).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS random source failing is not recoverable; fall back to a v7 uuid
    // would be guessable, so refuse loudly instead.
    getrandom::fill(&mut bytes).expect("the operating system's random source failed");
    hex(&bytes)
}

/// Only hashes of secrets are stored, so a database leak gives no sessions.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hex HMAC-SHA256, with a shared secret, of `{timestamp}.{body}`: how
/// webhooks are signed, ours to gateways and theirs to us (binding the
/// timestamp, so an old call cannot be replayed under a new one).
pub fn webhook_mac(secret: &str, timestamp: &str, body: &[u8]) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(&mpp_domain::payment::signed_message(timestamp, body));
    hex(&mac.finalize().into_bytes())
}

/// Compares secrets in constant time.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
