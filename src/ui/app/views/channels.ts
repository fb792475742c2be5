/**
 * Channels: each configured channel account's state (configured, running, connected, mode, last
 * error), a Probe that asks each account's service now, Start/Stop, linking WhatsApp by QR, and the
 * senders waiting to be paired. The status is read again every few seconds while the view is open
 * (it has no events); a probe's answer stays shown until the next probe.
 */
import { fill, h } from "../dom.ts";
import { SenderPairing } from "./channels-pairing.ts";
import { WhatsAppLink } from "./channels-whatsapp.ts";
import { ageEl, alertEl, badge, busy, dataTable, errorText, every, refill, refreshAges, setAlert } from "./parts.ts";
import type { View, ViewContext } from "./types.ts";

interface Account {
  accountId: string; enabled?: boolean; configured?: boolean; running?: boolean; connected?: boolean; mode?: string; lifecycle?: string;
  lastError?: string | null; stateReason?: string; lastStartAt?: number | null; lastInboundAt?: number; lastOutboundAt?: number;
  tokenSource?: string; linked?: boolean; reconnectAttempts?: number; probe?: Probe; lastProbeAt?: number;
}
interface Probe { ok: boolean; status?: number | null; error?: string | null; timedOut?: boolean; elapsedMs: number }
interface Issue { channel: string; accountId: string; kind: string; message: string; fix?: string }
interface Status {
  ts: number; channelOrder: string[]; channelLabels: Record<string, string>; channelDetailLabels: Record<string, string>;
  channelAccounts: Record<string, Account[]>; statusIssues: Issue[]; warnings?: string[];
}

const REFRESH_MS = 10_000;
const PROBE_TIMEOUT_MS = 8_000;

