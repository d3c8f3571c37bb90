//! Applications in the JSON API: a national app or an agency's system files
//! an application for the token's owner (with `Idempotency-Key`), reads it
//! with its steps and timeline, acts on a step, resubmits after a
//! correction, and lists an officer's inbox.

use super::Niks;
use super::flow::{self, Filing};
use super::store::{self, Application};
use crate::api::{ApiJson, ApiUser};
use crate::db::sql::Conn;
use crate::error::{AppError, AppResult};
use crate::idempotency::{self, Begin};
use crate::openapi::{SLUG, ok, param, problem, schema_ref};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use mpp_domain::access::What;
use mpp_domain::application::Act;
use mpp_domain::policy::Action;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub fn router() -> Routes {
    Routes::new()
        .post("/api/v1/malls/{slug}/applications", Action::Apply, create)
        .get("/api/v1/malls/{slug}/applications/{registration}", Action::Apply, read)
        .post("/api/v1/malls/{slug}/applications/{registration}/resubmit", Action::Apply, resubmit)
        .post("/api/v1/malls/{slug}/applications/{registration}/steps/{step}", Action::ProcessApplications, act)
        .get("/api/v1/malls/{slug}/inbox", Action::ProcessApplications, inbox)
}

/// An application to file.
#[derive(Debug, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRequest {
    /// The service code, e.g. `IZIN-USAHA-MIKRO`.
    pub service: String,
    /// The form's values by field key (see the service's form).
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// low, medium or high, for services routed by risk.
    #[serde(default)]
    pub risk: Option<String>,
    /// The working days of a speed tier the service offers (a higher fee
    /// for a shorter deadline); absent for the standard time.
    #[serde(default)]
    pub speed: Option<u32>,
}

/// Corrected values, after an officer asked for a correction.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Resubmission {
    pub values: BTreeMap<String, String>,
}

