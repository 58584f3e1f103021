//! `refund fmt`.

use std::path::PathBuf;

use refund_rules::diagnostic::{self, Diagnostic};
use refund_rules::format::{format_policy, FormatError};

use super::outln;
use super::Exit;

/// Formats every file in place, or with `check` reports the files that would change.
pub fn run(paths: &[PathBuf], check: bool) -> Exit {
    let mut exit = Exit::Ok;
    for path in paths {
        let name = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(error) => {
                eprintln!("error: cannot read {name}: {error}");
                exit = exit.and(Exit::Input);
                continue;
            }
        };
        let formatted = match format_policy(&text) {
            Ok(formatted) => formatted,
            Err(FormatError::Syntax(error)) => {
                eprint!("{}", diagnostic::render(&name, &text, &[Diagnostic::from(&error)]));
                exit = exit.and(Exit::Policy);
                continue;
            }
            Err(error) => {
                eprintln!("error: {name}: {error}");
                exit = exit.and(Exit::Policy);
                continue;
            }
        };
        if formatted == text {
            continue;
        }
        if check {
            outln!("{name}: not in the canonical layout (run `refund fmt {name}`)");
            exit = exit.and(Exit::Policy);
        } else if let Err(error) = std::fs::write(path, formatted) {
            eprintln!("error: cannot write {name}: {error}");
            exit = exit.and(Exit::Input);
        } else {
            outln!("{name}: formatted");
        }
    }
    exit
}
