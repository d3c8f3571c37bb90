//! Issuing a ticket, whichever door it comes through (kiosk, greeter, API):
//! the facts are gathered here and judged by `visit::admission::admit` (the
//! mall open, every service offered at a counter, time left today to serve
//! one more visitor).

use super::store::{self, NewTicket, Ticket};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::Mall;
use mpp_domain::format::iso_date;
use mpp_domain::tenancy::MallId;
use mpp_domain::visit::{self as rules, IssuedBy, Priority, admission};

/// Until a service has history, a visit is assumed to take this long.
pub const DEFAULT_HANDLING_SECS: i64 = 600;

/// A service asked for: what issuing needs to know of it.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub id: String,
    pub queue_prefix: String,
    pub active: bool,
}

impl From<&crate::catalog::store::Service> for Wanted {
    fn from(s: &crate::catalog::store::Service) -> Wanted {
        Wanted { id: s.id.clone(), queue_prefix: s.queue_prefix.clone(), active: s.active }
    }
}

impl From<&store::Brief> for Wanted {
    fn from(s: &store::Brief) -> Wanted {
        Wanted { id: s.id.clone(), queue_prefix: s.queue_prefix.clone(), active: s.active }
    }
}

/// A request for a ticket, already parsed.
pub struct Request {
    /// The services in the order the visitor will go through them.
    pub services: Vec<Wanted>,
    pub issued_by: IssuedBy,
    pub priority: Priority,
    pub quick: bool,
    /// As typed; checked and normalised here.
    pub phone: String,
    pub window: Option<(i64, i64)>,
    pub claim: Option<crate::idempotency::Claim>,
    /// The booking this ticket checks in (its id, and whether it came late).
    pub appointment: Option<(String, bool)>,
}

pub async fn issue(state: &AppState, mall: &Mall, req: Request) -> AppResult<Ticket> {
    let phone = match req.phone.trim() {
        "" => String::new(),
        typed => rules::parse_phone(typed).ok_or_else(|| AppError::invalid("phone", "visit.phone_invalid"))?,
    };
    let local = state.clock.local(mall.zone());
    let day = iso_date(local.date());
    let facts = admission_facts(state, mall, &req.services, local, &day).await?;
    admission::admit(&facts).map_err(|refused| match refused {
        admission::Refusal::NoService => AppError::invalid("services", refused.key()),
        _ => AppError::Conflict(refused.key()),
    })?;
    let Some(first) = req.services.first() else { return Err(AppError::invalid("services", "visit.pick_service")) };
    let new = NewTicket {
        mall_id: mall.id.clone(),
        day,
        service_id: first.id.clone(),
        prefix: first.queue_prefix.clone(),
        journey: req.services[1..].iter().map(|s| s.id.clone()).collect(),
        issued_by: req.issued_by,
        priority: req.priority,
        quick: req.quick,
        phone,
        window: req.window,
        claim: req.claim,
        appointment: req.appointment,
    };
    store::issue(&state.db, new, state.clock.now_ms()).await
}

/// What admission looks at, gathered (the rules: `visit::admission`).
async fn admission_facts(
    state: &AppState,
    mall: &Mall,
    services: &[Wanted],
    local: time::OffsetDateTime,
    day: &str,
) -> AppResult<admission::Facts> {
    let hours = crate::calendar::store::opening_today(&state.db, &mall.id, local).await?;
    let mut offered = Vec::with_capacity(services.len());
    for s in services {
        let (counters, _) = store::counters_for(&state.db, &mall.id, &s.id).await?;
        offered.push(admission::Offered { active: s.active, counters: u64::try_from(counters).unwrap_or(0) });
    }
    let (waiting, handling) = match services.first() {
        Some(first) => (
            store::waiting_count(&state.db, &mall.id, day, &first.id, state.clock.now_ms()).await?,
            store::handling_secs(&state.db, &mall.id, &first.id, DEFAULT_HANDLING_SECS, state.clock.now_ms()).await?,
        ),
        None => (0, DEFAULT_HANDLING_SECS),
    };
    Ok(admission::Facts {
        hours,
        now: local.time(),
        weekday: local.weekday().number_from_monday(),
        breaks: store::settings(&state.db, &mall.id).await?.breaks(),
        services: offered,
        waiting: u64::try_from(waiting).unwrap_or(0),
        handling_secs: u64::try_from(handling).unwrap_or(0),
    })
}

/// Where a ticket stands for its visitor: people ahead and minutes to wait.
pub struct Standing {
    pub ahead: i64,
    pub wait_minutes: u64,
}

pub async fn standing(state: &AppState, mall_id: &MallId, t: &Ticket) -> AppResult<Standing> {
    let ahead = store::ahead_of(&state.db, t, state.clock.now_ms()).await?;
    let handling =
        store::handling_secs(&state.db, mall_id, &t.service_id, DEFAULT_HANDLING_SECS, state.clock.now_ms()).await?;
    let (counters, open) = store::counters_for(&state.db, mall_id, &t.service_id).await?;
    // Before any counter opens, estimate with every counter that will.
    let serving = if open > 0 { open } else { counters };
    let wait_minutes = rules::estimate_wait_minutes(
        u64::try_from(ahead).unwrap_or(0),
        u64::try_from(handling).unwrap_or(0),
        u64::try_from(serving).unwrap_or(1),
    );
    Ok(Standing { ahead, wait_minutes })
}

/// The scheduled break in force at the mall right now, if any.
pub async fn break_now(state: &AppState, mall: &Mall) -> AppResult<Option<rules::Break>> {
    let local = state.clock.local(mall.zone());
    let breaks = store::settings(&state.db, &mall.id).await?.breaks();
    Ok(rules::break_at(&breaks, local.weekday().number_from_monday(), local.time()))
}
