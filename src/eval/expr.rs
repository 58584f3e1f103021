//! Computing expressions: exact decimals, calendar time, lazily computed `let`s.

use std::cmp::Ordering;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::time::{self, Unit};
use super::{is_read, named, EvalError};
use crate::ast::{BinaryOp, KeyMatch, UnaryOp};
use crate::decision::NamedValue;
use crate::money::{round_to_step, Rounding};
use crate::order::{Order, OrderError};
use crate::program::{Builtin, Node, NodeKind, Program, TableDef};
use crate::span::Span;
use crate::value::{Type, Value};

type Result<T> = std::result::Result<T, EvalError>;

/// Everything one evaluation reads and remembers.
pub(crate) struct Env<'p, 'o> {
    pub program: &'p Program,
    pub order: &'o Order,
    attributes: Vec<Value>,
    /// `let`/`const` values computed so far (each at most once).
    memo: Vec<Option<Value>>,
    /// The running amount of the receipt step being computed.
    pub amount: Decimal,
}

impl<'p, 'o> Env<'p, 'o> {
    /// Binds the order's attributes to the policy's declarations.
    pub fn new(program: &'p Program, order: &'o Order) -> Result<Env<'p, 'o>> {
        // An object under `attributes` groups the facts of one policy, named by its id, so one
        // order can carry every provider's facts (`"acme_cloud": { "monthly_price": ... }`):
        // this policy reads its own group and passes over the others (no attribute is an object).
        let group = order.attributes.get(&program.id).and_then(serde_json::Value::as_object);
        let given = |name: &str| group.and_then(|g| g.get(name)).or_else(|| order.attributes.get(name));
        let flat =
            order.attributes.iter().filter(|(_, value)| !value.is_object()).map(|(name, _)| (name.clone(), name));
        let grouped = group.into_iter().flat_map(|g| g.keys()).map(|name| (format!("{}.{name}", program.id), name));
        let groups = order.attributes.iter().filter(|(name, value)| value.is_object() && **name != program.id);
        if let Some((name, _)) = groups.into_iter().find(|(name, _)| {
            crate::suggest::closest(name, [program.id.as_str()]).is_some() || program.id.starts_with(name.as_str())
        }) {
            return Err(OrderError::Invalid {
                path: format!("attributes.{name}"),
                message: format!(
                    "a provider's facts are grouped under its policy id, and this is not one: did you mean `{}`?",
                    program.id
                ),
            }
            .into());
        }
        for (path, name) in flat.chain(grouped) {
            if !program.attributes.iter().any(|a| &a.name == name) {
                let known: Vec<&str> = program.attributes.iter().map(|a| a.name.as_str()).collect();
                let hint = match crate::suggest::closest(name, known.iter().copied()) {
                    Some(best) => format!(" (did you mean `{best}`?)"),
                    None if known.is_empty() => " (it declares none)".to_owned(),
                    None => format!(" (it declares {})", known.join(", ")),
                };
                return Err(OrderError::Invalid {
                    path: format!("attributes.{path}"),
                    message: format!("policy `{}` does not declare this attribute{hint}", program.id),
                }
                .into());
            }
        }
        let attributes = program
            .attributes
            .iter()
            .map(|declared| match given(&declared.name) {
                Some(given) => attribute_value(&declared.name, &declared.value_type, &declared.declared, given),
                None => Ok(declared.default.clone().unwrap_or(Value::Missing)),
            })
            .collect::<Result<Vec<_>>>()?;
        let mut env =
            Env { program, order, attributes, memo: vec![None; program.bindings.len()], amount: Decimal::ZERO };
        env.check_bounds()?;
        Ok(env)
    }

    /// The attributes bound and the `let`s computed so far, for the compiled form to go on with.
    pub fn into_parts(self) -> (Vec<Value>, Vec<Option<Value>>) {
        (self.attributes, self.memo)
    }

    /// An evaluation the compiled form started: the same attributes, the `let`s it computed.
    pub fn resume(
        program: &'p Program,
        order: &'o Order,
        attributes: Vec<Value>,
        memo: Vec<Option<Value>>,
    ) -> Env<'p, 'o> {
        Env { program, order, attributes, memo, amount: Decimal::ZERO }
    }

