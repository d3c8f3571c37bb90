//! Life-event bundles: the birth bundle files one application per service
//! (each with its own agency, workflow and deadline) from one form with
//! each document uploaded once; the citizen follows them on one page; a
//! mall's admin defines bundles from existing services, refused when the
//! services' forms disagree; a bundle is filed whole or not at all.

use crate::helpers::{ADMIN, AGENCY_ADMIN, CITIZEN, OFFICER, TestApp, both, csrf_of};
use crate::visit::set_clock;
use mpp::db::sql::{self, Conn};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

pub(crate) const BPJS: &str = "bpjs@demo.mpp.id";
const FORM: &str = "/m/ttu/paket/KELAHIRAN/ajukan";

fn pdf(name: &str) -> Part {
    let bytes = format!("%PDF-1.4\n% {name}\n%%EOF\n").into_bytes();
    Part::bytes(bytes).file_name(format!("{name}.pdf")).mime_str("application/pdf").unwrap()
}

/// The birth bundle's form filled in, its documents attached; `child`
/// empty leaves the child's name out.
fn filled(child: &str) -> Form {
    let form = crate::helpers::ticked().into_iter().fold(Form::new(), |f, (k, v)| f.text(k, v));
    form.text("applicant_nik", crate::application::NIK)
        .text("kk_number", "5303050101200001")
        .text("child_name", child.to_string())
        .text("child_birth_date", "2026-11-20")
        .text("child_sex", "Perempuan")
        .text("birth_place", "53.03.05.1003")
        .text("father_name", "Yosef Bano")
        .text("mother_name", "Maria Bano")
        .text("faskes", "Puskesmas Sasi")
        .text("jkn_class", "Kelas 3")
        .part("doc_birth_letter", pdf("surat-lahir"))
        .part("doc_kk", pdf("kk"))
        .part("doc_parent_ktp", pdf("ktp"))
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sql::query(format!("SELECT COUNT(*) FROM {table}")).fetch_one(&mut Conn::Read(&app.state.db)).await.unwrap()
}

