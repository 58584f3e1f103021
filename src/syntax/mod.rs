//! Source text to [`ast`](crate::ast): the only module that knows pest.
//!
//! No `Pair`, `Rule` or pest span leaves this module: errors come out as [`SyntaxError`] with
//! our own [`Span`], trees as plain AST values.

mod expected;
mod lower;

use pest::Parser as _;

use crate::ast::PolicyFile;
use crate::span::Span;

mod grammar {
    //! The pest parser generated from `grammar/policy.pest` (the grammar's doc comments
    //! document the generated `Rule` variants).
    #![allow(missing_docs)]

    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/policy.pest"]
    pub(super) struct PolicyParser;
}

use grammar::{PolicyParser, Rule};

/// How deeply brackets may nest. The parser recurses once per level; a hostile file with
/// thousands of `(` must get an error, not a stack overflow.
pub const MAX_NESTING: usize = 64;

/// Why a policy's text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// The text does not follow the grammar here.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// What the grammar allows here, in words.
        expected: String,
        /// The text found instead.
        found: String,
        /// Where.
        span: Span,
    },
    /// Brackets nest deeper than [`MAX_NESTING`].
    #[error("brackets nest more than {MAX_NESTING} deep")]
    TooDeep {
        /// The bracket that goes too deep.
        span: Span,
    },
    /// A literal has the right shape but no meaning (`2026-02-30`, a number too large).
    #[error("`{text}` is not a valid {what}")]
    BadLiteral {
        /// The literal.
        text: String,
        /// What it should have been.
        what: &'static str,
        /// Where.
        span: Span,
    },
}

impl SyntaxError {
    /// Where the error is.
    pub fn span(&self) -> Span {
        match self {
            SyntaxError::Unexpected { span, .. }
            | SyntaxError::TooDeep { span }
            | SyntaxError::BadLiteral { span, .. } => *span,
        }
    }

    /// The stable code of this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            SyntaxError::Unexpected { .. } => "E001",
            SyntaxError::TooDeep { .. } => "E002",
            SyntaxError::BadLiteral { .. } => "E003",
        }
    }

    /// A hint on how to fix it.
    pub fn help(&self) -> Option<String> {
        match self {
            SyntaxError::Unexpected { .. } => None,
            SyntaxError::TooDeep { .. } => {
                Some("split the expression into named parts with `let`".to_owned())
            }
            SyntaxError::BadLiteral { what, .. } => Some(match *what {
                "date" => "write a real calendar date as YYYY-MM-DD".to_owned(),
                "instant" => "write an instant as 2026-03-01T10:00:00+08:00".to_owned(),
                _ => format!("write a {what} within range"),
            }),
        }
    }
}

/// Parses a policy file into its syntax tree.
pub fn parse(source: &str) -> Result<PolicyFile, SyntaxError> {
    check_nesting(source)?;
    let mut pairs = PolicyParser::parse(Rule::file, source)
        .map_err(|error| expected::describe(source, &error))?;
    let file = pairs
        .next()
        .ok_or_else(|| lower::shape_error(Span::new(0, 0)))?;
    lower::file(file)
}

/// Rejects bracket nesting that would exhaust the parser's stack, before parsing.
fn check_nesting(source: &str) -> Result<(), SyntaxError> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    for (at, c) in source.char_indices() {
        if in_comment {
            in_comment = c != '\n';
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' | '\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '#' => in_comment = true,
            '"' => in_string = true,
            '(' | '{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(SyntaxError::TooDeep {
                        span: Span::new(at, at + 1),
                    });
                }
            }
            ')' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
