//! Every snippet of the language guide (`docs/language.md`) is tested: complete policies load
//! without problems and pass their examples, parts load inside a small policy, and a shown
//! error is exactly what `refund check` prints.

use refund_rules::diagnostic::{self, Diagnostic};
use refund_rules::Policy;

use crate::blocks;

fn guide() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/language.md")).unwrap()
}

fn passes_its_examples(policy: &Policy, what: &str) {
    for result in policy.run_examples() {
        assert!(result.passed(), "{what}: example \"{}\" failed: {:?}", result.name, result.failures);
    }
}

#[test]
fn complete_policies_in_the_guide_load_cleanly_and_pass_their_examples() {
    let policies = blocks(&guide(), "policy");
    assert!(policies.len() >= 2);
    for text in policies {
        let policy = Policy::parse(&text).unwrap_or_else(|e| panic!("{:#?}\n{text}", e.diagnostics()));
        let warnings: Vec<_> = policy.warnings().iter().map(|w| &w.message).collect();
        assert!(warnings.is_empty(), "{warnings:?}\n{text}");
        passes_its_examples(&policy, &text);
    }
}

#[test]
fn policy_parts_in_the_guide_load_inside_a_policy() {
    let parts = blocks(&guide(), "policy-part");
    assert!(parts.len() >= 8);
    for part in parts {
        let text = format!(
            "policy guide {{\n  currency CNY\n  timezone \"Asia/Shanghai\"\n  source \"https://example.com\" read 2026-11-01\n{part}\n  rule guide_end \"end\": deny\n}}\n"
        );
        let policy = Policy::parse(&text).unwrap_or_else(|e| {
            panic!("{}", diagnostic::render("guide.policy", &text, &e.diagnostics()));
        });
        passes_its_examples(&policy, &part);
    }
}

#[test]
fn errors_shown_in_the_guide_are_what_check_prints() {
    let text = guide();
    let broken = blocks(&text, "policy-broken");
    let shown: Vec<String> = blocks(&text, "text").into_iter().filter(|b| b.starts_with("error[")).collect();
    assert_eq!(broken.len(), shown.len(), "each broken policy is followed by its error");
    for (policy, expected) in broken.iter().zip(shown) {
        let Err(error) = Policy::parse(policy) else { panic!("this policy in the guide loads:\n{policy}") };
        let diagnostics: Vec<Diagnostic> = error.diagnostics();
        assert_eq!(diagnostic::render("demo.policy", policy, &diagnostics).trim_end(), expected.trim_end());
    }
}
