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

/// Providers live in policy files only: the engine's source never names one.
#[test]
fn no_provider_is_named_in_the_engine() {
    let providers = [
        "kufanyun",
        "tencent",
        "huawei",
        "alibaba",
        "aliyun",
        "azure",
        "aws",
        "digitalocean",
        "酷番",
        "腾讯",
        "华为",
        "阿里",
    ];
    let mut stack = vec![std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap().to_lowercase();
            let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
            for provider in providers {
                let named = if provider.is_ascii() { words.contains(&provider) } else { text.contains(provider) };
                assert!(!named, "{} names `{provider}`", path.display());
            }
        }
    }
}
