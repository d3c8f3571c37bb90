//! The SQL of the exchange: the agencies' registered systems, and the log
//! of every request answered with both signatures.

use crate::crud::WriteCtx;
use crate::db::Db;
use crate::db::sql::{self, Conn, from_row};
use crate::error::{AppError, AppResult};
use mpp_domain::exchange::ClientInput;
use mpp_domain::tenancy::MallId;

/// A registered system, with its agency's code.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Client {
    /// The system's key id (`kid` in its requests).
    pub id: String,
    /// The agency's code.
    pub agency: String,
    #[serde(skip)]
    pub agency_id: String,
    pub name: String,
    pub public_key: String,
    pub legal_basis: String,
    pub active: bool,
    pub updated_at: i64,
}

from_row!(Client { id, agency, agency_id, name, public_key, legal_basis, active, updated_at });

const CLIENT: &str = "SELECT c.id, g.code AS agency, c.agency_id, c.name, c.public_key, c.legal_basis, c.active,
     c.updated_at FROM exchange_clients c JOIN agencies g ON g.mall_id = c.mall_id AND g.id = c.agency_id
     WHERE c.mall_id = $1 AND ($2 = '' OR c.id = $2)";

pub async fn list(conn: &mut Conn<'_>, mall_id: &MallId, id: Option<&str>) -> AppResult<Vec<Client>> {
    sql::query(format!("{CLIENT} ORDER BY g.code, c.name")).bind(mall_id).bind(id.unwrap_or("")).fetch_all(conn).await
}

pub async fn by_id(db: &Db, mall_id: &MallId, id: &str) -> AppResult<Option<Client>> {
    if id.is_empty() {
        return Ok(None);
    }
    Ok(list(&mut Conn::Read(db), mall_id, Some(id)).await?.pop())
}

/// Writes a system (new, or over `existing`); the input was checked.
pub async fn write(conn: &mut Conn<'_>, w: &WriteCtx, v: &ClientInput, existing: Option<&Client>) -> AppResult<Client> {
    let agency = crate::catalog::store::agency_in_tx(conn, &w.mall_id, &v.agency).await?;
    let id = existing.map(|c| c.id.clone()).unwrap_or_else(|| crate::db::new_id(w.now));
    let sql = if existing.is_some() {
        "UPDATE exchange_clients SET agency_id = $3, name = $4, public_key = $5, legal_basis = $6, active = $7,
         updated_at = $8 WHERE mall_id = $1 AND id = $2"
    } else {
        "INSERT INTO exchange_clients (mall_id, id, agency_id, name, public_key, legal_basis, active, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    };
    sql::query(sql)
        .bind(&w.mall_id)
        .bind(&id)
        .bind(&agency.id)
        .bind(v.name.trim())
        .bind(v.public_key.trim())
        .bind(v.legal_basis.trim())
        .bind(i64::from(v.active))
        .bind(w.now)
        .execute(conn)
        .await
        .map_err(crate::crud::taken("public_key", "exchange.key_taken"))?;
    list(conn, &w.mall_id, Some(&id)).await?.pop().ok_or(AppError::NotFound)
}

/// Deletes a system that never exchanged anything (one that did stays, as
/// its log names it: turn it off instead).
pub async fn remove(conn: &mut Conn<'_>, mall_id: &MallId, c: &Client) -> AppResult<()> {
    sql::query("DELETE FROM exchange_clients WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(&c.id)
        .execute(conn)
        .await
        .map_err(crate::crud::in_use)?;
    Ok(())
}

/// One answered request, as the log keeps it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub mall_id: MallId,
    pub id: String,
    pub client_id: String,
    pub jti: String,
    pub at: i64,
    pub subject_id: String,
    pub wants: String,
    pub basis: String,
    pub basis_ref: String,
    pub status: i64,
    pub request_sha256: String,
    pub request_signature: String,
    pub response_sha256: String,
    pub response_signature: String,
}

from_row!(Logged {
    mall_id,
    id,
    client_id,
    jti,
    at,
    subject_id,
    wants,
    basis,
    basis_ref,
    status,
    request_sha256,
    request_signature,
    response_sha256,
    response_signature
});

const LOGGED: &str = "mall_id, id, client_id, jti, at, subject_id, wants, basis, basis_ref, status, request_sha256,
     request_signature, response_sha256, response_signature";

/// Logs a request as it arrives; a `jti` the system used before is
/// refused (`Conflict`).
pub async fn insert(conn: &mut Conn<'_>, e: &Logged) -> AppResult<()> {
    sql::query(format!(
        "INSERT INTO exchanges ({LOGGED}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    ))
    .bind(&e.mall_id)
    .bind(&e.id)
    .bind(&e.client_id)
    .bind(&e.jti)
    .bind(e.at)
    .bind(&e.subject_id)
    .bind(&e.wants)
    .bind(&e.basis)
    .bind(&e.basis_ref)
    .bind(e.status)
    .bind(&e.request_sha256)
    .bind(&e.request_signature)
    .bind(&e.response_sha256)
    .bind(&e.response_signature)
    .execute(conn)
    .await
    .map_err(|e| match crate::db::violation(&e) {
        Some(crate::db::Violation::Unique) => AppError::Conflict("exchange.replayed"),
        _ => e,
    })?;
    Ok(())
}

/// Completes a request's log row with its answer.
pub async fn finish(conn: &mut Conn<'_>, e: &Logged) -> AppResult<()> {
    sql::query(
        "UPDATE exchanges SET subject_id = $3, wants = $4, basis = $5, basis_ref = $6, status = $7,
         response_sha256 = $8, response_signature = $9 WHERE mall_id = $1 AND id = $2",
    )
    .bind(&e.mall_id)
    .bind(&e.id)
    .bind(&e.subject_id)
    .bind(&e.wants)
    .bind(&e.basis)
    .bind(&e.basis_ref)
    .bind(e.status)
    .bind(&e.response_sha256)
    .bind(&e.response_signature)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether the agency works on an application of the citizen in this mall
/// (a step of its): whom a system's legal basis reaches.
pub async fn serves(db: &Db, mall_id: &MallId, agency_id: &str, subject_id: &str) -> AppResult<bool> {
    let n: i64 = sql::query(
        "SELECT COUNT(*) FROM applications a WHERE a.mall_id = $1 AND a.applicant_id = $2 AND EXISTS
         (SELECT 1 FROM application_steps s WHERE s.mall_id = a.mall_id AND s.application_id = a.id AND s.agency_id = $3)",
    )
    .bind(mall_id)
    .bind(subject_id)
    .bind(agency_id)
    .fetch_one(&mut Conn::Read(db))
    .await?;
    Ok(n > 0)
}

/// A mall's exchanges, newest first (the back office's log).
pub async fn log(db: &Db, mall_id: &MallId, limit: i64) -> AppResult<Vec<Logged>> {
    sql::query(format!("SELECT {LOGGED} FROM exchanges WHERE mall_id = $1 ORDER BY at DESC, id DESC LIMIT $2"))
        .bind(mall_id)
        .bind(limit)
        .fetch_all(&mut Conn::Read(db))
        .await
}
