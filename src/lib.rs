//! Cloud-server refund policies as data: a small policy language, its checker and its
//! interpreter. A product manager writes one provider's refund rules as a text file (the
//! language is described in `docs/language.md` of the repository); the engine decides any
//! order against it with the exact amount (decimal, never floating point), where the money
//! goes, every deduction as a labelled line, and why.
//!
//! This page stands alone (the repository's README, which is about the `refund` command, has
//! links relative to the repository that would not resolve here).
//!
//! # Using the library
//!
//! Load a policy once ([`Policy::parse`] checks it completely), then decide any number of
//! orders with it, from any thread. Everything is a value: a policy that does not check is a
//! [`PolicyError`] holding every problem as a [`Diagnostic`] (code, message, line and column,
//! help), an order that cannot be decided is an [`EvalError`].
//!
//! ```
//! use refund_rules::{Order, Outcome, Policy};
//!
//! let policy = Policy::parse(r#"
//! policy tiny_cloud {
//!   name     "Tiny Cloud refunds"
//!   currency USD
//!   timezone "UTC"
//!   source   "https://example.com/refunds" read 2026-11-01
//!
//!   rule first_days "Full refund within 5 days":
//!     when order.requested_at - order.purchased_at < 5 days
//!     refund order.paid.cash as "paid" to original
//!
//!   rule other "Otherwise no refund":
//!     deny
//! }
//! "#)?;
//!
//! let order = Order::from_json(r#"{
//!   "id": "t-1", "billing": "subscription", "currency": "USD",
//!   "purchased_at": "2026-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z",
//!   "requested_at": "2026-01-03T00:00:00Z", "list_price": "120.00", "paid": { "cash": "120.00" }
//! }"#)?;
//!
//! let decision = policy.evaluate(&order)?;
//! assert_eq!(decision.outcome, Outcome::Refund);
//! assert_eq!(decision.amount.to_string(), "120.00");
//! assert_eq!(decision.rule, "first_days");
//!
//! // The decision contract is its JSON form (serde).
//! let json = serde_json::to_value(&decision)?;
//! assert_eq!(json["amount"], "120.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The tools built on [`Policy`]: [`compare`] (one order under several policies), [`diff`]
//! (what changes between two versions of a policy), [`batch`] (many orders, with a [`Ledger`]
//! carrying each account's history), [`scenario`] (a matrix of named cases), [`prove`]
//! (invariants on generated orders), [`format`](mod@format) (the canonical layout of a policy's text) and
//! [`diagnostic`] (rendering problems with the source line and a caret).
//!
//! ```
//! use refund_rules::batch::Record;
//! use refund_rules::{compare, diff, Ledger, Order, Policy};
//!
//! let policy = |days: u32| Policy::parse(&format!(r#"
//! policy tiny_cloud {{
//!   name "Tiny Cloud refunds"
//!   currency USD
//!   timezone "UTC"
//!   source "https://example.com/refunds" read 2026-11-01
//!   rule first_days "Full refund within {days} days":
//!     when order.requested_at - order.purchased_at < {days} days
//!     refund order.paid.cash as "paid" to original
//!   rule other "Otherwise no refund":
//!     deny
//! }}"#));
//! let (old, new) = (policy(5)?, policy(2)?);
//! let order = Order::from_json(r#"{
//!   "id": "t-1", "account": { "id": "a-1" }, "billing": "subscription", "currency": "USD",
//!   "purchased_at": "2026-01-01T00:00:00Z", "expires_at": "2027-01-01T00:00:00Z",
//!   "requested_at": "2026-01-03T00:00:00Z", "list_price": "120.00", "paid": { "cash": "120.00" }
//! }"#)?;
//!
//! // Why: every rule tried, every step's arithmetic.
//! let explained = old.explain(&order)?;
//! assert!(explained.trace.is_some_and(|trace| !trace.is_empty()));
//!
//! // One order, several policies.
//! let side_by_side = compare::compare(&[old.clone(), new.clone()], &order);
//! let totals: Vec<_> = side_by_side.iter().map(|c| c.result.total().map(|t| t.to_string())).collect();
//! assert_eq!(totals, [Some("120.00".to_owned()), Some("0.00".to_owned())]);
//!
//! // What changes from the old policy to the new, on a set of orders.
//! let records = vec![Record { line: 1, order: Ok(order.clone()) }];
//! let impact = diff::impact(&old, &new, &records);
//! assert_eq!((impact.changed, impact.delta.to_string()), (1, "-120.00".to_owned()));
//!
//! // A stream of orders: the ledger carries each account's quotas and totals forward.
//! let mut ledger = Ledger::for_policy(&old);
//! for mut order in [order.clone(), order] {
//!     ledger.prepare(&mut order);
//!     let decision = old.evaluate(&order)?;
//!     ledger.record(&order, &decision);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// The pipeline, bottom layer first. A module may import only from the modules above it in this
// list (enforced by `tests/it/layers.rs`, from the table in ARCHITECTURE.md). Every module is
// private: the public surface is the curated set of `pub use` below, so the syntax tree, the
// checked program and the evaluator can change without breaking a user.
mod ast;
pub mod batch;
mod check;
mod codes;
pub mod compare;
mod decision;
pub mod diagnostic;
pub mod diff;
mod eval;
mod examples;
pub mod format;
mod keywords;
mod ledger;
pub mod limits;
mod money;
mod names;
mod order;
mod policy;
mod problems;
mod program;
pub mod prove;
pub mod scenario;
mod span;
mod suggest;
mod syntax;
mod value;

pub use check::{CheckError, Severity, Warning};
pub use codes::{explain_code, ErrorCode, ERROR_CODES};
pub use decision::{Decision, Destination, Line, LineKind, NamedValue, Outcome, PolicyRef, Refund, Review, TraceEntry};
pub use diagnostic::{Diagnostic, Position};
pub use eval::{DecisionSummary, EvalError};
pub use examples::ExampleResult;
pub use keywords::{Keyword, KeywordRole, KEYWORDS};
pub use ledger::{AccountHistory, Ledger};
pub use order::{
    utf8_text, Account, AccountKind, Billing, Field, Order, OrderError, Paid, PaymentChannel, Promotion, Purchase,
    RefundTo, Traffic,
};
pub use policy::{Invariant, Kept, LoadError, Policy, PolicyError};
pub use problems::Problems;
pub use span::Span;
pub use syntax::SyntaxError;
pub use value::money_text;

// The README's Rust example runs as a doctest, though the README is not the crate's page.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
