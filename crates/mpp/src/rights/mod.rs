//! A citizen's rights over their data (UU 27/2022), on "Data saya & hak
//! saya" (`/akun/data-saya`): download everything MPP holds about them in
//! one archive (`export.rs`, docs/EXPORT.md); ask the owning agency for a
//! correction, answered within 3 × 24 hours (`correction.rs`); erase a
//! document or the profile where no retention rule keeps it
//! (`erasure.rs`, rules per mall in `retention.rs`). Rules:
//! `mpp_domain::rights`.

mod correction;
mod erasure;
mod export;
mod retention;
mod store;
mod zip;

use crate::error::{AppError, AppResult, FieldError};
use crate::policy::Routes;
use crate::state::AppState;
use crate::web::{Ctx, render, render_status};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mpp_domain::policy::Action;
use mpp_domain::tenancy::CITIZEN_ZONE;

pub fn router() -> Routes {
    Routes::new()
        .get("/akun/data-saya", Action::OwnAccount, page)
        .get("/akun/data-saya/arsip.zip", Action::OwnAccount, download)
        .post("/akun/data-saya/koreksi", Action::OwnAccount, correction::ask)
        .post("/akun/data-saya/hapus-profil", Action::OwnAccount, erasure::profile)
        .post("/akun/dokumen/{id}/hapus", Action::OwnAccount, erasure::document)
        .get("/m/{slug}/koreksi", Action::ProcessApplications, correction::list)
        .post("/m/{slug}/koreksi/{id}", Action::ProcessApplications, correction::answer)
        .get("/m/{slug}/admin/retensi", Action::ViewBackOffice, retention::page)
        .post("/m/{slug}/admin/retensi", Action::ManageMall, retention::save)
}

/// One of the citizen's correction requests, as their page lists it.
pub struct Asked {
    pub about: String,
    pub wrong: String,
    pub correct: String,
    pub answer_by: String,
    pub status: mpp_domain::rights::CorrectionStatus,
    pub answer: String,
}

/// What the citizen typed in the correction form (kept on an error).
#[derive(Default)]
pub(crate) struct Typed {
    topic: String,
    wrong: String,
    correct: String,
}

#[derive(Template)]
#[template(path = "rights/page.html")]
struct RightsPage {
    ctx: Ctx,
    /// (value, label) of what may be corrected.
    topics: Vec<(String, String)>,
    asked: Vec<Asked>,
    typed: Typed,
    errors: Vec<FieldError>,
    /// A notice after a redirect: a request sent, the profile erased.
    sent: bool,
    profile_erased: bool,
}

impl RightsPage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.key)
    }
}

#[derive(serde::Deserialize, Default)]
struct Notices {
    koreksi: Option<String>,
    profil_dihapus: Option<String>,
}

async fn page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Notices>) -> AppResult<Response> {
    let mut page = rights_page(&state, ctx, Typed::default(), Vec::new()).await?;
    page.sent = q.koreksi.is_some();
    page.profile_erased = q.profil_dihapus.is_some();
    render(&page)
}

/// The page again with the correction form's errors and what was typed.
pub(crate) async fn page_with(
    state: &AppState,
    ctx: Ctx,
    typed: Typed,
    errors: Vec<FieldError>,
) -> AppResult<Response> {
    let page = rights_page(state, ctx, typed, errors).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn rights_page(state: &AppState, ctx: Ctx, typed: Typed, errors: Vec<FieldError>) -> AppResult<RightsPage> {
    let user = ctx.require_user()?.clone();
    let topics = correction::topics(state, &ctx, &user.id).await?;
    let at = |ms: i64| mpp_domain::format::instant(ms, CITIZEN_ZONE, ctx.lang());
    let asked = store::corrections_of(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|c| Asked {
            about: if c.about.is_empty() { ctx.t.t("correction.population_data").to_string() } else { c.about },
            wrong: c.wrong,
            correct: c.correct,
            answer_by: at(c.answer_by),
            status: c.status,
            answer: c.answer,
        })
        .collect();
    let topics = topics.into_iter().map(|(value, label, ..)| (value, label)).collect();
    Ok(RightsPage { ctx, topics, asked, typed, errors, sent: false, profile_erased: false })
}

/// The archive, as a download that is never cached.
async fn download(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let bytes = export::archive(&state, &user).await?;
    let day = mpp_domain::format::iso_date(state.clock.today(CITIZEN_ZONE));
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
