//! How an application moves: filing, an officer's action on a step, the
//! citizen's resubmission after a correction, and deemed approvals. Each is
//! one transaction; the rules are `mpp_domain::application`'s, the SQL
//! `store.rs`'s. Each change lands in the timeline and, when the status
//! changes, in a message to the citizen.

use super::store::{self, Actor, Application, NewStep, ServiceForm};
use crate::db::new_id;
use crate::db::sql::Conn;
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;
use crate::tenancy::Mall;
use mpp_domain::application::{self as rules, Act, Next, Status, StepStatus, Then};
use mpp_domain::calendar::WorkingCalendar;
use mpp_domain::format::{iso_date, parse_date};
use mpp_domain::tenancy::MallId;
use std::collections::BTreeMap;

/// A filing, from the citizen's own form or an officer at a counter.
pub struct Filing<'a> {
    pub service: &'a ServiceForm,
    pub applicant_id: &'a str,
    pub applicant_name: &'a str,
    pub values: BTreeMap<String, String>,
    pub risk: Option<String>,
    /// The speed tier paid for (its working days), if the service offers any.
    pub speed: Option<u32>,
    /// `online`, or `counter` with the officer who filed.
    pub channel: &'a str,
    pub filed_by: Option<Actor<'a>>,
    /// The visitor's ticket, when filed at a counter.
    pub ticket_id: Option<&'a str>,
    /// An API request's idempotency key, recorded in the same transaction.
    pub claim: Option<&'a crate::idempotency::Claim>,
    /// The citizen chose kept documents and consented, on the form, to the
    /// workflow's agencies using them until this day.
    pub consent_until: Option<time::Date>,
}

/// The form's values checked against the service's fields, or the
/// problems, one per field.
pub(crate) fn checked(service: &ServiceForm, values: &BTreeMap<String, String>) -> AppResult<BTreeMap<String, String>> {
    let (tidy, problems) = mpp_domain::form::check(&service.fields, values);
    if problems.is_empty() { Ok(tidy) } else { Err(invalid(problems)) }
}

fn invalid(problems: Vec<mpp_domain::form::FieldProblem>) -> AppError {
    AppError::Invalid(problems.into_iter().map(|p| FieldError::new(p.key, p.message)).collect())
}

/// A filing checked whole (`mpp_domain::application::check_filing`): every
/// problem at once.
pub(crate) fn filing_checked(
    service: &ServiceForm,
    values: &BTreeMap<String, String>,
    risk: Option<&str>,
    speed: Option<u32>,
) -> AppResult<rules::Filed> {
    rules::check_filing(
        &service.fields,
        service.risk_based,
        &service.fees,
        values,
        risk.filter(|r| !r.is_empty()),
        speed,
    )
    .map_err(invalid)
}

/// A filing checked and routed, owning all that its transaction writes:
/// one application ([`file`]), or several in one bundle
/// (`crate::bundle::file`).
pub(crate) struct Prepared {
    mall_id: MallId,
    slug: String,
    service: ServiceForm,
    applicant_id: String,
    applicant_name: String,
    channel: String,
    filed_by: Option<(Option<String>, String)>,
    ticket_id: Option<String>,
    claim: Option<crate::idempotency::Claim>,
    speed: Option<u32>,
    nik: Option<String>,
    form: BTreeMap<String, String>,
    risk: Option<rules::Risk>,
    fee: i64,
    route: Vec<Vec<rules::StepDef>>,
    workflow: Vec<store::WorkflowStep>,
    cal: WorkingCalendar,
    today: time::Date,
    now: i64,
    sla: u32,
    due: time::Date,
    /// The agencies of the workflow, each once: a consent to use kept
    /// documents goes to each of them.
    agencies: Vec<String>,
    consent_until: Option<time::Date>,
}

