//! Applications end to end, through the pages as citizens and officers use
//! them: filing with the service's form, the receipt, a business licence
//! across two agencies approving in parallel, a correction that pauses the
//! clock, a deadline across a holiday and a weekend, a deemed approval,
//! tracking by number and NIK, and officers of other agencies kept out.

use crate::helpers::{CITIZEN, OFFICER, TestApp, both};
use crate::visit::set_clock;
use mpp::db::sql::{self, Conn};
use reqwest::{Client, StatusCode};

pub(crate) const LICENSING: &str = "perizinan@demo.mpp.id";
pub(crate) const PUPR: &str = "pupr@demo.mpp.id";
pub(crate) const DLH: &str = "dlh@demo.mpp.id";
pub(crate) const NIK: &str = "5304015203900001";

/// Files an application from the service's form; returns the response.
pub(crate) async fn file(app: &TestApp, c: &Client, code: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let page = format!("/m/ttu/layanan/{code}/ajukan");
    let mut fields = fields.to_vec();
    fields.extend(crate::helpers::ticked());
    app.post_form(c, &page, &page, &fields).await
}

pub(crate) fn number_of(r: &reqwest::Response) -> String {
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "filed");
    r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string()
}

/// A complete business licence form (requirements not ticked).
fn licence_fields(risk: &str) -> Vec<(&str, &str)> {
    vec![
        ("business_name", "Kios Siti"),
        ("owner_nik", NIK),
        ("sector", "Kuliner"),
        // As people write it; shown back as "Rp 5.000.000".
        ("capital", "Rp 5.000.000"),
        ("workers", "1200"),
        ("village", "53.03.05.1003"),
        ("risk", risk),
    ]
}

pub(crate) async fn business_licence(app: &TestApp, c: &Client, risk: &str) -> String {
    number_of(&file(app, c, "IZIN-USAHA-MIKRO", &licence_fields(risk)).await)
}

