//! Fees and payments end to end: a building approval (PBG) billed per m²,
//! paid through the bank gateway's signed callback (a forged, a stale
//! (replayed) and a valid call; a repeat pays nothing twice; every call
//! logged), and one paid at the counter after choosing a faster tier.

use crate::application::{DLH, LICENSING, NIK, PUPR, act, approve_next, receipt, steps_for};
use crate::helpers::{CITIZEN, TestApp, both};
use crate::visit::set_clock;
use hmac::{Hmac, Mac};
use mpp::db::sql::{self, Conn};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const SECRET: &str = mpp::demo::GATEWAY_SECRET;

async fn building_approval(app: &TestApp, c: &Client, speed: &str) -> String {
    let page = "/m/ttu/layanan/PBG/ajukan";
    let mut fields = vec![
        ("owner_nik", NIK),
        ("village", "53.03.05.1003"),
        ("use", "Hunian"),
        ("floor_area", "120"),
        ("floors", "2"),
        ("speed", speed),
    ];
    fields.extend(crate::helpers::ticked());
    let r = app.post_form(c, page, page, &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string()
}

fn billing_code(html: &str) -> String {
    let code = html.split("class=\"billing-code\">").nth(1).expect("a billing code").split('<').next().unwrap();
    assert!(mpp_domain::application::is_billing_code(code), "{code}");
    code.to_string()
}

/// Every stage up to the payment: intake, the technical reviews, the
/// inspection and the head of office's approval.
async fn up_to_payment(app: &TestApp, number: &str) {
    let licensing = app.login(LICENSING).await;
    let pupr = app.login(PUPR).await;
    approve_next(app, &licensing, number).await;
    approve_next(app, &pupr, number).await;
    approve_next(app, &app.login(DLH).await, number).await;
    approve_next(app, &pupr, number).await;
    approve_next(app, &licensing, number).await;
}

/// A call of the payment webhook, signed with `secret` at `at` (Unix seconds).
async fn callback(app: &TestApp, body: &Value, secret: &str, at: i64, key: Option<&str>) -> reqwest::Response {
    let raw = body.to_string();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{at}.{raw}").as_bytes());
    let signature: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    let mut r = Client::new()
        .post(app.url("/api/v1/malls/ttu/payments/callback"))
        .header("content-type", "application/json")
        .header("X-MPP-Timestamp", at.to_string())
        .header("X-MPP-Signature", format!("sha256={signature}"));
    if let Some(key) = key {
        r = r.header("Idempotency-Key", key);
    }
    r.body(raw).send().await.unwrap()
}

fn now_secs(app: &TestApp) -> i64 {
    app.state.clock.now_ms() / 1000
}

async fn logged_outcomes(app: &TestApp) -> Vec<String> {
    let mut v: Vec<String> =
        sql::query("SELECT outcome FROM payment_callbacks").fetch_all(&mut Conn::Read(&app.state.db)).await.unwrap();
    v.sort();
    v
}

async fn a_building_approval_is_paid_through_the_signed_gateway(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let number = building_approval(&app, &citizen, "").await;
    let html = receipt(&app, &citizen, &number).await;
    // 120 m² at Rp 10.000.
    assert!(html.contains("Rp 1.200.000") && html.contains("Belum dibayar"), "{html}");
    let code = billing_code(&html);
    up_to_payment(&app, &number).await;
    // The payment step waits for the money; no officer can approve it.
    let licensing = app.login(LICENSING).await;
    let step = steps_for(&app, &licensing, &number).await[0].clone();
    act(&app, &licensing, &number, &step, "claim", "").await;
    let r = act(&app, &licensing, &number, &step, "approve", "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("saat pembayaran tercatat"));

    let paid = json!({"billing_code": code, "amount": 1_200_000, "reference": "QRIS-7781"});
    // Forged: signed with another secret.
    let r = callback(&app, &paid, "not-the-secret", now_secs(&app), Some("n-1")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
    // Replayed: a genuine call captured ten minutes ago.
    let r = callback(&app, &paid, SECRET, now_secs(&app) - 600, Some("n-1")).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // No idempotency key; the wrong amount; an unknown code.
    assert_eq!(callback(&app, &paid, SECRET, now_secs(&app), None).await.status(), StatusCode::BAD_REQUEST);
    let short = json!({"billing_code": code, "amount": 1_000_000, "reference": "QRIS-7781"});
    let r = callback(&app, &short, SECRET, now_secs(&app), Some("n-2")).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = json!({"billing_code": "000000000000000", "amount": 1_200_000, "reference": "x"});
    let r = callback(&app, &unknown, SECRET, now_secs(&app), Some("n-3")).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(receipt(&app, &citizen, &number).await.contains("Belum dibayar"), "nothing refused was paid");

    // The genuine call pays the bill and the application moves on.
    let r = callback(&app, &paid, SECRET, now_secs(&app), Some("n-1")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "paid");
    assert_eq!(body["receipt_number"], format!("KW-{code}"));
    assert_eq!(body["application"], number.as_str());
    // The gateway retries: answered as before, paid once.
    let r = callback(&app, &paid, SECRET, now_secs(&app), Some("n-1")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["idempotency-replayed"], "true");
    // Another notification for the same bill: already paid.
    let r = callback(&app, &paid, SECRET, now_secs(&app), Some("n-4")).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = receipt(&app, &citizen, &number).await;
    assert!(html.contains("Lunas") && html.contains("QRIS-7781"), "{html}");
    assert_eq!(html.matches("Pembayaran diterima").count(), 1, "paid once: {html}");
    let (status, kw) = app.get_text(&citizen, &format!("/m/ttu/permohonan/{number}/kuitansi")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(kw.contains(&format!("KW-{code}")) && kw.contains("Bank / QRIS") && kw.contains("Rp 1.200.000"), "{kw}");

    // Issuance is next, and the certificate follows.
    approve_next(&app, &licensing, &number).await;
    assert!(receipt(&app, &citizen, &number).await.contains("503/0001/DPMPTSP/XI/2026"));
    let mut expected =
        vec!["accepted", "already_paid", "forged", "malformed", "replayed", "stale", "unknown_code", "wrong_amount"];
    expected.sort_unstable();
    assert_eq!(logged_outcomes(&app).await, expected, "every call is logged");
}
both!(a_building_approval_is_paid_through_the_signed_gateway);

async fn a_faster_tier_costs_more_and_is_paid_at_the_counter(app: TestApp) {
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    // A speed the service does not offer is refused, the form kept.
    let page = "/m/ttu/layanan/PBG/ajukan";
    let r = app.post_form(&citizen, page, page, &[("floor_area", "120"), ("speed", "3")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("value=\"120\"") && html.contains("12 hari kerja"), "{html}");
    let number = building_approval(&app, &citizen, "12").await;
    let html = receipt(&app, &citizen, &number).await;
    // Rp 1.200.000 plus Rp 750.000 for twelve working days (due 11 December, not in January).
    assert!(html.contains("Rp 1.950.000") && html.contains("11 Desember 2026"), "{html}");
    let fee_page = format!("/m/ttu/kotak-masuk/{number}");
    let pay = format!("{fee_page}/bayar");
    // DLH reviews it but does not take its money; the licensing office does, with a slip number.
    let r = app.post_form(&app.login(DLH).await, &fee_page, &pay, &[("reference", "KSR-1")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let licensing = app.login(LICENSING).await;
    let r = app.post_form(&licensing, &fee_page, &pay, &[("reference", " ")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("nomor bukti setor"));
    let r = app.post_form(&licensing, &fee_page, &pay, &[("reference", "KSR-0001")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, kw) = app.get_text(&citizen, &format!("/m/ttu/permohonan/{number}/kuitansi")).await;
    assert!(kw.contains("Loket kasir MPP") && kw.contains("KSR-0001") && kw.contains("Rp 1.950.000"), "{kw}");
    // Paid before its turn: the payment step approves itself when it opens.
    up_to_payment(&app, &number).await;
    let html = receipt(&app, &citizen, &number).await;
    assert!(html.contains("Penerbitan PBG") && html.contains("Lunas"), "{html}");
    approve_next(&app, &licensing, &number).await;
    assert!(receipt(&app, &citizen, &number).await.contains("Selesai, dokumen terbit"));
}
both!(a_faster_tier_costs_more_and_is_paid_at_the_counter);
