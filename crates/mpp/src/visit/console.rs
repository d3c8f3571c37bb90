//! The counter console: an officer opens their counter, calls the next
//! visitor, and recalls, skips, serves, holds, transfers or finishes them.
//! Every button is a plain form post (works without JavaScript); a refused
//! action comes back to the console with the reason.

use super::store::{self, Desk, Ticket};
use super::{priority_text, status_key};
use crate::auth::session::CurrentUser;
use crate::catalog::store::{self as catalog, Service};
use crate::error::{AppError, AppResult};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{Ctx, render, url_encode};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::format::{self, iso_date};
use mpp_domain::policy::Action as Policy;
use mpp_domain::visit::lifecycle::Command;
use mpp_domain::visit::{CounterStatus, Outcome, TicketId};

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/loket", Policy::WorkCounter, choose)
        .get("/m/{slug}/loket/{number}", Policy::WorkCounter, console)
        .post("/m/{slug}/loket/{number}/status", Policy::WorkCounter, set_status)
        .post("/m/{slug}/loket/{number}/panggil", Policy::ServeVisitors, call_next)
        .post("/m/{slug}/loket/{number}/aksi", Policy::ServeVisitors, act)
        .post("/m/{slug}/loket/{number}/batal", Policy::ServeVisitors, void)
}

/// A counter this user may work, with its services.
pub struct Station {
    pub mall: Mall,
    pub desk: Desk,
    pub user: CurrentUser,
}

impl Station {
    pub async fn enter(state: &AppState, user: CurrentUser, slug: &str, number: i64) -> AppResult<Station> {
        let mall = tenancy::store::by_slug(&state.db, slug).await?;
        let Some((agency_id, desk)) = store::desk_by_number(&state.db, &mall.id, number).await? else {
            // A counter the mall keeps but has switched off is there, only not in use.
            let kept = catalog::counters(&state.db, &mall.id).await?.iter().any(|c| c.number == number);
            return Err(if kept { AppError::Conflict("counter.inactive") } else { AppError::NotFound });
        };
        let access = crate::auth::store::access(&state.db, &user.id, &mall.id).await?;
        if !access.can_work_counter(&agency_id, &desk.id) {
            return Err(AppError::Forbidden);
        }
        Ok(Station { mall, desk, user })
    }

    pub fn today(&self, state: &AppState) -> String {
        iso_date(state.clock.today(self.mall.zone()))
    }

    fn back(&self, message: Option<&str>) -> Response {
        let to = format!("/m/{}/loket/{}", self.mall.slug, self.desk.number);
        match message {
            Some(key) => Redirect::to(&format!("{to}?pesan={}", url_encode(key))).into_response(),
            None => Redirect::to(&to).into_response(),
        }
    }
}

pub struct CounterLine {
    pub number: i64,
    pub zone: String,
    pub agency: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "visit/counters.html")]
struct ChoosePage {
    ctx: Ctx,
    mall: Mall,
    counters: Vec<CounterLine>,
}

async fn choose(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let access = crate::auth::store::access(&state.db, &user.id, &mall.id).await?;
    let agencies = catalog::agencies(&state.db, &mall.id).await?;
    let mut counters = Vec::new();
    for c in catalog::counters(&state.db, &mall.id).await? {
        if !c.active || !access.can_work_counter(&c.agency_id, &c.id) {
            continue;
        }
        let status =
            store::counter_state(&state.db, &mall.id, &c.id).await?.map_or(CounterStatus::Closed, |s| s.status);
        counters.push(CounterLine {
            number: c.number,
            zone: c.zone,
            agency: agencies
                .iter()
                .find(|a| a.id == c.agency_id)
                .map(|a| ctx.t.pick(&a.name_id, &a.name_en).to_string())
                .unwrap_or_default(),
            status: ctx.t.t(counter_status_key(status)).to_string(),
        });
    }
    if counters.is_empty() {
        return Err(AppError::Forbidden);
    }
    render(&ChoosePage { ctx, mall, counters })
}

pub fn counter_status_key(s: CounterStatus) -> &'static str {
    match s {
        CounterStatus::Open => "counter.status.open",
        CounterStatus::Paused => "counter.status.paused",
        CounterStatus::Closed => "counter.status.closed",
    }
}

