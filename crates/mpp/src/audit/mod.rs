//! The audit trail: every change to a mall's data is recorded (who, what,
//! when, before and after) in the same transaction as the change itself,
//! so nothing changes unrecorded. Rows are only ever inserted.
//!
//! Features that know the record they change call [`record`] with its
//! before and after. For every other change the policy guard records the
//! request itself ([`request`]: who, which action, which route, which
//! record's path, the outcome) once the handler has succeeded, so no write
//! route can be left out (`mpp_domain::policy::trail`).

pub mod chain;
pub mod head;
pub mod routes;
mod store;

use crate::auth::session::CurrentUser;
use crate::db::sql::{self, Conn};
use crate::error::AppResult;
use mpp_domain::tenancy::MallId;

pub struct Change<'a> {
    pub mall_id: &'a MallId,
    pub actor: &'a CurrentUser,
    /// `create`, `update` or `delete`.
    pub action: &'static str,
    /// The table-like name: `service`, `agency`, `counter` …
    pub entity: &'static str,
    pub entity_id: &'a str,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

tokio::task_local! {
    /// Set while the guard waits for a handler: whether the handler
    /// recorded its change itself (then the guard adds no second row).
    static RECORDED: std::cell::Cell<bool>;
}

/// Runs a request's handler, telling whether it recorded its own change.
pub async fn watching<F: Future>(handler: F) -> (F::Output, bool) {
    RECORDED
        .scope(std::cell::Cell::new(false), async move {
            let out = handler.await;
            (out, RECORDED.with(std::cell::Cell::get))
        })
        .await
}

/// The actor of a change made from the command line (`mpp create-admin`),
/// where there is no logged-in user: the command names itself.
pub fn command_line(command: &str) -> CurrentUser {
    CurrentUser {
        id: "command-line".into(),
        name: format!("mpp {command} (command line)"),
        email: whoami(),
        is_supervisor: false,
        has_work: false,
    }
}

/// The operating-system account that ran the command, as far as the
/// environment tells.
fn whoami() -> String {
    std::env::var("SUDO_USER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "unknown".into())
}

/// Records a command-line change in its own transaction.
pub async fn record_now(db: &crate::db::Db, c: Change<'_>, now: i64) -> AppResult<()> {
    let entry = entry(c, now);
    db.transact(move |conn| Box::pin(entry.write(conn))).await
}

/// Runs one write statement with its audit entry (when someone made the
/// change; `None` for the demo's own set-up), in one transaction.
pub async fn run_with(db: &crate::db::Db, statement: sql::Query<'static>, entry: Option<Entry>) -> AppResult<()> {
    db.transact(move |conn| {
        Box::pin(async move {
            statement.execute(conn).await?;
            write_if(entry, conn).await
        })
    })
    .await
}

/// Writes the entry, if someone made the change (the demo's own set-up is
/// not on the trail).
pub async fn write_if(entry: Option<Entry>, conn: &mut Conn<'_>) -> AppResult<()> {
    match entry {
        Some(entry) => entry.write(conn).await,
        None => Ok(()),
    }
}

/// A request that changed something, as the guard records it.
pub struct Request<'a> {
    /// `""` for the deployment's own records (an account's tokens).
    pub mall_id: &'a MallId,
    pub actor: &'a CurrentUser,
    /// The policy action (`work_counter`, `own_account` …).
    pub action: &'static str,
    /// `POST /m/{slug}/loket/{number}/status`.
    pub route: String,
    /// The path as called, and the answer's status.
    pub path: &'a str,
    pub status: u16,
}

pub async fn request(db: &crate::db::Db, r: Request<'_>, now: i64) -> AppResult<()> {
    let e = Entry {
        mall_id: r.mall_id.clone(),
        actor_id: r.actor.id.clone(),
        actor: format!("{} <{}>", r.actor.name, r.actor.email),
        action: r.action,
        entity: "request",
        entity_id: r.route,
        before: None,
        after: Some(serde_json::json!({"path": r.path, "status": r.status})),
        at: now,
    };
    db.transact(move |conn| Box::pin(e.write(conn))).await
}

/// A change on its way to the trail: made before the change's transaction,
/// on the request's task (which is how the guard learns that the handler
/// recorded its change itself), and written inside it with [`Entry::write`].
#[derive(Debug, Clone)]
pub struct Entry {
    mall_id: MallId,
    actor_id: String,
    /// "Name <email>".
    actor: String,
    action: &'static str,
    entity: &'static str,
    /// Which record (for a new one, known once it is written).
    pub entity_id: String,
    pub before: Option<serde_json::Value>,
    /// What the record is after the change (the transaction may know more
    /// than the handler did, e.g. how many rows it added).
    pub after: Option<serde_json::Value>,
    at: i64,
}

pub fn entry(c: Change<'_>, now: i64) -> Entry {
    let _ = RECORDED.try_with(|r| r.set(true));
    Entry {
        mall_id: c.mall_id.clone(),
        actor_id: c.actor.id.clone(),
        actor: format!("{} <{}>", c.actor.name, c.actor.email),
        action: c.action,
        entity: c.entity,
        entity_id: c.entity_id.to_owned(),
        before: c.before,
        after: c.after,
        at: now,
    }
}

impl Entry {
    /// Writes the entry in the change's own transaction.
    pub async fn write(self, conn: &mut Conn<'_>) -> AppResult<()> {
        store::insert(conn, &self).await
    }
}

pub use store::{Event, head_of, heads_of, list, move_head, take_head};

/// One chain as `verify` found it.
pub struct Checked {
    pub trail: chain::Trail,
    pub mall_id: MallId,
    pub entries: usize,
    pub found: Option<chain::Break>,
}

/// Walks every mall's audit trail and access log (`chain.rs`): for each,
/// how many entries it holds and its first break, if any.
pub async fn verify(db: &crate::db::Db) -> AppResult<Vec<Checked>> {
    let mut out = Vec::new();
    for mall_id in store::chained_malls(db).await? {
        let read = store::chain_of(db, &mall_id).await?;
        let head = read.head.as_ref().map(|(seq, hash)| (*seq, hash.as_str()));
        let found = chain::check(&read.chain, head, &read.unnumbered);
        out.push(Checked { trail: chain::Trail::Audit, mall_id, entries: read.chain.len(), found });
    }
    for mall_id in crate::access::logged_malls(db).await? {
        let log = crate::access::chain_of(db, &mall_id).await?;
        let head = store::head_of(db, chain::Trail::Access, &mall_id).await?;
        let found = chain::check(&log, head.as_ref().map(|(seq, hash)| (*seq, hash.as_str())), &[]);
        out.push(Checked { trail: chain::Trail::Access, mall_id, entries: log.len(), found });
    }
    Ok(out)
}
