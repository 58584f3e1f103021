// A decision as a receipt a non-engineer reads: lines with labels and amounts, where the money
// goes, which rule decided and why the earlier rules did not.
import type { Decision } from "./api";
import { moneyText } from "./money";

const DESTINATION: Record<string, string> = {
  original: "back the way it was paid",
  balance: "to the account balance",
  gift: "as gift credit",
  voucher: "as a voucher",
};

const OUTCOME: Record<string, string> = {
  refund: "Refund",
  no_refund: "No refund",
  manual_review: "Needs a person's approval",
};

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** The rule's sentence (its message in the policy), from the explanation when there is one. */
function ruleMessage(decision: Decision): string {
  const decided = decision.trace?.find((t) => t.kind === "decided");
  return decided?.message ?? decision.reasons[0] ?? decision.rule;
}

export function renderReceipt(decision: Decision): HTMLElement {
  const money = (a: string | number) => moneyText(a, decision.currency);
  const box = el("section", { class: "receipt", "data-testid": "receipt" });
  box.append(el("h3", {}, `${OUTCOME[decision.outcome] ?? decision.outcome}: `, el("span", { "data-testid": "receipt-total" }, money(decision.amount))));
  const table = el("table", { class: "lines" });
  for (const line of decision.lines) {
    table.append(el("tr", {}, el("td", {}, line.label), el("td", { class: "num" }, money(line.amount)), el("td", { class: "num muted" }, money(line.total))));
  }
  if (decision.lines.length) box.append(table);
  if (decision.refunds.length) {
    box.append(el("p", { class: "where" }, "Where the money goes: ", decision.refunds.map((r) => `${money(r.amount)} ${DESTINATION[r.to] ?? r.to}`).join("; ")));
  }
  box.append(el("p", { class: "why" }, "Decided by: ", el("strong", {}, ruleMessage(decision))));
  const skipped = (decision.trace ?? []).filter((t) => t.kind === "skipped");
  if (skipped.length) {
    const list = el("ul", { class: "skipped" });
    for (const s of skipped) {
      const read = (s.values ?? []).map((v) => `${v.name} = ${v.value}`).join(", ");
      list.append(el("li", {}, el("span", {}, s.message ?? s.rule ?? ""),
        el("div", { class: "muted" }, `did not apply: “${s.condition ?? ""}” is not true${read ? ` (${read})` : ""}`)));
    }
    box.append(el("p", {}, "Rules checked first that did not apply:"), list);
  }
  for (const note of decision.notes) box.append(el("p", { class: "note" }, note));
  if (decision.review === "manual") box.append(el("p", { class: "note" }, "A person approves this refund before it is paid."));
  return box;
}
