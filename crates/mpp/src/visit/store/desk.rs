//! A counter's requests — call the next visitor, or act on the ticket at
//! the counter (`mpp_domain::visit::lifecycle`) — run in batches per mall
//! (`db/batch.rs`): those that arrive while a batch runs are read, decided
//! and saved together, in one transaction of a few set-based statements.
//! The same rule holds as for every ticket write: an UPDATE names the
//! status it expects, so a ticket that another server process changed
//! meanwhile is missed (the call picks again), never overwritten.
//!
//! Within a process one batch per mall runs at a time, and a batch marks
//! what it called in the lines in memory (`line.rs`) before the next one
//! reads them, so two counters of one process never reach for the same
//! ticket; a counter of another process can, and then one of the two
//! UPDATEs misses.

use super::{COLUMNS, Desk, Ticket, placeholders, rows};
use crate::db::sql::{self, Conn};
use crate::db::{Db, WriteLane, new_id};
use crate::error::{AppError, AppResult};
use mpp_domain::tenancy::MallId;
use mpp_domain::visit::lifecycle::{self, Change, Command, Facts};
use mpp_domain::visit::{self as rules, Lane, Outcome, Policy, Priority, TicketId, TicketStatus, Waiting};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use tokio::sync::oneshot;

/// How many of each line's first tickets a call reads by id, beyond one
/// per call in the batch (the regular head is among them unless that many
/// special or transferred visitors lead the line).
const HEADS: usize = 8;

/// A counter's request in a batch, with where its answer goes.
pub struct DeskWork {
    desk: Desk,
    now: i64,
    ask: Ask,
}

enum Ask {
    Call { day: String, officer_id: String, policy: Policy, answer: oneshot::Sender<AppResult<Called>> },
    Act { ticket_id: TicketId, command: Command, answer: oneshot::Sender<AppResult<Ticket>> },
}

/// What a call came to.
enum Called {
    Ticket(Box<Ticket>),
    Nobody,
    /// Another server process called the pick first: ask again.
    Lost,
}

/// Calls the next visitor to a counter, or `None` when nobody waits.
/// Refused when the counter is not open or still has someone called.
pub async fn call_next(
    db: &Db,
    mall_id: &MallId,
    day: &str,
    desk: &Desk,
    officer_id: &str,
    policy: Policy,
    now: i64,
) -> AppResult<Option<Ticket>> {
    if desk.service_ids.is_empty() {
        return Ok(None);
    }
    for _ in 0..50 {
        let (answer, answered) = oneshot::channel();
        let ask = Ask::Call { day: day.to_owned(), officer_id: officer_id.to_owned(), policy, answer };
        submit(db, mall_id, DeskWork { desk: desk.clone(), now, ask });
        match answered.await.map_err(|_| unanswered())?? {
            Called::Ticket(t) => return Ok(Some(*t)),
            Called::Nobody => return Ok(None),
            Called::Lost => continue,
        }
    }
    Err(AppError::Conflict("visit.busy_try_again"))
}

/// Applies an officer's action to a ticket at their counter; the ticket
/// as it became.
pub async fn act(
    db: &Db,
    mall_id: &MallId,
    desk: &Desk,
    ticket_id: &TicketId,
    command: Command,
    now: i64,
) -> AppResult<Ticket> {
    let (answer, answered) = oneshot::channel();
    let ask = Ask::Act { ticket_id: ticket_id.to_owned(), command, answer };
    submit(db, mall_id, DeskWork { desk: desk.clone(), now, ask });
    answered.await.map_err(|_| unanswered())?
}

fn unanswered() -> AppError {
    AppError::Internal(anyhow::anyhow!("the counter's request was not answered"))
}

fn submit(db: &Db, mall_id: &MallId, work: DeskWork) {
    let (db_, mall) = (db.clone(), mall_id.to_owned());
    db.desks.submit(mall_id, work, move |batch| Box::pin(run(db_.clone(), mall.clone(), batch)));
}

struct ActWork {
    desk: Desk,
    now: i64,
    ticket_id: TicketId,
    command: Command,
}

