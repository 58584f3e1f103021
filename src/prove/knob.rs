//! The facts of an order that `prove` turns, one knob each, and the values a knob can be set to.
//!
//! A knob reads its value off an order as a [`Choice`] and sets one, so a counterexample can be
//! shrunk by setting each knob back to what the base order had.

use std::fmt;

use chrono::{DateTime, Duration, FixedOffset, NaiveTime};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::eval::time::{add_months, from_local, local};
use crate::order::{AccountKind, Billing, Order, PaymentChannel, Promotion, Purchase, RefundTo, Traffic};

use super::Random;

/// One fact of an order that generated orders vary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Knob {
    /// `purchased_at`; the whole timeline moves with it.
    PurchasedAt,
    /// `starts_at`, after the purchase.
    StartsAt,
    /// `expires_at`: the term from the start.
    Term,
    /// `requested_at`: the time held.
    RequestedAt,
    /// `billing`.
    Billing,
    /// `purchase`.
    Purchase,
    /// What was paid in all (cash, voucher and gift keep their shares).
    PaidTotal,
    /// How the total is split between cash, voucher and gift.
    PaidSplit,
    /// `discount` (the list price follows: paid + discount).
    Discount,
    /// Whether a pay-as-you-go order gives `list_price`.
    ListPrice,
    /// `deposit`.
    Deposit,
    /// `account.kind`.
    AccountKind,
    /// `account.arrears`.
    Arrears,
    /// `account.no_reason_refunds_used`.
    NoReasonRefundsUsed,
    /// `account.refunded_last_12_months`.
    RefundedLast12Months,
    /// `promotion`.
    Promotion,
    /// `traffic`.
    Traffic,
    /// `banned_for_violation`.
    BannedForViolation,
    /// `refund_to`.
    RefundTo,
    /// `payment_channel`.
    PaymentChannel,
    /// A declared attribute, by name.
    Attribute(String),
}

impl fmt::Display for Knob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Knob::PurchasedAt => "purchased_at",
            Knob::StartsAt => "starts_at",
            Knob::Term => "expires_at",
            Knob::RequestedAt => "requested_at",
            Knob::Billing => "billing",
            Knob::Purchase => "purchase",
            Knob::PaidTotal => "paid total",
            Knob::PaidSplit => "paid split (cash/voucher/gift)",
            Knob::Discount => "discount",
            Knob::ListPrice => "list_price given or not",
            Knob::Deposit => "deposit",
            Knob::AccountKind => "account.kind",
            Knob::Arrears => "account.arrears",
            Knob::NoReasonRefundsUsed => "account.no_reason_refunds_used",
            Knob::RefundedLast12Months => "account.refunded_last_12_months",
            Knob::Promotion => "promotion",
            Knob::Traffic => "traffic",
            Knob::BannedForViolation => "banned_for_violation",
            Knob::RefundTo => "refund_to",
            Knob::PaymentChannel => "payment_channel",
            Knob::Attribute(name) => return write!(f, "attributes.{name}"),
        };
        f.write_str(name)
    }
}

/// A length of time from an anchor: calendar months first, then seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offset {
    /// Calendar months, in the policy's time zone.
    pub months: i64,
    /// Seconds after those months (may be negative).
    pub seconds: i64,
}

impl Offset {
    /// `seconds` seconds.
    pub fn seconds(seconds: i64) -> Offset {
        Offset { months: 0, seconds }
    }
}

/// Where an instant is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// `purchased_at`.
    Purchase,
    /// The service start.
    Start,
    /// `expires_at` (the start when there is none).
    Expiry,
    /// `requested_at`.
    Request,
}

