//! `refund diff OLD NEW`: what changes from one policy to another, on real orders or on a grid.

use std::path::{Path, PathBuf};

use refund_rules::diff::{impact, regions, Answer};
use refund_rules::money_text;

use super::check::load;
use super::grid::{Grid, GridFormat};
use super::{files, Exit};
use super::{out, outln, print_json};
use refund_rules::batch::read_all;

/// Compares two policies on the orders of a file, or on a generated grid without one.
pub fn run(old: &Path, new: &Path, orders: Option<&PathBuf>, format: GridFormat) -> Exit {
    let (old, new) = match (load(old), load(new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(exit), _) | (_, Err(exit)) => return exit,
    };
    match orders {
        Some(path) => {
            let records = match files::read_text(path).and_then(|text| {
                read_all(&text, path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")))
                    .map_err(|e| format!("{}: {e}", files::shown(path)))
            }) {
                Ok(records) => records,
                Err(message) => {
                    eprintln!("error: {message}");
                    return Exit::Input;
                }
            };
            // A record that is not an order is named and left out; the run then exits 2.
            let mut exit = Exit::Ok;
            for record in &records {
                if let Err(error) = &record.order {
                    eprintln!("error: {}:{}: left out: {error}", files::shown(path), record.line);
                    exit = Exit::Input;
                }
            }
            let result = impact(&old, &new, &records);
            if format == GridFormat::Json {
                return print_json(&result).and(exit);
            }
            outln!(
                "{} orders, {} decided differently; refunded {} before, {} after ({}{})\n",
                result.orders,
                result.changed,
                money_text(result.old_total),
                money_text(result.new_total),
                if result.delta.is_sign_negative() { "" } else { "+" },
                money_text(result.delta)
            );
            let grid = Grid {
                headers: ["old rule", "new rule", "orders", "change", "examples (order: old -> new)"]
                    .map(String::from)
                    .to_vec(),
                rows: result
                    .groups
                    .iter()
                    .map(|g| {
                        let examples: Vec<String> = g
                            .examples
                            .iter()
                            .map(|e| format!("{}: {} -> {}", e.order.id, shown(&e.old), shown(&e.new)))
                            .collect();
                        vec![
                            g.old_rule.clone(),
                            g.new_rule.clone(),
                            g.count.to_string(),
                            money_text(g.delta),
                            examples.join("\n"),
                        ]
                    })
                    .collect(),
            };
            out!("{}", grid.render(format));
            exit
        }
        None => {
            let found = regions(&old, &new);
            if format == GridFormat::Json {
                return print_json(&found);
            }
            if found.is_empty() {
                outln!("No difference found on the grid around the policies' example orders.");
                return Exit::Ok;
            }
            outln!("{} regions where `{}` and `{}` decide differently:\n", found.len(), old.id(), new.id());
            for (index, region) in found.iter().enumerate() {
                let facts = if region.facts.is_empty() { "every order".to_owned() } else { region.facts.join(", ") };
                outln!(
                    "{}. {facts}; held {} to {} days\n   old: {}\n   new: {}\n   example: {}\n",
                    index + 1,
                    region.held_from_days.round_dp(2).normalize(),
                    region.held_to_days.round_dp(2).normalize(),
                    shown(&region.example.old),
                    shown(&region.example.new),
                    serde_json::to_string(&region.example.order).unwrap_or_default()
                );
            }
            Exit::Ok
        }
    }
}

/// `refund 876.30 to balance (used_time)`, `no_refund (banned)`, or the error.
fn shown(outcome: &Answer) -> String {
    match outcome {
        Answer::Decided(d) => {
            let to: Vec<&str> = d.refunds.iter().map(|r| r.to.as_str()).collect();
            let to = if to.is_empty() { String::new() } else { format!(" to {}", to.join(" and ")) };
            format!("{} {}{to} ({})", d.outcome.as_str(), money_text(d.amount), d.rule)
        }
        Answer::Failed { error } => format!("error: {error}"),
    }
}
