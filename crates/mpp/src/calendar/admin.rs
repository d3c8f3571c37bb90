//! The working-day calendar and opening hours in the back office. Days off
//! are records like any other (`crud`); the week's hours are one form; the
//! national calendar shipped with MPP can be copied in again (missing days
//! only, so local edits stay).

use super::store::{self, CalendarDay, Hours};
use crate::audit::{self, Change};
use crate::catalog::agencies::to_errors;
use crate::crud::{Resource, WriteCtx, taken};
use crate::db::sql::Conn;
use crate::error::{AppResult, FieldError};
use crate::forms::{Field, Kind, Posted, Upload};
use crate::i18n::Tr;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::{Ctx, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::calendar::{DayInput, DayKind, check_hours};
use mpp_domain::format::{self, weekday_name};
use mpp_domain::policy::Action;
use mpp_domain::tenancy::MallId;

pub struct Days;

impl Resource for Days {
    type Row = CalendarDay;
    type Input = DayInput;
    type Options = ();

    const SEGMENT: &'static str = "kalender";
    const ENTITY: &'static str = "calendar_day";
    const KEY: &'static str = "day";
    const API_SEGMENT: &'static str = "calendar-days";
    const PUBLIC: bool = true;
    const TITLE: &'static str = "admin.calendar";
    const NEW_TITLE: &'static str = "calendar.new";

    fn key(row: &CalendarDay) -> String {
        row.day.clone()
    }

    fn heading(row: &CalendarDay, t: &Tr) -> String {
        let date = format::parse_date(&row.day).map(|d| format::date(d, t.lang)).unwrap_or_else(|| row.day.clone());
        format!("{date} — {}", t.pick(&row.name_id, &row.name_en))
    }

    fn columns() -> &'static [&'static str] {
        &["calendar.day", "admin.name", "calendar.kind", "calendar.source"]
    }

    fn cells(row: &CalendarDay, _: &(), t: &Tr) -> Vec<String> {
        let date = format::parse_date(&row.day).map(|d| format::date(d, t.lang)).unwrap_or_else(|| row.day.clone());
        let source = if row.source.is_empty() {
            t.t("calendar.source_local").to_string()
        } else {
            t.t("calendar.source_national").to_string()
        };
        vec![
            date,
            t.pick(&row.name_id, &row.name_en).to_string(),
            t.t(&format!("day_kind.{}", row.kind)).to_string(),
            source,
        ]
    }

    fn can_read(bo: &BackOffice, _: &CalendarDay) -> bool {
        bo.access.can_view_admin()
    }

    fn blank(_: &()) -> DayInput {
        DayInput { kind: DayKind::LocalHoliday.as_str().into(), ..Default::default() }
    }

    fn to_input(d: &CalendarDay, _: &()) -> DayInput {
        DayInput { day: d.day.clone(), kind: d.kind.clone(), name_id: d.name_id.clone(), name_en: d.name_en.clone() }
    }

    fn fields(v: &DayInput, _: &(), t: &Tr) -> Vec<Field> {
        let kinds = DayKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), t.t(&format!("day_kind.{}", k.as_str())).to_string()))
            .collect();
        vec![
            Field::new("day", "calendar.day", Kind::Date, &v.day).help("calendar.help_day"),
            Field::new("kind", "calendar.kind", Kind::Select(kinds), &v.kind),
            Field::new("name_id", "admin.name_id_generic", Kind::Text, &v.name_id),
            Field::new("name_en", "admin.name_en_generic", Kind::Text, &v.name_en),
        ]
    }

    fn parse(p: &Posted, _: &()) -> (DayInput, Vec<FieldError>) {
        let input =
            DayInput { day: p.get("day"), kind: p.get("kind"), name_id: p.get("name_id"), name_en: p.get("name_en") };
        (input, vec![])
    }

    fn check(v: &DayInput, _: &()) -> Vec<FieldError> {
        to_errors(v.validate())
    }

    async fn options(_: &AppState, _: &BackOffice) -> AppResult<()> {
        Ok(())
    }

    async fn list(state: &AppState, mall_id: &MallId) -> AppResult<Vec<CalendarDay>> {
        store::days_from(&state.db, mall_id, "0000-00-00", 1000).await
    }

    async fn find(state: &AppState, mall_id: &MallId, key: &str) -> AppResult<Option<CalendarDay>> {
        Ok(store::days_from(&state.db, mall_id, key, 1).await?.into_iter().find(|d| d.day == key))
    }

    async fn write<'a>(
        conn: &'a mut Conn<'_>,
        w: &'a WriteCtx,
        v: &'a DayInput,
        existing: Option<&'a CalendarDay>,
        _: Option<&'a Upload>,
    ) -> AppResult<CalendarDay> {
        let day = format::parse_date(&v.day).map(format::iso_date).unwrap_or_default();
        // An edited day becomes the mall's own (no longer the shipped national
        // entry); one written back unchanged keeps where it came from.
        let source = match existing {
            Some(old) if Self::to_input(old, &()) == DayInput { day: day.clone(), ..trimmed(v) } => old.source.clone(),
            _ => String::new(),
        };
        let new = CalendarDay {
            day,
            kind: v.kind.clone(),
            name_id: v.name_id.trim().into(),
            name_en: v.name_en.trim().into(),
            source,
        };
        store::put_day(conn, &w.mall_id, existing.map(|d| d.day.as_str()), &new)
            .await
            .map_err(taken("day", "calendar.day_taken"))?;
        Ok(new)
    }

    async fn remove<'a>(conn: &'a mut Conn<'_>, mall_id: &'a MallId, row: &'a CalendarDay) -> AppResult<()> {
        store::delete_day(conn, mall_id, &row.day).await
    }
}

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/admin/jam", Action::ViewBackOffice, hours_page)
        .post("/m/{slug}/admin/jam", Action::ManageMall, save_hours)
        .post("/m/{slug}/admin/kalender-nasional", Action::ManageMall, copy_national)
}

