//! The breach register: the manager records an incident (a window and a
//! suspect account), MPP finds from the access log exactly the citizens
//! whose data that account read then, and telling them and the supervisor
//! is one step, tracked against the 3 × 24-hour deadline.

use crate::application::{LICENSING, business_licence};
use crate::helpers::{ADMIN, CITIZEN, SUPERVISOR, TestApp, both};
use crate::visit::set_clock;
use mpp::db::sql::{self, Conn};
use reqwest::StatusCode;

async fn an_incident_finds_the_citizens_it_touched_and_tells_them_and_the_supervisor(app: TestApp) {
    // Two citizens' applications, read by the licensing officer on two days.
    set_clock(&app, "2026-11-24T09:00:00+08:00");
    let maria = app.login(CITIZEN).await;
    let hers = business_licence(&app, &maria, "low").await;
    let other = app.login(crate::helpers::AGENCY_ADMIN).await;
    let theirs = business_licence(&app, &other, "low").await;
    set_clock(&app, "2026-11-24T10:00:00+08:00");
    let officer = app.login(LICENSING).await;
    assert_eq!(app.get(&officer, &format!("/m/ttu/kotak-masuk/{hers}")).await.status(), StatusCode::OK);
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let officer = app.login(LICENSING).await;
    assert_eq!(app.get(&officer, &format!("/m/ttu/kotak-masuk/{theirs}")).await.status(), StatusCode::OK);

    let admin = app.login(ADMIN).await;
    let page = "/m/ttu/admin/insiden";
    let (status, html) = app.get_text(&admin, page).await;
    assert_eq!(status, StatusCode::OK);
    let officer_id: String = sql::query("SELECT id FROM users WHERE email = $1")
        .bind(LICENSING)
        .fetch_one(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    assert!(html.contains(&format!("<option value=\"{officer_id}\">")), "the staff to choose from: {html}");
    // Mistakes are named at their fields, what was typed kept.
    let bad = [
        ("title", ""),
        ("from", "2026-11-24T17:00"),
        ("to", "2026-11-24T08:00"),
        ("discovered", "2026-11-25T08:00"),
        ("reader", ""),
    ];
    let r = app.post_form(&admin, page, page, &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("Tulis judul")
            && html.contains("Selesai sebelum mulai")
            && html.contains("value=\"2026-11-24T17:00\""),
        "{html}"
    );
    let good = [
        ("title", "Akun petugas perizinan dipakai orang lain"),
        ("description", "Kata sandi petugas tertulis di meja loket."),
        ("from", "2026-11-24T08:00"),
        ("to", "2026-11-24T17:00"),
        ("discovered", "2026-11-25T08:00"),
        ("reader", officer_id.as_str()),
    ];
    assert_eq!(app.post_form(&admin, page, page, &good).await.status(), StatusCode::SEE_OTHER);
    let subjects: Vec<String> =
        sql::query("SELECT u.email FROM breach_subjects s JOIN users u ON u.id = s.subject_id ORDER BY u.email")
            .fetch_all(&mut Conn::Read(&app.state.db))
            .await
            .unwrap();
    assert_eq!(subjects, [CITIZEN], "only the reads in the window, by that account");
    let (_, html) = app.get_text(&admin, page).await;
    assert!(html.contains("Belum diberitahukan") && html.contains("28 November 2026 08.00 WITA"), "{html}");

    // Past the deadline it is overdue; telling is one step, once.
    set_clock(&app, "2026-11-28T09:00:00+08:00");
    let admin = app.login(ADMIN).await;
    let (_, html) = app.get_text(&admin, page).await;
    assert!(html.contains("Terlambat memberitahukan"), "{html}");
    let id = html.split("/admin/insiden/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let tell = format!("/m/ttu/admin/insiden/{id}/beritahu");
    assert_eq!(app.post_form(&admin, page, &tell, &[]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.post_form(&admin, page, &tell, &[]).await.status(), StatusCode::CONFLICT);
    let told: Vec<(String, String)> = sql::query(
        "SELECT to_email, body FROM notifications WHERE kind = 'data-breach' AND channel = 'log' ORDER BY to_email",
    )
    .fetch_all(&mut Conn::Read(&app.state.db))
    .await
    .unwrap();
    let emails: Vec<&str> = told.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(emails, [SUPERVISOR, CITIZEN], "the citizen affected and the supervisor, nobody else");
    assert!(told.iter().all(|(_, body)| body.contains("Akun petugas perizinan dipakai orang lain")), "{told:?}");
    let (_, html) = app.get_text(&admin, page).await;
    assert!(html.contains("Diberitahukan terlambat"), "{html}");
    // An officer may not record or tell.
    let r = app.post_form(&app.login(LICENSING).await, "/akun", page, &good).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both!(an_incident_finds_the_citizens_it_touched_and_tells_them_and_the_supervisor);
