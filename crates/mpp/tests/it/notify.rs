//! The notifier: messages to visitors go out through a signed webhook (an
//! SMS/WhatsApp gateway) and SMTP, are retried when a channel fails, and
//! never hold up the call that caused them.

use crate::helpers::{ADMIN, Backend, TestApp};
use crate::visit::{Officer, WEDNESDAY_MORNING, set_clock};
use axum::http::{HeaderMap, StatusCode};
use mpp::db::sql::{self, Conn};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

#[derive(Default)]
struct Received {
    calls: usize,
    delivered: Vec<(String, String)>,
}

/// A gateway that fails its first request, then accepts; returns its URL.
async fn gateway(log: Arc<Mutex<Received>>) -> String {
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let log = log.clone();
            async move {
                let mut r = log.lock().unwrap();
                r.calls += 1;
                if r.calls == 1 {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                let sig = headers.get("x-mpp-signature").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
                r.delivered.push((sig, body));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

/// A mail relay that accepts everything and keeps each message's DATA.
async fn relay(mail: Arc<Mutex<Vec<String>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            let mail = mail.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut r = BufReader::new(r);
                w.write_all(b"220 relay ready\r\n").await.unwrap();
                let mut line = String::new();
                while r.read_line(&mut line).await.unwrap_or(0) > 0 {
                    let cmd = line.to_ascii_uppercase();
                    if cmd.starts_with("EHLO") {
                        w.write_all(b"250-relay\r\n250 8BITMIME\r\n").await.unwrap();
                    } else if cmd.starts_with("DATA") {
                        w.write_all(b"354 go ahead\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            let mut l = String::new();
                            r.read_line(&mut l).await.unwrap();
                            if l == ".\r\n" {
                                break;
                            }
                            data.push_str(&l);
                        }
                        mail.lock().unwrap().push(data);
                        w.write_all(b"250 queued\r\n").await.unwrap();
                    } else if cmd.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        w.write_all(b"250 ok\r\n").await.unwrap();
                    }
                    line.clear();
                }
            });
        }
    });
    addr
}

const SECRET: &str = "rahasia-gateway-uji";

async fn visitors_get_messages_through_every_channel(backend: Backend) {
    let received = Arc::new(Mutex::new(Received::default()));
    let mail = Arc::new(Mutex::new(Vec::new()));
    let config = mpp::notify::Config {
        webhook: Some(mpp::notify::webhook::Config { url: gateway(received.clone()).await, secret: SECRET.into() }),
        smtp: Some(mpp::notify::smtp::Config { addr: relay(mail.clone()).await, from: "noreply@mpp.test".into() }),
    };
    let app = TestApp::spawn_with(backend, config).await;
    set_clock(&app, WEDNESDAY_MORNING);
    for phone in ["0812 1111 1111", "0812 2222 2222", "", "0812 4444 4444", "0812 5555 5555", "0812 6666 6666"] {
        crate::visit::kiosk_ticket_with_phone(&app, "KTP-EL", phone).await;
    }
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    // The gateway is failing right now; the call does not wait for it.
    let called = o.call(1).await.unwrap();
    assert_eq!(called["label"], "A-001");
    // Called: A-001. Near (three or fewer ahead), A-005 (A-003 left no phone; A-006 has four ahead).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while received.lock().unwrap().delivered.len() < 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "webhooks delivered: {}",
            received.lock().unwrap().delivered.len()
        );
        // Retries come after a backoff: time passes, as the test says.
        app.state.clock.advance(5_000);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let delivered = received.lock().unwrap().delivered.clone();
    assert_eq!(delivered.len(), 4, "no duplicates");
    let mut texts = Vec::new();
    for (sig, body) in &delivered {
        let t: i64 = sig.split(',').next().unwrap().trim_start_matches("t=").parse().unwrap();
        assert_eq!(sig, &mpp::notify::webhook::signature(SECRET, t, body.as_bytes()), "signed with the shared secret");
        assert_ne!(sig, &mpp::notify::webhook::signature("another secret", t, body.as_bytes()));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        texts.push((v["to_phone"].as_str().unwrap().to_string(), v["text"].as_str().unwrap().to_string()));
    }
    texts.sort();
    assert_eq!(texts[0], ("6281211111111".into(), "Nomor antrian A-001: silakan menuju loket 1 sekarang.".into()));
    assert!(
        texts[1].1.starts_with("Nomor antrian A-002 (Perekaman") && texts[1].1.contains("0 orang lagi"),
        "{texts:?}"
    );
    assert_eq!(
        texts.iter().map(|t| t.0.as_str()).collect::<Vec<_>>(),
        ["6281211111111", "6281222222222", "6281244444444", "6281255555555"]
    );
    let retried: i64 =
        sql::query("SELECT MAX(attempts) FROM notifications WHERE channel = 'webhook' AND status = 'sent'")
            .fetch_one(&mut Conn::Read(&app.state.db))
            .await
            .unwrap();
    assert_eq!(retried, 2, "the failed delivery was retried");
    let logged: i64 = sql::query("SELECT COUNT(*) FROM notifications WHERE channel = 'log' AND status = 'sent'")
        .fetch_one(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    assert_eq!(logged, 4);

    // The email channel, for messages that carry an address.
    let mall_id: mpp_domain::tenancy::MallId =
        sql::query("SELECT id FROM malls").fetch_one(&mut Conn::Read(&app.state.db)).await.unwrap();
    let m = mpp::notify::Message {
        mall_id,
        kind: "test.email".into(),
        to_email: "warga@example.id".into(),
        subject: "Jadwal Anda – besok".into(),
        body: "Baris satu\n.baris yang diawali titik".into(),
        ..Default::default()
    };
    mpp::notify::enqueue(&app.state, &m).await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while mail.lock().unwrap().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no mail arrived");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let data = mail.lock().unwrap()[0].clone();
    assert!(
        data.contains("To: <warga@example.id>") && data.contains("Subject: =?utf-8?Q?Jadwal_Anda_=E2=80=93_besok?="),
        "{data}"
    );
    assert!(data.contains("Baris satu\r\n..baris yang diawali titik"), "dot-stuffed: {data}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_get_messages_sqlite() {
    visitors_get_messages_through_every_channel(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn visitors_get_messages_postgres() {
    visitors_get_messages_through_every_channel(Backend::Postgres).await;
}