struct CallWork {
    desk: Desk,
    now: i64,
    officer_id: String,
    policy: Policy,
}

/// One batch: decided and saved in one transaction; then the lines and
/// the recent visit times in memory learn what changed, and every request
/// gets its answer.
async fn run(db: Db, mall_id: MallId, batch: Vec<DeskWork>) {
    let (mut acts, mut act_answers, mut calls, mut call_answers) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // The calls of the first call's day (another day's, in a batch across
    // midnight, ask again in the next batch).
    let mut day: Option<String> = None;
    for DeskWork { desk, now, ask } in batch {
        match ask {
            Ask::Act { ticket_id, command, answer } => {
                acts.push(ActWork { desk, now, ticket_id, command });
                act_answers.push(answer);
            }
            Ask::Call { day: d, officer_id, policy, answer } => {
                if day.get_or_insert_with(|| d.clone()) == &d {
                    calls.push(CallWork { desk, now, officer_id, policy });
                    call_answers.push(answer);
                } else {
                    let _ = answer.send(Ok(Called::Lost));
                }
            }
        }
    }
    let served: Vec<bool> = acts.iter().map(|a| matches!(a.command, Command::Finish(Outcome::Served))).collect();
    let act_nows: Vec<i64> = acts.iter().map(|a| a.now).collect();
    let saved = async {
        let today = match &day {
            Some(day) => {
                let now = calls.iter().map(|c| c.now).max().unwrap_or_default();
                Some(db.lines.today(&db, &mall_id, day, now).await?)
            }
            None => None,
        };
        let (mall, day) = (mall_id.clone(), day.unwrap_or_default());
        db.transact_in(WriteLane::Counter, move |conn| {
            Box::pin(async move {
                let services: BTreeSet<&String> = calls.iter().flat_map(|c| &c.desk.service_ids).collect();
                let services: Vec<String> = services.into_iter().cloned().collect();
                let heads = match &today {
                    Some(today) if !calls.is_empty() => today.heads(&services, HEADS + calls.len()),
                    _ => Vec::new(),
                };
                let read = Read::new(conn, &mall, &day, &acts, &calls, &services, heads).await?;
                let mut board = Vec::new();
                let acted = acts_in(conn, &mall, &acts, &read, &mut board).await?;
                let called = calls_in(conn, &mall, &day, &calls, &read, &acted, &mut board).await?;
                insert_calls(conn, &mall, &board).await?;
                Ok((acted, called))
            })
        })
        .await
    };
    match saved.await {
        Ok((acted, called)) => {
            for (((result, answer), served), now) in acted.into_iter().zip(act_answers).zip(served).zip(act_nows) {
                if let Ok((before, after)) = &result {
                    if served && let Some(started) = before.started_at.or(before.called_at) {
                        // What the stretch recorded.
                        db.handling.served(&before.mall_id, &before.service_id, (now - started) / 1000);
                    }
                    if before.status == TicketStatus::Waiting {
                        db.lines.left(before);
                    }
                    if after.status == TicketStatus::Waiting {
                        db.lines.joined(after);
                    }
                }
                let _ = answer.send(result.map(|(_, after)| after));
            }
            for (result, answer) in called.into_iter().zip(call_answers) {
                if let Ok(Called::Ticket(t)) = &result {
                    db.lines.left(t);
                }
                let _ = answer.send(result);
            }
        }
        Err(e) => {
            // The whole batch was rolled back: each request hears why.
            for answer in act_answers {
                let _ = answer.send(Err(crate::db::batch::for_each(&e)));
            }
            for answer in call_answers {
                let _ = answer.send(Err(crate::db::batch::for_each(&e)));
            }
        }
    }
}

/// A call to put on the board (a new call or a recall).
struct BoardCall {
    ticket: Ticket,
    desk: Desk,
    lane: Lane,
    recall: bool,
    now: i64,
}

// ---- acting on the ticket at the counter ------------------------------------

