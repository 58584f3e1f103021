//! A decision as a receipt people can read in a terminal.

use std::fmt::Write as _;

use refund_rules::money_text;
use refund_rules::{Decision, LineKind, TraceEntry};

/// The receipt of one decision; the "why" too when the decision has a trace.
pub fn render(decision: &Decision) -> String {
    let mut out = String::new();
    let currency = &decision.currency;
    let _ = writeln!(
        out,
        "order {}: {} {} {currency}",
        decision.order,
        decision.outcome.as_str().replace('_', " "),
        money_text(decision.amount)
    );
    let policy = &decision.policy;
    let _ = writeln!(out, "  policy   {} ({}), version {}", policy.id, policy.name, policy.version);
    let _ = writeln!(out, "  rule     {}: {}", decision.rule, decision.reasons.first().map_or("", String::as_str));
    for reason in decision.reasons.iter().skip(1) {
        let _ = writeln!(out, "           {reason}");
    }
    let review = match decision.review {
        refund_rules::Review::Auto => "automatic",
        refund_rules::Review::Manual => "manual (a person approves first)",
    };
    let _ = writeln!(out, "  review   {review}");
    if let Some(trace) = &decision.trace {
        let _ = writeln!(out, "  why");
        for entry in trace {
            match entry {
                TraceEntry::Skipped { rule, message, condition, values } => {
                    let _ = writeln!(out, "    - {rule} ({message}): not `{condition}`{}", values_text(values));
                }
                TraceEntry::Decided { rule, message, values, .. } => {
                    let _ = writeln!(out, "    + {rule} ({message}): every condition holds{}", values_text(values));
                }
                TraceEntry::Step { .. } => {}
            }
        }
    }
    if !decision.lines.is_empty() {
        let _ = writeln!(out, "  receipt");
        let steps: Vec<(&str, Option<&str>)> = match &decision.trace {
            Some(trace) => trace
                .iter()
                .filter_map(|e| match e {
                    TraceEntry::Step { arithmetic, operand, .. } => Some((arithmetic.as_str(), operand.as_deref())),
                    _ => None,
                })
                .collect(),
            None => Vec::new(),
        };
        let width = decision.lines.iter().map(|l| display_width(&l.label)).max().unwrap_or(0);
        for (index, line) in decision.lines.iter().enumerate() {
            let pad = " ".repeat(width.saturating_sub(display_width(&line.label)));
            let sign = if line.kind != LineKind::Base && line.amount > rust_decimal::Decimal::ZERO { "+" } else { "" };
            let signed = format!("{:>12}", format!("{sign}{}", money_text(line.amount)));
            let _ = write!(out, "    {}{pad}  {signed}  = {:>10}", line.label, money_text(line.total));
            match steps.get(index) {
                Some((arithmetic, operand)) => {
                    let _ = writeln!(out, "   ({arithmetic})");
                    if let Some(operand) = operand {
                        let _ = writeln!(out, "      where {operand}");
                    }
                }
                None => out.push('\n'),
            }
        }
    }
    if decision.refunds.is_empty() {
        let _ = writeln!(out, "  refunds  none");
    }
    for (index, refund) in decision.refunds.iter().enumerate() {
        let head = if index == 0 { "  refunds " } else { "          " };
        let _ = writeln!(out, "{head} {} {currency} to {}", money_text(refund.amount), refund.to.as_str());
    }
    if !decision.values.is_empty() && decision.trace.is_some() {
        let _ = writeln!(out, "  values");
        for value in &decision.values {
            let _ = writeln!(out, "    {} = {}", value.name, value.value);
        }
    }
    for note in &decision.notes {
        let _ = writeln!(out, "  note     {note}");
    }
    out
}

fn values_text(values: &[refund_rules::NamedValue]) -> String {
    if values.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = values.iter().map(|v| format!("{} is {}", v.name, v.value)).collect();
    format!("; {}", parts.join(", "))
}

/// Terminal columns taken by `text`: CJK characters take two.
fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}
