//! Back-office records, once: list, new, edit and delete pages for any
//! mall-owned record, with role checks, validation that keeps what was
//! typed, and an audit event in the same transaction as every change.
//!
//! A feature describes its record by implementing [`Resource`] next to its
//! SQL (e.g. `catalog/agencies.rs`) and mounts [`routes`].

use crate::api::{ApiJson, ApiUser};
use crate::audit::{self, Change};
use crate::db::Violation;
use crate::db::sql::Conn;
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::{self, Field, Posted, Upload};
use crate::i18n::Tr;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::{Ctx, render, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::policy::Action;
use mpp_domain::tenancy::MallId;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::path::PathBuf;

/// What a write needs besides the input.
pub struct WriteCtx {
    pub mall_id: MallId,
    pub now: i64,
    pub files_dir: PathBuf,
}

pub trait Resource: Send + Sync + 'static {
    type Row: Serialize + utoipa::ToSchema + Clone + Send + Sync + 'static;
    type Input: DeserializeOwned + utoipa::ToSchema + Clone + Send + Sync + 'static;
    /// Choices a form needs (agencies, services …), loaded once per request.
    type Options: Send + Sync + 'static;

    /// URL segment under `/m/{slug}/admin/`.
    const SEGMENT: &'static str;
    /// Name in the audit trail.
    const ENTITY: &'static str;
    /// Catalogue keys of the list title and the "new" title.
    const TITLE: &'static str;
    const NEW_TITLE: &'static str;
    /// Forms carry a file (sent as multipart).
    const MULTIPART: bool = false;
    /// The name of the path parameter that picks one record (`code`,
    /// `number`, `id`, `day`): the same name every route of the API uses
    /// for that segment.
    const KEY: &'static str;
    /// Path segment under `/api/v1/malls/{slug}/`.
    const API_SEGMENT: &'static str;
    /// Anyone may read the list through the API (it is on the public pages anyway).
    const PUBLIC: bool;
    /// What creating, changing and deleting one is (`mpp_domain::policy`):
    /// mall-wide records are the mall's managers'.
    const WRITE: Action = Action::ManageMall;

    fn key(row: &Self::Row) -> String;
    fn heading(row: &Self::Row, t: &Tr) -> String;
    /// Catalogue keys of the list's column headers.
    fn columns() -> &'static [&'static str];
    fn cells(row: &Self::Row, opts: &Self::Options, t: &Tr) -> Vec<String>;
    fn blank(opts: &Self::Options) -> Self::Input;
    fn to_input(row: &Self::Row, opts: &Self::Options) -> Self::Input;
    fn fields(input: &Self::Input, opts: &Self::Options, t: &Tr) -> Vec<Field>;
    /// Reads a posted form; returns what could not even be read (a number
    /// that is not one, a file of the wrong kind).
    fn parse(posted: &Posted, opts: &Self::Options) -> (Self::Input, Vec<FieldError>);
    /// The rules an input must meet, for forms and the API alike.
    fn check(input: &Self::Input, opts: &Self::Options) -> Vec<FieldError>;

    /// Where the public sees this record, if it is published.
    fn public_href(_row: &Self::Row, _slug: &str) -> Option<String> {
        None
    }
    /// A page about this record kept elsewhere: (href, label key).
    fn related(_row: &Self::Row, _slug: &str) -> Option<(String, &'static str)> {
        None
    }
    /// Whether anonymous API readers see this record (for `PUBLIC` resources).
    fn is_public(_row: &Self::Row) -> bool {
        true
    }
    /// May see this record (default: mall managers and supervisors).
    fn can_read(bo: &BackOffice, _row: &Self::Row) -> bool {
        bo.access.can_view_whole_mall()
    }
    /// May change or delete this record (default: mall managers).
    fn can_change(bo: &BackOffice, _row: &Self::Row) -> bool {
        bo.access.can_manage_mall()
    }
    /// May save this input, new or edited (default: mall managers).
    fn can_save(bo: &BackOffice, _input: &Self::Input, _opts: &Self::Options) -> bool {
        bo.access.can_manage_mall()
    }

    fn options(state: &AppState, bo: &BackOffice) -> impl Future<Output = AppResult<Self::Options>> + Send;
    fn list(state: &AppState, mall_id: &MallId) -> impl Future<Output = AppResult<Vec<Self::Row>>> + Send;
    fn find(state: &AppState, mall_id: &MallId, key: &str)
    -> impl Future<Output = AppResult<Option<Self::Row>>> + Send;
    /// Validates and writes inside the transaction; returns the stored
    /// row. Field problems (including unique keys taken) are `AppError::Invalid`.
    fn write<'a>(
        conn: &'a mut Conn<'_>,
        w: &'a WriteCtx,
        input: &'a Self::Input,
        existing: Option<&'a Self::Row>,
        file: Option<&'a Upload>,
    ) -> impl Future<Output = AppResult<Self::Row>> + Send + 'a;
    /// Deletes inside the transaction; a record still in use is `AppError::Invalid`.
    fn remove<'a>(
        conn: &'a mut Conn<'_>,
        mall_id: &'a MallId,
        row: &'a Self::Row,
    ) -> impl Future<Output = AppResult<()>> + Send + 'a;
}

