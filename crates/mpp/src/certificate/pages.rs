//! Certificates on the web: the holder (or an officer of its agencies)
//! downloads the PDF; anyone checks one on its public page (where its QR
//! code leads); an officer of the issuing agency or a mall manager revokes
//! one from the officer's page of its application.

use super::{Check, check, store};
use crate::application::inbox::{enter, page};
use crate::auth::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{Ctx, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::access::What;
use mpp_domain::certificate::Verdict;
use mpp_domain::format;
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/permohonan/{number}/sertifikat.pdf", Action::Apply, download)
        .get("/m/{slug}/sertifikat/{id}", Action::ReadPublic, verify_page)
        .post("/m/{slug}/kotak-masuk/{number}/cabut", Action::ProcessApplications, revoke)
}

/// How the access log names a certificate an officer downloads.
const CERTIFICATE: &str = "sertifikat/izin yang diterbitkan";

/// The certificate of application `number`, for someone allowed to hold
/// it: its applicant, or staff who may see the application (on the access log).
pub(super) async fn held(
    state: &AppState,
    user: &CurrentUser,
    mall: &Mall,
    number: &str,
) -> AppResult<store::Certificate> {
    let seen = crate::application::seen_by(state, &user.id, mall, number).await?;
    let a = seen.show(state, user, What::Document(CERTIFICATE.into()), "").await?;
    store::of_application(&mut crate::db::sql::Conn::Read(&state.db), &mall.id, &a.id).await?.ok_or(AppError::NotFound)
}

/// The PDF as a download; its QR code points at this server.
pub(super) fn pdf_response(headers: &HeaderMap, mall: &Mall, c: &store::Certificate) -> AppResult<Response> {
    let url = super::verify_url(&crate::web::base_url(headers), &mall.slug, c);
    let pdf = super::pdf::render(&c.content()?, &c.signature, &url);
    let name = format!("attachment; filename=\"sertifikat-{}.pdf\"", c.number.replace('/', "-"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/pdf")),
            (header::CONTENT_DISPOSITION, HeaderValue::from_str(&name).map_err(|e| AppError::Internal(e.into()))?),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        pdf,
    )
        .into_response())
}

async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let c = held(&state, ctx.require_user()?, &mall, &number).await?;
    pdf_response(&headers, &mall, &c)
}

#[derive(Template)]
#[template(path = "certificate/verify.html")]
struct VerifyPage {
    ctx: Ctx,
    mall: Mall,
    verdict: &'static str,
    verdict_text: &'static str,
    explain: &'static str,
    /// (label key, value) of what the register holds, when it holds it.
    facts: Vec<(&'static str, String)>,
    revoked: Option<(String, String)>,
    kid: String,
    keys_url: String,
}

#[derive(serde::Deserialize, Default)]
struct Presented {
    /// The signature a copy carries (its QR code's `t`).
    t: Option<String>,
}

pub fn verdict_key(v: Verdict) -> (&'static str, &'static str) {
    match v {
        Verdict::Valid => ("certificate.valid", "certificate.valid_explain"),
        Verdict::Revoked => ("certificate.revoked", "certificate.revoked_explain"),
        Verdict::Expired => ("certificate.expired", "certificate.expired_explain"),
        Verdict::Forged => ("certificate.forged", "certificate.forged_explain"),
    }
}

async fn verify_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<Presented>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let Check { verdict, certificate, content } = check(&state, &mall, &id, q.t.as_deref()).await?;
    let (text, explain) = verdict_key(verdict);
    // A forged copy learns nothing from the register.
    let facts = match (&content, verdict) {
        (Some(c), v) if v != Verdict::Forged => {
            let date = |d: &str| format::parse_date(d).map(|d| format::date(d, ctx.t.lang)).unwrap_or_default();
            vec![
                ("certificate.title", c.title.clone()),
                ("certificate.number", c.number.clone()),
                ("certificate.holder", c.holder.clone()),
                ("certificate.agency", c.agency.clone()),
                // What the paper says, to compare it with word for word.
                ("certificate.statement", c.statement.clone()),
                ("certificate.issued", date(&c.issued)),
                (
                    "certificate.valid_until",
                    c.valid_until.as_deref().map(date).unwrap_or_else(|| ctx.t.t("certificate.no_expiry").into()),
                ),
            ]
        }
        _ => Vec::new(),
    };
    let revoked = certificate
        .as_ref()
        .filter(|_| verdict == Verdict::Revoked)
        .and_then(|c| c.revoked_at.map(|at| (format::instant(at, mall.zone(), ctx.t.lang), c.revoke_reason.clone())));
    let status =
        if verdict == Verdict::Forged && certificate.is_none() { StatusCode::NOT_FOUND } else { StatusCode::OK };
    let page = VerifyPage {
        verdict: verdict.as_str(),
        verdict_text: ctx.t.t(text),
        explain: ctx.t.t(explain),
        facts,
        revoked,
        kid: certificate.map(|c| c.key_id).unwrap_or_default(),
        keys_url: format!("/api/v1/malls/{}/signing-keys", mall.slug),
        ctx,
        mall,
    };
    render_status(status, &page)
}

/// Revoking the application's certificate, with a reason.
async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    let desk = enter(&state, &ctx, &slug).await?;
    match crate::certificate::revoke(&state, &desk.mall, &desk.user, &desk.access, &number, &form.get("reason")).await {
        Ok(_) => Ok(Redirect::to(&format!("/m/{}/kotak-masuk/{number}", desk.mall.slug)).into_response()),
        Err(AppError::Conflict(key)) => page(&state, ctx, desk, &number, Some(key)).await,
        Err(AppError::Invalid(errors)) => {
            let key = errors.first().map_or("error.bad_field", |e| e.key);
            page(&state, ctx, desk, &number, Some(key)).await
        }
        Err(e) => Err(e),
    }
}
