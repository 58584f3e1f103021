//! `refund check --prove`: trying a policy's promises on thousands of generated orders.
//!
//! The orders come from [`orders::OrderSpace`]: the policy's example orders and an order made
//! from the contract alone, varied over every fact the policy reads, at the edges its constants
//! draw. Every decision must keep the built-in invariants (never negative, shares adding up to
//! the amount, the currency's minor unit, the same answer twice) and the policy's own
//! `invariant` lines; a valid order the policy cannot decide is a failure too. Each failure is
//! shrunk to the fewest changes from its base order.

mod choices;
mod knob;
mod literals;
pub mod orders;
mod random;
pub mod report;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::decision::Decision;
use crate::eval::EvalError;
use crate::order::Order;
use crate::policy::{Invariant, Kept, Policy};

pub use knob::{Anchor, Choice, Knob, Offset};
pub(crate) use random::Random;

/// What a proof run found.
#[derive(Debug, Clone, Serialize)]
pub struct Proof {
    /// Valid orders generated and tried.
    pub orders: usize,
    /// Of those, orders the policy could not decide.
    pub undecided: usize,
    /// Generated orders skipped because they break the order contract.
    pub skipped: usize,
    /// Generated orders skipped because their dates fall before or after every version: the
    /// policy refuses those by design (E208), which is an answer, not a failure.
    pub outside_dates: usize,
    /// Base orders: the policy's examples, then one made from the order contract.
    pub bases: usize,
    /// How many of the bases are the policy's example orders.
    pub bases_from_examples: usize,
    /// Orders that set one knob to one edge value (the rest mix several knobs at random).
    pub edge_orders: usize,
    /// The facts varied, as order field paths.
    pub varied: Vec<String>,
    /// The invariants tried, as written (the built-in ones first).
    pub invariants: Vec<String>,
    /// Each way the policy failed, with its smallest counterexample.
    pub failures: Vec<Failure>,
}

impl Proof {
    /// Whether the proof holds: orders were tried and none failed.
    pub fn held(&self) -> bool {
        self.orders > 0 && self.failures.is_empty()
    }
}

/// One way a policy fails, with the smallest order found that shows it.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// What went wrong.
    pub problem: Problem,
    /// How many generated orders failed this way.
    pub orders: usize,
    /// The counterexample, shrunk: every knob that does not matter set back to the base order's
    /// value. Paste it into `refund eval`.
    pub order: Order,
    /// The facts in which the counterexample differs from its base order.
    pub varied: Vec<String>,
    /// The decision, when there is one.
    pub decision: Option<Box<Decision>>,
    /// The rule that decided, or the rule or `let` where the evaluation stopped.
    pub rule: Option<String>,
}

/// What went wrong on an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Problem {
    /// A promise was broken.
    Broken {
        /// The invariant, as written.
        invariant: String,
        /// What was seen.
        detail: String,
    },
    /// The policy could not decide a valid order.
    Undecided {
        /// Why.
        #[serde(serialize_with = "as_text")]
        error: EvalError,
    },
}

fn as_text<S: serde::Serializer>(error: &EvalError, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("{}: {error}", error.code()))
}

impl Problem {
    /// Two failures are the same when they break the same invariant, or stop with the same
    /// error at the same place.
    fn same_as(&self, other: &Problem) -> bool {
        match (self, other) {
            (Problem::Broken { invariant: a, .. }, Problem::Broken { invariant: b, .. }) => a == b,
            (Problem::Undecided { error: a }, Problem::Undecided { error: b }) => {
                a.code() == b.code() && a.span() == b.span()
            }
            _ => false,
        }
    }
}

const BUILT_IN: [&str; 4] = [
    "amount >= 0",
    "the refunds add up to the amount",
    "the amount is in the currency's minor unit",
    "the same order gets the same decision",
];

