//! The mall's staff (`/m/{mall}/admin/staf`): a manager adds people, gives
//! them roles at agencies and places officers at counters, sends a
//! one-time link to set a password, and removes someone who leaves. An
//! agency admin does the same for their own agency only (rules:
//! `mpp_domain::staff`). Every change is on the audit trail with the
//! member's roles and counters before and after.
//!
//! - `store.rs`: all of its SQL.

pub mod store;

use crate::audit::Change;
use crate::catalog::store as catalog;
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::{Ctx, base_url, cookie, flash, flash_shown, is_tls, render, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::auth::{Grant, Role};
use mpp_domain::policy::Action;
use mpp_domain::staff::{GRANTABLE, check_member, may_grant, may_manage};
use store::Member;

/// How long the link a new member gets works: long enough to reach
/// someone who starts next week's shift, short enough not to linger.
const LINK_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;
/// Carries a just-made password link to the member's page shown after the
/// change (post, redirect, get), for a minute and once.
const JUST_MADE: &str = "mpp_staff_link";
/// Carries who was just removed to the list shown after it.
const JUST_LEFT: &str = "mpp_staff_left";
/// What the flash carries when the link went by email only.
const EMAILED_ONLY: &str = "email";

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/admin/staf", Action::ViewBackOffice, list)
        .post("/m/{slug}/admin/staf", Action::ManageStaff, add)
        .get("/m/{slug}/admin/staf/{user}", Action::ViewBackOffice, page)
        .post("/m/{slug}/admin/staf/{user}/peran", Action::ManageStaff, grant)
        .post("/m/{slug}/admin/staf/{user}/peran/cabut", Action::ManageStaff, revoke)
        .post("/m/{slug}/admin/staf/{user}/loket", Action::ManageStaff, place)
        .post("/m/{slug}/admin/staf/{user}/sandi", Action::ManageStaff, send_link)
        .post("/m/{slug}/admin/staf/{user}/keluarkan", Action::ManageStaff, remove)
}

/// One grant as a page shows it.
pub struct GrantLine {
    pub role: &'static str,
    pub agency_id: String,
    pub role_key: &'static str,
    pub agency_code: String,
    pub agency: String,
    pub may_revoke: bool,
}

pub struct MemberLine {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub grants: Vec<GrantLine>,
    pub counters: Vec<i64>,
    /// A manager: every counter of the mall is theirs to work.
    pub manager: bool,
}

fn role_key(role: Role) -> &'static str {
    match role {
        Role::Officer => "staff.role_officer",
        Role::AgencyAdmin => "staff.role_agency_admin",
        Role::MallAdmin => "staff.role_mall_admin",
        Role::NationalSupervisor => "staff.role_supervisor",
    }
}

/// Agencies, counters and the acting user's reach, loaded once a request.
struct Scene {
    agencies: Vec<catalog::Agency>,
    counters: Vec<catalog::Counter>,
}

impl Scene {
    async fn load(state: &AppState, bo: &BackOffice) -> AppResult<Scene> {
        Ok(Scene {
            agencies: catalog::agencies(&state.db, &bo.mall.id).await?,
            counters: catalog::counters(&state.db, &bo.mall.id).await?,
        })
    }

    fn line(&self, ctx: &Ctx, bo: &BackOffice, m: &Member) -> MemberLine {
        let agency = |id: &Option<String>| self.agencies.iter().find(|a| Some(&a.id) == id.as_ref());
        let grants = m
            .grants
            .iter()
            .map(|g| GrantLine {
                role: g.role.as_str(),
                agency_id: g.agency_id.clone().unwrap_or_default(),
                role_key: role_key(g.role),
                agency_code: agency(&g.agency_id).map(|a| a.code.clone()).unwrap_or_default(),
                agency: agency(&g.agency_id)
                    .map(|a| ctx.t.pick(&a.name_id, &a.name_en).to_string())
                    .unwrap_or_default(),
                may_revoke: may_grant(&bo.access, g.role, g.agency_id.as_deref()) && m.user_id != bo.user.id,
            })
            .collect();
        let mut counters: Vec<i64> =
            self.counters.iter().filter(|c| m.counters.contains(&c.id)).map(|c| c.number).collect();
        counters.sort_unstable();
        let manager = m.grants.iter().any(|g| g.role == Role::MallAdmin);
        MemberLine {
            user_id: m.user_id.clone(),
            name: m.name.clone(),
            email: m.email.clone(),
            grants,
            counters,
            manager,
        }
    }

