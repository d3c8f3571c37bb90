//! Who may do what, enforced in one place for every route (the table:
//! `mpp_domain::policy`).
//!
//! Features build their routes with [`Routes`], which takes the
//! [`Action`] of each method and path beside its handler, so a route
//! cannot exist without a policy entry. [`guard`] runs in front of every
//! route: it finds the route's action, works out who the caller is in the
//! mall named by `{slug}` (a session cookie on pages, a bearer token under
//! `/api/`), and refuses before the handler runs: 401 (a page sends the
//! visitor to log in) or 403. Handlers keep the finer scope checks (which
//! agency's counters, whose application).

use crate::auth::session::CurrentUser;
use crate::error::AppError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::handler::Handler;
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{MethodRouter, delete, get, post, put};
use mpp_domain::policy::{Action, Trail, Who, allows, needs_login, trail};
use mpp_domain::tenancy::MallId;
use std::collections::HashMap;
use std::sync::Arc;

/// One route: a method, a path template as the router matches it, and
/// what it does.
#[derive(Debug, Clone)]
pub struct Entry {
    pub method: Method,
    pub path: String,
    pub action: Action,
}

/// A router that records every route's action.
#[derive(Default)]
pub struct Routes {
    router: Router<AppState>,
    entries: Vec<Entry>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    fn add(mut self, method: Method, path: &str, action: Action, route: MethodRouter<AppState>) -> Routes {
        self.entries.push(Entry { method, path: path.to_string(), action });
        self.router = self.router.route(path, route);
        self
    }

    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &str, action: Action, handler: H) -> Routes {
        self.add(Method::GET, path, action, get(handler))
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &str, action: Action, handler: H) -> Routes {
        self.add(Method::POST, path, action, post(handler))
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &str, action: Action, handler: H) -> Routes {
        self.add(Method::PUT, path, action, put(handler))
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &str, action: Action, handler: H) -> Routes {
        self.add(Method::DELETE, path, action, delete(handler))
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.entries.extend(other.entries);
        self.router = self.router.merge(other.router);
        self
    }

    /// Wraps the routes so far in a layer (a page router's error pages …).
    pub fn map(mut self, f: impl FnOnce(Router<AppState>) -> Router<AppState>) -> Routes {
        self.router = f(self.router);
        self
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The router, guarded: every route's action is checked before it runs.
    pub fn into_router(self, state: &AppState) -> Router<AppState> {
        let table: HashMap<(Method, String), Action> =
            self.entries.into_iter().map(|e| ((e.method, e.path), e.action)).collect();
        let guard_state = Guard { state: state.clone(), table: Arc::new(table) };
        self.router.layer(axum::middleware::from_fn_with_state(guard_state, guard))
    }
}

#[derive(Clone)]
pub struct Guard {
    state: AppState,
    table: Arc<HashMap<(Method, String), Action>>,
}

/// The logged-in caller the guard found, for the handler's extractors
/// (`Ctx`, `ApiUser`) to take instead of looking again.
#[derive(Clone)]
pub struct Caller(pub CurrentUser);

/// The value of `{slug}` in `path`, matched against its template.
fn slug_of<'a>(template: &str, path: &'a str) -> Option<&'a str> {
    let at = template.split('/').position(|s| s == "{slug}")?;
    path.split('/').nth(at)
}

/// What the caller is in the request's mall: always [`Who::Anyone`], a
/// [`Who::Citizen`] when logged in, and their roles there; and the mall's
/// id ([`mpp_domain::tenancy::DEPLOYMENT`] when the route names no mall).
async fn holds(state: &AppState, user: &CurrentUser, slug: Option<&str>) -> Result<(Vec<Who>, MallId), AppError> {
    let mut holds = vec![Who::Anyone, Who::Citizen];
    if user.is_supervisor {
        holds.push(Who::NationalSupervisor);
    }
    let Some(slug) = slug else { return Ok((holds, mpp_domain::tenancy::DEPLOYMENT.clone())) };
    let mall = crate::tenancy::store::by_slug(&state.db, slug).await?;
    let access = crate::auth::store::access(&state.db, &user.id, &mall.id).await?;
    holds.extend(access.grants.iter().map(|g| Who::from(g.role)));
    Ok((holds, mall.id))
}

/// Whether a role works in (or oversees) the mall, beyond being a citizen.
fn works_there(w: Who) -> bool {
    matches!(w, Who::Officer | Who::AgencyAdmin | Who::MallAdmin | Who::NationalSupervisor)
}

/// Whether only people who work there may perform the action (so a
/// draft mall needs no extra check: the guard refuses everyone else).
fn staff_only(action: Action) -> bool {
    mpp_domain::policy::who_may(action).iter().all(|w| works_there(*w))
}

