//! The payment gateway's callback: a bank or QRIS aggregator tells the
//! mall that a bill was paid.
//!
//! `POST /api/v1/malls/{slug}/payments/callback` with
//! - `X-MPP-Timestamp`: Unix seconds when the gateway sent it;
//! - `X-MPP-Signature`: hex HMAC-SHA256, with the secret the mall shares
//!   with its gateway, of `{timestamp}.{raw body}`;
//! - `Idempotency-Key`: the gateway's id for this notification;
//! - a JSON body `{"billing_code", "amount", "reference"}`.
//!
//! A forged signature or a timestamp outside five minutes (a replay of a
//! captured call) is refused; a repeat of the same key is answered as the
//! first time and pays nothing twice. Every call is logged in
//! `payment_callbacks` with what became of it.

use super::store::{self, Invoice, Logged};
use super::{Paid, pay};
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Begin};
use crate::openapi::{SLUG, ok, param, problem, schema_ref};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use mpp_domain::payment::{self as rules, Channel, Outcome};
use mpp_domain::policy::Action;
use serde_json::{Map, Value, json};

pub fn router() -> Routes {
    Routes::new().post("/api/v1/malls/{slug}/payments/callback", Action::ConfirmPayment, callback)
}

/// What the gateway reports.
#[derive(Debug, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Callback {
    /// The 15-digit billing code on the receipt.
    pub billing_code: String,
    /// Rupiah paid: must equal the bill.
    pub amount: i64,
    /// The gateway's transaction id.
    pub reference: String,
}

/// A paid bill.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    pub billing_code: String,
    pub amount: i64,
    /// `paid` once paid.
    pub status: String,
    /// The receipt (kuitansi) number.
    pub receipt_number: String,
    /// The application's registration number.
    pub application: String,
    /// counter or gateway.
    pub channel: Option<String>,
    /// UTC milliseconds.
    pub paid_at: Option<i64>,
}

pub async fn view(state: &AppState, mall: &Mall, i: &Invoice) -> AppResult<PaymentView> {
    let a =
        crate::application::store::by_id(&state.db, &mall.id, &i.application_id).await?.ok_or(AppError::NotFound)?;
    Ok(PaymentView {
        billing_code: i.billing_code.clone(),
        amount: i.amount,
        status: if i.is_paid() { "paid" } else { "unpaid" }.into(),
        receipt_number: rules::receipt_number(&i.billing_code),
        application: a.number,
        channel: i.paid_channel.clone(),
        paid_at: i.paid_at,
    })
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").trim()
}

/// Whether `signature` (hex, optionally `sha256=`) is the secret's HMAC of
/// the timestamp and body.
fn signed(secret: &str, timestamp: &str, body: &[u8], signature: &str) -> bool {
    let given = signature.strip_prefix("sha256=").unwrap_or(signature).to_ascii_lowercase();
    crate::auth::same_secret(&crate::auth::webhook_mac(secret, timestamp, body), &given)
}

/// Logs a callback's fate (and warns in the server log when refused).
async fn log(state: &AppState, mall: &Mall, entry: Logged<'_>) -> AppResult<()> {
    if entry.outcome != Outcome::Accepted {
        tracing::warn!(mall = %mall.slug, outcome = entry.outcome.as_str(), code = entry.billing_code,
                       detail = entry.detail, "payment callback refused or repeated");
    }
    store::log_callback(&state.db, &mall.id, &entry, state.clock.now_ms()).await
}

