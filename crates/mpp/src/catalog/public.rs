//! What citizens read: the mall's home page, the searchable catalogue, a
//! service's full public standard and an agency's page. Readable with
//! JavaScript off, light enough for a cheap phone on a slow network.

use super::linked_data;
use super::store::{self, Agency, Service};
use crate::calendar;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{self, Ctx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::catalog::lines;
use mpp_domain::format::{self, parse_clock, rupiah, weekday_name};
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new()
        .get("/", Action::ReadPublic, root)
        .get("/m/{slug}", Action::ReadPublic, home)
        .get("/m/{slug}/layanan", Action::ReadPublic, catalogue)
        .get("/m/{slug}/layanan/{code}", Action::ReadPublic, service_page)
        .get("/m/{slug}/instansi/{code}", Action::ReadPublic, agency_page)
}

/// One line of a list: a service as the catalogue shows it.
pub struct ServiceItem {
    pub code: String,
    pub name: String,
    pub agency: String,
    pub summary: String,
    pub cost: String,
    pub time: String,
}

pub fn cost_label(t: &Tr, s: &Service) -> String {
    if s.cost_rupiah == 0 { t.t("service.free").to_string() } else { rupiah(s.cost_rupiah) }
}

fn item(t: &Tr, s: &Service, agencies: &[Agency]) -> ServiceItem {
    let agency = agencies.iter().find(|a| a.id == s.agency_id).map(|a| t.pick(&a.name_id, &a.name_en)).unwrap_or("");
    ServiceItem {
        code: s.code.clone(),
        name: t.pick(&s.name_id, &s.name_en).to_string(),
        agency: agency.to_string(),
        summary: t.pick(&s.summary_id, &s.summary_en).to_string(),
        cost: cost_label(t, s),
        time: t.pick(&s.completion_time_id, &s.completion_time_en).to_string(),
    }
}

#[derive(Template)]
#[template(path = "catalog/malls.html")]
struct MallsPage {
    ctx: Ctx,
    malls: Vec<Mall>,
}

async fn root(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let malls = tenancy::store::published(&state.db).await?;
    if let [only] = malls.as_slice() {
        return Ok(Redirect::to(&format!("/m/{}", only.slug)).into_response());
    }
    render(&MallsPage { ctx, malls })
}

pub struct AgencyItem {
    pub code: String,
    pub name: String,
    pub services: usize,
}

pub struct HoursLine {
    pub day: &'static str,
    pub hours: String,
    pub today: bool,
}

pub struct FacilityItem {
    pub name: String,
    pub location: String,
    pub accessibility: String,
    pub available: bool,
}

pub struct DayOffItem {
    pub date: String,
    pub name: String,
    pub cuti_bersama: bool,
}

#[derive(Template)]
#[template(path = "catalog/home.html")]
struct HomePage {
    ctx: Ctx,
    mall: Mall,
    description: String,
    open_now: bool,
    agencies: Vec<AgencyItem>,
    hours: Vec<HoursLine>,
    facilities: Vec<FacilityItem>,
    days_off: Vec<DayOffItem>,
    service_count: usize,
    bundles: Vec<crate::bundle::pages::BundleView>,
}

