//! Certificates' SQL.

use crate::db::sql::{self, Conn, FromRow, Row, from_row};
use crate::error::{AppError, AppResult};
use mpp_domain::certificate::{Content, Template};
use mpp_domain::tenancy::MallId;

/// An issued certificate as stored.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub id: String,
    pub application_id: String,
    pub number: String,
    /// Exactly the signed bytes (canonical JSON of [`Content`]).
    pub content: String,
    pub signature: String,
    pub key_id: String,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
    pub revoke_reason: String,
}

impl Certificate {
    pub fn content(&self) -> AppResult<Content> {
        parse(&self.content).ok_or_else(|| AppError::Internal(anyhow::anyhow!("certificate {} is unreadable", self.id)))
    }
}

/// The canonical form that is signed: compact JSON, keys in the order
/// [`Content`] declares them (docs/CERTIFICATES.md lists it).
pub fn canonical(c: &Content) -> String {
    serde_json::to_string(c).unwrap_or_default()
}

pub fn parse(text: &str) -> Option<Content> {
    serde_json::from_str(text).ok()
}

const CERTIFICATE: &str =
    "id, application_id, number, content, signature, key_id, issued_at, revoked_at, revoke_reason FROM certificates";

from_row!(Certificate { id, application_id, number, content, signature, key_id, issued_at, revoked_at, revoke_reason });

