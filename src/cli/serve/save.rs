//! `PUT /v1/policies/{id}`: who may save, and saving so that nothing is ever half-written or
//! lost. The new text goes to a temporary file in POLICY_DIR, is synced, then renamed over the
//! policy's file; the text it replaces is first kept as `.history/ID/TIME.policy`, so any save
//! can be undone by putting that text back.

use std::io::Write;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The sha256 of the token in `path` (surrounding whitespace and the final newline ignored).
pub fn token_digest(path: &Path) -> Result<[u8; 32], String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the token file {}: {e}", path.display()))?;
    let token = text.trim();
    if token.len() < 16 {
        return Err(format!(
            "the token in {} is shorter than 16 characters\nhelp: put a long random token in it, e.g. `openssl rand -hex 32`",
            path.display()
        ));
    }
    Ok(Sha256::digest(token.as_bytes()).into())
}

/// Whether the `Authorization` header carries the token. Both sides are hashed first, so the
/// comparison takes the same time whatever the token's length and wherever the first
/// difference is.
pub fn authorized(expected: &[u8; 32], authorization: Option<&str>) -> bool {
    let Some(given) = authorization.and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    let given: [u8; 32] = Sha256::digest(given.trim().as_bytes()).into();
    expected.iter().zip(given.iter()).fold(0u8, |differ, (a, b)| differ | (a ^ b)) == 0
}

/// Writes `text` as `folder/file`, keeping the previous text in the history folder.
pub fn write_policy(folder: &Path, file: &str, id: &str, text: &str) -> std::io::Result<()> {
    let target = folder.join(file);
    if let Ok(previous) = std::fs::read(&target) {
        let history = folder.join(".history").join(id);
        std::fs::create_dir_all(&history)?;
        let stamp = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now()).format("%Y%m%dT%H%M%S%.6fZ");
        let mut kept = tempfile::NamedTempFile::new_in(&history)?;
        kept.write_all(&previous)?;
        kept.as_file().sync_all()?;
        kept.persist(history.join(format!("{stamp}.policy"))).map_err(|e| e.error)?;
    }
    let mut new = tempfile::Builder::new().prefix(".saving-").suffix(".tmp").tempfile_in(folder)?;
    new.write_all(text.as_bytes())?;
    new.as_file().sync_all()?;
    new.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
