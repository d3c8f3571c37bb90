//! The citizen's pages: the service's application form, the receipt with
//! its QR code (also the tracking page), finding an application by its
//! number and NIK, and sending it back after a correction.

use super::store::{self, Application, ServiceForm};
use super::{Detail, Niks, detail, flow};
use crate::client_addr::ClientAddr;
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::{self, Mall};
use crate::web::{Ctx, render, render_status};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::access::What;
use mpp_domain::application::{Risk, Status};
use mpp_domain::document::Kind;
use mpp_domain::form::{FieldDef, FieldKind};
use mpp_domain::policy::Action;
use mpp_domain::throttle;
use std::collections::BTreeMap;
use std::net::IpAddr;

pub fn router() -> Routes {
    Routes::new()
        .get("/m/{slug}/layanan/{code}/ajukan", Action::Apply, form_page)
        .post("/m/{slug}/layanan/{code}/ajukan", Action::Apply, file)
        .get("/m/{slug}/permohonan", Action::TrackApplication, find)
        .get("/m/{slug}/permohonan/{number}", Action::TrackApplication, receipt)
        .post("/m/{slug}/permohonan/{number}/perbaiki", Action::Apply, resubmit)
}

/// A form field ready for the template.
pub struct FieldView {
    pub key: String,
    pub label: String,
    /// The `<input type>`, or `select`.
    pub input: &'static str,
    pub inputmode: &'static str,
    pub pattern: &'static str,
    pub hint: &'static str,
    pub required: bool,
    pub options: Vec<String>,
    pub value: String,
    pub error: Option<&'static str>,
    /// A region field's selects (`region::picker`); empty for other kinds.
    pub region: Vec<crate::region::PickerLevel>,
    /// A document field's offer of the citizen's kept documents (id, name).
    pub kept: Vec<(String, String)>,
    /// A document field's value carried as a hidden input (a file uploaded
    /// on an earlier try of this form, not among the kept ones offered).
    pub carried: bool,
}

