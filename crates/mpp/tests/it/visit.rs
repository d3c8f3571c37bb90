//! The visit, end to end over HTTP: kiosk tickets, the counter console and
//! its API, the calling policy, transfers, journeys, holds, no-shows,
//! voids, the daily reset, the board's event stream and its voice, and
//! twenty counters calling at once.

use crate::api::token_for;
use crate::helpers::{ADMIN, CITIZEN, OFFICER, TestApp, both};
use mpp::db::sql::{self, Conn};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

/// Moves the server's clock (RFC 3339 with offset).
pub fn set_clock(app: &TestApp, at: &str) {
    let t = time::OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339).unwrap();
    app.state.clock.set_now((t.unix_timestamp_nanos() / 1_000_000) as i64);
}

/// A Wednesday, mid-morning in Kefamenanu (WITA).
pub const WEDNESDAY_MORNING: &str = "2026-11-25T09:00:00+08:00";

/// Takes a ticket at the kiosk as a visitor would; returns its id.
pub async fn kiosk_ticket(app: &TestApp, codes: &str, priority: &str) -> String {
    take(app, codes, priority, "").await
}

/// The same, leaving a phone number for messages.
pub async fn kiosk_ticket_with_phone(app: &TestApp, codes: &str, phone: &str) -> String {
    take(app, codes, "none", phone).await
}

async fn take(app: &TestApp, codes: &str, priority: &str, phone: &str) -> String {
    let c = app.kiosk().await;
    let page = format!("/m/ttu/kiosk/data?pilih={codes}");
    let fields = [("pilih", codes), ("priority", priority), ("phone", phone)];
    let r = app.post_form(c, &page, "/m/ttu/kiosk/tiket", &fields).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "kiosk issues a ticket");
    let to = r.headers()["location"].to_str().unwrap().to_string();
    to.rsplit('/').next().unwrap().to_string()
}

/// An officer's API client for the demo mall.
pub struct Officer {
    c: Client,
    token: String,
    base: String,
}

impl Officer {
    pub async fn new(app: &TestApp, email: &str) -> Officer {
        Officer { c: Client::new(), token: token_for(app, email).await, base: app.url("/api/v1/malls/ttu") }
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = self.c.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn open(&self, counter: i64) {
        let (s, body) = self
            .send(reqwest::Method::PUT, &format!("/counters/{counter}/state"), Some(json!({"status": "open"})))
            .await;
        assert_eq!(s, StatusCode::OK, "{body}");
    }

    /// The label called, or None when nobody waits.
    pub async fn call(&self, counter: i64) -> Option<Value> {
        let (s, body) = self.send(reqwest::Method::POST, &format!("/counters/{counter}/call-next"), None).await;
        match s {
            StatusCode::OK => Some(body),
            StatusCode::NO_CONTENT => None,
            other => panic!("call-next at {counter}: {other} {body}"),
        }
    }

    pub async fn act(&self, counter: i64, ticket: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, &format!("/counters/{counter}/tickets/{ticket}"), Some(body)).await
    }

