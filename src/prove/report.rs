//! A proof as people read it: what was tried, what held, and each failure with the policy line
//! it stopped at and a counterexample order to paste into `refund eval`.

use std::fmt::Write;

use crate::diagnostic::{self, Diagnostic};

use super::{Failure, Problem, Proof};

/// The report of `proof` on the policy `file_name` (whose text is `source`).
pub fn render(file_name: &str, source: &str, proof: &Proof) -> String {
    let mut out = String::new();
    if proof.held() {
        let _ = writeln!(
            out,
            "{file_name}: {} invariant(s) held on {} generated orders ({} undecided)",
            proof.invariants.len(),
            proof.orders,
            proof.undecided
        );
    } else if proof.orders == 0 {
        let why = match (proof.skipped, proof.outside_dates) {
            (0, 0) => String::new(),
            (skipped, 0) => format!(" (all {skipped} generated orders broke the order contract)"),
            (0, outside) => format!(" (all {outside} generated orders fell outside the policy's dates)"),
            (skipped, outside) => format!(
                " ({skipped} generated order(s) broke the order contract, {outside} fell outside the policy's dates)"
            ),
        };
        let _ = writeln!(
            out,
            "{file_name}: FAILED: no order was tried{why}, so nothing is proved\n  \
             help: ask for at least one order with `--orders`; if the generated orders are invalid, give the policy a \
             `base order` that `refund eval` accepts"
        );
        return out.trim_end().to_owned();
    } else {
        let _ = writeln!(
            out,
            "{file_name}: FAILED: {} failure(s) on {} generated orders ({} undecided)",
            proof.failures.len(),
            proof.orders,
            proof.undecided
        );
    }
    tried(&mut out, proof);
    for failure in &proof.failures {
        let _ = writeln!(out);
        failed(&mut out, file_name, source, failure);
    }
    out.trim_end().to_owned()
}

fn tried(out: &mut String, proof: &Proof) {
    let examples = proof.bases_from_examples;
    let contract = proof.bases - examples;
    let _ = writeln!(
        out,
        "  tried: {} orders made from {examples} example order(s) and {contract} order(s) from the order contract; \
         {} set one fact to an edge value, the rest mix several{}",
        proof.orders,
        proof.edge_orders,
        skipped(proof)
    );
    let _ = writeln!(out, "  varied: {}", proof.varied.join(", "));
    let held: Vec<&str> = proof
        .invariants
        .iter()
        .filter(|i| {
            !proof.failures.iter().any(|f| matches!(&f.problem, Problem::Broken { invariant, .. } if invariant == *i))
        })
        .map(String::as_str)
        .collect();
    let _ = writeln!(out, "  held: {}", if held.is_empty() { "none".to_owned() } else { held.join("; ") });
}

/// ` (3 generated order(s) outside the order contract and 2 outside the policy's dates skipped)`.
fn skipped(proof: &Proof) -> String {
    let counts = [(proof.skipped, "the order contract"), (proof.outside_dates, "the policy's dates")];
    let outside: Vec<String> = counts
        .into_iter()
        .filter(|(count, _)| *count > 0)
        .enumerate()
        .map(|(i, (count, what))| match i {
            0 => format!("{count} generated order(s) outside {what}"),
            _ => format!("{count} outside {what}"),
        })
        .collect();
    if outside.is_empty() {
        String::new()
    } else {
        format!(" ({} skipped)", outside.join(" and "))
    }
}

fn failed(out: &mut String, file_name: &str, source: &str, failure: &Failure) {
    match &failure.problem {
        Problem::Broken { invariant, detail } => {
            let _ = writeln!(out, "  broken: {invariant} (on {} order(s))", failure.orders);
            let _ = writeln!(out, "  seen:   {detail}");
            if let Some(decision) = &failure.decision {
                let _ = writeln!(
                    out,
                    "  decided: {} {} {} by rule `{}`",
                    decision.outcome.as_str(),
                    decision.amount,
                    decision.currency,
                    decision.rule
                );
            }
        }
        Problem::Undecided { error } => {
            let _ = writeln!(out, "  undecided: {} order(s) the policy cannot decide", failure.orders);
            if let Some(place) = &failure.rule {
                let _ = writeln!(out, "  stopped in: {place}");
            }
            let rendered = diagnostic::render(file_name, source, &[Diagnostic::from(error)]);
            let _ = writeln!(out, "{}", indent(rendered.trim_end(), "  "));
        }
    }
    let changed = if failure.varied.is_empty() {
        "the base order itself".to_owned()
    } else {
        format!("changed from its base order: {}", failure.varied.join(", "))
    };
    let _ = writeln!(out, "  counterexample ({changed}); paste it into `refund eval`:");
    let order = serde_json::to_string_pretty(&failure.order).unwrap_or_default();
    let _ = writeln!(out, "{}", indent(&order, "    "));
}

fn indent(text: &str, by: &str) -> String {
    text.lines().map(|l| if l.is_empty() { String::new() } else { format!("{by}{l}") }).collect::<Vec<_>>().join("\n")
}
