//! `refund diff OLD NEW`: what changes from one policy to another, on real orders or on a grid.

use std::path::{Path, PathBuf};

use refund_rules::diff::{impact, regions, Answer, Impact};
use refund_rules::{money_text, Policy};
use rust_decimal::Decimal;

use super::check::load;
use super::grid::{Grid, GridFormat};
use super::{files, Exit};
use super::{out, outln, print_json};
use refund_rules::batch::{read_all, Record};

/// Compares two policies on the orders of a file, or on a generated grid without one.
pub fn run(old_path: &Path, new_path: &Path, orders: Option<&PathBuf>, format: GridFormat) -> Exit {
    let (old, new) = match (load(old_path), load(new_path)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(exit), _) | (_, Err(exit)) => return exit,
    };
    // Two versions of one provider often share the id: the version and the file tell them apart.
    let sides = format!("old: {}\nnew: {}\n", side(&old, old_path), side(&new, new_path));
    match orders {
        Some(path) => on_orders(&old, &new, path, format, &sides),
        None => on_grid(&old, &new, format, &sides),
    }
}

/// The impact of the change on the orders of the file at `path`.
fn on_orders(old: &Policy, new: &Policy, path: &Path, format: GridFormat, sides: &str) -> Exit {
    let records = match read_records(path) {
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
    let result = impact(old, new, &records);
    if format == GridFormat::Json {
        return print_json(&result).and(exit);
    }
    out!("{sides}");
    print_totals(&result);
    outln!();
    let grid = impact_grid(&result);
    match format {
        GridFormat::Table => out!("{}", grid.render_fitted(super::grid::terminal_width())),
        _ => out!("{}", grid.render(format)),
    }
    exit
}

/// The records of an orders file, JSON lines or CSV by its extension.
fn read_records(path: &Path) -> Result<Vec<Record>, String> {
    let text = files::read_text(path)?;
    read_all(&text, path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")))
        .map_err(|e| format!("{}: {e}", files::shown(path)))
}

/// `+12.50 EUR`: a change of refunded money, signed even when it grows.
fn signed(amount: Decimal, currency: &str) -> String {
    format!("{}{} {currency}", if amount.is_sign_negative() { "" } else { "+" }, money_text(amount))
}

/// The head line: how many orders changed and the money refunded before and after.
fn print_totals(result: &Impact) {
    let currency = &result.currency;
    outln!(
        "{} orders, {} decided differently; refunded {} {currency} before, {} {currency} after ({})",
        result.orders,
        result.changed,
        money_text(result.old_total - result.old_manual_review),
        money_text(result.new_total - result.new_manual_review),
        signed((result.new_total - result.new_manual_review) - (result.old_total - result.old_manual_review), currency),
    );
    if !(result.old_manual_review.is_zero() && result.new_manual_review.is_zero()) {
        outln!(
            "awaiting manual review, not counted as refunded: {} {currency} before, {} {currency} after",
            money_text(result.old_manual_review),
            money_text(result.new_manual_review)
        );
    }
}

/// One row per pair of rules (old, new) that decided orders differently, with examples.
fn impact_grid(result: &Impact) -> Grid {
    Grid {
        headers: ["old rule → new rule", "orders", "change", "examples (order: old -> new)"].map(String::from).to_vec(),
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
                    signed(g.delta, &result.currency),
                    examples.join("\n"),
                ]
            })
            .collect(),
    }
}

/// Without orders: the regions of a generated grid where the two policies decide differently.
fn on_grid(old: &Policy, new: &Policy, format: GridFormat, sides: &str) -> Exit {
    let found = regions(old, new);
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

/// `acme_cloud, version 2026-03-16 (policies/acme-cloud.policy)`.
fn side(policy: &Policy, path: &Path) -> String {
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
