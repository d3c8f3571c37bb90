//! Shared plumbing of the JSON API (`/api/v1`): bodies that fail to parse
//! become RFC 9457 problem documents, writes authenticate with a bearer
//! token, and problem documents speak the client's language
//! (`Accept-Language: id` → Indonesian, English otherwise).

use crate::auth::session::CurrentUser;
use crate::error::{AppError, ErrorReport, FieldError, problem_response};
use crate::state::AppState;
use crate::tenancy::BackOffice;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mpp_domain::format::Lang;
use serde::de::DeserializeOwned;

/// A JSON body; any failure to read it is a problem document, never a plain-text error.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                // Wrong type or unknown field: say which, as a field error.
                let detail = e.body_text();
                let field = field_of(&detail).unwrap_or("body").to_string();
                tracing::info!(%detail, "API body does not match the schema");
                Err(AppError::Invalid(vec![FieldError::new(field, "error.bad_field")]))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => Err(AppError::BadRequest("error.not_json")),
            Err(_) => Err(AppError::BadRequest("error.bad_json")),
        }
    }
}

/// The owner of the request's bearer token. Taken before the body, so a
/// request without a valid token is 401 whatever it carries.
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<crate::policy::Caller>() {
            return Ok(ApiUser(caller.0.clone()));
        }
        Ok(ApiUser(crate::auth::token::bearer_user(state, &parts.headers).await?))
    }
}

impl ApiUser {
    /// The back office of a mall, as this token's owner.
    pub async fn back_office(self, state: &AppState, slug: &str) -> Result<BackOffice, AppError> {
        BackOffice::for_user(state, self.0, slug).await
    }
}

/// Middleware for API routers: re-renders problem documents in Indonesian
/// when the client asks for it, and adds `WWW-Authenticate` to 401s.
pub async fn problems(req: Request, next: Next) -> Response {
    let lang = accept_lang(req.headers());
    let resp = next.run(req).await;
    let (report, resp) = match resp.extensions().get::<ErrorReport>().cloned() {
        Some(report) => (report, Some(resp)),
        None => match crate::error::rejection_report(resp).await {
            Ok(report) => (report, None),
            Err(resp) => return resp,
        },
    };
    let mut out = match resp {
        Some(resp) if lang == Lang::En => resp,
        _ => problem_response(&report, lang),
    };
    if report.status == StatusCode::UNAUTHORIZED {
        out.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    }
    out
}

/// The API client's language: Indonesian when `Accept-Language` starts with `id`.
pub fn accept_lang(headers: &axum::http::HeaderMap) -> Lang {
    match headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()) {
        Some(v) if v.trim_start().starts_with("id") => Lang::Id,
        _ => Lang::En,
    }
}

/// `201 Created` with a `Location` and the stored record.
pub fn created(location: String, body: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, [(header::LOCATION, location)], axum::Json(body)).into_response()
}

/// A record sent back as it was read: the fields a record only shows (its
/// id, file details …) are dropped rather than refused, so a client can read
/// a record, change a field and write it back. Anything else unknown is
/// still refused, naming the field.
pub fn record_from<T: DeserializeOwned>(mut body: serde_json::Value, shown_only: &[String]) -> Result<T, AppError> {
    if let serde_json::Value::Object(fields) = &mut body {
        for name in shown_only {
            fields.remove(name);
        }
    }
    serde_path_to_error::deserialize(body).map_err(|e| {
        let path = e.path().to_string();
        let detail = e.inner().to_string();
        tracing::info!(%path, %detail, "API body does not match the schema");
        let field = match field_of(&detail) {
            Some(f) => f.to_string(),
            None if path != "." => path.rsplit('.').next().unwrap_or("body").to_string(),
            None => "body".to_string(),
        };
        AppError::Invalid(vec![FieldError::new(field, "error.bad_field")])
    })
}

/// The field a serde error is about: `unknown field `x``, or the path
/// before the colon in "…target type: sla_days: invalid type …".
pub(crate) fn field_of(detail: &str) -> Option<&str> {
    for marker in ["unknown field `", "missing field `"] {
        if let Some(rest) = detail.split(marker).nth(1) {
            return rest.split('`').next();
        }
    }
    let after = detail.split("target type: ").nth(1)?;
    let path = after.split(": ").next()?;
    let last = path.rsplit('.').next()?;
    last.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_').then_some(last)
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_the_field_serde_complains_about() {
        let t = "Failed to deserialize the JSON body into the target type: sla_days: invalid type: string \"dua\", expected i64 at line 1 column 9";
        assert_eq!(super::field_of(t), Some("sla_days"));
        let u = "Failed to deserialize the JSON body into the target type: unknown field `colour`, expected one of `agency`";
        assert_eq!(super::field_of(u), Some("colour"));
        assert_eq!(super::field_of("something else"), None);
    }
}
