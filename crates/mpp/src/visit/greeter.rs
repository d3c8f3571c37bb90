//! Greeter mode: a staff member at the entrance issues tickets on a tablet
//! for visitors who can't or won't use the kiosk, sending quick errands
//! (collecting a finished document, under five minutes) to the quick lane
//! and the rest to the long queue. The greeter also voids a kiosk ticket
//! that never printed, by its number, so it never haunts the queue.

use super::issue::{self, Request};
use super::kiosk::{PriorityOption, priority_options};
use super::store;
use crate::catalog::store as catalog;
use crate::error::{AppError, AppResult};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{Ctx, render, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::format::iso_date;
use mpp_domain::policy::Action;
use mpp_domain::visit::{IssuedBy, Priority};

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/penyambut", Action::GreetVisitors, page)
        .post("/m/{slug}/penyambut", Action::GreetVisitors, issue_ticket)
        .post("/m/{slug}/penyambut/batal", Action::GreetVisitors, void_by_number)
}

/// The mall, if this user works there.
async fn enter(state: &AppState, ctx: &Ctx, slug: &str) -> AppResult<Mall> {
    let user = ctx.require_user()?;
    let mall = tenancy::store::by_slug(&state.db, slug).await?;
    let access = crate::auth::store::access(&state.db, &user.id, &mall.id).await?;
    if !access.is_staff() {
        return Err(AppError::Forbidden);
    }
    Ok(mall)
}

pub struct ServiceGroup {
    pub agency: String,
    pub services: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "visit/greeter.html")]
struct GreeterPage {
    ctx: Ctx,
    mall: Mall,
    groups: Vec<ServiceGroup>,
    chosen: String,
    quick: bool,
    phone: String,
    priorities: Vec<PriorityOption>,
    error: Option<&'static str>,
    message: Option<String>,
}

#[derive(serde::Deserialize, Default)]
struct GreeterQuery {
    batal: Option<String>,
}

async fn groups(state: &AppState, ctx: &Ctx, mall: &Mall) -> AppResult<Vec<ServiceGroup>> {
    let services = catalog::services(&state.db, &mall.id, false).await?;
    Ok(catalog::agencies(&state.db, &mall.id)
        .await?
        .into_iter()
        .map(|a| ServiceGroup {
            agency: ctx.t.pick(&a.name_id, &a.name_en).to_string(),
            services: services
                .iter()
                .filter(|s| s.agency_id == a.id)
                .map(|s| (s.code.clone(), ctx.t.pick(&s.name_id, &s.name_en).to_string()))
                .collect(),
        })
        .filter(|g| !g.services.is_empty())
        .collect())
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<GreeterQuery>,
) -> AppResult<Response> {
    let mall = enter(&state, &ctx, &slug).await?;
    let groups = groups(&state, &ctx, &mall).await?;
    let message = q.batal.map(|label| ctx.t.f("greeter.voided", &[("label", &label)]));
    let priorities = priority_options(&ctx, Priority::None);
    render(&GreeterPage {
        ctx,
        mall,
        groups,
        chosen: String::new(),
        quick: false,
        phone: String::new(),
        priorities,
        error: None,
        message,
    })
}

async fn issue_ticket(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: Posted,
) -> AppResult<Response> {
    let mall = enter(&state, &ctx, &slug).await?;
    let code = form.get("service");
    let chosen: Vec<_> = store::brief_by_code(&state.db, &mall.id, &code).await?.iter().map(Into::into).collect();
    let priority = Priority::parse(&form.get("priority")).unwrap_or(Priority::None);
    let req = Request {
        services: chosen,
        issued_by: IssuedBy::Greeter,
        priority,
        quick: form.flag("quick"),
        phone: form.get("phone"),
        window: None,
        claim: None,
        appointment: None,
    };
    match issue::issue(&state, &mall, req).await {
        Ok(t) => Ok(Redirect::to(&format!("/m/{}/kiosk/tiket/{}?dari=penyambut", mall.slug, t.id)).into_response()),
        Err(e) => match e.form_message() {
            Some(key) => again(&state, ctx, mall, &form, priority, key, e.status()).await,
            None => Err(e),
        },
    }
}

async fn again(
    state: &AppState,
    ctx: Ctx,
    mall: Mall,
    form: &Posted,
    priority: Priority,
    key: &'static str,
    status: StatusCode,
) -> AppResult<Response> {
    let groups = groups(state, &ctx, &mall).await?;
    let priorities = priority_options(&ctx, priority);
    let page = GreeterPage {
        ctx,
        mall,
        groups,
        chosen: form.get("service"),
        quick: form.flag("quick"),
        phone: form.get("phone"),
        priorities,
        error: Some(key),
        message: None,
    };
    render_status(status, &page)
}

/// Voids today's ticket with this number, if it was never called.
async fn void_by_number(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: Posted,
) -> AppResult<Response> {
    let mall = enter(&state, &ctx, &slug).await?;
    let label = form.get("label").to_uppercase();
    let day = iso_date(state.clock.today(mall.zone()));
    let t = store::by_label(&state.db, &mall.id, &day, &label).await?;
    let voided = match t {
        Some(t) => store::void(&state.db, &mall.id, &t.id, state.clock.now_ms()).await,
        None => Err(AppError::invalid("label", "greeter.no_such_ticket")),
    };
    match voided {
        Ok(()) => Ok(Redirect::to(&format!("/m/{}/penyambut?batal={}", mall.slug, crate::web::url_encode(&label)))
            .into_response()),
        Err(e) => match e.form_message() {
            Some(key) => again(&state, ctx, mall, &form, Priority::None, key, e.status()).await,
            None => Err(e),
        },
    }
}