/// The fields of a form (a service's, the profile's) as the template
/// `application/fields.html` shows them.
pub(crate) fn field_views(
    ctx: &Ctx,
    fields: &[FieldDef],
    values: &BTreeMap<String, String>,
    errors: &[FieldError],
) -> Vec<FieldView> {
    fields
        .iter()
        .map(|f| {
            let (input, inputmode, pattern, hint) = match f.kind {
                FieldKind::Number => ("text", "numeric", "", ""),
                FieldKind::Money => ("text", "numeric", "", "application.hint_money"),
                FieldKind::Date => ("date", "", "", ""),
                FieldKind::Choice => ("select", "", "", ""),
                FieldKind::Nik => ("text", "numeric", "[0-9 ]{16,19}", "application.hint_nik"),
                FieldKind::Nib => ("text", "numeric", "[0-9 ]{13,16}", "application.hint_nib"),
                FieldKind::Region => ("region", "", "", "application.hint_region"),
                FieldKind::Document => ("file", "", "", "application.hint_document"),
                FieldKind::Text => ("text", "", "", ""),
            };
            FieldView {
                key: f.key.clone(),
                label: ctx.t.pick(&f.label_id, &f.label_en).to_string(),
                input,
                inputmode,
                pattern,
                hint,
                required: f.required,
                options: f.options.clone(),
                value: values.get(&f.key).cloned().unwrap_or_default(),
                error: errors.iter().find(|e| e.field == f.key).map(|e| e.key),
                region: match f.kind {
                    FieldKind::Region => crate::region::picker(&f.key, values.get(&f.key).map_or("", String::as_str)),
                    _ => Vec::new(),
                },
                kept: Vec::new(),
                carried: f.kind == FieldKind::Document && values.get(&f.key).is_some_and(|v| !v.is_empty()),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "application/file.html")]
pub(crate) struct FilePage {
    pub(crate) ctx: Ctx,
    pub(crate) mall: Mall,
    pub(crate) service: ServiceForm,
    service_name: String,
    pub(crate) fields: Vec<FieldView>,
    risks: Vec<(&'static str, &'static str)>,
    risk: String,
    risk_error: Option<&'static str>,
    /// The speed tiers on offer: (working days, label), and the chosen one.
    speeds: Vec<(String, String)>,
    speed: String,
    speed_error: Option<&'static str>,
    error: Option<&'static str>,
    pub(crate) action: String,
    /// The form carries files (the service asks for documents).
    pub(super) multipart: bool,
    /// Filing at a counter: who applies (`counter.rs`).
    pub(super) counter: Option<CounterPart>,
    /// The service's requirements as a checklist: (text, ticked).
    requirements: Vec<(String, bool)>,
    /// A bundle's checklist: under each service's box, its requirements.
    pub(crate) requirement_items: Vec<Vec<String>>,
    requirements_error: Option<&'static str>,
    /// Some fields came from the citizen's profile.
    pub(crate) prefilled: bool,
    /// The consent that using kept documents takes, in words; empty when
    /// none are offered. Whether it is ticked, and what is wrong.
    consent: String,
    consent_ticked: bool,
    consent_error: Option<&'static str>,
    /// A bundle's form (`crate::bundle`): the services it starts, in
    /// order (link, name, agency); empty for one service's form.
    pub(crate) starts: Vec<(String, String, String)>,
    /// The services whose workflows' agencies a consent to use kept
    /// documents names.
    pub(crate) consent_services: Vec<String>,
}

/// What the form holds besides its fields: the risk level, the speed tier
/// and the ticked requirements.
#[derive(Clone, Copy, Default)]
pub(crate) struct Choices<'a> {
    pub risk: &'a str,
    pub speed: &'a str,
    pub ticks: &'a [bool],
}

/// The problems that stop a filing before it is tried: unticked
/// requirements, with the fields' own problems so all show at once.
/// Everything wrong with a filing before it is sent on: the requirements
/// left unticked and every problem of the filing itself, at once.
pub(crate) fn before_filing(
    service: &ServiceForm,
    values: &BTreeMap<String, String>,
    risk: &str,
    speed: &str,
    ticks: &[bool],
) -> Vec<FieldError> {
    let mut problems = unticked(ticks);
    let speed = match speed.trim() {
        "" => None,
        days => match days.parse() {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(FieldError::new("speed", "payment.pick_speed"));
                None
            }
        },
    };
    if let Err(AppError::Invalid(mut more)) = flow::filing_checked(service, values, Some(risk), speed) {
        problems.append(&mut more);
    }
    problems
}

/// The name of a requirement's checkbox.
fn requirement_box(i: usize) -> String {
    format!("requirement.{i}")
}

/// The service's requirements in the reader's language, one checklist item each.
fn requirements<'a>(t: &crate::i18n::Tr, service: &'a ServiceForm) -> Vec<&'a str> {
    mpp_domain::catalog::lines(t.pick(&service.requirements_id, &service.requirements_en))
}

/// The requirements checklist as sent, item by item as the page showed it:
/// every item must be ticked (by the citizen who has the papers ready, or
/// the officer who saw them).
pub(crate) fn ticked(t: &crate::i18n::Tr, service: &ServiceForm, form: &Posted) -> Vec<bool> {
    (0..requirements(t, service).len()).map(|i| form.flag(&requirement_box(i))).collect()
}

/// The checklist's error, if some item is not ticked.
pub(crate) fn unticked(ticks: &[bool]) -> Vec<FieldError> {
    if ticks.iter().all(|t| *t) {
        Vec::new()
    } else {
        vec![FieldError::new("requirements", "application.tick_requirements")]
    }
}

/// The counter's part of the form: the applicant's name and email.
pub(super) struct CounterPart {
    pub applicant: super::counter::Applicant,
    pub name_error: Option<&'static str>,
    pub email_error: Option<&'static str>,
}

