//! Applications (permohonan): a citizen files one online (or an officer at a
//! counter, later), gets a receipt with a registration number, and follows
//! it step by step while the agencies' officers work their inboxes.
//!
//! - `flow.rs`: how an application moves (filing, decisions, corrections,
//!   deemed approvals), one transaction each;
//! - `store.rs`: all of its SQL;
//! - `pages.rs`: the citizen's pages (file, receipt and tracking, correction);
//! - `inbox.rs`: the officers' inbox and the actions on a step;
//! - `counter.rs`: an officer filing for a visitor at the counter;
//! - `api.rs`: all of that in the JSON API.
//!
//! Rules live in `mpp_domain::application` (workflow, clock, decisions) and
//! `mpp_domain::form` (the service's form).

pub mod api;
pub mod counter;
pub mod flow;
pub mod inbox;
pub mod pages;
pub mod setup;
pub mod setup_page;
pub mod store;

use crate::auth::session::CurrentUser;
use crate::error::AppResult;
use crate::i18n::Tr;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::Mall;
use mpp_domain::access::{Basis, What};
use mpp_domain::application::{Status, StepRole, StepStatus, Urgency, urgency};
use mpp_domain::format::{self, parse_date};
use store::Application;

pub fn router() -> Routes {
    pages::router().merge(inbox::router()).merge(counter::router()).merge(setup_page::router())
}

/// The agencies whose steps this user decides, for an inbox: `None` for all
/// of them (the mall's managers); refused for users who decide none.
pub(crate) fn inbox_agencies(access: &mpp_domain::auth::Access) -> AppResult<Option<Vec<String>>> {
    if access.can_manage_mall() {
        return Ok(None);
    }
    let mut ids: Vec<String> = access.grants.iter().filter_map(|g| g.agency_id.clone()).collect();
    ids.dedup();
    if ids.is_empty() {
        return Err(crate::error::AppError::Forbidden);
    }
    Ok(Some(ids))
}

/// The value of a document field filed at a counter: the officer saw the
/// paper original, no file was uploaded.
pub(crate) const PAPER_SEEN: &str = "loket";

/// Whether a member of staff decides a step: the officers of its agency, or
/// only the agency's admins when the step is theirs (a head's approval or
/// signature); the mall's managers decide every step.
pub(crate) fn decides(access: &mpp_domain::auth::Access, agency_id: &str, role: StepRole) -> bool {
    match role {
        StepRole::AgencyAdmin => access.can_manage_agency(agency_id),
        StepRole::Officer => access.can_process_for(agency_id),
    }
}

/// Who answers for a service's own acts (taking its fees at the counter,
/// revoking its certificates): the mall's managers and the officers of the
/// agency that offers it, not every agency its workflow passes through.
pub(crate) fn answers_for_service(access: &mpp_domain::auth::Access, service_agency_id: &str) -> bool {
    access.can_manage_mall() || access.can_process_for(service_agency_id)
}

/// Whether a member of staff may see an application (its form holds
/// personal data), and as whom: the officers of the agencies it goes
/// through (`Some(agency id)`, the first of its agencies they work for),
/// and the mall's managers and supervisors (`Some("")`); not every officer
/// of the mall (`None`).
pub async fn staff_view(
    state: &AppState,
    access: &mpp_domain::auth::Access,
    a: &Application,
) -> AppResult<Option<String>> {
    let steps = store::steps(&mut crate::db::sql::Conn::Read(&state.db), &a.mall_id, &a.id).await?;
    let granted = |id: &str| access.grants.iter().any(|g| g.agency_id.as_deref() == Some(id));
    let agency = steps.iter().map(|s| &s.agency_id).find(|id| granted(id) && access.can_process_for(id));
    Ok(match agency {
        Some(id) => Some(id.clone()),
        None => access.can_view_whole_mall().then(String::new),
    })
}

/// An application found for someone allowed to see it whole. Its data
/// reaches a page or an answer only through [`Seen::show`], which puts a
/// staff member's read on the access log first.
pub struct Seen {
    a: Application,
    /// The agency a member of staff sees it through ("" for the mall's
    /// managers); `None` for the applicant.
    staff: Option<String>,
}

impl Seen {
    /// Whether a member of staff (not the applicant) is about to see it.
    pub fn by_staff(&self) -> bool {
        self.staff.is_some()
    }

