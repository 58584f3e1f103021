//! `refund batch`, `refund eval`, `refund diff --orders` and the library agree (issue #10): on
//! the same random valid orders (the generator of `properties.rs`), the same decisions and the
//! same totals, with quotas carried per account as the library's `Ledger` carries them.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Datelike, Duration, FixedOffset};
use proptest::prelude::*;
use refund_rules::batch::{self, Streams};
use refund_rules::Ledger;
use refund_rules::{Decision, Order, Outcome, Policy};
use rust_decimal::Decimal;

use crate::properties::{apply, variation, Variation, POLICIES};

/// Orders of `policy`'s examples varied by `changes`, each of account `a{account}`; the
/// invalid ones are left out.
fn orders(policy: usize, changes: &[(usize, Variation, u8)]) -> (&'static Policy, Vec<Order>) {
    let (_, policy, bases) = &POLICIES[policy % POLICIES.len()];
    let orders = changes
        .iter()
        .enumerate()
        .filter_map(|(index, (base, change, account))| {
            let mut order = apply(&bases[base % bases.len()], change);
            order.id = format!("o{index}");
            order.account.id = format!("a{account}");
            order.validate().ok().map(|()| order)
        })
        .collect();
    (policy, orders)
}

fn json_lines(orders: &[Order]) -> String {
    orders.iter().map(|o| serde_json::to_string(o).unwrap() + "\n").collect()
}

/// The library on its own: each account's orders in time order through one `Ledger`.
fn library(policy: &Policy, orders: &[Order]) -> Vec<Result<Decision, String>> {
    let mut ledger = Ledger::for_policy(policy);
    let mut indices: Vec<usize> = (0..orders.len()).collect();
    indices.sort_by_key(|&i| (orders[i].requested_at, i));
    let mut results: Vec<Option<Result<Decision, String>>> = vec![None; orders.len()];
    for index in indices {
        let mut order = orders[index].clone();
        ledger.prepare(&mut order);
        let result = policy.evaluate(&order);
        if let Ok(decision) = &result {
            ledger.record(&order, decision);
        }
        results[index] = Some(result.map_err(|e| format!("{}: {e}", e.code())));
    }
    results.into_iter().map(Option::unwrap).collect()
}

/// One batch output record in the form of the library's result.
fn as_result(mut record: serde_json::Value) -> Result<serde_json::Value, String> {
    record.as_object_mut().unwrap().remove("line");
    match record.get("error") {
        Some(error) => Err(error.as_str().unwrap().to_owned()),
        None => Ok(record),
    }
}

fn library_as_json(results: &[Result<Decision, String>]) -> Vec<Result<serde_json::Value, String>> {
    results.iter().map(|r| r.as_ref().map(|d| serde_json::to_value(d).unwrap()).map_err(Clone::clone)).collect()
}

fn total(results: &[Result<Decision, String>]) -> Decimal {
    results.iter().filter_map(|r| r.as_ref().ok()).map(|d| d.amount).sum()
}

fn changes() -> impl Strategy<Value = Vec<(usize, Variation, u8)>> {
    prop::collection::vec((0usize..16, variation(), 0u8..3), 1..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    /// The batch pipeline and `diff::impact` decide as the library does, order by order, with
    /// the same totals, quotas carried across each account's orders.
    #[test]
    fn batch_and_diff_decide_as_the_library(policy in 0usize..7, changes in changes()) {
        let (policy, orders) = orders(policy, &changes);
        let expected = library(policy, &orders);
        let input = json_lines(&orders);
        let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
        let mut out = Vec::new();
        let streams = Streams { input: input.as_bytes(), csv_input: false, output: &mut out, csv_output: false };
        let summary = batch::run(policy, streams, &pool).unwrap();
        let decided: Vec<Result<serde_json::Value, String>> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| as_result(serde_json::from_str(l).unwrap()))
            .collect();
        prop_assert_eq!(&decided, &library_as_json(&expected));
        let totals: Decimal = summary.totals.iter().map(|(_, t)| *t).sum();
        prop_assert_eq!(totals, total(&expected));

        let records = batch::read_all(&input, false).unwrap();
        let impact = refund_rules::diff::impact(policy, policy, &records);
        prop_assert_eq!(impact.orders, orders.len());
        prop_assert_eq!(impact.changed, 0);
        prop_assert_eq!(impact.old_total, total(&expected));
        prop_assert_eq!(impact.new_total, total(&expected));
    }
}

