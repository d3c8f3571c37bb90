//! The citizen's pages of bundles: the mall's bundles, one bundle's form
//! (the application form of its services at once), and a filed bundle
//! followed on one page.

use super::{Fileable, Filled, store};
use crate::application::pages::{self as forms, Choices};
use crate::application::store::ServiceForm;
use crate::application::{Detail, Niks};
use crate::catalog::store::{Agency, Service};
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{Ctx, render, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::application::Status;
use mpp_domain::policy::Action;
use std::collections::BTreeMap;

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/paket", Action::ReadPublic, list)
        .get("/m/{slug}/paket/{code}", Action::ReadPublic, about)
        .get("/m/{slug}/paket/{code}/ajukan", Action::Apply, form_page)
        .post("/m/{slug}/paket/{code}/ajukan", Action::Apply, file)
        .get("/m/{slug}/paket-saya/{id}", Action::OwnAccount, filed)
}

/// A bundle as its public pages show it.
pub struct BundleView {
    pub code: String,
    pub name: String,
    pub description: String,
    /// Its services: (link, name, agency, how long it takes).
    pub services: Vec<(String, String, String, String)>,
}

/// The mall's bundles that can be filed now (active, every service
/// taking applications) as their pages show them, named from the mall's
/// catalogue the caller read (`services` and `agencies`).
pub async fn views(
    state: &AppState,
    t: &crate::i18n::Tr,
    mall: &Mall,
    (services, agencies): (&[Service], &[Agency]),
) -> AppResult<Vec<BundleView>> {
    let bundles = store::list(&mut crate::db::sql::Conn::Read(&state.db), &mall.id, None).await?;
    if !bundles.iter().any(|b| b.active) {
        return Ok(Vec::new());
    }
    let taking = crate::application::store::services_with_workflows(&state.db, &mall.id).await?;
    let fileable = |b: &super::Bundle| {
        b.active && b.services.iter().all(|code| taking.iter().any(|s| s.code == *code && s.active))
    };
    Ok(bundles
        .into_iter()
        .filter(|b| fileable(b))
        .map(|b| BundleView {
            services: b
                .services
                .iter()
                .filter_map(|code| services.iter().find(|s| s.code == *code))
                .map(|s| {
                    let agency = agencies.iter().find(|a| a.id == s.agency_id);
                    (
                        format!("/m/{}/layanan/{}", mall.slug, s.code),
                        t.pick(&s.name_id, &s.name_en).to_string(),
                        agency.map(|a| t.pick(&a.name_id, &a.name_en).to_string()).unwrap_or_default(),
                        t.pick(&s.completion_time_id, &s.completion_time_en).to_string(),
                    )
                })
                .collect(),
            name: t.pick(&b.name_id, &b.name_en).to_string(),
            description: t.pick(&b.description_id, &b.description_en).to_string(),
            code: b.code,
        })
        .collect())
}

/// The mall's services (active) and agencies, which name a bundle's parts.
async fn catalogue(state: &AppState, mall: &Mall) -> AppResult<(Vec<Service>, Vec<Agency>)> {
    let services = crate::catalog::store::services(&state.db, &mall.id, false).await?;
    Ok((services, crate::catalog::store::agencies(&state.db, &mall.id).await?))
}

#[derive(Template)]
#[template(path = "bundle/list.html")]
struct ListPage {
    ctx: Ctx,
    mall: Mall,
    bundles: Vec<BundleView>,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let (services, agencies) = catalogue(&state, &mall).await?;
    let bundles = views(&state, &ctx.t, &mall, (&services, &agencies)).await?;
    render(&ListPage { ctx, mall, bundles })
}

#[derive(Template)]
#[template(path = "bundle/about.html")]
struct AboutPage {
    ctx: Ctx,
    mall: Mall,
    b: BundleView,
}

async fn about(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let code = code.trim().to_ascii_uppercase();
    let (services, agencies) = catalogue(&state, &mall).await?;
    let all = views(&state, &ctx.t, &mall, (&services, &agencies)).await?;
    let b = all.into_iter().find(|b| b.code == code).ok_or(AppError::NotFound)?;
    render(&AboutPage { ctx, mall, b })
}

async fn fileable(state: &AppState, mall: &Mall, code: &str) -> AppResult<Fileable> {
    let bundle = store::by_code(&state.db, &mall.id, code).await?.ok_or(AppError::NotFound)?;
    super::fileable(state, mall, bundle).await
}

/// The bundle as one service's form: its fields, one checklist box per
/// service ("its requirements are ready"), a risk level if any service
/// routes by it. What the form page shows and what a filing is checked
/// against before each service's own checks.
fn as_one(b: &Fileable, t: &crate::i18n::Tr) -> ServiceForm {
    let ready: Vec<String> = b
        .members
        .iter()
        .map(|s| t.f("bundle.requirements_ready", &[("service", t.pick(&s.name_id, &s.name_en))]))
        .collect();
    ServiceForm {
        id: b.bundle.id.clone(),
        code: b.bundle.code.clone(),
        name_id: b.bundle.name_id.clone(),
        name_en: b.bundle.name_en.clone(),
        agency_id: String::new(),
        active: true,
        fields: b.fields.clone(),
        risk_based: b.members.iter().any(|s| s.risk_based),
        fees: Default::default(),
        requirements_id: ready.join("\n"),
        requirements_en: ready.join("\n"),
    }
}

