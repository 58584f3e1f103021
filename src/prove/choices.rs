//! The values each knob is tried at: the contract's edges (nothing paid, a term under a month, a
//! request before the start, after the expiry), every constant the policy is written with and
//! one unit either side, and every member of every symbol set.

use chrono::NaiveTime;
use rust_decimal::Decimal;

use crate::eval::time::from_local;
use crate::order::{AccountKind, Billing, Field, Order, PaymentChannel, Purchase, RefundTo};
use crate::program::AttributeDef;
use crate::value::{SymbolSet, Type};

use super::knob::with_scale;
use super::knob::{Anchor, Choice, Knob, Offset, Setting};
use super::literals::Literals;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
/// The biggest count or number of months or days read as a threshold of time held.
const LONGEST: i64 = 400;

/// The knobs a policy needs turned, each with its values, in the order they are set (the
/// timeline first, since requests and instant attributes count from it). `attributes` holds
/// every version's declarations (one name may come several times); `version_edges` moves the
/// timeline to each side of each version boundary.
pub(super) fn dials(
    literals: &Literals,
    attributes: &[&AttributeDef],
    version_edges: &[Choice],
    bases: &[Order],
    setting: Setting,
) -> Vec<Dial> {
    let reads = |fields: &[Field]| reads_any(literals, fields);
    let money = money(literals, bases, setting);
    let mut dials = Vec::new();
    let mut add = |knob: Knob, wanted: bool, choices: Vec<Choice>| {
        if wanted && !choices.is_empty() {
            dials.push(Dial { knob, choices });
        }
    };
    let mut timelines = version_edges.to_vec();
    for choice in purchased(literals, setting) {
        push(&mut timelines, choice);
    }
    add(Knob::PurchasedAt, reads(&[Field::PurchasedAt]) || !literals.dates.is_empty(), timelines);
    add(Knob::StartsAt, reads(&[Field::StartsAt]), starts());
    add(Knob::Term, reads(&[Field::ExpiresAt]), terms(literals));
    add(Knob::RequestedAt, true, requests(literals, setting));
    add(Knob::Billing, true, vec![Choice::Billing(Billing::Subscription), Choice::Billing(Billing::PayAsYouGo)]);
    let purchases = [Purchase::New, Purchase::Renewal, Purchase::Upgrade];
    add(Knob::Purchase, reads(&[Field::Purchase]), purchases.into_iter().map(Choice::Purchase).collect());
    add(Knob::PaidTotal, true, money.iter().copied().map(Choice::Money).collect());
    let paid = [Field::PaidCash, Field::PaidVoucher, Field::PaidGift];
    let splits = [(100, 0, 0), (50, 50, 0), (50, 0, 50), (0, 100, 0), (0, 0, 100), (34, 33, 33), (1, 0, 99)];
    add(Knob::PaidSplit, reads(&paid), splits.into_iter().map(|(c, v, g)| Choice::Split(c, v, g)).collect());
    add(Knob::Discount, reads(&[Field::Discount, Field::ListPrice]), discounts(literals, setting));
    add(Knob::ListPrice, reads(&[Field::ListPrice]), vec![Choice::Flag(true), Choice::Flag(false)]);
    add(Knob::Deposit, reads(&[Field::Deposit]), money.iter().copied().map(Choice::Money).collect());
    let kinds = [AccountKind::Individual, AccountKind::Enterprise];
    add(Knob::AccountKind, reads(&[Field::AccountKind]), kinds.into_iter().map(Choice::AccountKind).collect());
    add(Knob::Arrears, reads(&[Field::AccountArrears]), money.iter().copied().map(Choice::Money).collect());
    add(Knob::NoReasonRefundsUsed, reads(&[Field::NoReasonRefundsUsed]), counts(literals));
    let refunded = money.iter().copied().map(Choice::Money).collect();
    add(Knob::RefundedLast12Months, reads(&[Field::RefundedLast12Months]), refunded);
    let promotion = [Field::Promotion, Field::PromotionName, Field::PromotionNonRefundable];
    add(Knob::Promotion, reads(&promotion), promotions(literals));
    add(Knob::Traffic, reads(&[Field::Traffic, Field::TrafficUsedGb, Field::TrafficQuotaGb]), traffic(literals));
    add(Knob::BannedForViolation, reads(&[Field::BannedForViolation]), vec![Choice::Flag(false), Choice::Flag(true)]);
    let to = [None, Some(RefundTo::Original), Some(RefundTo::Balance)];
    add(Knob::RefundTo, reads(&[Field::RefundTo]), to.into_iter().map(Choice::RefundTo).collect());
    let channels = [
        None,
        Some(PaymentChannel::Alipay),
        Some(PaymentChannel::Wechat),
        Some(PaymentChannel::Card),
        Some(PaymentChannel::BankTransfer),
        Some(PaymentChannel::Balance),
    ];
    add(
        Knob::PaymentChannel,
        reads(&[Field::PaymentChannel]),
        channels.into_iter().map(Choice::PaymentChannel).collect(),
    );
    let mut names: Vec<&str> = Vec::new();
    for attribute in attributes {
        push(&mut names, attribute.name.as_str());
    }
    for name in names {
        let mut choices = Vec::new();
        for attribute in attributes.iter().filter(|a| a.name == name) {
            for choice in attribute_choices(attribute, literals, &money, bases) {
                push(&mut choices, choice);
            }
        }
        add(Knob::Attribute(name.to_owned()), true, choices);
    }
    dials
}

