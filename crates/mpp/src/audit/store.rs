//! The SQL of the audit trail: rows are only ever inserted.

use super::Entry;
use super::chain::Link;
use crate::db::Db;
use crate::db::sql::{self, Conn, FromRow, from_row};
use crate::error::AppResult;
use mpp_domain::tenancy::MallId;

/// Appends the entry to its mall's chain (`chain.rs`): takes the mall's
/// head, locking it until the transaction ends (so entries of one mall
/// are numbered one at a time), and moves it to the new entry.
pub async fn insert(conn: &mut Conn<'_>, e: &Entry) -> AppResult<()> {
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    let (seq, previous): (i64, String) = sql::query(
        "INSERT INTO audit_heads (mall_id, seq, hash) VALUES ($1, 0, '')
         ON CONFLICT (mall_id) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash",
    )
    .bind(&e.mall_id)
    .fetch_one(conn)
    .await?;
    let link = Link {
        mall_id: e.mall_id.clone(),
        seq: seq + 1,
        id: crate::db::new_id(e.at),
        at: e.at,
        actor_id: e.actor_id.clone(),
        actor_name: e.actor.clone(),
        action: e.action.to_owned(),
        entity: e.entity.to_owned(),
        entity_id: e.entity_id.clone(),
        before_json: json(&e.before),
        after_json: json(&e.after),
    };
    let hash = link.hash(&previous);
    sql::query(
        "INSERT INTO audit_events (mall_id, id, at, actor_id, actor_name, action, entity, entity_id, before_json,
         after_json, seq, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&link.mall_id)
    .bind(&link.id)
    .bind(link.at)
    .bind(&link.actor_id)
    .bind(&link.actor_name)
    .bind(&link.action)
    .bind(&link.entity)
    .bind(&link.entity_id)
    .bind(&link.before_json)
    .bind(&link.after_json)
    .bind(link.seq)
    .bind(&hash)
    .execute(conn)
    .await?;
    sql::query("UPDATE audit_heads SET seq = $2, hash = $3 WHERE mall_id = $1")
        .bind(&link.mall_id)
        .bind(link.seq)
        .bind(&hash)
        .execute(conn)
        .await?;
    Ok(())
}

from_row!(Link { mall_id, seq, id, at, actor_id, actor_name, action, entity, entity_id, before_json, after_json });

/// Every mall that has a trail (the deployment's own is `""`).
pub async fn chained_malls(db: &Db) -> AppResult<Vec<MallId>> {
    sql::query("SELECT mall_id FROM audit_heads UNION SELECT mall_id FROM audit_events ORDER BY 1")
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// A mall's chain in number order (each entry with its stored hash), its
/// head, and its entries from before the chain (id, time).
pub async fn chain_of(db: &Db, mall_id: &MallId) -> AppResult<ChainRead> {
    let rows: Vec<sql::Row> = sql::query(
        "SELECT mall_id, seq, id, at, actor_id, actor_name, action, entity, entity_id, before_json, after_json, hash
         FROM audit_events WHERE mall_id = $1 AND seq IS NOT NULL ORDER BY seq",
    )
    .bind(mall_id)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    let links = Link::from_rows(&rows)?;
    let hashes = rows.iter().map(|r| r.text("hash")).collect::<AppResult<Vec<String>>>()?;
    let head: Option<(i64, String)> = sql::query("SELECT seq, hash FROM audit_heads WHERE mall_id = $1")
        .bind(mall_id)
        .fetch_optional(&mut Conn::Read(db))
        .await?;
    let unnumbered: Vec<(String, i64)> =
        sql::query("SELECT id, at FROM audit_events WHERE mall_id = $1 AND seq IS NULL ORDER BY at, id")
            .bind(mall_id)
            .fetch_all(&mut Conn::Read(db))
            .await?;
    Ok(ChainRead { chain: links.into_iter().zip(hashes).collect(), head, unnumbered })
}

pub struct ChainRead {
    pub chain: Vec<(Link, String)>,
    pub head: Option<(i64, String)>,
    pub unnumbered: Vec<(String, i64)>,
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
