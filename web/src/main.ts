// The policy workbench: the policy on the left, what it pays on the right.
import type { EditorView } from "@codemirror/view";
import { ApiError, api, diagnosticsOf, examplesOf, type Diagnostic, type ExampleOutcome, type PolicySummary } from "./api";
import { declaredIn } from "./contract";
import { createEditor, offsetOf } from "./editor";
import { orderJson, parseOrder, renderOrderForm, type OrderObject } from "./orderform";
import { el, renderReceipt } from "./receipt";
import { renderCompare } from "./compare";
import { renderDiff } from "./whatchanges";

interface State {
  policies: PolicySummary[];
  id: string;
  /** The text on disk, as last loaded or saved. */
  saved: string;
  /** The texts saves replaced (the server's history), newest first. */
  history: string[];
  text: string;
  order: OrderObject;
  examples: ExampleOutcome[];
  /** The text has errors, so the examples shown are from the last text that checked. */
  examplesWaiting: boolean;
  diagnostics: Diagnostic[];
}

const state: State = { policies: [], id: "", saved: "", history: [], text: "", order: {}, examples: [], examplesWaiting: false, diagnostics: [] };
let editor: EditorView | null = null;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;

function status(message: string, kind: "ok" | "error" | "" = ""): void {
  const bar = $("#status");
  bar.textContent = message;
  bar.className = kind;
}

function showError(error: unknown): void {
  status(error instanceof Error ? error.message : String(error), "error");
}

/** The check the editor runs as you type; its example results feed the examples panel too. */
async function check(text: string): Promise<Diagnostic[]> {
  let answer: unknown;
  try {
    answer = await api.check(text);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    answer = error.body;
  }
  state.diagnostics = diagnosticsOf(answer);
  // A text with errors runs no example: keep the last results, marked as waiting.
  const ran = examplesOf(answer);
  state.examplesWaiting = ran.length === 0 && state.diagnostics.some((d) => d.severity !== "warning");
  if (!state.examplesWaiting) state.examples = ran;
  renderProblems();
  renderExamples();
  return state.diagnostics;
}

function renderProblems(): void {
  const list = $("#problems");
  list.replaceChildren(
    ...state.diagnostics.map((d) => {
      const item = el("li", { class: d.severity === "warning" ? "warning" : "error", title: "Show this line in the editor" },
        el("code", {}, d.code), ` line ${d.line ?? "?"}: ${d.message}`,
        ...(d.help ? [el("div", { class: "help" }, `help: ${d.help}`)] : []));
      item.addEventListener("click", () => {
        if (!editor || d.line === undefined) return;
        const at = offsetOf(editor.state.doc, d.line, d.column ?? 1);
        editor.dispatch({ selection: { anchor: at }, scrollIntoView: true });
        editor.focus();
      });
      return item;
    }),
  );
  $("#problem-count").textContent = state.diagnostics.length ? String(state.diagnostics.length) : "";
}

function renderExamples(): void {
  const list = $("#examples");
  list.classList.toggle("waiting", state.examplesWaiting);
  $("#examples-waiting").hidden = !state.examplesWaiting;
  list.replaceChildren(
    ...state.examples.map((example, i) => {
      const item = el("li", { class: example.passed ? "pass" : "fail", "data-testid": "example" },
        el("span", { class: "mark" }, example.passed ? "✓" : "✗"), ` ${example.name}`,
        ...example.failures.map((f) => el("div", { class: "muted" }, f)));
      item.title = "Load this example's order into “Try an order”";
      item.addEventListener("click", () => void loadExample(i).catch(showError));
      return item;
    }),
  );
}

async function loadExample(index: number): Promise<void> {
  const example = (await api.exampleOrders(state.text))[index];
  if (!example) return;
  state.order = example.order as OrderObject;
  showTab("order");
  renderOrder();
  await evaluate();
}

function renderOrder(): void {
  const declared = declaredIn(state.text);
  $("#order-form-box").replaceChildren(renderOrderForm(state.order, declared.attributes, () => {
    ($("#order-json") as HTMLTextAreaElement).value = orderJson(state.order);
  }));
  ($("#order-json") as HTMLTextAreaElement).value = orderJson(state.order);
}

function readRawOrder(): boolean {
  const raw = $("#order-json") as HTMLTextAreaElement;
  try {
    state.order = parseOrder(raw.value);
    return true;
  } catch (error) {
    status(`The order is not valid JSON: ${error instanceof Error ? error.message : error}`, "error");
    return false;
  }
}

async function evaluate(): Promise<void> {
  if ($("#order-json").classList.contains("active") && !readRawOrder()) return;
  const box = $("#receipt-box");
  try {
    const decision = await api.tryOrder(state.text, state.order);
    box.replaceChildren(renderReceipt(decision));
    status(state.text === state.saved ? "Decided with the saved policy." : "Decided with the text in the editor (not saved yet).", "ok");
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const help = error instanceof ApiError && error.body && typeof error.body === "object" ? (error.body as { help?: string }).help : undefined;
    box.replaceChildren(el("p", { class: "error", "data-testid": "receipt-error" }, message), ...(help ? [el("p", { class: "help" }, `help: ${help}`)] : []));
  }
}

