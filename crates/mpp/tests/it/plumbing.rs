//! Health, metrics, unknown paths, security headers, page weight.

use crate::helpers::{METRICS_TOKEN, TestApp, both};
use mpp::db::sql::{self, Conn};
use reqwest::StatusCode;

async fn health_and_metrics(app: TestApp) {
    let c = app.client();
    let r = app.get(&c, "/healthz").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    app.get(&c, "/m/ttu").await;
    // Only a scraper with the token reads the figures.
    assert_eq!(app.get(&c, "/metrics").await.status(), StatusCode::UNAUTHORIZED);
    let r = c.get(app.url("/metrics")).bearer_auth("scraper-token-for-test").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    let r = c.get(app.url("/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
    let (status, text) = (r.status(), r.text().await.unwrap());
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("mpp_http_requests_total{method=\"GET\",route=\"/m/{slug}\",status=\"200\"} 1"), "{text}");
    assert!(text.contains("mpp_http_request_duration_seconds_count"));
}
both!(health_and_metrics);

/// A server started without `--metrics-token` has no `/metrics` at all.
async fn metrics_are_off_without_a_token(app: TestApp) {
    let settings = mpp::Settings {
        database_url: app.database_url.clone(),
        data_dir: std::env::temp_dir().join(format!("mpp-nometrics-{}", crate::helpers::unique())),
        ..Default::default()
    };
    let state = mpp::prepare(&settings, app.state.clock.clone()).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(mpp::server::serve(listener, state));
    let r = reqwest::Client::new().get(format!("{base}/metrics")).bearer_auth(METRICS_TOKEN).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    std::fs::remove_dir_all(&settings.data_dir).ok();
}
both!(metrics_are_off_without_a_token);

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

/// Pages tell search engines what they are, headings do not skip levels,
/// and static files are linked by fingerprinted names a browser may keep
/// for a year (a changed file gets a new name).
async fn pages_describe_themselves_and_static_files_are_versioned(app: TestApp) {
    let c = app.client();
    let (_, service) = app.get_text(&c, "/m/ttu/layanan/KTP-EL").await;
    let description = service.split("<meta name=\"description\" content=\"").nth(1).unwrap().split('"').next().unwrap();
    assert!(description.len() > 40 && description.contains("Waktu penyelesaian"), "{description}");
    let (_, home) = app.get_text(&c, "/m/ttu").await;
    assert!(home.contains("<meta name=\"description\" content=\""), "{home}");
    // The catalogue goes h1 → h2 → h3.
    let (_, catalogue) = app.get_text(&c, "/m/ttu/layanan").await;
    let h1 = catalogue.find("<h1").unwrap();
    let h2 = catalogue.find("<h2").unwrap();
    let h3 = catalogue.find("<h3").unwrap();
    assert!(h1 < h2 && h2 < h3, "no level skipped");
    // The stylesheet by its fingerprint: a year, immutable; another fingerprint: none.
    let css = home.split("href=\"/static/mpp.").nth(1).unwrap().split('"').next().unwrap();
    let r = app.get(&c, &format!("/static/mpp.{css}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["cache-control"], "public, max-age=31536000, immutable");
    assert_eq!(app.get(&c, "/static/mpp.0000000000.css").await.status(), StatusCode::NOT_FOUND);
    let plain = app.get(&c, "/static/mpp.css").await;
    assert_eq!(plain.headers()["cache-control"], "public, max-age=86400", "an old link still works, briefly cached");
}
both!(pages_describe_themselves_and_static_files_are_versioned);

/// An applied migration edited afterwards would leave databases that ran
/// the old text and ones that ran the new: the server refuses to start.
async fn a_changed_migration_is_refused(app: TestApp) {
    let db = &app.state.db;
    assert_eq!(db.migrate().await.unwrap(), 0, "unchanged: nothing to do, no complaint");
    let mut edited = mpp::db::MIGRATIONS.to_vec();
    let (version, name, _) = edited[9];
    edited[9] = (version, name, "CREATE TABLE sneaked_in (id TEXT);");
    let refused = db.migrate_with(&edited).await.unwrap_err().to_string();
    assert!(refused.contains(&format!("migration {version} ({name}) was changed")), "{refused}");
    let sneaked: Result<i64, _> = sql::query("SELECT COUNT(*) FROM sneaked_in").fetch_one(&mut Conn::Read(db)).await;
    assert!(sneaked.is_err(), "nothing of it ran");
    // A database from before checksums were kept gains them, trusting its files.
    db.run(sql::query("UPDATE schema_migrations SET checksum = NULL")).await.unwrap();
    assert_eq!(db.migrate().await.unwrap(), 0);
    let unset: i64 = sql::query("SELECT COUNT(*) FROM schema_migrations WHERE checksum IS NULL")
        .fetch_one(&mut Conn::Read(db))
        .await
        .unwrap();
    assert_eq!(unset, 0);
    assert!(db.migrate_with(&edited).await.is_err(), "and checks them from then on");
}
both!(a_changed_migration_is_refused);

/// PostgreSQL plans each execution for its values: a prepared statement's
/// generic plan, made while a new mall's tables fitted in a page, stayed a
/// scan of the whole table as the day filled it (docs/PERFORMANCE.md). The
/// setting rides on every pooled connection (reads and both write pools).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_plans_every_statement_for_its_values() {
    let app = TestApp::spawn(crate::helpers::Backend::Postgres).await;
    let read: String = sql::query("SELECT current_setting('plan_cache_mode')")
        .fetch_one(&mut Conn::Read(&app.state.db))
        .await
        .unwrap();
    let written: String = app
        .state
        .db
        .transact(|conn| Box::pin(sql::query("SELECT current_setting('plan_cache_mode')").fetch_one(conn)))
        .await
        .unwrap();
    assert_eq!((read.as_str(), written.as_str()), ("force_custom_plan", "force_custom_plan"));
}

/// A table that filled since its last statistics gets them again from the
/// server (before autovacuum's round, a minute away), and one that did not
/// is left alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_statistics_follow_a_table_that_filled() {
    let app = TestApp::spawn(crate::helpers::Backend::Postgres).await;
    let db = &app.state.db;
    db.transact(|conn| {
        Box::pin(async move {
            sql::query(
                "INSERT INTO throttle_failures (key, failures, since)
                 SELECT 'k' || g, 1, g FROM generate_series(1, 600) g",
            )
            .execute(conn)
            .await?;
            // An idle connection reports its counts of changed rows up to
            // ten seconds late; this one reports them once it is idle.
            sql::query("SELECT pg_stat_force_next_flush()").execute(conn).await
        })
    })
    .await
    .unwrap();
    let mut analysed = Vec::new();
    for _ in 0..50 {
        analysed = db.refresh_statistics().await.unwrap();
        if !analysed.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(analysed, ["throttle_failures"]);
    let counted: i64 = sql::query("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'throttle_failures'")
        .fetch_one(&mut Conn::Read(db))
        .await
        .unwrap();
    assert!(counted >= 1);
    assert!(db.refresh_statistics().await.unwrap().is_empty(), "nothing changed since");
}

/// Every statement lives where a newcomer looks for it: a feature's
/// `store.rs` (or its `store/` directory) or the db module. Walks every
/// source file of the server and fails naming each file elsewhere whose
/// string literals hold SQL.
#[test]
fn sql_lives_only_in_store_files_and_the_db_module() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let statements = ["\"SELECT ", "\"INSERT INTO", "\"DELETE FROM", "\"CREATE TABLE", "\"ALTER TABLE", "\"UPDATE "];
    let mut files = vec![src.clone()];
    let (mut seen, mut elsewhere) = (0, Vec::new());
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let relative = path.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
        if !relative.ends_with(".rs") {
            continue;
        }
        seen += 1;
        let allowed = relative.starts_with("db/") || relative.ends_with("/store.rs") || relative.contains("/store/");
        // Statements also start a literal after an opening `(` or on a
        // continued line; the literal's opening quote is what they share.
        let text = std::fs::read_to_string(&path).unwrap().replace("r#\"", "\"").replace("(\"", "\"");
        if !allowed && statements.iter().any(|s| text.contains(s)) {
            elsewhere.push(relative);
        }
    }
    assert!(seen > 100, "the walk found the sources ({seen} files)");
    assert!(elsewhere.is_empty(), "SQL outside store files and db/: {elsewhere:?}");
}
