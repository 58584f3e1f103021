//! Source text to [`ast`](crate::ast): the only module that knows pest.
//!
//! No `Pair`, `Rule` or pest span leaves this module: errors come out as [`SyntaxError`] with
//! our own [`Span`], trees as plain AST values.

mod expected;
mod lower;

use pest::Parser as _;

use crate::ast::File;
use crate::span::Span;

mod grammar {
    //! The pest parser generated from `grammar/policy.pest` (the grammar's doc comments
    //! document the generated `Rule` variants).
    #![allow(missing_docs)]

    #[derive(pest_derive::Parser)]
    #[grammar = "../grammar/policy.pest"]
    pub(super) struct PolicyParser;
}

use crate::keywords;
use crate::limits::{MAX_NESTING, MAX_OPERATORS, MAX_SOURCE_BYTES};
use grammar::{PolicyParser, Rule};

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
        /// The usual cause, when it is known.
        help: Option<String>,
    },
    /// Brackets nest deeper than the parser allows.
    #[error("{what} nest more than {limit} deep")]
    TooDeep {
        /// `parentheses` or `braces`.
        what: &'static str,
        /// The limit.
        limit: usize,
        /// The bracket that goes too deep.
        span: Span,
    },
    /// One statement holds more operators than the checker allows.
    #[error("this statement has more than {limit} operators")]
    TooLong {
        /// The limit.
        limit: usize,
        /// The word that starts the statement.
        span: Span,
    },
    /// The text is larger than any policy should be.
    #[error("the policy is {bytes} bytes long; a policy may be at most {MAX_SOURCE_BYTES} bytes")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The start of the file.
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
            | SyntaxError::TooDeep { span, .. }
            | SyntaxError::TooLong { span, .. }
            | SyntaxError::TooLarge { span, .. }
            | SyntaxError::BadLiteral { span, .. } => *span,
        }
    }

    /// The stable code of this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            SyntaxError::Unexpected { .. } => "E001",
            SyntaxError::TooDeep { .. } => "E002",
            SyntaxError::BadLiteral { .. } => "E003",
            SyntaxError::TooLong { .. } => "E004",
            SyntaxError::TooLarge { .. } => "E005",
        }
    }

    /// A hint on how to fix it.
    pub fn help(&self) -> Option<String> {
        match self {
            SyntaxError::Unexpected { help, .. } => help.clone(),
            SyntaxError::TooLarge { .. } => Some("split it into smaller policies: one provider per file".to_owned()),
            SyntaxError::TooDeep { what: "operations", .. } => Some(
                "split it into parts computed side by side: `let first_half = ...`, `let second_half = ...`, then `first_half + second_half`"
                    .to_owned(),
            ),
            SyntaxError::TooDeep { .. } | SyntaxError::TooLong { .. } => {
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
pub fn parse(source: &str) -> Result<File, SyntaxError> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(SyntaxError::TooLarge { bytes: source.len(), span: Span::new(0, 0) });
    }
    check_depth(source)?;
    check_characters(source)?;
    let mut pairs = PolicyParser::parse(Rule::file, source).map_err(|error| expected::describe(source, &error))?;
    let file = pairs.next().ok_or_else(|| lower::shape_error(Span::new(0, 0)))?;
    lower::file(file)
}

/// The most syntax errors reported at once.
const MAX_ERRORS: usize = 20;

/// Parses like [`parse`], but on an error goes on reading from the next declaration, so that a
/// product manager sees every syntax error of the file at once, not one per run.
pub fn parse_all(source: &str) -> Result<File, Vec<SyntaxError>> {
    let mut errors = Vec::new();
    // The usual case, a file without errors (or too large to read at all), costs no copy.
    match parse(source) {
        Ok(file) => return Ok(file),
        Err(error @ (SyntaxError::TooLarge { .. } | SyntaxError::TooDeep { .. } | SyntaxError::TooLong { .. })) => {
            return Err(vec![error])
        }
        Err(_) => {}
    }
    let mut text = source.to_owned();
    loop {
        match parse(&text) {
            Ok(file) if errors.is_empty() => return Ok(file),
            Ok(_) => return Err(errors),
            Err(error) => {
                let at = error.span().start;
                // Blanking a declaration cannot help an error at the end of the file, and an
                // error found again at the same place is the same error.
                let again = errors.last().is_some_and(|e: &SyntaxError| e.span() == error.span());
                let at_end = text.get(at..).is_none_or(|rest| rest.trim().is_empty());
                let recoverable =
                    matches!(error, SyntaxError::Unexpected { .. } | SyntaxError::BadLiteral { .. }) && !at_end;
                if again {
                    return Err(errors);
                }
                errors.push(error);
                let Some(range) = declaration_around(&text, at).filter(|_| recoverable && errors.len() < MAX_ERRORS)
                else {
                    return Err(errors);
                };
                // Blank the broken declaration (keeping line breaks, so positions stay) and read again.
                let blank: String = text
                    .get(range.clone())
                    .unwrap_or("")
                    .chars()
                    .map(|c| if c == '\n' { "\n".to_owned() } else { " ".repeat(c.len_utf8()) })
                    .collect();
                text.replace_range(range, &blank);
            }
        }
    }
}

/// The byte range of the declaration holding `at`: from the start of its first line to the
/// start of the next declaration (or of the policy's closing line). `None` when there is none.
fn declaration_around(text: &str, at: usize) -> Option<std::ops::Range<usize>> {
    let mut starts = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let first = line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or("");
        let trimmed = line.trim_start();
        let word = trimmed.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or("");
        if keywords::starts_declaration(word)
            || trimmed.starts_with('}') && line.len() - trimmed.len() == 0
            || first == "policy"
        {
            starts.push(offset);
        }
        offset += line.len();
    }
    // An error found at the first word of a declaration was made by the one before it: the
    // parser only noticed when the next declaration began.
    let starting =
        starts.iter().copied().find(|s| *s <= at && text.get(*s..at).is_some_and(|gap| gap.trim().is_empty()));
    let before = match starting {
        Some(start) => start.checked_sub(1)?,
        None => at,
    };
    let begin = starts.iter().copied().rfind(|s| *s <= before)?;
    let end = starts.iter().copied().find(|s| *s > before).unwrap_or(text.len());
    let first_line = text.get(begin..).and_then(|t| t.lines().next()).unwrap_or("");
    // Never blank the policy's own line or its closing brace: that would hide everything else.
    let protected = first_line.trim_start().starts_with("policy") || first_line.starts_with('}');
    (!protected && end > begin).then_some(begin..end)
}

