//! The compiled form of a checked program: every expression is lowered once, when the policy
//! loads, into composed closures. Evaluating an order then calls straight from one operation
//! into the next: no match on the node kind per step, constant sub-expressions (and `const`s
//! that are constant) computed once at load, comparisons read as true/false without wrapping
//! them in a value, and each message for a missing value prepared in advance.
//!
//! The tree interpreter (`expr.rs`) stays for `explain`, which writes out how each value was
//! computed; both share the arithmetic (`binary`, `call`, `lookup`), so they agree by
//! construction, and `tests/it/compiled.rs` checks it on generated orders of every policy.

use rust_decimal::Decimal;

use super::expr::{binary, call, equal, lookup, name_of};
use super::EvalError;
use crate::ast::{BinaryOp, StepKind, UnaryOp};
use crate::decision::Destination;
use crate::money::{self, round_to_step, Rounding};
use crate::order::Order;
use crate::program::{
    ActionDef, Builtin, ChoiceDef, DestinationDef, Node, NodeKind, PartDef, Program, RuleDef, StepDef,
};
use crate::span::Span;
use crate::value::Value;

type Out<T> = Result<T, EvalError>;
type ValueFn = Box<dyn Fn(&mut Frame<'_>) -> Out<Value> + Send + Sync>;
type TruthFn = Box<dyn Fn(&mut Frame<'_>) -> Out<bool> + Send + Sync>;
type MoneyFn = Box<dyn Fn(&mut Frame<'_>) -> Out<Decimal> + Send + Sync>;

/// What one evaluation reads and remembers: the order, its bound attributes, the `let`s
/// computed so far (each at most once), the running amount of a receipt step.
pub(crate) struct Frame<'f> {
    pub order: &'f Order,
    pub attributes: Vec<Value>,
    pub memo: Vec<Option<Value>>,
    pub amount: Decimal,
    bindings: &'f [ValueFn],
}

/// A program lowered to closures (built by [`Compiled::new`] when the policy loads).
pub(crate) struct Compiled {
    bindings: Vec<ValueFn>,
    rules: Vec<CompiledRule>,
    minor_units: u32,
    rounding: Rounding,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Compiled {{ {} bindings, {} rules }}", self.bindings.len(), self.rules.len())
    }
}

struct CompiledRule {
    conditions: Vec<TruthFn>,
    parts: Vec<CompiledPart>,
    /// The `let`s and `const`s its refund reads directly, with where each is read.
    reads: Vec<(usize, Span)>,
}

struct CompiledPart {
    base: MoneyFn,
    steps: Vec<CompiledStep>,
    destination: CompiledDestination,
}

struct CompiledStep {
    kind: StepKind,
    review: Option<TruthFn>,
    value: MoneyFn,
    upper: Option<MoneyFn>,
    span: Span,
}

enum CompiledDestination {
    To(CompiledChoice),
    Split(Vec<(MoneyFn, CompiledChoice)>),
}

enum CompiledChoice {
    Fixed(Destination),
    If(TruthFn, Box<CompiledChoice>, Box<CompiledChoice>),
}

/// The amounts a rule pays and where, without receipt lines: what `Policy::decide` needs.
pub(crate) struct Paid {
    /// Every part's share, by destination, before they are summed per destination.
    pub shares: Vec<(Destination, Decimal)>,
    /// A `review when` step held.
    pub review_requested: bool,
}

impl Compiled {
    /// Lowers every expression of `program`.
    pub(crate) fn new(program: &Program) -> Compiled {
        let mut compiler = Compiler { program, constants: Vec::with_capacity(program.bindings.len()) };
        // A binding whose value is a constant is folded once: readers use the value itself.
        for binding in &program.bindings {
            let folded = compiler.fold(&binding.value);
            compiler.constants.push(folded);
        }
        let bindings = program.bindings.iter().map(|b| compiler.value(&b.value)).collect();
        let rules = program.rules.iter().map(|rule| compiler.rule(rule)).collect();
        Compiled { bindings, rules, minor_units: program.minor_units, rounding: program.rounding }
    }

    /// A frame for one order, going on from the attributes the tree interpreter bound and checked.
    pub(crate) fn frame<'f>(&'f self, order: &'f Order, attributes: Vec<Value>, memo: Vec<Option<Value>>) -> Frame<'f> {
        Frame { order, attributes, memo, amount: Decimal::ZERO, bindings: &self.bindings }
    }

    /// The index of the first rule whose conditions all hold; `None` when none does.
    pub(crate) fn first_rule(&self, frame: &mut Frame<'_>) -> Out<Option<usize>> {
        'rules: for (index, rule) in self.rules.iter().enumerate() {
            for condition in &rule.conditions {
                if !condition(frame)? {
                    continue 'rules;
                }
            }
            return Ok(Some(index));
        }
        Ok(None)
    }

    /// Computes, into the frame's memo, the `let`s that rule `index`'s refund reads, so that
    /// the receipt (written by the tree interpreter, which reads the memo) finds them computed.
    /// One that fails is left out: the receipt computes it again and reports the failure where
    /// and if it is needed, as it always did.
    pub(crate) fn precompute(&self, frame: &mut Frame<'_>, index: usize) {
        let Some(rule) = self.rules.get(index) else { return };
        for &(binding_index, span) in &rule.reads {
            let _ = binding(frame, binding_index, span);
        }
    }

    /// What rule `index` pays, part by part, computed as the receipt computes it.
    pub(crate) fn pay(&self, frame: &mut Frame<'_>, index: usize, rule: &RuleDef) -> Out<Paid> {
        let mut paid = Paid { shares: Vec::new(), review_requested: false };
        let Some(compiled) = self.rules.get(index) else { return Ok(paid) };
        for part in &compiled.parts {
            let mut amount = (part.base)(frame)?;
            for step in &part.steps {
                frame.amount = amount;
                amount = step.apply(frame, amount, &mut paid)?;
            }
            if amount < Decimal::ZERO {
                return Err(EvalError::NegativeRefund { rule: rule.name.clone(), amount, span: rule.name_span });
            }
            let unit = money::minor_unit(self.minor_units);
            let rounded = round_to_step(amount, unit, self.rounding)
                .ok_or(EvalError::OutOfRange { what: "the refund".into(), span: rule.name_span })?;
            match &part.destination {
                CompiledDestination::To(choice) => {
                    let to = choice.choose(frame)?;
                    paid.shares.push((to, rounded));
                }
                CompiledDestination::Split(shares) => {
                    let mut weights = Vec::with_capacity(shares.len());
                    let mut places = Vec::with_capacity(shares.len());
                    for (weight, choice) in shares {
                        weights.push(weight(frame)?);
                        places.push(choice.choose(frame)?);
                    }
                    let split = money::split(rounded, &weights, self.minor_units);
                    paid.shares.extend(places.into_iter().zip(split));
                }
            }
        }
        Ok(paid)
    }
}

