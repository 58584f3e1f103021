//! Computing a refund part as a receipt: a base amount, then each step as a labelled line.

use rust_decimal::Decimal;

use super::expr::Env;
use super::EvalError;
use crate::ast::StepKind;
use crate::decision::{Destination, Line, LineKind, TraceEntry};
use crate::money::{self, round_to_step};
use crate::program::{ChoiceDef, DestinationDef, PartDef, RuleDef, StepDef};
use crate::value::money_text;

/// The receipt of the deciding rule, part by part.
pub(super) struct Receipt<'t> {
    pub lines: Vec<Line>,
    pub reasons: Vec<String>,
    pub shares: Vec<(Destination, Decimal)>,
    pub review_requested: bool,
    minor_units: u32,
    trace: Option<&'t mut Vec<TraceEntry>>,
}

impl<'t> Receipt<'t> {
    pub fn new(minor_units: u32, trace: Option<&'t mut Vec<TraceEntry>>, lines: usize) -> Receipt<'t> {
        Receipt {
            lines: Vec::with_capacity(lines),
            reasons: Vec::new(),
            shares: Vec::new(),
            review_requested: false,
            minor_units,
            trace,
        }
    }

    /// Computes one part and where its money goes.
    pub fn part(&mut self, env: &mut Env<'_, '_>, part: &PartDef, rule: &RuleDef) -> Result<(), EvalError> {
        let mut amount = env.money(&part.base)?;
        let shown = self.showing(env, &part.base);
        self.line(&part.label, LineKind::Base, amount, amount, || money_text(amount), shown);
        for step in &part.steps {
            env.amount = amount;
            amount = self.step(env, step, amount)?;
        }
        if amount < Decimal::ZERO {
            return Err(EvalError::NegativeRefund { rule: rule.name.clone(), amount, span: rule.name_span });
        }
        let program = env.program;
        let unit = money::minor_unit(program.minor_units);
        let rounded = round_to_step(amount, unit, program.rounding)
            .ok_or(EvalError::OutOfRange { what: "the refund".into(), span: rule.name_span })?;
        if rounded != amount {
            let label = format!("rounded {} to {}", program.rounding.as_str(), money_text(unit));
            let arithmetic = || format!("{} -> {}", money_text(amount), money_text(rounded));
            self.line(&label, LineKind::Rounding, rounded.saturating_sub(amount), rounded, arithmetic, None);
        }
        self.destination(env, &part.destination, rounded)
    }

    fn step(&mut self, env: &mut Env<'_, '_>, step: &StepDef, amount: Decimal) -> Result<Decimal, EvalError> {
        if step.kind == StepKind::ReviewWhen {
            if env.truth(&step.value)? {
                self.review_requested = true;
                self.reasons.push(step.label.clone());
            }
            return Ok(amount);
        }
        let value = env.money(&step.value)?;
        let shown = self.showing(env, &step.value);
        let out_of_range = || EvalError::OutOfRange { what: "the amount".into(), span: step.span };
        let (a, v) = (|| money_text(amount), || money_text(value));
        let mut upper = None;
        let (kind, next) = match step.kind {
            StepKind::Less => (LineKind::Less, amount.checked_sub(value).ok_or_else(out_of_range)?),
            StepKind::Plus => (LineKind::Plus, amount.checked_add(value).ok_or_else(out_of_range)?),
            StepKind::Deduct | StepKind::Offset => {
                let kind = if step.kind == StepKind::Deduct { LineKind::Deduct } else { LineKind::Offset };
                if amount < Decimal::ZERO {
                    // The lines above already used up everything: nothing to take the fee from.
                    self.reasons.push(format!(
                        "{}: nothing is left to refund (the lines above come to {})",
                        step.label,
                        a()
                    ));
                    let label = format!("{} (nothing left to refund)", step.label);
                    self.line(&label, kind, -amount, Decimal::ZERO, || format!("{} is not above 0, so 0", a()), None);
                    return Ok(Decimal::ZERO);
                }
                let left = amount.checked_sub(value).ok_or_else(out_of_range)?;
                if amount > Decimal::ZERO && left <= Decimal::ZERO && !value.is_zero() {
                    let reason =
                        format!("{}: {} is not covered by the remaining {}, so nothing is left", step.label, v(), a());
                    self.reasons.push(reason);
                }
                (kind, left.max(Decimal::ZERO))
            }
            // A limit already used up (a negative one) leaves nothing, never a negative refund.
            StepKind::Cap => (LineKind::Cap, amount.min(value.max(Decimal::ZERO))),
            StepKind::ZeroBelow => {
                let next = if amount < value { Decimal::ZERO } else { amount };
                if next != amount {
                    self.reasons.push(format!("{}: {} is below the minimum {}", step.label, a(), v()));
                }
                (LineKind::ZeroBelow, next)
            }
            StepKind::Clamp => {
                let high = match &step.upper {
                    Some(node) => env.money(node)?,
                    None => amount,
                };
                upper = Some(high);
                (LineKind::Clamp, amount.min(high).max(value))
            }
            StepKind::ReviewWhen => return Ok(amount),
        };
        let quiet = matches!(kind, LineKind::Cap | LineKind::ZeroBelow | LineKind::Clamp) && next == amount;
        if !quiet {
            // The arithmetic is written out only for a trace: formatting costs more than computing.
            let arithmetic = || {
                let expression = match kind {
                    LineKind::Less => format!("{} - {}", a(), v()),
                    LineKind::Plus => format!("{} + {}", a(), v()),
                    LineKind::Deduct | LineKind::Offset => format!("max({} - {}, 0)", a(), v()),
                    LineKind::Cap => format!("min({}, max({}, 0))", a(), v()),
                    LineKind::ZeroBelow => format!("{} < {}, so 0", a(), v()),
                    _ => format!("clamp({}, {}, {})", a(), v(), upper.map(money_text).unwrap_or_default()),
                };
                format!("{expression} = {}", money_text(next))
            };
            self.line(&step.label, kind, next.saturating_sub(amount), next, arithmetic, shown);
        }
        Ok(next)
    }

    /// How a step's operand was computed, only when a trace is being recorded.
    fn showing(&self, env: &mut Env<'_, '_>, node: &crate::program::Node) -> Option<String> {
        self.trace.as_ref().and_then(|_| env.show(node))
    }

    fn line(
        &mut self,
        label: &str,
        kind: LineKind,
        change: Decimal,
        total: Decimal,
        arithmetic: impl FnOnce() -> String,
        operand: Option<String>,
    ) {
        let (amount, total) = (as_money(change, self.minor_units), as_money(total, self.minor_units));
        self.lines.push(Line { label: label.to_owned(), amount, kind, total });
        if let Some(trace) = self.trace.as_mut() {
            trace.push(TraceEntry::Step { label: label.to_owned(), arithmetic: arithmetic(), operand });
        }
    }

    fn destination(
        &mut self,
        env: &mut Env<'_, '_>,
        destination: &DestinationDef,
        amount: Decimal,
    ) -> Result<(), EvalError> {
        match destination {
            DestinationDef::To(choice) => {
                let to = choose(env, choice)?;
                self.shares.push((to, amount));
            }
            DestinationDef::Split(shares) => {
                let mut weights = Vec::with_capacity(shares.len());
                let mut places = Vec::with_capacity(shares.len());
                for (weight, choice) in shares {
                    weights.push(env.money(weight)?);
                    places.push(choose(env, choice)?);
                }
                let split = money::split(amount, &weights, env.program.minor_units);
                self.shares.extend(places.into_iter().zip(split));
            }
        }
        Ok(())
    }
}

fn choose(env: &mut Env<'_, '_>, choice: &ChoiceDef) -> Result<Destination, EvalError> {
    match choice {
        ChoiceDef::Fixed(to) => Ok(*to),
        ChoiceDef::If(condition, then, otherwise) => {
            if env.truth(condition)? {
                choose(env, then)
            } else {
                choose(env, otherwise)
            }
        }
    }
}

/// An amount shown with at least the currency's decimals ("0.00", never "0" or "-0"); more
/// precise amounts keep every digit, so a receipt never hides a fraction of a cent.
fn as_money(amount: Decimal, minor_units: u32) -> Decimal {
    let mut shown = if amount.is_zero() { Decimal::ZERO } else { amount.normalize() };
    if shown.scale() < minor_units {
        shown.rescale(minor_units);
    }
    shown
}
