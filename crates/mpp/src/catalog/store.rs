//! The SQL of the catalogue. Every query is filtered by mall id.

use crate::db::sql::{self, Conn, from_row};
use crate::db::{Db, new_id};
use crate::error::AppResult;
use mpp_domain::catalog::{Channel, ServiceInput, lines, parse_channels};
use mpp_domain::search;
use mpp_domain::tenancy::MallId;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Agency {
    pub id: String,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub kind: String,
    pub description_id: String,
    pub description_en: String,
    pub phone: String,
}

from_row!(Agency { id, code, name_id, name_en, kind, description_id, description_en, phone });

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Service {
    pub id: String,
    pub agency_id: String,
    /// The agency's code.
    pub agency: String,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub aliases: String,
    pub summary_id: String,
    pub summary_en: String,
    pub requirements_id: String,
    pub requirements_en: String,
    pub procedure_id: String,
    pub procedure_en: String,
    pub completion_time_id: String,
    pub completion_time_en: String,
    pub sla_days: i64,
    pub cost_rupiah: i64,
    pub cost_note_id: String,
    pub cost_note_en: String,
    pub product_id: String,
    pub product_en: String,
    pub complaint_id: String,
    pub complaint_en: String,
    pub legal_basis: String,
    /// Stored as one comma-separated string; a list in JSON, as written.
    #[serde(serialize_with = "channel_list")]
    #[schema(value_type = Vec<String>)]
    pub channels: String,
    pub queue_prefix: String,
    pub booking_quota: i64,
    pub active: bool,
    #[serde(skip)]
    pub search_text: String,
    pub updated_at: i64,
}

from_row!(Service {
    id,
    agency_id,
    agency,
    code,
    name_id,
    name_en,
    aliases,
    summary_id,
    summary_en,
    requirements_id,
    requirements_en,
    procedure_id,
    procedure_en,
    completion_time_id,
    completion_time_en,
    sla_days,
    cost_rupiah,
    cost_note_id,
    cost_note_en,
    product_id,
    product_en,
    complaint_id,
    complaint_en,
    legal_basis,
    channels,
    queue_prefix,
    booking_quota,
    active,
    search_text,
    updated_at
});

fn channel_list<S: serde::Serializer>(channels: &str, out: S) -> Result<S::Ok, S::Error> {
    out.collect_seq(parse_channels(channels).iter().map(|c| c.as_str()))
}

impl Service {
    pub fn channel_list(&self) -> Vec<Channel> {
        parse_channels(&self.channels)
    }

    pub fn alias_list(&self) -> Vec<String> {
        lines(&self.aliases).into_iter().map(str::to_string).collect()
    }

