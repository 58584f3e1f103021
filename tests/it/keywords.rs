//! The keyword table (`refund_rules::KEYWORDS`) is the grammar's: one `kw_` rule per row, with
//! the same word, and the reserved rows are exactly the grammar's `keyword` rule.

use std::collections::BTreeSet;

use refund_rules::{KeywordRole, KEYWORDS};

fn grammar() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/grammar/policy.pest")).unwrap()
}

/// `kw_least = @{ "least" ~ !ident_char }`: (rule suffix, word).
fn keyword_rules() -> Vec<(String, String)> {
    grammar()
        .lines()
        .filter_map(|line| {
            let (rule, body) = line.split_once(" = @{")?;
            let suffix = rule.trim().strip_prefix("kw_")?;
            let word = body.split('"').nth(1)?;
            Some((suffix.to_owned(), word.to_owned()))
        })
        .collect()
}

/// The words of the grammar's `keyword` rule (what cannot be a name).
fn reserved_in_grammar() -> BTreeSet<String> {
    let pest = grammar();
    let start = pest.find("\nkeyword = @{").unwrap();
    let end = start + pest[start..].find('}').unwrap();
    pest[start..end].split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn every_keyword_rule_of_the_grammar_is_a_row_of_the_table_and_back() {
    let rules = keyword_rules();
    assert!(rules.len() > 50, "the grammar's kw_ rules were not read: {rules:?}");
    for (suffix, word) in &rules {
        assert_eq!(suffix, word, "`kw_{suffix}` matches `{word}`: name the rule after its word");
    }
    let in_grammar: BTreeSet<&str> = rules.iter().map(|(_, word)| word.as_str()).collect();
    // `true` and `false` are reserved but read by the `boolean` rule, not a kw_ rule.
    let in_table: BTreeSet<&str> = KEYWORDS.iter().filter(|k| k.role != KeywordRole::Literal).map(|k| k.word).collect();
    let missing: Vec<_> = in_grammar.difference(&in_table).collect();
    let extra: Vec<_> = in_table.difference(&in_grammar).collect();
    assert!(missing.is_empty(), "kw_ rules without a row in src/keywords.rs: {missing:?}");
    assert!(extra.is_empty(), "rows of src/keywords.rs without a kw_ rule in grammar/policy.pest: {extra:?}");
}

#[test]
fn the_reserved_rows_are_the_grammars_keyword_rule() {
    let reserved: BTreeSet<String> = KEYWORDS.iter().filter(|k| k.reserved).map(|k| k.word.to_owned()).collect();
    assert_eq!(reserved, reserved_in_grammar(), "src/keywords.rs `reserved` and the grammar's `keyword` rule differ");
}

#[test]
fn every_word_is_written_once() {
    let mut seen = BTreeSet::new();
    for keyword in KEYWORDS {
        assert!(seen.insert(keyword.word), "`{}` has two rows", keyword.word);
        assert!(!keyword.expected.is_empty(), "`{}` says nothing in error messages", keyword.word);
    }
}

#[test]
fn a_misspelt_step_is_named_by_its_row() {
    // The parser's message for an unknown word where a step may come reads the table's words.
    let source = "policy p {\n  name \"P\"\n  currency USD\n  timezone \"UTC\"\n  source \"https://example.com\" read 2026-11-01\n  rule all \"All\":\n    refund order.paid.cash as \"paid\"\n      lss 1.00 USD\n      to original\n}\n";
    let error = refund_rules::Policy::parse(source).unwrap_err();
    let shown = error.diagnostics().iter().map(|d| format!("{} {:?}", d.message, d.help)).collect::<String>();
    assert!(shown.contains("did you mean `less`?"), "{shown}");
}
