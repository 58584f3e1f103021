//! Every malformed order under `tests/data/malformed-orders/` is refused with an error that
//! names the field by its JSON path; the message is snapshotted.

use refund_rules::{EvalError, Order};

use crate::shipped;

#[test]
fn malformed_orders_are_refused_naming_the_field() {
    let policy = shipped("kufanyun.policy");
    insta::glob!("../data/malformed-orders", "*.json", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let error = match Order::from_json(&text) {
            Err(error) => EvalError::Order(error),
            Ok(order) => match policy.evaluate(&order) {
                Err(error) => error,
                Ok(decision) => panic!("{} was accepted: {decision:?}", path.display()),
            },
        };
        let EvalError::Order(order_error) = &error else {
            panic!("{} failed in the policy, not as an order: {error}", path.display());
        };
        insta::assert_snapshot!(format!("{}\npath: {}", error, order_error.path()));
    });
}
