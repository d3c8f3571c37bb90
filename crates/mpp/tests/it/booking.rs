//! Online appointments end to end: slots from counters, hours, breaks and
//! handling time; the slot and daily quota; booking, moving, cancelling;
//! the `.ics` file (parsed by the `icalendar` package); check-in at the
//! kiosk inside the window (served ahead of walk-ins) or late (a walk-in);
//! no-shows; the API with an idempotency key; other people's bookings.

use crate::api::token_for;
use crate::helpers::{ADMIN, CITIZEN, OFFICER, TestApp, both, run_checker};
use crate::visit::{Officer, kiosk_ticket, set_clock};
use mpp::db::sql::{self, Conn};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

/// 09:00 WITA on Thursday 26 November 2026, in UTC milliseconds.
const THU_0900: i64 = 1_795_654_800_000;
const HALF_HOUR: i64 = 30 * 60_000;

async fn book_form(
    app: &TestApp,
    c: &reqwest::Client,
    code: &str,
    date: &str,
    start: i64,
    moving: &str,
) -> reqwest::Response {
    let page = format!("/m/ttu/janji/layanan/{code}?tanggal={date}");
    let start = start.to_string();
    let fields = [("tanggal", date), ("slot", start.as_str()), ("pindah", moving)];
    app.post_form(c, &page, &format!("/m/ttu/janji/layanan/{code}"), &fields).await
}

fn booking_code_of(r: &reqwest::Response) -> String {
    r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string()
}

/// A service's free slots on a day, as the public API gives them.
async fn free_slots(app: &TestApp, code: &str, date: &str) -> Value {
    let url = app.url(&format!("/api/v1/malls/ttu/services/{code}/slots?date={date}"));
    Client::new().get(url).send().await.unwrap().json().await.unwrap()
}

/// The start of each slot in a `free_slots` answer.
fn slot_starts(slots: &Value) -> Vec<i64> {
    slots["slots"].as_array().unwrap().iter().map(|s| s["start"].as_i64().unwrap()).collect()
}

