//! The audit trail page: who changed what, when, before and after.
//! Mall managers and national supervisors read it; nobody edits it. And
//! the chains' signed daily heads, public, for anyone to keep (`head.rs`).

use crate::error::AppResult;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new().get("/m/{slug}/admin/audit", Action::ReadAudit, trail).get(
        "/api/v1/malls/{slug}/chain-heads",
        Action::ReadPublic,
        chain_heads,
    )
}

/// How many statements the public list holds: two chains, a little over a year.
const STATEMENTS: i64 = 800;

/// The mall's signed head statements, newest first (JWS, flattened JSON).
async fn chain_heads(State(state): State<AppState>, Path(slug): Path<String>) -> AppResult<Response> {
    let mall = crate::tenancy::store::by_slug(&state.db, &slug).await?;
    let statements = super::head::statements(&state.db, &mall.id, STATEMENTS).await?;
    let keys = format!("/api/v1/malls/{}/signing-keys", mall.slug);
    Ok(axum::Json(serde_json::json!({"statements": statements, "keys": keys})).into_response())
}

/// This module's part of the OpenAPI document.
pub fn document(paths: &mut serde_json::Map<String, serde_json::Value>) {
    use crate::openapi::{SLUG, ok, param, problem, schema_ref};
    paths.insert(
        "/api/v1/malls/{slug}/chain-heads".into(),
        serde_json::json!({"parameters": [param("slug", SLUG)],
            "get": {"operationId": "get_chain_heads", "tags": ["Audit"],
                    "summary": "The mall's signed daily heads of its audit trail and access log (JWS, RFC 7515, alg Ed25519), newest first",
                    "responses": {"200": ok("The statements, and where the mall's public keys are.",
                                            serde_json::json!({"type": "object", "required": ["statements", "keys"],
                                              "properties": {"statements": {"type": "array", "items": schema_ref("Jws")},
                                                             "keys": {"type": "string"}}})),
                                  "404": problem("No such mall.")}}}),
    );
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
