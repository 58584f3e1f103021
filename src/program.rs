//! The checked policy: names resolved to indices, every expression typed. `eval` runs this.

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::ast::{BinaryOp, KeyMatch, UnaryOp};
use crate::decision::{Destination, Outcome, Review};
use crate::money::Rounding;
use crate::order::{Field, Order};
use crate::span::Span;
use crate::value::{Type, Value};

/// A policy after checking.
#[derive(Debug, Clone)]
pub struct Program {
    /// `policy ID`.
    pub id: String,
    /// Where the id was written.
    pub id_span: Span,
    /// The display name (the id when not given).
    pub name: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Decimal places of the currency's minor unit.
    pub minor_units: u32,
    /// The zone calendar arithmetic happens in.
    pub timezone: Tz,
    /// The version label.
    pub version: String,
    /// The first day this version applies (in the policy's time zone).
    pub effective: Option<NaiveDate>,
    /// The first day it no longer applies.
    pub until: Option<NaiveDate>,
    /// Which date of an order picks the version.
    pub versions_by: VersionsBy,
    /// How refund parts are rounded to the minor unit.
    pub rounding: Rounding,
    /// Declared order attributes.
    pub attributes: Vec<AttributeDef>,
    /// `const` and `let` definitions, in source order.
    pub bindings: Vec<BindingDef>,
    /// Lookup tables.
    pub tables: Vec<TableDef>,
    /// Rules, in the order they are tried.
    pub rules: Vec<RuleDef>,
    /// Examples with their orders already built.
    pub examples: Vec<ExampleDef>,
    /// Promises about every decision.
    pub invariants: Vec<InvariantDef>,
}

/// A checked invariant.
#[derive(Debug, Clone)]
pub struct InvariantDef {
    /// A condition on each decision, or `None` for "monotone in held".
    pub condition: Option<Node>,
    /// As written, for reports.
    pub text: String,
}

/// Which date of an order picks the policy version in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VersionsBy {
    /// The purchase date: an order keeps the rules it was bought under.
    #[default]
    PurchasedAt,
    /// The request date: the rules in force when the refund is asked for.
    RequestedAt,
}

/// A declared attribute.
#[derive(Debug, Clone)]
pub struct AttributeDef {
    /// Its name under `order.attributes`.
    pub name: String,
    /// Its type.
    pub value_type: Type,
    /// The type as declared (`count` and `percent` are numbers with rules of their own).
    pub declared: String,
    /// Used when the order does not give it.
    pub default: Option<Value>,
    /// `at least LOW`: the smallest value an order may give (checked when it is evaluated).
    pub at_least: Option<Bound>,
    /// `at most HIGH`: the largest value an order may give.
    pub at_most: Option<Bound>,
    /// The policy's words for it (`attribute x: money "..."`), used in explanations.
    pub description: Option<String>,
}

/// A bound of an attribute.
#[derive(Debug, Clone)]
pub struct Bound {
    /// The limit, computed per order.
    pub limit: Node,
    /// As written, for the order error.
    pub text: String,
}

/// A `const` or `let`.
#[derive(Debug, Clone)]
pub struct BindingDef {
    /// Its name.
    pub name: String,
    /// Its definition.
    pub value: Node,
    /// The policy's words for it (`let x = ... "..."`), used in explanations.
    pub description: Option<String>,
}

/// A lookup table.
#[derive(Debug, Clone)]
pub struct TableDef {
    /// Its name.
    pub name: String,
    /// How each key column matches.
    pub matching: Vec<KeyMatch>,
    /// Rows: keys and value.
    pub rows: Vec<(Vec<Value>, Value)>,
}

/// A rule.
#[derive(Debug, Clone)]
pub struct RuleDef {
    /// Its name.
    pub name: String,
    /// Where its name was written.
    pub name_span: Span,
    /// What the customer reads.
    pub message: String,
    /// Conditions, each a separate line of the "why" (top-level `and`s are split).
    pub conditions: Vec<Node>,
    /// Notes for the customer.
    pub notes: Vec<String>,
    /// Whether a person approves.
    pub review: Review,
    /// A refund by this rule counts against the no-reason quota.
    pub uses_no_reason_refund: bool,
    /// When that quota starts again; `None`: never.
    pub no_reason_period: Option<QuotaPeriod>,
    /// What it decides.
    pub action: ActionDef,
    /// Where it was written.
    pub span: Span,
}

/// What a rule decides.
#[derive(Debug, Clone)]
pub enum ActionDef {
    /// No refund.
    Deny,
    /// Pay back the parts; `manual` sends the result to manual review.
    Refund {
        /// The amounts.
        parts: Vec<PartDef>,
        /// The outcome is manual review.
        manual: bool,
    },
}

/// One amount of a refund.
#[derive(Debug, Clone)]
pub struct PartDef {
    /// The starting amount.
    pub base: Node,
    /// Its receipt label.
    pub label: String,
    /// Receipt steps.
    pub steps: Vec<StepDef>,
    /// Where it goes.
    pub destination: DestinationDef,
}

/// A receipt step.
#[derive(Debug, Clone)]
pub struct StepDef {
    /// What it does.
    pub kind: crate::ast::StepKind,
    /// Its operand.
    pub value: Node,
    /// The upper bound of a clamp.
    pub upper: Option<Node>,
    /// Its receipt label.
    pub label: String,
    /// Where it was written.
    pub span: Span,
}

/// Where a part goes.
#[derive(Debug, Clone)]
pub enum DestinationDef {
    /// To one place.
    To(ChoiceDef),
    /// In shares by weight.
    Split(Vec<(Node, ChoiceDef)>),
}

