//! Consent per purpose ("Persetujuan saya", `/akun/persetujuan`): when a
//! citizen files an application with documents from "Dokumen saya", they
//! let each agency of its workflow open those documents for that
//! application, until a day (`mpp_domain::consent`), in one step on the
//! form. An officer opens such a document only under a live consent of
//! their agency (the access log names the consent); the citizen sees every
//! consent on one page and withdraws any of them, which stops the next
//! read at once.

mod store;

use crate::error::{AppError, AppResult};
use crate::policy::Routes;
use crate::state::AppState;
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::policy::Action;
use mpp_domain::tenancy::MallId;

pub use store::{Consent, of_subject};

/// The purpose of consents given while filing.
pub const APPLICATION: &str = "application";

pub fn router() -> Routes {
    Routes::new().get("/akun/persetujuan", Action::OwnAccount, mine).post(
        "/akun/persetujuan/{id}/tarik",
        Action::OwnAccount,
        withdraw,
    )
}

/// Records, in the filing's transaction, the consent a citizen gave while
/// filing an application: one per agency of its workflow, until `until`.
pub(crate) async fn grant_for_application(
    conn: &mut crate::db::sql::Conn<'_>,
    a: &crate::application::store::Application,
    agencies: &[String],
    until: time::Date,
    now: i64,
) -> AppResult<()> {
    for agency_id in agencies {
        let c = Consent {
            mall_id: a.mall_id.clone(),
            id: crate::db::new_id(now),
            subject_id: a.applicant_id.clone(),
            agency_id: agency_id.clone(),
            purpose: APPLICATION.into(),
            purpose_ref: a.number.clone(),
            granted_at: now,
            until_day: mpp_domain::format::iso_date(until),
            withdrawn_at: None,
        };
        store::insert(conn, &c).await?;
    }
    Ok(())
}

/// The live consent that lets `agency_id` use the citizen's kept documents
/// for application `number`, if there is one.
pub async fn live_for_application(
    state: &AppState,
    mall_id: &MallId,
    subject_id: &str,
    agency_id: &str,
    number: &str,
    today: time::Date,
) -> AppResult<Option<Consent>> {
    Ok(store::for_purpose(&state.db, mall_id, APPLICATION, number).await?.into_iter().find(|c| {
        c.subject_id == subject_id
            && c.agency_id == agency_id
            && mpp_domain::consent::live(&c.until_day, c.withdrawn_at, today)
    }))
}

/// One consent as its page lists it.
pub struct Line {
    pub id: String,
    pub agency: String,
    pub mall: String,
    pub purpose: String,
    pub granted: String,
    pub until: String,
    /// `live`, `withdrawn` or `ended`.
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "consent/mine.html")]
struct MinePage {
    ctx: Ctx,
    lines: Vec<Line>,
}

async fn mine(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let zone = mpp_domain::tenancy::CITIZEN_ZONE;
    let today = state.clock.today(zone);
    let malls = crate::tenancy::store::list(&state.db).await?;
    let mut lines = Vec::new();
    for c in store::of_subject(&state.db, &user.id).await? {
        let mall = malls.iter().find(|m| m.id == c.mall_id).map(|m| m.name.clone()).unwrap_or_default();
        let agencies = crate::catalog::store::agencies(&state.db, &c.mall_id).await?;
        let agency = agencies.iter().find(|g| g.id == c.agency_id);
        let day = mpp_domain::format::parse_date(&c.until_day).map(|d| mpp_domain::format::date(d, ctx.lang()));
        lines.push(Line {
            agency: agency.map(|g| ctx.t.pick(&g.name_id, &g.name_en).to_string()).unwrap_or_default(),
            mall,
            purpose: ctx.t.f("consent.for_application", &[("number", &c.purpose_ref)]),
            granted: mpp_domain::format::instant(c.granted_at, zone, ctx.lang()),
            until: day.unwrap_or_default(),
            state: mpp_domain::consent::state(&c.until_day, c.withdrawn_at, today),
            id: c.id,
        });
    }
    render(&MinePage { ctx, lines })
}

async fn withdraw(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    if !store::withdraw(&state.db, &user.id, &id, state.clock.now_ms()).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/akun/persetujuan#ditarik").into_response())
}
