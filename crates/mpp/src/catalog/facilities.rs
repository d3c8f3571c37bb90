//! Facilities (sarana dan prasarana) in the back office: the play area,
//! lactation room, disability services … with accessibility notes.

use super::agencies::to_errors;
use super::store::{self, Facility};
use crate::crud::{Resource, WriteCtx};
use crate::db::sql::Conn;
use crate::error::{AppResult, FieldError};
use crate::forms::{Field, Kind, Posted, Upload};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use mpp_domain::catalog::{FacilityInput, FacilityKind};
use mpp_domain::tenancy::MallId;

pub struct Facilities;

impl Resource for Facilities {
    type Row = Facility;
    type Input = FacilityInput;
    type Options = ();

    const SEGMENT: &'static str = "fasilitas";
    const ENTITY: &'static str = "facility";
    const KEY: &'static str = "id";
    const API_SEGMENT: &'static str = "facilities";
    const PUBLIC: bool = true;
    const TITLE: &'static str = "admin.facilities";
    const NEW_TITLE: &'static str = "facility.new";

    fn key(row: &Facility) -> String {
        row.id.clone()
    }

    fn heading(row: &Facility, t: &Tr) -> String {
        t.pick(&row.name_id, &row.name_en).to_string()
    }

    fn columns() -> &'static [&'static str] {
        &["admin.name", "facility.kind", "facility.location", "admin.status"]
    }

    fn cells(row: &Facility, _: &(), t: &Tr) -> Vec<String> {
        vec![
            t.pick(&row.name_id, &row.name_en).to_string(),
            t.t(&format!("facility_kind.{}", row.kind)).to_string(),
            t.pick(&row.location_id, &row.location_en).to_string(),
            t.t(if row.available { "facility.available" } else { "facility.unavailable" }).to_string(),
        ]
    }

    fn can_read(bo: &BackOffice, _: &Facility) -> bool {
        bo.access.can_view_admin()
    }

    fn blank(_: &()) -> FacilityInput {
        FacilityInput { available: true, ..Default::default() }
    }

    fn to_input(f: &Facility, _: &()) -> FacilityInput {
        FacilityInput {
            kind: f.kind.clone(),
            name_id: f.name_id.clone(),
            name_en: f.name_en.clone(),
            location_id: f.location_id.clone(),
            location_en: f.location_en.clone(),
            accessibility_id: f.accessibility_id.clone(),
            accessibility_en: f.accessibility_en.clone(),
            available: f.available,
        }
    }

    fn fields(v: &FacilityInput, _: &(), t: &Tr) -> Vec<Field> {
        let kinds = FacilityKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), t.t(&format!("facility_kind.{}", k.as_str())).to_string()))
            .collect();
        vec![
            Field::new("kind", "facility.kind", Kind::Select(kinds), &v.kind),
            Field::new("name_id", "admin.name_id_generic", Kind::Text, &v.name_id),
            Field::new("name_en", "admin.name_en_generic", Kind::Text, &v.name_en),
            Field::new("location_id", "facility.location_id", Kind::Text, &v.location_id),
            Field::new("location_en", "facility.location_en", Kind::Text, &v.location_en),
            Field::new("accessibility_id", "facility.accessibility_id", Kind::Area, &v.accessibility_id)
                .help("facility.help_accessibility"),
            Field::new("accessibility_en", "facility.accessibility_en", Kind::Area, &v.accessibility_en),
            Field::new("available", "facility.available", Kind::Check, if v.available { "1" } else { "" }),
        ]
    }

    fn parse(p: &Posted, _: &()) -> (FacilityInput, Vec<FieldError>) {
        let input = FacilityInput {
            kind: p.get("kind"),
            name_id: p.get("name_id"),
            name_en: p.get("name_en"),
            location_id: p.get("location_id"),
            location_en: p.get("location_en"),
            accessibility_id: p.get("accessibility_id"),
            accessibility_en: p.get("accessibility_en"),
            available: p.flag("available"),
        };
        (input, vec![])
    }

    fn check(v: &FacilityInput, _: &()) -> Vec<FieldError> {
        to_errors(v.validate())
    }

    async fn options(_: &AppState, _: &BackOffice) -> AppResult<()> {
        Ok(())
    }

    async fn list(state: &AppState, mall_id: &MallId) -> AppResult<Vec<Facility>> {
        store::facilities(&state.db, mall_id).await
    }

    async fn find(state: &AppState, mall_id: &MallId, key: &str) -> AppResult<Option<Facility>> {
        Ok(store::facilities(&state.db, mall_id).await?.into_iter().find(|f| f.id == key))
    }

    async fn write<'a>(
        conn: &'a mut Conn<'_>,
        w: &'a WriteCtx,
        v: &'a FacilityInput,
        existing: Option<&'a Facility>,
        _: Option<&'a Upload>,
    ) -> AppResult<Facility> {
        store::write_facility(conn, w, v, existing).await
    }

    async fn remove<'a>(conn: &'a mut Conn<'_>, mall_id: &'a MallId, row: &'a Facility) -> AppResult<()> {
        store::remove_facility(conn, mall_id, row).await
    }
}