    /// The application, for finding what a read will show (a document's
    /// label), never to show.
    pub fn application(&self) -> &Application {
        &self.a
    }

    /// Records what a member of staff is about to see (the applicant's own
    /// reads are not recorded), then hands the application over.
    pub async fn show(
        self,
        state: &AppState,
        reader: &CurrentUser,
        what: What,
        reason: &str,
    ) -> AppResult<Application> {
        if let Some(agency_id) = &self.staff {
            let on = (Basis::Application, self.a.number.as_str());
            record_read(state, reader, agency_id, &self.a, vec![(what, reason.to_string())], on).await?;
        }
        Ok(self.a)
    }

    /// Like [`Seen::show`], for a document the applicant kept in "Dokumen
    /// saya" and chose for this application: staff see it only under a
    /// live consent of their agency for it (`consent`), which the access
    /// log names; refused once it is withdrawn or has ended.
    pub async fn show_kept(
        self,
        state: &AppState,
        mall: &Mall,
        reader: &CurrentUser,
        what: What,
    ) -> AppResult<Application> {
        let Some(agency_id) = &self.staff else { return Ok(self.a) };
        let today = state.clock.today(mall.zone());
        let a = &self.a;
        let consent =
            crate::consent::live_for_application(state, &mall.id, &a.applicant_id, agency_id, &a.number, today)
                .await?
                .ok_or(crate::error::AppError::Conflict("consent.refused"))?;
        record_read(state, reader, agency_id, a, vec![(what, String::new())], (Basis::Consent, &consent.id)).await?;
        Ok(self.a)
    }
}

/// Puts a member of staff's reads of an application (what each showed,
/// with the reason where one was asked) on the access log (see `access`),
/// naming their agency and what they rest on (the application, or a consent).
pub async fn record_read(
    state: &AppState,
    reader: &CurrentUser,
    agency_id: &str,
    a: &Application,
    reads: Vec<(What, String)>,
    (basis, basis_ref): (Basis, &str),
) -> AppResult<()> {
    let reader_agency = crate::access::agency_name(&state.db, &a.mall_id, agency_id).await?;
    let reads = reads
        .into_iter()
        .map(|(what, reason)| crate::access::Read {
            mall_id: a.mall_id.clone(),
            subject_id: a.applicant_id.clone(),
            reader: reader.clone(),
            reader_agency: reader_agency.clone(),
            what,
            basis,
            basis_ref: basis_ref.to_owned(),
            reason,
        })
        .collect();
    crate::access::record(&state.db, reads, state.clock.now_ms()).await
}

/// Application `number` of a mall, for a user who may see it whole (its
/// form, documents, bill and certificate): its applicant, or staff who may
/// see it. Anyone else gets the same answer as for a number that does not
/// exist.
pub async fn seen_by(state: &AppState, user_id: &str, mall: &Mall, number: &str) -> AppResult<Seen> {
    let number = mpp_domain::application::parse_registration_number(number).ok_or(crate::error::AppError::NotFound)?;
    let conn = &mut crate::db::sql::Conn::Read(&state.db);
    let a = store::by_number(conn, &mall.id, &number).await?.ok_or(crate::error::AppError::NotFound)?;
    if a.applicant_id == user_id {
        return Ok(Seen { a, staff: None });
    }
    let access = crate::auth::store::access(&state.db, user_id, &mall.id).await?;
    match staff_view(state, &access, &a).await? {
        Some(agency) => Ok(Seen { a, staff: Some(agency) }),
        None => Err(crate::error::AppError::NotFound),
    }
}

/// One value of the form as filed.
pub struct ValueView {
    pub label: String,
    pub value: String,
    /// The field's key, when the value is masked and may be revealed.
    pub reveal: Option<String>,
}

/// One step as the pages show it.
pub struct StepView {
    pub id: String,
    pub name: String,
    pub agency: String,
    pub agency_id: String,
    pub status: String,
    pub status_text: &'static str,
    pub due: String,
    /// `overdue`, `soon` or "" (for a badge).
    pub urgency: &'static str,
    pub active: bool,
    pub assignee_id: Option<String>,
    /// `officer` or `agency_admin`: who of the agency decides it.
    pub role: StepRole,
}

pub struct EventView {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub step: String,
    pub note: String,
}

