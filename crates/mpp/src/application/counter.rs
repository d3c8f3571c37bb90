//! Filing at a counter: the officer serving a visitor opens an application
//! for them from the counter console, with the same form the citizen would
//! fill online, tied to the visitor's ticket.
//!
//! The applicant is a citizen account: the one with the email the visitor
//! gives, or, for a visitor without an account, a walk-in record that
//! cannot log in. Either way the visitor tracks the application with its
//! number and the last four digits of the NIK on the printed receipt.

use super::flow;
use super::pages::{Choices, FilePage, file_page, values_of};
use super::store::{self, ServiceForm};
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::visit::console::Station;
use crate::web::{Ctx, render, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new().get("/m/{slug}/loket/{number}/permohonan", Action::WorkCounter, page).post(
        "/m/{slug}/loket/{number}/permohonan",
        Action::WorkCounter,
        file,
    )
}

/// The services this officer may file at their counter: those with a
/// workflow, of the agencies they work for (all, for the mall's managers).
async fn fileable(state: &AppState, st: &Station) -> AppResult<(mpp_domain::auth::Access, Vec<ServiceForm>)> {
    let access = crate::auth::store::access(&state.db, &st.user.id, &st.mall.id).await?;
    let services = store::services_with_workflows(&state.db, &st.mall.id)
        .await?
        .into_iter()
        .filter(|s| s.active && (access.can_manage_mall() || access.can_process_for(&s.agency_id)))
        .collect();
    Ok((access, services))
}

#[derive(Template)]
#[template(path = "application/counter_pick.html")]
struct PickPage {
    ctx: Ctx,
    mall: crate::tenancy::Mall,
    number: i64,
    ticket: Option<String>,
    services: Vec<(String, String)>,
}

#[derive(serde::Deserialize, Default)]
struct Chosen {
    layanan: Option<String>,
}

/// What the counter adds to the citizen's form: who applies, and the ticket.
#[derive(Default)]
pub struct Applicant {
    pub name: String,
    pub email: String,
    pub ticket: Option<String>,
    /// Filled from the profile of the account that booked the ticket.
    pub from_profile: bool,
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, i64)>,
    Query(q): Query<Chosen>,
) -> AppResult<Response> {
    let st = Station::enter(&state, ctx.require_user()?.clone(), &slug, number).await?;
    let (_, services) = fileable(&state, &st).await?;
    let ticket = crate::visit::store::current_at(&state.db, &st.mall.id, &st.desk.id).await?;
    let chosen = q.layanan.as_deref().map(str::trim).unwrap_or("");
    let Some(service) = services.iter().find(|s| s.code.eq_ignore_ascii_case(chosen)).cloned() else {
        // The visitor's own service first.
        let mut list: Vec<&ServiceForm> = services.iter().collect();
        list.sort_by_key(|s| ticket.as_ref().is_none_or(|t| t.service_id != s.id));
        let services = list.iter().map(|s| (s.code.clone(), ctx.t.pick(&s.name_id, &s.name_en).to_string())).collect();
        let ticket = ticket.map(|t| t.label);
        return render(&PickPage { ctx, mall: st.mall, number, ticket, services });
    };
    let (applicant, values) = match &ticket {
        Some(t) => from_booking(&state, &st, t, &service).await?,
        None => (Applicant::default(), Default::default()),
    };
    let page = form(ctx, &st, service, &values, Choices::default(), &[], None, applicant);
    render(&page)
}

/// Given once, at the counter too: when the visitor being served booked
/// with their account, the form starts from that account's profile (name,
/// email, NIK, village). The ticket is the officer's ground, and the read
/// is on the citizen's access log before the form shows it.
async fn from_booking(
    state: &AppState,
    st: &Station,
    ticket: &crate::visit::store::Ticket,
    service: &ServiceForm,
) -> AppResult<(Applicant, std::collections::BTreeMap<String, String>)> {
    let mut applicant = Applicant { ticket: Some(ticket.label.clone()), ..Default::default() };
    let holder = crate::booking::store::holder_of_ticket(&state.db, &st.mall.id, ticket.id.as_str()).await?;
    let profile = match holder {
        Some(id) => crate::profile::of_user(&state.db, &id).await?,
        None => None,
    };
    let Some(p) = profile else { return Ok((applicant, Default::default())) };
    let read = crate::access::Read {
        mall_id: st.mall.id.clone(),
        subject_id: p.user_id.clone(),
        reader: st.user.clone(),
        reader_agency: crate::access::agency_name(&state.db, &st.mall.id, &service.agency_id).await?,
        what: mpp_domain::access::What::Profile,
        basis: mpp_domain::access::Basis::Ticket,
        basis_ref: ticket.label.clone(),
        reason: String::new(),
    };
    crate::access::record(&state.db, vec![read], state.clock.now_ms()).await?;
    applicant.name.clone_from(&p.full_name);
    applicant.email = crate::auth::store::email_of(&state.db, &p.user_id).await?.unwrap_or_default();
    applicant.from_profile = true;
    Ok((applicant, mpp_domain::profile::prefill(&service.fields, &p.nik, &p.region_code)))
}