    /// The form/API shape of this service, for editing.
    pub fn to_input(&self) -> ServiceInput {
        ServiceInput {
            agency: self.agency.clone(),
            code: self.code.clone(),
            name_id: self.name_id.clone(),
            name_en: self.name_en.clone(),
            aliases: self.aliases.clone(),
            summary_id: self.summary_id.clone(),
            summary_en: self.summary_en.clone(),
            requirements_id: self.requirements_id.clone(),
            requirements_en: self.requirements_en.clone(),
            procedure_id: self.procedure_id.clone(),
            procedure_en: self.procedure_en.clone(),
            completion_time_id: self.completion_time_id.clone(),
            completion_time_en: self.completion_time_en.clone(),
            sla_days: self.sla_days,
            cost_rupiah: self.cost_rupiah,
            cost_note_id: self.cost_note_id.clone(),
            cost_note_en: self.cost_note_en.clone(),
            product_id: self.product_id.clone(),
            product_en: self.product_en.clone(),
            complaint_id: self.complaint_id.clone(),
            complaint_en: self.complaint_en.clone(),
            legal_basis: self.legal_basis.clone(),
            channels: self.channel_list().iter().map(|c| c.as_str().to_string()).collect(),
            queue_prefix: self.queue_prefix.clone(),
            booking_quota: self.booking_quota,
            active: self.active,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Counter {
    pub id: String,
    pub agency_id: String,
    pub number: i64,
    pub zone: String,
    pub active: bool,
}

from_row!(Counter { id, agency_id, number, zone, active });

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Facility {
    pub id: String,
    pub kind: String,
    pub name_id: String,
    pub name_en: String,
    pub location_id: String,
    pub location_en: String,
    pub accessibility_id: String,
    pub accessibility_en: String,
    pub available: bool,
}

from_row!(Facility {
    id,
    kind,
    name_id,
    name_en,
    location_id,
    location_en,
    accessibility_id,
    accessibility_en,
    available
});

const AGENCY_COLS: &str = "id, code, name_id, name_en, kind, description_id, description_en, phone";
/// `agency` is the agency's code, so a service read from the API is what a
/// write takes back (`ServiceInput`).
const SERVICE_COLS: &str = "id, agency_id,
    (SELECT a.code FROM agencies a WHERE a.mall_id = services.mall_id AND a.id = services.agency_id) AS agency, code, name_id, name_en, aliases, summary_id, summary_en, requirements_id,
    requirements_en, procedure_id, procedure_en, completion_time_id, completion_time_en, sla_days, cost_rupiah,
    cost_note_id, cost_note_en, product_id, product_en, complaint_id, complaint_en, legal_basis, channels,
    queue_prefix, booking_quota, active, search_text, updated_at";

pub async fn agencies(db: &Db, mall_id: &MallId) -> AppResult<Vec<Agency>> {
    sql::query(format!("SELECT {AGENCY_COLS} FROM agencies WHERE mall_id = $1 ORDER BY name_id"))
        .bind(mall_id)
        .fetch_all(&mut Conn::Read(db))
        .await
}

pub async fn agency_by_code(db: &Db, mall_id: &MallId, code: &str) -> AppResult<Option<Agency>> {
    sql::query(format!("SELECT {AGENCY_COLS} FROM agencies WHERE mall_id = $1 AND code = $2"))
        .bind(mall_id)
        .bind(code)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// All services of the mall (inactive too when `include_inactive`), by agency then name.
pub async fn services(db: &Db, mall_id: &MallId, include_inactive: bool) -> AppResult<Vec<Service>> {
    sql::query(format!(
        "SELECT {SERVICE_COLS} FROM services WHERE mall_id = $1 AND (active = 1 OR $2 = 1) ORDER BY name_id"
    ))
    .bind(mall_id)
    .bind(i64::from(include_inactive))
    .fetch_all(&mut Conn::Read(db))
    .await
}

pub async fn service_by_code(db: &Db, mall_id: &MallId, code: &str) -> AppResult<Option<Service>> {
    sql::query(format!("SELECT {SERVICE_COLS} FROM services WHERE mall_id = $1 AND code = $2"))
        .bind(mall_id)
        .bind(code.to_ascii_uppercase())
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// Active services matching every token of the query, best first.
/// The database narrows by substring on the normalised text (portable
/// `LIKE`); ranking happens in the domain.
pub async fn search(db: &Db, mall_id: &MallId, query: &str) -> AppResult<Vec<Service>> {
    let tokens: Vec<String> = search::tokens(query).into_iter().take(8).collect();
    if tokens.is_empty() {
        return services(db, mall_id, false).await;
    }
    let mut sql = format!("SELECT {SERVICE_COLS} FROM services WHERE mall_id = $1 AND active = 1");
    for i in 0..tokens.len() {
        sql.push_str(&format!(" AND search_text LIKE ${}", i + 2));
    }
    let mut q = sql::query(&sql).bind(mall_id);
    for t in &tokens {
        q = q.bind(format!("%{}%", t.replace(['%', '_'], "")));
    }
    let found = q.fetch_all(&mut Conn::Read(db)).await?;
    let mut ranked = rank(&tokens, found, search::score);
    if ranked.is_empty() {
        // Nothing as typed: forgive typos and the other spelling, over the
        // mall's whole catalogue (a few hundred services at most).
        ranked = rank(&tokens, services(db, mall_id, false).await?, search::forgiving_score);
    }
    // Among equal scores the most general service (shortest code: KTP-EL
    // before KTP-EL-GANTI) comes first.
    ranked.sort_by(|a, b| {
        b.0.cmp(&a.0).then(a.1.code.len().cmp(&b.1.code.len())).then_with(|| a.1.name_id.cmp(&b.1.name_id))
    });
    Ok(ranked.into_iter().map(|(_, s)| s).collect())
}

/// The services a scoring function keeps, with the better of their
/// Indonesian and English names' scores.
fn rank(
    tokens: &[String],
    services: Vec<Service>,
    score: fn(&[String], &search::Candidate<'_>) -> Option<u32>,
) -> Vec<(u32, Service)> {
    services
        .into_iter()
        .filter_map(|s| {
            let aliases = s.alias_list();
            let c =
                search::Candidate { code: &s.code, name: &s.name_id, aliases: &aliases, search_text: &s.search_text };
            let en = search::Candidate { name: &s.name_en, ..c };
            let best = score(tokens, &c).max(score(tokens, &en))?;
            Some((best, s))
        })
        .collect()
}

pub async fn counters(db: &Db, mall_id: &MallId) -> AppResult<Vec<Counter>> {
    sql::query("SELECT id, agency_id, number, zone, active FROM counters WHERE mall_id = $1 ORDER BY number")
        .bind(mall_id)
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// (counter id, service id) pairs: which counter serves what.
pub async fn counter_services(db: &Db, mall_id: &MallId) -> AppResult<Vec<(String, String)>> {
    sql::query("SELECT counter_id, service_id FROM counter_services WHERE mall_id = $1")
        .bind(mall_id)
        .fetch_all(&mut Conn::Read(db))
        .await
}

pub async fn facilities(db: &Db, mall_id: &MallId) -> AppResult<Vec<Facility>> {
    sql::query(
        "SELECT id, kind, name_id, name_en, location_id, location_en, accessibility_id, accessibility_en, available
         FROM facilities WHERE mall_id = $1 ORDER BY name_id",
    )
    .bind(mall_id)
    .fetch_all(&mut Conn::Read(db))
    .await
}

/// The normalised haystack a service is searched by.
fn search_text_of(input: &ServiceInput, agency: &Agency) -> String {
    let mut parts = vec![input.code.as_str(), input.name_id.as_str(), input.name_en.as_str()];
    parts.extend(lines(&input.aliases));
    parts.extend([agency.code.as_str(), agency.name_id.as_str(), agency.name_en.as_str()]);
    search::search_text(parts)
}

/// Inserts or updates (when `existing` is given) a service inside a
/// transaction; the caller validated the input and writes the audit event.
pub async fn write_service(
    conn: &mut Conn<'_>,
    mall_id: &MallId,
    agency: &Agency,
    input: &ServiceInput,
    existing: Option<&Service>,
    now: i64,
) -> AppResult<Service> {
    let id = existing.map(|s| s.id.clone()).unwrap_or_else(|| new_id(now));
    let code = input.code.trim().to_ascii_uppercase();
    let channels: Vec<Channel> = input.channels.iter().filter_map(|c| Channel::parse(c)).collect();
    let sql = if existing.is_some() {
        "UPDATE services SET agency_id = $3, code = $4, name_id = $5, name_en = $6, aliases = $7, summary_id = $8,
         summary_en = $9, requirements_id = $10, requirements_en = $11, procedure_id = $12, procedure_en = $13,
         completion_time_id = $14, completion_time_en = $15, sla_days = $16, cost_rupiah = $17, cost_note_id = $18,
         cost_note_en = $19, product_id = $20, product_en = $21, complaint_id = $22, complaint_en = $23,
         legal_basis = $24, channels = $25, queue_prefix = $26, active = $27, search_text = $28, updated_at = $29,
         booking_quota = $30 WHERE mall_id = $1 AND id = $2"
    } else {
        "INSERT INTO services (mall_id, id, agency_id, code, name_id, name_en, aliases, summary_id, summary_en,
         requirements_id, requirements_en, procedure_id, procedure_en, completion_time_id, completion_time_en,
         sla_days, cost_rupiah, cost_note_id, cost_note_en, product_id, product_en, complaint_id, complaint_en,
         legal_basis, channels, queue_prefix, active, search_text, updated_at, booking_quota)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
         $22, $23, $24, $25, $26, $27, $28, $29, $30)"
    };
    let tidy = |s: &str| lines(s).join("\n");
    sql::query(sql)
        .bind(mall_id)
        .bind(&id)
        .bind(&agency.id)
        .bind(&code)
        .bind(input.name_id.trim())
        .bind(input.name_en.trim())
        .bind(tidy(&input.aliases))
        .bind(input.summary_id.trim())
        .bind(input.summary_en.trim())
        .bind(tidy(&input.requirements_id))
        .bind(tidy(&input.requirements_en))
        .bind(tidy(&input.procedure_id))
        .bind(tidy(&input.procedure_en))
        .bind(input.completion_time_id.trim())
        .bind(input.completion_time_en.trim())
        .bind(input.sla_days)
        .bind(input.cost_rupiah)
        .bind(input.cost_note_id.trim())
        .bind(input.cost_note_en.trim())
        .bind(input.product_id.trim())
        .bind(input.product_en.trim())
        .bind(input.complaint_id.trim())
        .bind(input.complaint_en.trim())
        .bind(tidy(&input.legal_basis))
        .bind(mpp_domain::catalog::channels_to_string(&channels))
        .bind(input.queue_prefix.trim())
        .bind(i64::from(input.active))
        .bind(search_text_of(input, agency))
        .bind(now)
        .bind(input.booking_quota)
        .execute(conn)
        .await
        .map_err(crate::crud::taken("code", "service.code_taken"))?;
    sql::query(format!("SELECT {SERVICE_COLS} FROM services WHERE mall_id = $1 AND id = $2"))
        .bind(mall_id)
        .bind(&id)
        .fetch_one(conn)
        .await
}

/// One agency by id, inside a transaction (to return what was just written).
pub async fn agency_by_id(conn: &mut Conn<'_>, mall_id: &MallId, id: &str) -> AppResult<Agency> {
    sql::query(format!("SELECT {AGENCY_COLS} FROM agencies WHERE mall_id = $1 AND id = $2"))
        .bind(mall_id)
        .bind(id)
        .fetch_one(conn)
        .await
}

/// The agency with this code, inside a transaction; an unknown code is a
/// field error on `agency` (records name their agency by code).
pub async fn agency_in_tx(conn: &mut Conn<'_>, mall_id: &MallId, code: &str) -> AppResult<Agency> {
    sql::query(format!("SELECT {AGENCY_COLS} FROM agencies WHERE mall_id = $1 AND code = $2"))
        .bind(mall_id)
        .bind(code.trim())
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| crate::error::AppError::invalid("agency", "service.agency_unknown"))
}

/// Writes agency (new, or over `existing`) inside a back-office change.
pub async fn write_agency(
    conn: &mut Conn<'_>,
    w: &crate::crud::WriteCtx,
    v: &mpp_domain::catalog::AgencyInput,
    existing: Option<&Agency>,
) -> AppResult<Agency> {
    let id = existing.map(|a| a.id.clone()).unwrap_or_else(|| crate::db::new_id(w.now));
    let sql = if existing.is_some() {
        "UPDATE agencies SET code = $3, name_id = $4, name_en = $5, kind = $6, description_id = $7,
         description_en = $8, phone = $9, updated_at = $10 WHERE mall_id = $1 AND id = $2"
    } else {
        "INSERT INTO agencies (mall_id, id, code, name_id, name_en, kind, description_id, description_en, phone, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    };
    sql::query(sql)
        .bind(&w.mall_id)
        .bind(&id)
        .bind(v.code.trim())
        .bind(v.name_id.trim())
        .bind(v.name_en.trim())
        .bind(&v.kind)
        .bind(v.description_id.trim())
        .bind(v.description_en.trim())
        .bind(v.phone.trim())
        .bind(w.now)
        .execute(conn)
        .await
        .map_err(crate::crud::taken("code", "agency.code_taken"))?;
    agency_by_id(conn, &w.mall_id, &id).await
}

/// Deletes agency; one still in use is a field error.
pub async fn remove_agency(conn: &mut Conn<'_>, mall_id: &MallId, row: &Agency) -> AppResult<()> {
    // Services, counters and agreements point at the agency: refuse, do not cascade.
    let used: i64 = sql::query(
        "SELECT (SELECT COUNT(*) FROM services WHERE mall_id = $1 AND agency_id = $2)
              + (SELECT COUNT(*) FROM counters WHERE mall_id = $1 AND agency_id = $2)
              + (SELECT COUNT(*) FROM agreements WHERE mall_id = $1 AND agency_id = $2)",
    )
    .bind(mall_id)
    .bind(&row.id)
    .fetch_one(conn)
    .await?;
    if used > 0 {
        return Err(crate::error::AppError::invalid("_record", "agency.in_use"));
    }
    sql::query("DELETE FROM agencies WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(&row.id)
        .execute(conn)
        .await
        .map_err(crate::crud::in_use)?;
    Ok(())
}

/// Writes facility (new, or over `existing`) inside a back-office change.
pub async fn write_facility(
    conn: &mut Conn<'_>,
    w: &crate::crud::WriteCtx,
    v: &mpp_domain::catalog::FacilityInput,
    existing: Option<&Facility>,
) -> AppResult<Facility> {
    let id = existing.map(|f| f.id.clone()).unwrap_or_else(|| crate::db::new_id(w.now));
    let sql = if existing.is_some() {
        "UPDATE facilities SET kind = $3, name_id = $4, name_en = $5, location_id = $6, location_en = $7,
         accessibility_id = $8, accessibility_en = $9, available = $10, updated_at = $11 WHERE mall_id = $1 AND id = $2"
    } else {
        "INSERT INTO facilities (mall_id, id, kind, name_id, name_en, location_id, location_en, accessibility_id,
         accessibility_en, available, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    };
    sql::query(sql)
        .bind(&w.mall_id)
        .bind(&id)
        .bind(&v.kind)
        .bind(v.name_id.trim())
        .bind(v.name_en.trim())
        .bind(v.location_id.trim())
        .bind(v.location_en.trim())
        .bind(v.accessibility_id.trim())
        .bind(v.accessibility_en.trim())
        .bind(i64::from(v.available))
        .bind(w.now)
        .execute(conn)
        .await?;
    sql::query(
        "SELECT id, kind, name_id, name_en, location_id, location_en, accessibility_id, accessibility_en, available
         FROM facilities WHERE mall_id = $1 AND id = $2",
    )
    .bind(&w.mall_id)
    .bind(&id)
    .fetch_one(conn)
    .await
}

/// Deletes facility; one still in use is a field error.
pub async fn remove_facility(conn: &mut Conn<'_>, mall_id: &MallId, row: &Facility) -> AppResult<()> {
    sql::query("DELETE FROM facilities WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(&row.id)
        .execute(conn)
        .await
        .map_err(crate::crud::in_use)?;
    Ok(())
}

/// A counter with the codes of the services it serves.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CounterRow {
    #[serde(flatten)]
    pub counter: Counter,
    /// The agency's code, as a write takes it.
    #[serde(rename = "agency")]
    pub agency_code: String,
    pub services: Vec<String>,
}

/// Counters with their agency's code and their services' codes (one, with `only`).
pub async fn counter_rows(conn: &mut Conn<'_>, mall_id: &MallId, only: Option<&str>) -> AppResult<Vec<CounterRow>> {
    let counters: Vec<Counter> = sql::query(
        "SELECT id, agency_id, number, zone, active FROM counters WHERE mall_id = $1 AND ($2 = '' OR id = $2) ORDER BY number",
    )
    .bind(mall_id)
    .bind(only.unwrap_or(""))
    .fetch_all(&mut *conn)
    .await?;
    let links: Vec<(String, String, String)> = sql::query(
        "SELECT cs.counter_id, s.code, a.code FROM counter_services cs
         JOIN services s ON s.mall_id = cs.mall_id AND s.id = cs.service_id
         JOIN agencies a ON a.mall_id = s.mall_id AND a.id = s.agency_id
         WHERE cs.mall_id = $1 ORDER BY s.code",
    )
    .bind(mall_id)
    .fetch_all(&mut *conn)
    .await?;
    let agencies: Vec<(String, String)> =
        sql::query("SELECT id, code FROM agencies WHERE mall_id = $1").bind(mall_id).fetch_all(&mut *conn).await?;
    Ok(counters
        .into_iter()
        .map(|c| CounterRow {
            agency_code: agencies
                .iter()
                .find(|(id, _)| *id == c.agency_id)
                .map(|(_, code)| code.clone())
                .unwrap_or_default(),
            services: links.iter().filter(|(cid, ..)| *cid == c.id).map(|(_, s, _)| s.clone()).collect(),
            counter: c,
        })
        .collect())
}

/// Writes a counter and the services it serves (new, or over `existing`).
pub async fn write_counter(
    conn: &mut Conn<'_>,
    w: &crate::crud::WriteCtx,
    v: &mpp_domain::catalog::CounterInput,
    existing: Option<&CounterRow>,
) -> AppResult<CounterRow> {
    let agency_id = agency_in_tx(conn, &w.mall_id, &v.agency).await?.id;
    let id = existing.map(|c| c.counter.id.clone()).unwrap_or_else(|| crate::db::new_id(w.now));
    let sql = if existing.is_some() {
        "UPDATE counters SET agency_id = $3, number = $4, zone = $5, active = $6, updated_at = $7 WHERE mall_id = $1 AND id = $2"
    } else {
        "INSERT INTO counters (mall_id, id, agency_id, number, zone, active, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
    };
    sql::query(sql)
        .bind(&w.mall_id)
        .bind(&id)
        .bind(&agency_id)
        .bind(v.number)
        .bind(v.zone.trim())
        .bind(i64::from(v.active))
        .bind(w.now)
        .execute(conn)
        .await
        .map_err(crate::crud::taken("number", "counter.number_taken"))?;
    sql::query("DELETE FROM counter_services WHERE mall_id = $1 AND counter_id = $2")
        .bind(&w.mall_id)
        .bind(&id)
        .execute(conn)
        .await?;
    // Named twice is still served once.
    let services: std::collections::BTreeSet<&String> = v.services.iter().collect();
    for code in services {
        // The agency filter makes a service of another agency (or mall) match nothing.
        sql::query(
            "INSERT INTO counter_services (mall_id, counter_id, service_id)
             SELECT mall_id, $2, id FROM services WHERE mall_id = $1 AND code = $3 AND agency_id = $4",
        )
        .bind(&w.mall_id)
        .bind(&id)
        .bind(code)
        .bind(&agency_id)
        .execute(conn)
        .await?;
    }
    counter_rows(conn, &w.mall_id, Some(&id)).await?.pop().ok_or(crate::error::AppError::NotFound)
}

/// Deletes a counter; one still in use is a field error.
pub async fn remove_counter(conn: &mut Conn<'_>, mall_id: &MallId, row: &CounterRow) -> AppResult<()> {
    sql::query("DELETE FROM counter_services WHERE mall_id = $1 AND counter_id = $2")
        .bind(mall_id)
        .bind(&row.counter.id)
        .execute(conn)
        .await?;
    sql::query("DELETE FROM counters WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(&row.counter.id)
        .execute(conn)
        .await
        .map_err(crate::crud::in_use)?;
    Ok(())
}

/// Deletes a service; one still in use is a field error.
pub async fn remove_service(conn: &mut Conn<'_>, mall_id: &MallId, row: &Service) -> AppResult<()> {
    // Counters stop serving it; later, tickets and applications will keep it alive
    // (the foreign keys refuse), and deactivating is the way to retire it.
    sql::query("DELETE FROM counter_services WHERE mall_id = $1 AND service_id = $2")
        .bind(mall_id)
        .bind(&row.id)
        .execute(conn)
        .await?;
    sql::query("DELETE FROM services WHERE mall_id = $1 AND id = $2")
        .bind(mall_id)
        .bind(&row.id)
        .execute(conn)
        .await
        .map_err(crate::crud::in_use)?;
    Ok(())
}
