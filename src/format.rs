//! `refund fmt`: one canonical layout for policy files.
//!
//! The formatter changes white space only: it re-indents every line from the structure,
//! puts one space between tokens (none inside brackets or before commas), aligns the values of
//! header lines, of `key: value` lines, the `=>` of table rows and the trailing comments of
//! consecutive lines, and collapses runs of blank lines into one. Line breaks, comments and
//! blank-line groups stay where the author put them, except that a one-line `order { ... }`
//! wider than 100 columns gets one entry a line.
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

/// The widest a line is let to be: a longer one-line `order { ... }` is broken into lines.
const WIDTH: usize = 100;

/// `source` laid out: lines classified, indented, then rendered with aligned columns and comments.
fn layout(source: &str) -> String {
    let mut lines = classified(source);
    set_indents(&mut lines);
    let mut out = String::new();
    for line in with_aligned_comments(&rendered(&lines)) {
        out.push_str(&line);
        out.push('\n');
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The source's lines as tokens, each with its depth and its kind (a long one-line order broken).
fn classified(source: &str) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut depth = 0usize;
    let mut in_rule = false;
    let mut in_part = false;
    let split: Vec<(Vec<String>, Option<String>)> = source
        .lines()
        .flat_map(|raw| {
            let (tokens, comment) = tokenize(raw);
            broken_order(tokens, comment, raw.len() - raw.trim_start().len())
        })
        .collect();
    for (tokens, comment) in split {
        let first = tokens.first().map(String::as_str).unwrap_or("");
        let closing = first == "}";
        let line_depth = if closing { depth.saturating_sub(1) } else { depth };
        let kind = match first {
            "" if comment.is_none() => Kind::Blank,
            "" => Kind::Comment,
            _ if depth == 1 && keywords::has_role(first, KeywordRole::Header) => Kind::Header,
            // A declaration ends the rule above, also one whose receipt is on a single line.
            "rule" | "let" | "const" | "table" | "attribute" | "invariant" | "base" | "example" if depth == 1 => {
                Kind::Other
            }
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
    lines
}

/// Indents every line by its kind and depth; a comment takes the indent of the code below it.
fn set_indents(lines: &mut [Line]) {
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
}

/// The lines rendered, runs of alignable lines in columns, runs of blank lines made one.
fn rendered(lines: &[Line]) -> Vec<Rendered> {
    let mut rendered: Vec<Rendered> = Vec::new();
    let mut previous_blank = true;
    let mut index = 0;
    while let Some(line) = lines.get(index) {
        if line.kind == Kind::Blank {
            if !previous_blank {
                rendered.push((String::new(), None));
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
            rendered.push(render(line, &widths));
        }
        previous_blank = false;
        index = end;
    }
    rendered
}

/// A rendered line: its code (indented) and its trailing comment; a blank line is empty.
type Rendered = (String, Option<String>);

/// Trailing comments of consecutive code lines start in one column (two spaces after the
/// longest code of the run), as authors align them.
fn with_aligned_comments(lines: &[Rendered]) -> Vec<String> {
    let has_both = |line: &Rendered| line.1.is_some() && !line.0.trim().is_empty();
    let mut out = Vec::with_capacity(lines.len());
    let mut index = 0;
    while let Some(line) = lines.get(index) {
        if !has_both(line) {
            out.push(match &line.1 {
                Some(comment) => format!("{}{comment}", line.0),
                None => line.0.clone(),
            });
            index += 1;
            continue;
        }
        let mut end = index + 1;
        while lines.get(end).is_some_and(has_both) {
            end += 1;
        }
        let run = lines.get(index..end).unwrap_or(&[]);
        let column = run.iter().map(|(code, _)| code.chars().count()).max().unwrap_or(0) + 2;
        for (code, comment) in run {
            let pad = " ".repeat(column.saturating_sub(code.chars().count()));
            out.push(format!("{code}{pad}{}", comment.as_deref().unwrap_or("")));
        }
        index = end;
    }
    out
}

/// A one-line `order { ... }` longer than `WIDTH`, as several lines: the opening, one entry a
/// line (a line break separates entries as a comma does; the keys are then aligned), and the
/// closing brace. Nested groups (`paid: { cash: 1.00 }`) stay whole. Other lines stay as they are.
fn broken_order(tokens: Vec<String>, comment: Option<String>, indent: usize) -> Vec<(Vec<String>, Option<String>)> {
    let long = indent + join(&tokens).chars().count() > WIDTH;
    let open = tokens.iter().position(|t| t == "{");
    let opens_order = open.is_some_and(|at| at > 0 && tokens.get(at - 1).is_some_and(|t| t == "order"));
    let (Some(open), true, true) = (open, long, opens_order) else {
        return vec![(tokens, comment)];
    };
    let mut depth = 0usize;
    let mut close = None;
    for (index, token) in tokens.iter().enumerate().skip(open) {
        match token.as_str() {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    close = Some(index);
                    break;
                }
            }
            _ => {}
        }
    }
    let Some(close) = close else {
        return vec![(tokens, comment)];
    };
    let body = tokens.get(open + 1..close).unwrap_or(&[]);
    let mut entries: Vec<Vec<String>> = vec![Vec::new()];
    let mut nested = 0usize;
    for token in body {
        match token.as_str() {
            "," if nested == 0 => entries.push(Vec::new()),
            "{" => nested += 1,
            "}" => nested = nested.saturating_sub(1),
            _ => {}
        }
        if token != "," || nested > 0 {
            if let Some(entry) = entries.last_mut() {
                entry.push(token.clone());
            }
        }
    }
    entries.retain(|e| !e.is_empty());
    let mut out = vec![(tokens.get(..=open).unwrap_or(&[]).to_vec(), comment)];
    out.extend(entries.into_iter().map(|entry| (entry, None)));
    out.push((tokens.get(close..).unwrap_or(&[]).to_vec(), None));
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

fn render(line: &Line, widths: &[usize]) -> Rendered {
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
    let code = format!("{}{text}", " ".repeat(indent));
    match (&line.comment, text.is_empty()) {
        (Some(comment), true) => (format!("{}{comment}", " ".repeat(indent)), None),
        (Some(comment), false) => (code, Some(comment.clone())),
        (None, _) => (code, None),
    }
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
