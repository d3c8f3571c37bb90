//! Citizens' documents: a drawing uploaded on the building-approval form is
//! checked (PDF, PNG or JPEG by its bytes), kept as the citizen's on disk,
//! survives a form sent back for another field, and is downloadable by the
//! citizen and the officers of the application's agencies only.

use crate::application::{NIK, PUPR, receipt};
use crate::helpers::{CITIZEN, OFFICER, TestApp, both, csrf_of};
use crate::visit::set_clock;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

fn form(floor_area: &str) -> Form {
    let ticked = crate::helpers::ticked().into_iter().fold(Form::new(), |f, (k, v)| f.text(k, v));
    ticked
        .text("owner_nik", NIK)
        .text("village", "53.03.05.1003")
        .text("use", "Hunian")
        .text("floor_area", floor_area.to_string())
        .text("floors", "1")
}

async fn a_citizens_drawing_is_checked_kept_and_shown_only_to_those_concerned(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let page = "/m/ttu/layanan/PBG/ajukan";
    let (_, html) = app.get_text(&citizen, page).await;
    assert!(html.contains("enctype=\"multipart/form-data\"") && html.contains("type=\"file\""), "{html}");
    let url = app.url(&format!("{page}?_csrf={}", csrf_of(&html)));
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();

    // Not a PDF, whatever its name says: refused on its field, the rest kept.
    let fake = Part::bytes(b"MZ\x90\x00".to_vec()).file_name("denah.pdf").mime_str("application/pdf").unwrap();
    let r = citizen.post(&url).multipart(form("90").part("drawings", fake)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("harus PDF, PNG atau JPEG") && html.contains("value=\"90\""), "{html}");
    // A real PDF, but the floor area left out: the file is kept for the next try.
    let part = Part::bytes(pdf.clone()).file_name("../denah rumah.pdf").mime_str("application/pdf").unwrap();
    let r = citizen.post(&url).multipart(form("").part("drawings", part)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Berkas sebelumnya sudah tersimpan"), "{html}");
    let kept = html.split("type=\"hidden\" name=\"drawings\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let r = citizen.post(&url).multipart(form("90").text("drawings", kept.to_string())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let number = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();

    // On disk, once, outside the database rows.
    let dir = app.state.files_dir.join("documents");
    let owners: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(owners.len(), 1);
    let files: Vec<_> = std::fs::read_dir(owners[0].as_ref().unwrap().path()).unwrap().collect();
    assert_eq!(files.len(), 1, "the refused file was not kept, the good one once");

    let link = format!("/m/ttu/permohonan/{number}/dokumen/drawings");
    let html = receipt(&app, &citizen, &number).await;
    assert!(html.contains(&link) && html.contains("denah_rumah.pdf"), "{html}");
    for who in [&citizen, &app.login(PUPR).await] {
        let r = app.get(who, &link).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(r.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert_eq!(r.bytes().await.unwrap().to_vec(), pdf);
    }
    // Not an officer of another agency, not a stranger, not the tracking view.
    assert_eq!(app.get(&app.login(OFFICER).await, &link).await.status(), StatusCode::NOT_FOUND);
    assert_ne!(app.get(&app.client(), &link).await.status(), StatusCode::OK);
    let (_, tracked) = app.get_text(&app.client(), &format!("/m/ttu/permohonan/{number}?nik=0001")).await;
    assert!(!tracked.contains("denah_rumah.pdf"), "{tracked}");
    // The citizen's own copy, by its id.
    assert_eq!(app.get(&citizen, &format!("/dokumen/{kept}")).await.status(), StatusCode::OK);
    assert_eq!(app.get(&app.login(PUPR).await, &format!("/dokumen/{kept}")).await.status(), StatusCode::NOT_FOUND);
}
both!(a_citizens_drawing_is_checked_kept_and_shown_only_to_those_concerned);

/// A file that cannot be taken (empty, or over the 10 MB limit by a little
/// or by a lot) is refused at its own field: the form comes back with
/// everything typed, the citizen still logged in, nothing filed.
async fn a_file_too_big_or_empty_is_refused_at_its_field_and_nothing_typed_is_lost(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let page = "/m/ttu/layanan/PBG/ajukan";
    let (_, html) = app.get_text(&citizen, page).await;
    let url = app.url(&format!("{page}?_csrf={}", csrf_of(&html)));
    let mut big = b"%PDF-1.4\n".to_vec();
    for (size, says) in [(0, "Berkas kosong"), (11 << 20, "terlalu besar"), (20 << 20, "terlalu besar")] {
        big.resize(size.max(9), b' ');
        let bytes = if size == 0 { Vec::new() } else { big.clone() };
        let file = Part::bytes(bytes).file_name("denah.pdf").mime_str("application/pdf").unwrap();
        // The file first, the typed fields after it: all of them come back.
        let form = Form::new().part("drawings", file);
        let form = crate::helpers::ticked().into_iter().fold(form, |f, (k, v)| f.text(k, v));
        let form = form
            .text("owner_nik", NIK)
            .text("village", "53.03.05.1003")
            .text("use", "Hunian")
            .text("floor_area", "137")
            .text("floors", "2");
        let r = citizen.post(&url).multipart(form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{size} bytes");
        let html = r.text().await.unwrap();
        assert!(html.contains(says) && html.contains("value=\"137\""), "{size} bytes: {html}");
        assert!(html.contains("Keluar"), "still logged in: {size} bytes");
    }
    let (_, mine) = app.get_text(&citizen, "/m/ttu/permohonan").await;
    assert!(!mine.contains("Permohonan saya"), "nothing was filed: {mine}");
}
both!(a_file_too_big_or_empty_is_refused_at_its_field_and_nothing_typed_is_lost);

/// A document is sealed at rest: after a citizen uploads one, no run of 16
/// of its bytes is in any file of the data directory (the SQLite database
/// and its journal, the file store, the keys) nor, on PostgreSQL, in any
/// row of any table; yet the citizen downloads it whole.
async fn an_uploaded_document_is_nowhere_in_plain_on_disk_or_in_the_database(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let page = "/m/ttu/layanan/PBG/ajukan";
    let (_, html) = app.get_text(&citizen, page).await;
    let url = app.url(&format!("{page}?_csrf={}", csrf_of(&html)));
    // Text that appears nowhere else: a column, a log or a file holding the
    // document in plain would hold it as it is.
    let mut seed =
        crate::helpers::unique().bytes().fold(1u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))) | 1;
    let body: String = (0..8192)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[(seed % 62) as usize])
        })
        .collect();
    let pdf = format!("%PDF-1.4\n1 0 obj<</Note ({body})>>endobj\ntrailer<<>>\n%%EOF\n").into_bytes();
    let part = Part::bytes(pdf.clone()).file_name("ktp.pdf").mime_str("application/pdf").unwrap();
    let r = citizen.post(&url).multipart(form("90").part("drawings", part)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let number = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
    let link = format!("/m/ttu/permohonan/{number}/dokumen/drawings");
    assert_eq!(app.get(&citizen, &link).await.bytes().await.unwrap().to_vec(), pdf, "it opens for its owner");

    let windows: std::collections::HashSet<&[u8]> = body.as_bytes().windows(16).collect();
    let holds = |bytes: &[u8]| bytes.windows(16).any(|w| windows.contains(w));
    let mut files = vec![app.dir.clone()];
    let mut seen = 0;
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else {
            seen += 1;
            assert!(!holds(&std::fs::read(&path).unwrap()), "{} holds the document in plain", path.display());
        }
    }
    assert!(seen >= 2, "the walk found the file store and the keys ({seen} files)");
    if app.database_url.starts_with("postgres") {
        use mpp::db::sql::{self, Conn};
        let tables: Vec<String> = sql::query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
        )
        .fetch_all(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
        assert!(tables.contains(&"citizen_documents".to_string()), "{tables:?}");
        for table in tables {
            let rows: Vec<String> = sql::query(format!("SELECT CAST(t AS TEXT) FROM {table} t"))
                .fetch_all(&mut Conn::Read(&app.state.db))
                .await
                .unwrap();
            assert!(!rows.iter().any(|r| holds(r.as_bytes())), "the table {table} holds the document in plain");
        }
    }
}
both!(an_uploaded_document_is_nowhere_in_plain_on_disk_or_in_the_database);

