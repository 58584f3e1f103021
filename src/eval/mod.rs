//! Evaluating a checked policy against one order: the first rule whose conditions all hold
//! decides, and its receipt is computed step by step.

mod compiled;
mod explain;
mod expr;
mod receipt;
pub(crate) mod time;

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::decision::{Decision, Destination, NamedValue, Outcome, PolicyRef, Refund, Review, TraceEntry};
use crate::order::{Order, OrderError};
use crate::program::{ActionDef, Node, NodeKind, Program, RuleDef};
use crate::span::Span;
use crate::value::Value;

pub(crate) use compiled::Compiled;
pub(crate) use expr::attribute_value;
#[cfg(test)]
pub(crate) use expr::binary;
use expr::Env;

/// Why an order could not be decided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    /// The order itself is invalid for this policy.
    #[error(transparent)]
    Order(#[from] OrderError),
    /// No rule's conditions all hold.
    #[error("no rule of policy `{policy}` matches this order")]
    NoRuleMatched {
        /// The policy.
        policy: String,
        /// The last rule, after which there is nothing left to try.
        span: Span,
    },
    /// No version of the policy applies on the order's date.
    #[error("no version of policy `{policy}` applies on {date} (the order's {field}); versions: {ranges}")]
    NoVersion {
        /// The policy.
        policy: String,
        /// `purchased_at` or `requested_at`.
        field: &'static str,
        /// The order's date in the policy's time zone.
        date: String,
        /// The versions' ranges.
        ranges: String,
    },
    /// A division by zero.
    #[error("division by zero")]
    DivisionByZero {
        /// The division.
        span: Span,
    },
    /// An optional order field or attribute that the computation needs was not given.
    #[error("`{what}` is missing for this order, but the policy needs it here")]
    Missing {
        /// The field or attribute as written.
        what: String,
        /// Where it is needed.
        span: Span,
    },
    /// A number grew beyond what exact decimals hold, or a date beyond the calendar.
    #[error("{what} is out of range")]
    OutOfRange {
        /// What overflowed.
        what: String,
        /// Where.
        span: Span,
    },
    /// No row of a table matches the keys.
    #[error("no row of table `{table}` matches {keys}")]
    NoTableRow {
        /// The table.
        table: String,
        /// The keys looked up.
        keys: String,
        /// The lookup.
        span: Span,
    },
    /// A refund part came out below zero.
    #[error("rule `{rule}` computes a negative refund ({amount})")]
    NegativeRefund {
        /// The deciding rule.
        rule: String,
        /// The amount.
        amount: Decimal,
        /// The rule.
        span: Span,
    },
}

impl EvalError {
    /// The stable code of this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            EvalError::Order(_) => "E201",
            EvalError::NoRuleMatched { .. } => "E202",
            EvalError::NoVersion { .. } => "E208",
            EvalError::DivisionByZero { .. } => "E203",
            EvalError::Missing { .. } => "E204",
            EvalError::OutOfRange { .. } => "E205",
            EvalError::NoTableRow { .. } => "E206",
            EvalError::NegativeRefund { .. } => "E207",
        }
    }

    /// Where in the policy, when the error is the policy's.
    pub fn span(&self) -> Option<Span> {
        match self {
            EvalError::Order(_) | EvalError::NoVersion { .. } => None,
            EvalError::NoRuleMatched { span, .. }
            | EvalError::DivisionByZero { span }
            | EvalError::Missing { span, .. }
            | EvalError::OutOfRange { span, .. }
            | EvalError::NoTableRow { span, .. }
            | EvalError::NegativeRefund { span, .. } => Some(*span),
        }
    }

    /// How to fix it.
    pub fn help(&self) -> Option<String> {
        Some(match self {
            EvalError::Order(_) => return None,
            EvalError::NoRuleMatched { .. } => {
                "end the policy with a rule without `when` that decides every other order".into()
            }
            EvalError::NoVersion { .. } => {
                "add a version whose `effective ... until ...` range covers this date".into()
            }
            EvalError::DivisionByZero { .. } => {
                "guard the division with `if ... then ... else`, or check the order's dates".into()
            }
            EvalError::Missing { what, .. } => {
                // Test the optional group a field belongs to (`order.traffic`), not the field.
                let group = what
                    .strip_prefix("order.")
                    .and_then(|path| path.rsplit_once('.'))
                    .and_then(|(parent, _)| crate::order::Field::from_path(parent))
                    .filter(|field| field.value_type() == crate::value::Type::Group)
                    .map_or_else(|| what.clone(), |field| format!("order.{}", field.path()));
                format!("give `{what}` in the order, or test `{group} is missing` first")
            }
            EvalError::OutOfRange { .. } => "check the order's amounts and dates".into(),
            EvalError::NoTableRow { .. } => {
                "add a row for these keys, or a smaller first key for `from` columns".into()
            }
            EvalError::NegativeRefund { .. } => {
                "end the receipt with `clamp` from zero (or use `deduct`/`offset`, which stop at zero)".into()
            }
        })
    }
}

