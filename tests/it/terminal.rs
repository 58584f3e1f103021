//! What a product manager sees in the terminal (issue #17): strict scenario files, one order
//! contract for every command, receipts at the minor unit, charts and tables that fit.

use std::process::{Command, Output};

fn refund(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_refund"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn refused(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const ORDER: &str = "examples/orders/one-year-server.json";

#[test]
fn a_misspelt_scenario_section_key_or_provider_is_refused_with_a_did_you_mean() {
    for case in ["misspelt-attributes", "misspelt-key", "misspelt-section"] {
        let file = format!("tests/data/terminal/{case}.toml");
        let message = refused(&refund(&["compare", "policies/", "--scenarios", &file]));
        assert!(message.contains("did you mean"), "{message}");
        insta::assert_snapshot!(format!("scenario-{case}"), message);
    }
}

#[test]
fn an_order_group_misspelling_the_policy_is_refused_by_eval_compare_and_curve() {
    let order = "tests/data/terminal/misspelt-group.json";
    let eval = refused(&refund(&["eval", "policies/tencent-cvm.policy", order]));
    insta::assert_snapshot!("order-misspelt-group", eval);
    let compare = refund(&["compare", "policies/", "--order", order, "--format", "json"]);
    let cells: serde_json::Value = serde_json::from_slice(&compare.stdout).unwrap();
    let tencent = cells.as_array().unwrap().iter().find(|c| c["policy"] == "tencent_cvm").unwrap();
    assert_eq!(tencent["status"], "failed", "{tencent}");
    assert!(tencent["error"].as_str().unwrap().contains("did you mean `tencent_cvm`"), "{tencent}");
    assert_eq!(compare.status.code(), Some(2));
    let curve = refused(&refund(&["curve", "policies/tencent-cvm.policy", "--order", order, "--format", "csv"]));
    assert!(curve.contains("did you mean `tencent_cvm`"), "{curve}");
}

/// `eval`, `compare` and `curve` read an order alike: each policy of the order's currency
/// either decides it in all three or refuses it in all three.
#[test]
fn eval_compare_and_curve_accept_the_same_orders() {
    let policies = refund_rules_policies();
    for order in [ORDER, "tests/data/terminal/flat-attributes.json"] {
        let compared: serde_json::Value =
            serde_json::from_slice(&refund(&["compare", "policies/", "--order", order, "--format", "json"]).stdout)
                .unwrap();
        for (path, id) in &policies {
            let eval = refund(&["eval", path, order]);
            let cell = compared.as_array().unwrap().iter().find(|c| c["policy"] == id.as_str()).unwrap();
            if cell["status"] == "not_comparable" {
                continue;
            }
            assert_eq!(eval.status.success(), cell["status"] == "decided", "{order} under {id}: {cell}");
            let curve = refund(&["curve", path, "--order", order, "--to", "2d", "--format", "csv"]);
            assert_eq!(eval.status.success(), curve.status.success(), "{order} under {id}");
        }
    }
}

fn refund_rules_policies() -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/policies"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "policy"))
        .map(|path| {
            let id = refund_rules::Policy::from_file(&path).unwrap().id().to_owned();
            (crate::relative(&path), id)
        })
        .collect();
    found.sort();
    found
}

const SUB_CENT: &str = "tests/data/terminal/sub-cent-fee.policy";
const SUB_CENT_ORDER: &str = "tests/data/terminal/sub-cent-fee.json";

