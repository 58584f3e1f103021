//! Every error and warning code, with what it means and a wrong and a right example:
//! `docs/errors.md` is generated from this table (`tests/it/errors.rs` fails when it is stale,
//! and when a code the engine reports is missing here or has no broken policy in `tests/data`).

/// One stable code the engine reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorCode {
    /// `E101`: `E0xx` syntax, `E1xx` checking (the policy cannot be used), `E2xx` evaluating
    /// one order, `W0xx` warnings (the policy works, probably not as meant).
    pub code: &'static str,
    /// What went wrong, in a few words.
    pub title: &'static str,
    /// Why it is a problem and how to fix it.
    pub explanation: &'static str,
    /// A policy excerpt (or an order) that gets the code.
    pub wrong: &'static str,
    /// The same, fixed.
    pub right: &'static str,
}

const fn code(
    code: &'static str,
    title: &'static str,
    explanation: &'static str,
    wrong: &'static str,
    right: &'static str,
) -> ErrorCode {
    ErrorCode { code, title, explanation, wrong, right }
}

/// The entry of `code` (`"E101"`), if the engine has it.
///
/// ```
/// let entry = refund_rules::explain_code("E101").ok_or("E101 is not registered")?;
/// assert_eq!(entry.title, "unknown name");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn explain_code(code: &str) -> Option<&'static ErrorCode> {
    ERROR_CODES.iter().find(|entry| entry.code == code)
}

