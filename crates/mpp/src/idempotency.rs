//! `Idempotency-Key` for API writes that create things (tickets, bookings):
//! a client that retries after a timeout gets the first result instead of a
//! second ticket. A key is scoped to the caller and the endpoint. Reusing a
//! key with a different body is refused (422); a key whose first request is
//! still running answers 409. The creating transaction records the new
//! resource's id against the key ([`complete`]), so a crash can never leave
//! a created resource without its key.

use crate::db::Db;
use crate::db::sql::{self, Conn};
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
    db.run(sql::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(now - KEEP_MS)).await?;
    let inserted = db
        .run(
            sql::query(
                "INSERT INTO idempotency_keys (scope, key, request_hash, resource_id, created_at)
                 VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (scope, key) DO NOTHING",
            )
            .bind(scope)
            .bind(key)
            .bind(&hash)
            .bind(now),
        )
        .await?;
    if inserted == 1 {
        return Ok(Begin::New(Claim { scope: scope.into(), key: key.into() }));
    }
    let (seen_hash, resource, created): (String, Option<String>, i64) =
        sql::query("SELECT request_hash, resource_id, created_at FROM idempotency_keys WHERE scope = $1 AND key = $2")
            .bind(scope)
            .bind(key)
            .fetch_one(&mut Conn::Read(db))
            .await?;
    if seen_hash != hash {
        return Err(AppError::Invalid(vec![crate::error::FieldError::new("Idempotency-Key", "idempotency.reused")]));
    }
    match resource {
        Some(id) => Ok(Begin::Replay(id)),
        None if now - created > ABANDONED_MS => {
            // The first attempt died before finishing; this one takes over.
            let taken = db.run(sql::query(
                "UPDATE idempotency_keys SET created_at = $3 WHERE scope = $1 AND key = $2 AND resource_id IS NULL
                 AND created_at = $4",
            )
            .bind(scope)
            .bind(key)
            .bind(now)
            .bind(created)
            )
            .await?;
            if taken == 1 {
                Ok(Begin::New(Claim { scope: scope.into(), key: key.into() }))
            } else {
                Err(AppError::Conflict("idempotency.in_flight"))
            }
        }
        None => Err(AppError::Conflict("idempotency.in_flight")),
    }
}

/// Records the created resource against the key, inside the creating transaction.
pub async fn complete(conn: &mut Conn<'_>, claim: &Claim, resource_id: &str) -> AppResult<()> {
    sql::query("UPDATE idempotency_keys SET resource_id = $3 WHERE scope = $1 AND key = $2")
        .bind(&claim.scope)
        .bind(&claim.key)
        .bind(resource_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The first request failed: free the key so a retry can try again.
async fn release(db: &Db, claim: &Claim) -> AppResult<()> {
    db.run(
        sql::query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND resource_id IS NULL")
            .bind(&claim.scope)
            .bind(&claim.key),
    )
    .await?;
    Ok(())
}

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
        release(db, claim).await?;
    }
    result
}

/// Marks a response as the replay of an earlier request.
pub fn replayed(mut resp: axum::response::Response) -> axum::response::Response {
    resp.headers_mut().insert("idempotency-replayed", axum::http::HeaderValue::from_static("true"));
    resp
}
