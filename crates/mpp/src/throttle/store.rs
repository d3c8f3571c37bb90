//! The SQL of the throttle: one row of failures per key.

use crate::db::Db;
use crate::db::sql::{self, Conn};
use crate::error::AppResult;
use mpp_domain::throttle::Limit;

/// Whether `key` has used up its failures under `limit`.
pub async fn blocked(db: &Db, key: &str, limit: Limit, now: i64) -> AppResult<bool> {
    let row: Option<(i64, i64)> = sql::query("SELECT failures, since FROM throttle_failures WHERE key = $1")
        .bind(key)
        .fetch_optional(&mut Conn::Read(db))
        .await?;
    Ok(row.is_some_and(|(failures, since)| limit.blocks(failures, since, now)))
}

/// Counts an attempt against `key` (a failure, or a use where the limit is
/// on uses); a key whose window has passed starts again at one. One
/// statement, so concurrent attempts are all counted.
pub async fn count(db: &Db, key: &str, limit: Limit, now: i64) -> AppResult<()> {
    db.run(
        sql::query(
            "INSERT INTO throttle_failures (key, failures, since) VALUES ($1, 1, $2) \
         ON CONFLICT (key) DO UPDATE SET \
           failures = CASE WHEN throttle_failures.since <= $3 THEN 1 ELSE throttle_failures.failures + 1 END, \
           since = CASE WHEN throttle_failures.since <= $3 THEN $2 ELSE throttle_failures.since END",
        )
        .bind(key)
        .bind(now)
        .bind(now - limit.window_ms),
    )
    .await?;
    Ok(())
}

/// Forgets a key's failures (after a success).
pub async fn clear(db: &Db, key: &str) -> AppResult<()> {
    db.run(sql::query("DELETE FROM throttle_failures WHERE key = $1").bind(key)).await?;
    Ok(())
}

/// Drops counts older than a day (every window is shorter).
pub async fn purge(db: &Db, now: i64) -> AppResult<u64> {
    let r = db.run(sql::query("DELETE FROM throttle_failures WHERE since < $1").bind(now - 24 * 3600 * 1000)).await?;
    Ok(r)
}
