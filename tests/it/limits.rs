//! Hostile shapes at the limits the language allows, and just beyond them, on a thread with a
//! 2 MiB stack in a debug build (the worst case for stack use): parse, check, evaluate,
//! explain and drop. At the limit the policy works; beyond it there is an error with a span
//! and a hint, never a crash.

use refund_rules::limits::{MAX_DEPTH, MAX_NESTING, MAX_OPERATORS};
use refund_rules::Severity;
use refund_rules::{Order, Policy, PolicyError};

const HEAD: &str = r#"policy limits {
  currency CNY
  timezone "Asia/Shanghai"
  source "https://example.com" read 2026-01-01
"#;

fn order() -> Order {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/orders/within-48-hours.json")).unwrap();
    Order::from_json(&text).unwrap()
}

/// Runs `work` on a thread with the 2 MiB stack of a default spawned thread. (Every shape here
/// and in the hostile corpus also passed on 1 MiB when this was written: a margin of two.)
pub fn on_small_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(2 * 1024 * 1024).spawn(work).unwrap().join().unwrap()
}

/// Parses, checks, evaluates and explains `policy` on a small stack: the refunded amount, or
/// the codes of the problems with a hint each.
fn outcome(policy: String) -> Result<String, Vec<String>> {
    on_small_stack(move || match Policy::parse(&policy) {
        Ok(policy) => {
            let decision = policy.evaluate(&order()).unwrap();
            let explained = policy.explain(&order()).unwrap();
            assert_eq!(decision.amount, explained.amount);
            Ok(decision.amount.to_string())
        }
        Err(error) => Err(error
            .diagnostics()
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| {
                assert!(d.help.is_some(), "{} has no help", d.code);
                assert!(d.span.is_some(), "{} has no span", d.code);
                d.code.to_owned()
            })
            .collect()),
    })
}

fn refused(policy: String, code: &str) {
    match outcome(policy) {
        Ok(amount) => panic!("accepted beyond the limit, refunding {amount}"),
        Err(codes) => assert_eq!(codes, vec![code.to_owned()]),
    }
}

fn with_rule(declarations: &str, when: &str, refund: &str) -> String {
    format!("{HEAD}{declarations}  rule r \"r\":\n    when {when}\n    refund {refund} to original\n}}\n")
}

/// `let v1 = 1.00 CNY`, `let v2 = v1 + 0.00 CNY`, ...: `v_n` is 2n - 1 levels deep, and
/// `refund v_n` one more.
fn let_chain(kind: &str, n: usize) -> String {
    let mut text = format!("  {kind} v1 = 1.00 CNY\n");
    for i in 2..=n {
        text.push_str(&format!("  {kind} v{i} = v{} + 0.00 CNY\n", i - 1));
    }
    text
}

#[test]
fn the_longest_allowed_chains_evaluate() {
    let n = MAX_OPERATORS - 2;
    let nots = "not not ".repeat(n / 2);
    let sum = vec!["1.00 CNY"; n].join(" + ");
    let ifs = "if order.banned_for_violation then 0.00 CNY else ".repeat(MAX_NESTING);
    let policy = format!("  let a = {sum}\n  let b = {ifs} 5.00 CNY\n");
    assert_eq!(outcome(with_rule(&policy, &format!("{nots} true"), "a + b")), Ok(format!("{}.00", n + 5)));
    let too_many_ifs = format!("  let b = {ifs} if true then 1.00 CNY else 5.00 CNY\n");
    refused(with_rule(&too_many_ifs, "true", "b"), "E002");
}

