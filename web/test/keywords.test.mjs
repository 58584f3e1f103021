// The highlighter's word lists against the grammar: the one keyword list is grammar/policy.pest.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { loadTs } from "./load-ts.mjs";

const grammar = readFileSync(new URL("../../grammar/policy.pest", import.meta.url), "utf8");
const words = await loadTs("../src/keywords.ts");

function alternatives(rule) {
  const body = new RegExp(`^${rule} = @\\{([\\s\\S]*?)^\\}`, "m").exec(grammar);
  assert.ok(body, `grammar/policy.pest has no rule ${rule}`);
  return [...body[1].matchAll(/"([a-z_]+)"/g)].map((m) => m[1]);
}

test("the reserved words are exactly the grammar's keyword rule", () => {
  assert.deepEqual([...words.RESERVED_KEYWORDS].sort(), alternatives("keyword").sort());
});

test("reserved and contextual words together are exactly the grammar's kw_ rules and booleans", () => {
  const kw = [...grammar.matchAll(/^kw_\w+ = @\{ "([a-z_]+)" ~ !ident_char \}/gm)].map((m) => m[1]);
  assert.ok(kw.length > 50, "the kw_ rules were read");
  const booleans = /^boolean = @\{ \("(\w+)" \| "(\w+)"\)/m.exec(grammar);
  assert.ok(booleans, "the boolean rule was read");
  assert.deepEqual([...words.RESERVED_KEYWORDS, ...words.CONTEXTUAL_KEYWORDS].sort(), [...kw, booleans[1], booleans[2]].sort());
});

test("the duration units are the grammar's time_unit rule", () => {
  const body = /^time_unit = @\{([\s\S]*?)^\}/m.exec(grammar);
  assert.ok(body);
  assert.deepEqual([...words.TIME_UNITS].sort(), [...body[1].matchAll(/"([a-z]+)"/g)].map((m) => m[1]).sort());
});