/// A fee of 4.125 is shown at the cent, and the lines still add up to the refund.
#[test]
fn receipt_lines_are_at_the_minor_unit_and_add_up() {
    let decision: serde_json::Value =
        serde_json::from_str(&stdout(&refund(&["eval", SUB_CENT, SUB_CENT_ORDER, "--format", "json"]))).unwrap();
    assert_eq!(decision["amount"], "820.88");
    let mut running = rust_decimal::Decimal::ZERO;
    for line in decision["lines"].as_array().unwrap() {
        let amount: rust_decimal::Decimal = line["amount"].as_str().unwrap().parse().unwrap();
        let total: rust_decimal::Decimal = line["total"].as_str().unwrap().parse().unwrap();
        assert!(amount.scale() <= 2 && total.scale() <= 2, "{line}");
        running = if line["kind"] == "base" { amount } else { running + amount };
        assert_eq!(running, total, "{line}");
    }
    assert_eq!(running.to_string(), "820.88");
    let explained = stdout(&refund(&["explain", SUB_CENT, SUB_CENT_ORDER]));
    assert!(explained.contains("-4.12") && !explained.contains("-4.125 "), "{explained}");
    insta::assert_snapshot!("sub-cent-explain", explained);
}

/// The "why" uses the policy's labels, durations read in days, a limit that acts says what it
/// did, and the Markdown receipt can be pasted into a ticket.
#[test]
fn explain_speaks_the_policy_words_and_has_a_markdown_receipt() {
    let markdown = stdout(&refund(&["explain", SUB_CENT, SUB_CENT_ORDER, "--format", "markdown"]));
    assert!(markdown.contains("needs “within a week of purchase”; here “time held” is 219 days"), "{markdown}");
    assert!(markdown.contains("| handling fee | -4.12 | 820.88 |"), "{markdown}");
    insta::assert_snapshot!("sub-cent-markdown", markdown);
    let clamped = stdout(&refund(&["explain", "tests/data/terminal/clamp-raises.policy", SUB_CENT_ORDER]));
    assert!(clamped.contains("raised to  =       0.00"), "{clamped}");
    insta::assert_snapshot!("clamp-raises", clamped);
}

#[test]
fn completions_are_printed_for_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout(&refund(&["completions", shell]));
        assert!(script.contains("refund") && script.contains("compare"), "{shell}: {script}");
    }
    assert!(refused(&refund(&["completions", "tcsh"])).contains("tcsh"));
}

#[test]
fn colour_follows_the_color_flag_and_no_color() {
    let order = "examples/orders/after-30-days-in-arrears.json";
    let always = stdout(&refund(&["eval", "policies/kufanyun.policy", order, "--color", "always"]));
    assert!(always.contains("\u{1b}[1;32mrefund 757.81 CNY\u{1b}[0m"), "{always}");
    // Not a terminal: `auto` is plain, and so is `never`.
    for args in [&["--color", "auto"][..], &["--color", "never"][..], &[][..]] {
        let mut all = vec!["eval", "policies/kufanyun.policy", order];
        all.extend(args);
        assert!(!stdout(&refund(&all)).contains('\u{1b}'), "{args:?}");
    }
    let warned = refund(&["check", "tests/data/terminal/warnings.policy", "--color", "always"]);
    let stderr = String::from_utf8_lossy(&warned.stderr);
    assert!(stderr.contains("\u{1b}[1;33mwarning[W004]"), "{stderr}");
    let plain = refund(&["check", "tests/data/terminal/warnings.policy", "--color", "always"]);
    let mut no_color = Command::new(env!("CARGO_BIN_EXE_refund"));
    no_color.args(["check", "tests/data/terminal/warnings.policy"]).env("NO_COLOR", "1");
    let quiet = no_color.current_dir(env!("CARGO_MANIFEST_DIR")).output().unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains('\u{1b}'));
    assert_eq!(plain.status.code(), quiet.status.code());
}

