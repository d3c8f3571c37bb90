//! The personal-data breach register (`/m/{slug}/admin/insiden`): the
//! mall's manager records an incident — what happened, the window, and
//! the staff account whose reads are suspect (or every reader) — and MPP
//! lists the citizens whose data those reads touched, from the access log.
//! Telling them and the national supervisors goes through the notifier, in
//! one transaction with the incident's `notified_at`; the 3 × 24-hour
//! deadline from discovery is tracked on the page. Rules: `mpp_domain::breach`.

mod store;

use crate::error::{AppError, AppResult, FieldError};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::{Ctx, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::breach::{NOTIFY_MS, notice_state, parse_local};
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/admin/insiden", Action::ViewBackOffice, page)
        .post("/m/{slug}/admin/insiden", Action::ManageMall, record)
        .post("/m/{slug}/admin/insiden/{id}/beritahu", Action::ManageMall, notify)
}

/// One incident as the page lists it.
pub struct Line {
    pub id: String,
    pub title: String,
    pub description: String,
    pub window: String,
    pub reader: String,
    pub affected: i64,
    pub notify_by: String,
    pub notified: String,
    /// `done`, `late`, `due` or `overdue`.
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "breach/register.html")]
struct RegisterPage {
    ctx: Ctx,
    bo: BackOffice,
    lines: Vec<Line>,
    /// (user id, name) of the mall's staff, for the suspect reader.
    staff: Vec<(String, String)>,
    typed: Vec<(&'static str, String)>,
    errors: Vec<FieldError>,
}

impl RegisterPage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.key)
    }

    fn typed(&self, field: &str) -> &str {
        self.typed.iter().find(|(f, _)| *f == field).map_or("", |(_, v)| v.as_str())
    }
}

async fn show(
    state: &AppState,
    ctx: Ctx,
    bo: BackOffice,
    typed: Vec<(&'static str, String)>,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    bo.require(bo.access.can_view_whole_mall())?;
    let zone = bo.mall.zone();
    let at = |ms: i64| mpp_domain::format::instant(ms, zone, ctx.lang());
    let members = crate::staff::store::members(&state.db, &bo.mall.id).await?;
    let now = state.clock.now_ms();
    let lines = store::of_mall(&state.db, &bo.mall.id)
        .await?
        .into_iter()
        .map(|(b, affected)| Line {
            reader: members
                .iter()
                .find(|m| m.user_id == b.reader_id)
                .map(|m| format!("{} <{}>", m.name, m.email))
                .unwrap_or_else(|| ctx.t.t("breach.every_reader").to_string()),
            window: format!("{} – {}", at(b.from_at), at(b.to_at)),
            notify_by: at(b.notify_by),
            notified: b.notified_at.map(at).unwrap_or_default(),
            state: notice_state(b.notify_by, b.notified_at, now),
            affected,
            id: b.id,
            title: b.title,
            description: b.description,
        })
        .collect();
    let staff = members.into_iter().map(|m| (m.user_id, format!("{} <{}>", m.name, m.email))).collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render_status(status, &RegisterPage { ctx, bo, lines, staff, typed, errors })
}

async fn page(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    show(&state, ctx, bo, Vec::new(), Vec::new()).await
}

/// Records an incident and the citizens it touched.
async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_manage_mall())?;
    let zone = bo.mall.zone();
    let typed: Vec<(&'static str, String)> =
        ["title", "description", "reader", "from", "to", "discovered"].into_iter().map(|f| (f, form.get(f))).collect();
    let get = |f: &str| typed.iter().find(|(k, _)| *k == f).map_or(String::new(), |(_, v)| v.clone());
    let (from_at, to_at, discovered_at) =
        (parse_local(&get("from"), zone), parse_local(&get("to"), zone), parse_local(&get("discovered"), zone));
    let now = state.clock.now_ms();
    let mut errors: Vec<FieldError> = mpp_domain::breach::check(&get("title"), from_at, to_at, discovered_at, now)
        .into_iter()
        .map(|(field, key)| FieldError::new(field, key))
        .collect();
    let reader = get("reader");
    if !reader.is_empty() && crate::staff::store::member(&state.db, &bo.mall.id, &reader).await?.is_none() {
        errors.push(FieldError::new("reader", "breach.bad_reader"));
    }
    let (Some(from_at), Some(to_at), Some(discovered_at), true) = (from_at, to_at, discovered_at, errors.is_empty())
    else {
        return show(&state, ctx, bo, typed, errors).await;
    };
    let b = store::Breach {
        mall_id: bo.mall.id.clone(),
        id: crate::db::new_id(now),
        title: get("title").trim().to_string(),
        description: get("description").trim().to_string(),
        reader_id: reader,
        from_at,
        to_at,
        discovered_at,
        notify_by: discovered_at + NOTIFY_MS,
        notified_at: None,
        recorded_by: bo.user.id.clone(),
        created_at: now,
    };
    let id = b.id.clone();
    store::record(&state.db, b).await?;
    Ok(Redirect::to(&format!("/m/{}/admin/insiden#{id}", bo.mall.slug)).into_response())
}

/// Tells every citizen the incident touched, and the national supervisors.
async fn notify(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_manage_mall())?;
    let (b, affected) = store::of_mall(&state.db, &bo.mall.id)
        .await?
        .into_iter()
        .find(|(b, _)| b.id == id)
        .ok_or(AppError::NotFound)?;
    // Messages are in Indonesian, the language of every citizen's account.
    let t = crate::i18n::Tr::new(mpp_domain::format::Lang::Id);
    let zone = bo.mall.zone();
    let at = |ms: i64| mpp_domain::format::instant(ms, zone, t.lang);
    let window = format!("{} – {}", at(b.from_at), at(b.to_at));
    let message = |to: String, subject: String, body: String| crate::notify::Message {
        mall_id: bo.mall.id.clone(),
        kind: "data-breach".into(),
        ticket_id: None,
        to_phone: String::new(),
        to_email: to,
        subject,
        body,
        secret: false,
    };
    let citizen_body = t.f(
        "breach.citizen_body",
        &[("mall", &bo.mall.name), ("title", &b.title), ("window", &window), ("description", &b.description)],
    );
    let mut messages = Vec::new();
    for email in store::affected_emails(&state.db, &bo.mall.id, &b.id).await? {
        messages.push(message(email, t.f("breach.citizen_subject", &[("mall", &bo.mall.name)]), citizen_body.clone()));
    }
    let count = affected.to_string();
    let supervisor_body = t.f(
        "breach.supervisor_body",
        &[
            ("mall", &bo.mall.name),
            ("title", &b.title),
            ("window", &window),
            ("count", &count),
            ("discovered", &at(b.discovered_at)),
        ],
    );
    for email in store::supervisor_emails(&state.db).await? {
        messages.push(message(
            email,
            t.f("breach.supervisor_subject", &[("mall", &bo.mall.name)]),
            supervisor_body.clone(),
        ));
    }
    let messages = messages.into_iter().map(|m| {
        let rows = crate::notify::rows(&m, &crate::notify::channels(&state, &m));
        (m, rows)
    });
    if !store::notify(&state.db, &bo.mall.id, &b.id, messages.collect(), state.clock.now_ms()).await? {
        return Err(AppError::Conflict("breach.told_already"));
    }
    state.outbox_bell.notify_one();
    Ok(Redirect::to(&format!("/m/{}/admin/insiden#{}", bo.mall.slug, b.id)).into_response())
}
