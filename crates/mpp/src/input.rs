//! Input at the edge: every request's path, query and body are checked here
//! once, before any route sees them, so no handler has to remember to.
//!
//! - A control character (U+0000–U+001F but tab, line feed and carriage
//!   return in bodies, and U+007F) is refused: PostgreSQL cannot store a NUL
//!   in text (it answered 500), SQLite stored it, and no person types one.
//!   Paths and queries allow none at all; a path that is not UTF-8 is refused
//!   too.
//! - A form or JSON body larger than [`MAX_BODY`] is 413.
//!
//! Refusals are problem documents under `/api/`, pages in the visitor's
//! language elsewhere. Multipart forms (uploads) are read by
//! [`crate::forms::Posted`], which applies [`has_control`] to their text
//! fields the same way.

use crate::error::{AppError, ErrorReport, FieldError};
use axum::body::Body;
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

/// Largest body read: a form with its uploads (10 MB files) or a JSON
/// document.
pub const MAX_BODY: usize = 12 * 1024 * 1024;

/// Whether `text` holds a character no field accepts; `multiline` lets
/// tab, line feed and carriage return through (text areas, JSON strings).
pub fn has_control(text: &str, multiline: bool) -> bool {
    text.chars().any(|c| c.is_ascii_control() && !(multiline && matches!(c, '\t' | '\n' | '\r')))
}

/// A percent-encoded path as UTF-8 text; `None` when its bytes are not UTF-8.
fn decoded_path(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).ok()?);
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Every string of a JSON document, keys included.
fn json_strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(items) => items.iter().for_each(|i| json_strings(i, out)),
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.push(k);
                json_strings(v, out);
            }
        }
        _ => {}
    }
}

/// The first field of a body that holds a control character (`body` for a
/// JSON document); `None` if it is clean or is not a form or JSON.
fn dirty_field(content_type: &str, body: &[u8]) -> Option<String> {
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
        return pairs.into_iter().find(|(k, v)| has_control(k, false) || has_control(v, true)).map(|(k, _)| k);
    }
    if content_type.starts_with("application/json") || content_type.contains("+json") {
        let doc: serde_json::Value = serde_json::from_slice(body).ok()?;
        let mut strings = Vec::new();
        json_strings(&doc, &mut strings);
        return strings.iter().any(|s| has_control(s, true)).then(|| "body".to_string());
    }
    None
}

/// The middleware: refuses what no route may receive, passes the rest on
/// with its body intact.
pub async fn guard(req: Request, next: Next) -> Response {
    let refuse = |req: &Request, report: ErrorReport| crate::web::refusal(req, &report);
    let path_ok = decoded_path(req.uri().path()).is_some_and(|p| !has_control(&p, false));
    let query_ok = req.uri().query().is_none_or(|q| {
        decoded_path(q).is_some_and(|raw| !has_control(&raw, false))
            && serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .is_ok_and(|pairs| pairs.iter().all(|(k, v)| !has_control(k, false) && !has_control(v, false)))
    });
    if !path_ok || !query_ok {
        return refuse(&req, AppError::BadRequest("error.control_chars").report());
    }
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let buffered = content_type.starts_with("application/x-www-form-urlencoded")
        || content_type.starts_with("application/json")
        || content_type.contains("+json");
    if !buffered {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return refuse(&Request::from_parts(parts, Body::empty()), too_large());
    };
    let req = Request::from_parts(parts, Body::from(bytes.clone()));
    match dirty_field(&content_type, &bytes) {
        Some(field) => refuse(&req, AppError::Invalid(vec![FieldError::new(field, "error.control_chars")]).report()),
        None => next.run(req).await,
    }
}

/// 413: a body over [`MAX_BODY`].
pub fn too_large() -> ErrorReport {
    ErrorReport { status: StatusCode::PAYLOAD_TOO_LARGE, detail_key: "error.too_large", fields: vec![] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_found_and_line_breaks_kept_where_text_allows_them() {
        assert!(has_control("Siti\u{0}", true));
        assert!(has_control("a\u{7f}b", true));
        assert!(has_control("a\u{1b}[31m", true));
        assert!(!has_control("Jl. Soekarno\r\nKefamenanu\tNTT", true));
        assert!(has_control("line\nbreak", false));
        assert!(!has_control("Désa Naiola – ß", false));
    }

    #[test]
    fn paths_decode_as_utf8_or_not_at_all() {
        assert_eq!(decoded_path("/m/ttu/layanan/KTP%2DEL").as_deref(), Some("/m/ttu/layanan/KTP-EL"));
        assert_eq!(decoded_path("/a%00b").as_deref(), Some("/a\u{0}b"));
        assert_eq!(decoded_path("/a%ffb"), None);
        assert_eq!(decoded_path("/100%").as_deref(), Some("/100%"));
    }

    #[test]
    fn bodies_name_the_field_that_holds_one() {
        let form = "application/x-www-form-urlencoded";
        assert_eq!(dirty_field(form, b"name=Siti&note=a%00b").as_deref(), Some("note"));
        assert_eq!(dirty_field(form, b"note=line%0D%0Abreak"), None);
        assert_eq!(dirty_field("application/json", br#"{"a":["x","y\u0000"]}"#).as_deref(), Some("body"));
        assert_eq!(dirty_field("application/json", br#"{"a\u0001":1}"#).as_deref(), Some("body"));
        assert_eq!(dirty_field("application/json", br#"{"a":"ok\n"}"#), None);
    }
}
