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

use crate::decision::Decision;
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

/// Why a batch stopped before the end of its input. A bad record never stops a batch (it
/// becomes an error record); these do, since nothing after them could be trusted.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// The input could not be read any further (a folder, a device error).
    #[error("cannot read the orders after line {line}: {source}")]
    Read {
        /// The last line read.
        line: usize,
        /// Why.
        source: std::io::Error,
    },
    /// The CSV header row cannot be used: every record would be read wrongly.
    #[error("{0}")]
    Header(String),
    /// The output could not be written.
    #[error("cannot write the decisions: {0}")]
    Write(#[from] std::io::Error),
}

/// Decides every record of `streams.input`, writing one record per input record.
pub fn run<R: std::io::BufRead + Send>(
    policy: &Policy,
    streams: Streams<'_, R>,
    pool: &rayon::ThreadPool,
) -> Result<Summary, BatchError> {
    let mut source = Source::new(streams.input, streams.csv_input);
    if let Some(failure) = source.failure.take() {
        return Err(failure);
    }
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
                    let mut records: Vec<Record> = raw.into_par_iter().map(source_parse).collect();
                    // The orders move into the deciding threads: nothing is copied per order.
                    let orders = records.iter_mut().map(|r| std::mem::replace(&mut r.order, Err(String::new())));
                    let results = decide_orders(policy, orders.collect(), &mut ledger);
                    // Each worker serialises a block of records into one buffer, so the one
                    // thread that writes only copies large blocks out.
                    let rendered: Vec<Vec<u8>> = records
                        .par_chunks(BLOCK)
                        .zip(results.par_chunks(BLOCK))
                        .map(|(records, results)| render_block(records, results, csv_output))
                        .collect();
                    (results, rendered)
                },
            )
        });
        results.iter().for_each(|result| summary.add(result));
        // Freeing a chunk's decisions (some twenty allocations each) was two thirds of the
        // writing thread's work: a worker does it while this thread writes.
        pool.spawn(move || drop(results));
        for block in &rendered {
            output.write_all(block)?;
        }
        raw = next;
    }
    if let Some(failure) = source.failure.take() {
        return Err(failure);
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
    /// A JSON line (or why it is not text), and whether the input ended inside it.
    Json { line: usize, text: Result<String, String>, cut_off: bool },
    /// A CSV row with the header's field paths.
    Csv { line: usize, row: Result<csv::StringRecord, String>, headers: std::sync::Arc<Vec<String>> },
}

/// Reads records lazily: JSON Lines, or CSV with a header row. Stops for good at the first
/// error of the input itself (`failure`), so an unreadable input ends the batch at once.
struct Source<R: std::io::BufRead> {
    form: Form<R>,
    failure: Option<BatchError>,
}

enum Form<R: std::io::BufRead> {
    Json { reader: R, line: usize },
    Csv { reader: csv::Reader<R>, headers: Result<std::sync::Arc<Vec<String>>, String>, done: bool },
}

impl<R: std::io::BufRead> Source<R> {
    fn new(reader: R, csv_input: bool) -> Source<R> {
        if !csv_input {
            return Source { form: Form::Json { reader, line: 0 }, failure: None };
        }
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
        let mut failure = None;
        let headers = match reader.headers() {
            Ok(headers) => {
                let headers: Vec<String> = headers.iter().map(str::to_owned).collect();
                failure = duplicated_column(&headers).map(BatchError::Header);
                Ok(std::sync::Arc::new(headers))
            }
            Err(error) if matches!(error.kind(), csv::ErrorKind::Io(_)) => {
                let source = std::io::Error::other(error.to_string());
                failure = Some(BatchError::Read { line: 0, source });
                Err(String::new())
            }
            Err(error) => Err(format!("E201: the header row is not CSV: {error}")),
        };
        Source { form: Form::Csv { reader, headers, done: false }, failure }
    }

