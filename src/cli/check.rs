//! `refund check` and `refund test`.

use std::path::{Path, PathBuf};

use refund_rules::diagnostic::{self, Diagnostic};
use refund_rules::{LoadError, Policy};

use super::outln;
use super::{Exit, Format};

/// Loads a policy, printing its problems; on failure, the exit that says whose fault it is.
pub fn load(path: &Path) -> Result<Policy, Exit> {
    Policy::from_file(path).map_err(|error| match error {
        LoadError::Io { .. } | LoadError::NotUtf8 { .. } => {
            eprintln!("error: {error}");
            Exit::Input
        }
        LoadError::Policy { path, text, error } => {
            eprint!("{}", diagnostic::render(&path, &text, &error.diagnostics()));
            Exit::Policy
        }
    })
}

/// Checks every policy and prints all problems.
pub fn check(paths: &[PathBuf], format: Format) -> Exit {
    let mut exit = Exit::Ok;
    let mut report = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let (text, problems, loaded) = match Policy::from_file(path) {
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
                eprint!("{}", diagnostic::render(&name, &text, &problems));
                let errors = problems.iter().filter(|p| p.severity == refund_rules::check::Severity::Error).count();
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

/// Runs the examples of every policy, `cargo test` style.
pub fn test(paths: &[PathBuf]) -> Exit {
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut exit = Exit::Ok;
    for path in paths {
        let policy = match load(path) {
            Ok(policy) => policy,
            Err(load_exit) => {
                exit = exit.and(load_exit);
                failed += 1;
                continue;
            }
        };
        let results = policy.run_examples();
        outln!("running {} example(s) from {}", results.len(), path.display());
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
    let verdict = if failed == 0 { "ok" } else { "FAILED" };
    outln!("\nexample result: {verdict}. {passed} passed; {failed} failed");
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
