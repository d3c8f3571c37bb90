//! "My ticket": the page the ticket's QR code opens on the visitor's phone.
//! Position, estimated wait, the counter calling, and what to bring. It
//! reads without JavaScript; `live.js` refreshes it from the ticket's JSON
//! (`visit::api`). A visitor without a camera (or holding a greeter's
//! ticket) reaches it by typing the printed number into `/m/{slug}/tiket`:
//! the page shows no more than the hall's board does, so a number is enough.

use super::{TicketView, store};
use crate::error::{AppError, AppResult};
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
use mpp_domain::visit::TicketId;
use serde::Deserialize;

pub fn router() -> Routes {
    Routes::new().get("/m/{slug}/tiket", Action::ReadPublic, find).get("/m/{slug}/tiket/{id}", Action::ReadPublic, page)
}

#[derive(Template)]
#[template(path = "visit/find_ticket.html")]
struct FindPage {
    ctx: Ctx,
    mall: Mall,
    typed: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
struct FindQuery {
    nomor: Option<String>,
}

/// The form for a printed number, and the way from it to today's ticket.
async fn find(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<FindQuery>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let typed = q.nomor.unwrap_or_default();
    if typed.trim().is_empty() {
        return render(&FindPage { ctx, mall, typed, error: None });
    }
    let error = match mpp_domain::visit::parse_label(&typed) {
        None => "ticket.find_invalid",
        Some(label) => {
            let day = iso_date(state.clock.today(mall.zone()));
            match store::by_label(&state.db, &mall.id, &day, &label).await? {
                Some(t) => return Ok(Redirect::to(&format!("/m/{}/tiket/{}", mall.slug, t.id)).into_response()),
                None => "ticket.find_none",
            }
        }
    };
    render_status(StatusCode::NOT_FOUND, &FindPage { ctx, mall, typed, error: Some(error) })
}

#[derive(Template)]
#[template(path = "visit/my_ticket.html")]
struct MyTicketPage {
    ctx: Ctx,
    mall: Mall,
    view: TicketView,
}

async fn load(state: &AppState, ctx: &Ctx, slug: &str, id: &str) -> AppResult<(Mall, TicketView)> {
    let mall = tenancy::store::by_slug(&state.db, slug).await?;
    let id = TicketId::parse(id).ok_or(AppError::NotFound)?;
    let t = store::ticket(&state.db, &mall.id, &id).await?.ok_or(AppError::NotFound)?;
    let view = TicketView::load(state, &ctx.t, &mall, &t).await?;
    Ok((mall, view))
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let (mall, view) = load(&state, &ctx, &slug, &id).await?;
    render(&MyTicketPage { ctx, mall, view })
}
