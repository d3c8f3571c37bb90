//! Errors are values (DESIGN.md principle 6). Features return `AppError`;
//! it becomes a response once, here: an RFC 9457 problem document. Page
//! routers pass responses through [`crate::web::html_errors`], which turns
//! the same error into a friendly page in the visitor's language.
//!
//! Policy: feature code returns the specific variant; `Internal` wraps
//! anything unexpected (database down, I/O) and is logged, never shown.

use crate::i18n::Tr;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mpp_domain::format::Lang;

/// A message about one input field, by catalogue key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub key: &'static str,
}

impl FieldError {
    pub fn new(field: impl Into<String>, key: &'static str) -> Self {
        Self { field: field.into(), key }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("login required")]
    Unauthorized,
    /// A caller that is not who it claims (a forged or stale signature);
    /// 401 with the reason.
    #[error("not authenticated: {0}")]
    NotAuthentic(&'static str),
    #[error("forbidden")]
    Forbidden,
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// The request is fine but the thing it acts on is not in a state that
    /// allows it (a counter already serving someone, a ticket already called).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// A body larger than any form of ours (413).
    #[error("payload too large")]
    PayloadTooLarge,
    /// Too many failed guesses from this client or at this record
    /// (`mpp_domain::throttle`): 429 until the window passes.
    #[error("too many attempts: {0}")]
    TooMany(&'static str),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::Internal(e.into())
    }
}

impl AppError {
    pub fn invalid(field: &str, key: &'static str) -> Self {
        AppError::Invalid(vec![FieldError::new(field, key)])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized | AppError::NotAuthentic(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// For a refusal or invalid input, the message to show beside the form
    /// the user sent (the first field's, for invalid input); `None` for
    /// errors that are not about what they asked.
    pub fn form_message(&self) -> Option<&'static str> {
        match self {
            AppError::Conflict(key) | AppError::BadRequest(key) | AppError::TooMany(key) => Some(key),
            AppError::Invalid(fields) => Some(fields.first().map_or("error.invalid", |f| f.key)),
            _ => None,
        }
    }

    /// Catalogue key of the one-line explanation.
    pub fn detail_key(&self) -> &'static str {
        match self {
            AppError::NotFound => "error.not_found",
            AppError::Unauthorized => "error.unauthorized",
            AppError::Forbidden => "error.forbidden",
            AppError::BadRequest(key)
            | AppError::Conflict(key)
            | AppError::NotAuthentic(key)
            | AppError::TooMany(key) => key,
            AppError::Invalid(_) => "error.invalid",
            AppError::PayloadTooLarge => "error.too_large",
            AppError::Internal(_) => "error.internal",
        }
    }

    /// The rendering both kinds of clients need, detached from the error.
    pub fn report(&self) -> ErrorReport {
        ErrorReport {
            status: self.status(),
            detail_key: self.detail_key(),
            fields: match self {
                AppError::Invalid(f) => f.clone(),
                _ => Vec::new(),
            },
        }
    }
}

/// What a response carries (as an extension) so a page router can re-render it.
#[derive(Debug, Clone)]
pub struct ErrorReport {
    pub status: StatusCode,
    pub detail_key: &'static str,
    pub fields: Vec<FieldError>,
}

impl ErrorReport {
    /// An RFC 9457 problem document; titles and details in the given language.
    pub fn problem(&self, lang: Lang) -> serde_json::Value {
        let tr = Tr::new(lang);
        let errors: Vec<_> = self
            .fields
            .iter()
            .map(|f| serde_json::json!({"field": f.field, "code": f.key, "message": tr.t(f.key)}))
            .collect();
        let mut doc = serde_json::json!({
            "type": format!("/problems/{}", self.detail_key.trim_start_matches("error.").replace('.', "-")),
            "title": self.status.canonical_reason().unwrap_or("Error"),
            "status": self.status.as_u16(),
            "detail": tr.t(self.detail_key),
        });
        if !errors.is_empty() {
            doc["errors"] = serde_json::Value::Array(errors);
        }
        doc
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(e) = &self {
            tracing::error!(error = ?e, "internal error");
        }
        let report = self.report();
        problem_response(&report, Lang::En)
    }
}

pub fn problem_response(report: &ErrorReport, lang: Lang) -> Response {
    let body = report.problem(lang).to_string();
    let mut resp =
        (report.status, [(axum::http::header::CONTENT_TYPE, "application/problem+json")], body).into_response();
    resp.extensions_mut().insert(report.clone());
    resp
}

pub type AppResult<T> = Result<T, AppError>;

/// The report of an answer the framework gave by itself, in plain text or
/// empty: a query, path or form its extractors could not read (400/422), a
/// method the route does not have (405), a body too large (413) or of the
/// wrong type (415). `Err` gives back any other answer untouched. The page
/// and API layers turn the report into a page or a problem document, so no
/// refusal reaches anyone as bare text.
pub async fn rejection_report(resp: Response) -> Result<ErrorReport, Response> {
    let status = resp.status();
    let kind = resp.headers().get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !status.is_client_error() || !(kind.is_empty() || kind.starts_with("text/plain")) {
        return Err(resp);
    }
    let text = axum::body::to_bytes(resp.into_body(), 64 * 1024).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let detail_key = match status {
        StatusCode::NOT_FOUND => "error.not_found",
        StatusCode::METHOD_NOT_ALLOWED => "error.method",
        StatusCode::PAYLOAD_TOO_LARGE => "error.too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "error.not_json",
        _ => "error.bad_request",
    };
    let fields = crate::api::field_of(&text).map(|f| vec![FieldError::new(f, "error.bad_field")]).unwrap_or_default();
    tracing::info!(%status, detail = %text, "request refused by its extractors");
    Ok(ErrorReport { status, detail_key, fields })
}
