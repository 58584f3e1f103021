//! Showing how a value was computed, for receipts: `used_fee = round(order.list_price *
//! used_days / term_days, 0.01, half_up) = round(1000.00 * 5 / 365, 0.01, half_up) = 13.70`.

use super::expr::Env;
use crate::ast::{BinaryOp, UnaryOp};
use crate::program::{Builtin, Node, NodeKind};
use crate::value::{money_text, Value};

impl Env<'_, '_> {
    /// How `node` was computed, from its names to its numbers; `None` for a plain constant.
    pub fn show(&mut self, node: &Node) -> Option<String> {
        let value = shown(&self.eval(node).ok()?);
        let program = self.program;
        let (head, body) = match &node.kind {
            NodeKind::Const(_) | NodeKind::Amount => return None,
            NodeKind::Binding(index) => {
                let binding = program.bindings.get(*index)?;
                (Some(binding.name.clone()), &binding.value)
            }
            _ => (None, node),
        };
        let mut parts: Vec<String> = head.into_iter().collect();
        for with_values in [false, true] {
            let text = self.render(body, with_values);
            if parts.last() != Some(&text) && text != value {
                parts.push(text);
            }
        }
        parts.push(value);
        Some(parts.join(" = "))
    }

    /// `node` written out, with names or with their current values.
    fn render(&mut self, node: &Node, with_values: bool) -> String {
        let program = self.program;
        let read = |env: &mut Self, name: String| {
            if with_values {
                env.eval(node).map(|v| bracketed(shown(&v))).unwrap_or(name)
            } else {
                name
            }
        };
        match &node.kind {
            NodeKind::Const(value) => shown(value),
            NodeKind::Amount => shown(&Value::Money(self.amount)),
            NodeKind::Field(field) => read(self, format!("order.{}", field.path())),
            NodeKind::Attribute(index) => {
                let name = program.attributes.get(*index).map_or("?", |a| a.name.as_str());
                read(self, format!("order.attributes.{name}"))
            }
            NodeKind::Binding(index) => {
                let name = program.bindings.get(*index).map_or("?", |b| b.name.as_str()).to_owned();
                read(self, name)
            }
            NodeKind::Table(index, args) => {
                let name = program.tables.get(*index).map_or("?", |t| t.name.as_str()).to_owned();
                let call = format!("{name}({})", self.list(args, false));
                if with_values {
                    read(self, call)
                } else {
                    call
                }
            }
            NodeKind::Call(builtin, args) => {
                let name = Builtin::ALL.iter().find(|(_, b)| b == builtin).map_or("?", |(n, _)| n);
                format!("{name}({})", self.list(args, with_values))
            }
            NodeKind::Unary(op, x) => {
                let inner = self.operand(x, 7, with_values);
                match op {
                    UnaryOp::Neg => format!("-{inner}"),
                    UnaryOp::Not => format!("not {inner}"),
                }
            }
            NodeKind::Binary(op, l, r) => {
                let level = level(*op);
                let left = self.operand(l, level, with_values);
                // `a - (b - c)`, `a * (b / c)`: a right side at the same level keeps its brackets.
                let right_level = if *op == BinaryOp::Add { level } else { level + 1 };
                let right = self.operand(r, right_level, with_values);
                format!("{left} {} {right}", op.as_str())
            }
            NodeKind::IsMissing(x, missing) => {
                let inner = self.render(x, with_values);
                format!("{inner} is {}", if *missing { "missing" } else { "present" })
            }
            NodeKind::If(c, a, b) => {
                let (c, a, b) = (self.render(c, with_values), self.render(a, with_values), self.render(b, with_values));
                format!("(if {c} then {a} else {b})")
            }
        }
    }

    fn list(&mut self, args: &[Node], with_values: bool) -> String {
        args.iter().map(|a| self.render(a, with_values)).collect::<Vec<_>>().join(", ")
    }

    /// An operand, in brackets when it binds more loosely than its place needs.
    fn operand(&mut self, node: &Node, needed: u8, with_values: bool) -> String {
        let text = self.render(node, with_values);
        let own = match &node.kind {
            NodeKind::Binary(op, ..) => level(*op),
            NodeKind::Unary(UnaryOp::Not, _) => 3,
            _ => 9,
        };
        if own < needed {
            format!("({text})")
        } else {
            text
        }
    }
}

/// How tightly an operator binds (higher binds tighter).
fn level(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => 1,
        BinaryOp::And => 2,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 4,
        BinaryOp::Add | BinaryOp::Sub => 5,
        BinaryOp::Mul | BinaryOp::Div => 6,
    }
}

/// A value of several words (`2 days 0 hours`) in brackets, so arithmetic around it reads.
fn bracketed(text: String) -> String {
    if text.contains(' ') {
        format!("({text})")
    } else {
        text
    }
}

/// A value as it reads in arithmetic: money and numbers plainly, durations in words.
fn shown(value: &Value) -> String {
    match value {
        Value::Money(m) => money_text(*m),
        other => other.to_string(),
    }
}