    /// Every attribute the order gives is within the bounds the policy declares for it
    /// (`at most order.list_price * 5`): an order that is not is refused, naming the field.
    fn check_bounds(&mut self) -> Result<()> {
        let program = self.program;
        for (index, declared) in program.attributes.iter().enumerate() {
            let bounds = [(&declared.at_least, Ordering::Less, "less"), (&declared.at_most, Ordering::Greater, "more")];
            for (bound, outside, word) in bounds {
                let Some(bound) = bound else { continue };
                // A default is the policy's own value: only what the order gives is checked.
                if !self.order.attributes.contains_key(&declared.name) {
                    continue;
                }
                let value = self.attributes.get(index).cloned().unwrap_or(Value::Missing);
                let limit = self.eval(&bound.limit)?;
                if value.compare(&limit) == Some(outside) {
                    let shown = if bound.text == limit.to_string() {
                        format!("`{}`", bound.text)
                    } else {
                        format!("`{}` = {limit}", bound.text)
                    };
                    let allowed = if outside == Ordering::Less { "at least" } else { "at most" };
                    return Err(OrderError::Invalid {
                        path: format!("attributes.{}", declared.name),
                        message: format!("is {value}, {word} than policy `{}` allows: {allowed} {shown}", program.id),
                    }
                    .into());
                }
            }
        }
        Ok(())
    }

    /// Evaluates a condition.
    pub fn truth(&mut self, node: &Node) -> Result<bool> {
        match self.eval(node)? {
            Value::Bool(b) => Ok(b),
            Value::Missing => Err(self.missing(node)),
            _ => Err(EvalError::OutOfRange { what: "a condition that is not true/false".into(), span: node.span }),
        }
    }

    /// Evaluates an amount of money.
    pub fn money(&mut self, node: &Node) -> Result<Decimal> {
        match self.eval(node)? {
            Value::Money(m) | Value::Number(m) => Ok(m),
            _ => Err(self.missing(node)),
        }
    }

    fn missing(&self, node: &Node) -> EvalError {
        EvalError::Missing { what: self.name_of(node).unwrap_or_else(|| "a value".into()), span: node.span }
    }

    fn name_of(&self, node: &Node) -> Option<String> {
        name_of(self.program, node)
    }

    /// The policy's words for a named value or condition: the string after its `let`, `const`
    /// or `attribute` (`not x` reads "not" and x's words).
    pub fn label_of(&self, node: &Node) -> Option<String> {
        match &node.kind {
            NodeKind::Binding(index) => self.program.bindings.get(*index)?.description.clone(),
            NodeKind::Attribute(index) => self.program.attributes.get(*index)?.description.clone(),
            NodeKind::Unary(UnaryOp::Not, inner) => self.label_of(inner).map(|label| format!("not {label}")),
            _ => None,
        }
    }

    /// The fields, attributes and bindings `node` reads, with their values (for the "why").
    /// A compared side that is itself a computation (`order.requested_at - order.starts_at`)
    /// is listed too, under its text in `source`, so the reader sees the number compared.
    pub fn referenced(&mut self, node: &Node, source: &str) -> Vec<NamedValue> {
        let mut found = Vec::new();
        let mut expanded = vec![false; self.program.bindings.len()];
        self.collect(node, source, &mut found, &mut expanded);
        found
    }

