//! The `refund` command: argument parsing, file reading and exit codes. The only I/O layer.

mod check;
mod eval;
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
    /// Decide orders with a policy: `refund eval policies/kufanyun.policy order.json`.
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
        Command::Check { policies, format } => check::check(&policies, format),
        Command::Test { policies } => check::test(&policies),
    };
    ExitCode::from(exit as u8)
}
