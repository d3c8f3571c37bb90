//! The webhook channel: a JSON POST an SMS or WhatsApp gateway receives,
//! signed so the gateway can tell it came from this MPP and is fresh.
//!
//! `X-MPP-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
//! — the receiver recomputes it, compares in constant time, and rejects a
//! timestamp more than five minutes old. `id` is stable across retries, for
//! de-duplication.

use super::Outgoing;

#[derive(Debug, Clone)]
pub struct Config {
    pub url: String,
    pub secret: String,
}

pub const SIGNATURE_HEADER: &str = "x-mpp-signature";

pub fn signature(secret: &str, unix_secs: i64, body: &[u8]) -> String {
    format!("t={unix_secs},v1={}", crate::auth::webhook_mac(secret, &unix_secs.to_string(), body))
}

pub async fn send(c: &Config, m: &Outgoing, now_ms: i64) -> Result<(), String> {
    let body = serde_json::json!({
        "id": m.id, "kind": m.kind, "mall_id": m.mall_id, "ticket_id": m.ticket_id,
        "to_phone": m.to_phone, "to_email": m.to_email, "subject": m.subject, "text": m.body,
        "created_at": m.created_at,
    })
    .to_string();
    let client =
        reqwest::Client::builder().timeout(std::time::Duration::from_secs(10)).build().map_err(|e| e.to_string())?;
    let resp = client
        .post(&c.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(SIGNATURE_HEADER, signature(&c.secret, now_ms / 1000, body.as_bytes()))
        .body(body)
        .send()
        .await
        .map_err(|e| format!("webhook: {e}"))?;
    if resp.status().is_success() { Ok(()) } else { Err(format!("webhook answered {}", resp.status())) }
}