fn risks() -> Vec<(&'static str, &'static str)> {
    Risk::ALL
        .iter()
        .map(|r| {
            let key = match r {
                Risk::Low => "application.risk.low",
                Risk::Medium => "application.risk.medium",
                Risk::High => "application.risk.high",
            };
            (r.as_str(), key)
        })
        .collect()
}

async fn service(state: &AppState, mall: &Mall, code: &str) -> AppResult<ServiceForm> {
    store::service_form(&state.db, &mall.id, code).await?.filter(|s| s.active).ok_or(AppError::NotFound)
}

/// Filing needs an account: the application is the citizen's.
pub(crate) fn login_first(ctx: &Ctx) -> Option<Response> {
    ctx.user.is_none().then(|| Redirect::to(&format!("/masuk?next={}", ctx.here_encoded())).into_response())
}

async fn form_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
) -> AppResult<Response> {
    if let Some(r) = login_first(&ctx) {
        return Ok(r);
    }
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let service = service(&state, &mall, &code).await?;
    if store::workflow(&state.db, &mall.id, &service.id).await?.is_empty() {
        return Err(AppError::NotFound);
    }
    let user = ctx.require_user()?.clone();
    let values = given_once(&state, &user.id, &service.fields).await?;
    let mut page = file_page(ctx, mall, service, &values, Choices::default(), &[], None);
    page.prefilled = !values.is_empty();
    render(&offer_kept(&state, &user.id, page, false).await?)
}

/// Given once: the citizen's profile (NIK, village) in every field of a
/// form that takes them.
pub(crate) async fn given_once(
    state: &AppState,
    user_id: &str,
    fields: &[FieldDef],
) -> AppResult<BTreeMap<String, String>> {
    Ok(match crate::profile::of_user(&state.db, user_id).await? {
        Some(p) => mpp_domain::profile::prefill(fields, &p.nik, &p.region_code),
        None => BTreeMap::new(),
    })
}

/// Offers the citizen's documents from "Dokumen saya" that are still
/// valid at every document field of the form (uploaded once, used again),
/// with the consent that using them takes (`consent`): each agency of the
/// service's workflow, this application only, until a day.
pub(crate) async fn offer_kept(
    state: &AppState,
    user_id: &str,
    mut page: FilePage,
    ticked: bool,
) -> AppResult<FilePage> {
    if !page.fields.iter().any(|f| f.input == "file") {
        return Ok(page);
    }
    let today = state.clock.today(page.mall.zone());
    let t = &page.ctx.t;
    let kept: Vec<(String, String)> = crate::document::of_owner(&state.db, user_id)
        .await?
        .into_iter()
        .filter(|d| d.kind != Kind::Form && mpp_domain::document::valid_on(&d.expires_on, today))
        .map(|d| {
            let added = mpp_domain::format::instant(d.created_at, page.mall.zone(), t.lang);
            (d.id.clone(), format!("{} · {} · {added}", d.what(t), d.file_name))
        })
        .collect();
    if kept.is_empty() {
        return Ok(page);
    }
    for f in page.fields.iter_mut().filter(|f| f.input == "file") {
        f.carried = !f.value.is_empty() && !kept.iter().any(|(id, _)| *id == f.value);
        f.kept.clone_from(&kept);
    }
    let names = workflow_agencies(state, &page.mall, &page.consent_services).await?;
    let names: Vec<String> =
        names.into_iter().map(|(_, name_id, name_en)| t.pick(&name_id, &name_en).to_string()).collect();
    let until = mpp_domain::format::date(mpp_domain::consent::filing_until(today), t.lang);
    // A bundle's consent covers each of its applications.
    let key = if page.starts.is_empty() { "consent.on_form" } else { "consent.on_bundle_form" };
    page.consent = t.f(key, &[("agencies", &names.join(", ")), ("until", &until)]);
    page.consent_ticked = ticked;
    Ok(page)
}

