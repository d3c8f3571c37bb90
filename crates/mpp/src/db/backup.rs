//! `mpp backup` and `mpp restore`: a consistent copy of a mall server's
//! data — the SQLite database and the file store — taken while it serves.
//!
//! - The database is copied with `VACUUM INTO`, one read transaction: a
//!   snapshot of one instant, whatever is being written meanwhile.
//! - The file store is copied after it. Files are written (and synced)
//!   before the rows that name them commit, and never changed afterwards,
//!   so every file the snapshot names is there; a newer one is harmless.
//! - `MANIFEST.json` is written last and lists every file with its SHA-256:
//!   a backup without it is incomplete, and `restore` checks every byte
//!   before it touches anything.
//! - The signing keys are not copied (they are secrets, kept apart from the
//!   data they protect: back up `--key-dir` separately). Without them a
//!   restored server signs with a new key; certificates signed before still
//!   verify (their public keys are in the database).
//!
//! On PostgreSQL the database is backed up with its own tools (`pg_dump`,
//! see the README); `backup` says so rather than half-doing it.

use anyhow::{Context, bail, ensure};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const MANIFEST: &str = "MANIFEST.json";
const DATABASE: &str = "mpp.db";
const FILES: &str = "files";

/// What a backup holds: when it was made and every file's SHA-256 (paths
/// relative to the backup, `/`-separated).
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub created_at_ms: i64,
    pub schema_version: i64,
    pub files: BTreeMap<String, String>,
}

/// The SQLite file a `sqlite://…` URL names.
fn sqlite_path(database_url: &str) -> anyhow::Result<PathBuf> {
    let Some(rest) = database_url.strip_prefix("sqlite://") else {
        bail!(
            "this server uses PostgreSQL: back it up with `pg_dump -Fc` (and restore with `pg_restore`), \
             and copy the data directory's `files` folder after the dump (see the README, Backup)"
        );
    };
    Ok(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

fn sha256_of(path: &Path) -> anyhow::Result<String> {
    let mut f = std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(crate::auth::hex(&h.finalize()))
}

/// Every regular file under `dir`, as paths relative to it (`/`-separated),
/// leaving out half-written ones (`.part`).
fn files_under(dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let path = e?.path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_none_or(|x| x != "part") {
                let rel =
                    path.strip_prefix(dir)?.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>();
                out.push(rel.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn copy_synced(from: &Path, to: &Path) -> anyhow::Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::copy(from, to).with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
    std::fs::File::open(to)?.sync_all()?;
    Ok(())
}

/// Takes a backup of the server whose data lives in `data_dir` into `to`
/// (a new or empty folder).
pub fn backup(data_dir: &Path, database_url: &str, to: &Path, now_ms: i64) -> anyhow::Result<Manifest> {
    let db = sqlite_path(database_url)?;
    ensure!(db.exists(), "no database at {}", db.display());
    if to.exists() {
        ensure!(std::fs::read_dir(to)?.next().is_none(), "{} is not empty: back up into a new folder", to.display());
    }
    std::fs::create_dir_all(to)?;
    let copy = to.join(DATABASE);
    let conn = rusqlite::Connection::open(&db)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))?;
    conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()]).context("copying the database")?;
    let schema_version: i64 =
        conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))?;
    drop(conn);
    std::fs::File::open(&copy)?.sync_all()?;
    let mut files = BTreeMap::new();
    files.insert(DATABASE.to_string(), sha256_of(&copy)?);
    let store = data_dir.join(FILES);
    for rel in files_under(&store)? {
        let target = to.join(FILES).join(&rel);
        copy_synced(&store.join(&rel), &target)?;
        files.insert(format!("{FILES}/{rel}"), sha256_of(&target)?);
    }
    let manifest = Manifest { format: 1, created_at_ms: now_ms, schema_version, files };
    let tmp = to.join(format!("{MANIFEST}.part"));
    std::fs::write(&tmp, serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::File::open(&tmp)?.sync_all()?;
    std::fs::rename(&tmp, to.join(MANIFEST))?;
    Ok(manifest)
}

/// Puts a backup back into `data_dir`, after checking every byte of it. The
/// server must be stopped; an existing database is replaced only when asked.
pub fn restore(from: &Path, data_dir: &Path, database_url: &str, replace: bool) -> anyhow::Result<Manifest> {
    let db = sqlite_path(database_url)?;
    let text = std::fs::read(from.join(MANIFEST))
        .with_context(|| format!("{} has no {MANIFEST}: not a backup, or an unfinished one", from.display()))?;
    let manifest: Manifest = serde_json::from_slice(&text).context("the manifest cannot be read")?;
    ensure!(manifest.format == 1, "a backup of format {} (this version reads format 1)", manifest.format);
    ensure!(manifest.files.contains_key(DATABASE), "the backup holds no database");
    for (rel, sum) in &manifest.files {
        ensure!(
            !rel.split('/').any(|p| p == ".." || p.is_empty()),
            "the manifest names a path outside the backup: {rel}"
        );
        ensure!(&sha256_of(&from.join(rel))? == sum, "{rel} is not as it was backed up (its SHA-256 differs)");
    }
    ensure!(
        replace || !db.exists(),
        "{} already holds a database: stop the server and restore with --replace to overwrite it",
        db.display()
    );
    std::fs::create_dir_all(data_dir)?;
    let tmp = db.with_extension("db.part");
    copy_synced(&from.join(DATABASE), &tmp)?;
    for leftover in ["mpp.db-wal", "mpp.db-shm"] {
        let _ = std::fs::remove_file(db.with_file_name(leftover));
    }
    std::fs::rename(&tmp, &db)?;
    let store = data_dir.join(FILES);
    if store.exists() {
        std::fs::remove_dir_all(&store)?;
    }
    for rel in manifest.files.keys().filter_map(|r| r.strip_prefix(&format!("{FILES}/"))) {
        copy_synced(&from.join(FILES).join(rel), &store.join(rel))?;
    }
    Ok(manifest)
}
