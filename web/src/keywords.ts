// The policy language's words, as the page highlights and completes them.
// test/keywords.test.mjs reads grammar/policy.pest and fails when these lists drift from it.

/** Reserved words: the grammar's `keyword` rule (they cannot name a value). */
export const RESERVED_KEYWORDS: readonly string[] = [
  "policy", "name", "currency", "timezone", "source", "read", "effective", "until", "versions",
  "version", "rounding", "attribute", "one_of", "const", "let", "table", "by", "is", "from",
  "rule", "when", "note", "review", "deny", "refund", "manual_review", "as", "less", "plus",
  "deduct", "offset", "cap", "zero_below", "clamp", "to", "split", "if", "then", "else", "and",
  "or", "not", "missing", "present", "base", "example", "expect", "uses", "invariant",
  "monotone", "true", "false",
];

/**
 * Words that are keywords only where the grammar expects them (its other `kw_` rules) and may
 * still start a path: `order.paid.cash`, `held`.
 */
export const CONTEXTUAL_KEYWORDS: readonly string[] = [
  "order", "per", "calendar", "in", "held", "at", "least", "most",
];

/** The units a duration is written in (the grammar's `time_unit`). */
export const TIME_UNITS: readonly string[] = [
  "seconds", "second", "minutes", "minute", "hours", "hour", "days", "day", "weeks", "week",
  "months", "month", "years", "year",
];
