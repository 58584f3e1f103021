//! One integration-test binary. Tests are data: every file under `tests/data/` and every
//! shipped policy is a case, and its output is an insta snapshot (`cargo insta review`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers: a panic here is a failed test, not a crash of the engine"
)]

mod agreement;
mod batch;
mod broken_policies;
mod cli;
mod compare;
mod compiled;
mod docs;
mod editors;
mod errors;
#[cfg(unix)]
mod files;
mod format;
mod fuzz;
mod hostile;
mod hostile_orders;
mod hostile_policies;
mod keywords;
mod language;
mod layers;
mod limits;
mod malformed_orders;
mod native;
mod properties;
mod prove;
mod readme;
mod scenarios;
#[cfg(feature = "serve")]
mod serve;
#[cfg(feature = "serve")]
mod serve_reload;
mod shipped_policies;
mod terminal;
#[cfg(feature = "serve")]
mod workbench;

use std::path::Path;

use refund_rules::Policy;

/// The path of `path` relative to the crate root, with `/` separators (stable in snapshots).
pub fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}

/// A shipped policy, loaded or the test fails with its rendered problems.
pub fn shipped(name: &str) -> Policy {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("policies").join(name);
    match Policy::from_file(&path) {
        Ok(policy) => policy,
        Err(error) => panic!("{name} does not load: {error}"),
    }
}

/// The fenced blocks of `text` whose info string is `tag`.
pub fn blocks(text: &str, tag: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match &mut current {
            None if line.trim_start() == format!("```{tag}") => current = Some(String::new()),
            Some(_) if line.trim_start() == "```" => found.extend(current.take()),
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    found
}