/// An application as its pages show it: the receipt, the timeline, who
/// holds it now.
pub struct Detail {
    pub number: String,
    pub service: String,
    pub status: String,
    pub status_text: &'static str,
    pub filed: String,
    pub due: String,
    pub urgency: &'static str,
    pub correction: String,
    /// The agencies holding it now.
    pub holders: Vec<String>,
    pub steps: Vec<StepView>,
    pub timeline: Vec<EventView>,
    /// The form as filed.
    pub values: Vec<ValueView>,
    /// The documents: (label, file name or how it was checked, download link).
    pub documents: Vec<(String, String, Option<String>)>,
    pub certificate: Option<CertificateView>,
    pub fee: Option<FeeView>,
}

impl Detail {
    /// What anyone with the number and the last four NIK digits sees: its
    /// status, where it is and the dates. Nothing about the applicant (the
    /// form, documents, the name the timeline gives the citizen's own acts)
    /// and none of the officers' words (reasons, comments, who acted), nor
    /// the bill or the certificate.
    pub fn for_tracker(mut self) -> Detail {
        self.values.clear();
        self.documents.clear();
        self.correction.clear();
        self.certificate = None;
        self.fee = None;
        for e in &mut self.timeline {
            e.actor.clear();
            e.note.clear();
        }
        self
    }
}

/// The bill of an application, as its pages show it.
pub struct FeeView {
    pub amount: String,
    pub billing_code: String,
    pub paid: bool,
    pub paid_at: String,
}

/// The certificate of an issued application, as its pages show it.
pub struct CertificateView {
    pub number: String,
    /// The public verification page (with the signature, as its QR code).
    pub check_path: String,
    pub revoked: bool,
    pub revoke_reason: String,
}

/// The CSS class (and badge) of a deadline's urgency.
pub(crate) fn urgency_class(u: Urgency) -> &'static str {
    match u {
        Urgency::Overdue => "overdue",
        Urgency::DueSoon => "soon",
        Urgency::OnTime => "",
    }
}

pub fn status_key(s: Status) -> &'static str {
    match s {
        Status::InProgress => "application.status.in_progress",
        Status::Correction => "application.status.correction",
        Status::Issued => "application.status.issued",
        Status::Rejected => "application.status.rejected",
        Status::Withdrawn => "application.status.withdrawn",
    }
}

fn step_key(s: StepStatus) -> &'static str {
    match s {
        StepStatus::Pending => "application.step.pending",
        StepStatus::Open => "application.step.open",
        StepStatus::Claimed => "application.step.claimed",
        StepStatus::Approved => "application.step.approved",
        StepStatus::Deemed => "application.step.deemed",
        StepStatus::Rejected => "application.step.rejected",
    }
}

fn action_key(action: &str) -> &'static str {
    match action {
        "filed" => "application.event.filed",
        "claim" => "application.event.claim",
        "release" => "application.event.release",
        "approve" => "application.event.approve",
        "reject" => "application.event.reject",
        "request_correction" => "application.event.request_correction",
        "comment" => "application.event.comment",
        "resubmitted" => "application.event.resubmitted",
        "deemed" => "application.event.deemed",
        "stage_opened" => "application.event.stage_opened",
        "issued" => "application.event.issued",
        "revoked" => "application.event.revoked",
        "paid" => "application.event.paid",
        _ => "application.event.other",
    }
}

/// How a page shows the form's NIKs: in full to the applicant; masked to
/// staff, but for the one field they revealed with a reason (on record).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Niks<'a> {
    Full,
    Masked { revealed: Option<&'a str> },
}

