//! Issuing tickets: the next number of the prefix for the day
//! (`numbers.rs`), a ticket in the line, and with it the booking it checks
//! in or the API request key it completes.

use super::{COLUMNS, Ticket};
use crate::db::sql::{self, Conn};
use crate::db::{Db, new_id};
use crate::error::{AppError, AppResult};
use mpp_domain::tenancy::MallId;
use mpp_domain::visit::{self as rules, IssuedBy, Priority, TicketId};
use std::collections::HashMap;
use tokio::sync::oneshot;

/// What a new ticket needs; the number is assigned when it is stored.
pub struct NewTicket {
    pub mall_id: MallId,
    pub day: String,
    /// The first service, then the rest of the journey in order.
    pub service_id: String,
    pub prefix: String,
    pub journey: Vec<String>,
    pub issued_by: IssuedBy,
    pub priority: Priority,
    pub quick: bool,
    pub phone: String,
    pub window: Option<(i64, i64)>,
    /// The API request's idempotency key, recorded in the same transaction.
    pub claim: Option<crate::idempotency::Claim>,
    /// A booking checked in by this ticket (id, late), marked in the same
    /// transaction, so one booking never yields two tickets.
    pub appointment: Option<(String, bool)>,
}

/// Stores a ticket with the next number of its prefix for the day
/// (`numbers.rs`).
pub async fn issue(db: &Db, t: NewTicket, now: i64) -> AppResult<Ticket> {
    let t = if t.appointment.is_none() && t.claim.is_none() {
        match plain(db, t, now).await? {
            Ok(ticket) => return Ok(ticket),
            Err(t) => t,
        }
    } else {
        t
    };
    let numbers = std::sync::Arc::clone(&db.numbers);
    let ticket = db.transact(move |conn| Box::pin(issue_in(conn, numbers, t, now))).await?;
    db.lines.joined(&ticket);
    Ok(ticket)
}

/// A ticket for the line alone (no booking to check in, no request key to
/// complete) with a number this process gave it, waiting for its mall's
/// next batch (`db/batch.rs`).
pub struct PlainTicket {
    ticket: NewTicket,
    id: TicketId,
    seq: i64,
    now: i64,
    /// The ticket stored, or the request back for [`issue_in`].
    answer: oneshot::Sender<AppResult<Result<Ticket, NewTicket>>>,
}

/// Most tickets: stored together with those the other kiosks asked for
/// meanwhile, in one INSERT (on PostgreSQL without BEGIN and COMMIT).
/// The request comes back for [`issue_in`] when its number is the day's
/// first (which closes the earlier days), when this process does not know
/// the prefix's numbers yet, or when another server process gave out the
/// number first (`issue_in` then reads the highest stored).
async fn plain(db: &Db, t: NewTicket, now: i64) -> AppResult<Result<Ticket, NewTicket>> {
    let seq = match db.numbers.take(&t.mall_id, &t.day, &t.prefix) {
        Some(1) => {
            db.numbers.give_back(&t.mall_id, &t.day, &t.prefix, 1);
            return Ok(Err(t));
        }
        Some(seq) => seq,
        None => return Ok(Err(t)),
    };
    let (answer, answered) = oneshot::channel();
    let (db_, mall_id) = (db.clone(), t.mall_id.clone());
    let work = PlainTicket { id: TicketId::new(new_id(now)), seq, now, ticket: t, answer };
    db.plain_tickets
        .submit(&mall_id.clone(), work, move |batch| Box::pin(store_plain(db_.clone(), mall_id.clone(), batch)));
    answered.await.map_err(|_| AppError::Internal(anyhow::anyhow!("the ticket's batch was not answered")))?
}

async fn store_plain(db: Db, mall_id: MallId, batch: Vec<PlainTicket>) {
    let rows: Vec<(&NewTicket, &str, i64, i64)> =
        batch.iter().map(|w| (&w.ticket, w.id.as_str(), w.seq, w.now)).collect();
    let statement = insert_tickets(&mall_id, &rows);
    match db.run_returning_all::<Ticket>(statement).await {
        Ok(stored) => {
            let mut stored: HashMap<TicketId, Ticket> = stored.into_iter().map(|t| (t.id.clone(), t)).collect();
            for w in batch {
                let answer = match stored.remove(&w.id) {
                    Some(ticket) => {
                        db.lines.joined(&ticket);
                        Ok(ticket)
                    }
                    None => Err(w.ticket),
                };
                let _ = w.answer.send(Ok(answer));
            }
        }
        Err(e) => {
            // Handed back last first, so that each is the latest given out.
            let mut batch = batch;
            batch.sort_by_key(|w| std::cmp::Reverse(w.seq));
            for w in batch {
                db.numbers.give_back(&w.ticket.mall_id, &w.ticket.day, &w.ticket.prefix, w.seq);
                let _ = w.answer.send(Err(crate::db::batch::for_each(&e)));
            }
        }
    }
}

