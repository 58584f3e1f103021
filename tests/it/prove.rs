//! `refund check --prove`: every shipped policy keeps its promises on generated orders; every
//! planted over-refund and every valid order a policy cannot decide is found, each with a
//! counterexample order that `refund eval` reproduces; a proof over no orders fails.

use std::path::Path;
use std::process::Command;

use refund_rules::prove::orders::{Made, OrderSpace};
use refund_rules::{Order, Policy};

use crate::relative;

fn prove_with(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_refund"))
        .args(["check", "--prove"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned())
}

fn prove(policy: &str) -> (Option<i32>, String) {
    prove_with(&["--orders", "2000", policy])
}

/// The counterexample orders of a report, as `refund eval` would read them.
fn counterexamples(report: &str) -> Vec<Order> {
    let mut orders = Vec::new();
    let mut lines = report.lines();
    while let Some(line) = lines.next() {
        if !line.ends_with("paste it into `refund eval`:") {
            continue;
        }
        let json: Vec<&str> = lines.by_ref().take_while(|l| l.starts_with("    ")).collect();
        let json = json.join("\n");
        orders.push(Order::from_json(&json).unwrap_or_else(|e| panic!("{e}:\n{json}")));
    }
    orders
}

fn load(path: &str) -> Policy {
    Policy::from_file(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

#[test]
fn every_shipped_policy_keeps_its_invariants() {
    let mut shipped: Vec<String> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("policies"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "policy"))
        .map(|path| relative(&path))
        .collect();
    shipped.sort();
    assert_eq!(shipped.len(), 13);
    for policy in shipped {
        let (code, text) = prove(&policy);
        assert_eq!(code, Some(0), "{text}");
        assert!(text.contains(&format!("{policy}: ")), "{text}");
        assert!(text.contains("invariant(s) held on 2000 generated orders (0 undecided)"), "{text}");
    }
}

/// Each planted over-refund (issue #10, F14) is found, with the order that shows it.
#[test]
fn planted_over_refunds_are_caught() {
    insta::glob!("../data/prove/planted", "*.policy", |path| {
        let name = relative(path);
        let (code, text) = prove(&name);
        assert_eq!(code, Some(1), "{text}");
        assert!(text.contains("\n  broken: invariant amount <="), "{text}");
        let policy = load(&name);
        let orders = counterexamples(&text);
        assert!(!orders.is_empty(), "{text}");
        for order in orders {
            let decision = policy.evaluate(&order).unwrap();
            let broken = refund_rules::prove::broken_invariants(&policy, &order, &decision);
            assert!(!broken.is_empty(), "the counterexample keeps every promise:\n{text}");
        }
        insta::assert_snapshot!(text);
    });
}

/// A valid order the policy cannot decide fails the proof (issue #10, F12), with the policy line
/// it stopped at and the order.
#[test]
fn undecided_orders_fail_the_proof() {
    insta::glob!("../data/prove/undecided", "*.policy", |path| {
        let name = relative(path);
        let (code, text) = prove(&name);
        assert_eq!(code, Some(1), "{text}");
        assert!(text.contains("undecided: "), "{text}");
        let policy = load(&name);
        for order in counterexamples(&text) {
            let error = policy.evaluate(&order).unwrap_err();
            assert_eq!(error.code(), "E206", "{text}");
        }
        insta::assert_snapshot!(text);
    });
}

/// A policy without a base order or examples is proved on orders made from the contract
/// (issue #10, F13): a bug is found, and a correct policy holds on orders, not on none.
#[test]
fn a_policy_without_a_base_order_is_proved_from_the_contract() {
    let (code, text) = prove("tests/data/prove/no-base-order.policy");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("broken: invariant amount <= order.paid.total"), "{text}");
    let (code, text) = prove("tests/data/prove/no-base-order-correct.policy");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("held on 2000 generated orders"), "{text}");
    assert!(text.contains("from 0 example order(s) and 1 order(s) from the order contract"), "{text}");
}

/// Nothing tried is nothing proved.
#[test]
fn a_proof_over_no_orders_fails() {
    let (code, text) = prove_with(&["--orders", "0", "tests/data/prove/no-base-order-correct.policy"]);
    assert_eq!(code, Some(1), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn a_policy_that_refunds_more_than_was_paid_is_caught() {
    let (code, text) = prove("tests/data/prove/refunds-more-than-paid.policy");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("broken: invariant amount <= order.paid.total"), "{text}");
    assert!(text.contains("\"list_price\": \"1000.00\""), "the counterexample shows the order:\n{text}");
}

#[test]
fn a_policy_that_pays_more_for_waiting_is_caught() {
    let (code, text) = prove("tests/data/prove/later-gets-more.policy");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("broken: invariant monotone in held"), "{text}");
    assert!(text.contains("when asked 30 day(s) later"), "{text}");
}

