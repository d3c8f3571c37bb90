//! A citizen's rights over their data (UU 27/2022), on "Data saya & hak
//! saya" (`/akun/data-saya`): download everything MPP holds about them in
//! one archive (`export.rs`, docs/EXPORT.md).

mod export;
mod store;
mod zip;

use crate::error::{AppError, AppResult};
use crate::policy::Routes;
use crate::state::AppState;
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new().get("/akun/data-saya", Action::OwnAccount, page).get(
        "/akun/data-saya/arsip.zip",
        Action::OwnAccount,
        download,
    )
}

#[derive(Template)]
#[template(path = "rights/page.html")]
struct RightsPage {
    ctx: Ctx,
}

async fn page(ctx: Ctx) -> AppResult<Response> {
    ctx.require_user()?;
    render(&RightsPage { ctx })
}

/// The archive, as a download that is never cached.
async fn download(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let bytes = export::archive(&state, &user).await?;
    let day = mpp_domain::format::iso_date(state.clock.today(mpp_domain::tenancy::TimeZone::Wita));
    let name = format!("attachment; filename=\"data-saya-mpp-{day}.zip\"");
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/zip")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_str(&name).map_err(|e| AppError::Internal(e.into()))?),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        bytes,
    )
        .into_response())
}
