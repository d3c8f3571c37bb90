//! The SQL of citizens' documents (the files themselves are on disk).

use crate::db::Db;
use crate::db::sql::{self, Conn, from_row};
use crate::error::AppResult;

#[derive(Debug, Clone)]
pub struct Document {
    pub id: String,
    pub owner_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
}

from_row!(Document { id, owner_id, file_name, content_type, size });

pub async fn find(db: &Db, owner_id: &str, id: &str) -> AppResult<Option<Document>> {
    sql::query(
        "SELECT id, owner_id, file_name, content_type, size FROM citizen_documents WHERE owner_id = $1 AND id = $2",
    )
    .bind(owner_id)
    .bind(id)
    .fetch_optional(&mut Conn::Read(db))
    .await
}

pub async fn insert(db: &Db, d: &Document, label: &str, sha256: &str, now: i64) -> AppResult<()> {
    db.run(
        sql::query(
            "INSERT INTO citizen_documents (owner_id, id, label, file_name, content_type, size, sha256, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&d.owner_id)
        .bind(&d.id)
        .bind(label)
        .bind(&d.file_name)
        .bind(&d.content_type)
        .bind(d.size)
        .bind(sha256)
        .bind(now),
    )
    .await?;
    Ok(())
}