/// The curve: calendar lengths as the language writes them, the order in the title, names in
/// a legend beside the plot, a zoomed panel for the first days, lines told apart by dashes.
#[test]
fn the_curve_reads_calendar_lengths_and_shows_the_first_days_apart() {
    let csv = |to: &str| stdout(&refund(&["curve", "policies/", "--order", ORDER, "--to", to, "--format", "csv"]));
    // 2026-03-02 to 2027-03-02 is 365 days.
    assert_eq!(csv("1y"), csv("365d"));
    assert_eq!(csv("1 year"), csv("365d"));
    let half = csv("6 months");
    assert_eq!(half.lines().last().unwrap().split(',').next(), Some("184"), "2026-03-02 + 6 months is day 184");
    let message = refused(&refund(&["curve", "policies/", "--order", ORDER, "--to", "1 fortnight", "--format", "csv"]));
    insta::assert_snapshot!("curve-bad-length", message);

    let out = std::env::temp_dir().join(format!("refund-terminal-curve-{}.svg", std::process::id()));
    stdout(&refund(&["curve", "policies/", "--order", ORDER, "--to", "1y", "--out", out.to_str().unwrap()]));
    let svg = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    assert!(svg.contains("order one-year-server: 1020.00 CNY paid, subscription 2026-03-02 to 2027-03-02"), "title");
    assert!(svg.contains("first 14 days (zoomed)") && svg.contains("whole range"), "two time axes");
    assert!(svg.contains("腾讯云 云服务器 CVM"), "provider names in the legend");
    assert!(svg.matches("stroke-dasharray").count() >= 5, "dash patterns");
    assert!(!svg.contains("1400.0") && !svg.contains(">1000.0<"), "whole-number ticks");
    // The legend is beside the plots: every legend line starts right of the last plot.
    let plots_end = 740.0;
    for line in svg.lines().filter(|l| l.starts_with("<line x1=\"770\"")) {
        assert!(line.contains("x2=\"804\""), "{line}");
    }
    assert!(plots_end < 770.0);
    let refused_form = refused(&refund(&["curve", "policies/", "--order", ORDER, "--out", "chart.jpg"]));
    assert!(refused_form.contains("end the file name in .svg or .png"), "{refused_form}");
}

fn width_of(text: &str) -> usize {
    // CJK characters and full-width punctuation take two columns; box drawing takes one.
    let wide = |c: char| matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6);
    text.lines().map(|l| l.chars().map(|c| if wide(c) { 2 } else { 1 }).sum()).max().unwrap_or(0)
}

/// Tables fit a 100-column terminal (COLUMNS), and a narrower one: cells wrap, and columns
/// that do not fit go to a second table that repeats the first column.
#[test]
fn compare_tables_fit_the_terminal_width() {
    for columns in ["100", "72"] {
        for args in [&["--order", ORDER][..], &["--scenarios", "scenarios/standard.toml"][..]] {
            let mut all = vec!["compare", "policies/"];
            all.extend(args);
            let output = Command::new(env!("CARGO_BIN_EXE_refund"))
                .args(&all)
                .env("COLUMNS", columns)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .output()
                .unwrap();
            let text = stdout(&output);
            assert!(width_of(&text) <= columns.parse().unwrap(), "{columns}: {text}");
            assert!(text.contains("ucloud") && text.contains("alibaba_ecs"), "every provider is still there");
        }
    }
    let output = Command::new(env!("CARGO_BIN_EXE_refund"))
        .args(["compare", "policies/", "--scenarios", "scenarios/double11-gpu.toml"])
        .env("COLUMNS", "100")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    insta::assert_snapshot!("compare-fitted-100", stdout(&output));
}

/// CSV cells are numbers where numbers are meant: the refund, the share as a fraction, an
/// amount per destination; the rule and the reason have columns of their own.
#[test]
fn compare_csv_has_numeric_columns() {
    let text =
        stdout(&refund(&["compare", "policies/", "--scenarios", "tests/data/terminal/gift.toml", "--format", "csv"]));
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut decided = 0;
    for record in reader.records() {
        let record = record.unwrap();
        if &record[column("status")] != "decided" {
            continue;
        }
        decided += 1;
        let refund: rust_decimal::Decimal = record[column("refund")].parse().unwrap();
        let share: rust_decimal::Decimal = record[column("share")].parse().unwrap();
        let places: rust_decimal::Decimal = ["original", "balance", "gift", "voucher"]
            .iter()
            .map(|p| record[column(p)].parse::<rust_decimal::Decimal>().unwrap())
            .sum();
        assert_eq!(places, refund, "{record:?}");
        assert!(share <= rust_decimal::Decimal::ONE, "{record:?}");
        assert!(!record[column("rule")].contains(' '), "{record:?}");
    }
    assert_eq!(decided, 6);
    insta::assert_snapshot!("compare-gift-csv", text);
}

