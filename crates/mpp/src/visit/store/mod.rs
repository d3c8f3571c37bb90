//! The SQL of the visit: issuing tickets, calling them, and every officer
//! action, through `Db::transact` (grouped commits on SQLite; a counter's
//! requests in batches per mall, `desk.rs`). Concurrency rule: a ticket changes state only through an UPDATE
//! that names the state it expects, so two officers racing for the same
//! ticket cannot both win; the loser picks again.

mod desk;
mod issuing;

pub use desk::{DeskWork, act, call_next};
pub use issuing::{NewTicket, PlainTicket, issue};

use crate::db::Db;
use crate::db::sql::{self, Conn, from_row};
use crate::error::{AppError, AppResult};
use mpp_domain::format::parse_clock;
use mpp_domain::tenancy::MallId;
use mpp_domain::visit::{Break, CounterStatus, IssuedBy, Policy, Priority, TicketId, TicketStatus, Waiting};
use std::collections::HashMap;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Ticket {
    #[serde(skip)]
    pub mall_id: MallId,
    #[schema(value_type = String)]
    pub id: TicketId,
    pub day: String,
    pub label: String,
    pub prefix: String,
    pub seq: i64,
    pub service_id: String,
    #[schema(value_type = String)]
    pub issued_by: IssuedBy,
    #[schema(value_type = String)]
    pub priority: Priority,
    pub quick: bool,
    #[serde(skip)]
    pub phone: String,
    #[schema(value_type = String)]
    pub status: TicketStatus,
    pub issued_at: i64,
    pub queued_at: i64,
    pub window_from: Option<i64>,
    pub window_to: Option<i64>,
    pub target_counter_id: Option<String>,
    pub counter_id: Option<String>,
    #[serde(skip)]
    pub officer_id: Option<String>,
    pub called_at: Option<i64>,
    pub started_at: Option<i64>,
    pub recalls: i64,
    pub skips: i64,
    #[serde(skip)]
    pub near_sent: bool,
    /// Services still to visit after this one, in order.
    pub journey: String,
}

const COLUMNS: &str =
    "mall_id, id, day, label, prefix, seq, service_id, issued_by, priority, quick, phone, status, issued_at,
    queued_at, window_from, window_to, target_counter_id, counter_id, officer_id, called_at, started_at, recalls,
    skips, near_sent, journey";

from_row!(Ticket {
    mall_id,
    id,
    day,
    label,
    prefix,
    seq,
    service_id,
    issued_by,
    priority,
    quick,
    phone,
    status,
    issued_at,
    queued_at,
    window_from,
    window_to,
    target_counter_id,
    counter_id,
    officer_id,
    called_at,
    started_at,
    recalls,
    skips,
    near_sent,
    journey,
});

impl Ticket {
    pub fn status(&self) -> TicketStatus {
        self.status
    }

    pub fn journey_ids(&self) -> Vec<&str> {
        self.journey.split_whitespace().collect()
    }

    fn waiting(&self) -> Waiting {
        Waiting {
            queued_at: self.queued_at,
            seq: self.seq,
            priority: self.priority != Priority::None,
            quick: self.quick,
            window: self.window_from.zip(self.window_to),
        }
    }
}

/// The mall's queue settings; defaults until a manager changes them.
#[derive(Debug, Clone)]
pub struct Settings {
    pub priority_run: i64,
    pub quick_run: i64,
    /// Skips ("not here") before a ticket is closed as a no-show.
    pub recall_limit: i64,
    pub board_text_id: String,
    pub board_text_en: String,
    pub daily_break_from: String,
    pub daily_break_to: String,
    pub friday_break_from: String,
    pub friday_break_to: String,
    /// Tickets a browser that is not an enrolled kiosk may take per client
    /// address per hour (0: none).
    pub anonymous_kiosk_per_hour: i64,
    /// Bookings one citizen may hold per service and day.
    pub bookings_per_citizen: i64,
}

from_row!(Settings {
    priority_run,
    quick_run,
    recall_limit,
    board_text_id,
    board_text_en,
    daily_break_from,
    daily_break_to,
    friday_break_from,
    friday_break_to,
    anonymous_kiosk_per_hour,
    bookings_per_citizen
});