/// Evaluates `order` against `program`. `source` is the policy text, for the trace.
pub(crate) fn evaluate(
    program: &Program,
    policy: &Arc<PolicyRef>,
    source: &str,
    order: &Order,
    explain: bool,
) -> Result<Decision, EvalError> {
    same_currency(program, order)?;
    let mut env = Env::new(program, order)?;
    let mut trace = explain.then(Vec::new);
    for rule in &program.rules {
        match first_failing(&mut env, rule)? {
            Some(failed) => {
                if let Some(trace) = trace.as_mut() {
                    let condition = condition_text(program, failed, source);
                    let values = env.referenced(failed, source);
                    trace.push(TraceEntry::Skipped {
                        rule: rule.name.clone(),
                        message: rule.message.clone(),
                        condition,
                        label: env.label_of(failed),
                        values,
                    });
                }
            }
            None => {
                if let Some(trace) = trace.as_mut() {
                    let values = rule.conditions.iter().flat_map(|c| env.referenced(c, source)).collect();
                    trace.push(TraceEntry::Decided {
                        rule: rule.name.clone(),
                        message: rule.message.clone(),
                        conditions: rule.conditions.iter().map(|c| condition_text(program, c, source)).collect(),
                        values: dedup(values),
                    });
                }
                return decide(&mut env, policy, rule, trace);
            }
        }
    }
    let span = program.rules.last().map(|rule| rule.name_span).unwrap_or_default();
    Err(EvalError::NoRuleMatched { policy: program.id.clone(), span })
}

/// Whether `decision` of `order` keeps a declared invariant's condition (`amount` is its refund).
pub(crate) fn holds(
    program: &Program,
    order: &Order,
    decision: &Decision,
    condition: &Node,
) -> Result<bool, EvalError> {
    let mut env = Env::new(program, order)?;
    env.amount = decision.amount;
    env.truth(condition)
}

/// The first condition of `rule` that does not hold, or `None` when all hold.
fn first_failing<'p>(env: &mut Env<'p, '_>, rule: &'p RuleDef) -> Result<Option<&'p Node>, EvalError> {
    for condition in &rule.conditions {
        if !env.truth(condition)? {
            return Ok(Some(condition));
        }
    }
    Ok(None)
}

fn decide(
    env: &mut Env<'_, '_>,
    policy: &Arc<PolicyRef>,
    rule: &RuleDef,
    mut trace: Option<Vec<TraceEntry>>,
) -> Result<Decision, EvalError> {
    let program = env.program;
    let lines = match &rule.action {
        ActionDef::Refund { parts, .. } => parts.iter().map(|p| p.steps.len() + 2).sum(),
        ActionDef::Deny => 0,
    };
    let mut receipt = receipt::Receipt::new(program.minor_units, trace.as_mut(), lines);
    let mut manual = false;
    if let ActionDef::Refund { parts, manual: is_manual } = &rule.action {
        manual = *is_manual;
        for part in parts {
            receipt.part(env, part, rule)?;
        }
    }
    let receipt::Receipt { lines, reasons: step_reasons, shares, review_requested, .. } = receipt;
    let (refunds, amount, outcome) = settle(shares, program.minor_units, manual || review_requested);
    let review = if outcome == Outcome::ManualReview { crate::decision::Review::Manual } else { rule.review };
    let mut reasons = vec![rule.message.clone()];
    reasons.extend(step_reasons);
    Ok(Decision {
        order: env.order.id.clone(),
        policy: Arc::clone(policy),
        outcome,
        rule: rule.name.clone(),
        amount,
        currency: program.currency.clone(),
        refunds,
        lines,
        reasons,
        notes: rule.notes.clone(),
        review,
        uses_no_reason_refund: rule.uses_no_reason_refund && outcome != Outcome::NoRefund,
        // Formatting every named value costs more than the decision: only when explaining.
        values: if trace.is_some() { env.computed_values() } else { Vec::new() },
        trace,
    })
}

/// One refund per destination, in the contract's order of destinations, zero shares left out;
/// the total; the outcome (`manual`: the rule or a `review when` step sends it to a person).
fn settle(shares: Vec<(Destination, Decimal)>, minor_units: u32, manual: bool) -> (Vec<Refund>, Decimal, Outcome) {
    let mut refunds: Vec<Refund> = Vec::with_capacity(shares.len());
    for (to, amount) in shares {
        match refunds.iter_mut().find(|r| r.to == to) {
            Some(refund) => refund.amount = refund.amount.saturating_add(amount),
            None => refunds.push(Refund { to, amount }),
        }
    }
    refunds.sort_by_key(|r| r.to);
    let mut amount = refunds.iter().fold(Decimal::ZERO, |sum, r| sum.saturating_add(r.amount));
    amount.rescale(minor_units);
    refunds.retain(|r| !r.amount.is_zero());
    for refund in &mut refunds {
        refund.amount.rescale(minor_units);
    }
    let outcome = if manual {
        Outcome::ManualReview
    } else if amount > Decimal::ZERO {
        Outcome::Refund
    } else {
        Outcome::NoRefund
    };
    (refunds, amount, outcome)
}

