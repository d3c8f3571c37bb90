//! One notifier, several channels. Features enqueue a [`Message`]; the
//! outbox row is written at once and a background worker delivers it through
//! each configured channel, retrying with backoff. Nothing a visitor or an
//! officer does ever waits for an SMS gateway or a mail server.
//!
//! Channels: `log` (always on: a structured log line), `email` (SMTP, to
//! messages with an email address) and `webhook` (a signed JSON POST that an
//! SMS or WhatsApp gateway receives).

pub use store::enqueue_in;

pub mod smtp;
mod store;
pub mod webhook;

use crate::db::sql::from_row;
use crate::error::AppResult;
use crate::state::AppState;
use mpp_domain::tenancy::MallId;
use std::time::Duration;

/// Where to send what (from the command line or environment).
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub smtp: Option<smtp::Config>,
    pub webhook: Option<webhook::Config>,
}

/// A message to one person.
#[derive(Debug, Clone, Default)]
pub struct Message {
    pub mall_id: MallId,
    /// What it is about, for receivers: `ticket-near`, `ticket-called`, `booking-confirmed` …
    pub kind: String,
    pub ticket_id: Option<String>,
    pub to_phone: String,
    pub to_email: String,
    pub subject: String,
    pub body: String,
    /// The body holds a secret (a one-time link): the log, which many
    /// people read, gets a note instead of it.
    pub secret: bool,
}

/// Deliveries are tried this many times before giving up.
pub const MAX_ATTEMPTS: i64 = 8;

/// Writes the message to the outbox, one row per channel that can reach
/// the recipient, and wakes the worker.
pub async fn enqueue(state: &AppState, m: &Message) -> AppResult<()> {
    let rows = rows(m, &channels(state, m));
    let m = m.clone();
    let now = state.clock.now_ms();
    state.db.transact(move |conn| Box::pin(async move { store::enqueue_in(conn, &m, &rows, now).await })).await?;
    state.outbox_bell.notify_one();
    Ok(())
}

/// The channels a message goes out on: the log always, email and the
/// webhook when configured and the message has an address for them.
pub fn channels(state: &AppState, m: &Message) -> Vec<&'static str> {
    let mut channels = vec!["log"];
    if state.notify.smtp.is_some() && !m.to_email.is_empty() {
        channels.push("email");
    }
    if state.notify.webhook.is_some() && (!m.to_phone.is_empty() || !m.to_email.is_empty()) {
        channels.push("webhook");
    }
    channels
}

/// A message's row per channel (channel, body), for
/// [`store::enqueue_in`]: written in a transaction of the caller's (with
/// the change it tells of, so neither is kept without the other); ring
/// `outbox_bell` after the commit.
pub fn rows(m: &Message, channels: &[&'static str]) -> Vec<(&'static str, String)> {
    channels
        .iter()
        .map(|channel| {
            let body = if m.secret && *channel == "log" { "(not logged: holds a one-time link)" } else { &m.body };
            (*channel, body.to_owned())
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Outgoing {
    pub id: String,
    pub mall_id: MallId,
    pub channel: String,
    pub kind: String,
    pub ticket_id: Option<String>,
    pub to_phone: String,
    pub to_email: String,
    pub subject: String,
    pub body: String,
    pub attempts: i64,
    pub created_at: i64,
}

from_row!(Outgoing { id, mall_id, channel, kind, ticket_id, to_phone, to_email, subject, body, attempts, created_at });

/// Runs for the life of the server: delivers due messages, one at a time.
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        loop {
            match deliver_due(&state).await {
                Ok(0) => {
                    tokio::select! {
                        () = state.outbox_bell.notified() => {}
                        () = tokio::time::sleep(Duration::from_millis(500)) => {}
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = ?e, "notifier could not read its outbox");
                    tokio::time::sleep(Duration::from_secs(2)).await;
                }
            }
        }
    });
}

/// Delivers the messages now due; returns how many it tried.
pub async fn deliver_due(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now_ms();
    let due = store::due(&state.db, now).await?;
    for m in &due {
        // Claim it, so another server process does not send it too.
        if !store::claim(&state.db, &m.id, now).await? {
            continue;
        }
        let result = match m.channel.as_str() {
            "log" => {
                tracing::info!(kind = %m.kind, to_phone = %m.to_phone, to_email = %m.to_email, body = %m.body, "notification");
                Ok(())
            }
            "email" => match &state.notify.smtp {
                Some(c) => smtp::send(c, &m.to_email, &m.subject, &m.body).await,
                None => Err("email is no longer configured".to_string()),
            },
            "webhook" => match &state.notify.webhook {
                Some(c) => webhook::send(c, m, now).await,
                None => Err("the webhook is no longer configured".to_string()),
            },
            other => Err(format!("unknown channel {other}")),
        };
        settle(state, m, result).await?;
    }
    Ok(due.len())
}

/// Marks a delivery done, or schedules the next try (1 s, 2 s, 4 s … up to
/// ~2 minutes), or gives up after [`MAX_ATTEMPTS`].
async fn settle(state: &AppState, m: &Outgoing, result: Result<(), String>) -> AppResult<()> {
    let now = state.clock.now_ms();
    let attempts = m.attempts + 1;
    match result {
        Ok(()) => {
            store::sent(&state.db, &m.id, attempts, now).await?;
        }
        Err(error) => {
            let status = if attempts >= MAX_ATTEMPTS { "failed" } else { "pending" };
            let delay = 1000i64 << attempts.min(7);
            tracing::warn!(channel = %m.channel, attempts, %error, "notification not delivered");
            let error: String = error.chars().take(500).collect();
            store::retry(&state.db, &m.id, status, attempts, now + delay, &error).await?;
        }
    }
    Ok(())
}