    /// `expanded` marks the named conditions already explained: one used twice in the next
    /// (`let b = a and a`, `let c = b and b`, ...) is explained once, not 2^n times.
    fn collect(&mut self, node: &Node, source: &str, found: &mut Vec<NamedValue>, expanded: &mut [bool]) {
        if is_read(&node.kind) {
            if let (Some(name), Ok(value)) = (self.name_of(node), self.eval(node)) {
                let label = self.label_of(node);
                found.push(named(name, &value, label.as_ref()));
            }
            // A named condition is explained by what it is made of: `held` behind `within_five_days`.
            if let (NodeKind::Binding(index), Type::Bool) = (&node.kind, &node.value_type) {
                let program = self.program;
                let first_time = expanded.get_mut(*index).is_some_and(|seen| !std::mem::replace(seen, true));
                if let Some(binding) = program.bindings.get(*index).filter(|_| first_time) {
                    self.collect(&binding.value, source, found, expanded);
                }
            }
            return;
        }
        match &node.kind {
            NodeKind::Table(_, args) | NodeKind::Call(_, args) => {
                args.iter().for_each(|a| self.collect(a, source, found, expanded))
            }
            NodeKind::Unary(_, x) | NodeKind::IsMissing(x, _) => self.collect(x, source, found, expanded),
            NodeKind::Binary(op, l, r) => {
                let compares = matches!(op, BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge);
                for side in [l, r] {
                    let computed = !is_read(&side.kind) && !matches!(side.kind, NodeKind::Const(_));
                    if compares && computed {
                        if let Ok(value) = self.eval(side) {
                            found.push(named(side.span.text(source).to_owned(), &value, None));
                        }
                    }
                    self.collect(side, source, found, expanded);
                }
            }
            NodeKind::If(c, a, b) => {
                self.collect(c, source, found, expanded);
                self.collect(a, source, found, expanded);
                self.collect(b, source, found, expanded);
            }
            _ => {}
        }
    }

    /// The `let`s and `const`s computed during this evaluation, in definition order.
    pub fn computed_values(&self) -> Vec<NamedValue> {
        self.program
            .bindings
            .iter()
            .zip(&self.memo)
            .filter_map(|(binding, value)| {
                value.as_ref().map(|v| named(binding.name.clone(), v, binding.description.as_ref()))
            })
            .collect()
    }

    /// Computes `node`. Each recursive form is computed in a function of its own: in a debug
    /// build a frame holds every temporary of every arm, and this function is on the stack
    /// once per level of a value 256 levels deep (see `limits::MAX_DEPTH`).
    pub fn eval(&mut self, node: &Node) -> Result<Value> {
        match &node.kind {
            NodeKind::Const(value) => Ok(value.clone()),
            NodeKind::Field(field) => Ok(field.read(self.order)),
            NodeKind::Attribute(index) => Ok(self.attributes.get(*index).cloned().unwrap_or(Value::Missing)),
            NodeKind::Binding(index) => self.binding(*index, node.span),
            NodeKind::Amount => Ok(Value::Money(self.amount)),
            NodeKind::Table(index, args) => self.table(*index, args, node.span),
            NodeKind::Call(builtin, args) => self.builtin(*builtin, args, node.span),
            NodeKind::Unary(op, x) => self.unary(*op, x),
            NodeKind::Binary(op, l, r) => self.binary_node(*op, l, r, node.span),
            NodeKind::IsMissing(x, missing) => Ok(Value::Bool((self.eval(x)? == Value::Missing) == *missing)),
            NodeKind::If(c, a, b) => {
                let branch = if self.truth(c)? { a } else { b };
                self.eval(branch)
            }
        }
    }

    /// A `let` or `const`, computed once per evaluation.
    fn binding(&mut self, index: usize, span: Span) -> Result<Value> {
        if let Some(Some(value)) = self.memo.get(index) {
            return Ok(value.clone());
        }
        let program = self.program;
        let Some(binding) = program.bindings.get(index) else {
            return Err(EvalError::OutOfRange { what: "a name".into(), span });
        };
        let value = self.eval(&binding.value)?;
        if let Some(slot) = self.memo.get_mut(index) {
            *slot = Some(value.clone());
        }
        Ok(value)
    }

    fn table(&mut self, index: usize, args: &[Node], span: Span) -> Result<Value> {
        let keys = args.iter().map(|a| self.eval(a)).collect::<Result<Vec<_>>>()?;
        self.lookup(index, &keys, span)
    }

    fn builtin(&mut self, builtin: Builtin, args: &[Node], span: Span) -> Result<Value> {
        let values = args.iter().map(|a| self.eval(a)).collect::<Result<Vec<_>>>()?;
        self.call(builtin, &values, args, span)
    }