/// Every code, in order.
pub const ERROR_CODES: &[ErrorCode] = &[
    code("E001", "syntax error", "The text does not follow the grammar at this point. The message says what may come here; a misspelt keyword gets a suggestion.", "rul banned \"Banned servers\":", "rule banned \"Banned servers\":"),
    code("E002", "nested too deep", "Parentheses, braces or computations nest deeper than the engine reads (see `limits`). A real policy never needs this depth: name the inner parts with `let`.", "let x = ((((((((((( ... )))))))))))", "let inner = ...\nlet x = inner * 2"),
    code("E003", "invalid literal", "A value has the right shape but no meaning, such as a 30th of February or a number too large for exact arithmetic.", "effective 2026-02-30", "effective 2026-03-01"),
    code("E004", "statement too long", "One statement holds more operators than the engine allows. Split it with `let`.", "let total = a + b + c + ... (300 terms)", "let first = a + b + c\nlet total = first + d"),
    code("E005", "policy too large", "The file is larger than any policy should be (4 MiB). It is refused before it is read.", "(a 100 MB file)", "(one provider's policy, a few kilobytes)"),
    code("E100", "no policy in the file", "The text holds no `policy NAME { ... }` block. The parser reports an empty file first; this code keeps an error from ever being empty.", "(an empty file)", "policy my_cloud { ... }"),
    code("E101", "unknown name", "A name is used that no `let`, `const`, `table` or attribute defines, or `amount` is used outside receipt steps and invariants.", "when held < windw", "const window = 5 days\n...\nwhen held < window"),
    code("E102", "unknown order field", "`order.X` names no field of the order contract. The help suggests the closest field.", "refund order.paid.csh", "refund order.paid.cash"),
    code("E103", "undeclared attribute", "`order.attributes.X` is read but not declared, so its type is unknown.", "when order.attributes.tier == gold", "attribute tier: one_of(gold, silver) = silver\n...\nwhen order.attributes.tier == gold"),
    code("E104", "unknown function or table", "A call names neither a built-in function (`min`, `round`, ...) nor a `table` of the policy.", "round_to(order.paid.cash, 0.01)", "round(order.paid.cash, 0.01, half_up)"),
    code("E105", "defined twice", "Two declarations, header lines or examples share one name or title. Keep one, or rename one.", "rule banned \"A\":\n  ...\nrule banned \"B\":", "rule banned \"A\":\n  ...\nrule suspended \"B\":"),
    code("E106", "used before it is defined", "A name is read before its definition, in its own definition, or where it is not available (an attribute's default reads only constants and order fields).", "let a = b + 1\nlet b = 2", "let b = 2\nlet a = b + 1"),
    code("E107", "constant reads the order", "A `const` is the same for every order, so it cannot read `order.X`. Use `let` for values computed per order.", "const paid = order.paid.cash", "let paid = order.paid.cash"),
    code("E108", "computed too deep", "A value is computed through more levels of names and operations than the engine allows (see `limits`).", "let a1 = a0 + 1  ...  let a300 = a299 + 1", "(compute it in fewer steps)"),
    code("E109", "symbol not in its set", "A bare word is compared with a field whose values are a known set, and it is not one of them.", "when order.billing == subscripton", "when order.billing == subscription"),
    code("E110", "types do not go together", "An operation or a value of the wrong type: money plus a duration, a condition where money is expected, the two branches of `if` of different types.", "refund order.paid.cash + 5 days", "refund order.paid.cash + 5.00 CNY"),
    code("E111", "`is missing` on a computation", "Only an order field can be missing; a computed value always exists.", "when held is missing", "when order.expires_at is missing"),
    code("E112", "condition is not true or false", "`when`, `if` and `manual_review when` need a condition.", "when order.paid.cash", "when order.paid.cash > 0.00 CNY"),
    code("E113", "money expected", "A refund, a step or a split weight must be money.", "refund 100 to original", "refund 100.00 CNY to original"),
    code("E114", "money in another currency", "An amount is in a currency that is not the policy's; amounts are never converted.", "currency CNY\n...\nconst fee = 5.00 USD", "currency CNY\n...\nconst fee = 5.00 CNY"),
    code("E115", "months and years must be whole", "Calendar months have no fixed length, so a fraction of one has no meaning.", "when held < 0.5 years", "when held < 6 months"),
    code("E116", "unknown attribute type", "An attribute's type is not one the language has.", "attribute tier: string", "attribute tier: text"),
    code("E117", "not a plain value", "A table row or an example expects a plain value, not a computation.", "gold => 10.00 CNY * 2", "gold => 20.00 CNY"),
    code("E118", "unknown review mode", "`review` takes `manual` or `auto`.", "review manually", "review manual"),
    code("E119", "unknown destination", "Money goes to `original`, `balance`, `gift` or `voucher`; a split's weights are money or numbers.", "to wallet", "to balance"),
    code("E120", "no currency", "Every policy says its currency, which every amount is in.", "policy p {\n  name \"P\"\n  timezone \"UTC\"", "policy p {\n  name \"P\"\n  currency CNY\n  timezone \"UTC\""),
    code("E121", "unknown currency", "The currency is not an ISO 4217 code.", "currency RMB", "currency CNY"),
    code("E122", "unknown time zone", "The time zone is not an IANA zone name.", "timezone \"Beijing\"", "timezone \"Asia/Shanghai\""),
    code("E123", "no time zone", "Days and months are counted in the policy's time zone, so every policy says it.", "policy p {\n  name \"P\"\n  currency CNY", "policy p {\n  name \"P\"\n  currency CNY\n  timezone \"Asia/Shanghai\""),
    code("E124", "unknown rounding mode", "Rounding modes are `half_up`, `half_even`, `half_down`, `up` and `down`.", "rounding bankers", "rounding half_even"),
    code("E125", "version ends before it starts", "`effective FROM until TO` needs TO after FROM.", "effective 2026-06-01 until 2026-01-01", "effective 2026-01-01 until 2026-06-01"),
    code("E126", "unknown version date", "Versions are chosen by `purchased_at` or `requested_at`.", "versions by bought_at", "versions by purchased_at"),
    code("E127", "instant rounded to a part of the calendar", "An instant can only be rounded to a whole calendar unit.", "floor(order.requested_at, 7 days)", "floor(order.requested_at, 1 day)"),
    code("E128", "unknown quota", "The only quota a rule can use is `no_reason_refund`.", "uses free_refund", "uses no_reason_refund"),
    code("E129", "attribute bound or default wrong", "An attribute's bounds must be of its type and in order, its default within them, and only ordered types have bounds.", "attribute share: percent = 150% at most 100%", "attribute share: percent = 50% at most 100%"),
    code("E130", "table row with the wrong number of keys", "Every row gives one key per key column.", "table fee by tier is {\n  gold, 1 => 5.00 CNY\n}", "table fee by tier is {\n  gold => 5.00 CNY\n}"),
    code("E131", "table called with the wrong number of keys", "A table is looked up with one value per key column.", "fee(tier, held)", "fee(tier)"),
    code("E132", "table key of the wrong type", "The value looked up must have the type of the table's key column.", "table fee by held from { 0 days => 5.00 CNY }\n...\nfee(order.paid.cash)", "fee(held)"),
    code("E133", "no such key in the table", "A name looked up in a column of names must be one of its keys.", "table fee by tier is { gold => 5.00 CNY }\n...\nfee(platinum)", "fee(gold)"),
    code("E134", "`from` on keys that have no order", "`from` matches ranges, so its keys must be ordered (amounts, numbers, durations, dates).", "table fee by tier from { gold => 5.00 CNY }", "table fee by tier is { gold => 5.00 CNY }"),
    code("E135", "duration too long", "A duration beyond a few thousand years cannot be computed with.", "when held < 1000000000 years", "when held < 10 years"),
    code("E136", "empty table", "A table needs at least one row.", "table fee by tier is { }", "table fee by tier is { gold => 5.00 CNY }"),
    code("E141", "example order invalid", "An example's order (the base order with the example's changes) must be a valid order.", "example \"late\" { order { paid: { cash: -1.00 } } ... }", "example \"late\" { order { paid: { cash: 1.00 } } ... }"),
    code("E142", "example names an unknown rule", "`expect ... by RULE` must name a rule of the policy.", "expect no_refund by bannd", "expect no_refund by banned"),
    code("E150", "versions with different ids", "Dated versions in one file share the policy's id.", "policy my_cloud { ... }\npolicy my_cloud_2026 { ... }", "policy my_cloud { ... }\npolicy my_cloud { ... }"),
    code("E151", "version without dates", "When a file holds several versions, each says when it applies.", "policy p { version \"2026\" ... }", "policy p { version \"2026\"  effective 2026-01-01 ... }"),
    code("E152", "gap between versions", "Every day between the first and the last version is covered by one.", "effective 2025-01-01 until 2025-06-01\n...\neffective 2025-07-01", "effective 2025-01-01 until 2025-07-01\n...\neffective 2025-07-01"),
    code("E153", "versions overlap", "Two versions cannot apply on the same day.", "effective 2025-01-01\n...\neffective 2025-07-01", "effective 2025-01-01 until 2025-07-01\n...\neffective 2025-07-01"),
    code("E154", "versions chosen by different dates", "Every version says the same `versions by ...`.", "versions by purchased_at\n...\nversions by requested_at", "versions by purchased_at\n...\nversions by purchased_at"),
    code("E155", "unknown calendar period", "A quota starts again `per calendar year` or `per calendar month`.", "uses no_reason_refund per calendar week", "uses no_reason_refund per calendar month"),
    code("E156", "quota periods disagree", "The account has one no-reason quota, so every rule that uses it says the same period.", "uses no_reason_refund per calendar year\n...\nuses no_reason_refund per calendar month", "uses no_reason_refund per calendar year\n...\nuses no_reason_refund per calendar year"),
    code("E201", "invalid order", "The order is not valid JSON for the contract, or a field is missing or out of its bounds. The message names the JSON field.", "{ \"paid\": { \"cash\": \"-5.00\" } }", "{ \"paid\": { \"cash\": \"5.00\" } }"),
    code("E202", "no rule matches", "No rule's conditions hold for this order. End the policy with a rule without `when`.", "rule first_days \"...\":\n  when held < 5 days\n  refund ...", "rule first_days ...\nrule other \"Otherwise\":\n  deny"),
    code("E203", "division by zero", "A division's divisor is zero for this order. Guard it with `if`.", "let share = used / term", "let share = if term == 0 days then 0 else used / term"),
    code("E204", "missing field needed", "An optional order field or attribute the computation needs was not given.", "refund order.traffic.used_gb * 0.80 CNY", "when order.traffic is present\nrefund order.traffic.used_gb * 0.80 CNY"),
    code("E205", "value out of range", "A result does not fit: an amount beyond 28 digits, a date past year 9999, a rounding step that is not positive.", "refund round(order.paid.cash, 0, half_up)", "refund round(order.paid.cash, 0.01, half_up)"),
    code("E206", "no table row matches", "A table has no row for this key. Add a row, or a `from` row that starts at the lowest key.", "table fee by held from { 7 days => 5.00 CNY }", "table fee by held from { 0 days => 0.00 CNY\n  7 days => 5.00 CNY }"),
    code("E207", "negative refund", "A refund came out below zero. End the receipt with `clamp 0.00 ... to ...` or a `cap`.", "refund order.paid.cash less fee", "refund order.paid.cash less fee clamp 0.00 CNY to order.paid.cash"),
    code("E208", "no version in force", "No version of the policy applies on the order's date.", "effective 2026-01-01  (order bought 2025-12-01)", "effective 2025-01-01"),
    code("W001", "no rule matches every order", "An order no rule matches is an evaluation error (E202). End with a rule without `when`.", "rule late \"...\":\n  when held >= 5 days\n  deny", "rule late \"...\":\n  deny"),
    code("W002", "no source", "A policy cites where its rules were read, so readers can check them.", "policy p {\n  name \"P\"\n  currency CNY\n  timezone \"UTC\"\n}", "policy p {\n  ...\n  source \"https://example.com/refunds\" read 2026-03-16\n}"),
    code("W003", "rule after a catch-all", "A rule without `when` matches every order, so the rules below it never decide.", "rule other \"...\": deny\nrule late \"...\": when ...", "rule late \"...\": when ...\nrule other \"...\": deny"),
    code("W004", "unused name", "A `let` or `const` is never read.", "const fee = 5.00 CNY   (never used)", "(remove it, or use it in a rule)"),
    code("W005", "table keys not increasing", "A `from` table reads like a price list: keys from the smallest to the largest.", "table fee by held from { 7 days => 5.00 CNY\n  0 days => 0.00 CNY }", "table fee by held from { 0 days => 0.00 CNY\n  7 days => 5.00 CNY }"),
    code("W006", "rule shadowed by an earlier one", "Whenever this rule's conditions hold, an earlier rule's hold too, so it never decides.", "rule a: when held < 7 days ...\nrule b: when held < 5 days ...", "rule b: when held < 5 days ...\nrule a: when held < 7 days ..."),
    code("W007", "unused table or attribute", "A table or an attribute is never read.", "table fee by tier is { ... }   (never called)", "(remove it, or call it in a rule)"),
    code("W008", "refund not capped by what was paid", "Nothing keeps the refund within what was paid; a mistake in a step could refund more.", "refund order.list_price less used to original", "refund order.list_price less used\n  clamp 0.00 CNY to order.paid.cash\n  to original"),
    code("W009", "untested rule", "No in-file example shows this rule deciding.", "(a rule no example reaches)", "example \"late\" { order { ... } expect refund ... by late }"),
    code("W010", "no examples", "The policy has no in-file examples, so nothing checks its numbers.", "(no `example`)", "base order { ... }\nexample \"two days in\" { order { ... } expect refund 120.00 CNY }"),
    code("W011", "rule can never decide", "A rule's conditions contradict each other (or one is `false`), so it never decides.", "when order.billing == subscription and order.billing == pay_as_you_go", "when order.billing == subscription"),
];