    /// Up to `count` more records (none when the input is exhausted or cannot be read).
    fn next_chunk(&mut self, count: usize) -> Vec<Raw> {
        let mut chunk = Vec::new();
        if self.failure.is_some() {
            return chunk;
        }
        match &mut self.form {
            Form::Json { reader, line } => {
                let mut bytes = Vec::new();
                while chunk.len() < count {
                    bytes.clear();
                    match reader.read_until(b'\n', &mut bytes) {
                        Ok(0) => break,
                        Ok(_) => {
                            *line += 1;
                            let cut_off = !bytes.ends_with(b"\n");
                            let text = match std::str::from_utf8(&bytes) {
                                Ok(text) => Ok(text.trim_end_matches(['\n', '\r']).to_owned()),
                                Err(error) => Err(format!(
                                    "E201: the line is not UTF-8 text (byte {} is not): save the file as UTF-8",
                                    error.valid_up_to() + 1
                                )),
                            };
                            if text.as_ref().is_ok_and(|t| t.trim().is_empty()) {
                                continue;
                            }
                            chunk.push(Raw::Json { line: *line, text, cut_off });
                        }
                        Err(error) if error.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(source) => {
                            self.failure = Some(BatchError::Read { line: *line, source });
                            break;
                        }
                    }
                }
            }
            Form::Csv { reader, headers, done } => {
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
                            if matches!(error.kind(), csv::ErrorKind::Io(_)) {
                                let source = std::io::Error::other(error.to_string());
                                self.failure = Some(BatchError::Read { line, source });
                                break;
                            }
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

/// Why a header row with a column twice cannot be used: which value would count is a guess.
fn duplicated_column(headers: &[String]) -> Option<String> {
    headers.iter().enumerate().find_map(|(index, header)| {
        let first = headers.iter().position(|h| h == header)?;
        (first < index).then(|| {
            format!(
                "the CSV header row has the column `{header}` twice (columns {} and {}): \
                 a record would have two values for it\nhelp: remove or rename one of the two columns",
                first + 1,
                index + 1
            )
        })
    })
}

/// A raw record parsed into an order (or why it is not one).
fn source_parse(raw: Raw) -> Record {
    match raw {
        Raw::Json { line, text, cut_off } => {
            let order = text.and_then(|text| {
                Order::from_json(&text).map_err(|e| {
                    if cut_off {
                        format!("E201: {e} (the input ends in the middle of this line: was it cut off?)")
                    } else {
                        format!("E201: {e}")
                    }
                })
            });
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
    decide_orders(policy, records.iter().map(|r| r.order.clone()).collect(), ledger)
}

/// An account, its history, and its orders of the chunk with their places in the chunk.
type AccountWork = (String, AccountHistory, Vec<(usize, Order)>);

/// Decides the orders of a chunk (an error stands for a record that is not an order and is
/// its result): each account's orders in time order with its history, accounts in parallel.
fn decide_orders(
    policy: &Policy,
    orders: Vec<Result<Order, String>>,
    ledger: &mut Ledger,
) -> Vec<Result<Decision, String>> {
    let mut results: Vec<Result<Decision, String>> = Vec::with_capacity(orders.len());
    let mut group_of: HashMap<String, usize> = HashMap::new();
    let mut work: Vec<AccountWork> = Vec::new();
    let mut alone: Vec<(usize, Order)> = Vec::new();
    for (index, order) in orders.into_iter().enumerate() {
        let order = match order {
            Ok(order) => order,
            Err(error) => {
                results.push(Err(error));
                continue;
            }
        };
        results.push(Err("not decided".to_owned()));
        if order.account.id.is_empty() {
            alone.push((index, order));
            continue;
        }
        let group = match group_of.get(order.account.id.as_str()) {
            Some(&group) => group,
            None => {
                group_of.insert(order.account.id.clone(), work.len());
                work.push((order.account.id.clone(), ledger.take(&order.account.id), Vec::new()));
                work.len() - 1
            }
        };
        if let Some((_, _, orders)) = work.get_mut(group) {
            orders.push((index, order));
        }
    }
    let decided: Vec<(usize, Result<Decision, String>)> = work
        .par_iter_mut()
        .flat_map_iter(|(_, history, orders)| {
            orders.sort_by_key(|(index, order)| (order.requested_at, *index));
            let mut out = Vec::with_capacity(orders.len());
            for (index, order) in orders.iter_mut() {
                history.prepare(order);
                let result = policy.evaluate(order).map_err(|error| describe(&error));
                if let Ok(decision) = &result {
                    history.record(order, decision);
                }
                out.push((*index, result));
            }
            out
        })
        .chain(alone.par_iter().map(|(index, order)| (*index, policy.evaluate(order).map_err(|e| describe(&e)))))
        .collect();
    for (account, history, _) in work {
        ledger.put(account, history);
    }
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
pub fn read_all(text: &str, csv_input: bool) -> Result<Vec<Record>, BatchError> {
    let mut source = Source::new(text.as_bytes(), csv_input);
    let records = source.next_chunk(usize::MAX).into_iter().map(source_parse).collect();
    match source.failure {
        Some(failure) => Err(failure),
        None => Ok(records),
    }
}

/// Decides records exactly as `run` does: a chunk at a time, each account's orders in time
/// order with one ledger for the whole input. For callers that hold every record
/// (`refund diff --orders`), so that their decisions and totals are the batch's.
pub fn decide_records(policy: &Policy, records: &[Record]) -> Vec<Result<Decision, String>> {
    let mut ledger = Ledger::for_policy(policy);
    decide_records_with(policy, records, &mut ledger)
}

/// Decides records as `decide_records` does, carrying the accounts' histories in `ledger` from
/// one call to the next: for callers that receive an input in parts (an Arrow stream, a Spark
/// partition a batch at a time), so that the parts decided in turn give the decisions of the
/// whole. Give each account's orders in time order across the parts.
///
/// ```
/// use refund_rules::{batch, Ledger, Policy};
/// let policy = Policy::parse(
///     r#"policy once_a_year {
///   name     "One refund a year"
///   currency USD
///   timezone "UTC"
///   rule first "The first refund of the year":
///     when order.account.no_reason_refunds_used < 1
///     uses no_reason_refund per calendar year
///     refund order.paid.cash as "paid" to original
///   rule later "Later ones":
///     deny
/// }"#,
/// )?;
/// let order = |id: &str, day: u32| {
///     format!(
///         r#"{{"id": "{id}", "account": {{"id": "a-1"}}, "billing": "subscription", "currency": "USD",
///         "purchased_at": "2026-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z",
///         "requested_at": "2026-01-{day:02}T00:00:00Z", "list_price": "120.00", "paid": {{"cash": "120.00"}}}}"#
///     )
///     .replace('\n', " ")
/// };
/// let text = format!("{}\n{}\n", order("o-1", 2), order("o-2", 3));
/// let records = batch::read_all(&text, false)?;
/// let (first, rest) = records.split_at(1);
/// let mut ledger = Ledger::for_policy(&policy);
/// let mut parts = batch::decide_records_with(&policy, first, &mut ledger);
/// parts.extend(batch::decide_records_with(&policy, rest, &mut ledger));
/// // The first order used the account's refund of the year: the second, in the next part,
/// // no longer has it.
/// assert_eq!(parts[1].as_ref().map(|d| d.rule.as_str()), Ok("later"));
/// let whole = batch::decide_records(&policy, &records);
/// assert_eq!(format!("{parts:?}"), format!("{whole:?}"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decide_records_with(policy: &Policy, records: &[Record], ledger: &mut Ledger) -> Vec<Result<Decision, String>> {
    let mut results = Vec::with_capacity(records.len());
    for chunk in records.chunks(CHUNK) {
        results.extend(decide_chunk(policy, chunk, ledger));
    }
    results
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

/// Records serialised into one block of output per worker.
const BLOCK: usize = 512;

/// The output of `records`, one line (or CSV row) each. Rendered on every core, a block at a
/// time: serializing a decision costs more than deciding it.
fn render_block(records: &[Record], results: &[Result<Decision, String>], csv_output: bool) -> Vec<u8> {
    let mut block = Vec::with_capacity(records.len() * 1_024);
    for (record, result) in records.iter().zip(results) {
        if csv_output {
            block.extend_from_slice(render_csv(record, result).as_bytes());
            continue;
        }
        let start = block.len();
        let written = match result {
            Ok(decision) => serde_json::to_writer(&mut block, &Decided { line: record.line, decision }),
            Err(error) => serde_json::to_writer(&mut block, &Failed { line: record.line, error }),
        };
        if let Err(error) = written {
            block.truncate(start);
            let failed = serde_json::json!({ "line": record.line, "error": error.to_string() });
            block.extend_from_slice(failed.to_string().as_bytes());
        }
        block.push(b'\n');
    }
    block
}

/// A decided record as written: its input line, then the decision's own fields.
#[derive(serde::Serialize)]
struct Decided<'a> {
    line: usize,
    #[serde(flatten)]
    decision: &'a Decision,
}

/// A record that could not be decided, as written.
#[derive(serde::Serialize)]
struct Failed<'a> {
    line: usize,
    error: &'a str,
}

fn render_csv(record: &Record, result: &Result<Decision, String>) -> String {
    let line = record.line.to_string();
    let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    let written = match result {
        Ok(d) => {
            let refunds: Vec<String> = d.refunds.iter().map(|r| format!("{}:{}", r.to.as_str(), r.amount)).collect();
            let review = d.review.as_str();
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

/// The code of every error that is the record's fault, not the policy's.
const ORDER_ERROR: &str = "E201";

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
    /// Of those, the records that are not (valid) orders (`E201`).
    pub not_orders: usize,
}

impl Summary {
    fn add(&mut self, result: &Result<Decision, String>) {
        self.records += 1;
        let decision = match result {
            Ok(decision) => decision,
            Err(error) => {
                self.errors += 1;
                if error.starts_with(ORDER_ERROR) {
                    self.not_orders += 1;
                }
                return;
            }
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
