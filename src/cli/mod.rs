//! The `refund` command: argument parsing, file reading and exit codes. The only I/O layer.

mod check;
mod eval;
mod fmt;
mod orders;
mod receipt;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// What a run of `refund` ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything worked.
    Ok = 0,
    /// A policy has errors, an example failed, or a policy could not decide an order.
    Policy = 1,
    /// Bad input: an order, the command line, or a file that cannot be read.
    Input = 2,
}

impl Exit {
    /// The worse of two exits.
    pub fn and(self, other: Exit) -> Exit {
        if other as u8 > self as u8 {
            other
        } else {
            self
        }
    }
}

/// Cloud-server refund policies as data: evaluate orders, check policies, run their examples.
#[derive(Debug, Parser)]
#[command(name = "refund", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decide orders with a policy: `refund eval POLICY ORDER.json`.
    Eval {
        /// The policy file.
        policy: PathBuf,
        /// Order files: one JSON order, a JSON array, or JSON Lines; `-` reads standard input.
        #[arg(required = true)]
        orders: Vec<PathBuf>,
        /// How to print the decisions.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also show why: every rule tried, and every step's arithmetic.
        #[arg(long)]
        explain: bool,
    },
    /// Decide one order and show the receipt with the reasons (same as `eval --explain`).
    Explain {
        /// The policy file.
        policy: PathBuf,
        /// The order file.
        order: PathBuf,
        /// How to print the decision.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Parse and check policies; print every problem with its line and a caret.
    Check {
        /// Policy files.
        #[arg(required = true)]
        policies: Vec<PathBuf>,
        /// How to print the problems.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Rewrite policies in the canonical layout, keeping every comment; `--check` only reports.
    Fmt {
        /// Policy files, or folders of them.
        #[arg(required = true)]
        policies: Vec<PathBuf>,
        /// Change nothing; exit 1 when a file is not in the canonical layout.
        #[arg(long)]
        check: bool,
    },
    /// Run the examples written inside policies.
    Test {
        /// Policy files.
        #[arg(required = true)]
        policies: Vec<PathBuf>,
    },
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For programs.
    Json,
}

/// Policy files named on the command line; a folder stands for the `.policy` files in it.
fn policy_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        match std::fs::read_dir(path) {
            Ok(entries) => {
                let mut found: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "policy"))
                    .collect();
                found.sort();
                files.extend(found);
            }
            Err(_) => files.push(path.clone()),
        }
    }
    files
}

/// Runs the command line.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { Exit::Input as u8 } else { Exit::Ok as u8 });
        }
    };
    let exit = match cli.command {
        Command::Eval { policy, orders, format, explain } => eval::run(&policy, &orders, format, explain),
        Command::Explain { policy, order, format } => eval::run(&policy, &[order], format, true),
        Command::Check { policies, format } => check::check(&policy_files(&policies), format),
        Command::Test { policies } => check::test(&policy_files(&policies)),
        Command::Fmt { policies, check } => fmt::run(&policy_files(&policies), check),
    };
    ExitCode::from(exit as u8)
}
