//! Instruction counts, for ratios that a shared, busy machine cannot time: each case runs `N`
//! times after the same setup, so under callgrind `(I(N) - I(0)) / N` is the case's cost in
//! instructions, free of the other processes' noise.
//!
//! `cargo bench --bench counts --no-run`, then for each CASE:
//! `valgrind --tool=callgrind --callgrind-out-file=/dev/null target/release/deps/counts-* CASE N`
//! (the script in BENCHMARKS.md runs every case with N = 0 and N = 2,000).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmarks: a panic is a failed run, not a crash of the engine"
)]

#[path = "support/native_kufanyun.rs"]
mod native_kufanyun;
#[path = "support/orders.rs"]
mod orders;

use std::hint::black_box;

use refund_rules::{Order, Policy};

fn source(name: &str) -> String {
    std::fs::read_to_string(format!("{}/policies/{name}.policy", env!("CARGO_MANIFEST_DIR"))).unwrap_or_default()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(case), Some(count)) = (args.get(1), args.get(2).and_then(|n| n.parse::<usize>().ok())) else {
        panic!("usage: counts CASE N (CASE: native, native_in_full, compiled, tree, decide, json_native, json_engine, load:NAME, load_with_examples:NAME)");
    };
    let policy = Policy::parse(&source("kufanyun")).unwrap();
    let orders = orders::orders(1, 10_000);
    let texts: Vec<String> = orders.iter().map(|o| serde_json::to_string(o).unwrap()).collect();
    let reference = policy.evaluate(&orders[0]).unwrap().policy;
    let order = |i: usize| &orders[i % orders.len()];
    let text = |i: usize| texts[i % texts.len()].as_str();
    match case.split_once(':') {
        Some(("load", name)) => {
            let text = source(name);
            for _ in 0..count {
                black_box(Policy::parse(black_box(&text)).is_ok());
            }
        }
        Some(("load_with_examples", name)) => {
            let text = source(name);
            for _ in 0..count {
                let policy = Policy::parse(black_box(&text)).unwrap();
                black_box(policy.warnings().len());
            }
        }
        _ => {}
    }
    // Batches: `count` records of JSON Lines, read, decided and written (`batch_1`, `batch_2`:
    // one and two worker threads; with `--separate-threads=yes` callgrind counts each thread),
    // and the floor that reads, validates and writes each order back.
    let lines: String = (0..count).map(|i| format!("{}\n", text(i))).collect();
    match case.as_str() {
        "batch_floor" => {
            let mut out = Vec::with_capacity(lines.len() * 3);
            for line in lines.lines() {
                let order = Order::from_json(line).unwrap();
                serde_json::to_writer(&mut out, &order).unwrap();
                out.push(b'\n');
            }
            black_box(out.len());
        }
        "batch_1" | "batch_2" => {
            let threads = if case == "batch_1" { 1 } else { 2 };
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut out = Vec::with_capacity(lines.len() * 3);
            let streams = refund_rules::batch::Streams {
                input: lines.as_bytes(),
                csv_input: false,
                output: &mut out,
                csv_output: false,
            };
            refund_rules::batch::run(&policy, streams, &pool).unwrap();
            black_box(out.len());
        }
        _ => {}
    }
    for i in 0..count {
        match case.as_str() {
            "native" => drop(black_box(native_kufanyun::decide(black_box(order(i))))),
            "native_in_full" => drop(black_box(native_kufanyun::decide_in_full(black_box(order(i)), &reference))),
            "compiled" => drop(black_box(policy.evaluate(black_box(order(i))))),
            "tree" => drop(black_box(policy.evaluate_interpreted(black_box(order(i))))),
            "decide" => drop(black_box(policy.decide(black_box(order(i))))),
            "json_native" => {
                let order = Order::from_json(black_box(text(i))).unwrap();
                let decision = native_kufanyun::decide_in_full(&order, &reference);
                black_box(serde_json::to_string(&decision).unwrap());
            }
            "json_engine" => {
                let decision = policy.evaluate_json(black_box(text(i))).unwrap();
                black_box(serde_json::to_string(&decision).unwrap());
            }
            _ => {}
        }
    }
}