    fn unary(&mut self, op: UnaryOp, x: &Node) -> Result<Value> {
        match (op, self.eval(x)?) {
            (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
            (UnaryOp::Neg, Value::Money(m)) => Ok(Value::Money(-m)),
            (UnaryOp::Neg, Value::Number(n)) => Ok(Value::Number(-n)),
            (UnaryOp::Neg, Value::Duration(d)) => Ok(Value::Duration(-d)),
            _ => Err(self.missing(x)),
        }
    }

    fn binary_node(&mut self, op: BinaryOp, l: &Node, r: &Node, span: Span) -> Result<Value> {
        match op {
            BinaryOp::And => return Ok(Value::Bool(self.truth(l)? && self.truth(r)?)),
            BinaryOp::Or => return Ok(Value::Bool(self.truth(l)? || self.truth(r)?)),
            _ => {}
        }
        let a = self.eval(l)?;
        let b = self.eval(r)?;
        self.combine(op, a, b, (l, r), span)
    }

    /// `a OP b` once both sides are computed (a function of its own: its temporaries are not
    /// on the stack while the sides are computed).
    fn combine(&self, op: BinaryOp, a: Value, b: Value, sides: (&Node, &Node), span: Span) -> Result<Value> {
        match (&a, &b) {
            (Value::Missing, _) if !matches!(op, BinaryOp::Eq | BinaryOp::Ne) => Err(self.missing(sides.0)),
            (_, Value::Missing) if !matches!(op, BinaryOp::Eq | BinaryOp::Ne) => Err(self.missing(sides.1)),
            _ => binary(op, a, b, self.program.timezone, span),
        }
    }

    fn lookup(&self, index: usize, keys: &[Value], span: Span) -> Result<Value> {
        let table = self.program.tables.get(index).ok_or(EvalError::OutOfRange { what: "a table".into(), span })?;
        lookup(table, keys, span)
    }

    fn call(&self, builtin: Builtin, values: &[Value], args: &[Node], span: Span) -> Result<Value> {
        if let Some(position) = values.iter().position(|v| *v == Value::Missing) {
            return Err(args
                .get(position)
                .map_or(EvalError::Missing { what: "a value".into(), span }, |a| self.missing(a)));
        }
        call(builtin, values, self.program.timezone, span)
    }
}

/// The row of `table` that `keys` pick: among fitting rows the most specific.
pub(super) fn lookup(table: &TableDef, keys: &[Value], span: Span) -> Result<Value> {
    let mut best: Option<&(Vec<Value>, Value)> = None;
    for row in &table.rows {
        let fits = row.0.iter().zip(keys).zip(&table.matching).all(|((key, value), matching)| match matching {
            KeyMatch::Exact => equal(key, value),
            KeyMatch::Step => key.compare(value).is_some_and(|o| o.is_le()),
        });
        // Among fitting rows the most specific wins: the greatest step keys, compared
        // column by column (a 24-month plan's second year beats its first).
        let better = best.is_none_or(|current| {
            let steps = row.0.iter().zip(&current.0).zip(&table.matching).filter(|(_, m)| **m == KeyMatch::Step);
            steps
                .map(|((a, b), _)| a.compare(b).unwrap_or(Ordering::Equal))
                .find(|o| o.is_ne())
                .is_some_and(Ordering::is_gt)
        });
        if fits && better {
            best = Some(row);
        }
    }
    match best {
        Some(row) => Ok(row.1.clone()),
        None => Err(EvalError::NoTableRow {
            table: table.name.clone(),
            keys: keys.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
            span,
        }),
    }
}

/// A built-in applied to values none of which is missing.
pub(super) fn call(builtin: Builtin, values: &[Value], zone: chrono_tz::Tz, span: Span) -> Result<Value> {
    let range = |what: &str| EvalError::OutOfRange { what: what.to_owned(), span };
    match (builtin, values) {
        (Builtin::Min | Builtin::Max, [first, rest @ ..]) => {
            let mut best = first.clone();
            for value in rest {
                let order = value.compare(&best).ok_or_else(|| range("a comparison"))?;
                if (builtin == Builtin::Min && order.is_lt()) || (builtin == Builtin::Max && order.is_gt()) {
                    best = value.clone();
                }
            }
            Ok(best)
        }
        (Builtin::Clamp, [x, low, high]) => {
            let below = x.compare(low).ok_or_else(|| range("a comparison"))?.is_lt();
            let above = x.compare(high).ok_or_else(|| range("a comparison"))?.is_gt();
            Ok(if below {
                low.clone()
            } else if above {
                high.clone()
            } else {
                x.clone()
            })
        }
        (Builtin::Abs, [Value::Money(m)]) => Ok(Value::Money(m.abs())),
        (Builtin::Abs, [Value::Number(n)]) => Ok(Value::Number(n.abs())),
        (Builtin::Abs, [Value::Duration(d)]) => Ok(Value::Duration(d.abs())),
        (Builtin::Round, [x, step, Value::Symbol(mode)]) => {
            let mode = Rounding::from_name(mode)
                .filter(|m| m.is_written_in_policies())
                .ok_or_else(|| range("a rounding mode"))?;
            step_round(x, step, mode).ok_or_else(|| range("the rounding step"))
        }
        (Builtin::Floor | Builtin::Ceil, [x, rest @ ..]) => {
            let mode = if builtin == Builtin::Floor { Rounding::Floor } else { Rounding::Ceiling };
            match (x, rest) {
                (Value::Instant(at), [unit]) => {
                    let unit = match unit {
                        Value::Duration(seconds) => {
                            Unit::Seconds(i64::try_from(*seconds).map_err(|_| range("the unit"))?)
                        }
                        Value::Period(months) => Unit::Months(*months),
                        _ => return Err(range("the unit")),
                    };
                    let rounded = if builtin == Builtin::Floor {
                        time::floor_instant(*at, unit, zone)
                    } else {
                        time::ceil_instant(*at, unit, zone)
                    };
                    rounded.map(Value::Instant).ok_or_else(|| {
                        range("rounding an instant to that unit (use a second, minute, hour, day, 1 month or 1 year)")
                    })
                }
                (x, []) => step_round(x, &Value::Number(Decimal::ONE), mode).ok_or_else(|| range("the value")),
                (x, [step]) => step_round(x, step, mode).ok_or_else(|| range("the rounding step")),
                _ => Err(range("the arguments")),
            }
        }
        (Builtin::WholeMonths, [Value::Instant(a), Value::Instant(b)]) => {
            time::whole_months(*a, *b, zone).map(|n| Value::Number(n.into())).ok_or_else(|| range("the dates"))
        }
        (Builtin::WholeMonths, [Value::Date(a), Value::Date(b)]) => {
            time::whole_months_between_dates(*a, *b).map(|n| Value::Number(n.into())).ok_or_else(|| range("the dates"))
        }
        (Builtin::Date, [Value::Instant(at)]) => Ok(Value::Date(time::local(*at, zone).date())),
        _ => Err(range("the arguments")),
    }
}

/// The name a missing value is reported under: the field, attribute or binding `node` reads.
pub(super) fn name_of(program: &Program, node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Field(field) => Some(format!("order.{}", field.path())),
        NodeKind::Attribute(index) => program.attributes.get(*index).map(|a| format!("order.attributes.{}", a.name)),
        NodeKind::Binding(index) => program.bindings.get(*index).map(|b| b.name.clone()),
        NodeKind::Binary(_, l, r) => name_of(program, l).or_else(|| name_of(program, r)),
        _ => None,
    }
}

