//! The self-service kiosk: a full-screen, touch-first page in Indonesian
//! first. Agency → service(s) → phone and priority need → a printed ticket
//! with a QR code to follow it. The visitor's choices travel in the URL
//! (`?pilih=KTP-EL,PKB-TAHUNAN`), so the kiosk works without JavaScript and
//! a visitor needing several agencies gets one ticket for the whole journey.

use super::issue::{self, Request};
use super::{qr_svg, store};
use crate::catalog::store::{self as catalog, Agency, Service};
use crate::client_addr::ClientAddr;
use crate::error::{AppError, AppResult};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{Ctx, base_url, cookie, render, render_status, set_cookie};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::policy::Action;
use mpp_domain::visit::TicketId;
use mpp_domain::visit::{IssuedBy, Priority};

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/kiosk", Action::UseKiosk, agencies)
        .get("/m/{slug}/kiosk/instansi/{code}", Action::UseKiosk, services)
        .get("/m/{slug}/kiosk/data", Action::UseKiosk, details)
        .post("/m/{slug}/kiosk/tiket", Action::UseKiosk, take)
        .get("/m/{slug}/kiosk/tiket/{id}", Action::UseKiosk, printed)
        .get("/m/{slug}/kiosk/booking", Action::UseKiosk, booking_form)
        .post("/m/{slug}/kiosk/booking", Action::UseKiosk, booking_check_in)
}

/// The kiosk remembers its last ticket, so a jammed printer can reprint it.
const LAST_TICKET_COOKIE: &str = "mpp_kiosk_last";

#[derive(serde::Deserialize, Default)]
pub struct Picked {
    #[serde(default)]
    pilih: String,
    /// Paper width for the receipt printer: 58 or 80 (mm).
    #[serde(default)]
    kertas: String,
    /// `penyambut` when the greeter issued the ticket: "done" goes back there.
    #[serde(default)]
    dari: String,
}

/// The services picked so far, in order, from `?pilih=` (unknown codes dropped).
fn picked(all: &[Service], codes: &str) -> Vec<Service> {
    let mut out: Vec<Service> = Vec::new();
    for code in codes.split(',').map(str::trim).filter(|c| !c.is_empty()) {
        if let Some(s) = all.iter().find(|s| s.code.eq_ignore_ascii_case(code) && s.active)
            && !out.iter().any(|o| o.id == s.id)
        {
            out.push(s.clone());
        }
    }
    out.truncate(5);
    out
}

pub struct Choice {
    pub href: String,
    pub title: String,
    pub note: String,
}

pub struct PickedLine {
    pub name: String,
    pub agency: String,
}

fn lines(ctx: &Ctx, chosen: &[Service], agencies: &[Agency]) -> Vec<PickedLine> {
    chosen
        .iter()
        .map(|s| PickedLine {
            name: ctx.t.pick(&s.name_id, &s.name_en).to_string(),
            agency: agencies
                .iter()
                .find(|a| a.id == s.agency_id)
                .map(|a| ctx.t.pick(&a.name_id, &a.name_en).to_string())
                .unwrap_or_default(),
        })
        .collect()
}

fn codes(chosen: &[Service]) -> String {
    chosen.iter().map(|s| s.code.as_str()).collect::<Vec<_>>().join(",")
}

#[derive(Template)]
#[template(path = "visit/kiosk_choose.html")]
struct ChoosePage {
    ctx: Ctx,
    mall: Mall,
    heading: String,
    choices: Vec<Choice>,
    picked: Vec<PickedLine>,
    pilih: String,
    back: Option<String>,
    reprint: Option<String>,
    /// This browser may not issue tickets here (not an enrolled kiosk, and
    /// the mall takes none from other browsers): said before any choice.
    closed: bool,
}