async fn home(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let t = ctx.t;
    let services = store::services(&state.db, &mall.id, false).await?;
    let all_agencies = store::agencies(&state.db, &mall.id).await?;
    let bundles = crate::bundle::pages::views(&state, &t, &mall, (&services, &all_agencies)).await?;
    let agencies = all_agencies
        .into_iter()
        .map(|a| AgencyItem {
            services: services.iter().filter(|s| s.agency_id == a.id).count(),
            name: t.pick(&a.name_id, &a.name_en).to_string(),
            code: a.code,
        })
        .collect();
    let zone = mall.zone();
    let now = state.clock.local(zone);
    let today_iso = now.weekday().number_from_monday();
    let hours_rows = calendar::store::hours(&state.db, &mall.id).await?;
    let today = format::iso_date(now.date());
    let days_off_rows = calendar::store::days_from(&state.db, &mall.id, &today, 4).await?;
    let hours = (1..=7u8)
        .map(|d| {
            let row = hours_rows.iter().find(|h| h.weekday == i64::from(d));
            HoursLine {
                day: weekday_name(d, t.lang),
                hours: match row {
                    Some(h) => format!("{} – {} {}", clock(&h.opens, &t), clock(&h.closes, &t), zone.as_str()),
                    None => t.t("home.closed").to_string(),
                },
                today: d == today_iso,
            }
        })
        .collect();
    let open_now = calendar::store::opening_today(&state.db, &mall.id, now)
        .await?
        .is_some_and(|(o, c)| now.time() >= o && now.time() < c);
    let facilities = store::facilities(&state.db, &mall.id)
        .await?
        .into_iter()
        .map(|f| FacilityItem {
            name: t.pick(&f.name_id, &f.name_en).to_string(),
            location: t.pick(&f.location_id, &f.location_en).to_string(),
            accessibility: t.pick(&f.accessibility_id, &f.accessibility_en).to_string(),
            available: f.available,
        })
        .collect();
    let days_off = days_off_rows
        .into_iter()
        .map(|d| DayOffItem {
            date: format::parse_date(&d.day).map(|x| format::date(x, t.lang)).unwrap_or(d.day.clone()),
            name: t.pick(&d.name_id, &d.name_en).to_string(),
            cuti_bersama: d.kind == "cuti_bersama",
        })
        .collect();
    let description = t.pick(&mall.description_id, &mall.description_en).to_string();
    let service_count = services.len();
    render(&HomePage {
        ctx,
        mall,
        description,
        open_now,
        agencies,
        hours,
        facilities,
        days_off,
        service_count,
        bundles,
    })
}

fn clock(s: &str, t: &Tr) -> String {
    parse_clock(s).map(|c| format::clock(c, t.lang)).unwrap_or_else(|| s.to_string())
}

#[derive(serde::Deserialize)]
struct CatalogueQuery {
    q: Option<String>,
    instansi: Option<String>,
}

#[derive(Template)]
#[template(path = "catalog/catalogue.html")]
struct CataloguePage {
    ctx: Ctx,
    mall: Mall,
    q: String,
    agency_filter: String,
    agencies: Vec<(String, String)>,
    items: Vec<ServiceItem>,
}

async fn catalogue(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(query): Query<CatalogueQuery>,
) -> AppResult<Response> {
    let key = web::shared_page_key(&ctx);
    web::render_shared(&state.clone(), key, catalogue_page(state, ctx, slug, query)).await
}

async fn catalogue_page(state: AppState, ctx: Ctx, slug: String, query: CatalogueQuery) -> AppResult<CataloguePage> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let t = ctx.t;
    let q: String = query.q.unwrap_or_default().chars().take(100).collect();
    let agency_filter = query.instansi.unwrap_or_default();
    let agencies = store::agencies(&state.db, &mall.id).await?;
    let wanted = agencies.iter().find(|a| a.code == agency_filter).map(|a| a.id.clone());
    let items = store::search(&state.db, &mall.id, &q)
        .await?
        .iter()
        .filter(|s| wanted.as_ref().is_none_or(|w| *w == s.agency_id))
        .map(|s| item(&t, s, &agencies))
        .collect();
    let agencies = agencies.iter().map(|a| (a.code.clone(), t.pick(&a.name_id, &a.name_en).to_string())).collect();
    Ok(CataloguePage { ctx, mall, q, agency_filter, agencies, items })
}

#[derive(Template)]
#[template(path = "catalog/service.html")]
struct ServicePage {
    ctx: Ctx,
    mall: Mall,
    s: Service,
    name: String,
    agency_code: String,
    agency_name: String,
    summary: String,
    requirements: Vec<String>,
    procedure: Vec<String>,
    completion_time: String,
    cost: String,
    cost_note: String,
    product: String,
    complaint: String,
    legal_basis: Vec<String>,
    channels: Vec<&'static str>,
    counters: Vec<String>,
    /// Online appointments are open for this service.
    bookable: bool,
    /// The service can be applied for online (it has a workflow).
    online: bool,
    json_ld: String,
}

