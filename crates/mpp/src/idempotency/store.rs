//! The SQL of idempotency keys.

use super::Claim;
use crate::db::Db;
use crate::db::sql::{self, Conn};
use crate::error::AppResult;

pub async fn forget_before(db: &Db, before: i64) -> AppResult<()> {
    db.run(sql::query("DELETE FROM idempotency_keys WHERE created_at < $1").bind(before)).await?;
    Ok(())
}

/// Registers a first use of the key; false if it was seen before.
pub async fn claim(db: &Db, scope: &str, key: &str, request_hash: &str, now: i64) -> AppResult<bool> {
    let inserted = db
        .run(
            sql::query(
                "INSERT INTO idempotency_keys (scope, key, request_hash, resource_id, created_at)
                 VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (scope, key) DO NOTHING",
            )
            .bind(scope)
            .bind(key)
            .bind(request_hash)
            .bind(now),
        )
        .await?;
    Ok(inserted == 1)
}

/// The key's first use: its request's hash, what it created, and when.
pub async fn seen(db: &Db, scope: &str, key: &str) -> AppResult<(String, Option<String>, i64)> {
    sql::query("SELECT request_hash, resource_id, created_at FROM idempotency_keys WHERE scope = $1 AND key = $2")
        .bind(scope)
        .bind(key)
        .fetch_one(&mut Conn::Read(db))
        .await
}

/// Takes over a first use that never finished (once: a second taker loses).
pub async fn take_over(db: &Db, scope: &str, key: &str, created: i64, now: i64) -> AppResult<bool> {
    let taken = db
        .run(
            sql::query(
                "UPDATE idempotency_keys SET created_at = $3 WHERE scope = $1 AND key = $2 AND resource_id IS NULL
                 AND created_at = $4",
            )
            .bind(scope)
            .bind(key)
            .bind(now)
            .bind(created),
        )
        .await?;
    Ok(taken == 1)
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
pub async fn release(db: &Db, claim: &Claim) -> AppResult<()> {
    db.run(
        sql::query("DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND resource_id IS NULL")
            .bind(&claim.scope)
            .bind(&claim.key),
    )
    .await?;
    Ok(())
}
