//! The SQL of citizens' documents (the files themselves are on disk, sealed).

use crate::db::Db;
use crate::db::sql::{self, Conn, from_row};
use crate::error::AppResult;
use mpp_domain::document::Kind;

#[derive(Debug, Clone)]
pub struct Document {
    pub id: String,
    pub owner_id: String,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    /// What it is: the form field's label when it was uploaded on a form,
    /// the kind's name when uploaded to "Dokumen saya".
    pub label: String,
    pub kind: Kind,
    /// The last day it is valid (ISO date); empty: for life.
    pub expires_on: String,
    pub sha256: String,
    pub created_at: i64,
}

from_row!(Document { id, owner_id, file_name, content_type, size, label, kind, expires_on, sha256, created_at });

const DOCUMENT: &str = "id, owner_id, file_name, content_type, size, label, kind, expires_on, sha256, created_at";

pub async fn find(db: &Db, owner_id: &str, id: &str) -> AppResult<Option<Document>> {
    sql::query(format!("SELECT {DOCUMENT} FROM citizen_documents WHERE owner_id = $1 AND id = $2"))
        .bind(owner_id)
        .bind(id)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// A citizen's documents, newest first.
pub async fn of_owner(db: &Db, owner_id: &str) -> AppResult<Vec<Document>> {
    sql::query(format!(
        "SELECT {DOCUMENT} FROM citizen_documents WHERE owner_id = $1 ORDER BY created_at DESC, id DESC"
    ))
    .bind(owner_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

pub async fn insert(db: &Db, d: &Document) -> AppResult<()> {
    db.run(
        sql::query(
            "INSERT INTO citizen_documents (owner_id, id, label, file_name, content_type, size, sha256, created_at,
             kind, expires_on) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&d.owner_id)
        .bind(&d.id)
        .bind(&d.label)
        .bind(&d.file_name)
        .bind(&d.content_type)
        .bind(d.size)
        .bind(&d.sha256)
        .bind(d.created_at)
        .bind(d.kind.as_str())
        .bind(&d.expires_on),
    )
    .await?;
    Ok(())
}

/// Every document's (owner, id).
pub async fn every_file(db: &Db) -> AppResult<Vec<(String, String)>> {
    sql::query("SELECT owner_id, id FROM citizen_documents ORDER BY owner_id, id").fetch_all(&mut Conn::Read(db)).await
}

/// Deletes one of the owner's documents; whether there was one.
pub async fn remove(db: &Db, owner_id: &str, id: &str) -> AppResult<bool> {
    let rows = db
        .run(sql::query("DELETE FROM citizen_documents WHERE owner_id = $1 AND id = $2").bind(owner_id).bind(id))
        .await?;
    Ok(rows > 0)
}
