//! Erasure: a citizen erases a document from "Dokumen saya" unless a
//! retention rule of a mall whose application uses it still keeps it (then
//! they are told which application or rule, and until when), or their
//! profile (applications keep their own copy of what was filed). Each
//! erasure is on the deployment's audit trail, without the data erased.

use super::{retention, store};
use crate::audit::{self, Change};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{Ctx, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::rights::{Keep, Use, erasable};
use mpp_domain::tenancy::{CITIZEN_ZONE, DEPLOYMENT};

#[derive(Template)]
#[template(path = "rights/kept.html")]
struct KeptPage {
    ctx: Ctx,
    what: String,
    why: String,
}

/// Erases one of the citizen's documents, or says why it must be kept.
pub(super) async fn document(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let d = crate::document::find(&state.db, &user.id, &id).await?.ok_or(AppError::NotFound)?;
    let uploaded_on = mpp_domain::format::day_of(d.created_at, CITIZEN_ZONE);
    let rows = store::applications_naming(&state.db, &user.id, &d.id).await?;
    for mall in crate::tenancy::store::list(&state.db).await? {
        let zone = mall.zone();
        let uses: Vec<Use<'_>> = rows
            .iter()
            .filter(|(mall_id, _, _, _, form)| *mall_id == mall.id && names(form, &d.id))
            .map(|(_, number, status, closed_at, _)| Use {
                number,
                status: *status,
                closed_on: closed_at.map(|at| mpp_domain::format::day_of(at, zone)),
            })
            .collect();
        if uses.is_empty() {
            continue;
        }
        let years = retention::years(&state.db, &mall.id).await?;
        if let Err(keep) = erasable(d.kind, uploaded_on, &uses, years, state.clock.today(zone)) {
            let t = &ctx.t;
            let date = |day: time::Date| mpp_domain::format::date(day, t.lang);
            let why = match keep {
                Keep::InProgress { number } => t.f("erasure.in_progress", &[("number", &number)]),
                Keep::Application { number, outcome, until } => t.f(
                    "erasure.application",
                    &[
                        ("number", &number),
                        ("outcome", t.t(crate::application::status_key(outcome))),
                        ("mall", &mall.name),
                        ("until", &date(until)),
                    ],
                ),
                Keep::Kind { kind, until } => t.f(
                    "erasure.kind",
                    &[("kind", t.pick(kind.names().0, kind.names().1)), ("mall", &mall.name), ("until", &date(until))],
                ),
            };
            let what = format!("{} · {}", d.what(t), d.file_name);
            return render_status(StatusCode::CONFLICT, &KeptPage { ctx, what, why });
        }
    }
    crate::document::erase(&state, &user.id, &d.id).await?;
    let change = Change {
        mall_id: &DEPLOYMENT,
        actor: &user,
        action: "delete",
        entity: "citizen_document",
        entity_id: &d.id,
        before: Some(serde_json::json!({"kind": d.kind.as_str(), "sha256": d.sha256})),
        after: None,
    };
    audit::record_now(&state.db, change, state.clock.now_ms()).await?;
    Ok(Redirect::to("/akun/dokumen?dihapus=1#dokumen").into_response())
}

/// Whether an application's form (JSON) names this document id as a value.
fn names(form: &str, id: &str) -> bool {
    serde_json::from_str::<std::collections::BTreeMap<String, serde_json::Value>>(form)
        .is_ok_and(|values| values.values().any(|v| v.as_str() == Some(id)))
}

/// Erases the citizen's profile and the register's answers about it.
pub(super) async fn profile(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    if store::erase_profile(&state.db, &user.id).await? {
        let change = Change {
            mall_id: &DEPLOYMENT,
            actor: &user,
            action: "delete",
            entity: "citizen_profile",
            entity_id: &user.id,
            before: None,
            after: None,
        };
        audit::record_now(&state.db, change, state.clock.now_ms()).await?;
    }
    Ok(Redirect::to("/akun/data-saya?profil_dihapus=1").into_response())
}
