//! Values computed by a policy, and their types.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

/// A value computed while evaluating a policy.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// An amount in the policy's currency.
    Money(Decimal),
    /// A plain number (counts and percentages too: `10%` is 0.10).
    Number(Decimal),
    /// An exact length of time, in seconds.
    Duration(Decimal),
    /// A number of calendar months (a year is 12).
    Period(i64),
    /// A moment, with the UTC offset it was written in.
    Instant(DateTime<FixedOffset>),
    /// A calendar date in the policy's time zone.
    Date(NaiveDate),
    /// True or false.
    Bool(bool),
    /// Text.
    Text(Arc<str>),
    /// A symbol such as `subscription`.
    Symbol(Name),
    /// An optional order field that the order did not give.
    Missing,
}

impl Value {
    /// How two values of the same ordered type compare; `None` for values that have no order
    /// between them (a symbol and an amount, two texts, a missing value). The checker uses this
    /// to compare constants, the evaluator to run `<` and friends.
    pub fn compare(&self, other: &Value) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Value::Money(x), Value::Money(y))
            | (Value::Number(x), Value::Number(y))
            | (Value::Duration(x), Value::Duration(y)) => Some(x.cmp(y)),
            (Value::Period(x), Value::Period(y)) => Some(x.cmp(y)),
            (Value::Instant(x), Value::Instant(y)) => Some(x.cmp(y)),
            (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
            _ => None,
        }
    }
}

