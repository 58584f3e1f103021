//! `refund compare`: one order or a scenario file under several policies, side by side.

use std::path::{Path, PathBuf};

use refund_rules::compare::{compare, Compared, Comparison};
use refund_rules::money_text;
use refund_rules::scenario::{matrix, parse_scenarios, Row};
use refund_rules::Policy;
use rust_decimal::Decimal;

use super::check::load;
use refund_rules::Destination;

use super::grid::{terminal_width, wrap, Grid, GridFormat};
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
    match format {
        GridFormat::Json => return print_json(&rows).and(exit),
        GridFormat::Csv => {
            out!("{}", order_csv(policies, &rows));
            return exit;
        }
        _ => {}
    }
    let headers = ["policy", "provider", "outcome", "refund", "of paid", "to", "rule", "why"];
    let grid =
        Grid { headers: headers.iter().map(|h| (*h).to_owned()).collect(), rows: rows.iter().map(order_row).collect() };
    match format {
        GridFormat::Html => {
            let title = format!("Refunds compared: order {}", order.id);
            let chart = chart(policies, &order);
            out!("{}", html_report(&title, &grid.render(format), ORDER_LEGEND, chart.as_deref()));
        }
        GridFormat::Table => out!("{}", grid.render_fitted(terminal_width())),
        _ => out!("{}", grid.render(format)),
    }
    exit
}

const ORDER_LEGEND: &str = "refund: what comes back, in the order's currency; of paid: its share of what was paid; \
to: where the money goes (original payment channel, account balance, gift credit, voucher); \
not comparable: the policy is in another currency (amounts are never converted).";

const MATRIX_LEGEND: &str = "★ gives back the most in that row; each cell: the refund, its share of what was paid, \
the deciding rule (how many servers each), and where the money goes when it is not all one place; \
n/c: the order's currency is not the policy's.";

/// The refund curves of `order` over its term (a year when it has none), as inline SVG.
fn chart(policies: &[Policy], order: &refund_rules::Order) -> Option<String> {
    let start = order.service_start();
    let term = order.expires_at.map_or(365 * 86_400, |end| (end - start).num_seconds()).clamp(86_400, 3 * 365 * 86_400);
    let series = refund_rules::compare::curves(policies, order, 0, term, 86_400);
    if series.is_empty() {
        return None;
    }
    let title = super::chart::ChartTitle {
        order: format!("order {}: {} {} paid", order.id, money_text(order.paid_total()), order.currency),
        currency: order.currency.clone(),
        cjk: true,
    };
    Some(super::chart::svg(&series, &title))
}