/// Rounds money, a number or a duration to a multiple of `step`.
fn step_round(x: &Value, step: &Value, mode: Rounding) -> Option<Value> {
    let step = match step {
        Value::Number(s) | Value::Money(s) | Value::Duration(s) => *s,
        _ => return None,
    };
    Some(match x {
        Value::Money(m) => Value::Money(round_to_step(*m, step, mode)?),
        Value::Number(n) => Value::Number(round_to_step(*n, step, mode)?),
        Value::Duration(d) => Value::Duration(round_to_step(*d, step, mode)?),
        _ => return None,
    })
}

/// Whether two values are equal; a missing value equals nothing.
pub(super) fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Missing, _) | (_, Value::Missing) => false,
        _ => a == b,
    }
}

pub(crate) fn binary(op: BinaryOp, a: Value, b: Value, zone: chrono_tz::Tz, span: Span) -> Result<Value> {
    use Value::*;
    let range = |what: &str| EvalError::OutOfRange { what: what.to_owned(), span };
    let overflow = || range("the result");
    let ordered = |o: Option<Ordering>| o.ok_or_else(|| range("a comparison"));
    Ok(match op {
        BinaryOp::Eq => Bool(equal(&a, &b)),
        BinaryOp::Ne => Bool(!equal(&a, &b)),
        BinaryOp::Lt => Bool(ordered(a.compare(&b))?.is_lt()),
        BinaryOp::Le => Bool(ordered(a.compare(&b))?.is_le()),
        BinaryOp::Gt => Bool(ordered(a.compare(&b))?.is_gt()),
        BinaryOp::Ge => Bool(ordered(a.compare(&b))?.is_ge()),
        BinaryOp::And | BinaryOp::Or => return Err(range("a condition")),
        BinaryOp::Add | BinaryOp::Sub => add_or_subtract(op == BinaryOp::Sub, a, b, zone, span)?,
        BinaryOp::Mul => match (a, b) {
            (Money(x), Number(y)) | (Number(y), Money(x)) => Money(x.checked_mul(y).ok_or_else(overflow)?),
            (Number(x), Number(y)) => Number(x.checked_mul(y).ok_or_else(overflow)?),
            (Duration(x), Number(y)) | (Number(y), Duration(x)) => Duration(x.checked_mul(y).ok_or_else(overflow)?),
            (Period(m), Number(n)) | (Number(n), Period(m)) => {
                if !n.fract().is_zero() {
                    return Err(range("a number of months that is not whole"));
                }
                let n = i64::try_from(n).map_err(|_| overflow())?;
                Period(m.checked_mul(n).ok_or_else(overflow)?)
            }
            _ => return Err(range("the operands")),
        },
        BinaryOp::Div => {
            let divide = |x: Decimal, y: Decimal| {
                if y.is_zero() {
                    Err(EvalError::DivisionByZero { span })
                } else {
                    x.checked_div(y).ok_or_else(overflow)
                }
            };
            match (a, b) {
                (Money(x), Number(y)) => Money(divide(x, y)?),
                (Money(x), Money(y)) | (Number(x), Number(y)) | (Duration(x), Duration(y)) => Number(divide(x, y)?),
                (Duration(x), Number(y)) => Duration(divide(x, y)?),
                _ => return Err(range("the operands")),
            }
        }
    })
}

