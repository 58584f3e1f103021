//! Fuzzing on the stable toolchain (cargo-fuzz needs nightly): for a time budget per target,
//! random bytes, token soup shaped by the grammar and mutated shipped policies go to the parser,
//! checker and formatter; mutated and random orders go to every shipped policy. Any panic fails
//! with the input that caused it, to be added to `tests/data/fuzz-regressions/`.
//!
//! `REFUND_FUZZ_SECONDS` sets the budget per target (2 s by default; CI gives 60).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use proptest::prelude::RngExt;
use proptest::test_runner::{RngAlgorithm, TestRng};
use refund_rules::format::format_policy;
use refund_rules::{Order, Policy};

fn budget() -> Duration {
    let seconds = std::env::var("REFUND_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(2);
    Duration::from_secs(seconds)
}

/// proptest's deterministic generator, seeded per target so a failure can be replayed.
struct Random(TestRng);

impl Random {
    fn new(seed: u64) -> Random {
        Random(TestRng::from_seed(RngAlgorithm::ChaCha, &seed.to_le_bytes().repeat(4)))
    }

    fn next(&mut self) -> u64 {
        self.0.random::<u64>()
    }

    fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n.max(1))
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let at = self.below(items.len());
        items.get(at).copied().unwrap_or("")
    }
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

/// Runs `target` on generated inputs until the budget is spent; a panic names the input.
fn fuzz(seed: u64, generate: impl Fn(&mut Random) -> String, target: impl Fn(&str)) -> usize {
    let started = Instant::now();
    let mut random = Random::new(seed);
    let mut runs = 0;
    while started.elapsed() < budget() {
        let input = generate(&mut random);
        if catch_unwind(AssertUnwindSafe(|| target(&input))).is_err() {
            panic!("crash on input (seed {seed}, run {runs}):\n{input}");
        }
        runs += 1;
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
    let runs = fuzz(
        1,
        |random| {
            let length = random.below(400);
            let bytes: Vec<u8> = (0..length).map(|_| (random.next() % 256) as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        },
        policy_target,
    );
    assert!(runs > 100, "{runs} runs");
}

#[test]
fn the_parser_survives_grammar_shaped_soup_and_mutated_policies() {
    let policies: Vec<String> = shipped().into_iter().map(|(text, _)| text).collect();
    let runs = fuzz(
        2,
        |random| {
            if random.below(2) == 0 {
                let length = random.below(120);
                (0..length).map(|_| random.pick(TOKENS)).collect::<Vec<_>>().join(" ")
            } else {
                // A shipped policy with a few tokens deleted, repeated or replaced.
                let text = &policies[random.below(policies.len())];
                let mut words: Vec<String> = text.split(' ').map(str::to_owned).collect();
                for _ in 0..1 + random.below(4) {
                    let at = random.below(words.len());
                    match random.below(3) {
                        0 => {
                            words.remove(at);
                        }
                        1 => {
                            let copy = words[at].clone();
                            words.insert(at, copy);
                        }
                        _ => words[at] = random.pick(TOKENS).to_owned(),
                    }
                }
                words.join(" ")
            }
        },
        policy_target,
    );
    assert!(runs > 20, "{runs} runs");
}

#[test]
fn evaluation_survives_mutated_orders() {
    let policies = shipped();
    let orders: Vec<String> =
        policies.iter().flat_map(|(_, p)| p.example_orders()).map(|o| serde_json::to_string(&o).unwrap()).collect();
    let pieces = [
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
    let runs = fuzz(
        3,
        |random| {
            let mut text = orders[random.below(orders.len())].clone();
            for _ in 0..1 + random.below(3) {
                // Replace a value after a random colon, or cut the text.
                let colons: Vec<usize> = text.match_indices(':').map(|(i, _)| i).collect();
                if colons.is_empty() || random.below(10) == 0 {
                    let mut cut = random.below(text.len());
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text.truncate(cut);
                    continue;
                }
                let at = colons[random.below(colons.len())] + 1;
                let end = text[at..].find([',', '}']).map_or(text.len(), |e| at + e);
                text.replace_range(at..end, random.pick(&pieces));
            }
            text
        },
        |text| {
            if let Ok(order) = Order::from_json(text) {
                for (_, policy) in &policies {
                    let _ = policy.evaluate(&order);
                    let _ = policy.explain(&order);
                }
            }
        },
    );
    assert!(runs > 20, "{runs} runs");
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
