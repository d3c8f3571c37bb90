//! The SQL of the notifier's outbox.

use super::{Message, Outgoing};
use crate::db::sql::{self, Conn};
use crate::db::{Db, new_id};
use crate::error::AppResult;

/// Queues a message once per channel (with that channel's body), in one transaction.
/// Writes a message, one row per channel ([`super::rows`]), inside the
/// caller's transaction.
pub async fn enqueue_in(
    conn: &mut Conn<'_>,
    m: &Message,
    channels: &[(&'static str, String)],
    now: i64,
) -> AppResult<()> {
    for (channel, body) in channels {
        sql::query(
            "INSERT INTO notifications (id, mall_id, channel, kind, ticket_id, to_phone, to_email, subject, body,
             status, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $10)",
        )
        .bind(new_id(now))
        .bind(&m.mall_id)
        .bind(*channel)
        .bind(&m.kind)
        .bind(&m.ticket_id)
        .bind(&m.to_phone)
        .bind(&m.to_email)
        .bind(&m.subject)
        .bind(body)
        .bind(now)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The messages due now, oldest first, a few at a time.
pub async fn due(db: &Db, now: i64) -> AppResult<Vec<Outgoing>> {
    sql::query(
        "SELECT id, mall_id, channel, kind, ticket_id, to_phone, to_email, subject, body, attempts, created_at
         FROM notifications WHERE status = 'pending' AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT 20",
    )
    .bind(now)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Claims a message for sending, so another server process does not send it too.
pub async fn claim(db: &Db, id: &str, now: i64) -> AppResult<bool> {
    let n = db
        .run(
            sql::query(
                "UPDATE notifications SET status = 'sending', next_attempt_at = $2 WHERE id = $1 AND status = 'pending'",
            )
            .bind(id)
            .bind(now),
        )
        .await?;
    Ok(n == 1)
}

pub async fn sent(db: &Db, id: &str, attempts: i64, now: i64) -> AppResult<()> {
    db.run(
        sql::query(
            "UPDATE notifications SET status = 'sent', attempts = $2, sent_at = $3, last_error = '' WHERE id = $1",
        )
        .bind(id)
        .bind(attempts)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Schedules the next try (status `pending`) or gives up (`failed`).
pub async fn retry(db: &Db, id: &str, status: &str, attempts: i64, next_at: i64, error: &str) -> AppResult<()> {
    db.run(
        sql::query(
            "UPDATE notifications SET status = $2, attempts = $3, next_attempt_at = $4, last_error = $5 WHERE id = $1",
        )
        .bind(id)
        .bind(status)
        .bind(attempts)
        .bind(next_at)
        .bind(error),
    )
    .await?;
    Ok(())
}