pub struct DayRow {
    pub weekday: u8,
    pub name: &'static str,
    pub opens: String,
    pub closes: String,
    pub error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "calendar/hours.html")]
struct HoursPage {
    ctx: Ctx,
    bo: BackOffice,
    section: &'static str,
    days: Vec<DayRow>,
    saved: bool,
    copied: Option<usize>,
    national_source: &'static str,
}

#[derive(serde::Deserialize)]
struct HoursQuery {
    disimpan: Option<String>,
    disalin: Option<usize>,
}

async fn hours_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<HoursQuery>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let stored = store::hours(&state.db, &bo.mall.id).await?;
    let days = (1..=7u8)
        .map(|d| {
            let h = stored.iter().find(|h| h.weekday == i64::from(d));
            DayRow {
                weekday: d,
                name: weekday_name(d, ctx.lang()),
                opens: h.map(|h| h.opens.clone()).unwrap_or_default(),
                closes: h.map(|h| h.closes.clone()).unwrap_or_default(),
                error: None,
            }
        })
        .collect();
    let page = HoursPage {
        ctx,
        bo,
        section: "jam",
        days,
        saved: q.disimpan.is_some(),
        copied: q.disalin,
        national_source: super::national::source(),
    };
    render_status(StatusCode::OK, &page)
}

async fn save_hours(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    posted: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_manage_mall())?;
    let mut days = Vec::new();
    let mut valid = Vec::new();
    for d in 1..=7u8 {
        let (opens, closes) = (posted.get(&format!("opens_{d}")), posted.get(&format!("closes_{d}")));
        let checked = check_hours(&opens, &closes);
        if let Ok(Some((o, c))) = checked {
            valid.push(Hours {
                weekday: i64::from(d),
                opens: format::clock(o, mpp_domain::format::Lang::En),
                closes: format::clock(c, mpp_domain::format::Lang::En),
            });
        }
        days.push(DayRow { weekday: d, name: weekday_name(d, ctx.lang()), opens, closes, error: checked.err() });
    }
    if days.iter().any(|d| d.error.is_some()) {
        let page = HoursPage {
            ctx,
            bo,
            section: "jam",
            days,
            saved: false,
            copied: None,
            national_source: super::national::source(),
        };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let before = store::hours(&state.db, &bo.mall.id).await?;
    let now = state.clock.now_ms();
    let change = Change {
        mall_id: &bo.mall.id,
        actor: &bo.user,
        action: "update",
        entity: "opening_hours",
        entity_id: &bo.mall.slug,
        before: Some(serde_json::json!(before)),
        after: Some(serde_json::json!(valid)),
    };
    store::replace_hours(&state.db, &bo.mall.id, valid, audit::entry(change, now)).await?;
    // Configuration changed: drop what the hot paths cached.
    state.db.cache.clear();
    Ok(Redirect::to(&format!("/m/{}/admin/jam?disimpan=1", bo.mall.slug)).into_response())
}

async fn copy_national(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    bo.require(bo.access.can_manage_mall())?;
    let now = state.clock.now_ms();
    let change = Change {
        mall_id: &bo.mall.id,
        actor: &bo.user,
        action: "create",
        entity: "calendar_day",
        entity_id: "national",
        before: None,
        after: None,
    };
    let added = store::copy_national(&state.db, &bo.mall.id, Some(audit::entry(change, now))).await?;
    // Configuration changed: drop what the hot paths cached.
    state.db.cache.clear();
    Ok(Redirect::to(&format!("/m/{}/admin/jam?disalin={added}", bo.mall.slug)).into_response())
}

fn trimmed(v: &DayInput) -> DayInput {
    DayInput {
        day: v.day.clone(),
        kind: v.kind.clone(),
        name_id: v.name_id.trim().into(),
        name_en: v.name_en.trim().into(),
    }
}
