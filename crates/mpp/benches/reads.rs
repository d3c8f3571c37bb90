//! The cost of logging every read: an officer reading citizens'
//! applications (each read written to the access log, chained, before the
//! data is sent) against the applicants reading the same applications
//! (their own reads are not logged; the same detail is built), on the same
//! server, through the JSON API and through the pages, with 16 concurrent
//! clients, for SQLite and PostgreSQL. Prints requests/s and p50/p99 of
//! each, and checks afterwards that every officer read is on the log and
//! the log's chain holds.
//!
//!   cargo bench -p mpp --bench reads                 # 10 s per load
//!   MPP_BENCH_SECS=5 cargo bench -p mpp --bench reads
//!
//! Figures: docs/PERFORMANCE.md, "The cost of logging every read".

#![allow(clippy::unwrap_used)]

mod common;

use common::{Server, percentile, person, start};

use reqwest::{Client, StatusCode};
use serde_json::json;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const CLIENTS: usize = 16;
const APPLICATIONS: usize = 40;

/// Drives GETs of the given paths round-robin for `secs`; (requests/s, p50 ms, p99 ms).
async fn drive(client: &Client, token: Option<&str>, paths: &[String], secs: u64) -> (f64, f64, f64) {
    let stop = Arc::new(AtomicBool::new(false));
    let times = Arc::new(Mutex::new(Vec::<u32>::new()));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (client, stop, times) = (client.clone(), stop.clone(), times.clone());
            let (paths, token) = (paths.to_vec(), token.map(str::to_owned));
            tokio::spawn(async move {
                let mut mine = Vec::new();
                let mut n = i;
                while !stop.load(Ordering::Relaxed) {
                    let at = Instant::now();
                    let mut req = client.get(&paths[n % paths.len()]);
                    if let Some(t) = &token {
                        req = req.bearer_auth(t);
                    }
                    let r = req.send().await.unwrap();
                    assert_eq!(r.status(), StatusCode::OK, "{}", paths[n % paths.len()]);
                    r.bytes().await.unwrap();
                    mine.push(u32::try_from(at.elapsed().as_micros()).unwrap_or(u32::MAX));
                    n += CLIENTS;
                }
                times.lock().await.extend(mine);
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    let mut times = times.lock().await;
    let n = times.len() as f64;
    (n / started.elapsed().as_secs_f64(), percentile(&mut times, 0.5), percentile(&mut times, 0.99))
}

async fn measure(label: &str, server: &Server, secs: u64) {
    let base = &server.base;
    let (citizen, citizen_token) = person(base, "warga@demo.mpp.id").await;
    let (officer, officer_token) = person(base, "perizinan@demo.mpp.id").await;
    let api = format!("{base}/api/v1/malls/ttu/applications");
    let mut numbers = Vec::new();
    for i in 0..APPLICATIONS {
        let body = json!({"service": "IZIN-USAHA-MIKRO", "risk": "low", "values": {
            "business_name": format!("Kios {i}"), "owner_nik": "5304015203900001", "sector": "Kuliner",
            "capital": "5000000", "workers": "2", "village": "53.03.05.1003"}});
        let r = Client::new().post(&api).bearer_auth(&citizen_token).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        numbers.push(r.json::<serde_json::Value>().await.unwrap()["number"].as_str().unwrap().to_string());
    }
    let api_paths: Vec<String> = numbers.iter().map(|n| format!("{api}/{n}")).collect();
    let officer_pages: Vec<String> = numbers.iter().map(|n| format!("{base}/m/ttu/kotak-masuk/{n}")).collect();
    let citizen_pages: Vec<String> = numbers.iter().map(|n| format!("{base}/m/ttu/permohonan/{n}")).collect();
    println!("\n== {label}: {CLIENTS} clients, {APPLICATIONS} applications, {secs} s per load");
    let plain = Client::new();
    for (what, client, token, paths) in [
        ("API, applicant (not logged)", &plain, Some(citizen_token.as_str()), &api_paths),
        ("API, officer (logged)", &plain, Some(officer_token.as_str()), &api_paths),
        ("page, applicant's receipt (not logged)", &citizen, None, &citizen_pages),
        ("page, officer's inbox page (logged)", &officer, None, &officer_pages),
    ] {
        let (rate, p50, p99) = drive(client, token, paths, secs).await;
        println!("{what:>42}: {rate:>6.0} requests/s, p50 {p50:>6.1} ms, p99 {p99:>6.1} ms");
    }
    // Every officer read is on the log, and the chain holds.
    let mut verify = Command::new(env!("CARGO_BIN_EXE_mpp"));
    verify.args(["--data-dir", server.dir.to_str().unwrap(), "audit", "verify"]).env("RUST_LOG", "warn");
    if let Some(url) = &server.database_url {
        verify.args(["--database-url", url]);
    }
    let out = verify.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let logged = text.lines().find(|l| l.contains("access log")).unwrap_or("no access log").trim().to_string();
    assert!(out.status.success(), "{text}");
    println!("{:>42}: {logged}", "mpp audit verify");
}

fn main() {
    let secs: u64 = std::env::var("MPP_BENCH_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(10);
    let admin =
        std::env::var("MPP_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let server = start(None);
        measure("SQLite", &server, secs).await;
        drop(server);
        let name = format!("mpp_bench_reads_{}", std::process::id());
        let created = Command::new("psql").args([&admin, "-qc", &format!("CREATE DATABASE {name}")]).status();
        if !matches!(created, Ok(s) if s.success()) {
            println!("\n== PostgreSQL: not reachable at {admin}; skipped (set MPP_TEST_PG_URL)");
            return;
        }
        let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
        let server = start(Some(&url));
        measure("PostgreSQL 15", &server, secs).await;
        drop(server);
        let _ = Command::new("psql").args([&admin, "-qc", &format!("DROP DATABASE {name} WITH (FORCE)")]).status();
    });
}
