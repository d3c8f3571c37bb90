//! The SQL of the breach register.

use crate::db::Db;
use crate::db::sql::{self, Conn, from_row};
use crate::error::AppResult;
use mpp_domain::tenancy::MallId;

#[derive(Debug, Clone)]
pub struct Breach {
    pub mall_id: MallId,
    pub id: String,
    pub title: String,
    pub description: String,
    pub reader_id: String,
    pub from_at: i64,
    pub to_at: i64,
    pub discovered_at: i64,
    pub notify_by: i64,
    pub notified_at: Option<i64>,
    pub recorded_by: String,
    pub created_at: i64,
}

from_row!(Breach {
    mall_id,
    id,
    title,
    description,
    reader_id,
    from_at,
    to_at,
    discovered_at,
    notify_by,
    notified_at,
    recorded_by,
    created_at
});

const BREACH: &str =
    "mall_id, id, title, description, reader_id, from_at, to_at, discovered_at, notify_by, notified_at,
    recorded_by, created_at";

/// Records an incident with the citizens whose data the suspect reads
/// touched (from the access log, in the same transaction); how many.
pub async fn record(db: &Db, b: Breach) -> AppResult<i64> {
    db.transact(move |conn| {
        Box::pin(async move {
            sql::query(format!(
                "INSERT INTO breaches ({BREACH}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
            ))
            .bind(&b.mall_id)
            .bind(&b.id)
            .bind(&b.title)
            .bind(&b.description)
            .bind(&b.reader_id)
            .bind(b.from_at)
            .bind(b.to_at)
            .bind(b.discovered_at)
            .bind(b.notify_by)
            .bind(b.notified_at)
            .bind(&b.recorded_by)
            .bind(b.created_at)
            .execute(conn)
            .await?;
            let affected = sql::query(
                "INSERT INTO breach_subjects (mall_id, breach_id, subject_id)
                 SELECT DISTINCT $1, $2, subject_id FROM access_log
                 WHERE mall_id = $1 AND at >= $3 AND at <= $4 AND ($5 = '' OR reader_id = $5)",
            )
            .bind(&b.mall_id)
            .bind(&b.id)
            .bind(b.from_at)
            .bind(b.to_at)
            .bind(&b.reader_id)
            .execute(conn)
            .await?;
            Ok(i64::try_from(affected).unwrap_or(i64::MAX))
        })
    })
    .await
}

/// A mall's incidents, newest first, each with how many citizens it touched.
pub async fn of_mall(db: &Db, mall_id: &MallId) -> AppResult<Vec<(Breach, i64)>> {
    let rows: Vec<sql::Row> = sql::query(format!(
        "SELECT {BREACH}, (SELECT COUNT(*) FROM breach_subjects s WHERE s.mall_id = b.mall_id AND s.breach_id = b.id)
         AS affected FROM breaches b WHERE mall_id = $1 ORDER BY discovered_at DESC, id DESC"
    ))
    .bind(mall_id)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    let breaches = <Breach as sql::FromRow>::from_rows(&rows)?;
    let counts = rows.iter().map(|r| r.int("affected")).collect::<AppResult<Vec<i64>>>()?;
    Ok(breaches.into_iter().zip(counts).collect())
}

/// The emails of the citizens an incident touched.
pub async fn affected_emails(db: &Db, mall_id: &MallId, breach_id: &str) -> AppResult<Vec<String>> {
    sql::query(
        "SELECT u.email FROM breach_subjects s JOIN users u ON u.id = s.subject_id
         WHERE s.mall_id = $1 AND s.breach_id = $2 ORDER BY u.email",
    )
    .bind(mall_id)
    .bind(breach_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// The national supervisors' emails.
pub async fn supervisor_emails(db: &Db) -> AppResult<Vec<String>> {
    sql::query(
        "SELECT u.email FROM deployment_roles r JOIN users u ON u.id = r.user_id
         WHERE r.role = 'national_supervisor' ORDER BY u.email",
    )
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Marks an incident told and writes its messages (each with its rows per
/// channel) in one transaction: never told without the messages, nor the
/// messages twice. False if it was told already.
pub async fn notify(
    db: &Db,
    mall_id: &MallId,
    id: &str,
    messages: Vec<(crate::notify::Message, Vec<(&'static str, String)>)>,
    now: i64,
) -> AppResult<bool> {
    let (mall_id, id) = (mall_id.clone(), id.to_owned());
    db.transact(move |conn| {
        Box::pin(async move {
            let marked = sql::query(
                "UPDATE breaches SET notified_at = $3 WHERE mall_id = $1 AND id = $2 AND notified_at IS NULL",
            )
            .bind(&mall_id)
            .bind(&id)
            .bind(now)
            .execute(conn)
            .await?;
            if marked == 0 {
                return Ok(false);
            }
            for (m, rows) in &messages {
                crate::notify::enqueue_in(conn, m, rows, now).await?;
            }
            Ok(true)
        })
    })
    .await
}