/// A destination, possibly chosen by a condition.
#[derive(Debug, Clone)]
pub enum ChoiceDef {
    /// Fixed.
    Fixed(Destination),
    /// `if c then a else b`.
    If(Box<Node>, Box<ChoiceDef>, Box<ChoiceDef>),
}

/// An in-file example.
#[derive(Debug, Clone)]
pub struct ExampleDef {
    /// Its title.
    pub name: String,
    /// The full order (base order plus the example's fields).
    pub order: Order,
    /// The expected outcome.
    pub outcome: Outcome,
    /// The expected total.
    pub amount: Option<rust_decimal::Decimal>,
    /// Expected destinations, each with an optional amount.
    pub to: Vec<(Destination, Option<rust_decimal::Decimal>)>,
    /// The expected deciding rule.
    pub by: Option<String>,
}

/// A typed expression.
#[derive(Debug, Clone)]
pub struct Node {
    /// What it computes.
    pub kind: NodeKind,
    /// Its type.
    pub value_type: Type,
    /// Where it was written.
    pub span: Span,
}

/// The forms of typed expression.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A constant.
    Const(Value),
    /// An order field.
    Field(Field),
    /// A declared attribute, by index.
    Attribute(usize),
    /// A `const`/`let`, by index.
    Binding(usize),
    /// The running amount inside receipt steps.
    Amount,
    /// A table lookup, by index.
    Table(usize, Vec<Node>),
    /// A built-in function.
    Call(Builtin, Vec<Node>),
    /// `-x`, `not x`.
    Unary(UnaryOp, Box<Node>),
    /// `a OP b`.
    Binary(BinaryOp, Box<Node>, Box<Node>),
    /// `x is missing` (true) / `x is present` (false).
    IsMissing(Box<Node>, bool),
    /// `if c then a else b`.
    If(Box<Node>, Box<Node>, Box<Node>),
}

/// Built-in functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// `min(a, b, ...)`.
    Min,
    /// `max(a, b, ...)`.
    Max,
    /// `clamp(x, low, high)`.
    Clamp,
    /// `abs(x)`.
    Abs,
    /// `round(x, step, mode)`.
    Round,
    /// `floor(x)`, `floor(x, step)`.
    Floor,
    /// `ceil(x)`, `ceil(x, step)`.
    Ceil,
    /// `whole_months(from, to)`: whole calendar months in the policy's time zone.
    WholeMonths,
    /// `date(instant)`: the calendar date in the policy's time zone.
    Date,
}

impl Builtin {
    /// Every built-in with its name.
    pub const ALL: &'static [(&'static str, Builtin)] = &[
        ("min", Builtin::Min),
        ("max", Builtin::Max),
        ("clamp", Builtin::Clamp),
        ("abs", Builtin::Abs),
        ("round", Builtin::Round),
        ("floor", Builtin::Floor),
        ("ceil", Builtin::Ceil),
        ("whole_months", Builtin::WholeMonths),
        ("date", Builtin::Date),
    ];
}

/// When a quota starts again, in the policy's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaPeriod {
    /// Every 1 January.
    CalendarYear,
    /// On the first of every month.
    CalendarMonth,
}

impl QuotaPeriod {
    /// The period `at` falls in, in `zone`: (year, month), the month 0 for a calendar year.
    pub fn of(self, at: chrono::DateTime<chrono::FixedOffset>, zone: Tz) -> (i32, u32) {
        use chrono::Datelike;
        let local = at.with_timezone(&zone);
        match self {
            QuotaPeriod::CalendarYear => (local.year(), 0),
            QuotaPeriod::CalendarMonth => (local.year(), local.month()),
        }
    }
}

// The tree walks: every reader of a program (lints, the prover, the policy's field list)
// goes through these, so a new node kind is taught to one place.

/// The top-level expressions of a program.
pub(crate) fn every_node(program: &Program) -> Vec<&Node> {
    let mut nodes: Vec<&Node> = program.bindings.iter().map(|b| &b.value).collect();
    for rule in &program.rules {
        nodes.extend(rule.conditions.iter());
        if let ActionDef::Refund { parts, .. } = &rule.action {
            part_nodes(parts, &mut nodes);
        }
    }
    nodes
}

/// The top-level expressions of refund parts: bases, step values and bounds, split weights and
/// the conditions destinations are chosen by.
pub(crate) fn part_nodes<'p>(parts: &'p [PartDef], nodes: &mut Vec<&'p Node>) {
    for part in parts {
        nodes.push(&part.base);
        for step in &part.steps {
            nodes.push(&step.value);
            nodes.extend(step.upper.as_ref());
        }
        match &part.destination {
            DestinationDef::To(choice) => choices(choice, nodes),
            DestinationDef::Split(shares) => {
                for (weight, choice) in shares {
                    nodes.push(weight);
                    choices(choice, nodes);
                }
            }
        }
    }
}

fn choices<'p>(choice: &'p ChoiceDef, nodes: &mut Vec<&'p Node>) {
    if let ChoiceDef::If(condition, then, otherwise) = choice {
        nodes.push(condition);
        choices(then, nodes);
        choices(otherwise, nodes);
    }
}

/// Calls `visit` on `node` and everything inside it.
pub(crate) fn walk(node: &Node, visit: &mut impl FnMut(&Node)) {
    visit(node);
    match &node.kind {
        NodeKind::Table(_, args) | NodeKind::Call(_, args) => args.iter().for_each(|a| walk(a, visit)),
        NodeKind::Unary(_, x) | NodeKind::IsMissing(x, _) => walk(x, visit),
        NodeKind::Binary(_, l, r) => {
            walk(l, visit);
            walk(r, visit);
        }
        NodeKind::If(c, a, b) => {
            walk(c, visit);
            walk(a, visit);
            walk(b, visit);
        }
        _ => {}
    }
}
