//! Messages to visitors who left a phone number: "your turn is near" when
//! they become one of the next few in line, and "please go to counter N"
//! when called. Sent through the notifier after the call has been made, so
//! a slow gateway never delays an officer.

use super::store::{self, Ticket};
use crate::i18n::Tr;
use crate::notify::{self, Message};
use crate::state::AppState;
use mpp_domain::format::Lang;
use mpp_domain::tenancy::MallId;

/// "Your turn is near" goes to whoever has this many or fewer people ahead.
pub const NEAR: i64 = 3;

/// Called after a ticket was called at a counter.
pub fn after_call(state: &AppState, mall_id: &MallId, called: &Ticket, counter: i64) {
    let (state, mall_id, called) = (state.clone(), mall_id.clone(), called.clone());
    tokio::spawn(async move {
        if let Err(e) = send(&state, &mall_id, &called, counter).await {
            tracing::warn!(error = ?e, "could not queue visitor notifications");
        }
    });
}

async fn send(state: &AppState, mall_id: &MallId, called: &Ticket, counter: i64) -> crate::error::AppResult<()> {
    // SMS readers get Indonesian, the language of the kiosk.
    let t = Tr::new(Lang::Id);
    if !called.phone.is_empty() {
        let text = t.f("notice.called", &[("label", &called.label), ("n", &counter.to_string())]);
        notify::enqueue(state, &message(mall_id, "ticket-called", called, &text)).await?;
    }
    let near = usize::try_from(NEAR + 1).unwrap_or(0);
    let now = state.clock.now_ms();
    let to_tell = store::to_tell_near(&state.db, mall_id, &called.day, &called.service_id, near, now).await?;
    if to_tell.is_empty() {
        return Ok(());
    }
    let service = store::brief_by_id(&state.db, mall_id, &called.service_id).await?;
    for (ahead, w) in &to_tell {
        if !store::mark_near_sent(&state.db, mall_id, &w.id).await? {
            continue;
        }
        state.db.lines.told(w);
        let name = service.as_ref().map(|s| s.name_id.as_str()).unwrap_or("");
        let text = t.f("notice.near", &[("label", &w.label), ("n", &ahead.to_string()), ("service", name)]);
        notify::enqueue(state, &message(mall_id, "ticket-near", w, &text)).await?;
    }
    Ok(())
}

fn message(mall_id: &MallId, kind: &str, t: &Ticket, text: &str) -> Message {
    Message {
        mall_id: mall_id.clone(),
        kind: kind.to_string(),
        ticket_id: Some(t.id.to_string()),
        to_phone: t.phone.clone(),
        to_email: String::new(),
        subject: format!("MPP {}", t.label),
        body: text.to_string(),
        secret: false,
    }
}