/// Decides every action on what its ticket is now, then saves the changes:
/// one UPDATE per kind of change, one INSERT of the stretches they closed.
async fn acts_in(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    acts: &[ActWork],
    read: &Read,
    board: &mut Vec<BoardCall>,
) -> AppResult<Vec<AppResult<(Ticket, Ticket)>>> {
    let found = &read.by_id;
    // Until its UPDATE returns it, a decided change counts as missed.
    let mut out: Vec<AppResult<(Ticket, Ticket)>> = Vec::with_capacity(acts.len());
    let mut changes: BTreeMap<&'static str, Vec<(usize, &Ticket, Change)>> = BTreeMap::new();
    let mut seen = HashSet::new();
    for (i, a) in acts.iter().enumerate() {
        out.push(Err(AppError::Conflict("visit.changed")));
        let Some(t) = found.get(&a.ticket_id) else {
            out[i] = Err(AppError::NotFound);
            continue;
        };
        // Two actions on one ticket in one batch (a double click): the
        // first is decided; the second finds the ticket changed.
        if !seen.insert(t.id.as_str()) {
            continue;
        }
        let facts = Facts {
            status: t.status,
            at_this_counter: t.counter_id.as_deref() == Some(a.desk.id.as_str()),
            skips: t.skips,
            journey: t.journey_ids().into_iter().map(str::to_string).collect(),
            // Only a held ticket's return asks (and only then is it worth a query).
            counter_busy: t.status == TicketStatus::Held && serving_at(conn, mall_id, &a.desk.id).await?,
        };
        match lifecycle::decide(&facts, a.command.clone()) {
            Ok(change) => changes.entry(set_clause(&change)).or_default().push((i, t, change)),
            Err(refusal) => out[i] = Err(AppError::Conflict(refusal.key())),
        }
    }
    let mut stretches = Vec::new();
    for (set, group) in &changes {
        // v: (id, the status seen, now, and the change's two values).
        let statement = format!(
            "UPDATE tickets SET {set} FROM (VALUES {}) AS v
             WHERE tickets.mall_id = $1 AND tickets.id = v.column1 AND tickets.status = v.column2
             RETURNING {COLUMNS}",
            rows(2, 5, group.len())
        );
        let mut q = sql::query(statement).bind(mall_id);
        for (i, t, change) in group {
            let (first, second) = change_values(change);
            q = q.bind(&t.id).bind(t.status.as_str()).bind(acts[*i].now).bind(first).bind(second);
        }
        let changed: HashMap<TicketId, Ticket> =
            q.fetch_all::<Ticket>(conn).await?.into_iter().map(|t| (t.id.clone(), t)).collect();
        for (i, before, change) in group {
            let Some(after) = changed.get(&before.id) else { continue };
            let a = &acts[*i];
            if let Some(result) = stretch_result(change) {
                stretches.push((*before, result, a.now));
            }
            if *change == Change::Recalled {
                let (ticket, desk) = ((*before).clone(), a.desk.clone());
                board.push(BoardCall { ticket, desk, lane: Lane::Regular, recall: true, now: a.now });
            }
            out[*i] = Ok(((*before).clone(), after.clone()));
        }
    }
    record_stretches(conn, mall_id, &stretches).await?;
    Ok(out)
}

/// What a change sets, in terms of `v` (see [`acts_in`]): `v.column3` is
/// the time, `v.column4` and `v.column5` the values of [`change_values`].
/// One text per kind of change, so that a batch saves each kind in one
/// statement.
fn set_clause(change: &Change) -> &'static str {
    match change {
        Change::Recalled => "recalls = recalls + 1, updated_at = v.column3",
        Change::Started => "status = 'serving', started_at = v.column3, updated_at = v.column3",
        Change::NoShow => "status = 'no_show', skips = skips + 1, updated_at = v.column3",
        Change::Requeued => {
            "status = 'waiting', skips = skips + 1, counter_id = NULL, called_at = NULL, queued_at = v.column3,
             updated_at = v.column3"
        }
        // On to the next agency of the journey, same number.
        Change::Finished { next: Some(_), .. } => {
            "status = 'waiting', service_id = v.column4, journey = v.column5, queued_at = v.column3,
             counter_id = NULL, officer_id = NULL, called_at = NULL, started_at = NULL, recalls = 0, skips = 0,
             updated_at = v.column3"
        }
        Change::Finished { next: None, .. } => "status = 'done', updated_at = v.column3",
        Change::Held => "status = 'held', started_at = COALESCE(started_at, v.column3), updated_at = v.column3",
        Change::Resumed => "status = 'serving', updated_at = v.column3",
        Change::Transferred { .. } => {
            "status = 'waiting', service_id = v.column4, target_counter_id = v.column5, counter_id = NULL,
             officer_id = NULL, called_at = NULL, started_at = NULL, recalls = 0, skips = 0, updated_at = v.column3"
        }
    }
}

