//! Which operations are allowed on which types, and what they give.

use crate::ast::{BinaryOp, UnaryOp};
use crate::program::Builtin;
use crate::value::{SymbolSet, Type};

/// Why an operation does not type: a message and, where there is one, how to fix it.
pub(super) type Mismatch = (String, Option<String>);

fn mismatch(message: String, help: Option<&str>) -> Mismatch {
    (message, help.map(str::to_owned))
}

/// Whether values of these types can be compared for order (`<`, `min`, ...).
pub(super) fn is_ordered(t: &Type) -> bool {
    matches!(t, Type::Money | Type::Number | Type::Duration | Type::Instant | Type::Date)
}

/// Whether two types can be compared with `==`: the same type, or a symbol with a bare name.
pub(super) fn comparable(l: &Type, r: &Type) -> bool {
    match (l, r) {
        (Type::Symbol(a), Type::Symbol(b)) => match (a, b) {
            (SymbolSet::Free(_), _) | (_, SymbolSet::Free(_)) => true,
            _ => a.name() == b.name(),
        },
        _ => l == r,
    }
}

/// The type of `l OP r`.
pub(crate) fn binary(op: BinaryOp, l: &Type, r: &Type) -> Result<Type, Mismatch> {
    use Type::*;
    if *l == Error || *r == Error {
        return Ok(if matches!(op, BinaryOp::Or | BinaryOp::And) || is_comparison(op) { Bool } else { Error });
    }
    let result = match op {
        BinaryOp::Or | BinaryOp::And => (*l == Bool && *r == Bool).then_some(Bool),
        BinaryOp::Eq | BinaryOp::Ne => comparable(l, r).then_some(Bool),
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            if matches!((l, r), (Duration, Period) | (Period, Duration)) {
                return Err(mismatch(
                    "a month or a year has no fixed length, so it cannot be compared with a duration".into(),
                    Some("compare instants instead: `order.requested_at < order.purchased_at + 1 month`, or count with `whole_months(from, to)`"),
                ));
            }
            (l == r && is_ordered(l)).then_some(Bool)
        }
        BinaryOp::Add => match (l, r) {
            (Money, Money) => Some(Money),
            (Number, Number) => Some(Number),
            (Duration, Duration) => Some(Duration),
            (Period, Period) => Some(Period),
            (Instant, Duration | Period) | (Duration | Period, Instant) => Some(Instant),
            (Date, Duration | Period) | (Duration | Period, Date) => Some(Date),
            _ => None,
        },
        BinaryOp::Sub => match (l, r) {
            (Money, Money) => Some(Money),
            (Number, Number) => Some(Number),
            (Duration, Duration) => Some(Duration),
            (Period, Period) => Some(Period),
            (Instant, Instant) | (Date, Date) => Some(Duration),
            (Instant, Duration | Period) => Some(Instant),
            (Date, Duration | Period) => Some(Date),
            _ => None,
        },
        BinaryOp::Mul => match (l, r) {
            (Money, Number) | (Number, Money) => Some(Money),
            (Number, Number) => Some(Number),
            (Duration, Number) | (Number, Duration) => Some(Duration),
            (Period, Number) | (Number, Period) => Some(Period),
            (Money, Money) => {
                return Err(mismatch(
                    "money times money has no meaning".into(),
                    Some("multiply money by a number or a percentage: `order.list_price * 10%`"),
                ))
            }
            _ => None,
        },
        BinaryOp::Div => match (l, r) {
            (Money, Number) => Some(Money),
            (Money, Money) | (Number, Number) | (Duration, Duration) => Some(Number),
            (Duration, Number) => Some(Duration),
            _ => None,
        },
    };
    result.ok_or_else(|| {
        let help = match (l, r) {
            (Money, Duration) | (Duration, Money) if matches!(op, BinaryOp::Mul | BinaryOp::Div) => {
                Some("turn the duration into a number first: `held / 1 day` is the number of days")
            }
            (Money, Duration) | (Duration, Money) => {
                Some("work out the amount for the time first, such as `daily_price * (held / 1 day)`")
            }
            (Money, Number) | (Number, Money) if is_comparison(op) => {
                Some("write the number as money, with its currency: `10.00 CNY`")
            }
            (Symbol(_), Symbol(_)) => Some("these symbols come from different sets"),
            _ => None,
        };
        mismatch(format!("`{}` cannot be applied to {l} and {r}", op.as_str()), help)
    })
}

