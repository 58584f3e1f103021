//! The README's examples are tested: its policy parses, checks and passes its examples, and
//! every shown command prints exactly what the README says. (Its Rust block is a doctest, from
//! `src/lib.rs`.)

use std::process::Command;

use refund_rules::Policy;

use crate::blocks;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

#[test]
fn the_readme_policy_checks_and_passes_its_examples() {
    let policies = blocks(&readme(), "policy");
    assert!(!policies.is_empty());
    for text in policies {
        let policy = Policy::parse(&text).unwrap_or_else(|e| panic!("README policy: {:#?}", e.diagnostics()));
        assert!(policy.warnings().is_empty(), "{:?}", policy.warnings());
        let results = policy.run_examples();
        assert!(results.len() >= 2);
        for result in results {
            assert!(result.passed(), "{}: {:?}", result.name, result.failures);
        }
    }
}

#[test]
fn the_readme_commands_print_what_the_readme_shows() {
    let shown: Vec<String> = blocks(&readme(), "text").into_iter().filter(|b| b.starts_with("$ refund ")).collect();
    assert!(!shown.is_empty());
    for block in shown {
        let (command, expected) = block.split_once('\n').unwrap();
        let args: Vec<&str> = command.trim_start_matches("$ refund ").split_whitespace().collect();
        let output = Command::new(env!("CARGO_BIN_EXE_refund"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stdout), expected, "README output of `{command}` is stale");
    }
}