/// The values a change's [`set_clause`] takes beside the time.
fn change_values(change: &Change) -> (Option<String>, Option<String>) {
    match change {
        Change::Finished { next: Some((next, rest)), .. } => (Some(next.clone()), Some(rest.join(" "))),
        Change::Transferred { service_id, counter_id } => (Some(service_id.clone()), counter_id.clone()),
        _ => (None, None),
    }
}

/// How the ticket's stretch at its current service ends, for the
/// statistics, when the change ends it.
fn stretch_result(change: &Change) -> Option<&'static str> {
    match change {
        Change::NoShow => Some("no_show"),
        Change::Finished { outcome, .. } => Some(outcome.as_str()),
        Change::Transferred { .. } => Some("transferred"),
        _ => None,
    }
}

/// Whether a counter has someone called or being served.
async fn serving_at(conn: &mut Conn<'_>, mall_id: &MallId, counter_id: &str) -> AppResult<bool> {
    let n: i64 = sql::query(
        "SELECT COUNT(*) FROM tickets WHERE mall_id = $1 AND counter_id = $2 AND status IN ('called', 'serving')",
    )
    .bind(mall_id)
    .bind(counter_id)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Closes the tickets' stretches at their current services (as each was
/// before the change), for the statistics.
async fn record_stretches(conn: &mut Conn<'_>, mall_id: &MallId, stretches: &[(&Ticket, &str, i64)]) -> AppResult<()> {
    if stretches.is_empty() {
        return Ok(());
    }
    let statement = format!(
        "INSERT INTO ticket_steps (mall_id, id, ticket_id, day, service_id, counter_id, officer_id, queued_at,
         called_at, started_at, ended_at, result) VALUES {}",
        rows(1, 12, stretches.len())
    );
    let mut q = sql::query(statement);
    for (t, result, now) in stretches {
        q = q
            .bind(mall_id)
            .bind(new_id(*now))
            .bind(&t.id)
            .bind(&t.day)
            .bind(&t.service_id)
            .bind(&t.counter_id)
            .bind(&t.officer_id)
            .bind(t.queued_at)
            .bind(t.called_at)
            .bind(t.started_at.or(t.called_at))
            .bind(*now)
            .bind(*result);
    }
    q.execute(conn).await?;
    Ok(())
}

// ---- calling the next visitor -------------------------------------------------