/// Tries `count` valid generated orders (seeded by `seed`) and checks every invariant on each
/// decision; an order the policy cannot decide is a failure.
pub fn prove(policy: &Policy, count: usize, seed: u64) -> Proof {
    let space = orders::OrderSpace::for_policy(policy);
    let mut proof = Proof {
        orders: 0,
        undecided: 0,
        skipped: 0,
        outside_dates: 0,
        bases: space.bases().len(),
        bases_from_examples: space.bases_from_examples(),
        edge_orders: 0,
        varied: space.dials().iter().map(|d| d.knob.to_string()).collect(),
        invariants: BUILT_IN.iter().map(|s| (*s).to_owned()).collect(),
        failures: Vec::new(),
    };
    let mut found: Vec<(usize, Failure)> = Vec::new();
    // Orders outside the contract or the policy's dates do not count; the bound keeps a space
    // of mostly invalid orders from running forever.
    for generated in space.generate(seed).take(count.saturating_mul(4)) {
        if proof.orders >= count {
            break;
        }
        if generated.order.validate().is_err() {
            proof.skipped += 1;
            continue;
        }
        if policy.program_for(&generated.order).is_err() {
            proof.outside_dates += 1;
            continue;
        }
        let (problems, decided) = problems(policy, &generated.order, &mut proof.invariants);
        // An order the policy refuses as invalid (an attribute beyond the bounds the policy
        // declares for it) is outside the policy's contract: refused, rightly, not undecided.
        if problems.iter().any(|p| matches!(p, Problem::Undecided { error: EvalError::Order(_) })) {
            proof.skipped += 1;
            continue;
        }
        proof.orders += 1;
        if generated.kind == orders::Made::Edge {
            proof.edge_orders += 1;
        }
        if decided.is_none() {
            proof.undecided += 1;
        }
        for problem in problems {
            match found.iter_mut().find(|(_, f)| f.problem.same_as(&problem)) {
                Some((base, failure)) => {
                    failure.orders += 1;
                    // An order made from the author's own example reads easier than one made
                    // from the contract: keep the first such one.
                    if *base >= space.bases_from_examples() && generated.base < space.bases_from_examples() {
                        *base = generated.base;
                        failure.order = generated.order.clone();
                        failure.decision = decided.clone().map(Box::new);
                        failure.problem = problem;
                    }
                }
                None => {
                    let failure = Failure {
                        problem,
                        orders: 1,
                        order: generated.order.clone(),
                        varied: Vec::new(),
                        decision: decided.clone().map(Box::new),
                        rule: None,
                    };
                    found.push((generated.base, failure));
                }
            }
        }
    }
    proof.failures = found.into_iter().map(|(base, failure)| shrink(policy, &space, base, failure)).collect();
    proof
}

/// The rule or `let` whose text holds `span`.
fn place_of(policy: &Policy, span: crate::span::Span) -> Option<String> {
    let within = |outer: crate::span::Span| outer.start <= span.start && span.end <= outer.end;
    policy.programs().find_map(|(program, _)| {
        let rule = program.rules.iter().find(|r| within(r.span)).map(|r| format!("rule `{}`", r.name));
        rule.or_else(|| program.bindings.iter().find(|b| within(b.value.span)).map(|b| format!("`let {}`", b.name)))
    })
}

/// Every problem of one order, and its decision when it has one.
fn problems(policy: &Policy, order: &Order, invariants: &mut Vec<String>) -> (Vec<Problem>, Option<Decision>) {
    let decision = match policy.evaluate(order) {
        Ok(decision) => decision,
        Err(error) => return (vec![Problem::Undecided { error }], None),
    };
    let mut found: Vec<Problem> = broken_built_ins(policy, order, &decision)
        .into_iter()
        .map(|(invariant, detail)| Problem::Broken { invariant: invariant.to_owned(), detail })
        .collect();
    for Invariant { text, kept } in policy.invariants(order, &decision) {
        let text = as_written(&text);
        if !invariants.contains(&text) {
            invariants.push(text.clone());
        }
        let detail = match kept {
            Kept::No => Some(format!("refund {}", decision.amount)),
            Kept::Failed(error) => Some(format!("cannot be judged: {error}")),
            Kept::Yes => None,
            Kept::NeedsTwoOrders => later_gets_more(policy, order, &decision),
        };
        if let Some(detail) = detail {
            found.push(Problem::Broken { invariant: text, detail });
        }
    }
    (found, Some(decision))
}

/// An invariant's text without the comment lines the checker's span takes along after
/// `invariant monotone in held` (the span runs on to the next declaration).
fn as_written(text: &str) -> String {
    let lines: Vec<&str> = text.lines().take_while(|l| !l.trim_start().starts_with('#')).collect();
    lines.join("\n").trim().to_owned()
}

