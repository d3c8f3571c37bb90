//! The SQL of consents: granted and withdrawn, never deleted.

use crate::db::Db;
use crate::db::sql::{self, Conn, from_row};
use crate::error::AppResult;
use mpp_domain::tenancy::MallId;

#[derive(Debug, Clone)]
pub struct Consent {
    pub mall_id: MallId,
    pub id: String,
    pub subject_id: String,
    pub agency_id: String,
    pub purpose: String,
    pub purpose_ref: String,
    pub granted_at: i64,
    pub until_day: String,
    pub withdrawn_at: Option<i64>,
}

from_row!(Consent { mall_id, id, subject_id, agency_id, purpose, purpose_ref, granted_at, until_day, withdrawn_at });

const CONSENT: &str = "mall_id, id, subject_id, agency_id, purpose, purpose_ref, granted_at, until_day, withdrawn_at";

pub async fn insert(conn: &mut Conn<'_>, c: &Consent) -> AppResult<()> {
    sql::query(format!("INSERT INTO consents ({CONSENT}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"))
        .bind(&c.mall_id)
        .bind(&c.id)
        .bind(&c.subject_id)
        .bind(&c.agency_id)
        .bind(&c.purpose)
        .bind(&c.purpose_ref)
        .bind(c.granted_at)
        .bind(&c.until_day)
        .bind(c.withdrawn_at)
        .execute(conn)
        .await?;
    Ok(())
}

/// A citizen's consents, newest first.
pub async fn of_subject(db: &Db, subject_id: &str) -> AppResult<Vec<Consent>> {
    sql::query(format!("SELECT {CONSENT} FROM consents WHERE subject_id = $1 ORDER BY granted_at DESC, id DESC"))
        .bind(subject_id)
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// The consents given for one purpose in a mall (every agency's).
pub async fn for_purpose(db: &Db, mall_id: &MallId, purpose: &str, purpose_ref: &str) -> AppResult<Vec<Consent>> {
    sql::query(format!("SELECT {CONSENT} FROM consents WHERE mall_id = $1 AND purpose = $2 AND purpose_ref = $3"))
        .bind(mall_id)
        .bind(purpose)
        .bind(purpose_ref)
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// Withdraws one of the citizen's consents; false if it is not theirs or
/// was withdrawn already.
pub async fn withdraw(db: &Db, subject_id: &str, id: &str, now: i64) -> AppResult<bool> {
    let rows = db
        .run(
            sql::query(
                "UPDATE consents SET withdrawn_at = $3 WHERE subject_id = $1 AND id = $2 AND withdrawn_at IS NULL",
            )
            .bind(subject_id)
            .bind(id)
            .bind(now),
        )
        .await?;
    Ok(rows > 0)
}