fn push<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// Amounts from nothing to a million: the policy's money constants a cent either side, and the
/// bases' totals, halved and doubled.
fn money(literals: &Literals, bases: &[Order], setting: Setting) -> Vec<Decimal> {
    let unit = Decimal::new(1, setting.minor_units);
    let mut amounts = Vec::new();
    for amount in [Decimal::ZERO, unit, Decimal::ONE, Decimal::ONE_HUNDRED, Decimal::ONE_THOUSAND] {
        push(&mut amounts, amount);
    }
    for amount in &literals.money {
        for near in [amount.saturating_sub(unit), *amount, amount.saturating_add(unit)] {
            push(&mut amounts, near);
        }
    }
    for base in bases {
        let total = base.paid_total();
        for near in [total / Decimal::TWO, total, total.saturating_mul(Decimal::TWO)] {
            push(&mut amounts, near);
        }
    }
    push(&mut amounts, Decimal::from(1_000_000));
    amounts.into_iter().filter(|a| !a.is_sign_negative()).map(|a| with_scale(a, setting.minor_units)).fold(
        Vec::new(),
        |mut kept, a| {
            push(&mut kept, a);
            kept
        },
    )
}

/// Version start dates (the last second before and the first second of each), and the timeline
/// moved by hours across a date line.
fn purchased(literals: &Literals, setting: Setting) -> Vec<Choice> {
    let mut choices = Vec::new();
    for date in &literals.dates {
        if let Some(midnight) = from_local(date.and_time(NaiveTime::MIN), setting.timezone) {
            push(&mut choices, Choice::At(midnight.checked_sub_signed(chrono::Duration::seconds(1))));
            push(&mut choices, Choice::At(Some(midnight)));
        }
    }
    choices
}

/// No separate start, or a start a second to a year after the purchase.
fn starts() -> Vec<Choice> {
    let mut choices = vec![Choice::At(None)];
    for seconds in [1, HOUR, DAY, 3 * DAY, 40 * DAY, 365 * DAY] {
        choices.push(Choice::From(Anchor::Purchase, Offset::seconds(seconds)));
    }
    choices
}

/// Whole numbers of months the policy may count in: its periods and small whole numbers.
fn month_counts(literals: &Literals) -> Vec<i64> {
    let mut months: Vec<i64> = vec![1, 12];
    for m in literals.months.iter().copied().chain(literals.small_whole_numbers(120)) {
        push(&mut months, m);
    }
    months
}

/// No expiry, under a month, a week, a day, an hour; a month and each month count the policy
/// uses, a second and a day either side; several years.
fn terms(literals: &Literals) -> Vec<Choice> {
    let mut choices = vec![Choice::At(None)];
    let from_start = |months: i64, seconds: i64| Choice::From(Anchor::Start, Offset { months, seconds });
    // Under a month first: when a shorter term fails the same way, the shrunk counterexample
    // still reads as an ordinary order.
    for seconds in [28 * DAY, 7 * DAY, DAY, HOUR] {
        push(&mut choices, from_start(0, seconds));
    }
    for months in month_counts(literals).into_iter().filter(|m| *m > 0) {
        for seconds in [-DAY, -1, 0, 1, DAY] {
            push(&mut choices, from_start(months, seconds));
        }
    }
    push(&mut choices, from_start(36, 0));
    choices
}

