//! The SQL of opening hours and calendar days.

use super::national;
use crate::db::Db;
use crate::db::sql::{self, Conn, from_row};
use crate::error::AppResult;
use mpp_domain::calendar::WorkingCalendar;
use mpp_domain::format::parse_clock;
use mpp_domain::tenancy::MallId;

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Hours {
    pub weekday: i64,
    pub opens: String,
    pub closes: String,
}

from_row!(Hours { weekday, opens, closes });

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CalendarDay {
    pub day: String,
    pub kind: String,
    pub name_id: String,
    pub name_en: String,
    pub source: String,
}

from_row!(CalendarDay { day, kind, name_id, name_en, source });

pub async fn hours(db: &Db, mall_id: &MallId) -> AppResult<Vec<Hours>> {
    sql::query("SELECT weekday, opens, closes FROM opening_hours WHERE mall_id = $1 ORDER BY weekday")
        .bind(mall_id)
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// Days off from `from` (ISO date) on, in order.
pub async fn days_from(db: &Db, mall_id: &MallId, from: &str, limit: i64) -> AppResult<Vec<CalendarDay>> {
    sql::query(
        "SELECT day, kind, name_id, name_en, source FROM calendar_days WHERE mall_id = $1 AND day >= $2
         ORDER BY day LIMIT $3",
    )
    .bind(mall_id)
    .bind(from)
    .bind(limit)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Today's opening and closing time at a mall, or `None` when it is closed
/// all day (no hours on this weekday, or a holiday or cuti bersama).
pub async fn opening_today(
    db: &Db,
    mall_id: &MallId,
    local: time::OffsetDateTime,
) -> AppResult<Option<(time::Time, time::Time)>> {
    opening_on(db, mall_id, local.date()).await
}

/// A day's opening and closing time, or `None` when the mall is closed then.
pub async fn opening_on(db: &Db, mall_id: &MallId, day: time::Date) -> AppResult<Option<(time::Time, time::Time)>> {
    let iso = mpp_domain::format::iso_date(day);
    db.cache.get_or(format!("opening:{mall_id}:{iso}"), || load_opening(db, mall_id, day, iso.clone())).await
}

async fn load_opening(
    db: &Db,
    mall_id: &MallId,
    day: time::Date,
    iso: String,
) -> AppResult<Option<(time::Time, time::Time)>> {
    let day_off: Option<String> = sql::query("SELECT day FROM calendar_days WHERE mall_id = $1 AND day = $2")
        .bind(mall_id)
        .bind(&iso)
        .fetch_optional(&mut Conn::Read(db))
        .await?;
    if day_off.is_some() {
        return Ok(None);
    }
    let row: Option<Hours> =
        sql::query("SELECT weekday, opens, closes FROM opening_hours WHERE mall_id = $1 AND weekday = $2")
            .bind(mall_id)
            .bind(i64::from(day.weekday().number_from_monday()))
            .fetch_optional(&mut Conn::Read(db))
            .await?;
    Ok(row.and_then(|h| parse_clock(&h.opens).zip(parse_clock(&h.closes))))
}

/// The mall's working-day calendar, for SLA arithmetic.
pub async fn working_calendar(db: &Db, mall_id: &MallId) -> AppResult<WorkingCalendar> {
    let days: Vec<String> = sql::query("SELECT day FROM calendar_days WHERE mall_id = $1")
        .bind(mall_id)
        .fetch_all(&mut Conn::Read(db))
        .await?;
    Ok(WorkingCalendar::new(days.iter().filter_map(|d| mpp_domain::format::parse_date(d))))
}

/// Copies the national calendar into a mall (existing days are kept), with
/// the audit entry when someone asked for it; how many days were added.
pub async fn copy_national(db: &Db, mall_id: &MallId, audit: Option<crate::audit::Entry>) -> AppResult<usize> {
    let mall_id = mall_id.to_owned();
    db.transact(move |conn| {
        Box::pin(async move {
            let added = copy_national_in(conn, &mall_id).await?;
            if let Some(mut entry) = audit {
                entry.after = Some(serde_json::json!({"added": added, "source": national::source()}));
                entry.write(conn).await?;
            }
            Ok(added)
        })
    })
    .await
}

/// [`copy_national`] inside a transaction of the caller's.
pub async fn copy_national_in(conn: &mut Conn<'_>, mall_id: &MallId) -> AppResult<usize> {
    let source = national::source();
    let mut n = 0;
    for d in national::days() {
        n += sql::query(
            "INSERT INTO calendar_days (mall_id, day, kind, name_id, name_en, source) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (mall_id, day) DO NOTHING",
        )
        .bind(mall_id)
        .bind(mpp_domain::format::iso_date(d.day))
        .bind(d.kind.as_str())
        .bind(&d.name_id)
        .bind(&d.name_en)
        .bind(source)
        .execute(conn)
        .await?;
    }
    Ok(usize::try_from(n).unwrap_or(0))
}

/// Replaces the week's opening hours, with the change's audit entry.
pub async fn replace_hours(db: &Db, mall_id: &MallId, hours: Vec<Hours>, audit: crate::audit::Entry) -> AppResult<()> {
    let mall_id = mall_id.to_owned();
    db.transact(move |conn| {
        Box::pin(async move {
            sql::query("DELETE FROM opening_hours WHERE mall_id = $1").bind(&mall_id).execute(conn).await?;
            for h in &hours {
                set_hours(conn, &mall_id, h).await?;
            }
            audit.write(conn).await
        })
    })
    .await
}

pub async fn set_hours(conn: &mut Conn<'_>, mall_id: &MallId, h: &Hours) -> AppResult<()> {
    sql::query(
        "INSERT INTO opening_hours (mall_id, weekday, opens, closes) VALUES ($1, $2, $3, $4)
         ON CONFLICT (mall_id, weekday) DO UPDATE SET opens = $3, closes = $4",
    )
    .bind(mall_id)
    .bind(h.weekday)
    .bind(&h.opens)
    .bind(&h.closes)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes a day off, in place of `replacing` (the day it was, if it is an
/// edit); a day already taken is a unique violation.
pub async fn put_day(conn: &mut Conn<'_>, mall_id: &MallId, replacing: Option<&str>, d: &CalendarDay) -> AppResult<()> {
    if let Some(old) = replacing {
        delete_day(conn, mall_id, old).await?;
    }
    sql::query(
        "INSERT INTO calendar_days (mall_id, day, kind, name_id, name_en, source) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(mall_id)
    .bind(&d.day)
    .bind(&d.kind)
    .bind(&d.name_id)
    .bind(&d.name_en)
    .bind(&d.source)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_day(conn: &mut Conn<'_>, mall_id: &MallId, day: &str) -> AppResult<()> {
    sql::query("DELETE FROM calendar_days WHERE mall_id = $1 AND day = $2")
        .bind(mall_id)
        .bind(day)
        .execute(conn)
        .await?;
    Ok(())
}
