//! The access log: an officer sees a citizen's data only through an
//! application their agency works on, masked, every read on record before
//! the page is sent; the citizen reads the record; the log is a chain that
//! `mpp audit verify` checks.

use crate::application::{LICENSING, NIK, business_licence};
use crate::cli::{mpp, text};
use crate::helpers::{CITIZEN, OFFICER, TestApp, both};
use crate::visit::set_clock;
use mpp::db::sql::{self, Conn};
use reqwest::StatusCode;

/// The log's rows about the demo citizen: (reader's email, what, purpose, purpose_ref, reason), oldest first.
async fn reads(app: &TestApp) -> Vec<(String, String, String, String, String)> {
    sql::query(
        "SELECT u.email, l.what, l.purpose, l.purpose_ref, l.reason FROM access_log l
         JOIN users u ON u.id = l.reader_id
         WHERE l.subject_id = (SELECT id FROM users WHERE email = $1) ORDER BY l.seq",
    )
    .bind(CITIZEN)
    .fetch_all(&mut Conn::Read(&app.state.db))
    .await
    .unwrap()
}

const MASKED: &str = "5304••••••••0001";

/// Posts the reveal form of the officer's page (whose CSRF token is given).
async fn reveal(
    app: &TestApp,
    officer: &reqwest::Client,
    page: &str,
    csrf: &str,
    field: &str,
    reason: &str,
) -> reqwest::Response {
    let form = [("_csrf", csrf), ("field", field), ("reason", reason)];
    officer.post(app.url(&format!("{page}/buka"))).form(&form).send().await.unwrap()
}

async fn an_officers_every_read_is_on_record_and_the_citizen_sees_who_what_and_why(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let number = business_licence(&app, &citizen, "low").await;
    // The citizen's own reads are not on the log.
    let (_, own) = app.get_text(&citizen, &format!("/m/ttu/permohonan/{number}")).await;
    assert!(own.contains(NIK), "the applicant sees their NIK");
    assert!(reads(&app).await.is_empty());

    // The officer of the licensing agency: masked, and on record.
    let officer = app.login(LICENSING).await;
    let page = format!("/m/ttu/kotak-masuk/{number}");
    let (status, html) = app.get_text(&officer, &page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(MASKED) && !html.contains(NIK), "{html}");
    let log = reads(&app).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0], (LICENSING.into(), "application".into(), "application".into(), number.clone(), String::new()));

    // A reveal without a reason, or with too short a one, shows the page
    // again (one more read of the application) but not the NIK.
    let csrf = crate::helpers::csrf_of(&html);
    for (reason, says) in [("", "Tulis alasan"), ("cek", "terlalu singkat")] {
        let r = reveal(&app, &officer, &page, &csrf, "owner_nik", reason).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains(says) && !html.contains(NIK), "{html}");
        assert!(html.contains(&format!(">{reason}</textarea>")), "what was typed is kept");
    }
    // A field that is not masked, or not on the form: refused.
    for field in ["sector", "nothing"] {
        let r = reveal(&app, &officer, &page, &csrf, field, "Mencocokkan data usaha").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{field}");
    }
    let log = reads(&app).await;
    assert_eq!(log.len(), 3, "the pages shown with the refusals are reads of the application: {log:?}");
    assert!(log.iter().all(|r| r.1 == "application"));
    let reason = "Mencocokkan dengan KTP asli yang dibawa pemohon";
    let r = reveal(&app, &officer, &page, &csrf, "owner_nik", reason).await;
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains(NIK) && html.contains("tercatat di riwayat akses"), "{html}");
    let log = reads(&app).await;
    let revealed = log.iter().find(|r| r.1.starts_with("field:")).expect("the reveal is on record");
    assert_eq!((revealed.1.as_str(), revealed.4.as_str()), ("field:NIK pemilik usaha", reason));
    // And the next view is masked again.
    let (_, html) = app.get_text(&officer, &page).await;
    assert!(!html.contains(NIK));

    // Through the API too: masked, on record.
    let token = crate::api::token_for(&app, LICENSING).await;
    let before = reads(&app).await.len();
    let v: serde_json::Value = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/malls/ttu/applications/{number}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["values"]["owner_nik"], MASKED, "{v}");
    assert_eq!(reads(&app).await.len(), before + 1);

    // An officer of an agency the application does not reach sees nothing, and nothing is recorded.
    let before = reads(&app).await.len();
    let stranger = app.login(OFFICER).await;
    assert_eq!(app.get(&stranger, &page).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.get(&stranger, &format!("/m/ttu/permohonan/{number}")).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(reads(&app).await.len(), before);

    // The citizen's history: newest first, who, which agency, what, why, the reason.
    let (status, history) = app.get_text(&citizen, "/akun/riwayat-akses").await;
    assert_eq!(status, StatusCode::OK);
    for says in
        ["Riwayat akses data", "memproses permohonan", &number, "NIK pemilik usaha secara lengkap", reason, "DPMPTSP"]
    {
        assert!(history.contains(says), "{says}: {history}");
    }
    let newest = history.find("isi permohonan").unwrap();
    assert!(
        newest < history.find("NIK pemilik usaha secara lengkap").unwrap(),
        "the API read after the reveal comes first"
    );
    // Someone else's history holds none of it.
    let (_, theirs) = app.get_text(&officer, "/akun/riwayat-akses").await;
    assert!(!theirs.contains(&number) && theirs.contains("Belum ada"), "{theirs}");
    // Not for visitors who are not logged in.
    assert_ne!(app.get(&app.client(), "/akun/riwayat-akses").await.status(), StatusCode::OK);

    // The log is a chain: it holds, and an edited read is named.
    let o = mpp(&app, &["audit", "verify"]);
    assert!(o.status.success() && text(&o).contains("access log"), "{}", text(&o));
    app.state.db.run(sql::query("UPDATE access_log SET reader_name = 'Orang Lain' WHERE seq = 2")).await.unwrap();
    let o = mpp(&app, &["audit", "verify"]);
    assert!(!o.status.success() && text(&o).contains("access log: entry 2"), "{}", text(&o));
}
both!(an_officers_every_read_is_on_record_and_the_citizen_sees_who_what_and_why);