/// A symbol's text: borrowed for the symbols of the order contract (no allocation when an
/// order field is read), shared for those written in a policy or an attribute.
#[derive(Debug, Clone)]
pub enum Name {
    /// A symbol the engine knows by heart (`subscription`, `alipay`).
    Static(&'static str),
    /// A symbol from a policy or an order's attributes.
    Shared(Arc<str>),
}

impl Name {
    /// The symbol's text.
    pub fn as_str(&self) -> &str {
        match self {
            Name::Static(text) => text,
            Name::Shared(text) => text,
        }
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Name {
    fn from(text: &str) -> Name {
        Name::Shared(Arc::from(text))
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The static type of an expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// Money in the policy's currency.
    Money,
    /// A number.
    Number,
    /// An exact length of time.
    Duration,
    /// Calendar months.
    Period,
    /// A moment.
    Instant,
    /// A calendar date.
    Date,
    /// True or false.
    Bool,
    /// Text.
    Text,
    /// A symbol from a known set.
    Symbol(SymbolSet),
    /// An optional group of order fields (`order.traffic`): only `is missing` applies.
    Group,
    /// The type of an expression that already has an error (stops cascades).
    Error,
}

/// A set of symbols a value may be one of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SymbolSet {
    /// A set with a name and its members.
    Known(&'static str, &'static [&'static str]),
    /// The members declared by an attribute's `one_of(...)`.
    Declared(String, Vec<String>),
    /// A bare name written in the policy whose set is given by what it is compared with.
    Free(String),
}

impl SymbolSet {
    /// The members, or `None` for a free symbol.
    pub fn members(&self) -> Option<Vec<&str>> {
        match self {
            SymbolSet::Known(_, members) => Some(members.to_vec()),
            SymbolSet::Declared(_, members) => Some(members.iter().map(String::as_str).collect()),
            SymbolSet::Free(_) => None,
        }
    }

    /// What the set is called in messages.
    pub fn name(&self) -> &str {
        match self {
            SymbolSet::Known(name, _) => name,
            SymbolSet::Declared(name, _) | SymbolSet::Free(name) => name,
        }
    }
}

/// How a number may be rounded.
pub const ROUNDING_MODES: SymbolSet =
    SymbolSet::Known("rounding mode", &["half_up", "half_even", "half_down", "up", "down"]);

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Type::Money => "money",
            Type::Number => "a number",
            Type::Duration => "a duration",
            Type::Period => "a calendar period (months or years)",
            Type::Instant => "an instant",
            Type::Date => "a date",
            Type::Bool => "true/false",
            Type::Text => "text",
            Type::Symbol(set) => return write!(f, "a {}", set.name()),
            Type::Group => "a group of order fields",
            Type::Error => "an unknown type",
        };
        f.write_str(name)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Money(amount) => write!(f, "{}", money_text(*amount)),
            Value::Number(n) => write!(f, "{}", n.normalize()),
            Value::Duration(seconds) => write!(f, "{}", duration_text(*seconds)),
            Value::Period(months) if months % 12 == 0 => plural(f, months / 12, "year"),
            Value::Period(months) => plural(f, *months, "month"),
            Value::Instant(at) => write!(f, "{}", at.to_rfc3339()),
            Value::Date(day) => write!(f, "{day}"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Text(text) => write!(f, "{text:?}"),
            Value::Symbol(symbol) => write!(f, "{symbol}"),
            Value::Missing => f.write_str("missing"),
        }
    }
}

fn plural(f: &mut fmt::Formatter<'_>, count: i64, unit: &str) -> fmt::Result {
    let s = if count == 1 { "" } else { "s" };
    write!(f, "{count} {unit}{s}")
}

/// Money as people write it: at least two decimals, no trailing zeros beyond them.
pub fn money_text(amount: Decimal) -> String {
    let normal = amount.normalize();
    if normal.scale() < 2 {
        let mut padded = normal;
        padded.rescale(2);
        padded.to_string()
    } else {
        normal.to_string()
    }
}

/// A duration as people say it: "5 days 0 hours", "2 hours 30 minutes".
pub fn duration_text(seconds: Decimal) -> String {
    let negative = seconds.is_sign_negative() && !seconds.is_zero();
    let total = seconds.abs();
    let whole = total.trunc();
    let fraction = total - whole;
    let whole: i128 = whole.mantissa() / 10i128.pow(whole.scale());
    let (days, rest) = (whole / 86_400, whole % 86_400);
    let (hours, rest) = (rest / 3_600, rest % 3_600);
    let (minutes, secs) = (rest / 60, rest % 60);
    let mut parts = Vec::new();
    if days > 0 {
        parts.push(format!("{days} day{}", if days == 1 { "" } else { "s" }));
    }
    parts.push(format!("{hours} hour{}", if hours == 1 { "" } else { "s" }));
    if minutes > 0 || secs > 0 || !fraction.is_zero() {
        parts.push(format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" }));
    }
    if secs > 0 || !fraction.is_zero() {
        let secs = (Decimal::from(secs as i64) + fraction).normalize();
        parts.push(format!("{secs} second{}", if secs == Decimal::ONE { "" } else { "s" }));
    }
    let text = parts.join(" ");
    if negative {
        format!("minus {text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rounding_mode_is_written_one_way() {
        use crate::money::Rounding::{self, *};
        for mode in [HalfUp, HalfEven, HalfDown, Up, Down, Floor, Ceiling] {
            let json = serde_json::to_value(mode).unwrap();
            assert_eq!(json, mode.as_str(), "serde and as_str() differ for {mode:?}");
            let listed = super::ROUNDING_MODES.members().is_some_and(|m| m.contains(&mode.as_str()));
            assert_eq!(listed, mode.is_written_in_policies(), "ROUNDING_MODES and {mode:?}");
            assert_eq!(Rounding::from_name(mode.as_str()), Some(mode));
        }
    }

    use super::*;

    #[test]
    fn durations_read_like_speech() {
        assert_eq!(duration_text(Decimal::from(432_000)), "5 days 0 hours");
        assert_eq!(duration_text(Decimal::from(9_000)), "2 hours 30 minutes");
        assert_eq!(duration_text(Decimal::from(86_401)), "1 day 0 hours 0 minutes 1 second");
        assert_eq!(duration_text(Decimal::new(15, 1)), "0 hours 0 minutes 1.5 seconds");
    }

    #[test]
    fn money_keeps_two_decimals() {
        assert_eq!(money_text(Decimal::new(9, 0)), "9.00");
        assert_eq!(money_text(Decimal::new(137_000, 4)), "13.70");
        assert_eq!(money_text(Decimal::new(136_986, 4)), "13.6986");
    }
}
