//! The language, construct by construct: every policy under `tests/data/language/` loads
//! without problems, passes its own examples (their numbers are worked out by hand in the
//! file's comments), and its decisions are snapshotted.

use refund_rules::Policy;

use crate::relative;

#[test]
fn language_feature_policies_pass_their_examples() {
    insta::glob!("../data/language", "*.policy", |path| {
        let name = relative(path);
        let text = std::fs::read_to_string(path).unwrap();
        let policy = Policy::parse(&text).unwrap_or_else(|e| panic!("{name}: {:#?}", e.diagnostics()));
        // These files show constructs, not whole policies: an uncapped refund (W008) or an
        // untested catch-all rule (W009) may stand.
        let warnings: Vec<_> = policy
            .warnings()
            .iter()
            .filter(|w| w.code != "W008" && w.code != "W009")
            .map(|w| format!("{}: {}", w.code, w.message))
            .collect();
        assert!(warnings.is_empty(), "{name}: {warnings:#?}");
        let results = policy.run_examples();
        assert!(!results.is_empty(), "{name} has no examples");
        for result in &results {
            assert!(result.passed(), "{name}: example \"{}\" failed: {:#?}", result.name, result.failures);
        }
        let decisions: Vec<_> =
            results.iter().map(|r| serde_json::json!({ "example": r.name, "decision": r.decision })).collect();
        insta::assert_json_snapshot!(decisions, { "[].decision.policy.digest" => "[digest]" });
    });
}

/// A policy that loads but cannot decide an order: the error names the place in the policy.
#[test]
fn evaluation_errors_point_into_the_policy() {
    insta::glob!("../data/eval-errors", "*.policy", |path| {
        let name = relative(path);
        let text = std::fs::read_to_string(path).unwrap();
        let policy = Policy::parse(&text).unwrap_or_else(|e| panic!("{name}: {:#?}", e.diagnostics()));
        let order = std::fs::read_to_string(path.with_extension("json")).unwrap();
        let error = match policy.evaluate_json(&order) {
            Err(error) => error,
            Ok(decision) => panic!("{name} decided: {decision:?}"),
        };
        let diagnostic = refund_rules::diagnostic::Diagnostic::from(&error);
        insta::assert_snapshot!(refund_rules::diagnostic::render(&name, &text, &[diagnostic]));
    });
}
