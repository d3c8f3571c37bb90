//! Online appointments: a citizen picks a service, a working day and a
//! half-hour slot; slot capacity comes from the counters serving the
//! service, the opening hours and breaks, the calendar and the service's
//! recent handling time; the service's daily quota caps the day. The
//! citizen gets a booking code with a QR code and an `.ics` file, can
//! cancel or move it, and checks in at the kiosk, where the booking becomes
//! a ticket served ahead of walk-ins inside its window (or a walk-in ticket
//! when late). Rules in `mpp_domain::booking`; SQL in `store`.

pub mod api;
pub mod pages;
pub mod store;

use crate::auth::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::tenancy::Mall;
use crate::visit::issue::{self, Request, Wanted as WantedService};
use crate::visit::store::{self as visit, Brief, Ticket};
use mpp_domain::booking::{self as rules, CheckIn};
use mpp_domain::format::{iso_date, parse_date};
use mpp_domain::visit::{IssuedBy, Priority};
use store::Appointment;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time};

/// One slot on offer.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Slot {
    /// Start and end, UTC milliseconds.
    pub start: i64,
    pub end: i64,
    /// Local time, e.g. "09.00–09.30".
    pub label: String,
    /// Places left.
    pub free: i64,
}

/// A day's offer for one service.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DayOffer {
    pub date: String,
    /// Bookings still possible that day (the daily quota less those taken).
    pub day_free: i64,
    pub slots: Vec<Slot>,
}

/// The instant a local time on a day at the mall is, in UTC milliseconds.
fn instant(mall: &Mall, day: Date, at: Time) -> i64 {
    let t = PrimitiveDateTime::new(day, at).assume_offset(mall.zone().offset());
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(0)
}

/// What a service offers on a day: slots still ahead with their free places.
pub async fn offer(state: &AppState, mall: &Mall, service: &Brief, day: Date) -> AppResult<DayOffer> {
    Ok(plan(state, mall, service, day).await?.offer)
}

/// A day's offer and the places one slot holds (what booking checks against).
struct Plan {
    offer: DayOffer,
    slot_capacity: i64,
}

async fn plan(state: &AppState, mall: &Mall, service: &Brief, day: Date) -> AppResult<Plan> {
    let date = iso_date(day);
    let quota = service.booking_quota;
    let opening = crate::calendar::store::opening_on(&state.db, &mall.id, day).await?;
    let Some((opens, closes)) = opening.filter(|_| quota > 0 && service.active) else {
        return Ok(Plan { offer: DayOffer { date, day_free: 0, slots: Vec::new() }, slot_capacity: 0 });
    };
    let (counters, _) = visit::counters_for(&state.db, &mall.id, &service.id).await?;
    let handling =
        visit::handling_secs(&state.db, &mall.id, &service.id, issue::DEFAULT_HANDLING_SECS, state.clock.now_ms())
            .await?;
    let capacity =
        i64::try_from(rules::slot_capacity(u64::try_from(counters).unwrap_or(0), u64::try_from(handling).unwrap_or(1)))
            .unwrap_or(0);
    let breaks = visit::settings(&state.db, &mall.id).await?.breaks();
    let taken = store::taken(&state.db, &mall.id, &service.id, &date).await?;
    let taken_at = |start: i64| taken.iter().find(|(s, _)| *s == start).map_or(0, |(_, n)| *n);
    let now = state.clock.now_ms();
    let day_free = (quota - taken_at(0)).max(0);
    let slots = rules::slots(opens, closes, &breaks, day.weekday().number_from_monday())
        .into_iter()
        .map(|(from, to)| {
            let start = instant(mall, day, from);
            Slot {
                start,
                end: instant(mall, day, to),
                label: format!(
                    "{}–{}",
                    mpp_domain::format::clock(from, mpp_domain::format::Lang::Id),
                    mpp_domain::format::clock(to, mpp_domain::format::Lang::Id)
                ),
                free: (capacity - taken_at(start)).max(0).min(day_free),
            }
        })
        .filter(|s| s.start > now)
        .collect();
    Ok(Plan { offer: DayOffer { date, day_free, slots }, slot_capacity: capacity })
}

/// The days a citizen may book: the mall's open days from today, two weeks ahead.
pub async fn bookable_days(state: &AppState, mall: &Mall) -> AppResult<Vec<Date>> {
    let today = state.clock.today(mall.zone());
    let mut out = Vec::new();
    for n in 0..rules::DAYS_AHEAD {
        let day = today + time::Duration::days(n);
        if crate::calendar::store::opening_on(&state.db, &mall.id, day).await?.is_some() {
            out.push(day);
        }
    }
    Ok(out)
}

