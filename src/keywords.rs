//! The language's keywords, in one table: the parser's error recovery, the lowering, the
//! formatter and the error messages read it, and `tests/it/keywords.rs` holds it against the
//! grammar's `kw_*` rules, its reserved `keyword` rule and the editor grammar. A new keyword
//! is a row here and a `kw_` rule in `grammar/policy.pest`.

/// What a keyword does, which decides how the tools treat it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeywordRole {
    /// `policy`: opens a policy.
    Policy,
    /// A header line of a policy (`currency`, `timezone`): starts a declaration.
    Header,
    /// Starts a declaration in a policy's body (`rule`, `let`, `table`, `example`).
    Declaration,
    /// A line inside a rule (`when`, `note`) or its decision (`refund`, `deny`).
    Clause,
    /// A step of a refund's receipt (`less`, `cap`).
    Step,
    /// Where a refund's money goes (`to`, `split`).
    Destination,
    /// `expect`: the expectation of an in-file example.
    Expectation,
    /// Part of an expression (`and`, `if`, `is missing`).
    Operator,
    /// A value of its own (`true`, `false`).
    Literal,
    /// A word inside a construct that starts nothing (`read`, `by`, `at least`).
    Connective,
}

/// One keyword of the policy language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Keyword {
    /// The word as written.
    pub word: &'static str,
    /// What it does.
    pub role: KeywordRole,
    /// Whether it is reserved: it cannot name a constant, a rule or a table. The contextual
    /// keywords (`order`, `per`, `held`, `least`, ...) can, where nothing else is expected.
    pub reserved: bool,
    /// How an error message names what the parser expected here ("a receipt step ...").
    pub expected: &'static str,
}

const fn keyword(word: &'static str, role: KeywordRole, reserved: bool, expected: &'static str) -> Keyword {
    Keyword { word, role, reserved, expected }
}

use KeywordRole::*;

const DECLARATION: &str = "a declaration";
const DECISION: &str = "a decision (`deny`, `refund ... to ...` or `manual_review ... to ...`)";
const STEP: &str = "a receipt step (`less`, `plus`, `deduct`, `offset`, `cap`, `clamp`, ...)";
const DESTINATION: &str = "`to DESTINATION` or `split ...`";
const BOUND: &str = "`at least VALUE` or `at most VALUE` (an attribute's bounds)";

/// Every keyword of the language.
pub const KEYWORDS: &[Keyword] = &[
    keyword("policy", Policy, true, "`policy NAME { ... }`"),
    keyword("name", Header, true, DECLARATION),
    keyword("currency", Header, true, DECLARATION),
    keyword("timezone", Header, true, DECLARATION),
    keyword("source", Header, true, DECLARATION),
    keyword("effective", Header, true, DECLARATION),
    keyword("version", Header, true, DECLARATION),
    keyword("versions", Header, true, DECLARATION),
    keyword("rounding", Header, true, DECLARATION),
    keyword("attribute", Declaration, true, DECLARATION),
    keyword("const", Declaration, true, DECLARATION),
    keyword("let", Declaration, true, DECLARATION),
    keyword("table", Declaration, true, DECLARATION),
    keyword("rule", Declaration, true, "a rule"),
    keyword("invariant", Declaration, true, DECLARATION),
    keyword("base", Declaration, true, DECLARATION),
    keyword("example", Declaration, true, DECLARATION),
    keyword("when", Clause, true, "`when CONDITION`"),
    keyword("note", Clause, true, "`note \"...\"`"),
    keyword("review", Clause, true, "`review manual`"),
    keyword("uses", Clause, true, "`uses no_reason_refund`"),
    keyword("deny", Clause, true, DECISION),
    keyword("refund", Clause, true, DECISION),
    keyword("manual_review", Clause, true, DECISION),
    keyword("less", Step, true, STEP),
    keyword("plus", Step, true, STEP),
    keyword("deduct", Step, true, STEP),
    keyword("offset", Step, true, STEP),
    keyword("cap", Step, true, STEP),
    keyword("zero_below", Step, true, STEP),
    keyword("clamp", Step, true, STEP),
    keyword("to", Destination, true, DESTINATION),
    keyword("split", Destination, true, DESTINATION),
    keyword("expect", Expectation, true, "`expect OUTCOME ...`"),
    keyword("and", Operator, true, "`and`"),
    keyword("or", Operator, true, "`or`"),
    keyword("not", Operator, true, "a value"),
    keyword("is", Operator, true, "`is missing`"),
    keyword("missing", Operator, true, "`missing`"),
    keyword("present", Operator, true, "`present`"),
    keyword("if", Operator, true, "a value"),
    keyword("then", Operator, true, "`then`"),
    keyword("else", Operator, true, "`else`"),
    keyword("true", Literal, true, "`true` or `false`"),
    keyword("false", Literal, true, "`true` or `false`"),
    keyword("read", Connective, true, "`read DATE` (the day the source was read)"),
    keyword("until", Connective, true, "`until DATE`"),
    keyword("one_of", Connective, true, "a type (`money`, `number`, `duration`, ...)"),
    keyword("by", Connective, true, "`by KEY from` (a table's key columns)"),
    keyword("from", Connective, true, "`from`"),
    keyword("as", Connective, true, "`as \"label\"`"),
    keyword("monotone", Connective, true, "`monotone in held`"),
    keyword("order", Connective, false, "`order { ... }`"),
    keyword("per", Connective, false, "`per calendar year`"),
    keyword("calendar", Connective, false, "`per calendar year`"),
    keyword("in", Connective, false, "`monotone in held`"),
    keyword("held", Connective, false, "`monotone in held`"),
    keyword("at", Connective, false, BOUND),
    keyword("least", Connective, false, BOUND),
    keyword("most", Connective, false, BOUND),
];

/// The keyword `word`, if it is one.
pub(crate) fn find(word: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.word == word)
}

/// Whether `word` is a keyword with `role`.
pub(crate) fn has_role(word: &str, role: KeywordRole) -> bool {
    find(word).is_some_and(|k| k.role == role)
}

/// Whether a line starting with `word` starts a declaration: where the parser can read on
/// after a syntax error.
pub(crate) fn starts_declaration(word: &str) -> bool {
    find(word).is_some_and(|k| matches!(k.role, Header | Declaration))
}

/// Whether `word` starts a statement (a declaration, a clause, a step or an expectation): the
/// size guard counts operators per statement.
pub(crate) fn starts_statement(word: &str) -> bool {
    find(word)
        .is_some_and(|k| matches!(k.role, Policy | Header | Declaration | Clause | Step | Destination | Expectation))
}

/// Whether `word` is reserved (a keyword that cannot be a name).
pub(crate) fn is_reserved(word: &str) -> bool {
    find(word).is_some_and(|k| k.reserved)
}