impl Default for Settings {
    fn default() -> Self {
        let p = Policy::default();
        Settings {
            priority_run: i64::from(p.priority_run),
            quick_run: i64::from(p.quick_run),
            recall_limit: 2,
            board_text_id: String::new(),
            board_text_en: String::new(),
            // Most malls stop for ishoma and for Friday prayers.
            daily_break_from: "12:00".into(),
            daily_break_to: "13:00".into(),
            friday_break_from: "11:30".into(),
            friday_break_to: "13:30".into(),
            // Only the mall's own kiosks, until the manager decides otherwise.
            anonymous_kiosk_per_hour: 0,
            // One visit per service and day: a citizen cannot hold a morning's slots.
            bookings_per_citizen: 1,
        }
    }
}

impl Settings {
    /// The scheduled breaks; a half-filled or reversed one is ignored.
    pub fn breaks(&self) -> Vec<Break> {
        let span = |from: &str, to: &str, weekday| {
            let (from, to) = (parse_clock(from)?, parse_clock(to)?);
            (from < to).then_some(Break { weekday, from, to })
        };
        [
            span(&self.daily_break_from, &self.daily_break_to, None),
            span(&self.friday_break_from, &self.friday_break_to, Some(5)),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    pub fn policy(&self) -> Policy {
        Policy {
            priority_run: u32::try_from(self.priority_run).unwrap_or(0),
            quick_run: u32::try_from(self.quick_run).unwrap_or(0),
        }
    }
}

pub async fn settings(db: &Db, mall_id: &MallId) -> AppResult<Settings> {
    db.cache.get_or(format!("queue-settings:{mall_id}"), || load_settings(db, mall_id)).await
}

async fn load_settings(db: &Db, mall_id: &MallId) -> AppResult<Settings> {
    let row: Option<Settings> = sql::query(
        "SELECT priority_run, quick_run, recall_limit, board_text_id, board_text_en, daily_break_from, daily_break_to,
         friday_break_from, friday_break_to, anonymous_kiosk_per_hour, bookings_per_citizen
         FROM queue_settings WHERE mall_id = $1",
    )
    .bind(mall_id)
    .fetch_optional(&mut Conn::Read(db))
    .await?;
    Ok(row.unwrap_or_default())
}

async fn by_id(conn: &mut Conn<'_>, mall_id: &MallId, id: &TicketId) -> AppResult<Option<Ticket>> {
    sql::query(format!("SELECT {COLUMNS} FROM tickets WHERE mall_id = $1 AND id = $2"))
        .bind(mall_id)
        .bind(id)
        .fetch_optional(conn)
        .await
}

pub async fn ticket(db: &Db, mall_id: &MallId, id: &TicketId) -> AppResult<Option<Ticket>> {
    by_id(&mut Conn::Read(db), mall_id, id).await
}

/// Tickets waiting today for a service, in queue order.
pub async fn waiting_for_services(
    db: &Db,
    mall_id: &MallId,
    day: &str,
    service_ids: &[String],
) -> AppResult<Vec<Ticket>> {
    if service_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = placeholders(3, service_ids.len());
    let sql = format!(
        "SELECT {COLUMNS} FROM tickets WHERE mall_id = $1 AND day = $2 AND status = 'waiting' AND service_id IN ({marks})
         ORDER BY queued_at, seq"
    );
    let mut q = sql::query(&sql).bind(mall_id).bind(day);
    for s in service_ids {
        q = q.bind(s);
    }
    q.fetch_all(&mut Conn::Read(db)).await
}

/// `$from, $from+1, …` for an IN list.
fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// `n` rows of `width` placeholders each, numbered from `from`, for a
/// multi-row VALUES list.
fn rows(from: usize, width: usize, n: usize) -> String {
    (0..n).map(|r| format!("({})", placeholders(from + r * width, width))).collect::<Vec<_>>().join(", ")
}

/// Tickets by id, in no particular order (none for no ids).
async fn by_ids<'i>(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    ids: impl Iterator<Item = &'i str>,
) -> AppResult<Vec<Ticket>> {
    let ids: Vec<&str> = ids.collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let statement =
        format!("SELECT {COLUMNS} FROM tickets WHERE mall_id = $1 AND id IN ({})", placeholders(2, ids.len()));
    sql::query(statement).bind(mall_id).bind_all(ids).fetch_all(conn).await
}

/// How many wait ahead of this ticket at its service (same day), from
/// the lines kept in memory (`line.rs`).
pub async fn ahead_of(db: &Db, t: &Ticket, now: i64) -> AppResult<i64> {
    db.lines.ahead_of(db, t, now).await
}

/// How many wait today for a service (`line.rs`).
pub async fn waiting_count(db: &Db, mall_id: &MallId, day: &str, service_id: &str, now: i64) -> AppResult<i64> {
    db.lines.waiting(db, mall_id, day, service_id, now).await
}

/// (service id, people waiting, earliest queued_at) for today (`line.rs`).
pub async fn waiting_summary(db: &Db, mall_id: &MallId, day: &str, now: i64) -> AppResult<Vec<(String, i64, i64)>> {
    db.lines.summary(db, mall_id, day, now).await
}

/// Every waiting ticket of a mall's day, as the lines in memory keep them:
/// (service, queued_at, seq, id).
/// Who waits today (service, queued_at, seq, id, and whether they are
/// to be told when their turn is near), for the lines in memory.
pub(super) async fn waiting_keys(
    db: &Db,
    mall_id: &MallId,
    day: &str,
) -> AppResult<Vec<(String, i64, i64, TicketId, bool)>> {
    sql::query(
        "SELECT service_id, queued_at, seq, id, CASE WHEN phone <> '' AND near_sent = 0 THEN 1 ELSE 0 END
         FROM tickets WHERE mall_id = $1 AND day = $2 AND status = 'waiting'",
    )
    .bind(mall_id)
    .bind(day)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Seconds a visit at this service takes lately (kept in memory, see
/// `handling.rs`), or `fallback` before there is any history.
pub async fn handling_secs(db: &Db, mall_id: &MallId, service_id: &str, fallback: i64, now: i64) -> AppResult<i64> {
    db.handling.secs(db, mall_id, service_id, fallback, now).await
}

/// Seconds of the service's last `n` served stretches, newest first.
pub(super) async fn served_stretches(db: &Db, mall_id: &MallId, service_id: &str, n: usize) -> AppResult<Vec<i64>> {
    let recent: Vec<i64> = sql::query(
        "SELECT ended_at - started_at FROM ticket_steps
         WHERE mall_id = $1 AND service_id = $2 AND result = 'served' AND started_at IS NOT NULL
         ORDER BY ended_at DESC LIMIT $3",
    )
    .bind(mall_id)
    .bind(service_id)
    .bind(i64::try_from(n).unwrap_or(i64::MAX))
    .fetch_all(&mut Conn::Read(db))
    .await?;
    Ok(recent.iter().map(|ms| ms / 1000).collect())
}

/// Counters serving this service: (all active, open right now).
pub async fn counters_for(db: &Db, mall_id: &MallId, service_id: &str) -> AppResult<(i64, i64)> {
    db.cache.get_or(format!("counters-for:{mall_id}:{service_id}"), || load_counters_for(db, mall_id, service_id)).await
}

async fn load_counters_for(db: &Db, mall_id: &MallId, service_id: &str) -> AppResult<(i64, i64)> {
    let row: (i64, i64) = sql::query(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN s.status = 'open' THEN 1 ELSE 0 END), 0)
         FROM counter_services cs JOIN counters c ON c.mall_id = cs.mall_id AND c.id = cs.counter_id
         LEFT JOIN counter_states s ON s.mall_id = c.mall_id AND s.counter_id = c.id
         WHERE cs.mall_id = $1 AND cs.service_id = $2 AND c.active = 1",
    )
    .bind(mall_id)
    .bind(service_id)
    .fetch_one(&mut Conn::Read(db))
    .await?;
    Ok(row)
}

/// What the visit needs to know of a service, with its agency's name:
/// one small query instead of loading the whole catalogue.
#[derive(Debug, Clone)]
pub struct Brief {
    pub id: String,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub queue_prefix: String,
    pub active: bool,
    /// Online appointments a day (0: not bookable).
    pub booking_quota: i64,
    pub requirements_id: String,
    pub requirements_en: String,
    pub agency_id: String,
    pub agency_name_id: String,
    pub agency_name_en: String,
}

from_row!(Brief {
    id,
    code,
    name_id,
    name_en,
    queue_prefix,
    active,
    booking_quota,
    requirements_id,
    requirements_en,
    agency_id,
    agency_name_id,
    agency_name_en
});

const BRIEF: &str =
    "SELECT s.id, s.code, s.name_id, s.name_en, s.queue_prefix, s.active, s.booking_quota, s.requirements_id,
    s.requirements_en, s.agency_id, a.name_id AS agency_name_id, a.name_en AS agency_name_en
    FROM services s JOIN agencies a ON a.mall_id = s.mall_id AND a.id = s.agency_id WHERE s.mall_id = $1";

pub async fn brief_by_id(db: &Db, mall_id: &MallId, id: &str) -> AppResult<Option<Brief>> {
    db.cache
        .get_or(format!("brief:{mall_id}:{id}"), || async {
            sql::query(format!("{BRIEF} AND s.id = $2"))
                .bind(mall_id)
                .bind(id)
                .fetch_optional(&mut Conn::Read(db))
                .await
        })
        .await
}

pub async fn brief_by_code(db: &Db, mall_id: &MallId, code: &str) -> AppResult<Option<Brief>> {
    let code = code.trim().to_ascii_uppercase();
    db.cache
        .get_or(format!("brief-code:{mall_id}:{code}"), || async {
            sql::query(format!("{BRIEF} AND s.code = $2"))
                .bind(mall_id)
                .bind(&code)
                .fetch_optional(&mut Conn::Read(db))
                .await
        })
        .await
}

/// An active counter by its number, with the services it serves.
pub async fn desk_by_number(db: &Db, mall_id: &MallId, number: i64) -> AppResult<Option<(String, Desk)>> {
    db.cache.get_or(format!("desk:{mall_id}:{number}"), || load_desk(db, mall_id, number)).await
}

async fn load_desk(db: &Db, mall_id: &MallId, number: i64) -> AppResult<Option<(String, Desk)>> {
    let counter: Option<(String, String, String)> =
        sql::query("SELECT id, agency_id, zone FROM counters WHERE mall_id = $1 AND number = $2 AND active = 1")
            .bind(mall_id)
            .bind(number)
            .fetch_optional(&mut Conn::Read(db))
            .await?;
    let Some((id, agency_id, zone)) = counter else { return Ok(None) };
    let services: Vec<(String,)> =
        sql::query("SELECT service_id FROM counter_services WHERE mall_id = $1 AND counter_id = $2")
            .bind(mall_id)
            .bind(&id)
            .fetch_all(&mut Conn::Read(db))
            .await?;
    let service_ids = services.into_iter().map(|(s,)| s).collect();
    Ok(Some((agency_id, Desk { id, number, zone, service_ids })))
}

/// A counter's number, as a ticket called to it shows (configuration:
/// cached, see `cache.rs`).
pub async fn counter_number(db: &Db, mall_id: &MallId, counter_id: &str) -> AppResult<Option<i64>> {
    db.cache
        .get_or(format!("counter-number:{mall_id}:{counter_id}"), || async {
            sql::query("SELECT number FROM counters WHERE mall_id = $1 AND id = $2")
                .bind(mall_id)
                .bind(counter_id)
                .fetch_optional(&mut Conn::Read(db))
                .await
        })
        .await
}

/// Among the first `n` people waiting today for a service, those to tell
/// that their turn is near (a phone number left, not told yet), with how
/// many wait ahead of each. Who they are comes from the lines in memory,
/// their tickets by key, and only when there is someone to tell (after
/// most calls nobody is, and nothing is read).
pub async fn to_tell_near(
    db: &Db,
    mall_id: &MallId,
    day: &str,
    service_id: &str,
    n: usize,
    now: i64,
) -> AppResult<Vec<(usize, Ticket)>> {
    let ahead: HashMap<TicketId, usize> = db
        .lines
        .today(db, mall_id, day, now)
        .await?
        .to_tell(service_id, n)
        .into_iter()
        .map(|(i, id)| (id, i))
        .collect();
    let tickets = by_ids(&mut Conn::Read(db), mall_id, ahead.keys().map(TicketId::as_str)).await?;
    let mut out: Vec<(usize, Ticket)> = tickets
        .into_iter()
        .filter(|t| {
            t.status == TicketStatus::Waiting && t.service_id == service_id && !t.phone.is_empty() && !t.near_sent
        })
        .filter_map(|t| Some((*ahead.get(&t.id)?, t)))
        .collect();
    out.sort_by_key(|(i, _)| *i);
    Ok(out)
}

// ---- counters -------------------------------------------------------------

/// A counter's state now: open, paused or closed, and who works it.
#[derive(Debug, Clone)]
pub struct CounterState {
    pub status: CounterStatus,
    pub officer_id: Option<String>,
    pub since: i64,
}

from_row!(CounterState { status, officer_id, since });

pub async fn counter_state(db: &Db, mall_id: &MallId, counter_id: &str) -> AppResult<Option<CounterState>> {
    sql::query("SELECT status, officer_id, since FROM counter_states WHERE mall_id = $1 AND counter_id = $2")
        .bind(mall_id)
        .bind(counter_id)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// Opens, pauses or closes a counter (and drops any pending close request).
pub async fn set_counter_state(
    db: &Db,
    mall_id: &MallId,
    counter_id: &str,
    status: CounterStatus,
    officer_id: &str,
    now: i64,
) -> AppResult<()> {
    db.run(
        sql::query(
            "INSERT INTO counter_states (mall_id, counter_id, status, officer_id, since) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (mall_id, counter_id) DO UPDATE SET status = $3, officer_id = $4, since = $5,
         close_requested_by = NULL, close_requested_at = NULL",
        )
        .bind(mall_id)
        .bind(counter_id)
        .bind(status.as_str())
        .bind(officer_id)
        .bind(now),
    )
    .await?;
    // Counters open for a service are cached.
    db.cache.clear();
    Ok(())
}

/// An officer asks to close a counter while visitors wait.
pub async fn request_close(db: &Db, mall_id: &MallId, counter_id: &str, officer_id: &str, now: i64) -> AppResult<()> {
    db.run(sql::query(
        "INSERT INTO counter_states (mall_id, counter_id, status, officer_id, since, close_requested_by, close_requested_at)
         VALUES ($1, $2, 'open', $3, $4, $3, $4)
         ON CONFLICT (mall_id, counter_id) DO UPDATE SET close_requested_by = $3, close_requested_at = $4",
    )
    .bind(mall_id)
    .bind(counter_id)
    .bind(officer_id)
    .bind(now)
    )
    .await?;
    Ok(())
}

/// The manager's decision on a close request: closes the counter or keeps it open.
pub async fn decide_close(db: &Db, mall_id: &MallId, counter_id: &str, approve: bool, now: i64) -> AppResult<bool> {
    let sql = if approve {
        "UPDATE counter_states SET status = 'closed', since = $3, close_requested_by = NULL, close_requested_at = NULL
         WHERE mall_id = $1 AND counter_id = $2 AND close_requested_by IS NOT NULL"
    } else {
        "UPDATE counter_states SET close_requested_by = NULL, close_requested_at = NULL
         WHERE mall_id = $1 AND counter_id = $2 AND close_requested_by IS NOT NULL AND $3 = $3"
    };
    let n = db.run(sql::query(sql).bind(mall_id).bind(counter_id).bind(now)).await?;
    db.cache.clear();
    Ok(n == 1)
}

/// The ticket a counter has called or is serving, if any.
pub async fn current_at(db: &Db, mall_id: &MallId, counter_id: &str) -> AppResult<Option<Ticket>> {
    sql::query(format!(
        "SELECT {COLUMNS} FROM tickets WHERE mall_id = $1 AND counter_id = $2 AND status IN ('called', 'serving')"
    ))
    .bind(mall_id)
    .bind(counter_id)
    .fetch_optional(&mut Conn::Read(db))
    .await
}

/// Tickets a counter holds while the visitor fetches a missing document.
pub async fn held_at(db: &Db, mall_id: &MallId, counter_id: &str) -> AppResult<Vec<Ticket>> {
    sql::query(format!(
        "SELECT {COLUMNS} FROM tickets WHERE mall_id = $1 AND counter_id = $2 AND status = 'held' ORDER BY called_at"
    ))
    .bind(mall_id)
    .bind(counter_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

// ---- calling and serving (the counters' requests: `desk.rs`) --------------

/// A counter as the calling code needs it.
#[derive(Debug, Clone)]
pub struct Desk {
    pub id: String,
    pub number: i64,
    pub zone: String,
    pub service_ids: Vec<String>,
}

/// Voids a ticket that never reached its visitor (the printer jammed):
/// it is never called and never counted as a no-show.
pub async fn void(db: &Db, mall_id: &MallId, ticket_id: &TicketId, now: i64) -> AppResult<()> {
    let statement = sql::query(format!(
        "UPDATE tickets SET status = 'void', updated_at = $3 WHERE mall_id = $1 AND id = $2 AND status = 'waiting'
         AND called_at IS NULL RETURNING {COLUMNS}"
    ))
    .bind(mall_id)
    .bind(ticket_id)
    .bind(now);
    let voided: Option<Ticket> = db.transact(move |conn| Box::pin(statement.fetch_optional(conn))).await?;
    let voided = voided.ok_or(AppError::Conflict("visit.not_now"))?;
    db.lines.left(&voided);
    Ok(())
}

// ---- the board ---------------------------------------------------------------

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Call {
    pub id: String,
    pub ticket_id: String,
    pub label: String,
    pub prefix: String,
    pub seq: i64,
    pub counter_number: i64,
    pub zone: String,
    pub recall: bool,
    pub at: i64,
}

from_row!(Call { id, ticket_id, label, prefix, seq, counter_number, zone, recall, at });

/// The latest calls of a mall (optionally one zone), newest first.
pub async fn recent_calls(db: &Db, mall_id: &MallId, zone: Option<&str>, limit: i64) -> AppResult<Vec<Call>> {
    sql::query(
        "SELECT id, ticket_id, label, prefix, seq, counter_number, zone, recall, at FROM calls
         WHERE mall_id = $1 AND ($2 = '' OR zone = $2) ORDER BY at DESC, id DESC LIMIT $3",
    )
    .bind(mall_id)
    .bind(zone.unwrap_or(""))
    .bind(limit)
    .fetch_all(&mut Conn::Read(db))
    .await
}

pub async fn call(db: &Db, mall_id: &MallId, id: &str) -> AppResult<Option<Call>> {
    sql::query(
        "SELECT id, ticket_id, label, prefix, seq, counter_number, zone, recall, at FROM calls
         WHERE mall_id = $1 AND id = $2",
    )
    .bind(mall_id)
    .bind(id)
    .fetch_optional(&mut Conn::Read(db))
    .await
}

/// Today's ticket with this printed number ("A-012").
pub async fn by_label(db: &Db, mall_id: &MallId, day: &str, label: &str) -> AppResult<Option<Ticket>> {
    sql::query(format!("SELECT {COLUMNS} FROM tickets WHERE mall_id = $1 AND day = $2 AND label = $3"))
        .bind(mall_id)
        .bind(day)
        .bind(label)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

// ---- figures ------------------------------------------------------------------

/// A counter's state with its officer's name and current ticket.
#[derive(Debug, Clone)]
pub struct CounterNow {
    pub counter_id: String,
    pub status: CounterStatus,
    pub since: i64,
    pub officer: String,
    pub current: String,
    /// Who asked to close it, if a request waits for the manager.
    pub close_requested_by: String,
}

from_row!(CounterNow { counter_id, status, since, officer, current, close_requested_by });

pub async fn counter_states(db: &Db, mall_id: &MallId) -> AppResult<Vec<CounterNow>> {
    sql::query(
        "SELECT s.counter_id, s.status, s.since, COALESCE(u.name, '') AS officer,
         COALESCE((SELECT t.label FROM tickets t WHERE t.mall_id = s.mall_id AND t.counter_id = s.counter_id
                   AND t.status IN ('called', 'serving') LIMIT 1), '') AS current,
         COALESCE((SELECT r.name FROM users r WHERE r.id = s.close_requested_by), '') AS close_requested_by
         FROM counter_states s LEFT JOIN users u ON u.id = s.officer_id WHERE s.mall_id = $1",
    )
    .bind(mall_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// A finished stretch, for the statistics.
#[derive(Debug, Clone)]
pub struct Step {
    pub service_id: String,
    pub counter_id: Option<String>,
    pub queued_at: i64,
    pub called_at: Option<i64>,
    pub started_at: Option<i64>,
    pub ended_at: i64,
    pub result: String,
}

from_row!(Step { service_id, counter_id, queued_at, called_at, started_at, ended_at, result });

pub async fn steps_of_day(db: &Db, mall_id: &MallId, day: &str) -> AppResult<Vec<Step>> {
    sql::query(
        "SELECT service_id, counter_id, queued_at, called_at, started_at, ended_at, result FROM ticket_steps
         WHERE mall_id = $1 AND day = $2",
    )
    .bind(mall_id)
    .bind(day)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Tickets of the day still open (or left open when it ended), per service.
pub async fn open_of_day(db: &Db, mall_id: &MallId, day: &str) -> AppResult<Vec<(String, i64)>> {
    sql::query(
        "SELECT service_id, COUNT(*) FROM tickets WHERE mall_id = $1 AND day = $2
         AND status IN ('waiting', 'called', 'serving', 'held', 'expired') GROUP BY service_id",
    )
    .bind(mall_id)
    .bind(day)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Marks the "turn is near" message as sent; false if it already was.
pub async fn mark_near_sent(db: &Db, mall_id: &MallId, id: &TicketId) -> AppResult<bool> {
    let n = db
        .run(
            sql::query("UPDATE tickets SET near_sent = 1 WHERE mall_id = $1 AND id = $2 AND near_sent = 0")
                .bind(mall_id)
                .bind(id),
        )
        .await?;
    Ok(n == 1)
}

/// Stores a mall's queue settings, with the change's audit entry when
/// someone made it.
pub async fn save_settings(
    db: &Db,
    mall_id: &MallId,
    v: &mpp_domain::visit::SettingsInput,
    audit: Option<crate::audit::Entry>,
    now: i64,
) -> AppResult<()> {
    let statement = sql::query(
        "INSERT INTO queue_settings (mall_id, priority_run, quick_run, recall_limit, board_text_id, board_text_en,
         daily_break_from, daily_break_to, friday_break_from, friday_break_to, updated_at, anonymous_kiosk_per_hour,
         bookings_per_citizen)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT (mall_id) DO UPDATE SET priority_run = $2, quick_run = $3, recall_limit = $4, board_text_id = $5,
         board_text_en = $6, daily_break_from = $7, daily_break_to = $8, friday_break_from = $9, friday_break_to = $10,
         updated_at = $11, anonymous_kiosk_per_hour = $12, bookings_per_citizen = $13",
    )
    .bind(mall_id)
    .bind(v.priority_run)
    .bind(v.quick_run)
    .bind(v.recall_limit)
    .bind(v.board_text_id.trim())
    .bind(v.board_text_en.trim())
    .bind(v.daily_break_from.trim())
    .bind(v.daily_break_to.trim())
    .bind(v.friday_break_from.trim())
    .bind(v.friday_break_to.trim())
    .bind(now)
    .bind(v.anonymous_kiosk_per_hour)
    .bind(v.bookings_per_citizen);
    crate::audit::run_with(db, statement, audit).await
}
