//! The back office for services: mall managers manage every agency's
//! services, agency admins only their own, supervisors read.

use super::store::{self, Agency, Service};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::{Ctx, render, render_status};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use mpp_domain::catalog::{Channel, ServiceInput};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/m/{slug}/admin/layanan", get(list))
        .route("/m/{slug}/admin/layanan/baru", get(new_form).post(create))
        .route("/m/{slug}/admin/layanan/{code}", get(edit_form).post(update))
}

pub struct Row {
    pub code: String,
    pub name: String,
    pub agency: String,
    pub active: bool,
    pub editable: bool,
}

#[derive(Template)]
#[template(path = "admin/services.html")]
struct ListPage {
    ctx: Ctx,
    bo: BackOffice,
    rows: Vec<Row>,
    can_create: bool,
}

/// The agencies this user may put services under.
fn manageable(bo: &BackOffice, agencies: Vec<Agency>) -> Vec<Agency> {
    agencies.into_iter().filter(|a| bo.access.can_manage_agency(&a.id)).collect()
}

async fn list(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let agencies = store::agencies(&state.db, &bo.mall.id).await?;
    let visible = |s: &Service| bo.access.can_view_whole_mall() || bo.access.can_manage_agency(&s.agency_id);
    let t = ctx.t;
    let rows = store::services(&state.db, &bo.mall.id, true)
        .await?
        .iter()
        .filter(|s| visible(s))
        .map(|s| Row {
            code: s.code.clone(),
            name: t.pick(&s.name_id, &s.name_en).to_string(),
            agency: agencies.iter().find(|a| a.id == s.agency_id).map(|a| a.code.clone()).unwrap_or_default(),
            active: s.active,
            editable: bo.access.can_manage_agency(&s.agency_id),
        })
        .collect();
    let can_create = !manageable(&bo, agencies).is_empty();
    render(&ListPage { ctx, bo, rows, can_create })
}

#[derive(Template)]
#[template(path = "admin/service_form.html")]
struct FormPage {
    ctx: Ctx,
    bo: BackOffice,
    /// The code being edited; `None` for a new service.
    editing: Option<String>,
    saved: bool,
    agencies: Vec<(String, String)>,
    v: ServiceInput,
    errors: Vec<FieldError>,
    read_only: bool,
}

impl FormPage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.key)
    }

    fn has_channel(&self, c: &str) -> bool {
        self.v.channels.iter().any(|x| x == c)
    }

    fn channels(&self) -> Vec<(&'static str, &'static str)> {
        Channel::ALL.iter().map(|c| (c.as_str(), self.ctx.t.t(&format!("channel.{}", c.as_str())))).collect()
    }

    fn action(&self) -> String {
        match &self.editing {
            Some(code) => format!("/m/{}/admin/layanan/{code}", self.bo.mall.slug),
            None => format!("/m/{}/admin/layanan/baru", self.bo.mall.slug),
        }
    }
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    bo: BackOffice,
    editing: Option<String>,
    v: ServiceInput,
    errors: Vec<FieldError>,
    saved: bool,
) -> AppResult<Response> {
    let all = store::agencies(&state.db, &bo.mall.id).await?;
    let read_only = match &editing {
        Some(_) => all.iter().find(|a| a.code == v.agency).is_none_or(|a| !bo.access.can_manage_agency(&a.id)),
        None => false,
    };
    let choices = if read_only { all } else { manageable(&bo, all) };
    let agencies = choices.into_iter().map(|a| (a.code, a.name_id)).collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render_status(status, &FormPage { ctx, bo, editing, saved, agencies, v, errors, read_only })
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let agencies = manageable(&bo, store::agencies(&state.db, &bo.mall.id).await?);
    bo.require(!agencies.is_empty())?;
    let v = ServiceInput {
        agency: if agencies.len() == 1 { agencies[0].code.clone() } else { String::new() },
        channels: vec![Channel::Counter.as_str().to_string()],
        queue_prefix: "A".into(),
        active: true,
        ..Default::default()
    };
    form_page(&state, ctx, bo, None, v, vec![], false).await
}

