//! `Idempotency-Key` for API writes that create things (tickets, bookings):
//! a client that retries after a timeout gets the first result instead of a
//! second ticket. A key is scoped to the caller and the endpoint. Reusing a
//! key with a different body is refused (422); a key whose first request is
//! still running answers 409. The creating transaction records the new
//! resource's id against the key ([`complete`]), so a crash can never leave
//! a created resource without its key.

mod store;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

pub const HEADER: &str = "idempotency-key";
/// Keys are remembered this long.
const KEEP_MS: i64 = 24 * 3600 * 1000;
/// A first request silent for this long is taken to have died with its server.
const ABANDONED_MS: i64 = 60 * 1000;

/// A key being used for one request.
#[derive(Debug, Clone)]
pub struct Claim {
    pub scope: String,
    pub key: String,
}

pub enum Begin {
    /// First use: go ahead, then [`complete`] inside the creating transaction.
    New(Claim),
    /// Seen before and finished: answer with this resource.
    Replay(String),
}

/// The key of this request, if it sent one (checked: 1–200 visible characters).
fn key_of(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(v) = headers.get(HEADER) else { return Ok(None) };
    let key = v.to_str().map_err(|_| AppError::BadRequest("idempotency.bad_key"))?.trim();
    if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(AppError::BadRequest("idempotency.bad_key"));
    }
    Ok(Some(key.to_string()))
}

/// Registers the key, or says what became of its first use.
async fn begin(db: &Db, scope: &str, key: &str, body: &[u8], now: i64) -> AppResult<Begin> {
    let hash = crate::auth::hex(&Sha256::digest(body));
    // Forget old keys now and then (cheap with the primary key's order irrelevant).
    store::forget_before(db, now - KEEP_MS).await?;
    let claim = || Claim { scope: scope.into(), key: key.into() };
    if store::claim(db, scope, key, &hash, now).await? {
        return Ok(Begin::New(claim()));
    }
    let (seen_hash, resource, created) = store::seen(db, scope, key).await?;
    if seen_hash != hash {
        return Err(AppError::Invalid(vec![crate::error::FieldError::new("Idempotency-Key", "idempotency.reused")]));
    }
    match resource {
        Some(id) => Ok(Begin::Replay(id)),
        // The first attempt died before finishing; this one takes over.
        None if now - created > ABANDONED_MS && store::take_over(db, scope, key, created, now).await? => {
            Ok(Begin::New(claim()))
        }
        None => Err(AppError::Conflict("idempotency.in_flight")),
    }
}

pub use store::complete;

/// Starts an API create request: `None` when it sent no key; otherwise the
/// claim of a first use, or the earlier result to replay. The key is bound to
/// the body's canonical JSON, so a reuse with another body is refused.
pub async fn start(
    db: &Db,
    headers: &HeaderMap,
    scope: &str,
    body: &impl serde::Serialize,
    now: i64,
) -> AppResult<Option<Begin>> {
    let Some(key) = key_of(headers)? else { return Ok(None) };
    let canonical = serde_json::to_vec(body).map_err(|e| AppError::Internal(e.into()))?;
    Ok(Some(begin(db, scope, &key, &canonical, now).await?))
}

/// The work's result, after freeing the key if it failed (so a retry can succeed).
pub async fn settle<T>(db: &Db, claim: Option<&Claim>, result: AppResult<T>) -> AppResult<T> {
    if let (Err(_), Some(claim)) = (&result, claim) {
        store::release(db, claim).await?;
    }
    result
}

/// Marks a response as the replay of an earlier request.
pub fn replayed(mut resp: axum::response::Response) -> axum::response::Response {
    resp.headers_mut().insert("idempotency-replayed", axum::http::HeaderValue::from_static("true"));
    resp
}
