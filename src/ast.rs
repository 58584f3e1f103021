//! The policy as written: plain data produced by `syntax`, read by `check`.
//!
//! Names are still strings here; `check` resolves them and assigns types.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;

use crate::span::{Location, Spanned};

/// A whole policy file: one policy, or several dated versions of it.
#[derive(Debug, Clone, PartialEq)]
pub struct File {
    /// The `policy` blocks, in source order.
    pub policies: Vec<PolicyBlock>,
}

/// One `policy ID { ... }` block.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyBlock {
    /// `policy ID { ... }`.
    pub id: Spanned<String>,
    /// Header lines, declarations and rules, in source order.
    pub items: Vec<Item>,
}

/// One declaration of a policy.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `name "..."`.
    Name(Spanned<String>),
    /// `currency CNY`.
    Currency(Spanned<String>),
    /// `timezone "Asia/Shanghai"`.
    Timezone(Spanned<String>),
    /// `source "..." read DATE`.
    Source {
        /// Where the rules were read.
        address: Spanned<String>,
        /// The day they were read.
        read: Spanned<NaiveDate>,
    },
    /// `effective DATE` or `effective DATE until DATE`.
    Effective {
        /// The first day it applies.
        from: Spanned<NaiveDate>,
        /// The first day it no longer applies.
        until: Option<Spanned<NaiveDate>>,
    },
    /// `versions by purchased_at`.
    VersionsBy(Spanned<String>),
    /// `version "..."`.
    Version(Spanned<String>),
    /// `rounding half_up`.
    Rounding(Spanned<String>),
    /// `attribute NAME: TYPE = DEFAULT "description"`.
    Attribute(Attribute),
    /// `const NAME = EXPR` or `let NAME = EXPR`.
    Binding(Binding),
    /// `table NAME by KEY from, ... { rows }`.
    Table(Table),
    /// `rule NAME "message": ...`.
    Rule(Rule),
    /// `invariant ...`.
    Invariant(Invariant),
    /// `base order { ... }`.
    BaseOrder(Spanned<Object>),
    /// `example "name" { order { ... } expect ... }`.
    Example(Example),
}

/// A provider-specific order fact.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Its name under `order.attributes`.
    pub name: Spanned<String>,
    /// Its declared type.
    pub type_name: Spanned<TypeName>,
    /// The value used when an order does not give one.
    pub default: Option<Expr>,
    /// `at least LOW`: the smallest value an order may give.
    pub at_least: Option<Expr>,
    /// `at most HIGH`: the largest value an order may give.
    pub at_most: Option<Expr>,
    /// What it means, for people.
    pub description: Option<String>,
}

/// A declared type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeName {
    /// A plain type name such as `money`.
    Named(String),
    /// `one_of(a, b)`.
    OneOf(Vec<String>),
}

/// Whether a binding is fixed by the policy or derived from the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingKind {
    /// `const`: may not read the order.
    Const,
    /// `let`: computed per order, at most once.
    Let,
}

/// `const NAME = EXPR` or `let NAME = EXPR`.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    /// `const` or `let`.
    pub kind: BindingKind,
    /// The name.
    pub name: Spanned<String>,
    /// The definition.
    pub value: Expr,
    /// What it means, for people.
    pub description: Option<String>,
}

/// A lookup table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The name it is called by.
    pub name: Spanned<String>,
    /// What it means, for people.
    pub description: Option<String>,
    /// The key columns.
    pub keys: Vec<TableKey>,
    /// The rows: keys then value.
    pub rows: Vec<TableRow>,
}

/// A key column of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableKey {
    /// Its name (documentation: the call site gives the value).
    pub name: Spanned<String>,
    /// `is` or `from`.
    pub matching: KeyMatch,
}

/// How a key column matches a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyMatch {
    /// The key equals the value.
    Exact,
    /// The greatest key not above the value.
    Step,
}

/// One row of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// One cell per key column.
    pub keys: Vec<Expr>,
    /// The row's value.
    pub value: Expr,
    /// The whole row.
    pub span: Location,
}

/// `uses QUOTA [per calendar PERIOD]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Uses {
    /// The quota: `no_reason_refund`.
    pub quota: Spanned<String>,
    /// `year` or `month` after `per calendar`; none when the quota never starts again.
    pub period: Option<Spanned<String>>,
}

/// A rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Its name.
    pub name: Spanned<String>,
    /// The message a customer reads.
    pub message: String,
    /// Every `when`, in order.
    pub conditions: Vec<Expr>,
    /// `note "..."` lines.
    pub notes: Vec<String>,
    /// `review manual|auto`.
    pub review: Option<Spanned<String>>,
    /// `uses no_reason_refund`: the quotas a refund by this rule counts against.
    pub uses: Vec<Uses>,
    /// What it decides.
    pub action: Action,
    /// From `rule` to the end of the rule.
    pub span: Location,
}

/// What a deciding rule does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// No refund.
    Deny(Location),
    /// Pay back the parts.
    Refund(Vec<Part>),
    /// Compute the parts, but a person decides.
    ManualReview(Vec<Part>),
}

