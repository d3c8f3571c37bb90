//! `mpp create-admin`: the way in for the first administrator.

use super::{password, store};
use crate::state::AppState;
use anyhow::{Context, bail};
use mpp_domain::auth::Role;
use mpp_domain::tenancy::MallId;

pub async fn create_admin(
    state: &AppState,
    email: &str,
    name: &str,
    role: &str,
    mall: Option<&str>,
    agency: Option<&str>,
    pass: &str,
) -> anyhow::Result<()> {
    let role = Role::parse(role).context("unknown role (mall_admin, agency_admin, officer, national_supervisor)")?;
    if pass.chars().count() < password::MIN_LENGTH {
        bail!("the password needs at least {} characters", password::MIN_LENGTH);
    }
    let hash = password::hash_async(pass.to_string()).await?;
    let now = state.clock.now_ms();
    let user_id = match store::find_by_email(&state.db, email).await.map_err(|e| anyhow::anyhow!("{e}"))? {
        Some(u) => u.id,
        None => store::create_user(&state.db, email, name, &hash, now).await.map_err(|e| anyhow::anyhow!("{e:?}"))?,
    };
    if role == Role::NationalSupervisor {
        store::grant_supervisor(&state.db, &user_id).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        // A deployment-wide grant: on the deployment's trail.
        return record_grant(state, &mpp_domain::tenancy::DEPLOYMENT, &user_id, email, role, None, now).await;
    }
    let mall = crate::tenancy::store::by_slug(&state.db, mall.context("--mall is needed for this role")?)
        .await
        .map_err(|_| anyhow::anyhow!("no mall with that slug"))?;
    let agency_id = match (role, agency) {
        (Role::MallAdmin, _) => None,
        (_, Some(code)) => Some(
            crate::catalog::store::agency_by_code(&state.db, &mall.id, code)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?
                .context("no agency with that code")?
                .id,
        ),
        (_, None) => bail!("--agency is needed for this role"),
    };
    store::grant_mall_role(&state.db, &mall.id, &user_id, role, agency_id.as_deref())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    record_grant(state, &mall.id, &user_id, email, role, agency_id.as_deref(), now).await
}

/// Puts a role granted from the command line on the audit trail.
async fn record_grant(
    state: &AppState,
    mall_id: &MallId,
    user_id: &str,
    email: &str,
    role: Role,
    agency_id: Option<&str>,
    now: i64,
) -> anyhow::Result<()> {
    let actor = crate::audit::command_line("create-admin");
    let change = crate::audit::Change {
        mall_id,
        actor: &actor,
        action: "grant",
        entity: "role",
        entity_id: user_id,
        before: None,
        after: Some(serde_json::json!({"user": email, "role": role.as_str(), "agency_id": agency_id})),
    };
    crate::audit::record_now(&state.db, change, now).await.map_err(|e| anyhow::anyhow!("{e}"))
}
