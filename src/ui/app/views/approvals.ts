/**
 * Approvals: exec commands agents are waiting to run, each with where it runs (host, node), for
 * whom (agent, session), how long the prompt stays open, and the decisions it offers (only those
 * in its allowedDecisions). Live: exec.approval.requested adds a card, exec.approval.resolved
 * (whoever decided: this page, another client, the expiry) moves it to "Decided".
 */
import { fill, h, shortTime } from "../dom.ts";
import { RequestError } from "../gateway.ts";
import { APPROVAL_SCOPES } from "./approvals-badge.ts";
import type { View, ViewContext } from "./types.ts";

type Decision = "allow-once" | "allow-always" | "deny";

interface ApprovalRequest {
  command: string;
  commandPreview?: string | null;
  cwd?: string | null;
  host?: string | null;
  nodeId?: string | null;
  agentId?: string | null;
  sessionKey?: string | null;
  security?: string | null;
  ask?: string | null;
  warningText?: string | null;
  resolvedPath?: string | null;
  allowedDecisions: Decision[];
}
interface Pending { id: string; request: ApprovalRequest; createdAtMs: number; expiresAtMs: number }
interface Resolved { id: string; decision: Decision; resolvedBy: string | null; ts: number; request?: ApprovalRequest }

const LABEL: Record<Decision, string> = { "allow-once": "Allow once", "allow-always": "Allow always", deny: "Deny" };
const OUTCOME: Record<Decision, string> = { "allow-once": "Allowed once", "allow-always": "Allowed always", deny: "Denied" };
const ORDER: Decision[] = ["allow-once", "allow-always", "deny"];
const MAX_DECIDED = 20;

interface Card { entry: Pending; el: HTMLElement; countdown: HTMLElement; buttons: HTMLButtonElement[]; note: HTMLElement }

