//! Citizens' documents: a file a citizen uploads on an application form is
//! kept as theirs (checked: PDF, PNG or JPEG by its first bytes, at most
//! 10 MB), sealed (`vault.rs`) on disk beside the database; the form's
//! value is its id. The citizen downloads their own; staff download one
//! only through an application they may see that names it.

mod pages;
mod store;
pub mod vault;

use crate::auth::session::CurrentUser;
use crate::db::new_id;
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::{Posted, Upload};
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy;
use crate::web::Ctx;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use mpp_domain::access::What;
use mpp_domain::document::Kind;
use mpp_domain::form::{FieldDef, FieldKind};
use mpp_domain::policy::Action;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub fn router() -> Routes {
    Routes::new()
        .get("/akun/dokumen", Action::OwnAccount, pages::mine)
        .post("/akun/dokumen", Action::OwnAccount, pages::add)
        .get("/dokumen/{id}", Action::Apply, own)
        .get("/m/{slug}/permohonan/{number}/dokumen/{key}", Action::Apply, of_application)
}

pub use store::{Document, find, of_owner};

/// Where a document's file is, under the file store, and the place its
/// sealing names.
fn place_of(owner_id: &str, id: &str) -> String {
    format!("{owner_id}/{id}")
}

fn path_of(files_dir: &std::path::Path, owner_id: &str, id: &str) -> std::path::PathBuf {
    files_dir.join("documents").join(owner_id).join(id)
}

/// What a new document is: its kind, its label, the last day it is valid.
pub struct Described<'a> {
    pub kind: Kind,
    pub label: &'a str,
    pub expires_on: &'a str,
}

/// Keeps an upload as the citizen's document; a field error (at `field`)
/// if it is not a PDF, PNG or JPEG.
pub async fn keep(
    state: &AppState,
    owner_id: &str,
    field: &str,
    what: Described<'_>,
    f: &Upload,
) -> AppResult<Document> {
    let ext = mpp_domain::catalog::accepted_document(&f.content_type, &f.bytes)
        .ok_or_else(|| AppError::invalid(field, "document.bad_type"))?;
    let now = state.clock.now_ms();
    let d = Document {
        id: new_id(now),
        owner_id: owner_id.to_string(),
        file_name: crate::files::safe_file_name(&f.file_name, ext),
        content_type: f.content_type.clone(),
        size: i64::try_from(f.bytes.len()).unwrap_or(i64::MAX),
        label: what.label.to_string(),
        kind: what.kind,
        expires_on: what.expires_on.to_string(),
        sha256: crate::auth::hex(&Sha256::digest(&f.bytes)),
        created_at: now,
    };
    // The file first: a row never points at nothing.
    let sealed = state.vault.seal(&place_of(owner_id, &d.id), &f.bytes)?;
    crate::files::write_atomically(&path_of(&state.files_dir, owner_id, &d.id), &sealed).await?;
    store::insert(&state.db, &d).await?;
    Ok(d)
}

/// A file uploaded on a form: its field's label says what it is.
fn on_form(label: &str) -> Described<'_> {
    Described { kind: Kind::Form, label, expires_on: "" }
}

/// The document fields of a posted application form, as document ids: a
/// new upload is kept as the citizen's; otherwise the id the form carried
/// (from an earlier try), if it is one of theirs. Field errors for files
/// that are not accepted; nothing else is lost.
pub async fn from_form(
    state: &AppState,
    owner_id: &str,
    fields: &[FieldDef],
    posted: &Posted,
    values: &mut BTreeMap<String, String>,
) -> AppResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    for field in fields.iter().filter(|f| f.kind == FieldKind::Document) {
        if let Some(refused) = posted.refused.iter().find(|e| e.field == field.key) {
            errors.push(refused.clone());
            values.insert(field.key.clone(), String::new());
            continue;
        }
        let id = match posted.file_named(&field.key) {
            Some(upload) => match keep(state, owner_id, &field.key, on_form(&field.label_id), upload).await {
                Ok(d) => d.id,
                Err(AppError::Invalid(mut e)) => {
                    errors.append(&mut e);
                    String::new()
                }
                Err(e) => return Err(e),
            },
            None => {
                let carried = posted.get(&field.key);
                match find(&state.db, owner_id, &carried).await? {
                    Some(d) => d.id,
                    None => String::new(),
                }
            }
        };
        values.insert(field.key.clone(), id);
    }
    Ok(errors)
}

