//! The `refund` command: argument parsing, file reading and exit codes. The only I/O layer.

mod batch;
mod check;
mod compare;
mod curve;
mod diff;
mod eval;
mod files;
mod fmt;
mod grid;
mod orders;
mod receipt;
#[cfg(feature = "serve")]
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Writes to standard output; when the reader has gone (`refund ... | head`), stops quietly
/// instead of failing on a broken pipe.
pub fn write_out(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    if std::io::stdout().lock().write_fmt(args).is_err() {
        std::process::exit(0);
    }
}

/// `print!` that stops quietly on a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::cli::write_out(format_args!($($arg)*)) };
}

/// `println!` that stops quietly on a closed pipe.
macro_rules! outln {
    () => { $crate::cli::write_out(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::cli::write_out(format_args!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {out, outln};

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
        /// Also try every invariant (built-in and declared) on generated orders.
        #[arg(long)]
        prove: bool,
        /// How many orders `--prove` generates per policy.
        #[arg(long, default_value_t = 5_000)]
        orders: usize,
        /// The seed of the generated orders (the same seed, the same orders).
        #[arg(long, default_value_t = 1)]
        seed: u64,
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
    /// Compare policies side by side, on one order or on a scenario file.
    Compare {
        /// Policy files, or folders of them.
        #[arg(required = true)]
        policies: Vec<PathBuf>,
        /// One order (JSON).
        #[arg(long, conflicts_with = "scenarios")]
        order: Option<PathBuf>,
        /// A scenario file (TOML): a base order and named variations.
        #[arg(long)]
        scenarios: Option<PathBuf>,
        /// How to print the comparison.
        #[arg(long, value_enum, default_value_t = grid::GridFormat::Table)]
        format: grid::GridFormat,
    },
    /// Decide many orders (JSON Lines or CSV) into a file, one record out per record in.
    Batch {
        /// The policy file.
        policy: PathBuf,
        /// The orders: JSON Lines, or CSV with the order's field paths as columns.
        #[arg(long)]
        orders: PathBuf,
        /// Where the decisions go: `.jsonl` or `.csv`.
        #[arg(long)]
        out: PathBuf,
        /// Threads to decide on (all cores by default).
        #[arg(long)]
        threads: Option<usize>,
    },
    /// Chart the refund against the time held, one line per policy (SVG or PNG), or the series (CSV).
    Curve {
        /// Policy files, or folders of them (those in the order's currency are drawn).
        #[arg(required = true)]
        policies: Vec<PathBuf>,
        /// The order (JSON); its request time is replaced by each point's.
        #[arg(long)]
        order: PathBuf,
        /// Time held at the first point.
        #[arg(long, default_value = "0d")]
        from: String,
        /// Time held at the last point.
        #[arg(long, default_value = "365d")]
        to: String,
        /// Time between points.
        #[arg(long, default_value = "1d")]
        step: String,
        /// The chart: `.svg` or `.png`.
        #[arg(long)]
        out: Option<PathBuf>,
        /// `csv` prints the series instead of drawing.
        #[arg(long, value_enum)]
        format: Option<CurveFormat>,
    },
    /// What changes from one policy to another: on the orders of a file, or on a generated grid.
    Diff {
        /// The old policy.
        old: PathBuf,
        /// The new policy.
        new: PathBuf,
        /// Orders (JSON Lines or CSV) to decide with both; without, a grid around the examples.
        #[arg(long)]
        orders: Option<PathBuf>,
        /// How to print the result.
        #[arg(long, value_enum, default_value_t = grid::GridFormat::Table)]
        format: grid::GridFormat,
    },
    /// Run the examples written inside policies.
    Test {
        /// Policy files.
        #[arg(required = true)]
        policies: Vec<PathBuf>,
    },
    /// Serve the policies of a folder over HTTP (JSON in and out); reloads them when they change.
    #[cfg(feature = "serve")]
    Serve(ServeArgs),
}

/// The options of `refund serve`.
#[cfg(feature = "serve")]
#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// The folder of `.policy` files.
    folder: PathBuf,
    /// Where to listen (loopback by default; port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8080")]
    addr: std::net::SocketAddr,
    /// A file holding the bearer token that saving a policy (`PUT /v1/policies/ID`) needs.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Append every decision given to this file, one JSON line each (the audit log).
    #[arg(long)]
    decision_log: Option<PathBuf>,
    /// Rotate the decision log when it reaches this many kilobytes.
    #[arg(long, default_value_t = 102_400)]
    decision_log_max_kb: u64,
    /// The largest request body accepted, in kilobytes.
    #[arg(long, default_value_t = 4096)]
    max_body_kb: usize,
    /// The longest a request may take, in seconds.
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Requests handled at once; more wait their turn.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,
    /// How often the folder is read again for changed policies, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
}

impl Command {
    /// Every file the command reads (`-` is standard input).
    fn inputs(&self) -> Vec<&std::path::Path> {
        let mut inputs: Vec<&PathBuf> = Vec::new();
        match self {
            Command::Eval { policy, orders, .. } => {
                inputs.push(policy);
                inputs.extend(orders);
            }
            Command::Explain { policy, order, .. } => inputs.extend([policy, order]),
            Command::Check { policies, .. } | Command::Fmt { policies, .. } | Command::Test { policies } => {
                inputs.extend(policies)
            }
            Command::Compare { policies, order, scenarios, .. } => {
                inputs.extend(policies);
                inputs.extend(order.iter().chain(scenarios));
            }
            Command::Batch { policy, orders, .. } => inputs.extend([policy, orders]),
            Command::Curve { policies, order, .. } => {
                inputs.extend(policies);
                inputs.push(order);
            }
            Command::Diff { old, new, orders, .. } => {
                inputs.extend([old, new]);
                inputs.extend(orders);
            }
            #[cfg(feature = "serve")]
            Command::Serve(args) => inputs.push(&args.folder),
        }
        inputs.into_iter().map(PathBuf::as_path).collect()
    }
}

#[cfg(feature = "serve")]
impl ServeArgs {
    fn options(&self) -> serve::ServeOptions {
        serve::ServeOptions {
            folder: self.folder.clone(),
            addr: self.addr,
            token_file: self.token_file.clone(),
            decision_log: self.decision_log.clone(),
            decision_log_max_bytes: self.decision_log_max_kb.saturating_mul(1 << 10),
            max_body: self.max_body_kb.saturating_mul(1 << 10),
            timeout: std::time::Duration::from_secs(self.timeout.max(1)),
            concurrency: self.concurrency,
            poll: std::time::Duration::from_millis(self.poll_ms.max(10)),
        }
    }
}

/// What `refund curve` writes instead of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CurveFormat {
    /// The raw series.
    Csv,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// For programs.
    Json,
}

/// Prints a value as pretty JSON.
fn print_json<T: serde::Serialize>(value: &T) -> Exit {
    match serde_json::to_string_pretty(value) {
        Ok(json) => {
            outln!("{json}");
            Exit::Ok
        }
        Err(error) => {
            eprintln!("error: {error}");
            Exit::Input
        }
    }
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
    if let Err(message) = files::at_most_one_stdin(cli.command.inputs()) {
        eprintln!("error: {message}");
        return ExitCode::from(Exit::Input as u8);
    }
    #[cfg(feature = "serve")]
    if let Command::Serve(args) = &cli.command {
        // The server stops on SIGTERM itself, after its requests in flight.
        return ExitCode::from(serve::run(&args.options()) as u8);
    }
    files::remove_unfinished_files_on_signal();
    let exit = match cli.command {
        Command::Eval { policy, orders, format, explain } => eval::run(&policy, &orders, format, explain),
        Command::Explain { policy, order, format } => eval::run(&policy, &[order], format, true),
        Command::Check { policies, format, prove, orders, seed } => {
            let files = policy_files(&policies);
            let checked = check::check(&files, format);
            if prove && checked == Exit::Ok {
                check::prove(&files, orders, seed)
            } else {
                checked
            }
        }
        Command::Compare { policies, order, scenarios, format } => {
            compare::run(&policy_files(&policies), order.as_deref(), scenarios.as_deref(), format)
        }
        Command::Batch { policy, orders, out, threads } => {
            batch::run(&batch::BatchOptions { policy: &policy, input: &orders, output: &out, threads })
        }
        Command::Curve { policies, order, from, to, step, out, format } => curve::run(&curve::CurveOptions {
            policies: &policy_files(&policies),
            order: &order,
            from: &from,
            to: &to,
            step: &step,
            out: out.as_deref(),
            csv: format == Some(CurveFormat::Csv),
        }),
        Command::Diff { old, new, orders, format } => diff::run(&old, &new, orders.as_ref(), format),
        Command::Test { policies } => check::test(&policy_files(&policies)),
        Command::Fmt { policies, check } => fmt::run(&policy_files(&policies), check),
        #[cfg(feature = "serve")]
        Command::Serve(args) => serve::run(&args.options()),
    };
    ExitCode::from(exit as u8)
}
