//! The syntax tree to a [`Program`]: every name resolved, every expression typed, every
//! problem found at once (errors and warnings, sorted by position).

mod capped;
mod contradictions;
mod examples;
mod expr;
mod header;
mod items;
pub(crate) mod lints;
pub(crate) mod types;
mod values;
mod versions;

use std::fmt;

use crate::ast::File;
use crate::program::Program;
use crate::span::Span;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The policy cannot be used.
    Error,
    /// The policy works, but probably not as meant.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// A problem the checker found, error or warning, before it is handed out typed as one of
/// them ([`CheckError`] or [`Warning`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Finding {
    pub(crate) code: &'static str,
    pub(crate) severity: Severity,
    pub(crate) message: String,
    pub(crate) span: Span,
    pub(crate) label: String,
    pub(crate) help: Option<String>,
}

/// An error found by checking a parsed policy: the policy cannot be used until it is fixed.
///
/// Codes are stable: `E1xx` are errors in names and types, `E12x` in the header, `E13x` in
/// tables, `E14x` in examples, `E15x` in attributes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CheckError {
    /// The stable code, such as `E101`.
    pub code: &'static str,
    /// What is wrong, in plain words.
    pub message: String,
    /// Where.
    pub span: Span,
    /// A short note under the underlined text.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

/// Something that works but probably not as meant (an unreachable rule, an uncapped refund).
/// A policy with warnings loads; they are in [`Policy::warnings`](crate::Policy::warnings).
///
/// Codes are stable: `W0xx`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The stable code, such as `W001`.
    pub code: &'static str,
    /// What looks wrong, in plain words.
    pub message: String,
    /// Where.
    pub span: Span,
    /// A short note under the underlined text.
    pub label: String,
    /// How to fix it, or how to say it is meant.
    pub help: Option<String>,
}

impl CheckError {
    /// E100: the text holds no `policy` block to check (the parser refuses an empty file first;
    /// this keeps a [`PolicyError`](crate::PolicyError) from ever being empty).
    pub(crate) fn no_policy() -> CheckError {
        CheckError {
            code: "E100",
            message: "the file holds no policy".to_owned(),
            span: Span { start: 0, end: 0 },
            label: "no policy here".to_owned(),
            help: Some("start the file with `policy my_cloud { ... }`".to_owned()),
        }
    }
}

/// The findings of a check, typed apart: errors, then warnings, each in order of position.
pub(crate) fn split(findings: Vec<Finding>) -> (Vec<CheckError>, Vec<Warning>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for Finding { code, severity, message, span, label, help } in findings {
        match severity {
            Severity::Error => errors.push(CheckError { code, message, span, label, help }),
            Severity::Warning => warnings.push(Warning { code, message, span, label, help }),
        }
    }
    (errors, warnings)
}

impl Finding {
    fn error(code: &'static str, span: Span, message: impl Into<String>) -> Finding {
        Finding { code, severity: Severity::Error, message: message.into(), span, label: String::new(), help: None }
    }

    fn warning(code: &'static str, span: Span, message: impl Into<String>) -> Finding {
        Finding { severity: Severity::Warning, ..Finding::error(code, span, message) }
    }

    /// W009: no example shows this rule deciding.
    pub(crate) fn untested_rule(name: &str, span: Span) -> Finding {
        Finding::warning("W009", span, format!("no example shows rule `{name}` deciding"))
            .label("untested rule")
            .help("add an `example` whose order this rule decides, with the expected amount")
    }

    /// W010: the policy has no examples at all.
    pub(crate) fn no_examples(span: Span) -> Finding {
        Finding::warning("W010", span, "this policy has no examples")
            .label("untested policy")
            .help("add `base order { ... }` and an `example` per rule, with the amounts the provider publishes")
    }

    fn label(mut self, label: impl Into<String>) -> Finding {
        self.label = label.into();
        self
    }

    fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    /// Adds "did you mean `x`?" before the help when one of `candidates` is close to `name`.
    fn suggest<'a>(self, name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Finding {
        match (crate::suggest::closest(name, candidates), &self.help) {
            (Some(best), Some(help)) => {
                let help = format!("did you mean `{best}`? ({help})");
                self.help(help)
            }
            (Some(best), None) => self.help(format!("did you mean `{best}`?")),
            (None, _) => self,
        }
    }
}

/// The 1-based line of byte `offset` in `source`.
pub(crate) fn line_of(source: &str, offset: usize) -> usize {
    source.get(..offset).unwrap_or(source).matches('\n').count() + 1
}

/// The result of checking: one program per version (oldest first) and the warnings, or every
/// problem found.
pub(crate) fn check(file: &File, source: &str) -> Result<(Vec<Program>, Vec<Finding>), Vec<Finding>> {
    let mut problems = Vec::new();
    let programs: Vec<Option<Program>> =
        file.policies.iter().map(|block| items::check_file(block, source, &mut problems)).collect();
    let programs: Option<Vec<Program>> = programs.into_iter().collect();
    let programs = programs.map(|programs| versions::order(file, programs, &mut problems));
    problems.sort_by_key(|p| (p.span.start, p.severity));
    match programs {
        Some(programs) if !problems.iter().any(|p| p.severity == Severity::Error) => Ok((programs, problems)),
        _ => Err(problems),
    }
}