/// Files an older version kept plain are sealed at the next start, and
/// still download whole.
async fn a_document_kept_plain_before_is_sealed_at_start(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let page = "/m/ttu/layanan/PBG/ajukan";
    let (_, html) = app.get_text(&citizen, page).await;
    let url = app.url(&format!("{page}?_csrf={}", csrf_of(&html)));
    let pdf = b"%PDF-1.4\n1 0 obj<</Note (kept plain before)>>endobj\n%%EOF\n".to_vec();
    let part = Part::bytes(pdf.clone()).file_name("kk.pdf").mime_str("application/pdf").unwrap();
    let r = citizen.post(&url).multipart(form("90").part("drawings", part)).send().await.unwrap();
    let number = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
    let owner = std::fs::read_dir(app.state.files_dir.join("documents")).unwrap().next().unwrap().unwrap().path();
    let file = std::fs::read_dir(owner).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&file, &pdf).unwrap();
    let link = format!("/m/ttu/permohonan/{number}/dokumen/drawings");
    assert_eq!(app.get(&citizen, &link).await.status(), StatusCode::INTERNAL_SERVER_ERROR, "a plain file is refused");

    let sealed = mpp::document::seal_plain_files(&app.state.db, &app.state.files_dir, &app.state.vault).await.unwrap();
    assert_eq!(sealed, 1);
    assert!(!std::fs::read(&file).unwrap().starts_with(b"%PDF"), "sealed in place");
    assert_eq!(app.get(&citizen, &link).await.bytes().await.unwrap().to_vec(), pdf);
    let again = mpp::document::seal_plain_files(&app.state.db, &app.state.files_dir, &app.state.vault).await.unwrap();
    assert_eq!(again, 0, "a sealed file is never sealed twice");
}
both!(a_document_kept_plain_before_is_sealed_at_start);

