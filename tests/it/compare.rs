//! Comparing providers: side-by-side tables in every format, scenario matrices, refund
//! curves, policy diffs and batches, through the `refund` binary.

use std::process::{Command, Output};

fn refund(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refund")).args(args).current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const ORDER: &str = "examples/orders/one-year-server.json";

#[test]
fn compare_one_order_in_every_format() {
    for format in ["table", "markdown", "csv", "html", "json"] {
        let text = stdout(&refund(&["compare", "policies/", "--order", ORDER, "--format", format]));
        let text = text.lines().filter(|l| !l.contains("\"digest\"")).collect::<Vec<_>>().join("\n");
        insta::assert_snapshot!(format!("compare-order-{format}"), text);
    }
}

#[test]
fn another_currency_is_not_comparable_never_converted() {
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&refund(&["compare", "policies/", "--order", ORDER, "--format", "json"])))
            .unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 13);
    let not_cny = [
        "alibaba_cloud_intl",
        "aws_savings_plans",
        "azure_reservations",
        "digitalocean",
        "hetzner_cloud",
        "linode",
        "vultr",
    ];
    for row in rows {
        let other_currency = not_cny.contains(&row["policy"].as_str().unwrap());
        assert_eq!(row["status"] == "not_comparable", other_currency, "{row}");
    }
}

#[test]
fn scenario_matrices_mark_the_best_provider() {
    for file in ["standard", "double11-gpu"] {
        let path = format!("scenarios/{file}.toml");
        let text = stdout(&refund(&["compare", "policies/", "--scenarios", &path, "--format", "markdown"]));
        assert!(text.contains('★'), "{text}");
        insta::assert_snapshot!(format!("scenarios-{file}"), text);
    }
}

/// The article's case: 10 GPU servers returned after 3 days. Under Tencent's 1-per-account
/// rule one gets the no-reason refund and nine the ordinary one.
#[test]
fn ten_servers_get_one_no_reason_refund_under_a_one_per_account_rule() {
    let args =
        ["compare", "policies/tencent-cvm.policy", "--scenarios", "scenarios/double11-gpu.toml", "--format", "json"];
    let json: serde_json::Value = serde_json::from_str(&stdout(&refund(&args))).unwrap();
    let rules = json["rows"][0]["cells"][0]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 10);
    assert_eq!(rules.iter().filter(|r| *r == "no_reason").count(), 1);
    assert_eq!(rules.iter().filter(|r| *r == "ordinary").count(), 9);
}

#[test]
fn the_curve_chart_has_one_series_per_policy_and_labelled_axes() {
    let out = std::env::temp_dir().join(format!("refund-curve-{}.svg", std::process::id()));
    let out_text = out.to_str().unwrap();
    stdout(&refund(&["curve", "policies/", "--order", ORDER, "--from", "0d", "--to", "60d", "--out", out_text]));
    let svg = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    assert!(svg.starts_with("<svg"), "not an SVG");
    assert!(svg.contains("days held") && svg.contains("refund (CNY)"), "axis labels missing");
    // Legend: one entry per policy in the order's currency, none for the others.
    for id in ["alibaba_ecs", "huawei_cloud", "kufanyun", "tencent_cvm"] {
        assert_eq!(svg.matches(&format!(">\n{id}\n<")).count() + svg.matches(&format!(">{id}<")).count(), 1, "{id}");
    }
    assert!(!svg.contains("azure_reservations"));
    let lines = svg.matches("<polyline").count();
    assert!(lines >= 4, "{lines} lines");
}

#[test]
fn the_curve_can_be_a_png_and_its_series_csv() {
    let out = std::env::temp_dir().join(format!("refund-curve-{}.png", std::process::id()));
    stdout(&refund(&[
        "curve",
        "policies/kufanyun.policy",
        "--order",
        ORDER,
        "--to",
        "30d",
        "--out",
        out.to_str().unwrap(),
    ]));
    let png = std::fs::read(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    let csv = stdout(&refund(&["curve", "policies/", "--order", ORDER, "--to", "7d", "--format", "csv"]));
    insta::assert_snapshot!("curve-series-csv", csv);
}

#[test]
fn diff_on_orders_groups_changes_by_rule() {
    let args = [
        "diff",
        "policies/kufanyun.policy",
        "tests/data/diff/kufanyun-v2.policy",
        "--orders",
        "tests/data/diff/kufanyun-orders.jsonl",
    ];
    let text = stdout(&refund(&args));
    assert!(text.contains("\n37 orders, 16 decided differently"), "{text}");
    insta::assert_snapshot!("diff-orders", text);
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&refund(&json_args))).unwrap();
    assert_eq!(json["changed"], 16);
    assert_eq!(json["groups"][0]["old_rule"], "used_time");
}