/// Chooses each call's visitor (`mpp_domain::visit::pick_next`) among the
/// tickets the policy chooses from, then calls them all in one UPDATE.
///
/// The candidates: everyone in a special lane, and the first regular
/// visitor of each service (the rest of a regular line cannot be next).
/// Neither read grows with the line: the special lane has an index of its
/// own (migration 0016), and the regular heads are read by id from the
/// first tickets of each line in memory (`line.rs`), never by walking an
/// index whose head, in a busy hour, is thick with the entries of tickets
/// called moments ago. Only when none of those first tickets is a regular
/// visitor for a counter is the line's index read.
async fn calls_in(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    day: &str,
    calls: &[CallWork],
    read: &Read,
    acted: &[AppResult<(Ticket, Ticket)>],
    board: &mut Vec<BoardCall>,
) -> AppResult<Vec<AppResult<Called>>> {
    if calls.is_empty() {
        return Ok(Vec::new());
    }
    // Who is at each calling counter: as read (after the counters' locks),
    // then as this batch's actions left them.
    let after: HashMap<&TicketId, &Ticket> = acted.iter().flatten().map(|(_, t)| (&t.id, t)).collect();
    let mut busy: HashSet<&str> = HashSet::new();
    for t in read.by_id.values().map(|t| after.get(&t.id).copied().unwrap_or(t)) {
        if matches!(t.status, TicketStatus::Called | TicketStatus::Serving)
            && let Some(counter) = &t.counter_id
        {
            busy.insert(counter.as_str());
        }
    }
    let (open, heads) = (&read.open, &read.heads);
    // Who waits: in a special lane, or at the head of a regular line.
    let waiting = || read.by_id.values().filter(|t| t.status == TicketStatus::Waiting && t.day == day);
    let mut special: Vec<&Ticket> = waiting().filter(|t| !regular(t)).collect();
    special.sort_by_key(|t| (t.queued_at, t.seq));
    let known: Vec<&Ticket> = waiting().filter(|t| regular(t)).collect();

    let mut out = Vec::with_capacity(calls.len());
    let mut taken: HashSet<TicketId> = HashSet::new();
    let mut picks: Vec<(usize, Ticket, Lane)> = Vec::new();
    for (i, c) in calls.iter().enumerate() {
        if !open.contains(&c.desk.id) {
            out.push(Err(AppError::Conflict("visit.counter_not_open")));
            continue;
        }
        if busy.contains(c.desk.id.as_str()) {
            out.push(Err(AppError::Conflict("visit.still_serving")));
            continue;
        }
        let for_desk = |t: &&Ticket| {
            c.desk.service_ids.contains(&t.service_id)
                && t.target_counter_id.as_deref().is_none_or(|x| x == c.desk.id)
                && !taken.contains(&t.id)
        };
        let mut candidates: Vec<Ticket> = special.iter().copied().filter(for_desk).cloned().collect();
        for (service, _, more) in heads.iter().filter(|(s, _, _)| c.desk.service_ids.contains(s)) {
            let head = known
                .iter()
                .copied()
                .filter(for_desk)
                .filter(|t| &t.service_id == service)
                .min_by_key(|t| (t.queued_at, t.seq));
            match head {
                Some(t) => candidates.push(t.clone()),
                None if *more => candidates.extend(first_regular(conn, mall_id, day, &c.desk, service, &taken).await?),
                None => {}
            }
        }
        let waiting: Vec<Waiting> = candidates.iter().map(Ticket::waiting).collect();
        // The counter's recent lanes matter only to choose between lanes.
        let lanes: BTreeSet<Lane> = waiting.iter().map(|w| w.lane(c.now)).collect();
        let recent = if lanes.len() > 1 { recent_lanes(conn, mall_id, &c.desk.id).await? } else { Vec::new() };
        match rules::pick_next(&waiting, c.now, &recent, c.policy) {
            None => out.push(Ok(Called::Nobody)),
            Some(k) => {
                let pick = candidates.swap_remove(k);
                taken.insert(pick.id.clone());
                busy.insert(c.desk.id.as_str());
                picks.push((i, pick, waiting[k].lane(c.now)));
                // Until the UPDATE returns it.
                out.push(Ok(Called::Lost));
            }
        }
    }
    if picks.is_empty() {
        return Ok(out);
    }
    let statement = format!(
        "UPDATE tickets SET status = 'called', counter_id = v.column2, officer_id = v.column3, called_at = v.column4,
         target_counter_id = NULL, updated_at = v.column4 FROM (VALUES {}) AS v
         WHERE tickets.mall_id = $1 AND tickets.id = v.column1 AND tickets.status = 'waiting' RETURNING {COLUMNS}",
        rows(2, 4, picks.len())
    );
    let mut q = sql::query(statement).bind(mall_id);
    for (i, pick, _) in &picks {
        let c = &calls[*i];
        q = q.bind(&pick.id).bind(&c.desk.id).bind(&c.officer_id).bind(c.now);
    }
    let mut won: HashMap<TicketId, Ticket> =
        q.fetch_all::<Ticket>(conn).await?.into_iter().map(|t| (t.id.clone(), t)).collect();
    for (i, pick, lane) in picks {
        let Some(called) = won.remove(&pick.id) else { continue };
        let c = &calls[i];
        board.push(BoardCall { ticket: pick, desk: c.desk.clone(), lane, recall: false, now: c.now });
        out[i] = Ok(Called::Ticket(Box::new(called)));
    }
    Ok(out)
}

