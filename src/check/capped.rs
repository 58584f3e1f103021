//! W008: a refund that may pay out more than the order paid. A receipt is read step by step,
//! keeping whether the running amount is at most what was paid: it starts so when its base is
//! an amount paid (or a share of one, or what is left of one), `plus` loses it, `cap X` gains
//! it when X is paid, `clamp LOW to HIGH` keeps it only when LOW is at most what was paid too
//! (`clamp 2000.00 CNY to order.paid.cash` pays 2,000 on a 400 order).
//!
//! What was paid comes in parts that may be added but not counted twice: the cash, the
//! voucher and the gift money (the three are the total); the deposit, which is refunded on its
//! own; and each money attribute whose largest value the policy declares (`at most`).

use rust_decimal::Decimal;

use crate::ast::{BinaryOp, StepKind, UnaryOp};
use crate::check::Finding;
use crate::order::Field;
use crate::program::{ActionDef, Builtin, Node, NodeKind, Program};
use crate::value::{Type, Value};

/// The parts of what was paid that an amount is at most the sum of, as bits.
type Paid = u64;

const CASH: Paid = 1;
const VOUCHER: Paid = 2;
const GIFT: Paid = 4;
const TOTAL: Paid = CASH | VOUCHER | GIFT;
const DEPOSIT: Paid = 8;
/// The first bit of the attributes with a declared largest value.
const FIRST_ATTRIBUTE: u32 = 4;

/// Warns about every refund part whose final amount is not at most what was paid.
pub(super) fn uncapped(problems: &mut Vec<Finding>, program: &Program) {
    let mut known = Known { program, bindings: vec![None; program.bindings.len()] };
    let known = &mut known;
    for rule in &program.rules {
        let ActionDef::Refund { parts, .. } = &rule.action else { continue };
        for part in parts {
            if part.base.value_type == Type::Error {
                continue;
            }
            let mut capped = paid(known, &part.base).is_some();
            // Where the refund last lost its bound, when a step lost it.
            let mut blame = None;
            for step in &part.steps {
                let was = capped;
                capped = match step.kind {
                    StepKind::Plus => false,
                    StepKind::Less => capped && !negative(&step.value),
                    StepKind::Deduct | StepKind::Offset | StepKind::ZeroBelow | StepKind::ReviewWhen => capped,
                    StepKind::Cap => capped || paid(known, &step.value).is_some(),
                    StepKind::Clamp => {
                        let high = step.upper.as_ref().is_some_and(|high| paid(known, high).is_some());
                        let low = is_zero(&step.value) || paid(known, &step.value).is_some();
                        if (was || high) && !low {
                            blame = Some((step.value.span, "this lower bound may be more than was paid"));
                        }
                        (was || high) && low
                    }
                };
                if was && !capped && step.kind != StepKind::Clamp {
                    blame = Some((step.span, "this step may take the refund above what was paid"));
                }
                if capped {
                    blame = None;
                }
            }
            if !capped {
                let (span, label) = blame.unwrap_or((part.base.span, "may exceed the amount paid"));
                problems.push(
                    Finding::warning("W008", span, "this refund is not capped by what was paid")
                        .label(label)
                        .help("end the receipt with `clamp 0.00 ... to order.paid.cash` or `cap order.paid.cash` (a cap by a constant or by the list price does not keep a refund within what was paid)"),
                );
            }
        }
    }
}

/// The program, and what is known of each binding so far: a name used twice in the next one
/// (`let b = min(a, a)`, `let c = min(b, b)`, ...) is looked at once, not 2^n times.
struct Known<'p> {
    program: &'p Program,
    bindings: Vec<Option<Option<Paid>>>,
}