/// The currency of the order is the policy's.
fn same_currency(program: &Program, order: &Order) -> Result<(), EvalError> {
    if order.currency != program.currency {
        return Err(OrderError::Invalid {
            path: "currency".into(),
            message: format!("is {}, but policy `{}` is in {}", order.currency, program.id, program.currency),
        }
        .into());
    }
    Ok(())
}

/// The rule that decides `order`, found by the compiled form, and the frame it left (the
/// attributes bound, the `let`s computed).
fn compiled_rule<'p, 'f>(
    program: &'p Program,
    compiled: &'f Compiled,
    order: &'f Order,
) -> Result<(usize, &'p RuleDef, compiled::Frame<'f>), EvalError> {
    same_currency(program, order)?;
    let (attributes, memo) = Env::new(program, order)?.into_parts();
    let mut frame = compiled.frame(order, attributes, memo);
    match compiled.first_rule(&mut frame)? {
        Some(index) => match program.rules.get(index) {
            Some(rule) => Ok((index, rule, frame)),
            None => Err(no_rule(program)),
        },
        None => Err(no_rule(program)),
    }
}

fn no_rule(program: &Program) -> EvalError {
    let span = program.rules.last().map(|rule| rule.name_span).unwrap_or_default();
    EvalError::NoRuleMatched { policy: program.id.clone(), span }
}

/// [`evaluate`] without a trace, the rules tried by the compiled form; the deciding rule's
/// receipt is written by the same code as `explain`'s, going on with the `let`s computed.
pub(crate) fn evaluate_compiled(
    program: &Program,
    compiled: &Compiled,
    policy: &Arc<PolicyRef>,
    order: &Order,
) -> Result<Decision, EvalError> {
    let (index, rule, mut frame) = compiled_rule(program, compiled, order)?;
    compiled.precompute(&mut frame, index);
    let mut env = Env::resume(program, order, frame.attributes, frame.memo);
    decide(&mut env, policy, rule, None)
}

/// What a decision comes to, without its receipt: the deciding rule, the outcome, the total
/// and where it goes ([`crate::Policy::decide`]). Equal to the same fields of the full
/// [`Decision`] that [`crate::Policy::evaluate`] returns for the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionSummary<'p> {
    /// Refund, no refund, or manual review.
    pub outcome: Outcome,
    /// The rule that decided.
    pub rule: &'p str,
    /// The total refund, to the currency's minor unit.
    pub amount: Decimal,
    /// Where the money goes, one entry per destination.
    pub refunds: Vec<Refund>,
    /// Whether a person approves.
    pub review: Review,
}

/// The outcome, rule, amount and refunds of `order`, computed entirely by the compiled form.
pub(crate) fn summarise<'p>(
    program: &'p Program,
    compiled: &Compiled,
    order: &Order,
) -> Result<DecisionSummary<'p>, EvalError> {
    let (index, rule, mut frame) = compiled_rule(program, compiled, order)?;
    let (manual, paid) = match &rule.action {
        ActionDef::Refund { manual, .. } => (*manual, compiled.pay(&mut frame, index, rule)?),
        ActionDef::Deny => (false, compiled::Paid { shares: Vec::new(), review_requested: false }),
    };
    let (refunds, amount, outcome) = settle(paid.shares, program.minor_units, manual || paid.review_requested);
    let review = if outcome == Outcome::ManualReview { Review::Manual } else { rule.review };
    Ok(DecisionSummary { outcome, rule: &rule.name, amount, refunds, review })
}

/// A condition as written; a named condition with its definition: `within_five_days (held < 5 days)`.
fn condition_text(program: &Program, condition: &Node, source: &str) -> String {
    let written = condition.span.text(source);
    match &condition.kind {
        NodeKind::Binding(index) => match program.bindings.get(*index) {
            Some(binding) => format!("{written} ({})", binding.value.span.text(source)),
            None => written.to_owned(),
        },
        _ => written.to_owned(),
    }
}

fn dedup(values: Vec<NamedValue>) -> Vec<NamedValue> {
    let mut seen = Vec::new();
    for value in values {
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen
}

/// A value for an order field or attribute, read for the "why".
fn named(name: String, value: &Value, label: Option<&String>) -> NamedValue {
    NamedValue { name, value: value.to_string(), label: label.cloned() }
}

/// Whether a node is a plain read (field, attribute, binding), for the trace.
fn is_read(kind: &NodeKind) -> bool {
    matches!(kind, NodeKind::Field(_) | NodeKind::Attribute(_) | NodeKind::Binding(_))
}
