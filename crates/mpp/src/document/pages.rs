//! "Dokumen saya" (`/akun/dokumen`): the citizen's documents, each with its
//! kind, fingerprint and validity, uploaded once (KTP, KK, akta …) and
//! offered again on every form; and the certificates MPP issued them,
//! which land here by themselves.

use super::{Described, keep, store};
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::Posted;
use crate::state::AppState;
use crate::web::{Ctx, render, render_status};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::document::{Kind, valid_on};

/// One document as the page lists it.
pub struct Line {
    pub id: String,
    pub what: String,
    pub file_name: String,
    pub added: String,
    pub size_kb: i64,
    /// The first 16 hex digits of its SHA-256 (the whole one in a title).
    pub sha_short: String,
    pub sha256: String,
    /// "" for life; else the last day, and whether it has passed.
    pub until: String,
    pub expired: bool,
}

/// One certificate issued to the citizen.
pub struct Issued {
    pub number: String,
    pub mall: String,
    pub href: String,
    pub issued: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "document/mine.html")]
struct MinePage {
    ctx: Ctx,
    lines: Vec<Line>,
    issued: Vec<Issued>,
    /// (value, name) of the kinds to choose from, and the chosen one.
    kinds: Vec<(&'static str, String)>,
    kind: String,
    expires_on: String,
    errors: Vec<FieldError>,
    /// A document was just erased.
    erased: bool,
}

impl MinePage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.key)
    }
}

async fn page(
    state: &AppState,
    ctx: Ctx,
    kind: String,
    expires_on: String,
    errors: Vec<FieldError>,
    erased: bool,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let zone = mpp_domain::tenancy::CITIZEN_ZONE;
    let today = state.clock.today(zone);
    let day = |d: &str| {
        mpp_domain::format::parse_date(d).map(|d| mpp_domain::format::date(d, ctx.lang())).unwrap_or_default()
    };
    let lines = store::of_owner(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|d| Line {
            what: d.what(&ctx.t),
            added: mpp_domain::format::instant(d.created_at, zone, ctx.lang()),
            size_kb: (d.size + 1023) / 1024,
            sha_short: d.sha256.chars().take(16).collect(),
            until: day(&d.expires_on),
            expired: !valid_on(&d.expires_on, today),
            sha256: d.sha256,
            file_name: d.file_name,
            id: d.id,
        })
        .collect();
    let issued = crate::certificate::store::held_by(&state.db, &user.id)
        .await?
        .into_iter()
        .map(|c| Issued {
            href: format!("/m/{}/permohonan/{}/sertifikat.pdf", c.mall_slug, c.application_number),
            issued: mpp_domain::format::instant(c.issued_at, zone, ctx.lang()),
            mall: c.mall_name,
            number: c.number,
            revoked: c.revoked,
        })
        .collect();
    let kinds = Kind::CHOSEN.iter().map(|k| (k.as_str(), ctx.t.pick(k.names().0, k.names().1).to_string())).collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = MinePage { ctx, lines, issued, kinds, kind, expires_on, errors, erased };
    if status == StatusCode::OK { render(&page) } else { render_status(status, &page) }
}

#[derive(serde::Deserialize, Default)]
pub(super) struct Notice {
    dihapus: Option<String>,
}

pub(super) async fn mine(State(state): State<AppState>, ctx: Ctx, Query(q): Query<Notice>) -> AppResult<Response> {
    page(&state, ctx, String::new(), String::new(), Vec::new(), q.dihapus.is_some()).await
}

/// Adds a document: a kind chosen from the list, a last valid day if it
/// has one, a PDF, PNG or JPEG. Errors come back at their fields with the
/// choices kept.
pub(super) async fn add(State(state): State<AppState>, ctx: Ctx, form: Posted) -> AppResult<Response> {
    let state = &state;
    let user = ctx.require_user()?.clone();
    let (kind_text, expires_raw) = (form.get("kind"), form.get("expires_on"));
    let mut errors = form.refused.clone();
    let kind = Kind::parse(&kind_text).filter(|k| Kind::CHOSEN.contains(k));
    if kind.is_none() {
        errors.push(FieldError::new("kind", "document.choose_kind"));
    }
    let expires_on = if expires_raw.is_empty() {
        Some(String::new())
    } else {
        mpp_domain::format::parse_date(&expires_raw).map(mpp_domain::format::iso_date)
    };
    if expires_on.is_none() {
        errors.push(FieldError::new("expires_on", "form.bad_date"));
    }
    let upload = form.file_named("file");
    match upload {
        None if !errors.iter().any(|e| e.field == "file") => {
            errors.push(FieldError::new("file", "document.choose_file"));
        }
        Some(f) if mpp_domain::catalog::accepted_document(&f.content_type, &f.bytes).is_none() => {
            errors.push(FieldError::new("file", "document.bad_type"));
        }
        _ => {}
    }
    if let (Some(kind), Some(expires_on), Some(upload), true) = (kind, &expires_on, upload, errors.is_empty()) {
        let what = Described { kind, label: kind.names().0, expires_on };
        match keep(state, &user.id, "file", what, upload).await {
            Ok(_) => return Ok(Redirect::to("/akun/dokumen#dokumen").into_response()),
            Err(AppError::Invalid(mut e)) => errors.append(&mut e),
            Err(e) => return Err(e),
        }
    }
    page(state, ctx, kind_text, expires_raw, errors, false).await
}
