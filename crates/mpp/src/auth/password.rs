//! Argon2id with the crate's defaults (m=19 MiB, t=2, p=1, OWASP's minimum).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash::rand_core::OsRng};

pub const MIN_LENGTH: usize = 10;

/// The stored hash of an account made for someone who has not set a
/// password yet: no password verifies against it.
pub const NOT_SET: &str = "!";

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt).map_err(|e| anyhow::anyhow!("{e}"))?.to_string())
}

pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Hashing is slow on purpose; keep it off the async workers.
pub async fn hash_async(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash(&password)).await?
}

pub async fn verify_async(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || verify(&password, &stored)).await.unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_are_argon2id_and_verify() {
        let h = super::hash("rahasia-sekali").unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify("rahasia-sekali", &h));
        assert!(!super::verify("salah", &h));
    }
}
