//! `refund batch`: many orders in (JSON Lines or CSV), one record out per record in, in order.
//!
//! Orders of the same account are decided in time order, so the no-reason quota and the
//! rolling 12-month total carry from one to the next (`ledger`). A bad record becomes an error
//! record with its line number; it never stops the batch. The output is written to a temporary
//! file and renamed, so an interrupted run never leaves half a result under the final name.

use std::io::Write;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use refund_rules::batch;

use super::check::load;
use super::Exit;

/// Options of `refund batch`.
pub struct BatchOptions<'a> {
    pub policy: &'a Path,
    pub input: &'a Path,
    pub output: &'a Path,
    /// Threads to decide on (all cores when not given).
    pub threads: Option<usize>,
}

/// Decides every order of the input with the policy, writing the output as it goes.
pub fn run(options: &BatchOptions<'_>) -> Exit {
    let policy = match load(options.policy) {
        Ok(policy) => policy,
        Err(exit) => return exit,
    };
    let file = match std::fs::File::open(options.input) {
        Ok(file) => file,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", options.input.display());
            return Exit::Input;
        }
    };
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
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
    let progress = ProgressBar::with_draw_target(Some(size), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)") {
        progress.set_style(style);
    }
    let input = std::io::BufReader::new(progress.wrap_read(file));
    let csv_input = has_extension(options.input, "csv");
    let csv_output = has_extension(options.output, "csv");
    let mut summary = None;
    let written = write_atomically(options.output, |output| {
        let streams = batch::Streams { input, csv_input, output, csv_output };
        summary = Some(batch::run(&policy, streams, &pool)?);
        Ok(())
    });
    progress.finish_and_clear();
    if let Err(error) = written {
        eprintln!("error: cannot write {}: {error}", options.output.display());
        return Exit::Input;
    }
    if let Some(summary) = summary {
        eprintln!("{}", summary.line());
    }
    Exit::Ok
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

/// Writes to `path.part`, then renames it to `path`.
fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut partial = PathBuf::from(path);
    partial.as_mut_os_string().push(".part");
    let file = std::fs::File::create(&partial)?;
    let mut out = std::io::BufWriter::new(file);
    write(&mut out)?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&partial, path)
}
