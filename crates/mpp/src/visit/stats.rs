//! What a mall manager watches: the floor right now (waiting per service,
//! counters open or on a break, the longest wait) and the day's figures per
//! service, agency and counter, with a CSV export. Figures come from the
//! finished stretches (`ticket_steps`) plus the tickets still open.

use super::store;
use crate::catalog::store as catalog;
use crate::error::{AppError, AppResult};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::{Ctx, render};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use mpp_domain::format::{self, iso_date, parse_date};
use mpp_domain::policy::Action;
use mpp_domain::visit::{CounterStatus, mean_and_p90};
use std::collections::BTreeMap;

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/admin/antrian", Action::ViewBackOffice, overview)
        .post("/m/{slug}/admin/antrian/tutup/{number}", Action::ManageMall, decide_close)
        .get("/m/{slug}/admin/statistik", Action::ViewBackOffice, daily)
        .get("/m/{slug}/admin/statistik.csv", Action::ViewBackOffice, daily_csv)
}

pub struct ServiceNow {
    pub name: String,
    pub agency: String,
    pub waiting: i64,
    pub longest_minutes: i64,
    pub open_counters: i64,
}

pub struct CounterNow {
    pub number: i64,
    pub agency: String,
    pub status: CounterStatus,
    pub status_text: String,
    pub officer: String,
    pub current: String,
    pub since: String,
    pub close_requested_by: String,
}

#[derive(Template)]
#[template(path = "visit/overview.html")]
struct OverviewPage {
    ctx: Ctx,
    bo: BackOffice,
    services: Vec<ServiceNow>,
    counters: Vec<CounterNow>,
    waiting_total: i64,
    open_total: usize,
    on_break: usize,
    longest_minutes: i64,
}

async fn overview(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let mall_id = bo.mall.id.clone();
    let day = iso_date(state.clock.today(bo.mall.zone()));
    let now = state.clock.now_ms();
    let agencies = catalog::agencies(&state.db, &mall_id).await?;
    let visible = |agency_id: &str| {
        bo.access.managed_agencies().is_none_or(|a| a.contains(&agency_id)) || bo.access.can_view_whole_mall()
    };
    let agency_name = |id: &str| {
        agencies.iter().find(|a| a.id == id).map(|a| ctx.t.pick(&a.name_id, &a.name_en).to_string()).unwrap_or_default()
    };
    let waiting = store::waiting_summary(&state.db, &mall_id, &day, now).await?;
    let mut services = Vec::new();
    for s in catalog::services(&state.db, &mall_id, false).await? {
        if !visible(&s.agency_id) {
            continue;
        }
        let (count, oldest) = waiting.iter().find(|w| w.0 == s.id).map_or((0, now), |w| (w.1, w.2));
        let (_, open) = store::counters_for(&state.db, &mall_id, &s.id).await?;
        if count == 0 && open == 0 {
            continue;
        }
        services.push(ServiceNow {
            name: ctx.t.pick(&s.name_id, &s.name_en).to_string(),
            agency: agency_name(&s.agency_id),
            waiting: count,
            longest_minutes: (now - oldest).max(0) / 60_000,
            open_counters: open,
        });
    }
    services.sort_by_key(|s| std::cmp::Reverse(s.longest_minutes));
    let states = store::counter_states(&state.db, &mall_id).await?;
    let mut counters = Vec::new();
    for c in catalog::counters(&state.db, &mall_id).await? {
        if !c.active || !visible(&c.agency_id) {
            continue;
        }
        let st = states.iter().find(|s| s.counter_id == c.id);
        let status = st.map_or(CounterStatus::Closed, |s| s.status);
        counters.push(CounterNow {
            number: c.number,
            agency: agency_name(&c.agency_id),
            status_text: ctx.t.t(super::console::counter_status_key(status)).to_string(),
            status,
            officer: st.map(|s| s.officer.clone()).unwrap_or_default(),
            current: st.map(|s| s.current.clone()).unwrap_or_default(),
            since: st.map(|s| format::instant(s.since, bo.mall.zone(), ctx.lang())).unwrap_or_default(),
            close_requested_by: st.map(|s| s.close_requested_by.clone()).unwrap_or_default(),
        });
    }
    let page = OverviewPage {
        waiting_total: services.iter().map(|s| s.waiting).sum(),
        longest_minutes: services.iter().filter(|s| s.waiting > 0).map(|s| s.longest_minutes).max().unwrap_or(0),
        open_total: counters.iter().filter(|c| c.status == CounterStatus::Open).count(),
        on_break: counters.iter().filter(|c| c.status == CounterStatus::Paused).count(),
        services,
        counters,
        ctx,
        bo,
    };
    render(&page)
}

