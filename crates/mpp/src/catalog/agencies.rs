//! Agencies (instansi) in the back office: mall managers add and edit them;
//! agency admins and supervisors read them.

use super::store::{self, Agency};
use crate::crud::{Resource, WriteCtx};
use crate::db::sql::Conn;
use crate::error::{AppResult, FieldError};
use crate::forms::{Field, Kind, Posted, Upload};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use mpp_domain::catalog::{AgencyInput, AgencyKind};
use mpp_domain::tenancy::MallId;

pub struct Agencies;

pub fn to_errors(p: Vec<mpp_domain::catalog::Problem>) -> Vec<FieldError> {
    p.into_iter().map(|p| FieldError::new(p.field, p.key)).collect()
}

impl Resource for Agencies {
    type Row = Agency;
    type Input = AgencyInput;
    type Options = ();

    const SEGMENT: &'static str = "instansi";
    const ENTITY: &'static str = "agency";
    const KEY: &'static str = "code";
    const API_SEGMENT: &'static str = "agencies";
    const PUBLIC: bool = true;
    const TITLE: &'static str = "admin.agencies";
    const NEW_TITLE: &'static str = "agency.new";

    fn key(row: &Agency) -> String {
        row.code.clone()
    }

    fn heading(row: &Agency, t: &Tr) -> String {
        t.pick(&row.name_id, &row.name_en).to_string()
    }

    fn columns() -> &'static [&'static str] {
        &["admin.name", "agency.code", "agency.kind"]
    }

    fn cells(row: &Agency, _: &(), t: &Tr) -> Vec<String> {
        vec![
            t.pick(&row.name_id, &row.name_en).to_string(),
            row.code.clone(),
            t.t(&format!("agency_kind.{}", row.kind)).to_string(),
        ]
    }

    fn can_read(bo: &BackOffice, _: &Agency) -> bool {
        bo.access.can_view_admin()
    }

    fn blank(_: &()) -> AgencyInput {
        AgencyInput { kind: AgencyKind::Regional.as_str().into(), ..Default::default() }
    }

    fn to_input(a: &Agency, _: &()) -> AgencyInput {
        AgencyInput {
            code: a.code.clone(),
            name_id: a.name_id.clone(),
            name_en: a.name_en.clone(),
            kind: a.kind.clone(),
            description_id: a.description_id.clone(),
            description_en: a.description_en.clone(),
            phone: a.phone.clone(),
        }
    }

    fn fields(v: &AgencyInput, _: &(), t: &Tr) -> Vec<Field> {
        let kinds = AgencyKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), t.t(&format!("agency_kind.{}", k.as_str())).to_string()))
            .collect();
        vec![
            Field::new("code", "agency.code", Kind::Text, &v.code).help("agency.help_code"),
            Field::new("name_id", "admin.name_id_generic", Kind::Text, &v.name_id),
            Field::new("name_en", "admin.name_en_generic", Kind::Text, &v.name_en),
            Field::new("kind", "agency.kind", Kind::Select(kinds), &v.kind),
            Field::new("description_id", "admin.description_id", Kind::Area, &v.description_id),
            Field::new("description_en", "admin.description_en", Kind::Area, &v.description_en),
            Field::new("phone", "agency.phone", Kind::Text, &v.phone),
        ]
    }

    fn parse(p: &Posted, _: &()) -> (AgencyInput, Vec<FieldError>) {
        let input = AgencyInput {
            code: p.get("code").to_ascii_lowercase(),
            name_id: p.get("name_id"),
            name_en: p.get("name_en"),
            kind: p.get("kind"),
            description_id: p.get("description_id"),
            description_en: p.get("description_en"),
            phone: p.get("phone"),
        };
        (input, vec![])
    }

    fn check(v: &AgencyInput, _: &()) -> Vec<FieldError> {
        to_errors(v.validate())
    }

    async fn options(_: &AppState, _: &BackOffice) -> AppResult<()> {
        Ok(())
    }

    async fn list(state: &AppState, mall_id: &MallId) -> AppResult<Vec<Agency>> {
        store::agencies(&state.db, mall_id).await
    }

    async fn find(state: &AppState, mall_id: &MallId, key: &str) -> AppResult<Option<Agency>> {
        store::agency_by_code(&state.db, mall_id, key).await
    }

    async fn write<'a>(
        conn: &'a mut Conn<'_>,
        w: &'a WriteCtx,
        v: &'a AgencyInput,
        existing: Option<&'a Agency>,
        _: Option<&'a Upload>,
    ) -> AppResult<Agency> {
        store::write_agency(conn, w, v, existing).await
    }

    async fn remove<'a>(conn: &'a mut Conn<'_>, mall_id: &'a MallId, row: &'a Agency) -> AppResult<()> {
        store::remove_agency(conn, mall_id, row).await
    }
}
