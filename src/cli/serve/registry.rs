//! The policies of POLICY_DIR, reloaded when their files change.
//!
//! The folder is polled every second rather than watched through OS events (`notify`): a poll
//! sees every change on every filesystem (bind mounts, network shares and editors that replace
//! files all lose or reorder events), needs no dependency, and costs one read of a few small
//! files a second. A file is parsed again only when its bytes' digest changed.
//!
//! The loaded set is an immutable snapshot behind an `Arc`, swapped whole: a request takes the
//! snapshot once and decides on it to the end, whatever is swapped meanwhile. A file whose new
//! text does not check (or whose examples fail) keeps its last good policy in service, and its
//! status says why; a file removed from the folder is taken out of service.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use refund_rules::{Diagnostic, Policy, PolicyError};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::problem::diagnostic_json;

/// One policy file and what was last loaded from it.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The file's name in POLICY_DIR (never its full path: that is not for clients).
    pub file: String,
    /// The policy in service: the last text that checked and passed its examples.
    pub policy: Option<Arc<Policy>>,
    /// Why the file's current text is not in service (`None` when it is).
    pub failure: Option<Failure>,
    /// The in-file examples of the policy in service, decided when it was loaded.
    pub examples: Arc<Vec<Value>>,
    /// The digest of the file's bytes last read.
    bytes_digest: [u8; 32],
}

/// Why a file's text is not in service.
#[derive(Debug, Clone)]
pub struct Failure {
    /// One line.
    pub message: String,
    /// Every problem of the text, with line and column.
    pub diagnostics: Vec<Value>,
    /// The examples that failed.
    pub examples: Vec<Value>,
}

/// Every file, by policy id (or by file stem for a file that never loaded).
pub type Snapshot = BTreeMap<String, Entry>;

/// The loaded policies and their folder.
pub struct Registry {
    folder: PathBuf,
    current: RwLock<Arc<Snapshot>>,
}

/// What a poll did, for the metrics and the log.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reloads {
    /// Files whose new text is now in service.
    pub loaded: u64,
    /// Files whose new text was refused.
    pub failed: u64,
}

/// Why a text cannot be put in service: its diagnostics, or its failed examples.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// One line.
    pub message: String,
    /// Problems of the text.
    pub diagnostics: Vec<Value>,
    /// Examples that did not pass.
    pub examples: Vec<Value>,
}

/// Parses, checks and runs the examples of a policy text: the policy and its example results,
/// or why it cannot be put in service.
pub fn vet(text: &str) -> Result<(Policy, Vec<Value>), Refusal> {
    let policy = Policy::parse(text).map_err(|error: PolicyError| Refusal {
        message: format!(
            "the policy does not check: {}",
            error.diagnostics().first().map_or(String::new(), |d| d.message.clone())
        ),
        diagnostics: error.diagnostics().iter().map(|d| diagnostic_json(d, text)).collect(),
        examples: Vec::new(),
    })?;
    let examples: Vec<Value> = policy.run_examples().iter().map(example_json).collect();
    let failed: Vec<Value> =
        examples.iter().filter(|e| e.get("passed") == Some(&Value::Bool(false))).cloned().collect();
    if !failed.is_empty() {
        return Err(Refusal {
            message: format!("{} of the policy's examples fail", failed.len()),
            diagnostics: policy.warnings().iter().map(|w| diagnostic_json(&Diagnostic::from(w), text)).collect(),
            examples: failed,
        });
    }
    Ok((policy, examples))
}

fn example_json(result: &refund_rules::ExampleResult) -> Value {
    json!({
        "name": result.name,
        "passed": result.passed(),
        "failures": result.failures,
        "decision": result.decision,
    })
}

impl Registry {
    /// Loads every `.policy` file of `folder` (a broken one is listed with its problems).
    pub fn open(folder: &Path) -> Result<(Registry, Reloads), String> {
        std::fs::read_dir(folder).map_err(|e| format!("cannot read the policy folder {}: {e}", folder.display()))?;
        let registry = Registry { folder: folder.to_owned(), current: RwLock::new(Arc::new(Snapshot::new())) };
        let reloads = registry.poll();
        Ok((registry, reloads))
    }

    /// The folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The snapshot in service now; requests hold it to their end.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// The policy in service under `id`.
    pub fn policy(&self, id: &str) -> Option<Arc<Policy>> {
        self.snapshot().get(id).and_then(|entry| entry.policy.clone())
    }

