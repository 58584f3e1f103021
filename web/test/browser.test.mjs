// The workbench in a real browser (Debian's Chromium driven by playwright-core) against a real
// `refund serve` that .ci/web starts: REFUND_URL, REFUND_POLICY_DIR (a temporary copy of
// policies/) and REFUND_TOKEN_FILE. One browser launch; one screenshot per step.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";

const base = process.env.REFUND_URL;
const folder = process.env.REFUND_POLICY_DIR;
const skip = base ? false : "REFUND_URL is not set: run `bash .ci/web`, which starts the server";
const shots = process.env.REFUND_SCREENSHOTS ?? join(process.cwd(), "screenshots");
const POLICY = "kufanyun";
const FILE = () => join(folder, `${POLICY}.policy`);

let browser;
let page;
const offSite = [];
const pageErrors = [];
let step = 0;

async function shot(name) {
  step += 1;
  await page.screenshot({ path: join(shots, `${String(step).padStart(2, "0")}-${name}.png`) });
}

/**
 * Selects the first `from` in the editor the way a mouse would (a DOM selection, which
 * CodeMirror reads) and types `to` over it key by key.
 */
async function edit(from, to) {
  // CodeMirror draws only the lines near the viewport: scroll until the text is drawn.
  let found = false;
  for (let scroll = 0; !found && scroll < 40; scroll++) {
    await page.evaluate((scroll) => {
      for (const box of [document.querySelector("#editor"), document.querySelector(".cm-scroller")]) box.scrollTop = scroll * 400;
    }, scroll);
    await page.waitForTimeout(30);
    found = await select(from);
  }
  assert.ok(found, `the editor shows ${from}`);
  // CodeMirror takes the DOM selection on the next selectionchange event.
  await page.waitForTimeout(50);
  await page.keyboard.type(to, { delay: 5 });
  // Close the completion list typing opened, as a person would.
  await page.keyboard.press("Escape");
}

function select(from) {
  return page.evaluate((from) => {
    const content = document.querySelector(".cm-content");
    content.focus();
    for (const line of content.querySelectorAll(".cm-line")) {
      const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
      const nodes = [];
      let text = "";
      while (walker.nextNode()) {
        nodes.push([walker.currentNode, text.length]);
        text += walker.currentNode.data;
      }
      const at = text.indexOf(from);
      if (at < 0) continue;
      const locate = (offset) => {
        const [node, start] = nodes.findLast(([, start]) => start <= offset);
        return [node, offset - start];
      };
      const range = document.createRange();
      range.setStart(...locate(at));
      range.setEnd(...locate(at + from.length));
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      return true;
    }
    return false;
  }, from);
}

