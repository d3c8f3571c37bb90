//! Demo data: "MPP Kabupaten Timor Tengah Utara", example data marked as
//! such, loaded on first start so a newcomer sees a working mall at once.
//! The content lives in `demo/ttu.json`; demo accounts share one password
//! that `mpp serve` prints.

use crate::auth::{password, store as users};
use crate::calendar;
use crate::catalog::store as catalog;
use crate::crud::WriteCtx;
use crate::db::sql::Conn;
use crate::db::{Db, new_id};
use crate::error::AppResult;
use crate::tenancy::store::{self as malls, NewMall};
use anyhow::Context;
use mpp_domain::auth::Role;
use mpp_domain::catalog::{AgencyInput, AgreementInput, CounterInput, FacilityInput, ServiceInput};
use mpp_domain::tenancy::MallId;
use mpp_domain::tenancy::TimeZone;

pub const JSON: &str = include_str!("../demo/ttu.json");
pub const PASSWORD: &str = "mpp-demo-2026";
/// The demo mall's payment gateway secret (HMAC), so a simulated bank can
/// call the payment webhook. Never used outside the demo mall.
pub const GATEWAY_SECRET: &str = "demo-gateway-secret";
/// Dates in the demo file are written as seen on this day; seeding shifts
/// them by the days since, so agreements expire "soon" whenever it runs.
const WRITTEN_ON: time::Date = time::macros::date!(2026 - 11 - 24);

#[derive(serde::Deserialize)]
struct Demo {
    mall: DemoMall,
    hours: Vec<calendar::store::Hours>,
    agencies: Vec<DemoAgency>,
    services: Vec<DemoService>,
    counters: Vec<DemoCounter>,
    facilities: Vec<DemoFacility>,
    agreements: Vec<DemoAgreement>,
    /// Application forms and workflows of some services.
    workflows: Vec<DemoWorkflow>,
    /// Life-event bundles of those services.
    bundles: Vec<mpp_domain::bundle::BundleInput>,
    /// Agencies' systems in the data exchange (their secret keys are in
    /// `demo/`, for the demo only).
    exchange_clients: Vec<mpp_domain::exchange::ClientInput>,
}

#[derive(serde::Deserialize)]
struct DemoWorkflow {
    service: String,
    #[serde(flatten)]
    setup: mpp_domain::setup::ServiceSetup,
}

#[derive(serde::Deserialize)]
struct DemoMall {
    slug: String,
    name: String,
    region_code: String,
    timezone: String,
    address: String,
    phone: String,
    email: String,
    description_id: String,
    description_en: String,
}

#[derive(serde::Deserialize)]
struct DemoAgency {
    code: String,
    name_id: String,
    name_en: String,
    kind: String,
    description_id: String,
    description_en: String,
    phone: String,
}

#[derive(serde::Deserialize)]
struct DemoService {
    agency: String,
    code: String,
    name_id: String,
    name_en: String,
    aliases: Vec<String>,
    summary_id: String,
    summary_en: String,
    requirements_id: Vec<String>,
    requirements_en: Vec<String>,
    procedure_id: Vec<String>,
    procedure_en: Vec<String>,
    completion_time_id: String,
    completion_time_en: String,
    sla_days: i64,
    cost_rupiah: i64,
    cost_note_id: String,
    cost_note_en: String,
    product_id: String,
    product_en: String,
    complaint_id: String,
    complaint_en: String,
    legal_basis: Vec<String>,
    channels: Vec<String>,
    queue_prefix: String,
}

#[derive(serde::Deserialize)]
struct DemoCounter {
    number: i64,
    agency: String,
    zone: String,
    services: Vec<String>,
}

#[derive(serde::Deserialize)]
struct DemoFacility {
    kind: String,
    name_id: String,
    name_en: String,
    location_id: String,
    location_en: String,
    accessibility_id: String,
    accessibility_en: String,
}

#[derive(serde::Deserialize)]
struct DemoAgreement {
    agency: String,
    kind: String,
    number: String,
    title_id: String,
    title_en: String,
    signed_on: String,
    valid_from: String,
    valid_until: String,
}

/// The demo accounts: (email, name, role, agency code).
pub const ACCOUNTS: &[(&str, &str, Option<Role>, Option<&str>)] = &[
    ("admin@demo.mpp.id", "Admin MPP (demo)", Some(Role::MallAdmin), None),
    ("dukcapil@demo.mpp.id", "Admin Dukcapil (demo)", Some(Role::AgencyAdmin), Some("dukcapil")),
    ("petugas@demo.mpp.id", "Petugas Loket (demo)", Some(Role::Officer), Some("dukcapil")),
    ("bpjs@demo.mpp.id", "Petugas BPJS Kesehatan (demo)", Some(Role::Officer), Some("bpjs-kes")),
    ("perizinan@demo.mpp.id", "Petugas Perizinan DPMPTSP (demo)", Some(Role::Officer), Some("dpmptsp")),
    ("pupr@demo.mpp.id", "Tim Teknis PUPR (demo)", Some(Role::Officer), Some("pupr")),
    ("dlh@demo.mpp.id", "Petugas DLH (demo)", Some(Role::Officer), Some("dlh")),
    ("pengawas@demo.mpp.id", "Pengawas Nasional (demo)", Some(Role::NationalSupervisor), None),
    ("warga@demo.mpp.id", "Warga (demo)", None, None),
];

