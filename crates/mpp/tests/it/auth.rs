//! Registration, login, sessions, CSRF and the login rate limit.

use crate::helpers::{CITIZEN, DEMO_PASSWORD, TestApp, both, csrf_of};
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
