//! The agencies' systems in the back office and the API: a mall's manager
//! registers each with its agency, its public key and, where a law lets
//! it read without the citizen's consent, that law's citation.

use super::store::{self, Client};
use crate::catalog::agencies::to_errors;
use crate::catalog::store::{self as catalog, Agency};
use crate::crud::{Resource, WriteCtx};
use crate::db::sql::Conn;
use crate::error::{AppResult, FieldError};
use crate::forms::{Field, Kind, Posted, Upload};
use crate::i18n::Tr;
use crate::state::AppState;
use crate::tenancy::BackOffice;
use mpp_domain::exchange::ClientInput;
use mpp_domain::tenancy::MallId;

pub struct Clients;

impl Resource for Clients {
    type Row = Client;
    type Input = ClientInput;
    type Options = Vec<Agency>;

    const SEGMENT: &'static str = "sistem-instansi";
    const ENTITY: &'static str = "exchange_client";
    const KEY: &'static str = "id";
    const API_SEGMENT: &'static str = "exchange-clients";
    const PUBLIC: bool = false;
    const TITLE: &'static str = "admin.exchange_clients";
    const NEW_TITLE: &'static str = "exchange.new";

    fn key(row: &Client) -> String {
        row.id.clone()
    }

    fn heading(row: &Client, _: &Tr) -> String {
        row.name.clone()
    }

    fn columns() -> &'static [&'static str] {
        &["exchange.name", "exchange.id", "catalogue.agency_filter", "exchange.legal_basis", "admin.status"]
    }

    fn cells(row: &Client, _: &Vec<Agency>, t: &Tr) -> Vec<String> {
        vec![
            row.name.clone(),
            row.id.clone(),
            row.agency.clone(),
            if row.legal_basis.is_empty() { t.t("exchange.consent_only").to_string() } else { row.legal_basis.clone() },
            t.t(if row.active { "admin.active" } else { "admin.inactive" }).to_string(),
        ]
    }

    fn blank(_: &Vec<Agency>) -> ClientInput {
        ClientInput { active: true, ..Default::default() }
    }

    fn to_input(row: &Client, _: &Vec<Agency>) -> ClientInput {
        ClientInput {
            agency: row.agency.clone(),
            name: row.name.clone(),
            public_key: row.public_key.clone(),
            legal_basis: row.legal_basis.clone(),
            active: row.active,
        }
    }

    fn fields(v: &ClientInput, agencies: &Vec<Agency>, t: &Tr) -> Vec<Field> {
        let agencies = agencies.iter().map(|a| (a.code.clone(), t.pick(&a.name_id, &a.name_en).to_string())).collect();
        vec![
            Field::new("agency", "catalogue.agency_filter", Kind::Select(agencies), &v.agency),
            Field::new("name", "exchange.name", Kind::Text, &v.name),
            Field::new("public_key", "exchange.public_key", Kind::Text, &v.public_key).help("exchange.help_key"),
            Field::new("legal_basis", "exchange.legal_basis", Kind::Text, &v.legal_basis).help("exchange.help_basis"),
            Field::new("active", "exchange.active", Kind::Check, if v.active { "1" } else { "" }),
        ]
    }

    fn parse(p: &Posted, _: &Vec<Agency>) -> (ClientInput, Vec<FieldError>) {
        let input = ClientInput {
            agency: p.get("agency"),
            name: p.get("name"),
            public_key: p.get("public_key"),
            legal_basis: p.get("legal_basis"),
            active: p.flag("active"),
        };
        (input, Vec::new())
    }

    fn check(v: &ClientInput, agencies: &Vec<Agency>) -> Vec<FieldError> {
        let mut errors = to_errors(v.validate());
        // Well formed, but a small-order point would let anyone sign as it.
        if mpp_domain::exchange::is_public_key(&v.public_key) && !crate::certificate::keys::usable(v.public_key.trim())
        {
            errors.push(FieldError::new("public_key", "exchange.bad_key"));
        }
        if !v.agency.trim().is_empty() && !agencies.iter().any(|a| a.code == v.agency.trim()) {
            errors.push(FieldError::new("agency", "form.bad_choice"));
        }
        errors
    }

    async fn options(state: &AppState, bo: &BackOffice) -> AppResult<Vec<Agency>> {
        catalog::agencies(&state.db, &bo.mall.id).await
    }

    async fn list(state: &AppState, mall_id: &MallId) -> AppResult<Vec<Client>> {
        store::list(&mut Conn::Read(&state.db), mall_id, None).await
    }

    async fn find(state: &AppState, mall_id: &MallId, key: &str) -> AppResult<Option<Client>> {
        store::by_id(&state.db, mall_id, key).await
    }

    async fn write<'a>(
        conn: &'a mut Conn<'_>,
        w: &'a WriteCtx,
        v: &'a ClientInput,
        existing: Option<&'a Client>,
        _: Option<&'a Upload>,
    ) -> AppResult<Client> {
        store::write(conn, w, v, existing).await
    }

    async fn remove<'a>(conn: &'a mut Conn<'_>, mall_id: &'a MallId, row: &'a Client) -> AppResult<()> {
        store::remove(conn, mall_id, row).await
    }
}
