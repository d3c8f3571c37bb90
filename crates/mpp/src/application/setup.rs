//! Configuring how a service takes applications: its form, risk routing,
//! workflow steps, fee and certificate wording (`mpp_domain::setup`). The
//! mall's admins configure any service, an agency's admins their own; the
//! same checks and the same save serve the admin page (`setup_page.rs`),
//! the API (here) and the demo data. Every save is in the audit trail.

use super::store;
use crate::api::{ApiJson, ApiUser};
use crate::db::Db;
use crate::error::{AppError, AppResult, FieldError};
use crate::openapi::{SLUG, ok, param, problem};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use axum::extract::{Path, State};
use mpp_domain::policy::Action;
use mpp_domain::setup::{ServiceSetup, StepSetup};
use mpp_domain::tenancy::MallId;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub fn api_router() -> Routes {
    Routes::new().get("/api/v1/malls/{slug}/services/{code}/application-setup", Action::ViewBackOffice, api_get).put(
        "/api/v1/malls/{slug}/services/{code}/application-setup",
        Action::ManageServices,
        api_put,
    )
}

/// The service being configured, and whether this user may change it.
pub(super) struct Target {
    pub service: store::ServiceForm,
    pub can_edit: bool,
}

/// Opens a service's setup: its mall's managers and supervisors read every
/// one, an agency's admins read and change their agency's.
pub(super) async fn target(state: &AppState, bo: &BackOffice, code: &str) -> AppResult<Target> {
    let service = store::service_form(&state.db, &bo.mall.id, code).await?.ok_or(AppError::NotFound)?;
    let can_edit = bo.access.can_manage_agency(&service.agency_id);
    bo.require(can_edit || bo.access.can_view_whole_mall())?;
    Ok(Target { service, can_edit })
}

/// The mall's agencies: code → id.
async fn agency_ids(db: &Db, mall_id: &MallId) -> AppResult<BTreeMap<String, String>> {
    let list = crate::catalog::store::agencies(db, mall_id).await?;
    Ok(list.into_iter().map(|a| (a.code, a.id)).collect())
}

/// A service's setup as stored (agencies by code).
pub(super) async fn load(state: &AppState, mall_id: &MallId, service: &store::ServiceForm) -> AppResult<ServiceSetup> {
    stored(&state.db, mall_id, service, &agency_ids(&state.db, mall_id).await?).await
}

/// The same, with the mall's agencies (code → id) already at hand.
async fn stored(
    db: &Db,
    mall_id: &MallId,
    service: &store::ServiceForm,
    agencies: &BTreeMap<String, String>,
) -> AppResult<ServiceSetup> {
    let code_of: BTreeMap<&str, &str> = agencies.iter().map(|(code, id)| (id.as_str(), code.as_str())).collect();
    let steps = store::workflow(db, mall_id, &service.id)
        .await?
        .into_iter()
        .map(|s| StepSetup {
            stage: s.def.stage,
            kind: s.def.kind,
            name_id: s.name_id,
            name_en: s.name_en,
            agency: code_of.get(s.def.agency_id.as_str()).map(|c| c.to_string()).unwrap_or_default(),
            role: s.def.role,
            sla_days: s.def.sla_days,
            risks: s.def.risks,
            deemed_approval: s.def.deemed_approval,
        })
        .collect();
    Ok(ServiceSetup {
        fields: service.fields.clone(),
        risk_based: service.risk_based,
        steps,
        fees: service.fees.clone(),
        certificate: store::certificate_template(db, mall_id, &service.id).await?,
    })
}

/// Checks a setup against the mall's agencies (code → id); `Invalid` names
/// each problem (`steps.2.agency` …).
fn check(agencies: &BTreeMap<String, String>, setup: &ServiceSetup) -> AppResult<()> {
    let codes: Vec<&str> = agencies.keys().map(String::as_str).collect();
    let problems = setup.problems(&codes);
    if problems.is_empty() {
        return Ok(());
    }
    Err(AppError::Invalid(problems.into_iter().map(|p| FieldError::new(p.at, p.key)).collect()))
}

/// Checks and saves a setup, with its audit record. Applications already
/// filed keep the workflow they were filed with.
pub(super) async fn save(state: &AppState, bo: &BackOffice, target: &Target, setup: &ServiceSetup) -> AppResult<()> {
    bo.require(target.can_edit)?;
    let agencies = agency_ids(&state.db, &bo.mall.id).await?;
    check(&agencies, setup)?;
    let before = stored(&state.db, &bo.mall.id, &target.service, &agencies).await?;
    let now = state.clock.now_ms();
    let change = crate::audit::Change {
        mall_id: &bo.mall.id,
        actor: &bo.user,
        action: "update",
        entity: "application_setup",
        entity_id: &target.service.code,
        before: serde_json::to_value(&before).ok(),
        after: serde_json::to_value(setup).ok(),
    };
    let entry = crate::audit::entry(change, now);
    store::save_setup(&state.db, &bo.mall.id, &target.service.id, setup, &agencies, Some(entry), now).await
}

