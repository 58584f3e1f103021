//! `refund compare`: one order or a scenario file under several policies, side by side.

use std::path::{Path, PathBuf};

use refund_rules::compare::{compare, Compared, Comparison};
use refund_rules::money_text;
use refund_rules::scenario::{matrix, parse_scenarios, Row};
use refund_rules::Policy;
use rust_decimal::Decimal;

use super::check::load;
use super::grid::{Grid, GridFormat};
use super::{files, orders, Exit};
use super::{out, outln, print_json};

/// Compares the policies on one order, or on every scenario of a file.
pub fn run(paths: &[PathBuf], order: Option<&Path>, scenarios: Option<&Path>, format: GridFormat) -> Exit {
    let mut policies = Vec::new();
    for path in paths {
        match load(path) {
            Ok(policy) => policies.push(policy),
            Err(exit) => return exit,
        }
    }
    match (order, scenarios) {
        (Some(order), None) => one_order(&policies, order, format),
        (None, Some(file)) => scenario_file(&policies, file, format),
        _ => {
            eprintln!("error: give either --order ORDER or --scenarios FILE");
            Exit::Input
        }
    }
}

fn one_order(policies: &[Policy], path: &Path, format: GridFormat) -> Exit {
    let inputs = match orders::read(path) {
        Ok((inputs, _)) => inputs,
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Input;
        }
    };
    let Some(input) = inputs.into_iter().next() else {
        eprintln!("error: {} holds no order", path.display());
        return Exit::Input;
    };
    let order = match input.order {
        Ok(order) => order,
        Err(error) => {
            eprintln!("error: {}: {error}", input.origin);
            return Exit::Input;
        }
    };
    let rows = compare(policies, &order);
    let exit = worst(rows.iter());
    if format == GridFormat::Json {
        return print_json(&rows).and(exit);
    }
    let headers = ["policy", "provider", "outcome", "refund", "of paid", "to", "rule", "why"];
    let grid =
        Grid { headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows: rows.iter().map(order_row).collect() };
    out!("{}", grid.render(format));
    exit
}

/// The exit for the cells: 2 when an order could not be read, 1 when a policy could not
/// decide; the table is printed all the same.
fn worst<'a>(cells: impl Iterator<Item = &'a Comparison>) -> Exit {
    cells.fold(Exit::Ok, |exit, cell| match &cell.result {
        Compared::Failed { order_fault: true, .. } => exit.and(Exit::Input),
        Compared::Failed { order_fault: false, .. } => exit.and(Exit::Policy),
        _ => exit,
    })
}

fn order_row(row: &Comparison) -> Vec<String> {
    let mut cells = vec![row.policy.clone(), row.name.clone()];
    match &row.result {
        Compared::Decided { decision, total, paid, .. } => {
            let to: Vec<String> =
                decision.refunds.iter().map(|r| format!("{} {}", r.to.as_str(), money_text(r.amount))).collect();
            cells.extend([
                decision.outcome.as_str().to_owned(),
                format!("{} {}", money_text(*total), decision.currency),
                share(*total, *paid),
                if to.is_empty() { "-".to_owned() } else { to.join(", ") },
                decision.rule.clone(),
                decision.reasons.first().cloned().unwrap_or_default(),
            ]);
        }
        Compared::NotComparable { reason } => {
            cells.extend(["not comparable".to_owned(), "-".into(), "-".into(), "-".into(), "-".into(), reason.clone()])
        }
        Compared::Failed { error, .. } => {
            cells.extend(["error".to_owned(), "-".into(), "-".into(), "-".into(), "-".into(), error.clone()])
        }
    }
    cells
}

fn scenario_file(policies: &[Policy], path: &Path, format: GridFormat) -> Exit {
    let text = match files::read_text(path) {
        Ok(text) => text,
        Err(message) => {
            eprintln!("error: {message}");
            return Exit::Input;
        }
    };
    let set = match parse_scenarios(&text) {
        Ok(set) => set,
        Err(error) => {
            match error.line() {
                Some(line) => eprintln!("error: {}:{line}: {error}", files::shown(path)),
                None => eprintln!("error: {}: {error}", files::shown(path)),
            }
            return Exit::Input;
        }
    };
    let rows = matrix(policies, &set);
    let exit = worst(rows.iter().flat_map(|row| row.cells.iter()));
    if format == GridFormat::Json {
        return print_json(&serde_json::json!({ "title": set.title, "rows": rows })).and(exit);
    }
    // A policy in another currency than every scenario is left out of the table, and named.
    let shown: Vec<usize> = (0..policies.len())
        .filter(|&i| {
            rows.iter().any(|r| !matches!(r.cells.get(i).map(|c| &c.result), Some(Compared::NotComparable { .. })))
        })
        .collect();
    let mut headers = vec!["scenario".to_owned()];
    headers.extend(shown.iter().filter_map(|&i| policies.get(i)).map(|p| p.id().to_owned()));
    let grid = Grid { headers, rows: rows.iter().map(|row| matrix_row(row, &shown)).collect() };
    let prose = matches!(format, GridFormat::Table | GridFormat::Markdown);
    if !set.title.is_empty() && prose {
        outln!("{}\n", set.title);
    }
    out!("{}", grid.render(format));
    if prose {
        outln!("\n★ gives back the most in that row; n/c: the order's currency is not the policy's.");
        let hidden: Vec<String> = (0..policies.len())
            .filter(|i| !shown.contains(i))
            .filter_map(|i| policies.get(i))
            .map(|p| format!("{} ({})", p.id(), p.currency()))
            .collect();
        if !hidden.is_empty() {
            outln!("Not comparable, in another currency: {}.", hidden.join(", "));
        }
    }
    exit
}

fn matrix_row(row: &Row, shown: &[usize]) -> Vec<String> {
    let mut cells = vec![if row.servers > 1 {
        format!("{} ({} servers)", row.scenario, row.servers)
    } else {
        row.scenario.clone()
    }];
    for (index, cell) in row.cells.iter().enumerate().filter(|(i, _)| shown.contains(i)) {
        let star = if row.best.contains(&index) { "★ " } else { "" };
        cells.push(match &cell.result {
            Compared::Decided { total, paid, rules, decision, .. } => {
                format!(
                    "{star}{} ({})\n{}",
                    money_text(*total),
                    share(*total, *paid),
                    rule_counts(rules, decision.outcome.as_str())
                )
            }
            Compared::NotComparable { .. } => "n/c".to_owned(),
            Compared::Failed { error, .. } => format!("error: {error}"),
        });
    }
    cells
}

/// `used_time`, or `1 × no_reason + 9 × ordinary` for several servers.
fn rule_counts(rules: &[String], outcome: &str) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for rule in rules {
        match counts.iter_mut().find(|(name, _)| name == rule) {
            Some((_, count)) => *count += 1,
            None => counts.push((rule, 1)),
        }
    }
    match counts.as_slice() {
        [(rule, _)] if rules.len() == 1 => format!("{rule} ({outcome})"),
        [(rule, count)] => format!("{count} × {rule}"),
        _ => counts.iter().map(|(rule, count)| format!("{count} × {rule}")).collect::<Vec<_>>().join(" + "),
    }
}

/// `86%` of what was paid.
fn share(total: Decimal, paid: Decimal) -> String {
    if paid.is_zero() {
        return "-".to_owned();
    }
    let percent = (total * Decimal::ONE_HUNDRED / paid).round_dp(0);
    format!("{percent}%")
}
