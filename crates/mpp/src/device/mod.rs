//! The mall's devices: kiosks and display boards. A manager registers one
//! (`/m/{mall}/admin/perangkat`) and gets a one-time enrolment link; the
//! device's browser opens it and confirms, and is known from then on by a
//! secret cookie (only its hash is stored) until the manager revokes it.
//! The kiosk issues tickets only on an enrolled kiosk, or within the
//! mall's hourly allowance per client address for any other browser
//! (rules: `mpp_domain::device`).
//!
//! - `store.rs`: all of its SQL.

pub mod store;

use crate::error::{AppError, AppResult};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, BackOffice, Mall};
use crate::web::{Ctx, cookie, flash, flash_shown, is_tls, render, render_status, set_cookie};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::device::{self as rules, Admission, Kind};
use mpp_domain::format;
use mpp_domain::policy::Action;
use std::net::IpAddr;

/// The device's cookie: its secret, for as long as the device serves.
pub const COOKIE: &str = "mpp_device";
/// Carries a just-made enrolment link from the registration to the list
/// shown after it (post, redirect, get: reloading the list registers
/// nothing twice), for a minute and once.
const JUST_MADE: &str = "mpp_device_link";

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/admin/perangkat", Action::ViewBackOffice, list)
        .post("/m/{slug}/admin/perangkat", Action::ManageMall, register)
        .post("/m/{slug}/admin/perangkat/{id}/cabut", Action::ManageMall, revoke)
        .get("/m/{slug}/perangkat/{code}", Action::ReadPublic, enrol_page)
        .post("/m/{slug}/perangkat/{code}", Action::EnrolDevice, enrol)
}

/// A device as the manager's list shows it.
pub struct Row {
    pub id: String,
    pub name: String,
    pub kind: &'static str,
    /// Enrolled (and when last seen), waiting for enrolment, or revoked.
    pub state: String,
    pub live: bool,
}

#[derive(Template)]
#[template(path = "device/list.html")]
struct ListPage {
    ctx: Ctx,
    bo: BackOffice,
    section: &'static str,
    rows: Vec<Row>,
    name: String,
    kind: String,
    error: Option<&'static str>,
    /// Just registered: (name, the enrolment link).
    made: Option<(String, String)>,
    qr: String,
}

fn kind_key(kind: &str) -> &'static str {
    match Kind::parse(kind) {
        Some(Kind::Board) => "device.kind_board",
        _ => "device.kind_kiosk",
    }
}

async fn rows(state: &AppState, ctx: &Ctx, mall: &Mall) -> AppResult<Vec<Row>> {
    let at = |ms: i64| format::instant(ms, mall.zone(), ctx.lang());
    Ok(store::list(&state.db, &mall.id)
        .await?
        .into_iter()
        .map(|d| {
            let (state, live) = match (d.revoked_at, d.enrolled_at) {
                (Some(r), _) => (ctx.t.f("device.revoked_at", &[("at", at(r).as_str())]), false),
                (None, Some(_)) => {
                    (ctx.t.f("device.seen_at", &[("at", at(d.last_seen_at.unwrap_or(d.created_at)).as_str())]), true)
                }
                (None, None) => match d.enrol_until {
                    Some(u) => (ctx.t.f("device.waiting_until", &[("at", at(u).as_str())]), true),
                    None => (ctx.t.t("device.expired").to_string(), false),
                },
            };
            Row { id: d.id, name: d.name, kind: kind_key(&d.kind), state, live }
        })
        .collect())
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_view_whole_mall())?;
    // The link just made, if this is the page right after registering.
    let made = match cookie(&headers, JUST_MADE).and_then(|v| v.split_once('.')) {
        Some((id, code)) => store::list(&state.db, &bo.mall.id)
            .await?
            .into_iter()
            .find(|d| d.id == id)
            .map(|d| (d.name, format!("{}/m/{}/perangkat/{code}", crate::web::base_url(&headers), bo.mall.slug))),
        None => None,
    };
    let qr = made.as_ref().map(|(_, link)| crate::visit::qr_svg(link)).unwrap_or_default();
    let rows = rows(&state, &ctx, &bo.mall).await?;
    let page = ListPage {
        ctx,
        bo,
        section: "perangkat",
        rows,
        name: String::new(),
        kind: "kiosk".into(),
        error: None,
        made,
        qr,
    };
    let mut resp = render(&page)?;
    if cookie(&headers, JUST_MADE).is_some() {
        flash_shown(&mut resp, JUST_MADE, &format!("/m/{slug}/admin/perangkat"), is_tls(&state, &headers));
    }
    Ok(resp)
}

