//! `refund check` and `refund test`.

use std::io::Read;
use std::path::{Path, PathBuf};

use refund_rules::diagnostic::{self, Diagnostic};
use refund_rules::{LoadError, Policy};

use super::outln;
use super::{files, Exit, Format};

/// Loads a policy, printing its problems; on failure, the exit that says whose fault it is.
pub fn load(path: &Path) -> Result<Policy, Exit> {
    read_policy(path).map_err(|error| match error {
        LoadError::Io { .. } | LoadError::NotUtf8 { .. } => {
            eprintln!("error: {error}");
            Exit::Input
        }
        LoadError::Policy { path, text, error } => {
            eprint!("{}", super::style::diagnostics(&diagnostic::render(&path, &text, &error.diagnostics())));
            Exit::Policy
        }
    })
}

/// How standard input is named in diagnostics (as rustc does).
pub const STDIN_NAME: &str = "<stdin>";

/// Reads and checks a policy file, or standard input for `-`.
pub fn read_policy(path: &Path) -> Result<Policy, LoadError> {
    if !files::is_stdin(path) {
        return Policy::from_file(path);
    }
    let name = STDIN_NAME.to_owned();
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).map_err(|source| LoadError::Io { path: name.clone(), source })?;
    let text = String::from_utf8(bytes)
        .map_err(|e| LoadError::NotUtf8 { path: name.clone(), at: e.utf8_error().valid_up_to() })?;
    Policy::parse(&text).map_err(|error| LoadError::Policy { path: name, text, error: Box::new(error) })
}

/// The name of a policy input in messages.
fn policy_name(path: &Path) -> String {
    if files::is_stdin(path) {
        STDIN_NAME.to_owned()
    } else {
        path.display().to_string()
    }
}

/// Checks every policy and prints all problems.
pub fn check(paths: &[PathBuf], format: Format) -> Exit {
    let mut exit = Exit::Ok;
    let mut report = Vec::new();
    for path in paths {
        let name = policy_name(path);
        let (text, problems, loaded) = match read_policy(path) {
            Ok(policy) => {
                let warnings: Vec<Diagnostic> = policy.warnings().iter().map(Diagnostic::from).collect();
                (policy.source().to_owned(), warnings, true)
            }
            Err(LoadError::Policy { text, error, .. }) => (text, error.diagnostics(), false),
            Err(io @ (LoadError::Io { .. } | LoadError::NotUtf8 { .. })) => {
                eprintln!("error: {io}");
                exit = exit.and(Exit::Input);
                continue;
            }
        };
        if !loaded {
            exit = exit.and(Exit::Policy);
        }
        match format {
            Format::Text => {
                eprint!("{}", super::style::diagnostics(&diagnostic::render(&name, &text, &problems)));
                let errors = problems.iter().filter(|p| p.severity == refund_rules::Severity::Error).count();
                let warnings = problems.len() - errors;
                let verdict = if loaded { "ok" } else { "FAILED" };
                outln!("{name}: {verdict} ({errors} error(s), {warnings} warning(s))");
            }
            Format::Json => {
                for problem in problems {
                    let at = problem.span.map(|s| diagnostic::location(&name, &text, s.start));
                    report.push(serde_json::json!({
                        "file": name,
                        "location": at,
                        "code": problem.code,
                        "severity": problem.severity.to_string(),
                        "message": problem.message,
                        "label": problem.label,
                        "help": problem.help,
                    }));
                }
            }
        }
    }
    if format == Format::Json {
        match serde_json::to_string_pretty(&report) {
            Ok(json) => outln!("{json}"),
            Err(error) => eprintln!("error: {error}"),
        }
    }
    exit
}

/// Runs the examples of every policy, `cargo test` style. A file that cannot be read or is not
/// a valid policy is an error of its own (exit 2), not a failed example: none of its examples
/// ran.
pub fn test(paths: &[PathBuf]) -> Exit {
    let (mut passed, mut failed, mut not_run) = (0usize, 0usize, Vec::new());
    let mut exit = Exit::Ok;
    for path in paths {
        let policy = match load(path) {
            Ok(policy) => policy,
            Err(load_exit) => {
                let why = if load_exit == Exit::Input { "it cannot be read" } else { "it is not a valid policy" };
                eprintln!("error: the examples of {} were not run: {why}", policy_name(path));
                exit = exit.and(Exit::Input);
                not_run.push(policy_name(path));
                continue;
            }
        };
        let results = policy.run_examples();
        outln!("running {} example(s) from {}", results.len(), policy_name(path));
        for result in results {
            if result.passed() {
                passed += 1;
                outln!("test {} :: {} ... ok", policy.id(), result.name);
            } else {
                failed += 1;
                outln!("test {} :: {} ... FAILED", policy.id(), result.name);
                for failure in &result.failures {
                    outln!("    {failure}");
                }
            }
        }
    }
    let verdict = if failed == 0 && not_run.is_empty() { "ok" } else { "FAILED" };
    let not_run = if not_run.is_empty() {
        String::new()
    } else {
        format!("; {} file(s) not run ({})", not_run.len(), not_run.join(", "))
    };
    outln!("\nexample result: {verdict}. {passed} passed; {failed} failed{not_run}");
    if failed > 0 {
        exit = exit.and(Exit::Policy);
    }
    exit
}

/// Tries every invariant of each policy on generated orders; prints what was tried, what held,
/// and each failure with its smallest counterexample order.
pub fn prove(paths: &[PathBuf], orders: usize, seed: u64) -> Exit {
    let mut exit = Exit::Ok;
    for path in paths {
        let policy = match load(path) {
            Ok(policy) => policy,
            Err(load_exit) => {
                exit = exit.and(load_exit);
                continue;
            }
        };
        let proof = refund_rules::prove::prove(&policy, orders, seed);
        let name = path.display().to_string();
        if !proof.held() {
            exit = Exit::Policy;
        }
        outln!("{}", refund_rules::prove::report::render(&name, policy.source(), &proof));
    }
    exit
}
