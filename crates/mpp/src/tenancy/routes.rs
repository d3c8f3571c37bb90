//! The back office's front page for one mall: what there is, what needs
//! attention (agreements about to expire), and where to manage it.

use super::BackOffice;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::{Ctx, render};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;

pub fn router() -> Router<AppState> {
    Router::new().route("/m/{slug}/admin", get(dashboard))
}

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    ctx: Ctx,
    bo: BackOffice,
    agencies: i64,
    services: i64,
    counters: i64,
    /// Agreements ending soon or already ended: (label, status, href).
    warnings: Vec<(String, String, String)>,
}

async fn dashboard(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let (agencies, services, counters) = super::store::counts(&state.db, &bo.mall.id).await?;
    let today = state.clock.today(bo.mall.zone());
    let mut warnings = Vec::new();
    if bo.access.can_view_whole_mall() {
        for a in crate::agreements::list(&state.db, &bo.mall.id).await? {
            use mpp_domain::catalog::AgreementStatus::{Expired, ExpiringSoon};
            if matches!(a.status(today), Some(Expired | ExpiringSoon { .. })) {
                let href = format!("/m/{}/admin/perjanjian/{}", bo.mall.slug, a.id);
                warnings.push((
                    format!("{} {}", a.kind, a.number),
                    crate::agreements::status_label(&a, today, &ctx.t),
                    href,
                ));
            }
        }
    }
    render(&Dashboard { ctx, bo, agencies, services, counters, warnings })
}
