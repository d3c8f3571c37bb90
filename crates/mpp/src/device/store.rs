//! Devices' SQL.

use crate::db::Db;
use crate::db::sql::{self, Conn, from_row};
use crate::error::AppResult;
use mpp_domain::device::Kind;
use mpp_domain::tenancy::MallId;

#[derive(Debug, Clone)]
pub struct Device {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub created_at: i64,
    pub enrol_until: Option<i64>,
    pub enrolled_at: Option<i64>,
    pub last_seen_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

from_row!(Device { id, kind, name, created_at, enrol_until, enrolled_at, last_seen_at, revoked_at });

const DEVICE: &str = "id, kind, name, created_at, enrol_until, enrolled_at, last_seen_at, revoked_at FROM devices";

pub async fn list(db: &Db, mall_id: &MallId) -> AppResult<Vec<Device>> {
    sql::query(format!("SELECT {DEVICE} WHERE mall_id = $1 ORDER BY revoked_at IS NOT NULL, kind, name"))
        .bind(mall_id)
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// Registers a device with a one-time enrolment code (stored hashed).
pub async fn create(
    db: &Db,
    mall_id: &MallId,
    kind: Kind,
    name: &str,
    code_hash: &str,
    by: &str,
    now: i64,
) -> AppResult<String> {
    let id = crate::db::new_id(now);
    db.run(
        sql::query(
            "INSERT INTO devices (mall_id, id, kind, name, created_by, created_at, enrol_code_hash, enrol_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(mall_id)
        .bind(&id)
        .bind(kind.as_str())
        .bind(name.trim())
        .bind(by)
        .bind(now)
        .bind(code_hash)
        .bind(now + mpp_domain::device::ENROL_WINDOW_MS),
    )
    .await?;
    Ok(id)
}

/// The device a live enrolment code is for.
pub async fn by_code(db: &Db, mall_id: &MallId, code_hash: &str, now: i64) -> AppResult<Option<Device>> {
    sql::query(format!(
        "SELECT {DEVICE} WHERE mall_id = $1 AND enrol_code_hash = $2 AND enrol_until > $3 AND revoked_at IS NULL"
    ))
    .bind(mall_id)
    .bind(code_hash)
    .bind(now)
    .fetch_optional(&mut Conn::Read(db))
    .await
}

/// Enrols the device: the code is spent, the cookie's hash kept. False if
/// the code was spent meanwhile (two browsers racing for one code).
pub async fn enrol(db: &Db, mall_id: &MallId, code_hash: &str, token_hash: &str, now: i64) -> AppResult<bool> {
    let r = db
        .run(
            sql::query(
                "UPDATE devices SET token_hash = $3, enrolled_at = $4, last_seen_at = $4, enrol_code_hash = NULL,
         enrol_until = NULL WHERE mall_id = $1 AND enrol_code_hash = $2 AND enrol_until > $4 AND revoked_at IS NULL",
            )
            .bind(mall_id)
            .bind(code_hash)
            .bind(token_hash)
            .bind(now),
        )
        .await?;
    Ok(r == 1)
}

/// The enrolled, unrevoked device of this mall and kind a cookie names.
pub async fn by_token(db: &Db, mall_id: &MallId, kind: Kind, token_hash: &str) -> AppResult<Option<Device>> {
    sql::query(format!("SELECT {DEVICE} WHERE mall_id = $1 AND kind = $2 AND token_hash = $3 AND revoked_at IS NULL"))
        .bind(mall_id)
        .bind(kind.as_str())
        .bind(token_hash)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// Notes that the device was seen (at most once a minute, to spare writes).
pub async fn seen(db: &Db, mall_id: &MallId, id: &str, now: i64) -> AppResult<()> {
    db.run(
        sql::query("UPDATE devices SET last_seen_at = $3 WHERE mall_id = $1 AND id = $2 AND last_seen_at < $4")
            .bind(mall_id)
            .bind(id)
            .bind(now)
            .bind(now - 60_000),
    )
    .await?;
    Ok(())
}

/// Revokes a device: its cookie and any unspent code stop working.
pub async fn revoke(db: &Db, mall_id: &MallId, id: &str, by: &str, now: i64) -> AppResult<bool> {
    let r = db
        .run(
            sql::query(
                "UPDATE devices SET revoked_at = $3, revoked_by = $4, enrol_code_hash = NULL, enrol_until = NULL
         WHERE mall_id = $1 AND id = $2 AND revoked_at IS NULL",
            )
            .bind(mall_id)
            .bind(id)
            .bind(now)
            .bind(by),
        )
        .await?;
    Ok(r == 1)
}
