//! Deciding many orders: JSON Lines or CSV in, one record out per record in, in input order.
//!
//! Records are read, decided and written a chunk at a time, so memory stays bounded whatever the
//! input's size; a chunk is decided on every core of the given thread pool while the next one is
//! read. Within a chunk the orders of one account are decided in time order, carrying the
//! account's quotas and rolling totals (`ledger`), which carry on to later chunks: give an
//! account's orders in time order across chunks for exact quotas. A bad record becomes an error record with its line number;
//! it never stops the batch.

use std::collections::HashMap;
use std::io::Write;

use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::decision::{Decision, Review};
use crate::eval::EvalError;
use crate::ledger::{AccountHistory, Ledger};
use crate::order::Order;
use crate::policy::Policy;

/// Where the records come from and go to, and in which form.
pub struct Streams<'a, R: std::io::BufRead> {
    /// The input.
    pub input: R,
    /// The input is CSV (else JSON Lines).
    pub csv_input: bool,
    /// The output.
    pub output: &'a mut dyn Write,
    /// The output is CSV (else JSON Lines).
    pub csv_output: bool,
}

/// Decides every record of `streams.input`, writing one record per input record.
pub fn run<R: std::io::BufRead + Send>(
    policy: &Policy,
    streams: Streams<'_, R>,
    pool: &rayon::ThreadPool,
) -> std::io::Result<Summary> {
    let mut source = Source::new(streams.input, streams.csv_input);
    let csv_output = streams.csv_output;
    let output = streams.output;
    if csv_output {
        writeln!(output, "{}", CSV_HEADER.join(","))?;
    }
    let mut summary = Summary::default();
    let mut ledger = Ledger::for_policy(policy);
    let mut raw = source.next_chunk(CHUNK);
    while !raw.is_empty() {
        // Reading the next chunk overlaps with deciding this one: reading is the one part that
        // cannot be shared between cores.
        let (next, (results, rendered)) = pool.install(|| {
            rayon::join(
                || source.next_chunk(CHUNK),
                || {
                    let records: Vec<Record> = raw.into_par_iter().map(source_parse).collect();
                    let results = decide_chunk(policy, &records, &mut ledger);
                    let rendered: Vec<String> = records
                        .par_iter()
                        .zip(results.par_iter())
                        .map(|(record, result)| render(record, result, csv_output))
                        .collect();
                    (results, rendered)
                },
            )
        });
        for (result, text) in results.iter().zip(&rendered) {
            summary.add(result);
            output.write_all(text.as_bytes())?;
        }
        raw = next;
    }
    output.flush()?;
    Ok(summary)
}

/// A record read from the input: its line, and the order or why it is not one.
pub struct Record {
    /// Its line in the input (1-based).
    pub line: usize,
    /// The order, or why the record is not one.
    pub order: Result<Order, String>,
}

/// How many records are read, decided and written at a time: memory stays bounded whatever
/// the size of the input, and each chunk is decided on every core.
const CHUNK: usize = 8_192;

/// A record as read, before it is parsed.
enum Raw {
    /// A JSON line.
    Json { line: usize, text: String },
    /// A CSV row with the header's field paths.
    Csv { line: usize, row: Result<csv::StringRecord, String>, headers: std::sync::Arc<Vec<String>> },
}

/// Reads records lazily: JSON Lines, or CSV with a header row.
enum Source<R: std::io::BufRead> {
    Json { reader: R, line: usize },
    Csv { reader: csv::Reader<R>, headers: Result<std::sync::Arc<Vec<String>>, String>, done: bool },
}

impl<R: std::io::BufRead> Source<R> {
    fn new(reader: R, csv_input: bool) -> Source<R> {
        if !csv_input {
            return Source::Json { reader, line: 0 };
        }
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let headers = reader
            .headers()
            .map(|h| std::sync::Arc::new(h.iter().map(str::to_owned).collect::<Vec<_>>()))
            .map_err(|e| format!("E201: the header row is not CSV: {e}"));
        Source::Csv { reader, headers, done: false }
    }

