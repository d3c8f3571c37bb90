//! "My ticket": the page the ticket's QR code opens on the visitor's phone.
//! Position, estimated wait, the counter calling, and what to bring. It
//! reads without JavaScript; `live.js` refreshes it from the ticket's JSON
//! (`visit::api`).

use super::{TicketView, store};
use crate::error::{AppError, AppResult};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new().get("/m/{slug}/tiket/{id}", Action::ReadPublic, page)
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
    let t = store::ticket(&state.db, &mall.id, id).await?.ok_or(AppError::NotFound)?;
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