/// A value a knob can be set to.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// An instant as it is (or none, for optional ones): what a knob reads off an order.
    At(Option<DateTime<FixedOffset>>),
    /// An instant counted from an anchor of the order being built.
    From(Anchor, Offset),
    /// The whole timeline moved so that the anchor falls on this instant: a version boundary
    /// reached by the date the policy's versions are chosen by.
    Timeline(Anchor, DateTime<FixedOffset>),
    /// The last second of the calendar date `days` after the start's (policy time zone), and
    /// `plus` seconds.
    DayEnd {
        /// Dates after the start's date.
        days: i64,
        /// Seconds after the last second of that date.
        plus: i64,
    },
    /// A request before the service started (a start is made two days after the purchase when
    /// the order has none).
    BeforeStart,
    /// Anywhere from the start to 30 days after the expiry, at random.
    Anywhere,
    /// The billing kind.
    Billing(Billing),
    /// The purchase kind.
    Purchase(Purchase),
    /// The account kind.
    AccountKind(AccountKind),
    /// An amount of money.
    Money(Decimal),
    /// Percent of what was paid, as the discount.
    DiscountPercent(u32),
    /// The voucher's and the gift's shares of the total (0 to 1); cash is the rest.
    Shares(Decimal, Decimal),
    /// Cash, voucher and gift as percents of the total.
    Split(u32, u32, u32),
    /// A count.
    Count(u32),
    /// True or false.
    Flag(bool),
    /// A promotion: its name and whether it is non-refundable.
    Promotion(Option<(String, bool)>),
    /// Traffic used and included.
    Traffic(Option<(Decimal, Decimal)>),
    /// Where the money should go.
    RefundTo(Option<RefundTo>),
    /// The payment channel.
    PaymentChannel(Option<PaymentChannel>),
    /// An attribute's JSON value; `None`: not given (its default applies).
    Json(Option<serde_json::Value>),
    /// An instant attribute counted from an anchor.
    AttributeAt(Anchor, Offset),
    /// A date attribute: the calendar date of an anchor, plus days.
    AttributeDate(Anchor, i64),
}

/// What setting a knob needs to know about the policy.
#[derive(Debug, Clone, Copy)]
pub struct Setting {
    /// The policy's time zone (calendar months, dates).
    pub timezone: Tz,
    /// Decimal places of its currency.
    pub minor_units: u32,
}

impl Knob {
    /// The knob's value in `order`, as a choice that sets it back exactly.
    pub fn read(&self, order: &Order) -> Choice {
        match self {
            Knob::PurchasedAt => Choice::At(Some(order.purchased_at)),
            // The delay and the term are lengths: a start that moves takes its term along,
            // and setting one back does not undo the other.
            Knob::StartsAt => match order.starts_at {
                Some(start) => Choice::From(Anchor::Purchase, Offset::seconds(seconds(order.purchased_at, start))),
                None => Choice::At(None),
            },
            Knob::Term => match order.expires_at {
                Some(end) => Choice::From(Anchor::Start, Offset::seconds(seconds(order.service_start(), end))),
                None => Choice::At(None),
            },
            Knob::RequestedAt => Choice::At(Some(order.requested_at)),
            Knob::Billing => Choice::Billing(order.billing),
            Knob::Purchase => Choice::Purchase(order.purchase),
            Knob::PaidTotal => Choice::Money(order.paid_total()),
            Knob::PaidSplit => {
                let total = order.paid_total();
                let share = |part: Decimal| if total.is_zero() { Decimal::ZERO } else { part / total };
                Choice::Shares(share(order.paid.voucher), share(order.paid.gift))
            }
            Knob::Discount => Choice::Money(order.discount),
            Knob::ListPrice => Choice::Flag(order.list_price.is_some()),
            Knob::Deposit => Choice::Money(order.deposit),
            Knob::AccountKind => Choice::AccountKind(order.account.kind),
            Knob::Arrears => Choice::Money(order.account.arrears),
            Knob::NoReasonRefundsUsed => Choice::Count(order.account.no_reason_refunds_used),
            Knob::RefundedLast12Months => Choice::Money(order.account.refunded_last_12_months),
            Knob::Promotion => Choice::Promotion(order.promotion.as_ref().map(|p| (p.name.clone(), p.non_refundable))),
            Knob::Traffic => Choice::Traffic(order.traffic.as_ref().map(|t| (t.used_gb, t.quota_gb))),
            Knob::BannedForViolation => Choice::Flag(order.banned_for_violation),
            Knob::RefundTo => Choice::RefundTo(order.refund_to),
            Knob::PaymentChannel => Choice::PaymentChannel(order.payment_channel),
            Knob::Attribute(name) => Choice::Json(order.attributes.get(name).cloned()),
        }
    }

