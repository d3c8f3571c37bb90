//! The citizen's booking pages (`/m/{mall}/janji…`, logged in) and the
//! booking's calendar file.

use super::store::{self, Appointment};
use super::{Choice, DayOffer, book, bookable_days, local_start, offer};
use crate::error::{AppError, AppResult};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::visit::qr_svg;
use crate::visit::store::{self as visit, Brief};
use crate::web::{Ctx, base_url, render, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::booking as rules;
use mpp_domain::booking::AppointmentStatus;
use mpp_domain::format::{self, iso_date, parse_date};
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/janji", Action::ReadPublic, index)
        .get("/m/{slug}/janji/layanan/{code}", Action::Book, choose)
        .post("/m/{slug}/janji/layanan/{code}", Action::Book, take)
        .get("/m/{slug}/janji/{booking}", Action::Book, show)
        .get("/m/{slug}/janji/{booking}/kalender.ics", Action::Book, calendar_file)
        .post("/m/{slug}/janji/{booking}/batal", Action::Book, cancel)
}

pub struct BookingLine {
    pub code: String,
    pub service: String,
    pub when: String,
}

pub struct ServiceLine {
    pub code: String,
    pub name: String,
    pub agency: String,
}

#[derive(Template)]
#[template(path = "booking/index.html")]
struct IndexPage {
    ctx: Ctx,
    mall: Mall,
    mine: Vec<BookingLine>,
    services: Vec<ServiceLine>,
    /// What the visitor searched for ("" for the whole list).
    q: String,
}

#[derive(serde::Deserialize, Default)]
struct IndexQuery {
    #[serde(default)]
    q: String,
}

async fn lines(state: &AppState, ctx: &Ctx, mall: &Mall, list: &[Appointment]) -> AppResult<Vec<BookingLine>> {
    let mut out = Vec::new();
    for a in list {
        let s = visit::brief_by_id(&state.db, &mall.id, &a.service_id).await?;
        out.push(BookingLine {
            code: a.code.clone(),
            service: s.map(|s| ctx.t.pick(&s.name_id, &s.name_en).to_string()).unwrap_or_default(),
            when: format::instant(a.slot_start, mall.zone(), ctx.lang()),
        });
    }
    Ok(out)
}

/// The services one can book, all or those a search finds (the catalogue's
/// search, typos forgiven, best first): forty-odd links are too many to Tab
/// through.
async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(query): Query<IndexQuery>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let mine = match &ctx.user {
        Some(u) => store::upcoming(&state.db, &mall.id, &u.id, state.clock.now_ms()).await?,
        None => Vec::new(),
    };
    let mine = lines(&state, &ctx, &mall, &mine).await?;
    let bookable = store::bookable(&state.db, &mall.id).await?;
    let q = query.q.trim().to_string();
    let codes: Vec<String> = if q.is_empty() {
        bookable.into_iter().map(|(code, _)| code).collect()
    } else {
        let found = crate::catalog::store::search(&state.db, &mall.id, &q).await?;
        found.into_iter().map(|s| s.code).filter(|c| bookable.iter().any(|(b, _)| b == c)).collect()
    };
    let mut services = Vec::new();
    for code in codes {
        if let Some(b) = visit::brief_by_code(&state.db, &mall.id, &code).await? {
            services.push(ServiceLine {
                code: b.code.clone(),
                name: ctx.t.pick(&b.name_id, &b.name_en).to_string(),
                agency: ctx.t.pick(&b.agency_name_id, &b.agency_name_en).to_string(),
            });
        }
    }
    render(&IndexPage { ctx, mall, mine, services, q })
}

#[derive(serde::Deserialize, Default)]
struct ChooseQuery {
    #[serde(default)]
    tanggal: String,
    /// The booking being moved, if any.
    #[serde(default)]
    pindah: String,
}

pub struct DayLink {
    pub date: String,
    pub label: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "booking/choose.html")]
struct ChoosePage {
    ctx: Ctx,
    mall: Mall,
    service: String,
    code: String,
    days: Vec<DayLink>,
    offer: DayOffer,
    day_label: String,
    moving: String,
    error: Option<&'static str>,
}

/// A bookable service by code, or 404.
async fn service(state: &AppState, mall: &Mall, code: &str) -> AppResult<Brief> {
    visit::brief_by_code(&state.db, &mall.id, code)
        .await?
        .filter(|s| s.active && s.booking_quota > 0)
        .ok_or(AppError::NotFound)
}

/// The citizen's own booking by code; someone else's is simply not found.
async fn own(state: &AppState, ctx: &Ctx, mall: &Mall, code: &str) -> AppResult<Appointment> {
    let user = ctx.require_user()?;
    let code = rules::parse_booking_code(code).ok_or(AppError::NotFound)?;
    store::by_code(&state.db, &mall.id, &code).await?.filter(|a| a.user_id == user.id).ok_or(AppError::NotFound)
}