/// A ticket as the officer sees it in a list.
pub struct TicketLine {
    pub id: mpp_domain::visit::TicketId,
    pub label: String,
    pub service: String,
    pub priority: String,
    pub status: String,
    pub since: String,
    pub next_services: String,
    pub recalls: i64,
    pub skips: i64,
}

fn line(ctx: &Ctx, mall: &Mall, services: &[Service], t: &Ticket) -> TicketLine {
    let name = |id: &str| {
        services.iter().find(|s| s.id == id).map(|s| ctx.t.pick(&s.name_id, &s.name_en).to_string()).unwrap_or_default()
    };
    TicketLine {
        id: t.id.clone(),
        label: t.label.clone(),
        service: name(&t.service_id),
        priority: match priority_text(&ctx.t, t.priority) {
            none if none.is_empty() && t.quick => ctx.t.t("ticket.quick").to_string(),
            need => need,
        },
        status: ctx.t.t(status_key(t.status())).to_string(),
        since: format::instant(t.called_at.unwrap_or(t.queued_at), mall.zone(), ctx.lang()),
        next_services: t.journey_ids().into_iter().map(name).collect::<Vec<_>>().join(" → "),
        recalls: t.recalls,
        skips: t.skips,
    }
}

pub struct Option2 {
    pub value: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "visit/console.html")]
struct ConsolePage {
    ctx: Ctx,
    mall: Mall,
    number: i64,
    zone: String,
    status: String,
    status_text: String,
    current: Option<TicketLine>,
    current_serving: bool,
    held: Vec<TicketLine>,
    waiting: Vec<TicketLine>,
    waiting_total: usize,
    services: Vec<Option2>,
    counters: Vec<Option2>,
    outcomes: Vec<Option2>,
    message: Option<&'static str>,
}

#[derive(serde::Deserialize)]
struct ConsoleQuery {
    pesan: Option<String>,
}

/// The messages an action may come back with; anything else is ignored.
const MESSAGES: &[&str] = &[
    "visit.counter_not_open",
    "visit.still_serving",
    "visit.nobody_waiting",
    "visit.not_at_counter",
    "visit.changed",
    "visit.not_now",
    "visit.busy_try_again",
    "visit.voided",
    "visit.on_break",
    "visit.close_requested",
];

async fn console(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, i64)>,
    Query(q): Query<ConsoleQuery>,
) -> AppResult<Response> {
    let st = Station::enter(&state, ctx.require_user()?.clone(), &slug, number).await?;
    let day = st.today(&state);
    let services = catalog::services(&state.db, &st.mall.id, true).await?;
    let status =
        store::counter_state(&state.db, &st.mall.id, &st.desk.id).await?.map_or(CounterStatus::Closed, |s| s.status);
    let current = store::current_at(&state.db, &st.mall.id, &st.desk.id).await?;
    let held = store::held_at(&state.db, &st.mall.id, &st.desk.id).await?;
    let waiting: Vec<Ticket> = store::waiting_for_services(&state.db, &st.mall.id, &day, &st.desk.service_ids)
        .await?
        .into_iter()
        .filter(|t| t.target_counter_id.as_deref().is_none_or(|c| c == st.desk.id))
        .collect();
    let counters = catalog::counters(&state.db, &st.mall.id).await?;
    let page = ConsolePage {
        number: st.desk.number,
        zone: st.desk.zone.clone(),
        status_text: ctx.t.t(counter_status_key(status)).to_string(),
        status: status.as_str().to_owned(),
        current_serving: current.as_ref().is_some_and(|t| t.status == mpp_domain::visit::TicketStatus::Serving),
        current: current.as_ref().map(|t| line(&ctx, &st.mall, &services, t)),
        held: held.iter().map(|t| line(&ctx, &st.mall, &services, t)).collect(),
        waiting_total: waiting.len(),
        waiting: waiting.iter().take(30).map(|t| line(&ctx, &st.mall, &services, t)).collect(),
        services: services
            .iter()
            .filter(|s| s.active)
            .map(|s| Option2 {
                value: s.code.clone(),
                label: format!("{} ({})", ctx.t.pick(&s.name_id, &s.name_en), s.code),
            })
            .collect(),
        counters: counters
            .iter()
            .filter(|c| c.active && c.id != st.desk.id)
            .map(|c| Option2 {
                value: c.number.to_string(),
                label: ctx.t.f("counter.number", &[("n", &c.number.to_string())]),
            })
            .collect(),
        outcomes: Outcome::ALL
            .iter()
            .map(|o| Option2 {
                value: o.as_str().to_string(),
                label: ctx
                    .t
                    .t(match o {
                        Outcome::Served => "outcome.served",
                        Outcome::Incomplete => "outcome.incomplete",
                        Outcome::Referred => "outcome.referred",
                    })
                    .to_string(),
            })
            .collect(),
        message: q.pesan.as_deref().and_then(|m| MESSAGES.iter().find(|k| **k == m).copied()),
        mall: st.mall,
        ctx,
    };
    render(&page)
}