async fn issue_in(
    conn: &mut Conn<'_>,
    numbers: std::sync::Arc<crate::visit::numbers::Numbers>,
    t: NewTicket,
    now: i64,
) -> AppResult<Ticket> {
    let id = new_id(now);
    // The booking first: a refused check-in then takes no number.
    if let Some((appointment, late)) = &t.appointment
        && !crate::booking::store::checked_in(conn, &t.mall_id, appointment, &id, *late, now).await?
    {
        return Err(AppError::Conflict("booking.not_open"));
    }
    let (mall, day, prefix) = (&t.mall_id, t.day.as_str(), t.prefix.as_str());
    let mut seq = match numbers.take(mall, day, prefix) {
        Some(seq) => seq,
        None => numbers.take_after(mall, day, prefix, highest_number(conn, &t).await?),
    };
    let mut attempts = 0;
    let ticket = loop {
        match insert_tickets(mall, &[(&t, &id, seq, now)]).fetch_optional(conn).await {
            Ok(Some(ticket)) => break ticket,
            // Another server process gave out this number first.
            Ok(None) if attempts < 20 => {
                attempts += 1;
                seq = numbers.take_after(mall, day, prefix, highest_number(conn, &t).await?);
            }
            Ok(None) => return Err(AppError::Conflict("visit.busy_try_again")),
            Err(e) => {
                numbers.give_back(mall, day, prefix, seq);
                return Err(e);
            }
        }
    };
    if seq == 1 {
        close_earlier_days(conn, mall, day, now).await?;
    }
    if let Some(claim) = &t.claim {
        crate::idempotency::complete(conn, claim, &id).await?;
    }
    Ok(ticket)
}

/// The highest number stored for the ticket's prefix and day (0: none yet).
async fn highest_number(conn: &mut Conn<'_>, t: &NewTicket) -> AppResult<i64> {
    sql::query("SELECT COALESCE(MAX(seq), 0) FROM tickets WHERE mall_id = $1 AND day = $2 AND prefix = $3")
        .bind(&t.mall_id)
        .bind(&t.day)
        .bind(&t.prefix)
        .fetch_one(conn)
        .await
}

/// Inserts tickets, each (ticket, id, number, now); returns those stored
/// (none for a number already taken).
fn insert_tickets(mall_id: &MallId, tickets: &[(&NewTicket, &str, i64, i64)]) -> sql::Query<'static> {
    // Each row: $1 the mall, then 14 values (`now` three times over).
    let rows: Vec<String> = (0..tickets.len())
        .map(|r| {
            let n = |k: usize| format!("${}", 2 + r * 14 + k);
            format!(
                "($1, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, 'waiting', {}, {}, {}, {}, {}, {})",
                n(0),
                n(1),
                n(2),
                n(3),
                n(4),
                n(5),
                n(6),
                n(7),
                n(8),
                n(9),
                n(10),
                n(10),
                n(11),
                n(12),
                n(13),
                n(10)
            )
        })
        .collect();
    let mut q = sql::query(format!(
        "INSERT INTO tickets (mall_id, id, day, prefix, seq, label, service_id, issued_by, priority, quick, phone,
         status, issued_at, queued_at, window_from, window_to, journey, updated_at)
         VALUES {} ON CONFLICT (mall_id, day, prefix, seq) DO NOTHING RETURNING {COLUMNS}",
        rows.join(", ")
    ))
    .bind(mall_id);
    for (t, id, seq, now) in tickets {
        q = q
            .bind(*id)
            .bind(&t.day)
            .bind(&t.prefix)
            .bind(*seq)
            .bind(rules::label(&t.prefix, *seq))
            .bind(&t.service_id)
            .bind(t.issued_by.as_str())
            .bind(t.priority.as_str())
            .bind(t.quick)
            .bind(&t.phone)
            .bind(*now)
            .bind(t.window.map(|w| w.0))
            .bind(t.window.map(|w| w.1))
            .bind(t.journey.join(" "));
    }
    q
}

/// The daily reset: whoever was still queued on an earlier day was not
/// served that day. Their tickets close as expired, not as no-shows.
async fn close_earlier_days(conn: &mut Conn<'_>, mall_id: &MallId, today: &str, now: i64) -> AppResult<()> {
    sql::query(
        "UPDATE tickets SET status = 'expired', counter_id = NULL, updated_at = $3
         WHERE mall_id = $1 AND day < $2 AND status IN ('waiting', 'called', 'serving', 'held')",
    )
    .bind(mall_id)
    .bind(today)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
