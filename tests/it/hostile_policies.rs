//! The hostile policy corpus: every file under `tests/data/hostile-policies/` is parsed,
//! checked and, when it loads, used to decide one sample order (and explain it), on a thread
//! with a 2 MiB stack, in bounded time. The snapshot is the outcome a product manager would
//! read: the rendered problems, or "ok" and the decision. Files that would be large are
//! described in a `.gen.toml` (a head, a line repeated with `{i}` and `{prev}`, a tail) and
//! generated here, so no megabytes are committed.

use std::time::{Duration, Instant};

use refund_rules::diagnostic::{self, Diagnostic};
use refund_rules::{Order, Policy};

use crate::limits::on_small_stack;
use crate::relative;

/// The longest a file may take on a debug build (the slowest, a 4 MB file, takes a few seconds).
const TIME_LIMIT: Duration = Duration::from_secs(60);
/// The most problems shown in a snapshot; the rest are counted by code.
const SHOWN: usize = 6;
/// The longest line kept in a snapshot.
const LINE: usize = 240;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Generated {
    head: String,
    repeat: String,
    from: usize,
    to: usize,
    #[serde(default)]
    tail: String,
}

fn generate(description: &str) -> String {
    let spec: Generated = toml::from_str(description).unwrap();
    let mut text = spec.head;
    for i in spec.from..=spec.to {
        text.push_str(&spec.repeat.replace("{i}", &i.to_string()).replace("{prev}", &i.saturating_sub(1).to_string()));
    }
    text.push_str(&spec.tail);
    text
}

fn sample_order() -> Order {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/orders/within-48-hours.json")).unwrap();
    Order::from_json(&text).unwrap()
}

/// What a product manager reads for `text`: its problems, or "ok" and the sample's decision.
fn outcome(name: String, text: String) -> String {
    on_small_stack(move || {
        let started = Instant::now();
        let shown = match Policy::parse(&text) {
            Err(error) => problems(&name, &text, &error.diagnostics()),
            Ok(policy) => {
                let warnings: Vec<Diagnostic> = policy.warnings().iter().map(Diagnostic::from).collect();
                let codes: Vec<&str> = warnings.iter().map(|w| w.code).collect();
                let order = sample_order();
                let decided = match (policy.evaluate(&order), policy.explain(&order)) {
                    (Ok(decision), Ok(explained)) => {
                        assert_eq!(decision.amount, explained.amount, "{name}: explain decides otherwise");
                        let to: Vec<String> =
                            decision.refunds.iter().map(|r| format!("{:?} {}", r.to, r.amount)).collect();
                        format!(
                            "decision: {:?} {} {} by rule `{}`{}",
                            decision.outcome,
                            decision.amount,
                            decision.currency,
                            decision.rule,
                            if to.is_empty() { String::new() } else { format!(" (to {})", to.join(", ")) }
                        )
                    }
                    (Err(error), _) => {
                        format!("evaluation error:\n{}", problems(&name, &text, &[Diagnostic::from(&error)]))
                    }
                    (Ok(_), Err(error)) => panic!("{name}: evaluates but cannot be explained: {error}"),
                };
                format!("ok, warnings: {codes:?}\n{decided}")
            }
        };
        assert!(started.elapsed() < TIME_LIMIT, "{name} took {:?}", started.elapsed());
        shown
    })
}

/// The first problems rendered with their caret (long lines cut), the others counted by code.
fn problems(name: &str, text: &str, all: &[Diagnostic]) -> String {
    let first = all.get(..SHOWN.min(all.len())).unwrap_or_default();
    let mut shown: String = diagnostic::render(name, text, first)
        .lines()
        .map(|line| match line.char_indices().nth(LINE) {
            Some((cut, _)) => format!("{}…\n", &line[..cut]),
            None => format!("{line}\n"),
        })
        .collect();
    if all.len() > SHOWN {
        let mut counts: Vec<(&str, usize)> = Vec::new();
        for d in &all[SHOWN..] {
            match counts.iter_mut().find(|(code, _)| *code == d.code) {
                Some((_, n)) => *n += 1,
                None => counts.push((d.code, 1)),
            }
        }
        let counts: Vec<String> = counts.iter().map(|(code, n)| format!("{n} × {code}")).collect();
        shown.push_str(&format!("... and {} more: {}\n", all.len() - SHOWN, counts.join(", ")));
    }
    shown
}

#[test]
fn hostile_policy_files_give_a_clear_outcome_on_a_small_stack() {
    insta::glob!("../data/hostile-policies", "*.policy", |path| {
        let name = relative(path);
        let bytes = std::fs::read(path).unwrap();
        let shown = match String::from_utf8(bytes) {
            Ok(text) => outcome(name, text),
            Err(error) => format!("not UTF-8 from byte {}", error.utf8_error().valid_up_to()),
        };
        insta::assert_snapshot!(shown);
    });
}

#[test]
fn generated_hostile_policies_give_a_clear_outcome_on_a_small_stack() {
    insta::glob!("../data/hostile-policies", "*.gen.toml", |path| {
        let text = generate(&std::fs::read_to_string(path).unwrap());
        assert!(text.len() > 50_000, "{}: small enough to commit as a .policy", relative(path));
        insta::assert_snapshot!(outcome(relative(path), text));
    });
}