    /// Up to `count` more records (none when the input is exhausted).
    fn next_chunk(&mut self, count: usize) -> Vec<Raw> {
        let mut chunk = Vec::new();
        match self {
            Source::Json { reader, line } => {
                let mut text = String::new();
                while chunk.len() < count {
                    text.clear();
                    match reader.read_line(&mut text) {
                        Ok(0) => break,
                        Ok(_) => {
                            *line += 1;
                            let trimmed = text.trim_end_matches(['\n', '\r']);
                            if !trimmed.trim().is_empty() {
                                chunk.push(Raw::Json { line: *line, text: trimmed.to_owned() });
                            }
                        }
                        Err(error) => {
                            *line += 1;
                            chunk.push(Raw::Json { line: *line, text: format!("\u{0}{error}") });
                            break;
                        }
                    }
                }
            }
            Source::Csv { reader, headers, done } => {
                let headers = match headers {
                    Ok(headers) => headers.clone(),
                    Err(error) => {
                        if !*done {
                            *done = true;
                            let empty = std::sync::Arc::new(Vec::new());
                            chunk.push(Raw::Csv { line: 1, row: Err(error.clone()), headers: empty });
                        }
                        return chunk;
                    }
                };
                let mut row = csv::StringRecord::new();
                while chunk.len() < count {
                    match reader.read_record(&mut row) {
                        Ok(true) => {
                            let line = row.position().map_or(0, |p| p.line() as usize);
                            chunk.push(Raw::Csv { line, row: Ok(row.clone()), headers: headers.clone() });
                        }
                        Ok(false) => break,
                        Err(error) => {
                            let line = error.position().map_or(0, |p| p.line() as usize);
                            chunk.push(Raw::Csv {
                                line,
                                row: Err(format!("E201: not CSV: {error}")),
                                headers: headers.clone(),
                            });
                        }
                    }
                }
            }
        }
        chunk
    }
}

/// A raw record parsed into an order (or why it is not one).
fn source_parse(raw: Raw) -> Record {
    match raw {
        Raw::Json { line, text } => {
            let order = match text.strip_prefix('\u{0}') {
                Some(error) => Err(format!("E201: cannot read the line: {error}")),
                None => Order::from_json(&text).map_err(|e| format!("E201: {e}")),
            };
            Record { line, order }
        }
        Raw::Csv { line, row, headers } => {
            let order = row.and_then(|row| {
                if row.len() != headers.len() {
                    return Err(format!("E201: the row has {} cells, the header {}", row.len(), headers.len()));
                }
                Order::from_json_value(csv_object(&headers, &row)).map_err(|e| format!("E201: {e}"))
            });
            Record { line, order }
        }
    }
}

/// Decides a chunk: each account's orders in time order with its history, accounts in parallel.
fn decide_chunk(policy: &Policy, records: &[Record], ledger: &mut Ledger) -> Vec<Result<Decision, String>> {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut alone = Vec::new();
    for (index, record) in records.iter().enumerate() {
        if let Ok(order) = &record.order {
            if order.account.id.is_empty() {
                alone.push(index);
            } else {
                groups.entry(order.account.id.as_str()).or_default().push(index);
            }
        }
    }
    let order_at = |i: usize| records.get(i).and_then(|r| r.order.as_ref().ok());
    let mut work: Vec<(String, AccountHistory, Vec<usize>)> = groups
        .into_iter()
        .map(|(account, mut indices)| {
            indices.sort_by_key(|&i| (order_at(i).map(|o| o.requested_at), i));
            (account.to_owned(), ledger.take(account), indices)
        })
        .collect();
    let decided: Vec<(usize, Result<Decision, String>)> = work
        .par_iter_mut()
        .flat_map_iter(|(_, history, indices)| {
            let mut out = Vec::with_capacity(indices.len());
            for &index in indices.iter() {
                let Some(order) = order_at(index) else { continue };
                let mut order = order.clone();
                history.prepare(&mut order);
                let result = policy.evaluate(&order).map_err(|error| describe(&error));
                if let Ok(decision) = &result {
                    history.record(&order, decision);
                }
                out.push((index, result));
            }
            out
        })
        .chain(alone.par_iter().filter_map(|&index| {
            order_at(index).map(|order| (index, policy.evaluate(order).map_err(|error| describe(&error))))
        }))
        .collect();
    for (account, history, _) in work {
        ledger.put(account, history);
    }
    let mut results: Vec<Result<Decision, String>> = records
        .iter()
        .map(|r| Err(r.order.as_ref().err().cloned().unwrap_or_else(|| "not decided".to_owned())))
        .collect();
    for (index, result) in decided {
        if let Some(slot) = results.get_mut(index) {
            *slot = result;
        }
    }
    results
}

