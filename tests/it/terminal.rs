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
