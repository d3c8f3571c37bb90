//! A citizen's rights: the export holds everything MPP keeps about them
//! (checked with Python's zipfile, an outside reader) and nothing about
//! anyone else.

use crate::application::{LICENSING, business_licence, file, number_of};
use crate::helpers::{ADMIN, CITIZEN, TestApp, both, csrf_of};
use crate::visit::set_clock;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

/// Keeps a document in "Dokumen saya".
async fn keep(app: &TestApp, c: &reqwest::Client, kind: &str, bytes: &[u8]) {
    let (_, html) = app.get_text(c, "/akun/dokumen").await;
    let part = Part::bytes(bytes.to_vec()).file_name(format!("{kind}.pdf")).mime_str("application/pdf").unwrap();
    let form = Form::new().text("kind", kind.to_string()).text("expires_on", "").part("file", part);
    let r = c.post(app.url(&format!("/akun/dokumen?_csrf={}", csrf_of(&html)))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn profile(app: &TestApp, c: &reqwest::Client, nik: &str, name: &str, born: &str) {
    let fields = [
        ("nik", nik),
        ("full_name", name),
        ("birth_date", born),
        ("region", "53.03.05.1003"),
        ("phone", "0812 1111 2222"),
    ];
    let r = app.post_form(c, "/akun/profil", "/akun/profil", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

async fn the_export_holds_everything_about_the_citizen_and_nothing_about_anyone_else(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    profile(&app, &citizen, "5304015203900001", "Maria Bano", "1990-03-12").await;
    let ktp = b"%PDF-1.4\n% KTP Maria Bano isi-milik-maria\n%%EOF\n".to_vec();
    keep(&app, &citizen, "ktp", &ktp).await;
    let number = business_licence(&app, &citizen, "low").await;
    let officer = app.login(LICENSING).await;
    assert_eq!(app.get(&officer, &format!("/m/ttu/kotak-masuk/{number}")).await.status(), StatusCode::OK);

    // Someone else, with data of their own.
    let other = app.login(ADMIN).await;
    profile(&app, &other, "5304011507850002", "Yohanes Taek", "1985-07-15").await;
    keep(&app, &other, "kk", b"%PDF-1.4\n% KK Yohanes isi-milik-yohanes\n%%EOF\n").await;
    let fields = [
        ("business_name", "Bengkel Yohanes"),
        ("owner_nik", "5304011507850002"),
        ("sector", "Kuliner"),
        ("capital", "Rp 9.000.000"),
        ("workers", "2"),
        ("village", "53.03.05.1003"),
        ("risk", "low"),
    ];
    let theirs = number_of(&file(&app, &other, "IZIN-USAHA-MIKRO", &fields).await);

    let (status, page) = app.get_text(&citizen, "/akun/data-saya").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("3 × 24 jam") && page.contains("/akun/data-saya/arsip.zip"), "{page}");
    let r = app.get(&citizen, "/akun/data-saya/arsip.zip").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/zip");
    assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let bytes = r.bytes().await.unwrap().to_vec();
    for foreign in ["5304011507850002", "Yohanes", "isi-milik-yohanes", theirs.as_str(), ADMIN] {
        assert!(
            !bytes.windows(foreign.len()).any(|w| w == foreign.as_bytes()),
            "another's data in the export: {foreign}"
        );
    }
    let path = std::env::temp_dir().join(format!("mpp-export-{}.zip", crate::helpers::unique()));
    std::fs::write(&path, &bytes).unwrap();
    let script = "import hashlib,json,sys,zipfile\n\
        z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None\n\
        d=json.loads(z.read('data.json'))\n\
        docs=[{'kind':x['kind'],'ok':hashlib.sha256(z.read(x['file'])).hexdigest()==x['sha256']} for x in d['documents']]\n\
        print(json.dumps({'format':d['format'],'email':d['account']['email'],'nik':d['profile']['nik'],\
        'checks':[c['answer'] for c in d['nik_checks']],'docs':docs,\
        'applications':[a['number'] for a in d['applications']],'nik_filed':[a['applicant_nik'] for a in d['applications']],\
        'reads':[(r['reader'],r['what']) for r in d['access_log']],'readme':'README.md' in z.namelist()}))\n";
    let said = crate::helpers::run_checker(&["-c", script, path.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_str(said.trim()).unwrap_or_else(|e| panic!("{e}: {said}"));
    assert_eq!(v["format"], "mpp-export/1");
    assert_eq!(v["email"], CITIZEN);
    assert_eq!(v["nik"], "5304015203900001");
    assert_eq!(v["checks"], serde_json::json!(["unavailable"]));
    assert_eq!(v["docs"], serde_json::json!([{"kind": "ktp", "ok": true}]), "the file is in, whole");
    assert_eq!(v["applications"], serde_json::json!([number]));
    assert_eq!(v["nik_filed"], serde_json::json!(["5304015203900001"]));
    assert_eq!(v["reads"], serde_json::json!([["Petugas Perizinan DPMPTSP (demo)", "application"]]));
    assert_eq!(v["readme"], true);
    // Not for anyone not logged in.
    assert_ne!(app.get(&app.client(), "/akun/data-saya/arsip.zip").await.status(), StatusCode::OK);
}
both!(the_export_holds_everything_about_the_citizen_and_nothing_about_anyone_else);

async fn a_correction_goes_to_the_owning_agency_and_is_answered_within_three_days(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let (_, page) = app.get_text(&citizen, "/akun/data-saya").await;
    assert!(page.contains("Belum ada data Anda di instansi mana pun"), "nothing to correct yet: {page}");
    let number = business_licence(&app, &citizen, "low").await;
    let (_, page) = app.get_text(&citizen, "/akun/data-saya").await;
    let mall_id: String = mpp::db::sql::query("SELECT id FROM malls WHERE slug = 'ttu'")
        .fetch_one(&mut mpp::db::sql::Conn::Read(&app.state.db))
        .await
        .unwrap();
    let topic = format!("app:{mall_id}:{number}");
    assert!(page.contains(&format!("value=\"{topic}\"")) && page.contains("Data kependudukan (NIK, KK"), "{page}");

    // Nothing chosen: refused at its field, the words kept.
    let r = app
        .post_form(
            &citizen,
            "/akun/data-saya",
            "/akun/data-saya/koreksi",
            &[("topic", ""), ("wrong", "Kios Siti"), ("correct", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Pilih data yang ingin diperbaiki") && html.contains(">Kios Siti</textarea>"), "{html}");
    let fields = [("topic", topic.as_str()), ("wrong", "Nama usaha: Kios Siti"), ("correct", "Kios Siti Nurhaliza")];
    let r = app.post_form(&citizen, "/akun/data-saya", "/akun/data-saya/koreksi", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_text(&citizen, "/akun/data-saya").await;
    assert!(
        page.contains("Menunggu jawaban") && page.contains("28 November 2026 09.00 WITA"),
        "three days to answer: {page}"
    );

    // The licence's agency sees it; another agency does not.
    let (status, theirs) = app.get_text(&app.login(crate::application::PUPR).await, "/m/ttu/koreksi").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!theirs.contains("Kios Siti Nurhaliza"), "{theirs}");
    set_clock(&app, "2026-11-28T10:00:00+08:00");
    let officer = app.login(LICENSING).await;
    let (_, list) = app.get_text(&officer, "/m/ttu/koreksi").await;
    assert!(list.contains("Kios Siti Nurhaliza") && list.contains("Terlambat"), "past its three days: {list}");
    let id = list.split("action=\"/m/ttu/koreksi/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let action = format!("/m/ttu/koreksi/{id}");
    let pupr = app.login(crate::application::PUPR).await;
    let r = app.post_form(&pupr, "/m/ttu/koreksi", &action, &[("status", "done"), ("answer", "Sudah")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "not their agency's");
    let r = app.post_form(&officer, "/m/ttu/koreksi", &action, &[("status", "done"), ("answer", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "an answer needs words");
    let answer = "Nama usaha sudah diperbaiki pada berkas permohonan.";
    let r = app.post_form(&officer, "/m/ttu/koreksi", &action, &[("status", "done"), ("answer", answer)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let citizen = app.login(CITIZEN).await;
    let (_, page) = app.get_text(&citizen, "/akun/data-saya").await;
    assert!(page.contains("Sudah diperbaiki") && page.contains(answer), "{page}");
    // The officers who read the request are on the citizen's access history
    // (the other agency's officer saw none of it, and read nothing).
    let readers: Vec<(String, String)> =
        mpp::db::sql::query("SELECT reader_agency, purpose_ref FROM access_log WHERE what = 'correction'")
            .fetch_all(&mut mpp::db::sql::Conn::Read(&app.state.db))
            .await
            .unwrap();
    assert!(
        !readers.is_empty()
            && readers
                .iter()
                .all(|(agency, on)| agency.contains("DPMPTSP") || agency.contains("Penanaman Modal") && on == &id),
        "{readers:?}"
    );
    let (_, history) = app.get_text(&citizen, "/akun/riwayat-akses").await;
    assert!(history.contains("permintaan koreksi Anda (yang salah dan yang benar)"), "{history}");
    let again = app.post_form(&officer, "/m/ttu/koreksi", &action, &[("status", "refused"), ("answer", "Tidak")]).await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "answered once");
}
both!(a_correction_goes_to_the_owning_agency_and_is_answered_within_three_days);

async fn erasure_is_granted_unless_a_retention_rule_keeps_the_data(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    // A document nobody's application uses: erased, file and row, on the trail without its content.
    keep(&app, &citizen, "ktp", b"%PDF-1.4\n% unused\n%%EOF\n").await;
    let (_, mine) = app.get_text(&citizen, "/akun/dokumen").await;
    let id = mine.split("action=\"/akun/dokumen/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let r = app.post_form(&citizen, "/akun/dokumen", &format!("/akun/dokumen/{id}/hapus"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, mine) = app.get_text(&citizen, "/akun/dokumen?dihapus=1").await;
    assert!(mine.contains("Dokumen dihapus") && !mine.contains(&id), "{mine}");
    let owner_dir = app.state.files_dir.join("documents");
    let files: usize = std::fs::read_dir(&owner_dir)
        .map(|d| d.map(|e| std::fs::read_dir(e.unwrap().path()).unwrap().count()).sum())
        .unwrap_or(0);
    assert_eq!(files, 0, "the file is gone too");
    let trail: String = mpp::db::sql::query("SELECT before_json FROM audit_events WHERE entity = 'citizen_document'")
        .fetch_one(&mut mpp::db::sql::Conn::Read(&app.state.db))
        .await
        .unwrap();
    assert!(trail.contains("ktp") && !trail.contains("unused"), "{trail}");

    // A KK used by an application in progress: kept, and the page says why.
    keep(&app, &citizen, "kk", b"%PDF-1.4\n% kk\n%%EOF\n").await;
    let number = crate::consent::filed_with_kept(&app, &citizen).await;
    let (_, mine) = app.get_text(&citizen, "/akun/dokumen").await;
    let kk = mine.split("action=\"/akun/dokumen/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let erase = format!("/akun/dokumen/{kk}/hapus");
    let r = app.post_form(&citizen, "/akun/dokumen", &erase, &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains(&number) && html.contains("masih diproses"), "{html}");

    // Refused: the mall keeps refused applications two years.
    let admin = app.login(ADMIN).await;
    let r =
        app.post_form(&admin, "/m/ttu/admin/retensi", "/m/ttu/admin/retensi", &[("application:rejected", "-1")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut rules: Vec<(String, String)> = mpp_domain::rights::Kept::all()
        .into_iter()
        .map(|k| (k.key().to_string(), k.default_years().to_string()))
        .collect();
    rules.iter_mut().find(|(k, _)| k == "application:rejected").unwrap().1 = "2".into();
    let rules: Vec<(&str, &str)> = rules.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = app.post_form(&admin, "/m/ttu/admin/retensi", "/m/ttu/admin/retensi", &rules).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let officer = app.login(LICENSING).await;
    let step = crate::application::steps_for(&app, &officer, &number).await.first().cloned().unwrap();
    assert_eq!(
        crate::application::act(&app, &officer, &number, &step, "claim", "").await.status(),
        StatusCode::SEE_OTHER
    );
    let r = crate::application::act(&app, &officer, &number, &step, "reject", "Gambar tidak lengkap").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app.post_form(&citizen, "/akun/dokumen", &erase, &[]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("Ditolak") && html.contains("25 November 2028"), "kept two years after it closed: {html}");

    // Two years on, it may go.
    set_clock(&app, "2028-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let r = app.post_form(&citizen, "/akun/dokumen", &erase, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // The profile: erased with the register's answers.
    profile(&app, &citizen, "5304015203900001", "Maria Bano", "1990-03-12").await;
    let r = app.post_form(&citizen, "/akun/data-saya", "/akun/data-saya/hapus-profil", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let left: i64 =
        mpp::db::sql::query("SELECT (SELECT COUNT(*) FROM citizen_profiles) + (SELECT COUNT(*) FROM nik_checks)")
            .fetch_one(&mut mpp::db::sql::Conn::Read(&app.state.db))
            .await
            .unwrap();
    assert_eq!(left, 0);
}
both!(erasure_is_granted_unless_a_retention_rule_keeps_the_data);
