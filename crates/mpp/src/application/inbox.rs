//! The officers' inbox: the steps of live applications waiting on the
//! agencies an officer works for, earliest due first, overdue ones marked;
//! and one application with the actions on its steps (claim, release,
//! approve, reject, ask for a correction, comment).

use super::store::{self, InboxItem};
use super::{Detail, Niks, detail, flow};
use crate::auth::session::CurrentUser;
use crate::error::{AppError, AppResult};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{Ctx, render, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::access::{Basis, What};
use mpp_domain::application::{Act, urgency};
use mpp_domain::auth::Access;
use mpp_domain::format::{self, parse_date};
use mpp_domain::policy::Action;

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/kotak-masuk", Action::ProcessApplications, inbox)
        .get("/m/{slug}/kotak-masuk/{number}", Action::ProcessApplications, one)
        .post("/m/{slug}/kotak-masuk/{number}/aksi", Action::ProcessApplications, act)
        .post("/m/{slug}/kotak-masuk/{number}/buka", Action::ProcessApplications, reveal)
}

/// An officer in a mall: their grants decide which agencies' steps they see.
pub(crate) struct Desk {
    pub mall: Mall,
    pub user: CurrentUser,
    pub access: Access,
    /// The agencies whose steps this officer decides; `None`: every one (mall admins).
    agencies: Option<Vec<String>>,
}

impl Desk {
    /// Whether this officer answers for the agency (the mall's managers: every one).
    pub(crate) fn decides_for(&self, agency_id: &str) -> bool {
        self.agencies.as_ref().is_none_or(|ids| ids.iter().any(|a| a == agency_id))
    }

    /// The agencies this officer answers for; `None`: every one.
    pub(crate) fn agency_ids(&self) -> Option<&[String]> {
        self.agencies.as_deref()
    }
}

pub(crate) async fn enter(state: &AppState, ctx: &Ctx, slug: &str) -> AppResult<Desk> {
    let user = ctx.require_user()?.clone();
    let mall = tenancy::store::by_slug(&state.db, slug).await?;
    let access = crate::auth::store::access(&state.db, &user.id, &mall.id).await?;
    let agencies = super::inbox_agencies(&access)?;
    Ok(Desk { mall, user, access, agencies })
}

pub struct Row {
    pub number: String,
    /// The applicant's initials (`mpp_domain::form::mask_name`).
    pub applicant: String,
    pub service: String,
    pub step: String,
    pub agency: String,
    pub due: String,
    pub urgency: &'static str,
    pub mine: bool,
    pub claimed: bool,
}

#[derive(Template)]
#[template(path = "application/inbox.html")]
struct InboxPage {
    ctx: Ctx,
    mall: Mall,
    rows: Vec<Row>,
    /// All waiting steps, and those overdue or due soon (before filtering).
    waiting: usize,
    overdue: usize,
    soon: usize,
    /// Only overdue and due-soon steps are listed (the escalation view).
    urgent_only: bool,
    /// Per agency: (name, overdue, due soon), for the escalation view.
    by_agency: Vec<(String, usize, usize)>,
}

#[derive(serde::Deserialize, Default)]
struct InboxQuery {
    /// `mendesak`: only what is overdue or due within a working day.
    lihat: Option<String>,
}