/// A read that cannot be put on record is not made: with the log's table
/// gone, the officer's page, the API and the document download all fail
/// and send none of the citizen's data.
async fn no_record_no_read(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let number = business_licence(&app, &citizen, "low").await;
    app.state.db.run(sql::query("DROP TABLE access_heads")).await.unwrap();
    let officer = app.login(LICENSING).await;
    let token = crate::api::token_for(&app, LICENSING).await;
    let (status, html) = app.get_text(&officer, &format!("/m/ttu/kotak-masuk/{number}")).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!html.contains("Kios Siti") && !html.contains("5304"), "{html}");
    let r = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/malls/ttu/applications/{number}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!r.text().await.unwrap().contains("Kios Siti"));
    // The applicant's own reads need no record.
    let (status, own) = app.get_text(&citizen, &format!("/m/ttu/permohonan/{number}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(own.contains("Kios Siti"));
}
both!(no_record_no_read);

/// Thirty officer reads at once, through two server processes, are thirty
/// entries of one unbroken chain: each process writes its reads in
/// batches, each batch takes the mall's head in turn.
async fn reads_at_once_through_two_processes_keep_one_chain(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let number = business_licence(&app, &citizen, "low").await;
    let other = app.another_server(|_| {}).await;
    let token = crate::api::token_for(&app, LICENSING).await;
    let c = reqwest::Client::new();
    let requests = (0..30).map(|n| {
        let server = if n % 2 == 0 { &app } else { &other };
        let url = server.url(&format!("/api/v1/malls/ttu/applications/{number}"));
        let (c, token) = (c.clone(), token.clone());
        async move { c.get(url).bearer_auth(token).send().await.unwrap().status() }
    });
    for status in futures_util::future::join_all(requests).await {
        assert_eq!(status, StatusCode::OK);
    }
    assert_eq!(reads(&app).await.len(), 30);
    let o = mpp(&app, &["audit", "verify"]);
    assert!(o.status.success() && text(&o).contains("access log: 30 entries, the chain holds"), "{}", text(&o));
}
both!(reads_at_once_through_two_processes_keep_one_chain);

/// The pages staff work the queue on show no personal data to log: a
/// visitor's phone number left at the kiosk (for messages), and the name
/// of an account that booked, never reach the greeter's or the counter's
/// screen, in pages or the queue's API.
async fn the_queue_shows_staff_no_personal_data(app: TestApp) {
    use crate::visit::{WEDNESDAY_MORNING, kiosk_ticket_with_phone};
    set_clock(&app, WEDNESDAY_MORNING);
    let ticket = kiosk_ticket_with_phone(&app, "KTP-EL", "0812 7777 6543").await;
    let officer = app.login(crate::helpers::OFFICER).await;
    let console = "/m/ttu/loket/1";
    app.post_form(&officer, console, &format!("{console}/status"), &[("status", "open")]).await;
    let r = app.post_form(&officer, console, &format!("{console}/panggil"), &[]).await;
    assert!(r.status().is_redirection(), "{}", r.status());
    // Whole runs of the phone number: a page's random tokens may hold any four digits.
    let reads = |html: &str| ["7777 6543", "77776543", "Warga (demo)"].iter().any(|s| html.contains(s));
    for page in [console, "/m/ttu/penyambut", "/m/ttu/kotak-masuk"] {
        let (status, html) = app.get_text(&officer, page).await;
        assert!(status.is_success(), "{page}: {status}");
        assert!(!reads(&html), "{page} shows personal data: {html}");
    }
    for path in [
        format!("/api/v1/malls/ttu/tickets/{ticket}"),
        "/api/v1/malls/ttu/queue".into(),
        "/api/v1/malls/ttu/calls".into(),
    ] {
        let (status, body) = app.get_text(&officer, &path).await;
        assert!(status.is_success() && !reads(&body), "{path}: {body}");
    }
    let logged: i64 =
        sql::query("SELECT COUNT(*) FROM access_log").fetch_one(&mut Conn::Read(&app.state.db)).await.unwrap();
    assert_eq!(logged, 0, "nothing personal was shown, nothing was read");
}
both!(the_queue_shows_staff_no_personal_data);

/// At the counter, the ticket being served is the officer's ground: when
/// the visitor booked with their account, the filing form starts from that
/// account's profile, and the read is on the citizen's history (basis
/// `ticket`); a ticket nobody booked fills nothing and reads nothing.
async fn a_ticket_being_served_fills_the_counter_form_from_the_profile(app: TestApp) {
    set_clock(&app, "2026-11-25T10:00:00+08:00");
    let register = crate::profile::stand_in_register().await;
    let server = crate::profile::with_register(&app, &register, "register-token-for-tests").await;
    let citizen = server.login(CITIZEN).await;
    let details = [
        ("nik", NIK),
        ("full_name", "Maria Bano"),
        ("birth_date", "1990-03-12"),
        ("kk", "5304011220000007"),
        ("region", "53.03.05.1003"),
        ("street", "Jl. Sonbai"),
        ("phone", "0812 3456 7890"),
    ];
    assert_eq!(
        server.post_form(&citizen, "/akun/profil", "/akun/profil", &details).await.status(),
        StatusCode::SEE_OTHER
    );
    let slots: serde_json::Value = reqwest::get(app.url("/api/v1/malls/ttu/services/KK/slots?date=2026-11-26"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let start = slots["slots"][0]["start"].as_i64().unwrap().to_string();
    let page = "/m/ttu/janji/layanan/KK?tanggal=2026-11-26";
    let r = app
        .post_form(
            &citizen,
            page,
            "/m/ttu/janji/layanan/KK",
            &[("tanggal", "2026-11-26"), ("slot", &start), ("pindah", "")],
        )
        .await;
    let code = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
    set_clock(&app, "2026-11-26T09:00:00+08:00");
    let token = crate::api::token_for(&app, OFFICER).await;
    let url = app.url(&format!("/api/v1/malls/ttu/appointments/{code}/check-in"));
    let r = reqwest::Client::new().post(url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    let officer = app.login(OFFICER).await;
    let console = "/m/ttu/loket/2";
    app.post_form(&officer, console, &format!("{console}/status"), &[("status", "open")]).await;
    app.post_form(&officer, console, &format!("{console}/panggil"), &[]).await;
    assert_eq!(count_reads(&app).await, 0, "calling a ticket reads nothing");
    let (status, form) = app.get_text(&officer, &format!("{console}/permohonan?layanan=KK")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains(&format!("value=\"{NIK}\"")) && form.contains("value=\"Maria Bano\""), "{form}");
    assert!(form.contains("tercatat di riwayat akses datanya"), "{form}");
    let logged: Vec<(String, String, String)> = sql::query("SELECT what, purpose, purpose_ref FROM access_log")
        .fetch_all(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!((logged[0].0.as_str(), logged[0].1.as_str()), ("profile", "ticket"));
    assert!(form.contains(&logged[0].2), "the ticket's label is the ground: {logged:?}");
    let citizen = app.login(CITIZEN).await;
    let (_, history) = app.get_text(&citizen, "/akun/riwayat-akses").await;
    assert!(history.contains("melayani antrean") && history.contains("data diri (NIK"), "{history}");

    // The next visitor took a ticket at the kiosk, without an account: nothing filled, nothing read.
    let (_, html) = app.get_text(&officer, console).await;
    let ticket = html.split("name=\"ticket\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    for action in [vec![("action", "start")], vec![("action", "finish"), ("outcome", "served")]] {
        let mut fields = action.clone();
        fields.push(("ticket", &ticket));
        let r = app.post_form(&officer, console, &format!("{console}/aksi"), &fields).await;
        assert!(r.status().is_redirection(), "{action:?}: {}", r.status());
    }
    let (_, html) = app.get_text(&officer, console).await;
    assert!(!html.contains(&ticket), "the booked visitor is done: {html}");
    crate::visit::kiosk_ticket(&app, "KK", "none").await;
    app.post_form(&officer, console, &format!("{console}/panggil"), &[]).await;
    let (_, form) = app.get_text(&officer, &format!("{console}/permohonan?layanan=KK")).await;
    assert!(!form.contains(NIK) && !form.contains("tercatat di riwayat akses datanya"), "{form}");
    assert_eq!(count_reads(&app).await, 1);
}
both!(a_ticket_being_served_fills_the_counter_form_from_the_profile);

async fn count_reads(app: &TestApp) -> i64 {
    sql::query("SELECT COUNT(*) FROM access_log").fetch_one(&mut Conn::Read(&app.state.db)).await.unwrap()
}
