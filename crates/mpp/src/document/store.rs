//! The SQL of citizens' documents (the files themselves are on disk, sealed).

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
    /// What it is: the form field's label when it was uploaded.
    pub label: String,
}

from_row!(Document { id, owner_id, file_name, content_type, size, label });

pub async fn find(db: &Db, owner_id: &str, id: &str) -> AppResult<Option<Document>> {
    sql::query(
        "SELECT id, owner_id, file_name, content_type, size, label FROM citizen_documents WHERE owner_id = $1 AND id = $2",
    )
    .bind(owner_id)
    .bind(id)
    .fetch_optional(&mut Conn::Read(db))
    .await
}

pub async fn insert(db: &Db, d: &Document, sha256: &str, now: i64) -> AppResult<()> {
    db.run(
        sql::query(
            "INSERT INTO citizen_documents (owner_id, id, label, file_name, content_type, size, sha256, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&d.owner_id)
        .bind(&d.id)
        .bind(&d.label)
        .bind(&d.file_name)
        .bind(&d.content_type)
        .bind(d.size)
        .bind(sha256)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Every document's (owner, id).
pub async fn every_file(db: &Db) -> AppResult<Vec<(String, String)>> {
    sql::query("SELECT owner_id, id FROM citizen_documents ORDER BY owner_id, id").fetch_all(&mut Conn::Read(db)).await
}