#[test]
fn the_deepest_allowed_parentheses_evaluate() {
    let depth = MAX_NESTING - 1;
    let nested = format!("{}1.00 CNY{}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(outcome(with_rule("", "true", &nested)), Ok("1.00".to_owned()));
    let calls = format!("{}1.00 CNY{}", "abs(".repeat(depth), ")".repeat(depth));
    assert_eq!(outcome(with_rule("", "true", &calls)), Ok("1.00".to_owned()));
}

#[test]
fn chains_of_lets_and_consts_evaluate_up_to_the_limit_and_are_refused_beyond() {
    let longest = MAX_DEPTH / 2;
    for kind in ["let", "const"] {
        let at_limit = with_rule(&let_chain(kind, longest), "true", &format!("v{longest}"));
        assert_eq!(outcome(at_limit), Ok("1.00".to_owned()), "{kind}");
        let beyond = with_rule(&let_chain(kind, longest + 1), "true", &format!("v{}", longest + 1));
        refused(beyond, "E108");
        // Ten thousand: one error, at the first name too deep, not one per name.
        refused(with_rule(&let_chain(kind, 10_000), "true", "v10000"), "E108");
    }
}

#[test]
fn chains_of_named_conditions_are_bounded() {
    let chain = |n: usize| {
        let mut text = "  let c1 = order.paid.cash > 0.00 CNY\n".to_owned();
        for i in 2..=n {
            text.push_str(&format!("  let c{i} = c{} and true\n", i - 1));
        }
        text
    };
    let longest = MAX_DEPTH / 2 - 1;
    let at_limit = with_rule(&chain(longest), &format!("c{longest}"), "order.paid.cash");
    assert_eq!(outcome(at_limit), Ok("900.00".to_owned()));
    refused(with_rule(&chain(5_000), "c5000", "order.paid.cash"), "E108");
}

#[test]
fn sums_of_deep_names_are_bounded_too() {
    // Each name is a long sum of the one before: depth grows by 200 a line.
    let mut text = "  let s0 = 1.00 CNY\n".to_owned();
    for i in 1..=3 {
        text.push_str(&format!("  let s{i} = s{} {}\n", i - 1, "+ 0.00 CNY ".repeat(200)));
    }
    refused(with_rule(&text, "true", "s3"), "E108");
}

#[test]
fn is_missing_chains_are_bounded() {
    let chain = |n: usize| format!("order.refund_to {}", "is missing ".repeat(n));
    // Past the first `is missing` the operand is no order field: an error, on a small stack.
    assert_eq!(outcome(with_rule("", &chain(MAX_OPERATORS - 1), "order.paid.cash")), Err(vec!["E111".to_owned()]));
    refused(with_rule("", &chain(10_000), "order.paid.cash"), "E004");
}

#[test]
fn destinations_chosen_through_many_ifs_are_bounded() {
    let choice = |n: usize| {
        format!(
            "order.paid.cash to {}original{}",
            "if order.paid.cash > 1.00 CNY then ".repeat(n),
            " else balance".repeat(n)
        )
    };
    let policy = |n: usize| format!("{HEAD}  rule r \"r\":\n    refund {}\n}}\n", choice(n));
    assert_eq!(outcome(policy(MAX_NESTING)), Ok("900.00".to_owned()));
    refused(policy(MAX_NESTING + 1), "E002");
    refused(policy(10_000), "E002");
}

#[test]
fn keywords_as_field_names_do_not_reset_the_operator_count() {
    // `order.rule` is no field, but the word `rule` used to start a new statement for the
    // count, letting a chain of 100,000 operators through to the parser.
    let sum =
        format!("{} + order.rule + {}", vec!["1.00 CNY"; 10_000].join(" + "), vec!["1.00 CNY"; 10_000].join(" + "));
    refused(with_rule("", "true", &sum), "E004");
}

#[test]
fn beyond_the_limits_is_an_error_not_a_crash() {
    let deep = format!("{HEAD}  let x = {}1{}\n}}\n", "(".repeat(100_000), ")".repeat(100_000));
    assert!(matches!(Policy::parse(&deep), Err(PolicyError::Syntax(_))));
    let long = format!("{HEAD}  let x = {}\n}}\n", vec!["1"; 100_000].join(" + "));
    assert!(matches!(Policy::parse(&long), Err(PolicyError::Syntax(_))));
    let nots = format!("{HEAD}  let x = {} true\n}}\n", "not ".repeat(100_000));
    assert!(matches!(Policy::parse(&nots), Err(PolicyError::Syntax(_))));
}

#[test]
fn calls_and_operators_together_are_bounded_by_depth() {
    // 63 nested calls around 250 operators: within each count, beyond the depth.
    let depth = MAX_NESTING - 1;
    let sum = vec!["1.00 CNY"; MAX_OPERATORS - 6].join(" + ");
    let calls = format!("{}{sum}{}", "abs(".repeat(depth), ")".repeat(depth));
    refused(with_rule("", "true", &calls), "E002");
}