async fn inbox(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<InboxQuery>,
) -> AppResult<Response> {
    let desk = enter(&state, &ctx, &slug).await?;
    let items = store::inbox(&state.db, &desk.mall.id, desk.agencies.as_deref()).await?;
    let agencies = crate::catalog::store::agencies(&state.db, &desk.mall.id).await?;
    let cal = crate::calendar::store::working_calendar(&state.db, &desk.mall.id).await?;
    let today = state.clock.today(desk.mall.zone());
    let rows: Vec<Row> = items
        .into_iter()
        .map(|i: InboxItem| {
            let due = i.step.due_day.as_deref().and_then(parse_date);
            Row {
                number: i.number,
                applicant: mpp_domain::form::mask_name(&i.applicant_name),
                service: ctx.t.pick(&i.service_name_id, &i.service_name_en).to_string(),
                step: ctx.t.pick(&i.step.name_id, &i.step.name_en).to_string(),
                agency: agencies
                    .iter()
                    .find(|a| a.id == i.step.agency_id)
                    .map(|a| ctx.t.pick(&a.name_id, &a.name_en).to_string())
                    .unwrap_or_default(),
                due: due.map(|d| format::date(d, ctx.t.lang)).unwrap_or_default(),
                urgency: due.map_or("", |d| super::urgency_class(urgency(&cal, today, d))),
                mine: i.step.assignee_id.as_deref() == Some(desk.user.id.as_str()),
                claimed: i.step.assignee_id.is_some(),
            }
        })
        .collect();
    let count = |rows: &[Row], u: &str| rows.iter().filter(|r| r.urgency == u).count();
    let (waiting, overdue, soon) = (rows.len(), count(&rows, "overdue"), count(&rows, "soon"));
    let mut by_agency: Vec<(String, usize, usize)> = Vec::new();
    for r in rows.iter().filter(|r| !r.urgency.is_empty()) {
        let at = match by_agency.iter().position(|(name, _, _)| *name == r.agency) {
            Some(i) => i,
            None => {
                by_agency.push((r.agency.clone(), 0, 0));
                by_agency.len() - 1
            }
        };
        if r.urgency == "overdue" {
            by_agency[at].1 += 1;
        } else {
            by_agency[at].2 += 1;
        }
    }
    let urgent_only = q.lihat.as_deref() == Some("mendesak");
    let rows = if urgent_only { rows.into_iter().filter(|r| !r.urgency.is_empty()).collect() } else { rows };
    render(&InboxPage { ctx, mall: desk.mall, rows, waiting, overdue, soon, urgent_only, by_agency })
}

/// A step this officer may act on now: its id, its name, and what they may
/// do, as (action, label key).
type StepActions = (String, String, Vec<(&'static str, &'static str)>);

#[derive(Template)]
#[template(path = "application/decide.html")]
struct DecidePage {
    ctx: Ctx,
    mall: Mall,
    d: Detail,
    actions: Vec<StepActions>,
    /// A step of this officer's agencies, for a comment on the application.
    comment_step: Option<String>,
    /// May revoke the certificate (the issuing agency's officers, managers).
    can_revoke: bool,
    /// Staff who see the application may print its certificate.
    can_download: bool,
    /// May record a payment taken at the counter.
    can_take_payment: bool,
    error: Option<&'static str>,
    /// A field was just revealed in full.
    revealed: bool,
    /// The reveal asked on this page: (field, its reason's problem or "", the reason typed).
    reveal: (String, &'static str, String),
}

/// A masked field an officer asks to see in full, with their reason.
pub(crate) struct Reveal {
    field: String,
    reason: String,
    /// Why the reason is refused (`mpp_domain::access::reveal_reason`).
    problem: Option<&'static str>,
}

async fn one(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, String)>,
) -> AppResult<Response> {
    let desk = enter(&state, &ctx, &slug).await?;
    page(&state, ctx, desk, &number, None).await
}

/// Shows a masked field in full, once, for the reason the officer gives:
/// the read is on the access log, with the reason, before the page is sent.
async fn reveal(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    let desk = enter(&state, &ctx, &slug).await?;
    let reason = form.get("reason");
    let problem = mpp_domain::access::reveal_reason(&reason).err();
    let reveal = Reveal { field: form.get("field"), reason, problem };
    shown(&state, ctx, desk, &number, None, Some(reveal)).await
}

/// The officer's page of one application, with an error from the last
/// action if any (shared by the actions of other features on this page).
pub(crate) async fn page(
    state: &AppState,
    ctx: Ctx,
    desk: Desk,
    number: &str,
    error: Option<&'static str>,
) -> AppResult<Response> {
    shown(state, ctx, desk, number, error, None).await
}

