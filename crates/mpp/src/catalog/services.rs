//! Services in the back office and the API: mall managers manage every
//! agency's services, agency admins only their own, supervisors read.
//! The public standard they publish is checked by `ServiceInput::validate`.

use super::agencies::to_errors;
use super::store::{self, Agency, Service};
use crate::crud::{Resource, WriteCtx};
use crate::db::sql::Conn;
use crate::error::{AppResult, FieldError};
use crate::forms::{Field, Kind, Posted, Upload};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use mpp_domain::catalog::{Channel, ServiceInput};
use mpp_domain::policy::Action;
use mpp_domain::tenancy::MallId;

pub struct Services;

pub struct Options {
    /// The agencies this user may put services under.
    agencies: Vec<Agency>,
    all_agencies: Vec<Agency>,
}

impl Options {
    fn agency(&self, code: &str) -> Option<&Agency> {
        self.all_agencies.iter().find(|a| a.code == code.trim())
    }
}

impl Resource for Services {
    type Row = Service;
    type Input = ServiceInput;
    type Options = Options;

    const SEGMENT: &'static str = "layanan";
    const ENTITY: &'static str = "service";
    const KEY: &'static str = "code";
    const API_SEGMENT: &'static str = "services";
    const PUBLIC: bool = true;
    const WRITE: Action = Action::ManageServices;
    const TITLE: &'static str = "admin.services";
    const NEW_TITLE: &'static str = "admin.service_new";

    fn key(row: &Service) -> String {
        row.code.clone()
    }

    fn heading(row: &Service, t: &Tr) -> String {
        t.pick(&row.name_id, &row.name_en).to_string()
    }

    fn public_href(row: &Service, slug: &str) -> Option<String> {
        row.active.then(|| format!("/m/{slug}/layanan/{}", row.code))
    }

    fn related(row: &Service, slug: &str) -> Option<(String, &'static str)> {
        Some((format!("/m/{slug}/admin/layanan/{}/permohonan", row.code), "setup.link"))
    }

    fn is_public(row: &Service) -> bool {
        row.active
    }

