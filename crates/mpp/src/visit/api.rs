//! The visit in the JSON API, so a third-party kiosk or a national app can
//! issue tickets and read the queue, and a counter can be worked from
//! another front end. Ticket creation honours `Idempotency-Key`.

use super::console::{ActionInput, Station, perform};
use super::issue::{self, Request};
use super::{TicketView, store};
use crate::api::{ApiJson, ApiUser, accept_lang};
use crate::catalog::store as catalog;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::idempotency::{self, Begin};
use crate::openapi::{SLUG, ok, param, problem, schema_ref};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mpp_domain::format::iso_date;
use mpp_domain::policy::Action;
use mpp_domain::visit::TicketId;
use mpp_domain::visit::{CounterStatus, IssuedBy, Priority};
use serde_json::{Map, Value, json};

pub fn router() -> Routes {
    Routes::new()
        .post("/api/v1/malls/{slug}/tickets", Action::GreetVisitors, create)
        .get("/api/v1/malls/{slug}/tickets/{id}", Action::ReadPublic, read)
        .get("/api/v1/malls/{slug}/queue", Action::ReadPublic, queue)
        .get("/api/v1/malls/{slug}/calls", Action::ReadPublic, calls)
        .put("/api/v1/malls/{slug}/counters/{number}/state", Action::WorkCounter, counter_state)
        .post("/api/v1/malls/{slug}/counters/{number}/call-next", Action::ServeVisitors, call_next)
        .post("/api/v1/malls/{slug}/counters/{number}/tickets/{id}", Action::ServeVisitors, act)
}

/// A ticket request from another kiosk or app.
#[derive(Debug, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketRequest {
    /// Service codes in the order the visitor goes through them (one ticket for the whole journey).
    pub services: Vec<String>,
    /// none, elderly, disability, pregnant or infant.
    #[serde(default)]
    pub priority: Option<String>,
    /// Indonesian mobile number for "your turn is near" messages.
    #[serde(default)]
    pub phone: Option<String>,
    /// A quick errand (collecting a finished document), as the greeter sends.
    #[serde(default)]
    pub quick: bool,
}

async fn view(state: &AppState, headers: &HeaderMap, mall: &Mall, t: &store::Ticket) -> AppResult<TicketView> {
    TicketView::load(state, &Tr::new(accept_lang(headers)), mall, t).await
}

/// Issues a ticket. Any user with a role in the mall may (a kiosk or app
/// runs under such an account's token).
async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<TicketRequest>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let access = crate::auth::store::access(&state.db, &user.0.id, &mall.id).await?;
    if access.grants.is_empty() {
        return Err(AppError::Forbidden);
    }
    let mut services = Vec::new();
    for code in &body.services {
        let brief = store::brief_by_code(&state.db, &mall.id, code).await?.filter(|b| b.active);
        services
            .push(brief.as_ref().map(Into::into).ok_or_else(|| AppError::invalid("services", "visit.pick_service"))?);
    }
    let priority = match body.priority.as_deref() {
        None | Some("") => Priority::None,
        Some(p) => Priority::parse(p).ok_or_else(|| AppError::invalid("priority", "error.bad_field"))?,
    };
    let scope = format!("{}:{}:tickets", user.0.id, mall.id);
    let claim = match idempotency::start(&state.db, &headers, &scope, &body, state.clock.now_ms()).await? {
        None => None,
        Some(Begin::New(claim)) => Some(claim),
        Some(Begin::Replay(id)) => {
            let t = store::ticket(&state.db, &mall.id, &TicketId::new(id)).await?.ok_or(AppError::NotFound)?;
            let v = view(&state, &headers, &mall, &t).await?;
            return Ok(idempotency::replayed(crate::api::created(
                format!("/api/v1/malls/{}/tickets/{}", mall.slug, t.id),
                v,
            )));
        }
    };
    let req = Request {
        services,
        issued_by: IssuedBy::Api,
        priority,
        quick: body.quick,
        phone: body.phone.clone().unwrap_or_default(),
        window: None,
        claim: claim.clone(),
        appointment: None,
    };
    let t = idempotency::settle(&state.db, claim.as_ref(), issue::issue(&state, &mall, req).await).await?;
    let v = view(&state, &headers, &mall, &t).await?;
    Ok(crate::api::created(format!("/api/v1/malls/{}/tickets/{}", mall.slug, t.id), v))
}

