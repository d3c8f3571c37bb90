//! Consent per purpose: a document kept in "Dokumen saya" and chosen on an
//! application is opened by each agency of its workflow only under the
//! consent the citizen ticked; withdrawn on "Persetujuan saya", or ended,
//! the next read is refused at once and nothing is recorded as read.

use crate::helpers::{CITIZEN, TestApp, both, csrf_of};
use crate::visit::set_clock;
use mpp::db::sql::{self, Conn};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

/// Keeps a KTP and files a building approval with it, consenting; the
/// application's number.
async fn filed_with_a_kept_ktp(app: &TestApp, citizen: &reqwest::Client) -> String {
    let (_, html) = app.get_text(citizen, "/akun/dokumen").await;
    let ktp =
        Part::bytes(b"%PDF-1.4\n% ktp\n%%EOF\n".to_vec()).file_name("ktp.pdf").mime_str("application/pdf").unwrap();
    let form = Form::new().text("kind", "ktp").text("expires_on", "").part("file", ktp);
    let r =
        citizen.post(app.url(&format!("/akun/dokumen?_csrf={}", csrf_of(&html)))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    filed_with_kept(app, citizen).await
}

/// Files a building approval with the first document the form offers from
/// "Dokumen saya", consenting; the application's number.
pub(crate) async fn filed_with_kept(app: &TestApp, citizen: &reqwest::Client) -> String {
    let page = "/m/ttu/layanan/PBG/ajukan";
    let (_, html) = app.get_text(citizen, page).await;
    let id = html.split("id=\"f-drawings-kept\"").nth(1).unwrap().split("<option value=\"").nth(2).unwrap();
    let id = id.split('"').next().unwrap().to_string();
    let form = crate::helpers::ticked().into_iter().fold(Form::new(), |f, (k, v)| f.text(k, v));
    let form = form
        .text("owner_nik", crate::application::NIK)
        .text("village", "53.03.05.1003")
        .text("use", "Hunian")
        .text("floor_area", "90")
        .text("floors", "1")
        .text("drawings", id)
        .text("consent", "1");
    let r = citizen.post(app.url(&format!("{page}?_csrf={}", csrf_of(&html)))).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string()
}

async fn document_reads(app: &TestApp) -> i64 {
    sql::query("SELECT COUNT(*) FROM access_log WHERE what LIKE 'document:%'")
        .fetch_one(&mut Conn::Read(&app.state.db))
        .await
        .unwrap()
}

async fn a_withdrawn_or_ended_consent_stops_the_next_read_at_once(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let number = filed_with_a_kept_ktp(&app, &citizen).await;
    let officer = app.login(crate::application::PUPR).await;
    let link = format!("/m/ttu/permohonan/{number}/dokumen/drawings");
    assert_eq!(app.get(&officer, &link).await.status(), StatusCode::OK);
    assert_eq!(document_reads(&app).await, 1);

    // One consent per agency of the workflow, each listed and in force.
    let (status, page) = app.get_text(&citizen, "/akun/persetujuan").await;
    assert_eq!(status, StatusCode::OK);
    let agencies: i64 = sql::query("SELECT COUNT(DISTINCT agency_id) FROM consents WHERE purpose_ref = $1")
        .bind(&number)
        .fetch_one(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    assert!(agencies >= 2, "PBG goes through several agencies: {agencies}");
    assert_eq!(page.matches("Tarik persetujuan untuk").count() as i64, agencies, "{page}");
    assert!(page.contains(&format!("permohonan {number}")) && page.contains("23 Februari 2027"), "{page}");

    // Withdrawn for the spatial planning agency: its next read is refused, nothing logged.
    let pupr: String = sql::query(
        "SELECT c.id FROM consents c JOIN agencies g ON g.mall_id = c.mall_id AND g.id = c.agency_id
         WHERE c.purpose_ref = $1 AND g.code = 'pupr'",
    )
    .bind(&number)
    .fetch_one(&mut Conn::Read(&app.state.db))
    .await
    .unwrap();
    let r = app.post_form(&citizen, "/akun/persetujuan", &format!("/akun/persetujuan/{pupr}/tarik"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app.get(&officer, &link).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let body = r.text().await.unwrap();
    assert!(body.contains("persetujuan itu sudah ditarik atau berakhir") && !body.contains("%PDF"), "{body}");
    assert_eq!(document_reads(&app).await, 1);
    let (_, page) = app.get_text(&citizen, "/akun/persetujuan").await;
    assert!(page.contains("Ditarik"), "{page}");
    // Withdrawing twice, or someone else's consent: not found.
    let again = app.post_form(&citizen, "/akun/persetujuan", &format!("/akun/persetujuan/{pupr}/tarik"), &[]).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    let stranger = app.login(crate::helpers::ADMIN).await;
    let theirs = app.post_form(&stranger, "/akun", &format!("/akun/persetujuan/{pupr}/tarik"), &[]).await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);

    // The application's own form is still the officer's to read (its basis is the application).
    assert_eq!(app.get(&officer, &format!("/m/ttu/kotak-masuk/{number}")).await.status(), StatusCode::OK);

    // Another agency's consent ends after its last day.
    let dpmptsp = app.login(crate::application::LICENSING).await;
    assert_eq!(app.get(&dpmptsp, &link).await.status(), StatusCode::OK);
    set_clock(&app, "2027-02-23T16:00:00+08:00");
    let dpmptsp = app.login(crate::application::LICENSING).await;
    assert_eq!(app.get(&dpmptsp, &link).await.status(), StatusCode::OK, "through its last day");
    set_clock(&app, "2027-02-24T09:00:00+08:00");
    let dpmptsp = app.login(crate::application::LICENSING).await;
    assert_eq!(app.get(&dpmptsp, &link).await.status(), StatusCode::CONFLICT);
    let citizen = app.login(CITIZEN).await;
    let (_, page) = app.get_text(&citizen, "/akun/persetujuan").await;
    assert!(page.contains("Berakhir") && !page.contains("Tarik persetujuan untuk"), "{page}");
}
both!(a_withdrawn_or_ended_consent_stops_the_next_read_at_once);
