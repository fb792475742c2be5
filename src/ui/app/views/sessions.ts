/**
 * Sessions: every stored session (all agents or one), newest first, with whether a run is going on
 * right now. A session's key opens it in Chat; Peek shows its last messages here; Stop aborts its
 * run. Runs starting and ending anywhere (`chat` events) update the table without a reload.
 * Route: /sessions, /sessions?agent=<id>.
 */
import { fill, h, shortTime } from "../dom.ts";
import type { Route } from "../router.ts";
import { renderHistory, type WireMessage } from "./chat-render.ts";
import { ageEl, alertEl, badge, busy, dataTable, debounce, errorText, every, refreshAges, setAlert, refill } from "./parts.ts";
import type { View, ViewContext } from "./types.ts";

interface SessionRow { key: string; agentId: string; updatedAt: number; status: string; messageCount: number; lastPreview?: string }
interface SessionsPage { sessions: SessionRow[]; totalCount: number; hasMore: boolean; nextOffset: number | null }
interface AgentsList { agents: Array<{ id: string; name?: string }> }

const PAGE = 100;
const PEEK_MESSAGES = 12;

export function mount(host: HTMLElement, ctx: ViewContext, initial: Route): View {
  let agentFilter = initial.query.get("agent") ?? "";
  let rows: SessionRow[] = [];
  let total = 0;
  let nextOffset: number | null = null;
  let loadSeq = 0;
  let peeked: string | undefined;
  /** Sessions a `chat` event showed running before the list caught up. */
  const runningNow = new Set<string>();

  const agentSelect = h("select", { id: "sessions-agent", onchange: () => setAgent(agentSelect.value) }, h("option", { value: "" }, "All agents"));
  const search = h("input", { id: "sessions-search", type: "search", placeholder: "Filter by key or text", autocomplete: "off", oninput: () => render() });
  const count = h("p", { class: "muted small", id: "sessions-count", "aria-live": "polite" });
  const alert = alertEl("sessions-alert");
  const table = h("div", { class: "table-wrap" });
  const more = h("button", { type: "button", id: "sessions-more", hidden: true, onclick: () => void load(true) }, "Load more");
  const peekTitle = h("h2", null, "Last messages");
  const peekOpen = h("a", { class: "button-link small" }, "Open in chat");
  const peekBody = h("div", { class: "peek-messages", role: "log", "aria-label": "Last messages", tabindex: "0" });
  const peek = h("section", { class: "card", id: "sessions-peek", hidden: true, "aria-labelledby": "sessions-peek-title" },
    h("div", { class: "card-head" }, peekTitle, h("div", { class: "row" }, peekOpen, h("button", { type: "button", class: "small ghost", onclick: () => closePeek() }, "Close"))),
    peekBody,
  );
  peekTitle.id = "sessions-peek-title";

  fill(host, h("div", { class: "page" },
    h("section", { class: "card" },
      h("div", { class: "card-head" }, h("h2", null, "Sessions"), h("button", { type: "button", class: "small", onclick: () => void load() }, "Refresh")),
      h("div", { class: "filters" },
        h("label", { for: "sessions-agent" }, "Agent"), agentSelect,
        h("label", { for: "sessions-search" }, "Search"), search,
      ),
      count, alert, table, h("div", { class: "row" }, more),
    ),
    peek,
  ));

  const chatPath = (s: SessionRow) => `/chat/${encodeURIComponent(s.agentId)}/${encodeURIComponent(s.key.replace(/^agent:[^:]+:/, ""))}`;
  const isRunning = (s: SessionRow) => s.status === "running" || runningNow.has(s.key);

  function setAgent(id: string): void {
    agentFilter = id;
    ctx.navigate(id ? `/sessions?agent=${encodeURIComponent(id)}` : "/sessions", { silent: true });
    void load();
  }

  async function loadAgents(): Promise<void> {
    try {
      const res = await ctx.request<AgentsList>("agents.list", {});
      const ids = res.agents.map((a) => a.id);
      if (agentFilter && !ids.includes(agentFilter)) ids.push(agentFilter);
      fill(agentSelect, h("option", { value: "" }, "All agents"), ids.map((id) => {
        const a = res.agents.find((x) => x.id === id);
        return h("option", { value: id, selected: id === agentFilter }, a?.name ? `${a.name} (${id})` : id);
      }));
    } catch {
      // The filter still works with what the sessions show; the list itself reports errors.
    }
  }

  async function load(append = false): Promise<void> {
    const seq = ++loadSeq;
    try {
      const res = await ctx.request<SessionsPage>("sessions.list", {
        limit: PAGE, ...(append && nextOffset ? { offset: nextOffset } : {}), ...(agentFilter ? { agentId: agentFilter } : {}),
      });
      if (seq !== loadSeq) return;
      rows = append ? [...rows, ...res.sessions.filter((s) => !rows.some((r) => r.key === s.key))] : res.sessions;
      for (const s of res.sessions) if (s.status !== "running") runningNow.delete(s.key);
      total = res.totalCount;
      nextOffset = res.hasMore ? res.nextOffset : null;
      // A load error is over; a Stop's outcome stays until the next action.
      if (alert.dataset.tone === "error") setAlert(alert, undefined);
      render();
    } catch (err) {
      if (seq === loadSeq) setAlert(alert, `Could not list sessions: ${errorText(err)}`);
    }
  }
  const reloadSoon = debounce(ctx.signal, 300, () => void load());

  function render(): void {
    const q = search.value.trim().toLowerCase();
    const shown = q ? rows.filter((s) => s.key.toLowerCase().includes(q) || (s.lastPreview ?? "").toLowerCase().includes(q)) : rows;
    const running = rows.filter(isRunning).length;
    count.textContent = `${shown.length === rows.length ? "" : `${shown.length} shown · `}${rows.length} of ${total} session${total === 1 ? "" : "s"}${running ? ` · ${running} running` : ""}`;
    more.hidden = nextOffset === null;
    refill(table, dataTable({
      id: "sessions-table",
      caption: "Sessions",
      rows: shown,
      rowKey: (s) => s.key,
      empty: rows.length ? "No session matches the filter." : "No sessions yet. Start one in Chat.",
      columns: [
        { label: "Session", class: "wrap", cell: (s) => h("a", { href: ctx.href(chatPath(s)), class: "session-key", title: `Open ${s.key} in Chat` }, s.key) },
        { label: "Agent", cell: (s) => s.agentId },
        { label: "Updated", cell: (s) => ageEl(s.updatedAt) },
        { label: "Messages", class: "num", cell: (s) => String(s.messageCount) },
        { label: "Status", cell: (s) => (isRunning(s) ? badge("running", "accent") : badge("idle")) },
        { label: "Last message", class: "preview", cell: (s) => h("span", { class: "clip", title: s.lastPreview ?? "" }, s.lastPreview ?? "") },
        {
          label: "Actions", class: "actions", cell: (s) => h("span", { class: "row nowrap" },
            h("button", { type: "button", class: "small", "aria-pressed": peeked === s.key ? "true" : "false", onclick: () => void openPeek(s) }, "Peek"),
            isRunning(s) ? h("button", { type: "button", class: "small danger", "data-action": "abort", onclick: (ev: MouseEvent) => void abort(s, ev.currentTarget as HTMLButtonElement) }, "Stop") : null,
          ),
        },
      ],
    }));
    for (const tr of table.querySelectorAll<HTMLElement>("tr[data-key]")) if (tr.dataset.key === peeked) tr.dataset.current = "";
  }

  async function abort(s: SessionRow, button: HTMLButtonElement): Promise<void> {
    try {
      const res = await busy(button, () => ctx.request<{ aborted: boolean; runIds: string[] }>("chat.abort", { sessionKey: s.key }));
      setAlert(alert, res.aborted ? `Stopped the run in ${s.key}.` : `Nothing was running in ${s.key}.`, "ok");
      runningNow.delete(s.key);
    } catch (err) {
      setAlert(alert, `Could not stop ${s.key}: ${errorText(err)}`);
    }
    void load();
  }

  async function openPeek(s: SessionRow): Promise<void> {
    peeked = s.key;
    peek.hidden = false;
    peekTitle.textContent = `Last messages · ${s.key}`;
    peekOpen.setAttribute("href", ctx.href(chatPath(s)));
    fill(peekBody, h("p", { class: "muted" }, "Loading…"));
    render();
    peek.scrollIntoView({ block: "nearest" });
    try {
      const res = await ctx.request<{ messages: WireMessage[]; totalMessages: number }>("chat.history", { sessionKey: s.key, limit: PEEK_MESSAGES });
      if (peeked !== s.key) return;
      const items = renderHistory(res.messages);
      fill(peekBody,
        res.totalMessages > res.messages.length ? h("p", { class: "muted small center" }, `The last ${res.messages.length} of ${res.totalMessages} messages, up to ${shortTime(s.updatedAt)}.`) : null,
        items.length ? items : h("p", { class: "muted" }, "No messages in this session."),
      );
      peekBody.scrollTop = peekBody.scrollHeight;
    } catch (err) {
      if (peeked === s.key) fill(peekBody, h("p", { class: "error" }, errorText(err)));
    }
  }

  function closePeek(): void {
    peeked = undefined;
    peek.hidden = true;
    render();
  }

  // Any run anywhere: its start (or first delta) marks its session running at once, its end
  // reloads the list (new counts and preview, and a session seen for the first time).
  function markRunning(key: string): void {
    if (runningNow.has(key)) return;
    runningNow.add(key);
    if (rows.some((r) => r.key === key)) render();
    else reloadSoon();
  }
  ctx.on("agent", (p: { sessionKey?: string; stream?: string; data?: { phase?: string } }) => {
    if (p.sessionKey && p.stream === "lifecycle" && p.data?.phase === "start") markRunning(p.sessionKey);
  });
  ctx.on("chat", (p: { sessionKey?: string; state?: string }) => {
    if (!p.sessionKey) return;
    if (p.state === "delta") markRunning(p.sessionKey);
    else {
      runningNow.delete(p.sessionKey);
      reloadSoon();
    }
  });
  every(ctx.signal, 15_000, () => refreshAges(table));

  void loadAgents();
  void load();
  return {
    route: (r) => {
      const wanted = r.query.get("agent") ?? "";
      if (wanted !== agentFilter) {
        agentFilter = wanted;
        agentSelect.value = wanted;
        void load();
      }
    },
    reconnected: () => {
      runningNow.clear();
      void loadAgents();
      void load();
    },
  };
}
