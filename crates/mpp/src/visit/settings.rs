//! The mall's queue settings: the calling policy's caps, the no-show limit,
//! the scheduled breaks, the board's running text and how many tickets a
//! browser that is not one of the mall's kiosks may take. Mall admins change
//! them (audited); whoever reads the back office sees them. Also in the API.

use super::store::{self, Settings};
use crate::api::{ApiJson, ApiUser};
use crate::audit::{self, Change};
use crate::catalog::agencies::to_errors;
use crate::crud::{Form, render_form};
use crate::error::{AppError, AppResult};
use crate::forms::{Field, Kind, Posted};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::Ctx;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::policy::Action;
use mpp_domain::visit::SettingsInput;

pub fn router() -> Routes {
    Routes::new().get("/m/{slug}/admin/antrian/pengaturan", Action::ViewBackOffice, page).post(
        "/m/{slug}/admin/antrian/pengaturan",
        Action::ManageMall,
        save,
    )
}

pub fn api_router() -> Routes {
    Routes::new().get("/api/v1/malls/{slug}/queue-settings", Action::ViewBackOffice, api_read).put(
        "/api/v1/malls/{slug}/queue-settings",
        Action::ManageMall,
        api_write,
    )
}

pub fn input(s: &Settings) -> SettingsInput {
    SettingsInput {
        priority_run: s.priority_run,
        quick_run: s.quick_run,
        recall_limit: s.recall_limit,
        daily_break_from: s.daily_break_from.clone(),
        daily_break_to: s.daily_break_to.clone(),
        friday_break_from: s.friday_break_from.clone(),
        friday_break_to: s.friday_break_to.clone(),
        board_text_id: s.board_text_id.clone(),
        board_text_en: s.board_text_en.clone(),
        anonymous_kiosk_per_hour: s.anonymous_kiosk_per_hour,
        bookings_per_citizen: s.bookings_per_citizen,
    }
}

fn fields(v: &SettingsInput) -> Vec<Field> {
    vec![
        Field::new("h_policy", "settings.policy", Kind::Heading, ""),
        Field::new("priority_run", "settings.priority_run", Kind::Number, v.priority_run.to_string())
            .help("settings.priority_run_help"),
        Field::new("quick_run", "settings.quick_run", Kind::Number, v.quick_run.to_string())
            .help("settings.quick_run_help"),
        Field::new("recall_limit", "settings.recall_limit", Kind::Number, v.recall_limit.to_string())
            .help("settings.recall_limit_help"),
        Field::new("h_breaks", "settings.breaks", Kind::Heading, ""),
        Field::new("daily_break_from", "settings.daily_break_from", Kind::Time, &v.daily_break_from)
            .help("settings.breaks_help"),
        Field::new("daily_break_to", "settings.daily_break_to", Kind::Time, &v.daily_break_to),
        Field::new("friday_break_from", "settings.friday_break_from", Kind::Time, &v.friday_break_from),
        Field::new("friday_break_to", "settings.friday_break_to", Kind::Time, &v.friday_break_to),
        Field::new("h_board", "settings.board", Kind::Heading, ""),
        Field::new("board_text_id", "settings.board_text_id", Kind::Area, &v.board_text_id),
        Field::new("board_text_en", "settings.board_text_en", Kind::Area, &v.board_text_en),
        Field::new("h_kiosk", "settings.kiosk", Kind::Heading, ""),
        Field::new(
            "anonymous_kiosk_per_hour",
            "settings.anonymous_kiosk_per_hour",
            Kind::Number,
            v.anonymous_kiosk_per_hour.to_string(),
        )
        .help("settings.anonymous_kiosk_per_hour_help"),
        Field::new("h_booking", "settings.booking", Kind::Heading, ""),
        Field::new(
            "bookings_per_citizen",
            "settings.bookings_per_citizen",
            Kind::Number,
            v.bookings_per_citizen.to_string(),
        )
        .help("settings.bookings_per_citizen_help"),
    ]
}

fn form(ctx: &Ctx, bo: &BackOffice, v: &SettingsInput, errors: Vec<crate::error::FieldError>, saved: bool) -> Form {
    Form {
        section: "antrian",
        heading: ctx.t.t("settings.title").to_string(),
        action: format!("/m/{}/admin/antrian/pengaturan", bo.mall.slug),
        delete_action: None,
        public_href: None,
        related: None,
        multipart: false,
        saved,
        read_only: !bo.access.can_manage_mall(),
        fields: fields(v),
        errors,
    }
}

#[derive(serde::Deserialize, Default)]
struct Saved {
    disimpan: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<Saved>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let v = input(&store::settings(&state.db, &bo.mall.id).await?);
    let f = form(&ctx, &bo, &v, Vec::new(), q.disimpan.is_some());
    render_form(ctx, bo, f)
}

/// Checks and stores new settings, with an audit entry; the settings before.
async fn write(state: &AppState, bo: &BackOffice, v: &SettingsInput) -> AppResult<()> {
    bo.require(bo.access.can_manage_mall())?;
    let problems = v.validate();
    if !problems.is_empty() {
        return Err(AppError::Invalid(to_errors(problems)));
    }
    let before = input(&store::settings(&state.db, &bo.mall.id).await?);
    let now = state.clock.now_ms();
    let change = Change {
        mall_id: &bo.mall.id,
        actor: &bo.user,
        action: "update",
        entity: "queue_settings",
        entity_id: &bo.mall.id,
        before: serde_json::to_value(&before).ok(),
        after: serde_json::to_value(v).ok(),
    };
    store::save_settings(&state.db, &bo.mall.id, v, Some(audit::entry(change, now)), now).await?;
    // Configuration changed: drop what the hot paths cached.
    state.db.cache.clear();
    Ok(())
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    posted: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let mut errors = Vec::new();
    let v = SettingsInput {
        priority_run: posted.number("priority_run", &mut errors),
        quick_run: posted.number("quick_run", &mut errors),
        recall_limit: posted.number("recall_limit", &mut errors),
        daily_break_from: posted.get("daily_break_from"),
        daily_break_to: posted.get("daily_break_to"),
        friday_break_from: posted.get("friday_break_from"),
        friday_break_to: posted.get("friday_break_to"),
        board_text_id: posted.get("board_text_id"),
        board_text_en: posted.get("board_text_en"),
        anonymous_kiosk_per_hour: posted.number("anonymous_kiosk_per_hour", &mut errors),
        bookings_per_citizen: posted.number("bookings_per_citizen", &mut errors),
    };
    let result = if errors.is_empty() { write(&state, &bo, &v).await } else { Err(AppError::Invalid(errors)) };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/m/{}/admin/antrian/pengaturan?disimpan=1", bo.mall.slug)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let f = form(&ctx, &bo, &v, errors, false);
            render_form(ctx, bo, f)
        }
        Err(e) => Err(e),
    }
}

async fn api_read(State(state): State<AppState>, user: ApiUser, Path(slug): Path<String>) -> AppResult<Response> {
    let bo = user.back_office(&state, &slug).await?;
    Ok(axum::Json(input(&store::settings(&state.db, &bo.mall.id).await?)).into_response())
}

async fn api_write(
    State(state): State<AppState>,
    user: ApiUser,
    Path(slug): Path<String>,
    ApiJson(v): ApiJson<SettingsInput>,
) -> AppResult<Response> {
    let bo = user.back_office(&state, &slug).await?;
    write(&state, &bo, &v).await?;
    Ok(axum::Json(input(&store::settings(&state.db, &bo.mall.id).await?)).into_response())
}
