//! `refund check --prove`: every shipped policy keeps its promises on generated orders, and the
//! planted bugs are found, each with a readable counterexample order.

use std::process::Command;

fn prove(policy: &str) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_refund"))
        .args(["check", "--prove", "--orders", "2000", policy])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (output.status.code(), String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn every_shipped_policy_keeps_its_invariants() {
    let (code, text) = prove("policies/");
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(text.matches("invariant(s) held on").count(), 13, "{text}");
    assert!(!text.contains("counterexample"), "{text}");
}

#[test]
fn a_policy_that_refunds_more_than_was_paid_is_caught() {
    let (code, text) = prove("tests/data/prove/refunds-more-than-paid.policy");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("broken: invariant amount <= order.paid.total"), "{text}");
    assert!(text.contains("\"list_price\": \"1000.00\""), "the counterexample shows the order:\n{text}");
}

#[test]
fn a_policy_that_pays_more_for_waiting_is_caught() {
    let (code, text) = prove("tests/data/prove/later-gets-more.policy");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("broken: invariant monotone in held"), "{text}");
    assert!(text.contains("when asked 30 day(s) later"), "{text}");
}

/// The same seed generates the same orders: a counterexample can be replayed.
#[test]
fn proofs_are_deterministic() {
    assert_eq!(prove("tests/data/prove/later-gets-more.policy"), prove("tests/data/prove/later-gets-more.policy"));
}
