//! The mall's retention rules (`/m/{slug}/admin/retensi`): how many years
//! an application's file and each kind of document used in one are kept
//! before a citizen's erasure is granted (`mpp_domain::rights`).

use super::store;
use crate::audit::{self, Change};
use crate::crud::{Form, render_form};
use crate::error::{AppResult, FieldError};
use crate::forms::{Field, Kind, Posted};
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::Ctx;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::rights::Kept;
use mpp_domain::tenancy::MallId;

/// Years a mall keeps each subject: its rule, else the default.
pub async fn years(db: &crate::db::Db, mall_id: &MallId) -> AppResult<impl Fn(Kept) -> i64 + use<>> {
    let rules = store::retention(db, mall_id).await?;
    Ok(move |k: Kept| rules.iter().find(|(s, _)| s == k.key()).map_or(k.default_years(), |(_, y)| *y))
}

fn form(ctx: &Ctx, bo: &BackOffice, values: &[(Kept, String)], errors: Vec<FieldError>, saved: bool) -> Form {
    let number = |(k, v): &(Kept, String)| Field::new(k.key(), k.label(), Kind::Number, v);
    let mut fields =
        vec![Field::new("h_applications", "retention.applications", Kind::Heading, "").help("retention.help")];
    let outcomes = values.iter().filter(|(k, _)| matches!(k, Kept::Outcome(_)) && k.key() != "application:open");
    fields.extend(outcomes.map(number));
    fields.push(Field::new("h_documents", "retention.documents", Kind::Heading, ""));
    fields.extend(values.iter().filter(|(k, _)| matches!(k, Kept::Document(_))).map(number));
    Form {
        section: "retensi",
        heading: ctx.t.t("retention.title").to_string(),
        action: format!("/m/{}/admin/retensi", bo.mall.slug),
        delete_action: None,
        public_href: None,
        related: None,
        multipart: false,
        saved,
        read_only: !bo.access.can_manage_mall(),
        fields,
        errors,
    }
}

#[derive(serde::Deserialize, Default)]
pub(super) struct Saved {
    disimpan: Option<String>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<Saved>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_view_whole_mall())?;
    let years = years(&state.db, &bo.mall.id).await?;
    let values: Vec<(Kept, String)> = Kept::all().into_iter().map(|k| (k, years(k).to_string())).collect();
    let f = form(&ctx, &bo, &values, Vec::new(), q.disimpan.is_some());
    render_form(ctx, bo, f)
}

pub(super) async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    posted: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_manage_mall())?;
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    let values: Vec<(Kept, String)> = Kept::all().into_iter().map(|k| (k, posted.get(k.key()))).collect();
    for (k, raw) in values.iter().filter(|(k, _)| k.key() != "application:open") {
        match raw.trim().parse::<i64>() {
            Ok(y) if (0..=100).contains(&y) => rules.push((k.key().to_string(), y)),
            _ => errors.push(FieldError::new(k.key(), "retention.bad_years")),
        }
    }
    if !errors.is_empty() {
        let f = form(&ctx, &bo, &values, errors, false);
        return render_form(ctx, bo, f);
    }
    let before = store::retention(&state.db, &bo.mall.id).await?;
    let change = Change {
        mall_id: &bo.mall.id,
        actor: &bo.user,
        action: "update",
        entity: "retention_rules",
        entity_id: &bo.mall.id,
        before: serde_json::to_value(&before).ok(),
        after: serde_json::to_value(&rules).ok(),
    };
    let entry = audit::entry(change, state.clock.now_ms());
    store::set_retention(&state.db, &bo.mall.id, rules, entry).await?;
    Ok(Redirect::to(&format!("/m/{}/admin/retensi?disimpan=1", bo.mall.slug)).into_response())
}