/// The demo's setups, saved as an admin's would be (checked first).
pub async fn save_demo(db: &Db, mall_id: &MallId, service_code: &str, setup: &ServiceSetup, now: i64) -> AppResult<()> {
    let agencies = agency_ids(db, mall_id).await?;
    check(&agencies, setup)?;
    let service = store::service_form(db, mall_id, service_code).await?.ok_or(AppError::NotFound)?;
    store::save_setup(db, mall_id, &service.id, setup, &agencies, None, now).await
}

async fn api_get(
    State(state): State<AppState>,
    user: ApiUser,
    Path((slug, code)): Path<(String, String)>,
) -> AppResult<axum::Json<ServiceSetup>> {
    let bo = BackOffice::for_user(&state, user.0, &slug).await?;
    let target = target(&state, &bo, &code).await?;
    Ok(axum::Json(load(&state, &bo.mall.id, &target.service).await?))
}

async fn api_put(
    State(state): State<AppState>,
    user: ApiUser,
    Path((slug, code)): Path<(String, String)>,
    ApiJson(setup): ApiJson<ServiceSetup>,
) -> AppResult<axum::Json<ServiceSetup>> {
    let bo = BackOffice::for_user(&state, user.0, &slug).await?;
    let target = target(&state, &bo, &code).await?;
    save(&state, &bo, &target, &setup).await?;
    Ok(axum::Json(load(&state, &bo.mall.id, &target.service).await?))
}

pub fn document(paths: &mut Map<String, Value>) {
    let bearer = json!([{"bearer": []}]);
    let setup = json!({"$ref": "#/components/schemas/ApplicationSetup"});
    paths.insert(
        "/api/v1/malls/{slug}/services/{code}/application-setup".into(),
        json!({"parameters": [param("slug", SLUG), param("code", "The service code, e.g. `PBG`.")],
               "get": {"operationId": "get_application_setup", "tags": ["Services"], "security": bearer,
                       "summary": "How the service takes applications: form, risk routing, workflow, fee, certificate (the mall's admins and supervisors, the service's agency admins)",
                       "responses": {"200": ok("The setup.", setup.clone()), "401": problem("No valid bearer token."),
                                     "403": problem("Not this user's service."), "404": problem("No such service.")}},
               "put": {"operationId": "put_application_setup", "tags": ["Services"], "security": bearer,
                       "summary": "Replace the setup (applications already filed keep theirs); checked whole, audited",
                       "requestBody": {"required": true, "content": {"application/json": {"schema": setup.clone()}}},
                       "responses": {"200": ok("The saved setup.", setup), "401": problem("No valid bearer token."),
                                     "403": problem("Not this user's service."), "404": problem("No such service."),
                                     "422": problem("Problems named by `errors[].field`, e.g. `steps.2.agency`.")}}}),
    );
}

/// The JSON Schema of a setup (written out: its parts are plain rule types).
pub fn schema() -> Value {
    let text = json!({"type": "string"});
    let kinds = json!(mpp_domain::form::FieldKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>());
    let steps = json!(mpp_domain::application::StepKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>());
    let roles = json!(mpp_domain::application::StepRole::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>());
    let risks = json!(mpp_domain::application::Risk::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>());
    let count = json!({"type": "integer", "minimum": 0});
    json!({
        "type": "object", "required": ["steps"],
        "properties": {
            "fields": {"type": "array", "items": {"type": "object", "required": ["key", "label_id", "label_en", "kind", "required"],
                "properties": {"key": {"type": "string", "pattern": "^[a-z0-9_]{1,40}$"}, "label_id": text, "label_en": text,
                               "kind": {"enum": kinds}, "required": {"type": "boolean"},
                               "options": {"type": "array", "items": text}}}},
            "risk_based": {"type": "boolean"},
            "steps": {"type": "array", "items": {"type": "object",
                "required": ["stage", "kind", "name_id", "name_en", "agency", "sla_days"],
                "properties": {"stage": count, "kind": {"enum": steps}, "name_id": text, "name_en": text,
                               "agency": {"type": "string", "description": "The agency's code."},
                               "role": {"enum": roles}, "sla_days": count,
                               "risks": {"type": "array", "items": {"enum": risks}},
                               "deemed_approval": {"type": "boolean"}}}},
            "fees": {"type": "object", "required": ["rule"], "properties": {
                "rule": {"type": "object", "required": ["kind"], "description": "`free`; `fixed` with `amount`; `per_unit` with `field` (a number field) and `amount`; `table` with `field` (a choice field) and `rows` ([choice, amount] pairs).",
                         "properties": {"kind": {"enum": ["free", "fixed", "per_unit", "table"]}, "amount": {"type": "integer"},
                                        "field": text, "rows": {"type": "array", "items": {"type": "array", "minItems": 2, "maxItems": 2,
                                                 "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}}}},
                "tiers": {"type": "array", "items": {"type": "object", "required": ["days", "price"],
                          "properties": {"days": count, "price": {"type": "integer"}}}}}},
            "certificate": {"type": "object", "properties": {"title": text,
                "statement": {"type": "string", "description": "With {holder}, {service}, {mall}, {agency} and {form.KEY}."},
                "valid_months": count}}
        }
    })
}