/// Rejects what would exhaust the parser's or the checker's stack, before parsing: brackets
/// nested too deep, and statements with so many operators (a chain of 10,000 `not`s, a sum of
/// 100,000 terms, `if`s nested a thousand deep, `is missing is missing ...`) that their trees
/// would be as deep. The lowering measures the exact depth of each tree as well.
fn check_depth(source: &str) -> Result<(), SyntaxError> {
    let mut parens = 0usize;
    let mut braces = 0usize;
    let mut operators = 0usize;
    let mut ifs = 0usize;
    let mut statement = Span::new(0, 0);
    let mut chars = source.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let one = Span::new(at, at + c.len_utf8());
        match c {
            '#' => while chars.next_if(|(_, c)| *c != '\n').is_some() {},
            '"' => {
                while let Some((_, c)) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' | '\n' => break,
                        _ => {}
                    }
                }
            }
            '(' => {
                parens += 1;
                if parens > MAX_NESTING {
                    return Err(SyntaxError::TooDeep { what: "parentheses", limit: MAX_NESTING, span: one });
                }
                nesting_limit(parens, ifs, one)?;
            }
            '{' => {
                braces += 1;
                if braces > MAX_BRACES {
                    return Err(SyntaxError::TooDeep { what: "braces", limit: MAX_BRACES, span: one });
                }
            }
            ')' => parens = parens.saturating_sub(1),
            '}' => braces = braces.saturating_sub(1),
            // `=>` separates a table row's keys from its value: not an operator.
            '=' if chars.next_if(|(_, c)| *c == '>').is_some() => {}
            '+' | '-' | '*' | '/' | '<' | '>' | '=' | '!' => operators += 1,
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut end = at + 1;
                while let Some((next, _)) = chars.next_if(|(_, c)| c.is_ascii_alphanumeric() || *c == '_') {
                    end = next + 1;
                }
                // A keyword after a dot is a field name (`order.rule`), which starts nothing:
                // else it would reset the count in the middle of a long expression.
                let after_dot = source.get(..at).is_some_and(|before| before.ends_with('.'));
                match source.get(at..end).unwrap_or("") {
                    _ if after_dot => {}
                    "if" => {
                        operators += 1;
                        ifs += 1;
                        nesting_limit(parens, ifs, Span::new(at, end))?;
                    }
                    "and" | "or" | "not" | "is" => operators += 1,
                    word if keywords::starts_statement(word) => {
                        operators = 0;
                        ifs = 0;
                        statement = Span::new(at, end);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
        if operators > MAX_OPERATORS {
            return Err(SyntaxError::TooLong { limit: MAX_OPERATORS, span: statement });
        }
    }
    Ok(())
}

