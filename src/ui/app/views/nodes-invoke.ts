/**
 * "Invoke a command" on a node: the node, one of its commands (read fresh with node.describe when a
 * node is picked), JSON params checked as they are typed (the parse error is shown at the field and
 * nothing is sent while it stands), a timeout, and the node's answer or error.
 */
import { fill, h, json, uuid } from "../dom.ts";
import { RequestError } from "../gateway.ts";
import { errorText } from "./parts.ts";
import type { ViewContext } from "./types.ts";

export interface NodeEntry {
  nodeId: string; displayName: string; clientId: string; platform?: string; version?: string; caps: string[]; commands: string[];
  approvalState: string; connected: boolean; connectedAtMs?: number; lastSeenAtMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** The page waits this much longer than the node may take: the gateway's timeout answer wins. */
const ANSWER_MARGIN_MS = 5_000;

/** JSON text to a value; an empty field is "no params". The error says where parsing stopped. */
export function parseParams(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export class InvokeForm {
  readonly el: HTMLElement;
  private readonly node = h("select", { id: "invoke-node" });
  private readonly command = h("select", { id: "invoke-command" });
  private readonly params = h("textarea", { id: "invoke-params", rows: 5, spellcheck: "false", "aria-describedby": "invoke-params-error invoke-help", value: "{}" });
  private readonly paramsError = h("p", { id: "invoke-params-error", class: "field-error", "aria-live": "polite", hidden: true });
  private readonly timeout = h("input", { id: "invoke-timeout", type: "number", min: "0", step: "1000", inputmode: "numeric", value: String(DEFAULT_TIMEOUT_MS) });
  private readonly run = h("button", { type: "submit", class: "primary", id: "invoke-run" }, "Invoke");
  private readonly result = h("pre", { class: "json", id: "invoke-result", role: "status", tabindex: "0", hidden: true });
  private nodes: NodeEntry[] = [];
  private describeSeq = 0;

  constructor(private readonly ctx: ViewContext) {
    this.node.addEventListener("change", () => void this.describe(this.node.value));
    this.params.addEventListener("input", () => this.validate());
    this.params.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        void this.invoke();
      }
    });
    this.el = h("section", { class: "card", id: "invoke", "aria-labelledby": "invoke-title" },
      h("div", { class: "card-head" }, h("h2", { id: "invoke-title" }, "Invoke a command")),
      h("form", { class: "invoke", onsubmit: (ev: SubmitEvent) => (ev.preventDefault(), void this.invoke()) },
        h("div", { class: "invoke-pick" },
          h("label", { for: "invoke-node" }, "Node"), this.node,
          h("label", { for: "invoke-command" }, "Command"), this.command,
        ),
        h("label", { for: "invoke-params" }, "Params (JSON)"), this.params, this.paramsError,
        h("div", { class: "row invoke-run" },
          h("label", { for: "invoke-timeout" }, "Timeout (ms)"), this.timeout, this.run,
        ),
        h("p", { id: "invoke-help", class: "muted small" }, "Ctrl+Enter invokes. Empty params send none. Some commands need operator.admin."),
      ),
      this.result,
    );
    this.setNodes([]);
  }

  /** The connected nodes that have commands; the picked one stays picked while it is there. */
  setNodes(nodes: NodeEntry[]): void {
    this.nodes = nodes.filter((n) => n.connected && n.commands.length > 0);
    const keep = this.node.value;
    fill(this.node, this.nodes.length
      ? this.nodes.map((n) => h("option", { value: n.nodeId, selected: n.nodeId === keep }, n.displayName && n.displayName !== n.nodeId ? `${n.displayName} (${n.nodeId.slice(0, 8)}…)` : n.nodeId))
      : h("option", { value: "" }, "No connected node"));
    this.node.disabled = this.nodes.length === 0;
    this.run.disabled = this.nodes.length === 0;
    if (this.node.value !== keep || this.command.options.length === 0) this.showCommands(this.nodes.find((n) => n.nodeId === this.node.value)?.commands ?? []);
  }

  /** "Invoke…" on a node's row: pick it and bring the form into view. */
  select(nodeId: string): void {
    this.node.value = nodeId;
    void this.describe(nodeId);
    this.el.scrollIntoView({ block: "nearest" });
    this.command.focus();
  }

  private showCommands(commands: string[]): void {
    const keep = this.command.value;
    const sorted = [...commands].sort((a, b) => a.localeCompare(b));
    fill(this.command, sorted.length ? sorted.map((c) => h("option", { value: c, selected: c === keep }, c)) : h("option", { value: "" }, "No commands"));
    this.command.disabled = sorted.length === 0;
  }

  private async describe(nodeId: string): Promise<void> {
    if (!nodeId) return;
    const seq = ++this.describeSeq;
    this.showCommands(this.nodes.find((n) => n.nodeId === nodeId)?.commands ?? []);
    try {
      const fresh = await this.ctx.request<NodeEntry>("node.describe", { nodeId });
      if (seq === this.describeSeq) this.showCommands(fresh.commands);
    } catch {
      // The list's commands stay; invoking reports whatever is wrong with the node.
    }
  }

  private validate(): boolean {
    const parsed = parseParams(this.params.value);
    this.paramsError.hidden = parsed.ok;
    this.paramsError.textContent = parsed.ok ? "" : `Not valid JSON: ${parsed.error}`;
    this.params.setAttribute("aria-invalid", parsed.ok ? "false" : "true");
    return parsed.ok;
  }

  private async invoke(): Promise<void> {
    const parsed = parseParams(this.params.value);
    if (!this.validate() || !parsed.ok) {
      this.params.focus();
      return;
    }
    const nodeId = this.node.value;
    const command = this.command.value;
    if (!nodeId || !command) return;
    const timeoutMs = Number.isFinite(this.timeout.valueAsNumber) && this.timeout.valueAsNumber >= 0 ? Math.round(this.timeout.valueAsNumber) : DEFAULT_TIMEOUT_MS;
    const started = performance.now();
    this.result.hidden = false;
    this.result.dataset.state = "busy";
    this.result.textContent = `Invoking ${command}…`;
    this.run.disabled = true;
    try {
      const res = await this.ctx.request<{ payload?: unknown; payloadJSON: string | null }>("node.invoke", {
        nodeId, command, ...(parsed.value === undefined ? {} : { params: parsed.value }), timeoutMs, idempotencyKey: uuid(),
      }, timeoutMs + ANSWER_MARGIN_MS);
      this.show("ok", json(res.payload !== undefined ? res.payload : res.payloadJSON), performance.now() - started);
    } catch (err) {
      this.show("error", err instanceof RequestError ? `${errorText(err)}\n${json(err.error.details ?? {})}` : errorText(err), performance.now() - started);
    } finally {
      this.run.disabled = this.nodes.length === 0;
    }
  }

  private show(state: "ok" | "error", text: string, ms: number): void {
    this.result.dataset.state = state;
    this.result.textContent = `${state} · ${Math.round(ms)} ms\n${text}`;
  }
}
