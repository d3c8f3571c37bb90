//! Who waits, in order, for each service of a mall today, kept in memory so
//! that issuing a ticket (is there time to serve one more?) and showing one
//! (how many are ahead?) do not count the line in the database: a count
//! grows with the line, and once thousands waited it was most of the
//! database's work (docs/PERFORMANCE.md).
//!
//! Every change this process makes to a waiting ticket is applied here at
//! once by the store (`joined`, `left`), after its transaction committed.
//! The whole mall's lines are read again from the database when they are a
//! second old by the mall's clock (in the background, while the copy
//! serves; a request waits only when they are five seconds old), which
//! brings in what another server process changed; a change made while that
//! read runs is applied again after it (each change is idempotent: add if
//! absent, remove if present).

use super::store::{self, Ticket};
use crate::db::Db;
use crate::error::AppResult;
use mpp_domain::tenancy::MallId;
use mpp_domain::visit::TicketId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// How old (mall clock, ms) the lines may be before they are read again.
const FRESH_MS: i64 = 1000;
/// Older than this, a request waits for them to be read again rather than
/// being served the copy (a quiet mall's first request after a while).
const WAIT_MS: i64 = 5000;

/// A waiting ticket's place: the line's order (`queued_at`, then `seq`),
/// with the id to tell apart two tickets queued in the same millisecond.
type Key = (i64, i64, TicketId);

#[derive(Default)]
pub struct Lines {
    malls: Mutex<HashMap<MallId, Arc<MallDay>>>,
}

/// A mall's lines on one day, as a call holds them.
#[derive(Clone)]
pub struct Today {
    mall: Arc<MallDay>,
}

impl Today {
    /// Among the first `n` waiting tickets of a service's line, those whose
    /// visitor left a phone number and has not been told their turn is
    /// near, with how many wait ahead of each.
    pub fn to_tell(&self, service_id: &str, n: usize) -> Vec<(usize, TicketId)> {
        let state = lock(&self.mall.state);
        let line = state.line(service_id).iter().take(n);
        line.enumerate()
            .filter(|(_, (_, _, id))| state.to_tell.contains(id))
            .map(|(i, (_, _, id))| (i, id.clone()))
            .collect()
    }

    /// The first `n` waiting tickets' ids of each service's line, and
    /// whether more wait behind them. Read at the moment a batch of calls
    /// chooses, inside its transaction: read before it waited for a
    /// connection, they were often all called meanwhile.
    pub fn heads(&self, service_ids: &[String], n: usize) -> Vec<(String, Vec<TicketId>, bool)> {
        let state = lock(&self.mall.state);
        service_ids
            .iter()
            .map(|service| {
                let line = state.line(service);
                let ids: Vec<TicketId> = line.iter().take(n).map(|(_, _, id)| id.clone()).collect();
                (service.clone(), ids, line.len() > n)
            })
            .collect()
    }
}

/// One mall's lines on one day.
struct MallDay {
    day: String,
    state: Mutex<State>,
    /// Held while the lines are read from the database (one read at a time).
    reading: tokio::sync::Mutex<()>,
    /// A read in the background is on its way.
    scheduled: AtomicBool,
}

#[derive(Default)]
struct State {
    /// Mall clock when the lines were last read; `None` before the first.
    read_at: Option<i64>,
    by_service: HashMap<String, Vec<Key>>,
    /// Waiting tickets whose visitor left a phone number and has not yet
    /// been told their turn is near (so that, after most calls, nobody
    /// needs telling and nothing is read).
    to_tell: std::collections::HashSet<TicketId>,
    /// Set while a read runs: changes made meanwhile, to apply again.
    replay: Option<Vec<Change>>,
}

#[derive(Clone)]
enum Change {
    /// Joined a service's line; whether the visitor is to be told when
    /// their turn is near.
    Joined(String, Key, bool),
    Left(String, Key),
    /// Told their turn is near.
    Told(TicketId),
}

