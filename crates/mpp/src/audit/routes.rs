//! The audit trail page: who changed what, when, before and after.
//! Mall managers and national supervisors read it; nobody edits it.

use crate::error::AppResult;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new().get("/m/{slug}/admin/audit", Action::ReadAudit, trail)
}

pub struct Line {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct TrailPage {
    ctx: Ctx,
    bo: BackOffice,
    lines: Vec<Line>,
}

async fn trail(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_view_whole_mall())?;
    let zone = bo.mall.zone();
    let pretty = |s: &str| {
        serde_json::from_str::<serde_json::Value>(s)
            .ok()
            .and_then(|v| serde_json::to_string_pretty(&v).ok())
            .unwrap_or_default()
    };
    let lines = super::list(&state.db, &bo.mall.id, 200)
        .await?
        .into_iter()
        .map(|e| Line {
            at: mpp_domain::format::instant(e.at, zone, ctx.lang()),
            actor: e.actor_name,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: pretty(&e.before_json),
            after: pretty(&e.after_json),
        })
        .collect();
    render(&TrailPage { ctx, bo, lines })
}