#[allow(clippy::too_many_arguments)]
fn form(
    ctx: Ctx,
    st: &Station,
    service: ServiceForm,
    values: &std::collections::BTreeMap<String, String>,
    choices: Choices<'_>,
    errors: &[FieldError],
    error: Option<&'static str>,
    applicant: Applicant,
) -> FilePage {
    let action = format!("/m/{}/loket/{}/permohonan?layanan={}", st.mall.slug, st.desk.number, service.code);
    let mut page = file_page(ctx, st.mall.clone(), service, values, choices, errors, error);
    page.action = action;
    // At the counter the officer sees the papers themselves.
    page.fields.retain(|f| f.input != "file");
    page.multipart = false;
    page.counter = Some(super::pages::CounterPart {
        name_error: errors.iter().find(|e| e.field == "applicant_name").map(|e| e.key),
        email_error: errors.iter().find(|e| e.field == "applicant_email").map(|e| e.key),
        applicant,
    });
    page
}

async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, i64)>,
    Query(q): Query<Chosen>,
    posted: Posted,
) -> AppResult<Response> {
    let st = Station::enter(&state, ctx.require_user()?.clone(), &slug, number).await?;
    let (_, services) = fileable(&state, &st).await?;
    let chosen = q.layanan.unwrap_or_default();
    let service =
        services.into_iter().find(|s| s.code.eq_ignore_ascii_case(chosen.trim())).ok_or(AppError::Forbidden)?;
    let ticket = crate::visit::store::current_at(&state.db, &st.mall.id, &st.desk.id).await?;
    let mut values = values_of(&service.fields, &posted);
    for f in service.fields.iter().filter(|f| f.kind == mpp_domain::form::FieldKind::Document) {
        values.insert(f.key.clone(), super::PAPER_SEEN.to_string());
    }
    let (risk, speed) = (posted.get("risk"), posted.get("speed"));
    let applicant = Applicant {
        name: posted.get("applicant_name").trim().to_string(),
        email: posted.get("applicant_email").trim().to_lowercase(),
        ticket: ticket.as_ref().map(|t| t.label.clone()),
        from_profile: false,
    };
    let ticks = super::pages::ticked(&ctx.t, &service, &posted);
    let choices = Choices { risk: &risk, speed: &speed, ticks: &ticks };
    if super::pages::refining(&posted) {
        return render(&form(ctx, &st, service, &values, choices, &[], None, applicant));
    }
    let problems = super::pages::before_filing(&service, &values, &risk, &speed, &ticks);
    if !problems.is_empty() {
        let page = form(ctx, &st, service, &values, choices, &problems, Some("form.fix_errors"), applicant);
        return render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let result = match applicant_account(&state, &applicant, &service, &values).await {
        Ok((id, name)) => {
            let filing = flow::Filing {
                service: &service,
                applicant_id: &id,
                applicant_name: &name,
                values: values.clone(),
                risk: Some(risk.clone()).filter(|r| !r.is_empty()),
                speed: speed.trim().parse().ok(),
                channel: "counter",
                filed_by: Some(store::Actor { id: Some(&st.user.id), name: &st.user.name }),
                ticket_id: ticket.as_ref().map(|t| t.id.as_str()),
                claim: None,
                consent_until: None,
            };
            flow::file(&state, &st.mall, filing).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(a) => {
            let nik = a.applicant_nik.last4();
            Ok(Redirect::to(&format!("/m/{}/permohonan/{}?nik={nik}", st.mall.slug, a.number)).into_response())
        }
        Err(e) => {
            let Some(message) = e.form_message() else { return Err(e) };
            let errors = if let AppError::Invalid(list) = &e { list.clone() } else { Vec::new() };
            let message = if errors.is_empty() { message } else { "form.fix_errors" };
            let page = form(ctx, &st, service, &values, choices, &errors, Some(message), applicant);
            render_status(e.status(), &page)
        }
    }
}

/// The applicant's account: the citizen with this email, or a new walk-in
/// record (made only once the form is known to be complete).
async fn applicant_account(
    state: &AppState,
    who: &Applicant,
    service: &ServiceForm,
    values: &std::collections::BTreeMap<String, String>,
) -> AppResult<(String, String)> {
    let mut problems = match flow::checked(service, values) {
        Ok(_) => Vec::new(),
        Err(AppError::Invalid(list)) => list,
        Err(e) => return Err(e),
    };
    if who.name.is_empty() {
        problems.push(FieldError::new("applicant_name", "application.applicant_name_required"));
    }
    let account = if who.email.is_empty() {
        None
    } else {
        let found = crate::auth::store::find_by_email(&state.db, &who.email).await?;
        if found.is_none() {
            problems.push(FieldError::new("applicant_email", "application.no_such_account"));
        }
        found
    };
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    if let Some(user) = account {
        return Ok((user.id, user.name));
    }
    // A walk-in: an address that can never receive mail and a password
    // hash that can never match, so the record cannot be used to log in.
    let now = state.clock.now_ms();
    let email = format!("loket+{}@walk-in.invalid", crate::db::new_id(now));
    let id = crate::auth::store::create_user(&state.db, &email, &who.name, crate::auth::password::NOT_SET, now).await?;
    Ok((id, who.name.clone()))
}
