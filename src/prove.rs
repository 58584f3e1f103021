//! `refund check --prove`: trying a policy's promises on thousands of generated orders.
//!
//! The orders are made deterministically (a seed) from the policy's own example orders, varying
//! every fact the policy reads: the time held, billing, purchase kind, how it was paid, flags,
//! arrears, traffic, quotas, where the customer wants the money. Every decision must keep the
//! built-in invariants (never negative, shares adding up to the amount, the currency's minor
//! unit, the same answer twice) and the policy's own `invariant` lines.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::decision::Decision;
use crate::order::{Billing, Order, PaymentChannel, Promotion, Purchase, RefundTo, Traffic};
use crate::policy::Policy;

/// What a proof run found.
#[derive(Debug, Clone, Serialize)]
pub struct Proof {
    /// Orders generated and decided.
    pub orders: usize,
    /// Orders the policy could not decide (a typed error, such as a missing attribute).
    pub undecided: usize,
    /// The invariants tried, as written (the built-in ones first).
    pub invariants: Vec<String>,
    /// Broken promises, at most a few per invariant.
    pub counterexamples: Vec<Counterexample>,
}

/// An order that breaks a promise.
#[derive(Debug, Clone, Serialize)]
pub struct Counterexample {
    /// The invariant broken.
    pub invariant: String,
    /// What was seen.
    pub detail: String,
    /// The order.
    pub order: Order,
    /// Its decision.
    pub decision: Box<Decision>,
}

const BUILT_IN: [&str; 4] = [
    "amount >= 0",
    "the refunds add up to the amount",
    "the amount is in the currency's minor unit",
    "the same order gets the same decision",
];

/// How many counterexamples are kept per invariant.
const KEEP: usize = 3;

/// Decides `count` generated orders and checks every invariant on each decision.
pub fn prove(policy: &Policy, count: usize, seed: u64) -> Proof {
    let mut bases = policy.example_orders();
    bases.retain(|o| o.currency == policy.currency());
    let mut invariants: Vec<String> = BUILT_IN.iter().map(|s| (*s).to_owned()).collect();
    let mut proof = Proof { orders: 0, undecided: 0, invariants: Vec::new(), counterexamples: Vec::new() };
    if bases.is_empty() {
        proof.invariants = invariants;
        return proof;
    }
    let mut random = Random(seed);
    for index in 0..count {
        let base = bases.get(index % bases.len()).cloned();
        let Some(order) = base.map(|b| vary(b, &mut random, index)).filter(|o| o.validate().is_ok()) else {
            continue;
        };
        proof.orders += 1;
        let Ok(decision) = policy.evaluate(&order) else {
            proof.undecided += 1;
            continue;
        };
        for (invariant, detail) in broken_built_ins(policy, &order, &decision) {
            keep(&mut proof, invariant, detail, &order, &decision);
        }
        for (text, kept) in policy.invariants(&order, &decision) {
            if !invariants.contains(&text) {
                invariants.push(text.clone());
            }
            match kept {
                Some(Ok(false)) => keep(&mut proof, &text, format!("refund {}", decision.amount), &order, &decision),
                Some(Err(error)) => keep(&mut proof, &text, format!("cannot be judged: {error}"), &order, &decision),
                Some(Ok(true)) => {}
                None => {
                    if let Some(detail) = later_gets_more(policy, &order, &decision) {
                        keep(&mut proof, &text, detail, &order, &decision);
                    }
                }
            }
        }
    }
    proof.invariants = invariants;
    proof
}

fn keep(proof: &mut Proof, invariant: &str, detail: String, order: &Order, decision: &Decision) {
    if proof.counterexamples.iter().filter(|c| c.invariant == invariant).count() < KEEP {
        proof.counterexamples.push(Counterexample {
            invariant: invariant.to_owned(),
            detail,
            order: order.clone(),
            decision: Box::new(decision.clone()),
        });
    }
}

/// Every invariant `decision` of `order` breaks, built-in and declared (but `monotone in held`,
/// which `prove` judges by asking again later): (invariant, what was seen).
pub fn broken_invariants(policy: &Policy, order: &Order, decision: &Decision) -> Vec<(String, String)> {
    let mut broken: Vec<(String, String)> =
        broken_built_ins(policy, order, decision).into_iter().map(|(i, d)| (i.to_owned(), d)).collect();
    for (text, kept) in policy.invariants(order, decision) {
        match kept {
            Some(Ok(false)) => broken.push((text, format!("refund {}", decision.amount))),
            Some(Err(error)) => broken.push((text, format!("cannot be judged: {error}"))),
            _ => {}
        }
    }
    broken
}

