//! `refund fmt`: one canonical layout for policy files.
//!
//! The formatter changes white space only: it re-indents every line from the structure,
//! puts one space between tokens (none inside brackets or before commas), aligns the values of
//! header lines, of `key: value` lines and the `=>` of table rows, and collapses runs of blank
//! lines into one. Line breaks, comments and blank-line groups stay where the author put them.
//! The result is parsed again and must give the same syntax tree, or nothing is written.

use crate::keywords::{self, KeywordRole};
use crate::syntax::{self, SyntaxError};

/// Why a policy was not formatted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The policy does not parse; fix it first.
    #[error(transparent)]
    Syntax(#[from] SyntaxError),
    /// Formatting would change the policy's meaning. A bug in the formatter: nothing is written.
    #[error("formatting would change the policy's meaning; the file is left as it is")]
    WouldChangeMeaning,
}

/// The canonical layout of `source`.
pub fn format_policy(source: &str) -> Result<String, FormatError> {
    let before = syntax::parse(source)?;
    let formatted = layout(source);
    match syntax::parse(&formatted) {
        Ok(after) if after == before => Ok(formatted),
        _ => Err(FormatError::WouldChangeMeaning),
    }
}

/// A line broken into tokens, with its trailing comment.
struct Line {
    tokens: Vec<String>,
    comment: Option<String>,
    depth: usize,
    kind: Kind,
    in_rule: bool,
    /// Spaces before the line; a comment line takes the indentation of the code below it.
    indent: usize,
}

/// What a line is, for indentation and alignment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    Comment,
    Header,
    Clause,
    Step,
    Entry,
    Row,
    Continuation,
    Other,
}

/// Tokens that can only continue the expression of the line above.
const CONTINUING: &[&str] =
    &["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "and", "or", "then", "else", "is", "\"", ","];