function showTab(name: string): void {
  for (const tab of document.querySelectorAll<HTMLElement>("[data-tab]")) tab.classList.toggle("active", tab.dataset.tab === name);
  for (const panel of document.querySelectorAll<HTMLElement>("[data-panel]")) panel.hidden = panel.dataset.panel !== name;
}

async function loadPolicy(id: string): Promise<void> {
  const detail = await api.policy(id);
  state.id = id;
  state.saved = detail.source;
  state.text = detail.source;
  state.examples = examplesOf(detail);
  const first = (await api.exampleOrders(detail.source))[0];
  state.order = first ? (first.order as OrderObject) : {};
  editor?.destroy();
  editor = createEditor($("#editor"), detail.source, { check, onChange: (text) => (state.text = text) });
  renderExamples();
  renderOrder();
  await updateRestore();
  status(`${detail.name} — ${detail.currency}`);
}

function setText(text: string): void {
  if (!editor) return;
  editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
}

async function format(): Promise<void> {
  try {
    const answer = await api.format(state.text);
    setText(answer.text);
    status("Formatted.", "ok");
  } catch (error) {
    showError(error);
  }
}

async function save(text: string, what: string): Promise<boolean> {
  const token = ($("#token") as HTMLInputElement).value.trim();
  sessionStorage.setItem("refund-token", token);
  try {
    await api.save(state.id, text, token);
    state.saved = text;
    await updateRestore();
    status(`${what}: written to the policy folder.`, "ok");
    return true;
  } catch (error) {
    if (error instanceof ApiError && diagnosticsOf(error.body).length) {
      state.diagnostics = diagnosticsOf(error.body);
      const examples = examplesOf(error.body);
      if (examples.length) state.examples = examples;
      renderProblems();
      renderExamples();
      showTab("problems");
      status(`Not saved: ${error.message}. Fix the problems listed and save again.`, "error");
    } else if (error instanceof ApiError && error.status === 401) {
      status("Not saved: the token is wrong or missing. Paste the token from the server's --token-file.", "error");
    } else {
      showError(error);
    }
    return false;
  }
}

/** "20261201T043000.123456Z" -> "2026-12-01 04:30:00 UTC". */
function versionTime(version: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})/.exec(version);
  return m ? `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]} UTC` : version;
}

async function updateRestore(): Promise<void> {
  state.history = (await api.history(state.id).catch(() => [])).map((h) => h.version);
  const button = $("#restore") as HTMLButtonElement;
  const newest = state.history[0];
  button.disabled = newest === undefined;
  button.title = newest === undefined ? "No save has replaced this policy yet" : `Save again the text replaced at ${versionTime(newest)}`;
}

/** Writes back the text the last save replaced (itself kept in the history, so this can be undone too). */
async function restore(): Promise<void> {
  const newest = state.history[0];
  if (newest === undefined) return;
  try {
    const previous = await api.historyText(state.id, newest);
    if (await save(previous, `Previous version (replaced at ${versionTime(newest)}) restored`)) setText(previous);
  } catch (error) {
    showError(error);
  }
}

async function start(): Promise<void> {
  ($("#token") as HTMLInputElement).value = sessionStorage.getItem("refund-token") ?? "";
  for (const tab of document.querySelectorAll<HTMLElement>("[data-tab]")) tab.addEventListener("click", () => showTab(tab.dataset.tab ?? ""));
  $("#format").addEventListener("click", () => void format());
  $("#save").addEventListener("click", () => void save(state.text, "Saved"));
  $("#restore").addEventListener("click", () => void restore());
  $("#evaluate").addEventListener("click", () => void evaluate());
  $("#raw-tab").addEventListener("click", () => {
    $("#order-json").classList.add("active");
    $("#order-form-box").hidden = true;
    $("#order-json").hidden = false;
  });
  $("#form-tab").addEventListener("click", () => {
    if (!readRawOrder()) return;
    $("#order-json").classList.remove("active");
    renderOrder();
    $("#order-form-box").hidden = false;
    $("#order-json").hidden = true;
  });
  $("#compare-run").addEventListener("click", () => {
    if ($("#order-json").classList.contains("active") && !readRawOrder()) return;
    void renderCompare($("#compare-box"), state.order, state.policies).catch(showError);
  });
  $("#diff-run").addEventListener("click", () => {
    const file = ($("#diff-file") as HTMLInputElement).files?.[0];
    void renderDiff($("#diff-box"), state.id, state.text, file).catch(showError);
  });
  const picker = $("#policy") as HTMLSelectElement;
  picker.addEventListener("change", () => {
    if (state.text !== state.saved && !confirm("This policy has edits that are not saved. Open another and lose them?")) {
      picker.value = state.id;
      return;
    }
    void loadPolicy(picker.value).catch(showError);
  });
  // Leaving the page with unsaved edits asks first (the browser words the question).
  addEventListener("beforeunload", (event) => {
    if (state.text !== state.saved) event.preventDefault();
  });
  try {
    state.policies = await api.policies();
    picker.replaceChildren(...state.policies.map((p) => el("option", { value: p.id }, `${p.name} (${p.currency})`)));
    const wanted = new URLSearchParams(location.search).get("policy");
    const first = state.policies.find((p) => p.id === wanted) ?? state.policies[0];
    if (first) {
      picker.value = first.id;
      await loadPolicy(first.id);
    }
    showTab("examples");
  } catch (error) {
    showError(error);
  }
}

void start();