export function mount(host: HTMLElement, ctx: ViewContext): View {
  const allowed = ctx.hello().auth.scopes.some((s) => APPROVAL_SCOPES.includes(s));
  const cards = new Map<string, Card>();
  const list = h("div", { class: "approvals", id: "approvals-list", "aria-live": "polite" });
  const empty = h("p", { class: "empty approvals-empty", id: "approvals-empty" }, "No commands are waiting for approval.");
  const decided = h("ol", { class: "decided", id: "approvals-decided" });
  const error = h("p", { class: "error", role: "alert", hidden: true });

  fill(host, h("div", { class: "page-approvals" },
    h("div", { class: "approvals-head" },
      h("h2", null, "Approvals"),
      h("p", { class: "muted small" }, "Commands agents want to run that need an operator's yes. Allow always adds the command to the agent's allowlist."),
    ),
    allowed ? null : h("p", { class: "error" }, "This connection lacks the operator.approvals scope: it cannot see or answer approvals."),
    error,
    empty,
    list,
    h("section", { class: "decided-wrap" }, h("h3", null, "Decided"), decided),
  ));

  const sessionHref = (key: string) => {
    const m = /^agent:([^:]+):(.+)$/.exec(key);
    return m ? ctx.href(`/chat/${encodeURIComponent(m[1]!)}/${encodeURIComponent(m[2]!)}`) : undefined;
  };

  function fact(label: string, value: string | null | undefined, link?: string): Node[] {
    if (!value) return [];
    return [h("dt", null, label), h("dd", null, link ? h("a", { href: link }, h("code", null, value)) : h("code", null, value))];
  }

  function card(e: Pending): Card {
    const r = e.request;
    const countdown = h("span", { class: "countdown" });
    const note = h("p", { class: "card-note small", role: "status" });
    const offered = ORDER.filter((d) => r.allowedDecisions.includes(d));
    const buttons = offered.map((d) =>
      h("button", { type: "button", class: d === "deny" ? "danger" : d === "allow-once" ? "primary" : "", "data-decision": d, onclick: () => void decide(e.id, d) }, LABEL[d]),
    );
    const el = h("article", { class: "card approval", "data-id": e.id, "aria-label": `Approval for ${r.command}` },
      h("div", { class: "approval-top" },
        h("span", { class: "approval-host" }, r.host === "node" ? "On a node" : r.host === "sandbox" ? "In the sandbox" : "On the gateway host"),
        countdown,
      ),
      h("pre", { class: "approval-cmd" }, r.commandPreview || r.command),
      r.warningText ? h("p", { class: "approval-warning" }, r.warningText) : null,
      h("dl", { class: "facts small" },
        fact("Agent", r.agentId),
        fact("Session", r.sessionKey, r.sessionKey ? sessionHref(r.sessionKey) : undefined),
        fact("Node", r.nodeId),
        fact("Directory", r.cwd),
        fact("Resolves to", r.resolvedPath),
        fact("Policy", r.security && r.ask ? `${r.security}, ask ${r.ask}` : undefined),
      ),
      h("div", { class: "row approval-actions" }, buttons),
      note,
    );
    return { entry: e, el, countdown, buttons, note };
  }

  function add(e: Pending): void {
    if (cards.has(e.id)) return;
    const c = card(e);
    cards.set(e.id, c);
    // Oldest first: the one closest to expiring is on top.
    const after = [...list.children].find((el) => (cards.get((el as HTMLElement).dataset.id ?? "")?.entry.expiresAtMs ?? 0) > e.expiresAtMs);
    list.insertBefore(c.el, after ?? null);
    tick();
  }

  function settle(p: Resolved): void {
    const c = cards.get(p.id);
    cards.delete(p.id);
    c?.el.remove();
    const request = p.request ?? c?.entry.request;
    const by = p.resolvedBy ? `by ${p.resolvedBy}` : c && c.entry.expiresAtMs <= Date.now() + 1000 ? "expired" : "closed by the gateway";
    decided.prepend(h("li", { "data-id": p.id, "data-decision": p.decision },
      h("time", { class: "muted" }, shortTime(p.ts)),
      h("span", { class: `outcome outcome-${p.decision}` }, OUTCOME[p.decision] ?? p.decision),
      h("code", null, request?.command ?? p.id),
      h("span", { class: "muted" }, by),
    ));
    while (decided.childElementCount > MAX_DECIDED) decided.lastElementChild?.remove();
    tick();
  }

  async function decide(id: string, decision: Decision): Promise<void> {
    const c = cards.get(id);
    if (!c) return;
    for (const b of c.buttons) b.disabled = true;
    c.note.textContent = `${LABEL[decision]}…`;
    try {
      await ctx.request("exec.approval.resolve", { id, decision });
      c.note.textContent = `${OUTCOME[decision]}.`;
    } catch (err) {
      const message = err instanceof RequestError ? err.error.message : (err as Error).message;
      c.note.textContent = message;
      c.note.dataset.tone = "error";
      // Already settled elsewhere: the resolved event removes it; otherwise the user may try again.
      if (!/already resolved|unknown|expired/i.test(message)) for (const b of c.buttons) b.disabled = false;
    }
  }

  /** The countdowns, once a second while something is pending. */
  let timer: ReturnType<typeof setTimeout> | undefined;
  function tick(): void {
    clearTimeout(timer);
    const now = Date.now();
    for (const c of cards.values()) {
      const left = c.entry.expiresAtMs - now;
      c.countdown.textContent = left > 0 ? `expires in ${duration(left)}` : "expired";
      c.el.dataset.expired = String(left <= 0);
      if (left <= 0) for (const b of c.buttons) b.disabled = true;
    }
    empty.hidden = cards.size > 0;
    if (cards.size && !ctx.signal.aborted) timer = setTimeout(tick, 1000 - (now % 1000));
  }
  ctx.signal.addEventListener("abort", () => clearTimeout(timer));

  async function load(): Promise<void> {
    if (!allowed) return;
    try {
      const pending = await ctx.request<Pending[]>("exec.approval.list", {});
      error.hidden = true;
      const ids = new Set(pending.map((p) => p.id));
      for (const [id, c] of cards) if (!ids.has(id)) (cards.delete(id), c.el.remove());
      for (const p of pending) add(p);
      tick();
    } catch (err) {
      error.hidden = false;
      error.textContent = `Could not list approvals: ${err instanceof RequestError ? err.error.message : (err as Error).message}`;
    }
  }

  ctx.on("exec.approval.requested", (p: Pending) => add(p));
  ctx.on("exec.approval.resolved", (p: Resolved) => settle(p));
  tick();
  void load();
  return { reconnected: () => void load() };
}

function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
