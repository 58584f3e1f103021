//! Fuzzing on the stable toolchain (cargo-fuzz needs nightly), with proptest's runner and
//! strategies: for a time budget per target, random bytes, token soup shaped by the grammar and
//! mutated shipped policies go to the parser, checker and formatter; mutated orders go to every
//! shipped policy. A panic fails with the input that caused it, shrunk by proptest to a small
//! one, to be added to `tests/data/fuzz-regressions/`.
//!
//! `REFUND_FUZZ_SECONDS` sets the budget per target (2 s by default; CI gives 60).

use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use refund_rules::format::format_policy;
use refund_rules::{Order, Policy};

fn budget() -> Duration {
    let seconds = std::env::var("REFUND_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(2);
    Duration::from_secs(seconds)
}

fn shipped() -> Vec<(String, Policy)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let policy = Policy::parse(&text).unwrap();
            (text, policy)
        })
        .collect()
}

/// Runs `target` on inputs drawn from `strategy` until the budget is spent, in rounds of
/// proptest's runner seeded from `seed` (so a failure replays); a panic fails the test with the
/// input, shrunk.
fn fuzz<S: Strategy>(seed: u64, strategy: S, target: impl Fn(&S::Value)) -> usize {
    const ROUND: u32 = 64;
    let started = Instant::now();
    let mut runs = 0;
    let mut round = 0u64;
    while started.elapsed() < budget() {
        let config = Config { cases: ROUND, failure_persistence: None, ..Config::default() };
        let key = seed.wrapping_mul(1_000_003).wrapping_add(round).to_le_bytes().repeat(4);
        let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &key));
        if let Err(failure) = runner.run(&strategy, |input| {
            target(&input);
            Ok(())
        }) {
            panic!("crash (seed {seed}, round {round}): {failure}");
        }
        runs += ROUND as usize;
        round += 1;
    }
    runs
}

/// Parse, check, format, and run the examples of whatever parses.
fn policy_target(text: &str) {
    if let Ok(policy) = Policy::parse(text) {
        let _ = policy.run_examples();
    }
    let _ = format_policy(text);
}

const TOKENS: &[&str] = &[
    "policy",
    "p",
    "{",
    "}",
    "(",
    ")",
    "rule",
    "r",
    "\"msg\"",
    ":",
    "when",
    "deny",
    "refund",
    "to",
    "original",
    "balance",
    "order.paid.cash",
    "order.requested_at",
    "order.purchased_at",
    "order.billing",
    "==",
    "subscription",
    "<",
    "5 days",
    "1 month",
    "-",
    "+",
    "*",
    "/",
    "10.00 CNY",
    "10%",
    "0.01",
    "round",
    "half_up",
    ",",
    "let",
    "x",
    "=",
    "const",
    "table",
    "t",
    "by",
    "from",
    "is",
    "=>",
    "less",
    "deduct",
    "clamp",
    "cap",
    "split",
    "and",
    "or",
    "not",
    "if",
    "then",
    "else",
    "example",
    "base",
    "order",
    "expect",
    "no_refund",
    "currency",
    "CNY",
    "timezone",
    "\"UTC\"",
    "source",
    "read",
    "2026-01-01",
    "2026-01-01T00:00:00Z",
    "invariant",
    "amount",
    "monotone",
    "in",
    "held",
    "uses",
    "no_reason_refund",
    "attribute",
    "a",
    "money",
    "one_of",
    "versions",
    "effective",
    "until",
    "#",
    "\n",
    "\"",
    "\\",
    "\u{0}",
    "你好",
];

#[test]
fn the_parser_survives_random_bytes() {
    let bytes = prop::collection::vec(any::<u8>(), 0..400).prop_map(|b| String::from_utf8_lossy(&b).into_owned());
    let runs = fuzz(1, bytes, |text| policy_target(text));
    assert!(runs > 100, "{runs} runs");
}

/// A shipped policy with a few words deleted, repeated or replaced by a token.
fn mutated(policies: Vec<String>) -> impl Strategy<Value = String> {
    let edits = prop::collection::vec((any::<Index>(), 0u8..3, select(TOKENS)), 1..5);
    (select(policies), edits).prop_map(|(text, edits)| {
        let mut words: Vec<String> = text.split(' ').map(str::to_owned).collect();
        for (at, how, token) in edits {
            let at = at.index(words.len());
            match how {
                0 => {
                    words.remove(at);
                }
                1 => {
                    let copy = words[at].clone();
                    words.insert(at, copy);
                }
                _ => words[at] = token.to_owned(),
            }
        }
        words.join(" ")
    })
}

#[test]
fn the_parser_survives_grammar_shaped_soup_and_mutated_policies() {
    let policies: Vec<String> = shipped().into_iter().map(|(text, _)| text).collect();
    let soup = prop::collection::vec(select(TOKENS), 0..120).prop_map(|tokens| tokens.join(" "));
    let runs = fuzz(2, prop_oneof![soup, mutated(policies)], |text| policy_target(text));
    assert!(runs > 20, "{runs} runs");
}

/// Values that stress the order reader: wrong types, huge numbers, the end of time.
const PIECES: &[&str] = &[
    "0",
    "-1",
    "1e30",
    "\"\"",
    "null",
    "[]",
    "{}",
    "true",
    "\"9999-12-31T23:59:59Z\"",
    "\"x\"",
    "99999999999999999999999999999",
];

#[test]
fn evaluation_survives_mutated_orders() {
    let policies = shipped();
    let orders: Vec<String> =
        policies.iter().flat_map(|(_, p)| p.example_orders()).map(|o| serde_json::to_string(&o).unwrap()).collect();
    // Replace the value after a colon, or (one time in ten) cut the text.
    let edits = prop::collection::vec((any::<Index>(), 0u8..10, select(PIECES)), 1..4);
    let mutated = (select(orders), edits).prop_map(|(mut text, edits)| {
        for (at, how, piece) in edits {
            let colons: Vec<usize> = text.match_indices(':').map(|(i, _)| i).collect();
            if colons.is_empty() || how == 0 {
                let mut cut = at.index(text.len().max(1));
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                continue;
            }
            let start = colons[at.index(colons.len())] + 1;
            let end = text[start..].find([',', '}']).map_or(text.len(), |e| start + e);
            text.replace_range(start..end, piece);
        }
        text
    });
    let runs = fuzz(3, mutated, |text| {
        if let Ok(order) = Order::from_json(text) {
            for (_, policy) in &policies {
                let _ = policy.evaluate(&order);
                let _ = policy.explain(&order);
            }
        }
    });
    assert!(runs > 20, "{runs} runs");
}

/// The harness fails on a crash, and names the smallest input proptest shrank it to.
#[test]
fn a_crash_fails_with_the_shrunk_input() {
    let crashed = std::panic::catch_unwind(|| fuzz(9, any::<u8>(), |byte| assert!(*byte < 200, "too big")));
    let message = crashed.unwrap_err();
    let message = message.downcast_ref::<String>().unwrap();
    assert!(message.contains("minimal failing input: 200"), "{message}");
}

/// Inputs that once crashed, or came close: they must keep working.
#[test]
fn fuzz_regressions_stay_fixed() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    let policies = shipped();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
        match path.extension().and_then(|e| e.to_str()) {
            Some("policy") => policy_target(&text),
            Some("json") => {
                if let Ok(order) = Order::from_json(&text) {
                    for (_, policy) in &policies {
                        let _ = policy.explain(&order);
                    }
                }
            }
            _ => {}
        }
    }
}