/// `a + b` or `a - b` (`minus`): amounts, numbers and durations exactly, instants and dates
/// moved in the policy's time zone.
fn add_or_subtract(minus: bool, a: Value, b: Value, zone: chrono_tz::Tz, span: Span) -> Result<Value> {
    use Value::*;
    let range = |what: &str| EvalError::OutOfRange { what: what.to_owned(), span };
    let overflow = || range("the result");
    let combine = |x: Decimal, y: Decimal| {
        if minus {
            x.checked_sub(y)
        } else {
            x.checked_add(y)
        }
    };
    Ok(match (a, b) {
        (Money(x), Money(y)) => Money(combine(x, y).ok_or_else(overflow)?),
        (Number(x), Number(y)) => Number(combine(x, y).ok_or_else(overflow)?),
        (Duration(x), Duration(y)) => Duration(combine(x, y).ok_or_else(overflow)?),
        (Period(x), Period(y)) => Period(if minus { x.checked_sub(y) } else { x.checked_add(y) }.ok_or_else(overflow)?),
        (Instant(x), Instant(y)) if minus => Duration(time::seconds_between(y, x)),
        (Date(x), Date(y)) if minus => Duration(Decimal::from(x.signed_duration_since(y).num_seconds())),
        (Instant(at), Duration(s)) | (Duration(s), Instant(at)) => {
            let delta = time::to_duration(if minus { -s } else { s }).ok_or_else(overflow)?;
            Instant(at.checked_add_signed(delta).ok_or_else(|| range("the date"))?)
        }
        (Instant(at), Period(m)) | (Period(m), Instant(at)) => {
            Instant(time::add_months(at, if minus { -m } else { m }, zone).ok_or_else(|| range("the date"))?)
        }
        (Date(day), Duration(s)) | (Duration(s), Date(day)) => {
            let days = s / Decimal::from(86_400);
            if !days.fract().is_zero() {
                return Err(range("a date moved by part of a day"));
            }
            let days = i64::try_from(if minus { -days } else { days }).map_err(|_| overflow())?;
            let delta = chrono::Duration::try_days(days).ok_or_else(overflow)?;
            Date(day.checked_add_signed(delta).ok_or_else(|| range("the date"))?)
        }
        (Date(day), Period(m)) | (Period(m), Date(day)) => {
            Date(time::add_months_to_date(day, if minus { -m } else { m }).ok_or_else(|| range("the date"))?)
        }
        _ => return Err(range("the operands")),
    })
}

