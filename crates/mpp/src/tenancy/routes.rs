//! The back office's front page for one mall: what there is, what needs
//! attention (agreements about to expire), and where to manage it.

use super::BackOffice;
use crate::error::AppError;
use crate::error::AppResult;
use crate::policy::Routes;
use crate::state::AppState;
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/admin", Action::ViewBackOffice, dashboard)
        .post("/m/{slug}/admin/terbitkan", Action::ManageMall, publish)
        .get("/nasional", Action::ViewNational, national)
}

/// Publishes a draft mall: from now on the public sees it.
async fn publish(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_manage_mall())?;
    if !super::store::publish(&state.db, &bo.mall.id, state.clock.now_ms()).await? {
        return Err(AppError::Conflict("mall.already_published"));
    }
    Ok(axum::response::Redirect::to(&format!("/m/{}/admin", bo.mall.slug)).into_response())
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
        let agency_names = crate::catalog::store::agencies(&state.db, &bo.mall.id).await?;
        for a in crate::agreements::list(&state.db, &bo.mall.id).await? {
            use mpp_domain::catalog::AgreementStatus::{Expired, ExpiringSoon};
            if matches!(a.status(today), Some(Expired | ExpiringSoon { .. })) {
                let href = format!("/m/{}/admin/perjanjian/{}", bo.mall.slug, a.id);
                let agency = agency_names
                    .iter()
                    .find(|x| x.id == a.agency_id)
                    .map(|x| ctx.t.pick(&x.name_id, &x.name_en))
                    .unwrap_or("");
                let label = format!("{} {} — {agency}", a.kind, a.number);
                warnings.push((label, crate::agreements::status_label(&a, today, &ctx.t), href));
            }
        }
    }
    render(&Dashboard { ctx, bo, agencies, services, counters, warnings })
}

/// One mall as the national supervisor's overview shows it.
pub struct MallLine {
    pub slug: String,
    pub name: String,
    pub timezone: String,
    pub is_demo: bool,
    pub agencies: i64,
    pub services: i64,
    pub counters: i64,
    /// Agreements ended or ending within the warning period.
    pub agreements_due: usize,
}

#[derive(Template)]
#[template(path = "tenancy/national.html")]
struct NationalPage {
    ctx: Ctx,
    malls: Vec<MallLine>,
}

/// Every mall of the deployment, read-only, for national supervisors.
async fn national(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require_user()?;
    if !user.is_supervisor {
        return Err(AppError::Forbidden);
    }
    let mut malls = Vec::new();
    for m in super::store::list(&state.db).await? {
        let (agencies, services, counters) = super::store::counts(&state.db, &m.id).await?;
        let today = state.clock.today(m.zone());
        let agreements_due = crate::agreements::list(&state.db, &m.id)
            .await?
            .iter()
            .filter(|a| {
                use mpp_domain::catalog::AgreementStatus::{Expired, ExpiringSoon};
                matches!(a.status(today), Some(Expired | ExpiringSoon { .. }))
            })
            .count();
        malls.push(MallLine {
            slug: m.slug,
            name: m.name,
            timezone: m.timezone.as_str().to_string(),
            is_demo: m.is_demo,
            agencies,
            services,
            counters,
            agreements_due,
        });
    }
    render(&NationalPage { ctx, malls })
}