before(async () => {
  if (skip) return;
  mkdirSync(shots, { recursive: true });
  console.log(`screenshots: ${shots}`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  page = await browser.newPage({ viewport: { width: 1500, height: 1000 } });
  page.setDefaultTimeout(15_000);
  const origin = new URL(base).origin;
  page.on("request", (request) => {
    if (!request.url().startsWith(origin) && !request.url().startsWith("data:")) offSite.push(request.url());
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
});

after(async () => {
  await browser?.close();
});

test("the page loads from the server alone, with the policy highlighted", { skip }, async () => {
  await page.goto(`${base}/?policy=${POLICY}`);
  await page.waitForSelector(".cm-content");
  await page.waitForSelector("[data-testid=example]");
  // `policy` is a keyword: drawn in the keyword colour, not as plain text.
  const colour = await page.evaluate(() => {
    const spans = [...document.querySelectorAll(".cm-line span")];
    const word = spans.find((s) => s.textContent === "policy");
    return word ? getComputedStyle(word).color : null;
  });
  assert.equal(colour, "rgb(122, 62, 157)");
  assert.deepEqual(offSite, [], "no request leaves the server (no CDN)");
  await shot("loaded");
});

test("a broken line is underlined with its message, code and help; fixing it clears it", { skip }, async () => {
  await edit("order.paid.cash", "order.paid.csh");
  const underline = page.locator(".cm-lintRange-error").first();
  await underline.waitFor();
  await underline.hover();
  const tip = page.locator(".cm-tooltip-lint .diagnostic").first();
  await tip.waitFor();
  const text = await tip.innerText();
  assert.match(text, /E\d{3}/, "the code is shown");
  assert.match(text, /csh/, "the message names the wrong field");
  assert.match(text, /help: .*cash/, "the help suggests the right field");
  await shot("diagnostic");
  await edit("order.paid.csh", "order.paid.cash");
  await page.waitForFunction(() => document.querySelectorAll(".cm-lintRange-error").length === 0);
  assert.equal(await page.locator("#problem-count").innerText(), "");
});

test("completion offers order fields and the names the file declares", { skip }, async () => {
  await page.click(".cm-content");
  await page.keyboard.press("Control+End");
  await page.keyboard.type("\norder.pa", { delay: 20 });
  await page.locator(".cm-tooltip-autocomplete").waitFor();
  const options = await page.locator(".cm-tooltip-autocomplete li").allInnerTexts();
  assert.ok(options.some((o) => o.includes("order.paid.cash")), `order.paid.cash offered: ${options}`);
  await page.keyboard.press("Escape");
  for (let i = 0; i < "\norder.pa".length; i++) await page.keyboard.press("Backspace");
});

test("format on demand lays the text out as refund fmt does", { skip }, async () => {
  await edit("currency CNY", "currency      CNY");
  await page.click("#format");
  await page.waitForFunction(() => document.querySelector("#status")?.textContent === "Formatted.");
  const line = await page.locator(".cm-line", { hasText: /^\s*currency\s+CNY$/ }).first().innerText();
  assert.equal(line, "  currency CNY");
});

test("an example runs and loads its order; the receipt reads in plain words", { skip }, async () => {
  await page.click("[data-tab=examples]");
  const first = page.locator("[data-testid=example]").first();
  assert.match(await first.innerText(), /✓/);
  await first.click();
  await page.locator("[data-testid=receipt-total]").waitFor();
  assert.equal(await page.locator("[data-testid=receipt-total]").innerText(), "900.00 CNY");
  const receipt = await page.locator("[data-testid=receipt]").innerText();
  assert.match(receipt, /Where the money goes: 900\.00 CNY back the way it was paid/);
  await shot("example-receipt");
});

test("a filled order gives the receipt total; earlier rules say why they did not apply", { skip }, async () => {
  await page.fill("input[name=requested_at]", "2026-03-06T10:00:00+08:00");
  await page.click("#evaluate");
  await page.waitForFunction(() => document.querySelector("[data-testid=receipt-total]")?.textContent === "876.30 CNY");
  const receipt = await page.locator("[data-testid=receipt]").innerText();
  assert.match(receipt, /Rules checked first that did not apply/);
  assert.match(receipt, /to the account balance/);
  assert.doesNotMatch(receipt, /\d\.\d{3,}/, "no sub-cent amounts");
  await shot("order-receipt");
  // The receipt follows the text being edited, before it is saved: a 20.00 CNY fee.
  await edit("= 10.00 CNY", "= 20.00 CNY");
  await page.click("#evaluate");
  await page.waitForFunction(() => document.querySelector("[data-testid=receipt-total]")?.textContent === "866.30 CNY");
  assert.match(await page.locator("#status").innerText(), /not saved yet/);
  await edit("= 20.00 CNY", "= 10.00 CNY");
});

test("compare shows a cell per provider and a chart whose Chinese names are drawn", { skip }, async () => {
  await page.click("[data-tab=compare]");
  await page.click("#compare-run");
  await page.locator("[data-testid=chart]").waitFor({ timeout: 60_000 });
  const row = page.locator(`[data-testid=compare-table] tr[data-policy=${POLICY}]`);
  assert.equal(await row.locator("td").nth(2).innerText(), "876.30 CNY");
  const legend = await page.locator(".legend").innerText();
  assert.match(legend, /酷番云/, "provider names, not ids, in the legend");
  const svg = page.locator("[data-testid=chart] > svg");
  await svg.scrollIntoViewIfNeeded();
  const box = await svg.boundingBox();
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  const tip = await page.locator("[data-testid=chart-tip]").innerText();
  assert.match(tip, /Asked after \d+ (day|hour)/);
  assert.match(tip, /CNY \(\w+\)/, "the amount and the deciding rule");
  // Chinese is drawn with real glyphs: two different characters must not draw the same box
  // (tofu), and neither may look like a character no font has.
  const glyphs = await page.evaluate(() => {
    const font = `20px ${getComputedStyle(document.querySelector(".legend")).fontFamily}`;
    const draw = (ch) => {
      const canvas = document.createElement("canvas");
      canvas.width = canvas.height = 32;
      const g = canvas.getContext("2d");
      g.font = font;
      g.fillText(ch, 4, 24);
      return Array.from(g.getImageData(0, 0, 32, 32).data).join(",");
    };
    return { a: draw("退"), b: draw("款"), missing: draw("\u{10FFFD}"), blank: draw(" ") };
  });
  assert.notEqual(glyphs.a, glyphs.blank, "退 is drawn");
  assert.notEqual(glyphs.a, glyphs.b, "退 and 款 are different glyphs, not the same box");
  assert.notEqual(glyphs.a, glyphs.missing, "退 is not the missing-glyph box");
  await page.mouse.move(box.x + box.width * 0.12, box.y + box.height * 0.4);
  await shot("compare");
});

test("what changes: the edited text against the saved one, on the examples", { skip }, async () => {
  await edit("held < 5 days", "held < 2 days");
  await page.click("[data-tab=diff]");
  await page.click("#diff-run");
  const summary = page.locator("[data-testid=diff-summary]");
  await summary.waitFor({ timeout: 30_000 });
  assert.match(await summary.innerText(), /^[1-9]\d* of 9 decisions change/, "the nine examples, each once");
  // The 48-hour example is no longer a no-reason refund: named by its example, in plain money.
  const group = await page.locator("#diff-box .group").first().innerText();
  assert.match(group, /no_reason → used_time/);
  assert.match(group, /48 小时内申请.*900\.00 CNY by no_reason → [\d,]+\.\d\d CNY by used_time/);
  await shot("what-changes");

  // An uploaded orders file, as JSON Lines and as CSV: only the 48-hour order changes.
  const json = ["within-48-hours", "exactly-120-hours"].map((name) => JSON.parse(readFileSync(new URL(`../../examples/orders/${name}.json`, import.meta.url), "utf8")));
  const jsonl = json.map((o) => JSON.stringify(o)).join("\n") + "\n";
  const header = "id,account.id,billing,purchase,currency,purchased_at,expires_at,requested_at,list_price,paid.cash,paid.voucher,payment_channel";
  const csv = [header, ...json.map((o) => [o.id, o.account.id, o.billing, o.purchase, o.currency, o.purchased_at, o.expires_at, o.requested_at, o.list_price, o.paid.cash, o.paid.voucher, o.payment_channel].join(","))].join("\r\n");
  for (const [name, text] of [["orders.jsonl", jsonl], ["orders.csv", csv]]) {
    await page.setInputFiles("#diff-file", { name, mimeType: "text/plain", buffer: Buffer.from(text) });
    await page.click("#diff-run");
    await page.waitForFunction((name) => document.querySelector("[data-testid=diff-summary]")?.textContent?.includes(name), name);
    assert.match(await summary.innerText(), new RegExp(`^1 of 2 decisions change on ${name.replace(".", "\\.")}`));
    assert.match(await page.locator("#diff-box .group").first().innerText(), /kfy-48h: 900\.00 CNY by no_reason →/);
  }
  await page.setInputFiles("#diff-file", []);
  await edit("held < 2 days", "held < 5 days");
});

test("saving a broken policy is refused with its problems; nothing is written", { skip }, async () => {
  const before = readFileSync(FILE(), "utf8");
  await edit("order.paid.cash", "order.paid.csh");
  await page.fill("#token", readFileSync(process.env.REFUND_TOKEN_FILE, "utf8").trim());
  await page.click("#save");
  await page.waitForFunction(() => document.querySelector("#status")?.textContent?.startsWith("Not saved"));
  assert.ok(await page.locator("[data-panel=problems] li").count() > 0, "the problems are listed");
  assert.equal(readFileSync(FILE(), "utf8"), before, "the file on disk is unchanged");
  await shot("save-refused");
  await edit("order.paid.csh", "order.paid.cash");
});

test("a wrong token is refused and says where the token comes from", { skip }, async () => {
  const before = readFileSync(FILE(), "utf8");
  const token = await page.inputValue("#token");
  await page.fill("#token", "not-the-token-of-this-server");
  await page.click("#save");
  await page.waitForFunction(() => document.querySelector("#status")?.textContent?.includes("token is wrong"));
  assert.equal(readFileSync(FILE(), "utf8"), before);
  await page.fill("#token", token);
});

test("saving a good policy writes it; the previous version can be restored", { skip }, async () => {
  const original = readFileSync(FILE(), "utf8");
  await edit("policy kufanyun {", "# 由工作台保存\npolicy kufanyun {");
  await page.click("#save");
  await page.waitForFunction(() => document.querySelector("#status")?.textContent?.startsWith("Saved"));
  const saved = readFileSync(FILE(), "utf8");
  assert.notEqual(saved, original);
  assert.equal(saved, original.replace("policy kufanyun {", "# 由工作台保存\npolicy kufanyun {"), "the file holds the edited text");
  await shot("saved");
  // The history is the server's: a page opened afresh can still restore.
  await page.reload();
  await page.waitForSelector("[data-testid=example]");
  await page.waitForFunction(() => !document.querySelector("#restore").disabled);
  await page.fill("#token", readFileSync(process.env.REFUND_TOKEN_FILE, "utf8").trim());
  await page.click("#restore");
  await page.waitForFunction(() => document.querySelector("#status")?.textContent?.startsWith("Previous version (replaced at "));
  assert.equal(readFileSync(FILE(), "utf8"), original, "the previous text is back on disk");
  await shot("restored");
  assert.deepEqual(offSite, [], "no request left the server during the whole session");
  assert.deepEqual(pageErrors, [], "no script error in the page");
});