/// An order's attribute, converted to its declared type.
pub(crate) fn attribute_value(
    name: &str,
    declared: &Type,
    type_name: &str,
    given: &serde_json::Value,
) -> Result<Value> {
    let fail =
        |message: String| -> EvalError { OrderError::Invalid { path: format!("attributes.{name}"), message }.into() };
    let text = match given {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let decimal = || -> Result<Decimal> {
        let text = text.clone().ok_or_else(|| fail(format!("must be a number, got {given}")))?;
        crate::money::parse_exact(&text).map_err(|error| match error {
            crate::money::AmountError::NotANumber(_) => fail(format!("`{text}` is not a number")),
            other => fail(other.to_string()),
        })
    };
    Ok(match declared {
        Type::Money => {
            let amount = decimal()?;
            if amount.is_sign_negative() && !amount.is_zero() {
                return Err(fail(format!("must not be negative, got {amount}")));
            }
            Value::Money(amount)
        }
        Type::Number if type_name == "percent" => {
            let written = text.as_deref().unwrap_or("");
            let Some(number) = written.strip_suffix('%') else {
                return Err(fail(format!("must be a percentage written with `%`, such as \"20%\", got {given}")));
            };
            let percent = crate::money::parse_exact(number.trim())
                .map_err(|_| fail(format!("`{written}` is not a percentage")))?;
            Value::Number(percent / Decimal::ONE_HUNDRED)
        }
        Type::Number if type_name == "count" => {
            let count = decimal()?;
            if count.is_sign_negative() || !count.fract().is_zero() {
                return Err(fail(format!("must be a whole number of 0 or more, got {count}")));
            }
            Value::Number(count)
        }
        Type::Number => Value::Number(decimal()?),
        Type::Duration => {
            Value::Duration(decimal().map_err(|_| fail(format!("must be a number of seconds, got {given}")))?)
        }
        Type::Bool => match given {
            serde_json::Value::Bool(b) => Value::Bool(*b),
            _ => return Err(fail(format!("must be true or false, got {given}"))),
        },
        Type::Instant => {
            let text = text.ok_or_else(|| fail(format!("must be an RFC 3339 instant, got {given}")))?;
            Value::Instant(crate::order::parse_instant(&text).map_err(fail)?)
        }
        Type::Date => {
            let text = text.ok_or_else(|| fail(format!("must be a date YYYY-MM-DD, got {given}")))?;
            Value::Date(
                NaiveDate::parse_from_str(&text, "%Y-%m-%d")
                    .map_err(|_| fail(format!("`{text}` is not a date YYYY-MM-DD")))?,
            )
        }
        Type::Text => match given {
            serde_json::Value::String(s) => Value::Text(Arc::from(s.as_str())),
            _ => return Err(fail(format!("must be text, got {given}"))),
        },
        Type::Symbol(set) => {
            let serde_json::Value::String(symbol) = given else {
                return Err(fail(format!("must be a name, got {given}")));
            };
            if let Some(members) = set.members().filter(|m| !m.contains(&symbol.as_str())) {
                return Err(fail(format!("`{symbol}` is not one of {}", members.join(", "))));
            }
            Value::Symbol(symbol.as_str().into())
        }
        Type::Period | Type::Group | Type::Error => return Err(fail("has a type orders cannot carry".into())),
    })
}
