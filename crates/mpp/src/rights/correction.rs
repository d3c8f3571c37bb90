//! Correction requests: a citizen says which data is wrong and what it
//! should be; the request goes to the agency that owns it (an
//! application's service's agency, or the mall's population registry for
//! NIK, KK, name and date of birth) and must be answered within 3 × 24
//! hours, which both sides see. Officers answer on `/m/{slug}/koreksi`.

use super::store::{self, Correction};
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::Posted;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::rights::{ANSWER_MS, CorrectionStatus};

/// The agency code of the population registry, which owns NIK, KK, names and dates of birth.
const REGISTRY: &str = "dukcapil";

/// What a citizen may ask to correct: (value, label, mall, agency id, about).
pub(super) async fn topics(
    state: &AppState,
    ctx: &Ctx,
    user_id: &str,
) -> AppResult<Vec<(String, String, Mall, String, String)>> {
    let mut out = Vec::new();
    for mall in tenancy::store::list(&state.db).await? {
        let applications = crate::application::store::of_applicant(&state.db, &mall.id, user_id).await?;
        if applications.is_empty() {
            continue;
        }
        let agencies = crate::catalog::store::agencies(&state.db, &mall.id).await?;
        if let Some(registry) = agencies.iter().find(|g| g.code == REGISTRY) {
            let label = ctx.t.f(
                "correction.population",
                &[("agency", ctx.t.pick(&registry.name_id, &registry.name_en)), ("mall", &mall.name)],
            );
            out.push((format!("pop:{}", mall.id), label, mall.clone(), registry.id.clone(), String::new()));
        }
        for a in applications {
            let service = crate::application::store::service_form_by_id(&state.db, &mall.id, &a.service_id).await?;
            let Some(service) = service else { continue };
            let label = ctx.t.f(
                "correction.application",
                &[("number", &a.number), ("service", ctx.t.pick(&service.name_id, &service.name_en))],
            );
            out.push((
                format!("app:{}:{}", mall.id, a.number),
                label,
                mall.clone(),
                service.agency_id.clone(),
                a.number,
            ));
        }
    }
    Ok(out)
}

/// Files a correction request; field errors keep what was typed.
pub(super) async fn ask(State(state): State<AppState>, ctx: Ctx, form: Posted) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let (topic, wrong, correct) = (form.get("topic"), form.get("wrong"), form.get("correct"));
    let topics = topics(&state, &ctx, &user.id).await?;
    let chosen = topics.iter().find(|t| t.0 == topic);
    let mut errors = Vec::new();
    if chosen.is_none() {
        errors.push(FieldError::new("topic", "correction.choose_topic"));
    }
    for (field, value) in [("wrong", &wrong), ("correct", &correct)] {
        match value.chars().count() {
            0 => errors.push(FieldError::new(field, "correction.required")),
            501.. => errors.push(FieldError::new(field, "correction.too_long")),
            _ => {}
        }
    }
    let Some((_, _, mall, agency_id, about)) = chosen.filter(|_| errors.is_empty()) else {
        let typed = super::Typed { topic, wrong, correct };
        return super::page_with(&state, ctx, typed, errors).await;
    };
    let now = state.clock.now_ms();
    let c = Correction {
        mall_id: mall.id.clone(),
        id: crate::db::new_id(now),
        subject_id: user.id.clone(),
        agency_id: agency_id.clone(),
        about: about.clone(),
        wrong,
        correct,
        filed_at: now,
        answer_by: now + ANSWER_MS,
        status: CorrectionStatus::Open,
        answer: String::new(),
        answered_at: None,
    };
    store::insert_correction(&state.db, &c).await?;
    Ok(Redirect::to("/akun/data-saya?koreksi=1#koreksi").into_response())
}

/// One request as the agency's page lists it.
pub struct Line {
    pub id: String,
    pub agency: String,
    pub about: String,
    pub wrong: String,
    pub correct: String,
    pub filed: String,
    pub answer_by: String,
    pub overdue: bool,
    pub status: CorrectionStatus,
    pub answer: String,
}

#[derive(Template)]
#[template(path = "rights/corrections.html")]
struct AgencyPage {
    ctx: Ctx,
    mall: Mall,
    lines: Vec<Line>,
}

/// The mall's correction requests for this officer's agencies (every
/// agency for the mall's managers), open ones first by deadline.
pub(super) async fn list(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let desk = crate::application::inbox::enter(&state, &ctx, &slug).await?;
    let agencies = crate::catalog::store::agencies(&state.db, &desk.mall.id).await?;
    let zone = desk.mall.zone();
    let now = state.clock.now_ms();
    let shown: Vec<_> = store::corrections_in(&state.db, &desk.mall.id)
        .await?
        .into_iter()
        .filter(|c| desk.decides_for(&c.agency_id))
        .collect();
    // What each citizen asked is theirs: its reading is on their access log first.
    let reads = shown
        .iter()
        .map(|c| crate::access::Read {
            mall_id: desk.mall.id.clone(),
            subject_id: c.subject_id.clone(),
            reader: desk.user.clone(),
            reader_agency: agencies.iter().find(|g| g.id == c.agency_id).map(|g| g.name_id.clone()).unwrap_or_default(),
            what: mpp_domain::access::What::Correction,
            basis: mpp_domain::access::Basis::Correction,
            basis_ref: c.id.clone(),
            reason: String::new(),
        })
        .collect();
    crate::access::record(&state.db, reads, now).await?;
    let lines = shown
        .into_iter()
        .map(|c| Line {
            agency: agencies
                .iter()
                .find(|g| g.id == c.agency_id)
                .map(|g| ctx.t.pick(&g.name_id, &g.name_en).to_string())
                .unwrap_or_default(),
            about: if c.about.is_empty() { ctx.t.t("correction.population_data").to_string() } else { c.about },
            filed: mpp_domain::format::instant(c.filed_at, zone, ctx.lang()),
            answer_by: mpp_domain::format::instant(c.answer_by, zone, ctx.lang()),
            overdue: c.status == CorrectionStatus::Open && now > c.answer_by,
            id: c.id,
            wrong: c.wrong,
            correct: c.correct,
            status: c.status,
            answer: c.answer,
        })
        .collect();
    render(&AgencyPage { ctx, mall: desk.mall, lines })
}

/// An officer's answer: done or refused, with words the citizen reads.
pub(super) async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    let desk = crate::application::inbox::enter(&state, &ctx, &slug).await?;
    let status = match form.get("status").as_str() {
        "done" => CorrectionStatus::Done,
        "refused" => CorrectionStatus::Refused,
        _ => return Err(AppError::invalid("status", "correction.choose_answer")),
    };
    let words = form.get("answer");
    if words.is_empty() || words.chars().count() > 1000 {
        return Err(AppError::invalid("answer", "correction.answer_required"));
    }
    let answered = (status, words, desk.user.id.clone());
    let agencies = desk.agency_ids().map(<[String]>::to_vec);
    if !store::answer_correction(&state.db, &desk.mall.id, &id, agencies, answered, state.clock.now_ms()).await? {
        return Err(AppError::Conflict("correction.not_open"));
    }
    Ok(Redirect::to(&format!("/m/{}/koreksi#{id}", desk.mall.slug)).into_response())
}
