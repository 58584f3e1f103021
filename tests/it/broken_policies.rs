//! Every broken policy under `tests/data/policies/broken/` gives the diagnostics a product
//! manager reads, rendered with their caret: the snapshot is the review of the message.

use refund_rules::diagnostic::{self, Diagnostic};
use refund_rules::Policy;

use crate::relative;

#[test]
fn broken_policies_are_explained() {
    insta::glob!("../data/policies/broken", "*.policy", |path| {
        let name = relative(path);
        let text = std::fs::read_to_string(path).unwrap();
        let rendered = match Policy::parse(&text) {
            Ok(policy) => {
                let warnings: Vec<Diagnostic> = policy.warnings().iter().map(Diagnostic::from).collect();
                assert!(!warnings.is_empty(), "{name} loads without any problem");
                diagnostic::render(&name, &text, &warnings)
            }
            Err(error) => diagnostic::render(&name, &text, &error.diagnostics()),
        };
        insta::assert_snapshot!(rendered);
    });
}