/// The record's back-office pages: the list and a record's form are read
/// by anyone who may view the back office (read-only where they may not
/// change it); the new form and every change are [`Resource::WRITE`].
pub fn routes<R: Resource>() -> Routes {
    let base = format!("/m/{{slug}}/admin/{}", R::SEGMENT);
    let (new, one) = (format!("{base}/baru"), format!("{base}/{{key}}"));
    Routes::new()
        .get(&base, Action::ViewBackOffice, list::<R>)
        .get(&new, R::WRITE, new_form::<R>)
        .post(&new, R::WRITE, create::<R>)
        .get(&one, Action::ViewBackOffice, edit_form::<R>)
        .post(&one, R::WRITE, update::<R>)
        .post(&format!("{one}/hapus"), R::WRITE, delete::<R>)
}

pub struct ListRow {
    pub href: String,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/list.html")]
struct ListPage {
    ctx: Ctx,
    bo: BackOffice,
    section: &'static str,
    title: &'static str,
    new_href: Option<String>,
    columns: &'static [&'static str],
    rows: Vec<ListRow>,
}

async fn list<R: Resource>(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let opts = R::options(&state, &bo).await?;
    let rows: Vec<ListRow> = R::list(&state, &bo.mall.id)
        .await?
        .iter()
        .filter(|r| R::can_read(&bo, r))
        .map(|r| ListRow {
            href: format!("/m/{}/admin/{}/{}", bo.mall.slug, R::SEGMENT, R::key(r)),
            cells: R::cells(r, &opts, &ctx.t),
        })
        .collect();
    let can_create = R::can_save(&bo, &R::blank(&opts), &opts);
    let new_href = can_create.then(|| format!("/m/{}/admin/{}/baru", bo.mall.slug, R::SEGMENT));
    render(&ListPage { ctx, bo, section: R::SEGMENT, title: R::TITLE, new_href, columns: R::columns(), rows })
}