/// The same seed generates the same orders: a counterexample can be replayed.
#[test]
fn proofs_are_deterministic() {
    assert_eq!(prove("tests/data/prove/later-gets-more.policy"), prove("tests/data/prove/later-gets-more.policy"));
}

/// The edge pass reaches every boundary the issue lists, on the shipped policy that reads the
/// most facts and on one with symbol and money attributes.
#[test]
fn the_edge_orders_cover_the_boundaries() {
    let space = OrderSpace::for_policy(&crate::shipped("kufanyun.policy"));
    let edges: Vec<Order> = space
        .generate(1)
        .take(space.edge_orders())
        .filter(|g| g.kind != Made::Mixed && g.order.validate().is_ok())
        .map(|g| g.order)
        .collect();
    let month = |o: &Order| {
        o.expires_at.is_some_and(|e| e < o.service_start() + chrono::Duration::days(28) + chrono::Duration::hours(1))
    };
    assert!(edges.iter().any(month), "a term under a month");
    assert!(edges.iter().any(|o| o.expires_at.is_some_and(|e| o.requested_at > e)), "a request after the expiry");
    assert!(edges.iter().any(|o| o.discount > o.paid_total() / rust_decimal::Decimal::TWO), "a large discount");
    assert!(edges.iter().any(|o| o.paid.voucher > rust_decimal::Decimal::ZERO), "a voucher");
    assert!(edges.iter().any(|o| o.paid.gift > rust_decimal::Decimal::ZERO), "gift credit");
    assert!(edges.iter().any(|o| o.paid_total().is_zero()), "nothing paid");
    assert!(edges.iter().any(|o| o.deposit > rust_decimal::Decimal::ZERO), "a deposit");
    assert!(edges.iter().any(|o| o.traffic.as_ref().is_some_and(|t| t.used_gb > t.quota_gb)), "traffic over quota");
    assert!(edges.iter().any(|o| o.banned_for_violation), "banned");
    assert!(edges.iter().any(|o| o.promotion.as_ref().is_some_and(|p| p.non_refundable)), "a promotion");

    let space = OrderSpace::for_policy(&crate::shipped("tencent-cvm.policy"));
    let edges: Vec<Order> =
        space.generate(1).take(space.edge_orders()).filter(|g| g.order.validate().is_ok()).map(|g| g.order).collect();
    assert!(edges.iter().any(|o| o.service_start() > o.purchased_at), "starts_at after purchased_at");
    assert!(edges.iter().any(|o| o.requested_at < o.service_start()), "a request before the start");
    // The quota is 1 (`no_reason_refunds_used < 1`): 0, 1 and 2 are all tried.
    for used in 0..=2 {
        assert!(edges.iter().any(|o| o.account.no_reason_refunds_used == used), "{used} refunds used");
    }
    // The table's thresholds (6 and 12 months used), a second either side.
    for months in [6, 12] {
        let at = |o: &Order, seconds: i64| {
            let start = o.service_start().with_timezone(&chrono_tz::Asia::Shanghai);
            let edge = start.checked_add_months(chrono::Months::new(months)).unwrap().fixed_offset();
            o.requested_at == edge + chrono::Duration::seconds(seconds)
        };
        for seconds in [-1, 0, 1] {
            assert!(edges.iter().any(|o| at(o, seconds)), "{months} months used {seconds:+} s");
        }
    }
    let monthly = |o: &Order| o.attributes.get("monthly_price").map(ToString::to_string);
    assert!(edges.iter().any(|o| monthly(o).as_deref() == Some("\"1000000.00\"")), "a large monthly price");
    assert!(edges.iter().any(|o| monthly(o).as_deref() == Some("\"0.00\"")), "a monthly price of 0");
    let converted = |o: &Order| o.attributes.get("converted_from_pay_as_you_go").cloned();
    assert!(edges.iter().any(|o| converted(o) == Some(serde_json::Value::Bool(true))), "a bool attribute set");
    assert!(edges.iter().any(|o| !o.attributes.contains_key("renewals_not_started")), "a default left out");

    let space = OrderSpace::for_policy(&crate::shipped("aws-savings-plans.policy"));
    let sellers: Vec<String> = space
        .generate(1)
        .take(space.edge_orders())
        .filter_map(|g| g.order.attributes.get("seller").map(ToString::to_string))
        .collect();
    for seller in ["aws", "aws_brazil", "aws_turkey"] {
        assert!(sellers.contains(&format!("\"{seller}\"")), "seller {seller}");
    }
}

