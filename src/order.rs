//! The order contract: what a billing system tells the engine about one refund request.
//!
//! Everything is validated before a policy sees it; a bad order gets an [`OrderError`] that
//! names the field by its JSON path, and nothing is guessed.

mod field;
mod strict;
mod unique;

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use field::Field;
pub(crate) use strict::parse_instant;
pub use strict::utf8_text;

/// One refund request: the order as billed, and when the refund was asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// The order's id, echoed in the decision.
    pub id: String,
    /// Who bought it.
    #[serde(default, deserialize_with = "strict::object")]
    pub account: Account,
    /// Prepaid subscription or pay-as-you-go.
    #[serde(deserialize_with = "strict::symbol")]
    pub billing: Billing,
    /// A new purchase, a renewal or an upgrade.
    #[serde(default, deserialize_with = "strict::symbol")]
    pub purchase: Purchase,
    /// ISO 4217 code; must equal the policy's currency.
    pub currency: String,
    /// When the order was paid.
    #[serde(deserialize_with = "strict::instant")]
    pub purchased_at: DateTime<FixedOffset>,
    /// When the service started (delivery); `purchased_at` when not given.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "strict::optional_instant")]
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// When the subscription ends; required for subscriptions.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "strict::optional_instant")]
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// When the refund was requested: the evaluation's "now".
    #[serde(deserialize_with = "strict::instant")]
    pub requested_at: DateTime<FixedOffset>,
    /// The undiscounted price of the whole term; required for subscriptions.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "strict::optional_amount")]
    pub list_price: Option<Decimal>,
    /// The price reduction off the list price (promotion, term discount).
    #[serde(default, deserialize_with = "strict::amount")]
    pub discount: Decimal,
    /// How the order was paid.
    #[serde(default, deserialize_with = "strict::object")]
    pub paid: Paid,
    /// The channel the cash came through.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "strict::optional_symbol")]
    pub payment_channel: Option<PaymentChannel>,
    /// Where the customer asked the money to go.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "strict::optional_symbol")]
    pub refund_to: Option<RefundTo>,
    /// The promotion the order was bought under.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "strict::optional_object")]
    pub promotion: Option<Promotion>,
    /// Traffic used against the plan's quota.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "strict::optional_object")]
    pub traffic: Option<Traffic>,
    /// The server was banned for violating the terms.
    #[serde(default)]
    pub banned_for_violation: bool,
    /// A frozen deposit (pay-as-you-go).
    #[serde(default, deserialize_with = "strict::amount")]
    pub deposit: Decimal,
    /// Provider-specific facts, typed by the policy's `attribute` declarations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty", deserialize_with = "unique::map")]
    pub attributes: BTreeMap<String, serde_json::Value>,
}

/// The buying account.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The account's id.
    #[serde(default)]
    pub id: String,
    /// Individual or enterprise.
    #[serde(default, deserialize_with = "strict::symbol")]
    pub kind: AccountKind,
    /// Money the account owes.
    #[serde(default, deserialize_with = "strict::amount")]
    pub arrears: Decimal,
    /// No-reason refunds already used in the quota period.
    #[serde(default)]
    pub no_reason_refunds_used: u32,
    /// The total refunded over the last 12 months (rolling caps).
    #[serde(default, deserialize_with = "strict::amount")]
    pub refunded_last_12_months: Decimal,
}

/// How the order was paid, part by part.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paid {
    /// Real money.
    #[serde(default, deserialize_with = "strict::amount")]
    pub cash: Decimal,
    /// Vouchers (coupons) applied.
    #[serde(default, deserialize_with = "strict::amount")]
    pub voucher: Decimal,
    /// Gift credit (赠送金) spent.
    #[serde(default, deserialize_with = "strict::amount")]
    pub gift: Decimal,
}

/// A promotion the order was bought under.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Promotion {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// The promotion says its orders cannot be refunded.
    #[serde(default)]
    pub non_refundable: bool,
}

/// Traffic used against a quota.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    /// Gigabytes used.
    #[serde(deserialize_with = "strict::amount")]
    pub used_gb: Decimal,
    /// Gigabytes included.
    #[serde(deserialize_with = "strict::amount")]
    pub quota_gb: Decimal,
}

/// How the order is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    /// Prepaid for a term (包年包月).
    Subscription,
    /// Billed for use (按量计费).
    PayAsYouGo,
}

/// What kind of purchase the order was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purchase {
    /// A new purchase (新购).
    #[default]
    New,
    /// A renewal (续费).
    Renewal,
    /// An upgrade (升配).
    Upgrade,
}

/// The channel the cash was paid through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentChannel {
    /// Alipay.
    Alipay,
    /// WeChat Pay.
    Wechat,
    /// A bank card.
    Card,
    /// A bank transfer.
    BankTransfer,
    /// The account balance.
    Balance,
}

/// Where the customer asked the refund to go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundTo {
    /// Back through the payment channel.
    Original,
    /// To the account balance.
    Balance,
}

/// The kind of account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountKind {
    /// A person.
    #[default]
    Individual,
    /// A company.
    Enterprise,
}

