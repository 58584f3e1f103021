#![allow(dead_code, reason = "shared by benches and tests, each using a part")]

//! Deterministic generated orders for the benchmarks and the baseline agreement test: every
//! field the Kufanyun policy reads, spread over its boundaries.

use chrono::{DateTime, Duration, FixedOffset};
use proptest::prelude::RngExt;
use proptest::test_runner::{RngAlgorithm, TestRng};
use refund_rules::{Account, Billing, Order, Paid, PaymentChannel, Promotion, Purchase, RefundTo, Traffic};
use rust_decimal::Decimal;

/// proptest's deterministic generator: the same seed gives the same orders on every machine.
pub struct Random(TestRng);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(TestRng::from_seed(RngAlgorithm::ChaCha, &seed.to_le_bytes().repeat(4)))
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.0.random_range(0..n.max(1))
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

fn cents(value: u64) -> Decimal {
    Decimal::new(value as i64, 2)
}

/// The `index`-th order of the stream with `seed`.
pub fn order(random: &mut Random, index: usize) -> Order {
    let purchased: DateTime<FixedOffset> = DateTime::parse_from_rfc3339("2026-03-01T10:00:00+08:00")
        .unwrap_or_default()
        + Duration::minutes(random.below(60 * 24 * 365) as i64);
    let term_days = [30, 90, 365, 730][random.below(4) as usize];
    let expires = purchased + Duration::days(term_days);
    // Held: often near the 5-day boundary, otherwise anywhere in the term (and a bit past it).
    let held = if random.chance(40) {
        Duration::seconds(5 * 86_400 - 3_600 + random.below(7_200) as i64)
    } else {
        Duration::seconds(random.below((term_days as u64 + 10) * 86_400) as i64)
    };
    let list = cents(10_000 + random.below(500_000));
    let discount = if random.chance(30) { cents(random.below(list.mantissa() as u64 / 4)) } else { Decimal::new(0, 2) };
    let due = list - discount;
    let voucher = if random.chance(40) { cents(random.below(due.mantissa() as u64 / 3)) } else { Decimal::new(0, 2) };
    let gift =
        if random.chance(20) { cents(random.below((due - voucher).mantissa() as u64 / 3)) } else { Decimal::new(0, 2) };
    let cash = due - voucher - gift;
    let payg = random.chance(10);
    Order {
        id: format!("gen-{index}"),
        account: Account {
            id: format!("acct-{}", random.below(1_000)),
            arrears: if random.chance(20) { cents(random.below(20_000)) } else { Decimal::new(0, 2) },
            ..Account::default()
        },
        billing: if payg { Billing::PayAsYouGo } else { Billing::Subscription },
        purchase: [Purchase::New, Purchase::New, Purchase::Renewal, Purchase::Upgrade][random.below(4) as usize],
        currency: "CNY".to_owned(),
        purchased_at: purchased,
        starts_at: None,
        expires_at: Some(expires),
        requested_at: purchased + held,
        list_price: Some(list),
        discount,
        paid: Paid { cash, voucher, gift },
        payment_channel: [
            None,
            Some(PaymentChannel::Alipay),
            Some(PaymentChannel::BankTransfer),
            Some(PaymentChannel::Wechat),
        ][random.below(4) as usize],
        refund_to: [None, Some(RefundTo::Original), Some(RefundTo::Balance)][random.below(3) as usize],
        promotion: random.chance(5).then(|| Promotion { name: "sale".to_owned(), non_refundable: random.chance(50) }),
        traffic: random.chance(30).then(|| Traffic {
            used_gb: Decimal::from(random.below(200)),
            quota_gb: Decimal::from(100 + random.below(3) * 50),
        }),
        banned_for_violation: random.chance(3),
        deposit: if payg { cents(random.below(50_000)) } else { Decimal::new(0, 2) },
        attributes: Default::default(),
    }
}

/// `count` orders from `seed`.
pub fn orders(seed: u64, count: usize) -> Vec<Order> {
    let mut random = Random::new(seed);
    (0..count).map(|index| order(&mut random, index)).collect()
}
