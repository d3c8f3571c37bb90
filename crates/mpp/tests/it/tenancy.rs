//! Tenancy: a second mall on the same deployment, and proof that one
//! mall's staff can neither read nor change another mall's rows.

use crate::admin::new_service;
use crate::helpers::{ADMIN, SUPERVISOR, TestApp, both};
use mpp::db::sql;
use mpp_domain::auth::Role;
use mpp_domain::tenancy::TimeZone;
use reqwest::StatusCode;

/// Adds "MPP Kota Kupang" with its own admin and one agency + service.
pub(crate) async fn second_mall(app: &TestApp) {
    let db = &app.state.db;
    let new = mpp::tenancy::store::NewMall {
        slug: "kupang",
        name: "MPP Kota Kupang",
        region_code: "53.71",
        timezone: TimeZone::Wita,
        address: "Kupang",
        phone: "",
        email: "",
        description_id: "",
        description_en: "",
        is_demo: false,
    };
    let mall_id = mpp::tenancy::store::create(db, &new, 0).await.unwrap();
    // A mall already live (a new one is a draft until published).
    mpp::tenancy::store::publish(db, &mall_id, 0).await.unwrap();
    db.run(sql::query("INSERT INTO agencies (mall_id, id, code, name_id, kind, updated_at) VALUES ($1, 'ag-kupang', 'dukcapil', 'Dukcapil Kota Kupang', 'regional', 0)")
        .bind(&mall_id)
        )
        .await
        .unwrap();
    let hash = mpp::auth::password::hash(mpp::demo::PASSWORD).unwrap();
    let user = mpp::auth::store::create_user(db, "admin@kupang.example", "Admin Kupang", &hash, 0).await.unwrap();
    mpp::auth::store::grant_mall_role(db, &mall_id, &user, Role::MallAdmin, None).await.unwrap();
}

async fn one_mall_cannot_touch_another(app: TestApp) {
    second_mall(&app).await;
    let kupang = app.login("admin@kupang.example").await;
    // Its own back office works; adds a service with a code TTU also uses.
    let r = app
        .post_form(
            &kupang,
            "/m/kupang/admin/layanan/baru",
            "/m/kupang/admin/layanan/baru",
            &new_service("KTP-EL", "KTP Kupang", "dukcapil"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "codes are unique per mall, not per deployment");
    // TTU's back office: every route refused, reads and writes.
    for route in [
        "/m/ttu/admin",
        "/m/ttu/admin/layanan",
        "/m/ttu/admin/layanan/KTP-EL",
        "/m/ttu/admin/audit",
        "/m/ttu/admin/layanan/baru",
    ] {
        assert_eq!(app.get(&kupang, route).await.status(), StatusCode::FORBIDDEN, "GET {route}");
    }
    let r = app
        .post_form(
            &kupang,
            "/m/kupang/admin",
            "/m/ttu/admin/layanan/KTP-EL",
            &new_service("KTP-EL", "Dibajak", "dukcapil"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .post_form(
            &kupang,
            "/m/kupang/admin",
            "/m/ttu/admin/layanan/baru",
            &new_service("BARU", "Disusupkan", "dukcapil"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Nothing leaked either way.
    let public = app.client();
    let (_, ttu) = app.get_text(&public, "/m/ttu/layanan/KTP-EL").await;
    assert!(!ttu.contains("Dibajak") && !ttu.contains("KTP Kupang"));
    let (_, kupang_list) = app.get_text(&public, "/m/kupang/layanan").await;
    assert!(kupang_list.contains("KTP Kupang") && !kupang_list.contains("Paspor"));
    // TTU's admin cannot reach Kupang either; the supervisor reads both.
    let ttu_admin = app.login(ADMIN).await;
    assert_eq!(app.get(&ttu_admin, "/m/kupang/admin/layanan").await.status(), StatusCode::FORBIDDEN);
    let sup = app.login(SUPERVISOR).await;
    assert_eq!(app.get(&sup, "/m/kupang/admin/layanan").await.status(), StatusCode::OK);
    assert_eq!(app.get(&sup, "/m/ttu/admin/audit").await.status(), StatusCode::OK);
    // The supervisor's overview lists both malls; nobody else may open it.
    let (status, overview) = app.get_text(&sup, "/nasional").await;
    assert_eq!(status, StatusCode::OK);
    assert!(overview.contains("MPP Kota Kupang") && overview.contains("Timor Tengah Utara"));
    assert_eq!(app.get(&ttu_admin, "/nasional").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&kupang, "/nasional").await.status(), StatusCode::FORBIDDEN);
    // Two malls: the root lists both.
    let (_, root) = app.get_text(&public, "/").await;
    assert!(root.contains("MPP Kota Kupang") && root.contains("Timor Tengah Utara"));
}
both!(one_mall_cannot_touch_another);