/// Turns a refused action into a message on the console; other errors stay errors.
fn outcome(st: &Station, result: AppResult<()>) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(st.back(None)),
        Err(AppError::Conflict(key)) => Ok(st.back(Some(key))),
        Err(e) => Err(e),
    }
}

async fn set_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, i64)>,
    form: Posted,
) -> AppResult<Response> {
    let st = Station::enter(&state, ctx.require_user()?.clone(), &slug, number).await?;
    let Some(status) = CounterStatus::parse(&form.get("status")) else {
        return Err(AppError::invalid("status", "error.invalid"));
    };
    let now = state.clock.now_ms();
    if status == CounterStatus::Closed && needs_approval(&state, &st).await? {
        store::request_close(&state.db, &st.mall.id, &st.desk.id, &st.user.id, now).await?;
        return Ok(st.back(Some("visit.close_requested")));
    }
    let result = store::set_counter_state(&state.db, &st.mall.id, &st.desk.id, status, &st.user.id, now).await;
    outcome(&st, result)
}

/// Closing during opening hours while visitors wait for this counter's
/// services is the mall manager's call (they may close it themselves).
pub async fn needs_approval(state: &AppState, st: &Station) -> AppResult<bool> {
    let access = crate::auth::store::access(&state.db, &st.user.id, &st.mall.id).await?;
    if access.can_manage_mall() {
        return Ok(false);
    }
    let local = state.clock.local(st.mall.zone());
    let open_now = crate::calendar::store::opening_today(&state.db, &st.mall.id, local)
        .await?
        .is_some_and(|(o, c)| local.time() >= o && local.time() < c);
    if !open_now {
        return Ok(false);
    }
    let waiting = store::waiting_for_services(&state.db, &st.mall.id, &st.today(state), &st.desk.service_ids).await?;
    Ok(!waiting.is_empty())
}

async fn call_next(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, i64)>,
) -> AppResult<Response> {
    let st = Station::enter(&state, ctx.require_user()?.clone(), &slug, number).await?;
    if super::issue::break_now(&state, &st.mall).await?.is_some() {
        return Ok(st.back(Some("visit.on_break")));
    }
    let policy = store::settings(&state.db, &st.mall.id).await?.policy();
    let called = store::call_next(
        &state.db,
        &st.mall.id,
        &st.today(&state),
        &st.desk,
        &st.user.id,
        policy,
        state.clock.now_ms(),
    )
    .await;
    match called {
        Ok(Some(t)) => {
            state.board_bell.send_modify(|n| *n += 1);
            super::notices::after_call(&state, &st.mall.id, &t, st.desk.number);
            Ok(st.back(None))
        }
        Ok(None) => Ok(st.back(Some("visit.nobody_waiting"))),
        Err(e) => outcome(&st, Err(e)),
    }
}

async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, i64)>,
    form: Posted,
) -> AppResult<Response> {
    let st = Station::enter(&state, ctx.require_user()?.clone(), &slug, number).await?;
    let input = ActionInput {
        action: form.get("action"),
        outcome: form.get("outcome"),
        service: form.get("service"),
        counter: form.get("counter"),
    };
    let result = perform(&state, &st, &form.get("ticket"), &input).await;
    outcome(&st, result.map(|_| ()))
}