/// Whether any document field of a filled form names one of the citizen's
/// documents from "Dokumen saya" (not a file uploaded on a form).
pub async fn any_kept(
    db: &crate::db::Db,
    owner_id: &str,
    fields: &[FieldDef],
    values: &BTreeMap<String, String>,
) -> AppResult<bool> {
    for field in fields.iter().filter(|f| f.kind == FieldKind::Document) {
        let id = values.get(&field.key).map_or("", String::as_str);
        if !id.is_empty() && find(db, owner_id, id).await?.is_some_and(|d| d.kind != Kind::Form) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Erases one of the citizen's documents: its row, then its file (a crash
/// between leaves only ciphertext nobody can name). Whether it was theirs.
pub async fn erase(state: &AppState, owner_id: &str, id: &str) -> AppResult<bool> {
    if !store::remove(&state.db, owner_id, id).await? {
        return Ok(false);
    }
    match tokio::fs::remove_file(path_of(&state.files_dir, owner_id, id)).await {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(AppError::Internal(e.into())),
        _ => Ok(true),
    }
}

/// A document's file, opened from the vault.
pub async fn opened(state: &AppState, d: &Document) -> AppResult<Vec<u8>> {
    let sealed =
        tokio::fs::read(path_of(&state.files_dir, &d.owner_id, &d.id)).await.map_err(|_| AppError::NotFound)?;
    state.vault.open(&place_of(&d.owner_id, &d.id), &sealed)
}

/// The file as a download (never shown inline: it came from a user).
async fn send(state: &AppState, d: &Document) -> AppResult<Response> {
    let bytes = opened(state, d).await?;
    let disposition = format!("attachment; filename=\"{}\"", d.file_name);
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_str(&d.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream")),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).map_err(|e| AppError::Internal(e.into()))?,
            ),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        bytes,
    )
        .into_response())
}

/// A citizen's own document.
async fn own(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> AppResult<Response> {
    let user: &CurrentUser = ctx.require_user()?;
    let d = find(&state.db, &user.id, &id).await?.ok_or(AppError::NotFound)?;
    send(&state, &d).await
}

/// A document an application names, for its applicant and the staff who
/// may see it (their read on the access log first).
async fn of_application(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number, key)): Path<(String, String, String)>,
) -> AppResult<Response> {
    let user = ctx.require_user()?;
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let seen = crate::application::seen_by(&state, &user.id, &mall, &number).await?;
    let a = seen.application();
    let id = a.values().get(&key).cloned().unwrap_or_default();
    let d = find(&state.db, &a.applicant_id, &id).await?.ok_or(AppError::NotFound)?;
    let what = What::Document(d.label.clone());
    if d.kind == Kind::Form {
        seen.show(&state, user, what, "").await?;
    } else {
        seen.show_kept(&state, &mall, user, what).await?;
    }
    send(&state, &d).await
}

impl Document {
    /// What the document is, in the reader's language: its kind's name, or
    /// (uploaded on a form) the form field's label.
    pub fn what(&self, t: &crate::i18n::Tr) -> String {
        match self.kind {
            Kind::Form => self.label.clone(),
            kind => t.pick(kind.names().0, kind.names().1).to_string(),
        }
    }
}

/// Seals the files an older version kept plain, once, at start. How many.
pub async fn seal_plain_files(
    db: &crate::db::Db,
    files_dir: &std::path::Path,
    vault: &vault::Vault,
) -> AppResult<usize> {
    let mut sealed = 0;
    for (owner_id, id) in store::every_file(db).await? {
        let path = path_of(files_dir, &owner_id, &id);
        // Each start looks at every file's first bytes only; a plain one is read whole once, to seal it.
        if begins_sealed(path.clone()).await != Some(false) {
            continue;
        }
        let Ok(bytes) = tokio::fs::read(&path).await else { continue };
        crate::files::write_atomically(&path, &vault.seal(&place_of(&owner_id, &id), &bytes)?).await?;
        sealed += 1;
    }
    Ok(sealed)
}

/// Whether the file at `path` starts as a sealed one, from its first bytes;
/// `None` if it cannot be read.
async fn begins_sealed(path: std::path::PathBuf) -> Option<bool> {
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut head = Vec::with_capacity(vault::HEADER);
        std::fs::File::open(&path).ok()?.take(vault::HEADER as u64).read_to_end(&mut head).ok()?;
        Some(vault::Vault::is_sealed(&head))
    })
    .await
    .ok()
    .flatten()
}
