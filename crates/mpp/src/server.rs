//! Assembles the application: one router per feature, the shared layers,
//! and the listener. Tests call [`serve`] exactly as `mpp serve` does.

use crate::agreements::Agreements;
use crate::bundle::definition::Bundles;
use crate::calendar::admin::Days;
use crate::catalog::{agencies::Agencies, counters::Counters, facilities::Facilities, services::Services};
use crate::exchange::clients::Clients as ExchangeClients;
use crate::policy::Routes;
use crate::state::AppState;
use crate::{
    agreements, api, application, audit, auth, booking, calendar, catalog, certificate, crud, metrics, openapi,
    payment, region, tenancy, visit, web,
};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::middleware;
use axum::response::IntoResponse;
use mpp_domain::policy::Action;
use std::net::SocketAddr;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// Every route of the server, each with its action (`policy.rs`): the
/// pages, the JSON API and the plumbing.
pub fn routes() -> Routes {
    let pages = Routes::new()
        .merge(catalog::public::router())
        .merge(auth::routes::router())
        .merge(auth::reset::router())
        .merge(tenancy::routes::router())
        .merge(crud::routes::<Services>())
        .merge(crud::routes::<Bundles>())
        .merge(crate::bundle::pages::router())
        .merge(crud::routes::<Agencies>())
        .merge(crud::routes::<Counters>())
        .merge(crud::routes::<Facilities>())
        .merge(crud::routes::<Days>())
        .merge(calendar::admin::router())
        .merge(crud::routes::<Agreements>())
        .merge(crud::routes::<ExchangeClients>())
        .merge(crate::exchange::pages())
        .merge(agreements::router())
        .merge(audit::routes::router())
        .merge(crate::access::router())
        .merge(crate::profile::router())
        .merge(crate::consent::router())
        .merge(crate::rights::router())
        .merge(crate::breach::router())
        .merge(visit::kiosk::router())
        .merge(visit::console::router())
        .merge(visit::greeter::router())
        .merge(visit::stats::router())
        .merge(visit::settings::router())
        .merge(visit::board::router())
        .merge(visit::ticket::router())
        .merge(booking::pages::router())
        .merge(application::router())
        .merge(certificate::router())
        .merge(payment::router())
        .merge(crate::document::router())
        .merge(crate::device::router())
        .merge(crate::staff::router())
        .get("/bahasa/{code}", Action::ReadPublic, web::set_lang)
        .map(|r| {
            r.layer(middleware::from_fn(web::html_errors))
                .layer(axum::extract::DefaultBodyLimit::max(crate::forms::MAX_MULTIPART))
        });
    let api = Routes::new()
        .merge(catalog::api::router())
        .merge(visit::api::router())
        .merge(visit::settings::api_router())
        .merge(booking::api::router())
        .merge(application::api::router())
        .merge(application::setup::api_router())
        .merge(certificate::api::router())
        .merge(payment::webhook::router())
        .merge(region::router())
        .merge(crud::api_routes::<Services>())
        .merge(crud::api_routes::<Bundles>())
        .merge(crud::api_routes::<Agencies>())
        .merge(crud::api_routes::<Counters>())
        .merge(crud::api_routes::<Facilities>())
        .merge(crud::api_routes::<Days>())
        .merge(crud::api_routes::<Agreements>())
        .merge(crud::api_routes::<ExchangeClients>())
        .merge(crate::exchange::router())
        .get("/api/openapi.json", Action::ReadPublic, openapi::document)
        .map(|r| {
            r.layer(middleware::from_fn(api::problems))
                .layer(axum::extract::DefaultBodyLimit::max(crate::input::MAX_BODY))
        });
    let plumbing = Routes::new()
        .get("/healthz", Action::ReadPublic, healthz)
        .get("/metrics", Action::ReadMetrics, metrics_text)
        .get("/static/{name}", Action::ReadPublic, web::static_asset);
    pages.merge(api).merge(plumbing)
}

