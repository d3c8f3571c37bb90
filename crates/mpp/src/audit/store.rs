//! The SQL of the audit trail: rows are only ever inserted.

use super::Entry;
use crate::db::Db;
use crate::db::sql::{self, Conn, from_row};
use crate::error::AppResult;
use mpp_domain::tenancy::MallId;

pub async fn insert(conn: &mut Conn<'_>, e: &Entry) -> AppResult<()> {
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    sql::query(
        "INSERT INTO audit_events (mall_id, id, at, actor_id, actor_name, action, entity, entity_id, before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&e.mall_id)
    .bind(crate::db::new_id(e.at))
    .bind(e.at)
    .bind(&e.actor_id)
    .bind(&e.actor)
    .bind(e.action)
    .bind(e.entity)
    .bind(&e.entity_id)
    .bind(json(&e.before))
    .bind(json(&e.after))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, serde::Serialize)]
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

from_row!(Event { id, at, actor_name, action, entity, entity_id, before_json, after_json });

/// The newest events first.
pub async fn list(db: &Db, mall_id: &MallId, limit: i64) -> AppResult<Vec<Event>> {
    sql::query(
        "SELECT id, at, actor_name, action, entity, entity_id, before_json, after_json FROM audit_events
         WHERE mall_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(mall_id)
    .bind(limit)
    .fetch_all(&mut Conn::Read(db))
    .await
}
