/**
 * Sender pairing: people who messaged the assistant on a channel and got a pairing code wait here
 * for an operator. Approve lets them talk to it (optionally telling them so); Dismiss drops the
 * request. The list has no events, so it is read again every few seconds while the view is open.
 */
import { fill, h } from "../dom.ts";
import { ageEl, alertEl, badge, busy, dataTable, errorText, setAlert, refill } from "./parts.ts";
import type { ViewContext } from "./types.ts";

interface SenderRequest {
  requestId: string; code: string; channel: string; channelLabel?: string; accountId: string; senderId: string;
  metadata?: { firstName?: string; name?: string; username?: string; [k: string]: unknown }; createdAt: string; expiresAt: string; notifySupported?: boolean;
}

export class SenderPairing {
  readonly el: HTMLElement;
  private readonly box = h("div", { class: "table-wrap" });
  private readonly alert = alertEl("senders-alert");
  private readonly notify = h("input", { type: "checkbox", id: "senders-notify", checked: true });
  private seq = 0;

  constructor(private readonly ctx: ViewContext) {
    this.el = h("section", { class: "card", id: "senders", "aria-labelledby": "senders-title" },
      h("div", { class: "card-head" }, h("h2", { id: "senders-title" }, "Sender requests"), h("button", { type: "button", class: "small", onclick: () => void this.load() }, "Refresh")),
      h("p", { class: "muted small" }, "People who messaged the assistant directly and got a pairing code. Approving lets them chat with it; groups are never paired this way."),
      h("label", { class: "check" }, this.notify, "Tell them when approved"),
      this.alert, this.box,
    );
  }

  async load(): Promise<void> {
    const seq = ++this.seq;
    try {
      const res = await this.ctx.request<{ requests: SenderRequest[] }>("channels.pairing.list", {});
      if (seq === this.seq) this.render(res.requests);
      if (this.alert.dataset.tone === "error") setAlert(this.alert, undefined);
    } catch (err) {
      if (seq === this.seq) setAlert(this.alert, `Could not list sender requests: ${errorText(err)}`);
    }
  }

  private render(requests: SenderRequest[]): void {
    const handle = (r: SenderRequest) => (r.metadata?.username ? `@${r.metadata.username}` : undefined);
    const who = (r: SenderRequest) => r.metadata?.firstName ?? r.metadata?.name ?? handle(r) ?? r.senderId;
    refill(this.box, dataTable({
      id: "senders-table",
      caption: "Sender pairing requests",
      rows: requests,
      rowKey: (r) => r.requestId,
      empty: "Nobody is waiting.",
      columns: [
        { label: "Channel", cell: (r) => h("span", { class: "stack tight" }, badge(r.channelLabel ?? r.channel, "accent"), r.accountId === "default" ? null : h("span", { class: "muted small" }, r.accountId)) },
        {
          label: "Sender", class: "wrap", cell: (r) => h("span", { class: "stack tight" },
            h("span", { class: "strong" }, who(r)),
            h("span", { class: "muted small" }, [handle(r), r.senderId].filter((x) => x && x !== who(r)).join(" · ")),
          ),
        },
        { label: "Code", cell: (r) => h("code", null, r.code) },
        { label: "Asked", cell: (r) => ageEl(Date.parse(r.createdAt)) },
        {
          label: "Actions", class: "actions", cell: (r) => h("span", { class: "row nowrap" },
            h("button", { type: "button", class: "small primary", "data-action": "approve", onclick: (ev: MouseEvent) => void this.decide(r, "approve", ev.currentTarget as HTMLButtonElement) }, "Approve"),
            h("button", { type: "button", class: "small", "data-action": "dismiss", onclick: (ev: MouseEvent) => void this.decide(r, "dismiss", ev.currentTarget as HTMLButtonElement) }, "Dismiss"),
          ),
        },
      ],
    }));
  }

  private async decide(r: SenderRequest, decision: "approve" | "dismiss", button: HTMLButtonElement): Promise<void> {
    const params = { channel: r.channel, accountId: r.accountId, requestId: r.requestId, ...(decision === "approve" && this.notify.checked ? { notify: true } : {}) };
    try {
      const res = await busy(button, () => this.ctx.request<{ notification?: string }>(`channels.pairing.${decision}`, params));
      const told = res.notification === "sent" ? " and told them" : res.notification === "failed" ? " (telling them failed)" : "";
      setAlert(this.alert, decision === "approve" ? `Approved ${r.senderId} on ${r.channelLabel ?? r.channel}${told}.` : `Dismissed ${r.senderId}.`, "ok");
    } catch (err) {
      setAlert(this.alert, `Could not ${decision} ${r.senderId}: ${errorText(err)}`);
    }
    void this.load();
  }
}