    /// The agencies whose roles this user may grant, as (code, name).
    fn grantable_agencies(&self, ctx: &Ctx, bo: &BackOffice) -> Vec<(String, String)> {
        self.agencies
            .iter()
            .filter(|a| bo.access.can_manage_agency(&a.id))
            .map(|a| (a.code.clone(), ctx.t.pick(&a.name_id, &a.name_en).to_string()))
            .collect()
    }

    /// The roles this user may grant, as (role, message key).
    fn grantable_roles(bo: &BackOffice) -> Vec<(&'static str, &'static str)> {
        GRANTABLE
            .iter()
            .filter(|r| bo.access.can_manage_mall() || **r != Role::MallAdmin)
            .map(|r| (r.as_str(), role_key(*r)))
            .collect()
    }
}

/// Whom this user sees on the staff page: everyone for the mall's managers
/// and the supervisor; for an agency admin, the people of their agencies.
fn sees(bo: &BackOffice, m: &Member) -> bool {
    bo.access.can_view_whole_mall()
        || m.grants.iter().any(|g| g.agency_id.as_deref().is_some_and(|a| bo.access.can_manage_agency(a)))
}

/// What the add form holds.
#[derive(Default)]
pub struct Draft {
    pub email: String,
    pub name: String,
    pub role: String,
    pub agency: String,
}

#[derive(Template)]
#[template(path = "staff/list.html")]
struct ListPage {
    ctx: Ctx,
    bo: BackOffice,
    section: &'static str,
    members: Vec<MemberLine>,
    roles: Vec<(&'static str, &'static str)>,
    agencies: Vec<(String, String)>,
    draft: Draft,
    errors: Vec<FieldError>,
    /// The address of someone just removed from the mall.
    left: String,
}

impl ListPage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors.iter().find(|e| e.field == field).map(|e| e.key)
    }
}

async fn list_page(
    state: &AppState,
    ctx: Ctx,
    bo: BackOffice,
    draft: Draft,
    errors: Vec<FieldError>,
) -> AppResult<ListPage> {
    let scene = Scene::load(state, &bo).await?;
    let members = store::members(&state.db, &bo.mall.id)
        .await?
        .iter()
        .filter(|m| sees(&bo, m))
        .map(|m| scene.line(&ctx, &bo, m))
        .collect();
    let roles = Scene::grantable_roles(&bo);
    let agencies = scene.grantable_agencies(&ctx, &bo);
    Ok(ListPage { ctx, bo, section: "staf", members, roles, agencies, draft, errors, left: String::new() })
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let draft = Draft { role: Role::Officer.as_str().into(), ..Default::default() };
    // Who was just removed, carried by a flash (not by the address, which
    // anyone could send a manager with any name in it).
    let left = match cookie(&headers, JUST_LEFT) {
        Some(user_id) => crate::auth::store::email_of(&state.db, user_id).await?.unwrap_or_default(),
        None => String::new(),
    };
    let page = ListPage { left, ..list_page(&state, ctx, bo, draft, vec![]).await? };
    let mut resp = render(&page)?;
    if cookie(&headers, JUST_LEFT).is_some() {
        flash_shown(&mut resp, JUST_LEFT, &format!("/m/{slug}/admin/staf"), is_tls(&state, &headers));
    }
    Ok(resp)
}