/// One line of the daily figures.
#[derive(Default, Clone)]
pub struct Figures {
    pub key: String,
    pub name: String,
    pub tickets: i64,
    pub served: i64,
    pub no_shows: i64,
    pub transfers: i64,
    pub wait_avg: i64,
    pub wait_p90: i64,
    pub handle_avg: i64,
    pub handle_p90: i64,
    waits: Vec<i64>,
    handles: Vec<i64>,
}

impl Figures {
    fn named(key: &str, name: &str) -> Figures {
        Figures { key: key.to_string(), name: name.to_string(), ..Figures::default() }
    }

    fn add(&mut self, step: &store::Step) {
        self.tickets += 1;
        match step.result.as_str() {
            "no_show" => self.no_shows += 1,
            "transferred" => self.transfers += 1,
            _ => {
                self.served += 1;
                if let Some(started) = step.started_at {
                    self.handles.push(step.ended_at - started);
                }
            }
        }
        if let Some(called) = step.called_at {
            self.waits.push(called - step.queued_at);
        }
    }

    fn finish(mut self) -> Figures {
        (self.wait_avg, self.wait_p90) = mean_and_p90(&self.waits);
        (self.handle_avg, self.handle_p90) = mean_and_p90(&self.handles);
        self
    }

    /// "mean / p90" in minutes with one decimal, for the page.
    pub fn wait_text(&self) -> String {
        format!("{} / {}", minutes(self.wait_avg), minutes(self.wait_p90))
    }

    pub fn handle_text(&self) -> String {
        format!("{} / {}", minutes(self.handle_avg), minutes(self.handle_p90))
    }
}

fn minutes(ms: i64) -> String {
    format!("{:.1}", ms as f64 / 60_000.0)
}

pub struct Daily {
    pub day: String,
    pub services: Vec<Figures>,
    pub agencies: Vec<Figures>,
    pub counters: Vec<Figures>,
    pub total: Figures,
}