/// The agencies the services' workflows go through: (id, name in
/// Indonesian, in English), each once, in the workflows' order.
async fn workflow_agencies(
    state: &AppState,
    mall: &Mall,
    service_ids: &[String],
) -> AppResult<Vec<(String, String, String)>> {
    let mut steps = Vec::new();
    for id in service_ids {
        steps.extend(store::workflow(&state.db, &mall.id, id).await?);
    }
    let agencies = crate::catalog::store::agencies(&state.db, &mall.id).await?;
    let mut out: Vec<(String, String, String)> = Vec::new();
    for s in steps {
        let seen = out.iter().any(|(id, _, _)| *id == s.def.agency_id);
        if let Some(g) = agencies.iter().find(|g| g.id == s.def.agency_id).filter(|_| !seen) {
            out.push((g.id.clone(), g.name_id.clone(), g.name_en.clone()));
        }
    }
    Ok(out)
}

pub(crate) fn file_page(
    ctx: Ctx,
    mall: Mall,
    service: ServiceForm,
    values: &BTreeMap<String, String>,
    choices: Choices<'_>,
    errors: &[FieldError],
    error: Option<&'static str>,
) -> FilePage {
    let Choices { risk, speed, ticks } = choices;
    let requirements = requirements(&ctx.t, &service)
        .iter()
        .enumerate()
        .map(|(i, t)| (t.to_string(), ticks.get(i).copied().unwrap_or(false)))
        .collect();
    let fields = field_views(&ctx, &service.fields, values, errors);
    let multipart = fields.iter().any(|f| f.input == "file");
    let speeds = service
        .fees
        .tiers
        .iter()
        .map(|t| {
            let label = ctx.t.f(
                "payment.speed_option",
                &[("days", &t.days.to_string()), ("price", &mpp_domain::format::rupiah(t.price))],
            );
            (t.days.to_string(), label)
        })
        .collect();
    let action = format!("/m/{}/layanan/{}/ajukan", mall.slug, service.code);
    let consent_services = vec![service.id.clone()];
    FilePage {
        service_name: ctx.t.pick(&service.name_id, &service.name_en).to_string(),
        risk_error: errors.iter().find(|e| e.field == "risk").map(|e| e.key),
        speed_error: errors.iter().find(|e| e.field == "speed").map(|e| e.key),
        speeds,
        speed: speed.to_string(),
        ctx,
        mall,
        service,
        fields,
        risks: risks(),
        risk: risk.to_string(),
        error,
        action,
        multipart,
        counter: None,
        requirements,
        requirements_error: errors.iter().find(|e| e.field == "requirements").map(|e| e.key),
        requirement_items: Vec::new(),
        prefilled: false,
        consent: String::new(),
        consent_ticked: false,
        consent_error: errors.iter().find(|e| e.field == "consent").map(|e| e.key),
        starts: Vec::new(),
        consent_services,
    }
}

/// The posted values of a form's fields (a region field from its pickers).
pub(crate) fn values_of(fields: &[FieldDef], form: &Posted) -> BTreeMap<String, String> {
    let value = |f: &FieldDef| match f.kind {
        FieldKind::Region => crate::region::posted_value(&f.key, form),
        _ => form.get(&f.key),
    };
    fields.iter().map(|f| (f.key.clone(), value(f))).collect()
}

/// The form was sent back only to show a region picker's next level (no
/// JS): re-render it as sent, with nothing filed and no errors yet.
pub(crate) fn refining(form: &Posted) -> bool {
    !form.get(crate::region::REFINE).is_empty()
}