async fn service_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
) -> AppResult<Response> {
    let key = web::shared_page_key(&ctx);
    web::render_shared(&state.clone(), key, service_page_of(state, ctx, slug, code)).await
}

async fn service_page_of(state: AppState, ctx: Ctx, slug: String, code: String) -> AppResult<ServicePage> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let s = store::service_by_code(&state.db, &mall.id, &code).await?.filter(|s| s.active).ok_or(AppError::NotFound)?;
    let t = ctx.t;
    let agencies = store::agencies(&state.db, &mall.id).await?;
    let agency = agencies.iter().find(|a| a.id == s.agency_id).ok_or(AppError::NotFound)?;
    let serving: Vec<String> = store::counter_services(&state.db, &mall.id)
        .await?
        .into_iter()
        .filter(|(_, sid)| *sid == s.id)
        .map(|(cid, _)| cid)
        .collect();
    let counters: Vec<String> = store::counters(&state.db, &mall.id)
        .await?
        .into_iter()
        .filter(|c| c.active && serving.contains(&c.id))
        .map(|c| {
            if c.zone.is_empty() {
                format!("{} {}", t.t("service.counter"), c.number)
            } else {
                format!("{} {} ({})", t.t("service.counter"), c.number, c.zone)
            }
        })
        .collect();
    let bookable = !counters.is_empty() && s.booking_quota > 0;
    let online = !crate::application::store::workflow(&state.db, &mall.id, &s.id).await?.is_empty();
    let own = |v: Vec<&str>| v.into_iter().map(str::to_string).collect::<Vec<_>>();
    let json_ld = linked_data::schema_org_service(&mall, agency, &s, &t).to_string().replace("</", "<\\/");
    let page = ServicePage {
        name: t.pick(&s.name_id, &s.name_en).to_string(),
        agency_code: agency.code.clone(),
        agency_name: t.pick(&agency.name_id, &agency.name_en).to_string(),
        summary: t.pick(&s.summary_id, &s.summary_en).to_string(),
        requirements: own(lines(t.pick(&s.requirements_id, &s.requirements_en))),
        procedure: own(lines(t.pick(&s.procedure_id, &s.procedure_en))),
        completion_time: t.pick(&s.completion_time_id, &s.completion_time_en).to_string(),
        cost: cost_label(&t, &s),
        cost_note: t.pick(&s.cost_note_id, &s.cost_note_en).to_string(),
        product: t.pick(&s.product_id, &s.product_en).to_string(),
        complaint: t.pick(&s.complaint_id, &s.complaint_en).to_string(),
        legal_basis: own(lines(&s.legal_basis)),
        channels: s.channel_list().iter().map(|c| t.t(&format!("channel.{}", c.as_str()))).collect(),
        counters,
        bookable,
        online,
        json_ld,
        ctx,
        mall,
        s,
    };
    Ok(page)
}

#[derive(Template)]
#[template(path = "catalog/agency.html")]
struct AgencyPage {
    ctx: Ctx,
    mall: Mall,
    name: String,
    description: String,
    phone: String,
    items: Vec<ServiceItem>,
    counters: Vec<String>,
}

async fn agency_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let agency = store::agency_by_code(&state.db, &mall.id, &code).await?.ok_or(AppError::NotFound)?;
    let t = ctx.t;
    let all = [agency.clone()];
    let items = store::services(&state.db, &mall.id, false)
        .await?
        .iter()
        .filter(|s| s.agency_id == agency.id)
        .map(|s| item(&t, s, &all))
        .collect();
    let counters = store::counters(&state.db, &mall.id)
        .await?
        .into_iter()
        .filter(|c| c.agency_id == agency.id && c.active)
        .map(|c| format!("{} {} {}", t.t("service.counter"), c.number, c.zone))
        .collect();
    let page = AgencyPage {
        name: t.pick(&agency.name_id, &agency.name_en).to_string(),
        description: t.pick(&agency.description_id, &agency.description_en).to_string(),
        phone: agency.phone.clone(),
        ctx,
        mall,
        items,
        counters,
    };
    render(&page)
}
