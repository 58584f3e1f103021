// What changes: the edited text against the saved one, on the examples or an uploaded orders
// file, through `refund diff`'s engine (POST /v1/diff).
import { api, type Decision } from "./api";
import { moneyText } from "./money";
import { orderJson, parseOrder, type OrderObject } from "./orderform";
import { el } from "./receipt";

/** A decision, or `{error}` (the engine's untagged `diff::Answer`). */
type Answer = Partial<Decision> & { error?: string };
interface Group { old_rule: string; new_rule: string; count: number; delta: string | number; examples: { order: { id?: string; currency?: string }; old: Answer; new: Answer }[] }
interface Impact { orders: number; changed: number; old_total: string | number; new_total: string | number; delta: string | number; groups: Group[] }

/** Orders from a JSON Lines file, numbers kept exact. */
export function ordersFromJsonLines(text: string): OrderObject[] {
  return text.split(/\r?\n/).filter((line) => line.trim() !== "").map((line) => parseOrder(line));
}

/** Splits CSV text into rows of cells (RFC 4180 quotes, "" inside quotes). */
export function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell !== "" || row.length) rows.push([...row, cell]);
  return rows.filter((r) => r.some((c) => c !== ""));
}

/**
 * Orders from CSV as `refund batch --csv` reads them: a header of JSON paths (`paid.cash`),
 * empty cells left out, `true`/`false` booleans, the quota count a number, the rest text.
 */
export function ordersFromCsv(text: string): OrderObject[] {
  const [header = [], ...rows] = csvRows(text);
  return rows.map((cells) => {
    const order: OrderObject = {};
    header.forEach((path, i) => {
      const cell = cells[i] ?? "";
      if (cell === "") return;
      const value = cell === "true" ? true : cell === "false" ? false : path === "account.no_reason_refunds_used" && /^\d+$/.test(cell) ? Number(cell) : cell;
      const keys = path.split(".");
      const last = keys.pop() ?? "";
      let node = order;
      for (const key of keys) node = (node[key] ??= {}) as OrderObject;
      node[last] = value;
    });
    return order;
  });
}

function answerText(a: Answer | undefined, currency: string): string {
  if (!a) return "";
  if (a.error !== undefined) return `not decided (${a.error})`;
  return `${moneyText(a.amount ?? "0", a.currency ?? currency)} by ${a.rule ?? "?"}`;
}

export async function renderDiff(box: HTMLElement, id: string, edited: string, file: File | undefined): Promise<void> {
  box.replaceChildren(el("p", { class: "muted" }, "Deciding the orders with both versions…"));
  let orders: unknown[];
  let source: string;
  if (file) {
    const text = await file.text();
    orders = /\.csv$/i.test(file.name) ? ordersFromCsv(text) : ordersFromJsonLines(text);
    source = file.name;
  } else {
    // The examples of both versions, each order once, named by its example.
    const saved = await api.exampleOrders((await api.policy(id)).source);
    const now = await api.exampleOrders(edited);
    const seen = new Map<string, unknown>();
    for (const example of [...saved, ...now]) {
      const order = { ...(example.order as OrderObject), id: example.name };
      seen.set(orderJson(order, 0), order);
    }
    orders = [...seen.values()];
    source = "the policy's examples";
  }
  const impact = (await api.diff(id, edited, orders)) as Impact;
  const currency = impact.groups[0]?.examples[0]?.order.currency ?? "CNY";
  const money = (a: string | number) => moneyText(a, currency);
  const summary = el("p", { "data-testid": "diff-summary" },
    el("strong", {}, `${impact.changed} of ${impact.orders}`), ` decisions change on ${source}. Total refunded: ${money(impact.old_total)} → ${money(impact.new_total)} (change ${money(impact.delta)}).`);
  const groups = impact.groups.map((g) =>
    el("section", { class: "group" },
      el("h4", {}, `${g.old_rule} → ${g.new_rule}: ${g.count} order${g.count === 1 ? "" : "s"}, change ${money(g.delta)}`),
      el("ul", {}, ...g.examples.slice(0, 5).map((e) => el("li", {}, `${e.order.id || "order"}: ${answerText(e.old, currency)} → ${answerText(e.new, currency)}`)))));
  box.replaceChildren(summary, ...(groups.length ? groups : [el("p", { class: "muted" }, "No decision changes.")]));
}
