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
pub fn run(old_path: &Path, new_path: &Path, orders: Option<&PathBuf>, format: GridFormat) -> Exit {
    let (old, new) = match (load(old_path), load(new_path)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(exit), _) | (_, Err(exit)) => return exit,
    };
    // Two versions of one provider often share the id: the version and the file tell them apart.
    let sides = format!("old: {}\nnew: {}\n", side(&old, old_path), side(&new, new_path));
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
            let currency = &result.currency;
            let signed = |amount: rust_decimal::Decimal| {
                format!("{}{} {currency}", if amount.is_sign_negative() { "" } else { "+" }, money_text(amount))
            };
            out!("{sides}");
            outln!(
                "{} orders, {} decided differently; refunded {} {currency} before, {} {currency} after ({})",
                result.orders,
                result.changed,
                money_text(result.old_total - result.old_manual_review),
                money_text(result.new_total - result.new_manual_review),
                signed((result.new_total - result.new_manual_review) - (result.old_total - result.old_manual_review)),
            );
            if !(result.old_manual_review.is_zero() && result.new_manual_review.is_zero()) {
                outln!(
                    "awaiting manual review, not counted as refunded: {} {currency} before, {} {currency} after",
                    money_text(result.old_manual_review),
                    money_text(result.new_manual_review)
                );
            }
            outln!();
            let grid = Grid {
                headers: ["old rule → new rule", "orders", "change", "examples (order: old -> new)"]
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
                            format!("{} → {}", g.old_rule, g.new_rule),
                            g.count.to_string(),
                            signed(g.delta),
                            examples.join("\n"),
                        ]
                    })
                    .collect(),
            };
            match format {
                GridFormat::Table => out!("{}", grid.render_fitted(super::grid::terminal_width())),
                _ => out!("{}", grid.render(format)),
            }
            exit
        }
        None => {
            let found = regions(&old, &new);
            if format == GridFormat::Json {
                return print_json(&found);
            }
            out!("{sides}");
            if found.is_empty() {
                outln!("No difference found on the grid around the policies' example orders.");
                return Exit::Ok;
            }
            let changes = if found.len() == 1 { "one change".to_owned() } else { format!("{} changes", found.len()) };
            outln!("{changes} on the grid around the policies' example orders:\n");
            for (index, region) in found.iter().enumerate() {
                let facts = if region.facts.is_empty() { "any order".to_owned() } else { region.facts.join(", ") };
                let span = match region.held_until_days {
                    Some(until) => format!("held from {} to under {}", held(region.held_from_days), held(until)),
                    None => format!("held {} or more", held(region.held_from_days)),
                };
                outln!(
                    "{}. {span}; {facts}\n   old: {}\n   new: {}\n   for example, held {}: {}\n",
                    index + 1,
                    shown(&region.example.old),
                    shown(&region.example.new),
                    held(region.held_from_days),
                    example_facts(&region.example.order),
                );
            }
            outln!("`--format json` gives each change's example order in full, ready for `refund eval`.");
            Exit::Ok
        }
    }
}

/// `acme_cloud, version 2026-03-16 (policies/acme-cloud.policy)`.
fn side(policy: &refund_rules::Policy, path: &Path) -> String {
    let versions = policy.versions();
    let version = match versions.as_slice() {
        [] => String::new(),
        [one] => format!(", version {one}"),
        [first, .., last] => format!(", versions {first} to {last}"),
    };
    format!("{}{version} ({})", policy.id(), files::shown(path))
}

/// A time held as the grid steps it: `5 days`, `6.5 days`, `12 hours`.
fn held(days: rust_decimal::Decimal) -> String {
    if days < rust_decimal::Decimal::ONE {
        let hours = (days * rust_decimal::Decimal::from(24)).round_dp(0);
        return format!("{hours} hour{}", if hours == rust_decimal::Decimal::ONE { "" } else { "s" });
    }
    let days = days.round_dp(2).normalize();
    format!("{days} day{}", if days == rust_decimal::Decimal::ONE { "" } else { "s" })
}

/// What an example order paid, in a line: `1000.00 CNY list price, paid 900.00 cash + 100.00
/// voucher, requested ...` (the whole order is in the JSON output).
fn example_facts(order: &refund_rules::Order) -> String {
    let paid = [("cash", order.paid.cash), ("voucher", order.paid.voucher), ("gift", order.paid.gift)]
        .into_iter()
        .filter(|(_, amount)| !amount.is_zero())
        .map(|(part, amount)| format!("{} {part}", money_text(amount)))
        .collect::<Vec<_>>();
    let paid = if paid.is_empty() { "nothing".to_owned() } else { paid.join(" + ") };
    let list = order
        .list_price
        .map_or(String::new(), |price| format!("{} {} list price, ", money_text(price), order.currency));
    format!("{list}paid {paid}, requested {}", order.requested_at.to_rfc3339())
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