/// An officer's action as sent by the console form or the API.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActionInput {
    /// recall, start, skip, finish, hold, resume, transfer, or void (a
    /// waiting ticket for this counter's services that never printed).
    pub action: String,
    /// For finish: served, incomplete or referred.
    #[serde(default)]
    pub outcome: String,
    /// For transfer: the service code to send the visitor to.
    #[serde(default)]
    pub service: String,
    /// For transfer: one counter's number, or empty for any counter.
    #[serde(default)]
    pub counter: String,
}

/// The actions `perform` takes, by name (the console's buttons, the API's
/// `action`).
pub const ACTIONS: [&str; 8] = ["recall", "start", "skip", "finish", "hold", "resume", "transfer", "void"];

/// Applies an officer's action to a ticket at their counter.
pub async fn perform(state: &AppState, st: &Station, ticket_id: &str, form: &ActionInput) -> AppResult<Ticket> {
    // Not an id MPP could have made: no such ticket.
    let ticket_id = &TicketId::parse(ticket_id).ok_or(AppError::NotFound)?;
    if form.action == "void" {
        let t = store::ticket(&state.db, &st.mall.id, ticket_id).await?.ok_or(AppError::NotFound)?;
        // Only tickets for this counter's services.
        if !st.desk.service_ids.contains(&t.service_id) {
            return Err(AppError::Forbidden);
        }
        store::void(&state.db, &st.mall.id, &t.id, state.clock.now_ms()).await?;
        return store::ticket(&state.db, &st.mall.id, &t.id).await?.ok_or(AppError::NotFound);
    }
    let target_service;
    let target_counter;
    let action = match form.action.as_str() {
        "recall" => Command::Recall,
        "start" => Command::Start,
        "skip" => Command::Skip { limit: store::settings(&state.db, &st.mall.id).await?.recall_limit },
        "finish" => {
            Command::Finish(Outcome::parse(&form.outcome).ok_or_else(|| AppError::invalid("outcome", "error.invalid"))?)
        }
        "hold" => Command::Hold,
        "resume" => Command::Resume,
        "transfer" => {
            let counters = catalog::counters(&state.db, &st.mall.id).await?;
            let code = form.service.clone();
            target_counter = match form.counter.as_str() {
                "" => None,
                n => Some(
                    counters
                        .iter()
                        .find(|c| c.number.to_string() == n && c.active)
                        .ok_or_else(|| AppError::invalid("counter", "error.invalid"))?
                        .id
                        .clone(),
                ),
            };
            target_service = match (code.as_str(), &target_counter) {
                // Only a counter given: the same service, at that counter.
                ("", Some(_)) => {
                    store::ticket(&state.db, &st.mall.id, ticket_id).await?.ok_or(AppError::NotFound)?.service_id
                }
                _ => {
                    store::brief_by_code(&state.db, &st.mall.id, &code)
                        .await?
                        .filter(|s| s.active)
                        .ok_or_else(|| AppError::invalid("service", "visit.pick_service"))?
                        .id
                }
            };
            // A visitor sent to one counter must be someone that counter serves.
            if let Some(c) = &target_counter {
                let pairs = catalog::counter_services(&state.db, &st.mall.id).await?;
                if !pairs.iter().any(|(pc, ps)| pc == c && *ps == target_service) {
                    return Err(AppError::invalid("counter", "visit.counter_wrong_service"));
                }
            }
            Command::Transfer { service_id: target_service, counter_id: target_counter }
        }
        _ => return Err(AppError::invalid("action", "error.invalid")),
    };
    let recall = matches!(action, Command::Recall);
    let t = store::act(&state.db, &st.mall.id, &st.desk, ticket_id, action, state.clock.now_ms()).await?;
    if recall {
        state.board_bell.send_modify(|n| *n += 1);
    }
    Ok(t)
}

async fn void(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, i64)>,
    form: Posted,
) -> AppResult<Response> {
    let st = Station::enter(&state, ctx.require_user()?.clone(), &slug, number).await?;
    let input = ActionInput { action: "void".into(), ..ActionInput::default() };
    match perform(&state, &st, &form.get("ticket"), &input).await {
        Ok(_) => Ok(st.back(Some("visit.voided"))),
        Err(e) => outcome(&st, Err(e)),
    }
}
