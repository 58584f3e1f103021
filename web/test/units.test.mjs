// The page's pure helpers: amounts at the minor unit, exact order JSON, instants, declarations.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadTs } from "./load-ts.mjs";

const money = await loadTs("../src/money.ts");
const form = await loadTs("../src/orderform.ts");
const time = await loadTs("../src/time.ts");
const contract = await loadTs("../src/contract.ts");

test("amounts are shown at the currency's minor unit, rounded half away from zero on the digits", () => {
  assert.equal(money.moneyText("876.3", "CNY"), "876.30 CNY");
  assert.equal(money.moneyText("1234.565", "CNY"), "1,234.57 CNY");
  assert.equal(money.moneyText("0.004", "USD"), "0.00 USD");
  assert.equal(money.moneyText("-0.004", "USD"), "0.00 USD");
  assert.equal(money.moneyText("999.995", "USD"), "1,000.00 USD");
  assert.equal(money.moneyText("1500.5", "JPY"), "1,501 JPY");
  assert.equal(money.moneyText(12, "KWD"), "12.000 KWD");
  assert.equal(money.moneyText("-42.1", "CNY"), "-42.10 CNY");
});

test("order JSON keeps every amount as written, never through a float", () => {
  const text = '{"paid":{"cash":0.1,"voucher":12345678901234567.89},"promotion":{"name":"双十一 11.11"},"x":[1,2.50]}';
  const order = form.parseOrder(text);
  assert.equal(form.orderJson(order, 0), text);
});

test("an instant moves by seconds and keeps its UTC offset", () => {
  assert.equal(time.addSeconds("2026-03-01T10:00:00+08:00", 86_400 * 5), "2026-03-06T10:00:00+08:00");
  assert.equal(time.addSeconds("2026-03-01T23:30:00-05:30", 3600), "2026-03-02T00:30:00-05:30");
  assert.equal(time.addSeconds("2026-03-01T10:00:00Z", 0), "2026-03-01T10:00:00Z");
});

test("declared attributes and names are read from the text for the form and the completion", () => {
  const d = contract.declaredIn(`policy p {
  attribute change: one_of(unsubscribe, downgrade) = unsubscribe "What the customer asks"
  attribute invoiced: bool = false "已开具发票的订单"
  let used_days = 3 "Used"
  rule no_reason "No reason":
    deny
}`);
  assert.deepEqual(d.attributes.map((a) => [a.name, a.type, a.choices, a.label]), [
    ["change", "one_of", ["unsubscribe", "downgrade"], "What the customer asks"],
    ["invoiced", "bool", [], "已开具发票的订单"],
  ]);
  assert.deepEqual(d.names, ["used_days", "no_reason"]);
});

test("the chart's first week takes a third of the width, and its tip says how long the server was held", async () => {
  const chart = await loadTs("../src/chart.ts");
  assert.equal(chart.heldText(0.75), "Asked after 18 hours");
  assert.equal(chart.heldText(2.25), "Asked after 2 days 6 hours");
  assert.equal(chart.heldText(1), "Asked after 1 day");
  const left = chart.xOf(0, 365);
  const week = chart.xOf(7, 365);
  const year = chart.xOf(365, 365);
  assert.ok(Math.abs((week - left) / (year - left) - 1 / 3) < 1e-9);
});
