// The try-an-order form: the order contract's fields and the policy's attributes, over one
// JSON object that the raw tab edits too.
import { ORDER_FIELDS, type DeclaredAttribute, type OrderField } from "./contract";
import { el } from "./receipt";

export type OrderObject = Record<string, unknown>;

function get(order: OrderObject, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as OrderObject)[key] : undefined), order);
}

function set(order: OrderObject, path: string, value: unknown): void {
  const keys = path.split(".");
  const last = keys.pop() ?? "";
  let node = order;
  for (const key of keys) {
    if (!node[key] || typeof node[key] !== "object") node[key] = {};
    node = node[key] as OrderObject;
  }
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function input(field: OrderField | { path: string; kind: string; choices?: readonly string[] }, value: unknown, onInput: (v: unknown) => void): HTMLElement {
  if (field.kind === "bool") {
    const box = el("input", { type: "checkbox", name: field.path });
    box.checked = value === true;
    box.addEventListener("change", () => onInput(box.checked));
    return box;
  }
  if (field.choices && field.choices.length) {
    const select = el("select", { name: field.path }, el("option", { value: "" }, "—"), ...field.choices.map((c) => el("option", { value: c }, c)));
    select.value = typeof value === "string" ? value : "";
    select.addEventListener("change", () => onInput(select.value || undefined));
    return select;
  }
  const box = el("input", { type: "text", name: field.path, spellcheck: "false" });
  box.value = value === undefined || value === null ? "" : String(value);
  box.addEventListener("input", () => {
    const v = box.value.trim();
    if (v === "") return onInput(undefined);
    // Amounts and counts stay exact decimal text in the JSON (the server reads numbers exactly).
    if ((field.kind === "amount" || field.kind === "count") && /^-?\d+(\.\d+)?$/.test(v)) return onInput(new RawNumber(v));
    onInput(v);
  });
  return box;
}

/** A number kept as its decimal text so that `0.1` is sent as written, never via a float. */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** JSON with RawNumber written as a bare number. */
export function orderJson(order: OrderObject, indent = 2): string {
  const marks: string[] = [];
  const text = JSON.stringify(order, (_k, v) => (v instanceof RawNumber ? `\u0000${marks.push(v.text) - 1}\u0000` : v), indent);
  return text.replace(/"\\u0000(\d+)\\u0000"/g, (_m, i) => marks[Number(i)] ?? "0");
}

const EXACT = "\u2063exact number";

/** Parses order JSON keeping every number's text (amounts are decimals, never floats). */
export function parseOrder(text: string): OrderObject {
  // Each number becomes {"exact number": "text"} before JSON.parse sees it (strings are skipped).
  const marked = text.replace(/("(?:\\.|[^"\\])*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g, (m, str) => (str ? m : `{"${EXACT}":"${m}"}`));
  return JSON.parse(marked, (_k, v) => (v && typeof v === "object" && EXACT in v ? new RawNumber(String(v[EXACT])) : v)) as OrderObject;
}

export function renderOrderForm(order: OrderObject, attributes: DeclaredAttribute[], onChange: () => void): HTMLElement {
  const form = el("form", { class: "order-form", "data-testid": "order-form" });
  form.addEventListener("submit", (e) => e.preventDefault());
  const row = (label: string, help: string, control: HTMLElement) => el("label", { title: help }, el("span", {}, label), control);
  for (const field of ORDER_FIELDS) {
    form.append(row(field.path, field.help, input(field, unwrap(get(order, field.path)), (v) => {
      set(order, field.path, v);
      onChange();
    })));
  }
  if (attributes.length) form.append(el("h4", {}, "This policy's attributes"));
  for (const a of attributes) {
    const kind = a.type === "bool" ? "bool" : a.type === "money" || a.type === "number" ? "amount" : a.type === "one_of" ? "choice" : "text";
    const path = `attributes.${a.name}`;
    form.append(row(a.label, a.name, input({ path, kind, choices: a.choices }, unwrap(get(order, path)), (v) => {
      set(order, path, v);
      onChange();
    })));
  }
  return form;
}

function unwrap(v: unknown): unknown {
  return v instanceof RawNumber ? v.text : v;
}
