//! Running the examples written inside a policy file.

use rust_decimal::Decimal;

use crate::decision::Decision;
use crate::policy::Policy;
use crate::value::money_text;

/// The result of one in-file example.
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleResult {
    /// The example's title.
    pub name: String,
    /// What differs from the expectation; empty when it passed.
    pub failures: Vec<String>,
    /// The decision, when the order could be decided.
    pub decision: Option<Decision>,
}

impl ExampleResult {
    /// Whether the policy decided as the example expects.
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

impl Policy {
    /// Runs every example of the policy, in source order.
    /// An example tests the version it is written in; its order must fall in that version's
    /// range, or the example says so as a failure.
    ///
    /// ```
    /// let policy = refund_rules::Policy::parse(r#"
    /// policy tiny_cloud {
    ///   name "Tiny Cloud refunds"
    ///   currency USD
    ///   timezone "UTC"
    ///   source "https://example.com/refunds" read 2026-11-01
    ///   rule all "Everything back":
    ///     refund order.paid.cash as "paid" to original
    ///   base order {
    ///     id: "t-1", billing: subscription, currency: USD, list_price: 120.00
    ///     purchased_at: 2026-01-01T00:00:00Z, expires_at: 2027-01-01T00:00:00Z
    ///     requested_at: 2026-01-03T00:00:00Z, paid: { cash: 120.00 }
    ///   }
    ///   example "two days in" {
    ///     order { }
    ///     expect refund 100.00 USD to original by all
    ///   }
    /// }"#)?;
    /// let results = policy.run_examples();
    /// assert_eq!(results[0].name, "two days in");
    /// assert!(!results[0].passed(), "120.00 comes back, not 100.00: {:?}", results[0].failures);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_examples(&self) -> Vec<ExampleResult> {
        self.programs()
            .flat_map(|(program, reference)| program.examples.iter().map(move |example| (program, reference, example)))
            .map(|(program, reference, example)| {
                let mut failures = Vec::new();
                let decision = match self.evaluate(&example.order) {
                    Ok(decision) if decision.policy.version != reference.version => {
                        failures.push(format!(
                            "the order falls under version {}, not {} where the example is written ({})",
                            decision.policy.version, reference.version, program.id
                        ));
                        Some(decision)
                    }
                    Ok(decision) => Some(decision),
                    Err(error) => {
                        failures.push(format!("the order could not be decided: {error}"));
                        None
                    }
                };
                if let Some(decision) = &decision {
                    if decision.outcome != example.outcome {
                        failures.push(format!(
                            "expected outcome {}, got {}",
                            example.outcome.as_str(),
                            decision.outcome.as_str()
                        ));
                    }
                    if let Some(amount) = example.amount.filter(|a| *a != decision.amount) {
                        failures.push(format!(
                            "expected amount {}, got {}",
                            money_text(amount),
                            money_text(decision.amount)
                        ));
                    }
                    for (to, amount) in &example.to {
                        let got = decision
                            .refunds
                            .iter()
                            .filter(|r| r.to == *to)
                            .fold(Decimal::ZERO, |sum, r| sum.saturating_add(r.amount));
                        let sent = decision.refunds.iter().any(|r| r.to == *to);
                        match amount {
                            Some(amount) if *amount != got => failures.push(format!(
                                "expected {} to {}, got {}",
                                money_text(*amount),
                                to.as_str(),
                                money_text(got)
                            )),
                            None if !sent => {
                                let actual: Vec<&str> = decision.refunds.iter().map(|r| r.to.as_str()).collect();
                                failures.push(format!(
                                    "expected money to go to {}, but it went to {}",
                                    to.as_str(),
                                    if actual.is_empty() { "nowhere".to_owned() } else { actual.join(", ") }
                                ));
                            }
                            _ => {}
                        }
                    }
                    if let Some(rule) = example.by.as_ref().filter(|r| **r != decision.rule) {
                        failures.push(format!("expected rule `{rule}` to decide, but `{}` did", decision.rule));
                    }
                }
                ExampleResult { name: example.name.clone(), failures, decision }
            })
            .collect()
    }
}
