//! The audit trail: every change to a mall's data is recorded (who, what,
//! when, before and after) in the same transaction as the change itself,
//! so nothing changes unrecorded. Rows are only ever inserted.

pub mod routes;

use crate::auth::session::CurrentUser;
use crate::error::AppResult;
use sqlx::AnyConnection;

pub struct Change<'a> {
    pub mall_id: &'a str,
    pub actor: &'a CurrentUser,
    /// `create`, `update` or `delete`.
    pub action: &'static str,
    /// The table-like name: `service`, `agency`, `counter` …
    pub entity: &'static str,
    pub entity_id: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub async fn record(conn: &mut AnyConnection, c: Change<'_>, now: i64) -> AppResult<()> {
    let json = |v: Option<serde_json::Value>| v.map(|v| v.to_string()).unwrap_or_default();
    sqlx::query(
        "INSERT INTO audit_events (mall_id, id, at, actor_id, actor_name, action, entity, entity_id, before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(c.mall_id)
    .bind(crate::db::new_id())
    .bind(now)
    .bind(&c.actor.id)
    .bind(format!("{} <{}>", c.actor.name, c.actor.email))
    .bind(c.action)
    .bind(c.entity)
    .bind(c.entity_id)
    .bind(json(c.before))
    .bind(json(c.after))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, sqlx::FromRow, serde::Serialize)]
pub struct Event {
    pub id: String,
    pub at: i64,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before_json: String,
    pub after_json: String,
}

/// The newest events first.
pub async fn list(db: &crate::db::Db, mall_id: &str, limit: i64) -> AppResult<Vec<Event>> {
    Ok(sqlx::query_as(
        "SELECT id, at, actor_name, action, entity, entity_id, before_json, after_json FROM audit_events
         WHERE mall_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(mall_id)
    .bind(limit)
    .fetch_all(&db.read)
    .await?)
}
