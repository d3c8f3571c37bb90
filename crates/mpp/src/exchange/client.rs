//! `mpp exchange`: an agency's system as a command line. `keygen` makes
//! the system's Ed25519 key (the public half is what the mall registers);
//! `request` signs a request, sends it, and checks the answer's signature
//! against the keys the mall publishes (`/api/v1/malls/{slug}/signing-keys`)
//! and that it answers this request. Real systems do the same in their own
//! language: docs/EXCHANGE.md has the wire format.

use super::{SIGNATURE, seal, signing_input, split};
use crate::certificate::keys;
use ed25519_dalek::{Signer, SigningKey};
use mpp_domain::exchange::{ALG, Header, Request};
use std::path::Path;

/// Makes a key: its seed written to `out` (readable by its owner only),
/// its public half returned (base64url), to register with the mall.
pub async fn keygen(out: &Path) -> anyhow::Result<String> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    crate::files::write_secret(out, keys::encode(&seed).as_bytes()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(keys::encode(SigningKey::from_bytes(&seed).verifying_key().as_bytes()))
}

/// One request, as the command line takes it.
pub struct Ask {
    /// The MPP server's address, e.g. `https://mpp.example.go.id`.
    pub server: String,
    pub mall: String,
    /// The system's id (as registered).
    pub client: String,
    pub key: SigningKey,
    pub request: Request,
    /// Seconds since 1970 to sign as made at (the system's clock).
    pub iat: i64,
}

/// What came back: the status, the body, and whether the mall's signature
/// over it holds and answers this request.
pub struct Answer {
    pub status: u16,
    pub body: serde_json::Value,
    pub verified: bool,
}

/// Reads a key file `keygen` wrote.
pub fn load_key(path: &Path) -> anyhow::Result<SigningKey> {
    let text = std::fs::read_to_string(path)?;
    let seed = keys::decode(&text).and_then(|s| <[u8; 32]>::try_from(s).ok());
    seed.map(|s| SigningKey::from_bytes(&s)).ok_or_else(|| anyhow::anyhow!("{} is not a key file", path.display()))
}

/// Signs `body` as the system: the detached JWS for `X-MPP-Signature`.
pub fn sign(key: &SigningKey, client: &str, iat: i64, jti: &str, body: &[u8]) -> anyhow::Result<String> {
    let header = Header { alg: ALG.into(), kid: client.into(), iat, jti: jti.into(), in_reply_to: String::new() };
    Ok(seal(&header, body, |m| keys::encode(&key.sign(m).to_bytes()))?)
}

pub async fn request(ask: &Ask) -> anyhow::Result<Answer> {
    let server = ask.server.trim_end_matches('/');
    let body = serde_json::to_vec(&ask.request)?;
    let jti = crate::auth::random_token();
    let signature = sign(&ask.key, &ask.client, ask.iat, &jti, &body)?;
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{server}/api/v1/malls/{}/exchange", ask.mall))
        .header(SIGNATURE, signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await?;
    let status = r.status().as_u16();
    let reply = r.headers().get(SIGNATURE).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let bytes = r.bytes().await?;
    let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
    let verified = match reply.as_deref().and_then(split) {
        Some((header, protected, sig)) if header.in_reply_to == jti => {
            let jwks: serde_json::Value =
                http.get(format!("{server}/api/v1/malls/{}/signing-keys", ask.mall)).send().await?.json().await?;
            let key = jwks["keys"].as_array().into_iter().flatten().find(|k| k["kid"] == header.kid.as_str());
            key.and_then(|k| k["x"].as_str())
                .is_some_and(|x| keys::verify(x, signing_input(&protected, &bytes).as_bytes(), &sig))
        }
        _ => false,
    };
    Ok(Answer { status, body, verified })
}
