//! The visit under load: starts the real `mpp` binary (release build) on a
//! fresh database, then for a fixed time drives simulated kiosks issuing
//! tickets, citizens booking appointments (and checking in at once when the
//! booking is for today), and counters calling and finishing them, all
//! through the JSON API, with 200 concurrent clients. Prints complete
//! visits per second (issue → call → finish), p50/p99 latency per operation
//! and the server's peak memory, for SQLite and, when reachable, PostgreSQL.
//!
//! Each database runs two loads: the mixed one (half the clients at
//! counters) and a rush (200 kiosks issuing against 20 counters), whose
//! call-next latency shows whether counters starve behind the kiosks. Beside
//! MPP's figures it prints, measured in the same run, the machine's raw
//! durable commit rates (one SQLite writer committing with
//! `synchronous=FULL`; `pgbench -N`), the ratios, and the CPU time the server
//! and PostgreSQL spent per complete visit (the figures least sensitive to
//! the machine).
//!
//!   cargo bench -p mpp --bench visits                # both databases, 20 s each
//!   MPP_BENCH_SECS=5 MPP_BENCH_CLIENTS=100 cargo bench -p mpp --bench visits
//!
//! Figures and their discussion: docs/PERFORMANCE.md.

#![allow(clippy::unwrap_used)]

mod common;

use common::{Server, percentile, start};

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// Each kiosk's pause between tickets.
const KIOSK_PAUSE_MS: u64 = 50;

/// Peak resident memory of a process, from /proc (Linux).
fn peak_rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU seconds (user + system) a process has used, from /proc (Linux).
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces): utime is the
    // 14th field of the line, stime the 15th, in clock ticks (100 per second).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds every PostgreSQL process of this machine has used.
fn postgres_cpu_secs() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0.0 };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "postgres"))
        .map(cpu_secs)
        .sum()
}

