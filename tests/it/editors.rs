//! The editor grammar (`editors/vscode/syntaxes/refund-policy.tmLanguage.json`) is valid, knows
//! every keyword of the language, and picks out the tokens of a sample line.

use fancy_regex::Regex;

fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn grammar() -> serde_json::Value {
    let text = std::fs::read_to_string(root().join("editors/vscode/syntaxes/refund-policy.tmLanguage.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn pattern(name: &str) -> Regex {
    let grammar = grammar();
    let text = grammar["repository"][name]["match"].as_str().unwrap_or_else(|| panic!("no pattern {name}"));
    Regex::new(text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every keyword of the language, from its table (which `tests/it/keywords.rs` holds against
/// the grammar).
fn language_keywords() -> Vec<String> {
    refund_rules::KEYWORDS.iter().map(|k| k.word.to_owned()).collect()
}

#[test]
fn every_pattern_compiles() {
    let grammar = grammar();
    assert_eq!(grammar["scopeName"], "source.refund-policy");
    for (name, rule) in grammar["repository"].as_object().unwrap() {
        for key in ["match", "begin", "end"] {
            if let Some(text) = rule[key].as_str() {
                Regex::new(text).unwrap_or_else(|e| panic!("{name}.{key}: {e}"));
            }
        }
    }
}

#[test]
fn every_keyword_of_the_language_is_highlighted() {
    let keywords = language_keywords();
    assert!(keywords.len() > 40, "{keywords:?}");
    let highlighted = [pattern("keyword"), pattern("step"), pattern("constant")];
    for keyword in keywords {
        assert!(
            highlighted.iter().any(|p| p.find(&keyword).unwrap().is_some_and(|m| m.as_str() == keyword)),
            "`{keyword}` is not highlighted"
        );
    }
}

#[test]
fn a_sample_line_is_split_as_expected() {
    let line = r#"    refund order.paid.cash as "实付" less 10.00 CNY to balance  # a note"#;
    let found = |name: &str| pattern(name).find(line).unwrap().map(|m| m.as_str().to_owned());
    assert_eq!(found("keyword").as_deref(), Some("refund"));
    assert_eq!(found("order-path").as_deref(), Some("order.paid.cash"));
    assert_eq!(found("step").as_deref(), Some("less"));
    assert_eq!(found("money").as_deref(), Some("10.00 CNY"));
    assert_eq!(found("constant").as_deref(), Some("balance"));
    assert_eq!(found("comment").as_deref(), Some("# a note"));
    let instant = pattern("instant").find("purchased_at: 2026-03-01T10:00:00+08:00").unwrap();
    assert_eq!(instant.map(|m| m.as_str()), Some("2026-03-01T10:00:00+08:00"));
    assert_eq!(pattern("duration").find("held < 5 days").unwrap().map(|m| m.as_str()), Some("5 days"));
}

/// The editor grammar's `keyword` and `step` patterns are the keyword table's words (steps
/// apart, literals in `constant`): a new keyword is highlighted by regenerating them with
/// `REFUND_WRITE_DOCS=1 cargo test --test it -- editors::`.
#[test]
fn the_keyword_patterns_are_generated_from_the_table() {
    use refund_rules::{KeywordRole, KEYWORDS};
    let words = |pick: &dyn Fn(KeywordRole) -> bool| {
        let list: Vec<&str> = KEYWORDS.iter().filter(|k| pick(k.role)).map(|k| k.word).collect();
        format!(r"\\b(?:{})\\b", list.join("|"))
    };
    let keyword = words(&|role| !matches!(role, KeywordRole::Step | KeywordRole::Literal));
    let step = words(&|role| role == KeywordRole::Step);
    let path = root().join("editors/vscode/syntaxes/refund-policy.tmLanguage.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let replaced = ["keyword", "step"].iter().zip([&keyword, &step]).fold(text.clone(), |text, (name, pattern)| {
        let key = format!("\"{name}\": {{");
        let start = text.find(&key).unwrap();
        let at = start + text[start..].find("\"match\": \"").unwrap() + "\"match\": \"".len();
        let end = at + text[at..].find("\"\n").unwrap();
        format!("{}{}{}", &text[..at], pattern, &text[end..])
    });
    let written = if std::env::var_os("REFUND_WRITE_DOCS").is_some() {
        std::fs::write(&path, &replaced).unwrap();
        replaced.clone()
    } else {
        text
    };
    assert!(
        replaced == written,
        "the editor grammar's keyword patterns differ from src/keywords.rs: run \
         `REFUND_WRITE_DOCS=1 cargo test --test it -- editors::` and commit it"
    );
}
