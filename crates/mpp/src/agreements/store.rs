//! The SQL of partnership agreements.

use crate::db::sql::{self, Conn, from_row};
use crate::error::AppResult;
use mpp_domain::catalog::AgreementInput;
use mpp_domain::tenancy::MallId;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Agreement {
    pub id: String,
    pub agency_id: String,
    /// The agency's code, as a write takes it.
    pub agency: String,
    pub kind: String,
    pub number: String,
    pub title_id: String,
    pub title_en: String,
    pub signed_on: String,
    pub valid_from: String,
    pub valid_until: String,
    pub file_name: String,
    pub file_type: String,
    pub file_size: i64,
    pub file_sha256: String,
}

from_row!(Agreement {
    id,
    agency_id,
    agency,
    kind,
    number,
    title_id,
    title_en,
    signed_on,
    valid_from,
    valid_until,
    file_name,
    file_type,
    file_size,
    file_sha256
});

/// The signed document's details, as stored beside the agreement.
#[derive(Debug, Clone, Default)]
pub struct StoredFile {
    pub name: String,
    pub kind: String,
    pub size: i64,
    pub sha256: String,
}

const COLS: &str = "id, agency_id,
    (SELECT a.code FROM agencies a WHERE a.mall_id = agreements.mall_id AND a.id = agreements.agency_id) AS agency, kind, number, title_id, title_en, signed_on, valid_from, valid_until, file_name,
    file_type, file_size, file_sha256";

pub async fn list(db: &crate::db::Db, mall_id: &MallId) -> AppResult<Vec<Agreement>> {
    sql::query(format!("SELECT {COLS} FROM agreements WHERE mall_id = $1 ORDER BY valid_until"))
        .bind(mall_id)
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// Writes an agreement (over the one with `id` when `replacing`); a taken
/// number is a field error.
pub async fn save(
    conn: &mut Conn<'_>,
    w: &crate::crud::WriteCtx,
    id: &str,
    agency_id: &str,
    v: &AgreementInput,
    f: &StoredFile,
    replacing: bool,
) -> AppResult<Agreement> {
    let sql = if replacing {
        "UPDATE agreements SET agency_id = $3, kind = $4, number = $5, title_id = $6, title_en = $7, signed_on = $8,
         valid_from = $9, valid_until = $10, file_name = $11, file_type = $12, file_size = $13, file_sha256 = $14,
         updated_at = $15 WHERE mall_id = $1 AND id = $2"
    } else {
        "INSERT INTO agreements (mall_id, id, agency_id, kind, number, title_id, title_en, signed_on, valid_from,
         valid_until, file_name, file_type, file_size, file_sha256, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    };
    sql::query(sql)
        .bind(&w.mall_id)
        .bind(id)
        .bind(agency_id)
        .bind(&v.kind)
        .bind(v.number.trim())
        .bind(v.title_id.trim())
        .bind(v.title_en.trim())
        .bind(&v.signed_on)
        .bind(&v.valid_from)
        .bind(&v.valid_until)
        .bind(&f.name)
        .bind(&f.kind)
        .bind(f.size)
        .bind(&f.sha256)
        .bind(w.now)
        .execute(conn)
        .await
        .map_err(crate::crud::taken("number", "agreement.number_taken"))?;
    sql::query(format!("SELECT {COLS} FROM agreements WHERE mall_id = $1 AND id = $2"))
        .bind(&w.mall_id)
        .bind(id)
        .fetch_one(conn)
        .await
}

pub async fn delete(conn: &mut Conn<'_>, mall_id: &MallId, id: &str) -> AppResult<()> {
    sql::query("DELETE FROM agreements WHERE mall_id = $1 AND id = $2").bind(mall_id).bind(id).execute(conn).await?;
    Ok(())
}
