//! `refund batch`: one output record per input record, in order, whatever the input; quotas
//! carried across an account's orders in time order; output renamed into place.

use std::path::{Path, PathBuf};
use std::process::Command;

fn batch(policy: &str, orders: &str, out: &Path) -> String {
    batch_exits(policy, orders, out, 0)
}

/// Runs a batch that must exit with `code`, leaving no temporary file or lock; its stderr.
fn batch_exits(policy: &str, orders: &str, out: &Path, code: i32) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_refund"))
        .args(["batch", policy, "--orders", orders, "--out", out.to_str().unwrap()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(code), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(leftovers(out), Vec::<String>::new(), "temporary files or locks are left behind");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Files of the output's folder that are its temporary files or its lock.
fn leftovers(out: &Path) -> Vec<String> {
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|f| f.starts_with(&format!(".{name}.")) || *f == format!("{name}.lock") || *f == format!("{name}.part"))
        .collect()
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("refund-batch-{}-{name}", std::process::id()))
}

/// A new empty folder for one test.
pub fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("refund-files-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn records(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    std::fs::remove_file(path).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// 10 servers of one account, listed newest first: decided in time order, the first request
/// gets Tencent's one no-reason refund and the nine others the ordinary one.
#[test]
fn ten_servers_one_no_reason_nine_ordinary() {
    let out = temp("ten.jsonl");
    let summary = batch("policies/tencent-cvm.policy", "tests/data/batch/tencent-10-gpu-servers.jsonl", &out);
    let records = records(&out);
    assert_eq!(records.len(), 10);
    let rules: Vec<&str> = records.iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert_eq!(rules.iter().filter(|r| **r == "no_reason").count(), 1);
    assert_eq!(rules.iter().filter(|r| **r == "ordinary").count(), 9);
    // Output keeps input order: the earliest request is the last line.
    assert_eq!(records[9]["order"], "gpu-1");
    assert_eq!(records[9]["rule"], "no_reason");
    assert_eq!(records[9]["line"], 10);
    assert!(summary.contains("10 records: 10 refund"), "{summary}");
}

/// Good and bad lines mixed, CRLF endings, no final newline: every record gets an output
/// record, bad ones an error with their line number.
#[test]
fn bad_records_are_reported_by_line_and_never_stop_the_batch() {
    let out = temp("mixed.jsonl");
    // Exit 2 at the end: some records are not orders.
    let summary = batch_exits("policies/tencent-cvm.policy", "tests/data/batch/mixed-good-and-bad.jsonl", &out, 2);
    assert!(summary.contains("3 with errors"), "{summary}");
    let records = records(&out);
    let lines: Vec<u64> = records.iter().map(|r| r["line"].as_u64().unwrap()).collect();
    assert_eq!(lines, [1, 2, 4, 5, 6], "one record per non-blank input line, in order");
    let errors: Vec<&str> = records.iter().filter_map(|r| r["error"].as_str()).collect();
    assert_eq!(errors.len(), 3);
    assert!(errors[1].contains("`paid.cash`"), "{errors:?}");
    assert_eq!(records[4]["order"], "ok-2");
}

#[test]
fn an_empty_file_gives_an_empty_result() {
    let out = temp("empty.jsonl");
    let summary = batch("policies/tencent-cvm.policy", "tests/data/batch/empty.jsonl", &out);
    assert!(records(&out).is_empty());
    assert!(summary.contains("0 records"), "{summary}");
}

#[test]
fn csv_in_and_csv_out() {
    let out = temp("orders.csv");
    batch_exits("policies/tencent-cvm.policy", "tests/data/batch/tencent-orders.csv", &out, 2);
    let text = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    insta::assert_snapshot!(text);
    assert_eq!(text.lines().count(), 4, "a header and one line per order");
}

/// 20,000 generated orders span three chunks of the pipeline (the next chunk is read while one
/// is decided): the output is the same on one core and on two, one record per order in input
/// order, each the decision `Policy::evaluate` gives for that order alone.
#[test]
fn many_chunks_on_one_core_and_on_two_give_the_same_records_in_order() {
    use refund_rules::batch::{self, Streams};

    let policy = crate::shipped("kufanyun.policy");
    let orders = crate::native::orders::orders(3, 20_000);
    let mut input = String::new();
    for order in &orders {
        input.push_str(&serde_json::to_string(order).unwrap());
        input.push('\n');
    }
    let decide_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        let mut out = Vec::new();
        let streams = Streams { input: input.as_bytes(), csv_input: false, output: &mut out, csv_output: false };
        let summary = batch::run(&policy, streams, &pool).unwrap();
        assert_eq!(summary.records, orders.len());
        String::from_utf8(out).unwrap()
    };
    let one_core = decide_on(1);
    assert_eq!(one_core, decide_on(2), "two cores change the output");
    let records: Vec<serde_json::Value> = one_core.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(records.len(), orders.len());
    for (index, (record, order)) in records.iter().zip(&orders).enumerate() {
        assert_eq!(record["line"], index + 1);
        assert_eq!(record["order"], order.id.as_str());
        let alone = policy.evaluate(order).unwrap();
        assert_eq!(record["rule"], alone.rule.as_str(), "{}", order.id);
        assert_eq!(record["amount"], alone.amount.to_string().as_str(), "{}", order.id);
    }
}

/// Alibaba's no-reason quota is one per account per calendar year in Beijing time: the second
/// return in December gets the ordinary refund, the first of January (in Beijing, though still
/// the 31st in UTC) is no-reason again, and the next one that year is ordinary.
#[test]
fn a_calendar_year_quota_starts_again_on_new_year_in_the_policys_time_zone() {
    let out = temp("new-year.jsonl");
    batch("policies/alibaba-ecs.policy", "tests/data/batch/alibaba-new-year.jsonl", &out);
    let rules: Vec<String> = records(&out).iter().map(|r| r["rule"].as_str().unwrap().to_owned()).collect();
    assert_eq!(rules, ["no_reason", "non_full", "no_reason", "non_full"]);
}
