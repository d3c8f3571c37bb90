//! Small builders for what a test needs, written through the back
//! office's own store functions and independent of the demo's JSON (the
//! demo stays for `scripts/demo` and the browser tests): a mall with its
//! hours, an agency, a service, a counter, a staff account. A test may
//! build as many malls as it likes in its database: a centre with two
//! malls is two calls.

use crate::helpers::TestApp;
use mpp::crud::WriteCtx;
use mpp::db::Db;
use mpp_domain::auth::Role;
use mpp_domain::catalog::{AgencyInput, CounterInput, ServiceInput};

/// A published mall, open Monday to Saturday 08:00–15:00 (WITA).
pub struct Mall {
    pub id: mpp_domain::tenancy::MallId,
}

pub async fn mall(app: &TestApp, slug: &str) -> Mall {
    let db = &app.state.db;
    let now = app.state.clock.now_ms();
    let new = mpp::tenancy::store::NewMall {
        slug,
        name: &format!("MPP {slug}"),
        region_code: "53.04",
        timezone: mpp_domain::tenancy::TimeZone::Wita,
        address: "Jl. Percobaan 1",
        phone: "0388 000000",
        email: &format!("mpp@{slug}.example"),
        description_id: "",
        description_en: "",
        is_demo: false,
    };
    let id = mpp::tenancy::store::create(db, &new, now).await.expect("the mall is created");
    let mall_id = id.clone();
    db.transact(move |conn| {
        Box::pin(async move {
            for weekday in 1..=6 {
                let hours = mpp::calendar::store::Hours { weekday, opens: "08:00".into(), closes: "15:00".into() };
                mpp::calendar::store::set_hours(conn, &mall_id, &hours).await?;
            }
            Ok(())
        })
    })
    .await
    .expect("hours are set");
    mpp::tenancy::store::publish(db, &id, now).await.expect("the mall is published");
    Mall { id }
}

impl Mall {
    fn ctx(&self, app: &TestApp) -> WriteCtx {
        WriteCtx { mall_id: self.id.clone(), now: app.state.clock.now_ms(), files_dir: Default::default() }
    }

    /// An agency with this code; its id.
    pub async fn agency(&self, app: &TestApp, code: &str) -> String {
        let (w, input) = (
            self.ctx(app),
            AgencyInput { code: code.into(), name_id: code.into(), name_en: code.into(), ..Default::default() },
        );
        let saved = app
            .state
            .db
            .transact(move |conn| {
                Box::pin(async move { mpp::catalog::store::write_agency(conn, &w, &input, None).await })
            })
            .await
            .expect("the agency is saved");
        saved.id
    }

    /// A service of an agency, queued under `prefix`.
    pub async fn service(&self, app: &TestApp, agency: &str, code: &str, prefix: &str) {
        let input = ServiceInput {
            agency: agency.into(),
            code: code.into(),
            name_id: format!("Layanan {code}"),
            name_en: format!("Service {code}"),
            queue_prefix: prefix.into(),
            channels: vec!["counter".into()],
            active: true,
            ..Default::default()
        };
        let (mall_id, now) = (self.id.clone(), app.state.clock.now_ms());
        app.state
            .db
            .transact(move |conn| {
                Box::pin(async move {
                    let agency = mpp::catalog::store::agency_in_tx(conn, &mall_id, &input.agency).await?;
                    mpp::catalog::store::write_service(conn, &mall_id, &agency, &input, None, now).await
                })
            })
            .await
            .expect("the service is saved");
    }

    /// Counter `number` of an agency, serving these service codes.
    pub async fn counter(&self, app: &TestApp, agency: &str, number: i64, services: &[&str]) {
        let w = self.ctx(app);
        let input = CounterInput {
            agency: agency.into(),
            number,
            zone: "A".into(),
            services: services.iter().map(|s| s.to_string()).collect(),
            active: true,
        };
        app.state
            .db
            .transact(move |conn| {
                Box::pin(async move { mpp::catalog::store::write_counter(conn, &w, &input, None).await })
            })
            .await
            .expect("the counter is saved");
    }

    /// A staff account with a role in this mall (its password is the demo's).
    pub async fn staff(&self, app: &TestApp, email: &str, role: Role) {
        let db: &Db = &app.state.db;
        let hash = mpp::auth::password::hash_async(crate::helpers::DEMO_PASSWORD.to_string()).await.unwrap();
        let user = mpp::auth::store::create_user(db, email, email, &hash, app.state.clock.now_ms()).await.unwrap();
        mpp::auth::store::grant_mall_role(db, &self.id, &user, role, None).await.unwrap();
    }
}
