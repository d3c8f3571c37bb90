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

/// Writes a batch of one mall's reads in one transaction: the mall's head
/// taken once (locked until commit), the entries chained in order, one
/// multi-row INSERT, the head moved once; then answers every caller.
pub async fn write_batch(db: Db, mall_id: MallId, batch: Vec<super::Pending>) {
    let mut entries: Vec<Entry> = Vec::new();
    let mut answers = Vec::new();
    for p in batch {
        entries.extend(p.entries);
        answers.push(p.answer);
    }
    let written = db
        .transact(move |conn| {
            Box::pin(async move {
                let (mut seq, mut previous) = crate::audit::take_head(conn, Trail::Access, &mall_id).await?;
                let mut rows = Vec::with_capacity(entries.len());
                for mut e in entries {
                    seq += 1;
                    e.seq = seq;
                    previous = e.hash(&previous);
                    rows.push((e, previous.clone()));
                }
                insert_all(conn, &rows).await?;
                crate::audit::move_head(conn, Trail::Access, &mall_id, seq, &previous).await
            })
        })
        .await;
    for answer in answers {
        let _ = answer.send(written.as_ref().map(|_| ()).map_err(crate::db::batch::for_each));
    }
}

/// One multi-row INSERT of chained entries (with their hashes).
async fn insert_all(conn: &mut Conn<'_>, rows: &[(Entry, String)]) -> AppResult<()> {
    const COLUMNS: usize = 13;
    let values: Vec<String> = (0..rows.len())
        .map(|r| {
            let cells: Vec<String> = (1..=COLUMNS).map(|c| format!("${}", r * COLUMNS + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect();
    let mut q = sql::query(format!("INSERT INTO access_log ({ENTRY}, hash) VALUES {}", values.join(", ")));
    for (e, hash) in rows {
        q = q
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
            .bind(hash);
    }
    q.execute(conn).await?;
    Ok(())
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
