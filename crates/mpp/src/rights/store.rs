//! The SQL of a citizen's rights: what the export reads that no feature
//! lists for them already.

use crate::db::Db;
use crate::db::sql::{self, Conn};
use crate::error::AppResult;
use serde_json::{Value, json};

/// The account itself: (email, name, created_at).
pub async fn account(db: &Db, user_id: &str) -> AppResult<Option<(String, String, i64)>> {
    sql::query("SELECT email, name, created_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// Every question about the citizen's NIK put to the register, and its answer.
pub async fn nik_checks(db: &Db, user_id: &str) -> AppResult<Vec<Value>> {
    let rows: Vec<(i64, String, String)> =
        sql::query("SELECT at, nik, answer FROM nik_checks WHERE user_id = $1 ORDER BY at, id")
            .bind(user_id)
            .fetch_all(&mut Conn::Read(db))
            .await?;
    Ok(rows.into_iter().map(|(at, nik, answer)| json!({"at": at, "nik": nik, "answer": answer})).collect())
}

/// The citizen's appointments in every mall, with the ticket each became.
pub async fn appointments(db: &Db, user_id: &str) -> AppResult<Vec<Value>> {
    let rows: Vec<sql::Row> = sql::query(
        "SELECT m.slug, s.code AS service, a.code, a.day, a.slot_start, a.slot_end, a.status, a.created_at,
                t.label AS ticket, t.status AS ticket_status
         FROM appointments a JOIN malls m ON m.id = a.mall_id
         JOIN services s ON s.mall_id = a.mall_id AND s.id = a.service_id
         LEFT JOIN tickets t ON t.mall_id = a.mall_id AND t.id = a.ticket_id
         WHERE a.user_id = $1 ORDER BY a.created_at",
    )
    .bind(user_id)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    rows.iter()
        .map(|r| {
            Ok(json!({
                "mall": r.text("slug")?, "service": r.text("service")?, "code": r.text("code")?, "day": r.text("day")?,
                "slot_start": r.int("slot_start")?, "slot_end": r.int("slot_end")?, "status": r.text("status")?,
                "booked_at": r.int("created_at")?, "ticket": r.opt_text("ticket")?, "ticket_status": r.opt_text("ticket_status")?,
            }))
        })
        .collect()
}

/// Messages MPP sent (or is sending) to the citizen's address or phone.
pub async fn messages(db: &Db, email: &str, phone: &str) -> AppResult<Vec<Value>> {
    // A citizen without a phone on their profile is matched by email alone.
    let to = if phone.is_empty() { "to_email = $1" } else { "(to_email = $1 OR to_phone = $2)" };
    let mut query = sql::query(format!(
        "SELECT channel, kind, to_email, to_phone, subject, body, status, created_at, sent_at FROM notifications
         WHERE {to} ORDER BY created_at, id"
    ))
    .bind(email);
    if !phone.is_empty() {
        query = query.bind(phone);
    }
    let rows: Vec<sql::Row> = query.fetch_all(&mut Conn::Read(db)).await?;
    rows.iter()
        .map(|r| {
            Ok(json!({
                "channel": r.text("channel")?, "kind": r.text("kind")?, "to_email": r.text("to_email")?,
                "to_phone": r.text("to_phone")?, "subject": r.text("subject")?, "body": r.text("body")?,
                "status": r.text("status")?, "created_at": r.int("created_at")?, "sent_at": r.opt_int("sent_at")?,
            }))
        })
        .collect()
}
