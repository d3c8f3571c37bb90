//! API tokens for integrators: `Authorization: Bearer <token>`. Created by a
//! logged-in user (or `mpp token`), shown once, stored as a hash.

use super::session::CurrentUser;
use crate::db::sql::{self, Conn, from_row};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::http::{HeaderMap, header};

pub const LIFETIME_MS: i64 = 90 * 24 * 3600 * 1000;

pub async fn create(state: &AppState, user_id: &str, name: &str) -> AppResult<String> {
    let token = format!("mpp_{}", super::random_token());
    let now = state.clock.now_ms();
    state.db.run(sql::query(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at, id) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(super::token_hash(&token))
    .bind(user_id)
    .bind(name)
    .bind(now)
    .bind(now + LIFETIME_MS)
    .bind(crate::db::new_id(now))
    )
    .await?;
    Ok(token)
}

/// One of a user's tokens, as the account page lists it.
#[derive(Debug)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub last_used_at: Option<i64>,
}

from_row!(Listed { id, name, created_at, expires_at, last_used_at });

/// The user's tokens still valid, newest first.
pub async fn of_user(state: &AppState, user_id: &str) -> AppResult<Vec<Listed>> {
    sql::query(
        "SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens
         WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
    )
    .bind(user_id)
    .bind(state.clock.now_ms())
    .fetch_all(&mut Conn::Read(&state.db))
    .await
}

/// Revokes one of the user's tokens at once (in this process; other
/// processes stop accepting it within their few seconds of cache).
pub async fn revoke(state: &AppState, user_id: &str, id: &str) -> AppResult<bool> {
    let n = state
        .db
        .run(sql::query("DELETE FROM api_tokens WHERE user_id = $1 AND id = $2").bind(user_id).bind(id))
        .await?;
    state.db.cache.clear();
    Ok(n == 1)
}

/// The user behind the bearer token; a missing or bad token is 401.
pub async fn bearer_user(state: &AppState, headers: &HeaderMap) -> AppResult<CurrentUser> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(AppError::Unauthorized)?;
    // One query: the token's owner and whether they supervise the
    // deployment; cached for a few seconds, as integrations call often.
    let hash = super::token_hash(token.trim());
    let now = state.clock.now_ms();
    let row: Option<(String, String, String, i64)> = state
        .db
        .cache
        .get_or(format!("token:{hash}"), || async {
            let row: Option<(String, String, String, i64)> = sql::query(
                "SELECT u.id, u.email, u.name,
                 (SELECT COUNT(*) FROM deployment_roles r WHERE r.user_id = u.id AND r.role = 'national_supervisor')
                 FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.token_hash = $1 AND t.expires_at > $2",
            )
            .bind(&hash)
            .bind(now)
            .fetch_optional(&mut Conn::Read(&state.db))
            .await?;
            // A real token looked up afresh (at most every few seconds): note
            // the use. A wrong one writes nothing.
            if row.is_some() {
                state
                    .db
                    .run(
                        sql::query("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1")
                            .bind(&hash)
                            .bind(now),
                    )
                    .await?;
            }
            Ok::<_, AppError>(row)
        })
        .await?;
    let (id, email, name, supervising) = row.ok_or(AppError::Unauthorized)?;
    let is_supervisor = supervising > 0;
    Ok(CurrentUser { id, email, name, is_supervisor, has_work: is_supervisor })
}