fn layout(source: &str) -> String {
    let mut lines = Vec::new();
    let mut depth = 0usize;
    let mut in_rule = false;
    let mut in_part = false;
    for raw in source.lines() {
        let (tokens, comment) = tokenize(raw);
        let first = tokens.first().map(String::as_str).unwrap_or("");
        let closing = first == "}";
        let line_depth = if closing { depth.saturating_sub(1) } else { depth };
        let kind = match first {
            "" if comment.is_none() => Kind::Blank,
            "" => Kind::Comment,
            _ if depth == 1 && keywords::has_role(first, KeywordRole::Header) => Kind::Header,
            "rule" => Kind::Other,
            "manual_review" if in_part && tokens.get(1).is_some_and(|t| t == "when") => Kind::Step,
            _ if in_rule && keywords::has_role(first, KeywordRole::Clause) => Kind::Clause,
            // `and` starts the next part of a refund.
            _ if in_rule
                && (keywords::has_role(first, KeywordRole::Step)
                    || keywords::has_role(first, KeywordRole::Destination)
                    || first == "and"
                    || in_part) =>
            {
                Kind::Step
            }
            _ if CONTINUING.contains(&first) || first.starts_with('"') => Kind::Continuation,
            _ if depth >= 2 && tokens.get(1).is_some_and(|t| t == ":") => Kind::Entry,
            _ if tokens.iter().any(|t| t == "=>") => Kind::Row,
            _ => Kind::Other,
        };
        match first {
            "rule" => (in_rule, in_part) = (true, false),
            "manual_review" if in_part && tokens.get(1).is_some_and(|t| t == "when") => {}
            "refund" | "manual_review" if in_rule => in_part = true,
            "note" | "review" | "uses" | "deny" | "when" => in_part = false,
            "let" | "const" | "table" | "attribute" | "invariant" | "base" | "example" | "}" => {
                (in_rule, in_part) = (false, false)
            }
            _ => {}
        }
        depth = (depth + tokens.iter().filter(|t| *t == "{").count())
            .saturating_sub(tokens.iter().filter(|t| *t == "}").count());
        lines.push(Line { tokens, comment, depth: line_depth, kind, in_rule, indent: 0 });
    }
    let mut below: Option<usize> = None;
    for line in lines.iter_mut().rev() {
        match line.kind {
            Kind::Blank => {}
            Kind::Comment => line.indent = below.unwrap_or(line.depth * 2),
            _ => {
                line.indent = indent_of(line);
                let closes = line.tokens.first().is_some_and(|t| t == "}");
                below = Some(if closes { line.indent + 2 } else { line.indent });
            }
        }
    }
    let mut out = String::new();
    let mut previous_blank = true;
    let mut index = 0;
    while let Some(line) = lines.get(index) {
        if line.kind == Kind::Blank {
            if !previous_blank {
                out.push('\n');
            }
            previous_blank = true;
            index += 1;
            continue;
        }
        // A run of lines of one alignable kind at one depth is aligned together.
        let aligned = matches!(line.kind, Kind::Header | Kind::Entry | Kind::Row);
        let mut end = index + 1;
        while aligned && lines.get(end).is_some_and(|l| l.kind == line.kind && l.depth == line.depth) {
            end += 1;
        }
        let group = lines.get(index..end).unwrap_or(&[]);
        let widths = column_widths(group);
        for line in group {
            render(&mut out, line, &widths);
        }
        previous_blank = false;
        index = end;
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// How wide the aligned columns of a group are: the widest key (for table rows, the widest
/// cell of each key column).
fn column_widths(group: &[Line]) -> Vec<usize> {
    let mut widths: Vec<usize> = Vec::new();
    for line in group {
        let cells: Vec<String> = match line.kind {
            Kind::Header => line.tokens.first().cloned().into_iter().collect(),
            Kind::Entry => line.tokens.first().map(|t| format!("{t}:")).into_iter().collect(),
            Kind::Row => row_cells(line),
            _ => Vec::new(),
        };
        for (index, cell) in cells.iter().enumerate() {
            let width = cell.chars().count();
            match widths.get_mut(index) {
                Some(w) => *w = (*w).max(width),
                None => widths.push(width),
            }
        }
    }
    widths
}

/// The key cells of a table row, each with its comma: `["24,", "1"]`.
fn row_cells(line: &Line) -> Vec<String> {
    let keys: Vec<String> = line.tokens.iter().take_while(|t| *t != "=>").cloned().collect();
    let mut cells: Vec<String> = keys.split(|t| t == ",").map(join).collect();
    let last = cells.len().saturating_sub(1);
    for cell in cells.iter_mut().take(last) {
        cell.push(',');
    }
    cells
}

/// How far a code line is indented.
fn indent_of(line: &Line) -> usize {
    match line.kind {
        Kind::Clause => line.depth * 2 + 2,
        Kind::Step => line.depth * 2 + 4,
        Kind::Continuation if line.in_rule => line.depth * 2 + 4,
        Kind::Continuation => line.depth * 2 + 2,
        _ => line.depth * 2,
    }
}

fn render(out: &mut String, line: &Line, widths: &[usize]) {
    let width = widths.first().copied().unwrap_or(0);
    let indent = line.indent;
    let text = match line.kind {
        Kind::Header | Kind::Entry => {
            let split = if line.kind == Kind::Entry { 2 } else { 1 };
            let head = join(line.tokens.get(..split).unwrap_or(&[]));
            let rest = join(line.tokens.get(split..).unwrap_or(&[]));
            if rest.is_empty() {
                head
            } else {
                format!("{head:<width$} {rest}", width = width)
            }
        }
        Kind::Row => {
            let cells = row_cells(line);
            let keys: Vec<String> =
                cells.iter().zip(widths).map(|(cell, width)| format!("{cell:<width$}", width = width)).collect();
            let value: Vec<String> = line.tokens.iter().skip_while(|t| *t != "=>").skip(1).cloned().collect();
            format!("{} => {}", keys.join(" "), join(&value))
        }
        _ => join(&line.tokens),
    };
    let text = text.trim_end();
    out.push_str(&" ".repeat(indent));
    match (&line.comment, text.is_empty()) {
        (Some(comment), true) => out.push_str(comment),
        (Some(comment), false) => {
            out.push_str(text);
            out.push_str("  ");
            out.push_str(comment);
        }
        (None, _) => out.push_str(text),
    }
    out.push('\n');
}

/// Tokens joined with canonical spacing.
fn join(tokens: &[String]) -> String {
    let mut out = String::new();
    let mut previous: Option<&str> = None;
    for token in tokens {
        let token = token.as_str();
        let space = match (previous, token) {
            (None, _) => false,
            (_, "," | ")" | "%" | ":") => false,
            (Some("(" | "-u" | "clamp("), _) => false,
            (Some(p), "(") if is_word(p) && !is_keyword(p) => false,
            _ => true,
        };
        if space {
            out.push(' ');
        }
        let unary = token == "-" && is_unary_position(previous);
        out.push_str(token);
        previous = Some(if unary { "-u" } else { token });
    }
    out
}

/// A `-` is a sign, not a subtraction, at the start or after an operator or opening bracket.
fn is_unary_position(previous: Option<&str>) -> bool {
    match previous {
        None => true,
        Some(p) => {
            matches!(
                p,
                "(" | "," | "=" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "=>" | ":" | "-u"
            ) || is_keyword(p)
        }
    }
}

fn is_word(token: &str) -> bool {
    token.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
}

/// A keyword is no function name before `(`, and a `-` after it is a sign; `one_of(...)` is
/// written like a call.
fn is_keyword(token: &str) -> bool {
    keywords::is_reserved(token) && token != "one_of"
}

/// Splits a line into tokens and its trailing comment. Strings, instants and dotted paths
/// stay whole; everything else is split at spaces and punctuation.
fn tokenize(line: &str) -> (Vec<String>, Option<String>) {
    let mut tokens = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut at = 0;
    while let Some(&c) = chars.get(at) {
        let start = at;
        match c {
            ' ' | '\t' | '\r' | '\u{feff}' => {
                at += 1;
                continue;
            }
            '#' => {
                let comment: String = chars.get(at..).unwrap_or(&[]).iter().collect();
                return (tokens, Some(comment.trim_end().to_owned()));
            }
            '"' => {
                at += 1;
                while let Some(&c) = chars.get(at) {
                    at += 1;
                    match c {
                        '\\' => at += 1,
                        '"' => break,
                        _ => {}
                    }
                }
            }
            c if c.is_ascii_digit() => {
                while chars.get(at).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_')) {
                    at += 1;
                }
                if looks_like_date(chars.get(start..).unwrap_or(&[])) {
                    at = start + 10;
                    if chars.get(at).is_some_and(|c| matches!(c, 'T' | 't')) {
                        while chars
                            .get(at)
                            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '+' | '-'))
                        {
                            at += 1;
                        }
                    }
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                while chars.get(at).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.')) {
                    at += 1;
                }
                // `clamp(` is the function, `clamp (` the receipt step: keep them apart.
                let word: String = chars.get(start..at).unwrap_or(&[]).iter().collect();
                if word == "clamp" && chars.get(at) == Some(&'(') {
                    at += 1;
                }
            }
            _ => {
                let two: String = chars.get(at..at + 2).unwrap_or(&[]).iter().collect();
                at += if matches!(two.as_str(), "==" | "!=" | "<=" | ">=" | "=>") { 2 } else { 1 };
            }
        }
        tokens.push(chars.get(start..at.min(chars.len())).unwrap_or(&[]).iter().collect());
    }
    (tokens, None)
}

fn looks_like_date(chars: &[char]) -> bool {
    let shape = "dddd-dd-dd";
    chars.len() >= shape.len()
        && shape.chars().zip(chars).all(|(s, c)| if s == 'd' { c.is_ascii_digit() } else { *c == s })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_strings_instants_and_paths_whole() {
        let (tokens, comment) = tokenize(r#"  when order.paid.cash>=10.00 CNY and x=="a # b"  # why"#);
        assert_eq!(tokens, ["when", "order.paid.cash", ">=", "10.00", "CNY", "and", "x", "==", "\"a # b\""]);
        assert_eq!(comment.as_deref(), Some("# why"));
        let (tokens, _) = tokenize("purchased_at: 2026-03-01T10:00:00+08:00, d: 2026-03-16");
        assert_eq!(tokens, ["purchased_at", ":", "2026-03-01T10:00:00+08:00", ",", "d", ":", "2026-03-16"]);
    }

    #[test]
    fn spacing_is_canonical() {
        let (tokens, _) = tokenize("let x=round( a*-b ,0.01,half_up )+ 10 %");
        assert_eq!(join(&tokens), "let x = round(a * -b, 0.01, half_up) + 10%");
    }
}
