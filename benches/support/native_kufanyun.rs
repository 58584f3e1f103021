#![allow(dead_code, reason = "shared by benches and tests, each using a part")]

//! The Kufanyun policy written by hand in Rust: the baseline the interpreter is measured
//! against. It must decide exactly as `policies/kufanyun.policy` does; a test in
//! `tests/it/native.rs` checks that on a large generated order set.

use std::sync::Arc;

use refund_rules::{Billing, Order, PaymentChannel, Purchase, RefundTo};
use refund_rules::{Decision, Destination, Outcome};
use refund_rules::{Line, LineKind, PolicyRef, Refund, Review};
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

/// The rule that decides `order`: the policy's rules tried in order.
fn deciding_rule(order: &Order) -> &'static str {
    if order.banned_for_violation {
        return "banned";
    }
    if order.promotion.as_ref().is_some_and(|p| p.non_refundable) {
        return "promotion";
    }
    if order.billing == Billing::PayAsYouGo {
        return "pay_as_you_go";
    }
    let traffic_ok = order.traffic.as_ref().is_none_or(|t| t.used_gb <= t.quota_gb);
    if order.purchase == Purchase::New && seconds_held(order) < Decimal::from(5 * DAY) && traffic_ok {
        return "no_reason";
    }
    "used_time"
}