/// Files the birth bundle; the filing's page.
async fn file_birth(app: &TestApp, citizen: &reqwest::Client) -> String {
    let (status, html) = app.get_text(citizen, FORM).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let r = citizen
        .post(app.url(&format!("{FORM}?_csrf={}", csrf_of(&html))))
        .multipart(filled("Yohana Bano"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "{}", r.text().await.unwrap());
    r.headers()["location"].to_str().unwrap().to_string()
}

async fn one_form_starts_each_service_at_its_own_agency(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let anyone = app.client();
    // Published: on the mall's home page, the list and the bundle's page.
    let (_, home) = app.get_text(&anyone, "/m/ttu").await;
    assert!(home.contains("/m/ttu/paket/KELAHIRAN"), "{home}");
    let (status, about) = app.get_text(&anyone, "/m/ttu/paket/KELAHIRAN").await;
    assert_eq!(status, StatusCode::OK);
    for name in ["Kutipan Akta Kelahiran", "Kartu Keluarga", "Kartu Identitas Anak", "JKN", "BPJS Kesehatan"] {
        assert!(about.contains(name), "{name}: {about}");
    }
    // Filing needs an account.
    let r = app.get(&anyone, FORM).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/masuk"));

    let citizen = app.login(CITIZEN).await;
    let (_, html) = app.get_text(&citizen, FORM).await;
    // A field four services ask for is asked once; the checklist has one
    // box per service, naming its requirements.
    for field in ["child_name", "kk_number", "doc_kk", "faskes"] {
        assert_eq!(html.matches(&format!("name=\"{field}\"")).count(), 1, "{field}");
    }
    assert_eq!(html.matches("name=\"requirement.").count(), 4);
    assert!(html.contains("Penerbitan Kartu Identitas Anak (KIA): persyaratan berikut sudah saya siapkan"), "{html}");
    assert!(html.contains("<li>Anak berusia di bawah 17 tahun dan belum kawin</li>"), "listed under its box: {html}");
    let (applications, documents) = (count(&app, "applications").await, count(&app, "citizen_documents").await);

    // A problem anywhere: nothing filed, everything typed kept.
    let r =
        citizen.post(app.url(&format!("{FORM}?_csrf={}", csrf_of(&html)))).multipart(filled("")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("Wajib diisi") && page.contains("value=\"Maria Bano\"") && page.contains("Puskesmas Sasi"));
    assert_eq!(count(&app, "applications").await, applications);
    assert_eq!(count(&app, "bundle_filings").await, 0);

    let filing = file_birth(&app, &citizen).await;
    assert!(filing.starts_with("/m/ttu/paket-saya/"), "{filing}");
    // Three documents uploaded once (the failed try's stay the citizen's,
    // on the form), named by all four applications.
    assert!(count(&app, "citizen_documents").await <= documents + 6);
    let rows: Vec<(String, String, String, String)> = sql::query(
        "SELECT a.number, s.code, a.form, a.due_day FROM bundle_filing_applications fa
         JOIN applications a ON a.mall_id = fa.mall_id AND a.id = fa.application_id
         JOIN services s ON s.mall_id = a.mall_id AND s.id = a.service_id ORDER BY fa.position",
    )
    .fetch_all(&mut Conn::Read(&app.state.db))
    .await
    .unwrap();
    let codes: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    assert_eq!(codes, ["AKTA-LAHIR", "KK", "KIA", "JKN-DAFTAR"]);
    let forms: Vec<Value> = rows.iter().map(|r| serde_json::from_str(&r.2).unwrap()).collect();
    let kk = forms[0]["doc_kk"].as_str().unwrap();
    assert!(forms.iter().all(|f| f["doc_kk"] == kk), "one KK for all: {forms:?}");
    // Each service gets only its own part of the form.
    assert!(forms[3]["faskes"] == "Puskesmas Sasi" && forms[0].get("faskes").is_none());
    assert!(forms[2].get("mother_name").is_none() && forms[0]["mother_name"] == "Maria Bano");
    let numbers: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();

    // Each agency's inbox holds its own applications, and only those.
    let dukcapil = app.login(OFFICER).await;
    let (_, inbox) = app.get_text(&dukcapil, "/m/ttu/kotak-masuk").await;
    assert!(numbers[..3].iter().all(|n| inbox.contains(n)) && !inbox.contains(numbers[3]), "{inbox}");
    // A list shows applicants by their initials; the name is on the (logged) application.
    assert!(inbox.contains("W. D.") && !inbox.contains("Warga (demo)"), "{inbox}");
    let bpjs = app.login(BPJS).await;
    let (_, inbox) = app.get_text(&bpjs, "/m/ttu/kotak-masuk").await;
    assert!(inbox.contains(numbers[3]) && !numbers[..3].iter().any(|n| inbox.contains(n)), "{inbox}");
    let (status, _) = app.get_text(&bpjs, &format!("/m/ttu/kotak-masuk/{}", numbers[0])).await;
    assert_ne!(status, StatusCode::OK, "BPJS does not see the birth certificate's application");

    // The citizen follows the four on one page; nobody else sees it.
    let (status, page) = app.get_text(&citizen, &filing).await;
    assert_eq!(status, StatusCode::OK);
    assert!(numbers.iter().all(|n| page.contains(n)) && page.contains("0 dari 4 permohonan selesai"), "{page}");
    let (_, mine) = app.get_text(&citizen, "/m/ttu/permohonan").await;
    assert!(mine.contains(&filing), "{mine}");
    for other in [ADMIN, OFFICER] {
        let c = app.login(other).await;
        assert_eq!(app.get(&c, &filing).await.status(), StatusCode::NOT_FOUND, "{other}");
    }
    assert_eq!(app.get(&anyone, &filing).await.status(), StatusCode::SEE_OTHER);
    // Another mall's address does not find it either.
    let elsewhere = filing.replace("/m/ttu/", "/m/lain/");
    assert_eq!(app.get(&citizen, &elsewhere).await.status(), StatusCode::NOT_FOUND);
}
both!(one_form_starts_each_service_at_its_own_agency);

async fn a_bundle_is_filed_whole_or_not_at_all(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let (_, html) = app.get_text(&citizen, FORM).await;
    let before = count(&app, "applications").await;
    // The filing's last write fails after every application was written.
    app.state.db.run(sql::query("ALTER TABLE bundle_filing_applications RENAME TO moved_away")).await.unwrap();
    let r = citizen
        .post(app.url(&format!("{FORM}?_csrf={}", csrf_of(&html))))
        .multipart(filled("Yohana Bano"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(count(&app, "applications").await, before, "no application of a half-filed bundle");
    assert_eq!(count(&app, "bundle_filings").await, 0);
    app.state.db.run(sql::query("ALTER TABLE moved_away RENAME TO bundle_filing_applications")).await.unwrap();

    // A service of the bundle turned off: the bundle says so, files nothing.
    let admin = app.login(ADMIN).await;
    app.state.db.run(sql::query("UPDATE services SET active = 0 WHERE code = 'KIA'")).await.unwrap();
    app.state.db.cache.clear();
    let (status, page) = app.get_text(&citizen, FORM).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("salah satu layanannya berubah"), "{page}");
    let (_, home) = app.get_text(&citizen, "/m/ttu").await;
    assert!(!home.contains("/m/ttu/paket/KELAHIRAN"), "no longer offered: {home}");
    drop(admin);
}
both!(a_bundle_is_filed_whole_or_not_at_all);

async fn kept_documents_in_a_bundle_take_one_tick_and_reach_each_agency_under_its_consent(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let (_, html) = app.get_text(&citizen, "/akun/dokumen").await;
    let form = Form::new().text("kind", "kk").text("expires_on", "").part("file", pdf("kk-disimpan"));
    let r =
        citizen.post(app.url(&format!("/akun/dokumen?_csrf={}", csrf_of(&html)))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_text(&citizen, FORM).await;
    assert!(html.contains("masing-masing hanya untuk permohonan paket ini"), "{html}");
    let kept = html.split("id=\"f-doc_kk-kept\"").nth(1).unwrap().split("<option value=\"").nth(2).unwrap();
    let kept = kept.split('"').next().unwrap().to_string();
    let form = |consent: bool| {
        let form = crate::helpers::ticked().into_iter().fold(Form::new(), |f, (k, v)| f.text(k, v));
        let form = form
            .text("applicant_nik", crate::application::NIK)
            .text("kk_number", "5303050101200001")
            .text("child_name", "Yohana Bano")
            .text("child_birth_date", "2026-11-20")
            .text("child_sex", "Perempuan")
            .text("birth_place", "53.03.05.1003")
            .text("mother_name", "Maria Bano")
            .text("faskes", "Puskesmas Sasi")
            .text("jkn_class", "Kelas 3")
            .text("doc_kk", kept.clone())
            .part("doc_birth_letter", pdf("surat-lahir"))
            .part("doc_parent_ktp", pdf("ktp"));
        if consent { form.text("consent", "1") } else { form }
    };
    let url = app.url(&format!("{FORM}?_csrf={}", csrf_of(&html)));
    let r = citizen.post(&url).multipart(form(false)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&app, "bundle_filings").await, 0);
    let r = citizen.post(&url).multipart(form(true)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // One consent per application and agency, written with the applications.
    let consents: Vec<(String, String)> = sql::query(
        "SELECT c.purpose_ref, g.code FROM consents c JOIN agencies g ON g.mall_id = c.mall_id AND g.id = c.agency_id
         ORDER BY c.purpose_ref",
    )
    .fetch_all(&mut Conn::Read(&app.state.db))
    .await
    .unwrap();
    assert_eq!(consents.len(), 4, "{consents:?}");
    assert_eq!(consents.iter().filter(|(_, g)| g == "bpjs-kes").count(), 1);
    let jkn: String = sql::query(
        "SELECT a.number FROM applications a JOIN services s ON s.mall_id = a.mall_id AND s.id = a.service_id
         WHERE s.code = 'JKN-DAFTAR'",
    )
    .fetch_one(&mut Conn::Read(&app.state.db))
    .await
    .unwrap();
    let bpjs = app.login(BPJS).await;
    let link = format!("/m/ttu/permohonan/{jkn}/dokumen/doc_kk");
    assert_eq!(app.get(&bpjs, &link).await.status(), StatusCode::OK);
    let logged: i64 =
        sql::query("SELECT COUNT(*) FROM access_log WHERE what LIKE 'document:%' AND purpose = 'consent'")
            .fetch_one(&mut Conn::Read(&app.state.db))
            .await
            .unwrap();
    assert_eq!(logged, 1);
}
both!(kept_documents_in_a_bundle_take_one_tick_and_reach_each_agency_under_its_consent);

async fn a_mall_admin_defines_a_bundle_from_existing_services(app: TestApp) {
    let admin = app.login(ADMIN).await;
    let (status, list) = app.get_text(&admin, "/m/ttu/admin/paket").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("KELAHIRAN"), "{list}");
    // A bundle's form lists its services in the bundle's order (saving keeps it).
    let (_, edit) = app.get_text(&admin, "/m/ttu/admin/paket/KELAHIRAN").await;
    let at: Vec<usize> = ["AKTA-LAHIR", "KK", "KIA", "JKN-DAFTAR"]
        .iter()
        .map(|c| edit.find(&format!("value=\"{c}\"")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    let new = "/m/ttu/admin/paket/baru";
    let (_, form) = app.get_text(&admin, new).await;
    // Only services that take applications are offered.
    assert!(form.contains("value=\"PBG\"") && !form.contains("value=\"PKB-TAHUNAN\""), "{form}");
    let fields = |services: &[&'static str]| {
        let mut f = vec![
            ("code", "IZIN-BANGUN"),
            ("name_id", "Paket membangun rumah"),
            ("description_id", "PBG dan rekomendasi sekaligus"),
            ("active", "1"),
        ];
        f.extend(services.iter().map(|s| ("services", *s)));
        f
    };
    let r = app.post_form(&admin, new, new, &fields(&["PBG"])).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(page.contains("Pilih 2 sampai 8 layanan") && page.contains("Paket membangun rumah"), "{page}");

    // Two services asking for one key meaning different things clash.
    let mut setup: mpp_domain::setup::ServiceSetup = serde_json::from_value(json!({
        "fields": [{"key": "child_birth_date", "label_id": "Tanggal", "label_en": "Date", "kind": "text", "required": true}],
        "steps": [{"stage": 1, "kind": "intake", "name_id": "Periksa", "name_en": "Check", "agency": "polres", "sla_days": 1}]
    }))
    .unwrap();
    setup.risk_based = false;
    let mall = mpp::tenancy::store::by_slug(&app.state.db, "ttu").await.unwrap();
    mpp::application::setup::save_demo(&app.state.db, &mall.id, "SKCK-BARU", &setup, 0).await.unwrap();
    let r = app.post_form(&admin, new, new, &fields(&["AKTA-LAHIR", "SKCK-BARU"])).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("kolom yang sama untuk hal yang berbeda"));

    let r = app.post_form(&admin, new, new, &fields(&["PBG", "REKOM-PENELITIAN"])).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, about) = app.get_text(&app.client(), "/m/ttu/paket/IZIN-BANGUN").await;
    assert_eq!(status, StatusCode::OK);
    assert!(about.contains("Persetujuan Bangunan Gedung") && about.contains("Penelitian"), "{about}");

    // An agency's admin does not define the mall's bundles.
    let agency_admin = app.login(AGENCY_ADMIN).await;
    let r = app.post_form(&agency_admin, "/akun", new, &fields(&["PBG", "REKOM-PENELITIAN"])).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The API: the same rules; anyone reads the active bundles.
    let token = crate::api::token_for(&app, ADMIN).await;
    let api = reqwest::Client::new();
    let base = app.url("/api/v1/malls/ttu/bundles");
    let body = json!({"code": "NIKAH", "name_id": "Paket nikah", "description_id": "Akta dan KK",
                      "services": ["AKTA-KAWIN"], "active": true});
    let r = api.post(&base).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = r.json().await.unwrap();
    assert!(problem["errors"].as_array().unwrap().iter().any(|e| e["field"] == "services"), "{problem}");
    let body = json!({"code": "ANAK", "name_id": "Paket anak", "description_id": "KIA dan JKN",
                      "services": ["KIA", "JKN-DAFTAR"], "active": false});
    let r = api.post(&base).bearer_auth(&token).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let listed: Value = api.get(&base).send().await.unwrap().json().await.unwrap();
    let codes: Vec<&str> = listed.as_array().unwrap().iter().map(|b| b["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"KELAHIRAN") && codes.contains(&"IZIN-BANGUN") && !codes.contains(&"ANAK"), "{codes:?}");
    let officer = crate::api::token_for(&app, OFFICER).await;
    let r = api.post(&base).bearer_auth(&officer).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&app.client(), "/m/ttu/paket/ANAK").await.status(), StatusCode::NOT_FOUND);
}
both!(a_mall_admin_defines_a_bundle_from_existing_services);
