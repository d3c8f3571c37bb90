//! Bundles in the back office and the API: a mall's admin picks existing
//! services that take applications; the bundle is refused when two of
//! them ask for the same field meaning different things
//! (`mpp_domain::bundle::BundleInput::validate`).

use super::store::{self, Bundle};
use crate::application::store::{self as applications, ServiceForm};
use crate::catalog::agencies::to_errors;
use crate::catalog::store::{self as catalog, Agency, Service};
use crate::crud::{Resource, WriteCtx};
use crate::db::sql::Conn;
use crate::error::{AppResult, FieldError};
use crate::forms::{Field, Kind, Posted, Upload};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use mpp_domain::bundle::{BundleInput, Member};
use mpp_domain::tenancy::MallId;

pub struct Bundles;

pub struct Options {
    services: Vec<Service>,
    agencies: Vec<Agency>,
    /// The services that take applications, with their forms.
    forms: Vec<ServiceForm>,
}

impl Options {
    fn members(&self) -> Vec<Member<'_>> {
        self.services
            .iter()
            .map(|s| Member {
                code: &s.code,
                form: self.forms.iter().find(|f| f.id == s.id).map(|f| f.fields.as_slice()),
            })
            .collect()
    }
}

impl Resource for Bundles {
    type Row = Bundle;
    type Input = BundleInput;
    type Options = Options;

    const SEGMENT: &'static str = "paket";
    const ENTITY: &'static str = "bundle";
    const KEY: &'static str = "code";
    const API_SEGMENT: &'static str = "bundles";
    const PUBLIC: bool = true;
    const TITLE: &'static str = "admin.bundles";
    const NEW_TITLE: &'static str = "bundle.new";

    fn key(row: &Bundle) -> String {
        row.code.clone()
    }

    fn heading(row: &Bundle, t: &Tr) -> String {
        t.pick(&row.name_id, &row.name_en).to_string()
    }

    fn public_href(row: &Bundle, slug: &str) -> Option<String> {
        row.active.then(|| format!("/m/{slug}/paket/{}", row.code))
    }

    fn is_public(row: &Bundle) -> bool {
        row.active
    }

    fn columns() -> &'static [&'static str] {
        &["bundle.code", "bundle.name", "bundle.services", "admin.status"]
    }

    fn cells(row: &Bundle, _: &Options, t: &Tr) -> Vec<String> {
        vec![
            row.code.clone(),
            t.pick(&row.name_id, &row.name_en).to_string(),
            row.services.join(", "),
            t.t(if row.active { "admin.active" } else { "admin.inactive" }).to_string(),
        ]
    }

    fn blank(_: &Options) -> BundleInput {
        BundleInput { active: true, ..Default::default() }
    }

    fn to_input(row: &Bundle, _: &Options) -> BundleInput {
        BundleInput {
            code: row.code.clone(),
            name_id: row.name_id.clone(),
            name_en: row.name_en.clone(),
            description_id: row.description_id.clone(),
            description_en: row.description_en.clone(),
            services: row.services.clone(),
            active: row.active,
        }
    }

    fn fields(v: &BundleInput, opts: &Options, t: &Tr) -> Vec<Field> {
        // Only services that take applications can be bundled; the chosen
        // ones first, in the bundle's order (the order saving keeps).
        let position = |code: &str| v.services.iter().position(|c| c == code).unwrap_or(usize::MAX);
        let mut forms: Vec<&ServiceForm> = opts.forms.iter().collect();
        forms.sort_by_key(|s| position(&s.code));
        let services = forms
            .into_iter()
            .map(|s| {
                let agency = opts.agencies.iter().find(|a| a.id == s.agency_id);
                let agency = agency.map(|a| t.pick(&a.name_id, &a.name_en)).unwrap_or_default();
                (s.code.clone(), format!("{} — {} ({agency})", s.code, t.pick(&s.name_id, &s.name_en)))
            })
            .collect();
        vec![
            Field::new("code", "bundle.code", Kind::Text, &v.code).help("bundle.help_code"),
            Field::new("name_id", "bundle.name_id", Kind::Text, &v.name_id),
            Field::new("name_en", "bundle.name_en", Kind::Text, &v.name_en),
            Field::new("description_id", "bundle.description_id", Kind::Area, &v.description_id),
            Field::new("description_en", "bundle.description_en", Kind::Area, &v.description_en),
            Field::new("services", "bundle.services", Kind::Multi(services), "")
                .help("bundle.help_services")
                .checked(v.services.clone()),
            Field::new("active", "bundle.active", Kind::Check, if v.active { "1" } else { "" }),
        ]
    }

    fn parse(p: &Posted, _: &Options) -> (BundleInput, Vec<FieldError>) {
        let input = BundleInput {
            code: p.get("code"),
            name_id: p.get("name_id"),
            name_en: p.get("name_en"),
            description_id: p.get("description_id"),
            description_en: p.get("description_en"),
            services: p.all("services"),
            active: p.flag("active"),
        };
        (input, Vec::new())
    }

    fn check(v: &BundleInput, opts: &Options) -> Vec<FieldError> {
        to_errors(v.validate(&opts.members()))
    }

    async fn options(state: &AppState, bo: &BackOffice) -> AppResult<Options> {
        Ok(Options {
            services: catalog::services(&state.db, &bo.mall.id, true).await?,
            agencies: catalog::agencies(&state.db, &bo.mall.id).await?,
            forms: applications::services_with_workflows(&state.db, &bo.mall.id).await?,
        })
    }

    async fn list(state: &AppState, mall_id: &MallId) -> AppResult<Vec<Bundle>> {
        store::list(&mut Conn::Read(&state.db), mall_id, None).await
    }

    async fn find(state: &AppState, mall_id: &MallId, key: &str) -> AppResult<Option<Bundle>> {
        store::by_code(&state.db, mall_id, key).await
    }

    async fn write<'a>(
        conn: &'a mut Conn<'_>,
        w: &'a WriteCtx,
        v: &'a BundleInput,
        existing: Option<&'a Bundle>,
        _: Option<&'a Upload>,
    ) -> AppResult<Bundle> {
        store::write(conn, w, v, existing).await
    }

    async fn remove<'a>(conn: &'a mut Conn<'_>, mall_id: &'a MallId, row: &'a Bundle) -> AppResult<()> {
        store::remove(conn, mall_id, row).await
    }
}
