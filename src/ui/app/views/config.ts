/**
 * Config: the gateway's config file as config.get returns it (secrets shown as the redaction
 * marker, which config.apply turns back into the stored value), edited as text and applied with
 * config.apply under the hash it was loaded with. A refusal lists every issue with its key path;
 * choosing one selects that key in the editor. A success says which keys changed and whether the
 * gateway restarts for them. The side panel explains the key under the cursor (config.schema.lookup).
 */
import { fill, h } from "../dom.ts";
import { RequestError } from "../gateway.ts";
import { lineAt, locatePath, offsetOf, pathAt } from "./config-text.ts";
import type { View, ViewContext } from "./types.ts";

interface Issue { path: string; message: string }
interface ConfigSnapshot { path: string; exists: boolean; raw: string | null; parsed: unknown; valid: boolean; hash: string; issues: Issue[]; warnings: Issue[] }
interface WriteResult { hash: string; changedPaths: string[]; sentinel: { payload: { status: "ok" | "skipped"; stats: { requiresRestart: boolean } } } }
interface Lookup { path: string; schema: Record<string, unknown>; children: Array<{ key: string; type?: string | string[]; description?: string; required: boolean }> }

/** config-write.ts's wording for a stale base hash. */
const STALE = "config changed since last load";

/** A problem to list: a key path, or a position in the text (a parse error). */
type Problem = { path: string; message: string } | { line: number; column: number; message: string };

