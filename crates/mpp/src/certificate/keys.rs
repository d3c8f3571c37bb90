//! Each mall's Ed25519 signing key: made on the first certificate, its
//! public half kept in `signing_keys` and published (JWKS, RFC 8037) so
//! that anyone can check a certificate without asking us.
//!
//! The secret half never enters the database, which it protects: it is a
//! key file (`{key dir}/{mall id}/{key id}.key`, readable by the server's
//! user only; the key dir is `--key-dir`, by default `keys` in the data
//! directory) or, for a mall whose key is managed outside MPP, the
//! environment (`MPP_SIGNING_KEY_<SLUG>`, its 32-byte seed in base64url).
//! Rotating retires the current key (`mpp rotate-key`) or names a new one in
//! the environment; retired keys stay published, so what they signed still
//! verifies. docs/CERTIFICATES.md has the details.

use super::store;
use crate::db::new_id;
use crate::db::sql::Conn;
use crate::error::{AppError, AppResult};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use mpp_domain::tenancy::MallId;

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

pub fn encode(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn decode(text: &str) -> Option<Vec<u8>> {
    B64.decode(text.trim()).ok()
}

fn verifying_key(public_key: &str) -> Option<VerifyingKey> {
    let key = decode(public_key).and_then(|k| <[u8; 32]>::try_from(k).ok())?;
    VerifyingKey::from_bytes(&key).ok()
}

/// Whether `signature` (base64url) is `public_key`'s (base64url) over
/// `message`, by the strict rules (no weak keys, no malleable signatures:
/// a small-order key would "verify" anyone's forgery).
pub fn verify(public_key: &str, message: &[u8], signature: &str) -> bool {
    let sig = decode(signature).and_then(|s| <[u8; 64]>::try_from(s).ok());
    match (verifying_key(public_key), sig) {
        (Some(key), Some(sig)) => key.verify_strict(message, &Signature::from_bytes(&sig)).is_ok(),
        _ => false,
    }
}

/// Whether `public_key` (base64url) is an Ed25519 key one may register:
/// a point on the curve, not of small order.
pub fn usable(public_key: &str) -> bool {
    verifying_key(public_key).is_some_and(|k| !k.is_weak())
}

/// Where the secret halves are: the key directory, and the seeds the
/// environment gives for some malls (by slug).
#[derive(Debug, Clone, Default)]
pub struct KeyStore {
    pub dir: std::path::PathBuf,
    pub from_env: std::collections::BTreeMap<String, String>,
}

impl KeyStore {
    fn path(&self, mall_id: &MallId, kid: &str) -> std::path::PathBuf {
        self.dir.join(mall_id).join(format!("{kid}.key"))
    }

    fn load(&self, mall_id: &MallId, kid: &str) -> AppResult<SigningKey> {
        let path = self.path(mall_id, kid);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            AppError::Internal(anyhow::anyhow!("the signing key file {} cannot be read: {e}", path.display()))
        })?;
        secret_from(&text)
    }

    /// Writes a new key file, readable by its owner only, before any row
    /// names it (a crash leaves at worst an unused file).
    async fn keep(&self, mall_id: &MallId, kid: &str, seed: &[u8; 32]) -> AppResult<()> {
        crate::files::write_secret(&self.path(mall_id, kid), encode(seed).as_bytes()).await
    }

    /// The environment's `MPP_SIGNING_KEY_<SLUG>` entries, as a map by slug.
    pub fn env_seeds(vars: impl Iterator<Item = (String, String)>) -> std::collections::BTreeMap<String, String> {
        vars.filter_map(|(k, v)| {
            let slug = k.strip_prefix("MPP_SIGNING_KEY_")?.to_ascii_lowercase().replace('_', "-");
            Some((slug, v))
        })
        .collect()
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

/// The mall's current key: the environment's, if it names one (a new one
/// retires the ones before it), else the current key file's, made now if
/// the mall has none.
pub async fn current(
    conn: &mut Conn<'_>,
    keys: &KeyStore,
    mall_id: &MallId,
    slug: &str,
    now: i64,
) -> AppResult<MallKey> {
    if let Some(seed) = keys.from_env.get(slug) {
        let key = secret_from(seed)?;
        return from_env(conn, mall_id, key, now).await;
    }
    match store::current_key(conn, mall_id).await? {
        Some(id) => Ok(MallKey { key: keys.load(mall_id, &id)?, id }),
        None => create(conn, keys, mall_id, now).await,
    }
}

/// The key the environment gives: known already, or registered now as the
/// mall's only current key (a rotation done by changing the environment).
async fn from_env(conn: &mut Conn<'_>, mall_id: &MallId, key: SigningKey, now: i64) -> AppResult<MallKey> {
    let public = encode(key.verifying_key().as_bytes());
    if let Some((id, retired_at)) = store::key_by_public(conn, mall_id, &public).await? {
        if retired_at.is_some() {
            return Err(AppError::Internal(anyhow::anyhow!("the environment names a retired signing key")));
        }
        return Ok(MallKey { id, key });
    }
    store::retire_keys(conn, mall_id, now).await?;
    let id = new_id(now);
    store::insert_key(conn, mall_id, &id, &public, now).await?;
    Ok(MallKey { id, key })
}

/// Retires the mall's current key: the next certificate is signed with a
/// new one; what the old one signed still verifies. False if it had none.
pub async fn retire(conn: &mut Conn<'_>, mall_id: &MallId, now: i64) -> AppResult<bool> {
    Ok(store::retire_keys(conn, mall_id, now).await? > 0)
}

/// Moves secret halves an older version kept in the database out to key
/// files, once, at start.
pub async fn move_out_of_the_database(db: &crate::db::Db, keys: &KeyStore) -> AppResult<usize> {
    let rows = store::secret_halves(db).await?;
    for (mall_id, id, secret) in &rows {
        let seed = decode(secret).and_then(|s| <[u8; 32]>::try_from(s).ok());
        let seed = seed.ok_or_else(|| AppError::Internal(anyhow::anyhow!("a bad signing key")))?;
        keys.keep(mall_id, id, &seed).await?;
        store::forget_secret_half(db, mall_id, id).await?;
    }
    Ok(rows.len())
}

fn secret_from(text: &str) -> AppResult<SigningKey> {
    let seed = decode(text).and_then(|s| <[u8; 32]>::try_from(s).ok());
    seed.map(|s| SigningKey::from_bytes(&s)).ok_or_else(|| AppError::Internal(anyhow::anyhow!("a bad signing key")))
}

async fn create(conn: &mut Conn<'_>, keys: &KeyStore, mall_id: &MallId, now: i64) -> AppResult<MallKey> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let key = SigningKey::from_bytes(&seed);
    let id = new_id(now);
    keys.keep(mall_id, &id, &seed).await?;
    store::insert_key(conn, mall_id, &id, &encode(key.verifying_key().as_bytes()), now).await?;
    Ok(MallKey { id, key })
}

pub use super::store::{public_key, published};

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
