//! Cookie sessions. The cookie holds a random token; the database holds its
//! hash, the user and the expiry. Logging out deletes the row.

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
    super::store::insert_session(&state.db, &super::token_hash(&token), user_id, now, now + LIFETIME_MS).await?;
    Ok(token)
}

pub async fn destroy(state: &AppState, headers: &HeaderMap) -> AppResult<()> {
    if let Some(token) = cookie(headers, COOKIE) {
        super::store::delete_session(&state.db, &super::token_hash(token)).await?;
    }
    Ok(())
}

/// Deletes sessions past their expiry (they no longer let anyone in, but
/// would pile up for ever).
pub async fn purge_expired(db: &crate::db::Db, now: i64) -> AppResult<u64> {
    super::store::purge_sessions(db, now).await
}

/// The logged-in user of this request, if any.
pub async fn current_user(state: &AppState, headers: &HeaderMap) -> AppResult<Option<CurrentUser>> {
    let Some(token) = cookie(headers, COOKIE) else { return Ok(None) };
    // One query: the user, whether they supervise the deployment, whether
    // they work in any mall (the navigation's "my work").
    let row = super::store::session_user(&state.db, &super::token_hash(token), state.clock.now_ms()).await?;
    Ok(row.map(|(id, email, name, supervising, roles)| CurrentUser {
        id,
        email,
        name,
        is_supervisor: supervising > 0,
        has_work: supervising + roles > 0,
    }))
}
