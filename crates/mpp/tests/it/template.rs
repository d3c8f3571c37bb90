//! One database per test run, migrated and holding the demo mall, made
//! once and cloned for every test: a copied file on SQLite, `CREATE
//! DATABASE … TEMPLATE` on PostgreSQL. Seeding the demo (its accounts'
//! Argon2 hashes above all) was most of a test's start.
//!
//! nextest runs each test in a process of its own, so "once" is kept on
//! disk and in PostgreSQL, under a key that changes with the test binary
//! (its migrations and demo are compiled in) and with the day (the demo's
//! dates are set from today). Two processes that find no template build
//! it side by side harmlessly (SQLite: the last rename wins) or one after
//! the other (PostgreSQL: an advisory lock).

use crate::helpers::{pg_admin_url, unique};
use sha2::{Digest, Sha256};
use sqlx::{Connection, Executor, PgConnection};
use std::path::PathBuf;

/// Names this build's template (see the module's comment).
fn key() -> String {
    let exe = std::env::current_exe().expect("the test binary's path");
    let built = std::fs::metadata(&exe).and_then(|m| m.modified()).expect("the test binary's time");
    let today = mpp::clock::Clock::system().today(mpp_domain::tenancy::TimeZone::Wita);
    let seed = format!("{}|{built:?}|{today}", exe.display());
    mpp::auth::hex(&Sha256::digest(seed.as_bytes()))[..16].to_string()
}

/// Builds the demo mall in a fresh database at `url`, as a server would.
async fn build(url: String, dir: PathBuf) {
    let settings = mpp::Settings { database_url: url, data_dir: dir.clone(), demo: true, ..Default::default() };
    let state = mpp::prepare(&settings, mpp::clock::Clock::fixed(mpp::clock::system_now_ms()))
        .await
        .expect("the template database prepares");
    drop(state);
}

/// The SQLite template file, made if missing.
pub async fn sqlite() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let key = key();
    let template = dir.join(format!("mpp-template-{key}.db"));
    if template.exists() {
        return template;
    }
    let work = dir.join(format!("mpp-template-{key}-{}", unique()));
    std::fs::create_dir_all(&work).unwrap();
    build(format!("sqlite://{}?mode=rwc", work.join("mpp.db").display()), work.clone()).await;
    // One consistent file, whatever the WAL still holds; then in place at once.
    let copy = work.join("template.db");
    let conn = rusqlite::Connection::open(work.join("mpp.db")).unwrap();
    conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()]).unwrap();
    drop(conn);
    std::fs::rename(&copy, &template).unwrap();
    let _ = std::fs::remove_dir_all(&work);
    // Earlier builds' templates are no longer wanted.
    for old in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = old.file_name().to_string_lossy().to_string();
        if name.starts_with("mpp-template-") && name.ends_with(".db") && old.path() != template {
            let _ = std::fs::remove_file(old.path());
        }
    }
    template
}

async fn exists(admin: &mut PgConnection, name: &str) -> bool {
    let found: Option<(i32,)> =
        sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1").bind(name).fetch_optional(admin).await.unwrap();
    found.is_some()
}

/// The PostgreSQL template database's name, made if missing.
pub async fn postgres() -> String {
    let name = format!("mpp_tpl_{}", key());
    let mut admin = PgConnection::connect(&pg_admin_url()).await.unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is not reachable at {} ({e}); start it (pg_ctlcluster 15 main start) or set MPP_TEST_PG_URL",
            pg_admin_url()
        )
    });
    if exists(&mut admin, &name).await {
        return name;
    }
    // One builder at a time; the others wait and then find it made.
    admin.execute("SELECT pg_advisory_lock(7320512)").await.unwrap();
    if !exists(&mut admin, &name).await {
        let work = format!("{name}_build");
        admin.execute(format!("DROP DATABASE IF EXISTS {work} WITH (FORCE)").as_str()).await.unwrap();
        admin.execute(format!("CREATE DATABASE {work}").as_str()).await.unwrap();
        let url = format!("{}/{work}", pg_admin_url().rsplit_once('/').unwrap().0);
        let dir = std::env::temp_dir().join(format!("mpp-template-{}", unique()));
        build(url, dir.clone()).await;
        let _ = std::fs::remove_dir_all(&dir);
        // A template must have no connections left (the server's pool's).
        let end =
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()";
        let rename = format!("ALTER DATABASE {work} RENAME TO {name}");
        for attempt in 0.. {
            sqlx::query(end).bind(&work).execute(&mut admin).await.unwrap();
            match admin.execute(rename.as_str()).await {
                Ok(_) => break,
                // The ended connections may take a moment to go.
                Err(e) if attempt < 50 => {
                    let _ = e;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("cannot make the template: {e}"),
            }
        }
        let old: Vec<(String,)> =
            sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'mpp\\_tpl\\_%' AND datname <> $1")
                .bind(&name)
                .fetch_all(&mut admin)
                .await
                .unwrap();
        for (old,) in old {
            // Another run may still clone it: then it stays, harmlessly.
            let _ = admin.execute(format!("DROP DATABASE IF EXISTS {old}").as_str()).await;
        }
    }
    admin.execute("SELECT pg_advisory_unlock(7320512)").await.unwrap();
    name
}