impl CompiledStep {
    /// One receipt step on the running amount (the arithmetic of `receipt.rs`, without lines).
    fn apply(&self, frame: &mut Frame<'_>, amount: Decimal, paid: &mut Paid) -> Out<Decimal> {
        if let Some(review) = &self.review {
            if review(frame)? {
                paid.review_requested = true;
            }
            return Ok(amount);
        }
        let value = (self.value)(frame)?;
        let out_of_range = || EvalError::OutOfRange { what: "the amount".into(), span: self.span };
        Ok(match self.kind {
            StepKind::Less => amount.checked_sub(value).ok_or_else(out_of_range)?,
            StepKind::Plus => amount.checked_add(value).ok_or_else(out_of_range)?,
            StepKind::Deduct | StepKind::Offset => {
                if amount < Decimal::ZERO {
                    return Ok(Decimal::ZERO);
                }
                amount.checked_sub(value).ok_or_else(out_of_range)?.max(Decimal::ZERO)
            }
            StepKind::Cap => amount.min(value.max(Decimal::ZERO)),
            StepKind::ZeroBelow => {
                if amount < value {
                    Decimal::ZERO
                } else {
                    amount
                }
            }
            StepKind::Clamp => {
                let high = match &self.upper {
                    Some(upper) => upper(frame)?,
                    None => amount,
                };
                amount.min(high).max(value)
            }
            StepKind::ReviewWhen => amount,
        })
    }
}