/// Durable commits per second of one SQLite writer on this disk (WAL,
/// `synchronous=FULL`, one row per transaction), for `secs` seconds.
fn sqlite_commit_rate(secs: f64) -> f64 {
    let dir = std::env::temp_dir().join(format!("mpp-bench-raw-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let conn = rusqlite::Connection::open(dir.join("raw.db")).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (x INTEGER)").unwrap();
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed().as_secs_f64() < secs {
        conn.execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1); COMMIT").unwrap();
        n += 1;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    drop(conn);
    let _ = std::fs::remove_dir_all(&dir);
    rate
}

/// `pgbench -N` (simple durable write transactions, 16 clients) against a
/// scratch database, in transactions per second; `None` without pgbench.
fn pgbench_rate(admin: &str, secs: u64) -> Option<f64> {
    let name = format!("mpp_pgbench_{}", std::process::id());
    let url = format!("{}/{name}", admin.rsplit_once('/')?.0);
    Command::new("psql").args([admin, "-qc", &format!("CREATE DATABASE {name}")]).status().ok()?;
    let init = Command::new("pgbench").args(["-i", "-q", "-s", "10", &url]).output().ok();
    let run = init.filter(|o| o.status.success()).and_then(|_| {
        Command::new("pgbench").args(["-N", "-c", "16", "-j", "2", "-T", &secs.to_string(), &url]).output().ok()
    });
    let _ = Command::new("psql").args([admin, "-qc", &format!("DROP DATABASE {name} WITH (FORCE)")]).status();
    let out = String::from_utf8_lossy(&run?.stdout).into_owned();
    out.lines().find_map(|l| l.strip_prefix("tps = ")?.split_whitespace().next()?.parse().ok())
}

/// The demo mall admin's API token.
async fn token(base: &str) -> String {
    common::person(base, "admin@demo.mpp.id").await.1
}

#[derive(Default)]
struct Latencies {
    issue: Vec<u32>,
    slots: Vec<u32>,
    book: Vec<u32>,
    check_in: Vec<u32>,
    call: Vec<u32>,
    finish: Vec<u32>,
}

/// The bench's first day (its clock starts then, see `start`).
const TODAY: time::Date = time::macros::date!(2026 - 11 - 25);

/// Services that get extra counters in the bench, and their agencies.
const SERVICES: &[(&str, &str)] =
    &[("KTP-EL", "dukcapil"), ("KK", "dukcapil"), ("PKB-TAHUNAN", "samsat"), ("NPWP", "pajak")];

/// Who the clients are.
#[derive(Clone, Copy)]
struct Load {
    kiosks: usize,
    citizens: usize,
    counters: usize,
}

impl Load {
    /// Half the clients work counters, each its own; a twentieth are
    /// citizens booking online; the rest are kiosks.
    fn mixed(clients: usize) -> Load {
        let (counters, citizens) = (clients / 2, clients / 20);
        Load { kiosks: clients - counters - citizens, citizens, counters }
    }

    /// A rush: many kiosks against few counters.
    fn rush(clients: usize) -> Load {
        Load { kiosks: clients, citizens: 0, counters: 20 }
    }
}

/// What a run measured, for the summary.
#[derive(Default)]
struct Outcome {
    visits_per_sec: f64,
    server_cpu_ms_per_visit: f64,
    postgres_cpu_ms_per_visit: f64,
}

async fn run(label: &str, server: &Server, load: Load, secs: u64) -> Outcome {
    let base = server.base.clone();
    let token = token(&base).await;
    let api = format!("{base}/api/v1/malls/ttu");
    let Load { kiosks, citizens, counters } = load;
    let clients = kiosks + citizens + counters;
    let http = Client::builder().pool_max_idle_per_host(clients).build().unwrap();
    // Enough online places that booking citizens do not run out at once.
    for (service, _) in SERVICES {
        let url = format!("{api}/services/{service}");
        // The record as read is what a write takes back.
        let mut input: Value = http.get(&url).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        input["booking_quota"] = json!(1000);
        let r = http.put(&url).bearer_auth(&token).json(&input).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
    for i in 0..counters {
        let (service, agency) = SERVICES[i % SERVICES.len()];
        let number = 100 + i as i64;
        let body = json!({"agency": agency, "number": number, "zone": "Bench", "services": [service], "active": true});
        let r = http.post(format!("{api}/counters")).bearer_auth(&token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
        let r = http
            .put(format!("{api}/counters/{number}/state"))
            .bearer_auth(&token)
            .json(&json!({"status": "open"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let visits = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let refused = Arc::new(AtomicU64::new(0));
    let lat = Arc::new(Mutex::new(Latencies::default()));
    let (cpu_before, pg_before) = (cpu_secs(server.child.id()), postgres_cpu_secs());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..kiosks {
        let (http, api, token, stop, lat, errors, refused) =
            (http.clone(), api.clone(), token.clone(), stop.clone(), lat.clone(), errors.clone(), refused.clone());
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let service = SERVICES[i % SERVICES.len()].0;
                let t = Instant::now();
                let r = http
                    .post(format!("{api}/tickets"))
                    .bearer_auth(&token)
                    .json(&json!({"services": [service]}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == StatusCode::CREATED => mine.push(t.elapsed().as_micros() as u32),
                    // The kiosk says no when the line cannot be served before
                    // closing (a rush does that): an answer, not an error.
                    Ok(r) if r.status() == StatusCode::CONFLICT || r.status() == StatusCode::UNPROCESSABLE_ENTITY => {
                        refused.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
                // Kiosks keep ahead of the counters but do not flood the
                // queue: a kiosk pauses while its service has a long line.
                tokio::time::sleep(Duration::from_millis(KIOSK_PAUSE_MS)).await;
            }
            lat.lock().await.issue.extend(mine);
        }));
    }
    for i in 0..citizens {
        let (http, api, token, stop, lat, errors) =
            (http.clone(), api.clone(), token.clone(), stop.clone(), lat.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let (mut slots, mut books, mut check_ins) = (Vec::new(), Vec::new(), Vec::new());
            let service = SERVICES[i % SERVICES.len()].0;
            // Today first (then the booking is checked in at once, as at
            // the kiosk); when today is full, the days after.
            let mut day = 0;
            while !stop.load(Ordering::Relaxed) && day < 14 {
                let date = (TODAY + time::Duration::days(day)).to_string();
                let t = Instant::now();
                let r = http.get(format!("{api}/services/{service}/slots?date={date}")).send().await;
                let offer: Value = match r {
                    Ok(r) if r.status() == StatusCode::OK => {
                        slots.push(t.elapsed().as_micros() as u32);
                        r.json().await.unwrap()
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                };
                let free = offer["slots"].as_array().unwrap().iter().find(|s| s["free"].as_i64() > Some(0));
                let Some(slot) = free else {
                    day += 1;
                    continue;
                };
                let t = Instant::now();
                let body = json!({"service": service, "date": date, "start": slot["start"]});
                let r = http.post(format!("{api}/appointments")).bearer_auth(&token).json(&body).send().await;
                let booking: Value = match r {
                    Ok(r) if r.status() == StatusCode::CREATED => {
                        books.push(t.elapsed().as_micros() as u32);
                        r.json().await.unwrap()
                    }
                    // A citizen holds one booking per service and day: the
                    // next booking is for another day.
                    Ok(r) if r.status() == StatusCode::CONFLICT => {
                        let problem: Value = r.json().await.unwrap_or_default();
                        if problem["type"] == "/problems/booking-one_per_day" {
                            day += 1;
                        }
                        // Otherwise someone took the last place first: look again.
                        continue;
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                };
                if day > 0 {
                    continue;
                }
                let code = booking["code"].as_str().unwrap();
                let t = Instant::now();
                let r = http.post(format!("{api}/appointments/{code}/check-in")).bearer_auth(&token).send().await;
                match r {
                    Ok(r) if r.status() == StatusCode::CREATED => check_ins.push(t.elapsed().as_micros() as u32),
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            let mut l = lat.lock().await;
            l.slots.extend(slots);
            l.book.extend(books);
            l.check_in.extend(check_ins);
        }));
    }
    for i in 0..counters {
        let (http, api, token, stop, lat, visits, errors) =
            (http.clone(), api.clone(), token.clone(), stop.clone(), lat.clone(), visits.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let number = 100 + i as i64;
            let (mut calls, mut finishes) = (Vec::new(), Vec::new());
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let r = http.post(format!("{api}/counters/{number}/call-next")).bearer_auth(&token).send().await;
                let ticket: Value = match r {
                    Ok(r) if r.status() == StatusCode::OK => {
                        calls.push(t.elapsed().as_micros() as u32);
                        r.json().await.unwrap()
                    }
                    Ok(r) if r.status() == StatusCode::NO_CONTENT => {
                        calls.push(t.elapsed().as_micros() as u32);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                };
                let id = ticket["id"].as_str().unwrap();
                let t = Instant::now();
                let r = http
                    .post(format!("{api}/counters/{number}/tickets/{id}"))
                    .bearer_auth(&token)
                    .json(&json!({"action": "finish", "outcome": "served"}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == StatusCode::OK => {
                        finishes.push(t.elapsed().as_micros() as u32);
                        visits.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            let mut l = lat.lock().await;
            l.call.extend(calls);
            l.finish.extend(finishes);
        }));
    }
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (cpu, pg_cpu) = (cpu_secs(server.child.id()) - cpu_before, postgres_cpu_secs() - pg_before);
    let mut guard = lat.lock().await;
    let l = &mut *guard;
    let done = visits.load(Ordering::Relaxed);
    println!(
        "\n== {label}: {clients} clients ({kiosks} kiosks, {citizens} booking citizens, {counters} counters), {elapsed:.1} s"
    );
    println!(
        "complete visits: {done} ({:.0}/s); tickets refused (line full for the day): {}; errors: {}",
        done as f64 / elapsed,
        refused.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed)
    );
    let ops = [
        ("issue", &mut l.issue),
        ("slots", &mut l.slots),
        ("book", &mut l.book),
        ("check-in", &mut l.check_in),
        ("call-next", &mut l.call),
        ("finish", &mut l.finish),
    ];
    for (name, v) in ops {
        let n = v.len();
        println!(
            "{name:>10}: {n:>7} requests  p50 {:>6.1} ms  p99 {:>6.1} ms",
            percentile(v, 0.50),
            percentile(v, 0.99)
        );
    }
    let per_visit = |secs: f64| if done == 0 { 0.0 } else { secs * 1000.0 / done as f64 };
    println!("server peak memory: {:.0} MiB", peak_rss_mib(server.child.id()));
    println!("server CPU per complete visit: {:.2} ms", per_visit(cpu));
    if label.starts_with("PostgreSQL") {
        println!("PostgreSQL CPU per complete visit: {:.2} ms", per_visit(pg_cpu));
    }
    Outcome {
        visits_per_sec: done as f64 / elapsed,
        server_cpu_ms_per_visit: per_visit(cpu),
        postgres_cpu_ms_per_visit: per_visit(pg_cpu),
    }
}

/// Public pages read by 16 anonymous clients at once for `secs` each:
/// requests per second and the server's CPU per request.
async fn pages(server: &Server, secs: u64) {
    let http = Client::builder().pool_max_idle_per_host(16).build().unwrap();
    println!("\n== public pages, SQLite: 16 clients, {secs} s each");
    for path in ["/m/ttu/layanan", "/m/ttu/layanan/KTP-EL", "/m/ttu/papan"] {
        let url = format!("{}{path}", server.base);
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicU64::new(0));
        let cpu_before = cpu_secs(server.child.id());
        let started = Instant::now();
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (http, url, stop, served) = (http.clone(), url.clone(), stop.clone(), served.clone());
                tokio::spawn(async move {
                    while !stop.load(Ordering::Relaxed) {
                        let r = http.get(&url).send().await.unwrap();
                        assert_eq!(r.status(), StatusCode::OK, "{url}");
                        r.bytes().await.unwrap();
                        served.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_secs(secs)).await;
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            t.await.unwrap();
        }
        let n = served.load(Ordering::Relaxed) as f64;
        let cpu = cpu_secs(server.child.id()) - cpu_before;
        println!(
            "{path:>24}: {:>6.0} requests/s, server CPU {:.3} ms per request",
            n / started.elapsed().as_secs_f64(),
            cpu * 1000.0 / n.max(1.0)
        );
    }
}

fn main() {
    let secs: u64 = std::env::var("MPP_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(20);
    let clients: usize = std::env::var("MPP_BENCH_CLIENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    let admin =
        std::env::var("MPP_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    let raw_sqlite = sqlite_commit_rate(5.0);
    let raw_pg = pgbench_rate(&admin, 10);
    println!("\n== this machine: one SQLite writer commits {raw_sqlite:.0} durable transactions/s");
    match raw_pg {
        Some(tps) => println!("== this machine: pgbench -N (16 clients) {tps:.0} transactions/s"),
        None => println!("== this machine: pgbench not found or PostgreSQL not reachable; no raw PostgreSQL rate"),
    }
    // `MPP_BENCH_ONLY=postgres` (or `sqlite`) runs one database, to profile it.
    let only = std::env::var("MPP_BENCH_ONLY").unwrap_or_default();
    rt.block_on(async {
        let mut lite = Outcome::default();
        if only != "postgres" {
            let server = start(None);
            lite = run("SQLite (WAL, synchronous=FULL)", &server, Load::mixed(clients), secs).await;
            drop(server);
            let server = start(None);
            run("SQLite, rush", &server, Load::rush(clients), secs).await;
            drop(server);
            let server = start(None);
            pages(&server, secs.min(5)).await;
            drop(server);
        }
        if only == "sqlite" {
            return;
        }
        let name = format!("mpp_bench_{}", std::process::id());
        let pg_url = |n: &str| format!("{}/{n}", admin.rsplit_once('/').unwrap().0);
        let created = Command::new("psql").args([&admin, "-qc", &format!("CREATE DATABASE {name}")]).status();
        if !matches!(created, Ok(s) if s.success()) {
            println!("\n== PostgreSQL: not reachable at {admin}; skipped (set MPP_TEST_PG_URL)");
            return;
        }
        let server = start(Some(&pg_url(&name)));
        let pg = run("PostgreSQL 15", &server, Load::mixed(clients), secs).await;
        drop(server);
        let _ = Command::new("psql").args([&admin, "-qc", &format!("DROP DATABASE {name} WITH (FORCE)")]).status();
        let rush = format!("{name}_rush");
        let _ = Command::new("psql").args([&admin, "-qc", &format!("CREATE DATABASE {rush}")]).status();
        let server = start(Some(&pg_url(&rush)));
        run("PostgreSQL 15, rush", &server, Load::rush(clients), secs).await;
        drop(server);
        let _ = Command::new("psql").args([&admin, "-qc", &format!("DROP DATABASE {rush} WITH (FORCE)")]).status();
        println!("\n== summary (mixed load)");
        println!(
            "SQLite: {:.0} visits/s = {:.2} × its raw commit rate; server CPU {:.2} ms per visit",
            lite.visits_per_sec,
            lite.visits_per_sec / raw_sqlite,
            lite.server_cpu_ms_per_visit
        );
        let vs_raw = raw_pg.map_or_else(|| "-".to_string(), |tps| format!("{:.2}", pg.visits_per_sec / tps));
        println!(
            "PostgreSQL: {:.0} visits/s = {vs_raw} × pgbench -N, {:.2} × SQLite; server CPU {:.2} ms, PostgreSQL CPU {:.2} ms per visit",
            pg.visits_per_sec,
            pg.visits_per_sec / lite.visits_per_sec.max(1.0),
            pg.server_cpu_ms_per_visit,
            pg.postgres_cpu_ms_per_visit
        );
    });
}