/// The bundle's one form, as the service form's page shows it: the
/// services it starts with their agencies, each service's requirements
/// under its checklist box (the parent ticks four boxes, not every list's
/// items), and the consent kept documents take.
fn form_of(
    ctx: Ctx,
    mall: Mall,
    b: &Fileable,
    agencies: &[Agency],
    values: &BTreeMap<String, String>,
    c: Choices<'_>,
    errors: &[FieldError],
) -> forms::FilePage {
    let t = &ctx.t;
    let items: Vec<Vec<String>> = b
        .members
        .iter()
        .map(|s| {
            mpp_domain::catalog::lines(t.pick(&s.requirements_id, &s.requirements_en))
                .into_iter()
                .map(str::to_owned)
                .collect()
        })
        .collect();
    let starts = b
        .members
        .iter()
        .map(|s| {
            let agency = agencies.iter().find(|a| a.id == s.agency_id);
            (
                format!("/m/{}/layanan/{}", mall.slug, s.code),
                t.pick(&s.name_id, &s.name_en).to_string(),
                agency.map(|a| t.pick(&a.name_id, &a.name_en).to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let service = as_one(b, t);
    let action = format!("/m/{}/paket/{}/ajukan", mall.slug, b.bundle.code);
    let error = (!errors.is_empty()).then_some("form.fix_errors");
    let mut page = forms::file_page(ctx, mall, service, values, c, errors, error);
    page.action = action;
    page.starts = starts;
    page.consent_services = b.members.iter().map(|s| s.id.clone()).collect();
    page.requirement_items = items;
    page
}

async fn form_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
) -> AppResult<Response> {
    if let Some(r) = forms::login_first(&ctx) {
        return Ok(r);
    }
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let b = fileable(&state, &mall, &code).await?;
    let user = ctx.require_user()?.clone();
    let values = forms::given_once(&state, &user.id, &b.fields).await?;
    let agencies = crate::catalog::store::agencies(&state.db, &mall.id).await?;
    let mut page = form_of(ctx, mall, &b, &agencies, &values, Choices::default(), &[]);
    page.prefilled = !values.is_empty();
    render(&forms::offer_kept(&state, &user.id, page, false).await?)
}

async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    if let Some(r) = forms::login_first(&ctx) {
        return Ok(r);
    }
    let user = ctx.require_user()?.clone();
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let b = fileable(&state, &mall, &code).await?;
    let mut values = forms::values_of(&b.fields, &form);
    let risk = form.get("risk");
    // The one checklist as the page showed it (a box per service).
    let service = as_one(&b, &ctx.t);
    let ticks = forms::ticked(&ctx.t, &service, &form);
    let agencies = crate::catalog::store::agencies(&state.db, &mall.id).await?;
    let choices = Choices { risk: &risk, speed: "", ticks: &ticks };
    let mut refused = crate::document::from_form(&state, &user.id, &b.fields, &form, &mut values).await?;
    let consented = form.flag("consent");
    let reused = crate::document::any_kept(&state.db, &user.id, &b.fields, &values).await?;
    let again = |values: &BTreeMap<String, String>, errors: &[FieldError]| {
        form_of(ctx.clone(), mall.clone(), &b, &agencies, values, choices, errors)
    };
    if forms::refining(&form) {
        return render(&forms::offer_kept(&state, &user.id, again(&values, &[]), consented).await?);
    }
    refused.extend(forms::before_filing(&service, &values, &risk, "", &ticks));
    if reused && !consented {
        refused.push(FieldError::new("consent", "consent.needed"));
    }
    let result = if refused.is_empty() {
        let sent = Filled {
            applicant_id: &user.id,
            applicant_name: &user.name,
            values: &values,
            risk: &risk,
            consent_until: reused.then(|| mpp_domain::consent::filing_until(state.clock.today(mall.zone()))),
        };
        super::file(&state, &mall, &b, sent).await
    } else {
        Err(AppError::Invalid(refused))
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/m/{}/paket-saya/{id}", mall.slug)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = forms::offer_kept(&state, &user.id, again(&values, &errors), consented).await?;
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "bundle/filed.html")]
struct FiledPage {
    ctx: Ctx,
    mall: Mall,
    name: String,
    filed: String,
    applications: Vec<Detail>,
    /// How many of them are finished (issued, rejected or withdrawn).
    done: usize,
}

/// A filed bundle, followed on one page: each application with its agency,
/// status, deadline and who holds it now. Only its applicant sees it (each
/// application's page is where staff and trackers go).
async fn filed(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let filing = store::filing(&state.db, &mall.id, &id)
        .await?
        .filter(|f| f.applicant_id == user.id)
        .ok_or(AppError::NotFound)?;
    let bundle = store::by_id(&state.db, &mall.id, &filing.bundle_id).await?.ok_or(AppError::NotFound)?;
    let mut applications = Vec::new();
    let conn = &mut crate::db::sql::Conn::Read(&state.db);
    for number in store::numbers_of(&state.db, &mall.id, &filing.id).await? {
        let a = crate::application::store::by_number(conn, &mall.id, &number).await?.ok_or(AppError::NotFound)?;
        applications.push(crate::application::detail(&state, &ctx.t, &mall, &a, Niks::Full).await?);
    }
    let finished =
        |d: &&Detail| Status::parse(&d.status).is_some_and(|s| !matches!(s, Status::InProgress | Status::Correction));
    let done = applications.iter().filter(finished).count();
    let page = FiledPage {
        name: ctx.t.pick(&bundle.name_id, &bundle.name_en).to_string(),
        filed: mpp_domain::format::instant(filing.filed_at, mall.zone(), ctx.t.lang),
        ctx,
        mall,
        applications,
        done,
    };
    render(&page)
}