/// Reads the posted form into a service input; numbers that do not parse
/// are field errors, reported with the rest.
fn parse_form(fields: &[(String, String)]) -> (ServiceInput, Vec<FieldError>) {
    let get = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let mut errors = Vec::new();
    let mut number = |name: &'static str| {
        let raw = get(name).replace(['.', ' '], "");
        if raw.is_empty() {
            return 0;
        }
        raw.parse::<i64>().unwrap_or_else(|_| {
            errors.push(FieldError::new(name, "form.not_number"));
            0
        })
    };
    let sla_days = number("sla_days");
    let cost_rupiah = number("cost_rupiah");
    let input = ServiceInput {
        agency: get("agency"),
        code: get("code").trim().to_ascii_uppercase(),
        name_id: get("name_id"),
        name_en: get("name_en"),
        aliases: get("aliases"),
        summary_id: get("summary_id"),
        summary_en: get("summary_en"),
        requirements_id: get("requirements_id"),
        requirements_en: get("requirements_en"),
        procedure_id: get("procedure_id"),
        procedure_en: get("procedure_en"),
        completion_time_id: get("completion_time_id"),
        completion_time_en: get("completion_time_en"),
        sla_days,
        cost_rupiah,
        cost_note_id: get("cost_note_id"),
        cost_note_en: get("cost_note_en"),
        product_id: get("product_id"),
        product_en: get("product_en"),
        complaint_id: get("complaint_id"),
        complaint_en: get("complaint_en"),
        legal_basis: get("legal_basis"),
        channels: fields.iter().filter(|(k, _)| k == "channels").map(|(_, v)| v.clone()).collect(),
        queue_prefix: get("queue_prefix").trim().to_ascii_uppercase(),
        active: !get("active").is_empty(),
    };
    (input, errors)
}

/// Validates and saves; on any problem shows the form again with what was typed.
async fn save(
    state: AppState,
    ctx: Ctx,
    bo: BackOffice,
    existing: Option<Service>,
    fields: Vec<(String, String)>,
) -> AppResult<Response> {
    let (input, mut errors) = parse_form(&fields);
    let editing = existing.as_ref().map(|s| s.code.clone());
    if errors.is_empty() {
        let result = match store::check_service(&state.db, &bo.mall.id, &input).await {
            Ok(agency) if !bo.access.can_manage_agency(&agency.id) => {
                Err(AppError::invalid("agency", "form.bad_choice"))
            }
            Ok(agency) => {
                let now = state.clock.now_ms();
                store::save_service(&state.db, &bo.mall.id, &bo.user, &agency, &input, existing.as_ref(), now).await
            }
            Err(e) => Err(e),
        };
        match result {
            Ok(saved) => {
                let to = format!("/m/{}/admin/layanan/{}?disimpan=1", bo.mall.slug, saved.code);
                return Ok(Redirect::to(&to).into_response());
            }
            Err(AppError::Invalid(mut e)) => errors.append(&mut e),
            Err(e) => return Err(e),
        }
    } else {
        // Report the other problems too, not only the unparsable numbers.
        errors.extend(input.validate().into_iter().map(|p| FieldError::new(p.field, p.key)));
    }
    form_page(&state, ctx, bo, editing, input, errors, false).await
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.managed_agencies().is_none_or(|a| !a.is_empty()))?;
    save(state, ctx, bo, None, fields).await
}

/// The service, if this user may at least read it.
async fn load(state: &AppState, bo: &BackOffice, code: &str) -> AppResult<Service> {
    let s = store::service_by_code(&state.db, &bo.mall.id, code).await?.ok_or(AppError::NotFound)?;
    bo.require(bo.access.can_view_whole_mall() || bo.access.can_manage_agency(&s.agency_id))?;
    Ok(s)
}

#[derive(serde::Deserialize)]
struct SavedQuery {
    disimpan: Option<String>,
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let s = load(&state, &bo, &code).await?;
    let agency_code = agency_code_of(&state, &bo, &s).await?;
    form_page(&state, ctx, bo, Some(s.code.clone()), s.to_input(&agency_code), vec![], q.disimpan.is_some()).await
}

async fn agency_code_of(state: &AppState, bo: &BackOffice, s: &Service) -> AppResult<String> {
    let agencies = store::agencies(&state.db, &bo.mall.id).await?;
    Ok(agencies.into_iter().find(|a| a.id == s.agency_id).map(|a| a.code).unwrap_or_default())
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let s = load(&state, &bo, &code).await?;
    bo.require(bo.access.can_manage_agency(&s.agency_id))?;
    save(state, ctx, bo, Some(s), fields).await
}
