//! The in-process baseline of `benches/serve.sh`: how long one order takes without HTTP,
//! measured in the same run as the server's load test. Three steps are timed apart, one order
//! at a time on one thread: `evaluate` alone; reading the order's JSON and `evaluate`; and
//! that plus writing the decision's JSON (all the server does for a request but HTTP).
//!
//! `cargo bench --bench serve_baseline -- POLICY ORDER` (usually run by `benches/serve.sh`).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    reason = "benchmarks: a panic is a failed run, not a crash of the engine"
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use refund_rules::{Order, Policy};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let policy_path = args.first().map_or("policies/tencent-cvm.policy", String::as_str);
    let order_path =
        args.get(1).map_or("tests/data/orders/tencent-cvm/no-reason-first-return-day-3.json", String::as_str);
    let policy = Policy::from_file(policy_path).unwrap();
    let text = std::fs::read_to_string(order_path).unwrap();
    let order = Order::from_json(&text).unwrap();
    let evaluate = per_call(|| {
        black_box(policy.evaluate(black_box(&order)).unwrap());
    });
    let read_and_evaluate = per_call(|| {
        let order = Order::from_json(black_box(&text)).unwrap();
        black_box(policy.evaluate(&order).unwrap());
    });
    let whole = per_call(|| {
        let order = Order::from_json(black_box(&text)).unwrap();
        let decision = policy.evaluate(&order).unwrap();
        black_box(serde_json::to_vec(&decision).unwrap());
    });
    println!("evaluate                         {:>8.2} us/order  {:>9.0} orders/s", evaluate, 1e6 / evaluate);
    println!(
        "order JSON in + evaluate         {:>8.2} us/order  {:>9.0} orders/s",
        read_and_evaluate,
        1e6 / read_and_evaluate
    );
    println!("JSON in + evaluate + JSON out    {:>8.2} us/order  {:>9.0} orders/s", whole, 1e6 / whole);
}

/// Microseconds per call: the median of 15 rounds of 200 ms each.
fn per_call(mut work: impl FnMut()) -> f64 {
    let mut rounds: Vec<f64> = (0..15)
        .map(|_| {
            let started = Instant::now();
            let mut calls = 0u64;
            while started.elapsed() < Duration::from_millis(200) {
                for _ in 0..100 {
                    work();
                }
                calls += 100;
            }
            started.elapsed().as_secs_f64() * 1e6 / calls as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[rounds.len() / 2]
}
