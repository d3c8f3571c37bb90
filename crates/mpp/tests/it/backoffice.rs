//! The rest of the back office: agencies, counters, facilities, opening
//! hours, the working-day calendar and partnership agreements.

use crate::helpers::{ADMIN, AGENCY_ADMIN, SUPERVISOR, TestApp, both, csrf_of};
use reqwest::StatusCode;

async fn agencies_are_managed_by_the_mall_admin(app: TestApp) {
    let c = app.login(ADMIN).await;
    let page = "/m/ttu/admin/instansi/baru";
    let agency = [
        ("code", "kemenag"),
        ("name_id", "Kantor Kementerian Agama"),
        ("name_en", "Religious Affairs Office"),
        ("kind", "central"),
        ("phone", "0388-1"),
    ];
    let r = app.post_form(&c, page, page, &agency).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = app.get_text(&app.client(), "/m/ttu").await;
    assert!(home.contains("Kantor Kementerian Agama"));
    // Same code again; a bad kind.
    let r = app.post_form(&c, page, page, &[("code", "kemenag"), ("name_id", "Lagi"), ("kind", "nope")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Pilihan tidak dikenal"));
    let r = app.post_form(&c, page, page, &[("code", "kemenag"), ("name_id", "Lagi"), ("kind", "central")]).await;
    assert!(r.text().await.unwrap().contains("Kode instansi ini sudah dipakai"));
    // An agency with services cannot be deleted; an empty one can.
    let r = app.post_form(&c, "/m/ttu/admin/instansi/dukcapil", "/m/ttu/admin/instansi/dukcapil/hapus", &[]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("masih memiliki layanan"));
    let r = app.post_form(&c, "/m/ttu/admin/instansi/kemenag", "/m/ttu/admin/instansi/kemenag/hapus", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = app.get_text(&app.client(), "/m/ttu").await;
    assert!(!home.contains("Kantor Kementerian Agama"));
    let (_, audit) = app.get_text(&c, "/m/ttu/admin/audit").await;
    assert!(audit.contains("delete agency") && audit.contains("create agency"));
    // The agency admin reads agencies but cannot add one.
    let dk = app.login(AGENCY_ADMIN).await;
    assert_eq!(app.get(&dk, "/m/ttu/admin/instansi").await.status(), StatusCode::OK);
    let r = app.post_form(&dk, "/m/ttu/admin/instansi", page, &agency).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both!(agencies_are_managed_by_the_mall_admin);

async fn agency_admin_sets_up_their_counters(app: TestApp) {
    let dk = app.login(AGENCY_ADMIN).await;
    let page = "/m/ttu/admin/loket/baru";
    let r = app
        .post_form(
            &dk,
            page,
            page,
            &[
                ("number", "40"),
                ("agency", "dukcapil"),
                ("zone", "Lantai 2"),
                ("services", "KK"),
                ("services", "KIA"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/m/ttu/admin/loket/40?disimpan=1");
    let (_, kk) = app.get_text(&app.client(), "/m/ttu/layanan/KK").await;
    assert!(kk.contains("Loket 40 (Lantai 2)"), "the public page says where KK is served");
    // Another agency's service, another agency, a taken number.
    let r =
        app.post_form(&dk, page, page, &[("number", "41"), ("agency", "dukcapil"), ("services", "PASPOR-BARU")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("layanan instansinya sendiri"));
    let r = app.post_form(&dk, page, page, &[("number", "42"), ("agency", "imigrasi")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.post_form(&dk, page, page, &[("number", "40"), ("agency", "dukcapil")]).await;
    assert!(r.text().await.unwrap().contains("Nomor loket ini sudah dipakai"));
    // Counters of other agencies are neither listed nor editable for them.
    let (_, list) = app.get_text(&dk, "/m/ttu/admin/loket").await;
    assert!(list.contains("dukcapil") && !list.contains("imigrasi"));
    let admin = app.login(ADMIN).await;
    let (_, all) = app.get_text(&admin, "/m/ttu/admin/loket").await;
    let imigrasi = all
        .split("/m/ttu/admin/loket/")
        .filter_map(|s| s.split('"').next())
        .find(|n| all.contains(&format!("loket/{n}\">{n}</a></td><td>imigrasi")))
        .unwrap()
        .to_string();
    assert_eq!(app.get(&dk, &format!("/m/ttu/admin/loket/{imigrasi}")).await.status(), StatusCode::FORBIDDEN);
}
both!(agency_admin_sets_up_their_counters);

async fn facilities_and_hours_show_on_the_home_page(app: TestApp) {
    let c = app.login(ADMIN).await;
    let page = "/m/ttu/admin/fasilitas/baru";
    let r = app
        .post_form(
            &c,
            page,
            page,
            &[
                ("kind", "wheelchair"),
                ("name_id", "Peminjaman Kursi Roda Tambahan"),
                ("location_id", "Pintu masuk"),
                ("accessibility_id", "Dua kursi roda"),
                ("available", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = app.get_text(&app.client(), "/m/ttu").await;
    assert!(home.contains("Peminjaman Kursi Roda Tambahan") && home.contains("Dua kursi roda"));
    // Hours: Saturday closed, and a bad row is explained.
    let mut hours: Vec<(String, String)> = Vec::new();
    for d in 1..=5 {
        hours.push((format!("opens_{d}"), "08:00".into()));
        hours.push((format!("closes_{d}"), "15:00".into()));
    }
    hours.push(("opens_7".into(), "09:00".into()));
    let fields: Vec<(&str, &str)> = hours.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app.post_form(&c, "/m/ttu/admin/jam", "/m/ttu/admin/jam", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Isi jam buka dan tutup"));
    let r = app.post_form(&c, "/m/ttu/admin/jam", "/m/ttu/admin/jam", &fields[..10]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = app.get_text(&app.client(), "/m/ttu").await;
    let saturday = home.split("Sabtu</th><td>").nth(1).unwrap().split("</td>").next().unwrap();
    assert_eq!(saturday, "Tutup");
    let monday = home.split("Senin</th><td>").nth(1).unwrap().split("</td>").next().unwrap();
    assert_eq!(monday, "08.00 – 15.00 WITA");
}
both!(facilities_and_hours_show_on_the_home_page);

async fn the_calendar_is_national_and_editable(app: TestApp) {
    let c = app.login(ADMIN).await;
    let (_, list) = app.get_text(&c, "/m/ttu/admin/kalender").await;
    assert!(list.contains("Kalender nasional") && list.contains("Cuti bersama"));
    // A regional day off tomorrow shows as the next day off.
    let tomorrow = app.state.clock.today(mpp_domain::tenancy::TimeZone::Wita).next_day().unwrap();
    let iso = mpp_domain::format::iso_date(tomorrow);
    let page = "/m/ttu/admin/kalender/baru";
    let r = app
        .post_form(
            &c,
            page,
            page,
            &[("day", iso.as_str()), ("kind", "local_holiday"), ("name_id", "HUT Kabupaten TTU (uji)")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, home) = app.get_text(&app.client(), "/m/ttu").await;
    assert!(home.contains("HUT Kabupaten TTU (uji)"));
    let r = app.post_form(&c, page, page, &[("day", iso.as_str()), ("kind", "holiday"), ("name_id", "Dobel")]).await;
    assert!(r.text().await.unwrap().contains("sudah ada di kalender"));
    let r =
        app.post_form(&c, page, page, &[("day", "2026-02-30"), ("kind", "holiday"), ("name_id", "Tidak ada")]).await;
    assert!(r.text().await.unwrap().contains("Tanggal tidak sah"));
    // The SLA calendar sees it: tomorrow is no longer a working day.
    let cal = mpp::calendar::store::working_calendar(&app.state.db, &mall_id(&app).await).await.unwrap();
    assert!(!cal.is_working_day(tomorrow));
    assert!(!cal.is_working_day(mpp_domain::format::parse_date("2026-08-17").unwrap()));
    // Delete a national day, then copy the national calendar again: it comes back, once.
    let r = app.post_form(&c, "/m/ttu/admin/kalender/2026-12-25", "/m/ttu/admin/kalender/2026-12-25/hapus", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app.post_form(&c, "/m/ttu/admin/jam", "/m/ttu/admin/kalender-nasional", &[]).await;
    assert_eq!(r.headers()["location"], "/m/ttu/admin/jam?disalin=1");
}
both!(the_calendar_is_national_and_editable);

async fn mall_id(app: &TestApp) -> mpp_domain::tenancy::MallId {
    mpp::tenancy::store::by_slug(&app.state.db, "ttu").await.unwrap().id
}

async fn agreements_keep_their_document_and_warn_before_expiry(app: TestApp) {
    let c = app.login(ADMIN).await;
    let (_, dash) = app.get_text(&c, "/m/ttu/admin").await;
    assert!(dash.contains("Perjanjian yang perlu diperpanjang"));
    assert!(dash.contains("Berakhir dalam") && dash.contains("Sudah berakhir"), "demo data has both: {dash}");
    let (_, form) = app.get_text(&c, "/m/ttu/admin/perjanjian/baru").await;
    let token = csrf_of(&form);
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let fields = |file: reqwest::multipart::Part| {
        reqwest::multipart::Form::new()
            .text("agency", "bank-ntt")
            .text("kind", "MoU")
            .text("number", "MOU/77/2026")
            .text("title_id", "Layanan perbankan di MPP")
            .text("signed_on", "2026-11-01")
            .text("valid_from", "2026-11-01")
            .text("valid_until", "2029-10-31")
            .part("file", file)
    };
    let url = app.url(&format!("/m/ttu/admin/perjanjian/baru?_csrf={token}"));
    // Not a PDF, whatever it says.
    let fake =
        reqwest::multipart::Part::bytes(b"MZ...".to_vec()).file_name("pks.pdf").mime_str("application/pdf").unwrap();
    let r = c.post(&url).multipart(fields(fake)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("harus PDF, PNG atau JPEG"));
    // Without the CSRF token: refused.
    let part =
        reqwest::multipart::Part::bytes(pdf.clone()).file_name("MoU Bank NTT.pdf").mime_str("application/pdf").unwrap();
    // The server answers 403 without reading the body, so the client may see the
    // connection close mid-upload instead; either way nothing is saved.
    match c.post(app.url("/m/ttu/admin/perjanjian/baru")).multipart(fields(part)).send().await {
        Ok(r) => assert_eq!(r.status(), StatusCode::FORBIDDEN),
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    let (_, list) = app.get_text(&c, "/m/ttu/admin/perjanjian").await;
    assert!(!list.contains("MOU/77/2026"));
    let part =
        reqwest::multipart::Part::bytes(pdf.clone()).file_name("MoU Bank NTT.pdf").mime_str("application/pdf").unwrap();
    let r = c.post(&url).multipart(fields(part)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let saved = r.headers()["location"].to_str().unwrap().trim_end_matches("?disimpan=1").to_string();
    let r = app.get(&c, &format!("{saved}/berkas")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("MoU_Bank_NTT.pdf"));
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    // Others cannot fetch it.
    assert_eq!(
        app.get(&app.login(AGENCY_ADMIN).await, &format!("{saved}/berkas")).await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(app.get(&app.client(), &format!("{saved}/berkas")).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&app.login(SUPERVISOR).await, &format!("{saved}/berkas")).await.status(), StatusCode::OK);
}
both!(agreements_keep_their_document_and_warn_before_expiry);
