//! The back office for services: who may do what, and that bad input is
//! refused with a clear message and changes nothing.

use crate::helpers::{ADMIN, AGENCY_ADMIN, OFFICER, SUPERVISOR, TestApp, both};
use reqwest::StatusCode;

pub fn new_service<'a>(code: &'a str, name: &'a str, agency: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("agency", agency),
        ("code", code),
        ("name_id", name),
        ("name_en", "Test service"),
        ("aliases", "uji\ncoba"),
        ("requirements_id", "Fotokopi KTP\nSurat pengantar RT/RW"),
        ("procedure_id", "Ambil nomor antrean\nSerahkan berkas"),
        ("completion_time_id", "1 hari kerja"),
        ("sla_days", "1"),
        ("cost_rupiah", "15.000"),
        ("product_id", "Surat keterangan"),
        ("complaint_id", "Kotak pengaduan MPP"),
        ("channels", "counter"),
        ("channels", "online"),
        ("queue_prefix", "h"),
        ("active", "1"),
    ]
}

async fn mall_admin_adds_a_service_that_appears_in_the_catalogue(app: TestApp) {
    let c = app.login(ADMIN).await;
    let form = new_service("UJI-1", "Layanan Uji Satu", "dpmptsp");
    let r = app.post_form(&c, "/m/ttu/admin/layanan/baru", "/m/ttu/admin/layanan/baru", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/m/ttu/admin/layanan/UJI-1?disimpan=1");
    let public = app.client();
    let (_, html) = app.get_text(&public, "/m/ttu/layanan?q=uji%20satu").await;
    assert!(html.contains("Layanan Uji Satu"), "listed in the public catalogue");
    let (status, html) = app.get_text(&public, "/m/ttu/layanan/UJI-1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Surat pengantar RT/RW") && html.contains("Rp 15.000") && html.contains("Daring"));
    // Edit it: the audit trail keeps before and after.
    let mut form = new_service("UJI-1", "Layanan Uji Satu (revisi)", "dpmptsp");
    form.retain(|(k, _)| *k != "active");
    let r = app.post_form(&c, "/m/ttu/admin/layanan/UJI-1", "/m/ttu/admin/layanan/UJI-1", &form).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, _) = app.get_text(&public, "/m/ttu/layanan/UJI-1").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "inactive services leave the public catalogue");
    let (status, html) = app.get_text(&c, "/m/ttu/admin/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("update service") && html.contains("create service"));
    assert!(html.contains("Layanan Uji Satu (revisi)") && html.contains("Admin MPP (demo)"));
}
both!(mall_admin_adds_a_service_that_appears_in_the_catalogue);