async fn file(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    if let Some(r) = login_first(&ctx) {
        return Ok(r);
    }
    let user = ctx.require_user()?.clone();
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let service = service(&state, &mall, &code).await?;
    let mut values = values_of(&service.fields, &form);
    let risk = form.get("risk");
    let speed = form.get("speed");
    let ticks = ticked(&ctx.t, &service, &form);
    let choices = Choices { risk: &risk, speed: &speed, ticks: &ticks };
    let mut refused = crate::document::from_form(&state, &user.id, &service.fields, &form, &mut values).await?;
    // Documents chosen from "Dokumen saya" take the consent ticked on the form.
    let ticked_consent = form.flag("consent");
    let reused = crate::document::any_kept(&state.db, &user.id, &service.fields, &values).await?;
    if refining(&form) {
        return render(
            &offer_kept(&state, &user.id, file_page(ctx, mall, service, &values, choices, &[], None), ticked_consent)
                .await?,
        );
    }
    refused.extend(before_filing(&service, &values, &risk, &speed, &ticks));
    if reused && !ticked_consent {
        refused.push(FieldError::new("consent", "consent.needed"));
    }
    if !refused.is_empty() {
        let page = file_page(ctx, mall, service, &values, choices, &refused, Some("form.fix_errors"));
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &offer_kept(&state, &user.id, page, ticked_consent).await?,
        );
    }
    let filing = flow::Filing {
        service: &service,
        applicant_id: &user.id,
        applicant_name: &user.name,
        values: values.clone(),
        risk: Some(risk.clone()).filter(|r| !r.is_empty()),
        speed: match speed.trim() {
            "" => None,
            days => Some(days.parse().map_err(|_| AppError::invalid("speed", "payment.pick_speed"))?),
        },
        channel: "online",
        filed_by: None,
        ticket_id: None,
        claim: None,
        consent_until: reused.then(|| mpp_domain::consent::filing_until(state.clock.today(mall.zone()))),
    };
    match flow::file(&state, &mall, filing).await {
        Ok(a) => Ok(Redirect::to(&format!("/m/{}/permohonan/{}", mall.slug, a.number)).into_response()),
        Err(e) => {
            let Some(message) = e.form_message() else { return Err(e) };
            let errors = match &e {
                AppError::Invalid(list) => list.clone(),
                _ => Vec::new(),
            };
            // The summary above the form; each field shows its own message.
            let message = if errors.is_empty() { message } else { "form.fix_errors" };
            let page = file_page(ctx, mall, service, &values, choices, &errors, Some(message));
            render_status(e.status(), &offer_kept(&state, &user.id, page, ticked_consent).await?)
        }
    }
}

#[derive(Template)]
#[template(path = "application/receipt.html")]
struct ReceiptPage {
    ctx: Ctx,
    mall: Mall,
    d: Detail,
    qr: String,
    /// A correction form, when it is with the applicant.
    fix: Option<Vec<FieldView>>,
    track_url: String,
    /// The applicant and staff download the certificate; revoking is on
    /// the officer's page.
    can_download: bool,
    can_revoke: bool,
    can_take_payment: bool,
}

#[derive(serde::Deserialize, Default)]
struct Second {
    /// The last four digits of the applicant's NIK.
    nik: Option<String>,
}

/// Who is looking at an application.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Viewer {
    Applicant,
    /// An officer of its agencies or a manager of the mall (through this
    /// agency, "" for managers): sees NIKs masked, their read on record.
    Staff(String),
    /// Anyone with its number and the last four digits of the applicant's
    /// NIK: sees its progress, none of its personal data.
    Tracker,
}

/// Who may see an application: its applicant, the mall's staff, or anyone
/// with its number and the last four digits of the applicant's NIK. Those
/// four digits are a secret one could guess, so wrong ones count against
/// the application and the client's address under the same kind of
/// throttle as logins (`mpp_domain::throttle`).
async fn visible(
    state: &AppState,
    ctx: &Ctx,
    mall: &Mall,
    a: &Application,
    nik: Option<&str>,
    from: IpAddr,
) -> AppResult<Option<Viewer>> {
    if let Some(user) = &ctx.user {
        if user.id == a.applicant_id {
            return Ok(Some(Viewer::Applicant));
        }
        let access = crate::auth::store::access(&state.db, &user.id, &mall.id).await?;
        if let Some(agency) = super::staff_view(state, &access, a).await? {
            return Ok(Some(Viewer::Staff(agency)));
        }
    }
    let Some(digits) = nik.map(str::trim) else { return Ok(None) };
    let now = state.clock.now_ms();
    let number_key = format!("track/application/{}/{}", mall.id, a.number);
    if crate::throttle::blocked(&state.db, &number_key, throttle::TRACK_APPLICATION, now).await? {
        return Err(AppError::TooMany("application.too_many_guesses"));
    }
    guard_address(state, from, now).await?;
    let ok = a.applicant_nik.ends_with_digits(digits);
    if !ok {
        crate::throttle::count(&state.db, &number_key, throttle::TRACK_APPLICATION, now).await?;
        missed(state, from, now).await?;
    }
    Ok(ok.then_some(Viewer::Tracker))
}

