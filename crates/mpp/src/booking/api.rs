//! Appointments in the JSON API: a day's slots (public), booking and
//! cancelling (the citizen's own token, `Idempotency-Key` on booking), and
//! check-in (a staff token, for a third-party kiosk).

use super::store;
use super::{Choice, DayOffer, book, check_in, offer};
use crate::api::{ApiJson, ApiUser, accept_lang};
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Begin};
use crate::openapi::{SLUG, ok, param, problem, schema_ref};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy;
use crate::visit::TicketView;
use crate::visit::store as visit;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use mpp_domain::booking as rules;
use mpp_domain::format::parse_date;
use mpp_domain::policy::Action;
use mpp_domain::tenancy::MallId;
use serde_json::{Map, Value, json};

pub fn router() -> Routes {
    Routes::new()
        .get("/api/v1/malls/{slug}/services/{code}/slots", Action::ReadPublic, slots)
        .post("/api/v1/malls/{slug}/appointments", Action::Book, create)
        .get("/api/v1/malls/{slug}/appointments/{booking}", Action::Book, read)
        .delete("/api/v1/malls/{slug}/appointments/{booking}", Action::Book, cancel)
        .post("/api/v1/malls/{slug}/appointments/{booking}/check-in", Action::GreetVisitors, arrive)
}

#[derive(serde::Deserialize)]
struct SlotQuery {
    date: String,
}

async fn slots(
    State(state): State<AppState>,
    Path((slug, code)): Path<(String, String)>,
    Query(q): Query<SlotQuery>,
) -> AppResult<axum::Json<DayOffer>> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let s = visit::brief_by_code(&state.db, &mall.id, &code).await?.ok_or(AppError::NotFound)?;
    let day = parse_date(&q.date).ok_or_else(|| AppError::invalid("date", "form.bad_date"))?;
    Ok(axum::Json(offer(&state, &mall, &s, day).await?))
}

/// A booking request.
#[derive(Debug, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingRequest {
    /// The service code.
    pub service: String,
    /// The day, `YYYY-MM-DD`.
    pub date: String,
    /// The slot's start, UTC milliseconds (from the slots list).
    pub start: i64,
}

/// A booking as the API returns it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BookingView {
    pub code: String,
    pub service: String,
    pub date: String,
    pub start: i64,
    pub end: i64,
    /// booked, cancelled, checked_in, late (became a walk-in) or no_show.
    pub status: String,
    pub ticket_id: Option<String>,
}

async fn view(state: &AppState, mall_id: &MallId, a: &store::Appointment) -> AppResult<BookingView> {
    let s = visit::brief_by_id(&state.db, mall_id, &a.service_id).await?;
    Ok(BookingView {
        code: a.code.clone(),
        service: s.map(|s| s.code).unwrap_or_default(),
        date: a.day.clone(),
        start: a.slot_start,
        end: a.slot_end,
        status: a.status.as_str().to_owned(),
        ticket_id: a.ticket_id.clone(),
    })
}

async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<BookingRequest>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let s = visit::brief_by_code(&state.db, &mall.id, &body.service)
        .await?
        .filter(|s| s.active)
        .ok_or_else(|| AppError::invalid("service", "visit.pick_service"))?;
    let scope = format!("{}:{}:appointments", user.0.id, mall.id);
    let claim = match idempotency::start(&state.db, &headers, &scope, &body, state.clock.now_ms()).await? {
        None => None,
        Some(Begin::New(claim)) => Some(claim),
        Some(Begin::Replay(id)) => {
            let a = store::by_id(&state.db, &mall.id, &id).await?.ok_or(AppError::NotFound)?;
            let location = format!("/api/v1/malls/{}/appointments/{}", mall.slug, a.code);
            return Ok(idempotency::replayed(crate::api::created(location, view(&state, &mall.id, &a).await?)));
        }
    };
    let choice = Choice { date: &body.date, start: body.start };
    let result = book(&state, &mall, &user.0, &s, choice, None, claim.as_ref()).await;
    let a = idempotency::settle(&state.db, claim.as_ref(), result).await?;
    Ok(crate::api::created(
        format!("/api/v1/malls/{}/appointments/{}", mall.slug, a.code),
        view(&state, &mall.id, &a).await?,
    ))
}