/// The built-in invariants `decision` breaks.
fn broken_built_ins(policy: &Policy, order: &Order, decision: &Decision) -> Vec<(&'static str, String)> {
    let mut broken = Vec::new();
    let [never_negative, adds_up, minor_unit, deterministic] = BUILT_IN;
    if decision.amount < Decimal::ZERO {
        broken.push((never_negative, format!("refund {}", decision.amount)));
    }
    let shares: Decimal = decision.refunds.iter().map(|r| r.amount).sum();
    if shares != decision.amount {
        broken.push((adds_up, format!("shares add up to {shares}, the amount is {}", decision.amount)));
    }
    let units = iso_currency::Currency::from_code(&decision.currency).and_then(|c| c.exponent()).map_or(2, u32::from);
    if decision.amount.scale() != units || decision.refunds.iter().any(|r| r.amount.scale() != units) {
        broken.push((minor_unit, format!("{} has {} decimals", decision.amount, decision.amount.scale())));
    }
    if policy.evaluate(order).ok().as_ref() != Some(decision) {
        broken.push((deterministic, "a second evaluation decided differently".to_owned()));
    }
    broken
}

/// `monotone in held`: the same order asked a day or a month later must not get more back.
fn later_gets_more(policy: &Policy, order: &Order, decision: &Decision) -> Option<String> {
    for days in [1, 30] {
        let mut later = order.clone();
        let Some(at) = later.requested_at.checked_add_signed(chrono::Duration::days(days)) else { continue };
        later.requested_at = at;
        let Ok(after) = policy.evaluate(&later) else { continue };
        if after.amount > decision.amount {
            return Some(format!(
                "refund {} now, but {} when asked {days} day(s) later ({})",
                decision.amount, after.amount, after.rule
            ));
        }
    }
    None
}

/// SplitMix64: small, deterministic and the same on every machine; the generator of `prove`,
/// and of the fuzz tests and benchmarks.
pub struct Random(pub u64);

impl Random {
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items` (which is never empty here), or `fallback`.
    pub fn pick<T: Clone>(&mut self, items: &[T], fallback: T) -> T {
        items.get(self.below(items.len() as u64) as usize).cloned().unwrap_or(fallback)
    }
}

/// A variation of `base`: every fact a policy may read, spread over its boundaries.
fn vary(mut order: Order, random: &mut Random, index: usize) -> Order {
    order.id = format!("{}~{index}", order.id);
    let start = order.service_start();
    let term = order.expires_at.map_or(365 * 86_400, |e| e.signed_duration_since(start).num_seconds().max(3_600));
    // Near the common windows (1, 5, 7 days, a month) half of the time, anywhere otherwise.
    let held = if random.chance(50) {
        let window = random.pick(&[86_400, 5 * 86_400, 7 * 86_400, 30 * 86_400], 86_400);
        window - 7_200 + random.below(14_400) as i64
    } else {
        random.below((term + 30 * 86_400) as u64) as i64
    };
    if let Some(at) = start.checked_add_signed(chrono::Duration::seconds(held.max(0))) {
        order.requested_at = at;
    }
    if random.chance(15) {
        order.billing =
            if order.billing == Billing::Subscription { Billing::PayAsYouGo } else { Billing::Subscription };
    }
    order.purchase = random.pick(&[Purchase::New, Purchase::New, Purchase::Renewal, Purchase::Upgrade], Purchase::New);
    // Move part of the cash to a voucher or to gift credit: the total paid stays the same.
    let cash = order.paid.cash;
    if random.chance(30) && cash > Decimal::ZERO {
        let share = (cash * Decimal::from(random.below(50)) / Decimal::ONE_HUNDRED).round_dp(2);
        order.paid.cash -= share;
        if random.chance(50) {
            order.paid.voucher += share;
        } else {
            order.paid.gift += share;
        }
    }
    order.banned_for_violation = random.chance(5);
    order.promotion =
        random.chance(8).then(|| Promotion { name: "sale".to_owned(), non_refundable: random.chance(50) });
    order.account.arrears =
        if random.chance(20) { Decimal::new(random.below(50_000) as i64, 2) } else { Decimal::ZERO };
    order.account.no_reason_refunds_used = random.pick(&[0, 0, 1, 9, 10, 11], 0);
    order.account.refunded_last_12_months =
        if random.chance(20) { Decimal::new(random.below(6_000_000) as i64, 2) } else { Decimal::ZERO };
    order.traffic =
        random.chance(30).then(|| Traffic { used_gb: Decimal::from(random.below(200)), quota_gb: Decimal::from(100) });
    order.refund_to = random.pick(&[None, Some(RefundTo::Original), Some(RefundTo::Balance)], None);
    let channels = [None, Some(PaymentChannel::Alipay), Some(PaymentChannel::Card), Some(PaymentChannel::BankTransfer)];
    order.payment_channel = random.pick(&channels, None);
    order
}