/// The step ids an officer may act on, in page order, from the inbox page of an application.
pub(crate) async fn steps_for(app: &TestApp, c: &Client, number: &str) -> Vec<String> {
    let (status, html) = app.get_text(c, &format!("/m/ttu/kotak-masuk/{number}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    html.split("name=\"step\" value=\"").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect()
}

pub(crate) async fn act(
    app: &TestApp,
    c: &Client,
    number: &str,
    step: &str,
    act: &str,
    reason: &str,
) -> reqwest::Response {
    let page = format!("/m/ttu/kotak-masuk/{number}");
    let fields = [("step", step), ("act", act), ("reason", reason)];
    app.post_form(c, &page, &format!("{page}/aksi"), &fields).await
}

/// Claims and approves the first step this officer may act on.
pub(crate) async fn approve_next(app: &TestApp, c: &Client, number: &str) {
    let step = steps_for(app, c, number).await.first().cloned().expect("a step to act on");
    assert_eq!(act(app, c, number, &step, "claim", "").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(act(app, c, number, &step, "approve", "").await.status(), StatusCode::SEE_OTHER);
}

pub(crate) async fn receipt(app: &TestApp, c: &Client, number: &str) -> String {
    let (status, html) = app.get_text(c, &format!("/m/ttu/permohonan/{number}")).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    html
}

async fn a_business_licence_goes_from_filing_to_issued_across_two_agencies(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    // The service's page leads to its online form.
    let (_, page) = app.get_text(&citizen, "/m/ttu/layanan/IZIN-USAHA-MIKRO").await;
    assert!(page.contains("href=\"/m/ttu/layanan/IZIN-USAHA-MIKRO/ajukan\""), "{page}");
    let number = business_licence(&app, &citizen, "high").await;
    assert_eq!(number, "TTU-261125-0001");
    let html = receipt(&app, &citizen, &number).await;
    // Five steps on the high-risk path: 1 + 2 + max(3, 3) + 1 working days.
    assert!(html.contains("Diproses") && html.contains("<svg"), "{html}");
    assert!(html.contains("4 Desember 2026"), "due seven working days later: {html}");
    assert!(html.contains("Kios Siti") && html.contains("Dinas Penanaman Modal"), "{html}");
    // Money and counts the Indonesian way.
    assert!(html.contains("Rp 5.000.000") && html.contains("1.200") && !html.contains("5000000"), "{html}");

    let licensing = app.login(LICENSING).await;
    let (_, inbox) = app.get_text(&licensing, "/m/ttu/kotak-masuk").await;
    assert!(inbox.contains(&number) && inbox.contains("Verifikasi berkas"), "{inbox}");
    // Stage 1 (document check), then stage 2 (self-declaration check).
    approve_next(&app, &licensing, &number).await;
    approve_next(&app, &licensing, &number).await;

    // Stage 3: spatial planning (PUPR) and environment (DLH) side by side.
    let pupr = app.login(PUPR).await;
    let dlh = app.login(DLH).await;
    let (_, inbox) = app.get_text(&pupr, "/m/ttu/kotak-masuk").await;
    assert!(inbox.contains("Kajian tata ruang") && !inbox.contains("Kajian lingkungan"), "{inbox}");
    let dlh_step = steps_for(&app, &dlh, &number).await[0].clone();
    // PUPR's officer cannot decide DLH's step.
    let r = act(&app, &pupr, &number, &dlh_step, "claim", "").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    approve_next(&app, &pupr, &number).await;
    let html = receipt(&app, &citizen, &number).await;
    assert!(html.contains("Dinas Lingkungan Hidup"), "still with DLH: {html}");
    approve_next(&app, &dlh, &number).await;

    // Stage 4: issuance, back at DPMPTSP.
    approve_next(&app, &licensing, &number).await;
    let html = receipt(&app, &citizen, &number).await;
    assert!(html.contains("Selesai, dokumen terbit"), "{html}");
    for event in ["Permohonan diajukan", "Diambil petugas", "Disetujui", "Tahap berikutnya dimulai", "Dokumen terbit"] {
        assert!(html.contains(event), "timeline has {event}: {html}");
    }
    assert!(html.contains("Tim Teknis PUPR (demo)") && html.contains("Petugas DLH (demo)"), "{html}");
    // Nothing is left in anyone's inbox, and a decided step cannot be decided again.
    let (_, inbox) = app.get_text(&licensing, "/m/ttu/kotak-masuk").await;
    assert!(!inbox.contains(&number), "{inbox}");
    let r = act(&app, &dlh, &number, &dlh_step, "approve", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}
both!(a_business_licence_goes_from_filing_to_issued_across_two_agencies);

async fn a_low_risk_licence_skips_the_reviews_and_other_agencies_never_see_it(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let number = business_licence(&app, &citizen, "low").await;
    let html = receipt(&app, &citizen, &number).await;
    assert!(!html.contains("Kajian tata ruang") && html.contains("Penerbitan izin"), "{html}");
    // The technical team has nothing to do with it: not even its page.
    let pupr = app.login(PUPR).await;
    assert_eq!(app.get(&pupr, &format!("/m/ttu/kotak-masuk/{number}")).await.status(), StatusCode::NOT_FOUND);
    // A counter officer of Dukcapil has no step here either, and no citizen has an inbox.
    let dukcapil = app.login(OFFICER).await;
    assert_eq!(app.get(&dukcapil, &format!("/m/ttu/kotak-masuk/{number}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&citizen, "/m/ttu/kotak-masuk").await.status(), StatusCode::FORBIDDEN);
    let licensing = app.login(LICENSING).await;
    approve_next(&app, &licensing, &number).await;
    approve_next(&app, &licensing, &number).await;
    assert!(receipt(&app, &citizen, &number).await.contains("Selesai, dokumen terbit"));
}
both!(a_low_risk_licence_skips_the_reviews_and_other_agencies_never_see_it);

async fn bad_input_is_refused_field_by_field_and_keeps_what_was_typed(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let fields = [
        ("business_name", "Kios Siti"),
        ("owner_nik", "1234"),
        ("sector", "Kuliner"),
        ("capital", "-5"),
        ("workers", "2"),
        ("village", "53.03"),
    ];
    let r = file(&app, &citizen, "IZIN-USAHA-MIKRO", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("NIK harus 16 angka") && html.contains("Pilih desa/kelurahan dari daftar"), "{html}");
    assert!(html.contains("Bukan jumlah rupiah yang sah"), "{html}");
    // Every problem at once: the risk level, never chosen, is said now too.
    assert!(html.contains("Pilih tingkat risiko"), "all errors in one round: {html}");
    assert!(html.contains("value=\"Kios Siti\"") && html.contains("aria-invalid=\"true\""), "{html}");
    // The service's requirements are a checklist: each must be ticked.
    let page = "/m/ttu/layanan/IZIN-USAHA-MIKRO/ajukan";
    let (_, form) = app.get_text(&citizen, page).await;
    assert!(form.contains("Persyaratan") && form.contains("name=\"requirement.0\""), "{form}");
    let mut complete = licence_fields("low");
    complete.push(("requirement.0", "1"));
    let r = app.post_form(&citizen, page, page, &complete).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Centang semua persyaratan") && html.contains("value=\"Kios Siti\""), "{html}");
    assert!(html.contains("name=\"requirement.0\" value=\"1\" checked"), "what was ticked stays ticked");
    // Nothing was filed.
    let (_, mine) = app.get_text(&citizen, "/m/ttu/permohonan").await;
    assert!(!mine.contains("Permohonan saya"), "no application of theirs: {mine}");
    // Filing needs an account.
    let anonymous = app.client();
    let r = app.get(&anonymous, "/m/ttu/layanan/PBG/ajukan").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/masuk?next="));
}
both!(bad_input_is_refused_field_by_field_and_keeps_what_was_typed);

pub(crate) async fn research_letter(app: &TestApp, c: &Client) -> String {
    let fields = [
        ("researcher_nik", NIK),
        ("title", "Tenun ikat Biboki"),
        ("institution", "Universitas Timor"),
        ("village", "53.03.05.1003"),
        ("starts", "2027-01-04"),
        ("ends", "2027-02-26"),
    ];
    number_of(&file(app, c, "REKOM-PENELITIAN", &fields).await)
}

async fn a_correction_pauses_the_clock_until_the_citizen_resubmits(app: TestApp) {
    // Monday 7 December: two working days, due Wednesday 9 December.
    set_clock(&app, "2026-12-07T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let number = research_letter(&app, &citizen).await;
    assert!(receipt(&app, &citizen, &number).await.contains("9 Desember 2026"));
    let licensing = app.login(LICENSING).await;
    let step = steps_for(&app, &licensing, &number).await[0].clone();
    act(&app, &licensing, &number, &step, "claim", "").await;
    // A correction needs a reason.
    let r = act(&app, &licensing, &number, &step, "request_correction", " ").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("Tuliskan alasannya"));
    let r = act(&app, &licensing, &number, &step, "request_correction", "Tanggal selesai melewati izin kampus").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // While it is with the citizen, the officer cannot decide it.
    let r = act(&app, &licensing, &number, &step, "approve", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = receipt(&app, &citizen, &number).await;
    assert!(html.contains("Perlu perbaikan") && html.contains("Tanggal selesai melewati izin kampus"), "{html}");

    // Back on Wednesday: two working days (Tue, Wed) stood still. (Sessions
    // do not last two days: everyone signs in again.)
    set_clock(&app, "2026-12-09T10:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let licensing = app.login(LICENSING).await;
    let page = format!("/m/ttu/permohonan/{number}");
    let bad = [
        ("researcher_nik", NIK),
        ("title", ""),
        ("institution", "Universitas Timor"),
        ("village", "53.03.05.1003"),
        ("starts", "2027-01-04"),
        ("ends", "2027-01-29"),
    ];
    let r = app.post_form(&citizen, &page, &format!("{page}/perbaiki"), &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a required field left empty");
    let fixed = [
        ("researcher_nik", NIK),
        ("title", "Tenun ikat Biboki"),
        ("institution", "Universitas Timor"),
        ("village", "53.03.05.1003"),
        ("starts", "2027-01-04"),
        ("ends", "2027-01-29"),
    ];
    let r = app.post_form(&citizen, &page, &format!("{page}/perbaiki"), &fixed).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let html = receipt(&app, &citizen, &number).await;
    assert!(html.contains("Diproses") && html.contains("2027-01-29"), "{html}");
    assert!(html.contains("11 Desember 2026"), "due pushed from 9 to 11 December: {html}");
    assert!(html.contains("Perbaikan dikirim pemohon"), "{html}");
    // The same officer still holds the step and can now approve it.
    approve_next_claimed(&app, &licensing, &number, &step).await;
}
both!(a_correction_pauses_the_clock_until_the_citizen_resubmits);

async fn approve_next_claimed(app: &TestApp, c: &Client, number: &str, step: &str) {
    assert_eq!(act(app, c, number, step, "approve", "").await.status(), StatusCode::SEE_OTHER);
}

async fn deadlines_skip_the_christmas_holidays_and_the_weekend(app: TestApp) {
    // Wednesday 23 December; 24 (cuti bersama) and 25 (Christmas) are off,
    // then the weekend: two working days end on Tuesday 29 December.
    set_clock(&app, "2026-12-23T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let number = research_letter(&app, &citizen).await;
    assert!(receipt(&app, &citizen, &number).await.contains("29 Desember 2026"));
    let licensing = app.login(LICENSING).await;
    let (_, inbox) = app.get_text(&licensing, "/m/ttu/kotak-masuk").await;
    // The document check takes one working day: due Monday 28 December.
    assert!(inbox.contains("28 Desember 2026"), "{inbox}");
    // On the 29th it is overdue, and marked so.
    set_clock(&app, "2026-12-29T09:00:00+08:00");
    let licensing = app.login(LICENSING).await;
    let (_, inbox) = app.get_text(&licensing, "/m/ttu/kotak-masuk").await;
    assert!(inbox.contains("class=\"overdue\"") && inbox.contains("1 terlambat"), "{inbox}");
    // The escalation view: only what is late or nearly so, counted per agency.
    let (_, urgent) = app.get_text(&licensing, "/m/ttu/kotak-masuk?lihat=mendesak").await;
    assert!(urgent.contains(&number) && urgent.contains("per instansi"), "{urgent}");
    assert!(urgent.contains("<td>Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten Timor Tengah Utara</td><td>1</td><td>0</td>"), "{urgent}");
}
both!(deadlines_skip_the_christmas_holidays_and_the_weekend);

async fn a_late_environmental_review_is_deemed_approved(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let fields =
        [("owner_nik", NIK), ("village", "53.03.05.1003"), ("use", "Hunian"), ("floor_area", "120"), ("floors", "2")];
    let number = number_of(&file(&app, &citizen, "PBG", &fields).await);
    let licensing = app.login(LICENSING).await;
    approve_next(&app, &licensing, &number).await;
    // Stage 2 opened on 25 November: DLH has five working days (to 2 December).
    let pupr = app.login(PUPR).await;
    approve_next(&app, &pupr, &number).await;
    assert_eq!(mpp::application::flow::deem_overdue(&app.state).await.unwrap(), 0, "not late yet");
    set_clock(&app, "2026-12-03T08:00:00+08:00");
    // The server's housekeeping may get there first; either way, once.
    assert!(mpp::application::flow::deem_overdue(&app.state).await.unwrap() <= 1);
    let (citizen, pupr) = (app.login(CITIZEN).await, app.login(PUPR).await);
    let html = receipt(&app, &citizen, &number).await;
    assert!(
        html.contains("Dianggap disetujui karena lewat batas waktu") && html.contains("Pemeriksaan lapangan"),
        "{html}"
    );
    // The field inspection (stage 3) is now open at PUPR.
    let (_, inbox) = app.get_text(&pupr, "/m/ttu/kotak-masuk").await;
    assert!(inbox.contains("Pemeriksaan lapangan"), "{inbox}");
}
both!(a_late_environmental_review_is_deemed_approved);

async fn anyone_tracks_with_the_number_and_the_last_four_nik_digits(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let number = research_letter(&app, &citizen).await;
    let stranger = app.client();
    let page = format!("/m/ttu/permohonan/{number}");
    assert_eq!(app.get(&stranger, &page).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&stranger, &format!("{page}?nik=9999")).await.status(), StatusCode::NOT_FOUND);
    // An officer comments in words meant for the applicant.
    let licensing = app.login(LICENSING).await;
    let step = steps_for(&app, &licensing, &number).await.first().cloned().unwrap();
    assert_eq!(act(&app, &licensing, &number, &step, "claim", "").await.status(), StatusCode::SEE_OTHER);
    let note = "Surat pengantar kampus belum ditandatangani dekan";
    assert_eq!(act(&app, &licensing, &number, &step, "comment", note).await.status(), StatusCode::SEE_OTHER);
    let (status, html) = app.get_text(&stranger, &format!("{page}?nik=0001")).await;
    assert_eq!(status, StatusCode::OK);
    // Status, stage and dates; nothing about the applicant, no officer's words or names.
    assert!(html.contains("Verifikasi berkas") && html.contains("25 November 2026"), "{html}");
    for private in ["Tenun ikat Biboki", "Warga (demo)", note, "Petugas Perizinan"] {
        assert!(!html.contains(private), "the tracking view shows {private}: {html}");
    }
    let (_, own) = app.get_text(&citizen, &page).await;
    assert!(own.contains(note) && own.contains("Tenun ikat Biboki"), "the applicant sees it all: {own}");
    // The lookup form leads there too; a wrong pair says so.
    let r = app.get(&stranger, &format!("/m/ttu/permohonan?nomor={}&nik=0001", number.to_lowercase())).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = app.get_text(&stranger, &format!("/m/ttu/permohonan?nomor={number}&nik=1234")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Permohonan tidak ditemukan"));
    // The citizen's own list.
    let (_, mine) = app.get_text(&citizen, "/m/ttu/permohonan").await;
    assert!(mine.contains(&number) && mine.contains("Surat Keterangan Penelitian"), "{mine}");
}
both!(anyone_tracks_with_the_number_and_the_last_four_nik_digits);

/// The last four NIK digits are a secret one could guess: five wrong
/// endings close an application's tracking for the window (from any
/// address), and one address walking numbers is stopped after twenty
/// misses. A person who knows theirs waits; the applicant, logged in,
/// does not.
async fn tracking_guesses_are_throttled(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let number = research_letter(&app, &citizen).await;
    let from = |c: &Client, ip: &str, path: &str| c.get(app.url(path)).header("x-forwarded-for", ip).send();
    let c = app.client();
    let page = format!("/m/ttu/permohonan/{number}");
    for guess in ["1111", "2222", "3333", "4444", "5555"] {
        let r = from(&c, &format!("198.51.100.{}", &guess[..1]), &format!("{page}?nik={guess}")).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    let r = from(&c, "198.51.100.77", &format!("{page}?nik=0001")).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "closed from every address, even to the right digits");
    assert!(r.text().await.unwrap().contains("Terlalu banyak nomor atau digit NIK yang salah"));
    assert_eq!(app.get(&citizen, &page).await.status(), StatusCode::OK, "the applicant is not locked out");
    set_clock(&app, "2026-11-25T09:16:00+08:00");
    let r = from(&c, "198.51.100.77", &format!("{page}?nik=0001")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "open again after the window");

    // One address walking the day's numbers through the lookup form.
    for n in 2..=21 {
        let r = from(&c, "203.0.113.9", &format!("/m/ttu/permohonan?nomor=TTU-261125-{n:04}&nik=0001")).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "guess {n}");
    }
    let r = from(&c, "203.0.113.9", &format!("{page}?nik=0001")).await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "that address is stopped");
    let r = from(&c, "203.0.113.10", &format!("{page}?nik=0001")).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "its neighbour is not");
}
both!(tracking_guesses_are_throttled);

async fn integrators_file_track_and_decide_through_the_api(app: TestApp) {
    use crate::api::token_for;
    use serde_json::{Value, json};
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let c = Client::new();
    let citizen = token_for(&app, CITIZEN).await;
    let base = app.url("/api/v1/malls/ttu/applications");
    let body = json!({"service": "REKOM-PENELITIAN", "values": {
        "researcher_nik": NIK, "title": "Tenun ikat Biboki", "institution": "Universitas Timor",
        "village": "53.03.05.1003", "starts": "2027-01-04", "ends": "2027-02-26"}});
    // Bad values: a problem document naming each field; nothing filed.
    let bad = json!({"service": "REKOM-PENELITIAN", "values": {"researcher_nik": "12"}});
    let r = c.post(&base).bearer_auth(&citizen).json(&bad).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let doc: Value = r.json().await.unwrap();
    let fields: Vec<&str> = doc["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&"researcher_nik") && fields.contains(&"title"), "{doc}");
    // Filed once, even when retried with the same key.
    let send = |key: &'static str, body: Value| {
        c.post(&base).bearer_auth(&citizen).header("Idempotency-Key", key).json(&body).send()
    };
    let first = send("filing-1", body.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let filed: Value = first.json().await.unwrap();
    let number = filed["number"].as_str().unwrap().to_string();
    assert_eq!(filed["status"], "in_progress");
    assert_eq!(filed["due_day"], "2026-11-27");
    let again = send("filing-1", body.clone()).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["number"], number.as_str());
    let mut other = body.clone();
    other["values"]["title"] = json!("Another study");
    assert_eq!(send("filing-1", other).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);

    // The licensing officer's inbox, and a decision.
    let officer = token_for(&app, LICENSING).await;
    let inbox: Value =
        c.get(app.url("/api/v1/malls/ttu/inbox")).bearer_auth(&officer).send().await.unwrap().json().await.unwrap();
    let line = inbox.as_array().unwrap().iter().find(|l| l["number"] == number.as_str()).unwrap().clone();
    assert_eq!(line["agency"], "dpmptsp");
    let step_url =
        app.url(&format!("/api/v1/malls/ttu/applications/{number}/steps/{}", line["step"].as_str().unwrap()));
    let r = c.post(&step_url).bearer_auth(&officer).json(&json!({"act": "approve"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT, "claim first");
    let r = c.post(&step_url).bearer_auth(&officer).json(&json!({"act": "claim"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = c.post(&step_url).bearer_auth(&officer).json(&json!({"act": "approve"})).send().await.unwrap();
    let after: Value = r.json().await.unwrap();
    assert_eq!(after["steps"][1]["status"], "open", "{after}");
    // Officers of other agencies can neither decide nor read it; the citizen reads it.
    let pupr = token_for(&app, PUPR).await;
    let r = c.post(&step_url).bearer_auth(&pupr).json(&json!({"act": "comment", "reason": "x"})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let one = app.url(&format!("/api/v1/malls/ttu/applications/{number}"));
    assert_eq!(c.get(&one).bearer_auth(&pupr).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let mine: Value = c.get(&one).bearer_auth(&citizen).send().await.unwrap().json().await.unwrap();
    let actions: Vec<&str> =
        mine["timeline"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["filed", "claim", "approve", "stage_opened"]);
    // A citizen has no inbox.
    let r = c.get(app.url("/api/v1/malls/ttu/inbox")).bearer_auth(&citizen).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both!(integrators_file_track_and_decide_through_the_api);

async fn another_malls_staff_never_see_an_application(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    crate::tenancy::second_mall(&app).await;
    let citizen = app.login(CITIZEN).await;
    let number = research_letter(&app, &citizen).await;
    let kupang = app.login("admin@kupang.example").await;
    // Its own inbox works and is empty of TTU's work; TTU's is refused.
    let (status, own) = app.get_text(&kupang, "/m/kupang/kotak-masuk").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!own.contains(&number));
    assert_eq!(app.get(&kupang, "/m/ttu/kotak-masuk").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&kupang, &format!("/m/ttu/kotak-masuk/{number}")).await.status(), StatusCode::FORBIDDEN);
    // Not through TTU's receipt, nor under its own mall's address.
    assert_eq!(app.get(&kupang, &format!("/m/ttu/permohonan/{number}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&kupang, &format!("/m/kupang/permohonan/{number}?nik=0001")).await.status(),
        StatusCode::NOT_FOUND
    );
    // Nor through the API, reading or acting.
    let token = crate::api::token_for(&app, "admin@kupang.example").await;
    let c = Client::new();
    let r =
        c.get(app.url(&format!("/api/v1/malls/ttu/applications/{number}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let licensing = app.login(LICENSING).await;
    let step = steps_for(&app, &licensing, &number).await[0].clone();
    let r = c
        .post(app.url(&format!("/api/v1/malls/ttu/applications/{number}/steps/{step}")))
        .bearer_auth(&token)
        .json(&serde_json::json!({"act": "claim"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both!(another_malls_staff_never_see_an_application);

async fn an_officer_files_for_a_visitor_at_the_counter(app: TestApp) {
    use crate::visit::{WEDNESDAY_MORNING, kiosk_ticket};
    set_clock(&app, WEDNESDAY_MORNING);
    let ticket = kiosk_ticket(&app, "IZIN-USAHA-MIKRO", "none").await;
    let licensing = app.login(LICENSING).await;
    let console = "/m/ttu/loket/15";
    app.post_form(&licensing, console, &format!("{console}/status"), &[("status", "open")]).await;
    app.post_form(&licensing, console, &format!("{console}/panggil"), &[]).await;
    let (_, html) = app.get_text(&licensing, console).await;
    assert!(html.contains("/m/ttu/loket/15/permohonan"), "the console offers filing: {html}");
    let (status, pick) = app.get_text(&licensing, "/m/ttu/loket/15/permohonan").await;
    assert_eq!(status, StatusCode::OK);
    assert!(pick.contains("IZIN-USAHA-MIKRO") && pick.contains("H-001"), "the visitor's service, and ticket: {pick}");
    // Another agency's officer does not work this counter.
    let r = app.get(&app.login(DLH).await, "/m/ttu/loket/15/permohonan").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let form = "/m/ttu/loket/15/permohonan?layanan=IZIN-USAHA-MIKRO";
    let mut fields = vec![
        ("applicant_name", ""),
        ("applicant_email", "nobody@example.id"),
        ("business_name", "Tenun Ina"),
        ("owner_nik", NIK),
        ("sector", "Kerajinan"),
        ("capital", "3000000"),
        ("workers", "1"),
        ("village", "53.03.05.1003"),
        ("risk", "low"),
    ];
    fields.extend(crate::helpers::ticked());
    // No name and an email without an account: both said, nothing lost.
    let r = app.post_form(&licensing, form, form, &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Tuliskan nama pemohon") && html.contains("Belum ada akun dengan email ini"), "{html}");
    assert!(html.contains("value=\"Tenun Ina\""), "{html}");
    // A walk-in without an account: tracked with the number and NIK digits.
    fields[0] = ("applicant_name", "Ina Seran");
    fields[1] = ("applicant_email", "");
    let r = app.post_form(&licensing, form, form, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_string();
    assert!(to.ends_with("?nik=0001"), "{to}");
    let (status, receipt) = app.get_text(&app.client(), &to).await;
    assert_eq!(status, StatusCode::OK);
    // The tracking view: status and dates, not the applicant nor the officer.
    assert!(receipt.contains("Diproses") && !receipt.contains("Ina Seran"), "{receipt}");
    assert!(!receipt.contains("Petugas Perizinan DPMPTSP (demo)"), "{receipt}");
    let number = to.split('/').next_back().unwrap().split('?').next().unwrap().to_string();
    let (_, officers) = app.get_text(&licensing, &format!("/m/ttu/kotak-masuk/{number}")).await;
    assert!(officers.contains("Petugas Perizinan DPMPTSP (demo)"), "the timeline names who filed it: {officers}");
    let row: (String, Option<String>, String) =
        sql::query("SELECT channel, ticket_id, applicant_name FROM applications WHERE number = $1")
            .bind(&number)
            .fetch_one(&mut Conn::Read(&app.state.db))
            .await
            .unwrap();
    assert_eq!(row, ("counter".to_string(), Some(ticket), "Ina Seran".to_string()));
    // A citizen with an account: it lands in their own list.
    fields[0] = ("applicant_name", "Warga");
    fields[1] = ("applicant_email", CITIZEN);
    let r = app.post_form(&licensing, form, form, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, mine) = app.get_text(&app.login(CITIZEN).await, "/m/ttu/permohonan").await;
    assert!(mine.contains("TTU-261125-0002"), "{mine}");
}
both!(an_officer_files_for_a_visitor_at_the_counter);
