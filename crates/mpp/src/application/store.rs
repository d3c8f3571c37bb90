//! The SQL of applications: workflows, filed applications, their steps,
//! pauses and timeline. Every statement goes through `db::sql`, inside the
//! transactions of `flow.rs` or as reads.

use crate::db::sql::{self, Conn, FromRow, Row, from_row};
use crate::db::{Db, new_id};
use crate::error::AppResult;
use mpp_domain::application::{Risk, StepDef, StepKind, StepRole, StepStatus};
use mpp_domain::certificate::Template;
use mpp_domain::form::FieldDef;
use mpp_domain::setup::ServiceSetup;
use mpp_domain::tenancy::MallId;
use std::collections::BTreeMap;

/// What filing needs to know of a service.
#[derive(Debug, Clone)]
pub struct ServiceForm {
    pub id: String,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub agency_id: String,
    pub active: bool,
    pub fields: Vec<FieldDef>,
    pub risk_based: bool,
    pub fees: mpp_domain::application::Fees,
    /// The service's published requirements (one per line), in both languages.
    pub requirements_id: String,
    pub requirements_en: String,
}

impl FromRow for ServiceForm {
    fn from_row(r: &Row) -> AppResult<ServiceForm> {
        let fields = serde_json::from_str(&r.text("form_fields")?)
            .map_err(|e| crate::error::AppError::Internal(anyhow::anyhow!("form_fields: {e}")))?;
        Ok(ServiceForm {
            id: r.text("id")?,
            code: r.text("code")?,
            name_id: r.text("name_id")?,
            name_en: r.text("name_en")?,
            agency_id: r.text("agency_id")?,
            active: r.flag("active")?,
            fields,
            risk_based: r.flag("risk_based")?,
            fees: serde_json::from_str(&r.text("fees")?).unwrap_or_default(),
            requirements_id: r.text("requirements_id")?,
            requirements_en: r.text("requirements_en")?,
        })
    }
}

const SERVICE_FORM: &str = "SELECT id, code, name_id, name_en, agency_id, active, form_fields, risk_based, fees,
    requirements_id, requirements_en FROM services WHERE mall_id = $1";