/// The caller's own booking; anyone else's is not found.
async fn own(
    state: &AppState,
    user: &ApiUser,
    slug: &str,
    booking: &str,
) -> AppResult<(tenancy::Mall, store::Appointment)> {
    let mall = tenancy::store::by_slug(&state.db, slug).await?;
    let code = rules::parse_booking_code(booking).ok_or(AppError::NotFound)?;
    let a = store::by_code(&state.db, &mall.id, &code)
        .await?
        .filter(|a| a.user_id == user.0.id)
        .ok_or(AppError::NotFound)?;
    Ok((mall, a))
}

async fn read(
    State(state): State<AppState>,
    user: ApiUser,
    Path((slug, booking)): Path<(String, String)>,
) -> AppResult<Response> {
    let (mall, a) = own(&state, &user, &slug, &booking).await?;
    Ok(axum::Json(view(&state, &mall.id, &a).await?).into_response())
}

async fn cancel(
    State(state): State<AppState>,
    user: ApiUser,
    Path((slug, booking)): Path<(String, String)>,
) -> AppResult<Response> {
    let (mall, a) = own(&state, &user, &slug, &booking).await?;
    store::cancel(&state.db, &mall.id, &a, state.clock.now_ms()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Check-in by a kiosk or app working for the mall (any staff token).
async fn arrive(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    Path((slug, booking)): Path<(String, String)>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let access = crate::auth::store::access(&state.db, &user.0.id, &mall.id).await?;
    if !access.is_staff() {
        return Err(AppError::Forbidden);
    }
    let t = check_in(&state, &mall, &booking).await?;
    let v = TicketView::load(&state, &crate::i18n::Tr::new(accept_lang(&headers)), &mall, &t).await?;
    Ok(crate::api::created(format!("/api/v1/malls/{}/tickets/{}", mall.slug, t.id), v))
}

/// This module's part of the OpenAPI document.
pub fn document(paths: &mut Map<String, Value>) {
    let bearer = json!([{"bearer": []}]);
    let booking = schema_ref("BookingView");
    let code = param("booking", "The booking code, e.g. `K7Q2-M4PX`.");
    paths.insert(
        "/api/v1/malls/{slug}/services/{code}/slots".into(),
        json!({"parameters": [param("slug", SLUG), param("code", "The service code."),
                              {"name": "date", "in": "query", "required": true, "schema": {"type": "string", "format": "date"}}],
               "get": {"operationId": "get_slots", "tags": ["Appointments"], "summary": "A day's slots for a service, with places left",
                       "responses": {"200": ok("The day's offer.", schema_ref("DayOffer")), "404": problem("No such mall or service."),
                                     "422": problem("Bad date.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/appointments".into(),
        json!({"parameters": [param("slug", SLUG)],
               "post": {"operationId": "book_appointment", "tags": ["Appointments"], "security": bearer,
                        "summary": "Book a slot (the token's owner is the citizen)",
                        "parameters": [{"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string", "maxLength": 200}}],
                        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("BookingRequest")}}},
                        "responses": {"201": ok("The booking.", booking.clone()), "401": problem("No valid bearer token."),
                                      "404": problem("No such mall."), "409": problem("The slot or the day is full."),
                                      "422": problem("Invalid input.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/appointments/{booking}".into(),
        json!({"parameters": [param("slug", SLUG), code.clone()],
               "get": {"operationId": "get_appointment", "tags": ["Appointments"], "security": bearer, "summary": "One of the caller's bookings",
                       "responses": {"200": ok("The booking.", booking), "401": problem("No valid bearer token."), "404": problem("Not the caller's booking.")}},
               "delete": {"operationId": "cancel_appointment", "tags": ["Appointments"], "security": bearer, "summary": "Cancel one of the caller's bookings",
                          "responses": {"204": {"description": "Cancelled; the place is free again."}, "401": problem("No valid bearer token."),
                                        "404": problem("Not the caller's booking."), "409": problem("Not open any more.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/appointments/{booking}/check-in".into(),
        json!({"parameters": [param("slug", SLUG), code],
               "post": {"operationId": "check_in", "tags": ["Appointments"], "security": bearer,
                        "summary": "Turn a booking into a ticket at the mall (staff token)",
                        "responses": {"201": ok("The ticket: inside its window it is served ahead of walk-ins; late, it is a walk-in.", schema_ref("TicketView")),
                                      "401": problem("No valid bearer token."), "403": problem("Not staff of this mall."),
                                      "404": problem("No such mall."),
                                      "409": problem("Not today, or already used or cancelled."), "422": problem("Unknown code.")}}}),
    );
}