pub fn app(state: AppState) -> Router {
    routes()
        .into_router(&state)
        .fallback(fallback)
        .layer(middleware::from_fn(crate::input::guard))
        .layer(middleware::from_fn_with_state(state.clone(), auth::csrf::layer))
        .layer(middleware::from_fn_with_state(state.metrics.clone(), metrics::track))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(CompressionLayer::new())
        // One structured line per request at INFO: method, path, status, latency.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// Unknown paths: a page in the visitor's language, or a problem document under /api.
async fn fallback(State(state): State<AppState>, req: axum::extract::Request) -> axum::response::Response {
    let report = crate::error::AppError::NotFound.report();
    if req.uri().path().starts_with("/api/") {
        return crate::error::problem_response(&report, mpp_domain::format::Lang::En);
    }
    let here = req.uri().path().to_string();
    let csrf = req.extensions().get::<web::CsrfToken>().map(|c| c.0.clone()).unwrap_or_default();
    let user = crate::auth::session::current_user(&state, req.headers()).await.ok().flatten();
    web::error_page(&report, web::lang_of(req.headers()), here, csrf, user)
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.db.ping().await {
        (axum::http::StatusCode::OK, axum::Json(serde_json::json!({"status": "ok"})))
    } else {
        (axum::http::StatusCode::SERVICE_UNAVAILABLE, axum::Json(serde_json::json!({"status": "database unreachable"})))
    }
}

/// The figures, for a scraper holding the metrics token: they tell who
/// uses which route how often, which is no one else's business. Without a
/// configured token the route does not exist.
async fn metrics_text(State(state): State<AppState>, headers: axum::http::HeaderMap) -> axum::response::Response {
    let Some(token) = state.metrics_token.as_deref() else {
        return crate::error::AppError::NotFound.into_response();
    };
    let sent = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    if !sent.is_some_and(|s| crate::auth::same_secret(s.trim(), token)) {
        let mut r = crate::error::AppError::Unauthorized.into_response();
        r.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return r;
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.metrics.render()).into_response()
}

/// Serves until Ctrl-C / SIGTERM, finishing in-flight requests.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> anyhow::Result<()> {
    crate::notify::spawn_worker(state.clone());
    spawn_housekeeping(state.clone());
    spawn_statistics(state.clone());
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

/// Periodic chores: bookings whose grace period passed become no-shows,
/// overdue steps are deemed approved, expired sessions and old throttle
/// counts are deleted, each mall's day's chain heads are signed.
fn spawn_housekeeping(state: AppState) {
    tokio::spawn(async move {
        loop {
            let now = state.clock.now_ms();
            match crate::auth::session::purge_expired(&state.db, now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(sessions = n, "deleted expired sessions"),
                Err(e) => tracing::warn!(error = ?e, "session purge failed"),
            }
            if let Err(e) = crate::throttle::purge(&state.db, now).await {
                tracing::warn!(error = ?e, "throttle purge failed");
            }
            match crate::booking::store::sweep_no_shows(&state.db, state.clock.now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(bookings = n, "marked bookings as no-shows"),
                Err(e) => tracing::warn!(error = ?e, "housekeeping failed"),
            }
            match crate::audit::head::sign_due(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(statements = n, "signed the day's chain heads"),
                Err(e) => tracing::warn!(error = ?e, "signing the chain heads failed"),
            }
            match crate::application::flow::deem_overdue(&state).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(steps = n, "steps deemed approved after their deadline"),
                Err(e) => tracing::warn!(error = ?e, "deemed approvals failed"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(30)).await;
        }
    });
}

/// Keeps PostgreSQL's planner statistics current between autovacuum's
/// rounds (a minute apart by default): see `Db::refresh_statistics`. It
/// looks every second (a read of the server's counters, about a
/// millisecond), so that a new mall's first busy seconds already have them.
fn spawn_statistics(state: AppState) {
    if state.db.dialect != crate::db::Dialect::Postgres {
        return;
    }
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            match state.db.refresh_statistics().await {
                Ok(tables) if !tables.is_empty() => tracing::debug!(?tables, "analysed"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = ?e, "could not refresh the planner's statistics"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { () = ctrl_c => {}, () = term => {} }
}
