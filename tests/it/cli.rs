//! The `refund` binary end to end: outputs, exit codes, input forms.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn refund(args: &[&str]) -> Output {
    run(args, None)
}

fn run(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_refund"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

const KUFANYUN: &str = "policies/kufanyun.policy";

#[test]
fn the_kufanyun_worked_cases_give_the_published_numbers() {
    let cases = [
        ("examples/orders/within-48-hours.json", "900.00", "original", "no_reason"),
        ("examples/orders/exactly-120-hours.json", "876.30", "balance", "used_time"),
        ("examples/orders/after-30-days-in-arrears.json", "757.81", "balance", "used_time"),
    ];
    for (order, amount, to, rule) in cases {
        let output = refund(&["eval", KUFANYUN, order, "--format", "json"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let decision = json(&output);
        assert_eq!(decision["outcome"], "refund", "{order}");
        assert_eq!(decision["amount"], amount, "{order}");
        assert_eq!(decision["refunds"][0]["to"], to, "{order}");
        assert_eq!(decision["refunds"][0]["amount"], amount, "{order}");
        assert_eq!(decision["rule"], rule, "{order}");
        assert!(decision.get("trace").is_none(), "the trace is only given when asked for");
    }
}

#[test]
fn several_orders_give_an_array_in_order() {
    let output = refund(&[
        "eval",
        KUFANYUN,
        "examples/orders/within-48-hours.json",
        "examples/orders/pay-as-you-go-deposit.json",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let decisions = json(&output);
    assert_eq!(decisions[0]["order"], "kfy-48h");
    assert_eq!(decisions[1]["order"], "kfy-payg");
    assert_eq!(decisions[1]["refunds"][0]["to"], "balance");
}

#[test]
fn orders_can_come_as_json_lines_on_standard_input() {
    let a = std::fs::read_to_string("examples/orders/within-48-hours.json").unwrap();
    let b = std::fs::read_to_string("examples/orders/exactly-120-hours.json").unwrap();
    let one_line =
        |text: &str| serde_json::to_string(&serde_json::from_str::<serde_json::Value>(text).unwrap()).unwrap();
    let lines = format!("{}\n{}\n", one_line(&a), one_line(&b));
    let output = run(&["eval", KUFANYUN, "-", "--format", "json"], Some(&lines));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let decisions = json(&output);
    assert_eq!(decisions[0]["amount"], "900.00");
    assert_eq!(decisions[1]["amount"], "876.30");
}

#[test]
fn the_text_receipt_reads_like_a_receipt() {
    let output = refund(&["eval", KUFANYUN, "examples/orders/after-30-days-in-arrears.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn explain_names_each_failed_condition_with_its_values() {
    let output = refund(&["explain", KUFANYUN, "examples/orders/exactly-120-hours.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    // The policy's own words for `held`, and days as the guide writes them.
    assert!(text.contains("needs held < 5 days; here “持有时长” is 5 days"), "{text}");
    assert!(text.contains("round(1000.00 * 5 / 365, 0.01, half_up) = 13.70"), "{text}");
    insta::assert_snapshot!(text);
}

/// The receipts of the three published Kufanyun cases, with the arithmetic of every line.
#[test]
fn explain_shows_the_arithmetic_of_every_kufanyun_worked_case() {
    for case in ["within-48-hours", "exactly-120-hours", "after-30-days-in-arrears"] {
        let output = refund(&["explain", KUFANYUN, &format!("examples/orders/{case}.json")]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        insta::assert_snapshot!(case, stdout(&output));
    }
}

#[test]
fn explain_as_json_carries_the_trace() {
    let output = refund(&["eval", KUFANYUN, "examples/orders/exactly-120-hours.json", "--explain", "--format", "json"]);
    let decision = json(&output);
    let trace = decision["trace"].as_array().unwrap();
    assert_eq!(trace[3]["kind"], "skipped");
    assert_eq!(trace[3]["rule"], "no_reason");
    assert_eq!(trace[4]["kind"], "decided");
}

#[test]
fn garbage_on_line_five_is_reported_on_line_five() {
    let output = refund(&["check", "tests/data/policies/broken/garbage-on-line-5.policy"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(text.contains("garbage-on-line-5.policy:5:"), "{text}");
    assert!(text.contains('^'), "{text}");
}

#[test]
fn check_passes_every_shipped_policy() {
    let output = refund(&["check", KUFANYUN]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("ok (0 error(s), 0 warning(s))"));
}

#[test]
fn check_reports_problems_as_json_for_editors() {
    let output = refund(&["check", "tests/data/policies/broken/garbage-on-line-5.policy", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let problems = json(&output);
    assert_eq!(problems[0]["code"], "E001");
    assert!(problems[0]["location"].as_str().unwrap().contains(":5:"));
}

#[test]
fn a_malformed_order_exits_2_naming_the_field() {
    let dir = std::env::temp_dir().join(format!("refund-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let order =
        std::fs::read_to_string("examples/orders/within-48-hours.json").unwrap().replace("\"900.00\"", "\"-900.00\"");
    let path = dir.join("negative-cash.json");
    std::fs::write(&path, order).unwrap();
    let output = refund(&["eval", KUFANYUN, path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`paid.cash`"), "{}", stderr(&output));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn test_runs_the_in_file_examples() {
    let output = refund(&["test", KUFANYUN]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(stdout(&output).contains("example result: ok. 9 passed; 0 failed"), "{}", stdout(&output));
}

#[test]
fn usage_errors_and_missing_files_exit_2() {
    assert_eq!(refund(&["eval"]).status.code(), Some(2));
    assert_eq!(refund(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(refund(&["eval", KUFANYUN, "no/such/order.json"]).status.code(), Some(2));
    assert_eq!(refund(&["check", "no/such.policy"]).status.code(), Some(2));
}

/// Published numbers of other providers, through `refund eval --format json`.
#[test]
fn published_provider_examples_give_the_published_numbers() {
    let cases = [
        ("tencent-cvm", "tencent-cvm/second-return-after-48-hours.json", "895.76", &[("balance", "895.76")][..]),
        ("huawei-cloud", "huawei-cloud/five-day-voucher.json", "100.00", &[("balance", "80.00"), ("voucher", "20.00")]),
        ("azure-reservations", "azure-reservations/over-the-rolling-limit-refused.json", "0.00", &[]),
    ];
    for (policy, order, amount, refunds) in cases {
        let policy = format!("policies/{policy}.policy");
        let order = format!("examples/orders/{order}");
        let output = refund(&["eval", &policy, &order, "--format", "json"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let decision = json(&output);
        assert_eq!(decision["amount"], amount, "{order}");
        for (index, (to, share)) in refunds.iter().enumerate() {
            assert_eq!(decision["refunds"][index]["to"], *to, "{order}");
            assert_eq!(decision["refunds"][index]["amount"], *share, "{order}");
        }
    }
}

/// Huawei's manual counts 758 order hours and 344 used hours; the explanation shows both.
#[test]
fn huawei_hour_counts_appear_in_the_explanation() {
    let output =
        refund(&["explain", "policies/huawei-cloud.policy", "examples/orders/huawei-cloud/hours-example.json"]);
    let text = stdout(&output);
    assert!(text.contains("订单总时长（小时） (order_hours): 758"), "{text}");
    assert!(text.contains("实际消费时长（小时） (used_hours): 344"), "{text}");
    assert!(text.contains("refund 44.62 CNY"), "{text}");
}

/// An order file as one JSON line.
fn one_line(path: &str) -> String {
    let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::to_string(&value).unwrap()
}

/// JSON Lines with one broken line: every good line is decided, the broken one is reported
/// with its line number, and the run exits 2 at the end.
#[test]
fn eval_decides_every_good_json_line_and_reports_the_broken_one() {
    let lines = format!(
        "{}\n{{\"id\": \"cut\", \"billing\": \n{}\n",
        one_line("examples/orders/within-48-hours.json"),
        one_line("examples/orders/exactly-120-hours.json")
    );
    let output = run(&["eval", KUFANYUN, "-", "--format", "json"], Some(&lines));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let decisions = json(&output);
    assert_eq!(decisions.as_array().unwrap().len(), 2);
    assert_eq!(decisions[0]["amount"], "900.00");
    assert_eq!(decisions[1]["amount"], "876.30");
    insta::assert_snapshot!("eval-broken-json-line", stderr(&output));
}

/// An unreadable or unparsable policy given to `test` is an error of its own (exit 2), not a
/// failed example; the other files' examples still run.
#[test]
fn test_reports_a_file_it_cannot_load_as_an_error_not_a_failed_example() {
    for bad in ["no/such.policy", "tests/data/policies/broken/garbage-on-line-5.policy"] {
        let output = refund(&["test", bad, KUFANYUN]);
        assert_eq!(output.status.code(), Some(2), "{bad}: {}", stdout(&output));
        let text = stdout(&output);
        assert!(text.contains(&format!("9 passed; 0 failed; 1 file(s) not run ({bad})")), "{text}");
        assert!(stderr(&output).contains(&format!("the examples of {bad} were not run")), "{}", stderr(&output));
    }
}

/// `-` reads a policy from standard input in `check`, `test` and `fmt`, and the orders of
/// `diff --orders`.
#[test]
fn check_test_fmt_and_diff_read_standard_input() {
    let policy = std::fs::read_to_string(KUFANYUN).unwrap();
    let checked = run(&["check", "-"], Some(&policy));
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(stdout(&checked).contains("<stdin>: ok"), "{}", stdout(&checked));
    let tested = run(&["test", "-"], Some(&policy));
    assert_eq!(tested.status.code(), Some(0), "{}", stderr(&tested));
    assert!(stdout(&tested).contains("9 passed; 0 failed"), "{}", stdout(&tested));
    let careless: String = policy.lines().map(|l| format!("{}\n", l.trim_start())).collect();
    let formatted = run(&["fmt", "-"], Some(&careless));
    assert_eq!(formatted.status.code(), Some(0), "{}", stderr(&formatted));
    assert_eq!(stdout(&formatted), policy);
    assert_eq!(run(&["fmt", "--check", "-"], Some(&careless)).status.code(), Some(1));
    let orders = std::fs::read_to_string("tests/data/diff/kufanyun-orders.jsonl").unwrap();
    let diffed = run(&["diff", KUFANYUN, "tests/data/diff/kufanyun-v2.policy", "--orders", "-"], Some(&orders));
    assert_eq!(diffed.status.code(), Some(0), "{}", stderr(&diffed));
    assert!(stdout(&diffed).contains("\n37 orders, 16 decided differently"), "{}", stdout(&diffed));
}
