//! Turns pest's "expected one of these rules" into words a product manager can act on.

use pest::error::{Error, ErrorVariant, InputLocation};

use super::{Rule, SyntaxError};
use crate::keywords::{self, KeywordRole};
use crate::span::Span;

/// Describes a pest failure as `expected …, found …` at the failing token, with a hint where
/// the usual cause is known (an unclosed text, a missing `}`, a misspelt keyword).
pub(super) fn describe(source: &str, error: &Error<Rule>) -> SyntaxError {
    let at = match error.location {
        InputLocation::Pos(at) => at,
        InputLocation::Span((start, _)) => start,
    };
    let rules: Vec<Rule> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => positives.clone(),
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let rest = source.get(at..).unwrap_or("");
    let line_rest = rest.split('\n').next().unwrap_or("");
    if line_rest.starts_with('"') && !closes(line_rest) {
        return SyntaxError::Unexpected {
            expected: "`\"` to close this text before the end of the line".to_owned(),
            found: "the end of the line".to_owned(),
            span: Span::new(at, at + line_rest.trim_end().len()),
            help: Some("a text starts and ends on the same line: add the closing `\"`".to_owned()),
        };
    }
    let (found, span) = token_at(source, at);
    let word: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
    known_mistake(&rules, rest, &word, &found, span).unwrap_or_else(|| with_closest_keyword(&rules, &word, found, span))
}

/// The mistakes whose usual cause is known (an unclosed policy, a misspelt unit, a rule without
/// a decision, a name starting with a digit, a quota without `calendar`), described with a fix.
fn known_mistake(rules: &[Rule], rest: &str, word: &str, found: &str, span: Span) -> Option<SyntaxError> {
    if rest.trim().is_empty() && rules.contains(&Rule::kw_rule) {
        return Some(SyntaxError::Unexpected {
            expected: "`}` to close the policy".to_owned(),
            found: found.to_owned(),
            span,
            help: Some("the policy's last line is the `}` that closes `policy NAME {`".to_owned()),
        });
    }
    const UNITS: [&str; 14] = [
        "seconds", "second", "minutes", "minute", "hours", "hour", "days", "day", "weeks", "week", "months", "month",
        "years", "year",
    ];
    if let Some(unit) = crate::suggest::closest(word, UNITS).filter(|_| rules.contains(&Rule::time_unit)) {
        return Some(SyntaxError::Unexpected {
            expected: "a unit of time (`seconds`, `minutes`, `hours`, `days`, `weeks`, `months` or `years`)".to_owned(),
            found: found.to_owned(),
            span,
            help: Some(format!("did you mean `{unit}`?")),
        });
    }
    if rules.contains(&Rule::kw_deny) {
        return Some(SyntaxError::Unexpected {
            expected: "the rule's decision: `deny`, `refund ... to ...` or `manual_review ... to ...`".to_owned(),
            found: found.to_owned(),
            span,
            help: Some("a rule ends with what it decides, after its `when` lines".to_owned()),
        });
    }
    if rules.contains(&Rule::ident) && rest.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(SyntaxError::Unexpected {
            expected: expected_words(rules),
            found: found.to_owned(),
            span,
            help: Some(format!(
                "a name starts with a letter, then letters, digits or `_`: `{}` could be `{}`",
                word,
                renamed(word)
            )),
        });
    }
    if rules.contains(&Rule::kw_calendar) && (word == "year" || word == "month") {
        return Some(SyntaxError::Unexpected {
            expected: expected_words(rules),
            found: found.to_owned(),
            span,
            help: Some(format!("a quota starts again each calendar year or month: write `per calendar {word}`")),
        });
    }
    None
}

/// `expected …, found …`, with the closest keyword the parser would take as the hint.
fn with_closest_keyword(rules: &[Rule], word: &str, found: String, span: Span) -> SyntaxError {
    let mut keywords: Vec<String> =
        rules.iter().filter_map(|r| format!("{r:?}").strip_prefix("kw_").map(str::to_owned)).collect();
    if rules.contains(&Rule::time_unit) {
        let units = ["seconds", "minutes", "hours", "days", "weeks", "months", "years"];
        keywords.extend(units.iter().map(|u| (*u).to_owned()));
    }
    let wants_value = rules.iter().any(|r| matches!(r, Rule::expr | Rule::operand | Rule::literal | Rule::number));
    let declaration = keywords::has_role(word, KeywordRole::Declaration);
    let help = match crate::suggest::closest(word, keywords.iter().map(String::as_str)) {
        _ if wants_value && declaration => {
            Some("the line above is unfinished: it ends with an operator, or a value is missing".to_owned())
        }
        Some(keyword) if !word.is_empty() && keyword != word => Some(format!("did you mean `{keyword}`?")),
        _ => None,
    };
    SyntaxError::Unexpected { expected: expected_words(rules), found, span, help }
}