/// An officer's action on a step.
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepAction {
    /// claim, release, approve, reject, request_correction or comment.
    pub act: String,
    /// Required to reject, ask for a correction or comment.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct StepView {
    pub id: String,
    /// The stage, from 0; steps of one stage run in parallel.
    pub stage: i64,
    pub kind: String,
    pub name: String,
    /// The agency's code.
    pub agency: String,
    /// pending, open, claimed, approved, deemed or rejected.
    pub status: String,
    pub claimed: bool,
    /// `YYYY-MM-DD`, once the step is open.
    pub due_day: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct EventView {
    /// UTC milliseconds.
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub step: Option<String>,
    pub note: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApplicationView {
    /// The registration number on the receipt.
    pub number: String,
    pub service: String,
    /// in_progress, correction, issued, rejected or withdrawn.
    pub status: String,
    pub risk: Option<String>,
    /// UTC milliseconds.
    pub filed_at: i64,
    /// `YYYY-MM-DD`: the expected completion, in working days.
    pub due_day: String,
    /// Why it was sent back, while it waits for a correction.
    pub correction: String,
    pub values: BTreeMap<String, String>,
    pub steps: Vec<StepView>,
    pub timeline: Vec<EventView>,
    /// Once issued: its certificate.
    pub certificate: Option<CertificateRef>,
}

/// An issued application's certificate.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CertificateRef {
    pub id: String,
    /// The decision number.
    pub number: String,
    pub revoked: bool,
    /// The public verification page (what its QR code holds).
    pub verify_path: String,
    /// The PDF, for this API's bearer.
    pub pdf_path: String,
}

async fn view(state: &AppState, mall: &Mall, a: &Application, niks: Niks<'_>) -> AppResult<ApplicationView> {
    let service = flow::service_of(state, mall, a).await?;
    let mut values = a.values();
    if niks != Niks::Full {
        for f in service.fields.iter().filter(|f| f.kind == mpp_domain::form::FieldKind::Nik) {
            if let Some(v) = values.get_mut(&f.key) {
                *v = mpp_domain::form::mask_nik(v);
            }
        }
    }
    let agencies = crate::catalog::store::agencies(&state.db, &mall.id).await?;
    let code = |id: &str| agencies.iter().find(|g| g.id == id).map(|g| g.code.clone()).unwrap_or_default();
    let steps = store::steps(&mut Conn::Read(&state.db), &mall.id, &a.id).await?;
    let timeline = store::timeline(&state.db, &mall.id, &a.id).await?;
    let certificate = crate::certificate::store::of_application(&mut Conn::Read(&state.db), &mall.id, &a.id)
        .await?
        .map(|c| CertificateRef {
            verify_path: crate::certificate::verify_url("", &mall.slug, &c),
            pdf_path: format!("{}/certificate", location(mall, a)),
            revoked: c.revoked_at.is_some(),
            number: c.number,
            id: c.id,
        });
    Ok(ApplicationView {
        number: a.number.clone(),
        service: service.code,
        status: a.status.as_str().to_string(),
        risk: a.risk.clone(),
        filed_at: a.filed_at,
        due_day: a.due_day.clone(),
        correction: a.correction.clone(),
        values,
        steps: steps
            .into_iter()
            .map(|s| StepView {
                agency: code(&s.agency_id),
                claimed: s.assignee_id.is_some(),
                id: s.id,
                stage: s.stage,
                kind: s.kind.as_str().to_owned(),
                name: s.name_en,
                status: s.status.as_str().to_string(),
                due_day: s.due_day,
            })
            .collect(),
        timeline: timeline
            .into_iter()
            .map(|e| EventView { at: e.at, actor: e.actor_name, action: e.action, step: e.step_id, note: e.note })
            .collect(),
        certificate,
    })
}

fn location(mall: &Mall, a: &Application) -> String {
    format!("/api/v1/malls/{}/applications/{}", mall.slug, a.number)
}

/// Files an application for the token's owner.
async fn create(
    State(state): State<AppState>,
    user: ApiUser,
    headers: HeaderMap,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<ApplicationRequest>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let service = store::service_form(&state.db, &mall.id, &body.service)
        .await?
        .filter(|s| s.active)
        .ok_or_else(|| AppError::invalid("service", "visit.pick_service"))?;
    let scope = format!("{}:{}:applications", user.0.id, mall.id);
    let claim = match idempotency::start(&state.db, &headers, &scope, &body, state.clock.now_ms()).await? {
        None => None,
        Some(Begin::New(claim)) => Some(claim),
        Some(Begin::Replay(id)) => {
            let a = store::by_id(&state.db, &mall.id, &id).await?.ok_or(AppError::NotFound)?;
            let v = view(&state, &mall, &a, Niks::Full).await?;
            return Ok(idempotency::replayed(crate::api::created(location(&mall, &a), v)));
        }
    };
    let filing = Filing {
        service: &service,
        applicant_id: &user.0.id,
        applicant_name: &user.0.name,
        values: body.values.clone(),
        risk: body.risk.clone(),
        speed: body.speed,
        channel: "online",
        filed_by: None,
        ticket_id: None,
        claim: claim.as_ref(),
        consent_until: None,
    };
    let result = flow::file(&state, &mall, filing).await;
    let a = idempotency::settle(&state.db, claim.as_ref(), result).await?;
    Ok(crate::api::created(location(&mall, &a), view(&state, &mall, &a, Niks::Full).await?))
}

/// The application, for its applicant or the mall's staff (whose read is
/// on the access log, and who see NIKs masked).
async fn readable(
    state: &AppState,
    user: &ApiUser,
    slug: &str,
    number: &str,
) -> AppResult<(Mall, Application, Niks<'static>)> {
    let mall = tenancy::store::by_slug(&state.db, slug).await?;
    let seen = super::seen_by(state, &user.0.id, &mall, number).await?;
    let niks = if seen.by_staff() { Niks::Masked { revealed: None } } else { Niks::Full };
    let a = seen.show(state, &user.0, What::Application, "").await?;
    Ok((mall, a, niks))
}

async fn read(
    State(state): State<AppState>,
    user: ApiUser,
    Path((slug, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let (mall, a, niks) = readable(&state, &user, &slug, &number).await?;
    Ok(axum::Json(view(&state, &mall, &a, niks).await?).into_response())
}

async fn resubmit(
    State(state): State<AppState>,
    user: ApiUser,
    Path((slug, number)): Path<(String, String)>,
    ApiJson(body): ApiJson<Resubmission>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let number = mpp_domain::application::parse_registration_number(&number).ok_or(AppError::NotFound)?;
    // Only the applicant's own (flow::resubmit checks): nobody else reads it here.
    let a = flow::resubmit(&state, &mall, &user.0.id, &user.0.name, &number, body.values).await?;
    let a = store::by_id(&state.db, &mall.id, &a.id).await?.ok_or(AppError::NotFound)?;
    Ok(axum::Json(view(&state, &mall, &a, Niks::Full).await?).into_response())
}

async fn act(
    State(state): State<AppState>,
    user: ApiUser,
    Path((slug, number, step)): Path<(String, String, String)>,
    ApiJson(body): ApiJson<StepAction>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let access = crate::auth::store::access(&state.db, &user.0.id, &mall.id).await?;
    let act = Act::parse(&body.act).ok_or_else(|| AppError::invalid("act", "error.bad_field"))?;
    let officer = flow::Officer { id: &user.0.id, name: &user.0.name, access: &access };
    let number = mpp_domain::application::parse_registration_number(&number).ok_or(AppError::NotFound)?;
    let action = flow::Action { number: &number, step_id: &step, act, reason: &body.reason };
    flow::act(&state, &mall, &officer, &action).await?;
    // The answer shows the application: a read like any other.
    let (mall, a, niks) = readable(&state, &user, &slug, &number).await?;
    Ok(axum::Json(view(&state, &mall, &a, niks).await?).into_response())
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct InboxLine {
    pub number: String,
    /// The applicant's initials (the full name is in the application,
    /// whose reading is on the access log).
    pub applicant: String,
    pub step: String,
    pub step_name: String,
    /// The agency's code.
    pub agency: String,
    pub status: String,
    pub due_day: Option<String>,
    /// Claimed by the token's owner.
    pub mine: bool,
}

/// The open steps of the agencies the token's owner works for.
async fn inbox(State(state): State<AppState>, user: ApiUser, Path(slug): Path<String>) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let access = crate::auth::store::access(&state.db, &user.0.id, &mall.id).await?;
    let agencies = super::inbox_agencies(&access)?;
    let all = crate::catalog::store::agencies(&state.db, &mall.id).await?;
    let code = |id: &str| all.iter().find(|g| g.id == id).map(|g| g.code.clone()).unwrap_or_default();
    let lines: Vec<InboxLine> = store::inbox(&state.db, &mall.id, agencies.as_deref())
        .await?
        .into_iter()
        .map(|i| InboxLine {
            agency: code(&i.step.agency_id),
            mine: i.step.assignee_id.as_deref() == Some(user.0.id.as_str()),
            number: i.number,
            applicant: mpp_domain::form::mask_name(&i.applicant_name),
            step: i.step.id,
            step_name: i.step.name_en,
            status: i.step.status.as_str().to_string(),
            due_day: i.step.due_day,
        })
        .collect();
    Ok(axum::Json(lines).into_response())
}

/// This module's part of the OpenAPI document.
pub fn document(paths: &mut Map<String, Value>) {
    let bearer = json!([{"bearer": []}]);
    let view = schema_ref("ApplicationView");
    let refused = |extra: Value| {
        let mut r = json!({"401": problem("No valid bearer token."), "403": problem("The token's owner may not do this."),
                           "404": problem("No such mall, application or step."), "409": problem("Not possible now; `detail` says why."),
                           "422": problem("Invalid input; `errors` names each field.")});
        if let (Some(r), Some(extra)) = (r.as_object_mut(), extra.as_object()) {
            r.extend(extra.clone());
        }
        r
    };
    let registration = param("registration", "The registration number, e.g. `TTU-261125-0001`.");
    paths.insert(
        "/api/v1/malls/{slug}/applications".into(),
        json!({"parameters": [param("slug", SLUG)],
               "post": {"operationId": "file_application", "tags": ["Applications"], "security": bearer,
                        "summary": "File an application for the token's owner",
                        "parameters": [{"name": "Idempotency-Key", "in": "header", "required": false, "schema": {"type": "string", "maxLength": 200},
                                        "description": "A retried request with the same key returns the first application; reused with another body: 422; still in flight: 409."}],
                        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("ApplicationRequest")}}},
                        "responses": refused(json!({"201": ok("The application, with its receipt number.", view.clone())}))}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/applications/{registration}".into(),
        json!({"parameters": [param("slug", SLUG), registration.clone()],
               "get": {"operationId": "get_application", "tags": ["Applications"], "security": bearer,
                       "summary": "An application with its steps and timeline (its applicant, the officers of its agencies, the mall's managers)",
                       "responses": {"200": ok("The application.", view.clone()), "401": problem("No valid bearer token."),
                                     "404": problem("No such application, or not yours.")}}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/applications/{registration}/resubmit".into(),
        json!({"parameters": [param("slug", SLUG), registration.clone()],
               "post": {"operationId": "resubmit_application", "tags": ["Applications"], "security": bearer,
                        "summary": "Send corrected values back (the applicant, while a correction is asked)",
                        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("Resubmission")}}},
                        "responses": refused(json!({"200": ok("The application.", view.clone())}))}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/applications/{registration}/steps/{step}".into(),
        json!({"parameters": [param("slug", SLUG), registration, param("step", "The step id (from the application's steps).")],
               "post": {"operationId": "act_on_step", "tags": ["Applications"], "security": bearer,
                        "summary": "Claim, release, approve, reject, ask for a correction or comment (officers of the step's agency)",
                        "requestBody": {"required": true, "content": {"application/json": {"schema": schema_ref("StepAction")}}},
                        "responses": refused(json!({"200": ok("The application after the action.", view)}))}}),
    );
    paths.insert(
        "/api/v1/malls/{slug}/inbox".into(),
        json!({"parameters": [param("slug", SLUG)],
               "get": {"operationId": "get_inbox", "tags": ["Applications"], "security": bearer,
                       "summary": "Open steps of the agencies the token's owner works for, earliest due first",
                       "responses": {"200": ok("Steps.", json!({"type": "array", "items": schema_ref("InboxLine")})),
                                     "401": problem("No valid bearer token."), "403": problem("Not an officer here."),
                                     "404": problem("No such mall.")}}}),
    );
}