async fn a_citizen_books_moves_cancels_and_checks_in(app: TestApp) {
    set_clock(&app, "2026-11-25T10:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let (_, page) = app.get_text(&citizen, "/m/ttu/janji/layanan/KTP-EL?tanggal=2026-11-26").await;
    // 08:00–15:00 less the noon hour: twelve half-hour slots; one counter and
    // ten-minute visits give three per slot, half of them bookable: one.
    assert_eq!(page.matches("name=\"slot\"").count(), 12, "{page}");
    assert!(page.contains(&format!("value=\"{THU_0900}\"")) && page.contains("sisa 1"));

    let r = book_form(&app, &citizen, "KTP-EL", "2026-11-26", THU_0900, "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let code = booking_code_of(&r);
    let (_, shown) = app.get_text(&citizen, &format!("/m/ttu/janji/{code}")).await;
    assert!(shown.contains(&code) && shown.contains("<svg") && shown.contains("Terjadwal"), "{shown}");
    assert!(shown.contains("26 November 2026 09.00"), "{shown}");

    // The confirmation was written with the booking, and only with it.
    let confirmations = || async {
        let rows: Vec<(String,)> =
            sql::query("SELECT body FROM notifications WHERE kind = 'booking-confirmed' AND channel = 'log'")
                .fetch_all(&mut Conn::Read(&app.state.db))
                .await
                .unwrap();
        rows.into_iter().map(|(b,)| b).collect::<Vec<String>>()
    };
    let written = confirmations().await;
    assert!(written.len() == 1 && written[0].contains(&code), "{written:?}");

    // The slot is full for anyone else.
    let other = app.login(ADMIN).await;
    let r = book_form(&app, &other, "KTP-EL", "2026-11-26", THU_0900, "").await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("baru saja penuh"));
    assert_eq!(confirmations().await.len(), 1, "a refused booking confirms nothing");
    // …who cannot see or cancel it either.
    assert_eq!(app.get(&other, &format!("/m/ttu/janji/{code}")).await.status(), StatusCode::NOT_FOUND);

    // The calendar file, read by an outside parser.
    let ics = app.get(&citizen, &format!("/m/ttu/janji/{code}/kalender.ics")).await;
    assert_eq!(ics.headers()["content-type"], "text/calendar; charset=utf-8");
    let file = std::env::temp_dir().join(format!("mpp-{}.ics", crate::helpers::unique()));
    std::fs::write(&file, ics.bytes().await.unwrap()).unwrap();
    let script = "import sys, icalendar\ncal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\nev = next(iter(cal.walk('VEVENT')))\nprint(ev.decoded('dtstart').isoformat(), ev.decoded('dtend').isoformat(), ev.get('summary'), sep='|')";
    let out = run_checker(&["-c", script, file.to_str().unwrap()]);
    let _ = std::fs::remove_file(&file);
    assert!(out.starts_with("2026-11-26T01:00:00+00:00|2026-11-26T01:30:00+00:00|Perekaman"), "{out}");

    // Moved to 10:00: the same code; 09:00 is free again.
    let r = book_form(&app, &citizen, "KTP-EL", "2026-11-26", THU_0900 + 2 * HALF_HOUR, &code).await;
    assert_eq!(booking_code_of(&r), code);
    let r = book_form(&app, &other, "KTP-EL", "2026-11-26", THU_0900, "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "09:00 was given back");
    let others = booking_code_of(&r);

    // Cancelled, and booked again.
    let r = app.post_form(&citizen, &format!("/m/ttu/janji/{code}"), &format!("/m/ttu/janji/{code}/batal"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, shown) = app.get_text(&citizen, &format!("/m/ttu/janji/{code}")).await;
    assert!(shown.contains("Dibatalkan"));
    let r = book_form(&app, &citizen, "KTP-EL", "2026-11-26", THU_0900 + 2 * HALF_HOUR, "").await;
    let code = booking_code_of(&r);

    // On the day: a walk-in arrives first; the booked visitor checks in early.
    set_clock(&app, "2026-11-26T09:50:00+08:00");
    let walk_in = kiosk_ticket(&app, "KTP-EL", "none").await;
    // A minute later, the booked visitor reaches the kiosk (the clock stands still unless moved).
    app.state.clock.advance(60_000);
    let kiosk = app.client();
    let r =
        app.post_form(&kiosk, "/m/ttu/kiosk/booking", "/m/ttu/kiosk/booking", &[("code", &code.to_lowercase())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let booked_ticket = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
    let r = app.post_form(&kiosk, "/m/ttu/kiosk/booking", "/m/ttu/kiosk/booking", &[("code", &code)]).await;
    assert_eq!(r.status(), StatusCode::CONFLICT, "a booking yields one ticket");
    // The other booking (09:00–09:30) is now 20 minutes late: past the grace, a walk-in.
    let r = app.post_form(&kiosk, "/m/ttu/kiosk/booking", "/m/ttu/kiosk/booking", &[("code", &others)]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let late_ticket = r.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
    let r = app.post_form(&kiosk, "/m/ttu/kiosk/booking", "/m/ttu/kiosk/booking", &[("code", "ZZZZ-ZZZZ")]).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("tidak ditemukan"));

    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    // Before 10:00 the booking waits like anyone (the walk-in came first)…
    assert_eq!(o.call(1).await.unwrap()["id"], walk_in.as_str());
    o.finish(1, &walk_in).await;
    // …inside its window it goes ahead of the late one, who queued earlier.
    set_clock(&app, "2026-11-26T10:05:00+08:00");
    assert_eq!(o.call(1).await.unwrap()["id"], booked_ticket.as_str());
    o.finish(1, &booked_ticket).await;
    assert_eq!(o.call(1).await.unwrap()["id"], late_ticket.as_str());
    // (A new day: yesterday's sessions have expired.)
    let other = app.login(ADMIN).await;
    let (_, shown) = app.get_text(&other, &format!("/m/ttu/janji/{others}")).await;
    assert!(shown.contains("Terlambat"), "{shown}");

    // A booking nobody came for is a no-show after its grace period.
    // (Someone else: the manager already had their one booking that day.)
    let absentee = app.login(OFFICER).await;
    let r = book_form(&app, &absentee, "KTP-EL", "2026-11-26", THU_0900 + 4 * HALF_HOUR, "").await;
    let absent = booking_code_of(&r);
    set_clock(&app, "2026-11-26T11:50:00+08:00");
    let n = mpp::booking::store::sweep_no_shows(&app.state.db, app.state.clock.now_ms()).await.unwrap();
    assert_eq!(n, 1);
    let (_, shown) = app.get_text(&absentee, &format!("/m/ttu/janji/{absent}")).await;
    assert!(shown.contains("Tidak datang"));
}
both!(a_citizen_books_moves_cancels_and_checks_in);

async fn the_daily_quota_and_the_api(app: TestApp) {
    set_clock(&app, "2026-11-25T10:00:00+08:00");
    app.state.db.run(sql::query("UPDATE services SET booking_quota = 2 WHERE code = 'KK'")).await.unwrap();
    let c = Client::new();
    let slots = free_slots(&app, "KK", "2026-11-26").await;
    assert_eq!(slots["day_free"], 2);
    let starts = slot_starts(&slots);
    let token = token_for(&app, CITIZEN).await;
    // Two more citizens: each holds one booking per service and day.
    let (second, third_citizen) = (token_for(&app, OFFICER).await, token_for(&app, crate::helpers::AGENCY_ADMIN).await);
    let book_as = |who: &str, key: String, start: i64| {
        c.post(app.url("/api/v1/malls/ttu/appointments"))
            .bearer_auth(who)
            .header("Idempotency-Key", key)
            .json(&json!({"service": "KK", "date": "2026-11-26", "start": start}))
            .send()
    };
    let book = |key: String, start: i64| {
        c.post(app.url("/api/v1/malls/ttu/appointments"))
            .bearer_auth(&token)
            .header("Idempotency-Key", key)
            .json(&json!({"service": "KK", "date": "2026-11-26", "start": start}))
            .send()
    };
    let first = book("b-1".into(), starts[0]).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again: Value = book("b-1".into(), starts[0]).await.unwrap().json().await.unwrap();
    assert_eq!(again["code"], first["code"], "a retried booking is the same booking");
    assert_eq!(book_as(&second, "b-2".into(), starts[1]).await.unwrap().status(), StatusCode::CREATED);
    let third = book_as(&third_citizen, "b-3".into(), starts[2]).await.unwrap();
    assert_eq!(third.status(), StatusCode::CONFLICT, "the day's quota of two is used");
    let p: Value = third.json().await.unwrap();
    assert_eq!(p["type"], "/problems/booking-day_full");
    // Cancelling gives the place back.
    let code = first["code"].as_str().unwrap();
    let r =
        c.delete(app.url(&format!("/api/v1/malls/ttu/appointments/{code}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(book("b-4".into(), starts[2]).await.unwrap().status(), StatusCode::CREATED);
    // Someone else's booking is not found; a bad slot is a field error.
    let admin = token_for(&app, ADMIN).await;
    let r = c.get(app.url(&format!("/api/v1/malls/ttu/appointments/{code}"))).bearer_auth(&admin).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = c
        .post(app.url("/api/v1/malls/ttu/appointments"))
        .bearer_auth(&token)
        .json(&json!({"service": "KK", "date": "2026-11-26", "start": 12345}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Check-in through the API needs a staff token, on the day.
    let mine: Value = c
        .post(app.url("/api/v1/malls/ttu/appointments"))
        .bearer_auth(&token)
        .json(&json!({"service": "KTP-EL", "date": "2026-11-26", "start": THU_0900}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = mine["code"].as_str().unwrap();
    let staff = token_for(&app, OFFICER).await;
    let check_in =
        |t: String| c.post(app.url(&format!("/api/v1/malls/ttu/appointments/{code}/check-in"))).bearer_auth(t).send();
    assert_eq!(check_in(token.clone()).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(check_in(staff.clone()).await.unwrap().status(), StatusCode::CONFLICT, "not today");
    set_clock(&app, "2026-11-26T09:00:00+08:00");
    let r = check_in(staff).await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let t: Value = r.json().await.unwrap();
    assert_eq!(t["label"], "A-001");
}
both!(the_daily_quota_and_the_api);

/// Ten kiosks checking in the same booking at once: one ticket, nine
/// refusals, and the refused ones leave nothing behind (on SQLite their
/// work is rolled back to its savepoint inside a shared group commit).
async fn a_booking_checked_in_at_once_by_ten_kiosks_makes_one_ticket(app: TestApp) {
    set_clock(&app, "2026-11-25T10:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let r = book_form(&app, &citizen, "KTP-EL", "2026-11-26", THU_0900, "").await;
    let code = booking_code_of(&r);
    set_clock(&app, "2026-11-26T09:00:00+08:00");
    let staff = std::sync::Arc::new(token_for(&app, OFFICER).await);
    let mut kiosks = Vec::new();
    for _ in 0..10 {
        let (url, staff) = (app.url(&format!("/api/v1/malls/ttu/appointments/{code}/check-in")), staff.clone());
        kiosks.push(tokio::spawn(async move {
            Client::new().post(url).bearer_auth(staff.as_str()).send().await.unwrap().status()
        }));
    }
    let mut statuses = Vec::new();
    for k in kiosks {
        statuses.push(k.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CREATED).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count(), 9, "{statuses:?}");
    let tickets: i64 =
        sql::query("SELECT COUNT(*) FROM tickets").fetch_one(&mut Conn::Read(&app.state.db)).await.unwrap();
    assert_eq!(tickets, 1, "the refused check-ins left no ticket behind");
    let next = kiosk_ticket(&app, "KTP-EL", "none").await;
    let label: String = sql::query("SELECT label FROM tickets WHERE id = $1")
        .bind(&next)
        .fetch_one(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    assert_eq!(label, "A-002", "nor used up a number");
}

both!(a_booking_checked_in_at_once_by_ten_kiosks_makes_one_ticket);

/// One citizen holds one booking per service and day (the mall may allow
/// more): not the same slot again and again, not another slot that
/// morning, not two at once through the API; another service, another
/// day, or after cancelling, they may.
async fn a_citizen_holds_one_booking_per_service_and_day(app: TestApp) {
    set_clock(&app, "2026-11-25T10:00:00+08:00");
    let citizen = app.login(CITIZEN).await;
    let r = book_form(&app, &citizen, "KTP-EL", "2026-11-26", THU_0900 + 3 * HALF_HOUR, "").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let first = booking_code_of(&r);
    for start in [THU_0900 + 3 * HALF_HOUR, THU_0900 + 4 * HALF_HOUR] {
        let r = book_form(&app, &citizen, "KTP-EL", "2026-11-26", start, "").await;
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.text().await.unwrap().contains("sudah punya pemesanan untuk layanan ini"));
    }
    // Moving it is not a second booking.
    let r = book_form(&app, &citizen, "KTP-EL", "2026-11-26", THU_0900 + 5 * HALF_HOUR, &first).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "moved");
    // Another day is another visit.
    let friday = THU_0900 + 24 * 3_600_000;
    assert_eq!(book_form(&app, &citizen, "KTP-EL", "2026-11-27", friday, "").await.status(), StatusCode::SEE_OTHER);
    // Two at once through the API: exactly one wins.
    let token = token_for(&app, crate::helpers::AGENCY_ADMIN).await;
    let book = |start: i64| {
        let (url, token) = (app.url("/api/v1/malls/ttu/appointments"), token.clone());
        async move {
            Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&json!({"service": "KTP-EL", "date": "2026-11-26", "start": start}))
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let (a, b) = tokio::join!(book(THU_0900 + 8 * HALF_HOUR), book(THU_0900 + 9 * HALF_HOUR));
    let won = [a, b].iter().filter(|s| s.is_success()).count();
    assert_eq!(won, 1, "{a} {b}");
    assert!([a, b].contains(&StatusCode::CONFLICT), "{a} {b}");
}
both!(a_citizen_holds_one_booking_per_service_and_day);

/// Two visits finished in an instant (a test at the counter, a mistaken
/// click) do not make the service look instant: the slots keep a
/// realistic size instead of opening the day's quota in one half-hour.
async fn two_instant_finishes_do_not_open_a_days_quota_in_one_slot(app: TestApp) {
    set_clock(&app, "2026-11-25T10:00:00+08:00");
    let o = Officer::new(&app, ADMIN).await;
    o.open(1).await;
    for _ in 0..2 {
        let id = kiosk_ticket(&app, "KTP-EL", "none").await;
        assert_eq!(o.call(1).await.unwrap()["id"], id.as_str());
        o.finish(1, &id).await;
    }
    let slots = free_slots(&app, "KTP-EL", "2026-11-26").await;
    let most = slots["slots"].as_array().unwrap().iter().map(|s| s["free"].as_i64().unwrap()).max().unwrap();
    assert!((1..=3).contains(&most), "one counter takes at most three booked visitors a half-hour: {slots}");
}
both!(two_instant_finishes_do_not_open_a_days_quota_in_one_slot);

/// The booking page's services can be searched (typos forgiven): nobody
/// has to Tab through forty links to reach KTP-el.
async fn the_bookable_services_can_be_searched(app: TestApp) {
    let c = app.client();
    let (_, all) = app.get_text(&c, "/m/ttu/janji").await;
    let everything = all.matches("href=\"/m/ttu/janji/layanan/").count();
    assert!(everything > 5 && all.contains("role=\"search\""), "{all}");
    let (_, found) = app.get_text(&c, "/m/ttu/janji?q=ktpp").await;
    let first = found.split("href=\"/m/ttu/janji/layanan/").nth(1).unwrap().split('"').next().unwrap();
    assert_eq!(first, "KTP-EL");
    assert!(found.matches("href=\"/m/ttu/janji/layanan/").count() < everything);
    assert!(found.contains("value=\"ktpp\"") && found.contains("Tampilkan semua layanan"), "{found}");
}
both!(the_bookable_services_can_be_searched);

/// Five people book the last two places of a day at the same moment: two
/// get them, three are told the day is full, and the counts stay true.
/// Then two people swap days back and forth at once, many times: each move
/// locks the rows of both days, always in the same order, so none of them
/// waits for the other forever (PostgreSQL would abort one as a deadlock).
async fn bookings_at_once_never_overfill_and_moves_never_deadlock(app: TestApp) {
    set_clock(&app, "2026-11-25T10:00:00+08:00");
    app.state.db.run(sql::query("UPDATE services SET booking_quota = 2 WHERE code = 'KK'")).await.unwrap();
    let c = Client::new();
    let slots = free_slots(&app, "KK", "2026-11-26").await;
    let thursday = slot_starts(&slots);
    let people = [CITIZEN, OFFICER, crate::helpers::AGENCY_ADMIN, ADMIN, crate::helpers::SUPERVISOR];
    let mut tokens = Vec::new();
    for who in people {
        tokens.push(token_for(&app, who).await);
    }
    let book = |token: String, date: &'static str, start: i64| {
        let (c, url) = (c.clone(), app.url("/api/v1/malls/ttu/appointments"));
        async move {
            let r = c.post(url).bearer_auth(token).json(&json!({"service": "KK", "date": date, "start": start}));
            let r = r.send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let answers =
        futures_util::future::join_all(tokens.iter().zip(&thursday).map(|(t, at)| book(t.clone(), "2026-11-26", *at)))
            .await;
    let created = answers.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    assert_eq!(created, 2, "{answers:?}");
    for (s, p) in answers.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!((*s, p["type"].as_str()), (StatusCode::CONFLICT, Some("/problems/booking-day_full")));
    }
    let counted = || async {
        sql::query(
            "SELECT day, CAST(SUM(CASE WHEN slot_start = 0 THEN booked ELSE 0 END) AS BIGINT),
             CAST(SUM(CASE WHEN slot_start = 0 THEN 0 ELSE booked END) AS BIGINT)
             FROM booking_counts WHERE service_id = (SELECT id FROM services WHERE code = 'KK') GROUP BY day ORDER BY day",
        )
        .fetch_all::<(String, i64, i64)>(&mut Conn::Read(&app.state.db))
        .await
        .unwrap()
    };
    assert_eq!(counted().await, [("2026-11-26".to_string(), 2, 2)], "the day and its slots count two each");
    // Two holders swap between Thursday and Friday at once, ten times.
    let friday = free_slots(&app, "KK", "2026-11-27").await;
    let friday = slot_starts(&friday);
    let mut holders = Vec::new();
    for ((_, body), who) in answers.iter().zip(people).filter(|((s, _), _)| *s == StatusCode::CREATED) {
        holders.push((app.login(who).await, body["code"].as_str().unwrap().to_string()));
    }
    for round in 0..10 {
        let moves = holders.iter().enumerate().map(|(k, (client, code))| {
            let (date, start) =
                if (round + k) % 2 == 1 { ("2026-11-26", thursday[k]) } else { ("2026-11-27", friday[k]) };
            book_form(&app, client, "KK", date, start, code)
        });
        for r in futures_util::future::join_all(moves).await {
            assert!(
                matches!(r.status(), StatusCode::SEE_OTHER | StatusCode::CONFLICT),
                "round {round}: {}",
                r.status()
            );
        }
    }
    // Whichever day each ended on, two bookings are counted, once each.
    let days = counted().await;
    assert_eq!(days.iter().map(|(_, day, _)| day).sum::<i64>(), 2, "{days:?}");
    assert_eq!(days.iter().map(|(_, _, slots)| slots).sum::<i64>(), 2, "{days:?}");
}
both!(bookings_at_once_never_overfill_and_moves_never_deadlock);