/// A ticket of the regular lane: no priority, not quick, no booked window.
fn regular(t: &Ticket) -> bool {
    t.priority == Priority::None && !t.quick && t.window_to.is_none()
}

/// Every ticket a batch decides on, read in one statement: the tickets
/// its actions are on, and for its calls who waits today in a special lane
/// (priority, quick, booked) for their services, for any counter or for
/// one of theirs, and the first tickets of their services' lines in memory.
struct Read {
    by_id: HashMap<TicketId, Ticket>,
    /// The calling counters that are open (and locked, on PostgreSQL).
    open: HashSet<String>,
    /// Each of the calls' services' first tickets in memory, and whether
    /// more wait behind them.
    heads: Vec<(String, Vec<TicketId>, bool)>,
}

impl Read {
    async fn new(
        conn: &mut Conn<'_>,
        mall_id: &MallId,
        day: &str,
        acts: &[ActWork],
        calls: &[CallWork],
        services: &[String],
        heads: Vec<(String, Vec<TicketId>, bool)>,
    ) -> AppResult<Read> {
        let ids: BTreeSet<&str> = acts
            .iter()
            .map(|a| a.ticket_id.as_str())
            .chain(heads.iter().flat_map(|(_, ids, _)| ids.iter().map(TicketId::as_str)))
            .collect();
        let desks: BTreeSet<&str> = calls.iter().map(|c| c.desk.id.as_str()).collect();
        let open = lock_open(conn, mall_id, &desks).await?;
        let mut parts = Vec::new();
        let mut args: Vec<sql::Value> = vec![mall_id.into()];
        if !calls.is_empty() {
            // SQLite keeps no statistics here, and its planner took the
            // whole line's index for this read (measured: the rush's calls
            // slowed by half as the line grew); the hint names the special
            // lane's own. (The statuses are literals so that both databases
            // see that a partial index applies.)
            let hint = match conn.dialect() {
                crate::db::Dialect::Sqlite => "INDEXED BY tickets_special_lane",
                crate::db::Dialect::Postgres => "",
            };
            parts.push(format!(
                "SELECT * FROM (SELECT {COLUMNS} FROM tickets {hint} WHERE mall_id = $1 AND day = $2
                 AND status = 'waiting' AND (priority <> 'none' OR quick = 1 OR window_to IS NOT NULL)
                 AND service_id IN ({}) AND (target_counter_id IS NULL OR target_counter_id IN ({}))
                 ORDER BY queued_at, seq LIMIT 200) AS special",
                placeholders(3, services.len()),
                placeholders(3 + services.len(), desks.len())
            ));
            args.push(day.into());
            args.extend(services.iter().map(sql::Value::from));
            args.extend(desks.iter().map(|d| sql::Value::from(*d)));
            // Who is called or served at the calling counters.
            parts.push(format!(
                "SELECT {COLUMNS} FROM tickets WHERE mall_id = $1 AND status IN ('called', 'serving')
                 AND counter_id IN ({})",
                placeholders(3 + services.len(), desks.len())
            ));
        }
        if !ids.is_empty() {
            parts.push(format!(
                "SELECT {COLUMNS} FROM tickets WHERE mall_id = $1 AND id IN ({})",
                placeholders(args.len() + 1, ids.len())
            ));
            args.extend(ids.iter().map(|id| sql::Value::from(*id)));
        }
        if parts.is_empty() {
            return Ok(Read { by_id: HashMap::new(), open, heads });
        }
        let tickets: Vec<Ticket> = sql::query(parts.join(" UNION ALL ")).bind_all(args).fetch_all(conn).await?;
        Ok(Read { by_id: tickets.into_iter().map(|t| (t.id.clone(), t)).collect(), open, heads })
    }
}