/// Uploads a document to "Dokumen saya"; the response.
async fn add_to_mine(
    app: &TestApp,
    c: &reqwest::Client,
    kind: &str,
    expires: &str,
    file: Option<(&[u8], &str)>,
) -> reqwest::Response {
    let (_, html) = app.get_text(c, "/akun/dokumen").await;
    let mut form = Form::new().text("kind", kind.to_string()).text("expires_on", expires.to_string());
    if let Some((bytes, name)) = file {
        form = form
            .part("file", Part::bytes(bytes.to_vec()).file_name(name.to_string()).mime_str("application/pdf").unwrap());
    }
    c.post(app.url(&format!("/akun/dokumen?_csrf={}", csrf_of(&html)))).multipart(form).send().await.unwrap()
}

/// Given once: a KTP kept in "Dokumen saya" is listed with its fingerprint
/// and validity, offered on the next form that asks for a document (an
/// expired one is not), used by choosing it, and opened by the officer
/// through the application (on the access log, by its kind).
async fn a_document_kept_once_is_offered_on_forms_and_used(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let ktp = b"%PDF-1.4\n1 0 obj<</Note (KTP Maria Bano)>>endobj\n%%EOF\n".to_vec();
    // Mistakes come back at their fields, the choices kept.
    let r = add_to_mine(&app, &citizen, "", "", None).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Pilih jenis dokumen") && html.contains("Pilih berkas PDF"), "{html}");
    let r = add_to_mine(&app, &citizen, "ktp", "31-02-2027", Some((b"MZ\x90\x00", "ktp.pdf"))).await;
    let html = r.text().await.unwrap();
    assert!(html.contains("harus PDF, PNG atau JPEG") && html.contains("value=\"ktp\" selected"), "{html}");
    assert!(html.contains("value=\"31-02-2027\""), "the typed date is kept: {html}");
    // A KTP for life and an expired NPWP card.
    assert_eq!(add_to_mine(&app, &citizen, "ktp", "", Some((&ktp, "ktp.pdf"))).await.status(), StatusCode::SEE_OTHER);
    let old = b"%PDF-1.4\n% old npwp\n%%EOF\n".to_vec();
    assert_eq!(
        add_to_mine(&app, &citizen, "npwp", "2020-01-31", Some((&old, "npwp.pdf"))).await.status(),
        StatusCode::SEE_OTHER
    );
    let (_, mine) = app.get_text(&citizen, "/akun/dokumen").await;
    let sha = {
        use sha2::Digest;
        mpp::auth::hex(&sha2::Sha256::digest(&ktp))
    };
    assert!(mine.contains(&sha[..16]) && mine.contains("Seumur hidup") && mine.contains("Kedaluwarsa"), "{mine}");
    let ktp_card = mine.split("ktp.pdf</a>").next().unwrap();
    let id = ktp_card.rsplit("href=\"/dokumen/").next().unwrap().split('"').next().unwrap().to_string();

    // The next form offers the KTP, not the expired card.
    let page = "/m/ttu/layanan/PBG/ajukan";
    let (_, html) = app.get_text(&citizen, page).await;
    assert!(html.contains("id=\"f-drawings-kept\"") && html.contains(&format!("<option value=\"{id}\">KTP")), "{html}");
    assert!(!html.contains("NPWP"), "an expired document is not offered: {html}");
    let url = app.url(&format!("{page}?_csrf={}", csrf_of(&html)));
    // Someone else's document id is no document of this citizen's.
    let stranger = app.login(crate::helpers::ADMIN).await;
    let theirs = add_to_mine(&app, &stranger, "kk", "", Some((&ktp, "kk.pdf"))).await;
    assert_eq!(theirs.status(), StatusCode::SEE_OTHER);
    let (_, their_page) = app.get_text(&stranger, "/akun/dokumen").await;
    let their_id = their_page.split("href=\"/dokumen/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = citizen.post(&url).multipart(form("90").text("drawings", their_id)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "filed, without the drawings (they are optional)");
    let other_number = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
    let link = format!("/m/ttu/permohonan/{other_number}/dokumen/drawings");
    assert_eq!(app.get(&citizen, &link).await.status(), StatusCode::NOT_FOUND, "no document of theirs came with it");
    // Chosen from the kept ones, the consent ticked: filed without uploading again.
    assert!(html.contains("name=\"consent\"") && html.contains("hanya untuk permohonan ini"), "{html}");
    let r = citizen.post(&url).multipart(form("90").text("drawings", id.clone())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a kept document needs the consent");
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Centang persetujuan") && html.contains(&format!("<option value=\"{id}\" selected>")),
        "{html}"
    );
    let r = citizen
        .post(&url)
        .multipart(form("90").text("drawings", id.clone()).text("consent", "1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let number = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
    let officer = app.login(PUPR).await;
    let r = app.get(&officer, &format!("/m/ttu/permohonan/{number}/dokumen/drawings")).await;
    assert_eq!(r.bytes().await.unwrap().to_vec(), ktp);
    let (what, purpose): (String, String) =
        mpp::db::sql::query("SELECT what, purpose FROM access_log WHERE what LIKE 'document:%'")
            .fetch_one(&mut mpp::db::sql::Conn::Read(&app.state.db))
            .await
            .unwrap();
    assert_eq!((what.as_str(), purpose.as_str()), ("document:KTP", "consent"));
}
both!(a_document_kept_once_is_offered_on_forms_and_used);
