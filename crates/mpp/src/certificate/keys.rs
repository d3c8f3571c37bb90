//! Each mall's Ed25519 signing key: made on the first certificate, kept in
//! `signing_keys`, its public half published (JWKS, RFC 8037) so that anyone
//! can check a certificate without asking us.
//!
//! The secret half lives in the database like the rest of the mall's
//! records; docs/CERTIFICATES.md says how to rotate it.

use crate::db::new_id;
use crate::db::sql::{self, Conn, FromRow, Row};
use crate::error::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// A published key.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicKey {
    /// The key id certificates name (`kid`).
    pub id: String,
    /// The 32-byte public key, base64url.
    pub public_key: String,
    /// Retired keys sign nothing new; what they signed still verifies.
    pub retired: bool,
}

impl FromRow for PublicKey {
    fn from_row(r: &Row) -> AppResult<PublicKey> {
        Ok(PublicKey {
            id: r.text("id")?,
            public_key: r.text("public_key")?,
            retired: r.opt_int("retired_at")?.is_some(),
        })
    }
}

pub fn encode(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn decode(text: &str) -> Option<Vec<u8>> {
    B64.decode(text.trim()).ok()
}

/// Whether `signature` (base64url) is `public_key`'s (base64url) over `message`.
pub fn verify(public_key: &str, message: &[u8], signature: &str) -> bool {
    let key = decode(public_key).and_then(|k| <[u8; 32]>::try_from(k).ok());
    let sig = decode(signature).and_then(|s| <[u8; 64]>::try_from(s).ok());
    match (key.and_then(|k| VerifyingKey::from_bytes(&k).ok()), sig) {
        (Some(key), Some(sig)) => key.verify(message, &Signature::from_bytes(&sig)).is_ok(),
        _ => false,
    }
}

/// The key a mall signs with now.
pub struct MallKey {
    pub id: String,
    key: SigningKey,
}

impl MallKey {
    /// The signature over `message`, base64url.
    pub fn sign(&self, message: &[u8]) -> String {
        encode(&self.key.sign(message).to_bytes())
    }
}

/// The mall's current key, made now if it has none.
pub async fn current(conn: &mut Conn<'_>, mall_id: &str, now: i64) -> AppResult<MallKey> {
    let row = sql::query(
        "SELECT id, secret_key FROM signing_keys WHERE mall_id = $1 AND retired_at IS NULL
         ORDER BY created_at, id LIMIT 1",
    )
    .bind(mall_id)
    .fetch_optional::<Row>(conn)
    .await?;
    match row {
        Some(r) => Ok(MallKey { id: r.text("id")?, key: secret_from(&r.text("secret_key")?)? }),
        None => create(conn, mall_id, now).await,
    }
}

fn secret_from(text: &str) -> AppResult<SigningKey> {
    let seed = decode(text).and_then(|s| <[u8; 32]>::try_from(s).ok());
    seed.map(|s| SigningKey::from_bytes(&s)).ok_or_else(|| AppError::Internal(anyhow::anyhow!("a bad signing key")))
}

async fn create(conn: &mut Conn<'_>, mall_id: &str, now: i64) -> AppResult<MallKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let key = SigningKey::from_bytes(&seed);
    let id = new_id();
    sql::query(
        "INSERT INTO signing_keys (mall_id, id, public_key, secret_key, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(mall_id)
    .bind(&id)
    .bind(encode(key.verifying_key().as_bytes()))
    .bind(encode(&seed))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(MallKey { id, key })
}

/// Every key the mall ever signed with, oldest first.
pub async fn published(conn: &mut Conn<'_>, mall_id: &str) -> AppResult<Vec<PublicKey>> {
    sql::query("SELECT id, public_key, retired_at FROM signing_keys WHERE mall_id = $1 ORDER BY created_at, id")
        .bind(mall_id)
        .fetch_all(conn)
        .await
}

/// The public half of key `key_id`, if the mall has it.
pub async fn public_key(conn: &mut Conn<'_>, mall_id: &str, key_id: &str) -> AppResult<Option<String>> {
    sql::query("SELECT public_key FROM signing_keys WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(key_id)
        .fetch_optional::<Row>(conn)
        .await?
        .map(|r| r.text("public_key"))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_holds_only_for_its_message_and_key() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let public = encode(key.verifying_key().as_bytes());
        let sig = encode(&key.sign(b"content").to_bytes());
        assert!(verify(&public, b"content", &sig));
        assert!(!verify(&public, b"c0ntent", &sig));
        let other = encode(SigningKey::from_bytes(&[8u8; 32]).verifying_key().as_bytes());
        assert!(!verify(&other, b"content", &sig));
        assert!(!verify(&public, b"content", "not base64!"));
    }
}