/// A whole HTML page: charset, title, the table, what its marks mean, and the chart.
fn html_report(title: &str, table: &str, legend: &str, chart: Option<&str>) -> String {
    let title = escape(title);
    let mut page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}\
         td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top}}td{{white-space:nowrap}}\
         .legend{{color:#444;max-width:60em}}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    );
    page.push_str(table);
    page.push_str(&format!("<p class=\"legend\">{}</p>\n", escape(legend)));
    if let Some(chart) = chart {
        page.push_str("<h2>Refund by days held</h2>\n");
        page.push_str(chart);
    }
    page.push_str("</body>\n</html>\n");
    page
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// The destinations in the CSV, one column each.
const DESTINATIONS: [Destination; 4] =
    [Destination::Original, Destination::Balance, Destination::Gift, Destination::Voucher];

/// The CSV header's columns after the caller's own: numbers in columns of their own.
const CELL_COLUMNS: [&str; 11] =
    ["status", "outcome", "refund", "currency", "share", "original", "balance", "gift", "voucher", "rule", "why"];

/// One comparison as CSV cells: plain numbers (refund, share as a fraction, an amount per
/// destination), the rule and the reason in columns of their own.
fn csv_cells(cell: &Comparison, currency: &str) -> Vec<String> {
    match &cell.result {
        Compared::Decided { decision, total, paid, rules, destinations } => {
            let share = if paid.is_zero() {
                String::new()
            } else {
                let mut share = (*total / *paid).round_dp(4);
                share.rescale(4);
                share.to_string()
            };
            let mut cells = vec![
                "decided".to_owned(),
                decision.outcome.as_str().to_owned(),
                total.to_string(),
                decision.currency.clone(),
                share,
            ];
            for place in DESTINATIONS {
                let amount = destinations.iter().find(|d| d.to == place).map(|d| d.amount);
                cells.push(amount.map_or("0.00".to_owned(), money_text));
            }
            cells.push(rule_counts(rules, None));
            cells.push(decision.reasons.first().cloned().unwrap_or_default());
            cells
        }
        Compared::NotComparable { reason } => {
            let mut cells = vec!["not_comparable".to_owned(), String::new(), String::new(), currency.to_owned()];
            cells.extend(std::iter::repeat_n(String::new(), 6));
            cells.push(reason.clone());
            cells
        }
        Compared::Failed { error, .. } => {
            let mut cells = vec!["failed".to_owned()];
            cells.extend(std::iter::repeat_n(String::new(), 9));
            cells.push(error.clone());
            cells
        }
    }
}

fn order_csv(policies: &[Policy], rows: &[Comparison]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["policy", "provider"];
    header.extend(CELL_COLUMNS);
    let _ = writer.write_record(&header);
    for (index, row) in rows.iter().enumerate() {
        let currency = policies.get(index).map_or("", |p| p.currency());
        let mut record = vec![row.policy.clone(), row.name.clone()];
        record.extend(csv_cells(row, currency));
        let _ = writer.write_record(&record);
    }
    String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned()
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
    let ids: Vec<&str> = policies.iter().map(Policy::id).collect();
    let set = match parse_scenarios(&text).and_then(|set| set.check_policies(&ids).map(|()| set)) {
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
    match format {
        GridFormat::Json => {
            return print_json(&serde_json::json!({ "title": set.title, "rows": rows })).and(exit);
        }
        GridFormat::Csv => {
            out!("{}", matrix_csv(policies, &rows));
            return exit;
        }
        _ => {}
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
    let hidden: Vec<String> = (0..policies.len())
        .filter(|i| !shown.contains(i))
        .filter_map(|i| policies.get(i))
        .map(|p| format!("{} ({})", p.id(), p.currency()))
        .collect();
    let hidden = if hidden.is_empty() {
        String::new()
    } else {
        format!("Not comparable, in another currency: {}.", hidden.join(", "))
    };
    if format == GridFormat::Html {
        let chart = set.scenarios.first().and_then(|s| s.order_for_all().ok()).and_then(|o| chart(policies, &o));
        let title = if set.title.is_empty() { "Refunds compared".to_owned() } else { set.title.clone() };
        let legend = format!("{MATRIX_LEGEND} {hidden}");
        out!("{}", html_report(&title, &grid.render(format), legend.trim_end(), chart.as_deref()));
        return exit;
    }
    // Markdown is for documents, where lines are not cut; a terminal's prose fits its width.
    let width = if format == GridFormat::Table { terminal_width() } else { usize::MAX };
    if !set.title.is_empty() {
        outln!("{}\n", wrap(&set.title, width));
    }
    match format {
        GridFormat::Table => out!("{}", grid.render_fitted(width)),
        _ => out!("{}", grid.render(format)),
    }
    outln!("\n{}", wrap("★ gives back the most in that row; n/c: the order's currency is not the policy's.", width));
    if !hidden.is_empty() {
        outln!("{}", wrap(&hidden, width));
    }
    exit
}

/// The matrix as CSV, one record per scenario and policy, numbers in columns of their own.
fn matrix_csv(policies: &[Policy], rows: &[Row]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["scenario", "servers", "policy", "provider", "best"];
    header.extend(CELL_COLUMNS);
    let _ = writer.write_record(&header);
    for row in rows {
        for (index, cell) in row.cells.iter().enumerate() {
            let currency = policies.get(index).map_or("", |p| p.currency());
            let mut record = vec![
                row.scenario.clone(),
                row.servers.to_string(),
                cell.policy.clone(),
                cell.name.clone(),
                row.best.contains(&index).to_string(),
            ];
            record.extend(csv_cells(cell, currency));
            let _ = writer.write_record(&record);
        }
    }
    String::from_utf8_lossy(&writer.into_inner().unwrap_or_default()).into_owned()
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
            Compared::Decided { total, paid, rules, decision, destinations } => {
                // Money that does not all go one way (gift credit, a voucher back) is spelt out.
                let places = if destinations.len() > 1 {
                    let parts: Vec<String> =
                        destinations.iter().map(|d| format!("{} {}", d.to.as_str(), money_text(d.amount))).collect();
                    format!("\n{}", parts.join(" + "))
                } else {
                    String::new()
                };
                format!(
                    "{star}{} ({})\n{}{places}",
                    money_text(*total),
                    share(*total, *paid),
                    rule_counts(rules, Some(decision.outcome.as_str()))
                )
            }
            Compared::NotComparable { .. } => "n/c".to_owned(),
            Compared::Failed { error, .. } => format!("error: {error}"),
        });
    }
    cells
}

/// `used_time (refund)`, or `1 × no_reason + 9 × ordinary` for several servers.
fn rule_counts(rules: &[String], outcome: Option<&str>) -> String {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for rule in rules {
        match counts.iter_mut().find(|(name, _)| name == rule) {
            Some((_, count)) => *count += 1,
            None => counts.push((rule, 1)),
        }
    }
    match counts.as_slice() {
        [(rule, _)] if rules.len() == 1 => match outcome {
            Some(outcome) => format!("{rule} ({outcome})"),
            None => (*rule).to_owned(),
        },
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
