//! Policy speed: parse + check of every shipped policy; evaluation per order, plain and with
//! the trace; the Kufanyun interpreter against the same policy written by hand in Rust.
//!
//! `cargo bench --bench engine`. Figures and ratios are in BENCHMARKS.md.

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

use divan::counter::ItemsCount;
use divan::{black_box, Bencher};
use refund_rules::Policy;

fn main() {
    divan::main();
}

const POLICIES: &[&str] = &[
    "kufanyun",
    "tencent-cvm",
    "huawei-cloud",
    "alibaba-ecs",
    "azure-reservations",
    "aws-savings-plans",
    "digitalocean",
];

fn source(name: &str) -> String {
    std::fs::read_to_string(format!("{}/policies/{name}.policy", env!("CARGO_MANIFEST_DIR"))).unwrap_or_default()
}

fn policy(name: &str) -> Policy {
    match Policy::parse(&source(name)) {
        Ok(policy) => policy,
        Err(error) => panic!("{name}: {error}"),
    }
}

/// Parse and check one policy file: loading (the in-file examples run only when asked for).
#[divan::bench(args = POLICIES)]
fn parse_and_check(bencher: Bencher, name: &str) {
    let text = source(name);
    bencher.bench(|| Policy::parse(black_box(&text)).is_ok());
}

/// Loading as `refund check` does: parse, check and run the in-file examples for the warnings
/// about untested rules (what every load did before the examples ran lazily).
#[divan::bench(args = POLICIES)]
fn parse_check_and_run_examples(bencher: Bencher, name: &str) {
    let text = source(name);
    bencher.bench(|| Policy::parse(black_box(&text)).map(|p| p.warnings().len()).is_ok());
}

/// One decision, for each of the policy's own example orders in turn.
#[divan::bench(args = POLICIES)]
fn evaluate(bencher: Bencher, name: &str) {
    let policy = policy(name);
    let orders = policy.example_orders();
    bencher.counter(ItemsCount::new(orders.len())).bench(|| {
        for order in &orders {
            let _ = black_box(policy.evaluate(black_box(order)));
        }
    });
}

/// The same with the explanation: every rule tried, the values read, the arithmetic.
#[divan::bench(args = POLICIES)]
fn explain(bencher: Bencher, name: &str) {
    let policy = policy(name);
    let orders = policy.example_orders();
    bencher.counter(ItemsCount::new(orders.len())).bench(|| {
        for order in &orders {
            let _ = black_box(policy.explain(black_box(order)));
        }
    });
}

/// The interpreter and the hand-written baseline on the same 10,000 generated orders.
mod kufanyun_against_native {
    use super::*;

    const ORDERS: usize = 10_000;

    #[divan::bench]
    fn interpreter(bencher: Bencher) {
        let policy = policy("kufanyun");
        let orders = orders::orders(1, ORDERS);
        bencher.counter(ItemsCount::new(ORDERS)).bench(|| {
            for order in &orders {
                let _ = black_box(policy.evaluate(black_box(order)));
            }
        });
    }

    /// The same orders by walking the expression trees (the evaluator before the compiled form).
    #[divan::bench]
    fn tree_interpreter(bencher: Bencher) {
        let policy = policy("kufanyun");
        let orders = orders::orders(1, ORDERS);
        bencher.counter(ItemsCount::new(ORDERS)).bench(|| {
            for order in &orders {
                let _ = black_box(policy.evaluate_interpreted(black_box(order)));
            }
        });
    }

    /// `Policy::decide`: rule, outcome, amount and refunds, no receipt (against `native`).
    #[divan::bench]
    fn decide_only(bencher: Bencher) {
        let policy = policy("kufanyun");
        let orders = orders::orders(1, ORDERS);
        bencher.counter(ItemsCount::new(ORDERS)).bench(|| {
            for order in &orders {
                let _ = black_box(policy.decide(black_box(order)));
            }
        });
    }

    /// JSON text in, decision JSON out, through the engine.
    #[divan::bench]
    fn json_to_json(bencher: Bencher) {
        let policy = policy("kufanyun");
        let texts: Vec<String> = orders::orders(1, ORDERS).iter().map(|o| serde_json::to_string(o).unwrap()).collect();
        bencher.counter(ItemsCount::new(ORDERS)).bench(|| {
            for text in &texts {
                let decision = policy.evaluate_json(black_box(text)).unwrap();
                black_box(serde_json::to_string(&decision).unwrap());
            }
        });
    }

    /// The same through the hand-written policy: read the order, decide in full, write JSON.
    #[divan::bench]
    fn native_json_to_json(bencher: Bencher) {
        let orders = orders::orders(1, ORDERS);
        let reference = policy("kufanyun").evaluate(&orders[0]).unwrap().policy;
        let texts: Vec<String> = orders.iter().map(|o| serde_json::to_string(o).unwrap()).collect();
        bencher.counter(ItemsCount::new(ORDERS)).bench(|| {
            for text in &texts {
                let order = refund_rules::Order::from_json(black_box(text)).unwrap();
                let decision = native_kufanyun::decide_in_full(&order, &reference);
                black_box(serde_json::to_string(&decision).unwrap());
            }
        });
    }

    #[divan::bench]
    fn interpreter_with_trace(bencher: Bencher) {
        let policy = policy("kufanyun");
        let orders = orders::orders(1, ORDERS);
        bencher.counter(ItemsCount::new(ORDERS)).bench(|| {
            for order in &orders {
                let _ = black_box(policy.explain(black_box(order)));
            }
        });
    }

    /// The hand-written policy building the same full decision as the interpreter.
    #[divan::bench]
    fn native_in_full(bencher: Bencher) {
        let orders = orders::orders(1, ORDERS);
        let reference = policy("kufanyun").evaluate(&orders[0]).unwrap().policy;
        bencher.counter(ItemsCount::new(ORDERS)).bench(|| {
            for order in &orders {
                black_box(native_kufanyun::decide_in_full(black_box(order), &reference));
            }
        });
    }

    /// The hand-written policy returning only rule, outcome, amount and destination.
    #[divan::bench]
    fn native(bencher: Bencher) {
        let orders = orders::orders(1, ORDERS);
        bencher.counter(ItemsCount::new(ORDERS)).bench(|| {
            for order in &orders {
                black_box(native_kufanyun::decide(black_box(order)));
            }
        });
    }
}