async fn choose_page(
    state: &AppState,
    ctx: Ctx,
    mall: Mall,
    s: Brief,
    q: &ChooseQuery,
    error: Option<&'static str>,
) -> AppResult<ChoosePage> {
    let days = bookable_days(state, &mall).await?;
    let chosen = parse_date(&q.tanggal).filter(|d| days.contains(d)).or_else(|| days.first().copied());
    let offer = match chosen {
        Some(d) => offer(state, &mall, &s, d).await?,
        None => DayOffer { date: String::new(), day_free: 0, slots: Vec::new() },
    };
    let days = days
        .iter()
        .map(|d| DayLink {
            date: iso_date(*d),
            label: format!(
                "{}, {}",
                format::weekday_name(d.weekday().number_from_monday(), ctx.lang()),
                format::date(*d, ctx.lang())
            ),
            current: Some(*d) == chosen,
        })
        .collect();
    let day_label = chosen.map(|d| format::date(d, ctx.lang())).unwrap_or_default();
    Ok(ChoosePage {
        service: ctx.t.pick(&s.name_id, &s.name_en).to_string(),
        code: s.code,
        days,
        offer,
        day_label,
        moving: q.pindah.clone(),
        error,
        ctx,
        mall,
    })
}

async fn choose(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
    Query(q): Query<ChooseQuery>,
) -> AppResult<Response> {
    ctx.require_user()?;
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let s = service(&state, &mall, &code).await?;
    render(&choose_page(&state, ctx, mall, s, &q, None).await?)
}

async fn take(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let s = service(&state, &mall, &code).await?;
    let moving = match form.get("pindah").as_str() {
        "" => None,
        code => Some(own(&state, &ctx, &mall, code).await?),
    };
    let start: i64 = form.get("slot").parse().unwrap_or(0);
    let date = form.get("tanggal");
    match book(&state, &mall, &user, &s, Choice { date: &date, start }, moving.as_ref(), None).await {
        Ok(a) => Ok(Redirect::to(&format!("/m/{}/janji/{}", mall.slug, a.code)).into_response()),
        Err(e) => match e.form_message() {
            Some(key) => {
                let q = ChooseQuery { tanggal: date, pindah: form.get("pindah") };
                render_status(e.status(), &choose_page(&state, ctx, mall, s, &q, Some(key)).await?)
            }
            None => Err(e),
        },
    }
}

#[derive(Template)]
#[template(path = "booking/show.html")]
struct ShowPage {
    ctx: Ctx,
    mall: Mall,
    code: String,
    status: String,
    status_text: String,
    service: String,
    service_code: String,
    agency: String,
    when: String,
    qr: String,
    requirements: Vec<String>,
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, booking)): Path<(String, String)>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let a = own(&state, &ctx, &mall, &booking).await?;
    let s = visit::brief_by_id(&state.db, &mall.id, &a.service_id).await?.ok_or(AppError::NotFound)?;
    let end = format::clock(
        time::OffsetDateTime::from_unix_timestamp(a.slot_end / 1000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
            .to_offset(mall.zone().offset())
            .time(),
        ctx.lang(),
    );
    let page = ShowPage {
        qr: qr_svg(&a.code),
        status_text: ctx.t.t(status_key(a.status)).to_string(),
        status: a.status.as_str().to_owned(),
        when: format!("{} – {end} {}", format::instant(a.slot_start, mall.zone(), ctx.lang()), mall.zone().as_str()),
        service: ctx.t.pick(&s.name_id, &s.name_en).to_string(),
        agency: ctx.t.pick(&s.agency_name_id, &s.agency_name_en).to_string(),
        requirements: mpp_domain::catalog::lines(ctx.t.pick(&s.requirements_id, &s.requirements_en))
            .into_iter()
            .map(str::to_string)
            .collect(),
        service_code: s.code,
        code: a.code,
        ctx,
        mall,
    };
    render(&page)
}

async fn calendar_file(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, booking)): Path<(String, String)>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let a = own(&state, &ctx, &mall, &booking).await?;
    let s = visit::brief_by_id(&state.db, &mall.id, &a.service_id).await?.ok_or(AppError::NotFound)?;
    let start = local_start(&mall, &a);
    let url = format!("{}/m/{}/janji/{}", base_url(&headers), mall.slug, a.code);
    let description = ctx
        .t
        .f("booking.ics_description", &[("code", &a.code), ("requirements", &s.requirements_id.replace('\n', "; "))]);
    let body = rules::ics(&rules::Event {
        uid: &format!("{}@{}", a.id, mall.slug),
        start,
        end: start + time::Duration::milliseconds(a.slot_end - a.slot_start),
        stamp: time::OffsetDateTime::from_unix_timestamp(state.clock.now_ms() / 1000)
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        summary: &format!("{} – {}", ctx.t.pick(&s.name_id, &s.name_en), mall.name),
        location: &format!("{}, {}", mall.name, mall.address),
        description: &description,
        url: &url,
    });
    let disposition = format!("attachment; filename=\"janji-{}.ics\"", a.code);
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

async fn cancel(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, booking)): Path<(String, String)>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let a = own(&state, &ctx, &mall, &booking).await?;
    store::cancel(&state.db, &mall.id, &a, state.clock.now_ms()).await?;
    Ok(Redirect::to(&format!("/m/{}/janji/{}", mall.slug, a.code)).into_response())
}

pub fn status_key(status: AppointmentStatus) -> &'static str {
    match status {
        AppointmentStatus::Booked => "booking.status.booked",
        AppointmentStatus::Cancelled => "booking.status.cancelled",
        AppointmentStatus::CheckedIn => "booking.status.checked_in",
        AppointmentStatus::Late => "booking.status.late",
        AppointmentStatus::NoShow => "booking.status.no_show",
    }
}
