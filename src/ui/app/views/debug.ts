/**
 * Debug: the gateway's health and status, the latest events, and any method called by hand with
 * JSON params (the method list is hello-ok.features.methods).
 */
import { fill, h, json, shortTime } from "../dom.ts";
import { RequestError } from "../gateway.ts";
import type { View, ViewContext } from "./types.ts";

const MAX_EVENTS = 50;

export function mount(host: HTMLElement, ctx: ViewContext): View {
  const health = h("pre", { class: "json", id: "debug-health", tabindex: "0" }, "…");
  const status = h("pre", { class: "json", id: "debug-status", tabindex: "0" }, "…");
  const events = h("ol", { class: "events", id: "debug-events", "aria-live": "off" });
  const methods = [...ctx.hello().features.methods].sort();
  const method = h("select", { id: "rpc-method" }, methods.map((m) => h("option", { value: m, selected: m === "health" }, m)));
  const params = h("textarea", { id: "rpc-params", rows: 6, spellcheck: "false", "aria-describedby": "rpc-help", value: "{}" });
  const result = h("pre", { class: "json", id: "rpc-result", role: "status", tabindex: "0" });
  const call = async () => {
    let parsed: unknown;
    const text = params.value.trim();
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch (err) {
      showResult("error", `Params are not valid JSON: ${(err as Error).message}`);
      return;
    }
    const started = performance.now();
    result.dataset.state = "busy";
    result.textContent = `Calling ${method.value}…`;
    try {
      const payload = await ctx.request(method.value, parsed);
      showResult("ok", json(payload), performance.now() - started);
    } catch (err) {
      showResult("error", err instanceof RequestError ? json(err.error) : String(err), performance.now() - started);
    }
  };
  const showResult = (state: "ok" | "error", text: string, ms?: number) => {
    result.dataset.state = state;
    result.textContent = `${state === "ok" ? "ok" : "error"}${ms === undefined ? "" : ` · ${Math.round(ms)} ms`}\n${text}`;
  };

  fill(host,
    h("div", { class: "grid" },
      h("section", { class: "card" },
        h("div", { class: "card-head" }, h("h2", null, "Health"), h("button", { type: "button", class: "small", onclick: () => void refresh() }, "Refresh")),
        health,
      ),
      h("section", { class: "card" }, h("div", { class: "card-head" }, h("h2", null, "Status")), status),
      h("section", { class: "card span-2" },
        h("div", { class: "card-head" }, h("h2", null, "Call a method")),
        h("form", { class: "rpc", onsubmit: (ev: SubmitEvent) => (ev.preventDefault(), void call()) },
          h("label", { for: "rpc-method" }, "Method"), method,
          h("label", { for: "rpc-params" }, "Params (JSON)"), params,
          h("p", { id: "rpc-help", class: "muted small" }, "Ctrl+Enter calls. Methods outside your scopes answer with an error."),
          h("div", { class: "row" }, h("button", { type: "submit", class: "primary", id: "rpc-call" }, "Call")),
        ),
        result,
      ),
      h("section", { class: "card span-2" }, h("div", { class: "card-head" }, h("h2", null, "Events")), events),
    ),
  );
  params.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      void call();
    }
  });

  async function refresh(): Promise<void> {
    const show = async (el: HTMLElement, m: string) => {
      try {
        el.textContent = json(await ctx.request(m, {}));
      } catch (err) {
        el.textContent = err instanceof RequestError ? `${err.error.code}: ${err.error.message}` : String(err);
      }
    };
    await Promise.all([show(health, "health"), show(status, "status")]);
  }

  ctx.on("*", (payload: unknown, event?: string) => {
    const name = event ?? "?";
    if (name === "health") health.textContent = json(payload);
    const preview = json(payload).replace(/\s+/g, " ");
    events.prepend(h("li", null, h("time", null, shortTime(Date.now())), h("code", null, name), h("span", { class: "muted" }, preview.length > 160 ? `${preview.slice(0, 160)}…` : preview)));
    while (events.childElementCount > MAX_EVENTS) events.lastElementChild?.remove();
  });

  void refresh();
  return { reconnected: () => void refresh() };
}
