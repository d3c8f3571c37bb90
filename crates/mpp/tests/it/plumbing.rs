//! Health, metrics, unknown paths, security headers, page weight.

use crate::helpers::{TestApp, both};
use reqwest::StatusCode;

async fn health_and_metrics(app: TestApp) {
    let c = app.client();
    let r = app.get(&c, "/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    app.get(&c, "/m/ttu").await;
    let (status, text) = app.get_text(&c, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("mpp_http_requests_total{method=\"GET\",route=\"/m/{slug}\",status=\"200\"} 1"), "{text}");
    assert!(text.contains("mpp_http_request_duration_seconds_count"));
}
both!(health_and_metrics);

async fn unknown_things_are_404_in_the_right_form(app: TestApp) {
    let c = app.client();
    let (status, html) = app.get_text(&c, "/m/tidak-ada").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("tidak ditemukan"), "Indonesian error page: {html}");
    let (status, _) = app.get_text(&c, "/m/BAD SLUG!").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, html) = app.get_text(&c, "/m/ttu/layanan/TIDAK-ADA").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("<html lang=\"id\""));
    let r = app.get(&c, "/api/v1/nothing-here").await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    let doc: serde_json::Value = r.json().await.unwrap();
    assert_eq!(doc["status"], 404);
}
both!(unknown_things_are_404_in_the_right_form);

/// Public pages stay within 30 KB over the wire (gzip), as a cheap phone on
/// a slow network needs.
async fn public_pages_are_light(app: TestApp) {
    let c = reqwest::Client::new();
    for path in ["/m/ttu", "/m/ttu/layanan", "/m/ttu/layanan/KTP-EL", "/m/ttu/instansi/dukcapil", "/static/mpp.css"] {
        let r = c.get(app.url(path)).header("accept-encoding", "gzip").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let headers = r.headers().clone();
        let bytes = r.bytes().await.unwrap();
        assert_eq!(headers.get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"), "{path} is compressed");
        assert!(bytes.len() <= 30 * 1024, "{path} weighs {} bytes", bytes.len());
        println!("page weight {path}: {} bytes gzip", bytes.len());
    }
}
both!(public_pages_are_light);

async fn security_headers_are_set(app: TestApp) {
    let c = app.client();
    let r = app.get(&c, "/m/ttu").await;
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(r.headers()["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
}
both!(security_headers_are_set);
