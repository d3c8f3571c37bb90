//! Payments' SQL: bills, the gateways' secrets, the callback log.

use crate::db::sql::{self, Conn, Row, from_row};
use crate::db::{Db, new_id};
use crate::error::AppResult;
use mpp_domain::tenancy::MallId;

/// The bill of an application.
#[derive(Debug, Clone)]
pub struct Invoice {
    pub id: String,
    pub application_id: String,
    pub billing_code: String,
    pub amount: i64,
    pub created_at: i64,
    pub paid_at: Option<i64>,
    pub paid_channel: Option<String>,
    pub paid_reference: String,
}

impl Invoice {
    pub fn is_paid(&self) -> bool {
        self.paid_at.is_some()
    }
}

const INVOICE: &str =
    "id, application_id, billing_code, amount, created_at, paid_at, paid_channel, paid_reference FROM invoices";

from_row!(Invoice { id, application_id, billing_code, amount, created_at, paid_at, paid_channel, paid_reference });

pub async fn insert(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    application_id: &str,
    billing_code: &str,
    amount: i64,
    now: i64,
) -> AppResult<()> {
    sql::query(
        "INSERT INTO invoices (mall_id, id, application_id, billing_code, amount, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(mall_id)
    .bind(new_id(now))
    .bind(application_id)
    .bind(billing_code)
    .bind(amount)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn of_application(conn: &mut Conn<'_>, mall_id: &MallId, application_id: &str) -> AppResult<Option<Invoice>> {
    sql::query(format!("SELECT {INVOICE} WHERE mall_id = $1 AND application_id = $2"))
        .bind(mall_id)
        .bind(application_id)
        .fetch_optional(conn)
        .await
}

pub async fn by_code(conn: &mut Conn<'_>, mall_id: &MallId, billing_code: &str) -> AppResult<Option<Invoice>> {
    sql::query(format!("SELECT {INVOICE} WHERE mall_id = $1 AND billing_code = $2"))
        .bind(mall_id)
        .bind(billing_code)
        .fetch_optional(conn)
        .await
}

pub async fn by_id(conn: &mut Conn<'_>, mall_id: &MallId, id: &str) -> AppResult<Option<Invoice>> {
    sql::query(format!("SELECT {INVOICE} WHERE mall_id = $1 AND id = $2"))
        .bind(mall_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// Marks a bill paid; false if it already was (paid by the other channel
/// a moment before).
pub async fn mark_paid(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    id: &str,
    channel: &str,
    reference: &str,
    by: Option<&str>,
    now: i64,
) -> AppResult<bool> {
    let n = sql::query(
        "UPDATE invoices SET paid_at = $3, paid_channel = $4, paid_reference = $5, paid_by = $6
         WHERE mall_id = $1 AND id = $2 AND paid_at IS NULL",
    )
    .bind(mall_id)
    .bind(id)
    .bind(now)
    .bind(channel)
    .bind(reference)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// The secret the mall shares with its payment gateway, if it has one.
pub async fn gateway_secret(conn: &mut Conn<'_>, mall_id: &MallId) -> AppResult<Option<String>> {
    sql::query("SELECT secret FROM payment_gateways WHERE mall_id = $1")
        .bind(mall_id)
        .fetch_optional::<Row>(conn)
        .await?
        .map(|r| r.text("secret"))
        .transpose()
}

/// Sets a mall's gateway secret, with the change's audit entry when
/// someone made it (the secret itself never goes on record).
pub async fn set_gateway_secret(
    db: &Db,
    mall_id: &MallId,
    secret: &str,
    audit: Option<crate::audit::Entry>,
    now: i64,
) -> AppResult<()> {
    let statement = sql::query(
        "INSERT INTO payment_gateways (mall_id, secret, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (mall_id) DO UPDATE SET secret = excluded.secret, updated_at = excluded.updated_at",
    )
    .bind(mall_id)
    .bind(secret)
    .bind(now);
    crate::audit::run_with(db, statement, audit).await
}

/// One line of the callback log.
pub struct Logged<'a> {
    pub outcome: mpp_domain::payment::Outcome,
    pub billing_code: &'a str,
    pub idempotency_key: &'a str,
    pub detail: &'a str,
}

pub async fn log_callback(db: &Db, mall_id: &MallId, l: &Logged<'_>, now: i64) -> AppResult<()> {
    db.run(
        sql::query(
            "INSERT INTO payment_callbacks (mall_id, id, received_at, outcome, billing_code, idempotency_key, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(mall_id)
        .bind(new_id(now))
        .bind(now)
        .bind(l.outcome.as_str())
        .bind(l.billing_code)
        .bind(l.idempotency_key)
        .bind(l.detail),
    )
    .await?;
    Ok(())
}
