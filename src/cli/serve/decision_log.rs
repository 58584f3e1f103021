//! The audit log: one JSON line per decision, written before the answer leaves.
//!
//! A record is written with one `write_all` on a file opened for appending, then flushed to
//! the operating system; a failed write fails the request (no decision without its record).
//! When the file reaches its size limit it is renamed to `FILE.1` (`FILE.1` to `FILE.2`, and so
//! on up to `KEPT`) and a new one started.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use refund_rules::Decision;
use serde_json::{json, Value};

/// How many rotated files are kept beside the current one.
const KEPT: u32 = 9;

/// An open decision log.
pub struct DecisionLog {
    path: PathBuf,
    max_bytes: u64,
    file: Mutex<(File, u64)>,
}

/// Who asked, for the record.
pub struct Asked<'a> {
    /// The request id (`x-request-id`).
    pub request_id: &'a str,
    /// The endpoint.
    pub endpoint: &'a str,
}

impl DecisionLog {
    /// Opens (or creates) the log for appending.
    pub fn open(path: &Path, max_bytes: u64) -> Result<DecisionLog, String> {
        let file = open_append(path)?;
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        Ok(DecisionLog { path: path.to_owned(), max_bytes: max_bytes.max(1), file: Mutex::new((file, size)) })
    }

    /// Appends the records of `decisions` and flushes them.
    pub fn write(&self, asked: &Asked<'_>, decisions: &[&Decision]) -> std::io::Result<()> {
        if decisions.is_empty() {
            return Ok(());
        }
        let time = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let mut lines = String::new();
        for decision in decisions {
            let record = json!({
                "time": time,
                "request_id": asked.request_id,
                "endpoint": asked.endpoint,
                "order": decision.order,
                "policy": decision.policy.id,
                "version": decision.policy.version,
                "digest": decision.policy.digest,
                "outcome": decision.outcome,
                "rule": decision.rule,
                "amount": decision.amount,
                "currency": decision.currency,
                "refunds": decision.refunds,
            });
            lines.push_str(&record.to_string());
            lines.push('\n');
        }
        self.append(lines.as_bytes())
    }

    /// Appends the record of a decision already rendered as JSON (a `POST .../batch` line).
    pub fn write_value(&self, asked: &Asked<'_>, decision: &Value) -> std::io::Result<()> {
        let time = chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
        let policy = &decision["policy"];
        let record = json!({
            "time": time,
            "request_id": asked.request_id,
            "endpoint": asked.endpoint,
            "order": decision["order"],
            "policy": policy["id"],
            "version": policy["version"],
            "digest": policy["digest"],
            "outcome": decision["outcome"],
            "rule": decision["rule"],
            "amount": decision["amount"],
            "currency": decision["currency"],
            "refunds": decision["refunds"],
        });
        let mut line = record.to_string();
        line.push('\n');
        self.append(line.as_bytes())
    }

    fn append(&self, bytes: &[u8]) -> std::io::Result<()> {
        let mut guard = match self.file.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        let (file, size) = &mut *guard;
        if *size > 0 && *size + bytes.len() as u64 > self.max_bytes {
            self.rotate().map_err(std::io::Error::other)?;
            *file = open_append(&self.path).map_err(std::io::Error::other)?;
            *size = 0;
        }
        file.write_all(bytes)?;
        file.flush()?;
        *size += bytes.len() as u64;
        Ok(())
    }

    /// `FILE.8` to `FILE.9`, ..., `FILE` to `FILE.1` (the oldest beyond `KEPT` is overwritten).
    fn rotate(&self) -> Result<(), String> {
        for n in (1..KEPT).rev() {
            let from = numbered(&self.path, n);
            if from.exists() {
                std::fs::rename(&from, numbered(&self.path, n + 1)).map_err(|e| e.to_string())?;
            }
        }
        std::fs::rename(&self.path, numbered(&self.path, 1)).map_err(|e| e.to_string())
    }
}

fn numbered(path: &Path, n: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

fn open_append(path: &Path) -> Result<File, String> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open the decision log {}: {e}", path.display()))
}