/// Whoever holds the ticket's id (its QR code) may read it, as on paper.
async fn read(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let id = TicketId::parse(&id).ok_or(AppError::NotFound)?;
    let t = store::ticket(&state.db, &mall.id, &id).await?.ok_or(AppError::NotFound)?;
    Ok(axum::Json(view(&state, &headers, &mall, &t).await?).into_response())
}

/// Waiting people per service today, with the counters open for it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct QueueLine {
    pub service: String,
    pub waiting: i64,
    pub counters_open: i64,
    pub wait_minutes: u64,
}

async fn queue(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let day = iso_date(state.clock.today(mall.zone()));
    let mut out = Vec::new();
    for s in catalog::services(&state.db, &mall.id, false).await? {
        let waiting = store::waiting_count(&state.db, &mall.id, &day, &s.id, state.clock.now_ms()).await?;
        let (_, open) = store::counters_for(&state.db, &mall.id, &s.id).await?;
        let handling =
            store::handling_secs(&state.db, &mall.id, &s.id, issue::DEFAULT_HANDLING_SECS, state.clock.now_ms())
                .await?;
        let wait_minutes = mpp_domain::visit::estimate_wait_minutes(
            u64::try_from(waiting).unwrap_or(0),
            u64::try_from(handling).unwrap_or(0),
            u64::try_from(open).unwrap_or(0),
        );
        out.push(QueueLine { service: s.code, waiting, counters_open: open, wait_minutes });
    }
    Ok(axum::Json(out).into_response())
}

