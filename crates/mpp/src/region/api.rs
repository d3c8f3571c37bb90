//! The region list in the JSON API, public and cacheable: the provinces,
//! and any region with the ones above it and the ones directly under it.
//! The picker's script walks it one level at a time.

use crate::error::{AppError, AppResult};
use crate::openapi::{ok, param, problem, schema_ref};
use crate::policy::Routes;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use mpp_domain::policy::Action;
use mpp_domain::region;
use serde_json::{Map, Value, json};

pub fn router() -> Routes {
    Routes::new().get("/api/v1/regions", Action::ReadPublic, provinces).get(
        "/api/v1/regions/{code}",
        Action::ReadPublic,
        one,
    )
}

/// A region on the Home Affairs list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RegionView {
    /// The Kemendagri code, e.g. `53.03.05.1003`.
    pub code: String,
    pub name: String,
    /// province, regency, district or village.
    pub level: String,
}

impl From<&region::Region> for RegionView {
    fn from(r: &region::Region) -> Self {
        RegionView { code: r.code.into(), name: r.name.to_string(), level: r.level().as_str().into() }
    }
}

/// A region, where it lies, and what lies in it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RegionDetail {
    #[serde(flatten)]
    pub region: RegionView,
    /// The regions above it, province first, then itself.
    pub path: Vec<RegionView>,
    /// The regions directly under it, by code (none under a village).
    pub children: Vec<RegionView>,
}

/// The list changes only with a new release, so caches may keep it a day.
fn cached(body: Value) -> Response {
    ([(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=86400"))], axum::Json(body)).into_response()
}

async fn provinces() -> Response {
    let list: Vec<RegionView> = region::children(None).iter().map(RegionView::from).collect();
    cached(json!({ "children": list }))
}

async fn one(Path(code): Path<String>) -> AppResult<Response> {
    let path = region::path(code.trim()).ok_or(AppError::NotFound)?;
    let here = path[path.len() - 1];
    let detail = RegionDetail {
        region: here.into(),
        path: path.iter().copied().map(RegionView::from).collect(),
        children: region::children(Some(here.code)).iter().map(RegionView::from).collect(),
    };
    Ok(cached(serde_json::to_value(detail).unwrap_or_default()))
}

pub fn document(paths: &mut Map<String, Value>) {
    let list = json!({"type": "object", "required": ["children"],
                      "properties": {"children": {"type": "array", "items": schema_ref("RegionView")}}});
    paths.insert(
        "/api/v1/regions".into(),
        json!({"get": {"operationId": "list_provinces", "tags": ["Regions"],
                       "summary": "The provinces on the Home Affairs region list (public, cacheable)",
                       "responses": {"200": ok("The 38 provinces, by code.", list)}}}),
    );
    paths.insert(
        "/api/v1/regions/{code}".into(),
        json!({"parameters": [param("code", "A Kemendagri region code: `53`, `53.03`, `53.03.05` or `53.03.05.1003`.")],
               "get": {"operationId": "get_region", "tags": ["Regions"],
                       "summary": "A region, the regions above it and those directly under it (public, cacheable)",
                       "responses": {"200": ok("The region.", schema_ref("RegionDetail")),
                                     "404": problem("No region with that code.")}}}),
    );
}