    /// Sets the knob to `choice` in `order`; a choice that does not fit the knob changes nothing.
    pub(crate) fn set(&self, choice: &Choice, order: &mut Order, setting: Setting, random: &mut Random) {
        match (self, choice) {
            (Knob::PurchasedAt, Choice::At(Some(at))) => shift_timeline(order, *at),
            (Knob::PurchasedAt, Choice::Timeline(anchor, at)) => {
                let by = at.signed_duration_since(anchor_instant(order, *anchor));
                if let Some(purchased_at) = order.purchased_at.checked_add_signed(by) {
                    shift_timeline(order, purchased_at);
                }
            }
            (Knob::StartsAt, Choice::At(at)) => move_start(order, *at),
            (Knob::StartsAt, Choice::From(anchor, offset)) => {
                let at = instant(order, *anchor, *offset, setting);
                move_start(order, at);
            }
            (Knob::Term, Choice::At(at)) => order.expires_at = *at,
            (Knob::Term, Choice::From(anchor, offset)) => order.expires_at = instant(order, *anchor, *offset, setting),
            (Knob::RequestedAt, choice) => set_request(choice, order, setting, random),
            (Knob::Billing, Choice::Billing(billing)) => order.billing = *billing,
            (Knob::Purchase, Choice::Purchase(purchase)) => order.purchase = *purchase,
            (Knob::PaidTotal | Knob::PaidSplit, choice) => set_paid(choice, order, setting),
            (Knob::Discount, Choice::Money(amount)) => order.discount = *amount,
            (Knob::Discount, Choice::DiscountPercent(percent)) => {
                order.discount = with_scale(
                    order.paid_total().saturating_mul(Decimal::from(*percent)) / Decimal::ONE_HUNDRED,
                    setting.minor_units,
                );
            }
            (Knob::ListPrice, Choice::Flag(given)) => {
                let list_price = with_scale(order.paid_total().saturating_add(order.discount), setting.minor_units);
                order.list_price = given.then_some(list_price);
            }
            (Knob::Deposit, Choice::Money(amount)) => order.deposit = *amount,
            (Knob::AccountKind, Choice::AccountKind(kind)) => order.account.kind = *kind,
            (Knob::Arrears, Choice::Money(amount)) => order.account.arrears = *amount,
            (Knob::NoReasonRefundsUsed, Choice::Count(count)) => order.account.no_reason_refunds_used = *count,
            (Knob::RefundedLast12Months, Choice::Money(amount)) => order.account.refunded_last_12_months = *amount,
            (Knob::Promotion, Choice::Promotion(promotion)) => {
                order.promotion = promotion
                    .as_ref()
                    .map(|(name, non_refundable)| Promotion { name: name.clone(), non_refundable: *non_refundable });
            }
            (Knob::Traffic, Choice::Traffic(traffic)) => {
                order.traffic = traffic.map(|(used_gb, quota_gb)| Traffic { used_gb, quota_gb });
            }
            (Knob::BannedForViolation, Choice::Flag(flag)) => order.banned_for_violation = *flag,
            (Knob::RefundTo, Choice::RefundTo(to)) => order.refund_to = *to,
            (Knob::PaymentChannel, Choice::PaymentChannel(channel)) => order.payment_channel = *channel,
            (Knob::Attribute(name), choice) => set_attribute(name, choice, order, setting),
            _ => {}
        }
    }
}

/// Keeps a varied order inside the contract where one knob alone would leave it: a subscription
/// has an expiry and a list price, and a given list price is what was paid plus the discount.
/// Base orders are not repaired: they stay exactly as their authors wrote them.
pub fn repair(order: &mut Order, setting: Setting) {
    if order.billing == Billing::Subscription && order.expires_at.is_none() {
        order.expires_at = add_months(order.service_start(), 12, setting.timezone);
    }
    if order.list_price.is_some() || order.billing == Billing::Subscription {
        order.list_price = Some(with_scale(order.paid_total().saturating_add(order.discount), setting.minor_units));
    }
}

/// `amount` written with the currency's decimals (`1000.00`), as a billing system sends it.
pub(super) fn with_scale(amount: Decimal, minor_units: u32) -> Decimal {
    let mut amount = amount.round_dp(minor_units);
    amount.rescale(minor_units);
    amount
}

fn shift_timeline(order: &mut Order, to: DateTime<FixedOffset>) {
    let by = to.signed_duration_since(order.purchased_at);
    let shift = |at: DateTime<FixedOffset>| at.checked_add_signed(by).unwrap_or(at);
    order.purchased_at = to;
    order.starts_at = order.starts_at.map(shift);
    order.expires_at = order.expires_at.map(shift);
    order.requested_at = shift(order.requested_at);
}

fn seconds(from: DateTime<FixedOffset>, to: DateTime<FixedOffset>) -> i64 {
    to.signed_duration_since(from).num_seconds()
}

/// A later delivery keeps the term: the expiry moves with the start, so a start never passes
/// the expiry.
fn move_start(order: &mut Order, to: Option<DateTime<FixedOffset>>) {
    let from = order.service_start();
    order.starts_at = to;
    let by = order.service_start().signed_duration_since(from);
    order.expires_at = order.expires_at.map(|e| e.checked_add_signed(by).unwrap_or(e));
}

