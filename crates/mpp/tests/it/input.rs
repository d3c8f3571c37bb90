//! Input is refused at the edge, whatever route it is sent to: a control
//! character (NUL above all, which PostgreSQL cannot store) in a path, a
//! query, a form or a JSON body is a 400/422 in the reader's language or a
//! problem document, never a 500 and never stored; a body too large for
//! any form is 413, not "form expired".

use crate::helpers::{ADMIN, TestApp, both, csrf_of};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

fn is_problem(r: &reqwest::Response) -> bool {
    r.headers().get("content-type").is_some_and(|v| v.to_str().unwrap_or("").starts_with("application/problem+json"))
}

/// The path with each `{parameter}` replaced by `value`.
fn with_params(path: &str, value: &str) -> String {
    path.split('{').map(|s| s.split_once('}').map_or(s, |(_, rest)| rest)).collect::<Vec<_>>().join(value)
}

/// Every operation of the OpenAPI document, with NUL in each of its path
/// parameters, in a query parameter and in a JSON body: refused before it
/// reaches the route, as a problem document.
async fn no_api_operation_takes_a_control_character(app: TestApp) {
    let token = crate::api::token_for(&app, ADMIN).await;
    let c = Client::new();
    let doc: Value = c.get(app.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap().iter().filter(|(m, _)| *m != "parameters") {
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let clean = with_params(&path.replace("{slug}", "ttu"), "x");
            let mut tries = vec![(format!("{clean}?q=a%00b"), None)];
            if path.contains('{') {
                tries.push((with_params(path, "a%00b"), None));
            }
            if method != reqwest::Method::GET {
                tries.push((clean.clone(), Some(json!({"name": "Siti\u{0}", "items": ["ok", "\u{1b}[2J"]}))));
            }
            for (url, body) in tries {
                let mut req =
                    c.request(method.clone(), app.url(&url)).bearer_auth(&token).header("accept-language", "id");
                if let Some(b) = &body {
                    req = req.json(b);
                }
                let r = req.send().await.unwrap();
                let status = r.status();
                assert!(is_problem(&r), "{method} {url} ({}): {status} is not a problem document", r.url());
                let problem: Value = r.json().await.unwrap();
                let expected = if body.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::BAD_REQUEST };
                assert_eq!(status, expected, "{method} {url}: {problem}");
                assert!(problem.to_string().contains("karakter kendali"), "{method} {url}: in Indonesian: {problem}");
                checked += 1;
            }
        }
    }
    assert!(checked > 60, "every operation was tried ({checked} requests)");
}
both!(no_api_operation_takes_a_control_character);

/// The forms named by the outside check (login, registration) and any page
/// path: NUL is refused with a page in the visitor's language.
async fn no_page_takes_a_control_character(app: TestApp) {
    let c = app.client();
    for (page, fields) in [
        ("/masuk", vec![("email", "a\u{0}@b.id"), ("password", "x")]),
        ("/daftar", vec![("name", "Siti\u{0}"), ("email", "siti@contoh.id"), ("password", "panjang-sekali-123")]),
    ] {
        let (_, html) = app.get_text(&c, page).await;
        let mut form = vec![("_csrf", csrf_of(&html))];
        form.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
        let r = c.post(app.url(page)).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        let html = r.text().await.unwrap();
        assert!(html.contains("karakter kendali") && html.contains("<html"), "{page}: {html}");
    }
    for path in ["/m/ttu/layanan/KTP%00EL", "/m/ttu/cari?q=ktp%00", "/m/%FF/kiosk", "/masuk?next=%0A/evil"] {
        let (status, html) = app.get_text(&c, path).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {html}");
        assert!(html.contains("karakter kendali"), "{path}: {html}");
    }
    // Tabs and line breaks are text, where text has them.
    let (_, html) = app.get_text(&c, "/daftar").await;
    let form =
        [("_csrf", csrf_of(&html)), ("name", "Siti\tRahma".into()), ("email", "x".into()), ("password", "x".into())];
    let r = c.post(app.url("/daftar")).form(&form).send().await.unwrap();
    assert!(!r.text().await.unwrap().contains("karakter kendali"));
}
both!(no_page_takes_a_control_character);

