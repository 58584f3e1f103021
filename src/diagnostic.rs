//! Rendering problems for people: `error[E001]: message`, `file:line:col`, the source line and
//! a caret under the span, then `help:`. Rendering is kept apart from the errors themselves.

use codespan_reporting::diagnostic::{Diagnostic as Report, Label, Severity as ReportSeverity};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::NoColor, Chars, Config};
use serde::Serialize;

use crate::check::{CheckError, Severity, Warning};
use crate::eval::EvalError;
use crate::span::Span;
use crate::syntax::SyntaxError;

/// One problem, in the shape every renderer takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The stable code (`E001`, `W001`).
    pub code: &'static str,
    /// `error` or `warning`.
    #[serde(serialize_with = "severity_text")]
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// Where, when the problem is in the policy text.
    #[serde(skip)]
    pub span: Option<Span>,
    /// A note under the underlined text.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
}

fn severity_text<S: serde::Serializer>(severity: &Severity, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&severity.to_string())
}

impl From<&SyntaxError> for Diagnostic {
    fn from(error: &SyntaxError) -> Diagnostic {
        let label = match error {
            SyntaxError::Unexpected { found, .. } if found == "the end of the line" => {
                "this text is never closed".to_owned()
            }
            SyntaxError::Unexpected { found, .. } if found.starts_with("the end of") => {
                format!("{} is here", found.replacen("the ", "", 1))
            }
            SyntaxError::Unexpected { .. } => "unexpected text".to_owned(),
            SyntaxError::TooDeep { .. } => "too deep".to_owned(),
            SyntaxError::TooLong { .. } => "this statement has too many operators".to_owned(),
            SyntaxError::TooLarge { .. } => "too large".to_owned(),
            SyntaxError::BadLiteral { what, .. } => format!("not a valid {what}"),
        };
        Diagnostic {
            code: error.code(),
            severity: Severity::Error,
            message: error.to_string(),
            span: Some(error.span()),
            label,
            help: error.help(),
        }
    }
}

impl From<&Warning> for Diagnostic {
    fn from(warning: &Warning) -> Diagnostic {
        Diagnostic {
            code: warning.code,
            severity: Severity::Warning,
            message: warning.message.clone(),
            span: Some(warning.span),
            label: warning.label.clone(),
            help: warning.help.clone(),
        }
    }
}

impl From<&CheckError> for Diagnostic {
    fn from(error: &CheckError) -> Diagnostic {
        Diagnostic {
            code: error.code,
            severity: Severity::Error,
            message: error.message.clone(),
            span: Some(error.span),
            label: error.label.clone(),
            help: error.help.clone(),
        }
    }
}

impl From<&EvalError> for Diagnostic {
    fn from(error: &EvalError) -> Diagnostic {
        Diagnostic {
            code: error.code(),
            severity: Severity::Error,
            message: error.to_string(),
            span: error.span(),
            label: "while computing this".to_owned(),
            help: error.help(),
        }
    }
}

/// Renders problems in `source` (named `file_name`) as plain text, one after another.
pub fn render(file_name: &str, source: &str, diagnostics: &[Diagnostic]) -> String {
    let file = SimpleFile::new(file_name, source);
    let config = Config { chars: Chars::ascii(), ..Config::default() };
    let mut out = NoColor::new(Vec::new());
    for diagnostic in diagnostics {
        let severity = match diagnostic.severity {
            Severity::Error => ReportSeverity::Error,
            Severity::Warning => ReportSeverity::Warning,
        };
        let mut report = Report::new(severity).with_code(diagnostic.code).with_message(&diagnostic.message);
        if let Some(span) = diagnostic.span {
            let end = span.end.max(span.start).min(source.len());
            let start = span.start.min(end);
            report = report.with_labels(vec![Label::primary((), start..end).with_message(&diagnostic.label)]);
        }
        if let Some(help) = &diagnostic.help {
            report = report.with_notes(vec![format!("help: {help}")]);
        }
        if term::emit(&mut out, &config, &file, &report).is_err() {
            let line = format!("{}[{}]: {}\n", diagnostic.severity, diagnostic.code, diagnostic.message);
            out.get_mut().extend_from_slice(line.as_bytes());
        }
    }
    String::from_utf8_lossy(out.get_ref()).into_owned()
}

/// A place in a policy's text as people count it: 1-based line and column, the column in
/// characters (not bytes), as editors show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    /// The line, from 1.
    pub line: usize,
    /// The character on that line, from 1.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `source` (the end of the text when past it).
    pub fn of(source: &str, offset: usize) -> Position {
        let before = source.get(..offset.min(source.len())).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Position { line, column }
    }
}

impl Diagnostic {
    /// Where the problem starts in `source` (the text it was found in), or `None` for a
    /// problem that is not in the policy text (a bad order field).
    ///
    /// ```
    /// use refund_rules::{Policy, Position, Severity};
    ///
    /// let source = "policy p {
    ///   name \"P\"
    ///   currency USD
    ///   timezone \"UTC\"
    ///   source \"https://example.com\" read 2026-11-01
    ///   rule all \"Everything back\":
    ///     refund order.paid.csh as \"paid\" to original
    /// }";
    /// let Err(error) = Policy::parse(source) else { return Err("a misspelt field must not load".into()) };
    /// let problem = error.diagnostics().into_iter().find(|d| d.severity == Severity::Error).ok_or("no error")?;
    /// assert_eq!(problem.code, "E102");
    /// assert_eq!(problem.position(source), Some(Position { line: 7, column: 12 }));
    /// assert!(problem.help.ok_or("no help")?.contains("order.paid.cash"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn position(&self, source: &str) -> Option<Position> {
        self.span.map(|span| Position::of(source, span.start))
    }
}

/// `file:line:col` of a byte offset, 1-based, counting characters.
pub fn location(file_name: &str, source: &str, offset: usize) -> String {
    let Position { line, column } = Position::of(source, offset);
    format!("{file_name}:{line}:{column}")
}