/// Times held: at the start and a second, an hour, a day; each duration the policy writes and an
/// hour, a second either side; the end of each calendar date it may count to; each month count
/// and a second, a day either side; around the expiry; before the start; anywhere.
fn requests(literals: &Literals, setting: Setting) -> Vec<Choice> {
    let mut choices = Vec::new();
    let from_start = |months: i64, seconds: i64| Choice::From(Anchor::Start, Offset { months, seconds });
    for seconds in [0, 1, HOUR, DAY - 1, DAY, DAY + 1] {
        push(&mut choices, from_start(0, seconds));
    }
    let mut days: Vec<i64> = literals.small_whole_numbers(60);
    for seconds in &literals.seconds {
        for near in [-DAY, -HOUR, -1, 0, 1, HOUR, DAY] {
            push(&mut choices, from_start(0, seconds.saturating_add(near)));
        }
        if seconds % DAY == 0 && (0..=LONGEST * DAY).contains(seconds) {
            push(&mut days, seconds / DAY);
        }
    }
    for day in days {
        push(&mut choices, Choice::DayEnd { days: day, plus: 0 });
        push(&mut choices, Choice::DayEnd { days: day, plus: 1 });
    }
    for months in month_counts(literals) {
        for seconds in [-DAY, -1, 0, 1, DAY] {
            push(&mut choices, from_start(months, seconds));
        }
    }
    for seconds in [-DAY, -1, 0, 1, 30 * DAY] {
        push(&mut choices, Choice::From(Anchor::Expiry, Offset::seconds(seconds)));
    }
    for choice in purchased(literals, setting) {
        push(&mut choices, choice);
    }
    choices.push(Choice::BeforeStart);
    choices.push(Choice::Anywhere);
    choices
}

/// No discount, part of what was paid, as much again, three times as much; the policy's money
/// constants.
fn discounts(literals: &Literals, setting: Setting) -> Vec<Choice> {
    let mut choices: Vec<Choice> = [0, 10, 50, 100, 300].into_iter().map(Choice::DiscountPercent).collect();
    let unit = Decimal::new(1, setting.minor_units);
    for amount in &literals.money {
        for near in [amount.saturating_sub(unit), *amount, amount.saturating_add(unit)] {
            if !near.is_sign_negative() {
                push(&mut choices, Choice::Money(near));
            }
        }
    }
    choices
}

/// From none used to one past every count the policy compares with.
fn counts(literals: &Literals) -> Vec<Choice> {
    let highest = literals.small_whole_numbers(100).into_iter().max().unwrap_or(0).max(3);
    (0..=highest + 1).filter_map(|n| u32::try_from(n).ok()).map(Choice::Count).collect()
}

/// None, an ordinary and a non-refundable promotion, under each name the policy writes.
fn promotions(literals: &Literals) -> Vec<Choice> {
    let mut choices = vec![Choice::Promotion(None)];
    for name in std::iter::once("sale").chain(literals.texts.iter().map(String::as_str)) {
        choices.push(Choice::Promotion(Some((name.to_owned(), false))));
        choices.push(Choice::Promotion(Some((name.to_owned(), true))));
    }
    choices
}

/// None, and for a quota of 100 GB and each number the policy writes: none used, one under, at,
/// one over, and twice the quota.
fn traffic(literals: &Literals) -> Vec<Choice> {
    let mut choices = vec![Choice::Traffic(None), Choice::Traffic(Some((Decimal::ZERO, Decimal::ZERO)))];
    let mut quotas = vec![Decimal::ONE_HUNDRED];
    for number in literals.numbers.iter().filter(|n| **n >= Decimal::ONE && n.fract().is_zero()) {
        push(&mut quotas, *number);
    }
    for quota in quotas.into_iter().take(6) {
        for used in [
            Decimal::ZERO,
            quota.saturating_sub(Decimal::ONE),
            quota,
            quota.saturating_add(Decimal::ONE),
            quota.saturating_mul(Decimal::TWO),
        ] {
            push(&mut choices, Choice::Traffic(Some((used, quota))));
        }
    }
    choices
}