/// Sends a body too big to be read. The server answers 413 without reading
/// it all, so on a busy machine the client may still be writing when the
/// connection closes and see only the reset; such a try is made again (a
/// browser shows the answer when it gets it; the answer is what is tested).
async fn send_too_big(make: impl Fn() -> reqwest::RequestBuilder) -> reqwest::Response {
    for _ in 0..5 {
        match make().send().await {
            Ok(r) => return r,
            Err(e) => assert!(e.is_request() || e.is_body(), "{e}"),
        }
    }
    panic!("the connection closed before the answer, five times");
}

/// A 13 MB form is 413 with a clear message, not "this form has expired".
async fn an_oversized_form_is_413(app: TestApp) {
    let c = app.client();
    let (_, html) = app.get_text(&c, "/masuk").await;
    let big = "a".repeat(13 * 1024 * 1024);
    let form = [("_csrf", csrf_of(&html)), ("email", big), ("password", "x".into())];
    let r = send_too_big(|| c.post(app.url("/masuk")).form(&form)).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let text = r.text().await.unwrap();
    assert!(text.contains("terlalu besar") && !text.contains("kedaluwarsa"), "{text}");
    let body = format!("{{\"name\":\"{}\"}}", "a".repeat(13 * 1024 * 1024));
    let api = Client::new();
    let r = send_too_big(|| {
        api.post(app.url("/api/v1/malls/ttu/services")).header("content-type", "application/json").body(body.clone())
    })
    .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(is_problem(&r));
}
both!(an_oversized_form_is_413);

/// What the framework refuses by itself (a missing query parameter, a path
/// parameter of the wrong type, a method a route lacks) is a problem
/// document under /api and a page elsewhere, never bare text.
async fn every_refusal_is_a_problem_document_or_a_page(app: TestApp) {
    let token = crate::api::token_for(&app, crate::helpers::OFFICER).await;
    let c = Client::new();
    let cases = [
        (reqwest::Method::GET, "/api/v1/malls/ttu/services/KTP-EL/slots", StatusCode::BAD_REQUEST, Some("date")),
        (
            reqwest::Method::GET,
            "/api/v1/malls/ttu/services/KTP-EL/slots?date=besok",
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("date"),
        ),
        (reqwest::Method::POST, "/api/v1/malls/ttu/counters/satu/call-next", StatusCode::BAD_REQUEST, None),
        (reqwest::Method::DELETE, "/api/v1/malls", StatusCode::METHOD_NOT_ALLOWED, None),
        (reqwest::Method::GET, "/api/v1/tidak-ada", StatusCode::NOT_FOUND, None),
    ];
    for (method, path, status, field) in cases {
        let r = c.request(method.clone(), app.url(path)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), status, "{method} {path}");
        assert!(is_problem(&r), "{method} {path}: a problem document");
        let doc: Value = r.json().await.unwrap();
        assert_eq!(doc["status"], status.as_u16(), "{doc}");
        if let Some(field) = field {
            assert!(doc.to_string().contains(field), "names {field}: {doc}");
        }
    }
    let officer = app.login(crate::helpers::OFFICER).await;
    let r = app.get(&officer, "/m/ttu/loket/satu").await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let html = r.text().await.unwrap();
    assert!(html.contains("<html") && html.contains("Permintaan tidak dapat dibaca"), "{html}");
    let r = app.post_form(&officer, "/akun", "/m/ttu/kiosk", &[]).await;
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(r.text().await.unwrap().contains("tidak menerima cara permintaan itu"));
}
both!(every_refusal_is_a_problem_document_or_a_page);
