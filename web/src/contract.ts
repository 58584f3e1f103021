// The order contract (src/order.rs) as the form and the completion know it. A field's `path` is
// its JSON path in an order; `choices` are the symbols an enum field accepts.

export type FieldKind = "text" | "instant" | "amount" | "count" | "bool" | "choice";

export interface OrderField {
  path: string;
  kind: FieldKind;
  choices?: readonly string[];
  help: string;
}

export const ORDER_FIELDS: readonly OrderField[] = [
  { path: "id", kind: "text", help: "The order's id" },
  { path: "currency", kind: "text", help: "ISO 4217 code, e.g. CNY" },
  { path: "billing", kind: "choice", choices: ["subscription", "pay_as_you_go"], help: "How the order is billed" },
  { path: "purchase", kind: "choice", choices: ["new", "renewal", "upgrade"], help: "New purchase, renewal or upgrade" },
  { path: "purchased_at", kind: "instant", help: "When it was bought" },
  { path: "starts_at", kind: "instant", help: "When the service starts" },
  { path: "expires_at", kind: "instant", help: "When the service ends" },
  { path: "requested_at", kind: "instant", help: "When the refund is asked for" },
  { path: "list_price", kind: "amount", help: "The price before discounts" },
  { path: "discount", kind: "amount", help: "The discount given" },
  { path: "paid.cash", kind: "amount", help: "Real money paid" },
  { path: "paid.voucher", kind: "amount", help: "Vouchers applied" },
  { path: "paid.gift", kind: "amount", help: "Gift credit spent" },
  { path: "payment_channel", kind: "choice", choices: ["alipay", "wechat", "card", "bank_transfer", "balance"], help: "How the cash was paid" },
  { path: "refund_to", kind: "choice", choices: ["original", "balance"], help: "Where the customer asked the money to go" },
  { path: "account.id", kind: "text", help: "The buying account" },
  { path: "account.kind", kind: "choice", choices: ["individual", "enterprise"], help: "Individual or enterprise" },
  { path: "account.arrears", kind: "amount", help: "Money the account owes" },
  { path: "account.no_reason_refunds_used", kind: "count", help: "No-reason refunds already used" },
  { path: "account.refunded_last_12_months", kind: "amount", help: "Refunded over the last 12 months" },
  { path: "promotion.name", kind: "text", help: "The promotion's name" },
  { path: "promotion.non_refundable", kind: "bool", help: "The promotion forbids refunds" },
  { path: "traffic.used_gb", kind: "amount", help: "Gigabytes used" },
  { path: "traffic.quota_gb", kind: "amount", help: "Gigabytes included" },
  { path: "banned_for_violation", kind: "bool", help: "Banned for a violation" },
  { path: "deposit", kind: "amount", help: "Deposit held (pay-as-you-go)" },
];

/** An `attribute` declared in a policy: extra order facts under `order.attributes`. */
export interface DeclaredAttribute {
  name: string;
  type: string;
  choices: string[];
  label: string;
}

/** Names a policy declares (attributes, consts, lets, tables, rules), read from its text. */
export interface Declared {
  attributes: DeclaredAttribute[];
  names: string[];
}

const ATTRIBUTE = /^\s*attribute\s+([A-Za-z_]\w*)\s*:\s*(one_of\s*\(([^)]*)\)|[A-Za-z_]\w*)[^"\n]*(?:"((?:\\.|[^"\\])*)")?/gm;
const NAMED = /^\s*(?:const|let|table|rule)\s+([A-Za-z_]\w*)/gm;

/** What the text declares; tolerant of a half-typed file, since it runs on every keystroke. */
export function declaredIn(text: string): Declared {
  const attributes: DeclaredAttribute[] = [];
  for (const m of text.matchAll(ATTRIBUTE)) {
    const [, name = "", type = "", choices, label] = m;
    attributes.push({
      name,
      type: choices === undefined ? type : "one_of",
      choices: choices === undefined ? [] : choices.split(",").map((c) => c.trim()).filter(Boolean),
      label: label ?? name,
    });
  }
  const names = [...text.matchAll(NAMED)].map((m) => m[1] ?? "").filter(Boolean);
  return { attributes, names };
}