/// Loads the demo mall unless a mall already exists. Returns its slug when loaded.
pub async fn seed_if_empty(db: &Db, today: time::Date, now: i64) -> anyhow::Result<Option<String>> {
    if !malls::list(db).await?.is_empty() {
        return Ok(None);
    }
    let demo: Demo = serde_json::from_str(JSON).context("demo/ttu.json")?;
    let shift = time::Duration::days((today - WRITTEN_ON).whole_days());
    let m = &demo.mall;
    let zone = TimeZone::parse(&m.timezone).context("demo time zone")?;
    let new = NewMall {
        slug: &m.slug,
        name: &m.name,
        region_code: &m.region_code,
        timezone: zone,
        address: &m.address,
        phone: &m.phone,
        email: &m.email,
        description_id: &m.description_id,
        description_en: &m.description_en,
        is_demo: true,
    };
    let mall_id = malls::create(db, &new, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let Demo {
        hours, agencies, services, counters, facilities, agreements, workflows, bundles, exchange_clients, ..
    } = demo;
    let id = mall_id.clone();
    let agency_ids = db
        .transact(move |conn| Box::pin(seed_places(conn, id, hours, agencies, facilities, agreements, shift, now)))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    let mut inputs = Vec::with_capacity(services.len());
    for s in &services {
        let input = ServiceInput {
            agency: s.agency.clone(),
            code: s.code.clone(),
            name_id: s.name_id.clone(),
            name_en: s.name_en.clone(),
            aliases: s.aliases.join("\n"),
            summary_id: s.summary_id.clone(),
            summary_en: s.summary_en.clone(),
            requirements_id: s.requirements_id.join("\n"),
            requirements_en: s.requirements_en.join("\n"),
            procedure_id: s.procedure_id.join("\n"),
            procedure_en: s.procedure_en.join("\n"),
            completion_time_id: s.completion_time_id.clone(),
            completion_time_en: s.completion_time_en.clone(),
            sla_days: s.sla_days,
            cost_rupiah: s.cost_rupiah,
            cost_note_id: s.cost_note_id.clone(),
            cost_note_en: s.cost_note_en.clone(),
            product_id: s.product_id.clone(),
            product_en: s.product_en.clone(),
            complaint_id: s.complaint_id.clone(),
            complaint_en: s.complaint_en.clone(),
            legal_basis: s.legal_basis.join("\n"),
            channels: s.channels.clone(),
            queue_prefix: s.queue_prefix.clone(),
            booking_quota: 20,
            active: true,
        };
        let problems = input.validate();
        anyhow::ensure!(problems.is_empty(), "demo service {}: {problems:?}", s.code);
        inputs.push(input);
    }
    let id = mall_id.clone();
    db.transact(move |conn| {
        Box::pin(async move {
            for input in &inputs {
                let agency = catalog::agency_in_tx(conn, &id, &input.agency).await?;
                catalog::write_service(conn, &id, &agency, input, None, now).await?;
            }
            Ok(())
        })
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let id = mall_id.clone();
    db.transact(move |conn| Box::pin(seed_counters(conn, id, counters, now)))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;

    for w in &workflows {
        crate::application::setup::save_demo(db, &mall_id, &w.service, &w.setup, now)
            .await
            .map_err(|e| anyhow::anyhow!("the demo setup of {}: {e:?}", w.service))?;
    }

    seed_bundles(db, &mall_id, bundles, now).await?;
    seed_exchange_clients(db, &mall_id, exchange_clients, now).await?;

    crate::payment::store::set_gateway_secret(db, &mall_id, GATEWAY_SECRET, None, now)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    // The demo's kiosk works in any browser (a few tickets per hour per
    // address), so that it can be tried without registering a device.
    let queue = crate::visit::store::Settings { anonymous_kiosk_per_hour: 30, ..Default::default() };
    let input = crate::visit::settings::input(&queue);
    crate::visit::store::save_settings(db, &mall_id, &input, None, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;

    let hash = password::hash_async(PASSWORD.to_string()).await?;
    for (email, name, role, agency) in ACCOUNTS {
        let user_id = users::create_user(db, email, name, &hash, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let agency_id = agency.and_then(|a| agency_ids.get(a)).map(String::as_str);
        match role {
            Some(Role::NationalSupervisor) => users::grant_supervisor(db, &user_id).await,
            Some(r) => users::grant_mall_role(db, &mall_id, &user_id, *r, agency_id).await,
            None => Ok(()),
        }
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    malls::publish(db, &mall_id, now).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Some(m.slug.clone()))
}

/// The demo's bundles, checked as the back office checks them.
async fn seed_bundles(
    db: &Db,
    mall_id: &MallId,
    bundles: Vec<mpp_domain::bundle::BundleInput>,
    now: i64,
) -> anyhow::Result<()> {
    let forms = crate::application::store::services_with_workflows(db, mall_id).await?;
    let members: Vec<mpp_domain::bundle::Member<'_>> =
        forms.iter().map(|s| mpp_domain::bundle::Member { code: &s.code, form: Some(&s.fields) }).collect();
    for b in &bundles {
        let problems = b.validate(&members);
        anyhow::ensure!(problems.is_empty(), "demo bundle {}: {problems:?}", b.code);
    }
    let w = WriteCtx { mall_id: mall_id.clone(), now, files_dir: std::path::PathBuf::new() };
    db.transact(move |conn| {
        Box::pin(async move {
            for b in &bundles {
                crate::bundle::store::write(conn, &w, b, None).await?;
            }
            Ok(())
        })
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}

/// The demo's agency systems, checked as the back office checks them.
async fn seed_exchange_clients(
    db: &Db,
    mall_id: &MallId,
    clients: Vec<mpp_domain::exchange::ClientInput>,
    now: i64,
) -> anyhow::Result<()> {
    for c in &clients {
        let problems = c.validate();
        anyhow::ensure!(problems.is_empty(), "demo agency system {}: {problems:?}", c.name);
    }
    let w = WriteCtx { mall_id: mall_id.clone(), now, files_dir: std::path::PathBuf::new() };
    db.transact(move |conn| {
        Box::pin(async move {
            for c in &clients {
                crate::exchange::store::write(conn, &w, c, None).await?;
            }
            Ok(())
        })
    })
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
}

type Ids = std::collections::HashMap<String, String>;

/// The demo mall's hours, calendar, agencies, facilities and agreements, in
/// one transaction, written as the back office writes them; the agencies'
/// ids by code.
#[allow(clippy::too_many_arguments)]
async fn seed_places(
    conn: &mut Conn<'_>,
    mall_id: MallId,
    hours: Vec<calendar::store::Hours>,
    agencies: Vec<DemoAgency>,
    facilities: Vec<DemoFacility>,
    agreements: Vec<DemoAgreement>,
    shift: time::Duration,
    now: i64,
) -> AppResult<Ids> {
    for h in &hours {
        calendar::store::set_hours(conn, &mall_id, h).await?;
    }
    calendar::store::copy_national_in(conn, &mall_id).await?;
    let w = WriteCtx { mall_id: mall_id.clone(), now, files_dir: Default::default() };
    let mut agency_ids = Ids::new();
    for a in agencies {
        let input = AgencyInput {
            code: a.code,
            name_id: a.name_id,
            name_en: a.name_en,
            kind: a.kind,
            description_id: a.description_id,
            description_en: a.description_en,
            phone: a.phone,
        };
        let saved = catalog::write_agency(conn, &w, &input, None).await?;
        agency_ids.insert(saved.code, saved.id);
    }
    for f in facilities {
        let input = FacilityInput {
            kind: f.kind,
            name_id: f.name_id,
            name_en: f.name_en,
            location_id: f.location_id,
            location_en: f.location_en,
            accessibility_id: f.accessibility_id,
            accessibility_en: f.accessibility_en,
            available: true,
        };
        catalog::write_facility(conn, &w, &input, None).await?;
    }
    let shifted = |d: &str| {
        mpp_domain::format::parse_date(d).map(|d| mpp_domain::format::iso_date(d + shift)).unwrap_or_default()
    };
    for a in agreements {
        let agency_id = agency_ids.get(&a.agency).context("agreement agency")?.clone();
        let input = AgreementInput {
            agency: a.agency,
            kind: a.kind,
            number: a.number,
            title_id: a.title_id,
            title_en: a.title_en,
            signed_on: shifted(&a.signed_on),
            valid_from: shifted(&a.valid_from),
            valid_until: shifted(&a.valid_until),
        };
        let none = crate::agreements::store::StoredFile::default();
        crate::agreements::store::save(conn, &w, &new_id(now), &agency_id, &input, &none, false).await?;
    }
    Ok(agency_ids)
}

/// The demo's counters and the services each offers, as the back office writes them.
async fn seed_counters(conn: &mut Conn<'_>, mall_id: MallId, counters: Vec<DemoCounter>, now: i64) -> AppResult<()> {
    let w = WriteCtx { mall_id, now, files_dir: Default::default() };
    for c in counters {
        let input =
            CounterInput { agency: c.agency, number: c.number, zone: c.zone, services: c.services, active: true };
        catalog::write_counter(conn, &w, &input, None).await?;
    }
    Ok(())
}