/// Locks the calling counters' rows (PostgreSQL; SQLite has one writer),
/// so that a call from another server process to one of them waits for
/// this batch, and only then is who is at them read; returns those open.
/// In the counters' order, so that two processes' batches that share
/// counters never each hold one the other waits for.
async fn lock_open(conn: &mut Conn<'_>, mall_id: &MallId, desks: &BTreeSet<&str>) -> AppResult<HashSet<String>> {
    if desks.is_empty() {
        return Ok(HashSet::new());
    }
    let lock = match conn.dialect() {
        crate::db::Dialect::Postgres => "FOR UPDATE",
        crate::db::Dialect::Sqlite => "",
    };
    let statement = format!(
        "SELECT counter_id FROM counter_states WHERE mall_id = $1 AND status = 'open' AND counter_id IN ({})
         ORDER BY counter_id {lock}",
        placeholders(2, desks.len())
    );
    let open: Vec<(String,)> =
        sql::query(statement).bind(mall_id).bind_all(desks.iter().copied()).fetch_all(conn).await?;
    Ok(open.into_iter().map(|(c,)| c).collect())
}

/// The first regular visitor of a service's line for a counter, past those
/// this batch has taken: read from the line's index, when none of the
/// line's first tickets in memory will do.
async fn first_regular(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    day: &str,
    desk: &Desk,
    service_id: &str,
    taken: &HashSet<TicketId>,
) -> AppResult<Option<Ticket>> {
    let statement = format!(
        "SELECT {COLUMNS} FROM tickets WHERE mall_id = $1 AND day = $2 AND status = 'waiting'
         AND (target_counter_id IS NULL OR target_counter_id = $3)
         AND priority = 'none' AND quick = 0 AND window_to IS NULL AND service_id = $4
         ORDER BY queued_at, seq LIMIT $5"
    );
    let limit = i64::try_from(taken.len() + 1).unwrap_or(i64::MAX);
    let q = sql::query(statement).bind(mall_id).bind(day).bind(&desk.id).bind(service_id).bind(limit);
    Ok(q.fetch_all::<Ticket>(conn).await?.into_iter().find(|t| !taken.contains(&t.id)))
}

/// The lanes of a counter's latest calls, newest first.
async fn recent_lanes(conn: &mut Conn<'_>, mall_id: &MallId, counter_id: &str) -> AppResult<Vec<Lane>> {
    let recent: Vec<(String,)> = sql::query(
        "SELECT lane FROM calls WHERE mall_id = $1 AND counter_id = $2 AND recall = 0 ORDER BY at DESC LIMIT 10",
    )
    .bind(mall_id)
    .bind(counter_id)
    .fetch_all(conn)
    .await?;
    Ok(recent.iter().filter_map(|(l,)| Lane::parse(l)).collect())
}

/// Puts the batch's calls and recalls on the board, in one INSERT.
async fn insert_calls(conn: &mut Conn<'_>, mall_id: &MallId, board: &[BoardCall]) -> AppResult<()> {
    if board.is_empty() {
        return Ok(());
    }
    let statement = format!(
        "INSERT INTO calls (mall_id, id, ticket_id, counter_id, label, prefix, seq, counter_number, zone, lane,
         recall, at) VALUES {}",
        rows(1, 12, board.len())
    );
    let mut q = sql::query(statement);
    for BoardCall { ticket: t, desk, lane, recall, now } in board {
        q = q
            .bind(mall_id)
            .bind(new_id(*now))
            .bind(&t.id)
            .bind(&desk.id)
            .bind(&t.label)
            .bind(&t.prefix)
            .bind(t.seq)
            .bind(desk.number)
            .bind(&desk.zone)
            .bind(lane.as_str())
            .bind(*recall)
            .bind(*now);
    }
    q.execute(conn).await?;
    Ok(())
}
