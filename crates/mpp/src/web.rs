//! Shared page plumbing: the request context every page gets (language,
//! user, CSRF token), rendering, the HTML error page, static assets and the
//! language toggle.

use crate::auth::session::{self, CurrentUser};
use crate::error::{AppError, AppResult, ErrorReport};
use crate::i18n::Tr;
use crate::state::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Query, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use mpp_domain::format::Lang;

pub const LANG_COOKIE: &str = "mpp_lang";

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value with our defaults: HttpOnly, SameSite=Lax, Path=/,
/// and Secure when the request arrived over TLS (or the operator says so).
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    set_cookie_on(name, value, max_age_secs, secure, "/", "Lax")
}

/// An HttpOnly cookie for one path, with the given SameSite.
pub fn set_cookie_on(
    name: &str,
    value: &str,
    max_age_secs: i64,
    secure: bool,
    path: &str,
    same_site: &str,
) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    let v = format!("{name}={value}; Path={path}; HttpOnly; SameSite={same_site}; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// A secret made by a post, carried to the page shown after it (post,
/// redirect, get: reloading makes nothing twice) in a cookie for that
/// page's path only, for a minute.
pub fn flash(resp: &mut Response, name: &str, value: &str, path: &str, secure: bool) {
    resp.headers_mut().append(header::SET_COOKIE, set_cookie_on(name, value, 60, secure, path, "Strict"));
}

/// Spends a flash once shown.
pub fn flash_shown(resp: &mut Response, name: &str, path: &str, secure: bool) {
    resp.headers_mut().append(header::SET_COOKIE, set_cookie_on(name, "", 0, secure, path, "Strict"));
}

pub fn is_tls(state: &AppState, headers: &HeaderMap) -> bool {
    state.secure_cookies || headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "https")
}

/// The absolute URL this request reached us under (scheme from the proxy's
/// `X-Forwarded-Proto`, host from `Host`), for documents that need absolute IRIs.
pub fn base_url(headers: &HeaderMap) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    let scheme = match headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
        Some("https") => "https",
        _ => "http",
    };
    format!("{scheme}://{host}")
}

pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE).and_then(Lang::parse).unwrap_or_default()
}

/// The CSRF token of this request, put in place by [`crate::auth::csrf::layer`].
#[derive(Clone)]
pub struct CsrfToken(pub String);

/// Everything a page template needs besides its own data.
#[derive(Clone)]
pub struct Ctx {
    pub t: Tr,
    pub user: Option<CurrentUser>,
    pub csrf: String,
    /// Path and query of this request, for "back here" links.
    pub here: String,
}

impl Ctx {
    pub fn lang(&self) -> Lang {
        self.t.lang
    }

    /// A static file's address for a template (see [`asset_url`]).
    pub fn asset(&self, name: &str) -> String {
        asset_url(name)
    }

    pub fn require_user(&self) -> AppResult<&CurrentUser> {
        self.user.as_ref().ok_or(AppError::Unauthorized)
    }

    /// The other language, for the toggle.
    pub fn other_lang(&self) -> &'static str {
        if self.t.lang == Lang::Id { "en" } else { "id" }
    }

    pub fn here_encoded(&self) -> String {
        url_encode(&self.here)
    }
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        // The policy guard has looked already on routes that need a login.
        let user = match parts.extensions.get::<crate::policy::Caller>() {
            Some(caller) => Some(caller.0.clone()),
            None => session::current_user(state, &parts.headers).await?,
        };
        let csrf = parts.extensions.get::<CsrfToken>().map(|c| c.0.clone()).unwrap_or_default();
        let here = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
        Ok(Ctx { t: Tr::new(lang_of(&parts.headers)), user, csrf, here })
    }
}

pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Renders a template into an HTML response.
pub fn render(page: &impl Template) -> AppResult<Response> {
    let body = page.render().map_err(|e| AppError::Internal(e.into()))?;
    Ok(Html(body).into_response())
}

/// The cache key of a page that every anonymous visitor sees the same (in
/// their language): asked without a session and without a query string.
pub fn shared_page_key(ctx: &Ctx) -> Option<String> {
    (ctx.user.is_none() && !ctx.here.contains('?')).then(|| format!("page:{}:{}", ctx.lang().code(), ctx.here))
}

/// Renders a page; a shared one (see [`shared_page_key`]) is rendered once
/// and kept in the configuration cache, which every admin write clears
/// (`cache.rs`), so a public page costs what the board costs.
pub async fn render_shared<T: Template>(
    state: &crate::state::AppState,
    key: Option<String>,
    page: impl Future<Output = AppResult<T>>,
) -> AppResult<Response> {
    let Some(key) = key else { return render(&page.await?) };
    let body: axum::body::Bytes = state
        .db
        .cache
        .get_or(key, || async {
            let html = page.await?.render().map_err(|e| AppError::Internal(e.into()))?;
            Ok::<_, AppError>(axum::body::Bytes::from(html))
        })
        .await?;
    Ok(Html(body).into_response())
}

/// Renders with a status other than 200 (a form shown again with its errors).
pub fn render_status(status: StatusCode, page: &impl Template) -> AppResult<Response> {
    let mut resp = render(page)?;
    *resp.status_mut() = status;
    Ok(resp)
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: Ctx,
    status: u16,
    message: String,
    fields: Vec<String>,
}

