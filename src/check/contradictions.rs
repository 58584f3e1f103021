//! W011: a rule whose conditions can never all hold, so it never decides. Each condition (and
//! each part of a named condition it uses) is read as a test of one value against a constant;
//! two tests of the same value that no value passes together are a contradiction:
//! `order.term_months <= 1` and `order.term_months > 12`, `order.billing == subscription` and
//! `order.billing == pay_as_you_go`, `x == a` and `x != a`, `x is missing` and `x is present`.

use std::cmp::Ordering;

use crate::ast::{BinaryOp, UnaryOp};
use crate::check::Finding;
use crate::program::{Node, NodeKind, Program};
use crate::value::{Type, Value};

/// The most parts of conditions looked at in one rule: named conditions that use each other
/// twice (`let b = a and a`, `let c = b and b`, ...) would otherwise unfold into 2^n.
const MAX_VISITS: usize = 256;

/// What a condition says about one value.
#[derive(Debug, Clone)]
enum Test {
    /// Equal to a constant.
    Eq(Value),
    /// Not equal to a constant.
    Ne(Value),
    /// Below (`strict`: `<`, else `<=`) a constant.
    Below(Value, bool),
    /// Above (`strict`: `>`, else `>=`) a constant.
    Above(Value, bool),
    /// A true/false value is this.
    Is(bool),
    /// `is missing` (true) or `is present` (false).
    Missing(bool),
    /// `false`: holds for no order at all.
    Never,
}

/// A test of the value written as `subject`, from the condition `node`.
struct Fact<'p> {
    subject: &'p str,
    test: Test,
    node: &'p Node,
}

/// Warns about every rule whose conditions exclude each other.
pub(super) fn contradictions(problems: &mut Vec<Finding>, program: &Program, source: &str) {
    for rule in &program.rules {
        let mut facts = Vec::new();
        let mut visits = 0;
        for condition in &rule.conditions {
            read(program, source, condition, &mut facts, &mut visits);
        }
        if let Some(never) = facts.iter().find(|f| matches!(f.test, Test::Never)) {
            problems.push(
                Finding::warning(
                    "W011",
                    never.node.span,
                    format!("rule `{}` can never decide: its condition is `false`", rule.name),
                )
                .label("never holds")
                .help("remove the rule, or write the condition it should have"),
            );
            continue;
        }
        let clash = facts.iter().enumerate().find_map(|(index, later)| {
            facts.iter().take(index).find(|earlier| excludes(earlier, later)).map(|earlier| (earlier, later))
        });
        if let Some((earlier, later)) = clash {
            let first = earlier.node.span.text(source).trim();
            let second = later.node.span.text(source).trim();
            let line = super::line_of(source, earlier.node.span.start);
            problems.push(
                Finding::warning(
                    "W011",
                    later.node.span,
                    format!("rule `{}` can never decide: its conditions can never all hold", rule.name),
                )
                .label(format!("never holds together with `{first}` (line {line})"))
                .help(format!(
                    "no order has both `{first}` and `{second}`: correct one of them, or join them with `or` if either should do"
                )),
            );
        }
    }
}

/// The tests `node` makes when it holds, following `and`s and named conditions.
fn read<'p>(program: &'p Program, source: &'p str, node: &'p Node, facts: &mut Vec<Fact<'p>>, visits: &mut usize) {
    *visits += 1;
    if *visits > MAX_VISITS {
        return;
    }
    let subject = |n: &'p Node| n.span.text(source).trim();
    match &node.kind {
        NodeKind::Binary(BinaryOp::And, l, r) => {
            read(program, source, l, facts, visits);
            read(program, source, r, facts, visits);
        }
        NodeKind::Binary(op, l, r) => {
            let (value, constant, op) = match (&l.kind, &r.kind) {
                (_, NodeKind::Const(c)) => (&**l, c, *op),
                (NodeKind::Const(c), _) => (&**r, c, mirrored(*op)),
                _ => return,
            };
            let test = match op {
                BinaryOp::Eq => Test::Eq(constant.clone()),
                BinaryOp::Ne => Test::Ne(constant.clone()),
                BinaryOp::Lt => Test::Below(constant.clone(), true),
                BinaryOp::Le => Test::Below(constant.clone(), false),
                BinaryOp::Gt => Test::Above(constant.clone(), true),
                BinaryOp::Ge => Test::Above(constant.clone(), false),
                _ => return,
            };
            facts.push(Fact { subject: subject(value), test, node });
        }
        NodeKind::Unary(UnaryOp::Not, x) if is_named(x) => {
            facts.push(Fact { subject: subject(x), test: Test::Is(false), node });
        }
        NodeKind::Const(Value::Bool(false)) => facts.push(Fact { subject: "false", test: Test::Never, node }),
        NodeKind::IsMissing(x, missing) => {
            facts.push(Fact { subject: subject(x), test: Test::Missing(*missing), node })
        }
        NodeKind::Field(_) | NodeKind::Attribute(_) | NodeKind::Binding(_) if node.value_type == Type::Bool => {
            facts.push(Fact { subject: subject(node), test: Test::Is(true), node });
            // A named condition holds when its definition does.
            if let NodeKind::Binding(index) = &node.kind {
                if let Some(binding) = program.bindings.get(*index) {
                    read(program, source, &binding.value, facts, visits);
                }
            }
        }
        _ => {}
    }
}

/// A value read by name: an order field, an attribute, a `let`.
fn is_named(node: &Node) -> bool {
    matches!(node.kind, NodeKind::Field(_) | NodeKind::Attribute(_) | NodeKind::Binding(_))
}

/// `c < x` is `x > c`.
fn mirrored(op: BinaryOp) -> BinaryOp {
    match op {
        BinaryOp::Lt => BinaryOp::Gt,
        BinaryOp::Le => BinaryOp::Ge,
        BinaryOp::Gt => BinaryOp::Lt,
        BinaryOp::Ge => BinaryOp::Le,
        other => other,
    }
}

/// Whether no value passes both tests.
fn excludes(a: &Fact<'_>, b: &Fact<'_>) -> bool {
    if a.subject != b.subject {
        return false;
    }
    match (&a.test, &b.test) {
        (Test::Eq(x), Test::Eq(y)) => comparable(x, y) && x != y,
        (Test::Eq(x), Test::Ne(y)) | (Test::Ne(y), Test::Eq(x)) => x == y,
        (Test::Is(x), Test::Is(y)) | (Test::Missing(x), Test::Missing(y)) => x != y,
        (Test::Eq(x), Test::Below(..) | Test::Above(..)) => !passes(x, &b.test),
        (Test::Below(..) | Test::Above(..), Test::Eq(y)) => !passes(y, &a.test),
        (Test::Below(high, open_high), Test::Above(low, open_low))
        | (Test::Above(low, open_low), Test::Below(high, open_high)) => match high.compare(low) {
            Some(Ordering::Less) => true,
            Some(Ordering::Equal) => *open_high || *open_low,
            _ => false,
        },
        _ => false,
    }
}

/// Whether the constant `x` passes a bound.
fn passes(x: &Value, test: &Test) -> bool {
    match test {
        Test::Below(high, strict) => x.compare(high).is_none_or(|o| o.is_lt() || (!strict && o.is_eq())),
        Test::Above(low, strict) => x.compare(low).is_none_or(|o| o.is_gt() || (!strict && o.is_eq())),
        _ => true,
    }
}

/// Two constants of the same kind (a symbol and a number are never compared).
fn comparable(x: &Value, y: &Value) -> bool {
    std::mem::discriminant(x) == std::mem::discriminant(y)
}
