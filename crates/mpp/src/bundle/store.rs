//! The SQL of bundles: their definitions (with their services in order)
//! and their filings (with the applications each started).

use crate::crud::WriteCtx;
use crate::db::Db;
use crate::db::sql::{self, Conn, from_row};
use crate::error::{AppError, AppResult};
use mpp_domain::bundle::BundleInput;
use mpp_domain::tenancy::MallId;

/// A bundle with its services' codes, in the order the citizen sees them.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Bundle {
    pub id: String,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub description_id: String,
    pub description_en: String,
    pub services: Vec<String>,
    pub active: bool,
    pub updated_at: i64,
}

struct Head {
    id: String,
    code: String,
    name_id: String,
    name_en: String,
    description_id: String,
    description_en: String,
    active: bool,
    updated_at: i64,
}

from_row!(Head { id, code, name_id, name_en, description_id, description_en, active, updated_at });

/// The mall's bundles (one, with `code`), by code.
pub async fn list(conn: &mut Conn<'_>, mall_id: &MallId, code: Option<&str>) -> AppResult<Vec<Bundle>> {
    let heads: Vec<Head> = sql::query(
        "SELECT id, code, name_id, name_en, description_id, description_en, active, updated_at FROM bundles
         WHERE mall_id = $1 AND ($2 = '' OR code = $2) ORDER BY code",
    )
    .bind(mall_id)
    .bind(code.unwrap_or(""))
    .fetch_all(&mut *conn)
    .await?;
    let links: Vec<(String, String)> = sql::query(
        "SELECT bs.bundle_id, s.code FROM bundle_services bs
         JOIN services s ON s.mall_id = bs.mall_id AND s.id = bs.service_id
         WHERE bs.mall_id = $1 ORDER BY bs.bundle_id, bs.position",
    )
    .bind(mall_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(heads
        .into_iter()
        .map(|h| Bundle {
            services: links.iter().filter(|(id, _)| *id == h.id).map(|(_, code)| code.clone()).collect(),
            id: h.id,
            code: h.code,
            name_id: h.name_id,
            name_en: h.name_en,
            description_id: h.description_id,
            description_en: h.description_en,
            active: h.active,
            updated_at: h.updated_at,
        })
        .collect())
}

pub async fn by_code(db: &Db, mall_id: &MallId, code: &str) -> AppResult<Option<Bundle>> {
    Ok(list(&mut Conn::Read(db), mall_id, Some(&code.trim().to_ascii_uppercase())).await?.pop())
}

/// Writes a bundle (new, or over `existing`) and its services in order;
/// the input was checked (`BundleInput::validate`).
pub async fn write(conn: &mut Conn<'_>, w: &WriteCtx, v: &BundleInput, existing: Option<&Bundle>) -> AppResult<Bundle> {
    let id = existing.map(|b| b.id.clone()).unwrap_or_else(|| crate::db::new_id(w.now));
    let sql = if existing.is_some() {
        "UPDATE bundles SET code = $3, name_id = $4, name_en = $5, description_id = $6, description_en = $7,
         active = $8, updated_at = $9 WHERE mall_id = $1 AND id = $2"
    } else {
        "INSERT INTO bundles (mall_id, id, code, name_id, name_en, description_id, description_en, active, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    };
    let code = v.code.trim().to_ascii_uppercase();
    sql::query(sql)
        .bind(&w.mall_id)
        .bind(&id)
        .bind(&code)
        .bind(v.name_id.trim())
        .bind(v.name_en.trim())
        .bind(v.description_id.trim())
        .bind(v.description_en.trim())
        .bind(i64::from(v.active))
        .bind(w.now)
        .execute(conn)
        .await
        .map_err(crate::crud::taken("code", "bundle.code_taken"))?;
    sql::query("DELETE FROM bundle_services WHERE mall_id = $1 AND bundle_id = $2")
        .bind(&w.mall_id)
        .bind(&id)
        .execute(conn)
        .await?;
    for (position, service) in v.services.iter().enumerate() {
        let added = sql::query(
            "INSERT INTO bundle_services (mall_id, bundle_id, position, service_id)
             SELECT mall_id, $2, $3, id FROM services WHERE mall_id = $1 AND code = $4",
        )
        .bind(&w.mall_id)
        .bind(&id)
        .bind(position as i64)
        .bind(service.trim().to_ascii_uppercase())
        .execute(conn)
        .await?;
        // Checked before, but a service may have gone since: never save a
        // bundle short of one.
        if added != 1 {
            return Err(AppError::invalid("services", "bundle.unknown_service"));
        }
    }
    list(conn, &w.mall_id, Some(&code)).await?.pop().ok_or(AppError::NotFound)
}

/// Deletes a bundle that was never filed (a filed one is kept: its filings
/// name it; an admin turns it off instead).
pub async fn remove(conn: &mut Conn<'_>, mall_id: &MallId, b: &Bundle) -> AppResult<()> {
    sql::query("DELETE FROM bundle_services WHERE mall_id = $1 AND bundle_id = $2")
        .bind(mall_id)
        .bind(&b.id)
        .execute(conn)
        .await?;
    sql::query("DELETE FROM bundles WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(&b.id)
        .execute(conn)
        .await
        .map_err(crate::crud::in_use)?;
    Ok(())
}

/// One filing of a bundle.
#[derive(Debug, Clone)]
pub struct Filing {
    pub id: String,
    pub bundle_id: String,
    pub applicant_id: String,
    pub filed_at: i64,
}

from_row!(Filing { id, bundle_id, applicant_id, filed_at });

/// Records a filing and the applications it started, in its transaction.
pub async fn insert_filing(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    f: &Filing,
    application_ids: &[String],
) -> AppResult<()> {
    sql::query(
        "INSERT INTO bundle_filings (mall_id, id, bundle_id, applicant_id, filed_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(mall_id)
    .bind(&f.id)
    .bind(&f.bundle_id)
    .bind(&f.applicant_id)
    .bind(f.filed_at)
    .execute(conn)
    .await?;
    for (position, application_id) in application_ids.iter().enumerate() {
        sql::query(
            "INSERT INTO bundle_filing_applications (mall_id, filing_id, position, application_id)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(mall_id)
        .bind(&f.id)
        .bind(position as i64)
        .bind(application_id)
        .execute(conn)
        .await?;
    }
    Ok(())
}

pub async fn filing(db: &Db, mall_id: &MallId, id: &str) -> AppResult<Option<Filing>> {
    sql::query("SELECT id, bundle_id, applicant_id, filed_at FROM bundle_filings WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(id)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// A citizen's filings in a mall, newest first.
pub async fn filings_of(db: &Db, mall_id: &MallId, applicant_id: &str) -> AppResult<Vec<Filing>> {
    sql::query(
        "SELECT id, bundle_id, applicant_id, filed_at FROM bundle_filings
         WHERE mall_id = $1 AND applicant_id = $2 ORDER BY filed_at DESC, id DESC",
    )
    .bind(mall_id)
    .bind(applicant_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// The numbers of the applications a filing started, in the bundle's order.
pub async fn numbers_of(db: &Db, mall_id: &MallId, filing_id: &str) -> AppResult<Vec<String>> {
    let rows: Vec<(String,)> = sql::query(
        "SELECT a.number FROM bundle_filing_applications fa
         JOIN applications a ON a.mall_id = fa.mall_id AND a.id = fa.application_id
         WHERE fa.mall_id = $1 AND fa.filing_id = $2 ORDER BY fa.position",
    )
    .bind(mall_id)
    .bind(filing_id)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// The bundle a filing was of, by id (it may have been turned off since).
pub async fn by_id(db: &Db, mall_id: &MallId, id: &str) -> AppResult<Option<Bundle>> {
    let code: Option<(String,)> = sql::query("SELECT code FROM bundles WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(id)
        .fetch_optional(&mut Conn::Read(db))
        .await?;
    match code {
        Some((code,)) => by_code(db, mall_id, &code).await,
        None => Ok(None),
    }
}