/// `200cloud` as a name: its leading digits moved to the end (`cloud_200`).
fn renamed(word: &str) -> String {
    let letters = word.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start_matches('_');
    let digits = word.get(..word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len()).unwrap_or("");
    if letters.is_empty() {
        format!("n_{digits}")
    } else {
        format!("{letters}_{digits}")
    }
}

/// Whether a line starting with `"` closes its text.
fn closes(line: &str) -> bool {
    let mut chars = line.chars().skip(1);
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '"' => return true,
            _ => {}
        }
    }
    false
}

/// The token at `at`: the rest of the word or symbol run, quoted, or "the end of the file".
fn token_at(source: &str, at: usize) -> (String, Span) {
    let rest = source.get(at..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("the end of the file".to_owned(), Span::new(at, at));
    };
    let word = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let len: usize = if word(first) {
        rest.chars().take_while(|&c| word(c)).take(30).map(char::len_utf8).sum()
    } else {
        rest.chars().take_while(|&c| !c.is_whitespace() && !word(c)).take(30).map(char::len_utf8).sum()
    };
    let len = len.max(first.len_utf8());
    let text = rest.get(..len).unwrap_or("");
    (format!("`{text}`"), Span::new(at, at + len))
}

/// Joins the names of what was expected: "a rule, an example or `}`".
fn expected_words(rules: &[Rule]) -> String {
    let mut words: Vec<&'static str> = Vec::new();
    for rule in rules {
        let word = name(*rule);
        if !words.contains(&word) {
            words.push(word);
        }
    }
    // A declaration can start with a dozen keywords; naming each would bury the useful words.
    if rules.contains(&Rule::kw_rule) {
        words.retain(|w| *w != "a declaration" && *w != "a rule");
        words.push("a rule, an example, another declaration (`let`, `const`, `table`, ...)");
        words.push("`}` to close the policy");
    }
    words.retain(|w| *w != "something else");
    match words.as_slice() {
        [] => "something else".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A human name for each grammar rule that can be expected.
fn name(rule: Rule) -> &'static str {
    // A keyword is named by its row of the keyword table.
    if let Some(keyword) = format!("{rule:?}").strip_prefix("kw_").and_then(keywords::find) {
        return keyword.expected;
    }
    match rule {
        Rule::file | Rule::policy => "`policy NAME { ... }`",
        Rule::rule_decl => "a rule",
        Rule::deny | Rule::refund => "a decision (`deny`, `refund ... to ...` or `manual_review ... to ...`)",
        Rule::label => "`as \"label\"`",
        Rule::destination => "`to DESTINATION` or `split ...`",
        Rule::attribute_bound => "`at least VALUE` or `at most VALUE` (an attribute's bounds)",
        Rule::key_match => "`from` or `is`",
        Rule::expectation => "`expect OUTCOME ...`",
        Rule::outcome => "an outcome (`refund`, `no_refund` or `manual_review`)",
        Rule::expr
        | Rule::operand
        | Rule::prefix
        | Rule::op_not
        | Rule::op_neg
        | Rule::if_expr
        | Rule::call
        | Rule::call_name
        | Rule::path => "a value",
        Rule::infix
        | Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div => "an operator",
        Rule::postfix | Rule::op_is_missing | Rule::op_is_present => "`is missing`",
        Rule::literal | Rule::table_row => "a value",
        Rule::money => "an amount such as `10.00 CNY`",
        Rule::percent => "a percentage such as `10%`",
        Rule::duration | Rule::time_unit => "a duration such as `5 days`",
        Rule::instant => "an instant such as `2026-03-01T10:00:00+08:00`",
        Rule::date => "a date such as `2026-03-16`",
        Rule::number => "a number",
        Rule::string | Rule::string_inner => "a quoted text",
        Rule::boolean => "`true` or `false`",
        Rule::currency_code => "a currency code such as `CNY`",
        Rule::ident | Rule::keyword => "a name",
        Rule::kw_calendar => "`calendar` (`per calendar year` or `per calendar month`)",
        Rule::field_name | Rule::entry => "a field name",
        Rule::type_name | Rule::one_of => "a type (`money`, `number`, `duration`, ...)",
        Rule::object | Rule::value => "a value",
        _ => "something else",
    }
}
