#![allow(dead_code, reason = "shared by benches and tests, each using a part")]

//! The Kufanyun policy written by hand in Rust: the baseline the interpreter is measured
//! against. It must decide exactly as `policies/kufanyun.policy` does; a test in
//! `tests/it/native.rs` checks that on a large generated order set.

use refund_rules::order::{Billing, Order, PaymentChannel, Purchase, RefundTo};
use refund_rules::{Destination, Outcome};
use rust_decimal::{Decimal, RoundingStrategy};

/// What the hand-written policy decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeDecision {
    pub outcome: Outcome,
    pub rule: &'static str,
    pub amount: Decimal,
    pub to: Option<Destination>,
}

const DAY: i64 = 86_400;

fn seconds_held(order: &Order) -> Decimal {
    let delta = order.requested_at.signed_duration_since(order.purchased_at);
    Decimal::from(delta.num_seconds()) + Decimal::new(i64::from(delta.subsec_nanos()), 9)
}

fn cents(amount: Decimal) -> Decimal {
    let mut rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

fn decided(rule: &'static str, amount: Decimal, to: Destination) -> NativeDecision {
    let amount = cents(amount);
    let outcome = if amount > Decimal::ZERO { Outcome::Refund } else { Outcome::NoRefund };
    NativeDecision { outcome, rule, amount, to: (amount > Decimal::ZERO).then_some(to) }
}

fn denied(rule: &'static str) -> NativeDecision {
    NativeDecision { outcome: Outcome::NoRefund, rule, amount: Decimal::new(0, 2), to: None }
}

/// Decides `order` as the Kufanyun policy does.
pub fn decide(order: &Order) -> NativeDecision {
    if order.banned_for_violation {
        return denied("banned");
    }
    if order.promotion.as_ref().is_some_and(|p| p.non_refundable) {
        return denied("promotion");
    }
    if order.billing == Billing::PayAsYouGo {
        return decided("pay_as_you_go", order.deposit, Destination::Balance);
    }
    let held = seconds_held(order);
    let traffic_ok = order.traffic.as_ref().is_none_or(|t| t.used_gb <= t.quota_gb);
    let cash = order.paid.cash;
    if order.purchase == Purchase::New && held < Decimal::from(5 * DAY) && traffic_ok {
        let wants_balance =
            order.refund_to == Some(RefundTo::Balance) || order.payment_channel == Some(PaymentChannel::BankTransfer);
        let amount =
            if cash < Decimal::ZERO { Decimal::ZERO } else { (cash - order.account.arrears).max(Decimal::ZERO) };
        let amount = amount.min(cash).max(Decimal::ZERO);
        let to = if wants_balance { Destination::Balance } else { Destination::Original };
        return decided("no_reason", amount, to);
    }
    let list = order.effective_list_price();
    let used_days = (held / Decimal::from(DAY)).ceil();
    let term = order.expires_at.map_or(0, |e| e.signed_duration_since(order.purchased_at).num_seconds());
    let term_days = (Decimal::from(term) / Decimal::from(DAY)).floor().max(Decimal::ONE);
    let used_fee = (list * used_days / term_days).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let remaining = list - used_fee - order.discount - order.paid.voucher - order.paid.gift;
    let fee = Decimal::new(1000, 2);
    let after_fee = if remaining < Decimal::ZERO { Decimal::ZERO } else { (remaining - fee).max(Decimal::ZERO) };
    let after_arrears = (after_fee - order.account.arrears).max(Decimal::ZERO);
    let amount = after_arrears.min(cash).max(Decimal::ZERO);
    let to = if order.refund_to == Some(RefundTo::Original) { Destination::Original } else { Destination::Balance };
    decided("used_time", amount, to)
}
