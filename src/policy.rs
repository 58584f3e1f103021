//! [`Policy`]: a parsed, checked policy, ready to evaluate orders. Immutable and `Send + Sync`.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use sha2::{Digest, Sha256};

use crate::check::{self, CheckError, Finding, Warning};
use crate::decision::{Decision, PolicyRef};
use crate::diagnostic::Diagnostic;
use crate::eval::{self, Compiled, DecisionSummary, EvalError};
use crate::order::Order;
use crate::problems::Problems;
use crate::program::{Program, VersionsBy};
use crate::syntax::{self, SyntaxError};

/// A policy that parsed and checked without errors: one version, or several dated ones.
#[derive(Debug, Clone)]
pub struct Policy {
    source: Arc<str>,
    /// Earlier versions, oldest first (usually none).
    older: Arc<[Version]>,
    /// The newest version, which names the policy.
    newest: Arc<Version>,
    /// The checker's warnings.
    checked: Vec<Warning>,
    /// The checker's warnings with the untested rules, found by running the in-file examples
    /// the first time they are asked for: loading does not pay for running them.
    warnings: Arc<OnceLock<Vec<Warning>>>,
}

/// One dated version of a policy.
#[derive(Debug)]
struct Version {
    program: Program,
    /// The same program lowered to closures: what `evaluate` and `decide` run.
    compiled: Compiled,
    reference: Arc<PolicyRef>,
}

/// Why a policy could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The text does not follow the grammar: every error found, in order.
    #[error("syntax: {0}")]
    Syntax(Problems<SyntaxError>),
    /// The text parsed, but names, types or declarations are wrong: at least one error, and
    /// the warnings found with them, sorted by position.
    #[error("{errors}")]
    Check {
        /// The errors (at least one).
        errors: Problems<CheckError>,
        /// The warnings found with them.
        warnings: Vec<Warning>,
    },
}

impl PolicyError {
    /// Every problem, ready to render.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            PolicyError::Syntax(errors) => errors.iter().map(Diagnostic::from).collect(),
            PolicyError::Check { errors, warnings } => {
                let mut all: Vec<(usize, Diagnostic)> =
                    errors.iter().map(|e| (e.span.start, Diagnostic::from(e))).collect();
                all.extend(warnings.iter().map(|w| (w.span.start, Diagnostic::from(w))));
                // Errors before warnings at one position, as the checker reports them.
                all.sort_by_key(|(start, d)| (*start, d.severity));
                all.into_iter().map(|(_, d)| d).collect()
            }
        }
    }

    /// The error of a text that holds no policy at all (never empty, unlike an empty list).
    fn no_policy() -> PolicyError {
        PolicyError::Check { errors: Problems::one(CheckError::no_policy()), warnings: Vec::new() }
    }
}

/// One `invariant` line of a policy, judged on one decision ([`Policy::invariants`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invariant {
    /// The invariant as written (`refund <= order.paid.cash`).
    pub text: String,
    /// Whether the decision keeps it.
    pub kept: Kept,
}

