/**
 * Logs: the gateway's file log, live. `logs.tail` is read from a cursor once a second while the
 * view is on screen (nothing is polled in a hidden tab or after the view closes), filtered here by
 * level and text, kept at the bottom while "Follow" is on (scrolling up turns it off, scrolling
 * back down turns it on), paused on request, and the lines shown can be saved as a .log file.
 */
import { fill, h } from "../dom.ts";
import { RequestError } from "../gateway.ts";
import { LEVELS, matches, parseLogLine, type Level, type LogLine } from "./log-line.ts";
import type { View, ViewContext } from "./types.ts";

interface TailResult { file: string; cursor: number; size: number; lines: string[]; truncated?: boolean; reset?: boolean; skippedBytes?: number }

const POLL_MS = 1000;
/** Lines kept in the page; older ones drop off the top. */
const MAX_LINES = 2000;
const FIRST_READ = { limit: 500, maxBytes: 250_000 };
const NEXT_READ = { limit: 1000, maxBytes: 250_000 };

type Entry = { line: LogLine; el: HTMLElement | undefined } | { note: string; el: HTMLElement | undefined };

export function mount(host: HTMLElement, ctx: ViewContext): View {
  const entries: Entry[] = [];
  const levels = new Set<Level>(LEVELS.filter((l) => l !== "trace"));
  let text = "";
  let cursor: number | undefined;
  let file = "";
  let paused = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight = false;

  const list = h("div", { class: "log-list", id: "log-list", role: "log", "aria-label": "Log lines", tabindex: "0" });
  const empty = h("p", { class: "muted pad log-empty" }, "Reading the log…");
  const status = h("span", { class: "muted small", id: "log-status", role: "status" });
  const filter = h("input", {
    id: "log-filter", type: "search", placeholder: "Filter", "aria-label": "Filter lines by text", autocomplete: "off",
    oninput: () => {
      text = filter.value.trim().toLowerCase();
      renderAll();
    },
  });
  const follow = h("input", { id: "log-follow", type: "checkbox", checked: true, onchange: () => follow.checked && toBottom() });
  const pause = h("button", { type: "button", id: "log-pause", "aria-pressed": "false", onclick: () => setPaused(!paused) }, "Pause");
  const download = h("button", { type: "button", id: "log-download", onclick: () => save() }, "Download");
  const levelBoxes = LEVELS.map((l) =>
    h("label", { class: "lvl-chip" },
      h("input", {
        type: "checkbox", name: "level", value: l, checked: levels.has(l),
        onchange: (ev: Event) => {
          if ((ev.target as HTMLInputElement).checked) levels.add(l);
          else levels.delete(l);
          renderAll();
        },
      }),
      l,
    ),
  );

  fill(host, h("div", { class: "logs" },
    h("div", { class: "log-tools" },
      h("fieldset", { class: "log-levels" }, h("legend", { class: "sr-only" }, "Levels"), levelBoxes),
      filter,
      h("label", { class: "toggle", for: "log-follow" }, follow, "Follow"),
      pause,
      download,
    ),
    h("div", { class: "log-frame" }, empty, list),
    h("div", { class: "log-foot" }, status),
  ));

  const atBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 24;
  const toBottom = () => (list.scrollTop = list.scrollHeight);
  list.addEventListener("scroll", () => {
    // The user's scroll decides: up stops following, back at the bottom follows again.
    follow.checked = atBottom();
  }, { passive: true });

  function rowOf(e: Entry): HTMLElement {
    if ("note" in e) return h("div", { class: "log-note" }, e.note);
    const l = e.line;
    return h("div", { class: "log-row", "data-level": l.level },
      h("span", { class: "log-time" }, l.time),
      h("span", { class: "log-lvl" }, l.level),
      h("span", { class: "log-sub", title: l.subsystem || undefined }, l.tag),
      h("span", { class: "log-msg" }, l.message, l.fields ? h("span", { class: "log-fields" }, l.fields) : null),
    );
  }

  const visible = (e: Entry) => "note" in e || matches(e.line, levels, text);

  function renderAll(): void {
    const frag = document.createDocumentFragment();
    for (const e of entries) {
      e.el = undefined;
      if (!visible(e)) continue;
      e.el = rowOf(e);
      frag.appendChild(e.el);
    }
    list.replaceChildren(frag);
    updateStatus();
    if (follow.checked) toBottom();
  }

  function add(added: Entry[]): void {
    const frag = document.createDocumentFragment();
    for (const e of added) {
      entries.push(e);
      if (!visible(e)) continue;
      e.el = rowOf(e);
      frag.appendChild(e.el);
    }
    list.appendChild(frag);
    for (const old of entries.splice(0, Math.max(0, entries.length - MAX_LINES))) old.el?.remove();
    updateStatus();
    if (follow.checked) toBottom();
  }

  function shownLines(): LogLine[] {
    const out: LogLine[] = [];
    for (const e of entries) if (!("note" in e) && e.el) out.push(e.line);
    return out;
  }

  function updateStatus(error?: string): void {
    const shown = shownLines().length;
    const total = entries.filter((e) => !("note" in e)).length;
    empty.hidden = shown > 0;
    empty.textContent = cursor === undefined ? (error ? "Could not read the log." : "Reading the log…") : total === 0 ? "No log lines yet." : "No lines match the filter.";
    const state = error ? `Not reading: ${error}` : paused ? "Paused" : "Live";
    status.textContent = `${state} · ${shown === total ? `${total} lines` : `${shown} of ${total} lines`}${file ? ` · ${file}` : ""}`;
    status.dataset.state = error ? "error" : paused ? "paused" : "live";
  }

  async function poll(): Promise<void> {
    if (inflight || paused || ctx.signal.aborted) return;
    inflight = true;
    let error: string | undefined;
    try {
      const first = cursor === undefined;
      const res = await ctx.request<TailResult>("logs.tail", first ? FIRST_READ : { cursor, ...NEXT_READ });
      if (ctx.signal.aborted) return;
      const notes: Entry[] = [];
      if (first && res.truncated) notes.push({ note: `Earlier lines of ${res.file} are not shown.`, el: undefined });
      else if (!first && file && res.file !== file) notes.push({ note: `Now reading ${res.file}.`, el: undefined });
      else if (!first && res.skippedBytes) notes.push({ note: `${Math.round(res.skippedBytes / 1024)} KB of log skipped (more than one read's worth arrived at once).`, el: undefined });
      else if (!first && res.reset) notes.push({ note: "The log file was rotated or truncated; reading it from its start.", el: undefined });
      cursor = res.cursor;
      file = res.file;
      add([...notes, ...res.lines.map((raw) => ({ line: parseLogLine(raw), el: undefined }))]);
    } catch (err) {
      error = err instanceof RequestError ? err.error.message : (err as Error).message;
    } finally {
      inflight = false;
    }
    updateStatus(error);
    schedule();
  }

  function schedule(): void {
    clearTimeout(timer);
    timer = undefined;
    if (!paused && !document.hidden && !ctx.signal.aborted) timer = setTimeout(() => void poll(), POLL_MS);
  }

  function setPaused(on: boolean): void {
    paused = on;
    pause.textContent = on ? "Resume" : "Pause";
    pause.setAttribute("aria-pressed", String(on));
    if (on) clearTimeout(timer);
    else void poll();
    updateStatus();
  }

  function save(): void {
    const lines = shownLines();
    const blob = new Blob(lines.map((l) => `${l.raw}\n`), { type: "text/plain" });
    const url = URL.createObjectURL(blob);
    const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, "-");
    const a = h("a", { href: url, download: `openclaw-${stamp}.log`, hidden: true });
    document.body.appendChild(a);
    a.click();
    a.remove();
    // The download has its own reference by now; the URL is only needed for the click.
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  const onVisibility = () => (document.hidden ? clearTimeout(timer) : void poll());
  document.addEventListener("visibilitychange", onVisibility);
  ctx.signal.addEventListener("abort", () => {
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onVisibility);
  });

  updateStatus();
  void poll();
  return {
    reconnected: () => void poll(),
    unmount: () => clearTimeout(timer),
  };
}