/// The middleware: refuses a caller the table does not allow.
pub async fn guard(State(g): State<Guard>, mut req: Request, next: Next) -> Response {
    let Some(template) = req.extensions().get::<MatchedPath>().map(|m| m.as_str().to_string()) else {
        return next.run(req).await;
    };
    let method = if req.method() == Method::HEAD { Method::GET } else { req.method().clone() };
    // A method the path does not have: the router answers 405 itself.
    let Some(&action) = g.table.get(&(method, template.clone())) else { return next.run(req).await };
    let api = req.uri().path().starts_with("/api/");
    let path = req.uri().path().to_string();
    let slug = slug_of(&template, &path);
    let draft = match slug {
        Some(s) if !staff_only(action) => {
            crate::tenancy::store::by_slug(&g.state.db, s).await.is_ok_and(|m| !m.is_published())
        }
        _ => false,
    };
    // A page's caller is looked up once, here, whenever a session cookie
    // comes (the page's `Ctx` and its error page take it from here); an
    // API caller only where the action needs one, or the mall is a draft.
    let user = if api {
        if !needs_login(action) && !draft {
            return next.run(req).await;
        }
        crate::auth::token::bearer_user(&g.state, req.headers()).await.ok()
    } else {
        match crate::auth::session::current_user(&g.state, req.headers()).await {
            Ok(u) => u,
            Err(e) => return crate::web::refusal(&req, &e.report()),
        }
    };
    if let Some(u) = &user {
        req.extensions_mut().insert(Caller(u.clone()));
    }
    // A draft mall is nobody's business but its staff's (and the
    // supervisor's): to everyone else it does not exist yet.
    if draft {
        let staff = match &user {
            Some(u) => holds(&g.state, u, slug).await.is_ok_and(|(h, _)| h.iter().any(|w| works_there(*w))),
            None => false,
        };
        if !staff {
            return crate::web::refusal(&req, &AppError::NotFound.report());
        }
    }
    if !needs_login(action) {
        return next.run(req).await;
    }
    let Some(user) = user else { return crate::web::refusal(&req, &AppError::Unauthorized.report()) };
    let mall_id = match holds(&g.state, &user, slug).await {
        Ok((holds, mall_id)) if allows(&holds, action) => mall_id,
        Ok(_) => return crate::web::refusal(&req, &AppError::Forbidden.report()),
        Err(e) => return crate::web::refusal(&req, &e.report()),
    };
    let method = req.method().clone();
    if method == Method::GET || method == Method::HEAD || trail(action) != Trail::Audit {
        return next.run(req).await;
    }
    // A change the handler did not record itself is recorded here, once it
    // has succeeded (a refused one changed nothing).
    let (resp, recorded) = crate::audit::watching(next.run(req)).await;
    let status = resp.status();
    if !recorded && (status.is_success() || status.is_redirection()) {
        let entry = crate::audit::Request {
            mall_id: &mall_id,
            actor: &user,
            action: action.as_str(),
            route: format!("{method} {template}"),
            path: &path,
            status: status.as_u16(),
        };
        // The change is made: answering 500 now would only invite a retry.
        if let Err(e) = crate::audit::request(&g.state.db, entry, g.state.clock.now_ms()).await {
            tracing::error!(error = ?e, %path, "could not record a change in the audit trail");
        }
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::slug_of;
    use mpp_domain::policy::{Action, who_may};

    /// docs/POLICY.md tells people who may do what; it must say what the
    /// table says, action by action.
    #[test]
    fn the_documented_table_is_the_table() {
        let doc = include_str!("../../../docs/POLICY.md");
        let documented: Vec<(String, String)> = doc
            .lines()
            .filter_map(|l| l.strip_prefix("| `"))
            .map(|l| {
                let mut cells = l.split(" | ");
                let action = cells.next().unwrap_or("").trim_end_matches('`').to_string();
                (action, cells.next().unwrap_or("").to_string())
            })
            .collect();
        let table: Vec<(String, String)> = Action::ALL
            .iter()
            .map(|a| {
                let who: Vec<&str> = who_may(*a).iter().map(|w| w.as_str()).collect();
                (a.as_str().to_string(), who.join(", "))
            })
            .collect();
        assert_eq!(documented, table);
    }

    #[test]
    fn the_slug_is_read_where_the_template_has_it() {
        assert_eq!(slug_of("/m/{slug}/loket/{number}", "/m/ttu/loket/3"), Some("ttu"));
        assert_eq!(slug_of("/api/v1/malls/{slug}/queue", "/api/v1/malls/kupang/queue"), Some("kupang"));
        assert_eq!(slug_of("/akun", "/akun"), None);
    }
}
