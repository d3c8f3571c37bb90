//! Users and their grants: the SQL of the auth feature.

use crate::db::sql::{self, Conn};
use crate::db::{Db, Violation, new_id};
use crate::error::{AppError, AppResult};
use mpp_domain::auth::{Access, Grant, Role};

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
pub async fn access(db: &Db, user_id: &str, mall_id: &str) -> AppResult<Access> {
    db.cache.get_or(format!("access:{user_id}:{mall_id}"), || load_access(db, user_id, mall_id)).await
}

async fn load_access(db: &Db, user_id: &str, mall_id: &str) -> AppResult<Access> {
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
    mall_id: &str,
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