    /// Every policy in service, by id.
    pub fn policies(&self) -> Vec<Arc<Policy>> {
        self.snapshot().values().filter_map(|entry| entry.policy.clone()).collect()
    }

    /// Reads the folder again; swaps in a new snapshot when any file changed.
    pub fn poll(&self) -> Reloads {
        let old = self.snapshot();
        let mut reloads = Reloads::default();
        let mut by_file: BTreeMap<String, &Entry> = old.values().map(|e| (e.file.clone(), e)).collect();
        let mut next = Snapshot::new();
        let mut changed = false;
        for (file, bytes) in policy_files(&self.folder) {
            let digest: [u8; 32] = Sha256::digest(&bytes).into();
            let previous = by_file.remove(&file);
            let entry = match previous {
                Some(entry) if entry.bytes_digest == digest => entry.clone(),
                _ => {
                    changed = true;
                    let entry = load(&file, &bytes, digest, previous);
                    if entry.failure.is_some() {
                        reloads.failed += 1;
                    } else {
                        reloads.loaded += 1;
                    }
                    entry
                }
            };
            insert(&mut next, entry);
        }
        changed |= !by_file.is_empty();
        if changed {
            match self.current.write() {
                Ok(mut guard) => *guard = Arc::new(next),
                Err(poisoned) => *poisoned.into_inner() = Arc::new(next),
            }
        }
        reloads
    }
}

/// Files are keyed by their policy's id; a second file claiming an id already taken is refused.
fn insert(snapshot: &mut Snapshot, mut entry: Entry) {
    let key = entry.policy.as_ref().map_or_else(|| stem(&entry.file), |p| p.id().to_owned());
    if let Some(holder) = snapshot.get(&key) {
        let message = format!("the policy id `{key}` is already taken by {}", holder.file);
        entry.policy = None;
        entry.failure = Some(Failure { message, diagnostics: Vec::new(), examples: Vec::new() });
        let key = format!("{}#{}", key, entry.file);
        snapshot.insert(key, entry);
        return;
    }
    snapshot.insert(key, entry);
}

fn stem(file: &str) -> String {
    file.strip_suffix(".policy").unwrap_or(file).to_owned()
}

/// A file's new bytes, vetted; on refusal the previous policy stays in service.
fn load(file: &str, bytes: &[u8], digest: [u8; 32], previous: Option<&Entry>) -> Entry {
    let kept = previous.and_then(|e| e.policy.clone());
    let kept_examples = previous.map_or_else(|| Arc::new(Vec::new()), |e| Arc::clone(&e.examples));
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(error) => {
            let message = format!("the file is not UTF-8 text (byte {} is not)", error.valid_up_to() + 1);
            let failure = Failure { message, diagnostics: Vec::new(), examples: Vec::new() };
            return Entry {
                file: file.to_owned(),
                policy: kept,
                failure: Some(failure),
                examples: kept_examples,
                bytes_digest: digest,
            };
        }
    };
    match vet(text) {
        Ok((policy, examples)) => Entry {
            file: file.to_owned(),
            policy: Some(Arc::new(policy)),
            failure: None,
            examples: Arc::new(examples),
            bytes_digest: digest,
        },
        Err(refusal) => {
            tracing::warn!(file, reason = %refusal.message, "policy file refused; the last good version stays in service");
            let failure =
                Failure { message: refusal.message, diagnostics: refusal.diagnostics, examples: refusal.examples };
            Entry {
                file: file.to_owned(),
                policy: kept,
                failure: Some(failure),
                examples: kept_examples,
                bytes_digest: digest,
            }
        }
    }
}

/// Every `*.policy` file directly in `folder`, by name, with its bytes (unreadable ones skipped
/// until they can be read: a file being replaced can vanish between listing and reading).
fn policy_files(folder: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let path = entry.path();
            (name.ends_with(".policy") && path.is_file()).then_some((name, path))
        })
        .filter_map(|(name, path)| std::fs::read(&path).ok().map(|bytes| (name, bytes)))
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

/// The file of the policy `id`, or where a new one would go.
pub fn file_for(snapshot: &Snapshot, id: &str) -> String {
    snapshot.get(id).map_or_else(|| format!("{id}.policy"), |entry| entry.file.clone())
}
