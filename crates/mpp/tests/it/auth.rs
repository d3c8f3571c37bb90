//! Registration, login, sessions, CSRF and the login rate limit.

use crate::helpers::{ADMIN, CITIZEN, DEMO_PASSWORD, OFFICER, TestApp, both, csrf_of};
use mpp::db::sql::{self, Conn};
use reqwest::StatusCode;

async fn citizen_registers_and_is_logged_in(app: TestApp) {
    let c = app.client();
    let r = app
        .post_form(
            &c,
            "/daftar",
            "/daftar",
            &[
                ("name", "Maria Bano"),
                ("email", "maria@example.id"),
                ("password", "pendek"),
                ("password_again", "pendek"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Kata sandi minimal 10 karakter"));
    assert!(html.contains("value=\"Maria Bano\""), "what was typed is kept");
    let fields = [
        ("name", "Maria Bano"),
        ("email", "maria@example.id"),
        ("password", "kata-sandi-panjang"),
        ("password_again", "kata-sandi-panjang"),
    ];
    let r = app.post_form(&c, "/daftar", "/daftar", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, html) = app.get_text(&c, "/akun").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("maria@example.id") && html.contains("terdaftar sebagai warga"));
    // The same email again is a field error, not a crash.
    let other = app.client();
    let r = app.post_form(&other, "/daftar", "/daftar", &fields).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("sudah terdaftar"));
}
both!(citizen_registers_and_is_logged_in);

async fn session_cookie_is_protected_and_logout_ends_it(app: TestApp) {
    let c = app.client();
    let (_, html) = app.get_text(&c, "/masuk").await;
    let r = c
        .post(app.url("/masuk"))
        .header("x-forwarded-proto", "https")
        .form(&[("_csrf", csrf_of(&html).as_str()), ("email", CITIZEN), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("mpp_session="))
        .unwrap();
    for flag in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    let (status, _) = app.get_text(&c, "/akun").await;
    assert_eq!(status, StatusCode::OK);
    let r = app.post_form(&c, "/akun", "/keluar", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app.get(&c, "/akun").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "logged out: sent to the login page");
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/masuk?next=/akun"));
}
both!(session_cookie_is_protected_and_logout_ends_it);

async fn forms_without_a_csrf_token_are_refused(app: TestApp) {
    let c = app.client();
    app.get(&c, "/masuk").await; // gets the CSRF cookie, but we do not send the field
    let r = c.post(app.url("/masuk")).form(&[("email", CITIZEN), ("password", DEMO_PASSWORD)]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("kedaluwarsa"));
    let r = c
        .post(app.url("/masuk"))
        .form(&[("_csrf", "0".repeat(64).as_str()), ("email", CITIZEN), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "a wrong token is refused");
    // A cross-site request is refused even with the right token.
    let (_, html) = app.get_text(&c, "/masuk").await;
    let r = c
        .post(app.url("/masuk"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("_csrf", csrf_of(&html).as_str()), ("email", CITIZEN), ("password", DEMO_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both!(forms_without_a_csrf_token_are_refused);

async fn repeated_bad_logins_are_throttled(app: TestApp) {
    let c = app.client();
    for _ in 0..5 {
        let r = app.post_form(&c, "/masuk", "/masuk", &[("email", CITIZEN), ("password", "salah-sekali")]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.text().await.unwrap().contains("Email atau kata sandi salah"));
    }
    let r = app.post_form(&c, "/masuk", "/masuk", &[("email", CITIZEN), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits out the window");
}
both!(repeated_bad_logins_are_throttled);

/// Behind the TLS proxy (which the tests' 127.0.0.1 stands for), one
/// person failing from one address cannot lock out the mall: other
/// clients log in, and even that address logs in with a right password.
/// An attacked account waits out the window whatever address tries, and
/// the counts are shared by every server process on the database.
async fn one_address_cannot_lock_out_the_mall(app: TestApp) {
    let login = |ip: &'static str, email: &'static str, password: &'static str| {
        let app = &app;
        async move {
            let c = app.client();
            let (_, html) = app.get_text(&c, "/masuk").await;
            let form = [("_csrf", csrf_of(&html)), ("email", email.into()), ("password", password.into())];
            c.post(app.url("/masuk")).header("x-forwarded-for", ip).form(&form).send().await.unwrap().status()
        }
    };
    const ATTACKER: &str = "203.0.113.7";
    let wrong = ["a@contoh.id", "b@contoh.id", "c@contoh.id", "d@contoh.id"];
    for i in 0..20 {
        assert_eq!(login(ATTACKER, wrong[i % 4], "tebak-tebak").await, StatusCode::UNAUTHORIZED, "try {i}");
    }
    // The address is suspect now: wrong passwords are "too many" …
    assert_eq!(login(ATTACKER, "e@contoh.id", "tebak").await, StatusCode::TOO_MANY_REQUESTS);
    // … a right one still gets in, and other clients are untouched.
    assert_eq!(login(ATTACKER, CITIZEN, DEMO_PASSWORD).await, StatusCode::SEE_OTHER);
    assert_eq!(login("203.0.113.8", ADMIN, DEMO_PASSWORD).await, StatusCode::SEE_OTHER);

    // An account attacked from five addresses is closed to all of them.
    for ip in ["198.51.100.1", "198.51.100.2", "198.51.100.3", "198.51.100.4", "198.51.100.5"] {
        assert_eq!(login(ip, OFFICER, "tebak").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login("198.51.100.6", OFFICER, DEMO_PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);

    // A second server process on the same database sees the same counts.
    let settings = mpp::Settings {
        database_url: app.database_url.clone(),
        data_dir: std::env::temp_dir().join(format!("mpp-second-{}", crate::helpers::unique())),
        trusted_proxies: mpp::client_addr::TrustedProxies::parse("127.0.0.1").unwrap(),
        ..Default::default()
    };
    let second = mpp::prepare(&settings, app.state.clock.clone()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let other = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(mpp::server::serve(listener, second));
    let c = app.client();
    let html = c.get(format!("{other}/masuk")).send().await.unwrap().text().await.unwrap();
    let form = [("_csrf", csrf_of(&html)), ("email", OFFICER.into()), ("password", DEMO_PASSWORD.into())];
    let r =
        c.post(format!("{other}/masuk")).header("x-forwarded-for", "198.51.100.9").form(&form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "the other process knows");
    std::fs::remove_dir_all(&settings.data_dir).ok();
}
both!(one_address_cannot_lock_out_the_mall);

/// Staff find their work from the navigation: "My work" leads to the
/// account page's links to the console, the inbox, the greeter and the
/// back office; a refusal page shows a logged-in user as logged in.
async fn staff_find_their_work_and_refusals_know_who_is_there(app: TestApp) {
    let officer = app.login(OFFICER).await;
    let (_, home) = app.get_text(&officer, "/m/ttu").await;
    assert!(home.contains("href=\"/akun#kerja\"") && home.contains("Kerja saya"), "{home}");
    let (_, account) = app.get_text(&officer, "/akun").await;
    for link in ["/m/ttu/loket", "/m/ttu/kotak-masuk", "/m/ttu/penyambut"] {
        assert!(account.contains(&format!("href=\"{link}\"")), "{link}: {account}");
    }
    assert!(!account.contains("href=\"/m/ttu/admin\""), "an officer has no back office");
    let citizen = app.login(CITIZEN).await;
    let (_, home) = app.get_text(&citizen, "/m/ttu").await;
    assert!(!home.contains("Kerja saya"), "a citizen has no staff work");
    // Refused (403 from the policy, 404 from a handler): still logged in.
    for path in ["/m/ttu/admin", "/m/ttu/layanan/TIDAK-ADA"] {
        let (status, page) = app.get_text(&officer, path).await;
        assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND, "{path}: {status}");
        assert!(page.contains("Keluar") && !page.contains(">Masuk<"), "{path}: {page}");
    }
    let (_, page) = app.get_text(&officer, "/tidak/ada/sama/sekali").await;
    assert!(page.contains("Keluar"), "the unknown-path page too: {page}");
}
both!(staff_find_their_work_and_refusals_know_who_is_there);

/// A user sees their API tokens (never the secret again) with when each
/// was last used, and revokes one: it stops working at once; the change is
/// on the deployment's audit trail; nobody else can revoke it.
async fn api_tokens_are_listed_with_their_last_use_and_revoked(app: TestApp) {
    let token = crate::api::token_for(&app, OFFICER).await;
    let officer = app.login(OFFICER).await;
    let (_, page) = app.get_text(&officer, "/akun").await;
    assert!(page.contains("integration test") && page.contains("belum pernah"), "{page}");
    assert!(!page.contains(&token), "the secret is shown only once");
    let c = reqwest::Client::new();
    let read = |t: String| c.get(app.url("/api/v1/malls/ttu/inbox")).bearer_auth(t).send();
    assert_eq!(read(token.clone()).await.unwrap().status(), StatusCode::OK);
    let (_, page) = app.get_text(&officer, "/akun").await;
    assert!(!page.contains("belum pernah"), "its use is noted: {page}");
    let revoke = page.split("action=\"/akun/token/").nth(1).unwrap().split('"').next().unwrap().to_string();
    let path = format!("/akun/token/{revoke}");
    // Someone else's account cannot revoke it.
    let citizen = app.login(CITIZEN).await;
    assert_eq!(app.post_form(&citizen, "/akun", &path, &[]).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(read(token.clone()).await.unwrap().status(), StatusCode::OK);
    let r = app.post_form(&officer, "/akun", &path, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(read(token).await.unwrap().status(), StatusCode::UNAUTHORIZED, "revoked at once");
    let on_record: i64 = sql::query(
        "SELECT COUNT(*) FROM audit_events WHERE mall_id = '' AND entity_id = 'POST /akun/token/{id}/cabut'",
    )
    .fetch_one(&mut Conn::Read(&app.state.db))
    .await
    .unwrap();
    assert_eq!(on_record, 1);
}
both!(api_tokens_are_listed_with_their_last_use_and_revoked);

/// A forgotten password: the same answer for an address with or without
/// an account; the link arrives by email only (never in the log), works
/// once and for 30 minutes, ends the account's other sessions, and the
/// change is on record.
async fn a_forgotten_password_is_reset_by_a_one_time_link(app: TestApp) {
    crate::visit::set_clock(&app, crate::visit::WEDNESDAY_MORNING);
    let smtp = mpp::notify::smtp::Config { addr: "127.0.0.1:9".into(), from: "noreply@mpp.test".into() };
    let app = app.another_server(|s| s.notify.smtp = Some(smtp)).await;
    let elsewhere = app.login(CITIZEN).await;
    let ask = |email: &'static str| {
        let app = &app;
        async move {
            let c = app.client();
            let r = app.post_form(&c, "/lupa-sandi", "/lupa-sandi", &[("email", email)]).await;
            (r.status(), r.text().await.unwrap())
        }
    };
    let (s1, unknown) = ask("tidak.ada@contoh.id").await;
    let (s2, known) = ask(CITIZEN).await;
    assert_eq!((s1, s2), (StatusCode::OK, StatusCode::OK));
    // Alike but for the address typed and each browser's own form token.
    let same = |page: &str, email: &str| page.replace(email, "EMAIL").replace(&csrf_of(page), "TOKEN");
    assert_eq!(same(&unknown, "tidak.ada@contoh.id"), same(&known, CITIZEN), "no telling who has an account");
    let mails: Vec<(String, String)> =
        sql::query("SELECT channel, body FROM notifications WHERE kind = 'password-reset' ORDER BY channel")
            .fetch_all(&mut Conn::Read(&app.state.db))
            .await
            .unwrap();
    assert_eq!(mails.len(), 2, "one message, for the account that exists: {mails:?}");
    assert!(!mails[1].1.contains("/atur-sandi/"), "the log never holds the link: {mails:?}");
    let link = mails[0].1.split(&app.base).nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    assert!(link.starts_with("/atur-sandi/"), "{link}");

    // Too short first (nothing spent), then set.
    let r = app.post_form(&app.client(), &link, &link, &[("password", "pendek"), ("password_again", "pendek")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let new = [("password", "kata-sandi-baru-2026"), ("password_again", "kata-sandi-baru-2026")];
    let r = app.post_form(&app.client(), &link, &link, &new).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Once only; the other session is over; the old password no longer opens it.
    assert_eq!(app.get(&app.client(), &link).await.status(), StatusCode::CONFLICT);
    assert_eq!(app.get(&elsewhere, "/akun").await.status(), StatusCode::SEE_OTHER, "logged out elsewhere");
    let c = app.client();
    let old = app.post_form(&c, "/masuk", "/masuk", &[("email", CITIZEN), ("password", DEMO_PASSWORD)]).await;
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    let r = app.post_form(&c, "/masuk", "/masuk", &[("email", CITIZEN), ("password", "kata-sandi-baru-2026")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let changed: i64 = sql::query("SELECT COUNT(*) FROM audit_events WHERE mall_id = '' AND entity = 'password'")
        .fetch_one(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    assert_eq!(changed, 1);

    // A link 31 minutes old works no more.
    ask(CITIZEN).await;
    let body: String = sql::query(
        "SELECT body FROM notifications WHERE kind = 'password-reset' AND channel = 'email' ORDER BY created_at DESC, id DESC LIMIT 1",
    )
    .fetch_one(&mut Conn::Read(&app.state.db))
    .await
    .unwrap();
    let late = body.split(&app.base).nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    crate::visit::set_clock(&app, "2026-11-25T09:31:30+08:00");
    assert_eq!(app.get(&app.client(), &late).await.status(), StatusCode::CONFLICT);
}
both!(a_forgotten_password_is_reset_by_a_one_time_link);
