//! The SQL of appointments. Places are counted in `booking_counts` with
//! conditional UPDATEs (`booked < capacity`), so concurrent bookings can
//! never overfill a slot or the day's quota.

use crate::db::sql::{self, Conn, from_row};
use crate::db::{Db, new_id};
use crate::error::{AppError, AppResult};

#[derive(Debug, Clone)]
pub struct Appointment {
    pub id: String,
    pub code: String,
    pub service_id: String,
    pub user_id: String,
    pub day: String,
    pub slot_start: i64,
    pub slot_end: i64,
    pub status: String,
    pub ticket_id: Option<String>,
}

from_row!(Appointment { id, code, service_id, user_id, day, slot_start, slot_end, status, ticket_id });

const COLUMNS: &str = "id, code, service_id, user_id, day, slot_start, slot_end, status, ticket_id";

pub async fn by_code(db: &Db, mall_id: &str, code: &str) -> AppResult<Option<Appointment>> {
    sql::query(format!("SELECT {COLUMNS} FROM appointments WHERE mall_id = $1 AND code = $2"))
        .bind(mall_id)
        .bind(code)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

pub async fn by_id(db: &Db, mall_id: &str, id: &str) -> AppResult<Option<Appointment>> {
    sql::query(format!("SELECT {COLUMNS} FROM appointments WHERE mall_id = $1 AND id = $2"))
        .bind(mall_id)
        .bind(id)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// A citizen's bookings at a mall that are still ahead of them.
pub async fn upcoming(db: &Db, mall_id: &str, user_id: &str, now: i64) -> AppResult<Vec<Appointment>> {
    sql::query(format!(
        "SELECT {COLUMNS} FROM appointments WHERE mall_id = $1 AND user_id = $2 AND status = 'booked' AND slot_end >= $3
         ORDER BY slot_start"
    ))
    .bind(mall_id)
    .bind(user_id)
    .bind(now)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Places taken per slot start on a day (the day's total under 0).
pub async fn taken(db: &Db, mall_id: &str, service_id: &str, day: &str) -> AppResult<Vec<(i64, i64)>> {
    sql::query("SELECT slot_start, booked FROM booking_counts WHERE mall_id = $1 AND service_id = $2 AND day = $3")
        .bind(mall_id)
        .bind(service_id)
        .bind(day)
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// Takes one place in a counter row if it is under `cap`; false when full.
async fn take_place(
    conn: &mut Conn<'_>,
    mall_id: &str,
    service_id: &str,
    day: &str,
    slot: i64,
    cap: i64,
) -> AppResult<bool> {
    sql::query(
        "INSERT INTO booking_counts (mall_id, service_id, day, slot_start, booked) VALUES ($1, $2, $3, $4, 0)
         ON CONFLICT (mall_id, service_id, day, slot_start) DO NOTHING",
    )
    .bind(mall_id)
    .bind(service_id)
    .bind(day)
    .bind(slot)
    .execute(conn)
    .await?;
    let n = sql::query(
        "UPDATE booking_counts SET booked = booked + 1
         WHERE mall_id = $1 AND service_id = $2 AND day = $3 AND slot_start = $4 AND booked < $5",
    )
    .bind(mall_id)
    .bind(service_id)
    .bind(day)
    .bind(slot)
    .bind(cap)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

async fn give_back(conn: &mut Conn<'_>, mall_id: &str, a: &Appointment) -> AppResult<()> {
    sql::query(
        "UPDATE booking_citizen_counts SET booked = booked - 1
         WHERE mall_id = $1 AND service_id = $2 AND day = $3 AND user_id = $4 AND booked > 0",
    )
    .bind(mall_id)
    .bind(&a.service_id)
    .bind(&a.day)
    .bind(&a.user_id)
    .execute(conn)
    .await?;
    for slot in [a.slot_start, 0] {
        sql::query(
            "UPDATE booking_counts SET booked = booked - 1
             WHERE mall_id = $1 AND service_id = $2 AND day = $3 AND slot_start = $4 AND booked > 0",
        )
        .bind(mall_id)
        .bind(&a.service_id)
        .bind(&a.day)
        .bind(slot)
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Counts one more booking of this citizen for the service and day, if
/// they hold fewer than `cap` (the same conditional UPDATE as a slot's places).
async fn take_citizen_place(conn: &mut Conn<'_>, w: &Wanted) -> AppResult<bool> {
    sql::query(
        "INSERT INTO booking_citizen_counts (mall_id, service_id, day, user_id, booked) VALUES ($1, $2, $3, $4, 0)
         ON CONFLICT (mall_id, service_id, day, user_id) DO NOTHING",
    )
    .bind(&w.mall_id)
    .bind(&w.service_id)
    .bind(&w.day)
    .bind(&w.user_id)
    .execute(conn)
    .await?;
    let n = sql::query(
        "UPDATE booking_citizen_counts SET booked = booked + 1
         WHERE mall_id = $1 AND service_id = $2 AND day = $3 AND user_id = $4 AND booked < $5",
    )
    .bind(&w.mall_id)
    .bind(&w.service_id)
    .bind(&w.day)
    .bind(&w.user_id)
    .bind(w.per_citizen)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// A slot to book, with the capacities in force.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub mall_id: String,
    pub service_id: String,
    pub user_id: String,
    pub day: String,
    pub slot_start: i64,
    pub slot_end: i64,
    pub slot_capacity: i64,
    pub day_quota: i64,
    /// Bookings one citizen may hold for this service on this day.
    pub per_citizen: i64,
}

/// Books a slot; with `replacing`, moves that booking instead (its place is
/// given back in the same transaction). Conflict when the slot or the day
/// is full.
pub async fn book(
    db: &Db,
    w: &Wanted,
    replacing: Option<&Appointment>,
    claim: Option<&crate::idempotency::Claim>,
    now: i64,
) -> AppResult<Appointment> {
    let (w, replacing, claim) = (w.clone(), replacing.cloned(), claim.cloned());
    db.transact(move |conn| Box::pin(book_in(conn, w, replacing, claim, now))).await
}

async fn book_in(
    conn: &mut Conn<'_>,
    w: Wanted,
    replacing: Option<Appointment>,
    claim: Option<crate::idempotency::Claim>,
    now: i64,
) -> AppResult<Appointment> {
    if let Some(old) = &replacing {
        give_back(conn, &w.mall_id, old).await?;
    }
    if !take_citizen_place(conn, &w).await? {
        return Err(AppError::Conflict("booking.one_per_day"));
    }
    if !take_place(conn, &w.mall_id, &w.service_id, &w.day, 0, w.day_quota).await? {
        return Err(AppError::Conflict("booking.day_full"));
    }
    if !take_place(conn, &w.mall_id, &w.service_id, &w.day, w.slot_start, w.slot_capacity).await? {
        return Err(AppError::Conflict("booking.slot_full"));
    }
    let id = match &replacing {
        Some(old) => {
            sql::query(
                "UPDATE appointments SET service_id = $3, day = $4, slot_start = $5, slot_end = $6, updated_at = $7
                 WHERE mall_id = $1 AND id = $2 AND status = 'booked'",
            )
            .bind(&w.mall_id)
            .bind(&old.id)
            .bind(&w.service_id)
            .bind(&w.day)
            .bind(w.slot_start)
            .bind(w.slot_end)
            .bind(now)
            .execute(conn)
            .await?;
            old.id.clone()
        }
        None => insert(conn, &w, now).await?,
    };
    if let Some(claim) = &claim {
        crate::idempotency::complete(conn, claim, &id).await?;
    }
    sql::query(format!("SELECT {COLUMNS} FROM appointments WHERE mall_id = $1 AND id = $2"))
        .bind(&w.mall_id)
        .bind(&id)
        .fetch_one(conn)
        .await
}

/// Inserts with a fresh random code (retrying the rare clash).
async fn insert(conn: &mut Conn<'_>, w: &Wanted, now: i64) -> AppResult<String> {
    for _ in 0..5 {
        let mut random = [0u8; 5];
        getrandom::fill(&mut random).map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
        let code = mpp_domain::booking::booking_code(random);
        let id = new_id(now);
        // A taken code inserts nothing (a failed statement would abort the
        // whole transaction on PostgreSQL).
        let inserted = sql::query(
            "INSERT INTO appointments (mall_id, id, code, service_id, user_id, day, slot_start, slot_end, status,
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $9)
             ON CONFLICT DO NOTHING",
        )
        .bind(&w.mall_id)
        .bind(&id)
        .bind(&code)
        .bind(&w.service_id)
        .bind(&w.user_id)
        .bind(&w.day)
        .bind(w.slot_start)
        .bind(w.slot_end)
        .bind(now)
        .execute(conn)
        .await?;
        if inserted == 1 {
            return Ok(id);
        }
    }
    Err(AppError::Internal(anyhow::anyhow!("could not find a free booking code")))
}

pub async fn cancel(db: &Db, mall_id: &str, a: &Appointment, now: i64) -> AppResult<()> {
    let (mall_id, a) = (mall_id.to_owned(), a.clone());
    db.transact(move |conn| Box::pin(cancel_in(conn, mall_id, a, now))).await
}

async fn cancel_in(conn: &mut Conn<'_>, mall_id: String, a: Appointment, now: i64) -> AppResult<()> {
    let n = sql::query(
        "UPDATE appointments SET status = 'cancelled', updated_at = $3 WHERE mall_id = $1 AND id = $2 AND status = 'booked'",
    )
    .bind(&mall_id)
    .bind(&a.id)
    .bind(now)
    .execute(conn)
    .await?;
    if n == 0 {
        return Err(AppError::Conflict("booking.not_open"));
    }
    give_back(conn, &mall_id, &a).await
}

/// Records the check-in: the booking now has a ticket (as `checked_in`, or
/// `late` when it became a walk-in).
pub async fn checked_in(
    conn: &mut Conn<'_>,
    mall_id: &str,
    id: &str,
    ticket_id: &str,
    late: bool,
    now: i64,
) -> AppResult<bool> {
    let n = sql::query(
        "UPDATE appointments SET status = $4, ticket_id = $3, updated_at = $5 WHERE mall_id = $1 AND id = $2
         AND status = 'booked'",
    )
    .bind(mall_id)
    .bind(id)
    .bind(ticket_id)
    .bind(if late { "late" } else { "checked_in" })
    .bind(now)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// The codes and daily quotas of the services one can book: active, with
/// a quota, and offered at an open counter.
pub async fn bookable(db: &Db, mall_id: &str) -> AppResult<Vec<(String, i64)>> {
    sql::query(
        "SELECT s.code, s.booking_quota FROM services s WHERE s.mall_id = $1 AND s.active = 1 AND s.booking_quota > 0
         AND EXISTS (SELECT 1 FROM counter_services cs JOIN counters c ON c.mall_id = cs.mall_id AND c.id = cs.counter_id
                     WHERE cs.mall_id = s.mall_id AND cs.service_id = s.id AND c.active = 1)
         ORDER BY s.name_id",
    )
    .bind(mall_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Bookings whose grace period passed without a check-in become no-shows.
pub async fn sweep_no_shows(db: &Db, now: i64) -> AppResult<u64> {
    let grace = mpp_domain::booking::GRACE_MINUTES * 60_000;
    db.run(sql::query(
        "UPDATE appointments SET status = 'no_show', updated_at = $1 WHERE status = 'booked' AND slot_end + $2 < $1",
    )
    .bind(now)
    .bind(grace)
    )
    .await
}
