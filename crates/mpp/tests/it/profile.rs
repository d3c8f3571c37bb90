//! The citizen's profile: the NIK checked for its structure, then against
//! the population register (the stand-in, a server of its own on a random
//! port, asked over HTTP as the real one would be); the answer kept, never
//! a copy; a verified NIK linked to one account only.

use crate::helpers::{ADMIN, CITIZEN, TestApp, both};
use mpp::db::sql::{self, Conn};
use reqwest::StatusCode;

const TOKEN: &str = "register-token-for-tests";

/// Starts a stand-in register knowing the demo's people; its base URL.
pub(crate) async fn stand_in_register() -> String {
    let people = mpp::profile::stand_in::people(mpp::profile::stand_in::DEMO);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, mpp::profile::stand_in::app(people, TOKEN.into())).await });
    url
}

/// A server of this test's database that asks the stand-in register.
pub(crate) async fn with_register(app: &TestApp, url: &str, token: &str) -> TestApp {
    let config = mpp::profile::register::Config { url: url.into(), token: token.into() };
    app.another_server(|s| s.register = Some(config)).await
}

fn details<'a>(nik: &'a str, name: &'a str, born: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("nik", nik),
        ("full_name", name),
        ("birth_date", born),
        ("kk", "5304011220000007"),
        ("region", "53.03.05.1003"),
        ("street", "Jl. Sonbai RT 01/RW 02"),
        ("phone", "0812 3456 7890"),
    ]
}

async fn checks(app: &TestApp, email: &str) -> Vec<(String, String)> {
    sql::query(
        "SELECT nik, answer FROM nik_checks WHERE user_id = (SELECT id FROM users WHERE email = $1) ORDER BY at, id",
    )
    .bind(email)
    .fetch_all(&mut Conn::Read(&app.state.db))
    .await
    .unwrap()
}

async fn a_citizen_links_a_nik_the_register_confirms(app: TestApp) {
    let register = stand_in_register().await;
    let server = with_register(&app, &register, TOKEN).await;
    let citizen = server.login(CITIZEN).await;
    let page = "/akun/profil";
    let (status, html) = server.get_text(&citizen, page).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Data diri") && html.contains("name=\"nik\""), "{html}");

    // A NIK with no such day, and a date of birth the NIK does not carry:
    // named at their fields, everything typed kept, the register not asked.
    let r = server.post_form(&citizen, page, page, &details("5304019903900001", "Maria Bano", "1990-03-12")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("NIK harus 16 angka yang sah") && html.contains("value=\"Maria Bano\""), "{html}");
    let r = server.post_form(&citizen, page, page, &details("5304015203900001", "Maria Bano", "1990-03-13")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Tanggal lahir tidak sama dengan yang tercantum di NIK"));
    assert!(checks(&server, CITIZEN).await.is_empty());

    // Well formed, but the register knows another name for it: not verified.
    let r = server.post_form(&citizen, page, page, &details("5304015203900001", "Maria Banu", "1990-03-12")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = server.get_text(&citizen, page).await;
    assert!(html.contains("tidak cocok dengan data kependudukan"), "{html}");
    // The name as on the KTP (case and spacing aside): verified.
    let r = server.post_form(&citizen, page, page, &details("5304 0152 0390 0001", "MARIA  bano", "1990-03-12")).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = server.get_text(&citizen, page).await;
    assert!(html.contains("NIK terverifikasi") && html.contains("value=\"5304015203900001\""), "{html}");
    assert_eq!(
        checks(&server, CITIZEN).await,
        [("5304015203900001".into(), "no_match".into()), ("5304015203900001".into(), "match".into())],
        "each question and its answer, nothing of the register's"
    );

    // Given once: the next application form offers the NIK and the village.
    let (_, form) = server.get_text(&citizen, "/m/ttu/layanan/IZIN-USAHA-MIKRO/ajukan").await;
    assert!(form.contains("diisi dari data diri Anda"), "{form}");
    assert!(form.contains("name=\"owner_nik\" type=\"text\" value=\"5304015203900001\""), "{form}");
    assert!(form.contains("value=\"53.03.05.1003\" selected"), "the village is chosen: {form}");

    // Another account cannot link the same NIK, even with the right name and date.
    let other = server.login(ADMIN).await;
    let r = server.post_form(&other, page, page, &details("5304015203900001", "Maria Bano", "1990-03-12")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("sudah terhubung dengan akun lain"));
    let verified: i64 = sql::query("SELECT COUNT(*) FROM citizen_profiles WHERE verified_at IS NOT NULL")
        .fetch_one(&mut Conn::Read(&server.state.db))
        .await
        .unwrap();
    assert_eq!(verified, 1);
}
both!(a_citizen_links_a_nik_the_register_confirms);

/// A register that cannot be asked (none configured, a wrong token, nobody
/// listening) verifies nothing; the profile is still saved.
async fn without_an_answer_the_profile_is_kept_unverified(app: TestApp) {
    let register = stand_in_register().await;
    let nobody = {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let wrong_token = with_register(&app, &register, "not-the-token").await;
    let down = with_register(&app, &nobody, TOKEN).await;
    for server in [&app, &wrong_token, &down] {
        let citizen = server.login(CITIZEN).await;
        let page = "/akun/profil";
        let r = server.post_form(&citizen, page, page, &details("5304015203900001", "Maria Bano", "1990-03-12")).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = server.get_text(&citizen, page).await;
        assert!(html.contains("sedang tidak tersedia") && !html.contains("NIK terverifikasi"), "{html}");
    }
    let answers: Vec<String> = checks(&app, CITIZEN).await.into_iter().map(|(_, a)| a).collect();
    assert_eq!(answers, ["unavailable"; 3]);
}
both!(without_an_answer_the_profile_is_kept_unverified);
