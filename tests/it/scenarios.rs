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
