#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod ast;
pub mod batch;
pub mod check;
pub mod compare;
pub mod decision;
pub mod diagnostic;
pub mod diff;
pub mod eval;
mod examples;
pub mod format;
pub mod ledger;
pub mod money;
pub mod order;
mod policy;
pub mod prove;
pub mod scenario;
pub mod span;
pub mod syntax;
pub mod value;

pub use decision::{Decision, Destination, Outcome};
pub use eval::EvalError;
pub use examples::ExampleResult;
pub use order::{Order, OrderError};
pub use policy::{LoadError, Policy, PolicyError};
