//! The admin page for a service's application setup
//! (`/m/{mall}/admin/layanan/{code}/permohonan`): the form's fields, risk
//! routing, the workflow's steps, the fee with its speed tiers and the
//! certificate's wording, in one form that works without JS. Each list
//! shows its rows and two blank ones to add; a row is removed with its
//! checkbox. A refused save shows every problem and keeps what was typed.

use super::setup::{self, Target};
use crate::error::{AppError, AppResult, FieldError};
use crate::forms::Posted;
use crate::policy::Routes;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use crate::web::{Ctx, render_status};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use mpp_domain::application::{FeeRule, Fees, Risk, SpeedTier, StepKind, StepRole};
use mpp_domain::form::{FieldDef, FieldKind};
use mpp_domain::policy::Action;
use mpp_domain::setup::{ServiceSetup, StepSetup};

pub fn router() -> Routes {
    Routes::new().get("/m/{slug}/admin/layanan/{key}/permohonan", Action::ViewBackOffice, page).post(
        "/m/{slug}/admin/layanan/{key}/permohonan",
        Action::ManageServices,
        save,
    )
}

/// Blank rows offered under each list, to add to it.
const BLANK_ROWS: usize = 2;

/// A form field's row as shown.
struct FieldRow {
    key: String,
    label_id: String,
    label_en: String,
    kind: &'static str,
    required: bool,
    options: String,
}

/// A step's row as shown.
struct StepRow {
    stage: String,
    kind: &'static str,
    name_id: String,
    name_en: String,
    agency: String,
    role: &'static str,
    sla_days: String,
    risks: Vec<&'static str>,
    deemed: bool,
}

