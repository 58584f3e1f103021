//! Hostile orders (issue #10): every file under `tests/data/hostile-orders/POLICY/` is read the
//! way `refund eval` reads a file (a JSON array as a list of orders, anything else as one
//! order, from its raw bytes) and decided by the shipped policy POLICY, on a thread with a
//! 2 MiB stack. Each must end in an order error that names the field, or in a decision; the
//! outcome is snapshotted. Inputs too big to commit are made here.

use std::path::Path;

use refund_rules::{Decision, EvalError, Order, OrderError, Policy};

use crate::shipped;

/// The stack a small server thread has; no order may need more.
const STACK: usize = 2 * 1024 * 1024;

/// What happened to each order of `bytes`, one paragraph per order.
fn outcome(policy: &Policy, bytes: &[u8]) -> String {
    let is_list =
        std::str::from_utf8(bytes).is_ok_and(|text| text.trim_start_matches('\u{feff}').trim_start().starts_with('['));
    if !is_list {
        return decide(policy, Order::from_json_bytes(bytes));
    }
    let text = std::str::from_utf8(bytes).unwrap();
    match Order::from_json_list(text) {
        Err(error) => format!("the whole list is refused\n{}", refused(&error)),
        Ok(orders) if orders.is_empty() => "an empty list: no orders".to_owned(),
        Ok(orders) => orders
            .into_iter()
            .enumerate()
            .map(|(index, order)| format!("[{index}] {}", decide(policy, order)))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn decide(policy: &Policy, order: Result<Order, OrderError>) -> String {
    let order = match order {
        Ok(order) => order,
        Err(error) => return refused(&error),
    };
    match policy.evaluate(&order) {
        Ok(decision) => decided(&decision),
        Err(EvalError::Order(error)) => refused(&error),
        Err(other) => format!("policy error: {other}"),
    }
}

fn refused(error: &OrderError) -> String {
    assert!(!error.path().is_empty(), "an order error without a path: {error}");
    format!("order error: {error}\npath: {}", error.path())
}

fn decided(decision: &Decision) -> String {
    let refunds: Vec<String> =
        decision.refunds.iter().map(|r| format!("{} {} to {}", r.amount, decision.currency, r.to.as_str())).collect();
    format!(
        "decision for `{}`: {} {} {} by rule `{}`{}",
        decision.order,
        decision.outcome.as_str(),
        decision.amount,
        decision.currency,
        decision.rule,
        if refunds.is_empty() { String::new() } else { format!(" ({})", refunds.join(", ")) }
    )
}

/// Runs `work` on a thread with a 2 MiB stack: a stack overflow or a panic fails the test.
fn on_small_stack(name: &str, work: impl FnOnce() -> String + Send) -> String {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new().name(name.to_owned()).stack_size(STACK).spawn_scoped(scope, work);
        thread.unwrap().join().unwrap_or_else(|_| panic!("{name} panicked"))
    })
}

fn policy_of(path: &Path) -> String {
    let folder = path.parent().and_then(Path::file_name).unwrap().to_string_lossy();
    format!("{folder}.policy")
}

#[test]
fn hostile_orders_are_refused_naming_the_field_or_decided() {
    let mut policies: Vec<(String, Policy)> = Vec::new();
    insta::glob!("../data/hostile-orders", "*/*.json", |path| {
        let name = policy_of(path);
        if !policies.iter().any(|(n, _)| *n == name) {
            policies.push((name.clone(), shipped(&name)));
        }
        let (_, policy) = policies.iter().find(|(n, _)| *n == name).unwrap();
        let bytes = std::fs::read(path).unwrap();
        let result = on_small_stack(&path.display().to_string(), || outcome(policy, &bytes));
        insta::assert_snapshot!(format!("policy: {name}\n{result}"));
    });
}

/// A key given twice inside an array of orders names the order and the field (issue #10 F9):
/// it used to be read as the last value.
#[test]
fn a_key_given_twice_in_a_list_of_orders_names_its_path() {
    let order =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/orders/within-48-hours.json")).unwrap();
    let twice = order.replacen("\"cash\":", "\"cash\": \"1.00\", \"cash\":", 1);
    assert_ne!(twice, order);
    let text = format!("[{order}, {order}, {order}, {twice}]");
    let error = Order::from_json_list(&text).unwrap_err();
    assert_eq!(error.path(), "[3].paid.cash");
    assert_eq!(error.to_string(), "order field `[3].paid.cash`: is given twice");
    let fine = Order::from_json_list(&format!("[{order}, {order}]")).unwrap();
    assert!(fine.iter().all(Result::is_ok));
}

/// Text too big to commit: ten-megabyte strings and padding, built at test time.
#[test]
fn ten_megabyte_fields_are_read_or_refused_without_trouble() {
    let policy = shipped("kufanyun.policy");
    let base = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/hostile-orders/kufanyun/amount-as-number-not-string.json"
    ))
    .unwrap();
    let ten_megabytes = 10 * 1024 * 1024;
    let cases = [
        (
            "a 10 MB id",
            base.replacen("\"kfy-amount-as-number-not-string\"", &format!("\"{}\"", "订".repeat(ten_megabytes / 3)), 1),
        ),
        ("a 10 MB amount of digits", base.replacen("900.00", &"9".repeat(ten_megabytes), 1)),
        ("a 10 MB string amount", base.replacen("900.00", &format!("\"{}\"", "9".repeat(ten_megabytes)), 1)),
        ("10 MB of spaces before the order", format!("{}{base}", " ".repeat(ten_megabytes))),
        ("a 10 MB unknown key", base.replacen("{", &format!("{{\"{}\": 1,", "k".repeat(ten_megabytes)), 1)),
        ("a 10 MB time", base.replacen("2026-03-03T", &format!("2026-03-03T{}", "1".repeat(ten_megabytes)), 1)),
    ];
    let mut report = String::new();
    for (what, text) in cases {
        assert_ne!(text, base, "{what}: the template did not match");
        let started = std::time::Instant::now();
        let result = on_small_stack(what, || outcome(&policy, text.as_bytes()));
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "{what} took {:?}", started.elapsed());
        // Keep the snapshot small: the 10 MB value itself is cut out of the message.
        let shown: String = result.lines().map(shorten).collect::<Vec<_>>().join("\n");
        report.push_str(&format!("{what}:\n{shown}\n\n"));
    }
    insta::assert_snapshot!(report);
}

/// A line with its long runs of one character cut down to `c…(N)`.
fn shorten(line: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = line.chars().collect();
    let mut at = 0;
    while at < chars.len() {
        let run = chars[at..].iter().take_while(|c| **c == chars[at]).count();
        if run > 40 {
            out.push_str(&format!("{}…({run})", chars[at]));
        } else {
            out.extend(&chars[at..at + run]);
        }
        at += run;
    }
    out
}