/// The slot a citizen chose: its day (`YYYY-MM-DD`) and start (UTC ms).
pub struct Choice<'a> {
    pub date: &'a str,
    pub start: i64,
}

/// Books (or moves `replacing` to) the chosen slot.
pub async fn book(
    state: &AppState,
    mall: &Mall,
    user: &CurrentUser,
    service: &Brief,
    choice: Choice<'_>,
    replacing: Option<&Appointment>,
    claim: Option<&crate::idempotency::Claim>,
) -> AppResult<Appointment> {
    let Choice { date, start } = choice;
    let day = parse_date(date).ok_or_else(|| AppError::invalid("date", "form.bad_date"))?;
    let today = state.clock.today(mall.zone());
    if day < today || day > today + time::Duration::days(rules::DAYS_AHEAD) {
        return Err(AppError::invalid("date", "booking.day_out_of_range"));
    }
    let Plan { offer, slot_capacity } = plan(state, mall, service, day).await?;
    let slot = offer
        .slots
        .iter()
        .find(|s| s.start == start)
        .ok_or_else(|| AppError::invalid("slot", "booking.no_such_slot"))?;
    let wanted = store::Wanted {
        mall_id: mall.id.clone(),
        service_id: service.id.clone(),
        user_id: user.id.clone(),
        day: offer.date.clone(),
        slot_start: slot.start,
        slot_end: slot.end,
        slot_capacity,
        day_quota: service.booking_quota,
        per_citizen: visit::settings(&state.db, &mall.id).await?.bookings_per_citizen,
    };
    let confirm = confirmation(state, mall, user, service);
    let a = store::book(&state.db, &wanted, replacing, claim, confirm, state.clock.now_ms()).await?;
    state.outbox_bell.notify_one();
    Ok(a)
}

/// An email to the citizen with the booking (through the notifier).
fn confirmation(state: &AppState, mall: &Mall, user: &CurrentUser, service: &Brief) -> store::Confirm {
    let to = crate::notify::Message {
        mall_id: mall.id.clone(),
        kind: "booking-confirmed".into(),
        to_email: user.email.clone(),
        ..Default::default()
    };
    let channels = crate::notify::channels(state, &to);
    let (zone, mall_name, service_name) = (mall.zone(), mall.name.clone(), service.name_id.clone());
    Box::new(move |a: &Appointment| {
        let t = crate::i18n::Tr::new(mpp_domain::format::Lang::Id);
        let when = mpp_domain::format::instant(a.slot_start, zone, t.lang);
        let body = t.f(
            "booking.email",
            &[("code", &a.code), ("service", &service_name), ("when", &when), ("mall", &mall_name)],
        );
        let m = crate::notify::Message { subject: format!("{} {}", t.t("booking.email_subject"), a.code), body, ..to };
        let rows = crate::notify::rows(&m, &channels);
        (m, rows)
    })
}

/// Turns a booking into a ticket at the kiosk: inside its window (until
/// the grace period after the slot) it is served ahead of walk-ins; later,
/// it is an ordinary walk-in ticket. Only on the booked day.
pub async fn check_in(state: &AppState, mall: &Mall, code: &str) -> AppResult<Ticket> {
    let code = rules::parse_booking_code(code).ok_or_else(|| AppError::invalid("code", "booking.bad_code"))?;
    let a = store::by_code(&state.db, &mall.id, &code)
        .await?
        .ok_or_else(|| AppError::invalid("code", "booking.unknown_code"))?;
    if a.status != mpp_domain::booking::AppointmentStatus::Booked {
        return Err(AppError::Conflict("booking.not_open"));
    }
    if a.day != iso_date(state.clock.today(mall.zone())) {
        return Err(AppError::Conflict("booking.not_today"));
    }
    let service = visit::brief_by_id(&state.db, &mall.id, &a.service_id).await?.ok_or(AppError::NotFound)?;
    let now = state.clock.now_ms();
    let (window, late) = match rules::check_in(now, a.slot_start, a.slot_end) {
        CheckIn::Window(from, to) => (Some((from, to)), false),
        CheckIn::WalkIn => (None, true),
    };
    let req = Request {
        services: vec![WantedService::from(&service)],
        issued_by: IssuedBy::Online,
        priority: Priority::None,
        quick: false,
        phone: String::new(),
        window,
        claim: None,
        appointment: Some((a.id.clone(), late)),
    };
    issue::issue(state, mall, req).await
}

/// The local start of a booking, for pages and the calendar file.
pub fn local_start(mall: &Mall, a: &Appointment) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(a.slot_start / 1000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
        .to_offset(mall.zone().offset())
}