/// Middleware for page routers: an error response becomes a page in the
/// visitor's language; "login required" becomes a redirect to the login page.
pub async fn html_errors(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let here = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let csrf = req.extensions().get::<CsrfToken>().map(|c| c.0.clone()).unwrap_or_default();
    let user = caller_of(&req);
    let resp = next.run(req).await;
    match resp.extensions().get::<ErrorReport>().cloned() {
        Some(report) => error_page(&report, lang, here, csrf, user),
        None => match crate::error::rejection_report(resp).await {
            Ok(report) => error_page(&report, lang, here, csrf, user),
            Err(resp) => resp,
        },
    }
}

/// A refusal before any handler ran (bad input, no permission), as the
/// API or a page answers it: a problem document under `/api/` (401 with
/// `WWW-Authenticate: Bearer`), a page in the visitor's language
/// elsewhere (401: to the login page and back).
pub fn refusal(req: &Request, report: &crate::error::ErrorReport) -> Response {
    if req.uri().path().starts_with("/api/") {
        let mut resp = crate::error::problem_response(report, crate::api::accept_lang(req.headers()));
        if report.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, axum::http::HeaderValue::from_static("Bearer"));
        }
        return resp;
    }
    let csrf = req.extensions().get::<CsrfToken>().map(|c| c.0.clone()).unwrap_or_default();
    let here = req.uri().path_and_query().map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
    error_page(report, lang_of(req.headers()), here, csrf, caller_of(req))
}

/// The logged-in user the policy guard found for this request, if any.
fn caller_of(req: &Request) -> Option<session::CurrentUser> {
    req.extensions().get::<crate::policy::Caller>().map(|c| c.0.clone())
}

/// The page shown for an error report.
/// `user`: who is logged in, so the page's navigation is theirs (a 403
/// page offering "log in" to someone logged in reads as a broken login).
pub fn error_page(
    report: &ErrorReport,
    lang: Lang,
    here: String,
    csrf: String,
    user: Option<session::CurrentUser>,
) -> Response {
    if report.status == StatusCode::UNAUTHORIZED {
        return Redirect::to(&format!("/masuk?next={}", url_encode(&here))).into_response();
    }
    let t = Tr::new(lang);
    let page = ErrorPage {
        ctx: Ctx { t, user, csrf, here },
        status: report.status.as_u16(),
        message: t.t(report.detail_key).to_string(),
        fields: report.fields.iter().map(|f| format!("{}: {}", f.field, t.t(f.key))).collect(),
    };
    let mut out = match render(&page) {
        Ok(r) => r,
        Err(_) => return (report.status, t.t(report.detail_key)).into_response(),
    };
    *out.status_mut() = report.status;
    out
}

#[derive(serde::Deserialize)]
pub struct LangQuery {
    next: Option<String>,
}

/// `GET /bahasa/{id|en}?next=…`: remembers the language for a year.
pub async fn set_lang(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Path(code): axum::extract::Path<String>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> AppResult<Response> {
    let lang = Lang::parse(&code).ok_or(AppError::NotFound)?;
    let next = safe_next(q.next.as_deref());
    let mut resp = Redirect::to(next).into_response();
    resp.headers_mut()
        .append(header::SET_COOKIE, set_cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600, is_tls(&state, &headers)));
    Ok(resp)
}

/// Only local paths are followed after a redirect, never another site.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n,
        _ => "/",
    }
}

/// The static files, embedded in the binary: (name, body, content type).
const ASSETS: &[(&str, &str, &str)] = &[
    ("mpp.css", include_str!("../static/mpp.css"), "text/css; charset=utf-8"),
    ("favicon.svg", include_str!("../static/favicon.svg"), "image/svg+xml"),
    ("kiosk.js", include_str!("../static/kiosk.js"), "text/javascript; charset=utf-8"),
    ("board.js", include_str!("../static/board.js"), "text/javascript; charset=utf-8"),
    ("board-queue.js", include_str!("../static/board-queue.js"), "text/javascript; charset=utf-8"),
    ("live.js", include_str!("../static/live.js"), "text/javascript; charset=utf-8"),
    ("region.js", include_str!("../static/region.js"), "text/javascript; charset=utf-8"),
];

/// Each static file's name with its content's fingerprint in it
/// (`mpp.3f9a2b1c04.css`): pages link to these, so a browser (or a slow
/// phone's proxy) may keep them for a year and still never use a stale one.
fn fingerprinted() -> &'static std::collections::HashMap<&'static str, String> {
    static NAMES: std::sync::OnceLock<std::collections::HashMap<&'static str, String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        use sha2::Digest;
        ASSETS
            .iter()
            .map(|(name, body, _)| {
                let hash = crate::auth::hex(&sha2::Sha256::digest(body.as_bytes()));
                let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
                (*name, format!("{stem}.{}.{ext}", &hash[..10]))
            })
            .collect()
    })
}

/// The address a page links a static file by (its fingerprinted name).
pub fn asset_url(name: &str) -> String {
    match fingerprinted().get(name) {
        Some(versioned) => format!("/static/{versioned}"),
        None => format!("/static/{name}"),
    }
}

/// A static file: by its fingerprinted name, cached for a year
/// (immutable); by its plain name (an old link), for a day.
pub async fn static_asset(axum::extract::Path(name): axum::extract::Path<String>) -> Response {
    let versioned = fingerprinted().iter().find(|(_, v)| **v == name).map(|(plain, _)| *plain);
    let plain = versioned.unwrap_or(name.as_str());
    let Some((_, body, kind)) = ASSETS.iter().find(|(n, ..)| *n == plain) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if versioned.is_some() { "public, max-age=31536000, immutable" } else { "public, max-age=86400" };
    ([(header::CONTENT_TYPE, *kind), (header::CACHE_CONTROL, cache)], *body).into_response()
}
