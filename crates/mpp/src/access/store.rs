//! The SQL of the access log: rows are only ever inserted, each chained to
//! its mall's previous one (`audit/chain.rs`).

use super::Entry;
use crate::audit::chain::{Chained, Trail};
use crate::db::Db;
use crate::db::sql::{self, Conn, FromRow, from_row};
use crate::error::AppResult;
use mpp_domain::tenancy::MallId;

from_row!(Entry {
    mall_id,
    seq,
    id,
    at,
    subject_id,
    reader_id,
    reader_name,
    reader_agency,
    what,
    purpose,
    purpose_ref,
    reason
});

const ENTRY: &str = "mall_id, seq, id, at, subject_id, reader_id, reader_name, reader_agency, what, purpose,
    purpose_ref, reason";

/// Appends reads to their malls' chains, in the caller's transaction.
pub async fn insert(conn: &mut Conn<'_>, mut e: Entry) -> AppResult<()> {
    let (seq, previous) = crate::audit::take_head(conn, Trail::Access, &e.mall_id).await?;
    e.seq = seq + 1;
    let hash = e.hash(&previous);
    sql::query(format!(
        "INSERT INTO access_log ({ENTRY}, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ))
    .bind(&e.mall_id)
    .bind(e.seq)
    .bind(&e.id)
    .bind(e.at)
    .bind(&e.subject_id)
    .bind(&e.reader_id)
    .bind(&e.reader_name)
    .bind(&e.reader_agency)
    .bind(&e.what)
    .bind(&e.purpose)
    .bind(&e.purpose_ref)
    .bind(&e.reason)
    .bind(&hash)
    .execute(conn)
    .await?;
    crate::audit::move_head(conn, Trail::Access, &e.mall_id, e.seq, &hash).await
}

/// Reads of one citizen's data, newest first, after the read `before`
/// (its time and id) if given, with the name of the mall each was made in.
pub async fn of_subject(
    db: &Db,
    subject_id: &str,
    before: Option<(i64, &str)>,
    limit: i64,
) -> AppResult<Vec<(Entry, String)>> {
    let (at, id) = before.unwrap_or((i64::MAX, ""));
    let rows: Vec<sql::Row> = sql::query(format!(
        "SELECT {ENTRY}, (SELECT name FROM malls WHERE malls.id = access_log.mall_id) AS mall_name
         FROM access_log WHERE subject_id = $1 AND (at < $2 OR (at = $2 AND id < $3))
         ORDER BY at DESC, id DESC LIMIT $4"
    ))
    .bind(subject_id)
    .bind(at)
    .bind(id)
    .bind(limit)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    let entries = Entry::from_rows(&rows)?;
    let malls = rows.iter().map(|r| r.text("mall_name")).collect::<AppResult<Vec<String>>>()?;
    Ok(entries.into_iter().zip(malls).collect())
}

/// Every mall with an access log.
pub async fn logged_malls(db: &Db) -> AppResult<Vec<MallId>> {
    sql::query("SELECT mall_id FROM access_heads UNION SELECT mall_id FROM access_log ORDER BY 1")
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// A mall's access log in number order, each entry with its stored hash.
pub async fn chain_of(db: &Db, mall_id: &MallId) -> AppResult<Vec<(Entry, String)>> {
    let rows: Vec<sql::Row> =
        sql::query(format!("SELECT {ENTRY}, hash FROM access_log WHERE mall_id = $1 ORDER BY seq"))
            .bind(mall_id)
            .fetch_all(&mut Conn::Read(db))
            .await?;
    let entries = Entry::from_rows(&rows)?;
    let hashes = rows.iter().map(|r| r.text("hash")).collect::<AppResult<Vec<String>>>()?;
    Ok(entries.into_iter().zip(hashes).collect())
}