impl State {
    fn apply(&mut self, change: &Change) {
        match change {
            Change::Joined(service, key, tell) => {
                let line = self.by_service.entry(service.clone()).or_default();
                if let Err(at) = line.binary_search(key) {
                    line.insert(at, key.clone());
                }
                if *tell {
                    self.to_tell.insert(key.2.clone());
                }
            }
            Change::Left(service, key) => {
                if let Some(line) = self.by_service.get_mut(service)
                    && let Ok(at) = line.binary_search(key)
                {
                    line.remove(at);
                }
                self.to_tell.remove(&key.2);
            }
            Change::Told(id) => {
                self.to_tell.remove(id);
            }
        }
    }

    fn line(&self, service_id: &str) -> &[Key] {
        self.by_service.get(service_id).map_or(&[], Vec::as_slice)
    }
}

/// Whether lines read at `at` serve a request made at `now`. A request
/// that began a moment before the last read (`now < at`) is served too:
/// taking that for a clock set back had every such request read the lines
/// again, back to back, under load.
fn fresh_at(at: i64, now: i64) -> bool {
    (now - at).abs() < FRESH_MS
}

fn key(t: &Ticket) -> Key {
    (t.queued_at, t.seq, t.id.clone())
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Lines {
    /// How many wait for a service today.
    pub async fn waiting(&self, db: &Db, mall_id: &MallId, day: &str, service_id: &str, now: i64) -> AppResult<i64> {
        let mall = self.fresh(db, mall_id, day, now).await?;
        let state = lock(&mall.state);
        Ok(i64::try_from(state.line(service_id).len()).unwrap_or(i64::MAX))
    }

    /// How many wait ahead of this ticket at its service.
    pub async fn ahead_of(&self, db: &Db, t: &Ticket, now: i64) -> AppResult<i64> {
        let mall = self.fresh(db, &t.mall_id, &t.day, now).await?;
        let state = lock(&mall.state);
        let ahead =
            state.line(&t.service_id).partition_point(|(queued_at, seq, _)| (*queued_at, *seq) < (t.queued_at, t.seq));
        Ok(i64::try_from(ahead).unwrap_or(i64::MAX))
    }

    /// A mall's lines today, read again first if they are stale, for a
    /// call to read its heads from when it chooses (see [`Today::heads`]).
    pub async fn today(&self, db: &Db, mall_id: &MallId, day: &str, now: i64) -> AppResult<Today> {
        Ok(Today { mall: self.fresh(db, mall_id, day, now).await? })
    }

    /// Per service: how many wait today and since when the first has.
    pub async fn summary(&self, db: &Db, mall_id: &MallId, day: &str, now: i64) -> AppResult<Vec<(String, i64, i64)>> {
        let mall = self.fresh(db, mall_id, day, now).await?;
        let state = lock(&mall.state);
        let mut out: Vec<(String, i64, i64)> = state
            .by_service
            .iter()
            .filter_map(|(service, line)| {
                let first = line.first()?;
                Some((service.clone(), i64::try_from(line.len()).unwrap_or(i64::MAX), first.0))
            })
            .collect();
        out.sort();
        Ok(out)
    }

    /// A ticket now waits (issued, skipped, sent on or transferred).
    pub fn joined(&self, t: &Ticket) {
        let tell = !t.phone.is_empty() && !t.near_sent;
        self.change(&t.mall_id, &t.day, Change::Joined(t.service_id.clone(), key(t), tell));
    }

    /// A ticket no longer waits in the line it was in (called or voided).
    pub fn left(&self, t: &Ticket) {
        self.change(&t.mall_id, &t.day, Change::Left(t.service_id.clone(), key(t)));
    }

    /// A visitor was told their turn is near.
    pub fn told(&self, t: &Ticket) {
        self.change(&t.mall_id, &t.day, Change::Told(t.id.clone()));
    }

    fn change(&self, mall_id: &MallId, day: &str, change: Change) {
        let Some(mall) = lock(&self.malls).get(mall_id).cloned() else { return };
        if mall.day != day {
            return;
        }
        let mut state = lock(&mall.state);
        state.apply(&change);
        if let Some(replay) = &mut state.replay {
            replay.push(change);
        }
    }

    /// The mall's lines for `day`. A second old, they are read again in
    /// the background while the copy in memory serves (a request never
    /// waits for thousands of rows to be read); more than [`WAIT_MS`] old,
    /// or on the first use, or when the clock was set back, the request
    /// reads them itself and waits.
    async fn fresh(&self, db: &Db, mall_id: &MallId, day: &str, now: i64) -> AppResult<Arc<MallDay>> {
        let mall = {
            let mut malls = lock(&self.malls);
            let entry = malls.entry(mall_id.clone()).or_insert_with(|| MallDay::new(day));
            // A new day starts empty; yesterday's lines are dropped.
            if entry.day != day {
                *entry = MallDay::new(day);
            }
            entry.clone()
        };
        let read_at = lock(&mall.state).read_at;
        match read_at {
            Some(at) if fresh_at(at, now) => {}
            Some(at) if now > at && now - at < WAIT_MS => {
                if mall.reading.try_lock().is_ok() && !mall.scheduled.swap(true, Ordering::AcqRel) {
                    let (db, mall, mall_id, day) = (db.clone(), Arc::clone(&mall), mall_id.clone(), day.to_string());
                    tokio::spawn(async move {
                        if let Err(e) = read(&db, &mall, &mall_id, &day, now).await {
                            tracing::warn!(error = %e, "reading the lines again failed; the copy in memory serves");
                        }
                        mall.scheduled.store(false, Ordering::Release);
                    });
                }
            }
            _ => read(db, &mall, mall_id, day, now).await?,
        }
        Ok(mall)
    }
}

/// Reads a mall's lines from the database (one read at a time; a read
/// that finds them just read returns at once).
async fn read(db: &Db, mall: &MallDay, mall_id: &MallId, day: &str, now: i64) -> AppResult<()> {
    let _reading = mall.reading.lock().await;
    if lock(&mall.state).read_at.is_some_and(|at| fresh_at(at, now)) {
        return Ok(());
    }
    lock(&mall.state).replay = Some(Vec::new());
    let read = store::waiting_keys(db, mall_id, day).await;
    let rows = match read {
        Ok(rows) => rows,
        Err(e) => {
            lock(&mall.state).replay = None;
            return Err(e);
        }
    };
    // Built before taking the state's lock, which every request needs.
    let mut by_service: HashMap<String, Vec<Key>> = HashMap::new();
    let mut to_tell = std::collections::HashSet::new();
    for (service, queued_at, seq, id, tell) in rows {
        if tell {
            to_tell.insert(id.clone());
        }
        by_service.entry(service).or_default().push((queued_at, seq, id));
    }
    for line in by_service.values_mut() {
        line.sort();
    }
    let mut state = lock(&mall.state);
    let replay = state.replay.take().unwrap_or_default();
    state.by_service = by_service;
    state.to_tell = to_tell;
    for change in &replay {
        state.apply(change);
    }
    state.read_at = Some(now);
    Ok(())
}

impl MallDay {
    fn new(day: &str) -> Arc<MallDay> {
        Arc::new(MallDay {
            day: day.to_string(),
            state: Mutex::default(),
            reading: tokio::sync::Mutex::new(()),
            scheduled: AtomicBool::new(false),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_serve_for_a_second_either_way() {
        assert!(fresh_at(10_000, 10_999) && fresh_at(10_000, 9_001), "a request begun a moment earlier");
        assert!(!fresh_at(10_000, 11_000) && !fresh_at(10_000, 9_000), "a second on, or the clock set back");
    }

    #[test]
    fn changes_apply_once_whatever_their_repeats() {
        let mut s = State::default();
        let k = |q, n: i64| (q, n, TicketId::new(format!("t{n}")));
        for change in [
            Change::Joined("a".into(), k(5, 2), false),
            Change::Joined("a".into(), k(1, 1), true),
            Change::Joined("a".into(), k(5, 2), false),
            Change::Joined("a".into(), k(5, 3), true),
            Change::Left("a".into(), k(1, 1)),
            Change::Left("a".into(), k(1, 1)),
            Change::Left("b".into(), k(1, 1)),
        ] {
            s.apply(&change);
        }
        assert_eq!(s.line("a"), &[k(5, 2), k(5, 3)]);
        assert_eq!(s.to_tell, [TicketId::new("t3")].into(), "who left the line is told nothing");
        assert!(s.line("b").is_empty());
    }
}