export function mount(host: HTMLElement, ctx: ViewContext): View {
  const probeButton = h("button", { type: "button", class: "small primary", id: "channels-probe", onclick: () => void load(true) }, "Probe");
  const summary = h("p", { class: "muted small", id: "channels-summary", "aria-live": "polite" });
  const alert = alertEl("channels-alert");
  const issues = h("ul", { class: "issues", id: "channels-issues", hidden: true });
  const list = h("div", { class: "stack", id: "channels-list" });
  const whatsapp = ctx.hasMethod("web.login.start") && ctx.hasMethod("web.login.wait") ? new WhatsAppLink(ctx, () => void load()) : undefined;
  const senders = ctx.hasMethod("channels.pairing.list") ? new SenderPairing(ctx) : undefined;
  /** The latest probe answer per channel/account: a plain refresh does not carry one. */
  const probes = new Map<string, { probe: Probe; at: number }>();
  let status: Status | undefined;
  let seq = 0;
  let shown = "";

  fill(host, h("div", { class: "page" },
    h("section", { class: "card", "aria-labelledby": "channels-title" },
      h("div", { class: "card-head" },
        h("h2", { id: "channels-title" }, "Channels"),
        h("div", { class: "row" }, h("button", { type: "button", class: "small", onclick: () => void load() }, "Refresh"), probeButton),
      ),
      summary, alert, issues,
    ),
    list,
    senders?.el ?? null,
  ));

  const keyOf = (channel: string, accountId: string) => `${channel}/${accountId}`;

  async function load(probe = false): Promise<void> {
    const mySeq = ++seq;
    if (probe) {
      probeButton.disabled = true;
      probeButton.textContent = "Probing…";
    }
    const started = performance.now();
    try {
      const res = await ctx.request<Status>("channels.status", { probe, ...(probe ? { timeoutMs: PROBE_TIMEOUT_MS } : {}) }, probe ? 45_000 : 15_000);
      if (probe) {
        for (const [channel, accounts] of Object.entries(res.channelAccounts)) {
          for (const a of accounts) if (a.probe) probes.set(keyOf(channel, a.accountId), { probe: a.probe, at: a.lastProbeAt ?? Date.now() });
        }
      }
      // A slow probe must not be overwritten by a refresh that started before it ended, and vice versa.
      if (mySeq === seq || probe) {
        status = res;
        // The periodic refresh mostly finds nothing new: the page is left alone then.
        const signature = JSON.stringify([{ ...res, ts: 0 }, [...probes]]);
        if (signature !== shown) render();
        shown = signature;
      }
      const accounts = Object.values(res.channelAccounts).flat();
      if (probe) {
        const n = accounts.filter((a) => a.probe).length;
        summary.dataset.probed = "";
        summary.textContent = n ? `Probed ${n} account${n === 1 ? "" : "s"} in ${Math.round(performance.now() - started)} ms.` : "Nothing to probe: no configured account offers a probe.";
      } else if (summary.dataset.probed === undefined) {
        summary.textContent = accounts.length ? `${accounts.filter((a) => a.running).length} of ${accounts.length} account${accounts.length === 1 ? "" : "s"} running.` : "";
      }
      if (alert.dataset.tone === "error") setAlert(alert, undefined);
    } catch (err) {
      setAlert(alert, `${probe ? "Probe failed" : "Could not read channel status"}: ${errorText(err)}`);
    } finally {
      if (probe) {
        probeButton.disabled = false;
        probeButton.textContent = "Probe";
      }
    }
  }

  function render(): void {
    if (!status) return;
    fill(issues, [...status.statusIssues.map((i) => h("li", null,
      h("span", { class: "strong" }, `${status!.channelLabels[i.channel] ?? i.channel} · ${i.accountId}: `), i.message,
      i.fix ? h("span", { class: "muted" }, ` Fix: ${i.fix}.`) : null,
    )), ...(status.warnings ?? []).map((w) => h("li", null, w))]);
    issues.hidden = issues.childElementCount === 0;
    if (status.channelOrder.length === 0) {
      fill(list, h("section", { class: "card" }, h("div", { class: "empty" },
        h("h2", null, "No channels yet"),
        h("p", { class: "muted" }, "Add channels.telegram or channels.whatsapp to the config; they show up here with their state, and WhatsApp can be linked from this page."),
      )));
      return;
    }
    refill(list, status.channelOrder.map((id) => channelCard(id, status!.channelAccounts[id] ?? [])));
  }

  function channelCard(id: string, accounts: Account[]): HTMLElement {
    const label = status!.channelLabels[id] ?? id;
    const card = h("section", { class: "card", id: `channel-${id}`, "aria-label": label },
      h("div", { class: "card-head" },
        h("h2", null, label, status!.channelDetailLabels[id] && status!.channelDetailLabels[id] !== label ? h("span", { class: "muted small" }, ` · ${status!.channelDetailLabels[id]}`) : null),
        h("span", { class: "muted small" }, `${accounts.length} account${accounts.length === 1 ? "" : "s"}`),
      ),
      dataTable({
        id: `channel-${id}-accounts`,
        caption: `${label} accounts`,
        rows: accounts,
        rowKey: (a) => keyOf(id, a.accountId),
        empty: "No accounts.",
        columns: [
          { label: "Account", cell: (a) => h("span", { class: "strong" }, a.accountId) },
          { label: "State", class: "wrap", cell: (a) => h("span", { class: "chips" }, ...stateBadges(id, a)) },
          { label: "Mode", cell: (a) => a.mode ?? (a.tokenSource && a.tokenSource !== "none" ? `token from ${a.tokenSource}` : "—") },
          { label: "Last error", class: "wrap", cell: (a) => (a.lastError ? h("span", { class: "error small" }, a.lastError) : a.stateReason && !a.configured ? h("span", { class: "muted small" }, a.stateReason) : h("span", { class: "muted" }, "—")) },
          { label: "Probe", class: "wrap", cell: (a) => probeCell(probes.get(keyOf(id, a.accountId))) },
          { label: "Activity", cell: (a) => activity(a) },
          { label: "Actions", class: "actions", cell: (a) => actions(id, a) },
        ],
      }),
    );
    if (id === "whatsapp" && whatsapp) card.append(whatsapp.el);
    return card;
  }

  function stateBadges(channel: string, a: Account): HTMLElement[] {
    if (a.enabled === false) return [badge("disabled")];
    const out = [a.configured ? badge("configured", "ok") : badge("not configured", "warn")];
    if (channel === "whatsapp" && a.linked !== undefined) out.push(a.linked ? badge("linked", "ok") : badge("not linked", "warn"));
    out.push(a.running ? badge("running", "ok") : badge("stopped"));
    if (a.running) out.push(a.connected ? badge("connected", "ok") : badge(a.lifecycle === "starting" ? "connecting" : "not connected", "warn"));
    if (a.reconnectAttempts) out.push(badge(`${a.reconnectAttempts} reconnects`, "warn"));
    return out;
  }

  function probeCell(p: { probe: Probe; at: number } | undefined): HTMLElement {
    if (!p) return h("span", { class: "muted" }, "not probed");
    const { probe } = p;
    const what = probe.ok ? badge("ok", "ok") : badge(probe.timedOut ? "timed out" : "failed", "danger");
    return h("span", { class: "stack tight", "data-probe": probe.ok ? "ok" : "failed" },
      h("span", { class: "row" }, what, h("span", { class: "muted small" }, `${Math.round(probe.elapsedMs)} ms`)),
      probe.error ? h("span", { class: "error small" }, probe.error) : null,
      ageEl(p.at),
    );
  }

  function activity(a: Account): HTMLElement {
    const rows: Array<[string, number | null | undefined]> = [["started", a.lastStartAt], ["received", a.lastInboundAt], ["sent", a.lastOutboundAt]];
    const shown = rows.filter(([, t]) => typeof t === "number");
    if (shown.length === 0) return h("span", { class: "muted" }, "—");
    return h("span", { class: "stack tight" }, shown.map(([what, t]) => h("span", { class: "small" }, h("span", { class: "muted" }, `${what} `), ageEl(t as number))));
  }

  function actions(channel: string, a: Account): HTMLElement {
    const canLink = channel === "whatsapp" && whatsapp && a.enabled !== false;
    return h("span", { class: "row nowrap" },
      canLink ? h("button", {
        type: "button", class: a.linked ? "small" : "small primary", "data-action": "link",
        onclick: () => void whatsapp!.start(a.accountId, a.linked === true),
        title: a.linked ? "Link again with a new QR (the current link is replaced)" : undefined,
      }, a.linked ? "Relink" : "Link device") : null,
      a.running
        ? h("button", { type: "button", class: "small", "data-action": "stop", onclick: (ev: MouseEvent) => void lifecycle(channel, a, "stop", ev.currentTarget as HTMLButtonElement) }, "Stop")
        : h("button", { type: "button", class: "small", "data-action": "start", disabled: !a.configured || a.enabled === false, onclick: (ev: MouseEvent) => void lifecycle(channel, a, "start", ev.currentTarget as HTMLButtonElement) }, "Start"),
    );
  }

  async function lifecycle(channel: string, a: Account, what: "start" | "stop", button: HTMLButtonElement): Promise<void> {
    const label = `${status?.channelLabels[channel] ?? channel} · ${a.accountId}`;
    try {
      const res = await busy(button, () => ctx.request<{ started?: boolean; stopped?: boolean; outcome?: { status: string; reason?: string } }>(`channels.${what}`, { channel, accountId: a.accountId }));
      const text = what === "stop"
        ? res.stopped ? `Stopped ${label}; it stays stopped until you start it.` : `${label} was not running.`
        : res.started ? `Starting ${label}.` : `${label} did not start (${res.outcome?.reason ?? res.outcome?.status ?? "skipped"}).`;
      setAlert(alert, text, "ok");
    } catch (err) {
      setAlert(alert, `Could not ${what} ${label}: ${errorText(err)}`);
    }
    void load();
  }

  every(ctx.signal, REFRESH_MS, () => {
    if (document.visibilityState === "visible") {
      void load();
      void senders?.load();
    }
  });
  every(ctx.signal, 15_000, () => refreshAges(host));
  ctx.signal.addEventListener("abort", () => whatsapp?.stop(""), { once: true });

  void load();
  void senders?.load();
  return {
    reconnected: () => {
      void load();
      void senders?.load();
    },
  };
}
