//! The SQL of the audit trail, and of every chain's head: rows are only
//! ever inserted.

use super::Entry;
use super::chain::{Chained, Link, Trail};
use crate::db::Db;
use crate::db::sql::{self, Conn, FromRow, from_row};
use crate::error::AppResult;
use mpp_domain::tenancy::MallId;

fn heads(trail: Trail) -> &'static str {
    match trail {
        Trail::Audit => "audit_heads",
        Trail::Access => "access_heads",
    }
}

/// The mall's head of a chain (its last number and hash; 0 and empty
/// before the first entry), locked until the transaction ends, so that
/// entries of one mall are numbered one at a time, across processes too.
pub async fn take_head(conn: &mut Conn<'_>, trail: Trail, mall_id: &MallId) -> AppResult<(i64, String)> {
    let table = heads(trail);
    sql::query(format!(
        "INSERT INTO {table} (mall_id, seq, hash) VALUES ($1, 0, '')
         ON CONFLICT (mall_id) DO UPDATE SET seq = {table}.seq RETURNING seq, hash"
    ))
    .bind(mall_id)
    .fetch_one(conn)
    .await
}

/// Moves the head taken with [`take_head`] to the entry just written.
pub async fn move_head(conn: &mut Conn<'_>, trail: Trail, mall_id: &MallId, seq: i64, hash: &str) -> AppResult<()> {
    sql::query(format!("UPDATE {} SET seq = $2, hash = $3 WHERE mall_id = $1", heads(trail)))
        .bind(mall_id)
        .bind(seq)
        .bind(hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// A chain's head as stored: (number, hash).
pub async fn head_of(db: &Db, trail: Trail, mall_id: &MallId) -> AppResult<Option<(i64, String)>> {
    sql::query(format!("SELECT seq, hash FROM {} WHERE mall_id = $1", heads(trail)))
        .bind(mall_id)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// Every mall with a head of this chain.
pub async fn heads_of(db: &Db, trail: Trail) -> AppResult<Vec<(MallId, i64, String)>> {
    sql::query(format!("SELECT mall_id, seq, hash FROM {} ORDER BY mall_id", heads(trail)))
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// Appends the entry to its mall's chain (`chain.rs`).
pub async fn insert(conn: &mut Conn<'_>, e: &Entry) -> AppResult<()> {
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(|v| v.to_string()).unwrap_or_default();
    let (seq, previous) = take_head(conn, Trail::Audit, &e.mall_id).await?;
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
    move_head(conn, Trail::Audit, &link.mall_id, link.seq, &hash).await
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
pub async fn chain_of(db: &Db, mall_id: &MallId) -> AppResult<ChainRead<Link>> {
    let rows: Vec<sql::Row> = sql::query(
        "SELECT mall_id, seq, id, at, actor_id, actor_name, action, entity, entity_id, before_json, after_json, hash
         FROM audit_events WHERE mall_id = $1 AND seq IS NOT NULL ORDER BY seq",
    )
    .bind(mall_id)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    let links = Link::from_rows(&rows)?;
    let hashes = rows.iter().map(|r| r.text("hash")).collect::<AppResult<Vec<String>>>()?;
    let head = head_of(db, Trail::Audit, mall_id).await?;
    let unnumbered: Vec<(String, i64)> =
        sql::query("SELECT id, at FROM audit_events WHERE mall_id = $1 AND seq IS NULL ORDER BY at, id")
            .bind(mall_id)
            .fetch_all(&mut Conn::Read(db))
            .await?;
    Ok(ChainRead { chain: links.into_iter().zip(hashes).collect(), head, unnumbered })
}

pub struct ChainRead<L> {
    pub chain: Vec<(L, String)>,
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

/// The hash stored with entry `seq` of a mall's chain.
pub async fn hash_at(db: &Db, trail: Trail, mall_id: &MallId, seq: i64) -> AppResult<Option<String>> {
    let table = match trail {
        Trail::Audit => "audit_events",
        Trail::Access => "access_log",
    };
    sql::query(format!("SELECT hash FROM {table} WHERE mall_id = $1 AND seq = $2"))
        .bind(mall_id)
        .bind(seq)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// Whether the mall's statement of this chain and day is made.
pub async fn statement_made(db: &Db, mall_id: &MallId, trail: Trail, day: &str) -> AppResult<bool> {
    let found: Option<i64> =
        sql::query("SELECT seq FROM chain_statements WHERE mall_id = $1 AND trail = $2 AND day = $3")
            .bind(mall_id)
            .bind(trail.as_str())
            .bind(day)
            .fetch_optional(&mut Conn::Read(db))
            .await?;
    Ok(found.is_some())
}

/// Keeps a signed statement; false if that day's was made already (by
/// another process).
pub async fn insert_statement(
    conn: &mut Conn<'_>,
    s: &super::head::Statement,
    jws: &super::head::Jws,
) -> AppResult<bool> {
    let text = serde_json::to_string(jws).map_err(|e| crate::error::AppError::Internal(e.into()))?;
    let rows = sql::query(
        "INSERT INTO chain_statements (mall_id, trail, day, seq, hash, at, jws) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (mall_id, trail, day) DO NOTHING",
    )
    .bind(&s.mall_id)
    .bind(s.trail.as_str())
    .bind(&s.day)
    .bind(s.seq)
    .bind(&s.hash)
    .bind(s.at)
    .bind(text)
    .execute(conn)
    .await?;
    Ok(rows > 0)
}

/// A mall's statements, newest first (both chains), at most `limit`.
pub async fn statements(db: &Db, mall_id: &MallId, limit: i64) -> AppResult<Vec<super::head::Jws>> {
    let texts: Vec<String> =
        sql::query("SELECT jws FROM chain_statements WHERE mall_id = $1 ORDER BY day DESC, trail LIMIT $2")
            .bind(mall_id)
            .bind(limit)
            .fetch_all(&mut Conn::Read(db))
            .await?;
    texts.iter().map(|t| super::head::parse(t)).collect()
}
