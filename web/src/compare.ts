// Compare: the order under every loaded policy of its currency, as a table and a chart.
import { api, type Decision, type PolicySummary } from "./api";
import { renderChart, type Curve } from "./chart";
import { moneyText } from "./money";
import { RawNumber, type OrderObject } from "./orderform";
import { el } from "./receipt";
import { addSeconds } from "./time";
import { declaredIn } from "./contract";

interface Row {
  policy: string;
  name: string;
  status: string;
  total?: string | number;
  paid?: string | number;
  rules?: string[];
  decision?: Decision;
  reason?: string;
  error?: string;
}

const DAY = 86_400;
const OUTCOME: Record<string, string> = { refund: "Refund", no_refund: "No refund", manual_review: "Manual review" };

function rowsOf(answer: unknown): Row[] {
  if (Array.isArray(answer)) return answer as Row[];
  const body = answer as Record<string, unknown>;
  for (const key of ["comparisons", "rows", "results"]) if (Array.isArray(body?.[key])) return body[key] as Row[];
  return [];
}

function text(v: unknown): string {
  return v instanceof RawNumber ? v.text : typeof v === "string" ? v : "";
}

/** Days to draw: every 6 hours in the first week, then every 3 days to the end of the term. */
export function sampleDays(order: OrderObject): number[] {
  const start = text(order.starts_at) || text(order.purchased_at);
  const end = text(order.expires_at);
  const term = start && end ? (Date.parse(end) - Date.parse(start)) / (DAY * 1000) : 365;
  const last = Math.min(Math.max(Math.ceil(Number.isFinite(term) ? term : 365), 8), 400);
  const days: number[] = [];
  for (let d = 0; d < 7; d += 0.25) days.push(d);
  for (let d = 7; d <= last; d += 3) days.push(d);
  return days;
}

/** The order with only the attributes `policyId` declares (as `refund compare` does). */
async function orderFor(policyId: string, order: OrderObject): Promise<OrderObject> {
  const given = order.attributes;
  if (!given || typeof given !== "object") return order;
  const declared = new Set(declaredIn((await api.policy(policyId)).source).attributes.map((a) => a.name));
  const attributes = Object.fromEntries(Object.entries(given as OrderObject).filter(([name]) => declared.has(name)));
  return { ...order, attributes };
}

async function curveOf(row: Row, order: OrderObject, days: number[]): Promise<Curve> {
  const start = text(order.starts_at) || text(order.purchased_at);
  const base = await orderFor(row.policy, order);
  const orders = days.map((d) => ({ ...base, requested_at: addSeconds(start, Math.round(d * DAY)) }));
  const answers = await api.evaluateMany(row.policy, orders);
  return {
    id: row.policy,
    name: row.name,
    points: days.map((d, i) => {
      const a = answers[i] as Partial<Decision> | undefined;
      const ok = a && a.amount !== undefined && a.rule !== undefined;
      return { days: d, amount: ok ? Number(a.amount) : null, amountText: ok ? String(a.amount) : "", rule: ok ? String(a.rule) : "error" };
    }),
  };
}

export async function renderCompare(box: HTMLElement, order: OrderObject, policies: PolicySummary[]): Promise<void> {
  box.replaceChildren(el("p", { class: "muted" }, "Deciding…"));
  const rows = rowsOf(await api.compare(order));
  // Same-currency policies first: the others cannot be compared (amounts are never converted).
  rows.sort((a, b) => Number(b.status === "decided") - Number(a.status === "decided"));
  const names = new Map(policies.map((p) => [p.id, p.name]));
  const currency = text(order.currency) || "CNY";
  const table = el("table", { class: "compare", "data-testid": "compare-table" },
    el("thead", {}, el("tr", {}, el("th", {}, "Provider"), el("th", {}, "Outcome"), el("th", { class: "num" }, "Refund"), el("th", { class: "num" }, "Paid"), el("th", {}, "Deciding rule"))));
  const body = el("tbody");
  const otherCurrency = rows.filter((r) => r.status === "not_comparable");
  for (const row of rows.filter((r) => r.status !== "not_comparable")) {
    const name = row.name || names.get(row.policy) || row.policy;
    if (row.status === "decided") {
      body.append(el("tr", { "data-policy": row.policy }, el("td", {}, name), el("td", {}, OUTCOME[row.decision?.outcome ?? ""] ?? row.decision?.outcome ?? ""),
        el("td", { class: "num" }, moneyText(row.total ?? "0", currency)), el("td", { class: "num" }, moneyText(row.paid ?? "0", currency)),
        el("td", {}, (row.rules ?? [row.decision?.rule ?? ""]).join(", "))));
    } else {
      body.append(el("tr", { "data-policy": row.policy, class: "muted" }, el("td", {}, name), el("td", { colspan: "4" }, row.reason ?? row.error ?? row.status)));
    }
  }
  if (otherCurrency.length) {
    const others = otherCurrency.map((r) => r.name || r.policy).join(", ");
    body.append(el("tr", { class: "muted" }, el("td", { colspan: "5" }, `In another currency, so not compared (amounts are never converted): ${others}`)));
  }
  table.append(body);
  box.replaceChildren(table, el("p", { class: "muted" }, "Drawing the refund over time…"));
  const decided = rows.filter((r) => r.status === "decided").map((r) => ({ ...r, name: r.name || names.get(r.policy) || r.policy }));
  const days = sampleDays(order);
  const curves = await Promise.all(decided.map((r) => curveOf(r, order, days)));
  box.replaceChildren(table, el("h3", {}, "Refund over time (hover for the amount and the deciding rule; click a provider to hide it)"), renderChart(curves, currency));
}