export function mount(host: HTMLElement, ctx: ViewContext): View {
  const canWrite = ctx.hello().auth.scopes.includes("operator.admin") && ctx.hasMethod("config.apply");
  let loaded: ConfigSnapshot | undefined;
  let loadedText = "";
  let busy = false;

  const editor = h("textarea", {
    id: "config-editor", class: "config-editor", spellcheck: "false", wrap: "off", autocomplete: "off",
    "aria-label": "Config file", "aria-describedby": "config-hint", readonly: !canWrite,
    oninput: () => updateDirty(),
    onkeydown: (ev: KeyboardEvent) => {
      if ((ev.ctrlKey || ev.metaKey) && (ev.key === "s" || ev.key === "Enter")) {
        ev.preventDefault();
        void apply();
      }
    },
  });
  const file = h("code", { class: "config-path" });
  const state = h("span", { class: "config-state muted small", id: "config-state" });
  const applyButton = h("button", { type: "button", class: "primary", id: "config-apply", hidden: !canWrite, onclick: () => void apply() }, "Apply");
  const reloadButton = h("button", { type: "button", id: "config-reload", onclick: () => void load(true) }, "Reload");
  const result = h("div", { class: "config-result", id: "config-result", role: "status", "aria-live": "polite" });
  const issues = h("ol", { class: "config-issues", id: "config-issues", "aria-label": "Problems" });
  const help = h("div", { class: "config-help", id: "config-help", "aria-live": "polite" });

  fill(host, h("div", { class: "config" },
    h("div", { class: "config-main" },
      h("div", { class: "config-head" },
        h("h2", null, "Config"), file, state,
        h("div", { class: "row config-actions" }, reloadButton, applyButton),
      ),
      result,
      editor,
      h("p", { id: "config-hint", class: "muted small" },
        canWrite
          ? "JSON5. Ctrl+S applies: the whole file is checked first and nothing is written unless it is valid. Secrets show as __OPENCLAW_REDACTED__; leave them so to keep them."
          : "Read only: applying changes needs the operator.admin scope."),
    ),
    h("aside", { class: "config-side", "aria-label": "Problems and key help" },
      h("section", { class: "stack" }, h("h3", null, "Problems"), issues),
      h("section", { class: "stack" }, h("h3", null, "Key"), help),
    ),
  ));

  const dirty = () => loaded !== undefined && editor.value !== loadedText;

  function updateDirty(): void {
    const d = dirty();
    state.textContent = !loaded ? "" : d ? "Edited, not applied" : loaded.exists ? "As on disk" : "No file yet";
    state.dataset.dirty = String(d);
    reloadButton.textContent = d ? "Discard edits" : "Reload";
  }

  function say(tone: "ok" | "error" | "info", ...body: Array<Node | string>): void {
    result.dataset.tone = tone;
    fill(result, ...body);
  }

  /** `quiet`: a failure is not reported (right after an apply the gateway may be restarting; reconnected() loads again). */
  async function load(replaceText: boolean, quiet = false): Promise<void> {
    try {
      const snap = await ctx.request<ConfigSnapshot>("config.get", {});
      if (!replaceText && dirty()) {
        // Edits are kept; a file that moved on under them is said, not silently adopted.
        if (loaded && snap.hash !== loaded.hash) staleNotice();
        return;
      }
      loaded = snap;
      loadedText = snap.raw ?? `${JSON.stringify(snap.parsed ?? {}, null, 2)}\n`;
      editor.value = loadedText;
      file.textContent = snap.path;
      file.title = snap.exists ? `hash ${snap.hash}` : "This file does not exist yet; Apply creates it.";
      showProblems(snap.issues.map((i) => ({ ...i })), snap.issues.length ? "The file on disk does not validate; the gateway keeps running its previous config." : undefined);
      updateDirty();
      void explain();
    } catch (err) {
      if (!quiet) say("error", `Could not load the config: ${errorText(err)}`);
    }
  }

  function staleNotice(): void {
    say("error",
      h("strong", null, "The config file changed since you loaded it"),
      " (another client, or an edit on disk). Nothing was written. ",
      h("button", { type: "button", class: "small", id: "config-stale-reload", onclick: () => void load(true) }, "Reload it"),
      " to see the current file; your edits here are replaced.",
    );
  }

  async function apply(): Promise<void> {
    if (!canWrite || busy || !loaded) return;
    busy = true;
    applyButton.disabled = true;
    say("info", "Checking and applying…");
    try {
      const res = await ctx.request<WriteResult>("config.apply", { raw: editor.value, ...(loaded.exists ? { baseHash: loaded.hash } : {}) });
      showProblems([]);
      const p = res.sentinel.payload;
      if (p.status === "skipped" || res.changedPaths.length === 0) say("ok", "Nothing changed: the file is as it was.");
      else {
        say("ok",
          h("strong", null, `Applied: ${res.changedPaths.length} ${res.changedPaths.length === 1 ? "key" : "keys"} changed. `),
          p.stats.requiresRestart ? "The gateway restarts to apply them; this page reconnects by itself." : "Applied without a restart.",
          h("ul", { class: "changed", id: "config-changed" }, res.changedPaths.map((path) => h("li", null, h("code", null, path)))),
        );
      }
      loaded = { ...loaded, hash: res.hash, exists: true };
      loadedText = editor.value;
      updateDirty();
      // The file as written (plain JSON, comments gone) and its hash for the next edit.
      await load(true, true);
    } catch (err) {
      failed(err);
    } finally {
      busy = false;
      applyButton.disabled = false;
    }
  }

  function failed(err: unknown): void {
    if (!(err instanceof RequestError)) {
      say("error", `Not applied: ${errorText(err)}`);
      return;
    }
    const { message, details } = err.error;
    if (message.startsWith(STALE)) {
      staleNotice();
      return;
    }
    const list = Array.isArray(details?.issues) ? (details.issues as Issue[]) : [];
    const paths = Array.isArray(details?.paths) ? (details.paths as string[]) : [];
    const at = /at (\d+):(\d+)$/.exec(message);
    let problems: Problem[] = list;
    if (!list.length && paths.length) problems = paths.map((path) => ({ path, message: message.replace(/^.*?: /, "") }));
    if (!problems.length && at) problems = [{ line: Number(at[1]), column: Number(at[2]), message: message.replace(/^[^:]*: /, "") }];
    say("error", h("strong", null, problems.length > 1 ? `Not applied: ${problems.length} problems.` : "Not applied."), " ", problems.length ? "Nothing was written; choose a problem to go to it." : message);
    showProblems(problems);
    if (problems[0]) select(problems[0], false);
  }

  function showProblems(list: Problem[], intro?: string): void {
    if (!list.length) {
      fill(issues, h("li", { class: "muted small none" }, "None."));
      return;
    }
    fill(issues,
      intro ? h("li", { class: "muted small" }, intro) : null,
      list.map((p) => h("li", null, h("button", { type: "button", class: "issue", onclick: () => select(p, true) },
        h("code", null, "path" in p ? p.path : `line ${p.line}, column ${p.column}`),
        h("span", null, p.message),
      ))),
    );
  }

  /** Selects the problem's line in the editor (its key, or the nearest enclosing one). */
  function select(p: Problem, focus: boolean): void {
    const text = editor.value;
    let offset: number;
    if ("path" in p) {
      const span = locatePath(text, p.path);
      if (!span) return;
      offset = span.start;
    } else offset = offsetOf(text, p.line, p.column);
    // From the key to the end of its line (the whole line for a parse error): the key stays under the cursor for the help panel.
    const [lineStart, end] = lineAt(text, offset);
    const start = "path" in p ? offset : lineStart;
    if (focus) editor.focus();
    editor.setSelectionRange(start, end);
    const line = text.slice(0, lineStart).split("\n").length - 1;
    const lineHeight = parseFloat(getComputedStyle(editor).lineHeight) || 18;
    editor.scrollTop = Math.max(0, (line - 3) * lineHeight);
    void explain();
  }

  // The key under the cursor, explained from the schema; lookups are few and cached.
  const lookups = new Map<string, Promise<Lookup | string>>();
  let shown: string | undefined;
  let explainTimer: ReturnType<typeof setTimeout> | undefined;
  async function explain(): Promise<void> {
    if (!ctx.hasMethod("config.schema.lookup")) return;
    const path = pathAt(editor.value, editor.selectionStart);
    if (path === shown) return;
    shown = path;
    let got = lookups.get(path);
    if (!got) {
      got = ctx.request<Lookup>("config.schema.lookup", { path }).catch((err: unknown) => errorText(err));
      lookups.set(path, got);
    }
    const info = await got;
    if (shown !== path) return;
    if (typeof info === "string") {
      fill(help, h("code", null, path || "(top level)"), h("p", { class: "muted small" }, info));
      return;
    }
    const s = info.schema;
    const type = typeName(s.type);
    fill(help,
      h("code", { id: "config-help-path" }, path || "(top level)"),
      type || s.default !== undefined ? h("p", { class: "muted small" }, [type, s.default !== undefined ? `default ${JSON.stringify(s.default)}` : ""].filter(Boolean).join(" · ")) : null,
      typeof s.description === "string" ? h("p", { id: "config-help-text" }, s.description) : null,
      Array.isArray(s.enum) ? h("p", { class: "small" }, "One of ", s.enum.map((v, i) => [i ? ", " : "", h("code", null, JSON.stringify(v))])) : null,
      info.children.length
        ? h("dl", { class: "config-children small" }, info.children.slice(0, 40).map((c) => [
          h("dt", null, h("code", null, c.key), c.required ? " (required)" : "", c.type ? h("span", { class: "muted" }, ` ${typeName(c.type)}`) : null),
          c.description ? h("dd", { class: "muted" }, c.description) : null,
        ]))
        : null,
    );
  }
  const explainSoon = () => {
    clearTimeout(explainTimer);
    explainTimer = setTimeout(() => void explain(), 120);
  };
  for (const ev of ["click", "keyup", "focus"]) editor.addEventListener(ev, explainSoon);
  ctx.signal.addEventListener("abort", () => clearTimeout(explainTimer));

  showProblems([]);
  fill(help, h("p", { class: "muted small" }, "Put the cursor on a key to see what it does."));
  void load(true);
  return { reconnected: () => void load(false) };
}

function typeName(t: unknown): string {
  return Array.isArray(t) ? t.join(" | ") : typeof t === "string" ? t : "";
}

function errorText(err: unknown): string {
  if (err instanceof RequestError) return err.error.message;
  return err instanceof Error ? err.message : String(err);
}