/// Whether a decision keeps an invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kept {
    /// It holds.
    Yes,
    /// It does not hold: the policy broke its own promise on this order.
    No,
    /// Computing the condition failed (a missing field, a division by zero).
    Failed(EvalError),
    /// `monotone in held` compares two orders; one decision cannot judge it (`prove` does).
    NeedsTwoOrders,
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
    /// The file is not UTF-8 text.
    #[error("{path} is not UTF-8 text (the first bad byte is at offset {at}): save it as UTF-8")]
    NotUtf8 {
        /// The file.
        path: String,
        /// The offset of the first byte that is not UTF-8.
        at: usize,
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
    /// Parses and checks a policy's text: every problem is found at once, errors and warnings
    /// sorted by position. A policy with warnings only loads; they are in [`Policy::warnings`].
    ///
    /// ```
    /// use refund_rules::{diagnostic, Policy};
    ///
    /// let source = "policy p {\n  name \"P\"\n  currency XYZ\n}";
    /// let error = Policy::parse(source).unwrap_err();
    /// let shown = diagnostic::render("p.policy", source, &error.diagnostics());
    /// assert!(shown.contains("p.policy:3:12"), "{shown}");
    /// ```
    pub fn parse(source: &str) -> Result<Policy, PolicyError> {
        let file = syntax::parse_all(source).map_err(|errors| match Problems::from_vec(errors) {
            Some(errors) => PolicyError::Syntax(errors),
            None => PolicyError::no_policy(),
        })?;
        let (programs, findings) = check::check(&file, source).map_err(|findings| {
            let (errors, warnings) = check::split(findings);
            match Problems::from_vec(errors) {
                Some(errors) => PolicyError::Check { errors, warnings },
                None => PolicyError::no_policy(),
            }
        })?;
        let (_, warnings) = check::split(findings);
        let digest = Sha256::digest(source.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let mut versions: Vec<Version> = programs
            .into_iter()
            .map(|program| {
                let reference = PolicyRef {
                    id: program.id.clone(),
                    name: program.name.clone(),
                    version: program.version.clone(),
                    digest: format!("sha256:{hex}"),
                };
                Version { compiled: Compiled::new(&program), program, reference: Arc::new(reference) }
            })
            .collect();
        let Some(newest) = versions.pop() else {
            return Err(PolicyError::no_policy());
        };
        Ok(Policy {
            source: Arc::from(source),
            older: versions.into(),
            newest: Arc::new(newest),
            checked: warnings,
            warnings: Arc::default(),
        })
    }

    /// A warning for every rule that no in-file example shows deciding: an untested rule.
    fn uncovered_rules(&self) -> Vec<Warning> {
        let decided: Vec<(String, String)> = self
            .run_examples()
            .into_iter()
            .filter_map(|result| result.decision.map(|d| (d.policy.version.clone(), d.rule)))
            .collect();
        let mut warnings = Vec::new();
        for (program, reference) in self.programs() {
            if program.examples.is_empty() {
                warnings.push(Finding::no_examples(program.id_span));
                continue;
            }
            for rule in &program.rules {
                let covered = decided.iter().any(|(version, name)| *version == reference.version && *name == rule.name);
                if !covered {
                    warnings.push(Finding::untested_rule(&rule.name, rule.name_span));
                }
            }
        }
        check::split(warnings).1
    }

    /// Reads, parses and checks a policy file. The only function of the library that does I/O.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Policy, LoadError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| LoadError::Io { path: shown.clone(), source })?;
        let text = String::from_utf8(bytes)
            .map_err(|e| LoadError::NotUtf8 { path: shown.clone(), at: e.utf8_error().valid_up_to() })?;
        Policy::parse(&text).map_err(|error| LoadError::Policy { path: shown, text, error: Box::new(error) })
    }

    /// Decides one order with the version in force on the order's date.
    pub fn evaluate(&self, order: &Order) -> Result<Decision, EvalError> {
        let version = self.version_for(order)?;
        eval::evaluate_compiled(&version.program, &version.compiled, &version.reference, order)
    }

    /// Decides one order as [`Policy::evaluate`] does, but returns only the deciding rule, the
    /// outcome, the total and the refunds: no receipt lines, reasons or notes are written, so
    /// batches, comparisons and services that need no receipt pay for none.
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
    /// }"#)?;
    /// let order = refund_rules::Order::from_json(r#"{"id": "t-1", "billing": "subscription",
    ///   "currency": "USD", "list_price": "120.00", "purchased_at": "2026-01-01T00:00:00Z",
    ///   "expires_at": "2027-01-01T00:00:00Z", "requested_at": "2026-01-03T00:00:00Z",
    ///   "paid": {"cash": "120.00"}}"#)?;
    /// let summary = policy.decide(&order)?;
    /// assert_eq!((summary.rule, summary.amount.to_string()), ("all", "120.00".to_owned()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide(&self, order: &Order) -> Result<DecisionSummary<'_>, EvalError> {
        let version = self.version_for(order)?;
        eval::summarise(&version.program, &version.compiled, order)
    }

    /// Decides one order by walking the checked program's expression trees, as `explain` does
    /// but without the trace: the reference the compiled form is tested against.
    #[doc(hidden)]
    pub fn evaluate_interpreted(&self, order: &Order) -> Result<Decision, EvalError> {
        let version = self.version_for(order)?;
        eval::evaluate(&version.program, &version.reference, &self.source, order, false)
    }

    /// Decides one order and records why: every rule tried, every step's arithmetic.
    pub fn explain(&self, order: &Order) -> Result<Decision, EvalError> {
        let version = self.version_for(order)?;
        eval::evaluate(&version.program, &version.reference, &self.source, order, true)
    }

    /// The version whose effective range holds the order's date (its purchase date, or its
    /// request date when the policy says `versions by requested_at`), in the policy's zone.
    fn version_for(&self, order: &Order) -> Result<&Version, EvalError> {
        // One version without dates applies to every order: no calendar work per decision.
        let newest = &self.newest.program;
        if self.older.is_empty() && newest.effective.is_none() && newest.until.is_none() {
            return Ok(&self.newest);
        }
        let applies = |version: &&Version| {
            let program = &version.program;
            let at = match program.versions_by {
                VersionsBy::PurchasedAt => order.purchased_at,
                VersionsBy::RequestedAt => order.requested_at,
            };
            let day = at.with_timezone(&program.timezone).date_naive();
            program.effective.is_none_or(|from| from <= day) && program.until.is_none_or(|until| day < until)
        };
        self.all_versions().find(applies).ok_or_else(|| {
            let latest = self.latest();
            let (field, at) = match latest.versions_by {
                VersionsBy::PurchasedAt => ("purchased_at", order.purchased_at),
                VersionsBy::RequestedAt => ("requested_at", order.requested_at),
            };
            let ranges: Vec<String> = self.all_versions().map(|v| range_text(&v.program)).collect();
            EvalError::NoVersion {
                policy: latest.id.clone(),
                field,
                date: at.with_timezone(&latest.timezone).date_naive().to_string(),
                ranges: ranges.join(", "),
            }
        })
    }

    /// The checked program of the version that decides `order` (E208 when none applies): the
    /// order generator of `prove` fits orders to it.
    pub(crate) fn program_for(&self, order: &Order) -> Result<&Program, EvalError> {
        self.version_for(order).map(|version| &version.program)
    }

    /// The invariants of the version that decides `order`, each with whether `decision` keeps it.
    pub fn invariants(&self, order: &Order, decision: &Decision) -> Vec<Invariant> {
        let Ok(version) = self.version_for(order) else { return Vec::new() };
        let program = &version.program;
        program
            .invariants
            .iter()
            .map(|invariant| {
                let kept = match invariant.condition.as_ref().map(|c| eval::holds(program, order, decision, c)) {
                    None => Kept::NeedsTwoOrders,
                    Some(Ok(true)) => Kept::Yes,
                    Some(Ok(false)) => Kept::No,
                    Some(Err(error)) => Kept::Failed(error),
                };
                Invariant { text: invariant.text.clone(), kept }
            })
            .collect()
    }

    /// The newest version's program: the policy's current id, name and currency.
    fn latest(&self) -> &Program {
        &self.newest.program
    }

    /// Every version, oldest first.
    fn all_versions(&self) -> impl Iterator<Item = &Version> {
        self.older.iter().chain(std::iter::once(self.newest.as_ref()))
    }

    /// Reads an order from JSON text and decides it.
    pub fn evaluate_json(&self, order: &str) -> Result<Decision, EvalError> {
        self.evaluate(&Order::from_json(order)?)
    }

    /// The policy's id (`policy ID { ... }`).
    pub fn id(&self) -> &str {
        &self.latest().id
    }

    /// Its display name (of the newest version).
    pub fn name(&self) -> &str {
        &self.latest().name
    }

    /// The version labels, oldest first.
    pub fn versions(&self) -> Vec<&str> {
        self.all_versions().map(|v| v.reference.version.as_str()).collect()
    }

    /// The order fields any version reads.
    pub fn fields_read(&self) -> Vec<crate::order::Field> {
        let mut fields = Vec::new();
        for version in self.all_versions() {
            for node in crate::program::every_node(&version.program) {
                crate::program::walk(node, &mut |n| {
                    if let crate::program::NodeKind::Field(field) = n.kind {
                        if !fields.contains(&field) {
                            fields.push(field);
                        }
                    }
                });
            }
        }
        fields
    }

    /// The full orders of the policy's examples (base order and changes merged).
    pub fn example_orders(&self) -> Vec<Order> {
        self.all_versions().flat_map(|v| v.program.examples.iter().map(|e| e.order.clone())).collect()
    }

    /// Whether any version declares the attribute `name`.
    pub fn declares_attribute(&self, name: &str) -> bool {
        self.all_versions().any(|v| v.program.attributes.iter().any(|a| a.name == name))
    }

    /// `sha256:` and the hex digest of the policy's source text: the `policy.digest` every
    /// decision carries, so a service can say which text it loaded before deciding anything.
    ///
    /// ```
    /// let policy = refund_rules::Policy::parse(r#"
    /// policy tiny { name "Tiny" currency USD timezone "UTC" source "https://example.com" read 2026-11-01
    ///   rule other "No refund": deny }"#)?;
    /// assert!(policy.digest().starts_with("sha256:"));
    /// # Ok::<(), refund_rules::PolicyError>(())
    /// ```
    pub fn digest(&self) -> &str {
        &self.newest.reference.digest
    }

    /// ISO 4217 code of its currency (of the newest version).
    pub fn currency(&self) -> &str {
        &self.latest().currency
    }

    /// When the account's no-reason quota starts again (the newest version's rules say it), and
    /// the time zone whose calendar it follows; `None` when it never does.
    pub(crate) fn no_reason_quota_period(&self) -> Option<(crate::program::QuotaPeriod, chrono_tz::Tz)> {
        let program = self.latest();
        let rule = program.rules.iter().find(|rule| rule.uses_no_reason_refund)?;
        Some((rule.no_reason_period?, program.timezone))
    }

    /// The policy's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Warnings found while checking (the policy works, but maybe not as meant), with the rules
    /// no in-file example shows deciding: the first call runs the examples.
    pub fn warnings(&self) -> &[Warning] {
        self.warnings.get_or_init(|| {
            let mut warnings = self.checked.clone();
            warnings.extend(self.uncovered_rules());
            warnings.sort_by_key(|w| w.span.start);
            warnings
        })
    }

    /// Every version's checked program and how decisions name it, for the example runner.
    pub(crate) fn programs(&self) -> impl Iterator<Item = (&Program, &PolicyRef)> {
        self.all_versions().map(|v| (&v.program, v.reference.as_ref()))
    }
}

