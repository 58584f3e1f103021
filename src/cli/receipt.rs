//! A decision as a receipt people can read: in a terminal, or as Markdown for a ticket.

use std::fmt::Write as _;

use refund_rules::money_text;
use refund_rules::{Decision, Line, LineKind, NamedValue, Outcome, Review, TraceEntry};
use rust_decimal::Decimal;

use super::style::{self, Paint};

/// The receipt of one decision; the "why" too when the decision has a trace.
pub fn render(decision: &Decision) -> String {
    let mut out = String::new();
    let currency = &decision.currency;
    let head = format!("{} {} {currency}", outcome_words(decision.outcome), money_text(decision.amount));
    let _ = writeln!(out, "order {}: {}", decision.order, style::out(&head, outcome_paint(decision.outcome)));
    let policy = &decision.policy;
    let _ = writeln!(out, "  policy   {} ({}), version {}", policy.id, policy.name, policy.version);
    let _ = writeln!(out, "  rule     {}: {}", decision.rule, decision.reasons.first().map_or("", String::as_str));
    for reason in decision.reasons.iter().skip(1) {
        let _ = writeln!(out, "           {reason}");
    }
    let _ = writeln!(out, "  review   {}", review_words(decision.review));
    if let Some(trace) = &decision.trace {
        let _ = writeln!(out, "  {}", style::out("why", Paint::Strong));
        for line in why_lines(trace) {
            let _ = writeln!(out, "    {line}");
        }
    }
    if !decision.lines.is_empty() {
        let _ = writeln!(out, "  {}", style::out("receipt", Paint::Strong));
        let steps = step_texts(decision);
        let width = decision.lines.iter().map(|l| display_width(&l.label)).max().unwrap_or(0);
        for (index, line) in decision.lines.iter().enumerate() {
            let pad = " ".repeat(width.saturating_sub(display_width(&line.label)));
            let change = format!("{:>12}", change_text(line));
            let _ = write!(out, "    {}{pad}  {change}  = {:>10}", line.label, money_text(line.total));
            match steps.get(index) {
                Some((arithmetic, operand)) => {
                    let _ = writeln!(out, "   ({})", plain(arithmetic));
                    if let Some(operand) = operand {
                        let _ = writeln!(out, "      where {}", plain(operand));
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
        let _ = writeln!(out, "  {}", style::out("values", Paint::Strong));
        for value in &decision.values {
            let _ = writeln!(out, "    {}", value_line(value));
        }
    }
    for note in &decision.notes {
        let _ = writeln!(out, "  note     {note}");
    }
    out
}

/// The receipt as Markdown, to paste into a ticket: a heading, a table of lines, the reasons.
pub fn markdown(decision: &Decision) -> String {
    let mut out = String::new();
    let currency = &decision.currency;
    let _ = writeln!(
        out,
        "### Order {}: {} {} {currency}\n",
        cell(&decision.order),
        outcome_words(decision.outcome),
        money_text(decision.amount)
    );
    let policy = &decision.policy;
    let _ = writeln!(out, "- **Policy:** {} ({}), version {}", policy.id, cell(&policy.name), policy.version);
    let rule = decision.reasons.first().map_or(String::new(), |message| format!(": {}", cell(message)));
    let _ = writeln!(out, "- **Rule:** `{}`{rule}", decision.rule);
    for reason in decision.reasons.iter().skip(1) {
        let _ = writeln!(out, "  - {}", cell(reason));
    }
    let _ = writeln!(out, "- **Review:** {}", review_words(decision.review));
    let refunds: Vec<String> =
        decision.refunds.iter().map(|r| format!("{} {currency} to {}", money_text(r.amount), r.to.as_str())).collect();
    let refunds = if refunds.is_empty() { "none".to_owned() } else { refunds.join(", ") };
    let _ = writeln!(out, "- **Refunds:** {refunds}");
    if !decision.lines.is_empty() {
        let _ = writeln!(out, "\n| step | change ({currency}) | total ({currency}) |\n|---|---:|---:|");
        for line in &decision.lines {
            let _ = writeln!(out, "| {} | {} | {} |", cell(&line.label), change_text(line), money_text(line.total));
        }
    }
    if let Some(trace) = &decision.trace {
        let _ = writeln!(out, "\n**Why**\n");
        for line in why_lines(trace) {
            let _ = writeln!(out, "- {}", cell(&line));
        }
    }
    if !decision.values.is_empty() && decision.trace.is_some() {
        let _ = writeln!(out, "\n**Values**\n");
        for value in &decision.values {
            let _ = writeln!(out, "- {}", cell(&value_line(value)));
        }
    }
    for note in &decision.notes {
        let _ = writeln!(out, "\n> {}", cell(note));
    }
    out
}

fn outcome_words(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Refund => "refund",
        Outcome::NoRefund => "no refund",
        Outcome::ManualReview => "manual review",
    }
}

fn outcome_paint(outcome: Outcome) -> Paint {
    match outcome {
        Outcome::Refund => Paint::Good,
        Outcome::NoRefund => Paint::Bad,
        Outcome::ManualReview => Paint::Caution,
    }
}

fn review_words(review: Review) -> &'static str {
    match review {
        Review::Auto => "automatic",
        Review::Manual => "manual (a person approves first)",
    }
}

/// A line's change: signed money for a step, the amount for the base; a limit (cap, clamp,
/// a minimum) that acts says what it did, since "+144.00" for "never below zero" reads as a gift.
fn change_text(line: &Line) -> String {
    if matches!(line.kind, LineKind::Cap | LineKind::Clamp | LineKind::ZeroBelow) {
        match line.amount.cmp(&Decimal::ZERO) {
            std::cmp::Ordering::Greater => return "raised to".to_owned(),
            std::cmp::Ordering::Less => return "lowered to".to_owned(),
            std::cmp::Ordering::Equal => {}
        }
    }
    let sign = if line.kind != LineKind::Base && line.amount > Decimal::ZERO { "+" } else { "" };
    format!("{sign}{}", money_text(line.amount))
}

/// One line per rule tried: the rule, its message, and in the policy's words what it needs and
/// what the order has: `✗ no_reason (...) — needs “within five days”; here “time held” is 30 days`.
fn why_lines(trace: &[TraceEntry]) -> Vec<String> {
    trace
        .iter()
        .filter_map(|entry| match entry {
            TraceEntry::Skipped { rule, message, condition, label, values } => {
                let (name, definition) = split_condition(condition);
                let needs = match label {
                    Some(label) => format!("\u{201c}{label}\u{201d}"),
                    None => plain(&code_words(definition.unwrap_or(name))),
                };
                // The failing condition's own truth value says nothing new: "needs" says it.
                let values: Vec<&NamedValue> = values.iter().filter(|v| v.name != name).collect();
                let here = if values.is_empty() { String::new() } else { format!("; here {}", values_text(&values)) };
                Some(format!("{} {rule} ({message}) \u{2014} needs {needs}{here}", style::out("✗", Paint::Bad)))
            }
            TraceEntry::Decided { rule, message, values, .. } => {
                let values: Vec<&NamedValue> = values.iter().collect();
                let here = if values.is_empty() { String::new() } else { format!(": {}", values_text(&values)) };
                Some(format!("{} {rule} ({message}) \u{2014} decides{here}", style::out("✓", Paint::Good)))
            }
            TraceEntry::Step { .. } => None,
        })
        .collect()
}

/// `within_7_days (held < 7 days)` as the name and its definition.
fn split_condition(condition: &str) -> (&str, Option<&str>) {
    match condition.split_once(" (") {
        Some((name, definition)) if definition.ends_with(')') => (name, definition.strip_suffix(')')),
        _ => (condition, None),
    }
}

/// A condition as written, with order fields by their names: `order.paid.cash > 0` as
/// `paid.cash > 0`.
fn code_words(text: &str) -> String {
    text.replace("order.attributes.", "").replace("order.", "")
}

/// The arithmetic of each line, in line order (present only when explaining).
fn step_texts(decision: &Decision) -> Vec<(&str, Option<&str>)> {
    match &decision.trace {
        Some(trace) => trace
            .iter()
            .filter_map(|e| match e {
                TraceEntry::Step { arithmetic, operand, .. } => Some((arithmetic.as_str(), operand.as_deref())),
                _ => None,
            })
            .collect(),
        None => Vec::new(),
    }
}

fn values_text(values: &[&NamedValue]) -> String {
    let parts: Vec<String> = values.iter().map(|v| format!("{} is {}", value_name(v), value_words(&v.value))).collect();
    parts.join(", ")
}

/// `Months in the order (term_months): 12`, or `term_months: 12` without a label.
fn value_line(value: &NamedValue) -> String {
    match &value.label {
        Some(label) => format!("{label} ({}): {}", value.name, value_words(&value.value)),
        None => format!("{}: {}", field_words(&value.name), value_words(&value.value)),
    }
}

/// A value's label, else its name as a reader says it.
fn value_name(value: &NamedValue) -> String {
    match &value.label {
        Some(label) => format!("\u{201c}{label}\u{201d}"),
        None => field_words(&value.name),
    }
}

/// `order.paid.cash` as `paid.cash`, `order.attributes.monthly_price` as `monthly_price`: in
/// the receipt of an order, "order." says nothing.
fn field_words(name: &str) -> String {
    code_words(name)
}

/// `true`/`false` as `yes`/`no`; durations in whole days as days.
fn value_words(value: &str) -> String {
    match value {
        "true" => "yes".to_owned(),
        "false" => "no".to_owned(),
        other => plain(other),
    }
}

/// Durations as the guide writes them: `219 days 0 hours` is `219 days`.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(" 0 hours") {
        let (before, after) = rest.split_at(at);
        let after = after.get(" 0 hours".len()..).unwrap_or("");
        out.push_str(before);
        // Keep `0 hours` when minutes or seconds follow, or when no days precede.
        let exact_days = before.ends_with(" day") || before.ends_with(" days");
        if !exact_days || after.starts_with(' ') && after.chars().nth(1).is_some_and(|c| c.is_ascii_digit()) {
            out.push_str(" 0 hours");
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Text inside a Markdown table cell or list item: no line breaks, no column bars.
fn cell(text: &str) -> String {
    text.replace('\n', " ").replace('|', "\\|")
}

/// Terminal columns taken by `text`: CJK characters take two.
fn display_width(text: &str) -> usize {
    unicode_width::UnicodeWidthStr::width(text)
}