/// Checks a filing whole and routes it by its workflow, reading what the
/// writes will need; nothing is written yet.
pub(crate) async fn prepare(state: &AppState, mall: &Mall, f: Filing<'_>) -> AppResult<Prepared> {
    if !f.service.active {
        return Err(AppError::Conflict("application.service_inactive"));
    }
    let filed = filing_checked(f.service, &f.values, f.risk.as_deref(), f.speed)?;
    let workflow = store::workflow(&state.db, &mall.id, &f.service.id).await?;
    let defs: Vec<_> = workflow.iter().map(|w| w.def.clone()).collect();
    let route = rules::route(&defs, filed.risk);
    if route.is_empty() {
        return Err(AppError::Conflict("application.no_workflow"));
    }
    // A speed tier sets the whole application's deadline.
    let sla = f.speed.unwrap_or_else(|| rules::route_days(&route));
    let route: Vec<Vec<rules::StepDef>> = route.into_iter().map(|stage| stage.into_iter().cloned().collect()).collect();
    let cal = crate::calendar::store::working_calendar(&state.db, &mall.id).await?;
    let today = state.clock.today(mall.zone());
    let due = rules::due_date(&cal, today, sla, &[], today);
    // The applicant's NIK: the form's first NIK field (the second factor for tracking).
    let nik = f
        .service
        .fields
        .iter()
        .find(|d| d.kind == mpp_domain::form::FieldKind::Nik)
        .and_then(|d| filed.values.get(&d.key))
        .cloned();
    let mut agencies: Vec<String> = Vec::new();
    for w in &workflow {
        if !agencies.contains(&w.def.agency_id) {
            agencies.push(w.def.agency_id.clone());
        }
    }
    Ok(Prepared {
        mall_id: mall.id.clone(),
        slug: mall.slug.clone(),
        service: f.service.clone(),
        applicant_id: f.applicant_id.to_owned(),
        applicant_name: f.applicant_name.to_owned(),
        channel: f.channel.to_owned(),
        filed_by: f.filed_by.as_ref().map(|o| (o.id.map(str::to_owned), o.name.to_owned())),
        ticket_id: f.ticket_id.map(str::to_owned),
        claim: f.claim.cloned(),
        speed: f.speed,
        nik,
        form: filed.values,
        risk: filed.risk,
        fee: filed.fee,
        route,
        workflow,
        cal,
        today,
        now: state.clock.now_ms(),
        sla,
        due,
        agencies,
        consent_until: f.consent_until,
    })
}

pub async fn file(state: &AppState, mall: &Mall, f: Filing<'_>) -> AppResult<Application> {
    let p = prepare(state, mall, f).await?;
    let a = state.db.transact(move |conn| Box::pin(async move { p.write(conn).await })).await?;
    tell(state, mall, &a, "application.msg_filed").await;
    Ok(a)
}

impl Prepared {
    /// The filing's writes, in the caller's transaction: the application,
    /// its bill, its steps, its timeline's first entry, and the consent
    /// given on the form (so an application never waits for its consent).
    pub(crate) async fn write(&self, conn: &mut Conn<'_>) -> AppResult<Application> {
        let (today, now) = (self.today, self.now);
        let seq = store::next_number(conn, &self.mall_id, &iso_date(today)).await?;
        let a = Application {
            mall_id: self.mall_id.clone(),
            id: new_id(now),
            number: rules::registration_number(&self.slug, today, u32::try_from(seq).unwrap_or(u32::MAX)),
            service_id: self.service.id.clone(),
            applicant_id: self.applicant_id.clone(),
            applicant_name: self.applicant_name.clone(),
            applicant_nik: mpp_domain::form::NikNumber::new(self.nik.clone().unwrap_or_default()),
            channel: self.channel.clone(),
            form: crate::db::json(&self.form)?,
            risk: self.risk.map(|r| r.as_str().to_string()),
            status: Status::InProgress,
            stage: 0,
            filed_day: iso_date(today),
            sla_days: i64::from(self.sla),
            due_day: iso_date(self.due),
            correction: String::new(),
            filed_at: now,
            closed_at: None,
            speed_days: self.speed.map(i64::from),
        };
        let filer_id = self.filed_by.as_ref().and_then(|(id, _)| id.as_deref());
        store::insert(conn, &a, filer_id, self.ticket_id.as_deref(), now).await?;
        if self.fee > 0 {
            crate::payment::bill(conn, &a, self.fee, now).await?;
        }
        for (i, stage) in self.route.iter().enumerate() {
            for def in stage {
                let step = self.workflow.iter().find(|w| w.def.id == def.id).ok_or(AppError::NotFound)?;
                let open = i == 0;
                let new = NewStep {
                    stage: i as i64,
                    step,
                    status: if open { StepStatus::Open } else { StepStatus::Pending },
                    opened_day: open.then(|| iso_date(today)),
                    due_day: open.then(|| iso_date(step_due(&self.cal, today, def.sla_days, &a))),
                };
                store::insert_step(conn, &self.mall_id, &a.id, &new, now).await?;
            }
        }
        // At a counter, the officer who filed is the actor.
        let actor = match &self.filed_by {
            Some((id, name)) => Actor { id: id.as_deref(), name },
            None => Actor { id: Some(&self.applicant_id), name: &self.applicant_name },
        };
        store::record(conn, &a, &actor, "filed", None, &self.channel, now).await?;
        if let Some(until) = self.consent_until {
            crate::consent::grant_for_application(conn, &a, &self.agencies, until, now).await?;
        }
        if let Some(claim) = &self.claim {
            crate::idempotency::complete(conn, claim, &a.id).await?;
        }
        Ok(a)
    }
}