/// Why an order cannot be evaluated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// The JSON is not an order: syntax, a wrong type, an unknown or missing field.
    #[error("order field `{path}`: {message}")]
    Json {
        /// The JSON path of the field (`.` for the whole order).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A field's value breaks a rule of the contract.
    #[error("order field `{path}`: {message}")]
    Invalid {
        /// The JSON path of the field.
        path: String,
        /// What is wrong.
        message: String,
    },
}

impl OrderError {
    /// The JSON path of the field at fault.
    pub fn path(&self) -> &str {
        match self {
            OrderError::Json { path, .. } | OrderError::Invalid { path, .. } => path,
        }
    }

    fn invalid(path: &str, message: impl Into<String>) -> OrderError {
        OrderError::Invalid { path: path.to_owned(), message: message.into() }
    }
}

impl Order {
    /// Reads one order from JSON text and validates it. A key given twice anywhere, an amount
    /// that cannot be held exactly and a leap second are refused, naming the field.
    pub fn from_json(text: &str) -> Result<Order, OrderError> {
        // A byte-order mark is how some editors save UTF-8; it is not part of the JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let strict::Strict(order): strict::Strict<Order> =
            serde_path_to_error::deserialize(&mut deserializer).map_err(strict::json_error)?;
        deserializer.end().map_err(|e| OrderError::Json { path: ".".to_owned(), message: e.to_string() })?;
        order.validate()?;
        Ok(order)
    }

    /// Reads one order from the bytes of a file: [`Order::from_json`] once they are UTF-8 text.
    /// UTF-16 and UTF-32 (what some Windows tools save) and bytes that are not UTF-8 are refused
    /// with what to do about it, rather than as "expected value at line 1 column 1".
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Order, OrderError> {
        Order::from_json(strict::utf8_text(bytes)?)
    }

