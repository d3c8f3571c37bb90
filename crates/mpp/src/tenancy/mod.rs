//! Malls, the tenants: looking one up by slug, listing them, and the
//! deployment-wide overview a national supervisor reads.

pub mod routes;
pub mod store;

pub use store::Mall;

use crate::auth::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::Ctx;
use mpp_domain::auth::Access;

/// A request to a mall's back office: the mall, the user and what they may do.
pub struct BackOffice {
    pub mall: Mall,
    pub user: CurrentUser,
    pub access: Access,
}

impl BackOffice {
    /// Loads the mall and the user's grants there; anyone without a back-office
    /// role (citizens, officers, other malls' staff) is refused.
    pub async fn enter(state: &AppState, ctx: &Ctx, slug: &str) -> AppResult<BackOffice> {
        Self::for_user(state, ctx.require_user()?.clone(), slug).await
    }

    /// The same for a user known otherwise (an API token's owner).
    pub async fn for_user(state: &AppState, user: CurrentUser, slug: &str) -> AppResult<BackOffice> {
        let mall = store::by_slug(&state.db, slug).await?;
        let access = crate::auth::store::access(&state.db, &user.id, &mall.id).await?;
        if !access.can_view_admin() {
            return Err(AppError::Forbidden);
        }
        Ok(BackOffice { mall, user, access })
    }

    pub fn require(&self, allowed: bool) -> AppResult<()> {
        if allowed { Ok(()) } else { Err(AppError::Forbidden) }
    }
}