/// The page, after its read is on the access log: the application as
/// filed with NIKs masked, or with the one field the officer revealed.
async fn shown(
    state: &AppState,
    ctx: Ctx,
    desk: Desk,
    number: &str,
    error: Option<&'static str>,
    reveal: Option<Reveal>,
) -> AppResult<Response> {
    let conn = &mut crate::db::sql::Conn::Read(&state.db);
    let a = store::by_number(conn, &desk.mall.id, number).await?.ok_or(AppError::NotFound)?;
    // Only applications that reach one of this officer's agencies.
    let agency = super::staff_view(state, &desk.access, &a).await?.ok_or(AppError::NotFound)?;
    let service = flow::service_of(state, &desk.mall, &a).await?;
    let mut reads = vec![(What::Application, String::new())];
    let mut revealed = None;
    if let Some(r) = reveal.as_ref().filter(|r| r.problem.is_none()) {
        let filed = a.values();
        let field = service
            .fields
            .iter()
            .find(|f| f.key == r.field)
            .filter(|f| {
                filed
                    .get(&f.key)
                    .is_some_and(|v| mpp_domain::form::masked(f.kind, v) != mpp_domain::form::readable(f.kind, v))
            })
            .ok_or_else(|| AppError::invalid("field", "error.bad_field"))?;
        reads.push((What::Field(field.label_id.clone()), r.reason.trim().to_string()));
        revealed = Some(field.key.as_str());
    }
    super::record_read(state, &desk.user, &agency, &a, reads, (Basis::Application, &a.number)).await?;
    let d = detail(state, &ctx.t, &desk.mall, &a, Niks::Masked { revealed }).await?;
    let live = a.status() == mpp_domain::application::Status::InProgress;
    let actions = d
        .steps
        .iter()
        .filter(|s| s.active && live && super::decides(&desk.access, &s.agency_id, s.role))
        .map(|s| {
            let mine = s.assignee_id.as_deref() == Some(desk.user.id.as_str());
            let acts: Vec<(&'static str, &'static str)> = match (&s.assignee_id, mine) {
                (None, _) => vec![("claim", "application.act.claim")],
                (Some(_), true) => vec![
                    ("approve", "application.act.approve"),
                    ("request_correction", "application.act.request_correction"),
                    ("reject", "application.act.reject"),
                    ("release", "application.act.release"),
                ],
                (Some(_), false) => vec![],
            };
            (s.id.clone(), format!("{} · {}", s.name, s.agency), acts)
        })
        .collect();
    let comment_step =
        d.steps.iter().find(|s| desk.access.can_process_for(&s.agency_id)).map(|s| s.id.clone()).filter(|_| live);
    let answers = super::answers_for_service(&desk.access, &service.agency_id);
    let can_take_payment = answers;
    let can_revoke = answers && d.certificate.as_ref().is_some_and(|c| !c.revoked);
    let refused = reveal.as_ref().is_some_and(|r| r.problem.is_some());
    let status = match (error, refused) {
        (Some(_), _) => axum::http::StatusCode::CONFLICT,
        (None, true) => axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        (None, false) => axum::http::StatusCode::OK,
    };
    let revealed = revealed.is_some();
    let reveal = reveal.map(|r| (r.field, r.problem.unwrap_or(""), r.reason)).unwrap_or_default();
    render_status(
        status,
        &DecidePage {
            ctx,
            mall: desk.mall,
            d,
            actions,
            comment_step,
            can_revoke,
            can_download: true,
            can_take_payment,
            error,
            revealed,
            reveal,
        },
    )
}

async fn act(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, number)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    let desk = enter(&state, &ctx, &slug).await?;
    let act = Act::parse(&form.get("act")).ok_or_else(|| AppError::invalid("act", "error.bad_field"))?;
    let step_id = form.get("step");
    let reason = form.get("reason");
    let officer = flow::Officer { id: &desk.user.id, name: &desk.user.name, access: &desk.access };
    let action = flow::Action { number: &number, step_id: &step_id, act, reason: &reason };
    match flow::act(&state, &desk.mall, &officer, &action).await {
        Ok(a) => Ok(Redirect::to(&format!("/m/{}/kotak-masuk/{}", desk.mall.slug, a.number)).into_response()),
        Err(AppError::Conflict(key)) => page(&state, ctx, desk, &number, Some(key)).await,
        Err(e) => Err(e),
    }
}
