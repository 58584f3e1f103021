//! Every shipped policy parses, checks without errors, passes its own examples, and its
//! example decisions are snapshotted.

use refund_rules::Policy;

use crate::relative;

#[test]
fn every_shipped_policy_checks_and_passes_its_examples() {
    insta::glob!("../../policies", "*.policy", |path| {
        let name = relative(path);
        let policy = match Policy::from_file(path) {
            Ok(policy) => policy,
            Err(error) => panic!("{name} does not load: {error:?}"),
        };
        let problems: Vec<String> = policy.warnings().iter().map(|w| format!("{}: {}", w.code, w.message)).collect();
        assert!(problems.is_empty(), "{name} has warnings: {problems:#?}");
        let results = policy.run_examples();
        assert!(!results.is_empty(), "{name} has no examples");
        let failed: Vec<_> = results.iter().filter(|r| !r.passed()).map(|r| (&r.name, &r.failures)).collect();
        assert!(failed.is_empty(), "{name}: examples failed: {failed:#?}");
        let decisions: Vec<_> =
            results.iter().map(|r| serde_json::json!({ "example": r.name, "decision": r.decision })).collect();
        insta::assert_json_snapshot!(decisions, { "[].decision.policy.digest" => "[digest]" });
    });
}
