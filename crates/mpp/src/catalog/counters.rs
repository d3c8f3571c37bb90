//! Counters (loket) in the back office: which agency sits there and which
//! services it serves. Agency admins manage their own agency's counters.

use super::agencies::to_errors;
use super::store::{self, Agency, CounterRow, Service};
use crate::crud::{Resource, WriteCtx};
use crate::db::sql::Conn;
use crate::error::{AppResult, FieldError};
use crate::forms::{Field, Kind, Posted, Upload};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use mpp_domain::catalog::CounterInput;
use mpp_domain::policy::Action;
use mpp_domain::tenancy::MallId;

pub struct Counters;

pub struct Options {
    /// The agencies this user may put counters under.
    agencies: Vec<Agency>,
    all_agencies: Vec<Agency>,
    services: Vec<Service>,
}

impl Options {
    fn agency_id(&self, code: &str) -> Option<&str> {
        self.all_agencies.iter().find(|a| a.code == code).map(|a| a.id.as_str())
    }
}

impl Resource for Counters {
    type Row = CounterRow;
    type Input = CounterInput;
    type Options = Options;

    const SEGMENT: &'static str = "loket";
    const ENTITY: &'static str = "counter";
    const KEY: &'static str = "number";
    const API_SEGMENT: &'static str = "counters";
    const PUBLIC: bool = true;
    const WRITE: Action = Action::ManageServices;
    const TITLE: &'static str = "admin.counters";
    const NEW_TITLE: &'static str = "counter.new";

    fn key(row: &CounterRow) -> String {
        row.counter.number.to_string()
    }

    fn heading(row: &CounterRow, t: &Tr) -> String {
        format!("{} {}", t.t("service.counter"), row.counter.number)
    }

    fn columns() -> &'static [&'static str] {
        &["counter.number", "catalogue.agency_filter", "counter.zone", "counter.services", "admin.status"]
    }

    fn cells(row: &CounterRow, _: &Options, t: &Tr) -> Vec<String> {
        vec![
            row.counter.number.to_string(),
            row.agency_code.clone(),
            row.counter.zone.clone(),
            row.services.join(", "),
            t.t(if row.counter.active { "admin.active" } else { "admin.inactive" }).to_string(),
        ]
    }

    fn can_read(bo: &BackOffice, row: &CounterRow) -> bool {
        bo.access.can_view_whole_mall() || bo.access.can_manage_agency(&row.counter.agency_id)
    }

    fn can_change(bo: &BackOffice, row: &CounterRow) -> bool {
        bo.access.can_manage_agency(&row.counter.agency_id)
    }

    fn can_save(bo: &BackOffice, input: &CounterInput, opts: &Options) -> bool {
        match opts.agency_id(&input.agency) {
            Some(id) => bo.access.can_manage_agency(id),
            // A blank form: allowed when there is any agency to choose.
            None => input.agency.is_empty() && !opts.agencies.is_empty(),
        }
    }

    fn blank(opts: &Options) -> CounterInput {
        let agency = if let [only] = opts.agencies.as_slice() { only.code.clone() } else { String::new() };
        CounterInput { agency, active: true, ..Default::default() }
    }

    fn to_input(row: &CounterRow, _: &Options) -> CounterInput {
        CounterInput {
            agency: row.agency_code.clone(),
            number: row.counter.number,
            zone: row.counter.zone.clone(),
            services: row.services.clone(),
            active: row.counter.active,
        }
    }

    fn fields(v: &CounterInput, opts: &Options, t: &Tr) -> Vec<Field> {
        let agencies =
            opts.agencies.iter().map(|a| (a.code.clone(), t.pick(&a.name_id, &a.name_en).to_string())).collect();
        let services = opts
            .services
            .iter()
            .filter(|s| opts.agencies.iter().any(|a| a.id == s.agency_id))
            .map(|s| (s.code.clone(), format!("{} — {}", s.code, t.pick(&s.name_id, &s.name_en))))
            .collect();
        let number = if v.number == 0 { String::new() } else { v.number.to_string() };
        vec![
            Field::new("number", "counter.number", Kind::Number, number),
            Field::new("agency", "catalogue.agency_filter", Kind::Select(agencies), &v.agency),
            Field::new("zone", "counter.zone", Kind::Text, &v.zone).help("counter.help_zone"),
            Field::new("services", "counter.services", Kind::Multi(services), "")
                .help("counter.help_services")
                .checked(v.services.clone()),
            Field::new("active", "counter.active", Kind::Check, if v.active { "1" } else { "" }),
        ]
    }

    fn parse(p: &Posted, _: &Options) -> (CounterInput, Vec<FieldError>) {
        let mut errors = Vec::new();
        let input = CounterInput {
            agency: p.get("agency"),
            number: p.number("number", &mut errors),
            zone: p.get("zone"),
            services: p.all("services"),
            active: p.flag("active"),
        };
        (input, errors)
    }

    fn check(v: &CounterInput, opts: &Options) -> Vec<FieldError> {
        let agency_id = opts.agency_id(&v.agency);
        let own: Vec<String> =
            opts.services.iter().filter(|s| Some(s.agency_id.as_str()) == agency_id).map(|s| s.code.clone()).collect();
        to_errors(v.validate(&own))
    }

    async fn options(state: &AppState, bo: &BackOffice) -> AppResult<Options> {
        let all_agencies = store::agencies(&state.db, &bo.mall.id).await?;
        let agencies = all_agencies.iter().filter(|a| bo.access.can_manage_agency(&a.id)).cloned().collect();
        let services = store::services(&state.db, &bo.mall.id, true).await?;
        Ok(Options { agencies, all_agencies, services })
    }

    async fn list(state: &AppState, mall_id: &MallId) -> AppResult<Vec<CounterRow>> {
        store::counter_rows(&mut Conn::Read(&state.db), mall_id, None).await
    }

    async fn find(state: &AppState, mall_id: &MallId, key: &str) -> AppResult<Option<CounterRow>> {
        let Ok(number) = key.parse::<i64>() else { return Ok(None) };
        Ok(Self::list(state, mall_id).await?.into_iter().find(|r| r.counter.number == number))
    }

    async fn write<'a>(
        conn: &'a mut Conn<'_>,
        w: &'a WriteCtx,
        v: &'a CounterInput,
        existing: Option<&'a CounterRow>,
        _: Option<&'a Upload>,
    ) -> AppResult<CounterRow> {
        store::write_counter(conn, w, v, existing).await
    }

    async fn remove<'a>(conn: &'a mut Conn<'_>, mall_id: &'a MallId, row: &'a CounterRow) -> AppResult<()> {
        store::remove_counter(conn, mall_id, row).await
    }
}
