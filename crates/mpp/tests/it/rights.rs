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
