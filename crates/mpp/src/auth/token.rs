//! API tokens for integrators: `Authorization: Bearer <token>`. Created by a
//! logged-in user (or `mpp token`), shown once, stored as a hash.

use super::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use axum::http::{HeaderMap, header};

pub const LIFETIME_MS: i64 = 90 * 24 * 3600 * 1000;

pub async fn create(state: &AppState, user_id: &str, name: &str) -> AppResult<String> {
    let token = format!("mpp_{}", super::random_token());
    let now = state.clock.now_ms();
    sqlx::query(
        "INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(super::token_hash(&token))
    .bind(user_id)
    .bind(name)
    .bind(now)
    .bind(now + LIFETIME_MS)
    .execute(&state.db.write)
    .await?;
    Ok(token)
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
            sqlx::query_as(
                "SELECT u.id, u.email, u.name,
                 (SELECT COUNT(*) FROM deployment_roles r WHERE r.user_id = u.id AND r.role = 'national_supervisor')
                 FROM api_tokens t JOIN users u ON u.id = t.user_id
                 WHERE t.token_hash = $1 AND t.expires_at > $2",
            )
            .bind(&hash)
            .bind(now)
            .fetch_optional(&state.db.read)
            .await
        })
        .await?;
    let (id, email, name, supervising) = row.ok_or(AppError::Unauthorized)?;
    let is_supervisor = supervising > 0;
    Ok(CurrentUser { id, email, name, is_supervisor, has_work: is_supervisor })
}
