//! The hand-written Kufanyun baseline of the benchmarks decides exactly as the interpreter
//! does on a large generated order set, so comparing their speed compares like with like.

#[path = "../../benches/support/native_kufanyun.rs"]
mod native_kufanyun;
#[path = "../../benches/support/orders.rs"]
pub mod orders;

#[test]
fn the_native_baseline_agrees_with_the_interpreter() {
    let policy = crate::shipped("kufanyun.policy");
    let orders = orders::orders(7, 20_000);
    let mut rules = std::collections::BTreeMap::new();
    for order in &orders {
        order.validate().unwrap_or_else(|e| panic!("{}: generated an invalid order: {e}", order.id));
        let interpreted = policy.evaluate(order).unwrap_or_else(|e| panic!("{}: {e}", order.id));
        let native = native_kufanyun::decide(order);
        assert_eq!(interpreted.rule, native.rule, "{}", order.id);
        assert_eq!(interpreted.outcome, native.outcome, "{}", order.id);
        assert_eq!(interpreted.amount, native.amount, "{}", order.id);
        assert_eq!(interpreted.refunds.first().map(|r| r.to), native.to, "{}", order.id);
        *rules.entry(interpreted.rule).or_insert(0) += 1;
    }
    // The generated set reaches every rule of the policy.
    assert_eq!(rules.len(), 5, "{rules:?}");
}

/// The baseline written out in full builds the very decision the interpreter builds, line for
/// line and reason for reason, so the benchmark's second ratio measures interpretation alone.
#[test]
fn the_native_baseline_in_full_builds_the_same_decision() {
    let policy = crate::shipped("kufanyun.policy");
    let orders = orders::orders(11, 20_000);
    let Some(first) = orders.first() else { panic!("no orders generated") };
    let reference = policy.evaluate(first).unwrap_or_else(|e| panic!("{}: {e}", first.id)).policy;
    let mut reasons_beyond_the_rule = 0;
    for order in &orders {
        let interpreted = policy.evaluate(order).unwrap_or_else(|e| panic!("{}: {e}", order.id));
        let native = native_kufanyun::decide_in_full(order, &reference);
        assert_eq!(interpreted, native, "{}", order.id);
        reasons_beyond_the_rule += usize::from(interpreted.reasons.len() > 1);
    }
    // The set reaches the steps that explain themselves (a fee or arrears taking everything).
    assert!(reasons_beyond_the_rule > 100, "{reasons_beyond_the_rule}");
}