impl Daily {
    /// The three tables of the page: (title key, lines).
    pub fn groups(&self) -> [(&'static str, &[Figures]); 3] {
        [
            ("stats.by_service", &self.services),
            ("stats.by_agency", &self.agencies),
            ("stats.by_counter", &self.counters),
        ]
    }
}

/// The day's figures, grouped three ways; open tickets count as tickets.
pub async fn compute(state: &AppState, bo: &BackOffice, day: &str, ctx: &Ctx) -> AppResult<Daily> {
    let mall_id = &bo.mall.id;
    let services = catalog::services(&state.db, mall_id, true).await?;
    let agencies = catalog::agencies(&state.db, mall_id).await?;
    let counters = catalog::counters(&state.db, mall_id).await?;
    let visible = |agency_id: &str| {
        bo.access.can_view_whole_mall() || bo.access.managed_agencies().is_none_or(|a| a.contains(&agency_id))
    };
    let (mut by_service, mut by_agency, mut by_counter) = (BTreeMap::new(), BTreeMap::new(), BTreeMap::new());
    let mut total = Figures::named("total", ctx.t.t("stats.total"));
    for step in store::steps_of_day(&state.db, mall_id, day).await? {
        let Some(service) = services.iter().find(|s| s.id == step.service_id) else { continue };
        if !visible(&service.agency_id) {
            continue;
        }
        let agency = agencies.iter().find(|a| a.id == service.agency_id);
        by_service
            .entry(service.code.clone())
            .or_insert_with(|| Figures::named(&service.code, ctx.t.pick(&service.name_id, &service.name_en)))
            .add(&step);
        if let Some(a) = agency {
            by_agency
                .entry(a.code.clone())
                .or_insert_with(|| Figures::named(&a.code, ctx.t.pick(&a.name_id, &a.name_en)))
                .add(&step);
        }
        if let Some(c) = counters.iter().find(|c| Some(&c.id) == step.counter_id.as_ref()) {
            by_counter
                .entry(c.number)
                .or_insert_with(|| {
                    Figures::named(&c.number.to_string(), &ctx.t.f("counter.number", &[("n", &c.number.to_string())]))
                })
                .add(&step);
        }
        total.add(&step);
    }
    // Still open at the end of the day (or now): counted as tickets of their service.
    for (service_id, open) in store::open_of_day(&state.db, mall_id, day).await? {
        let Some(service) = services.iter().find(|s| s.id == service_id) else { continue };
        if !visible(&service.agency_id) {
            continue;
        }
        let f = by_service
            .entry(service.code.clone())
            .or_insert_with(|| Figures::named(&service.code, ctx.t.pick(&service.name_id, &service.name_en)));
        f.tickets += open;
        if let Some(a) = agencies.iter().find(|a| a.id == service.agency_id) {
            by_agency
                .entry(a.code.clone())
                .or_insert_with(|| Figures::named(&a.code, ctx.t.pick(&a.name_id, &a.name_en)))
                .tickets += open;
        }
        total.tickets += open;
    }
    Ok(Daily {
        day: day.to_string(),
        services: by_service.into_values().map(Figures::finish).collect(),
        agencies: by_agency.into_values().map(Figures::finish).collect(),
        counters: by_counter.into_values().map(Figures::finish).collect(),
        total: total.finish(),
    })
}

#[derive(serde::Deserialize, Default)]
struct DayQuery {
    #[serde(default)]
    tanggal: String,
}

fn day_of(state: &AppState, bo: &BackOffice, q: &DayQuery) -> AppResult<String> {
    if q.tanggal.is_empty() {
        return Ok(iso_date(state.clock.today(bo.mall.zone())));
    }
    parse_date(&q.tanggal).map(iso_date).ok_or_else(|| AppError::invalid("tanggal", "form.bad_date"))
}

#[derive(Template)]
#[template(path = "visit/stats.html")]
struct StatsPage {
    ctx: Ctx,
    bo: BackOffice,
    daily: Daily,
}

async fn daily(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DayQuery>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let day = day_of(&state, &bo, &q)?;
    let daily = compute(&state, &bo, &day, &ctx).await?;
    render(&StatsPage { ctx, bo, daily })
}

/// RFC 4180 field: quoted when it holds a comma, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

async fn daily_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<DayQuery>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let day = day_of(&state, &bo, &q)?;
    let d = compute(&state, &bo, &day, &ctx).await?;
    let mut out = String::from(
        "day,group,key,name,tickets,served,no_shows,transfers,wait_avg_s,wait_p90_s,handling_avg_s,handling_p90_s\r\n",
    );
    let groups = [("service", &d.services), ("agency", &d.agencies), ("counter", &d.counters)];
    for (group, lines) in groups {
        for f in lines.iter().chain(std::iter::once(&d.total).filter(|_| group == "service")) {
            let group = if f.key == "total" { "total" } else { group };
            out.push_str(&format!(
                "{day},{group},{},{},{},{},{},{},{},{},{},{}\r\n",
                csv_field(&f.key),
                csv_field(&f.name),
                f.tickets,
                f.served,
                f.no_shows,
                f.transfers,
                f.wait_avg / 1000,
                f.wait_p90 / 1000,
                f.handle_avg / 1000,
                f.handle_p90 / 1000
            ));
        }
    }
    let disposition = format!("attachment; filename=\"antrian-{}-{day}.csv\"", bo.mall.slug);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()), (header::CONTENT_DISPOSITION, disposition)],
        out,
    )
        .into_response())
}

/// The manager approves or refuses an officer's request to close a counter.
async fn decide_close(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, i64)>,
    form: crate::forms::Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_manage_mall())?;
    let counter = catalog::counters(&state.db, &bo.mall.id)
        .await?
        .into_iter()
        .find(|c| c.number == number)
        .ok_or(AppError::NotFound)?;
    let approve = form.get("decision") == "approve";
    if !store::decide_close(&state.db, &bo.mall.id, &counter.id, approve, state.clock.now_ms()).await? {
        return Err(AppError::Conflict("visit.not_now"));
    }
    Ok(axum::response::Redirect::to(&format!("/m/{}/admin/antrian", bo.mall.slug)).into_response())
}
