//! Citizens' documents are sealed at rest: each file on disk is
//! XChaCha20-Poly1305 ciphertext under the vault key, with a random nonce
//! and the file's place (`owner/id`) as associated data, so a file moved
//! to another citizen's place, or edited, does not open. The key is never
//! in the database nor in the file store: it is `MPP_VAULT_KEY` (32 bytes,
//! base64url) or the key file `vault.key` in the key directory, made on
//! the first start. A stolen database holds no document; a copied file
//! store holds only ciphertext.

use crate::error::{AppError, AppResult};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use std::path::Path;

/// What a sealed file starts with (and a plain one never does: documents
/// are PDF, PNG or JPEG).
const MAGIC: &[u8] = b"MPP-VAULT-1\n";
/// How many bytes from a file's start tell whether it is sealed.
pub const HEADER: usize = MAGIC.len();
const NONCE: usize = 24;

#[derive(Clone)]
pub struct Vault {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(…)")
    }
}

impl Vault {
    pub fn new(key: &[u8; 32]) -> Vault {
        Vault { cipher: XChaCha20Poly1305::new(key.into()) }
    }

    /// The environment's key if given, else the key file in `key_dir`,
    /// made now (owner-only) if there is none.
    pub async fn load(key_dir: &Path, from_env: Option<&str>) -> anyhow::Result<Vault> {
        let decode = |text: &str, whence: &str| {
            crate::certificate::keys::decode(text)
                .and_then(|k| <[u8; 32]>::try_from(k).ok())
                .map(|k| Vault::new(&k))
                .ok_or_else(|| anyhow::anyhow!("{whence} is not a 32-byte key in base64url"))
        };
        if let Some(text) = from_env {
            return decode(text, "MPP_VAULT_KEY");
        }
        let path = key_dir.join("vault.key");
        match std::fs::read_to_string(&path) {
            Ok(text) => decode(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
                let text = crate::certificate::keys::encode(&key);
                crate::files::write_secret(&path, text.as_bytes()).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
                tracing::info!(path = %path.display(), "made the documents' vault key");
                Ok(Vault::new(&key))
            }
            Err(e) => Err(anyhow::anyhow!("the vault key {} cannot be read: {e}", path.display())),
        }
    }

    /// The file's bytes sealed for its place.
    pub fn seal(&self, place: &str, plain: &[u8]) -> AppResult<Vec<u8>> {
        let mut nonce = [0u8; NONCE];
        getrandom::fill(&mut nonce).map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plain, aad: place.as_bytes() })
            .map_err(|_| AppError::Internal(anyhow::anyhow!("a document could not be sealed")))?;
        Ok([MAGIC, &nonce, &sealed].concat())
    }

    /// The plain bytes of a file sealed for this place; an error for
    /// anything else (another place's file, an edited one, a plain one).
    pub fn open(&self, place: &str, bytes: &[u8]) -> AppResult<Vec<u8>> {
        let refused =
            || AppError::Internal(anyhow::anyhow!("the document at {place} does not open with the vault key"));
        let rest = bytes.strip_prefix(MAGIC).ok_or_else(refused)?;
        if rest.len() < NONCE {
            return Err(refused());
        }
        let (nonce, sealed) = rest.split_at(NONCE);
        self.cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: place.as_bytes() })
            .map_err(|_| refused())
    }

    pub fn is_sealed(bytes: &[u8]) -> bool {
        bytes.starts_with(MAGIC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_file_opens_only_in_its_place_unaltered_and_under_its_key() {
        let vault = Vault::new(&[1; 32]);
        let plain = b"%PDF-1.4 KTP 5303014107900003".to_vec();
        let sealed = vault.seal("u1/d1", &plain).expect("sealed");
        assert!(Vault::is_sealed(&sealed));
        assert!(!sealed.windows(8).any(|w| plain.windows(8).any(|p| p == w)), "no plain bytes in the file");
        assert_eq!(vault.open("u1/d1", &sealed).expect("opens"), plain);
        assert_ne!(vault.seal("u1/d1", &plain).expect("sealed"), sealed, "a fresh nonce each time");
        assert!(vault.open("u2/d1", &sealed).is_err(), "moved to another citizen");
        assert!(Vault::new(&[2; 32]).open("u1/d1", &sealed).is_err(), "another key");
        for at in [MAGIC.len(), MAGIC.len() + NONCE, sealed.len() - 1] {
            let mut edited = sealed.clone();
            edited[at] ^= 1;
            assert!(vault.open("u1/d1", &edited).is_err(), "a byte edited at {at}");
        }
        assert!(vault.open("u1/d1", &plain).is_err(), "a plain file put in its place");
        assert!(vault.open("u1/d1", &sealed[..MAGIC.len() + 3]).is_err(), "cut short");
    }
}
