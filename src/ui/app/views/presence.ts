/**
 * Presence: who is connected to the gateway right now (the gateway itself, operators such as this
 * page or the CLI, nodes) and recent system-event beacons. The gateway sends the whole list in a
 * `presence` event on every change, so the table is live without polling; ages tick locally.
 */
import { fill, h } from "../dom.ts";
import { ageEl, alertEl, badge, chips, dataTable, errorText, every, refreshAges, setAlert, shortId, type Tone, refill } from "./parts.ts";
import type { View, ViewContext } from "./types.ts";

interface PresenceEntry {
  host?: string; clientId?: string; ip?: string; version?: string; platform?: string; deviceFamily?: string; modelIdentifier?: string;
  mode?: string; lastInputSeconds?: number; reason?: string; text?: string; ts: number; deviceId?: string;
  roles?: string[]; scopes?: string[]; instanceId?: string; tags?: string[];
}

const MODE_TONES: Record<string, Tone> = { gateway: "accent", node: "ok", webchat: "muted", cli: "muted" };

export function mount(host: HTMLElement, ctx: ViewContext): View {
  const summary = h("p", { class: "muted small", id: "presence-summary", "aria-live": "polite" });
  const alert = alertEl("presence-alert");
  const table = h("div", { class: "table-wrap" });
  let entries: PresenceEntry[] = [];
  let updatedAt = Date.now();
  const updated = h("span", { class: "muted small" });

  fill(host, h("div", { class: "page" },
    h("section", { class: "card" },
      h("div", { class: "card-head" },
        h("h2", null, "Presence"),
        h("div", { class: "row" }, updated, h("button", { type: "button", class: "small", onclick: () => void load() }, "Refresh")),
      ),
      summary, alert, table,
      h("p", { class: "muted small" }, "One-shot clients (CLI commands, probes) are not listed."),
    ),
  ));

  const self = () => ctx.gateway.instanceId;
  const isGateway = (e: PresenceEntry) => e.mode === "gateway" && e.reason === "self";

  function show(list: PresenceEntry[]): void {
    // The gateway first, then this page, then the most recently seen.
    entries = [...list].sort((a, b) => rank(a) - rank(b) || b.ts - a.ts);
    updatedAt = Date.now();
    render();
  }
  const rank = (e: PresenceEntry) => (isGateway(e) ? 0 : e.instanceId === self() ? 1 : 2);

  function render(): void {
    const clients = entries.filter((e) => !isGateway(e));
    const nodes = clients.filter((e) => e.mode === "node").length;
    summary.textContent = `${clients.length} connected client${clients.length === 1 ? "" : "s"}${nodes ? ` (${nodes} node${nodes === 1 ? "" : "s"})` : ""} and the gateway.`;
    fill(updated, "Updated ", ageEl(updatedAt));
    refill(table, dataTable({
      id: "presence-table",
      caption: "Connected clients",
      rows: entries,
      rowKey: (e) => e.instanceId ?? e.deviceId ?? `${e.host}:${e.ts}`,
      empty: "Nobody is connected.",
      columns: [
        {
          label: "Client", class: "wrap", cell: (e) => h("span", { class: "stack tight" },
            h("span", { class: "strong" }, isGateway(e) ? "Gateway" : e.clientId ?? e.host ?? "unknown"),
            e.instanceId === self() ? badge("this page", "accent") : null,
          ),
        },
        { label: "Mode", cell: (e) => (e.mode ? badge(e.mode, MODE_TONES[e.mode] ?? "muted") : "—") },
        // A client without a display name reports its client id as host: no need to say it twice.
        { label: "Host", class: "wrap", cell: (e) => (e.host && e.host !== e.clientId ? e.host : "—") },
        { label: "Platform", class: "wrap", cell: (e) => [e.platform, e.deviceFamily && e.deviceFamily !== e.platform ? e.deviceFamily : undefined, e.modelIdentifier].filter(Boolean).join(" · ") || "—" },
        { label: "Version", cell: (e) => e.version ?? "—" },
        { label: "IP", cell: (e) => e.ip ?? "—" },
        { label: "Roles", cell: (e) => chips(e.roles) },
        { label: "Scopes", class: "wrap", cell: (e) => chips(e.scopes?.map((s) => s.replace(/^operator\./, "")), 6) },
        {
          label: "Last seen", cell: (e) => h("span", { class: "stack tight" },
            ageEl(e.ts),
            e.lastInputSeconds !== undefined ? h("span", { class: "muted small" }, `input ${Math.round(e.lastInputSeconds)} s ago`) : null,
            e.reason && e.reason !== "connect" && e.reason !== "self" ? h("span", { class: "muted small" }, e.reason) : null,
          ),
        },
        { label: "Instance", cell: (e) => (e.instanceId ? shortId(e.instanceId, 8) : "—") },
      ],
    }));
    for (const tr of table.querySelectorAll<HTMLElement>("tr[data-key]")) if (tr.dataset.key === self()) tr.dataset.current = "";
  }

  async function load(): Promise<void> {
    try {
      show(await ctx.request<PresenceEntry[]>("system-presence", {}));
      setAlert(alert, undefined);
    } catch (err) {
      setAlert(alert, `Could not read presence: ${errorText(err)}`);
    }
  }

  ctx.on("presence", (p: { presence?: PresenceEntry[] }) => {
    if (Array.isArray(p?.presence)) show(p.presence);
  });
  every(ctx.signal, 5_000, () => refreshAges(host));

  // The connect snapshot paints at once; the method brings it up to date.
  show((ctx.hello().snapshot.presence ?? []) as PresenceEntry[]);
  void load();
  return { reconnected: () => void load() };
}