fn anchor_instant(order: &Order, anchor: Anchor) -> DateTime<FixedOffset> {
    match anchor {
        Anchor::Purchase => order.purchased_at,
        Anchor::Start => order.service_start(),
        Anchor::Expiry => order.expires_at.unwrap_or_else(|| order.service_start()),
        Anchor::Request => order.requested_at,
    }
}

fn instant(order: &Order, anchor: Anchor, offset: Offset, setting: Setting) -> Option<DateTime<FixedOffset>> {
    let from = anchor_instant(order, anchor);
    let months = if offset.months == 0 { Some(from) } else { add_months(from, offset.months, setting.timezone) };
    months?.checked_add_signed(Duration::try_seconds(offset.seconds)?)
}

fn day_end(order: &Order, days: i64, plus: i64, setting: Setting) -> Option<DateTime<FixedOffset>> {
    let date = local(order.service_start(), setting.timezone).date();
    let next = date.checked_add_signed(Duration::try_days(days.checked_add(1)?)?)?;
    from_local(next.and_time(NaiveTime::MIN), setting.timezone)?
        .checked_add_signed(Duration::try_seconds(plus.checked_sub(1)?)?)
}

fn set_request(choice: &Choice, order: &mut Order, setting: Setting, random: &mut Random) {
    let at = match choice {
        Choice::At(at) => *at,
        Choice::From(anchor, offset) => instant(order, *anchor, *offset, setting),
        Choice::DayEnd { days, plus } => day_end(order, *days, *plus, setting),
        Choice::BeforeStart => {
            let purchased = order.purchased_at;
            if order.service_start() <= purchased {
                order.starts_at = purchased.checked_add_signed(Duration::days(2));
            }
            let gap = order.service_start().signed_duration_since(purchased);
            purchased.checked_add_signed(gap / 2)
        }
        Choice::Anywhere => {
            let start = order.service_start();
            let expiry = anchor_instant(order, Anchor::Expiry);
            let end = expiry.checked_add_signed(Duration::days(30)).unwrap_or(expiry);
            let span = end.signed_duration_since(start).num_seconds().max(1);
            let held = i64::try_from(random.below(span.unsigned_abs())).unwrap_or(0);
            start.checked_add_signed(Duration::seconds(held))
        }
        _ => None,
    };
    if let Some(at) = at {
        order.requested_at = at;
    }
}

fn set_paid(choice: &Choice, order: &mut Order, setting: Setting) {
    let total = order.paid_total();
    let (cash, voucher, gift) = match choice {
        Choice::Shares(voucher, gift) => {
            let (voucher, gift) = (
                with_scale(total.saturating_mul(*voucher), setting.minor_units),
                with_scale(total.saturating_mul(*gift), setting.minor_units),
            );
            (total.saturating_sub(voucher).saturating_sub(gift), voucher, gift)
        }
        Choice::Money(new_total) => {
            // The new total keeps the order's shares; all cash when nothing was paid.
            let share = |part: Decimal| {
                if total.is_zero() {
                    Decimal::ZERO
                } else {
                    with_scale(new_total.checked_mul(part).map_or(Decimal::ZERO, |p| p / total), setting.minor_units)
                }
            };
            let (voucher, gift) = (share(order.paid.voucher), share(order.paid.gift));
            (new_total.saturating_sub(voucher).saturating_sub(gift), voucher, gift)
        }
        Choice::Split(_, voucher, gift) => {
            let share = |percent: u32| {
                with_scale(total.saturating_mul(Decimal::from(percent)) / Decimal::ONE_HUNDRED, setting.minor_units)
            };
            let (voucher, gift) = (share(*voucher), share(*gift));
            (total.saturating_sub(voucher).saturating_sub(gift), voucher, gift)
        }
        _ => return,
    };
    order.paid.cash = cash.max(Decimal::ZERO);
    order.paid.voucher = voucher;
    order.paid.gift = gift;
}

fn set_attribute(name: &str, choice: &Choice, order: &mut Order, setting: Setting) {
    let value = match choice {
        Choice::Json(value) => value.clone(),
        Choice::AttributeAt(anchor, offset) => {
            instant(order, *anchor, *offset, setting).map(|at| serde_json::Value::String(at.to_rfc3339()))
        }
        Choice::AttributeDate(anchor, days) => {
            let date = local(anchor_instant(order, *anchor), setting.timezone).date();
            date.checked_add_signed(Duration::days(*days)).map(|d| serde_json::Value::String(d.to_string()))
        }
        _ => return,
    };
    match value {
        Some(value) => {
            order.attributes.insert(name.to_owned(), value);
        }
        None => {
            order.attributes.remove(name);
        }
    }
}