/// The parser recurses into an `if` as into a bracket, and an `if` may sit inside any other
/// `if` of its statement: the `if`s of a statement and the open parentheses together may be at
/// most [`MAX_NESTING`].
fn nesting_limit(parens: usize, ifs: usize, at: Span) -> Result<(), SyntaxError> {
    if parens + ifs > MAX_NESTING {
        return Err(SyntaxError::TooDeep { what: "`if`s and parentheses", limit: MAX_NESTING, span: at });
    }
    Ok(())
}

/// Finds characters that would otherwise give a misleading error far from the cause: an
/// invisible character or a look-alike letter inside a name (`he\u{200B}ld`, a Cyrillic `а`),
/// a control character, a carriage return that ends lines on its own.
fn check_characters(source: &str) -> Result<(), SyntaxError> {
    let mut in_string = false;
    let mut in_comment = false;
    let mut chars = source.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let span = Span::new(at, at + c.len_utf8());
        let problem = |found: String, help: &str| SyntaxError::Unexpected {
            expected: "plain text".to_owned(),
            found,
            span,
            help: Some(help.to_owned()),
        };
        // Written out only for an error: formatting it for every character was 40% of parsing.
        let code = || format!("U+{:04X}", u32::from(c));
        match c {
            '\r' if chars.peek().is_none_or(|(_, next)| *next != '\n') => {
                return Err(problem(
                    "a carriage return without a line feed".to_owned(),
                    "lines end with CR alone here (old Mac line ends): save the file with LF or CRLF line ends",
                ));
            }
            '\n' => {
                in_comment = false;
                in_string = false;
            }
            _ if in_comment => {}
            '#' if !in_string => in_comment = true,
            '\\' if in_string => {
                chars.next();
            }
            '"' => in_string = !in_string,
            '\u{FEFF}' if at == 0 => {}
            '\t' | '\r' => {}
            // Trojan Source: text that reads one way in an editor and another way to the parser
            // or to the customer who reads the message.
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
                return Err(problem(
                    format!("a bidirectional control character ({})", code()),
                    "delete it: it reorders the text around it, so that what is shown is not what is written",
                ));
            }
            c if c.is_control() => {
                return Err(problem(
                    format!("a control character ({})", code()),
                    "delete it: it is invisible in most editors",
                ));
            }
            _ if in_string => {}
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => {
                return Err(problem(
                    format!("an invisible character ({})", code()),
                    "delete it: it cannot be seen in most editors, but splits the word in two",
                ));
            }
            c if !c.is_ascii() => {
                return Err(problem(
                    format!("`{c}` ({}), which is not an ASCII character", code()),
                    "outside quotes a policy is written in ASCII: names use the letters a-z, digits and `_` (a letter from another alphabet can look the same: retype the word)",
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// How deeply braces may nest (the policy, an example, an order, a nested object).
const MAX_BRACES: usize = 16;
