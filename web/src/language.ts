// Highlighting of the policy language: a stream tokenizer over the grammar's lexical rules.
import { StreamLanguage, type StringStream } from "@codemirror/language";
import { CONTEXTUAL_KEYWORDS, RESERVED_KEYWORDS, TIME_UNITS } from "./keywords";

const RESERVED = new Set(RESERVED_KEYWORDS);
const CONTEXTUAL = new Set(CONTEXTUAL_KEYWORDS);
const UNITS = new Set(TIME_UNITS);

interface State {
  afterDot: boolean;
}

/** The token's style name (a @lezer/highlight tag name), or null for plain text. */
export function tokenStyle(stream: StringStream, state: State): string | null {
  if (stream.eatSpace()) return null;
  const wasAfterDot = state.afterDot;
  state.afterDot = false;
  if (stream.match("#")) {
    stream.skipToEnd();
    return "comment";
  }
  if (stream.match(/^"(?:\\.|[^"\\])*"?/)) return "string";
  if (stream.match(/^\d{4}-\d{2}-\d{2}(?:[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2}))?/)) return "number";
  if (stream.match(/^\d+(?:\.\d+)?%?/)) return "number";
  if (stream.match(/^[A-Z]{3}(?![\w])/)) return "unit";
  const word = stream.match(/^[A-Za-z_]\w*/);
  if (word && typeof word !== "boolean") {
    const text = word[0];
    if (wasAfterDot) return "propertyName";
    if (text === "true" || text === "false") return "bool";
    if (RESERVED.has(text)) return "keyword";
    // `order.paid` reads a field; `in held`, `per calendar month` are keywords.
    if (CONTEXTUAL.has(text)) return stream.peek() === "." ? "variableName" : "keyword";
    if (UNITS.has(text)) return "unit";
    return "variableName";
  }
  if (stream.eat(".")) {
    state.afterDot = true;
    return "punctuation";
  }
  if (stream.match(/^(?:<=|>=|==|!=|[-+*/<>=])/)) return "operator";
  stream.next();
  return "punctuation";
}

export const policyLanguage = StreamLanguage.define<State>({
  name: "refund-policy",
  startState: () => ({ afterDot: false }),
  token: tokenStyle,
  languageData: { commentTokens: { line: "#" } },
});