/// A role and agency as posted, checked against what this user may grant:
/// (role, agency id or "").
fn chosen(
    bo: &BackOffice,
    agencies: &[catalog::Agency],
    role: &str,
    agency: &str,
) -> Result<(Role, String), FieldError> {
    let role = Role::parse(role)
        .filter(|r| GRANTABLE.contains(r))
        .ok_or_else(|| FieldError::new("role", "form.bad_choice"))?;
    let agency_id = match role {
        Role::MallAdmin => None,
        _ => Some(
            agencies
                .iter()
                .find(|a| a.code == agency.trim())
                .map(|a| a.id.clone())
                .ok_or_else(|| FieldError::new("agency", "staff.agency_needed"))?,
        ),
    };
    if !may_grant(&bo.access, role, agency_id.as_deref()) {
        return Err(FieldError::new("role", "staff.not_yours"));
    }
    Ok((role, agency_id.unwrap_or_default()))
}

/// Makes a change to a member, on the audit trail with what it left;
/// grants are cached, so the cache is cleared.
async fn settle(
    state: &AppState,
    bo: &BackOffice,
    action: &'static str,
    user_id: &str,
    before: Option<&Member>,
    change: store::Change,
) -> AppResult<()> {
    let record = Change {
        mall_id: &bo.mall.id,
        actor: &bo.user,
        action,
        entity: "staff",
        entity_id: user_id,
        before: before.map(Member::snapshot),
        after: None,
    };
    let entry = crate::audit::entry(record, state.clock.now_ms());
    store::change(&state.db, &bo.mall.id, user_id, change, entry).await?;
    state.db.cache.clear();
    Ok(())
}

/// Adds someone: an existing account gets the role; a new address gets an
/// account without a password and a one-time link to set one.
async fn add(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(slug): Path<String>,
    form: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let draft = Draft {
        email: form.get("email").to_lowercase(),
        name: form.get("name"),
        role: form.get("role"),
        agency: form.get("agency"),
    };
    let agencies = catalog::agencies(&state.db, &bo.mall.id).await?;
    let existing = crate::auth::store::find_by_email(&state.db, &draft.email).await?;
    let mut errors: Vec<FieldError> = check_member(&draft.email, if existing.is_some() { "-" } else { &draft.name })
        .into_iter()
        .map(|(field, key)| FieldError::new(field, key))
        .collect();
    let choice = chosen(&bo, &agencies, &draft.role, &draft.agency);
    if let Err(e) = &choice {
        errors.push(e.clone());
    }
    if existing.as_ref().is_some_and(|u| u.id == bo.user.id) {
        errors.push(FieldError::new("email", "staff.not_yourself"));
    }
    let Ok((role, agency_id)) = choice else {
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &list_page(&state, ctx, bo, draft, errors).await?);
    };
    if !errors.is_empty() {
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &list_page(&state, ctx, bo, draft, errors).await?);
    }
    let now = state.clock.now_ms();
    let (user_id, new) = match &existing {
        Some(u) => (u.id.clone(), false),
        // No password anyone knows: the member sets one with the link.
        None => {
            let hash = crate::auth::password::NOT_SET;
            (crate::auth::store::create_user(&state.db, &draft.email, &draft.name, hash, now).await?, true)
        }
    };
    let before = store::member(&state.db, &bo.mall.id, &user_id).await?;
    let action = if before.is_some() { "update" } else { "create" };
    settle(&state, &bo, action, &user_id, before.as_ref(), store::Change::Grant(role, agency_id)).await?;
    let to = format!("/m/{}/admin/staf/{user_id}", bo.mall.slug);
    if new {
        return with_link(&state, &ctx, &bo, &headers, &user_id, &draft.email, &draft.name, &to).await;
    }
    Ok(Redirect::to(&to).into_response())
}

