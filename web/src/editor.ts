// The CodeMirror 6 editor: highlighting, diagnostics from /v1/check as you type, completion.
import { autocompletion, type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { HighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { type Diagnostic as CmDiagnostic, linter, lintGutter } from "@codemirror/lint";
import { EditorState, type Text } from "@codemirror/state";
import { EditorView, highlightActiveLine, keymap, lineNumbers } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import type { Diagnostic } from "./api";
import { ORDER_FIELDS, declaredIn } from "./contract";
import { CONTEXTUAL_KEYWORDS, RESERVED_KEYWORDS, TIME_UNITS } from "./keywords";
import { policyLanguage } from "./language";

const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: "#7a3e9d", fontWeight: "600" },
  { tag: tags.string, color: "#1a7f37" },
  { tag: tags.comment, color: "#6e7781", fontStyle: "italic" },
  { tag: tags.number, color: "#0550ae" },
  { tag: tags.bool, color: "#0550ae" },
  { tag: tags.unit, color: "#953800" },
  { tag: tags.propertyName, color: "#24292f" },
  { tag: tags.operator, color: "#cf222e" },
]);

/** A 1-based line and a column counted in characters (code points) -> a CodeMirror offset. */
export function offsetOf(doc: Text, line: number, column: number): number {
  const l = doc.line(Math.min(Math.max(line, 1), doc.lines));
  let units = 0;
  let chars = 1;
  for (const ch of l.text) {
    if (chars >= column) break;
    units += ch.length;
    chars++;
  }
  return l.from + units;
}

/** The range to underline: the diagnostic's span, else the word at its position. */
export function rangeOf(doc: Text, d: Diagnostic): { from: number; to: number } {
  const from = offsetOf(doc, d.line ?? 1, d.column ?? 1);
  if (d.end_line !== undefined && d.end_column !== undefined) {
    const to = offsetOf(doc, d.end_line, d.end_column);
    if (to > from) return { from, to };
  }
  const rest = doc.sliceString(from, Math.min(doc.length, from + 80));
  const word = /^[^\s(),:{}]+/.exec(rest);
  return { from, to: from + Math.max(1, word ? word[0].length : 1) };
}

function tooltipOf(d: Diagnostic): HTMLElement {
  const box = document.createElement("div");
  box.className = "diagnostic";
  const head = document.createElement("div");
  const code = document.createElement("code");
  code.textContent = d.code;
  head.append(code, ` ${d.message}`);
  box.append(head);
  if (d.label) {
    const label = document.createElement("div");
    label.className = "muted";
    label.textContent = d.label;
    box.append(label);
  }
  if (d.help) {
    const help = document.createElement("div");
    help.className = "help";
    help.textContent = `help: ${d.help}`;
    box.append(help);
  }
  return box;
}

export function toCodeMirror(doc: Text, diagnostics: Diagnostic[]): CmDiagnostic[] {
  return diagnostics.map((d) => ({
    ...rangeOf(doc, d),
    severity: d.severity === "warning" ? "warning" : "error",
    message: `${d.code}: ${d.message}${d.help ? `\nhelp: ${d.help}` : ""}`,
    renderMessage: () => tooltipOf(d),
  }));
}

function complete(context: CompletionContext): CompletionResult | null {
  const text = context.state.doc.toString();
  const path = context.matchBefore(/order\.[\w.]*/);
  if (path) {
    const attributes = declaredIn(text).attributes.map((a) => ({ label: `order.attributes.${a.name}`, type: "property", detail: a.type, info: a.label }));
    const fields = ORDER_FIELDS.map((f) => ({ label: `order.${f.path}`, type: "property", detail: f.kind, info: f.help }));
    return { from: path.from, options: [...fields, ...attributes], validFor: /^order\.[\w.]*$/ };
  }
  const word = context.matchBefore(/\w+/);
  if (!word || (word.from === word.to && !context.explicit)) return null;
  const declared = declaredIn(text);
  return {
    from: word.from,
    options: [
      ...RESERVED_KEYWORDS.map((k) => ({ label: k, type: "keyword" })),
      ...CONTEXTUAL_KEYWORDS.map((k) => ({ label: k, type: "keyword" })),
      ...TIME_UNITS.map((k) => ({ label: k, type: "constant" })),
      ...declared.names.map((n) => ({ label: n, type: "variable", detail: "declared" })),
    ],
    validFor: /^\w*$/,
  };
}

export interface EditorHooks {
  /** Diagnostics for the text, from the server (debounced by the linter). */
  check: (text: string) => Promise<Diagnostic[]>;
  onChange: (text: string) => void;
}

export function createEditor(parent: HTMLElement, text: string, hooks: EditorHooks): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        history(),
        highlightActiveLine(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        policyLanguage,
        syntaxHighlighting(highlight),
        autocompletion({ override: [complete] }),
        lintGutter(),
        linter(async (view) => toCodeMirror(view.state.doc, await hooks.check(view.state.doc.toString())), { delay: 350 }),
        EditorView.lineWrapping,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) hooks.onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
}