impl CompiledChoice {
    fn choose(&self, frame: &mut Frame<'_>) -> Out<Destination> {
        match self {
            CompiledChoice::Fixed(to) => Ok(*to),
            CompiledChoice::If(condition, then, otherwise) => {
                if condition(frame)? {
                    then.choose(frame)
                } else {
                    otherwise.choose(frame)
                }
            }
        }
    }
}

/// A `let` or `const`, computed once per evaluation.
fn binding(frame: &mut Frame<'_>, index: usize, span: Span) -> Out<Value> {
    if let Some(Some(value)) = frame.memo.get(index) {
        return Ok(value.clone());
    }
    let bindings = frame.bindings;
    let Some(compute) = bindings.get(index) else {
        return Err(EvalError::OutOfRange { what: "a name".into(), span });
    };
    let value = compute(frame)?;
    if let Some(slot) = frame.memo.get_mut(index) {
        *slot = Some(value.clone());
    }
    Ok(value)
}

/// `a OP b` for an operator other than `and`/`or`, once both sides are computed: a missing
/// side is an error except for `==` and `!=`.
fn combine(
    op: BinaryOp,
    a: Value,
    b: Value,
    missing: &(EvalError, EvalError),
    zone: chrono_tz::Tz,
    span: Span,
) -> Out<Value> {
    match (&a, &b) {
        (Value::Missing, _) if !matches!(op, BinaryOp::Eq | BinaryOp::Ne) => Err(missing.0.clone()),
        (_, Value::Missing) if !matches!(op, BinaryOp::Eq | BinaryOp::Ne) => Err(missing.1.clone()),
        _ => binary(op, a, b, zone, span),
    }
}

/// A comparison read as true/false directly (the same answers as `binary`).
fn compare(op: BinaryOp, a: &Value, b: &Value, missing: &(EvalError, EvalError), span: Span) -> Out<bool> {
    let equality = matches!(op, BinaryOp::Eq | BinaryOp::Ne);
    match (a, b) {
        (Value::Missing, _) if !equality => return Err(missing.0.clone()),
        (_, Value::Missing) if !equality => return Err(missing.1.clone()),
        _ => {}
    }
    let ordered = || a.compare(b).ok_or(EvalError::OutOfRange { what: "a comparison".into(), span });
    Ok(match op {
        BinaryOp::Eq => equal(a, b),
        BinaryOp::Ne => !equal(a, b),
        BinaryOp::Lt => ordered()?.is_lt(),
        BinaryOp::Le => ordered()?.is_le(),
        BinaryOp::Gt => ordered()?.is_gt(),
        BinaryOp::Ge => ordered()?.is_ge(),
        _ => return Err(EvalError::OutOfRange { what: "a comparison".into(), span }),
    })
}

/// The bindings the expressions of `parts` name, each once, in the order they are named.
fn bindings_read(parts: &[PartDef]) -> Vec<(usize, Span)> {
    let mut nodes: Vec<&Node> = Vec::new();
    crate::program::part_nodes(parts, &mut nodes);
    let mut reads: Vec<(usize, Span)> = Vec::new();
    for node in nodes {
        crate::program::walk(node, &mut |n| {
            if let NodeKind::Binding(index) = n.kind {
                if !reads.iter().any(|(seen, _)| *seen == index) {
                    reads.push((index, n.span));
                }
            }
        });
    }
    reads
}

