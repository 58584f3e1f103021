//! The order fields a policy can read, by path, with their types.

use std::sync::Arc;

use crate::order::{AccountKind, Billing, Order, PaymentChannel, Purchase, RefundTo};
use crate::value::{Name, SymbolSet, Type, Value};

macro_rules! fields {
    ($($variant:ident => $path:literal : $ty:expr, |$o:ident| $get:expr;)*) => {
        /// An order field a policy can read, such as `order.paid.cash`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Field {
            $(
                #[doc = concat!("`order.", $path, "`")]
                $variant,
            )*
        }

        impl Field {
            /// Every field, in the order of the contract.
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            /// The path after `order.`.
            pub fn path(self) -> &'static str {
                match self {
                    $(Field::$variant => $path,)*
                }
            }

            /// The field's type.
            pub fn value_type(self) -> Type {
                match self {
                    $(Field::$variant => $ty,)*
                }
            }

            /// Reads the field from an order.
            pub fn read(self, order: &Order) -> Value {
                match self {
                    $(Field::$variant => { let $o = order; $get })*
                }
            }
        }
    };
}

const BILLING: SymbolSet = SymbolSet::Known("billing kind", Billing::NAMES);
const PURCHASE: SymbolSet = SymbolSet::Known("purchase kind", Purchase::NAMES);
const CHANNEL: SymbolSet = SymbolSet::Known("payment channel", PaymentChannel::NAMES);
const REFUND_TO: SymbolSet = SymbolSet::Known("refund preference", RefundTo::NAMES);
const ACCOUNT_KIND: SymbolSet = SymbolSet::Known("account kind", AccountKind::NAMES);

fn symbol<T: Copy + Into<&'static str>>(value: &T) -> Value {
    Value::Symbol(Name::Static((*value).into()))
}

fn optional<T>(value: Option<T>, to_value: impl FnOnce(T) -> Value) -> Value {
    value.map_or(Value::Missing, to_value)
}

fn text(value: &str) -> Value {
    Value::Text(Arc::from(value))
}

fn count(value: u32) -> Value {
    Value::Number(value.into())
}

fields! {
    Id => "id": Type::Text, |o| text(&o.id);
    AccountId => "account.id": Type::Text, |o| text(&o.account.id);
    AccountKind => "account.kind": Type::Symbol(ACCOUNT_KIND), |o| symbol(&o.account.kind);
    AccountArrears => "account.arrears": Type::Money, |o| Value::Money(o.account.arrears);
    NoReasonRefundsUsed => "account.no_reason_refunds_used": Type::Number,
        |o| count(o.account.no_reason_refunds_used);
    RefundedLast12Months => "account.refunded_last_12_months": Type::Money,
        |o| Value::Money(o.account.refunded_last_12_months);
    Billing => "billing": Type::Symbol(BILLING), |o| symbol(&o.billing);
    Purchase => "purchase": Type::Symbol(PURCHASE), |o| symbol(&o.purchase);
    Currency => "currency": Type::Text, |o| text(&o.currency);
    PurchasedAt => "purchased_at": Type::Instant, |o| Value::Instant(o.purchased_at);
    StartsAt => "starts_at": Type::Instant, |o| Value::Instant(o.service_start());
    ExpiresAt => "expires_at": Type::Instant, |o| optional(o.expires_at, Value::Instant);
    RequestedAt => "requested_at": Type::Instant, |o| Value::Instant(o.requested_at);
    ListPrice => "list_price": Type::Money, |o| Value::Money(o.effective_list_price());
    Discount => "discount": Type::Money, |o| Value::Money(o.discount);
    PaidCash => "paid.cash": Type::Money, |o| Value::Money(o.paid.cash);
    PaidVoucher => "paid.voucher": Type::Money, |o| Value::Money(o.paid.voucher);
    PaidGift => "paid.gift": Type::Money, |o| Value::Money(o.paid.gift);
    PaidTotal => "paid.total": Type::Money, |o| Value::Money(o.paid_total());
    PaymentChannel => "payment_channel": Type::Symbol(CHANNEL), |o| optional(o.payment_channel.as_ref(), symbol);
    RefundTo => "refund_to": Type::Symbol(REFUND_TO), |o| optional(o.refund_to.as_ref(), symbol);
    Promotion => "promotion": Type::Group, |o| optional(o.promotion.as_ref(), |_| Value::Bool(true));
    PromotionName => "promotion.name": Type::Text, |o| optional(o.promotion.as_ref(), |p| text(&p.name));
    PromotionNonRefundable => "promotion.non_refundable": Type::Bool,
        |o| Value::Bool(o.promotion.as_ref().is_some_and(|p| p.non_refundable));
    Traffic => "traffic": Type::Group, |o| optional(o.traffic.as_ref(), |_| Value::Bool(true));
    TrafficUsedGb => "traffic.used_gb": Type::Number, |o| optional(o.traffic.as_ref(), |t| Value::Number(t.used_gb));
    TrafficQuotaGb => "traffic.quota_gb": Type::Number, |o| optional(o.traffic.as_ref(), |t| Value::Number(t.quota_gb));
    BannedForViolation => "banned_for_violation": Type::Bool, |o| Value::Bool(o.banned_for_violation);
    Deposit => "deposit": Type::Money, |o| Value::Money(o.deposit);
}

impl Field {
    /// The field at `path` (the part after `order.`).
    pub fn from_path(path: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.path() == path)
    }
}
