//! `refund fmt`.

use std::path::{Path, PathBuf};

use refund_rules::diagnostic::{self, Diagnostic};
use refund_rules::format::{format_policy, FormatError};

use super::check::STDIN_NAME;
use super::outln;
use super::{files, out, Exit};

/// Formats every file in place, or with `check` reports the files that would change. `-`
/// formats standard input to standard output (with `check`, only reports).
pub fn run(paths: &[PathBuf], check: bool) -> Exit {
    let mut exit = Exit::Ok;
    for path in paths {
        let stdin = files::is_stdin(path);
        let name = if stdin { STDIN_NAME.to_owned() } else { path.display().to_string() };
        let text = match files::read_text(path) {
            Ok(text) => text,
            Err(message) => {
                eprintln!("error: {message}");
                exit = exit.and(Exit::Input);
                continue;
            }
        };
        let formatted = match format_policy(&text) {
            Ok(formatted) => formatted,
            Err(FormatError::Syntax(error)) => {
                eprint!(
                    "{}",
                    super::style::diagnostics(&diagnostic::render(&name, &text, &[Diagnostic::from(&error)]))
                );
                exit = exit.and(Exit::Policy);
                continue;
            }
            Err(error) => {
                eprintln!("error: {name}: {error}");
                exit = exit.and(Exit::Policy);
                continue;
            }
        };
        if stdin && !check {
            out!("{formatted}");
            continue;
        }
        if formatted == text {
            continue;
        }
        if check {
            outln!("{name}: not in the canonical layout (run `refund fmt {name}`)");
            exit = exit.and(Exit::Policy);
        } else if let Err(message) = rewrite(path, &formatted) {
            eprintln!("error: {message}");
            exit = exit.and(Exit::Input);
        } else {
            outln!("{name}: formatted");
        }
    }
    exit
}

/// Replaces the policy atomically; through a symlink, the file it points to is replaced and
/// the link kept.
fn rewrite(path: &Path, formatted: &str) -> Result<(), String> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    files::write_file(&target, &[], |out| {
        out.write_all(formatted.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
    })
}
