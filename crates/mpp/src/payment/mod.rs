//! Fees and payments: an application with a fee gets a bill with a billing
//! code when it is filed; it is paid at a counter (an officer records it)
//! or confirmed by the bank or QRIS gateway's signed callback. Paying
//! approves the workflow's payment step, and the application moves on.
//!
//! - `store.rs`: all of its SQL;
//! - `webhook.rs`: the gateway's callback (HMAC, timestamp window,
//!   idempotency key; every call logged);
//! - `pages.rs`: the counter payment and the receipt (kuitansi).
//!
//! Rules: the fee in `mpp_domain::application::Fees`, the callback's in
//! `mpp_domain::payment`.

pub mod pages;
pub mod store;
pub mod webhook;

use crate::application::flow;
use crate::application::store::{self as applications, Actor, Application};
use crate::db::sql::Conn;
use crate::error::{AppError, AppResult};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::Mall;
use mpp_domain::application::{Status, StepKind, StepStatus};
use mpp_domain::payment::Channel;
use mpp_domain::tenancy::MallId;
use store::Invoice;

pub fn router() -> Routes {
    pages::router()
}

/// Bills an application being filed (inside the filing transaction).
pub async fn bill(conn: &mut Conn<'_>, a: &Application, amount: i64, now: i64) -> AppResult<()> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    let code = mpp_domain::application::billing_code(u64::from_le_bytes(random));
    store::insert(conn, &a.mall_id, &a.id, &code, amount, now).await
}

/// Whether nothing is owed on an application (no bill, or a paid one).
pub async fn settled(conn: &mut Conn<'_>, a: &Application) -> AppResult<bool> {
    Ok(store::of_application(conn, &a.mall_id, &a.id).await?.is_none_or(|i| i.is_paid()))
}

/// Approves the open payment steps of the application's current stage,
/// if nothing is owed; whether it approved any.
pub(crate) async fn approve_payment_steps(
    conn: &mut Conn<'_>,
    a: &Application,
    stage: i64,
    now: i64,
) -> AppResult<bool> {
    if !settled(conn, a).await? {
        return Ok(false);
    }
    let mut approved = false;
    for s in applications::steps(conn, &a.mall_id, &a.id).await? {
        let waiting = s.stage == stage && s.kind == StepKind::Payment && s.status().is_active();
        if waiting && applications::update_step(conn, &a.mall_id, &s, StepStatus::Approved, None, None, now).await? {
            applications::record(conn, a, &Actor { id: None, name: "MPP" }, "approve", Some(&s.id), "", now).await?;
            approved = true;
        }
    }
    Ok(approved)
}

/// How a payment arrived.
pub struct Paid<'a> {
    pub channel: Channel,
    /// The teller's slip number or the gateway's transaction id.
    pub reference: &'a str,
    /// The officer who took it at the counter; `None` for the gateway.
    pub by: Option<Actor<'a>>,
    /// The gateway's idempotency key, recorded in the same transaction.
    pub claim: Option<&'a crate::idempotency::Claim>,
}

/// Records the payment of application `number`'s bill, approves its payment
/// step if open, and moves it on: one transaction. Conflict if it was
/// already paid.
pub async fn pay(state: &AppState, mall: &Mall, invoice: &Invoice, paid: &Paid<'_>) -> AppResult<Application> {
    let today = state.clock.today(mall.zone());
    let now = state.clock.now_ms();
    let cal = crate::calendar::store::working_calendar(&state.db, &mall.id).await?;
    let number =
        applications::by_id(&state.db, &mall.id, &invoice.application_id).await?.ok_or(AppError::NotFound)?.number;
    let (mall_id, keys, invoice) = (mall.id.clone(), state.keys.clone(), invoice.clone());
    let (channel, reference, claim) = (paid.channel, paid.reference.to_owned(), paid.claim.cloned());
    let by = paid.by.as_ref().map(|p| (p.id.map(str::to_owned), p.name.to_owned()));
    let (a, status) = state
        .db
        .transact(move |conn| {
            Box::pin(async move {
                let paid = Paid {
                    channel,
                    reference: &reference,
                    by: by.as_ref().map(|(id, name)| Actor { id: id.as_deref(), name }),
                    claim: claim.as_ref(),
                };
                pay_in(conn, &mall_id, &keys, &invoice, &paid, &number, &cal, today, now).await
            })
        })
        .await?;
    if let Some(s) = status {
        flow::tell(state, mall, &a, flow::message_key(s)).await;
    }
    Ok(a)
}

/// The payment's writes, in its transaction.
#[allow(clippy::too_many_arguments)]
async fn pay_in(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    keys: &crate::certificate::keys::KeyStore,
    invoice: &Invoice,
    paid: &Paid<'_>,
    number: &str,
    cal: &mpp_domain::calendar::WorkingCalendar,
    today: time::Date,
    now: i64,
) -> AppResult<(Application, Option<Status>)> {
    let a = applications::lock(conn, mall_id, number, now).await?.ok_or(AppError::NotFound)?;
    let by = paid.by.as_ref().and_then(|p| p.id);
    if !store::mark_paid(conn, mall_id, &invoice.id, paid.channel.as_str(), paid.reference.trim(), by, now).await? {
        return Err(AppError::Conflict("payment.already_paid"));
    }
    let gateway = Actor { id: None, name: "Bank/QRIS" };
    let actor = paid.by.as_ref().unwrap_or(&gateway);
    let note = format!("{} · {}", mpp_domain::format::rupiah(invoice.amount), paid.reference.trim());
    applications::record(conn, &a, actor, "paid", None, &note, now).await?;
    if let Some(claim) = paid.claim {
        crate::idempotency::complete(conn, claim, &invoice.id).await?;
    }
    let status = if a.status() == Status::InProgress && approve_payment_steps(conn, &a, a.stage, now).await? {
        flow::advance(conn, keys, &a, cal, today, now).await?
    } else {
        None
    };
    Ok((a, status))
}

/// Sets a mall's gateway secret (the `mpp gateway-secret` command).
pub async fn set_gateway_secret(state: &AppState, slug: &str, secret: &str) -> anyhow::Result<()> {
    let mall = crate::tenancy::store::by_slug(&state.db, slug).await.map_err(|_| anyhow::anyhow!("no mall {slug}"))?;
    let now = state.clock.now_ms();
    // The secret itself never goes on record; that it changed, and by whom, does.
    let actor = crate::audit::command_line("gateway-secret");
    let change = crate::audit::Change {
        mall_id: &mall.id,
        actor: &actor,
        action: "update",
        entity: "gateway_secret",
        entity_id: &mall.slug,
        before: None,
        after: Some(serde_json::json!({"length": secret.chars().count()})),
    };
    let entry = crate::audit::entry(change, now);
    store::set_gateway_secret(&state.db, &mall.id, secret, Some(entry), now).await.map_err(|e| anyhow::anyhow!("{e}"))
}
