//! Users and their grants: the SQL of the auth feature.

use crate::db::sql::{self, Conn, from_row};
use crate::db::{Db, Violation, new_id};
use crate::error::{AppError, AppResult};
use mpp_domain::auth::{Access, Grant, Role};
use mpp_domain::tenancy::MallId;

pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
}

/// Creates an account; a taken e-mail address is a field error, not a crash.
pub async fn create_user(db: &Db, email: &str, name: &str, password_hash: &str, now: i64) -> AppResult<String> {
    let id = new_id(now);
    let res = db
        .run(
            sql::query("INSERT INTO users (id, email, name, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(&id)
                .bind(email.trim().to_lowercase())
                .bind(name.trim())
                .bind(password_hash)
                .bind(now),
        )
        .await;
    match res {
        Ok(_) => Ok(id),
        Err(e) if crate::db::violation(&e) == Some(Violation::Unique) => {
            Err(AppError::invalid("email", "auth.email_taken"))
        }
        Err(e) => Err(e),
    }
}

pub async fn find_by_email(db: &Db, email: &str) -> AppResult<Option<UserRow>> {
    let row: Option<(String, String, String, String)> =
        sql::query("SELECT id, email, name, password_hash FROM users WHERE email = $1")
            .bind(email.trim().to_lowercase())
            .fetch_optional(&mut Conn::Read(db))
            .await?;
    Ok(row.map(|(id, email, name, password_hash)| UserRow { id, email, name, password_hash }))
}

/// A user's email address (where messages about their applications go).
pub async fn email_of(db: &Db, user_id: &str) -> AppResult<Option<String>> {
    sql::query("SELECT email FROM users WHERE id = $1").bind(user_id).fetch_optional(&mut Conn::Read(db)).await
}

pub async fn is_supervisor(db: &Db, user_id: &str) -> AppResult<bool> {
    let n: i64 = sql::query("SELECT COUNT(*) FROM deployment_roles WHERE user_id = $1 AND role = $2")
        .bind(user_id)
        .bind(Role::NationalSupervisor.as_str())
        .fetch_one(&mut Conn::Read(db))
        .await?;
    Ok(n > 0)
}

/// What this user may do in this mall. Cached for a few seconds (every
/// request asks); granting a role here clears the cache.
pub async fn access(db: &Db, user_id: &str, mall_id: &MallId) -> AppResult<Access> {
    db.cache.get_or(format!("access:{user_id}:{mall_id}"), || load_access(db, user_id, mall_id)).await
}

async fn load_access(db: &Db, user_id: &str, mall_id: &MallId) -> AppResult<Access> {
    let rows: Vec<(String, String)> =
        sql::query("SELECT role, agency_id FROM mall_roles WHERE mall_id = $1 AND user_id = $2")
            .bind(mall_id)
            .bind(user_id)
            .fetch_all(&mut Conn::Read(db))
            .await?;
    let mut grants: Vec<Grant> = rows
        .into_iter()
        .filter_map(|(role, agency)| {
            Some(Grant { role: Role::parse(&role)?, agency_id: (!agency.is_empty()).then_some(agency) })
        })
        .collect();
    if is_supervisor(db, user_id).await? {
        grants.push(Grant { role: Role::NationalSupervisor, agency_id: None });
    }
    let counters = sql::query("SELECT counter_id FROM staff_counters WHERE mall_id = $1 AND user_id = $2")
        .bind(mall_id)
        .bind(user_id)
        .fetch_all(&mut Conn::Read(db))
        .await?;
    Ok(Access { grants, counters })
}

/// A grant made outside the staff page (the command line, the demo).
pub async fn grant_mall_role(
    db: &Db,
    mall_id: &MallId,
    user_id: &str,
    role: Role,
    agency_id: Option<&str>,
) -> AppResult<()> {
    let (mall_id, user_id, agency_id) = (mall_id.to_owned(), user_id.to_owned(), agency_id.unwrap_or("").to_owned());
    db.transact(move |conn| {
        Box::pin(async move { crate::staff::store::grant(conn, &mall_id, &user_id, role, &agency_id).await })
    })
    .await?;
    db.cache.clear();
    Ok(())
}

pub async fn grant_supervisor(db: &Db, user_id: &str) -> AppResult<()> {
    db.run(
        sql::query(
            "INSERT INTO deployment_roles (user_id, role) VALUES ($1, $2) ON CONFLICT (user_id, role) DO NOTHING",
        )
        .bind(user_id)
        .bind(Role::NationalSupervisor.as_str()),
    )
    .await?;
    db.cache.clear();
    Ok(())
}

/// The malls where this user holds any role, as (slug, name, role).
pub async fn roles_of(db: &Db, user_id: &str) -> AppResult<Vec<(String, String, String)>> {
    sql::query(
        "SELECT m.slug, m.name, r.role FROM mall_roles r JOIN malls m ON m.id = r.mall_id
         WHERE r.user_id = $1 ORDER BY m.name, r.role",
    )
    .bind(user_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

pub async fn insert_session(db: &Db, token_hash: &str, user_id: &str, now: i64, expires_at: i64) -> AppResult<()> {
    db.run(
        sql::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at),
    )
    .await?;
    Ok(())
}

pub async fn delete_session(db: &Db, token_hash: &str) -> AppResult<()> {
    db.run(sql::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash)).await?;
    Ok(())
}

/// Deletes sessions past their expiry; how many.
pub async fn purge_sessions(db: &Db, now: i64) -> AppResult<u64> {
    db.run(sql::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now)).await
}

