//! `refund batch`: many orders in (JSON Lines or CSV), one record out per record in, in order.
//!
//! Orders of the same account are decided in time order, so the no-reason quota and the
//! rolling 12-month total carry from one to the next (`ledger`). A bad record becomes an error
//! record with its line number; it never stops the batch. The output is written to a temporary
//! file and renamed, so an interrupted run never leaves half a result under the final name.

use std::io::Write;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use refund_rules::ledger::Ledger;
use refund_rules::{Decision, EvalError, Order, Policy};
use rust_decimal::Decimal;

use super::check::load;
use super::Exit;

/// A record read from the input: its line, and the order or why it is not one.
pub(super) struct Record {
    pub line: usize,
    pub order: Result<Order, String>,
}

/// Decides every order of `input` with the policy, writing `output`.
pub fn run(policy: &Path, input: &Path, output: &Path) -> Exit {
    let policy = match load(policy) {
        Ok(policy) => policy,
        Err(exit) => return exit,
    };
    let text = match std::fs::read_to_string(input) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", input.display());
            return Exit::Input;
        }
    };
    let csv_in = has_extension(input, "csv");
    let records = if csv_in { read_csv(&text) } else { read_json_lines(&text) };
    let results = decide_all(&policy, &records);
    let csv_out = has_extension(output, "csv");
    let written = write_atomically(output, |out| {
        if csv_out {
            write_csv(out, &records, &results)
        } else {
            write_json_lines(out, &records, &results)
        }
    });
    if let Err(error) = written {
        eprintln!("error: cannot write {}: {error}", output.display());
        return Exit::Input;
    }
    summary(&results);
    Exit::Ok
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case(extension))
}

/// Decides every record; orders of one account in time order, carrying the ledger.
fn decide_all(policy: &Policy, records: &[Record]) -> Vec<Result<Decision, String>> {
    let mut results: Vec<Option<Result<Decision, String>>> = vec![None; records.len()];
    let mut by_time: Vec<usize> =
        (0..records.len()).filter(|&i| records.get(i).is_some_and(|r| r.order.is_ok())).collect();
    let key =
        |i: &usize| records.get(*i).and_then(|r| r.order.as_ref().ok()).map(|o| (o.account.id.clone(), o.requested_at));
    by_time.sort_by_key(key);
    let progress = ProgressBar::with_draw_target(Some(records.len() as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} orders ({per_sec}, {eta} left)") {
        progress.set_style(style);
    }
    let mut ledger = Ledger::new();
    for index in by_time {
        let Some(Ok(order)) = records.get(index).map(|r| &r.order) else { continue };
        let mut order = order.clone();
        ledger.prepare(&mut order);
        let result = policy.evaluate(&order).map_err(|error| describe(&error));
        if let Ok(decision) = &result {
            ledger.record(&order, decision);
        }
        if let Some(slot) = results.get_mut(index) {
            *slot = Some(result);
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    records
        .iter()
        .zip(results)
        .map(|(record, result)| match (&record.order, result) {
            (Err(error), _) => Err(error.clone()),
            (Ok(_), Some(result)) => result,
            (Ok(_), None) => Err("not decided".to_owned()),
        })
        .collect()
}

fn describe(error: &EvalError) -> String {
    format!("{}: {error}", error.code())
}

/// One record per non-blank line.
pub(super) fn read_json_lines(text: &str) -> Vec<Record> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| Record {
            line: index + 1,
            order: Order::from_json(line.trim_end_matches('\r')).map_err(|e| format!("E201: {e}")),
        })
        .collect()
}

/// One record per row; columns are the order's field paths (`paid.cash`, `attributes.x`).
pub(super) fn read_csv(text: &str) -> Vec<Record> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(headers) => headers.iter().map(str::to_owned).collect(),
        Err(error) => return vec![Record { line: 1, order: Err(format!("E201: the header row is not CSV: {error}")) }],
    };
    reader
        .records()
        .map(|row| {
            let line = row.as_ref().ok().and_then(|r| r.position()).map_or(0, |p| p.line() as usize);
            let order = match row {
                Ok(row) => {
                    if row.len() != headers.len() {
                        Err(format!("E201: the row has {} cells, the header {}", row.len(), headers.len()))
                    } else {
                        Order::from_json_value(csv_object(&headers, &row)).map_err(|e| format!("E201: {e}"))
                    }
                }
                Err(error) => Err(format!("E201: not CSV: {error}")),
            };
            Record { line, order }
        })
        .collect()
}