pub async fn by_id(conn: &mut Conn<'_>, mall_id: &MallId, id: &str) -> AppResult<Option<Certificate>> {
    sql::query(format!("SELECT {CERTIFICATE} WHERE mall_id = $1 AND id = $2"))
        .bind(mall_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn of_application(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    application_id: &str,
) -> AppResult<Option<Certificate>> {
    sql::query(format!("SELECT {CERTIFICATE} WHERE mall_id = $1 AND application_id = $2"))
        .bind(mall_id)
        .bind(application_id)
        .fetch_optional(conn)
        .await
}

/// What a certificate of this application's service is made from: the
/// names on it and the template.
pub struct Issuer {
    pub mall_slug: String,
    pub mall_name: String,
    pub agency_code: String,
    pub agency_name: String,
    pub service_name: String,
    pub template: Template,
    /// The service's form, to write filed values as people read them.
    pub fields: Vec<mpp_domain::form::FieldDef>,
}

pub async fn issuer(conn: &mut Conn<'_>, mall_id: &MallId, service_id: &str) -> AppResult<Issuer> {
    let r: Row = sql::query(
        "SELECT m.slug, m.name AS mall_name, g.code, g.name_id AS agency_name, s.name_id AS service_name,
                s.certificate_template, s.form_fields
         FROM services s JOIN agencies g ON g.mall_id = s.mall_id AND g.id = s.agency_id
         JOIN malls m ON m.id = s.mall_id
         WHERE s.mall_id = $1 AND s.id = $2",
    )
    .bind(mall_id)
    .bind(service_id)
    .fetch_one(conn)
    .await?;
    Ok(Issuer {
        mall_slug: r.text("slug")?,
        mall_name: r.text("mall_name")?,
        agency_code: r.text("code")?,
        agency_name: r.text("agency_name")?,
        service_name: r.text("service_name")?,
        template: serde_json::from_str(&r.text("certificate_template")?).unwrap_or_default(),
        fields: serde_json::from_str(&r.text("form_fields")?).unwrap_or_default(),
    })
}

/// The year's next decision sequence number.
pub async fn next_number(conn: &mut Conn<'_>, mall_id: &MallId, year: i32) -> AppResult<i64> {
    sql::query(
        "INSERT INTO certificate_numbers (mall_id, year, last_seq) VALUES ($1, $2, 1)
         ON CONFLICT (mall_id, year) DO UPDATE SET last_seq = certificate_numbers.last_seq + 1 RETURNING last_seq",
    )
    .bind(mall_id)
    .bind(i64::from(year))
    .fetch_one(conn)
    .await
}

pub async fn insert(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    c: &Certificate,
    valid_until: Option<&str>,
) -> AppResult<()> {
    sql::query(
        "INSERT INTO certificates (mall_id, id, application_id, number, content, signature, key_id, issued_at,
         valid_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(mall_id)
    .bind(&c.id)
    .bind(&c.application_id)
    .bind(&c.number)
    .bind(&c.content)
    .bind(&c.signature)
    .bind(&c.key_id)
    .bind(c.issued_at)
    .bind(valid_until)
    .execute(conn)
    .await?;
    Ok(())
}

/// Revokes a certificate; false if it already was.
pub async fn revoke(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    id: &str,
    by: &str,
    reason: &str,
    now: i64,
) -> AppResult<bool> {
    let n = sql::query(
        "UPDATE certificates SET revoked_at = $3, revoked_by = $4, revoke_reason = $5
         WHERE mall_id = $1 AND id = $2 AND revoked_at IS NULL",
    )
    .bind(mall_id)
    .bind(id)
    .bind(now)
    .bind(by)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

impl FromRow for super::keys::PublicKey {
    fn from_row(r: &Row) -> AppResult<super::keys::PublicKey> {
        Ok(super::keys::PublicKey {
            id: r.text("id")?,
            public_key: r.text("public_key")?,
            retired: r.opt_int("retired_at")?.is_some(),
        })
    }
}

/// The mall's current signing key's id (the oldest not retired).
pub async fn current_key(conn: &mut Conn<'_>, mall_id: &MallId) -> AppResult<Option<String>> {
    sql::query("SELECT id FROM signing_keys WHERE mall_id = $1 AND retired_at IS NULL ORDER BY created_at, id LIMIT 1")
        .bind(mall_id)
        .fetch_optional(conn)
        .await
}

/// A key of the mall by its public half: its id and when it was retired.
pub async fn key_by_public(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    public: &str,
) -> AppResult<Option<(String, Option<i64>)>> {
    sql::query("SELECT id, retired_at FROM signing_keys WHERE mall_id = $1 AND public_key = $2")
        .bind(mall_id)
        .bind(public)
        .fetch_optional(conn)
        .await
}

/// Retires the mall's current keys; how many.
pub async fn retire_keys(conn: &mut Conn<'_>, mall_id: &MallId, now: i64) -> AppResult<u64> {
    sql::query("UPDATE signing_keys SET retired_at = $2 WHERE mall_id = $1 AND retired_at IS NULL")
        .bind(mall_id)
        .bind(now)
        .execute(conn)
        .await
}

/// Registers a key's public half (the secret half lives in a key file).
pub async fn insert_key(conn: &mut Conn<'_>, mall_id: &MallId, id: &str, public: &str, now: i64) -> AppResult<()> {
    sql::query(
        "INSERT INTO signing_keys (mall_id, id, public_key, secret_key, created_at) VALUES ($1, $2, $3, '', $4)",
    )
    .bind(mall_id)
    .bind(id)
    .bind(public)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Secret halves an older version kept in the database: (mall, key id, secret).
pub async fn secret_halves(db: &crate::db::Db) -> AppResult<Vec<(MallId, String, String)>> {
    sql::query("SELECT mall_id, id, secret_key FROM signing_keys WHERE secret_key <> ''")
        .fetch_all(&mut Conn::Read(db))
        .await
}

pub async fn forget_secret_half(db: &crate::db::Db, mall_id: &MallId, id: &str) -> AppResult<()> {
    db.run(sql::query("UPDATE signing_keys SET secret_key = '' WHERE mall_id = $1 AND id = $2").bind(mall_id).bind(id))
        .await?;
    Ok(())
}

/// Every key the mall ever signed with, oldest first.
pub async fn published(conn: &mut Conn<'_>, mall_id: &MallId) -> AppResult<Vec<super::keys::PublicKey>> {
    sql::query("SELECT id, public_key, retired_at FROM signing_keys WHERE mall_id = $1 ORDER BY created_at, id")
        .bind(mall_id)
        .fetch_all(conn)
        .await
}

/// The public half of key `key_id`, if the mall has it.
pub async fn public_key(conn: &mut Conn<'_>, mall_id: &MallId, key_id: &str) -> AppResult<Option<String>> {
    sql::query("SELECT public_key FROM signing_keys WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(key_id)
        .fetch_optional(conn)
        .await
}

/// A certificate as its holder's "Dokumen saya" lists it.
pub struct Held {
    pub mall_slug: String,
    pub mall_name: String,
    pub application_number: String,
    pub number: String,
    pub issued_at: i64,
    pub valid_until: Option<String>,
    pub revoked: bool,
}

/// The certificates issued on a citizen's applications, in every mall, newest first.
pub async fn held_by(db: &crate::db::Db, user_id: &str) -> AppResult<Vec<Held>> {
    let rows: Vec<sql::Row> = sql::query(
        "SELECT m.slug, m.name, a.number AS application_number, c.number, c.issued_at, c.valid_until, c.revoked_at
         FROM applications a
         JOIN certificates c ON c.mall_id = a.mall_id AND c.application_id = a.id
         JOIN malls m ON m.id = a.mall_id
         WHERE a.applicant_id = $1 ORDER BY c.issued_at DESC",
    )
    .bind(user_id)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Held {
                mall_slug: r.text("slug")?,
                mall_name: r.text("name")?,
                application_number: r.text("application_number")?,
                number: r.text("number")?,
                issued_at: r.int("issued_at")?,
                valid_until: r.opt_text("valid_until")?,
                revoked: r.opt_int("revoked_at")?.is_some(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/CERTIFICATES.md tells outside checkers the signed key order;
    /// it must be the order the code signs in.
    #[test]
    fn the_documented_key_order_is_the_signed_one() {
        let c = Content {
            agency: String::new(),
            holder: String::new(),
            holder_nik: String::new(),
            id: String::new(),
            issued: String::new(),
            kid: String::new(),
            mall: String::new(),
            mall_name: String::new(),
            number: String::new(),
            registration: String::new(),
            service: String::new(),
            statement: String::new(),
            title: String::new(),
            valid_until: None,
            v: 1,
        };
        let signed: Vec<String> = canonical(&c)
            .trim_matches(['{', '}'])
            .split(',')
            .map(|kv| kv.split(':').next().unwrap_or("").trim_matches('"').to_string())
            .collect();
        let doc = include_str!("../../../../docs/CERTIFICATES.md");
        let section = &doc[doc.find("## What is signed").unwrap_or(0)..doc.find("## The PDF").unwrap_or(doc.len())];
        let documented: Vec<String> = section
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .map(|l| l.split('`').next().unwrap_or("").to_string())
            .collect();
        assert_eq!(documented, signed);
    }
}