    fn columns() -> &'static [&'static str] {
        &["service.code", "admin.name", "catalogue.agency_filter", "admin.status"]
    }

    fn cells(row: &Service, _: &Options, t: &Tr) -> Vec<String> {
        vec![
            row.code.clone(),
            t.pick(&row.name_id, &row.name_en).to_string(),
            row.agency.clone(),
            t.t(if row.active { "admin.active" } else { "admin.inactive" }).to_string(),
        ]
    }

    fn can_read(bo: &BackOffice, row: &Service) -> bool {
        bo.access.can_view_whole_mall() || bo.access.can_manage_agency(&row.agency_id)
    }

    fn can_change(bo: &BackOffice, row: &Service) -> bool {
        bo.access.can_manage_agency(&row.agency_id)
    }

    fn can_save(bo: &BackOffice, input: &ServiceInput, opts: &Options) -> bool {
        match opts.agency(&input.agency) {
            Some(a) => bo.access.can_manage_agency(&a.id),
            None => input.agency.trim().is_empty() && !opts.agencies.is_empty(),
        }
    }

    fn blank(opts: &Options) -> ServiceInput {
        let agency = if let [only] = opts.agencies.as_slice() { only.code.clone() } else { String::new() };
        ServiceInput {
            agency,
            channels: vec![Channel::Counter.as_str().to_string()],
            queue_prefix: "A".into(),
            booking_quota: 20,
            active: true,
            ..Default::default()
        }
    }

    fn to_input(row: &Service, _: &Options) -> ServiceInput {
        row.to_input()
    }

    fn fields(v: &ServiceInput, opts: &Options, t: &Tr) -> Vec<Field> {
        let agencies =
            opts.agencies.iter().map(|a| (a.code.clone(), t.pick(&a.name_id, &a.name_en).to_string())).collect();
        let channels = Channel::ALL
            .iter()
            .map(|c| (c.as_str().to_string(), t.t(&format!("channel.{}", c.as_str())).to_string()))
            .collect();
        let text = |name, label, value: &str| Field::new(name, label, Kind::Text, value);
        let area = |name, label, value: &str| Field::new(name, label, Kind::Area, value);
        vec![
            Field::new("identity", "admin.identity", Kind::Heading, ""),
            Field::new("agency", "catalogue.agency_filter", Kind::Select(agencies), &v.agency),
            text("code", "service.code", &v.code).help("admin.help_code"),
            text("name_id", "admin.name_id", &v.name_id),
            text("name_en", "admin.name_en", &v.name_en),
            area("aliases", "admin.aliases", &v.aliases).help("admin.help_lines"),
            text("summary_id", "admin.summary_id", &v.summary_id),
            text("summary_en", "admin.summary_en", &v.summary_en),
            Field::new("standard", "admin.standard", Kind::Heading, ""),
            area("requirements_id", "service.requirements", &v.requirements_id).help("admin.help_lines"),
            area("requirements_en", "admin.requirements_en", &v.requirements_en),
            area("procedure_id", "service.procedure", &v.procedure_id).help("admin.help_lines"),
            area("procedure_en", "admin.procedure_en", &v.procedure_en),
            text("completion_time_id", "service.completion_time", &v.completion_time_id),
            text("completion_time_en", "admin.completion_time_en", &v.completion_time_en),
            Field::new("sla_days", "admin.sla_days", Kind::Number, v.sla_days.to_string()).help("admin.help_sla"),
            Field::new("cost_rupiah", "admin.cost_rupiah", Kind::Number, v.cost_rupiah.to_string())
                .help("admin.help_cost"),
            text("cost_note_id", "admin.cost_note_id", &v.cost_note_id),
            text("cost_note_en", "admin.cost_note_en", &v.cost_note_en),
            text("product_id", "service.product", &v.product_id),
            text("product_en", "admin.product_en", &v.product_en),
            text("complaint_id", "service.complaint", &v.complaint_id),
            text("complaint_en", "admin.complaint_en", &v.complaint_en),
            area("legal_basis", "service.legal_basis", &v.legal_basis).help("admin.help_lines"),
            Field::new("channels", "service.channels", Kind::Multi(channels), "").checked(v.channels.clone()),
            Field::new("queue", "admin.queue", Kind::Heading, ""),
            text("queue_prefix", "admin.queue_prefix", &v.queue_prefix).help("admin.help_prefix"),
            Field::new("booking_quota", "admin.booking_quota", Kind::Number, v.booking_quota.to_string())
                .help("admin.help_booking_quota"),
            Field::new("active", "admin.active_help", Kind::Check, if v.active { "1" } else { "" }),
        ]
    }

    fn parse(p: &Posted, _: &Options) -> (ServiceInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let input = ServiceInput {
            agency: p.get("agency"),
            code: p.get("code").to_ascii_uppercase(),
            name_id: p.get("name_id"),
            name_en: p.get("name_en"),
            aliases: p.get("aliases"),
            summary_id: p.get("summary_id"),
            summary_en: p.get("summary_en"),
            requirements_id: p.get("requirements_id"),
            requirements_en: p.get("requirements_en"),
            procedure_id: p.get("procedure_id"),
            procedure_en: p.get("procedure_en"),
            completion_time_id: p.get("completion_time_id"),
            completion_time_en: p.get("completion_time_en"),
            sla_days: p.number("sla_days", &mut errors),
            cost_rupiah: p.number("cost_rupiah", &mut errors),
            cost_note_id: p.get("cost_note_id"),
            cost_note_en: p.get("cost_note_en"),
            product_id: p.get("product_id"),
            product_en: p.get("product_en"),
            complaint_id: p.get("complaint_id"),
            complaint_en: p.get("complaint_en"),
            legal_basis: p.get("legal_basis"),
            channels: p.all("channels"),
            queue_prefix: p.get("queue_prefix").to_ascii_uppercase(),
            booking_quota: p.number("booking_quota", &mut errors),
            active: p.flag("active"),
        };
        (input, errors)
    }

    fn check(v: &ServiceInput, opts: &Options) -> Vec<FieldError> {
        let mut errors = to_errors(v.validate());
        if opts.agency(&v.agency).is_none() && !v.agency.trim().is_empty() {
            errors.push(FieldError::new("agency", "service.agency_unknown"));
        }
        errors
    }

    async fn options(state: &AppState, bo: &BackOffice) -> AppResult<Options> {
        let all_agencies = store::agencies(&state.db, &bo.mall.id).await?;
        let agencies = all_agencies.iter().filter(|a| bo.access.can_manage_agency(&a.id)).cloned().collect();
        Ok(Options { agencies, all_agencies })
    }

    async fn list(state: &AppState, mall_id: &MallId) -> AppResult<Vec<Service>> {
        store::services(&state.db, mall_id, true).await
    }

    async fn find(state: &AppState, mall_id: &MallId, key: &str) -> AppResult<Option<Service>> {
        store::service_by_code(&state.db, mall_id, key).await
    }

    async fn write<'a>(
        conn: &'a mut Conn<'_>,
        w: &'a WriteCtx,
        v: &'a ServiceInput,
        existing: Option<&'a Service>,
        _: Option<&'a Upload>,
    ) -> AppResult<Service> {
        let agency = store::agency_in_tx(conn, &w.mall_id, &v.agency).await?;
        store::write_service(conn, &w.mall_id, &agency, v, existing, w.now).await
    }

    async fn remove<'a>(conn: &'a mut Conn<'_>, mall_id: &'a MallId, row: &'a Service) -> AppResult<()> {
        store::remove_service(conn, mall_id, row).await
    }
}