/// A live session's user in one query: id, email, name, whether they
/// supervise the deployment, how many mall roles they hold.
pub async fn session_user(
    db: &Db,
    token_hash: &str,
    now: i64,
) -> AppResult<Option<(String, String, String, i64, i64)>> {
    sql::query(
        "SELECT u.id, u.email, u.name,
         (SELECT COUNT(*) FROM deployment_roles r WHERE r.user_id = u.id AND r.role = 'national_supervisor'),
         (SELECT COUNT(*) FROM mall_roles r WHERE r.user_id = u.id)
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut Conn::Read(db))
    .await
}

pub async fn insert_token(
    db: &Db,
    token_hash: &str,
    user_id: &str,
    name: &str,
    now: i64,
    expires_at: i64,
) -> AppResult<()> {
    db.run(
        sql::query(
            "INSERT INTO api_tokens (token_hash, user_id, name, created_at, expires_at, id) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(name)
        .bind(now)
        .bind(expires_at)
        .bind(new_id(now)),
    )
    .await?;
    Ok(())
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
pub async fn tokens_of(db: &Db, user_id: &str, now: i64) -> AppResult<Vec<Listed>> {
    sql::query(
        "SELECT id, name, created_at, expires_at, last_used_at FROM api_tokens
         WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
    )
    .bind(user_id)
    .bind(now)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Deletes one of the user's tokens; how many (0 or 1).
pub async fn delete_token(db: &Db, user_id: &str, id: &str) -> AppResult<u64> {
    db.run(sql::query("DELETE FROM api_tokens WHERE user_id = $1 AND id = $2").bind(user_id).bind(id)).await
}

/// A live token's user: id, email, name, whether they supervise the deployment.
pub async fn token_user(db: &Db, token_hash: &str, now: i64) -> AppResult<Option<(String, String, String, i64)>> {
    sql::query(
        "SELECT u.id, u.email, u.name,
         (SELECT COUNT(*) FROM deployment_roles r WHERE r.user_id = u.id AND r.role = 'national_supervisor')
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = $1 AND t.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut Conn::Read(db))
    .await
}

pub async fn note_token_use(db: &Db, token_hash: &str, now: i64) -> AppResult<()> {
    db.run(sql::query("UPDATE api_tokens SET last_used_at = $2 WHERE token_hash = $1").bind(token_hash).bind(now))
        .await?;
    Ok(())
}

pub async fn insert_reset(db: &Db, token_hash: &str, user_id: &str, now: i64, expires_at: i64) -> AppResult<()> {
    db.run(
        sql::query("INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at),
    )
    .await?;
    Ok(())
}

/// The account a live (unused, unexpired) password link is for.
pub async fn reset_user(db: &Db, token_hash: &str, now: i64) -> AppResult<Option<String>> {
    sql::query("SELECT user_id FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// Spends a password link (once: a second use loses the race, and is a
/// conflict) and every other of the account, ends its sessions, sets the
/// new password and records it, in one transaction.
pub async fn spend_reset(
    db: &Db,
    token_hash: &str,
    user_id: &str,
    password_hash: String,
    entry: crate::audit::Entry,
    now: i64,
) -> AppResult<()> {
    let (token_hash, user_id) = (token_hash.to_owned(), user_id.to_owned());
    db.transact(move |conn| {
        Box::pin(async move {
            let spent = sql::query(
                "UPDATE password_resets SET used_at = $2
                 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .execute(conn)
            .await?;
            if spent != 1 {
                return Err(AppError::Conflict("reset.link_dead"));
            }
            for statement in [
                "UPDATE password_resets SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL",
                "DELETE FROM sessions WHERE user_id = $1 AND created_at <= $2",
            ] {
                sql::query(statement).bind(&user_id).bind(now).execute(conn).await?;
            }
            sql::query("UPDATE users SET password_hash = $2 WHERE id = $1")
                .bind(&user_id)
                .bind(password_hash)
                .execute(conn)
                .await?;
            entry.write(conn).await
        })
    })
    .await
}
