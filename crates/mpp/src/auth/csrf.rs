//! CSRF protection for every page form (the JSON API uses bearer tokens, not
//! cookies, so it needs none). Two checks, both must pass:
//! 1. Fetch metadata: a browser marks cross-site requests; those are refused.
//! 2. Double-submit token: a random token in an HttpOnly cookie must come
//!    back in the form's `_csrf` field (or, for file uploads, in the
//!    action's `_csrf` query parameter, since the multipart body is the
//!    handler's to stream).

use super::{random_token, same_secret};
use crate::error::{ErrorReport, problem_response};
use crate::state::AppState;
use crate::web::{CsrfToken, cookie, is_tls, lang_of, set_cookie};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

pub const COOKIE: &str = "mpp_csrf";
pub const FIELD: &str = "_csrf";

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let existing = cookie(req.headers(), COOKIE)
        .filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string);
    let token = existing.clone().unwrap_or_else(random_token);
    let secure = is_tls(&state, req.headers());
    let checked = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
        && !req.uri().path().starts_with("/api/");
    let mut req = if checked {
        match verify(req, existing.as_deref()).await {
            Ok(req) => req,
            Err(resp) => return resp,
        }
    } else {
        req
    };
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let mut resp = next.run(req).await;
    if existing.is_none() {
        resp.headers_mut().append(header::SET_COOKIE, set_cookie(COOKIE, &token, 7 * 24 * 3600, secure));
    }
    resp
}

async fn verify(req: Request, expected: Option<&str>) -> Result<Request, Response> {
    let lang = lang_of(req.headers());
    let refuse = || {
        let report = ErrorReport { status: StatusCode::FORBIDDEN, detail_key: "error.csrf", fields: vec![] };
        let mut resp = problem_response(&report, lang);
        resp.extensions_mut().insert(report);
        resp
    };
    let site = req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()).unwrap_or("none");
    if !matches!(site, "same-origin" | "none") {
        return Err(refuse());
    }
    let Some(expected) = expected else { return Err(refuse()) };
    let is_urlencoded = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_urlencoded {
        let in_query = req.uri().query().and_then(|q| field_of(q.as_bytes()));
        return match in_query {
            Some(t) if same_secret(&t, expected) => Ok(req),
            _ => Err(refuse()),
        };
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::input::MAX_BODY).await else {
        // Too large to be a form of ours: say so, not "expired".
        return Err(crate::web::refusal(&Request::from_parts(parts, Body::empty()), &crate::input::too_large()));
    };
    match field_of(&bytes) {
        Some(t) if same_secret(&t, expected) => Ok(Request::from_parts(parts, Body::from(bytes))),
        _ => Err(refuse()),
    }
}

fn field_of(form: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(form).ok()?;
    pairs.into_iter().find(|(k, _)| k == FIELD).map(|(_, v)| v)
}
