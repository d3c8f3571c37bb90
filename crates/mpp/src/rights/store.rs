//! The SQL of a citizen's rights: what the export reads that no feature
//! lists for them already.

use crate::db::Db;
use crate::db::sql::{self, Conn};
use crate::error::AppResult;
use mpp_domain::tenancy::MallId;
use serde_json::{Value, json};

/// The account itself: (email, name, created_at).
pub async fn account(db: &Db, user_id: &str) -> AppResult<Option<(String, String, i64)>> {
    sql::query("SELECT email, name, created_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// Every question about the citizen's NIK put to the register, and its answer.
pub async fn nik_checks(db: &Db, user_id: &str) -> AppResult<Vec<Value>> {
    let rows: Vec<(i64, String, String)> =
        sql::query("SELECT at, nik, answer FROM nik_checks WHERE user_id = $1 ORDER BY at, id")
            .bind(user_id)
            .fetch_all(&mut Conn::Read(db))
            .await?;
    Ok(rows.into_iter().map(|(at, nik, answer)| json!({"at": at, "nik": nik, "answer": answer})).collect())
}

/// The citizen's appointments in every mall, with the ticket each became.
pub async fn appointments(db: &Db, user_id: &str) -> AppResult<Vec<Value>> {
    let rows: Vec<sql::Row> = sql::query(
        "SELECT m.slug, s.code AS service, a.code, a.day, a.slot_start, a.slot_end, a.status, a.created_at,
                t.label AS ticket, t.status AS ticket_status
         FROM appointments a JOIN malls m ON m.id = a.mall_id
         JOIN services s ON s.mall_id = a.mall_id AND s.id = a.service_id
         LEFT JOIN tickets t ON t.mall_id = a.mall_id AND t.id = a.ticket_id
         WHERE a.user_id = $1 ORDER BY a.created_at",
    )
    .bind(user_id)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    rows.iter()
        .map(|r| {
            Ok(json!({
                "mall": r.text("slug")?, "service": r.text("service")?, "code": r.text("code")?, "day": r.text("day")?,
                "slot_start": r.int("slot_start")?, "slot_end": r.int("slot_end")?, "status": r.text("status")?,
                "booked_at": r.int("created_at")?, "ticket": r.opt_text("ticket")?, "ticket_status": r.opt_text("ticket_status")?,
            }))
        })
        .collect()
}

/// The citizen's filed bundles in every mall, each with the numbers of the
/// applications it started (in the bundle's order).
pub async fn bundle_filings(db: &Db, user_id: &str) -> AppResult<Vec<Value>> {
    let filings: Vec<(String, String, String, String, i64)> = sql::query(
        "SELECT f.mall_id, f.id, m.slug, b.code, f.filed_at FROM bundle_filings f JOIN malls m ON m.id = f.mall_id
         JOIN bundles b ON b.mall_id = f.mall_id AND b.id = f.bundle_id WHERE f.applicant_id = $1 ORDER BY f.filed_at, f.id",
    )
    .bind(user_id)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    let numbers: Vec<(String, String, String)> = sql::query(
        "SELECT fa.mall_id, fa.filing_id, a.number FROM bundle_filing_applications fa
         JOIN bundle_filings f ON f.mall_id = fa.mall_id AND f.id = fa.filing_id
         JOIN applications a ON a.mall_id = fa.mall_id AND a.id = fa.application_id
         WHERE f.applicant_id = $1 ORDER BY fa.position",
    )
    .bind(user_id)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    Ok(filings
        .into_iter()
        .map(|(mall_id, id, slug, code, filed_at)| {
            let of = numbers.iter().filter(|(m, f, _)| *m == mall_id && *f == id).map(|(_, _, n)| n.clone());
            json!({"mall": slug, "id": id, "bundle": code, "filed_at": filed_at, "applications": of.collect::<Vec<_>>()})
        })
        .collect())
}

/// What agencies' systems asked MPP about the citizen, as logged: the
/// system, when, what, on what ground, the answer's status, and both
/// bodies' hashes and both signatures.
pub async fn exchanges(db: &Db, user_id: &str) -> AppResult<Vec<Value>> {
    let rows: Vec<sql::Row> = sql::query(
        "SELECT m.slug, c.name, e.at, e.wants, e.basis, e.basis_ref, e.status, e.request_sha256, e.request_signature,
                e.response_sha256, e.response_signature
         FROM exchanges e JOIN malls m ON m.id = e.mall_id
         JOIN exchange_clients c ON c.mall_id = e.mall_id AND c.id = e.client_id
         WHERE e.subject_id = $1 ORDER BY e.at, e.id",
    )
    .bind(user_id)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    rows.iter()
        .map(|r| {
            Ok(json!({
                "mall": r.text("slug")?, "system": r.text("name")?, "at": r.int("at")?, "asked": r.text("wants")?,
                "basis": r.text("basis")?, "basis_ref": r.text("basis_ref")?, "status": r.int("status")?,
                "request_sha256": r.text("request_sha256")?, "request_signature": r.text("request_signature")?,
                "response_sha256": r.text("response_sha256")?, "response_signature": r.text("response_signature")?,
            }))
        })
        .collect()
}

/// Messages MPP sent (or is sending) to the citizen's address or phone.
pub async fn messages(db: &Db, email: &str, phone: &str) -> AppResult<Vec<Value>> {
    // A citizen without a phone on their profile is matched by email alone.
    let to = if phone.is_empty() { "to_email = $1" } else { "(to_email = $1 OR to_phone = $2)" };
    let mut query = sql::query(format!(
        "SELECT channel, kind, to_email, to_phone, subject, body, status, created_at, sent_at FROM notifications
         WHERE {to} ORDER BY created_at, id"
    ))
    .bind(email);
    if !phone.is_empty() {
        query = query.bind(phone);
    }
    let rows: Vec<sql::Row> = query.fetch_all(&mut Conn::Read(db)).await?;
    rows.iter()
        .map(|r| {
            Ok(json!({
                "channel": r.text("channel")?, "kind": r.text("kind")?, "to_email": r.text("to_email")?,
                "to_phone": r.text("to_phone")?, "subject": r.text("subject")?, "body": r.text("body")?,
                "status": r.text("status")?, "created_at": r.int("created_at")?, "sent_at": r.opt_int("sent_at")?,
            }))
        })
        .collect()
}

/// A mall's retention rules that differ from the defaults: (subject, years).
pub async fn retention(db: &Db, mall_id: &MallId) -> AppResult<Vec<(String, i64)>> {
    sql::query("SELECT subject, years FROM retention_rules WHERE mall_id = $1 ORDER BY subject")
        .bind(mall_id)
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// Sets a mall's rules, with the audit entry, in one transaction.
pub async fn set_retention(
    db: &Db,
    mall_id: &MallId,
    rules: Vec<(String, i64)>,
    entry: crate::audit::Entry,
) -> AppResult<()> {
    let mall_id = mall_id.clone();
    db.transact(move |conn| {
        Box::pin(async move {
            for (subject, years) in rules {
                sql::query(
                    "INSERT INTO retention_rules (mall_id, subject, years) VALUES ($1, $2, $3)
                     ON CONFLICT (mall_id, subject) DO UPDATE SET years = $3",
                )
                .bind(&mall_id)
                .bind(subject)
                .bind(years)
                .execute(conn)
                .await?;
            }
            entry.write(conn).await
        })
    })
    .await
}

/// The citizen's applications whose form names this document id:
/// (mall, number, status, closed_at, the form's JSON).
pub async fn applications_naming(
    db: &Db,
    applicant_id: &str,
    document_id: &str,
) -> AppResult<Vec<(MallId, String, mpp_domain::application::Status, Option<i64>, String)>> {
    let rows: Vec<sql::Row> = sql::query(
        "SELECT mall_id, number, status, closed_at, form FROM applications WHERE applicant_id = $1 AND form LIKE $2",
    )
    .bind(applicant_id)
    .bind(format!("%{document_id}%"))
    .fetch_all(&mut Conn::Read(db))
    .await?;
    rows.iter()
        .map(|r| Ok((r.get("mall_id")?, r.text("number")?, r.get("status")?, r.opt_int("closed_at")?, r.text("form")?)))
        .collect()
}

/// Erases the citizen's profile and the register's answers about it.
pub async fn erase_profile(db: &Db, user_id: &str) -> AppResult<bool> {
    let user_id = user_id.to_owned();
    db.transact(move |conn| {
        Box::pin(async move {
            sql::query("DELETE FROM nik_checks WHERE user_id = $1").bind(&user_id).execute(conn).await?;
            let gone =
                sql::query("DELETE FROM citizen_profiles WHERE user_id = $1").bind(&user_id).execute(conn).await?;
            Ok(gone > 0)
        })
    })
    .await
}

/// A correction request as stored.
#[derive(Debug, Clone)]
pub struct Correction {
    pub mall_id: MallId,
    pub id: String,
    pub subject_id: String,
    pub agency_id: String,
    pub about: String,
    pub wrong: String,
    pub correct: String,
    pub filed_at: i64,
    pub answer_by: i64,
    pub status: mpp_domain::rights::CorrectionStatus,
    pub answer: String,
    pub answered_at: Option<i64>,
}

crate::db::sql::from_row!(Correction {
    mall_id,
    id,
    subject_id,
    agency_id,
    about,
    wrong,
    correct,
    filed_at,
    answer_by,
    status,
    answer,
    answered_at
});

const CORRECTION: &str =
    "mall_id, id, subject_id, agency_id, about, wrong, correct, filed_at, answer_by, status, answer, answered_at";

pub async fn insert_correction(db: &Db, c: &Correction) -> AppResult<()> {
    db.run(
        sql::query(format!(
            "INSERT INTO correction_requests ({CORRECTION}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
        ))
        .bind(&c.mall_id)
        .bind(&c.id)
        .bind(&c.subject_id)
        .bind(&c.agency_id)
        .bind(&c.about)
        .bind(&c.wrong)
        .bind(&c.correct)
        .bind(c.filed_at)
        .bind(c.answer_by)
        .bind(c.status.as_str())
        .bind(&c.answer)
        .bind(c.answered_at),
    )
    .await?;
    Ok(())
}

/// A citizen's correction requests, newest first.
pub async fn corrections_of(db: &Db, subject_id: &str) -> AppResult<Vec<Correction>> {
    sql::query(format!(
        "SELECT {CORRECTION} FROM correction_requests WHERE subject_id = $1 ORDER BY filed_at DESC, id DESC"
    ))
    .bind(subject_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// A mall's correction requests, open ones first by deadline.
pub async fn corrections_in(db: &Db, mall_id: &MallId) -> AppResult<Vec<Correction>> {
    sql::query(format!(
        "SELECT {CORRECTION} FROM correction_requests WHERE mall_id = $1
         ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, answer_by, id"
    ))
    .bind(mall_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Answers an open request of one of these agencies (`None`: any);
/// false if it is not open or not theirs.
pub async fn answer_correction(
    db: &Db,
    mall_id: &MallId,
    id: &str,
    agencies: Option<Vec<String>>,
    (status, answer, by): (mpp_domain::rights::CorrectionStatus, String, String),
    now: i64,
) -> AppResult<bool> {
    let (mall_id, id) = (mall_id.clone(), id.to_owned());
    db.transact(move |conn| {
        Box::pin(async move {
            let agency: Option<String> = sql::query(
                "SELECT agency_id FROM correction_requests WHERE mall_id = $1 AND id = $2 AND status = 'open'",
            )
            .bind(&mall_id)
            .bind(&id)
            .fetch_optional(conn)
            .await?;
            let theirs = agency.is_some_and(|a| agencies.as_ref().is_none_or(|list| list.contains(&a)));
            if !theirs {
                return Ok(false);
            }
            sql::query(
                "UPDATE correction_requests SET status = $3, answer = $4, answered_at = $5, answered_by = $6
                 WHERE mall_id = $1 AND id = $2 AND status = 'open'",
            )
            .bind(&mall_id)
            .bind(&id)
            .bind(status.as_str())
            .bind(answer)
            .bind(now)
            .bind(by)
            .execute(conn)
            .await?;
            Ok(true)
        })
    })
    .await
}