fn is_comparison(op: BinaryOp) -> bool {
    matches!(op, BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge)
}

/// The type of `OP x`.
pub(super) fn unary(op: UnaryOp, t: &Type) -> Result<Type, Mismatch> {
    match (op, t) {
        (_, Type::Error) => Ok(Type::Error),
        (UnaryOp::Not, Type::Bool) => Ok(Type::Bool),
        (UnaryOp::Neg, Type::Money | Type::Number | Type::Duration) => Ok(t.clone()),
        (UnaryOp::Not, _) => Err(mismatch(format!("`not` needs true/false, found {t}"), None)),
        (UnaryOp::Neg, _) => Err(mismatch(format!("`-` cannot be applied to {t}"), None)),
    }
}

/// The type a built-in returns for these argument types.
pub(super) fn builtin(function: Builtin, args: &[Type]) -> Result<Type, Mismatch> {
    use Type::*;
    if args.contains(&Error) {
        return Ok(Error);
    }
    let wrong = |usage: &str| Err(mismatch(format!("`{usage}` cannot take {}", describe(args)), None));
    match (function, args) {
        (Builtin::Min | Builtin::Max, [first, rest @ ..]) if !rest.is_empty() => {
            if is_ordered(first) && rest.iter().all(|t| t == first) {
                Ok(first.clone())
            } else {
                wrong("min(a, b, ...)` / `max(a, b, ...)")
            }
        }
        (Builtin::Clamp, [x, low, high]) if is_ordered(x) && x == low && x == high => Ok(x.clone()),
        (Builtin::Clamp, _) => wrong("clamp(value, low, high)"),
        (Builtin::Abs, [x @ (Money | Number | Duration)]) => Ok(x.clone()),
        (Builtin::Round, [x @ (Money | Number), Number, Symbol(_)]) => Ok(x.clone()),
        (Builtin::Round, [Duration, Duration, Symbol(_)]) => Ok(Duration),
        (Builtin::Round, _) => Err(mismatch(
            format!("`round(value, step, mode)` cannot take {}", describe(args)),
            Some("for example `round(order.list_price * used_days / term_days, 0.01, half_up)`"),
        )),
        (Builtin::Floor | Builtin::Ceil, [x @ (Money | Number)] | [x @ (Money | Number), Number]) => Ok(x.clone()),
        (Builtin::Floor | Builtin::Ceil, [Duration, Duration]) => Ok(Duration),
        (Builtin::Floor | Builtin::Ceil, [Instant, Duration | Period]) => Ok(Instant),
        (Builtin::Floor | Builtin::Ceil, [Duration]) => Err(mismatch(
            "rounding a duration needs a unit".into(),
            Some("write `ceil(held, 1 day)` for a duration, or `ceil(held / 1 day)` for a number of days"),
        )),
        (Builtin::Floor | Builtin::Ceil, _) => wrong("floor(value, step)` / `ceil(value, step)"),
        (Builtin::WholeMonths, [Instant, Instant] | [Date, Date]) => Ok(Number),
        (Builtin::WholeMonths, _) => wrong("whole_months(from, to)"),
        (Builtin::Date, [Instant]) => Ok(Date),
        (Builtin::Date, _) => wrong("date(instant)"),
        (Builtin::Min | Builtin::Max, _) => wrong("min(a, b, ...)` / `max(a, b, ...)"),
        (Builtin::Abs, _) => wrong("abs(value)"),
    }
}

fn describe(args: &[Type]) -> String {
    match args {
        [] => "no arguments".to_owned(),
        _ => args.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
    }
}
