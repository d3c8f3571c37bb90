//! The citizen's profile ("Data diri", `/akun/profil`): NIK, KK, name, date
//! of birth, address from the region list, phone. Given once, offered back
//! on every application form. The NIK is checked for its structure
//! (`mpp_domain::profile`), then against the population register
//! (`register.rs`; the demo's stand-in: `stand_in.rs`): MPP keeps the
//! question's answer (`nik_checks`), never a copy of the register. A NIK
//! is linked to one account only once the register confirmed it.

pub mod register;
pub mod stand_in;
mod store;

use crate::application::pages::{FieldView, field_views, refining, values_of};
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::web::{Ctx, render, render_status};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::policy::Action;
use mpp_domain::profile::Answer;
use std::collections::BTreeMap;

pub use store::{Profile, by_verified_nik, of_user};

pub fn router() -> Routes {
    Routes::new().get("/akun/profil", Action::OwnAccount, show).post("/akun/profil", Action::OwnAccount, save)
}

#[derive(Template)]
#[template(path = "profile/profile.html")]
struct ProfilePage {
    ctx: Ctx,
    fields: Vec<FieldView>,
    /// `verified`, `no_match`, `unavailable` or "" (nothing asked yet).
    standing: &'static str,
    /// When the register last answered.
    checked: String,
    error: Option<&'static str>,
}

fn values_of_profile(p: &Profile) -> BTreeMap<String, String> {
    [
        ("nik", &p.nik),
        ("full_name", &p.full_name),
        ("birth_date", &p.birth_date),
        ("kk", &p.kk),
        ("region", &p.region_code),
        ("street", &p.street),
        ("phone", &p.phone),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.clone()))
    .collect()
}

async fn page(
    state: &AppState,
    ctx: Ctx,
    values: &BTreeMap<String, String>,
    errors: &[FieldError],
    error: Option<&'static str>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let profile = of_user(&state.db, &user.id).await?;
    let last = store::last_check(&state.db, &user.id).await?;
    let standing = match (&profile, last) {
        (Some(p), _) if p.verified_at.is_some() => "verified",
        (_, Some((_, Answer::NoMatch))) => "no_match",
        (_, Some((_, Answer::Unavailable))) => "unavailable",
        _ => "",
    };
    let zone = mpp_domain::tenancy::CITIZEN_ZONE;
    let checked = last.map(|(at, _)| mpp_domain::format::instant(at, zone, ctx.lang())).unwrap_or_default();
    let fields = field_views(&ctx, &mpp_domain::profile::fields(), values, errors);
    let status = if error.is_some() || !errors.is_empty() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let page = ProfilePage { ctx, fields, standing, checked, error };
    if status == StatusCode::OK { render(&page) } else { render_status(status, &page) }
}

async fn show(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let values = of_user(&state.db, &user.id).await?.map(|p| values_of_profile(&p)).unwrap_or_default();
    page(&state, ctx, &values, &[], None).await
}

/// Saves the profile: checked field by field (everything typed comes back
/// with what is wrong), then the register is asked about the NIK, name and
/// date of birth, and the answer kept with the profile.
async fn save(State(state): State<AppState>, ctx: Ctx, form: Posted) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let fields = mpp_domain::profile::fields();
    let values = values_of(&fields, &form);
    if refining(&form) {
        return page(&state, ctx, &values, &[], None).await;
    }
    let (tidy, problems) = mpp_domain::profile::check(&values);
    if !problems.is_empty() {
        let errors: Vec<FieldError> =
            problems.iter().map(|p| FieldError { field: p.key.clone(), key: p.message }).collect();
        return page(&state, ctx, &values, &errors, Some("form.fix_errors")).await;
    }
    let get = |k: &str| tidy.get(k).cloned().unwrap_or_default();
    let question = register::Question { nik: get("nik"), full_name: get("full_name"), birth_date: get("birth_date") };
    let answer = register::ask(state.register.as_ref().as_ref(), &question).await;
    let now = state.clock.now_ms();
    let profile = Profile {
        user_id: user.id.clone(),
        nik: question.nik,
        full_name: question.full_name,
        birth_date: question.birth_date,
        kk: get("kk"),
        region_code: get("region"),
        street: get("street"),
        phone: get("phone"),
        verified_at: (answer == Answer::Match).then_some(now),
        updated_at: now,
    };
    match store::save(&state.db, profile, answer, now).await {
        Ok(()) => Ok(Redirect::to("/akun/profil#status").into_response()),
        Err(AppError::Conflict(key)) => page(&state, ctx, &values, &[], Some(key)).await,
        Err(e) => Err(e),
    }
}