#[test]
fn diff_without_orders_finds_the_regions_that_differ() {
    let args = ["diff", "policies/kufanyun.policy", "tests/data/diff/kufanyun-v2.policy", "--format", "json"];
    let regions: serde_json::Value = serde_json::from_str(&stdout(&refund(&args))).unwrap();
    let regions = regions.as_array().unwrap();
    // The wider window: held 5 to 7 days moves from used_time to no_reason.
    let window = regions.iter().find(|r| r["old_rule"] == "used_time" && r["new_rule"] == "no_reason").unwrap();
    assert_eq!(window["held_from_days"], "5");
    assert!(window["example"]["order"]["id"].is_string());
    let same = ["diff", "policies/kufanyun.policy", "policies/kufanyun.policy"];
    assert!(stdout(&refund(&same)).contains("\nNo difference"));
}

/// The chart in the README is what the tool draws today.
#[test]
fn the_readme_chart_is_up_to_date() {
    let out = std::env::temp_dir().join(format!("refund-readme-curve-{}.svg", std::process::id()));
    let args = ["curve", "policies/", "--order", ORDER, "--from", "0d", "--to", "365d", "--step", "1d"];
    let mut args = args.to_vec();
    args.extend(["--out", out.to_str().unwrap()]);
    stdout(&refund(&args));
    let drawn = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/refund-curves.svg")).unwrap();
    assert!(drawn == committed, "docs/refund-curves.svg is stale: run the command in the README");
}

/// A run whose cells include an error still prints the table, and exits 1 (a policy could not
/// decide) instead of 0.
#[test]
fn compare_exits_1_when_a_policy_cannot_decide_and_still_prints_the_table() {
    let args = [
        "compare",
        "policies/kufanyun.policy",
        "tests/data/eval-errors/division-by-zero.policy",
        "--order",
        "tests/data/eval-errors/division-by-zero.json",
    ];
    let output = refund(&args);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("division by zero") && table.contains("kufanyun"), "{table}");
    let json = refund(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(json.status.code(), Some(1));
}

/// `servers = 100000000` is refused at once, naming the file and the line.
#[test]
fn too_many_servers_in_a_scenario_are_refused_with_the_line() {
    let output =
        refund(&["compare", "policies/kufanyun.policy", "--scenarios", "tests/data/compare/too-many-servers.toml"]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("too-many-servers", String::from_utf8_lossy(&output.stderr));
}

/// The total refunded of a batch, from its summary line (`...; refunded 23107.50 CNY`).
fn batch_total(policy: &str, orders: &str) -> String {
    let out = std::env::temp_dir().join(format!("refund-compare-{}-{}.jsonl", std::process::id(), policy.len()));
    let output = refund(&["batch", policy, "--orders", orders, "--out", out.to_str().unwrap()]);
    std::fs::remove_file(&out).unwrap();
    let summary = String::from_utf8_lossy(&output.stderr).into_owned();
    summary.rsplit("refunded ").next().unwrap().trim().trim_end_matches(" CNY").to_owned()
}

/// `diff --orders` decides each side as `batch` does: ten servers of one account, a quota of
/// two no-reason returns against one: one server changes, and each total is the batch's.
#[test]
fn diff_on_orders_carries_quotas_as_batch_does() {
    let (old, new) = ("tests/data/diff/tencent-cvm-two-returns.policy", "policies/tencent-cvm.policy");
    let orders = "tests/data/batch/tencent-10-gpu-servers.jsonl";
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&refund(&["diff", old, new, "--orders", orders, "--format", "json"]))).unwrap();
    assert_eq!(json["orders"], 10);
    assert_eq!(json["changed"], 1, "{json}");
    assert_eq!(json["old_total"], batch_total(old, orders).as_str());
    assert_eq!(json["new_total"], batch_total(new, orders).as_str());
    assert_eq!(json["groups"][0]["old_rule"], "no_reason");
    assert_eq!(json["groups"][0]["new_rule"], "ordinary");
}