struct Compiler<'p> {
    program: &'p Program,
    /// The value of each binding that is a constant, in definition order.
    constants: Vec<Option<Value>>,
}

impl Compiler<'_> {
    /// The error of `node` being missing where a value is needed, prepared once.
    fn missing(&self, node: &Node) -> EvalError {
        EvalError::Missing { what: name_of(self.program, node).unwrap_or_else(|| "a value".into()), span: node.span }
    }

    /// The value of `node` when it reads nothing from the order, computed now; `None` when it
    /// reads the order or computing it fails (the failure is then reported per order, as before).
    fn fold(&self, node: &Node) -> Option<Value> {
        let zone = self.program.timezone;
        let value = match &node.kind {
            NodeKind::Const(value) => value.clone(),
            NodeKind::Binding(index) => self.constants.get(*index).cloned().flatten()?,
            NodeKind::Unary(op, x) => match (op, self.fold(x)?) {
                (UnaryOp::Not, Value::Bool(b)) => Value::Bool(!b),
                (UnaryOp::Neg, Value::Money(m)) => Value::Money(-m),
                (UnaryOp::Neg, Value::Number(n)) => Value::Number(-n),
                (UnaryOp::Neg, Value::Duration(d)) => Value::Duration(-d),
                _ => return None,
            },
            NodeKind::Binary(op @ (BinaryOp::And | BinaryOp::Or), l, r) => match (self.fold(l)?, self.fold(r)?) {
                (Value::Bool(a), Value::Bool(b)) => Value::Bool(if *op == BinaryOp::And { a && b } else { a || b }),
                _ => return None,
            },
            NodeKind::Binary(op, l, r) => {
                let (a, b) = (self.fold(l)?, self.fold(r)?);
                if a == Value::Missing || b == Value::Missing {
                    return None;
                }
                binary(*op, a, b, zone, node.span).ok()?
            }
            NodeKind::Call(builtin, args) => {
                let values = args.iter().map(|a| self.fold(a)).collect::<Option<Vec<_>>>()?;
                if values.contains(&Value::Missing) {
                    return None;
                }
                call(*builtin, &values, zone, node.span).ok()?
            }
            NodeKind::Table(index, args) => {
                let keys = args.iter().map(|a| self.fold(a)).collect::<Option<Vec<_>>>()?;
                lookup(self.program.tables.get(*index)?, &keys, node.span).ok()?
            }
            NodeKind::IsMissing(x, missing) => Value::Bool((self.fold(x)? == Value::Missing) == *missing),
            NodeKind::If(c, a, b) => match self.fold(c)? {
                Value::Bool(true) => self.fold(a)?,
                Value::Bool(false) => self.fold(b)?,
                _ => return None,
            },
            NodeKind::Field(_) | NodeKind::Attribute(_) | NodeKind::Amount => return None,
        };
        // A missing constant stays for the evaluation to report where it is used.
        (value != Value::Missing).then_some(value)
    }

    fn values(&self, nodes: &[Node]) -> Vec<ValueFn> {
        nodes.iter().map(|n| self.value(n)).collect()
    }

    /// `node` as a closure computing its value.
    fn value(&self, node: &Node) -> ValueFn {
        if let Some(value) = self.fold(node) {
            return Box::new(move |_| Ok(value.clone()));
        }
        let span = node.span;
        let zone = self.program.timezone;
        match &node.kind {
            NodeKind::Const(value) => {
                let value = value.clone();
                Box::new(move |_| Ok(value.clone()))
            }
            NodeKind::Field(field) => {
                let field = *field;
                Box::new(move |frame| Ok(field.read(frame.order)))
            }
            NodeKind::Attribute(index) => {
                let index = *index;
                Box::new(move |frame| Ok(frame.attributes.get(index).cloned().unwrap_or(Value::Missing)))
            }
            NodeKind::Binding(index) => {
                let index = *index;
                Box::new(move |frame| binding(frame, index, span))
            }
            NodeKind::Amount => Box::new(|frame| Ok(Value::Money(frame.amount))),
            NodeKind::Table(index, args) => {
                let table = self.program.tables.get(*index).cloned();
                let args = self.values(args);
                Box::new(move |frame| {
                    let keys = args.iter().map(|a| a(frame)).collect::<Out<Vec<_>>>()?;
                    match &table {
                        Some(table) => lookup(table, &keys, span),
                        None => Err(EvalError::OutOfRange { what: "a table".into(), span }),
                    }
                })
            }
            NodeKind::Call(builtin, args) => self.call_value(*builtin, args, span),
            NodeKind::Unary(op, x) => {
                let op = *op;
                let missing = self.missing(x);
                let x = self.value(x);
                Box::new(move |frame| match (op, x(frame)?) {
                    (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
                    (UnaryOp::Neg, Value::Money(m)) => Ok(Value::Money(-m)),
                    (UnaryOp::Neg, Value::Number(n)) => Ok(Value::Number(-n)),
                    (UnaryOp::Neg, Value::Duration(d)) => Ok(Value::Duration(-d)),
                    _ => Err(missing.clone()),
                })
            }
            NodeKind::Binary(
                BinaryOp::And
                | BinaryOp::Or
                | BinaryOp::Eq
                | BinaryOp::Ne
                | BinaryOp::Lt
                | BinaryOp::Le
                | BinaryOp::Gt
                | BinaryOp::Ge,
                ..,
            )
            | NodeKind::IsMissing(..) => {
                let truth = self.truth(node);
                Box::new(move |frame| truth(frame).map(Value::Bool))
            }
            NodeKind::Binary(op, l, r) => {
                let op = *op;
                let missing = (self.missing(l), self.missing(r));
                let (l, r) = (self.value(l), self.value(r));
                Box::new(move |frame| {
                    let a = l(frame)?;
                    let b = r(frame)?;
                    combine(op, a, b, &missing, zone, span)
                })
            }
            NodeKind::If(c, a, b) => {
                let c = self.truth(c);
                let (a, b) = (self.value(a), self.value(b));
                Box::new(move |frame| if c(frame)? { a(frame) } else { b(frame) })
            }
        }
    }

    /// A call of a builtin as a closure: a missing argument is reported as the argument's own.
    fn call_value(&self, builtin: Builtin, args: &[Node], span: Span) -> ValueFn {
        let zone = self.program.timezone;
        let missing: Vec<EvalError> = args.iter().map(|a| self.missing(a)).collect();
        let finish = move |values: &[Value]| {
            if let Some(position) = values.iter().position(|v| *v == Value::Missing) {
                let fallback = EvalError::Missing { what: "a value".into(), span };
                return Err(missing.get(position).cloned().unwrap_or(fallback));
            }
            call(builtin, values, zone, span)
        };
        // The arguments of the usual calls (one to three) are kept on the stack.
        match <[ValueFn; 3]>::try_from(self.values(args)) {
            Ok([a, b, c]) => Box::new(move |frame| finish(&[a(frame)?, b(frame)?, c(frame)?])),
            Err(args) => match <[ValueFn; 2]>::try_from(args) {
                Ok([a, b]) => Box::new(move |frame| finish(&[a(frame)?, b(frame)?])),
                Err(args) => match <[ValueFn; 1]>::try_from(args) {
                    Ok([a]) => Box::new(move |frame| finish(&[a(frame)?])),
                    Err(args) => {
                        Box::new(move |frame| finish(&args.iter().map(|a| a(frame)).collect::<Out<Vec<_>>>()?))
                    }
                },
            },
        }
    }

    /// `node` as a closure computing a condition (true/false, or why it cannot tell).
    fn truth(&self, node: &Node) -> TruthFn {
        if let Some(Value::Bool(b)) = self.fold(node) {
            return Box::new(move |_| Ok(b));
        }
        let span = node.span;
        match &node.kind {
            NodeKind::Binary(BinaryOp::And, l, r) => {
                let (l, r) = (self.truth(l), self.truth(r));
                Box::new(move |frame| Ok(l(frame)? && r(frame)?))
            }
            NodeKind::Binary(BinaryOp::Or, l, r) => {
                let (l, r) = (self.truth(l), self.truth(r));
                Box::new(move |frame| Ok(l(frame)? || r(frame)?))
            }
            NodeKind::Binary(
                op @ (BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge),
                l,
                r,
            ) => {
                let op = *op;
                let missing = (self.missing(l), self.missing(r));
                let l = self.value(l);
                // A constant side (`held < 5 days`) is compared in place, not computed per order.
                match self.fold(r) {
                    Some(constant) => Box::new(move |frame| compare(op, &l(frame)?, &constant, &missing, span)),
                    None => {
                        let r = self.value(r);
                        Box::new(move |frame| {
                            let a = l(frame)?;
                            compare(op, &a, &r(frame)?, &missing, span)
                        })
                    }
                }
            }
            NodeKind::IsMissing(x, missing) => {
                let missing = *missing;
                let x = self.value(x);
                Box::new(move |frame| Ok((x(frame)? == Value::Missing) == missing))
            }
            _ => {
                let missing = self.missing(node);
                let value = self.value(node);
                Box::new(move |frame| match value(frame)? {
                    Value::Bool(b) => Ok(b),
                    Value::Missing => Err(missing.clone()),
                    _ => Err(EvalError::OutOfRange { what: "a condition that is not true/false".into(), span }),
                })
            }
        }
    }

    /// `node` as an amount of money (a number is accepted as the tree interpreter accepts it).
    fn money(&self, node: &Node) -> MoneyFn {
        let missing = self.missing(node);
        let value = self.value(node);
        Box::new(move |frame| match value(frame)? {
            Value::Money(m) | Value::Number(m) => Ok(m),
            _ => Err(missing.clone()),
        })
    }

    fn rule(&self, rule: &RuleDef) -> CompiledRule {
        let conditions = rule.conditions.iter().map(|c| self.truth(c)).collect();
        let (parts, reads) = match &rule.action {
            ActionDef::Refund { parts, .. } => (parts.iter().map(|p| self.part(p)).collect(), bindings_read(parts)),
            ActionDef::Deny => (Vec::new(), Vec::new()),
        };
        CompiledRule { conditions, parts, reads }
    }

    fn part(&self, part: &PartDef) -> CompiledPart {
        let destination = match &part.destination {
            DestinationDef::To(choice) => CompiledDestination::To(self.choice(choice)),
            DestinationDef::Split(shares) => {
                CompiledDestination::Split(shares.iter().map(|(w, c)| (self.money(w), self.choice(c))).collect())
            }
        };
        CompiledPart {
            base: self.money(&part.base),
            steps: part.steps.iter().map(|s| self.step(s)).collect(),
            destination,
        }
    }

    fn step(&self, step: &StepDef) -> CompiledStep {
        let review = (step.kind == StepKind::ReviewWhen).then(|| self.truth(&step.value));
        CompiledStep {
            kind: step.kind,
            review,
            value: self.money(&step.value),
            upper: step.upper.as_ref().map(|u| self.money(u)),
            span: step.span,
        }
    }

    fn choice(&self, choice: &ChoiceDef) -> CompiledChoice {
        match choice {
            ChoiceDef::Fixed(to) => CompiledChoice::Fixed(*to),
            ChoiceDef::If(c, a, b) => {
                CompiledChoice::If(self.truth(c), Box::new(self.choice(a)), Box::new(self.choice(b)))
            }
        }
    }
}