/// Refuses a client address that has guessed wrong too often.
async fn guard_address(state: &AppState, from: IpAddr, now: i64) -> AppResult<()> {
    let key = format!("track/address/{from}");
    if crate::throttle::blocked(&state.db, &key, throttle::TRACK_ADDRESS, now).await? {
        return Err(AppError::TooMany("application.too_many_guesses"));
    }
    Ok(())
}

/// Counts a wrong guess (a number or NIK digits) against the address.
async fn missed(state: &AppState, from: IpAddr, now: i64) -> AppResult<()> {
    crate::throttle::count(&state.db, &format!("track/address/{from}"), throttle::TRACK_ADDRESS, now).await
}

async fn receipt(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(from): ClientAddr,
    headers: HeaderMap,
    Path((slug, number)): Path<(String, String)>,
    Query(q): Query<Second>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let number = mpp_domain::application::parse_registration_number(&number).ok_or(AppError::NotFound)?;
    let conn = &mut crate::db::sql::Conn::Read(&state.db);
    let a = store::by_number(conn, &mall.id, &number).await?.ok_or(AppError::NotFound)?;
    // The same answer for a wrong number and a wrong NIK: no guessing.
    let viewer = visible(&state, &ctx, &mall, &a, q.nik.as_deref(), from).await?.ok_or(AppError::NotFound)?;
    receipt_page(&state, ctx, &headers, mall, &a, viewer, None).await
}

/// A correction as the applicant sent it, shown again (with what is wrong)
/// so nothing typed is lost.
struct Sent<'a> {
    values: &'a BTreeMap<String, String>,
    errors: &'a [FieldError],
}

