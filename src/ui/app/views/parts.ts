/**
 * Small building blocks shared by the operator views (sessions, presence, nodes, channels): data
 * tables that stack into labelled rows on narrow screens, status badges, ages, error text. Only the
 * lazily loaded views import this, so it lands in their shared chunk, not in the first load.
 */
import { fill, h, type Child } from "../dom.ts";
import { RequestError } from "../gateway.ts";

export type Tone = "ok" | "warn" | "danger" | "muted" | "accent";

export function badge(text: string, tone: Tone = "muted", title?: string): HTMLElement {
  return h("span", { class: "badge", "data-tone": tone, title }, text);
}

export interface Column<T> {
  label: string;
  cell(row: T): Child;
  /** Extra class for the cells (e.g. "num", "wrap", "actions"). */
  class?: string;
}

/**
 * A table whose cells carry their column's name in data-label: the stylesheet turns each row into
 * a labelled block at narrow widths, so nothing scrolls sideways at 360 px.
 */
export function dataTable<T>(opts: { id?: string; caption: string; columns: Column<T>[]; rows: T[]; rowKey?(row: T): string; empty: string }): HTMLElement {
  if (opts.rows.length === 0) return h("p", { class: "muted table-empty", id: opts.id }, opts.empty);
  return h("table", { class: "table", id: opts.id },
    h("caption", { class: "sr-only" }, opts.caption),
    h("thead", null, h("tr", null, opts.columns.map((c) => h("th", { scope: "col", class: c.class }, c.label)))),
    h("tbody", null, opts.rows.map((row) =>
      h("tr", { "data-key": opts.rowKey?.(row) }, opts.columns.map((c) => h("td", { "data-label": c.label, class: c.class }, c.cell(row)))),
    )),
  );
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function ago(ms: number | undefined, now = Date.now()): string {
  if (ms === undefined || !Number.isFinite(ms)) return "—";
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 5) return "just now";
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** A <time> with the age as text and the full date as its tooltip; `data-ts` lets a timer refresh it. */
export function ageEl(ms: number | undefined): HTMLElement {
  if (ms === undefined) return h("span", { class: "muted" }, "—");
  return h("time", { datetime: new Date(ms).toISOString(), title: new Date(ms).toLocaleString(), "data-ts": String(ms) }, ago(ms));
}

/** Rewrites every ageEl under `root` (call from an interval). */
export function refreshAges(root: ParentNode): void {
  const now = Date.now();
  for (const el of root.querySelectorAll<HTMLElement>("time[data-ts]")) el.textContent = ago(Number(el.dataset.ts), now);
}

/** A gateway refusal as one line: its message, with the code when the message does not say it. */
export function errorText(err: unknown): string {
  if (err instanceof RequestError) {
    const code = err.error.details?.code ?? err.error.code;
    return err.error.message.includes(code) ? err.error.message : `${err.error.message} (${code})`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** An inline alert line; empty text hides it. */
export function setAlert(el: HTMLElement, text: string | undefined, tone: "error" | "ok" = "error"): void {
  el.hidden = !text;
  el.textContent = text ?? "";
  el.dataset.tone = tone;
}

export function alertEl(id?: string): HTMLElement {
  return h("p", { class: "alert", id, role: "alert", hidden: true });
}

/** A list of names as small chips, folded after `max` with the rest in the tooltip. */
export function chips(names: readonly string[] | undefined, max = 8): Child {
  if (!names || names.length === 0) return h("span", { class: "muted" }, "—");
  const shown = names.slice(0, max);
  const rest = names.length - shown.length;
  return h("span", { class: "chips" }, shown.map((n) => h("code", null, n)), rest > 0 ? h("span", { class: "muted small", title: names.slice(max).join(", ") }, `+${rest}`) : null);
}

/** "0123abcd…": long ids readable in a table, whole in the tooltip. */
export function shortId(id: string, len = 10): HTMLElement {
  return h("code", { title: id, class: "id" }, id.length > len + 1 ? `${id.slice(0, len)}…` : id);
}

/** Runs `fn` with `button` disabled (no double submits); the button is enabled again after. */
export async function busy<T>(button: HTMLButtonElement, fn: () => Promise<T>): Promise<T> {
  button.disabled = true;
  try {
    return await fn();
  } finally {
    button.disabled = false;
  }
}

/** Calls `fn` every `ms` until the view unmounts. */
export function every(signal: AbortSignal, ms: number, fn: () => void): void {
  const timer = setInterval(fn, ms);
  signal.addEventListener("abort", () => clearInterval(timer), { once: true });
}

/** Coalesces bursts (a flurry of events) into one call after `ms`. */
export function debounce(signal: AbortSignal, ms: number, fn: () => void): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!signal.aborted) fn();
    }, ms);
  };
}

/**
 * Replaces `box`'s content and puts keyboard focus back where it was: on the same control (same
 * data-action, else same text) of the same row (data-key). Tables are rebuilt whenever data
 * changes; without this, a refresh would throw the keyboard user's place away.
 */
export function refill(box: HTMLElement, content: Child): void {
  const active = document.activeElement;
  const within = active instanceof HTMLElement && box.contains(active) ? active : undefined;
  const rowKey = within?.closest<HTMLElement>("[data-key]")?.dataset.key;
  const action = within?.dataset.action;
  const text = within?.textContent;
  const tag = within?.tagName;
  fill(box, content);
  if (!within || rowKey === undefined) return;
  const row = [...box.querySelectorAll<HTMLElement>("[data-key]")].find((el) => el.dataset.key === rowKey);
  const candidates = row ? [...row.querySelectorAll<HTMLElement>(tag ?? "*")] : [];
  const again = candidates.find((el) => (action ? el.dataset.action === action : el.textContent === text));
  again?.focus();
}
