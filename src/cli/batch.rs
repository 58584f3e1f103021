//! `refund batch`: many orders in (JSON Lines or CSV), one record out per record in, in order.
//!
//! Orders of the same account are decided in time order, so the no-reason quota and the
//! rolling 12-month total carry from one to the next (`ledger`). A bad record becomes an error
//! record with its line number; it never stops the batch. The output is written through
//! `files::write_file`: never over the input, never by two runs at once, never half-written.

use std::path::Path;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use refund_rules::batch::{self, BatchError};

use super::check::load;
use super::{files, Exit};

/// Options of `refund batch`.
pub struct BatchOptions<'a> {
    pub policy: &'a Path,
    pub input: &'a Path,
    pub output: &'a Path,
    /// Threads to decide on (all cores when not given).
    pub threads: Option<usize>,
}

/// Decides every order of the input with the policy, writing the output as it goes. Exits 2
/// when a record is not an order, 1 when the policy could not decide one (after writing every
/// record), 2 without an output when the input cannot be read through or the output written.
pub fn run(options: &BatchOptions<'_>) -> Exit {
    let policy = match load(options.policy) {
        Ok(policy) => policy,
        Err(exit) => return exit,
    };
    // The bar shows bytes of a regular file; a pipe's size is unknown.
    let size = std::fs::metadata(options.input).ok().filter(|m| m.is_file()).map(|m| m.len());
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = options.threads {
        builder = builder.num_threads(threads.max(1));
    }
    let pool = match builder.build() {
        Ok(pool) => pool,
        Err(error) => {
            eprintln!("error: cannot start threads: {error}");
            return Exit::Input;
        }
    };
    let progress = ProgressBar::with_draw_target(size, ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)") {
        progress.set_style(style);
    }
    let csv_input = has_extension(options.input, "csv");
    let csv_output = has_extension(options.output, "csv");
    let written = files::write_file(options.output, &[options.input, options.policy], |output| {
        // Opened once the output is locked: opening a pipe waits for its writer, and a second
        // run must not start on the same output meanwhile.
        let input = std::io::BufReader::new(progress.wrap_read(files::open(options.input)?));
        let streams = batch::Streams { input, csv_input, output, csv_output };
        batch::run(&policy, streams, &pool).map_err(|error| match error {
            BatchError::Read { .. } => {
                format!("{}: {error}\nnothing was written to {}", files::shown(options.input), options.output.display())
            }
            BatchError::Header(_) => format!("{}: {error}", files::shown(options.input)),
            BatchError::Write(cause) => format!(
                "cannot write {}: {cause}\nhelp: nothing was written to it; free some space or write elsewhere, and run again",
                options.output.display()
            ),
        })
    });
    progress.finish_and_clear();
    match written {
        Ok(summary) => {
            eprintln!("{}", summary.line());
            if summary.not_orders > 0 {
                Exit::Input
            } else if summary.errors > 0 {
                Exit::Policy
            } else {
                Exit::Ok
            }
        }
        Err(message) => {
            eprintln!("error: {message}");
            Exit::Input
        }
    }
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case(extension))
}