async fn receipt_page(
    state: &AppState,
    ctx: Ctx,
    headers: &HeaderMap,
    mall: Mall,
    a: &Application,
    viewer: Viewer,
    sent: Option<Sent<'_>>,
) -> AppResult<Response> {
    let niks = match (&viewer, &ctx.user) {
        (Viewer::Staff(agency), Some(user)) => {
            let on = (mpp_domain::access::Basis::Application, a.number.as_str());
            super::record_read(state, user, agency, a, vec![(What::Application, String::new())], on).await?;
            Niks::Masked { revealed: None }
        }
        _ => Niks::Full,
    };
    let mut d = detail(state, &ctx.t, &mall, a, niks).await?;
    if viewer == Viewer::Tracker {
        d = d.for_tracker();
    }
    let track_url = format!("{}/m/{}/permohonan/{}", crate::web::base_url(headers), mall.slug, a.number);
    let fix = if viewer == Viewer::Applicant && a.status() == Status::Correction {
        let service = flow::service_of(state, &mall, a).await?;
        let views = match &sent {
            Some(s) => field_views(&ctx, &service.fields, s.values, s.errors),
            None => field_views(&ctx, &service.fields, &a.values(), &[]),
        };
        Some(views)
    } else {
        None
    };
    let status = match sent {
        Some(s) if !s.errors.is_empty() => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    let can_download = viewer != Viewer::Tracker;
    let page = ReceiptPage {
        qr: crate::visit::qr_svg(&track_url),
        ctx,
        mall,
        d,
        fix,
        track_url,
        can_download,
        can_revoke: false,
        can_take_payment: false,
    };
    render_status(status, &page)
}

#[derive(Template)]
#[template(path = "application/find.html")]
struct FindPage {
    ctx: Ctx,
    mall: Mall,
    mine: Vec<(String, String, &'static str)>,
    /// The citizen's filed bundles: (page, bundle name, filed when).
    bundles: Vec<(String, String, String)>,
    number: String,
    not_found: bool,
}

#[derive(serde::Deserialize, Default)]
struct FindQuery {
    nomor: Option<String>,
    nik: Option<String>,
}

/// Finding an application by its number and NIK; the citizen's own list.
async fn find(
    State(state): State<AppState>,
    ctx: Ctx,
    ClientAddr(from): ClientAddr,
    Path(slug): Path<String>,
    Query(q): Query<FindQuery>,
) -> AppResult<Response> {
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let typed = q.nomor.clone().unwrap_or_default();
    if !typed.trim().is_empty() {
        let nik = q.nik.clone().unwrap_or_default();
        let number = mpp_domain::application::parse_registration_number(&typed);
        let conn = &mut crate::db::sql::Conn::Read(&state.db);
        let found = match number {
            Some(n) => store::by_number(conn, &mall.id, &n).await?,
            None => None,
        };
        match found {
            Some(a) => {
                if visible(&state, &ctx, &mall, &a, Some(&nik), from).await?.is_some() {
                    let nik = crate::web::url_encode(nik.trim());
                    let to = format!("/m/{}/permohonan/{}?nik={nik}", mall.slug, a.number);
                    return Ok(Redirect::to(&to).into_response());
                }
            }
            // A number that does not exist is a guess too (walking the day's numbers).
            None => {
                let now = state.clock.now_ms();
                guard_address(&state, from, now).await?;
                missed(&state, from, now).await?;
            }
        }
    }
    let mut mine = Vec::new();
    let mut bundles = Vec::new();
    if let Some(user) = &ctx.user {
        bundles = crate::bundle::filed_by(&state, &ctx.t, &mall, &user.id).await?;
        for a in store::of_applicant(&state.db, &mall.id, &user.id).await? {
            let service = flow::service_of(&state, &mall, &a).await?;
            mine.push((
                a.number.clone(),
                ctx.t.pick(&service.name_id, &service.name_en).to_string(),
                ctx.t.t(super::status_key(a.status())),
            ));
        }
    }
    let not_found = !typed.trim().is_empty();
    let status = if not_found { StatusCode::NOT_FOUND } else { StatusCode::OK };
    render_status(status, &FindPage { ctx, mall, mine, bundles, number: typed, not_found })
}

async fn resubmit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path((slug, number)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    let user = ctx.require_user()?.clone();
    let mall = tenancy::store::by_slug(&state.db, &slug).await?;
    let conn = &mut crate::db::sql::Conn::Read(&state.db);
    let a = store::by_number(conn, &mall.id, &number)
        .await?
        .filter(|a| a.applicant_id == user.id)
        .ok_or(AppError::NotFound)?;
    let service = flow::service_of(&state, &mall, &a).await?;
    let mut values = values_of(&service.fields, &form);
    let refused = crate::document::from_form(&state, &user.id, &service.fields, &form, &mut values).await?;
    if !refused.is_empty() || refining(&form) {
        let sent = Some(Sent { values: &values, errors: &refused });
        return receipt_page(&state, ctx, &headers, mall, &a, Viewer::Applicant, sent).await;
    }
    match flow::resubmit(&state, &mall, &user.id, &user.name, &a.number, values.clone()).await {
        Ok(a) => Ok(Redirect::to(&format!("/m/{}/permohonan/{}", mall.slug, a.number)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let sent = Some(Sent { values: &values, errors: &errors });
            receipt_page(&state, ctx, &headers, mall, &a, Viewer::Applicant, sent).await
        }
        Err(e) => Err(e),
    }
}
