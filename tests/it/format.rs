//! `refund fmt`: idempotent, keeps every comment in order, changes no meaning, and every
//! shipped policy is already in the canonical layout.

use std::path::Path;

use refund_rules::format::format_policy;
use refund_rules::Policy;

use crate::relative;

/// Every comment of a policy text, in order, without the spaces around it.
fn comments(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let mut in_string = false;
        let mut escaped = false;
        for (at, c) in line.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if in_string => escaped = true,
                '"' => in_string = !in_string,
                '#' if !in_string => {
                    found.push(line[at..].trim_end().to_owned());
                    break;
                }
                _ => {}
            }
        }
    }
    found
}

fn check_formatting(path: &Path) -> String {
    let name = relative(path);
    let text = std::fs::read_to_string(path).unwrap();
    let once = format_policy(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let twice = format_policy(&once).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(once, twice, "{name}: formatting is not idempotent");
    assert_eq!(comments(&text), comments(&once), "{name}: a comment was lost, changed or moved");
    let decisions = |text: &str| {
        Policy::parse(text).ok().map(|policy| {
            let results = policy.run_examples().into_iter();
            results.map(|r| r.decision.map(|d| (d.outcome, d.amount, d.refunds))).collect::<Vec<_>>()
        })
    };
    assert_eq!(decisions(&text), decisions(&once), "{name}: formatting changed a decision");
    once
}

#[test]
fn shipped_policies_are_in_the_canonical_layout() {
    insta::glob!("../../policies", "*.policy", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let formatted = check_formatting(path);
        assert!(formatted == text, "{} is not formatted: run `refund fmt {}`", relative(path), relative(path));
    });
}

#[test]
fn careless_layouts_are_formatted_keeping_every_comment() {
    insta::glob!("../data/format", "*.policy", |path| {
        insta::assert_snapshot!(check_formatting(path));
    });
}

#[test]
fn every_test_policy_formats_without_changing_meaning() {
    for folder in ["tests/data/language", "tests/data/policies/broken", "tests/data/eval-errors"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            // Only files that parse can be formatted; broken ones are refused, never touched.
            let parses = !matches!(refund_rules::Policy::parse(&text), Err(refund_rules::PolicyError::Syntax(_)));
            if path.extension().is_some_and(|e| e == "policy") && parses {
                check_formatting(&path);
            }
        }
    }
}
