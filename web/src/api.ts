// The calls the page makes to `refund serve` (issue #14's endpoints); nothing else is fetched.
import { RawNumber, orderJson, parseOrder } from "./orderform";

export interface Diagnostic {
  code: string;
  severity: "error" | "warning" | string;
  message: string;
  line?: number;
  column?: number;
  end_line?: number;
  end_column?: number;
  help?: string | null;
  label?: string;
}

export interface ExampleOutcome {
  name: string;
  passed: boolean;
  failures: string[];
  order?: unknown;
  decision?: Decision | null;
}

export interface CheckAnswer {
  ok: boolean;
  diagnostics: Diagnostic[];
  examples: ExampleOutcome[];
}

export interface Line { label: string; amount: string | number; kind: string; total: string | number }
export interface TraceEntry {
  kind: "skipped" | "decided" | "step";
  rule?: string;
  message?: string;
  condition?: string;
  values?: { name: string; value: string }[];
  label?: string;
  arithmetic?: string;
}
export interface Decision {
  order: string;
  policy: { id: string; name: string; version: string; digest: string };
  outcome: "refund" | "no_refund" | "manual_review";
  rule: string;
  amount: string | number;
  currency: string;
  refunds: { to: string; amount: string | number }[];
  lines: Line[];
  reasons: string[];
  notes: string[];
  review: string;
  trace?: TraceEntry[] | null;
}

export interface PolicySummary {
  id: string;
  name: string;
  currency: string;
  versions?: string[];
  digest?: string;
  status?: unknown;
}

export interface PolicyDetail extends PolicySummary {
  source: string;
  examples: ExampleOutcome[];
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** A request body: JSON (amounts kept exact, see RawNumber) or a policy's text as it is. */
type Body = { json: unknown } | { text: string };

/**
 * How numbers in an answer are read: `orders` keeps each as RawNumber (orders are sent back
 * exactly as received); `amounts` makes decimals strings ("876.30") and small integers numbers,
 * so no amount ever passes through a binary float.
 */
type Numbers = "orders" | "amounts";

function exact(value: unknown): unknown {
  if (value instanceof RawNumber) return /^-?\d{1,15}$/.test(value.text) ? Number(value.text) : value.text;
  if (Array.isArray(value)) return value.map(exact);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exact(v)]));
  return value;
}

async function call<T>(method: string, path: string, body?: Body, headers: Record<string, string> = {}, numbers: Numbers = "amounts"): Promise<T> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    const json = "json" in body;
    init.body = json ? orderJson(body.json as Record<string, unknown>, 0) : body.text;
    (init.headers as Record<string, string>)["content-type"] = json ? "application/json" : "text/plain; charset=utf-8";
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === "" ? null : numbers === "orders" ? parseOrder(text) : exact(parseOrder(text));
  } catch {
    // A plain-text answer stays text.
  }
  if (!response.ok) throw new ApiError(problemText(parsed) ?? `${response.status} ${response.statusText}`, response.status, parsed);
  return parsed as T;
}

/** The human sentence of a problem+json answer. */
export function problemText(body: unknown): string | undefined {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    if (typeof b.detail === "string") return b.detail;
    if (typeof b.title === "string") return b.title;
    return undefined;
  }
  return typeof body === "string" && body ? body : undefined;
}

/** Diagnostics wherever an answer carries them (a check answer or a 422 problem). */
export function diagnosticsOf(body: unknown): Diagnostic[] {
  if (body && typeof body === "object" && Array.isArray((body as { diagnostics?: unknown }).diagnostics)) {
    return (body as { diagnostics: Diagnostic[] }).diagnostics;
  }
  return [];
}

/** Example results of a check answer or a policy, in one shape whatever the server names them. */
export function examplesOf(body: unknown): ExampleOutcome[] {
  const list = body && typeof body === "object" ? (body as { examples?: unknown }).examples : undefined;
  if (!Array.isArray(list)) return [];
  return list.map((raw) => {
    const e = raw as Record<string, unknown>;
    const failures = Array.isArray(e.failures) ? (e.failures as string[]) : [];
    return {
      name: String(e.name ?? ""),
      passed: typeof e.passed === "boolean" ? e.passed : failures.length === 0,
      failures,
      order: e.order,
      decision: (e.decision as Decision | null | undefined) ?? null,
    };
  });
}

export interface ExampleOrder { name: string; order: unknown }

export const api = {
  policies: () => call<PolicySummary[]>("GET", "/v1/policies"),
  policy: (id: string) => call<PolicyDetail>("GET", `/v1/policies/${encodeURIComponent(id)}`),
  check: (text: string) => call<unknown>("POST", "/v1/check", { text }),
  format: (text: string) => call<{ text: string }>("POST", "/v1/format", { text }),
  exampleOrders: (text: string) => call<ExampleOrder[]>("POST", "/v1/example-orders", { text }, {}, "orders"),
  evaluate: (id: string, order: unknown) => call<Decision>("POST", `/v1/policies/${encodeURIComponent(id)}/evaluate?explain=true`, { json: order }),
  /** Decides an order with the text in the editor (saved or not), explained. */
  tryOrder: (text: string, order: unknown) => call<Decision>("POST", "/v1/try", { json: { text, order } }),
  evaluateMany: (id: string, orders: unknown[]) => call<unknown[]>("POST", `/v1/policies/${encodeURIComponent(id)}/evaluate`, { json: orders }),
  compare: (order: unknown, policies?: string[]) => call<unknown>("POST", "/v1/compare", { json: { order, policies } }),
  /** `old` and `new`: a loaded policy's id or a policy's text. */
  diff: (old: string, next: string, orders: unknown[]) => call<unknown>("POST", "/v1/diff", { json: { old, new: next, orders } }),
  /** The texts saves replaced, newest first. */
  history: (id: string) => call<{ version: string }[]>("GET", `/v1/policies/${encodeURIComponent(id)}/history`),
  historyText: (id: string, version: string) => call<string>("GET", `/v1/policies/${encodeURIComponent(id)}/history/${encodeURIComponent(version)}`),
  save: (id: string, text: string, token: string) =>
    call<unknown>("PUT", `/v1/policies/${encodeURIComponent(id)}`, { text }, { authorization: `Bearer ${token}` }),
};