async fn agencies(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(q): Query<Picked>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let services = catalog::services(&state.db, &mall.id, false).await?;
    let agencies = catalog::agencies(&state.db, &mall.id).await?;
    let chosen = picked(&services, &q.pilih);
    let pilih = codes(&chosen);
    let choices = agencies
        .iter()
        .filter(|a| services.iter().any(|s| s.agency_id == a.id))
        .map(|a| Choice {
            href: format!("/m/{}/kiosk/instansi/{}?pilih={}", mall.slug, a.code, pilih),
            title: ctx.t.pick(&a.name_id, &a.name_en).to_string(),
            note: String::new(),
        })
        .collect();
    let reprint = match cookie(&headers, LAST_TICKET_COOKIE).and_then(TicketId::parse) {
        Some(id) => store::ticket(&state.db, &mall.id, &id)
            .await?
            .map(|t| format!("/m/{}/kiosk/tiket/{}?ulang=1", mall.slug, t.id)),
        None => None,
    };
    let heading = ctx.t.t("kiosk.pick_agency").to_string();
    let closed = !crate::device::kiosk_open_to(&state, &headers, &mall).await?;
    render(&ChoosePage {
        picked: lines(&ctx, &chosen, &agencies),
        ctx,
        mall,
        heading,
        choices,
        pilih,
        back: None,
        reprint,
        closed,
    })
}

async fn services(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, code)): Path<(String, String)>,
    Query(q): Query<Picked>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let agency = catalog::agency_by_code(&state.db, &mall.id, &code).await?.ok_or(AppError::NotFound)?;
    let all = catalog::services(&state.db, &mall.id, false).await?;
    let agencies = catalog::agencies(&state.db, &mall.id).await?;
    let chosen = picked(&all, &q.pilih);
    let choices = all
        .iter()
        .filter(|s| s.agency_id == agency.id && !chosen.iter().any(|c| c.id == s.id))
        .map(|s| {
            let mut with = chosen.clone();
            with.push(s.clone());
            Choice {
                href: format!("/m/{}/kiosk/data?pilih={}", mall.slug, codes(&with)),
                title: ctx.t.pick(&s.name_id, &s.name_en).to_string(),
                note: ctx.t.pick(&s.summary_id, &s.summary_en).to_string(),
            }
        })
        .collect();
    let pilih = codes(&chosen);
    let heading = ctx.t.f("kiosk.pick_service", &[("agency", ctx.t.pick(&agency.name_id, &agency.name_en))]);
    let back = Some(format!("/m/{}/kiosk?pilih={pilih}", mall.slug));
    let closed = !crate::device::kiosk_open_to(&state, &headers, &mall).await?;
    render(&ChoosePage {
        picked: lines(&ctx, &chosen, &agencies),
        ctx,
        mall,
        heading,
        choices,
        pilih,
        back,
        reprint: None,
        closed,
    })
}

