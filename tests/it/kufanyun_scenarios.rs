//! Kufanyun decisions for the scenario orders under `tests/data/orders/kufanyun/`, each with
//! its full explanation (`trace`), so a change in any rule, step or reason shows in review.

use refund_rules::Order;

use crate::shipped;

#[test]
fn kufanyun_scenarios() {
    let policy = shipped("kufanyun.policy");
    insta::glob!("../data/orders/kufanyun", "*.json", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let order = Order::from_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let decision = policy.explain(&order).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        insta::assert_json_snapshot!(decision, { ".policy.digest" => "[digest]" });
    });
}
