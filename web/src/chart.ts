// The refund-over-time chart: one line per provider, drawn as SVG (no chart library, no network).
// The x axis is split: the first week takes a third of the width so the days a refund changes
// most (no-reason windows of 24 h to 7 days) stay readable next to a whole year.
import { moneyText } from "./money";

export interface CurvePoint { days: number; amount: number | null; amountText: string; rule: string }
export interface Curve { id: string; name: string; points: CurvePoint[] }

const WIDTH = 760;
const HEIGHT = 340;
const LEFT = 70;
const RIGHT = 16;
const TOP = 14;
const BOTTOM = 34;
const SPLIT_DAYS = 7;
const SPLIT_SHARE = 1 / 3;
/** Colour-blind-safe palette (Okabe-Ito) and a dash per line, so two lines on top of each other still show. */
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
const DASHES = ["", "8 4", "2 3", "10 3 2 3", "4 4", "1 2", "12 2", "6 2 2 2"];
const MARKERS = ["circle", "square", "diamond", "triangle"] as const;

const SVG = "http://www.w3.org/2000/svg";
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

/** `0.75` -> "after 18 hours", `2.25` -> "after 2 days 6 hours", `30` -> "after 30 days". */
export function heldText(days: number): string {
  const whole = Math.floor(days);
  const hours = Math.round((days - whole) * 24);
  const parts = [whole ? `${whole} day${whole === 1 ? "" : "s"}` : "", hours ? `${hours} hour${hours === 1 ? "" : "s"}` : ""].filter(Boolean);
  return `Asked after ${parts.join(" ") || "0 hours"}`;
}

export function xOf(days: number, maxDays: number): number {
  const plot = WIDTH - LEFT - RIGHT;
  if (maxDays <= SPLIT_DAYS) return LEFT + (days / maxDays) * plot;
  if (days <= SPLIT_DAYS) return LEFT + (days / SPLIT_DAYS) * plot * SPLIT_SHARE;
  return LEFT + plot * SPLIT_SHARE + ((days - SPLIT_DAYS) / (maxDays - SPLIT_DAYS)) * plot * (1 - SPLIT_SHARE);
}

function marker(kind: (typeof MARKERS)[number], x: number, y: number, colour: string): SVGElement {
  const r = 3.5;
  if (kind === "circle") return svg("circle", { cx: x, cy: y, r, fill: colour });
  if (kind === "square") return svg("rect", { x: x - r, y: y - r, width: 2 * r, height: 2 * r, fill: colour });
  const points = kind === "diamond" ? [[x, y - r - 1], [x + r + 1, y], [x, y + r + 1], [x - r - 1, y]] : [[x, y - r - 1], [x + r + 1, y + r], [x - r - 1, y + r]];
  return svg("polygon", { points: points.map((p) => p.join(",")).join(" "), fill: colour });
}