/// Gift credit given back is shown where the money goes, in the table too.
#[test]
fn gift_money_is_visible_in_the_matrix() {
    let text = stdout(&refund(&[
        "compare",
        "policies/",
        "--scenarios",
        "tests/data/terminal/gift.toml",
        "--format",
        "markdown",
    ]));
    assert!(text.contains("balance 920.00 + gift 100.00"), "{text}");
}

/// The HTML report is a page: charset, title, the table, a legend, and the curves inline.
#[test]
fn compare_html_is_a_report_with_the_chart() {
    let page = stdout(&refund(&["compare", "policies/", "--scenarios", "scenarios/standard.toml", "--format", "html"]));
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.contains("<title>A one-year server, 1,020.00 CNY paid: what comes back, and when</title>"));
    assert!(page.contains("<p class=\"legend\">★ gives back the most in that row"));
    assert!(page.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(page.contains(">tencent_cvm<"), "the chart's legend names the providers");
    assert!(page.trim_end().ends_with("</html>"));
}

/// Without orders, one change is one region, on the grid's own steps, with both sides named
/// by id, version and file; with orders, totals carry the currency and amounts a person still
/// has to approve are counted apart from what is refunded.
#[test]
fn diff_reports_each_change_once_with_both_sides_named() {
    let (old, new) = ("policies/kufanyun.policy", "tests/data/diff/kufanyun-v2.policy");
    let text = stdout(&refund(&["diff", old, new]));
    assert!(text.starts_with("old: kufanyun, version 2026-03-16 (policies/kufanyun.policy)\nnew: kufanyun, version 2026-03-16 (tests/data/diff/kufanyun-v2.policy)\n3 changes"), "{text}");
    assert!(text.contains("1. held from 5 days to under 7 days;"), "{text}");
    assert!(text.lines().all(|line| line.chars().count() <= 140), "no line-long JSON: {text}");
    insta::assert_snapshot!("diff-regions", text);

    let with_orders = stdout(&refund(&["diff", old, new, "--orders", "tests/data/diff/kufanyun-orders.jsonl"]));
    assert!(with_orders.contains("refunded 12550.00 CNY before, 16149.99 CNY after (+3599.99 CNY)"), "{with_orders}");
    assert!(
        with_orders.contains("awaiting manual review, not counted as refunded: 12502.68 CNY before, 8887.89 CNY after")
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&refund(&[
        "diff",
        old,
        new,
        "--orders",
        "tests/data/diff/kufanyun-orders.jsonl",
        "--format",
        "json",
    ])))
    .unwrap();
    assert_eq!(json["currency"], "CNY");
    assert_eq!(json["old_manual_review"], "12502.68");
}

/// The scenario guide's files run, and the keys it lists are the ones the reader accepts.
#[test]
fn the_scenario_guide_is_runnable() {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenarios.md")).unwrap();
    let files = crate::blocks(&guide, "toml");
    assert!(!files.is_empty());
    for (index, text) in files.iter().enumerate() {
        let path = std::env::temp_dir().join(format!("refund-scenario-guide-{}-{index}.toml", std::process::id()));
        std::fs::write(&path, text).unwrap();
        let output = refund(&["compare", "policies/", "--scenarios", path.to_str().unwrap(), "--format", "json"]);
        std::fs::remove_file(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        for row in json["rows"].as_array().unwrap() {
            for cell in row["cells"].as_array().unwrap() {
                assert_ne!(cell["status"], "failed", "{cell}");
            }
        }
    }
    let link = "[`docs/scenarios.md`](docs/scenarios.md)";
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(readme.contains(link), "the README points to the scenario guide");
}
