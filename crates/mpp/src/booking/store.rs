//! The SQL of appointments. Places are counted in rows (a citizen's, the
//! service's day, each slot: `booking_citizen_counts`, `booking_counts`);
//! the rule of what fits is `mpp_domain::booking::capacity`. A booking
//! first locks every row it touches, in one order for everyone (so two
//! moves in opposite directions cannot deadlock), reads their counts,
//! asks the rule, and writes what it answered.

use crate::db::sql::{self, Conn, Row, from_row};
use crate::db::{Db, new_id};
use crate::error::{AppError, AppResult};
use mpp_domain::booking::AppointmentStatus;
use mpp_domain::booking::capacity::{self, Counts, Facts, Limits, Overlap, Place};
use mpp_domain::tenancy::MallId;

#[derive(Debug, Clone)]
pub struct Appointment {
    pub id: String,
    pub code: String,
    pub service_id: String,
    pub user_id: String,
    pub day: String,
    pub slot_start: i64,
    pub slot_end: i64,
    pub status: AppointmentStatus,
    pub ticket_id: Option<String>,
}

from_row!(Appointment { id, code, service_id, user_id, day, slot_start, slot_end, status, ticket_id });

const COLUMNS: &str = "id, code, service_id, user_id, day, slot_start, slot_end, status, ticket_id";

