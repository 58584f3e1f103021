//! Hostile input: each gives a clear error or a correct decision, in bounded time, never a
//! panic or a stack overflow. (Deep nesting is in `limits.rs`.)

use std::time::{Duration, Instant};

use refund_rules::{EvalError, LoadError, Order, Policy, PolicyError};

const HEAD: &str = "policy hostile {\n  currency CNY\n  timezone \"Asia/Shanghai\"\n  source \"https://example.com\" read 2026-11-26\n";

fn bounded<T>(limit: Duration, what: &str, run: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let result = run();
    assert!(started.elapsed() < limit, "{what} took {:?}", started.elapsed());
    result
}

fn code(error: &PolicyError) -> &'static str {
    error.diagnostics().first().map_or("", |d| d.code)
}

#[test]
fn a_hundred_megabyte_file_is_refused_at_once() {
    let text = format!("{HEAD}{}}}\n", "# padding\n".repeat(10_000_000));
    let error = bounded(Duration::from_secs(2), "100 MB", || Policy::parse(&text)).unwrap_err();
    assert_eq!(code(&error), "E005");
}

#[test]
fn a_very_long_line_is_fine() {
    let name = "长".repeat(300_000);
    let text = format!("{HEAD}  name \"{name}\"\n  rule all \"all\": deny\n}}\n");
    let policy = bounded(Duration::from_secs(10), "a 900 KB line", || Policy::parse(&text)).unwrap();
    assert_eq!(policy.name().chars().count(), 300_000);
}

#[test]
fn numbers_beyond_exact_decimals_are_errors() {
    let text = format!(
        "{HEAD}  const big = 1000000000000000000000000000000 CNY\n  rule all \"all\": refund big to original\n}}\n"
    );
    assert_eq!(code(&Policy::parse(&text).unwrap_err()), "E003");
    let order =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/orders/within-48-hours.json")).unwrap();
    let huge = order.replace("\"900.00\"", "1e30");
    let error = Order::from_json(&huge).unwrap_err();
    assert_eq!(error.path(), "paid.cash");
}

#[test]
fn thousands_of_rules_load_and_decide() {
    let mut text = String::from(HEAD);
    for index in 0..3_000 {
        text.push_str(&format!(
            "  rule r{index} \"rule {index}\":\n    when order.paid.cash > {index}.00 CNY * 1000\n    deny\n"
        ));
    }
    text.push_str("  rule last \"last\":\n    refund order.paid.cash to original\n}\n");
    let policy = bounded(Duration::from_secs(20), "3,000 rules", || Policy::parse(&text)).unwrap();
    let order =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/orders/within-48-hours.json")).unwrap();
    let decision = policy.evaluate_json(&order).unwrap();
    assert_eq!(decision.rule, "r0");
}

#[test]
fn nul_bytes_and_invalid_utf8_are_clear_errors() {
    let text = format!("{HEAD}  rule a \"a\":\u{0} deny\n}}\n");
    assert_eq!(code(&Policy::parse(&text).unwrap_err()), "E001");
    let path = std::env::temp_dir().join(format!("refund-hostile-{}.policy", std::process::id()));
    let mut bytes = HEAD.as_bytes().to_vec();
    bytes.extend_from_slice(b"  name \"\xff\xfe\"\n}\n");
    std::fs::write(&path, bytes).unwrap();
    let error = Policy::from_file(&path).unwrap_err();
    std::fs::remove_file(&path).unwrap();
    assert!(matches!(error, LoadError::NotUtf8 { at, .. } if at == HEAD.len() + 8), "{error}");
}

/// Year 1 and year 9999, before 1970 and at the end of the calendar: a decision or an error.
#[test]
fn extreme_dates_are_decided_or_refused() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let policies: Vec<Policy> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|p| Policy::from_file(p).unwrap())
        .collect();
    let dates = [
        ("0001-01-01T00:00:00Z", "0001-02-01T00:00:00Z", "0001-01-03T00:00:00Z"),
        ("1960-02-29T12:00:00+08:00", "1961-02-28T12:00:00+08:00", "1960-03-30T12:00:00+08:00"),
        ("9999-12-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59-12:00"),
    ];
    for policy in &policies {
        for order in policy.example_orders() {
            for (purchased, expires, requested) in dates {
                let mut json = serde_json::to_value(&order).unwrap();
                json["purchased_at"] = purchased.into();
                json["expires_at"] = expires.into();
                json["requested_at"] = requested.into();
                json.as_object_mut().unwrap().remove("starts_at");
                let Ok(order) = Order::from_json_value(json) else { continue };
                match policy.evaluate(&order) {
                    Ok(decision) => assert!(decision.amount >= rust_decimal::Decimal::ZERO),
                    Err(EvalError::Order(_) | EvalError::OutOfRange { .. } | EvalError::NoVersion { .. }) => {}
                    Err(error) => panic!("{}: {purchased}: unexpected error {error}", policy.id()),
                }
            }
        }
    }
}

/// The hostile order of issue #10: 407.96 paid, and a million of renewals "not started" given
/// as an attribute, which Tencent's policy refunded in full. Its `at most` bound refuses it.
#[test]
fn a_million_of_renewals_not_started_is_refused() {
    let policy = crate::shipped("tencent-cvm.policy");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/orders/tencent-cvm/second-return-after-48-hours.json");
    let order = std::fs::read_to_string(path).unwrap();
    assert!(policy.evaluate_json(&order).is_ok());
    let hostile = order.replace("\"507.96\"", "\"1000215.84\"");
    assert_ne!(hostile, order);
    match policy.evaluate_json(&hostile) {
        Err(EvalError::Order(error)) => {
            assert_eq!(error.path(), "attributes.renewals_not_started");
            assert!(error.to_string().contains("1000215.84"), "{error}");
        }
        other => panic!("refunded: {other:?}"),
    }
}