#[derive(Template)]
#[template(path = "admin/form.html")]
struct FormPage {
    ctx: Ctx,
    bo: BackOffice,
    section: &'static str,
    heading: String,
    action: String,
    delete_action: Option<String>,
    public_href: Option<String>,
    related: Option<(String, &'static str)>,
    multipart: bool,
    saved: bool,
    read_only: bool,
    fields: Vec<Field>,
    errors: Vec<FieldError>,
}

struct FormSpec<'a, R: Resource> {
    heading: String,
    public_href: Option<String>,
    related: Option<(String, &'static str)>,
    key: Option<String>,
    input: &'a R::Input,
    opts: &'a R::Options,
    errors: Vec<FieldError>,
    saved: bool,
    read_only: bool,
}

fn form_page<R: Resource>(ctx: Ctx, bo: BackOffice, spec: FormSpec<'_, R>) -> AppResult<Response> {
    let fields = R::fields(spec.input, spec.opts, &ctx.t);
    let base = format!("/m/{}/admin/{}", bo.mall.slug, R::SEGMENT);
    let action = match &spec.key {
        Some(k) => format!("{base}/{k}"),
        None => format!("{base}/baru"),
    };
    let delete_action = spec.key.as_ref().filter(|_| !spec.read_only).map(|k| format!("{base}/{k}/hapus"));
    let form = Form {
        section: R::SEGMENT,
        heading: spec.heading,
        action: if R::MULTIPART { format!("{action}?_csrf={}", ctx.csrf) } else { action },
        delete_action,
        public_href: spec.public_href,
        related: spec.related,
        multipart: R::MULTIPART,
        saved: spec.saved,
        read_only: spec.read_only,
        fields,
        errors: spec.errors,
    };
    render_form(ctx, bo, form)
}

/// A back-office form: a record's, or a one-off settings page's.
pub struct Form {
    /// The admin navigation entry to mark as current.
    pub section: &'static str,
    pub heading: String,
    pub action: String,
    pub delete_action: Option<String>,
    pub public_href: Option<String>,
    pub related: Option<(String, &'static str)>,
    pub multipart: bool,
    pub saved: bool,
    pub read_only: bool,
    pub fields: Vec<Field>,
    pub errors: Vec<FieldError>,
}

/// Renders a form with its errors next to their fields (422 when there are any).
pub fn render_form(ctx: Ctx, bo: BackOffice, form: Form) -> AppResult<Response> {
    let mut fields = form.fields;
    forms::attach(&mut fields, &form.errors);
    let status = if form.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = FormPage {
        section: form.section,
        heading: form.heading,
        action: form.action,
        delete_action: form.delete_action,
        public_href: form.public_href,
        related: form.related,
        multipart: form.multipart,
        saved: form.saved,
        read_only: form.read_only,
        fields,
        errors: form.errors,
        ctx,
        bo,
    };
    render_status(status, &page)
}

async fn new_form<R: Resource>(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let opts = R::options(&state, &bo).await?;
    let input = R::blank(&opts);
    bo.require(R::can_save(&bo, &input, &opts))?;
    let heading = ctx.t.t(R::NEW_TITLE).to_string();
    let spec = FormSpec::<R> {
        public_href: None,
        related: None,
        heading,
        key: None,
        input: &input,
        opts: &opts,
        errors: vec![],
        saved: false,
        read_only: false,
    };
    form_page::<R>(ctx, bo, spec)
}

#[derive(serde::Deserialize)]
struct SavedQuery {
    disimpan: Option<String>,
}

async fn load<R: Resource>(state: &AppState, bo: &BackOffice, key: &str) -> AppResult<R::Row> {
    let row = R::find(state, &bo.mall.id, key).await?.ok_or(AppError::NotFound)?;
    bo.require(R::can_read(bo, &row))?;
    Ok(row)
}

async fn edit_form<R: Resource>(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    Query(q): Query<SavedQuery>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let row = load::<R>(&state, &bo, &key).await?;
    let opts = R::options(&state, &bo).await?;
    let input = R::to_input(&row, &opts);
    let spec = FormSpec::<R> {
        public_href: R::public_href(&row, &bo.mall.slug),
        related: R::related(&row, &bo.mall.slug),
        heading: R::heading(&row, &ctx.t),
        key: Some(R::key(&row)),
        input: &input,
        opts: &opts,
        errors: vec![],
        saved: q.disimpan.is_some(),
        read_only: !R::can_change(&bo, &row),
    };
    form_page::<R>(ctx, bo, spec)
}

async fn create<R: Resource>(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    posted: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let opts = R::options(&state, &bo).await?;
    bo.require(R::can_save(&bo, &R::blank(&opts), &opts))?;
    save::<R>(state, ctx, bo, opts, None, posted).await
}

async fn update<R: Resource>(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
    posted: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let row = load::<R>(&state, &bo, &key).await?;
    bo.require(R::can_change(&bo, &row))?;
    let opts = R::options(&state, &bo).await?;
    save::<R>(state, ctx, bo, opts, Some(row), posted).await
}

/// Writes one record and its audit event in one transaction.
pub async fn write_audited<R: Resource>(
    state: &AppState,
    bo: &BackOffice,
    input: &R::Input,
    existing: Option<&R::Row>,
    file: Option<&Upload>,
) -> AppResult<R::Row> {
    let w = WriteCtx { mall_id: bo.mall.id.clone(), now: state.clock.now_ms(), files_dir: state.files_dir.clone() };
    let change = Change {
        mall_id: &bo.mall.id,
        actor: &bo.user,
        action: if existing.is_some() { "update" } else { "create" },
        entity: R::ENTITY,
        entity_id: "",
        before: existing.map(|r| serde_json::json!(r)),
        after: None,
    };
    let mut entry = audit::entry(change, w.now);
    let (input, existing, file) = (input.clone(), existing.cloned(), file.cloned());
    let row = state
        .db
        .transact(move |conn| {
            Box::pin(async move {
                let row = R::write(conn, &w, &input, existing.as_ref(), file.as_ref()).await?;
                entry.entity_id = R::key(&row);
                entry.after = Some(serde_json::json!(row));
                entry.write(conn).await?;
                Ok(row)
            })
        })
        .await?;
    // Configuration changed: drop what the hot paths cached.
    state.db.cache.clear();
    Ok(row)
}

async fn save<R: Resource>(
    state: AppState,
    ctx: Ctx,
    bo: BackOffice,
    opts: R::Options,
    existing: Option<R::Row>,
    posted: Posted,
) -> AppResult<Response> {
    let (input, mut errors) = R::parse(&posted, &opts);
    errors.extend(posted.refused.iter().cloned());
    errors.extend(R::check(&input, &opts));
    if !R::can_save(&bo, &input, &opts) {
        errors.push(FieldError::new("agency", "form.bad_choice"));
    }
    if errors.is_empty() {
        match write_audited::<R>(&state, &bo, &input, existing.as_ref(), posted.file()).await {
            Ok(row) => {
                let to = format!("/m/{}/admin/{}/{}?disimpan=1", bo.mall.slug, R::SEGMENT, R::key(&row));
                return Ok(Redirect::to(&to).into_response());
            }
            Err(AppError::Invalid(mut e)) => errors.append(&mut e),
            Err(e) => return Err(e),
        }
    }
    let heading = match &existing {
        Some(r) => R::heading(r, &ctx.t),
        None => ctx.t.t(R::NEW_TITLE).to_string(),
    };
    let key = existing.as_ref().map(R::key);
    let spec = FormSpec::<R> {
        public_href: None,
        related: existing.as_ref().and_then(|r| R::related(r, &bo.mall.slug)),
        heading,
        key,
        input: &input,
        opts: &opts,
        errors,
        saved: false,
        read_only: false,
    };
    form_page::<R>(ctx, bo, spec)
}

/// Deletes one record and writes its audit event, in one transaction.
async fn remove_audited<R: Resource>(state: &AppState, bo: &BackOffice, row: &R::Row) -> AppResult<()> {
    let now = state.clock.now_ms();
    let change = Change {
        mall_id: &bo.mall.id,
        actor: &bo.user,
        action: "delete",
        entity: R::ENTITY,
        entity_id: &R::key(row),
        before: Some(serde_json::json!(row)),
        after: None,
    };
    let entry = audit::entry(change, now);
    let (mall_id, row) = (bo.mall.id.clone(), row.clone());
    state
        .db
        .transact(move |conn| {
            Box::pin(async move {
                R::remove(conn, &mall_id, &row).await?;
                entry.write(conn).await
            })
        })
        .await?;
    // Configuration changed: drop what the hot paths cached.
    state.db.cache.clear();
    Ok(())
}

async fn delete<R: Resource>(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, key)): Path<(String, String)>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let row = load::<R>(&state, &bo, &key).await?;
    bo.require(R::can_change(&bo, &row))?;
    match remove_audited::<R>(&state, &bo, &row).await {
        Ok(()) => Ok(Redirect::to(&format!("/m/{}/admin/{}", bo.mall.slug, R::SEGMENT)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let opts = R::options(&state, &bo).await?;
            let input = R::to_input(&row, &opts);
            let heading = R::heading(&row, &ctx.t);
            let spec = FormSpec::<R> {
                public_href: None,
                related: R::related(&row, &bo.mall.slug),
                heading,
                key: Some(key),
                input: &input,
                opts: &opts,
                errors,
                saved: false,
                read_only: false,
            };
            form_page::<R>(ctx, bo, spec)
        }
        Err(e) => Err(e),
    }
}

/// Maps a foreign-key failure on delete to "still in use" on the form.
pub fn in_use(e: AppError) -> AppError {
    if crate::db::violation(&e) == Some(Violation::ForeignKey) {
        AppError::invalid("_record", "form.in_use")
    } else {
        e
    }
}

/// Maps a unique-key failure to a field error.
pub fn taken(field: &'static str, key: &'static str) -> impl Fn(AppError) -> AppError {
    move |e| if crate::db::violation(&e) == Some(Violation::Unique) { AppError::invalid(field, key) } else { e }
}

/// The same records through the JSON API: list and read (public for public
/// records), create, replace and delete with a bearer token.
pub fn api_routes<R: Resource>() -> Routes {
    let base = format!("/api/v1/malls/{{slug}}/{}", R::API_SEGMENT);
    let one = format!("{base}/{{{}}}", R::KEY);
    let read = if R::PUBLIC { Action::ReadPublic } else { Action::ViewBackOffice };
    Routes::new()
        .get(&base, read, api_list::<R>)
        .post(&base, R::WRITE, api_create::<R>)
        .get(&one, read, api_get::<R>)
        .put(&one, R::WRITE, api_update::<R>)
        .delete(&one, R::WRITE, api_delete::<R>)
}

/// Who reads through the API: anyone for public records (published ones
/// only), or a token owner with a back-office role (`can_read` per record).
async fn api_reader<R: Resource>(
    state: &AppState,
    headers: &HeaderMap,
    slug: &str,
) -> AppResult<(MallId, Option<BackOffice>)> {
    if R::PUBLIC && !headers.contains_key(axum::http::header::AUTHORIZATION) {
        return Ok((crate::tenancy::store::by_slug(&state.db, slug).await?.id, None));
    }
    let user = crate::auth::token::bearer_user(state, headers).await?;
    let bo = BackOffice::for_user(state, user, slug).await?;
    Ok((bo.mall.id.clone(), Some(bo)))
}

async fn api_list<R: Resource>(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let (mall_id, bo) = api_reader::<R>(&state, &headers, &slug).await?;
    let visible = |r: &R::Row| match &bo {
        Some(bo) => R::can_read(bo, r),
        None => R::is_public(r),
    };
    let rows: Vec<R::Row> = R::list(&state, &mall_id).await?.into_iter().filter(|r| visible(r)).collect();
    Ok(axum::Json(rows).into_response())
}

async fn api_get<R: Resource>(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, key)): Path<(String, String)>,
) -> AppResult<Response> {
    let (mall_id, bo) = api_reader::<R>(&state, &headers, &slug).await?;
    let row = R::find(&state, &mall_id, &key).await?.ok_or(AppError::NotFound)?;
    match &bo {
        Some(bo) => bo.require(R::can_read(bo, &row))?,
        None if !R::is_public(&row) => return Err(AppError::NotFound),
        None => {}
    }
    Ok(axum::Json(row).into_response())
}