#[derive(Template)]
#[template(path = "application/setup.html")]
struct SetupPage {
    ctx: Ctx,
    bo: BackOffice,
    section: &'static str,
    service_code: String,
    service_name: String,
    can_edit: bool,
    saved: bool,
    /// (anchor, where, message key) of each problem.
    problems: Vec<(String, String, &'static str)>,
    fields: Vec<FieldRow>,
    risk_based: bool,
    steps: Vec<StepRow>,
    fee_rule: &'static str,
    fee_amount: String,
    fee_field: String,
    fee_table: String,
    tiers: Vec<(String, String)>,
    title: String,
    statement: String,
    valid_months: String,
    /// (code, name) of the mall's agencies, for the step's select.
    agencies: Vec<(String, String)>,
    field_kinds: Vec<&'static str>,
    step_kinds: Vec<&'static str>,
    roles: Vec<&'static str>,
    risk_levels: Vec<&'static str>,
}

fn rows_of(s: &ServiceSetup) -> (Vec<FieldRow>, Vec<StepRow>) {
    let mut fields: Vec<FieldRow> = s
        .fields
        .iter()
        .map(|f| FieldRow {
            key: f.key.clone(),
            label_id: f.label_id.clone(),
            label_en: f.label_en.clone(),
            kind: f.kind.as_str(),
            required: f.required,
            options: f.options.join(", "),
        })
        .collect();
    let blank_field = || FieldRow {
        key: String::new(),
        label_id: String::new(),
        label_en: String::new(),
        kind: FieldKind::Text.as_str(),
        required: false,
        options: String::new(),
    };
    fields.extend(std::iter::repeat_with(blank_field).take(BLANK_ROWS));
    let mut steps: Vec<StepRow> = s
        .steps
        .iter()
        .map(|st| StepRow {
            stage: st.stage.to_string(),
            kind: st.kind.as_str(),
            name_id: st.name_id.clone(),
            name_en: st.name_en.clone(),
            agency: st.agency.clone(),
            role: st.role.as_str(),
            sla_days: st.sla_days.to_string(),
            risks: st.risks.iter().map(|r| r.as_str()).collect(),
            deemed: st.deemed_approval,
        })
        .collect();
    let next_stage = s.steps.iter().map(|st| st.stage).max().unwrap_or(0) + 1;
    let blank_step = || StepRow {
        stage: next_stage.to_string(),
        kind: StepKind::Review.as_str(),
        name_id: String::new(),
        name_en: String::new(),
        agency: String::new(),
        role: StepRole::Officer.as_str(),
        sla_days: String::new(),
        risks: Vec::new(),
        deemed: false,
    };
    steps.extend(std::iter::repeat_with(blank_step).take(BLANK_ROWS));
    (fields, steps)
}

/// Where a problem is, for the summary: an anchor on the page and its name.
fn place(ctx: &Ctx, at: &str) -> (String, String) {
    let mut parts = at.split('.');
    match (parts.next(), parts.next()) {
        (Some("steps"), Some(n)) => (format!("step-{n}"), ctx.t.f("setup.step_n", &[("n", n)])),
        (Some("steps"), None) => ("steps".into(), ctx.t.t("setup.workflow").into()),
        (Some("fees"), _) => ("fees".into(), ctx.t.t("setup.fees").into()),
        (Some("certificate"), _) => ("certificate".into(), ctx.t.t("setup.certificate").into()),
        _ => ("fields".into(), ctx.t.t("setup.form").into()),
    }
}

async fn render_setup(
    state: &AppState,
    ctx: Ctx,
    bo: BackOffice,
    target: Target,
    s: &ServiceSetup,
    problems: &[FieldError],
    saved: bool,
) -> AppResult<Response> {
    let agencies = crate::catalog::store::agencies(&state.db, &bo.mall.id)
        .await?
        .into_iter()
        .map(|a| {
            let name = ctx.t.pick(&a.name_id, &a.name_en).to_string();
            (a.code, name)
        })
        .collect();
    let (fields, steps) = rows_of(s);
    let (fee_rule, fee_amount, fee_field, fee_table) = match &s.fees.rule {
        FeeRule::Free => ("free", String::new(), String::new(), String::new()),
        FeeRule::Fixed { amount } => ("fixed", amount.to_string(), String::new(), String::new()),
        FeeRule::PerUnit { field, amount } => ("per_unit", amount.to_string(), field.clone(), String::new()),
        FeeRule::Table { field, rows } => {
            let table = rows.iter().map(|(k, v)| format!("{k} = {v}")).collect::<Vec<_>>().join("\n");
            ("table", String::new(), field.clone(), table)
        }
    };
    let mut tiers: Vec<(String, String)> =
        s.fees.tiers.iter().map(|t| (t.days.to_string(), t.price.to_string())).collect();
    tiers.extend(std::iter::repeat_with(Default::default).take(BLANK_ROWS));
    let problems = problems
        .iter()
        .map(|p| {
            let (anchor, name) = place(&ctx, &p.field);
            (anchor, name, p.key)
        })
        .collect::<Vec<_>>();
    let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = SetupPage {
        service_code: target.service.code.clone(),
        service_name: ctx.t.pick(&target.service.name_id, &target.service.name_en).to_string(),
        can_edit: target.can_edit,
        saved,
        problems,
        fields,
        risk_based: s.risk_based,
        steps,
        fee_rule,
        fee_amount,
        fee_field,
        fee_table,
        tiers,
        title: s.certificate.title.clone(),
        statement: s.certificate.statement.clone(),
        valid_months: s.certificate.valid_months.to_string(),
        agencies,
        field_kinds: FieldKind::ALL.iter().map(|k| k.as_str()).collect(),
        step_kinds: StepKind::ALL.iter().map(|k| k.as_str()).collect(),
        roles: StepRole::ALL.iter().map(|k| k.as_str()).collect(),
        risk_levels: Risk::ALL.iter().map(|k| k.as_str()).collect(),
        section: "layanan",
        ctx,
        bo,
    };
    render_status(status, &page)
}

#[derive(serde::Deserialize)]
struct Saved {
    tersimpan: Option<String>,
}

async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<Saved>,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let target = setup::target(&state, &bo, &code).await?;
    let current = setup::load(&state, &bo.mall.id, &target.service).await?;
    render_setup(&state, ctx, bo, target, &current, &[], q.tersimpan.is_some()).await
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, code)): Path<(String, String)>,
    form: Posted,
) -> AppResult<Response> {
    let bo = BackOffice::enter(&state, &ctx, &slug).await?;
    let target = setup::target(&state, &bo, &code).await?;
    let sent = parse(&form);
    match setup::save(&state, &bo, &target, &sent).await {
        Ok(()) => {
            let to = format!("/m/{}/admin/layanan/{}/permohonan?tersimpan=1", bo.mall.slug, target.service.code);
            Ok(Redirect::to(&to).into_response())
        }
        Err(AppError::Invalid(problems)) => render_setup(&state, ctx, bo, target, &sent, &problems, false).await,
        Err(e) => Err(e),
    }
}