/// Every value of the attribute's type worth trying, and "not given" when it has a default.
fn attribute_choices(attribute: &AttributeDef, literals: &Literals, money: &[Decimal], bases: &[Order]) -> Vec<Choice> {
    use serde_json::Value as Json;
    let text = |t: String| Choice::Json(Some(Json::String(t)));
    let mut choices: Vec<Choice> = match (&attribute.value_type, attribute.declared.as_str()) {
        (Type::Money, _) => {
            let mut amounts = money.to_vec();
            for base in bases {
                let given = base.attributes.get(&attribute.name).and_then(|v| match v {
                    Json::String(s) => s.parse::<Decimal>().ok(),
                    Json::Number(n) => n.to_string().parse::<Decimal>().ok(),
                    _ => None,
                });
                for amount in given
                    .into_iter()
                    .flat_map(|g| [g / Decimal::TWO, g.saturating_mul(Decimal::TWO), g.saturating_mul(Decimal::TEN)])
                {
                    push(&mut amounts, with_scale(amount, 2));
                }
            }
            amounts.into_iter().map(|a| text(a.to_string())).collect()
        }
        (Type::Number, "percent") => {
            let mut percents: Vec<Decimal> = [0, 1, 50, 99, 100, 101, 150].into_iter().map(Decimal::from).collect();
            for number in &literals.numbers {
                let percent = number.saturating_mul(Decimal::ONE_HUNDRED);
                for near in [percent.saturating_sub(Decimal::ONE), percent, percent.saturating_add(Decimal::ONE)] {
                    push(&mut percents, near.normalize());
                }
            }
            percents.into_iter().map(|p| text(format!("{p}%"))).collect()
        }
        (Type::Number, declared) => {
            let mut numbers: Vec<Decimal> = [0, 1, 2, 3, 1_000].into_iter().map(Decimal::from).collect();
            for number in &literals.numbers {
                for near in [number.saturating_sub(Decimal::ONE), *number, number.saturating_add(Decimal::ONE)] {
                    push(&mut numbers, near);
                }
            }
            if declared == "count" {
                numbers.retain(|n| !n.is_sign_negative() && n.fract().is_zero());
            } else {
                push(&mut numbers, Decimal::NEGATIVE_ONE);
                push(&mut numbers, Decimal::new(5, 1));
            }
            numbers.into_iter().map(|n| text(n.to_string())).collect()
        }
        (Type::Duration, _) => {
            let mut seconds = vec![0, 1, HOUR, DAY];
            for s in &literals.seconds {
                for near in [s.saturating_sub(1), *s, s.saturating_add(1)] {
                    push(&mut seconds, near);
                }
            }
            seconds.into_iter().map(|s| Choice::Json(Some(Json::from(s)))).collect()
        }
        (Type::Bool, _) => vec![Choice::Json(Some(Json::Bool(false))), Choice::Json(Some(Json::Bool(true)))],
        (Type::Symbol(set), _) => members(set).into_iter().map(text).collect(),
        (Type::Instant, _) => {
            let anchors = [Anchor::Purchase, Anchor::Start, Anchor::Request, Anchor::Expiry];
            let offsets = [-DAY, -1, 0, 1, DAY];
            anchors
                .into_iter()
                .flat_map(|a| offsets.into_iter().map(move |s| Choice::AttributeAt(a, Offset::seconds(s))))
                .collect()
        }
        (Type::Date, _) => {
            let anchors = [Anchor::Purchase, Anchor::Start, Anchor::Request, Anchor::Expiry];
            anchors.into_iter().flat_map(|a| [-1, 0, 1].into_iter().map(move |d| Choice::AttributeDate(a, d))).collect()
        }
        (Type::Text, _) => std::iter::once(String::new()).chain(literals.texts.iter().cloned()).map(text).collect(),
        (Type::Period | Type::Group | Type::Error, _) => Vec::new(),
    };
    if attribute.default.is_some() {
        choices.push(Choice::Json(None));
    }
    choices
}

/// A knob and the values it is tried at.
#[derive(Debug, Clone)]
pub struct Dial {
    /// What it varies.
    pub knob: Knob,
    /// The values tried, edges first.
    pub choices: Vec<Choice>,
}

/// Whether a symbol set has members to try.
pub(super) fn members(set: &SymbolSet) -> Vec<String> {
    set.members().unwrap_or_default().iter().map(|m| (*m).to_owned()).collect()
}

/// Which knobs a policy that reads `fields` needs turned.
pub(super) fn reads_any(literals: &Literals, fields: &[Field]) -> bool {
    fields.iter().any(|f| literals.reads(*f))
}