/// Makes a password link and emails it to the member. It is also shown once
/// on the member's page, to hand over in person, only while the account
/// has no password yet: an account someone already uses (a citizen's, who
/// now works here too) is theirs alone, and a link on a manager's screen
/// would let the manager into it.
#[allow(clippy::too_many_arguments)]
async fn with_link(
    state: &AppState,
    ctx: &Ctx,
    bo: &BackOffice,
    headers: &HeaderMap,
    user_id: &str,
    email: &str,
    name: &str,
    to: &str,
) -> AppResult<Response> {
    let link = crate::auth::reset::issue_link(state, user_id, LINK_LIFETIME_MS, &base_url(headers)).await?;
    let m = crate::notify::Message {
        kind: "staff-password".into(),
        to_email: email.to_string(),
        subject: ctx.t.f("staff.email_subject", &[("mall", bo.mall.name.as_str())]),
        body: ctx.t.f("staff.email_body", &[("name", name), ("mall", bo.mall.name.as_str()), ("link", link.as_str())]),
        secret: true,
        ..Default::default()
    };
    crate::notify::enqueue(state, &m).await?;
    let unused = crate::auth::store::find_by_email(&state.db, email)
        .await?
        .is_some_and(|u| u.password_hash == crate::auth::password::NOT_SET);
    let secret = link.rsplit('/').next().unwrap_or_default();
    let shown = if unused { secret } else { EMAILED_ONLY };
    let mut resp = Redirect::to(to).into_response();
    flash(&mut resp, JUST_MADE, shown, &format!("/m/{}/admin/staf", bo.mall.slug), is_tls(state, headers));
    Ok(resp)
}

#[derive(Template)]
#[template(path = "staff/member.html")]
struct MemberPage {
    ctx: Ctx,
    bo: BackOffice,
    section: &'static str,
    member: MemberLine,
    manageable: bool,
    is_self: bool,
    roles: Vec<(&'static str, &'static str)>,
    agencies: Vec<(String, String)>,
    /// Counters they could be placed at: (id, number, agency name, placed).
    counters: Vec<(String, i64, String, bool)>,
    link: Option<String>,
    /// A link just went to the member's email (and is not shown).
    emailed: bool,
}

impl MemberPage {
    /// The role fields are shared with the add form; here they are never wrong.
    fn error(&self, _: &str) -> Option<&'static str> {
        None
    }
}

/// The member as this user may see them (404 for someone they may not).
async fn visible(state: &AppState, bo: &BackOffice, user_id: &str) -> AppResult<Member> {
    store::member(&state.db, &bo.mall.id, user_id).await?.filter(|m| sees(bo, m)).ok_or(AppError::NotFound)
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, user_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let m = visible(&state, &bo, &user_id).await?;
    let scene = Scene::load(&state, &bo).await?;
    let works_at = |agency_id: &str| m.grants.iter().any(|g| g.agency_id.as_deref() == Some(agency_id));
    let counters = scene
        .counters
        .iter()
        .filter(|c| c.active && works_at(&c.agency_id))
        .map(|c| {
            let agency = scene.agencies.iter().find(|a| a.id == c.agency_id);
            let name = agency.map(|a| ctx.t.pick(&a.name_id, &a.name_en).to_string()).unwrap_or_default();
            (c.id.clone(), c.number, name, m.counters.contains(&c.id))
        })
        .collect();
    let flashed = cookie(&headers, JUST_MADE);
    let emailed = flashed == Some(EMAILED_ONLY);
    let link = flashed.filter(|_| !emailed).map(|secret| format!("{}/atur-sandi/{secret}", base_url(&headers)));
    let page = MemberPage {
        member: scene.line(&ctx, &bo, &m),
        manageable: may_manage(&bo.access, &m.grants),
        is_self: m.user_id == bo.user.id,
        roles: Scene::grantable_roles(&bo),
        agencies: scene.grantable_agencies(&ctx, &bo),
        counters,
        link,
        emailed,
        section: "staf",
        ctx,
        bo,
    };
    let mut resp = render(&page)?;
    if cookie(&headers, JUST_MADE).is_some() {
        flash_shown(&mut resp, JUST_MADE, &format!("/m/{slug}/admin/staf"), is_tls(&state, &headers));
    }
    Ok(resp)
}

/// The member a change is about, refusing a change to oneself.
async fn changing(state: &AppState, bo: &BackOffice, user_id: &str) -> AppResult<Member> {
    let m = visible(state, bo, user_id).await?;
    if m.user_id == bo.user.id {
        return Err(AppError::Conflict("staff.not_yourself"));
    }
    Ok(m)
}