/// `2024-01-01 until 2026-03-30`, `from 2026-03-30`, or `always`.
fn range_text(program: &Program) -> String {
    match (program.effective, program.until) {
        (Some(from), Some(until)) => format!("{from} until {until}"),
        (Some(from), None) => format!("from {from}"),
        (None, Some(until)) => format!("until {until}"),
        (None, None) => "always".to_owned(),
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

    /// E100 stands in where an error list could otherwise be empty; the grammar makes it
    /// unreachable from text (an empty file is E001), so it is tested here.
    #[test]
    fn a_file_without_a_policy_is_one_error() {
        let PolicyError::Check { errors, warnings } = PolicyError::no_policy() else { panic!("not a check error") };
        assert_eq!((errors.first().code, errors.len(), warnings.len()), ("E100", 1, 0));
        let PolicyError::Syntax(errors) = Policy::parse("").unwrap_err() else { panic!("an empty file parses") };
        assert_eq!(errors.first().code(), "E001");
    }

    /// The checker's operator typing (`check::types`) and the evaluator's arithmetic
    /// (`eval::binary`) are two halves of one table: every combination the checker lets through
    /// must compute, never reach a product manager as E205 "out of range" for a plain value.
    #[test]
    fn every_operation_the_checker_allows_computes() {
        use crate::ast::BinaryOp::*;
        use crate::span::Span;
        use crate::value::{Type, Value};
        use rust_decimal::Decimal;
        let instant = chrono::DateTime::parse_from_rfc3339("2026-03-01T10:00:00+08:00").unwrap();
        let samples = [
            (Type::Money, Value::Money(Decimal::new(1000, 2))),
            (Type::Number, Value::Number(Decimal::from(2))),
            (Type::Duration, Value::Duration(Decimal::from(86_400))),
            (Type::Period, Value::Period(1)),
            (Type::Instant, Value::Instant(instant)),
            (Type::Date, Value::Date(instant.date_naive())),
            (Type::Bool, Value::Bool(true)),
            (Type::Text, Value::Text("a".into())),
            // Values that are legal for their type but not whole days or whole numbers.
            (Type::Duration, Value::Duration(Decimal::from(3_600))),
            (Type::Number, Value::Number(Decimal::new(15, 1))),
        ];
        let mut leaks = Vec::new();
        // `and`/`or` are evaluated lazily before `binary` is reached.
        for op in [Eq, Ne, Lt, Le, Gt, Ge, Add, Sub, Mul, Div] {
            for (left_type, left) in &samples {
                for (right_type, right) in &samples {
                    if check::types::binary(op, left_type, right_type).is_err() {
                        continue;
                    }
                    // Beyond types, the checker lets a date move only by a constant number of
                    // whole days, and months be multiplied only by whole constants; a count of
                    // months computed per order (`whole_months(...) * 1 month`) is whole by
                    // construction, and one that is not stays an evaluation error.
                    let fractional = |v: &Value| match v {
                        Value::Duration(s) => !(s % Decimal::from(86_400)).is_zero(),
                        Value::Number(n) => !n.fract().is_zero(),
                        _ => false,
                    };
                    let guarded = matches!(
                        (left_type, right_type),
                        (Type::Date, Type::Duration)
                            | (Type::Duration, Type::Date)
                            | (Type::Period, Type::Number)
                            | (Type::Number, Type::Period)
                    );
                    if guarded && (fractional(left) || fractional(right)) {
                        continue;
                    }
                    let result = eval::binary(op, left.clone(), right.clone(), chrono_tz::UTC, Span::new(0, 0));
                    if let Err(error) = result {
                        leaks.push(format!("{left_type} {} {right_type}: {error}", op.as_str()));
                    }
                }
            }
        }
        assert!(leaks.is_empty(), "allowed by the checker, refused by the evaluator:\n{}", leaks.join("\n"));
    }
}
