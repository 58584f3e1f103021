//! [`Policy`]: a parsed, checked policy, ready to evaluate orders. Immutable and `Send + Sync`.

use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::check::{self, CheckError, Program};
use crate::decision::{Decision, PolicyRef};
use crate::diagnostic::Diagnostic;
use crate::eval::{self, EvalError};
use crate::order::Order;
use crate::syntax::{self, SyntaxError};

/// A policy that parsed and checked without errors.
#[derive(Debug, Clone)]
pub struct Policy {
    source: Arc<str>,
    program: Arc<Program>,
    warnings: Vec<CheckError>,
    reference: PolicyRef,
}

/// Why a policy could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The text does not follow the grammar.
    #[error("{0}")]
    Syntax(#[from] SyntaxError),
    /// The text parsed, but names, types or declarations are wrong (warnings included).
    #[error("{} problem(s) in the policy", .0.len())]
    Check(Vec<CheckError>),
}

impl PolicyError {
    /// Every problem, ready to render.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            PolicyError::Syntax(error) => vec![Diagnostic::from(error)],
            PolicyError::Check(problems) => problems.iter().map(Diagnostic::from).collect(),
        }
    }
}

/// Why a policy file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The reason.
        source: std::io::Error,
    },
    /// The file is not a valid policy.
    #[error("{path}: {error}")]
    Policy {
        /// The file.
        path: String,
        /// The text, for rendering the error.
        text: String,
        /// The problems.
        error: Box<PolicyError>,
    },
}

impl Policy {
    /// Parses and checks a policy's text.
    pub fn parse(source: &str) -> Result<Policy, PolicyError> {
        let file = syntax::parse(source)?;
        let (program, warnings) = check::check(&file, source).map_err(PolicyError::Check)?;
        let digest = Sha256::digest(source.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let reference = PolicyRef {
            id: program.id.clone(),
            name: program.name.clone(),
            version: program.version.clone(),
            digest: format!("sha256:{hex}"),
        };
        Ok(Policy { source: Arc::from(source), program: Arc::new(program), warnings, reference })
    }

    /// Reads, parses and checks a policy file. The only function of the library that does I/O.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io { path: shown.clone(), source })?;
        Policy::parse(&text).map_err(|error| LoadError::Policy { path: shown, text, error: Box::new(error) })
    }

    /// Decides one order.
    pub fn evaluate(&self, order: &Order) -> Result<Decision, EvalError> {
        eval::evaluate(&self.program, &self.reference, &self.source, order, false)
    }

    /// Decides one order and records why: every rule tried, every step's arithmetic.
    pub fn explain(&self, order: &Order) -> Result<Decision, EvalError> {
        eval::evaluate(&self.program, &self.reference, &self.source, order, true)
    }

    /// Reads an order from JSON text and decides it.
    pub fn evaluate_json(&self, order: &str) -> Result<Decision, EvalError> {
        self.evaluate(&Order::from_json(order)?)
    }

    /// The policy's id (`policy ID { ... }`).
    pub fn id(&self) -> &str {
        &self.reference.id
    }

    /// Its display name.
    pub fn name(&self) -> &str {
        &self.reference.name
    }

    /// How decisions name this policy: id, name, version and digest.
    pub fn reference(&self) -> &PolicyRef {
        &self.reference
    }

    /// ISO 4217 code of its currency.
    pub fn currency(&self) -> &str {
        &self.program.currency
    }

    /// The policy's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Warnings found while checking (the policy works, but maybe not as meant).
    pub fn warnings(&self) -> &[CheckError] {
        &self.warnings
    }

    /// The checked program, for the example runner.
    pub(crate) fn program(&self) -> &Program {
        &self.program
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn policies_can_be_shared_between_threads() {
        assert_send_sync::<Policy>();
    }
}
