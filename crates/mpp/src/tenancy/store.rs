//! The SQL of malls.

use crate::db::sql::{self, Conn, from_row};
use crate::db::{Db, Violation};
use crate::error::{AppError, AppResult};
use mpp_domain::tenancy::MallId;
use mpp_domain::tenancy::{MallSlug, TimeZone};

#[derive(Debug, Clone)]
pub struct Mall {
    pub id: MallId,
    pub slug: String,
    pub name: String,
    pub region_code: String,
    pub timezone: TimeZone,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub description_id: String,
    pub description_en: String,
    pub is_demo: bool,
    /// When its manager published it; `None`: a draft, shown to its staff only.
    pub published_at: Option<i64>,
}

from_row!(Mall {
    id,
    slug,
    name,
    region_code,
    timezone,
    address,
    phone,
    email,
    description_id,
    description_en,
    is_demo,
    published_at
});

impl Mall {
    pub fn zone(&self) -> TimeZone {
        self.timezone
    }

    pub fn is_published(&self) -> bool {
        self.published_at.is_some()
    }
}

/// A stored time zone the code does not know is an error, never a guess.
impl sql::Decode for TimeZone {
    fn decode(cell: &sql::Cell, name: &str) -> AppResult<Self> {
        let text = String::decode(cell, name)?;
        TimeZone::parse(&text)
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("column {name}: the unknown time zone {text:?}")))
    }
}

const COLUMNS: &str = "id, slug, name, region_code, timezone, address, phone, email, description_id, description_en, \
                       is_demo, published_at";

/// The mall with this slug; an unknown or malformed slug is 404.
pub async fn by_slug(db: &Db, slug: &str) -> AppResult<Mall> {
    let slug = MallSlug::parse(slug).ok_or(AppError::NotFound)?;
    let found: Option<Mall> = db
        .cache
        .get_or(format!("mall:{}", slug.as_str()), || async {
            sql::query(format!("SELECT {COLUMNS} FROM malls WHERE slug = $1"))
                .bind(slug.as_str())
                .fetch_optional(&mut Conn::Read(db))
                .await
        })
        .await?;
    found.ok_or(AppError::NotFound)
}

/// Every mall, drafts included (for staff and the deployment's own work).
pub async fn list(db: &Db) -> AppResult<Vec<Mall>> {
    sql::query(format!("SELECT {COLUMNS} FROM malls ORDER BY name")).fetch_all(&mut Conn::Read(db)).await
}

/// The malls the public sees: published ones.
pub async fn published(db: &Db) -> AppResult<Vec<Mall>> {
    sql::query(format!("SELECT {COLUMNS} FROM malls WHERE published_at IS NOT NULL ORDER BY name"))
        .fetch_all(&mut Conn::Read(db))
        .await
}

/// Publishes a draft mall; false if it was published already.
pub async fn publish(db: &Db, mall_id: &MallId, now: i64) -> AppResult<bool> {
    let changed = db
        .run(
            sql::query("UPDATE malls SET published_at = $2 WHERE id = $1 AND published_at IS NULL")
                .bind(mall_id)
                .bind(now),
        )
        .await?;
    db.cache.clear();
    Ok(changed == 1)
}

pub struct NewMall<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub region_code: &'a str,
    pub timezone: TimeZone,
    pub address: &'a str,
    pub phone: &'a str,
    pub email: &'a str,
    pub description_id: &'a str,
    pub description_en: &'a str,
    pub is_demo: bool,
}

pub async fn create(db: &Db, m: &NewMall<'_>, now: i64) -> AppResult<MallId> {
    let slug = MallSlug::parse(m.slug).ok_or_else(|| AppError::invalid("slug", "mall.slug_invalid"))?;
    let id = MallId::new(crate::db::new_id(now));
    let res = db
        .run(
            sql::query(
                "INSERT INTO malls (id, slug, name, region_code, timezone, address, phone, email, description_id,
         description_en, is_demo, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(&id)
            .bind(slug.as_str())
            .bind(m.name)
            .bind(m.region_code)
            .bind(m.timezone.as_str())
            .bind(m.address)
            .bind(m.phone)
            .bind(m.email)
            .bind(m.description_id)
            .bind(m.description_en)
            .bind(m.is_demo)
            .bind(now),
        )
        .await;
    match res {
        Ok(_) => Ok(id),
        Err(e) if crate::db::violation(&e) == Some(Violation::Unique) => {
            Err(AppError::invalid("slug", "mall.slug_taken"))
        }
        Err(e) => Err(e),
    }
}

/// Counts for the overview: agencies, active services, counters.
pub async fn counts(db: &Db, mall_id: &MallId) -> AppResult<(i64, i64, i64)> {
    sql::query(
        "SELECT (SELECT COUNT(*) FROM agencies WHERE mall_id = $1),
                (SELECT COUNT(*) FROM services WHERE mall_id = $1 AND active = 1),
                (SELECT COUNT(*) FROM counters WHERE mall_id = $1)",
    )
    .bind(mall_id)
    .fetch_one(&mut Conn::Read(db))
    .await
}

/// A new (non-demo) mall with the shipped national calendar copied in, for `mpp create-mall`.
pub async fn create_with_calendar(
    state: &crate::state::AppState,
    slug: &str,
    name: &str,
    timezone: TimeZone,
    region_code: &str,
    address: &str,
) -> anyhow::Result<usize> {
    if name.trim().is_empty() {
        anyhow::bail!("the mall needs a name");
    }
    use mpp_domain::region::{self, Level};
    let serves = region::get(region_code).map(|r| r.level());
    if !region_code.is_empty() && !matches!(serves, Some(Level::Province | Level::Regency)) {
        anyhow::bail!("{region_code} is not a province, regency or city on the Home Affairs list (e.g. 53.71)");
    }
    let new = NewMall {
        slug,
        name: name.trim(),
        region_code,
        timezone,
        address,
        phone: "",
        email: "",
        description_id: "",
        description_en: "",
        is_demo: false,
    };
    let id = create(&state.db, &new, state.clock.now_ms()).await.map_err(|e| match e {
        AppError::Invalid(f) if f.iter().any(|f| f.key == "mall.slug_taken") => anyhow::anyhow!("slug {slug} is taken"),
        AppError::Invalid(_) => anyhow::anyhow!("slug: lowercase letters, digits and single hyphens, 2-40 characters"),
        other => anyhow::anyhow!("{other}"),
    })?;
    crate::calendar::store::copy_national(&state.db, &id, None).await.map_err(|e| anyhow::anyhow!("{e}"))
}