/// Used time at the list price, a started day counting in full.
fn used_fee(order: &Order) -> Decimal {
    let used_days = (seconds_held(order) / Decimal::from(DAY)).ceil();
    let term = order.expires_at.map_or(0, |e| e.signed_duration_since(order.purchased_at).num_seconds());
    let term_days = (Decimal::from(term) / Decimal::from(DAY)).floor().max(Decimal::ONE);
    let list = order.effective_list_price();
    (list * used_days / term_days).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

fn no_reason_destination(order: &Order) -> Destination {
    let wants_balance =
        order.refund_to == Some(RefundTo::Balance) || order.payment_channel == Some(PaymentChannel::BankTransfer);
    if wants_balance {
        Destination::Balance
    } else {
        Destination::Original
    }
}

fn used_time_destination(order: &Order) -> Destination {
    if order.refund_to == Some(RefundTo::Original) {
        Destination::Original
    } else {
        Destination::Balance
    }
}

/// Decides `order` as the Kufanyun policy does.
pub fn decide(order: &Order) -> NativeDecision {
    let cash = order.paid.cash;
    match deciding_rule(order) {
        rule @ ("banned" | "promotion") => denied(rule),
        "pay_as_you_go" => decided("pay_as_you_go", order.deposit, Destination::Balance),
        "no_reason" => {
            let amount =
                if cash < Decimal::ZERO { Decimal::ZERO } else { (cash - order.account.arrears).max(Decimal::ZERO) };
            decided("no_reason", amount.min(cash).max(Decimal::ZERO), no_reason_destination(order))
        }
        _ => {
            let list = order.effective_list_price();
            let remaining = list - used_fee(order) - order.discount - order.paid.voucher - order.paid.gift;
            let fee = Decimal::new(1000, 2);
            let after_fee =
                if remaining < Decimal::ZERO { Decimal::ZERO } else { (remaining - fee).max(Decimal::ZERO) };
            let after_arrears = (after_fee - order.account.arrears).max(Decimal::ZERO);
            decided("used_time", after_arrears.min(cash).max(Decimal::ZERO), used_time_destination(order))
        }
    }
}

/// The whole decision contract, written by hand: the same receipt lines, reasons, notes and
/// destinations as the interpreter, so a comparison with it measures the interpreter alone and
/// not the cost of the contract. `policy` is the reference every decision of the policy shares.
pub fn decide_in_full(order: &Order, policy: &Arc<PolicyRef>) -> Decision {
    let mut receipt = HandReceipt::default();
    let (rule, message) = match deciding_rule(order) {
        "banned" => ("banned", "违规封禁的服务器不支持退款"),
        "promotion" => ("promotion", "活动订单标注不支持退款"),
        "pay_as_you_go" => {
            receipt.base("解冻押金", order.deposit);
            receipt.to(Destination::Balance);
            ("pay_as_you_go", "按量计费实例释放后解冻押金，退至账户余额")
        }
        "no_reason" => {
            receipt.base("实付现金全额退还", order.paid.cash);
            receipt.take(LineKind::Offset, "先抵扣欠费", order.account.arrears);
            receipt.clamp_to("不超过实付现金", order.paid.cash);
            receipt.to(no_reason_destination(order));
            ("no_reason", "五天无理由全额退款")
        }
        _ => {
            let list = order.effective_list_price();
            receipt.base("订单原价", list);
            receipt.less("已使用时长费用（按原价）", used_fee(order));
            receipt.less("优惠金额不退", order.discount);
            receipt.less("代金券不退", order.paid.voucher);
            receipt.less("赠送金不退", order.paid.gift);
            receipt.take(LineKind::Deduct, "退款手续费（假设）", Decimal::new(1000, 2));
            receipt.take(LineKind::Offset, "先抵扣欠费", order.account.arrears);
            receipt.clamp_to("不超过实付现金", order.paid.cash);
            receipt.to(if order.refund_to == Some(RefundTo::Original) {
                Destination::Original
            } else {
                Destination::Balance
            });
            ("used_time", "超过无理由退款期：扣除已使用时长费用及优惠金额后退还")
        }
    };
    let notes: &[&str] = match rule {
        "pay_as_you_go" => &["余额提现需完成实名认证并绑定银行账户，由财务审核", "实例释放前请先创建快照备份数据"],
        "no_reason" | "used_time" => &["实例释放前请先创建快照备份数据"],
        _ => &[],
    };
    let amount = receipt.refunds.first().map_or(Decimal::new(0, 2), |r| r.amount);
    let outcome = if amount > Decimal::ZERO { Outcome::Refund } else { Outcome::NoRefund };
    let mut reasons = vec![message.to_owned()];
    reasons.append(&mut receipt.reasons);
    Decision {
        order: order.id.clone(),
        policy: Arc::clone(policy),
        outcome,
        rule: rule.to_owned(),
        amount,
        currency: order.currency.clone(),
        refunds: receipt.refunds,
        lines: receipt.lines,
        reasons,
        notes: notes.iter().map(|note| (*note).to_owned()).collect(),
        review: if rule == "used_time" { Review::Manual } else { Review::Auto },
        uses_no_reason_refund: rule == "no_reason" && outcome == Outcome::Refund,
        values: Vec::new(),
        trace: None,
    }
}

/// The receipt of one refund: every amount is already in cents.
#[derive(Default)]
struct HandReceipt {
    amount: Decimal,
    lines: Vec<Line>,
    reasons: Vec<String>,
    refunds: Vec<Refund>,
}

impl HandReceipt {
    fn base(&mut self, label: &str, amount: Decimal) {
        self.amount = amount;
        self.line(label, LineKind::Base, amount, amount);
    }

    fn less(&mut self, label: &str, value: Decimal) {
        let next = self.amount - value;
        self.line(label, LineKind::Less, next - self.amount, next);
    }

    /// A fee or an offset: never below zero, and nothing to take once the lines above are.
    fn take(&mut self, kind: LineKind, label: &str, value: Decimal) {
        let amount = self.amount;
        if amount < Decimal::ZERO {
            self.reasons.push(format!("{label}: nothing is left to refund (the lines above come to {})", text(amount)));
            self.line(&format!("{label} (nothing left to refund)"), kind, -amount, Decimal::ZERO);
            return;
        }
        let left = amount - value;
        if amount > Decimal::ZERO && left <= Decimal::ZERO && !value.is_zero() {
            self.reasons.push(format!(
                "{label}: {} is not covered by the remaining {}, so nothing is left",
                text(value),
                text(amount)
            ));
        }
        let next = left.max(Decimal::ZERO);
        self.line(label, kind, next - amount, next);
    }

    /// `clamp 0.00 to high`: a line like every step, 0.00 when it changes nothing.
    fn clamp_to(&mut self, label: &str, high: Decimal) {
        let next = self.amount.min(high).max(Decimal::ZERO);
        self.line(label, LineKind::Clamp, next - self.amount, next);
    }

    fn to(&mut self, destination: Destination) {
        if self.amount > Decimal::ZERO {
            let mut amount = self.amount;
            amount.rescale(2);
            self.refunds.push(Refund { to: destination, amount });
        }
    }

    fn line(&mut self, label: &str, kind: LineKind, change: Decimal, total: Decimal) {
        self.amount = total;
        self.lines.push(Line { label: label.to_owned(), amount: shown(change), kind, total: shown(total) });
    }
}

/// A receipt amount with at least two decimals, and never "-0.00".
fn shown(amount: Decimal) -> Decimal {
    let mut shown = if amount.is_zero() { Decimal::ZERO } else { amount.normalize() };
    if shown.scale() < 2 {
        shown.rescale(2);
    }
    shown
}

fn text(amount: Decimal) -> String {
    shown(amount).to_string()
}
