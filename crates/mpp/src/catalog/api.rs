//! The catalogue's own API routes (the records themselves come from
//! `crud::api_routes`): the malls of the deployment, one mall with its
//! hours, and ranked search over its services.

use super::store::{self, Service};
use crate::calendar::store::Hours;
use crate::error::AppResult;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new()
        .get("/api/v1/malls", Action::ReadPublic, malls)
        .get("/api/v1/malls/{slug}", Action::ReadPublic, mall)
        .get("/api/v1/malls/{slug}/search", Action::ReadPublic, search)
        .get("/api/v1/malls/{slug}/cpsv-ap", Action::ReadPublic, cpsv_ap)
}

/// A mall as integrators see it.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct MallInfo {
    pub slug: String,
    pub name: String,
    /// Kemendagri region code of the regency or city.
    pub region_code: String,
    /// WIB, WITA or WIT.
    pub timezone: String,
    /// The IANA name of the time zone (Asia/Jakarta, Asia/Makassar, Asia/Jayapura).
    pub timezone_iana: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub description_id: String,
    pub description_en: String,
    /// Example data for demonstration, not official information.
    pub is_demo: bool,
    /// ISO weekday (1 = Monday) with local opening and closing times; absent days are closed.
    pub opening_hours: Vec<Hours>,
}

fn info(m: Mall, opening_hours: Vec<Hours>) -> MallInfo {
    MallInfo {
        timezone_iana: m.zone().iana().to_string(),
        slug: m.slug,
        name: m.name,
        region_code: m.region_code,
        timezone: m.timezone.as_str().to_string(),
        address: m.address,
        phone: m.phone,
        email: m.email,
        description_id: m.description_id,
        description_en: m.description_en,
        is_demo: m.is_demo,
        opening_hours,
    }
}

async fn malls(State(state): State<AppState>) -> AppResult<Response> {
    let mut out = Vec::new();
    for m in tenancy::store::published(&state.db).await? {
        let hours = crate::calendar::store::hours(&state.db, &m.id).await?;
        out.push(info(m, hours));
    }
    Ok(Json(out).into_response())
}

async fn mall(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<Response> {
    let m = tenancy::store::by_slug(&state.db, &slug).await?;
    let hours = crate::calendar::store::hours(&state.db, &m.id).await?;
    Ok(Json(info(m, hours)).into_response())
}

#[derive(serde::Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn search(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<SearchQuery>,
) -> AppResult<Response> {
    let m = tenancy::store::by_slug(&state.db, &slug).await?;
    let query: String = q.q.unwrap_or_default().chars().take(100).collect();
    let found: Vec<Service> = store::search(&state.db, &m.id, &query).await?;
    Ok(Json(found).into_response())
}

/// The whole mall as CPSV-AP 3.2.0 JSON-LD (`application/ld+json`).
async fn cpsv_ap(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let m = tenancy::store::by_slug(&state.db, &slug).await?;
    let agencies = store::agencies(&state.db, &m.id).await?;
    let services = store::services(&state.db, &m.id, false).await?;
    let hours = crate::calendar::store::hours(&state.db, &m.id).await?;
    let links = store::counter_services(&state.db, &m.id).await?;
    let counters: Vec<(i64, String, String, Vec<String>)> = store::counters(&state.db, &m.id)
        .await?
        .into_iter()
        .filter(|c| c.active)
        .map(|c| {
            let served = links.iter().filter(|(cid, _)| *cid == c.id).map(|(_, sid)| sid.clone()).collect();
            (c.number, c.zone, c.agency_id, served)
        })
        .collect();
    let base_url = crate::web::base_url(&headers);
    let doc = super::linked_data::cpsv_ap(&super::linked_data::MallCatalogue {
        mall: &m,
        base_url: &base_url,
        agencies: &agencies,
        services: &services,
        hours: &hours,
        counters: &counters,
    });
    Ok(([(axum::http::header::CONTENT_TYPE, "application/ld+json")], Json(doc)).into_response())
}
