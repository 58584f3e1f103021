//! The compiled form (`Policy::evaluate`, `Policy::decide`) decides exactly as the tree
//! interpreter does, errors included, on generated orders of every shipped policy: the edge
//! orders of each knob the policy reads, then random mixes of them.

use std::collections::BTreeSet;
use std::path::Path;

use refund_rules::prove::orders::OrderSpace;
use refund_rules::{Order, Policy};

const ORDERS_PER_POLICY: usize = 3_000;

fn shipped_policies() -> Vec<(String, Policy)> {
    let mut names: Vec<String> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".policy"))
        .collect();
    names.sort();
    names.into_iter().map(|name| (name.clone(), crate::shipped(&name))).collect()
}

fn generated(policy: &Policy, seed: u64) -> Vec<Order> {
    let mut orders = policy.example_orders();
    orders.extend(OrderSpace::for_policy(policy).generate(seed).take(ORDERS_PER_POLICY).map(|g| g.order));
    orders
}

#[test]
fn the_compiled_form_decides_as_the_tree_interpreter_on_every_shipped_policy() {
    let policies = shipped_policies();
    assert!(policies.len() >= 13, "{}", policies.len());
    for (name, policy) in &policies {
        let mut rules = BTreeSet::new();
        let mut errors = BTreeSet::new();
        for order in generated(policy, 5) {
            let compiled = policy.evaluate(&order);
            let interpreted = policy.evaluate_interpreted(&order);
            assert_eq!(compiled, interpreted, "{name}, order {}", order.id);
            match &interpreted {
                Ok(decision) => rules.insert(decision.rule.clone()),
                Err(error) => errors.insert(error.code()),
            };
        }
        // Not a vacuous agreement: the orders reach several rules of every policy.
        assert!(rules.len() >= 2, "{name}: only {rules:?} decided (errors {errors:?})");
    }
}

#[test]
fn the_decide_only_path_gives_the_fields_of_the_full_decision() {
    for (name, policy) in &shipped_policies() {
        for order in generated(policy, 9) {
            let summary = policy.decide(&order);
            match policy.evaluate_interpreted(&order) {
                Ok(full) => {
                    let summary = summary.unwrap_or_else(|e| panic!("{name}, order {}: {e}", order.id));
                    let fields = (summary.outcome, summary.rule, summary.amount, &summary.refunds, summary.review);
                    let expected = (full.outcome, full.rule.as_str(), full.amount, &full.refunds, full.review);
                    assert_eq!(fields, expected, "{name}, order {}", order.id);
                    // The same scale too: "120.00", not "120".
                    assert_eq!(summary.amount.to_string(), full.amount.to_string(), "{name}, order {}", order.id);
                }
                Err(error) => assert_eq!(summary.err(), Some(error), "{name}, order {}", order.id),
            }
        }
    }
}
