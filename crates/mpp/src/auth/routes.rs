//! Pages to log in, register (citizens register themselves), log out, and
//! the account page where a user sees their roles and makes API tokens.

use super::{password, session, store, token};
use crate::client_addr::ClientAddr;
use crate::error::{AppError, AppResult, FieldError};
use crate::policy::Routes;
use crate::state::AppState;
use crate::web::{Ctx, is_tls, render, render_status, safe_next, set_cookie};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::policy::Action;
use mpp_domain::throttle::{self, Gate};

pub fn router() -> Routes {
    Routes::new()
        .get("/masuk", Action::ReadPublic, login_page)
        .post("/masuk", Action::SignIn, login)
        .get("/daftar", Action::ReadPublic, register_page)
        .post("/daftar", Action::SignIn, register)
        .post("/keluar", Action::OwnAccount, logout)
        .get("/akun", Action::OwnAccount, account)
        .post("/akun/token", Action::OwnAccount, create_token)
        .post("/akun/token/{id}/cabut", Action::OwnAccount, revoke_token)
}

#[derive(Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: Ctx,
    next: String,
    email: String,
    error: Option<&'static str>,
    /// Just set a new password (`?sandi=baru`).
    password_set: bool,
}

#[derive(serde::Deserialize)]
struct NextQuery {
    next: Option<String>,
    sandi: Option<String>,
}

async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> AppResult<Response> {
    let next = safe_next(q.next.as_deref()).to_string();
    let password_set = q.sandi.as_deref() == Some("baru");
    render(&LoginPage { ctx, next, email: String::new(), error: None, password_set })
}

#[derive(serde::Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(ip): ClientAddr,
    headers: HeaderMap,
    ctx: Ctx,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(form.next.as_deref()).to_string();
    let email = form.email.trim().to_lowercase();
    let (account, address) = (format!("login/account/{email}"), format!("login/address/{ip}"));
    let now = state.clock.now_ms();
    let again = |ctx: Ctx, status, error| {
        let page = LoginPage { ctx, next: next.clone(), email: email.clone(), error: Some(error), password_set: false };
        render_status(status, &page)
    };
    let gate = throttle::login(
        crate::throttle::blocked(&state.db, &account, throttle::LOGIN_ACCOUNT, now).await?,
        crate::throttle::blocked(&state.db, &address, throttle::LOGIN_ADDRESS, now).await?,
    );
    if gate == Gate::Closed {
        return again(ctx, StatusCode::TOO_MANY_REQUESTS, "auth.too_many");
    }
    let user = store::find_by_email(&state.db, &email).await?;
    let ok = match &user {
        Some(u) => password::verify_async(form.password, u.password_hash.clone()).await,
        None => false,
    };
    let Some(user) = user.filter(|_| ok) else {
        crate::throttle::count(&state.db, &account, throttle::LOGIN_ACCOUNT, now).await?;
        crate::throttle::count(&state.db, &address, throttle::LOGIN_ADDRESS, now).await?;
        tracing::info!(%ip, "login failed");
        return match gate {
            Gate::Suspect => again(ctx, StatusCode::TOO_MANY_REQUESTS, "auth.too_many"),
            _ => again(ctx, StatusCode::UNAUTHORIZED, "auth.bad_login"),
        };
    };
    crate::throttle::clear(&state.db, &account).await?;
    let token = session::create(&state, &user.id).await?;
    let mut resp = Redirect::to(&next).into_response();
    let cookie = set_cookie(session::COOKIE, &token, session::LIFETIME_MS / 1000, is_tls(&state, &headers));
    resp.headers_mut().append(header::SET_COOKIE, cookie);
    Ok(resp)
}

#[derive(Template)]
#[template(path = "auth/register.html")]
struct RegisterPage {
    ctx: Ctx,
    name: String,
    email: String,
    errors: Vec<FieldError>,
}

impl RegisterPage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.key)
    }
}

async fn register_page(ctx: Ctx) -> AppResult<Response> {
    render(&RegisterPage { ctx, name: String::new(), email: String::new(), errors: vec![] })
}

