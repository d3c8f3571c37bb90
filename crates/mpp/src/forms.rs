//! Back-office forms described as data: each feature lists its fields; one
//! template (`admin/form.html`) renders them with labels, help, errors and
//! what the user typed. `Posted` reads a submitted form, URL-encoded or
//! multipart (with its files).

use crate::auth::csrf;
use crate::error::{AppError, FieldError};
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;

pub enum Kind {
    Text,
    Area,
    Number,
    Date,
    Time,
    /// (value, label) pairs.
    Select(Vec<(String, String)>),
    /// Checkboxes sharing one name; (value, label) pairs.
    Multi(Vec<(String, String)>),
    /// A single checkbox whose value is "1".
    Check,
    File,
    /// Not an input: a heading that starts a group of fields.
    Heading,
}

pub struct Field {
    pub name: &'static str,
    /// Message-catalogue key of the label.
    pub label: &'static str,
    /// Message-catalogue key of the help line, or "".
    pub help: &'static str,
    pub kind: Kind,
    pub value: String,
    pub values: Vec<String>,
    pub error: Option<&'static str>,
}

impl Field {
    pub fn new(name: &'static str, label: &'static str, kind: Kind, value: impl Into<String>) -> Field {
        Field { name, label, help: "", kind, value: value.into(), values: vec![], error: None }
    }

    pub fn help(mut self, key: &'static str) -> Field {
        self.help = key;
        self
    }

    pub fn checked(mut self, values: Vec<String>) -> Field {
        self.values = values;
        self
    }

    pub fn is(&self, kind: &str) -> bool {
        matches!(
            (&self.kind, kind),
            (Kind::Text, "text")
                | (Kind::Area, "area")
                | (Kind::Number, "number")
                | (Kind::Date, "date")
                | (Kind::Time, "time")
                | (Kind::Select(_), "select")
                | (Kind::Multi(_), "multi")
                | (Kind::Check, "check")
                | (Kind::File, "file")
                | (Kind::Heading, "heading")
        )
    }

    pub fn choices(&self) -> &[(String, String)] {
        match &self.kind {
            Kind::Select(c) | Kind::Multi(c) => c,
            _ => &[],
        }
    }

    pub fn has(&self, v: &str) -> bool {
        self.values.iter().any(|x| x == v)
    }
}

/// Puts each error on its field; returns the errors no field took.
pub fn attach(fields: &mut [Field], errors: &[FieldError]) {
    for e in errors {
        if let Some(f) = fields.iter_mut().find(|f| f.name == e.field) {
            f.error.get_or_insert(e.key);
        }
    }
}

#[derive(Clone)]
pub struct Upload {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// A submitted form: its fields (repeated names kept) and its files, each
/// under its field's name.
#[derive(Default)]
pub struct Posted {
    pub fields: Vec<(String, String)>,
    pub files: Vec<(String, Upload)>,
    /// Files refused while the form was read (too large, empty), each at
    /// its field. The form itself is still read whole, so the page can come
    /// back with everything typed and the message at the file's field.
    pub refused: Vec<FieldError>,
}

impl Posted {
    /// The first file (forms with one file field).
    pub fn file(&self) -> Option<&Upload> {
        self.files.first().map(|(_, f)| f)
    }

    /// The file sent in field `name`, if any.
    pub fn file_named(&self, name: &str) -> Option<&Upload> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, f)| f)
    }

    pub fn get(&self, name: &str) -> String {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).unwrap_or_default()
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
    }

    /// Whether the form sent a field of this name at all (a row's marker).
    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(k, _)| k == name)
    }

    pub fn flag(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    /// A whole number (dots and spaces as thousands separators allowed);
    /// an unparsable one is recorded as a field error.
    pub fn number(&self, name: &'static str, errors: &mut Vec<FieldError>) -> i64 {
        let raw = self.get(name).replace(['.', ' '], "");
        if raw.is_empty() {
            return 0;
        }
        raw.parse().unwrap_or_else(|_| {
            errors.push(FieldError::new(name, "form.not_number"));
            0
        })
    }
}

/// Largest upload accepted (agreement scans).
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

/// Largest form with files read whole: beyond it a form is refused (413).
/// Files over [`MAX_UPLOAD`] within it are read to the end and dropped, so
/// that the fields after them still arrive.
pub const MAX_MULTIPART: usize = 64 * 1024 * 1024;

impl<S: Send + Sync> FromRequest<S> for Posted {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let axum::Form(fields) = axum::Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map_err(|_| AppError::BadRequest("error.bad_form"))?;
            return Ok(Posted { fields, ..Posted::default() });
        }
        let mut mp = Multipart::from_request(req, state).await.map_err(|_| AppError::BadRequest("error.bad_form"))?;
        let mut posted = Posted::default();
        while let Some(mut field) = mp.next_field().await.map_err(|_| AppError::BadRequest("error.bad_form"))? {
            let name = field.name().unwrap_or_default().to_string();
            if name == csrf::FIELD {
                continue;
            }
            match field.file_name().map(str::to_string) {
                Some(file_name) => {
                    let content_type = field.content_type().unwrap_or("application/octet-stream").to_string();
                    // Read in chunks, keeping at most MAX_UPLOAD: a larger file
                    // is refused at its field, not with the whole form.
                    let (mut bytes, mut size) = (Vec::new(), 0usize);
                    while let Some(chunk) = field.chunk().await.map_err(|_| AppError::PayloadTooLarge)? {
                        size += chunk.len();
                        if size <= MAX_UPLOAD {
                            bytes.extend_from_slice(&chunk);
                        }
                    }
                    match (file_name.is_empty(), size) {
                        // No file chosen.
                        (true, 0) => {}
                        (_, 0) => posted.refused.push(FieldError::new(&name, "error.upload_empty")),
                        (_, n) if n > MAX_UPLOAD => posted.refused.push(FieldError::new(&name, "error.upload_too_big")),
                        _ => posted.files.push((name, Upload { file_name, content_type, bytes })),
                    }
                }
                None => {
                    let text = field.text().await.map_err(|_| AppError::BadRequest("error.bad_form"))?;
                    if crate::input::has_control(&text, true) {
                        return Err(AppError::invalid(&name, "error.control_chars"));
                    }
                    posted.fields.push((name, text));
                }
            }
        }
        Ok(posted)
    }
}