/// One amount, built like a receipt.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The starting amount.
    pub base: Expr,
    /// Its receipt label.
    pub label: Option<String>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Where the money goes.
    pub destination: RefundTarget,
}

/// A receipt step.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// What it does.
    pub kind: StepKind,
    /// Its operand (the condition for `manual_review when`).
    pub value: Expr,
    /// The upper bound of `clamp LOW to HIGH`.
    pub upper: Option<Expr>,
    /// Its receipt label.
    pub label: Option<String>,
    /// The whole step.
    pub span: Location,
}

/// The kinds of receipt step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Subtract.
    Less,
    /// Add.
    Plus,
    /// Subtract a fee, not below zero.
    Deduct,
    /// Settle a debt, not below zero.
    Offset,
    /// At most.
    Cap,
    /// Zero when below.
    ZeroBelow,
    /// Between two bounds.
    Clamp,
    /// A person must approve when the condition holds.
    ReviewWhen,
}

/// Where a part's money goes.
#[derive(Debug, Clone, PartialEq)]
pub enum RefundTarget {
    /// All of it to one place.
    To(Choice),
    /// Shares in proportion to weights.
    Split(Vec<(Expr, Choice)>),
}

/// A destination name, or a choice between two.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// `balance`.
    Named(Spanned<String>),
    /// `if COND then A else B`.
    If(Box<Expr>, Box<Choice>, Box<Choice>),
}

/// A promise about every decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Invariant {
    /// What is promised.
    pub kind: InvariantKind,
    /// For people.
    pub description: Option<String>,
    /// The whole invariant.
    pub span: Location,
}

/// The kinds of promise.
#[derive(Debug, Clone, PartialEq)]
pub enum InvariantKind {
    /// A condition on each decision (`amount` is its refund).
    Holds(Expr),
    /// A later request never gets more back, all else equal.
    MonotoneInHeld,
}

/// An example written in the policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Its title.
    pub name: Spanned<String>,
    /// The fields it sets over the base order.
    pub order: Spanned<Object>,
    /// What must be decided.
    pub expect: Expectation,
}

/// `expect OUTCOME AMOUNT to DEST AMOUNT, ... by RULE`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    /// `refund`, `no_refund` or `manual_review`.
    pub outcome: Spanned<String>,
    /// The total.
    pub amount: Option<Expr>,
    /// Destinations, each with an optional amount.
    pub to: Vec<(Spanned<String>, Option<Expr>)>,
    /// The deciding rule.
    pub by: Option<Spanned<String>>,
    /// The whole expectation.
    pub span: Location,
}

/// An inline order: `{ key: value, ... }`.
pub type Object = Vec<(Spanned<String>, Spanned<ObjectValue>)>;

/// A value in an inline order.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectValue {
    /// A nested object.
    Object(Object),
    /// A number, kept as written.
    Number(String),
    /// A string, an instant, a date, or a symbol.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
}

/// An expression with its span.
pub type Expr = Spanned<ExprKind>;

/// The forms of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A constant.
    Literal(Literal),
    /// `held`, `order.paid.cash`, `subscription`: resolved by `check`.
    Path(Vec<String>),
    /// `f(a, b)`: a built-in function or a table.
    Call(Spanned<String>, Vec<Expr>),
    /// `-x` or `not x`.
    Unary(UnaryOp, Box<Expr>),
    /// `a + b`, `a and b`, ...
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `x is missing` (true) or `x is present` (false).
    IsMissing(Box<Expr>, bool),
    /// `if c then a else b`.
    If(Box<Expr>, Box<Expr>, Box<Expr>),
}

/// A constant as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `0.42`.
    Number(Decimal),
    /// `88%`, kept as the fraction 0.88.
    Percent(Decimal),
    /// `10.00 CNY`.
    Money(Decimal, String),
    /// `5 days`.
    Duration(Decimal, TimeUnit),
    /// `2026-03-01T10:00:00+08:00`.
    Instant(DateTime<FixedOffset>),
    /// `2026-03-16`.
    Date(NaiveDate),
    /// `"text"`.
    Text(String),
    /// `true`, `false`.
    Bool(bool),
}

/// The units a duration is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    /// Seconds.
    Second,
    /// Minutes.
    Minute,
    /// Hours.
    Hour,
    /// Days of 24 hours.
    Day,
    /// Weeks of 7 days.
    Week,
    /// Calendar months.
    Month,
    /// Calendar years.
    Year,
}

impl TimeUnit {
    /// Seconds in one unit, or `None` for the calendar units.
    pub fn seconds(self) -> Option<i64> {
        match self {
            TimeUnit::Second => Some(1),
            TimeUnit::Minute => Some(60),
            TimeUnit::Hour => Some(3_600),
            TimeUnit::Day => Some(86_400),
            TimeUnit::Week => Some(604_800),
            TimeUnit::Month | TimeUnit::Year => None,
        }
    }
}

/// Unary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-x`.
    Neg,
    /// `not x`.
    Not,
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `or`.
    Or,
    /// `and`.
    And,
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
}

impl BinaryOp {
    /// How the operator is written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }
}