export function renderChart(curves: Curve[], currency: string): HTMLElement {
  const box = document.createElement("div");
  box.className = "chart";
  box.dataset.testid = "chart";
  const maxDays = Math.max(1, ...curves.flatMap((c) => c.points.map((p) => p.days)));
  const maxAmount = Math.max(1, ...curves.flatMap((c) => c.points.map((p) => p.amount ?? 0)));
  const yOf = (a: number) => TOP + (1 - a / maxAmount) * (HEIGHT - TOP - BOTTOM);
  const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT, role: "img" });
  root.append(svg("title", {}));
  root.lastChild!.textContent = "Refund over time, one line per provider";

  for (let i = 0; i <= 4; i++) {
    const a = (maxAmount * i) / 4;
    root.append(svg("line", { x1: LEFT, x2: WIDTH - RIGHT, y1: yOf(a), y2: yOf(a), class: "grid" }));
    const label = svg("text", { x: LEFT - 6, y: yOf(a) + 4, "text-anchor": "end", class: "tick" });
    label.textContent = Math.round(a).toLocaleString("en");
    root.append(label);
  }
  const ticks = maxDays > SPLIT_DAYS ? [0, 1, 2, 3, 5, 7, ...[30, 90, 180, 270, 365, 730].filter((d) => d < maxDays), maxDays] : [0, 1, 2, 3, 5, 7];
  for (const d of new Set(ticks)) {
    const label = svg("text", { x: xOf(d, maxDays), y: HEIGHT - BOTTOM + 16, "text-anchor": "middle", class: "tick" });
    label.textContent = `${d}d`;
    root.append(label);
  }
  if (maxDays > SPLIT_DAYS) {
    const x = xOf(SPLIT_DAYS, maxDays);
    root.append(svg("line", { x1: x, x2: x, y1: TOP, y2: HEIGHT - BOTTOM, class: "split" }));
    const note = svg("text", { x: x + 4, y: TOP + 10, class: "tick" });
    note.textContent = "scale changes after day 7";
    root.append(note);
  }
  const axis = svg("text", { x: (LEFT + WIDTH) / 2, y: HEIGHT - 4, "text-anchor": "middle", class: "tick" });
  axis.textContent = "days since the service started";
  root.append(axis);

  const legend = document.createElement("ul");
  legend.className = "legend";
  curves.forEach((curve, i) => {
    const colour = COLOURS[i % COLOURS.length] ?? "#000";
    const group = svg("g", { "data-policy": curve.id });
    const drawn = curve.points.filter((p) => p.amount !== null);
    const d = drawn.map((p, j) => `${j ? "L" : "M"}${xOf(p.days, maxDays).toFixed(1)},${yOf(p.amount ?? 0).toFixed(1)}`).join("");
    group.append(svg("path", { d, fill: "none", stroke: colour, "stroke-width": 2, "stroke-dasharray": DASHES[i % DASHES.length] ?? "" }));
    const kind = MARKERS[i % MARKERS.length] ?? "circle";
    // Markers every few points, staggered per line, so coinciding lines show both shapes.
    drawn.forEach((p, j) => {
      if ((j + i) % 6 === 0) group.append(marker(kind, xOf(p.days, maxDays), yOf(p.amount ?? 0), colour));
    });
    root.append(group);
    const item = document.createElement("li");
    const swatch = document.createElementNS(SVG, "svg");
    swatch.setAttribute("width", "34");
    swatch.setAttribute("height", "12");
    swatch.append(svg("line", { x1: 0, x2: 34, y1: 6, y2: 6, stroke: colour, "stroke-width": 2, "stroke-dasharray": DASHES[i % DASHES.length] ?? "" }), marker(kind, 17, 6, colour));
    item.append(swatch, ` ${curve.name}`);
    item.title = "Click to hide or show this provider";
    item.addEventListener("click", () => {
      item.classList.toggle("off");
      group.style.display = item.classList.contains("off") ? "none" : "";
    });
    legend.append(item);
  });

  const cursor = svg("line", { x1: 0, x2: 0, y1: TOP, y2: HEIGHT - BOTTOM, class: "cursor", visibility: "hidden" });
  root.append(cursor);
  const tip = document.createElement("div");
  tip.className = "tip";
  tip.dataset.testid = "chart-tip";
  tip.hidden = true;
  root.addEventListener("mousemove", (event) => {
    const rect = root.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * WIDTH;
    const nearest = (c: Curve) => c.points.reduce((best, p) => (Math.abs(xOf(p.days, maxDays) - x) < Math.abs(xOf(best.days, maxDays) - x) ? p : best), c.points[0] ?? { days: 0, amount: null, amountText: "", rule: "" });
    const first = curves[0] ? nearest(curves[0]) : undefined;
    if (!first) return;
    cursor.setAttribute("x1", String(xOf(first.days, maxDays)));
    cursor.setAttribute("x2", String(xOf(first.days, maxDays)));
    cursor.setAttribute("visibility", "visible");
    tip.replaceChildren();
    const head = document.createElement("strong");
    head.textContent = heldText(first.days);
    tip.append(head);
    curves.forEach((c, i) => {
      const p = nearest(c);
      const row = document.createElement("div");
      row.style.color = COLOURS[i % COLOURS.length] ?? "";
      row.textContent = `${c.name}: ${p.amount === null ? "—" : moneyText(p.amountText, currency)} (${p.rule})`;
      tip.append(row);
    });
    tip.hidden = false;
    tip.style.left = `${Math.min(event.clientX - rect.left + 12, rect.width - 260)}px`;
    tip.style.top = `${event.clientY - rect.top + 12}px`;
  });
  root.addEventListener("mouseleave", () => {
    tip.hidden = true;
    cursor.setAttribute("visibility", "hidden");
  });
  box.append(root, tip, legend);
  return box;
}