    pub async fn finish(&self, counter: i64, ticket: &str) -> Value {
        let (s, body) = self.act(counter, ticket, json!({"action": "finish", "outcome": "served"})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        body
    }
}

async fn ticket_json(app: &TestApp, id: &str) -> Value {
    Client::new().get(app.url(&format!("/api/v1/malls/ttu/tickets/{id}"))).send().await.unwrap().json().await.unwrap()
}

async fn a_visitor_takes_a_number_is_called_and_served(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let id = kiosk_ticket(&app, "KTP-EL", "none").await;
    let c = app.client();
    let (status, printed) = app.get_text(&c, &format!("/m/ttu/kiosk/tiket/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        printed.contains("A-001") && printed.contains("<svg") && printed.contains("0 orang di depan Anda"),
        "{printed}"
    );
    let second = kiosk_ticket(&app, "KTP-EL", "none").await;
    let (_, mine) = app.get_text(&c, &format!("/m/ttu/tiket/{second}")).await;
    assert!(
        mine.contains("A-002") && mine.contains("1 orang di depan Anda") && mine.contains("Perkiraan tunggu 10 menit"),
        "{mine}"
    );
    assert!(mine.contains("Yang perlu dibawa"), "my ticket lists the requirements");

    // The officer works counter 1 from the console page.
    let officer = app.login(OFFICER).await;
    let r = app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/loket/1/panggil", &[]).await;
    assert_eq!(r.headers()["location"], "/m/ttu/loket/1?pesan=visit.counter_not_open", "a closed counter calls nobody");
    let open_button =
        |html: &str| html.split("value=\"open\"").next().unwrap().rsplit("<button").next().unwrap().to_string();
    let (_, closed) = app.get_text(&officer, "/m/ttu/loket/1").await;
    assert!(open_button(&closed) == " class=\"button\" name=\"status\" ", "closed: opening is the next step");
    app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/loket/1/status", &[("status", "open")]).await;
    let (_, open) = app.get_text(&officer, "/m/ttu/loket/1").await;
    assert!(open_button(&open).contains("secondary"), "open: not offered as the next step");
    assert!(open.contains("value=\"open\" type=\"submit\" aria-pressed=\"true\""), "shown as the state it is in");
    let r = app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/loket/1/panggil", &[]).await;
    assert_eq!(r.headers()["location"], "/m/ttu/loket/1");
    let (_, console) = app.get_text(&officer, "/m/ttu/loket/1").await;
    assert!(console.contains("A-001") && console.contains("Menunggu (1)"), "{console}");
    let (_, mine) = app.get_text(&c, &format!("/m/ttu/tiket/{id}")).await;
    assert!(mine.contains("Silakan menuju loket 1"), "{mine}");

    // Another call while serving is refused with the reason.
    let r = app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/loket/1/panggil", &[]).await;
    assert_eq!(r.headers()["location"], "/m/ttu/loket/1?pesan=visit.still_serving");
    let (_, console) = app.get_text(&officer, "/m/ttu/loket/1?pesan=visit.still_serving").await;
    assert!(console.contains("Selesaikan atau tunda"));

    for action in ["start", "finish"] {
        let fields = [("ticket", id.as_str()), ("action", action), ("outcome", "served")];
        let r = app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/loket/1/aksi", &fields).await;
        assert_eq!(r.headers()["location"], "/m/ttu/loket/1", "{action}");
    }
    assert_eq!(ticket_json(&app, &id).await["status"], "done");

    // Only the counter's agency (or the mall's admins) may work it.
    let citizen = app.login(CITIZEN).await;
    assert_eq!(app.get(&citizen, "/m/ttu/loket/1").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&officer, "/m/ttu/loket/6").await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.get(&app.client(), "/m/ttu/loket/1").await.status(), StatusCode::SEE_OTHER);
}
both!(a_visitor_takes_a_number_is_called_and_served);

/// A visitor without a camera types the printed number, as they read it.
async fn a_printed_number_leads_to_its_ticket_without_the_qr_code(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let first = kiosk_ticket(&app, "KTP-EL", "none").await;
    let second = kiosk_ticket(&app, "KTP-EL", "none").await;
    let c = app.client();
    let (_, printed) = app.get_text(&c, &format!("/m/ttu/kiosk/tiket/{second}")).await;
    assert!(printed.contains("/m/ttu/tiket lalu ketik nomor ini"), "the receipt says where to type it: {printed}");
    let (_, home) = app.get_text(&c, "/m/ttu").await;
    assert!(home.contains(r#"href="/m/ttu/tiket""#), "the mall's navigation leads to the form");
    for (typed, id) in [("A-002", &second), ("a2", &second), (" a 001 ", &first)] {
        let r = app.get(&c, &format!("/m/ttu/tiket?nomor={}", typed.replace(' ', "+"))).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{typed}");
        assert_eq!(r.headers()["location"], format!("/m/ttu/tiket/{id}").as_str(), "{typed}");
    }
    for (typed, says) in [("A-009", "Tidak ada tiket dengan nomor ini hari ini"), ("AB-12", "satu huruf dan angka")] {
        let (status, page) = app.get_text(&c, &format!("/m/ttu/tiket?nomor={typed}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{typed}");
        assert!(page.contains(says) && page.contains(r#"aria-invalid="true""#), "{page}");
        assert!(page.contains(&format!(r#"value="{typed}""#)), "the typed number stays: {page}");
    }
    // Tomorrow the same number is somebody else's, or nobody's.
    set_clock(&app, "2026-11-26T09:00:00+08:00");
    let (status, _) = app.get_text(&c, "/m/ttu/tiket?nomor=A-001").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "yesterday's number does not lead to yesterday's ticket");
}
both!(a_printed_number_leads_to_its_ticket_without_the_qr_code);

async fn the_kiosk_refuses_clearly_and_keeps_the_choice(app: TestApp) {
    // Sunday: closed.
    set_clock(&app, "2026-11-29T10:00:00+08:00");
    let c = app.client();
    let r = app
        .post_form(
            &c,
            "/m/ttu/kiosk/data?pilih=KTP-EL",
            "/m/ttu/kiosk/tiket",
            &[("pilih", "KTP-EL"), ("priority", "elderly")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("Mal sedang tutup") && html.contains("value=\"elderly\" checked"), "{html}");
    set_clock(&app, WEDNESDAY_MORNING);
    let r = app
        .post_form(
            &c,
            "/m/ttu/kiosk/data?pilih=KTP-EL",
            "/m/ttu/kiosk/tiket",
            &[("pilih", "KTP-EL"), ("phone", "12345")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Nomor HP tidak dikenali"));
    // Capacity: one counter, ten minutes a visit, 09:00–15:00 less the noon break → 30 visitors; the 31st is refused.
    set_clock(&app, "2026-11-25T09:00:00+08:00");
    for _ in 0..30 {
        kiosk_ticket(&app, "KTP-EL", "none").await;
    }
    let r = app.post_form(&c, "/m/ttu/kiosk/data?pilih=KTP-EL", "/m/ttu/kiosk/tiket", &[("pilih", "KTP-EL")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("sudah penuh"));
    // Other services still issue.
    kiosk_ticket(&app, "KK", "none").await;
    // Five minutes before closing a ten-minute visit no longer fits: the
    // counters close soon, which is not "full".
    set_clock(&app, "2026-11-25T14:55:00+08:00");
    let r = app.post_form(&c, "/m/ttu/kiosk/data?pilih=KK", "/m/ttu/kiosk/tiket", &[("pilih", "KK")]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(html.contains("segera tutup") && !html.contains("sudah penuh"), "{html}");
}
both!(the_kiosk_refuses_clearly_and_keeps_the_choice);

async fn priority_visitors_go_first_within_the_malls_cap(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let mut order = Vec::new();
    for p in ["none", "none", "elderly", "pregnant", "disability", "infant"] {
        kiosk_ticket(&app, "KTP-EL", p).await;
        order.push(p);
    }
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    let mut called = Vec::new();
    while let Some(t) = o.call(1).await {
        called.push(t["label"].as_str().unwrap().to_string());
        o.finish(1, t["id"].as_str().unwrap()).await;
    }
    // Three priority visitors in a row (the default cap), then a walk-in,
    // then the last priority visitor, then the other walk-in.
    assert_eq!(called, ["A-003", "A-004", "A-005", "A-001", "A-006", "A-002"]);
}
both!(priority_visitors_go_first_within_the_malls_cap);

async fn a_transferred_visitor_keeps_their_place(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let k1 = kiosk_ticket(&app, "KK", "none").await;
    let k2 = kiosk_ticket(&app, "KK", "none").await;
    let moved = kiosk_ticket(&app, "KTP-EL", "none").await;
    let k3 = kiosk_ticket(&app, "KK", "none").await;
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    o.open(2).await;
    let t = o.call(1).await.unwrap();
    assert_eq!(t["id"], moved.as_str());
    let (s, after) = o.act(1, &moved, json!({"action": "transfer", "service": "KK"})).await;
    assert_eq!(s, StatusCode::OK, "{after}");
    assert_eq!(after["status"], "waiting");
    let mut order = Vec::new();
    while let Some(t) = o.call(2).await {
        order.push(t["id"].as_str().unwrap().to_string());
        o.finish(2, t["id"].as_str().unwrap()).await;
    }
    assert_eq!(order, [k1, k2, moved.clone(), k3], "ahead of those who came after them, behind those before");
    // A transfer to one counter: only that counter calls it.
    let x = kiosk_ticket(&app, "PKB-TAHUNAN", "none").await;
    o.open(6).await;
    o.open(7).await;
    o.call(6).await.unwrap();
    let (s, _) = o.act(6, &x, json!({"action": "transfer", "counter": "3"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "counter 3 does not serve vehicle tax");
    let (s, _) = o.act(6, &x, json!({"action": "transfer", "counter": "7"})).await;
    assert_eq!(s, StatusCode::OK);
    assert!(o.call(6).await.is_none(), "counter 6 no longer sees it");
    assert_eq!(o.call(7).await.unwrap()["id"], x.as_str());
}
both!(a_transferred_visitor_keeps_their_place);

async fn one_number_carries_a_visitor_through_several_agencies(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let id = kiosk_ticket(&app, "KTP-EL,PKB-TAHUNAN", "none").await;
    let before = ticket_json(&app, &id).await;
    assert_eq!(before["next_services"][0], "Annual Motor Vehicle Tax (PKB) Payment and STNK Endorsement");
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    o.open(6).await;
    assert!(o.call(6).await.is_none(), "not at Samsat yet");
    o.call(1).await.unwrap();
    let after = o.finish(1, &id).await;
    assert_eq!(after["status"], "waiting");
    assert_eq!(after["label"], before["label"], "same number");
    assert_eq!(after["service_code"], "PKB-TAHUNAN");
    let t = o.call(6).await.unwrap();
    assert_eq!(t["id"], id.as_str());
    assert_eq!(o.finish(6, &id).await["status"], "done");
}
both!(one_number_carries_a_visitor_through_several_agencies);

async fn hold_skip_and_void(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let held = kiosk_ticket(&app, "KTP-EL", "none").await;
    let absent = kiosk_ticket(&app, "KTP-EL", "none").await;
    let jammed = kiosk_ticket(&app, "KTP-EL", "none").await;
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    // Held: the counter serves others meanwhile and takes them back without queueing.
    o.call(1).await.unwrap();
    let (_, h) = o.act(1, &held, json!({"action": "hold"})).await;
    assert_eq!(h["status"], "held");
    // The printer jammed on the third ticket: staff void it.
    let (s, v) = o.act(1, &jammed, json!({"action": "void"})).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("void")));
    // Absent: skipped once (back in line), then closed as a no-show (limit 2).
    assert_eq!(o.call(1).await.unwrap()["id"], absent.as_str());
    let (_, a) = o.act(1, &absent, json!({"action": "skip"})).await;
    assert_eq!(a["status"], "waiting");
    let (s, busy) = o.act(1, &held, json!({"action": "resume"})).await;
    assert_eq!(s, StatusCode::OK, "{busy}");
    o.finish(1, &held).await;
    assert_eq!(o.call(1).await.unwrap()["id"], absent.as_str(), "the skipped visitor is called again");
    let (_, a) = o.act(1, &absent, json!({"action": "skip"})).await;
    assert_eq!(a["status"], "no_show");
    assert!(o.call(1).await.is_none(), "the voided ticket is never called");
    // Wrong moves are refused with a problem document.
    let (s, p) = o.act(1, &held, json!({"action": "recall"})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(p["type"], "/problems/visit-not_now", "a finished ticket cannot be recalled");
    let (s, _) = o.act(1, &held, json!({"action": "dance"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}
both!(hold_skip_and_void);

async fn the_queue_resets_at_local_midnight(app: TestApp) {
    // Thursday opens at 07:00 in this test: 07:10 WITA is still Wednesday in UTC.
    let mall_id: String =
        sql::query("SELECT id FROM malls WHERE slug = 'ttu'").fetch_one(&mut Conn::Read(&app.state.db)).await.unwrap();
    app.state
        .db
        .run(sql::query("UPDATE opening_hours SET opens = '07:00' WHERE mall_id = $1 AND weekday = 4").bind(&mall_id))
        .await
        .unwrap();
    set_clock(&app, "2026-11-25T14:00:00+08:00");
    let old = kiosk_ticket(&app, "KTP-EL", "none").await;
    kiosk_ticket(&app, "KTP-EL", "none").await;
    set_clock(&app, "2026-11-26T07:10:00+08:00");
    let new = kiosk_ticket(&app, "KTP-EL", "none").await;
    let t = ticket_json(&app, &new).await;
    assert_eq!(t["label"], "A-001", "numbers restart on the mall's new day, though UTC is still on the old one");
    assert_eq!(ticket_json(&app, &old).await["status"], "expired");
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    assert_eq!(o.call(1).await.unwrap()["id"], new.as_str(), "yesterday's leftovers are not called");
}
both!(the_queue_resets_at_local_midnight);

async fn the_board_streams_calls_and_speaks_them(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let o = Officer::new(&app, ADMIN).await;
    o.open(3).await;
    kiosk_ticket(&app, "AKTA-LAHIR", "none").await;
    let first = o.call(3).await.unwrap();
    // A board that connects now gets a snapshot: shown, not announced.
    let c = Client::new();
    let mut stream = c.get(app.url("/m/ttu/papan/events")).send().await.unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let snapshot = read_event(&mut stream).await;
    assert!(snapshot.contains("event: snapshot") && snapshot.contains("A-001"), "{snapshot}");
    assert!(snapshot.contains("\"fresh\":false"));
    // A new call arrives as a fresh call event with the Indonesian sentence.
    o.finish(3, first["id"].as_str().unwrap()).await;
    for _ in 0..11 {
        kiosk_ticket(&app, "AKTA-LAHIR", "none").await;
    }
    let mut last = Value::Null;
    for _ in 0..12 {
        if let Some(t) = o.call(3).await {
            o.finish(3, t["id"].as_str().unwrap()).await;
            last = t;
        }
    }
    assert_eq!(last["label"], "A-012");
    let mut seen = String::new();
    while !seen.contains("A-012") {
        seen.push_str(&read_event(&mut stream).await);
    }
    assert!(seen.contains("Nomor antrian A dua belas, silakan menuju loket tiga"), "{seen}");
    assert!(seen.contains("\"fresh\":true"));
    // Reconnecting with Last-Event-ID replays recent calls (the board skips those it has),
    // and a call older than a minute is never fresh.
    set_clock(&app, "2026-11-25T09:05:00+08:00");
    let mut again = c.get(app.url("/m/ttu/papan/events")).header("Last-Event-ID", "x").send().await.unwrap();
    let replay = read_event(&mut again).await;
    assert!(
        replay.contains("event: call") && replay.contains("\"fresh\":false") && !replay.contains("\"fresh\":true"),
        "{replay}"
    );
    // The fallback voice: a WAV of the same sentence.
    let call_id = replay.split("id: ").nth(1).unwrap().lines().next().unwrap().trim().to_string();
    let wav = c.get(app.url(&format!("/m/ttu/papan/suara/{call_id}"))).send().await.unwrap();
    assert_eq!(wav.headers()["content-type"], "audio/wav");
    let bytes = wav.bytes().await.unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    assert!(bytes.len() > 11_025, "over a second of speech");
    // The board page itself.
    let (s, page) = app.get_text(&app.client(), "/m/ttu/papan").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("data-events=\"/m/ttu/papan/events?bahasa=id") && page.contains("Aktifkan suara"));
}
both!(the_board_streams_calls_and_speaks_them);

/// Reads from an SSE response until at least one whole event has arrived.
async fn read_event(r: &mut reqwest::Response) -> String {
    let mut text = String::new();
    while !text.contains("\n\n") {
        let chunk =
            tokio::time::timeout(std::time::Duration::from_secs(10), r.chunk()).await.expect("an event within 10 s");
        text.push_str(&String::from_utf8_lossy(&chunk.unwrap().unwrap()));
        if text.trim_start().starts_with(':') && text.ends_with("\n\n") {
            text.clear(); // a keep-alive comment
        }
    }
    text
}

/// Twenty counters call at once, half of them through a second server
/// process on the same database: each process batches its counters'
/// calls, and the two processes' batches race for the same line heads.
async fn twenty_counters_calling_at_once_never_share_a_ticket(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let db = &app.state.db;
    let mall_id: String =
        sql::query("SELECT id FROM malls WHERE slug = 'ttu'").fetch_one(&mut Conn::Read(db)).await.unwrap();
    let (agency, service): (String, String) =
        sql::query("SELECT agency_id, id FROM services WHERE mall_id = $1 AND code = 'KTP-EL'")
            .bind(&mall_id)
            .fetch_one(&mut Conn::Read(db))
            .await
            .unwrap();
    for n in 101..=120i64 {
        let id = format!("c{n}");
        db.run(sql::query("INSERT INTO counters (mall_id, id, agency_id, number, zone, active, updated_at) VALUES ($1, $2, $3, $4, '', 1, 0)")
            .bind(&mall_id).bind(&id).bind(&agency).bind(n)).await.unwrap();
        db.run(
            sql::query("INSERT INTO counter_services (mall_id, counter_id, service_id) VALUES ($1, $2, $3)")
                .bind(&mall_id)
                .bind(&id)
                .bind(&service),
        )
        .await
        .unwrap();
    }
    let other = app.another_server(|_| {}).await;
    let here = std::sync::Arc::new(Officer::new(&app, ADMIN).await);
    let there = std::sync::Arc::new(Officer::new(&other, ADMIN).await);
    let officer = |n: i64| if n <= 110 { here.clone() } else { there.clone() };
    for n in 101..=120 {
        officer(n).open(n).await;
    }
    const TICKETS: usize = 120;
    let mut issued = Vec::new();
    for _ in 0..TICKETS {
        issued.push(kiosk_ticket(&app, "KTP-EL", "none").await);
    }
    let mut workers = Vec::new();
    for n in 101..=120i64 {
        let o = officer(n);
        workers.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(t) = o.call(n).await {
                let id = t["id"].as_str().unwrap().to_string();
                o.finish(n, &id).await;
                mine.push(id);
            }
            mine
        }));
    }
    let mut called = Vec::new();
    for w in workers {
        called.extend(w.await.unwrap());
    }
    let mut sorted = called.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), called.len(), "no ticket was called twice");
    issued.sort();
    assert_eq!(sorted, issued, "every ticket was called");
    let calls: i64 = sql::query("SELECT COUNT(*) FROM calls WHERE mall_id = $1")
        .bind(&mall_id)
        .fetch_one(&mut Conn::Read(db))
        .await
        .unwrap();
    assert_eq!(calls as usize, TICKETS, "one call per ticket");
}
both!(twenty_counters_calling_at_once_never_share_a_ticket);

/// A tired officer's double click: two calls to one counter at once call
/// one visitor (the other hears the counter is busy), and two finishes of
/// one ticket at once finish it once. The requests land in one batch or
/// in two, of one server process or (behind a load balancer) of two;
/// either way the answer is the same.
async fn a_double_click_at_a_counter_does_one_thing(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let other = app.another_server(|_| {}).await;
    let o = Officer::new(&app, ADMIN).await;
    let elsewhere = Officer::new(&other, ADMIN).await;
    o.open(1).await;
    // Enough rounds that the two processes' batches overlap in some.
    const ROUNDS: usize = 20;
    for _ in 0..ROUNDS {
        kiosk_ticket(&app, "KTP-EL", "none").await;
    }
    let served = || async {
        sql::query("SELECT COUNT(*) FROM ticket_steps WHERE result = 'served'")
            .fetch_one::<i64>(&mut Conn::Read(&app.state.db))
            .await
            .unwrap()
    };
    let before = served().await;
    for round in 0..ROUNDS {
        // The second click reaches the other process in the later rounds.
        let second = if round == 0 { &o } else { &elsewhere };
        let call = "/counters/1/call-next";
        let (a, b) = tokio::join!(o.send(Method::POST, call, None), second.send(Method::POST, call, None));
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "round {round}: {a:?} {b:?}");
        let (called, refused) = if a.0 == StatusCode::OK { (a.1, b.1) } else { (b.1, a.1) };
        assert_eq!(refused["type"], "/problems/visit-still_serving", "{refused}");
        let id = called["id"].as_str().unwrap().to_string();
        let finish = json!({"action": "finish", "outcome": "served"});
        let (a, b) = tokio::join!(o.act(1, &id, finish.clone()), second.act(1, &id, finish.clone()));
        let mut statuses = [a.0, b.0];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "round {round}: {a:?} {b:?}");
    }
    assert_eq!(served().await - before, ROUNDS as i64, "one stretch per visit, never two");
    assert!(o.call(1).await.is_none(), "nobody waits any more");
}
both!(a_double_click_at_a_counter_does_one_thing);

/// On PostgreSQL, a call locks its counter's row before it looks who is at
/// the counter, so a call made through another server process at the same
/// moment (here: a transaction that holds the lock and calls someone of
/// another line to that counter) is waited for, and then seen. Without the
/// lock the call would see nobody at the counter and call a second visitor.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_call_waits_for_another_process_calling_at_the_same_counter() {
    let app = TestApp::spawn(crate::helpers::Backend::Postgres).await;
    set_clock(&app, WEDNESDAY_MORNING);
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    kiosk_ticket(&app, "KTP-EL", "none").await;
    let elsewhere = kiosk_ticket(&app, "KK", "none").await;
    let db = app.state.db.clone();
    let (mall_id, counter_id): (String, String) = sql::query(
        "SELECT m.id, c.id FROM malls m JOIN counters c ON c.mall_id = m.id WHERE m.slug = 'ttu' AND c.number = 1",
    )
    .fetch_one(&mut Conn::Read(&db))
    .await
    .unwrap();
    let (locked, is_locked) = tokio::sync::oneshot::channel::<()>();
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let holder = tokio::spawn(async move {
        db.transact(move |conn| {
            Box::pin(async move {
                sql::query("SELECT counter_id FROM counter_states WHERE mall_id = $1 AND counter_id = $2 FOR UPDATE")
                    .bind(&mall_id)
                    .bind(&counter_id)
                    .execute(conn)
                    .await?;
                sql::query("UPDATE tickets SET status = 'called', counter_id = $2 WHERE mall_id = $1 AND id = $3")
                    .bind(&mall_id)
                    .bind(&counter_id)
                    .bind(&elsewhere)
                    .execute(conn)
                    .await?;
                let _ = locked.send(());
                let _ = released.await;
                Ok(())
            })
        })
        .await
        .unwrap();
    });
    is_locked.await.unwrap();
    let call = tokio::spawn(async move { o.send(Method::POST, "/counters/1/call-next", None).await });
    // The call is waiting for the lock (PostgreSQL says so) before the
    // other transaction commits.
    let mut waited = false;
    for _ in 0..500 {
        let waiting: i64 = sql::query("SELECT COUNT(*) FROM pg_locks WHERE NOT granted")
            .fetch_one(&mut Conn::Read(&app.state.db))
            .await
            .unwrap();
        if waiting > 0 {
            waited = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let _ = release.send(());
    holder.await.unwrap();
    let (status, body) = call.await.unwrap();
    assert!(waited, "the call waited for the counter's lock (it answered {status} {body})");
    assert_eq!((status, body["type"].as_str()), (StatusCode::CONFLICT, Some("/problems/visit-still_serving")));
}

/// Kiosks of two server processes issue at once: each process stores its
/// kiosks' tickets in batches with numbers from its own memory, and the
/// other process's tickets take some of those numbers first. Every ticket
/// still gets a number of its own, and none is skipped.
async fn kiosks_of_two_processes_issuing_at_once_never_share_a_number(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let other = app.another_server(|_| {}).await;
    // Each process knows the day's numbers once it has issued one.
    kiosk_ticket(&app, "KTP-EL", "none").await;
    kiosk_ticket(&other, "KTP-EL", "none").await;
    let (apps, other_ref) = (&app, &other);
    let issue = |n: usize| async move {
        kiosk_ticket(if n.is_multiple_of(2) { apps } else { other_ref }, "KTP-EL", "none").await
    };
    let ids = futures_util::future::join_all((0..40).map(issue)).await;
    assert_eq!(ids.iter().collect::<std::collections::BTreeSet<_>>().len(), 40);
    let seqs: Vec<i64> =
        sql::query("SELECT seq FROM tickets WHERE (mall_id, day, prefix) = (SELECT mall_id, day, prefix FROM tickets WHERE id = $1) ORDER BY seq")
            .bind(&ids[0])
            .fetch_all::<(i64,)>(&mut Conn::Read(&app.state.db))
            .await
            .unwrap()
            .into_iter()
            .map(|(s,)| s)
            .collect();
    assert_eq!(seqs, (1..=42).collect::<Vec<i64>>(), "one number each, none skipped");
}
both!(kiosks_of_two_processes_issuing_at_once_never_share_a_number);

async fn a_retried_ticket_request_never_makes_two_tickets(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let token = token_for(&app, ADMIN).await;
    let c = Client::new();
    let post = |key: &'static str, body: Value| {
        c.post(app.url("/api/v1/malls/ttu/tickets"))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let body = json!({"services": ["KTP-EL", "PKB-TAHUNAN"], "priority": "elderly"});
    let first = post("kiosk-7-000123", body.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = post("kiosk-7-000123", body.clone()).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotency-replayed"], "true");
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["id"], first["id"], "the same ticket, not a second one");
    let tickets: i64 =
        sql::query("SELECT COUNT(*) FROM tickets").fetch_one(&mut Conn::Read(&app.state.db)).await.unwrap();
    assert_eq!(tickets, 1);
    // The same key with another body: refused.
    let other = post("kiosk-7-000123", json!({"services": ["KK"]})).await.unwrap();
    assert_eq!(other.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let p: Value = other.json().await.unwrap();
    assert_eq!(p["errors"][0]["code"], "idempotency.reused");
    // A key whose first request is still running: 409.
    app.state.db.run(sql::query("INSERT INTO idempotency_keys (scope, key, request_hash, resource_id, created_at) SELECT scope, 'busy', request_hash, NULL, created_at FROM idempotency_keys")
        )
        .await
        .unwrap();
    let busy = post("busy", body.clone()).await.unwrap();
    assert_eq!(busy.status(), StatusCode::CONFLICT);
    // A failed first attempt frees its key: the retry succeeds once the cause is gone.
    set_clock(&app, "2026-11-29T10:00:00+08:00");
    let closed = post("sunday-then-monday", json!({"services": ["KK"]})).await.unwrap();
    assert_eq!(closed.status(), StatusCode::CONFLICT);
    set_clock(&app, "2026-11-30T09:00:00+08:00");
    let retried = post("sunday-then-monday", json!({"services": ["KK"]})).await.unwrap();
    assert_eq!(retried.status(), StatusCode::CREATED);
    // Bad input is a problem document in the caller's language.
    let bad = c
        .post(app.url("/api/v1/malls/ttu/tickets"))
        .bearer_auth(&token)
        .header("Accept-Language", "id")
        .json(&json!({"services": ["NOPE"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("Pilih setidaknya satu layanan"));
    // A citizen's token may not issue tickets for the mall.
    let citizen = token_for(&app, CITIZEN).await;
    let r = c.post(app.url("/api/v1/malls/ttu/tickets")).bearer_auth(&citizen).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
both!(a_retried_ticket_request_never_makes_two_tickets);

async fn the_greeter_sends_quick_errands_to_the_quick_lane_and_voids_ghosts(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let walk_in = kiosk_ticket(&app, "KTP-EL", "none").await;
    let ghost = kiosk_ticket(&app, "KTP-EL", "none").await;
    let greeter = app.login(OFFICER).await;
    let r = app
        .post_form(
            &greeter,
            "/m/ttu/penyambut",
            "/m/ttu/penyambut",
            &[("service", "KTP-EL"), ("quick", "1"), ("priority", "none")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let quick = r.headers()["location"]
        .to_str()
        .unwrap()
        .split('/')
        .next_back()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    // The printer jammed on A-002: the greeter voids it by number.
    let r = app.post_form(&greeter, "/m/ttu/penyambut", "/m/ttu/penyambut/batal", &[("label", "a-002")]).await;
    assert_eq!(r.headers()["location"], "/m/ttu/penyambut?batal=A-002");
    assert_eq!(ticket_json(&app, &ghost).await["status"], "void");
    let r = app.post_form(&greeter, "/m/ttu/penyambut", "/m/ttu/penyambut/batal", &[("label", "A-999")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("Tidak ada tiket dengan nomor itu"));
    // Bad input is shown on the same page.
    let r = app.post_form(&greeter, "/m/ttu/penyambut", "/m/ttu/penyambut", &[("service", "")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    let first = o.call(1).await.unwrap();
    assert_eq!(first["id"], quick.as_str(), "the quick errand goes ahead of the long queue");
    o.finish(1, &quick).await;
    assert_eq!(o.call(1).await.unwrap()["id"], walk_in.as_str());
    // Citizens are not greeters.
    let citizen = app.login(CITIZEN).await;
    assert_eq!(app.get(&citizen, "/m/ttu/penyambut").await.status(), StatusCode::FORBIDDEN);
}
both!(the_greeter_sends_quick_errands_to_the_quick_lane_and_voids_ghosts);

fn at(hm: &str) -> String {
    format!("2026-11-25T{hm}:00+08:00")
}

async fn the_wait_estimate_and_daily_figures_match_what_happened(app: TestApp) {
    set_clock(&app, &at("09:00"));
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    let mut history = Vec::new();
    for _ in 0..3 {
        history.push(kiosk_ticket(&app, "KTP-EL", "none").await);
    }
    // Three visits of five minutes each.
    for (i, id) in history.iter().enumerate() {
        set_clock(&app, &at(&format!("09:{:02}", i * 5)));
        assert_eq!(o.call(1).await.unwrap()["id"], id.as_str());
        set_clock(&app, &at(&format!("09:{:02}", i * 5 + 5)));
        o.finish(1, id).await;
    }
    // Three more arrive at 09:15: the third should wait two visits, ten minutes.
    let mut next = Vec::new();
    for _ in 0..3 {
        next.push(kiosk_ticket(&app, "KTP-EL", "none").await);
    }
    let third = ticket_json(&app, &next[2]).await;
    assert_eq!((third["ahead"].as_i64(), third["wait_minutes"].as_i64()), (Some(2), Some(10)));
    for (i, id) in next.iter().enumerate() {
        set_clock(&app, &at(&format!("09:{:02}", 15 + i * 5)));
        assert_eq!(o.call(1).await.unwrap()["id"], id.as_str());
        set_clock(&app, &at(&format!("09:{:02}", 20 + i * 5)));
        o.finish(1, id).await;
    }
    // The third was called at 09:25, ten minutes after arriving: as estimated.
    let steps: Vec<(i64, i64)> = sql::query("SELECT queued_at, called_at FROM ticket_steps WHERE ticket_id = $1")
        .bind(&next[2])
        .fetch_all(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    assert_eq!(((steps[0].1 - steps[0].0) as f64 / 60_000.0).round(), 10.0);

    // A no-show and a transfer, for the figures.
    set_clock(&app, &at("09:30"));
    let absent = kiosk_ticket(&app, "KTP-EL", "none").await;
    o.call(1).await.unwrap();
    o.act(1, &absent, json!({"action": "skip"})).await;
    o.call(1).await.unwrap();
    o.act(1, &absent, json!({"action": "skip"})).await;
    let moved = kiosk_ticket(&app, "KTP-EL", "none").await;
    o.call(1).await.unwrap();
    o.act(1, &moved, json!({"action": "transfer", "service": "KK"})).await;

    let admin = app.login(ADMIN).await;
    let csv = app.get(&admin, "/m/ttu/admin/statistik.csv?tanggal=2026-11-25").await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers()["content-disposition"].to_str().unwrap().contains("antrian-ttu-2026-11-25.csv"));
    let csv = csv.text().await.unwrap();
    let line = |group: &str, key: &str| {
        csv.lines()
            .find(|l| l.split(',').nth(1) == Some(group) && l.split(',').nth(2) == Some(key))
            .unwrap_or_else(|| panic!("{group} {key} in\n{csv}"))
            .to_string()
    };
    let ktp: Vec<String> = line("service", "KTP-EL").split(',').map(str::to_string).collect();
    let n = ktp.len();
    // tickets, served, no-shows, transfers; waits 0,5,10,0,5,10,0,0 min; handling 5 min each.
    assert_eq!(ktp[n - 8..n - 4], ["8", "6", "1", "1"], "{csv}");
    // The test's clock runs on from each setting, so allow a second or two.
    for (got, want) in ktp[n - 4..].iter().zip([225, 600, 300, 300]) {
        assert!((got.parse::<i64>().unwrap() - want).abs() <= 2, "{got} vs {want}: {csv}");
    }
    assert!(line("service", "KK").contains(",1,0,0,0,"), "the transferred visitor waits at KK: {csv}");
    assert!(line("counter", "1").contains(",7,6,1,0,") || line("counter", "1").contains(",8,6,1,1,"), "{csv}");
    assert!(line("total", "total").contains(",9,6,1,1,"), "{csv}");
    let (s, page) = app.get_text(&admin, "/m/ttu/admin/statistik?tanggal=2026-11-25").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("Per instansi") && page.contains(" / 10.0"), "p90 of waiting is 10 minutes: {page}");
    let (s, now) = app.get_text(&admin, "/m/ttu/admin/antrian").await;
    assert_eq!(s, StatusCode::OK);
    assert!(now.contains("Loket buka") && now.contains("Kartu Keluarga"), "{now}");
    assert_eq!(
        app.get(&admin, "/m/ttu/admin/statistik?tanggal=kemarin").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let officer = app.login(OFFICER).await;
    assert_eq!(app.get(&officer, "/m/ttu/admin/statistik").await.status(), StatusCode::FORBIDDEN);
}
both!(the_wait_estimate_and_daily_figures_match_what_happened);

/// The estimate learns a visit the moment it is finished, without waiting
/// for the clock to move (the recent visits are kept in memory).
async fn the_wait_estimate_learns_each_visit_at_once(app: TestApp) {
    set_clock(&app, &at("09:00"));
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    let first = kiosk_ticket(&app, "KTP-EL", "none").await;
    assert_eq!(o.call(1).await.unwrap()["id"], first.as_str());
    set_clock(&app, &at("09:20"));
    kiosk_ticket(&app, "KTP-EL", "none").await;
    let third = kiosk_ticket(&app, "KTP-EL", "none").await;
    // No history yet: ten minutes a visit, so ten minutes for the one ahead.
    assert_eq!(ticket_json(&app, &third).await["wait_minutes"].as_i64(), Some(10));
    o.finish(1, &first).await;
    // A twenty-minute visit just ended, at the same instant: the estimate follows.
    assert_eq!(ticket_json(&app, &third).await["wait_minutes"].as_i64(), Some(20));
}
both!(the_wait_estimate_learns_each_visit_at_once);

async fn breaks_pause_calling_and_closing_with_visitors_needs_the_manager(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let waiting = kiosk_ticket(&app, "KTP-EL", "none").await;
    let officer = app.login(OFFICER).await;
    app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/loket/1/status", &[("status", "open")]).await;
    // Someone waits: the officer cannot just close; the manager is asked.
    let r = app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/loket/1/status", &[("status", "closed")]).await;
    assert_eq!(r.headers()["location"], "/m/ttu/loket/1?pesan=visit.close_requested");
    let admin = app.login(ADMIN).await;
    let (_, floor) = app.get_text(&admin, "/m/ttu/admin/antrian").await;
    assert!(floor.contains("minta menutup loket 1") && floor.contains("Setujui tutup"), "{floor}");
    let r =
        app.post_form(&admin, "/m/ttu/admin/antrian", "/m/ttu/admin/antrian/tutup/1", &[("decision", "reject")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, console) = app.get_text(&officer, "/m/ttu/loket/1").await;
    assert!(console.contains("counter-state state-open"), "kept open");
    app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/loket/1/status", &[("status", "closed")]).await;
    let r =
        app.post_form(&admin, "/m/ttu/admin/antrian", "/m/ttu/admin/antrian/tutup/1", &[("decision", "approve")]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, console) = app.get_text(&officer, "/m/ttu/loket/1").await;
    assert!(console.contains("counter-state state-closed"), "closed on approval");
    // An officer may not decide.
    let r = app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/admin/antrian/tutup/1", &[("decision", "approve")]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // The noon break: nobody is called, on the page or the API.
    app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/loket/1/status", &[("status", "open")]).await;
    set_clock(&app, "2026-11-25T12:15:00+08:00");
    let r = app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/loket/1/panggil", &[]).await;
    assert_eq!(r.headers()["location"], "/m/ttu/loket/1?pesan=visit.on_break");
    let o = Officer::new(&app, ADMIN).await;
    let (s, p) = o.send(reqwest::Method::POST, "/counters/1/call-next", None).await;
    assert_eq!((s, p["type"].as_str()), (StatusCode::CONFLICT, Some("/problems/visit-on_break")));
    set_clock(&app, "2026-11-25T13:00:00+08:00");
    assert_eq!(o.call(1).await.unwrap()["id"], waiting.as_str(), "calling resumes at the end of the break");
    // With nobody waiting, the officer closes at once.
    o.finish(1, &waiting).await;
    let r = app.post_form(&officer, "/m/ttu/loket/1", "/m/ttu/loket/1/status", &[("status", "closed")]).await;
    assert_eq!(r.headers()["location"], "/m/ttu/loket/1");
}
both!(breaks_pause_calling_and_closing_with_visitors_needs_the_manager);

async fn managers_set_the_policy_breaks_and_board_text(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let admin = app.login(ADMIN).await;
    let (s, page) = app.get_text(&admin, "/m/ttu/admin/antrian/pengaturan").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("value=\"12:00\"") && page.contains("value=\"11:30\""), "the default breaks are shown");
    let fields = [
        ("priority_run", "1"),
        ("quick_run", "2"),
        ("recall_limit", "3"),
        ("daily_break_from", ""),
        ("daily_break_to", ""),
        ("friday_break_from", "11:00"),
        ("friday_break_to", "13:00"),
        ("board_text_id", "Selamat datang di MPP TTU — layanan gratis kecuali disebutkan."),
        ("board_text_en", ""),
        ("anonymous_kiosk_per_hour", "30"),
        ("bookings_per_citizen", "2"),
    ];
    let r = app.post_form(&admin, "/m/ttu/admin/antrian/pengaturan", "/m/ttu/admin/antrian/pengaturan", &fields).await;
    assert_eq!(r.headers()["location"], "/m/ttu/admin/antrian/pengaturan?disimpan=1");
    let (_, board) = app.get_text(&app.client(), "/m/ttu/papan").await;
    assert!(board.contains("Selamat datang di MPP TTU"), "{board}");
    // The noon break is gone: calling works at 12:15 now.
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    set_clock(&app, "2026-11-25T12:15:00+08:00");
    let id = kiosk_ticket(&app, "KTP-EL", "none").await;
    assert_eq!(o.call(1).await.unwrap()["id"], id.as_str());
    // One priority visitor in a row now.
    let (s, settings) = o.send(reqwest::Method::GET, "/queue-settings", None).await;
    assert_eq!((s, settings["priority_run"].as_i64()), (StatusCode::OK, Some(1)));
    // Bad values come back with their messages; nothing is saved.
    let mut bad = fields;
    bad[0] = ("priority_run", "0");
    bad[5] = ("friday_break_from", "14:00");
    let r = app.post_form(&admin, "/m/ttu/admin/antrian/pengaturan", "/m/ttu/admin/antrian/pengaturan", &bad).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(html.contains("Nilai di luar batas") && html.contains("aria-invalid"), "{html}");
    let (s, p) = o
        .send(
            reqwest::Method::PUT,
            "/queue-settings",
            Some(json!({"priority_run": 3, "quick_run": 2, "recall_limit": 9})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["errors"][0]["field"], "recall_limit");
    let (s, _) = o
        .send(
            reqwest::Method::PUT,
            "/queue-settings",
            Some(json!({"priority_run": 2, "quick_run": 2, "recall_limit": 2})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    // Only mall admins change them; the change is in the audit trail.
    let agency_admin = app.login(crate::helpers::AGENCY_ADMIN).await;
    let r = app
        .post_form(&agency_admin, "/m/ttu/admin/antrian/pengaturan", "/m/ttu/admin/antrian/pengaturan", &fields)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, audit) = app.get_text(&admin, "/m/ttu/admin/audit").await;
    assert!(audit.contains("queue_settings"), "{audit}");
}
both!(managers_set_the_policy_breaks_and_board_text);

/// The kiosk's pages start with a skip link, and the print button, which
/// needs the script, is not offered to a browser without it.
async fn the_kiosk_skips_to_content_and_offers_print_only_with_its_script(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let (_, home) = app.get_text(&app.client(), "/m/ttu/kiosk").await;
    assert!(home.contains("class=\"skip\" href=\"#main\"") && home.contains("id=\"main\""), "{home}");
    let id = kiosk_ticket(&app, "KTP-EL", "none").await;
    let (_, ticket) = app.get_text(app.kiosk().await, &format!("/m/ttu/kiosk/tiket/{id}")).await;
    assert!(ticket.contains("data-print hidden"), "{ticket}");
    let (_, board) = app.get_text(&app.client(), "/m/ttu/papan").await;
    assert!(board.contains("class=\"skip\" href=\"#main\""), "{board}");
}
both!(the_kiosk_skips_to_content_and_offers_print_only_with_its_script);

/// A status the code does not know (a bad migration, a hand edit) is an
/// error, loudly, not quietly shown as some other status.
async fn an_unknown_stored_status_is_refused_not_guessed(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let id = kiosk_ticket(&app, "KTP-EL", "none").await;
    app.state.db.run(sql::query("UPDATE tickets SET status = 'lost' WHERE id = $1").bind(&id)).await.unwrap();
    let r = Client::new().get(app.url(&format!("/api/v1/malls/ttu/tickets/{id}"))).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR, "not shown as void, or as anything");
    // A mall's time zone likewise: never taken for WIB (its times would be an hour or two off).
    app.state.db.run(sql::query("UPDATE malls SET timezone = 'UTC' WHERE slug = 'ttu'")).await.unwrap();
    app.state.db.cache.clear();
    let r = Client::new().get(app.url("/api/v1/malls/ttu")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR, "not guessed as WIB");
}
both!(an_unknown_stored_status_is_refused_not_guessed);

/// What the database says of every waiting ticket: (id, service code,
/// people ahead at its service), and per service code how many wait.
async fn lines_in_database(app: &TestApp) -> (Vec<(String, String, i64)>, std::collections::BTreeMap<String, i64>) {
    let db = &app.state.db;
    let waiting: Vec<(String, String, i64)> = sql::query(
        "SELECT t.id, s.code,
         (SELECT COUNT(*) FROM tickets o WHERE o.mall_id = t.mall_id AND o.day = t.day AND o.service_id = t.service_id
          AND o.status = 'waiting' AND (o.queued_at < t.queued_at OR (o.queued_at = t.queued_at AND o.seq < t.seq)))
         FROM tickets t JOIN services s ON s.mall_id = t.mall_id AND s.id = t.service_id WHERE t.status = 'waiting'",
    )
    .fetch_all(&mut Conn::Read(db))
    .await
    .unwrap();
    let mut per_service = std::collections::BTreeMap::new();
    for (_, code, _) in &waiting {
        *per_service.entry(code.clone()).or_insert(0) += 1;
    }
    (waiting, per_service)
}

/// The server shows exactly what the database holds: each waiting ticket's
/// people ahead, and each service's line in the public queue figures.
async fn assert_lines_match(app: &TestApp, after: &str) {
    let (waiting, per_service) = lines_in_database(app).await;
    for (id, code, ahead) in &waiting {
        let t = ticket_json(app, id).await;
        assert_eq!(t["ahead"], *ahead, "after {after}: people ahead of a ticket at {code}");
    }
    let queue: Value =
        Client::new().get(app.url("/api/v1/malls/ttu/queue")).send().await.unwrap().json().await.unwrap();
    for line in queue.as_array().unwrap() {
        let code = line["service"].as_str().unwrap();
        let expected = per_service.get(code).copied().unwrap_or(0);
        assert_eq!(line["waiting"], expected, "after {after}: people waiting for {code}");
    }
}

/// The lines are kept in memory (`visit/line.rs`) so that a long line
/// costs nothing per request: they must agree with the database after
/// every kind of move into or out of a line, and show what another server
/// process changed once they are read again.
async fn the_lines_in_memory_follow_every_move(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    o.open(2).await;
    let first = kiosk_ticket(&app, "KTP-EL", "none").await;
    let journey = kiosk_ticket(&app, "KTP-EL,KK", "none").await;
    let jammed = kiosk_ticket(&app, "KTP-EL", "none").await;
    let elder = kiosk_ticket(&app, "KK", "elderly").await;
    let last = kiosk_ticket(&app, "KTP-EL", "none").await;
    kiosk_ticket(&app, "KK", "none").await;
    assert_lines_match(&app, "issuing").await;
    assert_eq!(o.call(1).await.unwrap()["id"], first.as_str());
    assert_lines_match(&app, "a call").await;
    // Moments apart (within the second the lines stay unread), so that a
    // skipped visitor queues behind the others.
    app.state.clock.advance(10);
    let (_, t) = o.act(1, &first, json!({"action": "skip"})).await;
    assert_eq!(t["status"], "waiting");
    assert_lines_match(&app, "a skip (back of the line)").await;
    let (s, _) = o.act(1, &jammed, json!({"action": "void"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_lines_match(&app, "a void").await;
    assert_eq!(o.call(1).await.unwrap()["id"], journey.as_str());
    assert_eq!(o.finish(1, &journey).await["status"], "waiting");
    assert_lines_match(&app, "a journey's next service").await;
    assert_eq!(o.call(1).await.unwrap()["id"], last.as_str());
    let (s, _) = o.act(1, &last, json!({"action": "transfer", "service": "KK"})).await;
    assert_eq!(s, StatusCode::OK);
    assert_lines_match(&app, "a transfer").await;
    assert_eq!(o.call(2).await.unwrap()["id"], elder.as_str());
    let (_, t) = o.act(2, &elder, json!({"action": "hold"})).await;
    assert_eq!(t["status"], "held");
    assert_lines_match(&app, "a hold").await;
    // Another server process issues and calls: this one knows within a second.
    let other = app.another_server(|_| {}).await;
    let from_other = take(&other, "KTP-EL", "none", "").await;
    // The number this process would give next is the other's now: it
    // gives the one after.
    let here = take(&app, "KTP-EL", "none", "").await;
    let label = |t: Value| t["label"].as_str().unwrap().to_string();
    assert!(label(ticket_json(&app, &here).await) > label(ticket_json(&app, &from_other).await));
    let o2 = Officer { c: Client::new(), token: o.token.clone(), base: other.url("/api/v1/malls/ttu") };
    o2.call(2).await.unwrap();
    // A second on, the lines are read again in the background while the
    // copy serves; five seconds on, the next request waits for the read.
    app.state.clock.advance(5000);
    assert_lines_match(&app, "another process's ticket and call").await;
    assert!(ticket_json(&app, &from_other).await["ahead"].as_i64().unwrap() > 0);
}
both!(the_lines_in_memory_follow_every_move);

/// A call reads each line's first tickets by id (`HEADS`, 8); when all of
/// them are sent to another counter it must still find the first visitor
/// behind them for this one, and the other counter still gets its own.
async fn a_line_led_by_visitors_sent_elsewhere_still_calls_the_next(app: TestApp) {
    set_clock(&app, WEDNESDAY_MORNING);
    let mut ids = Vec::new();
    for _ in 0..10 {
        ids.push(kiosk_ticket(&app, "PKB-TAHUNAN", "none").await);
    }
    let o = Officer::new(&app, ADMIN).await;
    o.open(6).await;
    o.open(7).await;
    // Counter 6 sends its first nine visitors to counter 7; they keep their place.
    for id in &ids[..9] {
        assert_eq!(o.call(6).await.unwrap()["id"], id.as_str());
        let (s, t) = o.act(6, id, json!({"action": "transfer", "counter": "7"})).await;
        assert_eq!((s, t["status"].as_str()), (StatusCode::OK, Some("waiting")));
    }
    assert_eq!(o.call(6).await.unwrap()["id"], ids[9].as_str(), "the first visitor for counter 6");
    assert_eq!(o.call(7).await.unwrap()["id"], ids[0].as_str(), "counter 7 takes the first sent to it");
}
both!(a_line_led_by_visitors_sent_elsewhere_still_calls_the_next);
