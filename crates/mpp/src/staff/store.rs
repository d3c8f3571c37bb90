//! The staff feature's SQL: who holds which role in a mall, and where
//! officers are placed.

use crate::db::Db;
use crate::db::sql::{self, Conn};
use crate::error::AppResult;
use mpp_domain::auth::{Grant, Role};
use mpp_domain::tenancy::MallId;

/// A person with at least one role in the mall.
#[derive(Debug, Clone)]
pub struct Member {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub grants: Vec<Grant>,
    /// Counter ids they are placed at (none: any of their agencies').
    pub counters: Vec<String>,
}

impl Member {
    /// What the audit trail keeps of a member before and after a change.
    pub fn snapshot(&self) -> serde_json::Value {
        let grants: Vec<_> = self
            .grants
            .iter()
            .map(|g| serde_json::json!({"role": g.role.as_str(), "agency_id": g.agency_id}))
            .collect();
        serde_json::json!({"email": self.email, "grants": grants, "counters": self.counters})
    }
}

/// Everyone with a role in the mall, by name.
pub async fn members(db: &Db, mall_id: &MallId) -> AppResult<Vec<Member>> {
    members_in(&mut Conn::Read(db), mall_id).await
}

pub async fn member(db: &Db, mall_id: &MallId, user_id: &str) -> AppResult<Option<Member>> {
    member_in(&mut Conn::Read(db), mall_id, user_id).await
}

/// A change to one member.
#[derive(Debug, Clone)]
pub enum Change {
    Grant(Role, String),
    Revoke(Role, String),
    /// Exactly these counters.
    Place(Vec<String>),
    /// Every role, placement, session and token.
    Remove,
}

/// Makes a change to a member and records it on the audit trail with what
/// it left, in one transaction.
pub async fn change(
    db: &Db,
    mall_id: &MallId,
    user_id: &str,
    change: Change,
    mut entry: crate::audit::Entry,
) -> AppResult<()> {
    let (mall_id, user_id) = (mall_id.to_owned(), user_id.to_owned());
    db.transact(move |conn| {
        Box::pin(async move {
            match &change {
                Change::Grant(role, agency_id) => grant(conn, &mall_id, &user_id, *role, agency_id).await?,
                Change::Revoke(role, agency_id) => {
                    revoke(conn, &mall_id, &user_id, *role, agency_id).await?;
                }
                Change::Place(counter_ids) => place(conn, &mall_id, &user_id, counter_ids).await?,
                Change::Remove => remove(conn, &mall_id, &user_id).await?,
            }
            entry.after = member_in(conn, &mall_id, &user_id).await?.as_ref().map(Member::snapshot);
            entry.write(conn).await
        })
    })
    .await
}

/// The same inside a change (to record what it left).
pub async fn member_in(conn: &mut Conn<'_>, mall_id: &MallId, user_id: &str) -> AppResult<Option<Member>> {
    Ok(members_in(conn, mall_id).await?.into_iter().find(|m| m.user_id == user_id))
}

async fn members_in(conn: &mut Conn<'_>, mall_id: &MallId) -> AppResult<Vec<Member>> {
    let rows: Vec<(String, String, String, String, String)> = sql::query(
        "SELECT u.id, u.name, u.email, r.role, r.agency_id FROM mall_roles r JOIN users u ON u.id = r.user_id
         WHERE r.mall_id = $1 ORDER BY u.name, u.id, r.role, r.agency_id",
    )
    .bind(mall_id)
    .fetch_all(&mut *conn)
    .await?;
    let placed: Vec<(String, String)> =
        sql::query("SELECT user_id, counter_id FROM staff_counters WHERE mall_id = $1 ORDER BY counter_id")
            .bind(mall_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut out: Vec<Member> = Vec::new();
    for (user_id, name, email, role, agency) in rows {
        let Some(role) = Role::parse(&role) else { continue };
        let grant = Grant { role, agency_id: (!agency.is_empty()).then_some(agency) };
        match out.last_mut() {
            Some(m) if m.user_id == user_id => m.grants.push(grant),
            _ => {
                let counters = placed.iter().filter(|(u, _)| *u == user_id).map(|(_, c)| c.clone()).collect();
                out.push(Member { user_id, name, email, grants: vec![grant], counters });
            }
        }
    }
    Ok(out)
}

pub async fn grant(conn: &mut Conn<'_>, mall_id: &MallId, user_id: &str, role: Role, agency_id: &str) -> AppResult<()> {
    sql::query(
        "INSERT INTO mall_roles (mall_id, user_id, role, agency_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (mall_id, user_id, role, agency_id) DO NOTHING",
    )
    .bind(mall_id)
    .bind(user_id)
    .bind(role.as_str())
    .bind(agency_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes one role back, and with it any placement at counters of an
/// agency the member no longer works for. False if they did not hold it.
pub async fn revoke(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    user_id: &str,
    role: Role,
    agency_id: &str,
) -> AppResult<bool> {
    let gone =
        sql::query("DELETE FROM mall_roles WHERE mall_id = $1 AND user_id = $2 AND role = $3 AND agency_id = $4")
            .bind(mall_id)
            .bind(user_id)
            .bind(role.as_str())
            .bind(agency_id)
            .execute(conn)
            .await?;
    sql::query(
        "DELETE FROM staff_counters WHERE mall_id = $1 AND user_id = $2 AND counter_id NOT IN (
             SELECT c.id FROM counters c JOIN mall_roles r ON r.mall_id = c.mall_id AND r.agency_id = c.agency_id
             WHERE c.mall_id = $1 AND r.user_id = $2)",
    )
    .bind(mall_id)
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(gone == 1)
}

/// Places a member at exactly these counters (none: any of their agencies').
pub async fn place(conn: &mut Conn<'_>, mall_id: &MallId, user_id: &str, counter_ids: &[String]) -> AppResult<()> {
    sql::query("DELETE FROM staff_counters WHERE mall_id = $1 AND user_id = $2")
        .bind(mall_id)
        .bind(user_id)
        .execute(conn)
        .await?;
    for id in counter_ids {
        sql::query("INSERT INTO staff_counters (mall_id, user_id, counter_id) VALUES ($1, $2, $3)")
            .bind(mall_id)
            .bind(user_id)
            .bind(id)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Someone leaves the mall: every role and placement here goes, and so do
/// their sessions and API tokens everywhere (whatever they could reach with
/// them was reached as staff; as a citizen they simply log in again).
pub async fn remove(conn: &mut Conn<'_>, mall_id: &MallId, user_id: &str) -> AppResult<()> {
    for sql in [
        "DELETE FROM mall_roles WHERE mall_id = $1 AND user_id = $2",
        "DELETE FROM staff_counters WHERE mall_id = $1 AND user_id = $2",
    ] {
        sql::query(sql).bind(mall_id).bind(user_id).execute(conn).await?;
    }
    for sql in ["DELETE FROM sessions WHERE user_id = $1", "DELETE FROM api_tokens WHERE user_id = $1"] {
        sql::query(sql).bind(user_id).execute(conn).await?;
    }
    Ok(())
}