    /// Reads a JSON array of orders: each element read and validated on its own, so one bad
    /// order does not hide the others. The whole text is refused when it is not a JSON array,
    /// or when any object in it gives a key twice (the path says where: `[3].paid.cash`).
    pub fn from_json_list(text: &str) -> Result<Vec<Result<Order, OrderError>>, OrderError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let values: Vec<unique::UniqueKeys> =
            serde_path_to_error::deserialize(&mut deserializer).map_err(strict::json_error)?;
        deserializer.end().map_err(|e| OrderError::Json { path: ".".to_owned(), message: e.to_string() })?;
        Ok(values.into_iter().map(|unique::UniqueKeys(value)| Order::from_json_value(value)).collect())
    }

    /// Reads one order from a JSON value and validates it.
    ///
    /// A `serde_json::Value` has already lost any key the text gave twice (the last one won),
    /// so this cannot refuse them: read text with [`Order::from_json`] or
    /// [`Order::from_json_list`], which do.
    pub fn from_json_value(value: serde_json::Value) -> Result<Order, OrderError> {
        let strict::Strict(order): strict::Strict<Order> =
            serde_path_to_error::deserialize(value).map_err(strict::json_error)?;
        order.validate()?;
        Ok(order)
    }

    /// When the service started: `starts_at`, or `purchased_at` when not given.
    pub fn service_start(&self) -> DateTime<FixedOffset> {
        self.starts_at.unwrap_or(self.purchased_at)
    }

    /// The list price, or for pay-as-you-go orders without one, what was paid plus the discount.
    pub fn effective_list_price(&self) -> Decimal {
        self.list_price.unwrap_or_else(|| self.paid_total().saturating_add(self.discount))
    }

    /// Cash, voucher and gift together.
    pub fn paid_total(&self) -> Decimal {
        self.paid.cash.saturating_add(self.paid.voucher).saturating_add(self.paid.gift)
    }

    /// Checks the rules of the contract that JSON types cannot express.
    pub fn validate(&self) -> Result<(), OrderError> {
        visible_text("id", &self.id)?;
        if !self.account.id.is_empty() {
            visible_text("account.id", &self.account.id)?;
        }
        let minor_units = iso_currency::Currency::from_code(&self.currency)
            .ok_or_else(|| {
                OrderError::invalid("currency", format!("`{}` is not an ISO 4217 currency code", self.currency))
            })?
            .exponent()
            .map_or(0, u32::from);
        let money = [
            ("account.arrears", Some(self.account.arrears)),
            ("account.refunded_last_12_months", Some(self.account.refunded_last_12_months)),
            ("list_price", self.list_price),
            ("discount", Some(self.discount)),
            ("paid.cash", Some(self.paid.cash)),
            ("paid.voucher", Some(self.paid.voucher)),
            ("paid.gift", Some(self.paid.gift)),
            ("deposit", Some(self.deposit)),
        ];
        for (path, amount) in money {
            let Some(amount) = amount else { continue };
            not_negative(path, amount)?;
            if amount.normalize().scale() > minor_units {
                return Err(OrderError::invalid(
                    path,
                    format!("{amount} has more decimals than {} has ({minor_units})", self.currency),
                ));
            }
        }
        if let Some(traffic) = &self.traffic {
            not_negative("traffic.used_gb", traffic.used_gb)?;
            not_negative("traffic.quota_gb", traffic.quota_gb)?;
        }
        if self.requested_at < self.purchased_at {
            return Err(OrderError::invalid(
                "requested_at",
                format!("{} is before purchased_at {}", self.requested_at.to_rfc3339(), self.purchased_at.to_rfc3339()),
            ));
        }
        if let Some(starts_at) = self.starts_at.filter(|s| *s < self.purchased_at) {
            return Err(OrderError::invalid("starts_at", format!("{} is before purchased_at", starts_at.to_rfc3339())));
        }
        if let Some(expires_at) = self.expires_at.filter(|e| *e <= self.purchased_at) {
            return Err(OrderError::invalid(
                "expires_at",
                format!("{} is not after purchased_at", expires_at.to_rfc3339()),
            ));
        }
        if self.billing == Billing::Subscription {
            if self.expires_at.is_none() {
                return Err(OrderError::invalid("expires_at", "is required for a subscription"));
            }
            if self.list_price.is_none() {
                return Err(OrderError::invalid("list_price", "is required for a subscription"));
            }
        }
        if let Some(list_price) = self.list_price {
            if self.discount > list_price {
                return Err(OrderError::invalid(
                    "discount",
                    format!("{} is more than the list price {list_price}", self.discount),
                ));
            }
            let due = list_price - self.discount;
            let paid = self.paid_total();
            if (paid - due).abs() > Decimal::new(1, 2) {
                return Err(OrderError::invalid(
                    "paid",
                    format!(
                        "cash + voucher + gift = {paid}, but list_price - discount = {due} (they must agree within 0.01)"
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// Overlays `over` on `base`, object by object: how a base order and its changes combine (in
/// policy examples and in scenario files).
pub(crate) fn merge_json(base: &mut serde_json::Value, over: serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(base), serde_json::Value::Object(over)) => {
            for (key, value) in over {
                match base.get_mut(&key) {
                    Some(existing) => merge_json(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, over) => *base = over,
    }
}

/// An id must show something: not only spaces or invisible characters (a zero-width space or a
/// direction mark looks empty in every report), no control characters (they break lines and
/// terminals in reports and CSV) and no bidirectional overrides or isolates (they make an id
/// read as another one).
fn visible_text(path: &str, text: &str) -> Result<(), OrderError> {
    if let Some((at, control)) = text.chars().enumerate().find(|(_, c)| c.is_control()) {
        return Err(OrderError::invalid(
            path,
            format!("has a control character (U+{:04X}) at character {}: remove it", u32::from(control), at + 1),
        ));
    }
    let reorders = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
    if let Some((at, control)) = text.chars().enumerate().find(|(_, c)| reorders(*c)) {
        return Err(OrderError::invalid(
            path,
            format!(
                "has a bidirectional control (U+{:04X}) at character {}, which changes how the rest of a report \
                 line is shown: remove it",
                u32::from(control),
                at + 1
            ),
        ));
    }
    let invisible = |c: char| {
        c.is_whitespace()
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}' | '\u{034F}' | '\u{180E}')
    };
    if text.chars().all(invisible) {
        let message =
            if text.is_empty() { "must not be empty" } else { "must not be empty (it has only invisible characters)" };
        return Err(OrderError::invalid(path, message));
    }
    Ok(())
}

fn not_negative(path: &str, amount: Decimal) -> Result<(), OrderError> {
    if amount.is_sign_negative() && !amount.is_zero() {
        return Err(OrderError::invalid(path, format!("must not be negative, got {amount}")));
    }
    Ok(())
}

crate::names::enum_names! {
    Billing { Subscription => "subscription", PayAsYouGo => "pay_as_you_go" }
    Purchase { New => "new", Renewal => "renewal", Upgrade => "upgrade" }
    PaymentChannel { Alipay => "alipay", Wechat => "wechat", Card => "card", BankTransfer => "bank_transfer", Balance => "balance" }
    RefundTo { Original => "original", Balance => "balance" }
    AccountKind { Individual => "individual", Enterprise => "enterprise" }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The symbols a policy compares with are the names the JSON contract uses.
    #[test]
    fn symbols_are_the_json_names() {
        fn check<T: Copy + Serialize + Into<&'static str>>(values: &[T]) {
            for value in values {
                let json = serde_json::to_value(value).unwrap();
                assert_eq!(json.as_str(), Some((*value).into()));
            }
        }
        check(&[Billing::Subscription, Billing::PayAsYouGo]);
        check(&[Purchase::New, Purchase::Renewal, Purchase::Upgrade]);
        let channels = [PaymentChannel::Alipay, PaymentChannel::Wechat, PaymentChannel::Card];
        check(&channels);
        check(&[PaymentChannel::BankTransfer, PaymentChannel::Balance]);
        check(&[RefundTo::Original, RefundTo::Balance]);
        check(&[AccountKind::Individual, AccountKind::Enterprise]);
    }
}