fn describe(error: &EvalError) -> String {
    format!("{}: {error}", error.code())
}

/// Every record of a whole text (for `refund diff --orders`): JSON Lines, or CSV.
pub fn read_all(text: &str, csv_input: bool) -> Vec<Record> {
    let mut source = Source::new(text.as_bytes(), csv_input);
    source.next_chunk(usize::MAX).into_iter().map(source_parse).collect()
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

/// The header row of CSV output.
const CSV_HEADER: [&str; 9] = ["line", "order", "outcome", "amount", "currency", "refunds", "rule", "review", "error"];

/// One output record as text (with its newline). Rendered on every core: serializing a
/// decision costs more than deciding it.
fn render(record: &Record, result: &Result<Decision, String>, csv_output: bool) -> String {
    if csv_output {
        return render_csv(record, result);
    }
    match result {
        // `{"line":N,` followed by the decision's own fields: no intermediate JSON tree.
        Ok(decision) => match serde_json::to_string(decision) {
            Ok(json) => format!("{{\"line\":{},{}\n", record.line, json.strip_prefix('{').unwrap_or(&json)),
            Err(error) => format!("{}\n", serde_json::json!({ "line": record.line, "error": error.to_string() })),
        },
        Err(error) => format!("{}\n", serde_json::json!({ "line": record.line, "error": error })),
    }
}

fn render_csv(record: &Record, result: &Result<Decision, String>) -> String {
    let line = record.line.to_string();
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    let written = match result {
        Ok(d) => {
            let refunds: Vec<String> = d.refunds.iter().map(|r| format!("{}:{}", r.to.as_str(), r.amount)).collect();
            let review = if d.review == Review::Manual { "manual" } else { "auto" };
            let amount = d.amount.to_string();
            let refunds = refunds.join(";");
            let cells =
                [line.as_str(), &d.order, d.outcome.as_str(), &amount, &d.currency, &refunds, &d.rule, review, ""];
            writer.write_record(cells)
        }
        Err(error) => writer.write_record([line.as_str(), "", "", "", "", "", "", "", error]),
    };
    match (written, writer.into_inner()) {
        (Ok(()), Ok(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        _ => format!("{line},,,,,,,,could not write this record\n"),
    }
}

/// Counts by outcome and the total refunded per currency.
#[derive(Default)]
pub struct Summary {
    /// Records read.
    pub records: usize,
    /// Decisions by outcome.
    pub counts: Vec<(&'static str, usize)>,
    /// Total refunded, per currency.
    pub totals: Vec<(String, Decimal)>,
    /// Records that are not orders, or that the policy could not decide.
    pub errors: usize,
}

impl Summary {
    fn add(&mut self, result: &Result<Decision, String>) {
        self.records += 1;
        let Ok(decision) = result else {
            self.errors += 1;
            return;
        };
        let outcome = decision.outcome.as_str();
        match self.counts.iter_mut().find(|(o, _)| *o == outcome) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((outcome, 1)),
        }
        match self.totals.iter_mut().find(|(c, _)| *c == decision.currency) {
            Some((_, total)) => *total = total.saturating_add(decision.amount),
            None => self.totals.push((decision.currency.clone(), decision.amount)),
        }
    }

    /// `10 records: 9 refund, 1 no_refund; refunded 900.00 CNY`.
    pub fn line(&self) -> String {
        let counts: Vec<String> = self.counts.iter().map(|(o, n)| format!("{n} {o}")).collect();
        let totals: Vec<String> = self.totals.iter().map(|(c, t)| format!("{t} {c}")).collect();
        format!(
            "{} records: {}{}; refunded {}",
            self.records,
            if counts.is_empty() { "none decided".to_owned() } else { counts.join(", ") },
            if self.errors > 0 { format!(", {} with errors", self.errors) } else { String::new() },
            if totals.is_empty() { "nothing".to_owned() } else { totals.join(", ") }
        )
    }
}
