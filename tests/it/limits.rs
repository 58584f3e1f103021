//! Hostile shapes at the limits the parser allows are handled without exhausting the stack,
//! on a test thread's small stack and in a debug build: parse, check, evaluate and drop.

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

fn decide(policy: &str) -> String {
    let policy = Policy::parse(policy).unwrap_or_else(|e| panic!("{:#?}", e.diagnostics()));
    policy.evaluate(&order()).unwrap().amount.to_string()
}

#[test]
fn the_longest_allowed_chains_evaluate() {
    let n = refund_rules::syntax::MAX_OPERATORS - 2;
    let nots = "not not ".repeat(n / 2);
    let sum = vec!["1.00 CNY"; n].join(" + ");
    let ifs = "if order.banned_for_violation then 0.00 CNY else ".repeat(n);
    let policy = format!(
        "{HEAD}  let a = {sum}\n  let b = {ifs} 5.00 CNY\n  rule r \"r\":\n    when {nots} true\n    refund a + b as \"x\" to original\n}}\n"
    );
    assert_eq!(decide(&policy), format!("{}.00", n + 5));
}

#[test]
fn the_deepest_allowed_parentheses_evaluate() {
    let depth = refund_rules::syntax::MAX_NESTING - 1;
    let nested = format!("{}1.00 CNY{}", "(".repeat(depth), ")".repeat(depth));
    let policy = format!("{HEAD}  rule r \"r\":\n    refund {nested} to original\n}}\n");
    assert_eq!(decide(&policy), "1.00");
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