fn refund(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_refund")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

proptest! {
    // Each case runs the binary three times: fewer cases.
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    /// The `refund` commands agree with the library: `batch` and `diff --orders` carry quotas
    /// (same decisions, same totals); `eval` decides each order alone, which is the same when
    /// every order has an account of its own.
    #[test]
    fn the_commands_agree_with_the_library(policy in 0usize..7, changes in changes(), own_accounts in any::<bool>()) {
        let (policy_index, text) = (policy % POLICIES.len(), &POLICIES[policy % POLICIES.len()].0);
        let (policy, mut orders) = orders(policy_index, &changes);
        if own_accounts {
            orders.iter_mut().enumerate().for_each(|(i, o)| o.account.id = format!("own-{i}"));
        }
        prop_assume!(!orders.is_empty());
        let expected = library(policy, &orders);
        let dir = crate::batch::folder(&format!("agreement-{policy_index}-{}", orders.len()));
        let policy_file = file(&dir, "policy.policy", text);
        let orders_file = file(&dir, "orders.jsonl", &json_lines(&orders));
        let (p, o) = (policy_file.to_str().unwrap(), orders_file.to_str().unwrap());

        let out = dir.join("decisions.jsonl");
        refund(&["batch", p, "--orders", o, "--out", out.to_str().unwrap()]);
        let decided: Vec<Result<serde_json::Value, String>> = std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .map(|l| as_result(serde_json::from_str(l).unwrap()))
            .collect();
        prop_assert_eq!(&decided, &library_as_json(&expected));

        let diff = refund(&["diff", p, p, "--orders", o, "--format", "json"]);
        let diff: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
        prop_assert_eq!(&diff["changed"], 0);
        let sum = total(&expected).to_string();
        prop_assert_eq!(diff["old_total"].as_str(), Some(sum.as_str()));
        prop_assert_eq!(diff["new_total"].as_str(), Some(sum.as_str()));

        if own_accounts {
            let eval = refund(&["eval", p, o, "--format", "json"]);
            // One order is printed as an object, several as an array, none as nothing.
            let decisions: serde_json::Value = match serde_json::from_slice(&eval.stdout) {
                Ok(serde_json::Value::Array(all)) => serde_json::Value::Array(all),
                Ok(one) => serde_json::Value::Array(vec![one]),
                Err(_) => serde_json::Value::Array(Vec::new()),
            };
            let alone: Vec<serde_json::Value> =
                orders.iter().filter_map(|o| policy.evaluate(o).ok()).map(|d| serde_json::to_value(d).unwrap()).collect();
            let carried: Vec<serde_json::Value> = library_as_json(&expected).into_iter().filter_map(Result::ok).collect();
            prop_assert_eq!(decisions.as_array().unwrap(), &alone);
            prop_assert_eq!(&alone, &carried);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// The ledger as it was before it was made linear: every earlier refund re-read per order.
/// The linear one must give the same account fields, even for orders out of time order.
struct Rescanning {
    no_reason_refunds: Vec<DateTime<FixedOffset>>,
    refunds: Vec<(DateTime<FixedOffset>, Decimal)>,
    /// The quota period of an instant (`None`: the quota never starts again).
    period: fn(DateTime<FixedOffset>) -> Option<i32>,
}

impl Rescanning {
    fn prepare(&self, order: &mut Order) {
        let now = order.requested_at;
        let used = self.no_reason_refunds.iter().filter(|at| (self.period)(**at) == (self.period)(now)).count();
        order.account.no_reason_refunds_used += used as u32;
        let year_before = now - Duration::days(365);
        let recent: Decimal = self.refunds.iter().filter(|(at, _)| *at > year_before).map(|(_, a)| *a).sum();
        order.account.refunded_last_12_months += recent;
    }

    fn record(&mut self, order: &Order, decision: &Decision) {
        if decision.outcome == Outcome::NoRefund {
            return;
        }
        let now = order.requested_at;
        if decision.uses_no_reason_refund {
            let period = self.period;
            self.no_reason_refunds.retain(|at| period(*at) == period(now));
            self.no_reason_refunds.push(now);
        }
        self.refunds.retain(|(at, _)| *at > now - Duration::days(365));
        self.refunds.push((now, decision.amount));
    }
}

/// Alibaba's quota starts again every calendar year in Beijing time.
fn beijing_year(at: DateTime<FixedOffset>) -> Option<i32> {
    Some(at.with_timezone(&chrono_tz::Asia::Shanghai).year())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// One account's refunds, in and out of time order: the ledger reads them as re-reading
    /// every one would.
    #[test]
    fn the_ledger_reads_an_account_as_rescanning_it_would(
        calendar in any::<bool>(),
        steps in prop::collection::vec((0i64..900 * 24, 0i64..200_000, any::<bool>(), 0usize..3), 1..80),
    ) {
        let name = if calendar { "alibaba-ecs.policy" } else { "kufanyun.policy" };
        let policy = crate::shipped(name);
        let mut base = crate::shipped("kufanyun.policy").example_orders().remove(0);
        base.account.id = "a".to_owned();
        base.account.no_reason_refunds_used = 0;
        base.account.refunded_last_12_months = Decimal::ZERO;
        let template = crate::shipped("kufanyun.policy").evaluate(&base).unwrap();
        let mut ledger = Ledger::for_policy(&policy);
        let mut rescanning = Rescanning {
            no_reason_refunds: Vec::new(),
            refunds: Vec::new(),
            period: if calendar { beijing_year } else { |_| None },
        };
        for (hours, cents, uses_quota, outcome) in steps {
            let mut order = base.clone();
            order.requested_at = base.purchased_at + Duration::hours(hours);
            let (mut linear, mut rescanned) = (order.clone(), order.clone());
            ledger.prepare(&mut linear);
            rescanning.prepare(&mut rescanned);
            prop_assert_eq!(linear.account.no_reason_refunds_used, rescanned.account.no_reason_refunds_used);
            prop_assert_eq!(linear.account.refunded_last_12_months, rescanned.account.refunded_last_12_months);
            let mut decision = template.clone();
            decision.outcome = [Outcome::Refund, Outcome::NoRefund, Outcome::ManualReview][outcome];
            decision.amount = Decimal::new(cents, 2);
            decision.uses_no_reason_refund = uses_quota;
            ledger.record(&order, &decision);
            rescanning.record(&order, &decision);
        }
    }
}