async fn calls(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    Ok(axum::Json(store::recent_calls(&state.db, &mall.id, None, 20).await?).into_response())
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CounterStateInput {
    /// open, paused or closed.
    pub status: String,
}

async fn counter_state(
    State(state): State<AppState>,
    user: ApiUser,
    Path((slug, number)): Path<(String, i64)>,
    ApiJson(body): ApiJson<CounterStateInput>,
) -> AppResult<Response> {
    let st = Station::enter(&state, user.0, &slug, number).await?;
    let Some(status) = CounterStatus::parse(&body.status) else {
        return Err(AppError::invalid("status", "error.bad_field"));
    };
    let now = state.clock.now_ms();
    if status == CounterStatus::Closed && super::console::needs_approval(&state, &st).await? {
        store::request_close(&state.db, &st.mall.id, &st.desk.id, &st.user.id, now).await?;
        let body = json!({"counter": number, "status": "open", "close_requested": true});
        return Ok((StatusCode::ACCEPTED, axum::Json(body)).into_response());
    }
    store::set_counter_state(&state.db, &st.mall.id, &st.desk.id, status, &st.user.id, now).await?;
    Ok(axum::Json(json!({"counter": number, "status": body.status})).into_response())
}

/// The next visitor for this counter, or 204 when nobody waits.
async fn call_next(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    Path((slug, number)): Path<(String, i64)>,
) -> AppResult<Response> {
    let st = Station::enter(&state, user.0, &slug, number).await?;
    if super::issue::break_now(&state, &st.mall).await?.is_some() {
        return Err(AppError::Conflict("visit.on_break"));
    }
    let policy = store::settings(&state.db, &st.mall.id).await?.policy();
    let day = st.today(&state);
    match store::call_next(&state.db, &st.mall.id, &day, &st.desk, &st.user.id, policy, state.clock.now_ms()).await? {
        Some(t) => {
            state.board_bell.send_modify(|n| *n += 1);
            super::notices::after_call(&state, &st.mall.id, &t, st.desk.number);
            Ok(axum::Json(view(&state, &headers, &st.mall, &t).await?).into_response())
        }
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

async fn act(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    Path((slug, number, id)): Path<(String, i64, String)>,
    ApiJson(body): ApiJson<ActionInput>,
) -> AppResult<Response> {
    let st = Station::enter(&state, user.0, &slug, number).await?;
    let t = perform(&state, &st, &id, &body).await?;
    Ok(axum::Json(view(&state, &headers, &st.mall, &t).await?).into_response())
}

/// This module's part of the OpenAPI document.
pub fn document(paths: &mut Map<String, Value>) {
    let bearer = json!([{"bearer": []}]);
    let ticket = schema_ref("TicketView");
    let refused = |extra: Value| {
        let mut r = json!({"401": problem("No valid bearer token."), "403": problem("The token's owner may not work here."),
                           "404": problem("No such mall, counter or ticket."), "409": problem("Not possible now; `detail` says why."),
                           "422": problem("Invalid input; `errors` names each field.")});
        if let (Some(r), Some(extra)) = (r.as_object_mut(), extra.as_object()) {
            r.extend(extra.clone());
        }
        r
    };
    let number = json!({"name": "number", "in": "path", "required": true, "description": "The counter number.", "schema": {"type": "integer"}});
    paths.insert(
        "/api/v1/malls/{slug}/tickets".into(),
        json!({"parameters": [param("slug", SLUG)],
               "post": {"operationId": "issue_ticket", "tags": ["Queue"], "security": bearer,
                        "summary": "Issue a ticket (one number for the whole journey)",
                        "parameters": [{"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string", "maxLength": 200},
                                        "description": "A retried request with the same key returns the first ticket; reused with another body: 422; still in flight: 409."}],
                        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("TicketRequest")}}},
                        "responses": refused(json!({"201": ok("The ticket.", ticket.clone())}))}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/tickets/{id}".into(),
        json!({"parameters": [param("slug", SLUG), param("id", "The ticket id (from its QR code).")],
               "get": {"operationId": "get_ticket", "tags": ["Queue"], "summary": "A ticket: position, wait, calling counter",
                       "responses": {"200": ok("The ticket.", ticket.clone()), "404": problem("No such ticket.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/queue".into(),
        json!({"parameters": [param("slug", SLUG)],
               "get": {"operationId": "get_queue", "tags": ["Queue"], "summary": "People waiting per service today",
                       "responses": {"200": ok("Per service.", json!({"type": "array", "items": schema_ref("QueueLine")})), "404": problem("No such mall.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/calls".into(),
        json!({"parameters": [param("slug", SLUG)],
               "get": {"operationId": "get_calls", "tags": ["Queue"], "summary": "The latest calls, newest first (what the board shows)",
                       "responses": {"200": ok("Calls.", json!({"type": "array", "items": schema_ref("Call")})), "404": problem("No such mall.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/queue-settings".into(),
        json!({"parameters": [param("slug", SLUG)],
               "get": {"operationId": "get_queue_settings", "tags": ["Queue"], "security": bearer, "summary": "The calling policy, breaks and board text",
                       "responses": {"200": ok("The settings.", schema_ref("SettingsInput")), "401": problem("No valid bearer token."),
                                     "403": problem("No back-office role here."), "404": problem("No such mall.")}},
               "put": {"operationId": "set_queue_settings", "tags": ["Queue"], "security": bearer, "summary": "Change them (mall admins; audited)",
                       "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("SettingsInput")}}},
                       "responses": refused(json!({"200": ok("The settings now.", schema_ref("SettingsInput"))}))}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/counters/{number}/state".into(),
        json!({"parameters": [param("slug", SLUG), number],
               "put": {"operationId": "set_counter_state", "tags": ["Queue"], "security": bearer, "summary": "Open, pause or close a counter",
                       "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("CounterStateInput")}}},
                       "responses": refused(json!({"200": ok("The new state.", json!({"type": "object"})),
                                                   "202": ok("Closing needs the mall manager's approval (visitors wait); the request was sent.", json!({"type": "object"}))}))}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/counters/{number}/call-next".into(),
        json!({"parameters": [param("slug", SLUG), number],
               "post": {"operationId": "call_next", "tags": ["Queue"], "security": bearer,
                        "summary": "Call the next visitor (appointments in their window, then priority, then first come)",
                        "responses": refused(json!({"200": ok("The called ticket.", ticket.clone()), "204": {"description": "Nobody is waiting."}}))}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/counters/{number}/tickets/{id}".into(),
        json!({"parameters": [param("slug", SLUG), number, param("id", "The ticket id.")],
               "post": {"operationId": "ticket_action", "tags": ["Queue"], "security": bearer,
                        "summary": "recall, start, skip, finish, hold, resume, transfer or void a ticket at this counter",
                        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("ActionInput")}}},
                        "responses": refused(json!({"200": ok("The ticket after the action.", ticket)}))}}),
    );
}
