//! The mall's devices: a kiosk issues tickets only once a manager has
//! registered it and it was enrolled with its one-time link; any other
//! browser only within the mall's hourly allowance per client address (so
//! a script cannot use up a service's day); a revoked kiosk stops at once.

use crate::helpers::{ADMIN, TestApp, both, csrf_of};
use crate::visit::{WEDNESDAY_MORNING, set_clock};
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// Sets how many tickets a browser that is not a kiosk may take per hour.
async fn allow_anonymous(app: &TestApp, per_hour: i64) {
    let token = crate::api::token_for(app, ADMIN).await;
    let url = app.url("/api/v1/malls/ttu/queue-settings");
    let mut s: Value = Client::new().get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    s["anonymous_kiosk_per_hour"] = per_hour.into();
    let r = Client::new().put(&url).bearer_auth(&token).json(&s).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

/// Takes a ticket for KTP-EL from `c`, as `ip`; the status and the page.
async fn take(app: &TestApp, c: &Client, ip: &str) -> (StatusCode, String) {
    let page = "/m/ttu/kiosk/data?pilih=KTP-EL";
    let (_, html) = app.get_text(c, page).await;
    let form =
        [("_csrf", csrf_of(&html)), ("pilih", "KTP-EL".into()), ("priority", "none".into()), ("phone", "".into())];
    let r = c.post(app.url("/m/ttu/kiosk/tiket")).header("x-forwarded-for", ip).form(&form).send().await.unwrap();
    (r.status(), r.text().await.unwrap_or_default())
}

async fn only_registered_kiosks_issue_tickets_freely(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    allow_anonymous(&app, 0).await;
    // A browser off the street: told on the first screen, refused at the end.
    let stranger = app.client();
    let (_, home) = app.get_text(&stranger, "/m/ttu/kiosk").await;
    assert!(home.contains("bukan kios terdaftar"), "{home}");
    let (status, html) = take(&app, &stranger, "203.0.113.5").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("bukan kios terdaftar") && html.contains("KTP"), "the choice is kept: {html}");

    // The manager registers a kiosk; the link is shown once, with a QR code.
    let admin = app.login(ADMIN).await;
    let page = "/m/ttu/admin/perangkat";
    let r = app.post_form(&admin, page, page, &[("name", ""), ("kind", "kiosk")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "a name is needed");
    let r = app.post_form(&admin, page, page, &[("name", "Kios pintu utara"), ("kind", "kiosk")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "post, redirect, get: a reload registers nothing twice");
    let (_, html) = app.get_text(&admin, page).await;
    assert!(html.contains("Kios pintu utara telah didaftarkan") && html.contains("<svg"), "{html}");
    let link = html.split("<code class=\"token\">").nth(1).unwrap().split('<').next().unwrap().to_string();
    let path = link.trim_start_matches(&app.base).to_string();
    let (_, list) = app.get_text(&admin, page).await;
    assert!(list.contains("Menunggu pendaftaran"), "{list}");
    assert!(!list.contains(&path), "the link is not shown again");
    assert_eq!(list.matches("Menunggu pendaftaran").count(), 1, "one device");
    // Opened on the device: a confirmation first (a link preview enrols nothing).
    let kiosk = app.client();
    let (status, confirm) = app.get_text(&kiosk, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("Kios pintu utara"), "{confirm}");
    let r = app.post_form(&kiosk, &path, &path, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/m/ttu/kiosk");
    // The link is spent.
    let other = app.client();
    assert_eq!(app.get(&other, &path).await.status(), StatusCode::NOT_FOUND);
    let r = app.post_form(&other, "/masuk", &path, &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The kiosk issues, as many as the day holds.
    for _ in 0..5 {
        assert_eq!(take(&app, &kiosk, "10.0.0.20").await.0, StatusCode::SEE_OTHER);
    }
    let (_, list) = app.get_text(&admin, page).await;
    assert!(list.contains("Terdaftar, terakhir aktif"), "{list}");

    // A mall that allows a few from any browser: three an hour per address.
    allow_anonymous(&app, 3).await;
    let phone = app.client();
    let (_, home) = app.get_text(&phone, "/m/ttu/kiosk").await;
    assert!(!home.contains("bukan kios terdaftar"));
    for _ in 0..3 {
        assert_eq!(take(&app, &phone, "203.0.113.5").await.0, StatusCode::SEE_OTHER);
    }
    let (status, html) = take(&app, &phone, "203.0.113.5").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("Terlalu banyak tiket dari sambungan ini"), "{html}");
    assert_eq!(take(&app, &phone, "203.0.113.6").await.0, StatusCode::SEE_OTHER, "another address");
    set_clock(&app, "2026-11-25T10:01:00+08:00");
    assert_eq!(take(&app, &phone, "203.0.113.5").await.0, StatusCode::SEE_OTHER, "an hour later");

    // Revoked: the kiosk is a stranger again, at once.
    allow_anonymous(&app, 0).await;
    let (_, list) = app.get_text(&admin, page).await;
    let id = list.split("/admin/perangkat/").nth(1).unwrap().split('/').next().unwrap().to_string();
    let revoke = format!("{page}/{id}/cabut");
    assert_eq!(app.post_form(&admin, page, &revoke, &[]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(take(&app, &kiosk, "10.0.0.20").await.0, StatusCode::CONFLICT);
    let (_, list) = app.get_text(&admin, page).await;
    assert!(list.contains("Dicabut"), "{list}");
    // Registering and revoking are on the audit trail.
    let (_, trail) = app.get_text(&admin, "/m/ttu/admin/audit").await;
    assert!(trail.contains("/m/ttu/admin/perangkat") && trail.contains("/cabut"), "{trail}");
}
both!(only_registered_kiosks_issue_tickets_freely);

/// A board enrolled the same way is seen on the devices page; the board
/// itself stays public (it shows what the hall's screens show).
async fn an_enrolled_board_reports_in(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let board = app.enrol_device("Papan ruang tunggu", "board").await;
    assert_eq!(app.get(&board, "/m/ttu/papan").await.status(), StatusCode::OK);
    assert_eq!(app.get(&app.client(), "/m/ttu/papan").await.status(), StatusCode::OK);
    let admin = app.login(ADMIN).await;
    let (_, list) = app.get_text(&admin, "/m/ttu/admin/perangkat").await;
    assert!(list.contains("Papan ruang tunggu") && list.contains("Papan tampilan"), "{list}");
    // Only the whole mall's managers see the devices.
    let agency_admin = app.login(crate::helpers::AGENCY_ADMIN).await;
    assert_eq!(app.get(&agency_admin, "/m/ttu/admin/perangkat").await.status(), StatusCode::FORBIDDEN);
}
both!(an_enrolled_board_reports_in);