pub async fn service_form(db: &Db, mall_id: &MallId, code: &str) -> AppResult<Option<ServiceForm>> {
    sql::query(format!("{SERVICE_FORM} AND code = $2"))
        .bind(mall_id)
        .bind(code.trim().to_ascii_uppercase())
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// The services that take applications (they have a workflow).
pub async fn services_with_workflows(db: &Db, mall_id: &MallId) -> AppResult<Vec<ServiceForm>> {
    sql::query(format!(
        "{SERVICE_FORM} AND id IN (SELECT service_id FROM workflow_steps WHERE mall_id = $1) ORDER BY code"
    ))
    .bind(mall_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// The form of the service an application was filed for.
pub async fn service_form_by_id(db: &Db, mall_id: &MallId, id: &str) -> AppResult<Option<ServiceForm>> {
    sql::query(format!("{SERVICE_FORM} AND id = $2")).bind(mall_id).bind(id).fetch_optional(&mut Conn::Read(db)).await
}

/// A configured workflow step, with its names.
#[derive(Debug, Clone)]
pub struct WorkflowStep {
    pub def: StepDef,
    pub name_id: String,
    pub name_en: String,
}

impl FromRow for WorkflowStep {
    fn from_row(r: &Row) -> AppResult<WorkflowStep> {
        Ok(WorkflowStep {
            def: StepDef {
                id: r.text("id")?,
                stage: u32::try_from(r.int("stage")?).unwrap_or(0),
                kind: r.get("kind")?,
                agency_id: r.text("agency_id")?,
                role: StepRole::parse(&r.text("role")?).unwrap_or_default(),
                sla_days: u32::try_from(r.int("sla_days")?).unwrap_or(0),
                risks: r.text("risks")?.split_whitespace().filter_map(Risk::parse).collect(),
                deemed_approval: r.flag("deemed_approval")?,
            },
            name_id: r.text("name_id")?,
            name_en: r.text("name_en")?,
        })
    }
}

pub async fn workflow(db: &Db, mall_id: &MallId, service_id: &str) -> AppResult<Vec<WorkflowStep>> {
    sql::query(
        "SELECT id, stage, kind, name_id, name_en, agency_id, role, sla_days, risks, deemed_approval FROM workflow_steps
         WHERE mall_id = $1 AND service_id = $2 ORDER BY stage, id",
    )
    .bind(mall_id)
    .bind(service_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Replaces a service's form, workflow, fee and certificate wording (the
/// admin page, the API, the demo), inside the caller's transaction; the
/// setup is checked first (`setup.rs`), `agency_id` maps its agency codes.
/// Saves a service's setup (form, fees, workflow, certificate) in one
/// transaction, with the change's audit entry when someone made it.
pub async fn save_setup(
    db: &Db,
    mall_id: &MallId,
    service_id: &str,
    setup: &ServiceSetup,
    agency_id: &BTreeMap<String, String>,
    audit: Option<crate::audit::Entry>,
    now: i64,
) -> AppResult<()> {
    let (mall_id, service_id, setup, agency_id) =
        (mall_id.to_owned(), service_id.to_owned(), setup.clone(), agency_id.clone());
    db.transact(move |conn| {
        Box::pin(async move {
            save_setup_in(conn, &mall_id, &service_id, &setup, &agency_id, now).await?;
            crate::audit::write_if(audit, conn).await
        })
    })
    .await?;
    // Public pages say whether a service can be applied for online.
    db.cache.clear();
    Ok(())
}

async fn save_setup_in(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    service_id: &str,
    setup: &ServiceSetup,
    agency_id: &BTreeMap<String, String>,
    now: i64,
) -> AppResult<()> {
    sql::query(
        "UPDATE services SET form_fields = $3, risk_based = $4, certificate_template = $5, fees = $6, updated_at = $7
         WHERE mall_id = $1 AND id = $2",
    )
    .bind(mall_id)
    .bind(service_id)
    .bind(crate::db::json(&setup.fields)?)
    .bind(setup.risk_based)
    .bind(crate::db::json(&setup.certificate)?)
    .bind(crate::db::json(&setup.fees)?)
    .bind(now)
    .execute(conn)
    .await?;
    sql::query("DELETE FROM workflow_steps WHERE mall_id = $1 AND service_id = $2")
        .bind(mall_id)
        .bind(service_id)
        .execute(conn)
        .await?;
    for s in &setup.steps {
        let agency =
            agency_id.get(&s.agency).ok_or(crate::error::AppError::invalid("agency", "setup.unknown_agency"))?;
        let risks: Vec<&str> = s.risks.iter().map(|r| r.as_str()).collect();
        sql::query(
            "INSERT INTO workflow_steps (mall_id, id, service_id, stage, kind, name_id, name_en, agency_id, sla_days,
             risks, deemed_approval, updated_at, role) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(mall_id)
        .bind(new_id(now))
        .bind(service_id)
        .bind(i64::from(s.stage))
        .bind(s.kind.as_str())
        .bind(s.name_id.trim())
        .bind(s.name_en.trim())
        .bind(agency)
        .bind(i64::from(s.sla_days))
        .bind(risks.join(" "))
        .bind(s.deemed_approval)
        .bind(now)
        .bind(s.role.as_str())
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// A service's certificate wording.
pub async fn certificate_template(db: &Db, mall_id: &MallId, service_id: &str) -> AppResult<Template> {
    let r: Row = sql::query("SELECT certificate_template FROM services WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(service_id)
        .fetch_one(&mut Conn::Read(db))
        .await?;
    Ok(serde_json::from_str(&r.text("certificate_template")?).unwrap_or_default())
}

// ---- applications ------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Application {
    pub mall_id: MallId,
    pub id: String,
    pub number: String,
    pub service_id: String,
    pub applicant_id: String,
    pub applicant_name: String,
    pub applicant_nik: mpp_domain::form::NikNumber,
    pub channel: String,
    pub form: String,
    pub risk: Option<String>,
    pub status: mpp_domain::application::Status,
    pub stage: i64,
    pub filed_day: String,
    pub sla_days: i64,
    pub due_day: String,
    pub correction: String,
    pub filed_at: i64,
    pub closed_at: Option<i64>,
    /// The speed tier paid for (working days), if any.
    pub speed_days: Option<i64>,
}

const APPLICATION: &str = "mall_id, id, number, service_id, applicant_id, applicant_name, applicant_nik, channel, form,
    risk, status, stage, filed_day, sla_days, due_day, correction, filed_at, closed_at, speed_days";

impl FromRow for Application {
    fn from_row(r: &Row) -> AppResult<Application> {
        Ok(Application {
            mall_id: r.get("mall_id")?,
            id: r.text("id")?,
            number: r.text("number")?,
            service_id: r.text("service_id")?,
            applicant_id: r.text("applicant_id")?,
            applicant_name: r.text("applicant_name")?,
            applicant_nik: mpp_domain::form::NikNumber::new(r.text("applicant_nik")?),
            channel: r.text("channel")?,
            form: r.text("form")?,
            risk: r.opt_text("risk")?,
            status: r.get("status")?,
            stage: r.int("stage")?,
            filed_day: r.text("filed_day")?,
            sla_days: r.int("sla_days")?,
            due_day: r.text("due_day")?,
            correction: r.text("correction")?,
            filed_at: r.int("filed_at")?,
            closed_at: r.opt_int("closed_at")?,
            speed_days: r.opt_int("speed_days")?,
        })
    }
}

impl Application {
    pub fn status(&self) -> mpp_domain::application::Status {
        self.status
    }

    /// The form's values.
    pub fn values(&self) -> std::collections::BTreeMap<String, String> {
        serde_json::from_str(&self.form).unwrap_or_default()
    }
}

/// The day's next registration sequence number.
pub async fn next_number(conn: &mut Conn<'_>, mall_id: &MallId, day: &str) -> AppResult<i64> {
    sql::query(
        "INSERT INTO application_numbers (mall_id, day, last_seq) VALUES ($1, $2, 1)
         ON CONFLICT (mall_id, day) DO UPDATE SET last_seq = application_numbers.last_seq + 1 RETURNING last_seq",
    )
    .bind(mall_id)
    .bind(day)
    .fetch_one(conn)
    .await
}

pub async fn insert(
    conn: &mut Conn<'_>,
    a: &Application,
    filed_by: Option<&str>,
    ticket_id: Option<&str>,
    now: i64,
) -> AppResult<()> {
    sql::query(
        "INSERT INTO applications (mall_id, id, number, service_id, applicant_id, applicant_name, applicant_nik, channel,
         filed_by, form, risk, status, stage, filed_day, sla_days, due_day, filed_at, updated_at, speed_days, ticket_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $18, $19)",
    )
    .bind(&a.mall_id)
    .bind(&a.id)
    .bind(&a.number)
    .bind(&a.service_id)
    .bind(&a.applicant_id)
    .bind(&a.applicant_name)
    .bind(a.applicant_nik.as_str())
    .bind(&a.channel)
    .bind(filed_by)
    .bind(&a.form)
    .bind(&a.risk)
    .bind(a.status.as_str())
    .bind(a.stage)
    .bind(&a.filed_day)
    .bind(a.sla_days)
    .bind(&a.due_day)
    .bind(now)
    .bind(a.speed_days)
    .bind(ticket_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn by_number(conn: &mut Conn<'_>, mall_id: &MallId, number: &str) -> AppResult<Option<Application>> {
    sql::query(format!("SELECT {APPLICATION} FROM applications WHERE mall_id = $1 AND number = $2"))
        .bind(mall_id)
        .bind(number)
        .fetch_optional(conn)
        .await
}

pub async fn by_id(db: &Db, mall_id: &MallId, id: &str) -> AppResult<Option<Application>> {
    sql::query(format!("SELECT {APPLICATION} FROM applications WHERE mall_id = $1 AND id = $2"))
        .bind(mall_id)
        .bind(id)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// The application, locked for the rest of the transaction (PostgreSQL:
/// two officers approving parallel steps at once take turns, so the second
/// sees the first's approval and the stage moves on).
pub async fn lock(conn: &mut Conn<'_>, mall_id: &MallId, number: &str, now: i64) -> AppResult<Option<Application>> {
    sql::query(format!(
        "UPDATE applications SET updated_at = $3 WHERE mall_id = $1 AND number = $2 RETURNING {APPLICATION}"
    ))
    .bind(mall_id)
    .bind(number)
    .bind(now)
    .fetch_optional(conn)
    .await
}

/// A citizen's applications in a mall, newest first.
pub async fn of_applicant(db: &Db, mall_id: &MallId, user_id: &str) -> AppResult<Vec<Application>> {
    sql::query(format!(
        "SELECT {APPLICATION} FROM applications WHERE mall_id = $1 AND applicant_id = $2 ORDER BY filed_at DESC LIMIT 100"
    ))
    .bind(mall_id)
    .bind(user_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// Sets the status (and the stage, the correction note, the closing time).
pub async fn set_status(
    conn: &mut Conn<'_>,
    a: &Application,
    status: mpp_domain::application::Status,
    stage: i64,
    correction: &str,
    now: i64,
) -> AppResult<()> {
    let closed = status.is_closed().then_some(now);
    sql::query(
        "UPDATE applications SET status = $3, stage = $4, correction = $5, closed_at = $6, updated_at = $7
         WHERE mall_id = $1 AND id = $2",
    )
    .bind(&a.mall_id)
    .bind(&a.id)
    .bind(status.as_str())
    .bind(stage)
    .bind(correction)
    .bind(closed)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_form_and_due(conn: &mut Conn<'_>, a: &Application, form: &str, due_day: &str) -> AppResult<()> {
    sql::query("UPDATE applications SET form = $3, due_day = $4 WHERE mall_id = $1 AND id = $2")
        .bind(&a.mall_id)
        .bind(&a.id)
        .bind(form)
        .bind(due_day)
        .execute(conn)
        .await?;
    Ok(())
}

// ---- steps -------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Step {
    pub id: String,
    pub stage: i64,
    pub kind: StepKind,
    pub name_id: String,
    pub name_en: String,
    pub agency_id: String,
    /// Who of the agency decides it.
    pub role: StepRole,
    pub sla_days: i64,
    pub deemed_approval: bool,
    pub status: StepStatus,
    pub assignee_id: Option<String>,
    pub opened_day: Option<String>,
    pub due_day: Option<String>,
    pub decided_at: Option<i64>,
}

const STEP: &str = "id, stage, kind, name_id, name_en, agency_id, role, sla_days, deemed_approval, status,
    assignee_id, opened_day, due_day, decided_at";

from_row!(Step {
    id,
    stage,
    kind,
    name_id,
    name_en,
    agency_id,
    role,
    sla_days,
    deemed_approval,
    status,
    assignee_id,
    opened_day,
    due_day,
    decided_at,
});

impl Step {
    pub fn status(&self) -> StepStatus {
        self.status
    }
}

pub struct NewStep<'a> {
    pub stage: i64,
    pub step: &'a WorkflowStep,
    pub status: StepStatus,
    pub opened_day: Option<String>,
    pub due_day: Option<String>,
}

pub async fn insert_step(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    application_id: &str,
    s: &NewStep<'_>,
    now: i64,
) -> AppResult<()> {
    sql::query(
        "INSERT INTO application_steps (mall_id, id, application_id, stage, kind, name_id, name_en, agency_id, sla_days,
         deemed_approval, status, opened_day, due_day, role)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(mall_id)
    .bind(new_id(now))
    .bind(application_id)
    .bind(s.stage)
    .bind(s.step.def.kind.as_str())
    .bind(&s.step.name_id)
    .bind(&s.step.name_en)
    .bind(&s.step.def.agency_id)
    .bind(i64::from(s.step.def.sla_days))
    .bind(s.step.def.deemed_approval)
    .bind(s.status.as_str())
    .bind(&s.opened_day)
    .bind(&s.due_day)
    .bind(s.step.def.role.as_str())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn steps(conn: &mut Conn<'_>, mall_id: &MallId, application_id: &str) -> AppResult<Vec<Step>> {
    sql::query(format!(
        "SELECT {STEP} FROM application_steps WHERE mall_id = $1 AND application_id = $2 ORDER BY stage, id"
    ))
    .bind(mall_id)
    .bind(application_id)
    .fetch_all(conn)
    .await
}

/// Changes a step from the status (and assignee) it was seen with; false
/// if it had changed meanwhile.
pub async fn update_step(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    step: &Step,
    status: StepStatus,
    assignee: Option<&str>,
    decided_by: Option<&str>,
    now: i64,
) -> AppResult<bool> {
    let decided = matches!(status, StepStatus::Approved | StepStatus::Deemed | StepStatus::Rejected);
    let n = sql::query(
        "UPDATE application_steps SET status = $3, assignee_id = $4, decided_at = $5, decided_by = $6
         WHERE mall_id = $1 AND id = $2 AND status = $7",
    )
    .bind(mall_id)
    .bind(&step.id)
    .bind(status.as_str())
    .bind(assignee)
    .bind(decided.then_some(now))
    .bind(if decided { decided_by } else { None })
    .bind(step.status.as_str())
    .execute(conn)
    .await?;
    Ok(n == 1)
}

/// Opens a pending step: its clock starts today.
pub async fn open_step(conn: &mut Conn<'_>, mall_id: &MallId, step_id: &str, today: &str, due: &str) -> AppResult<()> {
    sql::query(
        "UPDATE application_steps SET status = 'open', opened_day = $3, due_day = $4
         WHERE mall_id = $1 AND id = $2 AND status = 'pending'",
    )
    .bind(mall_id)
    .bind(step_id)
    .bind(today)
    .bind(due)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn set_step_due(conn: &mut Conn<'_>, mall_id: &MallId, step_id: &str, due: &str) -> AppResult<()> {
    sql::query("UPDATE application_steps SET due_day = $3 WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(step_id)
        .bind(due)
        .execute(conn)
        .await?;
    Ok(())
}

/// A step in an officer's inbox, with its application.
#[derive(Debug, Clone)]
pub struct InboxItem {
    pub number: String,
    pub applicant_name: String,
    pub service_name_id: String,
    pub service_name_en: String,
    pub step: Step,
}

impl FromRow for InboxItem {
    fn from_row(r: &Row) -> AppResult<InboxItem> {
        Ok(InboxItem {
            number: r.text("number")?,
            applicant_name: r.text("applicant_name")?,
            service_name_id: r.text("service_name_id")?,
            service_name_en: r.text("service_name_en")?,
            step: Step::from_row(r)?,
        })
    }
}

/// Open and claimed steps of live applications for these agencies (all
/// agencies when `None`), earliest due first.
pub async fn inbox(db: &Db, mall_id: &MallId, agencies: Option<&[String]>) -> AppResult<Vec<InboxItem>> {
    let columns = STEP.split(',').map(|c| format!("st.{}", c.trim())).collect::<Vec<_>>().join(", ");
    let filter = match agencies {
        None => String::new(),
        Some([]) => " AND 1 = 0".into(),
        Some(list) => format!(
            " AND st.agency_id IN ({})",
            (2..2 + list.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
        ),
    };
    let text = format!(
        "SELECT {columns}, a.number, a.applicant_name, s.name_id AS service_name_id, s.name_en AS service_name_en
         FROM application_steps st
         JOIN applications a ON a.mall_id = st.mall_id AND a.id = st.application_id
         JOIN services s ON s.mall_id = a.mall_id AND s.id = a.service_id
         WHERE st.mall_id = $1 AND st.status IN ('open', 'claimed') AND a.status = 'in_progress'{filter}
         ORDER BY st.due_day, a.number LIMIT 500"
    );
    let mut q = sql::query(&text).bind(mall_id);
    for a in agencies.unwrap_or(&[]) {
        q = q.bind(a);
    }
    q.fetch_all(&mut Conn::Read(db)).await
}

/// Active steps that approve themselves when late, due before `today`.
pub async fn deemed_due(db: &Db, mall_id: &MallId, today: &str) -> AppResult<Vec<(String, String)>> {
    let rows: Vec<Row> = sql::query(
        "SELECT a.number, st.id FROM application_steps st
         JOIN applications a ON a.mall_id = st.mall_id AND a.id = st.application_id
         WHERE st.mall_id = $1 AND st.deemed_approval = 1 AND st.status IN ('open', 'claimed') AND st.due_day < $2
         AND a.status = 'in_progress'",
    )
    .bind(mall_id)
    .bind(today)
    .fetch_all(&mut Conn::Read(db))
    .await?;
    rows.iter().map(|r| Ok((r.text("number")?, r.text("id")?))).collect()
}

// ---- pauses and the timeline ---------------------------------------------------

pub async fn start_pause(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    application_id: &str,
    today: &str,
    now: i64,
) -> AppResult<()> {
    sql::query("INSERT INTO application_pauses (mall_id, id, application_id, from_day) VALUES ($1, $2, $3, $4)")
        .bind(mall_id)
        .bind(new_id(now))
        .bind(application_id)
        .bind(today)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends the open pause; the day it started.
pub async fn end_pause(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    application_id: &str,
    today: &str,
) -> AppResult<Option<String>> {
    let row: Option<Row> = sql::query(
        "UPDATE application_pauses SET to_day = $3 WHERE mall_id = $1 AND application_id = $2 AND to_day IS NULL
         RETURNING from_day",
    )
    .bind(mall_id)
    .bind(application_id)
    .bind(today)
    .fetch_optional(conn)
    .await?;
    row.map(|r| r.text("from_day")).transpose()
}

#[derive(Debug, Clone)]
pub struct Event {
    pub at: i64,
    pub actor_name: String,
    pub action: String,
    pub step_id: Option<String>,
    pub note: String,
}

impl FromRow for Event {
    fn from_row(r: &Row) -> AppResult<Event> {
        Ok(Event {
            at: r.int("at")?,
            actor_name: r.text("actor_name")?,
            action: r.text("action")?,
            step_id: r.opt_text("step_id")?,
            note: r.text("note")?,
        })
    }
}

/// Who did something: a person, or the system (a deemed approval).
pub struct Actor<'a> {
    pub id: Option<&'a str>,
    pub name: &'a str,
}

pub async fn record(
    conn: &mut Conn<'_>,
    a: &Application,
    actor: &Actor<'_>,
    action: &str,
    step_id: Option<&str>,
    note: &str,
    now: i64,
) -> AppResult<()> {
    sql::query(
        "INSERT INTO application_events (mall_id, id, application_id, at, actor_id, actor_name, action, step_id, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&a.mall_id)
    .bind(new_id(now))
    .bind(&a.id)
    .bind(now)
    .bind(actor.id)
    .bind(actor.name)
    .bind(action)
    .bind(step_id)
    .bind(note)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn timeline(db: &Db, mall_id: &MallId, application_id: &str) -> AppResult<Vec<Event>> {
    sql::query(
        "SELECT at, actor_name, action, step_id, note FROM application_events WHERE mall_id = $1 AND application_id = $2
         ORDER BY at, id",
    )
    .bind(mall_id)
    .bind(application_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}