/// An officer's action on one step of an application.
pub struct Action<'a> {
    pub number: &'a str,
    pub step_id: &'a str,
    pub act: Act,
    pub reason: &'a str,
}

/// Who acts: a person who may decide for some agencies, or the system.
pub struct Officer<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub access: &'a mpp_domain::auth::Access,
}

pub async fn act(state: &AppState, mall: &Mall, officer: &Officer<'_>, action: &Action<'_>) -> AppResult<Application> {
    let today = state.clock.today(mall.zone());
    let now = state.clock.now_ms();
    let cal = crate::calendar::store::working_calendar(&state.db, &mall.id).await?;
    let (mall_id, keys) = (mall.id.clone(), state.keys.clone());
    let (officer_id, officer_name, access) = (officer.id.to_owned(), officer.name.to_owned(), officer.access.clone());
    let (number, step_id, act, reason) =
        (action.number.to_owned(), action.step_id.to_owned(), action.act, action.reason.to_owned());
    let (a, status) = state
        .db
        .transact(move |conn| {
            Box::pin(async move {
                let officer = Officer { id: &officer_id, name: &officer_name, access: &access };
                let action = Action { number: &number, step_id: &step_id, act, reason: &reason };
                act_in(conn, &mall_id, &keys, &officer, &action, &cal, today, now).await
            })
        })
        .await?;
    if let Some(s) = status {
        tell(state, mall, &a, message_key(s)).await;
    }
    Ok(a)
}

/// An officer's action, in its transaction: the application and its new
/// status if that changed.
#[allow(clippy::too_many_arguments)]
async fn act_in(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    keys: &crate::certificate::keys::KeyStore,
    officer: &Officer<'_>,
    action: &Action<'_>,
    cal: &WorkingCalendar,
    today: time::Date,
    now: i64,
) -> AppResult<(Application, Option<Status>)> {
    let a = store::lock(conn, mall_id, action.number, now).await?.ok_or(AppError::NotFound)?;
    let steps = store::steps(conn, mall_id, &a.id).await?;
    let step = steps.iter().find(|s| s.id == action.step_id).ok_or(AppError::NotFound)?;
    if !officer.access.can_process_for(&step.agency_id) {
        return Err(AppError::Forbidden);
    }
    let facts = rules::StepFacts {
        app: a.status(),
        step: step.status(),
        kind: step.kind,
        role: step.role,
        assignee: step.assignee_id.as_deref(),
    };
    let who = rules::Officer { id: officer.id, agency_admin: officer.access.can_manage_agency(&step.agency_id) };
    let change = rules::decide(facts, who, action.act, action.reason).map_err(|r| AppError::Conflict(r.key()))?;
    if let Some((new, assignee)) = change.step
        && !store::update_step(conn, mall_id, step, new, assignee, Some(officer.id), now).await?
    {
        return Err(AppError::Conflict("application.changed"));
    }
    let actor = Actor { id: Some(officer.id), name: officer.name };
    store::record(conn, &a, &actor, action.act.as_str(), Some(&step.id), action.reason.trim(), now).await?;
    let status = match change.then {
        Then::Correction => {
            store::set_status(conn, &a, Status::Correction, a.stage, action.reason.trim(), now).await?;
            store::start_pause(conn, mall_id, &a.id, &iso_date(today), now).await?;
            Some(Status::Correction)
        }
        Then::Advance => advance(conn, keys, &a, cal, today, now).await?,
        Then::Nothing => None,
    };
    Ok((a, status))
}

/// A step opening today is due after its own working days, but never after
/// the whole application's due day (a speed tier shortens both).
fn step_due(cal: &WorkingCalendar, today: time::Date, sla_days: u32, a: &Application) -> time::Date {
    let own = rules::due_date(cal, today, sla_days, &[], today);
    parse_date(&a.due_day).map_or(own, |whole| own.min(whole))
}

