/**
 * Chat: pick an agent and one of its sessions, read the history, send a message and watch the
 * reply stream in (`chat` events carry the whole text so far, so a lost event loses nothing), see
 * tool calls as they run, stop a run. Route: /chat/<agentId>/<session> where <session> is the key
 * without its "agent:<id>:" prefix.
 */
import { fill, h, shortTime, uuid } from "../dom.ts";
import { RequestError } from "../gateway.ts";
import type { Route } from "../router.ts";
import { renderHistory, textOf, ToolRow, Turn, type WireMessage } from "./chat-render.ts";
import type { View, ViewContext } from "./types.ts";

interface Agent { id: string; name?: string; model?: string; isDefault: boolean }
interface AgentsList { defaultId: string; mainKey: string; agents: Agent[] }
interface SessionRow { key: string; agentId: string; updatedAt: number; status: string; messageCount: number; lastPreview?: string }
interface HistoryPage { messages: WireMessage[]; hasMore: boolean; totalMessages: number }

interface ActiveRun {
  runId: string;
  turn: Turn;
  tools: Map<string, ToolRow>;
  hadTools: boolean;
}

const HISTORY_LIMIT = 100;

export function mount(host: HTMLElement, ctx: ViewContext, initial: Route): View {
  let agents: AgentsList | undefined;
  let agentId = "";
  let sessionKey = "";
  let active: ActiveRun | undefined;
  let loadSeq = 0;

  const agentSelect = h("select", { id: "chat-agent", onchange: () => ctx.navigate(`/chat/${encodeURIComponent(agentSelect.value)}`) });
  const sessionSelect = h("select", { id: "chat-session", class: "narrow-only", "aria-label": "Session", onchange: () => openSession(sessionSelect.value) });
  const sessionList = h("ul", { class: "sessions wide-only", "aria-label": "Sessions" });
  const title = h("h2", { class: "chat-title" });
  const log = h("div", { class: "messages", role: "log", "aria-live": "polite", "aria-label": "Messages", tabindex: "0" });
  const input = h("textarea", {
    id: "chat-input", rows: 2, placeholder: "Message (Enter to send, Shift+Enter for a new line)", "aria-label": "Message",
    onkeydown: (ev: KeyboardEvent) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        void send();
      } else if (ev.key === "Escape" && active) void abort();
    },
  });
  const sendButton = h("button", { type: "submit", class: "primary", id: "chat-send" }, "Send");
  const stopButton = h("button", { type: "button", id: "chat-stop", class: "danger", hidden: true, onclick: () => void abort() }, "Stop");
  const composer = h("form", { class: "composer", onsubmit: (ev: SubmitEvent) => (ev.preventDefault(), void send()) }, input, sendButton, stopButton);

  fill(host, h("div", { class: "chat" },
    h("aside", { class: "chat-side" },
      h("div", { class: "chat-pickers" },
        h("label", { for: "chat-agent", class: "sr-only" }, "Agent"),
        agentSelect,
        sessionSelect,
        h("button", { type: "button", id: "chat-new", title: "Start a new session", onclick: () => newSession() }, "New"),
      ),
      sessionList,
    ),
    h("div", { class: "chat-main" }, h("div", { class: "chat-head" }, title), log, composer),
  ));

  const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  const scrollDown = (force = false) => {
    if (force || atBottom()) log.scrollTop = log.scrollHeight;
  };
  const rest = (key: string) => key.replace(/^agent:[^:]+:/, "");
  const sessionPath = (key: string) => `/chat/${encodeURIComponent(agentId)}/${encodeURIComponent(rest(key))}`;

  function setRunning(running: boolean): void {
    sendButton.hidden = running;
    stopButton.hidden = !running;
  }

  function openSession(key: string): void {
    ctx.navigate(sessionPath(key));
  }

  function newSession(): void {
    openSession(`agent:${agentId}:ui-${uuid().slice(0, 8)}`);
    input.focus();
  }

  async function load(route: Route): Promise<void> {
    const seq = ++loadSeq;
    try {
      // The session's history and list are asked for together with the agents (one round trip on
      // a first load): for the session in the address, or the usual default (main/main) when none.
      const guess = { agentId: route.segments[1] ?? "main", rest: route.segments[2] ?? "main" };
      const early = agents ? undefined : fetchSession(guess.agentId, `agent:${guess.agentId}:${guess.rest}`);
      agents ??= await ctx.request<AgentsList>("agents.list", {});
      const wanted = route.segments[1];
      const agent = agents.agents.find((a) => a.id === wanted) ?? agents.agents.find((a) => a.id === agents!.defaultId) ?? agents.agents[0];
      if (!agent) {
        fill(log, h("p", { class: "muted pad" }, "No agents are configured on this gateway."));
        return;
      }
      agentId = agent.id;
      sessionKey = `agent:${agentId}:${agent.id === wanted && route.segments[2] ? route.segments[2] : agents.mainKey}`;
      // The canonical address for what is shown, without routing again.
      ctx.navigate(sessionPath(sessionKey), { silent: true });
      fill(agentSelect, agents.agents.map((a) => h("option", { value: a.id, selected: a.id === agentId }, a.name ? `${a.name} (${a.id})` : a.id)));
      title.textContent = rest(sessionKey);
      title.title = sessionKey;
      active = undefined;
      setRunning(false);
      const data = early && early.agentId === agentId && early.key === sessionKey ? early : fetchSession(agentId, sessionKey);
      const [sessions, history] = await Promise.all([data.sessions, data.history]);
      if (seq !== loadSeq) return;
      showSessions(sessions.sessions);
      showHistory(history);
      // For tests and measurements: the first moment the chat view is usable.
      if (performance.getEntriesByName("openclaw:chat-ready").length === 0) performance.mark("openclaw:chat-ready");
    } catch (err) {
      if (seq === loadSeq) fill(log, h("p", { class: "error pad", role: "alert" }, errorText(err)));
    }
  }

  function fetchSession(agent: string, key: string) {
    const sessions = ctx.request<{ sessions: SessionRow[] }>("sessions.list", { agentId: agent, limit: 50 });
    const history = ctx.request<HistoryPage>("chat.history", { sessionKey: key, limit: HISTORY_LIMIT });
    // A guess that turns out wrong is dropped: its failure is nobody's to report.
    sessions.catch(() => {});
    history.catch(() => {});
    return { agentId: agent, key, sessions, history };
  }

  async function loadSessions(): Promise<void> {
    const res = await ctx.request<{ sessions: SessionRow[] }>("sessions.list", { agentId, limit: 50 });
    showSessions(res.sessions);
  }

  async function loadHistory(): Promise<void> {
    showHistory(await ctx.request<HistoryPage>("chat.history", { sessionKey, limit: HISTORY_LIMIT }));
  }

  function showSessions(list: SessionRow[]): void {
    const rows = list.some((s) => s.key === sessionKey) ? list : [{ key: sessionKey, agentId, updatedAt: Date.now(), status: "idle", messageCount: 0 } as SessionRow, ...list];
    fill(sessionSelect, rows.map((s) => h("option", { value: s.key, selected: s.key === sessionKey }, rest(s.key))));
    fill(sessionList, rows.map((s) =>
      h("li", null, h("a", { href: ctx.href(sessionPath(s.key)), "aria-current": s.key === sessionKey ? "page" : undefined },
        h("span", { class: "s-title" }, rest(s.key), s.status === "running" ? h("span", { class: "dot", title: "running" }) : null),
        h("span", { class: "s-preview" }, s.lastPreview ?? (s.messageCount ? `${s.messageCount} messages` : "New session")),
        s.messageCount ? h("time", { class: "s-time" }, shortTime(s.updatedAt)) : null,
      )),
    ));
  }

  function showHistory(res: HistoryPage): void {
    const items = renderHistory(res.messages);
    fill(log,
      res.hasMore ? h("p", { class: "muted small center" }, `Showing the last ${res.messages.length} of ${res.totalMessages} messages.`) : null,
      items.length ? items : h("div", { class: "empty chat-empty" }, h("p", null, "No messages yet."), h("p", { class: "muted small" }, "Type below to start.")),
    );
    scrollDown(true);
  }

  async function send(): Promise<void> {
    const message = input.value.trim();
    if (!message || active || !sessionKey) return;
    log.querySelector(".chat-empty")?.remove();
    const runId = uuid();
    log.appendChild(new Turn("user", message).el);
    const turn = new Turn("assistant");
    turn.setState("streaming");
    log.appendChild(turn.el);
    active = { runId, turn, tools: new Map(), hadTools: false };
    input.value = "";
    setRunning(true);
    scrollDown(true);
    try {
      await ctx.request("chat.send", { sessionKey, message, idempotencyKey: runId, deliver: false });
    } catch (err) {
      if (active?.runId === runId) finish("error", errorText(err));
    }
  }

  async function abort(): Promise<void> {
    const run = active;
    if (!run) return;
    stopButton.disabled = true;
    try {
      await ctx.request("chat.abort", { sessionKey, runId: run.runId });
    } catch (err) {
      run.turn.setState("streaming", `Could not stop: ${errorText(err)}`);
    } finally {
      stopButton.disabled = false;
    }
  }

  function finish(state: "done" | "aborted" | "error", note?: string): void {
    const run = active;
    if (!run) return;
    active = undefined;
    run.turn.setState(state, note);
    setRunning(false);
    for (const row of run.tools.values()) if (row.el.dataset.status === "running") row.setStatus(state === "done" ? "done" : "failed");
    void loadSessions().catch(() => {});
    input.focus();
  }

  ctx.on("chat", (p: { runId: string; sessionKey: string; state: string; message?: WireMessage; errorMessage?: string }) => {
    if (p.sessionKey !== sessionKey) return;
    if (!active || p.runId !== active.runId) {
      // Someone else's run in this session (another tab, a channel): show it once it is stored.
      if (p.state === "final" && !active) void loadHistory().catch(() => {});
      return;
    }
    if (p.state === "delta" && p.message) {
      active.turn.setText(textOf(p.message));
      scrollDown();
    } else if (p.state === "final") {
      if (p.message) active.turn.setText(textOf(p.message));
      const hadTools = active.hadTools;
      finish("done");
      // After tool rounds the stored transcript is the clearer picture (calls, results, reply).
      if (hadTools) void loadHistory().catch(() => {});
    } else if (p.state === "aborted") finish("aborted", "Stopped.");
    else if (p.state === "error") finish("error", p.errorMessage ?? "The run failed.");
    scrollDown();
  });

  ctx.on("agent", (p: { runId: string; stream: string; data: any }) => {
    const run = active;
    if (!run || p.runId !== run.runId || (p.stream !== "item" && p.stream !== "tool")) return;
    const id = String(p.data?.toolCallId ?? "");
    if (!id) return;
    let row = run.tools.get(id);
    if (!row) {
      row = new ToolRow(id, String(p.data?.name ?? "tool"));
      run.tools.set(id, row);
      run.hadTools = true;
      run.turn.addTool(row);
    }
    if (p.stream === "tool" && p.data?.phase === "start") row.setArgs(p.data.args);
    else if (p.stream === "tool" && p.data?.phase === "result") row.setResult(textOf(p.data.result ?? {}), p.data.isError === true);
    else if (p.stream === "item" && p.data?.phase === "end") row.setStatus(p.data.status === "failed" ? "failed" : "done");
    scrollDown();
  });

  void load(initial);
  queueMicrotask(() => input.focus());

  return {
    route: (r) => void load(r),
    reconnected: () => {
      if (active) finish("error", "The connection was interrupted; the reply may be incomplete.");
      void load({ path: "", segments: ["chat", agentId, rest(sessionKey)], query: new URLSearchParams() });
    },
  };
}

function errorText(err: unknown): string {
  if (err instanceof RequestError) return err.error.message;
  return err instanceof Error ? err.message : String(err);
}