/// Sets each varied knob of the failure's order back to the base order's value, keeping every
/// change after which the order still fails the same way.
fn shrink(policy: &Policy, space: &orders::OrderSpace, base: usize, mut failure: Failure) -> Failure {
    let wanted = failure.problem.clone();
    let fails = |order: &Order| -> Option<(Problem, Option<Decision>)> {
        let (problems, decision) = problems(policy, order, &mut Vec::new());
        problems.into_iter().find(|p| p.same_as(&wanted)).map(|p| (p, decision))
    };
    for dial in space.dials() {
        let Some(smaller) = space.reset(&failure.order, base, &dial.knob) else { continue };
        if smaller.validate().is_err() {
            continue;
        }
        if let Some((problem, decision)) = fails(&smaller) {
            failure.order = smaller;
            failure.problem = problem;
            failure.decision = decision.map(Box::new);
        }
    }
    // What still differs takes the first of its knob's values that still fails: the values
    // are listed simplest first (nothing, a second, the edges in order).
    for dial in space.dials() {
        if !space.varied(&failure.order, base).contains(&&dial.knob) {
            continue;
        }
        for choice in dial.choices.iter().filter(|c| **c != Choice::Anywhere) {
            let simpler = space.with(&failure.order, &dial.knob, choice);
            if simpler == failure.order || simpler.validate().is_err() {
                continue;
            }
            if let Some((problem, decision)) = fails(&simpler) {
                failure.order = simpler;
                failure.problem = problem;
                failure.decision = decision.map(Box::new);
                break;
            }
        }
    }
    failure.varied = space.varied(&failure.order, base).into_iter().map(ToString::to_string).collect();
    failure.rule = match (&failure.decision, &failure.problem) {
        (Some(decision), _) => Some(format!("rule `{}`", decision.rule)),
        (None, Problem::Undecided { error }) => error.span().and_then(|span| place_of(policy, span)),
        (None, Problem::Broken { .. }) => None,
    };
    failure
}

/// An invariant one decision breaks ([`broken_invariants`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The invariant: a built-in one (`never negative`) or as written in the policy.
    pub invariant: String,
    /// What was seen instead (`refund -5.00`).
    pub detail: String,
}

/// Every invariant `decision` of `order` breaks, built-in and declared (but `monotone in held`,
/// which `prove` judges by asking again later).
pub fn broken_invariants(policy: &Policy, order: &Order, decision: &Decision) -> Vec<Broken> {
    let mut broken: Vec<Broken> = broken_built_ins(policy, order, decision)
        .into_iter()
        .map(|(invariant, detail)| Broken { invariant: invariant.to_owned(), detail })
        .collect();
    for Invariant { text, kept } in policy.invariants(order, decision) {
        match kept {
            Kept::No => broken.push(Broken { invariant: text, detail: format!("refund {}", decision.amount) }),
            Kept::Failed(error) => {
                broken.push(Broken { invariant: text, detail: format!("cannot be judged: {error}") })
            }
            Kept::Yes | Kept::NeedsTwoOrders => {}
        }
    }
    broken
}

/// The built-in invariants `decision` breaks.
fn broken_built_ins(policy: &Policy, order: &Order, decision: &Decision) -> Vec<(&'static str, String)> {
    let mut broken = Vec::new();
    let [never_negative, adds_up, minor_unit, deterministic] = BUILT_IN;
    if decision.amount < Decimal::ZERO {
        broken.push((never_negative, format!("refund {}", decision.amount)));
    }
    let shares: Decimal = decision.refunds.iter().map(|r| r.amount).sum();
    if shares != decision.amount {
        broken.push((adds_up, format!("shares add up to {shares}, the amount is {}", decision.amount)));
    }
    let units = iso_currency::Currency::from_code(&decision.currency).and_then(|c| c.exponent()).map_or(2, u32::from);
    if decision.amount.scale() != units || decision.refunds.iter().any(|r| r.amount.scale() != units) {
        broken.push((minor_unit, format!("{} has {} decimals", decision.amount, decision.amount.scale())));
    }
    if policy.evaluate(order).ok().as_ref() != Some(decision) {
        broken.push((deterministic, "a second evaluation decided differently".to_owned()));
    }
    broken
}

/// `monotone in held`: the same order asked a day or a month later must not get more back.
fn later_gets_more(policy: &Policy, order: &Order, decision: &Decision) -> Option<String> {
    for days in [1, 30] {
        let mut later = order.clone();
        let Some(at) = later.requested_at.checked_add_signed(chrono::Duration::days(days)) else { continue };
        later.requested_at = at;
        let Ok(after) = policy.evaluate(&later) else { continue };
        if after.amount > decision.amount {
            return Some(format!(
                "refund {} now, but {} when asked {days} day(s) later ({})",
                decision.amount, after.amount, after.rule
            ));
        }
    }
    None
}
