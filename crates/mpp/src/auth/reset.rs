//! "Lupa kata sandi": a citizen (or anyone with an account) asks for a
//! link by email and sets a new password with it.
//!
//! - The answer is the same whether an account has that address or not,
//!   and takes the same path (no account enumeration).
//! - The link's secret is random; only its SHA-256 is kept; it works once
//!   and for [`LIFETIME_MS`]; setting a password ends every session of the
//!   account and spends every other link.
//! - Asking is throttled per address and per account (no mail bombing),
//!   silently: a throttled request looks like any other.
//! - The email never reaches the log (`notify::Message::secret`).

use super::{password, random_token, token_hash};
use crate::client_addr::ClientAddr;
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::web::{Ctx, render, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::policy::Action;
use mpp_domain::throttle::Limit;

/// How long a link works.
pub const LIFETIME_MS: i64 = 30 * 60 * 1000;
/// Requests per address, and per account, an hour.
const PER_ADDRESS: Limit = Limit { max_failures: 5, window_ms: 3600 * 1000 };
const PER_ACCOUNT: Limit = Limit { max_failures: 3, window_ms: 3600 * 1000 };

pub fn router() -> Routes {
    Routes::new()
        .get("/lupa-sandi", Action::ReadPublic, ask_page)
        .post("/lupa-sandi", Action::SignIn, ask)
        .get("/atur-sandi/{token}", Action::ReadPublic, set_page)
        .post("/atur-sandi/{token}", Action::SignIn, set)
}

#[derive(Template)]
#[template(path = "auth/forgot.html")]
struct AskPage {
    ctx: Ctx,
    email: String,
    sent: bool,
}

async fn ask_page(ctx: Ctx) -> AppResult<Response> {
    render(&AskPage { ctx, email: String::new(), sent: false })
}

async fn ask(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(from): ClientAddr,
    headers: HeaderMap,
    form: Posted,
) -> AppResult<Response> {
    let email = form.get("email").to_lowercase();
    let now = state.clock.now_ms();
    let (by_address, by_account) = (format!("reset/address/{from}"), format!("reset/account/{email}"));
    let throttled = crate::throttle::blocked(&state.db, &by_address, PER_ADDRESS, now).await?
        || crate::throttle::blocked(&state.db, &by_account, PER_ACCOUNT, now).await?;
    crate::throttle::count(&state.db, &by_address, PER_ADDRESS, now).await?;
    crate::throttle::count(&state.db, &by_account, PER_ACCOUNT, now).await?;
    if !throttled && let Some(user) = super::store::find_by_email(&state.db, &email).await? {
        let link = issue_link(&state, &user.id, LIFETIME_MS, &crate::web::base_url(&headers)).await?;
        let m = crate::notify::Message {
            kind: "password-reset".into(),
            to_email: user.email.clone(),
            subject: ctx.t.t("reset.email_subject").to_string(),
            body: ctx.t.f("reset.email_body", &[("name", &user.name), ("link", &link)]),
            secret: true,
            ..Default::default()
        };
        crate::notify::enqueue(&state, &m).await?;
    }
    // The same page whether or not an account has this address.
    render(&AskPage { ctx, email, sent: true })
}

/// Makes a one-time link that sets this account's password, working for
/// `lifetime_ms`; only its hash is kept. Also what the staff page sends a
/// new member (`staff`), with a longer life.
pub async fn issue_link(state: &AppState, user_id: &str, lifetime_ms: i64, base_url: &str) -> AppResult<String> {
    let secret = random_token();
    let now = state.clock.now_ms();
    super::store::insert_reset(&state.db, &token_hash(&secret), user_id, now, now + lifetime_ms).await?;
    Ok(format!("{base_url}/atur-sandi/{secret}"))
}

#[derive(Template)]
#[template(path = "auth/reset.html")]
struct SetPage {
    ctx: Ctx,
    token: String,
    errors: Vec<FieldError>,
}

impl SetPage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.key)
    }
}

/// The account a live link is for.
async fn live(state: &AppState, token: &str) -> AppResult<String> {
    let user = super::store::reset_user(&state.db, &token_hash(token), state.clock.now_ms()).await?;
    user.ok_or(AppError::Conflict("reset.link_dead"))
}

async fn set_page(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> AppResult<Response> {
    live(&state, &token).await?;
    render(&SetPage { ctx, token, errors: vec![] })
}

async fn set(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>, form: Posted) -> AppResult<Response> {
    let user_id = live(&state, &token).await?;
    let (new, again) = (form.get("password"), form.get("password_again"));
    let mut errors = Vec::new();
    if new.chars().count() < password::MIN_LENGTH || new.len() > 1024 {
        errors.push(FieldError::new("password", "auth.password_short"));
    } else if new != again {
        errors.push(FieldError::new("password_again", "auth.password_mismatch"));
    }
    if !errors.is_empty() {
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &SetPage { ctx, token, errors });
    }
    let hash = password::hash_async(new).await.map_err(AppError::Internal)?;
    let now = state.clock.now_ms();
    let actor = crate::auth::session::CurrentUser {
        id: user_id.clone(),
        email: String::new(),
        name: "(the account's owner, by an emailed link)".into(),
        is_supervisor: false,
        has_work: false,
    };
    let change = crate::audit::Change {
        mall_id: &mpp_domain::tenancy::DEPLOYMENT,
        actor: &actor,
        action: "update",
        entity: "password",
        entity_id: &user_id,
        before: None,
        after: None,
    };
    let entry = crate::audit::entry(change, now);
    super::store::spend_reset(&state.db, &token_hash(&token), &user_id, hash, entry, now).await?;
    state.db.cache.clear();
    Ok(Redirect::to("/masuk?sandi=baru").into_response())
}