pub struct PriorityOption {
    pub value: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

pub fn priority_options(ctx: &Ctx, selected: Priority) -> Vec<PriorityOption> {
    Priority::ALL
        .iter()
        .map(|p| PriorityOption { value: p.as_str(), label: ctx.t.t(super::priority_key(*p)), checked: *p == selected })
        .collect()
}

#[derive(Template)]
#[template(path = "visit/kiosk_details.html")]
struct DetailsPage {
    ctx: Ctx,
    mall: Mall,
    picked: Vec<PickedLine>,
    pilih: String,
    phone: String,
    priorities: Vec<PriorityOption>,
    error: Option<&'static str>,
}

async fn details(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<Picked>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let all = catalog::services(&state.db, &mall.id, false).await?;
    let agencies = catalog::agencies(&state.db, &mall.id).await?;
    let chosen = picked(&all, &q.pilih);
    if chosen.is_empty() {
        return Ok(Redirect::to(&format!("/m/{}/kiosk", mall.slug)).into_response());
    }
    let priorities = priority_options(&ctx, Priority::None);
    render(&DetailsPage {
        picked: lines(&ctx, &chosen, &agencies),
        pilih: codes(&chosen),
        ctx,
        mall,
        phone: String::new(),
        priorities,
        error: None,
    })
}

async fn take(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(from): ClientAddr,
    headers: HeaderMap,
    Path(slug): Path<String>,
    form: Posted,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let all = catalog::services(&state.db, &mall.id, false).await?;
    let chosen = picked(&all, &form.get("pilih"));
    let priority = Priority::parse(&form.get("priority")).unwrap_or(Priority::None);
    let phone = form.get("phone");
    let req = Request {
        services: chosen.iter().map(Into::into).collect(),
        issued_by: IssuedBy::Kiosk,
        priority,
        quick: false,
        phone: phone.clone(),
        window: None,
        claim: None,
        appointment: None,
    };
    // A browser the kiosk does not serve is refused like any other refusal.
    let issued = match crate::device::admit_kiosk(&state, &headers, &mall, from).await {
        Ok(()) => issue::issue(&state, &mall, req).await,
        Err(e) => Err(e),
    };
    match issued {
        Ok(t) => {
            let mut resp = Redirect::to(&format!("/m/{}/kiosk/tiket/{}", mall.slug, t.id)).into_response();
            resp.headers_mut().append(header::SET_COOKIE, set_cookie(LAST_TICKET_COOKIE, &t.id, 24 * 3600, false));
            Ok(resp)
        }
        // Shown on the same screen, with the choices kept.
        Err(e) => match e.form_message() {
            Some(key) => details_again(&state, ctx, mall, &chosen, phone, priority, key, e.status()).await,
            None => Err(e),
        },
    }
}

#[allow(clippy::too_many_arguments)]
async fn details_again(
    state: &AppState,
    ctx: Ctx,
    mall: Mall,
    chosen: &[Service],
    phone: String,
    priority: Priority,
    key: &'static str,
    status: StatusCode,
) -> AppResult<Response> {
    let agencies = catalog::agencies(&state.db, &mall.id).await?;
    let priorities = priority_options(&ctx, priority);
    let page = DetailsPage {
        picked: lines(&ctx, chosen, &agencies),
        pilih: codes(chosen),
        ctx,
        mall,
        phone,
        priorities,
        error: Some(key),
    };
    render_status(status, &page)
}

#[derive(Template)]
#[template(path = "visit/kiosk_ticket.html")]
struct TicketPage {
    ctx: Ctx,
    mall: Mall,
    view: super::TicketView,
    qr: String,
    /// Where a visitor without a QR scanner types the number.
    find_url: String,
    paper: &'static str,
    done_href: String,
}

async fn printed(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, String)>,
    Query(q): Query<Picked>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let id = TicketId::parse(&id).ok_or(AppError::NotFound)?;
    let t = store::ticket(&state.db, &mall.id, &id).await?.ok_or(AppError::NotFound)?;
    let view = super::TicketView::load(&state, &ctx.t, &mall, &t).await?;
    let base = base_url(&headers);
    let qr = qr_svg(&format!("{base}/m/{}/tiket/{}", mall.slug, t.id));
    let find_url = format!("{base}/m/{}/tiket", mall.slug);
    let paper = if q.kertas == "58" { "p58" } else { "p80" };
    let done_href =
        if q.dari == "penyambut" { format!("/m/{}/penyambut", mall.slug) } else { format!("/m/{}/kiosk", mall.slug) };
    render(&TicketPage { ctx, mall, view, qr, find_url, paper, done_href })
}

#[derive(Template)]
#[template(path = "visit/kiosk_booking.html")]
struct BookingPage {
    ctx: Ctx,
    mall: Mall,
    code: String,
    error: Option<&'static str>,
}

async fn booking_form(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    render(&BookingPage { ctx, mall, code: String::new(), error: None })
}

/// A visitor who booked online types (or scans) their code and gets a ticket.
async fn booking_check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(from): ClientAddr,
    headers: HeaderMap,
    Path(slug): Path<String>,
    form: Posted,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let code = form.get("code");
    let checked_in = match crate::device::admit_kiosk(&state, &headers, &mall, from).await {
        Ok(()) => crate::booking::check_in(&state, &mall, &code).await,
        Err(e) => Err(e),
    };
    match checked_in {
        Ok(t) => {
            let mut resp = Redirect::to(&format!("/m/{}/kiosk/tiket/{}", mall.slug, t.id)).into_response();
            resp.headers_mut().append(header::SET_COOKIE, set_cookie(LAST_TICKET_COOKIE, &t.id, 24 * 3600, false));
            Ok(resp)
        }
        Err(e) => match e.form_message() {
            Some(key) => render_status(e.status(), &BookingPage { ctx, mall, code, error: Some(key) }),
            None => Err(e),
        },
    }
}