/// A CSV row as a JSON order: `paid.cash` becomes `{"paid": {"cash": ...}}`; empty cells are
/// left out; `true`/`false` are booleans and the quota count a number.
fn csv_object(headers: &[String], row: &csv::StringRecord) -> serde_json::Value {
    let mut root = serde_json::Map::new();
    for (header, cell) in headers.iter().zip(row.iter()) {
        if cell.is_empty() {
            continue;
        }
        let value = match cell {
            "true" => serde_json::Value::Bool(true),
            "false" => serde_json::Value::Bool(false),
            _ if header == "account.no_reason_refunds_used" => {
                cell.parse::<serde_json::Number>().map(serde_json::Value::Number).unwrap_or(cell.into())
            }
            _ => serde_json::Value::String(cell.to_owned()),
        };
        let mut target = &mut root;
        let mut parts = header.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                target.insert(part.to_owned(), value);
                break;
            }
            let entry =
                target.entry(part.to_owned()).or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            match entry {
                serde_json::Value::Object(map) => target = map,
                _ => break,
            }
        }
    }
    serde_json::Value::Object(root)
}

fn write_json_lines(
    out: &mut dyn Write,
    records: &[Record],
    results: &[Result<Decision, String>],
) -> std::io::Result<()> {
    for (record, result) in records.iter().zip(results) {
        let value = match result {
            Ok(decision) => {
                let mut value = serde_json::to_value(decision).unwrap_or_default();
                if let serde_json::Value::Object(map) = &mut value {
                    map.insert("line".to_owned(), record.line.into());
                }
                value
            }
            Err(error) => serde_json::json!({ "line": record.line, "error": error }),
        };
        writeln!(out, "{value}")?;
    }
    Ok(())
}

fn write_csv(out: &mut dyn Write, records: &[Record], results: &[Result<Decision, String>]) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(["line", "order", "outcome", "amount", "currency", "refunds", "rule", "review", "error"])?;
    for (record, result) in records.iter().zip(results) {
        let line = record.line.to_string();
        match result {
            Ok(d) => {
                let refunds: Vec<String> =
                    d.refunds.iter().map(|r| format!("{}:{}", r.to.as_str(), r.amount)).collect();
                let review = if d.review == refund_rules::decision::Review::Manual { "manual" } else { "auto" };
                writer.write_record([
                    line.as_str(),
                    &d.order,
                    d.outcome.as_str(),
                    &d.amount.to_string(),
                    &d.currency,
                    &refunds.join(";"),
                    &d.rule,
                    review,
                    "",
                ])?;
            }
            Err(error) => writer.write_record([line.as_str(), "", "", "", "", "", "", "", error])?,
        }
    }
    writer.flush()
}

/// Writes to `path.part`, then renames it to `path`.
fn write_atomically(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut partial = PathBuf::from(path);
    partial.as_mut_os_string().push(".part");
    let file = std::fs::File::create(&partial)?;
    let mut out = std::io::BufWriter::new(file);
    write(&mut out)?;
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&partial, path)
}

/// Counts by outcome and the total refunded, on standard error.
fn summary(results: &[Result<Decision, String>]) {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    let mut totals: Vec<(String, Decimal)> = Vec::new();
    let mut errors = 0;
    for result in results {
        match result {
            Ok(decision) => {
                let outcome = decision.outcome.as_str();
                match counts.iter_mut().find(|(o, _)| *o == outcome) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((outcome, 1)),
                }
                match totals.iter_mut().find(|(c, _)| *c == decision.currency) {
                    Some((_, total)) => *total += decision.amount,
                    None => totals.push((decision.currency.clone(), decision.amount)),
                }
            }
            Err(_) => errors += 1,
        }
    }
    let counts: Vec<String> = counts.iter().map(|(o, n)| format!("{n} {o}")).collect();
    let totals: Vec<String> = totals.iter().map(|(c, t)| format!("{t} {c}")).collect();
    eprintln!(
        "{} records: {}{}; refunded {}",
        results.len(),
        if counts.is_empty() { "none decided".to_owned() } else { counts.join(", ") },
        if errors > 0 { format!(", {errors} with errors") } else { String::new() },
        if totals.is_empty() { "nothing".to_owned() } else { totals.join(", ") }
    );
}
