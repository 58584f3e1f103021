//! Property tests over every shipped policy: random valid orders from the library's own
//! generator (`prove::orders::OrderSpace`, the one `refund check --prove` tries: each policy's
//! example orders varied over every fact it reads, at the edges its constants draw) are always
//! decided, keep every invariant, and survive JSON round trips; formatting never changes a
//! decision. `Variation` below drives the agreement test's account histories.

use std::sync::LazyLock;

use chrono::Duration;
use proptest::prelude::*;
use refund_rules::format::format_policy;
use refund_rules::prove::orders::OrderSpace;
use refund_rules::{Billing, Order, PaymentChannel, Promotion, Purchase, RefundTo, Traffic};
use refund_rules::{Decision, EvalError, Policy};
use rust_decimal::Decimal;

/// Every shipped policy, its text and its example orders.
pub(crate) static POLICIES: LazyLock<Vec<(String, Policy, Vec<Order>)>> = LazyLock::new(|| {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("policies");
    let mut policies: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "policy"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let policy = Policy::parse(&text).unwrap();
            let orders = policy.example_orders();
            (text, policy, orders)
        })
        .collect();
    policies.sort_by(|a, b| a.1.id().cmp(b.1.id()));
    policies
});

/// How a variation changes a base order.
#[derive(Debug, Clone)]
pub(crate) struct Variation {
    held_seconds: i64,
    pay_as_you_go: bool,
    purchase: usize,
    voucher_percent: u32,
    gift_percent: u32,
    banned: bool,
    promotion: Option<bool>,
    arrears_cents: i64,
    no_reason_used: u32,
    refunded_cents: i64,
    traffic: Option<(u32, u32)>,
    refund_to: usize,
    channel: usize,
}

pub(crate) fn variation() -> impl Strategy<Value = Variation> {
    (
        (0i64..800 * 86_400, any::<bool>(), 0usize..3, 0u32..60, 0u32..40, prop::bool::weighted(0.05)),
        (prop::option::weighted(0.1, any::<bool>()), 0i64..100_000, 0u32..12, 0i64..6_000_000),
        (prop::option::weighted(0.3, (0u32..300, 1u32..200)), 0usize..3, 0usize..4),
    )
        .prop_map(|(a, b, c)| Variation {
            held_seconds: a.0,
            pay_as_you_go: a.1,
            purchase: a.2,
            voucher_percent: a.3,
            gift_percent: a.4,
            banned: a.5,
            promotion: b.0,
            arrears_cents: b.1,
            no_reason_used: b.2,
            refunded_cents: b.3,
            traffic: c.0,
            refund_to: c.1,
            channel: c.2,
        })
}

/// `base` changed by `v`; the total paid stays what the base paid, so the order stays valid.
pub(crate) fn apply(base: &Order, v: &Variation) -> Order {
    let mut order = base.clone();
    order.requested_at = order.service_start() + Duration::seconds(v.held_seconds);
    if v.pay_as_you_go {
        order.billing = Billing::PayAsYouGo;
    }
    order.purchase = [Purchase::New, Purchase::Renewal, Purchase::Upgrade][v.purchase];
    let cash = order.paid.cash;
    let voucher = (cash * Decimal::from(v.voucher_percent) / Decimal::ONE_HUNDRED).round_dp(2);
    let gift = ((cash - voucher) * Decimal::from(v.gift_percent) / Decimal::ONE_HUNDRED).round_dp(2);
    order.paid.cash = cash - voucher - gift;
    order.paid.voucher += voucher;
    order.paid.gift += gift;
    order.banned_for_violation = v.banned;
    order.promotion = v.promotion.map(|non_refundable| Promotion { name: "sale".into(), non_refundable });
    order.account.arrears = Decimal::new(v.arrears_cents, 2);
    order.account.no_reason_refunds_used = v.no_reason_used;
    order.account.refunded_last_12_months = Decimal::new(v.refunded_cents, 2);
    order.traffic = v.traffic.map(|(used, quota)| Traffic { used_gb: used.into(), quota_gb: quota.into() });
    order.refund_to = [None, Some(RefundTo::Original), Some(RefundTo::Balance)][v.refund_to];
    order.payment_channel =
        [None, Some(PaymentChannel::Alipay), Some(PaymentChannel::BankTransfer), Some(PaymentChannel::Card)][v.channel];
    order
}

/// The order generator of each policy in `POLICIES`, built once.
static SPACES: LazyLock<Vec<OrderSpace>> =
    LazyLock::new(|| POLICIES.iter().map(|(_, policy, _)| OrderSpace::for_policy(policy)).collect());

/// The `skip`th order of `seed`'s stream for one policy, decided; `None` when the generated
/// order breaks the contract or falls outside every version's dates (as `prove` skips it).
fn decide(policy_index: usize, seed: u64, skip: usize) -> Option<(&'static Policy, Order, Decision)> {
    let index = policy_index % POLICIES.len();
    let (_, policy, _) = POLICIES.get(index)?;
    let order = SPACES.get(index)?.generate(seed).nth(skip)?.order;
    order.validate().ok()?;
    match policy.evaluate(&order) {
        Ok(decision) => Some((policy, order, decision)),
        Err(EvalError::NoVersion { .. }) => None,
        Err(error) => {
            panic!("{}: {} was not decided: {error}\n{}", policy.id(), order.id, serde_json::to_string(&order).unwrap())
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    /// Never negative, shares adding up, the minor unit, determinism, and each policy's own
    /// invariants (never more than was paid, ...), for every valid order.
    #[test]
    fn every_valid_order_is_decided_keeping_every_invariant(policy in 0usize..64, seed in any::<u64>(), skip in 0usize..300) {
        if let Some((policy, order, decision)) = decide(policy, seed, skip) {
            let broken = refund_rules::prove::broken_invariants(policy, &order, &decision);
            prop_assert!(broken.is_empty(), "{}: {broken:?}\n{}", policy.id(), serde_json::to_string(&order).unwrap());
        }
    }

    /// Orders and decisions survive a trip through JSON exactly.
    #[test]
    fn orders_and_decisions_round_trip_through_json(policy in 0usize..64, seed in any::<u64>(), skip in 0usize..300) {
        if let Some((policy, order, _)) = decide(policy, seed, skip) {
            let text = serde_json::to_string(&order).unwrap();
            prop_assert_eq!(&Order::from_json(&text).unwrap(), &order);
            let explained = policy.explain(&order).unwrap();
            let json = serde_json::to_string(&explained).unwrap();
            let back: Decision = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(back, explained);
        }
    }

    /// A policy laid out carelessly (no indentation at all) formats back, and decides as before.
    #[test]
    fn formatting_never_changes_a_decision(policy in 0usize..64, seed in any::<u64>(), skip in 0usize..300) {
        let (text, original, _) = &POLICIES[policy % POLICIES.len()];
        let careless: String = text.lines().map(|l| format!("{}\n", l.trim_start())).collect();
        let formatted = format_policy(&careless).unwrap();
        prop_assert_eq!(&formatted, text);
        let reformatted = Policy::parse(&formatted).unwrap();
        if let Some((_, order, decision)) = decide(policy, seed, skip) {
            let again = reformatted.evaluate(&order).unwrap();
            prop_assert_eq!((again.outcome, again.amount, again.refunds), (decision.outcome, decision.amount, decision.refunds));
            prop_assert_eq!(original.id(), reformatted.id());
        }
    }
}
