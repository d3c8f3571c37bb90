//! The SQL of citizens' profiles and of the questions put to the register.

use crate::db::Db;
use crate::db::sql::{self, Conn, from_row};
use crate::error::{AppError, AppResult};
use mpp_domain::profile::Answer;

/// A citizen's profile as stored.
#[derive(Clone)]
pub struct Profile {
    pub user_id: String,
    pub nik: String,
    pub full_name: String,
    pub birth_date: String,
    pub kk: String,
    pub region_code: String,
    pub street: String,
    pub phone: String,
    pub verified_at: Option<i64>,
    pub updated_at: i64,
}

from_row!(Profile { user_id, nik, full_name, birth_date, kk, region_code, street, phone, verified_at, updated_at });

pub async fn of_user(db: &Db, user_id: &str) -> AppResult<Option<Profile>> {
    sql::query(
        "SELECT user_id, nik, full_name, birth_date, kk, region_code, street, phone, verified_at, updated_at
         FROM citizen_profiles WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut Conn::Read(db))
    .await
}

/// The last answer the register gave about this account's NIK: (when, answer).
pub async fn last_check(db: &Db, user_id: &str) -> AppResult<Option<(i64, Answer)>> {
    sql::query("SELECT at, answer FROM nik_checks WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT 1")
        .bind(user_id)
        .fetch_optional(&mut Conn::Read(db))
        .await
}

/// Saves the profile (verified only if the register said so) with the
/// register's answer, in one transaction. A NIK another account has
/// verified is refused (`Conflict`).
pub async fn save(db: &Db, p: Profile, answer: Answer, now: i64) -> AppResult<()> {
    let result = db
        .transact(move |conn| {
            Box::pin(async move {
                sql::query(
                    "INSERT INTO citizen_profiles (user_id, nik, full_name, birth_date, kk, region_code, street, phone,
                     verified_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (user_id) DO UPDATE SET nik = $2, full_name = $3, birth_date = $4, kk = $5,
                     region_code = $6, street = $7, phone = $8, verified_at = $9, updated_at = $10",
                )
                .bind(&p.user_id)
                .bind(&p.nik)
                .bind(&p.full_name)
                .bind(&p.birth_date)
                .bind(&p.kk)
                .bind(&p.region_code)
                .bind(&p.street)
                .bind(&p.phone)
                .bind(p.verified_at)
                .bind(now)
                .execute(conn)
                .await?;
                sql::query("INSERT INTO nik_checks (user_id, id, at, nik, answer) VALUES ($1, $2, $3, $4, $5)")
                    .bind(&p.user_id)
                    .bind(crate::db::new_id(now))
                    .bind(now)
                    .bind(&p.nik)
                    .bind(answer.as_str())
                    .execute(conn)
                    .await?;
                Ok(())
            })
        })
        .await;
    match result {
        Err(e) if crate::db::violation(&e) == Some(crate::db::Violation::Unique) => {
            Err(AppError::Conflict("profile.nik_taken"))
        }
        other => other,
    }
}

/// The profile whose NIK the register confirmed (one account at most).
pub async fn by_verified_nik(db: &Db, nik: &str) -> AppResult<Option<Profile>> {
    sql::query(
        "SELECT user_id, nik, full_name, birth_date, kk, region_code, street, phone, verified_at, updated_at
         FROM citizen_profiles WHERE nik = $1 AND verified_at IS NOT NULL",
    )
    .bind(nik)
    .fetch_optional(&mut Conn::Read(db))
    .await
}