/// Reads the posted page. A number that does not read becomes a value the
/// checks refuse (0 days, a negative price …), so it is reported once, in
/// the words of the rule it breaks.
fn parse(form: &Posted) -> ServiceSetup {
    let rows = |prefix: &'static str| {
        (0..).take_while(move |i| form.has(&format!("{prefix}.{i}.present"))).map(move |i| format!("{prefix}.{i}."))
    };
    let number = |name: &str| form.get(name).replace(['.', ' '], "").parse::<i64>().unwrap_or(-1);
    let days = |name: &str| u32::try_from(number(name)).unwrap_or(0);
    let fields = rows("field")
        .filter(|p| !form.flag(&format!("{p}remove")))
        .filter(|p| ["key", "label_id", "label_en"].iter().any(|k| !form.get(&format!("{p}{k}")).is_empty()))
        .map(|p| {
            let kind = FieldKind::parse(&form.get(&format!("{p}kind"))).unwrap_or(FieldKind::Text);
            let options = form.get(&format!("{p}options"));
            FieldDef {
                key: form.get(&format!("{p}key")),
                label_id: form.get(&format!("{p}label_id")),
                label_en: form.get(&format!("{p}label_en")),
                kind,
                required: form.flag(&format!("{p}required")),
                options: if kind == FieldKind::Choice {
                    options.split(',').map(|o| o.trim().to_string()).filter(|o| !o.is_empty()).collect()
                } else {
                    Vec::new()
                },
            }
        })
        .collect();
    let steps = rows("step")
        .filter(|p| !form.flag(&format!("{p}remove")))
        .filter(|p| ["name_id", "name_en", "agency"].iter().any(|k| !form.get(&format!("{p}{k}")).is_empty()))
        .map(|p| StepSetup {
            stage: days(&format!("{p}stage")),
            kind: StepKind::parse(&form.get(&format!("{p}kind"))).unwrap_or(StepKind::Review),
            name_id: form.get(&format!("{p}name_id")),
            name_en: form.get(&format!("{p}name_en")),
            agency: form.get(&format!("{p}agency")),
            role: StepRole::parse(&form.get(&format!("{p}role"))).unwrap_or_default(),
            sla_days: days(&format!("{p}sla_days")),
            risks: Risk::ALL.iter().copied().filter(|r| form.flag(&format!("{p}risk.{}", r.as_str()))).collect(),
            deemed_approval: form.flag(&format!("{p}deemed")),
        })
        .collect();
    let field = form.get("fee.field");
    let rule = match form.get("fee.rule").as_str() {
        "fixed" => FeeRule::Fixed { amount: number("fee.amount") },
        "per_unit" => FeeRule::PerUnit { field, amount: number("fee.amount") },
        "table" => FeeRule::Table {
            field,
            rows: form
                .get("fee.table")
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.trim().to_string(), v.trim().replace('.', "").parse().unwrap_or(-1)))
                .collect(),
        },
        _ => FeeRule::Free,
    };
    let tiers = rows("tier")
        .filter(|p| !form.get(&format!("{p}days")).is_empty() || !form.get(&format!("{p}price")).is_empty())
        .map(|p| SpeedTier { days: days(&format!("{p}days")), price: number(&format!("{p}price")) })
        .collect();
    let months = form.get("cert.valid_months");
    ServiceSetup {
        fields,
        risk_based: form.flag("risk_based"),
        steps,
        fees: Fees { rule, tiers },
        certificate: mpp_domain::certificate::Template {
            title: form.get("cert.title"),
            statement: form.get("cert.statement"),
            valid_months: if months.is_empty() {
                0
            } else {
                u32::try_from(number("cert.valid_months")).unwrap_or(u32::MAX)
            },
        },
    }
}