#[derive(serde::Deserialize)]
struct RegisterForm {
    name: String,
    email: String,
    password: String,
    password_again: String,
}

/// Checks a registration; returns every problem at once.
fn check_registration(f: &RegisterForm) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > mpp_domain::catalog::limits::NAME {
        errors.push(FieldError::new("name", "auth.name_invalid"));
    }
    let email = f.email.trim();
    let plausible = email.len() <= 254
        && email.split_once('@').is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'))
        && !email.contains(char::is_whitespace);
    if !plausible {
        errors.push(FieldError::new("email", "auth.email_invalid"));
    }
    if f.password.chars().count() < password::MIN_LENGTH || f.password.len() > 1024 {
        errors.push(FieldError::new("password", "auth.password_short"));
    } else if f.password != f.password_again {
        errors.push(FieldError::new("password_again", "auth.password_mismatch"));
    }
    errors
}

async fn register(
    State(state): State<AppState>,
    headers: HeaderMap,
    ctx: Ctx,
    Form(form): Form<RegisterForm>,
) -> AppResult<Response> {
    let mut errors = check_registration(&form);
    if errors.is_empty() {
        let hash = password::hash_async(form.password.clone()).await?;
        match store::create_user(&state.db, &form.email, &form.name, &hash, state.clock.now_ms()).await {
            Ok(user_id) => {
                let token = session::create(&state, &user_id).await?;
                let mut resp = Redirect::to("/akun").into_response();
                let cookie = set_cookie(session::COOKIE, &token, session::LIFETIME_MS / 1000, is_tls(&state, &headers));
                resp.headers_mut().append(header::SET_COOKIE, cookie);
                return Ok(resp);
            }
            Err(AppError::Invalid(mut e)) => errors.append(&mut e),
            Err(e) => return Err(e),
        }
    }
    let page = RegisterPage { ctx, name: form.name, email: form.email, errors };
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    session::destroy(&state, &headers).await?;
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().append(header::SET_COOKIE, set_cookie(session::COOKIE, "", 0, is_tls(&state, &headers)));
    Ok(resp)
}

#[derive(Template)]
#[template(path = "auth/account.html")]
struct AccountPage {
    ctx: Ctx,
    roles: Vec<(String, String, String)>,
    malls: Vec<(String, String)>,
    new_token: Option<String>,
    /// (id, name, made, last used or "", valid until).
    tokens: Vec<(String, String, String, String, String)>,
}

async fn account_page(state: &AppState, ctx: Ctx, new_token: Option<String>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let roles = store::roles_of(&state.db, &user.id).await?;
    let malls = if user.is_supervisor { crate::tenancy::store::list(&state.db).await? } else { vec![] };
    let malls = malls.into_iter().map(|m| (m.slug, m.name)).collect();
    // Times in WIB: tokens belong to no mall, and most users read them in one zone.
    let zone = mpp_domain::tenancy::TimeZone::Wib;
    let at = |ms: i64| mpp_domain::format::instant(ms, zone, ctx.lang());
    let tokens = token::of_user(state, &user.id)
        .await?
        .into_iter()
        .map(|t| {
            let used = t.last_used_at.map(at).unwrap_or_else(|| ctx.t.t("account.token_unused").to_string());
            (t.id, t.name, at(t.created_at), used, at(t.expires_at))
        })
        .collect();
    render(&AccountPage { ctx, roles, malls, new_token, tokens })
}

async fn account(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    account_page(&state, ctx, None).await
}

#[derive(serde::Deserialize)]
struct TokenForm {
    name: String,
}

/// Revokes one of the user's own tokens.
async fn revoke_token(
    State(state): State<AppState>,
    ctx: Ctx,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    if !token::revoke(&state, &user.id, &id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/akun#token").into_response())
}

async fn create_token(State(state): State<AppState>, ctx: Ctx, Form(form): Form<TokenForm>) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let name = form.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(AppError::invalid("name", "auth.token_name_invalid"));
    }
    let token = token::create(&state, &user.id, name).await?;
    account_page(&state, ctx, Some(token)).await
}
