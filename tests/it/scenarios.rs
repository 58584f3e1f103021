//! Scenario orders for every shipped policy: `tests/data/orders/POLICY/*.json` is decided by
//! `policies/POLICY.policy`, with its full explanation (`trace`), so a change in any rule,
//! step or reason shows up in snapshot review. Each folder's EXPECTED.md gives the hand
//! computation of every case.

use std::collections::HashMap;
use std::path::Path;

use refund_rules::{Order, Policy};

use crate::shipped;

#[test]
fn scenario_orders_of_every_policy() {
    let mut policies: HashMap<String, Policy> = HashMap::new();
    insta::glob!("../data/orders", "*/*.json", |path| {
        let folder = path.parent().and_then(Path::file_name).and_then(|f| f.to_str()).unwrap().to_owned();
        let policy = policies.entry(folder.clone()).or_insert_with(|| shipped(&format!("{folder}.policy")));
        let text = std::fs::read_to_string(path).unwrap();
        let order = Order::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let decision = policy.explain(&order).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        insta::assert_json_snapshot!(decision, { ".policy.digest" => "[digest]" });
    });
}

#[test]
fn every_shipped_policy_has_at_least_eight_scenarios() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for entry in std::fs::read_dir(root.join("policies")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "policy") {
            let stem = path.file_stem().unwrap().to_str().unwrap();
            let folder = root.join("tests/data/orders").join(stem);
            let count = std::fs::read_dir(&folder)
                .map(|d| {
                    d.filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))).count()
                })
                .unwrap_or(0);
            assert!(count >= 8, "{stem} has {count} scenario orders under {}", folder.display());
        }
    }
}

/// Each folder's EXPECTED.md has a line per scenario, worked out by hand before the tool ran:
/// `- FILE | OUTCOME AMOUNT -> DESTINATIONS | RULE | derivation`. The engine must agree.
#[test]
fn every_scenario_matches_its_hand_computation() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/orders");
    let mut checked = 0;
    for folder in std::fs::read_dir(&root).unwrap() {
        let folder = folder.unwrap().path();
        let stem = folder.file_name().unwrap().to_str().unwrap().to_owned();
        let policy = shipped(&format!("{stem}.policy"));
        let expected = std::fs::read_to_string(folder.join("EXPECTED.md")).unwrap();
        let mut listed = Vec::new();
        for line in expected.lines().filter(|l| l.starts_with("- ") && l.contains(".json |")) {
            let fields: Vec<&str> = line.trim_start_matches("- ").split(" | ").map(str::trim).collect();
            let [file, result, rule, ..] = fields.as_slice() else { panic!("{stem}: cannot read `{line}`") };
            let text = std::fs::read_to_string(folder.join(file)).unwrap();
            let decision = policy.evaluate(&Order::from_json(&text).unwrap()).unwrap();
            let mut words = result.split_whitespace();
            assert_eq!(words.next(), Some(decision.outcome.as_str()), "{stem}/{file}: outcome");
            if let Some(amount) = words.next().filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit())) {
                assert_eq!(amount.replace(',', ""), decision.amount.to_string(), "{stem}/{file}: amount");
            }
            assert_eq!(*rule, decision.rule, "{stem}/{file}: deciding rule");
            for refund in &decision.refunds {
                assert!(result.contains(refund.to.as_str()), "{stem}/{file}: money to {}", refund.to.as_str());
            }
            listed.push(file.to_string());
            checked += 1;
        }
        for entry in std::fs::read_dir(&folder).unwrap() {
            let name = entry.unwrap().file_name().to_str().unwrap().to_owned();
            if name.ends_with(".json") {
                assert!(listed.contains(&name), "{stem}/{name} has no hand computation in EXPECTED.md");
            }
        }
    }
    assert!(checked >= 150, "only {checked} scenarios checked");
}