async fn bad_service_input_is_refused_and_changes_nothing(app: TestApp) {
    let c = app.login(ADMIN).await;
    let page = "/m/ttu/admin/layanan/baru";
    // Duplicate code.
    let r = app.post_form(&c, page, page, &new_service("KTP-EL", "Duplikat", "dukcapil")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Kode layanan ini sudah dipakai"));
    assert!(html.contains("value=\"Duplikat\""), "typed values are kept");
    // Too long, missing, malformed.
    let long = "x".repeat(300);
    let mut form = new_service("bad code!", &long, "dukcapil");
    form.retain(|(k, _)| *k != "requirements_id" && *k != "channels");
    form.push(("sla_days", "dua"));
    let r = app.post_form(&c, page, page, &form).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    for msg in ["Kode layanan 2–20 karakter", "Terlalu panjang", "Wajib diisi", "saluran layanan"] {
        assert!(html.contains(msg), "missing message {msg}");
    }
    let (_, public) = app.get_text(&app.client(), "/m/ttu/layanan/KTP-EL").await;
    assert!(!public.contains("Duplikat"));
    let (status, _) = app.get_text(&app.client(), "/m/ttu/layanan/BAD-CODE").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
both!(bad_service_input_is_refused_and_changes_nothing);

async fn agency_admin_manages_only_their_agency(app: TestApp) {
    let c = app.login(AGENCY_ADMIN).await;
    let (_, html) = app.get_text(&c, "/m/ttu/admin/layanan").await;
    assert!(html.contains("KTP-EL") && !html.contains("PASPOR-BARU"), "sees only Dukcapil's services");
    // Their own: allowed.
    let r = app
        .post_form(
            &c,
            "/m/ttu/admin/layanan/baru",
            "/m/ttu/admin/layanan/baru",
            &new_service("UJI-DK", "Uji Dukcapil", "dukcapil"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Another agency's: refused, whether creating or editing.
    let r = app
        .post_form(
            &c,
            "/m/ttu/admin/layanan/baru",
            "/m/ttu/admin/layanan/baru",
            &new_service("UJI-IM", "Uji Imigrasi", "imigrasi"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_form(
            &c,
            "/m/ttu/admin/layanan",
            "/m/ttu/admin/layanan/PASPOR-BARU",
            &new_service("PASPOR-BARU", "Dibajak", "dukcapil"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (status, _) = app.get_text(&c, "/m/ttu/admin/layanan/PASPOR-BARU").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get_text(&c, "/m/ttu/admin/audit").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, html) = app.get_text(&app.client(), "/m/ttu/layanan/PASPOR-BARU").await;
    assert!(!html.contains("Dibajak"));
}
both!(agency_admin_manages_only_their_agency);

/// Every protected route, every role: who gets in.
async fn every_protected_route_checks_the_role(app: TestApp) {
    const OK: StatusCode = StatusCode::OK;
    const NO: StatusCode = StatusCode::FORBIDDEN;
    // Anonymous visitors are sent to the login page (303) everywhere.
    // Columns: citizen, officer, agency admin, mall admin, supervisor.
    let table: &[(&str, [StatusCode; 5])] = &[
        ("/akun", [OK, OK, OK, OK, OK]),
        ("/nasional", [NO, NO, NO, NO, OK]),
        ("/m/ttu/admin", [NO, NO, OK, OK, OK]),
        ("/m/ttu/admin/layanan", [NO, NO, OK, OK, OK]),
        ("/m/ttu/admin/layanan/baru", [NO, NO, OK, OK, NO]),
        ("/m/ttu/admin/layanan/KTP-EL", [NO, NO, OK, OK, OK]),
        ("/m/ttu/admin/layanan/PASPOR-BARU", [NO, NO, NO, OK, OK]),
        ("/m/ttu/admin/instansi", [NO, NO, OK, OK, OK]),
        ("/m/ttu/admin/instansi/baru", [NO, NO, NO, OK, NO]),
        ("/m/ttu/admin/instansi/dukcapil", [NO, NO, OK, OK, OK]),
        ("/m/ttu/admin/loket", [NO, NO, OK, OK, OK]),
        ("/m/ttu/admin/loket/baru", [NO, NO, OK, OK, NO]),
        ("/m/ttu/admin/loket/1", [NO, NO, OK, OK, OK]),
        ("/m/ttu/admin/fasilitas", [NO, NO, OK, OK, OK]),
        ("/m/ttu/admin/fasilitas/baru", [NO, NO, NO, OK, NO]),
        ("/m/ttu/admin/jam", [NO, NO, OK, OK, OK]),
        ("/m/ttu/admin/kalender", [NO, NO, OK, OK, OK]),
        ("/m/ttu/admin/kalender/baru", [NO, NO, NO, OK, NO]),
        ("/m/ttu/admin/perjanjian", [NO, NO, OK, OK, OK]),
        ("/m/ttu/admin/perjanjian/baru", [NO, NO, NO, OK, NO]),
        ("/m/ttu/admin/audit", [NO, NO, NO, OK, OK]),
    ];
    let who = [crate::helpers::CITIZEN, OFFICER, AGENCY_ADMIN, ADMIN, SUPERVISOR];
    let anonymous = app.client();
    let mut clients = Vec::new();
    for email in who {
        clients.push(app.login(email).await);
    }
    for (route, expected) in table {
        let r = app.get(&anonymous, route).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "anonymous GET {route}");
        assert!(r.headers()["location"].to_str().unwrap().starts_with("/masuk?next="));
        for ((email, c), want) in who.iter().zip(&clients).zip(expected) {
            assert_eq!(app.get(c, route).await.status(), *want, "{email} GET {route}");
        }
    }
    // Writes: only the mall admin (any agency) and the agency admin (own agency).
    for (who, want) in [(SUPERVISOR, NO), (OFFICER, NO), (crate::helpers::CITIZEN, NO), (ADMIN, StatusCode::SEE_OTHER)]
    {
        let c = app.login(who).await;
        let form = new_service("KTP-EL", "Kartu Tanda Penduduk Elektronik", "dukcapil");
        let r = app.post_form(&c, "/akun", "/m/ttu/admin/layanan/KTP-EL", &form).await;
        assert_eq!(r.status(), want, "{who} POST edit");
        let r =
            app.post_form(&c, "/akun", "/m/ttu/admin/fasilitas/baru", &[("kind", "toilet"), ("name_id", "WC")]).await;
        assert_eq!(r.status(), if who == ADMIN { StatusCode::SEE_OTHER } else { NO }, "{who} POST facility");
        let r = app.post_form(&c, "/akun", "/m/ttu/admin/jam", &[]).await;
        assert_eq!(r.status(), if who == ADMIN { StatusCode::SEE_OTHER } else { NO }, "{who} POST hours");
    }
}
both!(every_protected_route_checks_the_role);
