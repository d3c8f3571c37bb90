//! Cookie sessions. The cookie holds a random token; the database holds its
//! hash, the user and the expiry. Logging out deletes the row.

use crate::db::sql::{self, Conn};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::cookie;
use axum::http::HeaderMap;

pub const COOKIE: &str = "mpp_session";
pub const LIFETIME_MS: i64 = 12 * 3600 * 1000;

#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub name: String,
    pub is_supervisor: bool,
    /// Holds any role in any mall, or supervises: the pages link to their work.
    pub has_work: bool,
}

/// Starts a session; returns the token to put in the cookie.
pub async fn create(state: &AppState, user_id: &str) -> AppResult<String> {
    let token = super::random_token();
    let now = state.clock.now_ms();
    state
        .db
        .run(
            sql::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
                .bind(super::token_hash(&token))
                .bind(user_id)
                .bind(now)
                .bind(now + LIFETIME_MS),
        )
        .await?;
    Ok(token)
}

pub async fn destroy(state: &AppState, headers: &HeaderMap) -> AppResult<()> {
    if let Some(token) = cookie(headers, COOKIE) {
        state.db.run(sql::query("DELETE FROM sessions WHERE token_hash = $1").bind(super::token_hash(token))).await?;
    }
    Ok(())
}

/// Deletes sessions past their expiry (they no longer let anyone in, but
/// would pile up for ever).
pub async fn purge_expired(db: &crate::db::Db, now: i64) -> AppResult<u64> {
    let r = db.run(sql::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now)).await?;
    Ok(r)
}

/// The logged-in user of this request, if any.
pub async fn current_user(state: &AppState, headers: &HeaderMap) -> AppResult<Option<CurrentUser>> {
    let Some(token) = cookie(headers, COOKIE) else { return Ok(None) };
    // One query: the user, whether they supervise the deployment, whether
    // they work in any mall (the navigation's "my work").
    let row: Option<(String, String, String, i64, i64)> = sql::query(
        "SELECT u.id, u.email, u.name,
         (SELECT COUNT(*) FROM deployment_roles r WHERE r.user_id = u.id AND r.role = 'national_supervisor'),
         (SELECT COUNT(*) FROM mall_roles r WHERE r.user_id = u.id)
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(super::token_hash(token))
    .bind(state.clock.now_ms())
    .fetch_optional(&mut Conn::Read(&state.db))
    .await?;
    Ok(row.map(|(id, email, name, supervising, roles)| CurrentUser {
        id,
        email,
        name,
        is_supervisor: supervising > 0,
        has_work: supervising + roles > 0,
    }))
}