pub async fn detail(state: &AppState, t: &Tr, mall: &Mall, a: &Application, niks: Niks<'_>) -> AppResult<Detail> {
    let service = flow::service_of(state, mall, a).await?;
    let agencies = crate::catalog::store::agencies(&state.db, &mall.id).await?;
    let agency_name = |id: &str| {
        agencies.iter().find(|g| g.id == id).map(|g| t.pick(&g.name_id, &g.name_en).to_string()).unwrap_or_default()
    };
    let cal = crate::calendar::store::working_calendar(&state.db, &mall.id).await?;
    let today = state.clock.today(mall.zone());
    let live = a.status() == Status::InProgress;
    let day = |d: &str| parse_date(d).map(|d| format::date(d, t.lang)).unwrap_or_default();
    let urgent = |d: &str| parse_date(d).filter(|_| live).map_or("", |d| urgency_class(urgency(&cal, today, d)));
    let steps = store::steps(&mut crate::db::sql::Conn::Read(&state.db), &mall.id, &a.id).await?;
    let step_views: Vec<StepView> = steps
        .iter()
        .map(|s| StepView {
            id: s.id.clone(),
            name: t.pick(&s.name_id, &s.name_en).to_string(),
            agency: agency_name(&s.agency_id),
            agency_id: s.agency_id.clone(),
            status: s.status.as_str().to_string(),
            status_text: t.t(step_key(s.status())),
            due: s.due_day.as_deref().map(day).unwrap_or_default(),
            urgency: s.due_day.as_deref().filter(|_| s.status().is_active()).map_or("", urgent),
            active: s.status().is_active(),
            role: s.role,
            assignee_id: s.assignee_id.clone(),
        })
        .collect();
    let mut holders: Vec<String> = Vec::new();
    for s in step_views.iter().filter(|s| s.active && live) {
        if !holders.contains(&s.agency) {
            holders.push(s.agency.clone());
        }
    }
    let timeline = store::timeline(&state.db, &mall.id, &a.id)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: format::instant(e.at, mall.zone(), t.lang),
            actor: e.actor_name,
            action: t.t(action_key(&e.action)),
            step: e
                .step_id
                .and_then(|id| step_views.iter().find(|s| s.id == id))
                .map(|s| format!("{} ({})", s.name, s.agency))
                .unwrap_or_default(),
            note: if e.action == "filed" { String::new() } else { e.note },
        })
        .collect();
    let filed = a.values();
    let label = |f: &mpp_domain::form::FieldDef| t.pick(&f.label_id, &f.label_en).to_string();
    let is_document = |f: &&mpp_domain::form::FieldDef| f.kind == mpp_domain::form::FieldKind::Document;
    let values = service
        .fields
        .iter()
        .filter(|f| !is_document(f))
        .filter_map(|f| {
            let v = filed.get(&f.key)?;
            let masked = matches!(niks, Niks::Masked { revealed } if revealed != Some(f.key.as_str()))
                && mpp_domain::form::masked(f.kind, v) != mpp_domain::form::readable(f.kind, v);
            Some(ValueView {
                label: label(f),
                value: if masked { mpp_domain::form::masked(f.kind, v) } else { mpp_domain::form::readable(f.kind, v) },
                reveal: masked.then(|| f.key.clone()),
            })
        })
        .collect();
    let mut documents = Vec::new();
    for f in service.fields.iter().filter(is_document) {
        let value = filed.get(&f.key).map(String::as_str).unwrap_or("");
        if value == PAPER_SEEN {
            documents.push((label(f), t.t("application.paper_seen").to_string(), None));
        } else if let Some(d) = crate::document::find(&state.db, &a.applicant_id, value).await? {
            let href = format!("/m/{}/permohonan/{}/dokumen/{}", mall.slug, a.number, f.key);
            documents.push((label(f), d.file_name, Some(href)));
        }
    }
    let certificate =
        crate::certificate::store::of_application(&mut crate::db::sql::Conn::Read(&state.db), &mall.id, &a.id)
            .await?
            .map(|c| CertificateView {
                number: c.number.clone(),
                check_path: crate::certificate::verify_url("", &mall.slug, &c),
                revoked: c.revoked_at.is_some(),
                revoke_reason: c.revoke_reason,
            });
    let fee = crate::payment::store::of_application(&mut crate::db::sql::Conn::Read(&state.db), &mall.id, &a.id)
        .await?
        .map(|i| FeeView {
            amount: format::rupiah(i.amount),
            paid: i.is_paid(),
            paid_at: i.paid_at.map(|at| format::instant(at, mall.zone(), t.lang)).unwrap_or_default(),
            billing_code: i.billing_code,
        });
    Ok(Detail {
        number: a.number.clone(),
        service: t.pick(&service.name_id, &service.name_en).to_string(),
        status: a.status.as_str().to_string(),
        status_text: t.t(status_key(a.status())),
        filed: format::instant(a.filed_at, mall.zone(), t.lang),
        due: day(&a.due_day),
        urgency: urgent(&a.due_day),
        correction: a.correction.clone(),
        holders,
        steps: step_views,
        timeline,
        values,
        documents,
        certificate,
        fee,
    })
}