/// Constants at the edges of what the language holds give edge orders at the edges of what
/// decimals and calendars hold: the proof reports what it finds, and never crashes.
#[test]
fn huge_constants_do_not_crash_the_proof() {
    let output = Command::new(env!("CARGO_BIN_EXE_refund"))
        .args(["check", "--prove", "--orders", "2000", "tests/data/prove/huge-constants.policy"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(matches!(output.status.code(), Some(0 | 1)), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("on 2000 generated orders"));
}

/// A policy with dated versions whose attributes differ is proved on orders that carry only what
/// the deciding version declares (and what it needs); orders dated before every version are
/// refused by the policy by design, so they are skipped and counted, not undecided.
#[test]
fn each_version_gets_orders_with_its_own_attributes() {
    let (code, text) = prove("tests/data/prove/versions/two-versions.policy");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("held on 2000 generated orders (0 undecided)"), "{text}");
    assert!(text.contains(" outside the policy's dates skipped)"), "{text}");
    insta::assert_snapshot!(text);

    let policy = load("tests/data/prove/versions/two-versions.policy");
    let space = OrderSpace::for_policy(&policy);
    for generated in space.generate(1).take(2000).filter(|g| g.order.validate().is_ok()) {
        let order = &generated.order;
        let Ok(decision) = policy.evaluate(order) else { continue };
        let carried: Vec<&String> = order.attributes.keys().collect();
        match decision.policy.version.as_str() {
            "2021" => assert!(carried.iter().all(|name| *name == "plan"), "{order:?}"),
            _ => assert!(order.attributes.contains_key("monthly_price"), "the 2024 rules need it: {order:?}"),
        }
    }
}

/// The edge pass moves the date the versions are chosen by to the last second before and the
/// first second of each version's first day: both sides of a version change are decided, each
/// by its own version, and the day before the first version is generated too (and refused).
#[test]
fn orders_on_both_sides_of_a_version_change_are_generated() {
    let policy = load("tests/data/prove/versions/two-versions.policy");
    let space = OrderSpace::for_policy(&policy);
    let edges: Vec<Order> = space
        .generate(1)
        .take(space.edge_orders())
        .filter(|g| g.kind == Made::Edge && g.order.validate().is_ok())
        .map(|g| g.order)
        .collect();
    let asked = |at: &str| -> Vec<&Order> {
        let at = chrono::DateTime::parse_from_rfc3339(at).unwrap();
        edges.iter().filter(|o| o.requested_at == at).collect()
    };
    let version_on = |at: &str| -> Vec<String> {
        asked(at).into_iter().map(|o| policy.evaluate(o).unwrap().policy.version.clone()).collect()
    };
    let day_before = version_on("2024-05-31T23:59:59+08:00");
    assert!(!day_before.is_empty() && day_before.iter().all(|v| v == "2021"), "{day_before:?}");
    let day_of = version_on("2024-06-01T00:00:00+08:00");
    assert!(!day_of.is_empty() && day_of.iter().all(|v| v == "2024"), "{day_of:?}");
    assert!(!version_on("2021-01-01T00:00:00+08:00").is_empty());
    // The whole timeline moves, not the request alone: bought two days before, as in the bases.
    let moved = |o: &&Order| o.requested_at - o.purchased_at == chrono::Duration::days(2);
    for at in ["2024-05-31T23:59:59+08:00", "2024-06-01T00:00:00+08:00"] {
        assert!(asked(at).iter().any(moved), "no timeline moved to {at}");
    }
    let before_all = asked("2020-12-31T23:59:59+08:00");
    assert!(!before_all.is_empty());
    for order in before_all {
        assert_eq!(policy.evaluate(order).unwrap_err().code(), "E208");
    }

    // The shipped policies with dated versions: every version decides edge orders.
    for name in ["linode.policy", "alibaba-cloud-intl.policy"] {
        let policy = crate::shipped(name);
        let space = OrderSpace::for_policy(&policy);
        let decided: Vec<String> = space
            .generate(1)
            .take(space.edge_orders())
            .filter(|g| g.kind == Made::Edge && g.order.validate().is_ok())
            .filter_map(|g| policy.evaluate(&g.order).ok())
            .map(|d| d.policy.version.clone())
            .collect();
        for version in policy.versions() {
            assert!(decided.iter().any(|v| v == version), "{name}: no edge order decided by version {version}");
        }
    }
}

/// Orders beyond an attribute's declared bounds are refused by the policy, rightly: the proof
/// skips them as outside the contract instead of counting them undecided.
#[test]
fn orders_beyond_an_attributes_bounds_are_outside_the_contract() {
    let (code, text) = prove("tests/data/prove/bounded-attribute.policy");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("held on 2000 generated orders (0 undecided)"), "{text}");
    assert!(text.contains("attributes.renewals"), "the attribute is varied:\n{text}");
    let skipped: usize = text
        .split(" generated order(s) outside the order contract")
        .next()
        .and_then(|head| head.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0);
    assert!(skipped > 0, "some orders go beyond the bound and are skipped:\n{text}");
}