/// Registers a device; the list then shows its one-time enrolment link
/// (and QR code) once: only its hash is kept.
async fn register(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    form: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_manage_mall())?;
    let (name, kind) = (form.get("name"), form.get("kind"));
    let checked = rules::check_name(&name).and_then(|()| Kind::parse(&kind).ok_or("form.bad_choice"));
    match checked {
        Ok(k) => {
            let code = crate::auth::random_token();
            let hash = crate::auth::token_hash(&code);
            let id = store::create(&state.db, &bo.mall.id, k, &name, &hash, &bo.user.id, state.clock.now_ms()).await?;
            let path = format!("/m/{}/admin/perangkat", bo.mall.slug);
            let mut resp = Redirect::to(&path).into_response();
            flash(&mut resp, JUST_MADE, &format!("{id}.{code}"), &path, is_tls(&state, &headers));
            Ok(resp)
        }
        Err(key) => {
            let rows = rows(&state, &ctx, &bo.mall).await?;
            let page = ListPage {
                ctx,
                bo,
                section: "perangkat",
                rows,
                name,
                kind,
                error: Some(key),
                made: None,
                qr: String::new(),
            };
            render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_manage_mall())?;
    if !store::revoke(&state.db, &bo.mall.id, &id, &bo.user.id, state.clock.now_ms()).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/m/{}/admin/perangkat", bo.mall.slug)).into_response())
}

#[derive(Template)]
#[template(path = "device/enrol.html")]
struct EnrolPage {
    ctx: Ctx,
    mall: Mall,
    code: String,
    name: String,
    kind: &'static str,
}

/// The mall and the device a live enrolment code is for (404 otherwise),
/// with the code's hash.
async fn pending(state: &AppState, slug: &str, code: &str) -> AppResult<(Mall, String, store::Device)> {
    let mall = tenancy::store::by_slug(&state.db, slug).await?;
    let hash = crate::auth::token_hash(code);
    let d = store::by_code(&state.db, &mall.id, &hash, state.clock.now_ms()).await?.ok_or(AppError::NotFound)?;
    Ok((mall, hash, d))
}

async fn enrol_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
) -> AppResult<Response> {
    let (mall, _, d) = pending(&state, &slug, &code).await?;
    render(&EnrolPage { ctx, mall, code, name: d.name, kind: kind_key(&d.kind) })
}

/// Spends the code: this browser becomes the device, and goes to its screen.
async fn enrol(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, code)): Path<(String, String)>,
) -> AppResult<Response> {
    let (mall, hash, d) = pending(&state, &slug, &code).await?;
    let now = state.clock.now_ms();
    let token = crate::auth::random_token();
    if !store::enrol(&state.db, &mall.id, &hash, &crate::auth::token_hash(&token), now).await? {
        return Err(AppError::NotFound);
    }
    let to = match Kind::parse(&d.kind) {
        Some(Kind::Board) => format!("/m/{}/papan", mall.slug),
        _ => format!("/m/{}/kiosk", mall.slug),
    };
    let mut resp = Redirect::to(&to).into_response();
    // Ten years: a device serves until it is revoked.
    let cookie = set_cookie(COOKIE, &token, 10 * 365 * 24 * 3600, is_tls(&state, &headers));
    resp.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(resp)
}

/// The enrolled device of this kind that sent the request, if any (and
/// notes that it was seen).
pub async fn of_request(
    state: &AppState,
    headers: &HeaderMap,
    mall: &Mall,
    kind: Kind,
) -> AppResult<Option<store::Device>> {
    let Some(token) = cookie(headers, COOKIE) else { return Ok(None) };
    let found = store::by_token(&state.db, &mall.id, kind, &crate::auth::token_hash(token)).await?;
    if let Some(d) = &found {
        store::seen(&state.db, &mall.id, &d.id, state.clock.now_ms()).await?;
    }
    Ok(found)
}

/// Whether this request may issue a ticket at the kiosk: an enrolled
/// kiosk always; another browser within the mall's hourly allowance for
/// its address (each ticket counted).
pub async fn admit_kiosk(state: &AppState, headers: &HeaderMap, mall: &Mall, from: IpAddr) -> AppResult<()> {
    let enrolled = of_request(state, headers, mall, Kind::Kiosk).await?.is_some();
    let per_hour = crate::visit::store::settings(&state.db, &mall.id).await?.anonymous_kiosk_per_hour;
    let limit = rules::anonymous_limit(per_hour);
    let key = format!("kiosk/{}/{from}", mall.id);
    let now = state.clock.now_ms();
    let blocked = !enrolled && per_hour > 0 && crate::throttle::blocked(&state.db, &key, limit, now).await?;
    match rules::admit(enrolled, per_hour, blocked) {
        Admission::Device => Ok(()),
        Admission::Anonymous => crate::throttle::count(&state.db, &key, limit, now).await,
        Admission::NotEnrolled => Err(AppError::Conflict("kiosk.not_enrolled")),
        Admission::TooMany => Err(AppError::TooMany("kiosk.too_many")),
    }
}

/// Whether this browser is one the kiosk serves (to say so on its first
/// screen rather than after the visitor has chosen).
pub async fn kiosk_open_to(state: &AppState, headers: &HeaderMap, mall: &Mall) -> AppResult<bool> {
    let per_hour = crate::visit::store::settings(&state.db, &mall.id).await?.anonymous_kiosk_per_hour;
    Ok(per_hour > 0 || of_request(state, headers, mall, Kind::Kiosk).await?.is_some())
}
