//! Uploaded files kept on disk beside the database (agreement scans,
//! citizens' documents): written so that a crash never leaves half a file,
//! named so that a user's file name can do no harm.

use crate::error::{AppError, AppResult};
use std::path::Path;

/// Writes to a temporary name, syncs, then renames: a crash never leaves half a file.
pub async fn write_atomically(path: &Path, bytes: &[u8]) -> AppResult<()> {
    let io = |e: std::io::Error| AppError::Internal(e.into());
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent).await.map_err(io)?;
    }
    let tmp = path.with_extension("part");
    let mut f = tokio::fs::File::create(&tmp).await.map_err(io)?;
    tokio::io::AsyncWriteExt::write_all(&mut f, bytes).await.map_err(io)?;
    f.sync_all().await.map_err(io)?;
    tokio::fs::rename(&tmp, path).await.map_err(io)
}

/// Writes a secret (a key file) atomically, readable by its owner only.
pub async fn write_secret(path: &Path, bytes: &[u8]) -> AppResult<()> {
    write_atomically(path, bytes).await?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let owner_only = std::fs::Permissions::from_mode(0o600);
        std::fs::set_permissions(path, owner_only).map_err(|e| AppError::Internal(e.into()))?;
    }
    Ok(())
}

/// Keeps letters, digits, dots, hyphens and underscores, and the right extension.
pub fn safe_file_name(name: &str, ext: &str) -> String {
    let stem: String = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .rsplit_once('.')
        .map_or(name, |(s, _)| s)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_ ".contains(*c))
        .take(80)
        .collect();
    let stem = stem.trim().replace(' ', "_");
    format!("{}.{ext}", if stem.is_empty() { "dokumen" } else { &stem })
}