fn back(bo: &BackOffice, user_id: &str) -> Response {
    Redirect::to(&format!("/m/{}/admin/staf/{user_id}", bo.mall.slug)).into_response()
}

async fn grant(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let before = changing(&state, &bo, &user_id).await?;
    let agencies = catalog::agencies(&state.db, &bo.mall.id).await?;
    let (role, agency_id) = chosen(&bo, &agencies, &form.get("role"), &form.get("agency"))
        .map_err(|e| if e.key == "staff.not_yours" { AppError::Forbidden } else { AppError::Invalid(vec![e]) })?;
    settle(&state, &bo, "update", &user_id, Some(&before), store::Change::Grant(role, agency_id)).await?;
    Ok(back(&bo, &user_id))
}

async fn revoke(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let before = changing(&state, &bo, &user_id).await?;
    let role = Role::parse(&form.get("role")).ok_or(AppError::BadRequest("form.bad_choice"))?;
    let agency_id = form.get("agency_id");
    let held = Grant { role, agency_id: (!agency_id.is_empty()).then(|| agency_id.clone()) };
    if !before.grants.contains(&held) {
        return Err(AppError::NotFound);
    }
    bo.require(may_grant(&bo.access, role, held.agency_id.as_deref()))?;
    settle(&state, &bo, "update", &user_id, Some(&before), store::Change::Revoke(role, agency_id)).await?;
    // Their last role here gone, they are no longer on the staff page.
    if before.grants.len() == 1 {
        return Ok(Redirect::to(&format!("/m/{}/admin/staf", bo.mall.slug)).into_response());
    }
    Ok(back(&bo, &user_id))
}

/// Places a member at the ticked counters (of agencies they work for).
async fn place(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let before = changing(&state, &bo, &user_id).await?;
    bo.require(may_manage(&bo.access, &before.grants))?;
    let ticked = form.all("counter");
    let counters = catalog::counters(&state.db, &bo.mall.id).await?;
    let works_at = |agency_id: &str| before.grants.iter().any(|g| g.agency_id.as_deref() == Some(agency_id));
    let mut ids = Vec::new();
    for id in &ticked {
        match counters.iter().find(|c| &c.id == id && works_at(&c.agency_id)) {
            Some(c) => ids.push(c.id.clone()),
            None => return Err(AppError::invalid("counter", "staff.counter_not_theirs")),
        }
    }
    settle(&state, &bo, "update", &user_id, Some(&before), store::Change::Place(ids)).await?;
    Ok(back(&bo, &user_id))
}

/// Sends the member a new one-time link to set their password (and shows
/// it once, for a member without email at hand).
async fn send_link(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, user_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let m = changing(&state, &bo, &user_id).await?;
    bo.require(may_manage(&bo.access, &m.grants))?;
    let change = Change {
        mall_id: &bo.mall.id,
        actor: &bo.user,
        action: "update",
        entity: "password_link",
        entity_id: &user_id,
        before: None,
        after: Some(serde_json::json!({"email": m.email, "valid_for_days": LINK_LIFETIME_MS / (24 * 3600 * 1000)})),
    };
    crate::audit::record_now(&state.db, change, state.clock.now_ms()).await?;
    let to = format!("/m/{}/admin/staf/{user_id}", bo.mall.slug);
    with_link(&state, &ctx, &bo, &headers, &user_id, &m.email, &m.name, &to).await
}

/// Someone leaves: every role and counter here goes, with their sessions
/// and API tokens.
async fn remove(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, user_id)): Path<(String, String)>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let before = changing(&state, &bo, &user_id).await?;
    bo.require(may_manage(&bo.access, &before.grants))?;
    settle(&state, &bo, "delete", &user_id, Some(&before), store::Change::Remove).await?;
    let list = format!("/m/{}/admin/staf", bo.mall.slug);
    let mut resp = Redirect::to(&list).into_response();
    flash(&mut resp, JUST_LEFT, &user_id, &list, is_tls(&state, &headers));
    Ok(resp)
}