/// After a decision: the next stage opens (and a payment step in it is
/// approved at once if nothing is owed), or the application is issued or
/// rejected. The new status, if it changed.
pub(crate) async fn advance(
    conn: &mut Conn<'_>,
    keys: &crate::certificate::keys::KeyStore,
    a: &Application,
    cal: &WorkingCalendar,
    today: time::Date,
    now: i64,
) -> AppResult<Option<Status>> {
    let system = Actor { id: None, name: "MPP" };
    let mut stage = a.stage;
    loop {
        let steps = store::steps(conn, &a.mall_id, &a.id).await?;
        let stages = steps.iter().map(|s| s.stage).max().map_or(0, |m| m + 1);
        let current: Vec<StepStatus> = steps.iter().filter(|s| s.stage == stage).map(|s| s.status()).collect();
        let here = usize::try_from(stage).unwrap_or(0);
        match rules::next_after(here, usize::try_from(stages).unwrap_or(0), &current) {
            Next::Wait => return Ok(None),
            Next::OpenStage(next) => {
                stage = next as i64;
                for s in steps.iter().filter(|s| s.stage == stage) {
                    let due = iso_date(step_due(cal, today, u32::try_from(s.sla_days).unwrap_or(0), a));
                    store::open_step(conn, &a.mall_id, &s.id, &iso_date(today), &due).await?;
                }
                store::set_status(conn, a, Status::InProgress, stage, "", now).await?;
                store::record(conn, a, &system, "stage_opened", None, "", now).await?;
                if !crate::payment::approve_payment_steps(conn, a, stage, now).await? {
                    return Ok(None);
                }
            }
            Next::Issue => {
                store::set_status(conn, a, Status::Issued, stage, "", now).await?;
                let certificate = crate::certificate::issue(conn, keys, a, today, now).await?;
                store::record(conn, a, &system, "issued", None, &certificate.number, now).await?;
                return Ok(Some(Status::Issued));
            }
            Next::Reject => {
                store::set_status(conn, a, Status::Rejected, stage, "", now).await?;
                return Ok(Some(Status::Rejected));
            }
        }
    }
}

/// The citizen fixes the form and sends the application back: the clock
/// starts again, every open deadline pushed back by the working days it
/// stood still.
pub async fn resubmit(
    state: &AppState,
    mall: &Mall,
    user_id: &str,
    user_name: &str,
    number: &str,
    values: BTreeMap<String, String>,
) -> AppResult<Application> {
    let today = state.clock.today(mall.zone());
    let now = state.clock.now_ms();
    let cal = crate::calendar::store::working_calendar(&state.db, &mall.id).await?;
    // The form is checked against the service's fields before the
    // transaction (a look-up first, as tracking does; the lock re-checks).
    let current = store::by_number(&mut Conn::Read(&state.db), &mall.id, number).await?.ok_or(AppError::NotFound)?;
    if current.applicant_id != user_id {
        return Err(AppError::NotFound);
    }
    let form = checked(&service_of(state, mall, &current).await?, &values)?;
    let (mall_id, user_id, user_name, number) =
        (mall.id.clone(), user_id.to_owned(), user_name.to_owned(), number.to_owned());
    state
        .db
        .transact(move |conn| {
            Box::pin(async move {
                resubmit_in(conn, &mall_id, (&user_id, &user_name), &number, form, &cal, today, now).await
            })
        })
        .await
}

#[allow(clippy::too_many_arguments)]
async fn resubmit_in(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    (user_id, user_name): (&str, &str),
    number: &str,
    form: BTreeMap<String, String>,
    cal: &WorkingCalendar,
    today: time::Date,
    now: i64,
) -> AppResult<Application> {
    let a = store::lock(conn, mall_id, number, now).await?.ok_or(AppError::NotFound)?;
    if a.applicant_id != user_id {
        return Err(AppError::NotFound);
    }
    if a.status() != Status::Correction {
        return Err(AppError::Conflict("application.not_with_you"));
    }
    let from = store::end_pause(conn, mall_id, &a.id, &iso_date(today)).await?;
    let pause = rules::Pause { from: from.as_deref().and_then(parse_date).unwrap_or(today), to: Some(today) };
    let paused = rules::paused_days(cal, &[pause], today);
    let later = |day: &str| parse_date(day).map(|d| iso_date(cal.add_working_days(d, paused)));
    let due = later(&a.due_day).unwrap_or_else(|| a.due_day.clone());
    let json = crate::db::json(&form)?;
    store::set_form_and_due(conn, &a, &json, &due).await?;
    for s in store::steps(conn, mall_id, &a.id).await?.iter().filter(|s| s.status().is_active()) {
        if let Some(d) = s.due_day.as_deref().and_then(later) {
            store::set_step_due(conn, mall_id, &s.id, &d).await?;
        }
    }
    store::set_status(conn, &a, Status::InProgress, a.stage, "", now).await?;
    store::record(conn, &a, &Actor { id: Some(user_id), name: user_name }, "resubmitted", None, "", now).await?;
    Ok(a)
}