pub async fn by_code(db: &Db, mall_id: &MallId, code: &str) -> AppResult<Option<Appointment>> {
    sql::query(format!("SELECT {COLUMNS} FROM appointments WHERE mall_id = $1 AND code = $2"))
        .bind(mall_id)
        .bind(code)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

pub async fn by_id(db: &Db, mall_id: &MallId, id: &str) -> AppResult<Option<Appointment>> {
    sql::query(format!("SELECT {COLUMNS} FROM appointments WHERE mall_id = $1 AND id = $2"))
        .bind(mall_id)
        .bind(id)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// A citizen's bookings at a mall that are still ahead of them.
pub async fn upcoming(db: &Db, mall_id: &MallId, user_id: &str, now: i64) -> AppResult<Vec<Appointment>> {
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
pub async fn taken(db: &Db, mall_id: &MallId, service_id: &str, day: &str) -> AppResult<Vec<(i64, i64)>> {
    sql::query("SELECT slot_start, booked FROM booking_counts WHERE mall_id = $1 AND service_id = $2 AND day = $3")
        .bind(mall_id)
        .bind(service_id)
        .bind(day)
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// One row of counted places. The derived order is the order rows are
/// locked in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Counted {
    Citizen {
        service_id: String,
        day: String,
        user_id: String,
    },
    /// A slot's places; slot 0 holds the day's.
    Slot {
        service_id: String,
        day: String,
        slot_start: i64,
    },
}

impl Counted {
    /// The row of `place` for a booking of `user_id` in a slot.
    fn of(place: Place, service_id: &str, day: &str, user_id: &str, slot_start: i64) -> Counted {
        let (service_id, day) = (service_id.to_string(), day.to_string());
        match place {
            Place::Citizen => Counted::Citizen { service_id, day, user_id: user_id.to_string() },
            Place::Day => Counted::Slot { service_id, day, slot_start: 0 },
            Place::Slot => Counted::Slot { service_id, day, slot_start },
        }
    }

    fn of_appointment(place: Place, a: &Appointment) -> Counted {
        Counted::of(place, &a.service_id, &a.day, &a.user_id, a.slot_start)
    }

    /// The row's table, the key column besides (mall, service, day), and the row's key.
    fn parts(&self) -> (&'static str, &'static str, &str, &str, sql::Value) {
        match self {
            Counted::Citizen { service_id, day, user_id } => {
                ("booking_citizen_counts", "user_id", service_id, day, sql::Value::from(user_id.clone()))
            }
            Counted::Slot { service_id, day, slot_start } => {
                ("booking_counts", "slot_start", service_id, day, sql::Value::from(*slot_start))
            }
        }
    }

    /// Whether a row returned by [`lock_all`] (service_id, day, the key
    /// column) is this one's.
    fn is(&self, r: &Row) -> AppResult<bool> {
        let (_, column, service_id, day, _) = self.parts();
        let same = r.text("service_id")? == service_id && r.text("day")? == day;
        Ok(same
            && match self {
                Counted::Citizen { user_id, .. } => r.text(column)? == *user_id,
                Counted::Slot { slot_start, .. } => r.int(column)? == *slot_start,
            })
    }
}

/// The rows of one table among `rows` (kept in their order), with the
/// table's name and key column.
fn by_table(rows: &[Counted]) -> Vec<(&'static str, &'static str, Vec<&Counted>)> {
    let mut out: Vec<(&'static str, &'static str, Vec<&Counted>)> = Vec::new();
    for row in rows {
        let (table, column, ..) = row.parts();
        match out.iter_mut().find(|(t, _, _)| *t == table) {
            Some((_, _, group)) => group.push(row),
            None => out.push((table, column, vec![row])),
        }
    }
    out
}

/// Locks `rows` in their order (each once; creating a missing one at 0)
/// until the transaction ends, and reads their counts: one statement per
/// table, so a booking holds its locks for as few round trips as it can.
async fn lock_all(conn: &mut Conn<'_>, mall_id: &MallId, mut rows: Vec<Counted>) -> AppResult<Vec<(Counted, i64)>> {
    rows.sort();
    rows.dedup();
    let mut out = Vec::with_capacity(rows.len());
    for (table, column, group) in by_table(&rows) {
        let values: Vec<String> =
            (0..group.len()).map(|i| format!("($1, ${}, ${}, ${}, 0)", 2 + 3 * i, 3 + 3 * i, 4 + 3 * i)).collect();
        let mut q = sql::query(format!(
            "INSERT INTO {table} (mall_id, service_id, day, {column}, booked) VALUES {}
             ON CONFLICT (mall_id, service_id, day, {column}) DO UPDATE SET booked = {table}.booked
             RETURNING service_id, day, {column}, booked",
            values.join(", ")
        ))
        .bind(mall_id);
        for row in &group {
            let (_, _, service_id, day, key) = row.parts();
            q = q.bind(service_id).bind(day).bind(key);
        }
        let locked: Vec<Row> = q.fetch_all(conn).await?;
        for row in group {
            let mut count = None;
            for r in &locked {
                if row.is(r)? {
                    count = Some(r.int("booked")?);
                }
            }
            let count = count.ok_or_else(|| AppError::Internal(anyhow::anyhow!("a count row was not locked")))?;
            out.push((row.clone(), count));
        }
    }
    Ok(out)
}

/// Sets the rows' counts, one statement per table; when a row is given
/// twice, the later count is the one kept.
async fn set_all(conn: &mut Conn<'_>, mall_id: &MallId, counts: Vec<(Counted, i64)>) -> AppResult<()> {
    let mut last: Vec<(Counted, i64)> = Vec::new();
    for (row, n) in counts {
        last.retain(|(r, _)| *r != row);
        last.push((row, n));
    }
    let rows: Vec<Counted> = last.iter().map(|(r, _)| r.clone()).collect();
    for (table, column, group) in by_table(&rows) {
        let values: Vec<String> = (0..group.len())
            .map(|i| format!("(${}, ${}, ${}, ${})", 2 + 4 * i, 3 + 4 * i, 4 + 4 * i, 5 + 4 * i))
            .collect();
        let mut q = sql::query(format!(
            "UPDATE {table} SET booked = v.column4 FROM (VALUES {}) AS v
             WHERE {table}.mall_id = $1 AND {table}.service_id = v.column1 AND {table}.day = v.column2
             AND {table}.{column} = v.column3",
            values.join(", ")
        ))
        .bind(mall_id);
        for row in group {
            let (_, _, service_id, day, key) = row.parts();
            let n = last.iter().find(|(r, _)| r == row).map_or(0, |(_, n)| *n);
            q = q.bind(service_id).bind(day).bind(key).bind(n);
        }
        q.execute(conn).await?;
    }
    Ok(())
}

fn count_of(locked: &[(Counted, i64)], row: &Counted) -> i64 {
    locked.iter().find(|(r, _)| r == row).map_or(0, |(_, n)| *n)
}

/// The counts of a booking's three rows, once locked.
fn counts(locked: &[(Counted, i64)], rows: &[Counted; 3]) -> Counts {
    Counts { citizen: count_of(locked, &rows[0]), day: count_of(locked, &rows[1]), slot: count_of(locked, &rows[2]) }
}

/// A slot to book, with the capacities in force.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub mall_id: MallId,
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
    confirm: Confirm,
    now: i64,
) -> AppResult<Appointment> {
    let (w, replacing, claim) = (w.clone(), replacing.cloned(), claim.cloned());
    db.transact(move |conn| Box::pin(book_in(conn, w, replacing, claim, confirm, now))).await
}

/// The confirmation of a booking, made from the booking as stored and
/// written in its transaction (a message and its rows per channel, see
/// `notify::rows`): a booking is never kept without it, nor it without
/// the booking.
pub type Confirm =
    Box<dyn FnOnce(&Appointment) -> (crate::notify::Message, Vec<(&'static str, String)>) + Send + 'static>;

async fn book_in(
    conn: &mut Conn<'_>,
    w: Wanted,
    replacing: Option<Appointment>,
    claim: Option<crate::idempotency::Claim>,
    confirm: Confirm,
    now: i64,
) -> AppResult<Appointment> {
    let wanted = Place::ALL.map(|p| Counted::of(p, &w.service_id, &w.day, &w.user_id, w.slot_start));
    let old = replacing.as_ref().map(|a| Place::ALL.map(|p| Counted::of_appointment(p, a)));
    let rows = wanted.iter().chain(old.iter().flatten()).cloned().collect();
    let locked = lock_all(conn, &w.mall_id, rows).await?;
    let facts = Facts {
        wanted: counts(&locked, &wanted),
        limits: Limits { per_citizen: w.per_citizen, day_quota: w.day_quota, slot_capacity: w.slot_capacity },
        replacing: replacing
            .as_ref()
            .map(|a| Overlap::between((&a.service_id, &a.day, a.slot_start), (&w.service_id, &w.day, w.slot_start))),
    };
    let take = capacity::decide(&facts).map_err(|refused| AppError::Conflict(refused.key()))?;
    let mut counts = Vec::new();
    if let Some(old) = &replacing {
        for place in take.give_back {
            let row = Counted::of_appointment(*place, old);
            let n = (count_of(&locked, &row) - 1).max(0);
            counts.push((row, n));
        }
    }
    for (place, row) in Place::ALL.iter().zip(&wanted) {
        counts.push((row.clone(), take.wanted.get(*place)));
    }
    set_all(conn, &w.mall_id, counts).await?;
    let a: Appointment = match &replacing {
        // Cancelled meanwhile: nothing to move.
        Some(old) => sql::query(format!(
            "UPDATE appointments SET service_id = $3, day = $4, slot_start = $5, slot_end = $6, updated_at = $7
             WHERE mall_id = $1 AND id = $2 AND status = 'booked' RETURNING {COLUMNS}"
        ))
        .bind(&w.mall_id)
        .bind(&old.id)
        .bind(&w.service_id)
        .bind(&w.day)
        .bind(w.slot_start)
        .bind(w.slot_end)
        .bind(now)
        .fetch_optional(conn)
        .await?
        .ok_or(AppError::Conflict("booking.not_open"))?,
        None => insert(conn, &w, now).await?,
    };
    if let Some(claim) = &claim {
        crate::idempotency::complete(conn, claim, &a.id).await?;
    }
    let (message, rows) = confirm(&a);
    crate::notify::enqueue_in(conn, &message, &rows, now).await?;
    Ok(a)
}

/// Inserts with a fresh random code (retrying the rare clash).
async fn insert(conn: &mut Conn<'_>, w: &Wanted, now: i64) -> AppResult<Appointment> {
    for _ in 0..5 {
        let mut random = [0u8; 5];
        getrandom::fill(&mut random).map_err(|e| AppError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
        let code = mpp_domain::booking::booking_code(random);
        let id = new_id(now);
        // A taken code inserts nothing (a failed statement would abort the
        // whole transaction on PostgreSQL).
        let inserted = sql::query(format!(
            "INSERT INTO appointments (mall_id, id, code, service_id, user_id, day, slot_start, slot_end, status,
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9, $9)
             ON CONFLICT DO NOTHING RETURNING {COLUMNS}"
        ))
        .bind(&w.mall_id)
        .bind(&id)
        .bind(&code)
        .bind(&w.service_id)
        .bind(&w.user_id)
        .bind(&w.day)
        .bind(w.slot_start)
        .bind(w.slot_end)
        .bind(now)
        .fetch_optional(conn)
        .await?;
        if let Some(a) = inserted {
            return Ok(a);
        }
    }
    Err(AppError::Internal(anyhow::anyhow!("could not find a free booking code")))
}

pub async fn cancel(db: &Db, mall_id: &MallId, a: &Appointment, now: i64) -> AppResult<()> {
    let (mall_id, a) = (mall_id.to_owned(), a.clone());
    db.transact(move |conn| Box::pin(cancel_in(conn, mall_id, a, now))).await
}

async fn cancel_in(conn: &mut Conn<'_>, mall_id: MallId, a: Appointment, now: i64) -> AppResult<()> {
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
    let rows = Place::ALL.map(|p| Counted::of_appointment(p, &a));
    let locked = lock_all(conn, &mall_id, rows.to_vec()).await?;
    let after = capacity::cancel(counts(&locked, &rows));
    let counts = Place::ALL.iter().zip(&rows).map(|(place, row)| (row.clone(), after.get(*place))).collect();
    set_all(conn, &mall_id, counts).await?;
    Ok(())
}

/// Records the check-in: the booking now has a ticket (as `checked_in`, or
/// `late` when it became a walk-in).
pub async fn checked_in(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
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
    .bind(if late { AppointmentStatus::Late } else { AppointmentStatus::CheckedIn }.as_str())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// The codes and daily quotas of the services one can book: active, with
/// a quota, and offered at an open counter.
pub async fn bookable(db: &Db, mall_id: &MallId) -> AppResult<Vec<(String, i64)>> {
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

/// The account whose appointment became this ticket, if one did.
pub async fn holder_of_ticket(db: &Db, mall_id: &MallId, ticket_id: &str) -> AppResult<Option<String>> {
    let row: Option<(String,)> = sql::query("SELECT user_id FROM appointments WHERE mall_id = $1 AND ticket_id = $2")
        .bind(mall_id)
        .bind(ticket_id)
        .fetch_optional(&mut Conn::Read(db))
        .await?;
    Ok(row.map(|(id,)| id))
}
