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

/// Two malls built from fixtures (nothing of the demo's) in one database,
/// each with the same service code, prefix and counter number: each
/// numbers its own tickets from A-001, calls only its own line and counts
/// only its own people; one mall's staff cannot open, call or act at the
/// other's counters, or see its tickets through their own mall.
async fn two_malls_built_from_fixtures_keep_their_queues_apart(app: TestApp) {
    crate::visit::set_clock(&app, crate::visit::WEDNESDAY_MORNING);
    let mut tokens = Vec::new();
    for slug in ["alfa", "beta"] {
        let m = crate::fixture::mall(&app, slug).await;
        m.agency(&app, "DUK").await;
        m.service(&app, "DUK", "KTP", "A").await;
        m.counter(&app, "DUK", 1, &["KTP"]).await;
        let email = format!("kepala@{slug}.example");
        m.staff(&app, &email, Role::MallAdmin).await;
        tokens.push(crate::api::token_for(&app, &email).await);
    }
    let c = reqwest::Client::new();
    let send = |token: &str, method: reqwest::Method, path: String, body: serde_json::Value| {
        let r = c.request(method, app.url(&path)).bearer_auth(token).json(&body).send();
        async move {
            let r = r.await.unwrap();
            (r.status(), r.json::<serde_json::Value>().await.unwrap_or_default())
        }
    };
    let post = reqwest::Method::POST;
    let issue = |token: &str, slug: &str| {
        send(token, post.clone(), format!("/api/v1/malls/{slug}/tickets"), serde_json::json!({"services": ["KTP"]}))
    };
    let (alfa, beta) = (&tokens[0], &tokens[1]);
    let (s, a1) = issue(alfa, "alfa").await;
    assert_eq!(s, StatusCode::CREATED, "{a1}");
    let (_, a2) = issue(alfa, "alfa").await;
    let (s, b1) = issue(beta, "beta").await;
    assert_eq!(s, StatusCode::CREATED, "{b1}");
    assert_eq!(
        (a1["label"].as_str(), a2["label"].as_str(), b1["label"].as_str()),
        (Some("A-001"), Some("A-002"), Some("A-001"))
    );
    let (s, _) = issue(alfa, "beta").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no tickets in another mall");
    let open = serde_json::json!({"status": "open"});
    let put = reqwest::Method::PUT;
    assert_eq!(
        send(alfa, put.clone(), "/api/v1/malls/beta/counters/1/state".into(), open.clone()).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(send(beta, put.clone(), "/api/v1/malls/beta/counters/1/state".into(), open).await.0, StatusCode::OK);
    let (s, _) =
        send(alfa, post.clone(), "/api/v1/malls/beta/counters/1/call-next".into(), serde_json::Value::Null).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, called) =
        send(beta, post.clone(), "/api/v1/malls/beta/counters/1/call-next".into(), serde_json::Value::Null).await;
    assert_eq!((s, &called["id"]), (StatusCode::OK, &b1["id"]), "beta's counter calls beta's ticket");
    let (s, _) =
        send(beta, post.clone(), "/api/v1/malls/beta/counters/1/call-next".into(), serde_json::Value::Null).await;
    assert_eq!(s, StatusCode::CONFLICT, "still serving; alfa's line is not beta's");
    let finish = serde_json::json!({"action": "finish", "outcome": "served"});
    let alfa_ticket = a1["id"].as_str().unwrap();
    let (s, _) = send(beta, post.clone(), format!("/api/v1/malls/beta/counters/1/tickets/{alfa_ticket}"), finish).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "alfa's ticket is not found in beta");
    let get = reqwest::Method::GET;
    let (_, t) =
        send(alfa, get.clone(), format!("/api/v1/malls/beta/tickets/{alfa_ticket}"), serde_json::Value::Null).await;
    assert_ne!(t["id"], a1["id"], "not shown through another mall");
    let (_, queue) = send(alfa, get.clone(), "/api/v1/malls/alfa/queue".into(), serde_json::Value::Null).await;
    assert_eq!(queue[0]["waiting"], 2, "{queue}");
    let (_, queue) = send(beta, get, "/api/v1/malls/beta/queue".into(), serde_json::Value::Null).await;
    assert_eq!(queue[0]["waiting"], 0, "{queue}");
}
both!(two_malls_built_from_fixtures_keep_their_queues_apart);