/// Steps whose deadline passed without a decision and that approve
/// themselves (fiktif positif), in every mall: approved as deemed, in the
/// timeline as such, and the application moves on. Returns how many.
pub async fn deem_overdue(state: &AppState) -> AppResult<usize> {
    let mut done = 0;
    for mall in crate::tenancy::store::list(&state.db).await? {
        let today = state.clock.today(mall.zone());
        for (number, step_id) in store::deemed_due(&state.db, &mall.id, &iso_date(today)).await? {
            if deem(state, &mall, &number, &step_id).await? {
                done += 1;
            }
        }
    }
    Ok(done)
}

async fn deem(state: &AppState, mall: &Mall, number: &str, step_id: &str) -> AppResult<bool> {
    let today = state.clock.today(mall.zone());
    let now = state.clock.now_ms();
    let cal = crate::calendar::store::working_calendar(&state.db, &mall.id).await?;
    let (mall_id, keys) = (mall.id.clone(), state.keys.clone());
    let (number, step_id) = (number.to_owned(), step_id.to_owned());
    let deemed = state
        .db
        .transact(move |conn| {
            Box::pin(async move { deem_in(conn, &mall_id, &keys, &number, &step_id, &cal, today, now).await })
        })
        .await?;
    let Some((a, status)) = deemed else { return Ok(false) };
    if let Some(s) = status {
        tell(state, mall, &a, message_key(s)).await;
    }
    Ok(true)
}

/// A deemed approval in its transaction: `None` when the step no longer qualifies.
#[allow(clippy::too_many_arguments)]
async fn deem_in(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    keys: &crate::certificate::keys::KeyStore,
    number: &str,
    step_id: &str,
    cal: &WorkingCalendar,
    today: time::Date,
    now: i64,
) -> AppResult<Option<(Application, Option<Status>)>> {
    let Some(a) = store::lock(conn, mall_id, number, now).await? else { return Ok(None) };
    let steps = store::steps(conn, mall_id, &a.id).await?;
    let Some(step) = steps.iter().find(|s| s.id == step_id) else { return Ok(None) };
    let due = step.due_day.as_deref().and_then(parse_date).unwrap_or(today);
    if a.status() != Status::InProgress || !rules::is_deemed(step.status(), step.deemed_approval, today, due) {
        return Ok(None);
    }
    if !store::update_step(conn, mall_id, step, StepStatus::Deemed, step.assignee_id.as_deref(), None, now).await? {
        return Ok(None);
    }
    store::record(conn, &a, &Actor { id: None, name: "MPP" }, "deemed", Some(step_id), "", now).await?;
    let status = advance(conn, keys, &a, cal, today, now).await?;
    Ok(Some((a, status)))
}

pub async fn service_of(state: &AppState, mall: &Mall, a: &Application) -> AppResult<ServiceForm> {
    store::service_form_by_id(&state.db, &mall.id, &a.service_id).await?.ok_or(AppError::NotFound)
}

pub(crate) fn message_key(s: Status) -> &'static str {
    match s {
        Status::Correction => "application.msg_correction",
        Status::Issued => "application.msg_issued",
        Status::Rejected => "application.msg_rejected",
        Status::InProgress | Status::Withdrawn => "application.msg_changed",
    }
}

/// A message to the citizen through the notifier (email when configured;
/// never blocks the action that caused it).
pub(crate) async fn tell(state: &AppState, mall: &Mall, a: &Application, key: &str) {
    let t = crate::i18n::Tr::new(mpp_domain::format::Lang::Id);
    let email = crate::auth::store::email_of(&state.db, &a.applicant_id).await.ok().flatten().unwrap_or_default();
    let m = crate::notify::Message {
        mall_id: mall.id.clone(),
        kind: "application-changed".into(),
        to_email: email,
        subject: format!("{} {}", t.t("application.msg_subject"), a.number),
        body: t.f(key, &[("number", &a.number), ("mall", &mall.name)]),
        ..Default::default()
    };
    if let Err(e) = crate::notify::enqueue(state, &m).await {
        tracing::warn!(error = ?e, "could not queue the application message");
    }
}