/// The parts of what was paid that `node` is at most the sum of, or `None` when it may be more.
fn paid(known: &mut Known<'_>, node: &Node) -> Option<Paid> {
    let program = known.program;
    let only = |parts: Paid| (parts & DEPOSIT == 0 || parts == DEPOSIT).then_some(parts);
    match &node.kind {
        NodeKind::Field(field) => match field {
            Field::PaidCash => Some(CASH),
            Field::PaidVoucher => Some(VOUCHER),
            Field::PaidGift => Some(GIFT),
            Field::PaidTotal => Some(TOTAL),
            Field::Deposit => Some(DEPOSIT),
            _ => None,
        },
        NodeKind::Attribute(index) => {
            let bounded =
                program.attributes.get(*index).is_some_and(|a| a.at_most.is_some() && a.value_type == Type::Money);
            let bit = u32::try_from(*index).ok()?.checked_add(FIRST_ATTRIBUTE)?;
            bounded.then(|| 1u64.checked_shl(bit)).flatten()
        }
        NodeKind::Binding(index) => {
            if let Some(Some(seen)) = known.bindings.get(*index) {
                return *seen;
            }
            let parts = program.bindings.get(*index).and_then(|b| paid(known, &b.value));
            if let Some(slot) = known.bindings.get_mut(*index) {
                *slot = Some(parts);
            }
            parts
        }
        // Parts may be added, each counted once: cash + voucher is at most the total.
        NodeKind::Binary(BinaryOp::Add, l, r) => {
            let (l, r) = (paid(known, l)?, paid(known, r)?);
            if l & r != 0 {
                return None;
            }
            only(l | r)
        }
        NodeKind::Binary(BinaryOp::Sub, l, r) => paid(known, l).filter(|_| !negative(r)),
        NodeKind::Binary(BinaryOp::Mul, l, r) => {
            let left = paid(known, l).filter(|_| share(program, r));
            left.or_else(|| paid(known, r).filter(|_| share(program, l)))
        }
        NodeKind::Binary(BinaryOp::Div, l, r) => {
            paid(known, l).filter(|_| constant(r).is_some_and(|x| x >= Decimal::ONE))
        }
        NodeKind::Call(Builtin::Min, args) => args.iter().filter_map(|a| paid(known, a)).min_by_key(|p| p.count_ones()),
        // Rounding moves an amount by less than a step: close enough to what was paid.
        NodeKind::Call(Builtin::Max | Builtin::Round | Builtin::Floor | Builtin::Ceil, args) => {
            let first = paid(known, args.first()?)?;
            let mut parts = first;
            // `max(x, 0.00 CNY)` is at most x or zero.
            for other in args.iter().skip(1).filter(|a| a.value_type == Type::Money && !is_zero(a)) {
                parts |= paid(known, other)?;
            }
            only(parts)
        }
        // `clamp(x, low, high)` like the step: at most high (or x), unless low is more.
        NodeKind::Call(Builtin::Clamp, args) => {
            let [x, low, high] = args.as_slice() else { return None };
            let low = if is_zero(low) { 0 } else { paid(known, low)? };
            let upper = paid(known, high).or_else(|| paid(known, x))?;
            only(low | upper)
        }
        NodeKind::If(_, a, b) => only(paid(known, a)? | paid(known, b)?),
        _ => None,
    }
}

/// A factor between 0 and 1: a constant, or a table whose values all are.
fn share(program: &Program, node: &Node) -> bool {
    let fraction = |x: &Decimal| *x >= Decimal::ZERO && *x <= Decimal::ONE;
    match &node.kind {
        NodeKind::Const(Value::Number(x)) => fraction(x),
        NodeKind::Table(index, _) => program
            .tables
            .get(*index)
            .is_some_and(|t| t.rows.iter().all(|(_, v)| matches!(v, Value::Number(x) if fraction(x)))),
        _ => false,
    }
}

fn constant(node: &Node) -> Option<Decimal> {
    match &node.kind {
        NodeKind::Const(Value::Number(x)) => Some(*x),
        _ => None,
    }
}

fn is_zero(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Const(Value::Money(x)) if x.is_zero())
}

/// Below zero for certain: a negative constant, or a negated value. (Whether a difference is
/// negative is not known here; a policy subtracting what it computed is given the benefit.)
fn negative(node: &Node) -> bool {
    match &node.kind {
        NodeKind::Const(Value::Money(x) | Value::Number(x)) => x.is_sign_negative() && !x.is_zero(),
        NodeKind::Unary(UnaryOp::Neg, _) => true,
        _ => false,
    }
}
