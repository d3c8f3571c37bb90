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
    super::store::insert_token(&state.db, &super::token_hash(&token), user_id, name, now, now + LIFETIME_MS).await?;
    Ok(token)
}

pub use super::store::Listed;

/// The user's tokens still valid, newest first.
pub async fn of_user(state: &AppState, user_id: &str) -> AppResult<Vec<Listed>> {
    super::store::tokens_of(&state.db, user_id, state.clock.now_ms()).await
}

/// Revokes one of the user's tokens at once (in this process; other
/// processes stop accepting it within their few seconds of cache).
pub async fn revoke(state: &AppState, user_id: &str, id: &str) -> AppResult<bool> {
    let n = super::store::delete_token(&state.db, user_id, id).await?;
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
            let row = super::store::token_user(&state.db, &hash, now).await?;
            // A real token looked up afresh (at most every few seconds): note
            // the use. A wrong one writes nothing.
            if row.is_some() {
                super::store::note_token_use(&state.db, &hash, now).await?;
            }
            Ok::<_, AppError>(row)
        })
        .await?;
    let (id, email, name, supervising) = row.ok_or(AppError::Unauthorized)?;
    let is_supervisor = supervising > 0;
    Ok(CurrentUser { id, email, name, is_supervisor, has_work: is_supervisor })
}
