//! Batch throughput: JSON Lines of generated orders through the whole pipeline (read, decide,
//! write to a file) on one core and on all cores, next to reading, validating and writing back
//! the same records (the floor); and the peak memory of a batch, which must not grow with its size.
//!
//! `cargo bench --bench batch`. Figures and ratios are in BENCHMARKS.md.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmarks: a panic is a failed run, not a crash of the engine"
)]

#[path = "support/orders.rs"]
mod orders;

use std::io::Read;

use divan::counter::{BytesCount, ItemsCount};
use divan::{black_box, Bencher};
use refund_rules::batch::{self, Streams};
use refund_rules::{Order, Policy};

fn main() {
    // `cargo bench --bench batch -- one_account` times that case alone, without the memory runs.
    if !std::env::args().any(|a| a == "one_account") {
        peak_memory();
    }
    divan::main();
}

const ORDERS: usize = 200_000;

/// The file a bench writes its output to, as `refund batch --output` does (a `Vec` hides the
/// cost of writing; the figures were measured with a file). Each sample overwrites it.
fn output_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("refund-bench-{}-{name}.jsonl", std::process::id()))
}

fn output_file(name: &str) -> std::io::BufWriter<std::fs::File> {
    std::io::BufWriter::new(std::fs::File::create(output_path(name)).unwrap())
}

fn policy() -> Policy {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/policies/kufanyun.policy")).unwrap_or_default();
    match Policy::parse(&text) {
        Ok(policy) => policy,
        Err(error) => panic!("{error}"),
    }
}

/// `count` generated orders as JSON Lines.
fn json_lines(count: usize) -> String {
    let mut random = orders::Random::new(11);
    let mut text = String::new();
    for index in 0..count {
        let order = orders::order(&mut random, index);
        text.push_str(&serde_json::to_string(&order).unwrap_or_default());
        text.push('\n');
    }
    text
}

fn pool(threads: usize) -> rayon::ThreadPool {
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool,
        Err(error) => panic!("{error}"),
    }
}

/// The floor: read and validate every record as an order and write it back, nothing decided.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn io_floor(bencher: Bencher) {
    let input = json_lines(ORDERS);
    bencher.counter(ItemsCount::new(ORDERS)).bench(|| {
        let mut out = output_file("floor");
        for line in input.lines() {
            // Read strictly and validated, as the pipeline reads each record.
            let order = Order::from_json(line).unwrap_or_else(|e| panic!("{e}"));
            serde_json::to_writer(&mut out, &order).unwrap_or_default();
            std::io::Write::write_all(&mut out, b"\n").unwrap();
        }
        std::io::Write::flush(&mut out).unwrap();
    });
    // Hundreds of megabytes: not left behind.
    let _ = std::fs::remove_file(output_path("floor"));
}

fn pipeline(bencher: Bencher, threads: usize) {
    let policy = policy();
    let pool = pool(threads);
    let input = json_lines(ORDERS);
    bencher.counter(BytesCount::new(input.len())).counter(ItemsCount::new(ORDERS)).bench(|| {
        let mut out = output_file(&format!("pipeline-{threads}"));
        let streams = Streams { input: input.as_bytes(), csv_input: false, output: &mut out, csv_output: false };
        let summary = batch::run(&policy, streams, &pool).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(summary.records, ORDERS);
    });
    let _ = std::fs::remove_file(output_path(&format!("pipeline-{threads}")));
}

/// The whole pipeline on one core.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn pipeline_one_core(bencher: Bencher) {
    pipeline(bencher, 1);
}

/// The whole pipeline on every core.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn pipeline_all_cores(bencher: Bencher) {
    pipeline(bencher, std::thread::available_parallelism().map_or(1, |n| n.get()));
}

/// 100,000 orders of one account: the account's history is carried from each order to the
/// next, which must cost the same per order however long the history (issue #10: 26 s when
/// every order re-read the whole history).
#[divan::bench(sample_count = 1, sample_size = 1)]
fn pipeline_one_account(bencher: Bencher) {
    let policy = policy();
    let pool = pool(std::thread::available_parallelism().map_or(1, |n| n.get()));
    let mut random = orders::Random::new(11);
    let first_request = chrono::DateTime::parse_from_rfc3339("2026-04-01T10:00:00+08:00").unwrap();
    let mut input = String::new();
    for index in 0..ORDERS {
        let mut order = orders::order(&mut random, index);
        order.account.id = "one-account".to_owned();
        // One request every five minutes, in time order: the whole year stays in the history.
        let at = first_request + chrono::Duration::minutes(5 * index as i64);
        let shift = at - order.requested_at;
        order.purchased_at += shift;
        order.expires_at = order.expires_at.map(|e| e + shift);
        order.requested_at = at;
        input.push_str(&serde_json::to_string(&order).unwrap_or_default());
        input.push('\n');
    }
    bencher.counter(ItemsCount::new(ORDERS)).bench(|| {
        let mut out = Vec::with_capacity(input.len() * 2);
        let streams = Streams { input: input.as_bytes(), csv_input: false, output: &mut out, csv_output: false };
        let summary = batch::run(&policy, streams, &pool).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(summary.records, ORDERS);
        black_box(out.len())
    });
}

/// A reader that makes orders as it is read, so a million orders never sit in memory at once.
struct Generated {
    random: orders::Random,
    next: usize,
    count: usize,
    buffer: Vec<u8>,
    at: usize,
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buffer.len() {
            if self.next == self.count {
                return Ok(0);
            }
            let order = orders::order(&mut self.random, self.next);
            self.next += 1;
            self.buffer = serde_json::to_vec(&order)?;
            self.buffer.push(b'\n');
            self.at = 0;
        }
        let n = out.len().min(self.buffer.len() - self.at);
        out[..n].copy_from_slice(&self.buffer[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Peak resident memory (VmHWM) after batches of 100,000 and then 1,000,000 orders: the
/// second must not be ten times the first.
fn peak_memory() {
    let policy = policy();
    let pool = pool(std::thread::available_parallelism().map_or(1, |n| n.get()));
    for count in [100_000, 1_000_000] {
        let input = std::io::BufReader::new(Generated {
            random: orders::Random::new(3),
            next: 0,
            count,
            buffer: Vec::new(),
            at: 0,
        });
        let mut sink = std::io::sink();
        let started = std::time::Instant::now();
        let streams = Streams { input, csv_input: false, output: &mut sink, csv_output: false };
        let summary = batch::run(&policy, streams, &pool).unwrap_or_else(|e| panic!("{e}"));
        println!(
            "peak memory after a batch of {count} orders: {} ({} records in {:.1} s)",
            peak_rss(),
            summary.records,
            started.elapsed().as_secs_f64()
        );
    }
}

/// VmHWM from /proc (Linux); "unknown" elsewhere.
fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