async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let key = header(&headers, idempotency::HEADER);
    let timestamp = header(&headers, "x-mpp-timestamp");
    let secret = store::gateway_secret(&mut crate::db::sql::Conn::Read(&state.db), &mall.id).await?;
    let failure = match secret {
        None => Some((Outcome::Forged, "payment.no_gateway", "the mall has no gateway secret")),
        Some(secret) if !signed(&secret, timestamp, &body, header(&headers, "x-mpp-signature")) => {
            Some((Outcome::Forged, "payment.bad_signature", "signature does not match"))
        }
        Some(_) => match timestamp.parse::<i64>() {
            Ok(sent) if rules::is_fresh(sent, state.clock.now_ms() / 1000) => None,
            _ => Some((Outcome::Stale, "payment.stale", "timestamp outside the window")),
        },
    };
    let parsed: Option<Callback> = serde_json::from_slice(&body).ok();
    let code = parsed.as_ref().map_or("", |c| c.billing_code.as_str());
    let failure = failure.or(match (&parsed, key.is_empty()) {
        (_, true) => Some((Outcome::Malformed, "payment.key_required", "no Idempotency-Key")),
        (None, _) => Some((Outcome::Malformed, "payment.malformed", "not the callback JSON")),
        _ => None,
    });
    if let Some((outcome, message, detail)) = failure {
        log(&state, &mall, Logged { outcome, billing_code: code, idempotency_key: key, detail }).await?;
        return Err(match outcome {
            Outcome::Forged | Outcome::Stale => AppError::NotAuthentic(message),
            _ => AppError::BadRequest(message),
        });
    }
    let Some(report) = parsed.as_ref() else { return Err(AppError::BadRequest("payment.malformed")) };
    let scope = format!("gateway:{}", mall.id);
    let now = state.clock.now_ms();
    let claim = match idempotency::start(&state.db, &headers, &scope, report, now).await? {
        Some(Begin::Replay(id)) => {
            log(
                &state,
                &mall,
                Logged { outcome: Outcome::Replayed, billing_code: code, idempotency_key: key, detail: "" },
            )
            .await?;
            let conn = &mut crate::db::sql::Conn::Read(&state.db);
            let invoice = store::by_id(conn, &mall.id, &id).await?.ok_or(AppError::NotFound)?;
            return Ok(idempotency::replayed(axum::Json(view(&state, &mall, &invoice).await?).into_response()));
        }
        Some(Begin::New(claim)) => claim,
        None => return Err(AppError::BadRequest("payment.key_required")),
    };
    let result = settle(&state, &mall, report, &claim).await;
    let (outcome, detail) = match &result {
        Ok(_) => (Outcome::Accepted, ""),
        Err(AppError::NotFound) => (Outcome::UnknownCode, "no such billing code"),
        Err(AppError::Invalid(_)) => (Outcome::WrongAmount, "amount differs from the bill"),
        Err(AppError::Conflict(_)) => (Outcome::AlreadyPaid, "the bill was already paid"),
        Err(_) => (Outcome::Malformed, "failed"),
    };
    log(&state, &mall, Logged { outcome, billing_code: code, idempotency_key: key, detail }).await?;
    let invoice = idempotency::settle(&state.db, Some(&claim), result).await?;
    Ok(axum::Json(view(&state, &mall, &invoice).await?).into_response())
}

/// Pays the bill the callback names, if it is one and the amount is right.
async fn settle(state: &AppState, mall: &Mall, report: &Callback, claim: &idempotency::Claim) -> AppResult<Invoice> {
    let conn = &mut crate::db::sql::Conn::Read(&state.db);
    let invoice = store::by_code(conn, &mall.id, report.billing_code.trim()).await?.ok_or(AppError::NotFound)?;
    if invoice.amount != report.amount {
        return Err(AppError::invalid("amount", "payment.wrong_amount"));
    }
    let paid = Paid { channel: Channel::Gateway, reference: &report.reference, by: None, claim: Some(claim) };
    pay(state, mall, &invoice, &paid).await?;
    store::by_id(conn, &mall.id, &invoice.id).await?.ok_or(AppError::NotFound)
}

/// This module's part of the OpenAPI document.
pub fn document(paths: &mut Map<String, Value>) {
    paths.insert(
        "/api/v1/malls/{slug}/payments/callback".into(),
        json!({"parameters": [param("slug", SLUG)],
               "post": {"operationId": "payment_callback", "tags": ["Payments"],
                        "summary": "A bank or QRIS gateway confirms that a bill was paid (HMAC-signed)",
                        "description": "Sign `{X-MPP-Timestamp}.{raw body}` with HMAC-SHA256 and the mall's gateway secret; send the hex digest in `X-MPP-Signature`. Calls older or newer than 300 s are refused. Resending with the same `Idempotency-Key` returns the first answer and pays nothing twice. Every call is logged.",
                        "security": [{"gatewaySignature": []}],
                        "parameters": [
                            {"name": "X-MPP-Timestamp", "in": "header", "required": true, "schema": {"type": "string"}, "description": "Unix seconds."},
                            {"name": "X-MPP-Signature", "in": "header", "required": true, "schema": {"type": "string"}, "description": "Hex HMAC-SHA256 of `{timestamp}.{body}`."},
                            {"name": "Idempotency-Key", "in": "header", "required": true, "schema": {"type": "string", "maxLength": 200}}],
                        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("Callback")}}},
                        "responses": {"200": ok("The bill, paid.", schema_ref("PaymentView")),
                                      "400": problem("No Idempotency-Key, or not the callback JSON."),
                                      "401": problem("Forged (bad signature, no gateway configured) or stale (replayed) call."),
                                      "404": problem("No such mall or billing code."),
                                      "409": problem("Already paid (another channel), or the same key still in flight."),
                                      "422": problem("The amount differs from the bill, or the key was used with another body.")}}}),
    );
}