async fn api_save<R: Resource>(
    state: &AppState,
    bo: &BackOffice,
    input: R::Input,
    existing: Option<&R::Row>,
) -> AppResult<R::Row> {
    let opts = R::options(state, bo).await?;
    bo.require(R::can_save(bo, &input, &opts))?;
    let errors = R::check(&input, &opts);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    write_audited::<R>(state, bo, &input, existing, None).await
}

async fn api_create<R: Resource>(
    State(state): State<AppState>,
    user: ApiUser,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> AppResult<Response> {
    let bo = user.back_office(&state, &slug).await?;
    let input = crate::api::record_from(body, &crate::openapi::shown_only::<R>())?;
    let row = api_save::<R>(&state, &bo, input, None).await?;
    Ok(crate::api::created(format!("/api/v1/malls/{slug}/{}/{}", R::API_SEGMENT, R::key(&row)), row))
}

async fn api_update<R: Resource>(
    State(state): State<AppState>,
    user: ApiUser,
    Path((slug, key)): Path<(String, String)>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> AppResult<Response> {
    let bo = user.back_office(&state, &slug).await?;
    let input = crate::api::record_from(body, &crate::openapi::shown_only::<R>())?;
    let existing = load::<R>(&state, &bo, &key).await?;
    bo.require(R::can_change(&bo, &existing))?;
    Ok(axum::Json(api_save::<R>(&state, &bo, input, Some(&existing)).await?).into_response())
}

async fn api_delete<R: Resource>(
    State(state): State<AppState>,
    user: ApiUser,
    Path((slug, key)): Path<(String, String)>,
) -> AppResult<Response> {
    let bo = user.back_office(&state, &slug).await?;
    let row = load::<R>(&state, &bo, &key).await?;
    bo.require(R::can_change(&bo, &row))?;
    remove_audited::<R>(&state, &bo, &row).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
