/**
 * Nodes and devices: pairing requests waiting for an operator (devices asking to connect, nodes
 * asking for a command surface) with Approve / Reject, the nodes with their state, caps and
 * commands, a form to invoke a command on a node, and the paired devices. Requests arrive live
 * (device.pair.* / node.pair.* events); nodes coming and going show through `presence`.
 */
import { fill, h } from "../dom.ts";
import { ageEl, alertEl, badge, busy, chips, dataTable, debounce, errorText, every, refreshAges, setAlert, shortId, refill } from "./parts.ts";
import { InvokeForm, type NodeEntry } from "./nodes-invoke.ts";
import type { View, ViewContext } from "./types.ts";

interface PendingDevice {
  requestId: string; deviceId: string; displayName?: string; platform?: string; clientId: string; clientMode: string;
  role: string; roles: string[]; scopes: string[]; isRepair: boolean; ts: number;
}
interface PairedDevice {
  deviceId: string; displayName?: string; platform?: string; clientId: string; clientMode: string; roles: string[]; scopes: string[];
  approvedVia: string; approvedAtMs: number; lastSeenAtMs?: number; connected: boolean;
}
interface PendingNode {
  requestId: string; nodeId: string; displayName?: string; platform?: string; clientId: string; caps: string[]; commands: string[];
  requiredApproveScopes: string[]; ts: number;
}

async function settle<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

type Pending = { kind: "device"; r: PendingDevice } | { kind: "node"; r: PendingNode };

export function mount(host: HTMLElement, ctx: ViewContext): View {
  const pendingAlert = alertEl("pairing-alert");
  const pendingBox = h("div", { class: "table-wrap", id: "pending" });
  const nodesAlert = alertEl("nodes-alert");
  const nodesBox = h("div", { class: "table-wrap" });
  const devicesAlert = alertEl("devices-alert");
  const devicesBox = h("div", { class: "table-wrap" });
  const invoke = new InvokeForm(ctx);
  let devicePending: PendingDevice[] = [];
  let nodePending: PendingNode[] = [];
  /** Why a pairing list could not be read (missing scope, older gateway), shown instead of rows. */
  const pairingErrors: string[] = [];

  const canDevices = ctx.hasMethod("device.pair.list");
  const canNodePairing = ctx.hasMethod("node.pair.list");

  fill(host, h("div", { class: "page" },
    h("section", { class: "card", "aria-labelledby": "pending-title" },
      h("div", { class: "card-head" }, h("h2", { id: "pending-title" }, "Pending requests"), h("button", { type: "button", class: "small", onclick: () => void loadPairing() }, "Refresh")),
      h("p", { class: "muted small" }, "Devices asking to connect and nodes asking to run commands wait here until you approve or reject them. New ones appear by themselves."),
      pendingAlert, pendingBox,
    ),
    h("section", { class: "card", "aria-labelledby": "nodes-title" },
      h("div", { class: "card-head" }, h("h2", { id: "nodes-title" }, "Nodes"), h("button", { type: "button", class: "small", onclick: () => void loadNodes() }, "Refresh")),
      nodesAlert, nodesBox,
    ),
    invoke.el,
    canDevices ? h("section", { class: "card", "aria-labelledby": "devices-title" },
      h("div", { class: "card-head" }, h("h2", { id: "devices-title" }, "Paired devices")),
      devicesAlert, devicesBox,
    ) : null,
  ));

  /** This page's device, from its own entry in the connect snapshot's presence list. */
  const myDevice = () => (ctx.hello().snapshot.presence as Array<{ instanceId?: string; deviceId?: string }>).find((e) => e.instanceId === ctx.gateway.instanceId)?.deviceId;
  const nameOf = (x: { displayName?: string; clientId: string }) => x.displayName || x.clientId;

  function renderPending(): void {
    const rows: Pending[] = [...devicePending.map((r) => ({ kind: "device" as const, r })), ...nodePending.map((r) => ({ kind: "node" as const, r }))].sort((a, b) => a.r.ts - b.r.ts);
    if (rows.length === 0 && pairingErrors.length) {
      fill(pendingBox, h("p", { class: "muted table-empty" }, `Pending requests cannot be shown: ${pairingErrors.join("; ")}`));
      return;
    }
    refill(pendingBox, dataTable({
      id: "pending-table",
      caption: "Pending pairing requests",
      rows,
      rowKey: (p) => p.r.requestId,
      empty: "No pending requests.",
      columns: [
        {
          label: "Request", class: "wrap", cell: (p) => h("span", { class: "stack tight" },
            h("span", { class: "row" }, badge(p.kind === "device" ? (p.r as PendingDevice).isRepair ? "device (repair)" : "device" : "node commands", "accent"), h("span", { class: "strong" }, nameOf(p.r))),
            shortId(p.kind === "device" ? p.r.deviceId : p.r.nodeId, 16),
          ),
        },
        {
          label: "Asks for", class: "wrap", cell: (p) => p.kind === "device"
            ? h("span", { class: "stack tight" }, h("span", null, `role ${p.r.role}`), p.r.scopes.length ? chips(p.r.scopes) : null)
            : h("span", { class: "stack tight" }, chips(p.r.commands, 6), p.r.requiredApproveScopes.length ? h("span", { class: "muted small" }, `needs ${p.r.requiredApproveScopes.join(", ")} to approve`) : null),
        },
        { label: "Client", class: "wrap", cell: (p) => [p.r.clientId, p.r.platform].filter(Boolean).join(" · ") },
        { label: "Asked", cell: (p) => ageEl(p.r.ts) },
        {
          label: "Actions", class: "actions", cell: (p) => h("span", { class: "row nowrap" },
            h("button", { type: "button", class: "small primary", "data-action": "approve", onclick: (ev: MouseEvent) => void decide(p, "approve", ev.currentTarget as HTMLButtonElement) }, "Approve"),
            h("button", { type: "button", class: "small", "data-action": "reject", onclick: (ev: MouseEvent) => void decide(p, "reject", ev.currentTarget as HTMLButtonElement) }, "Reject"),
          ),
        },
      ],
    }));
  }

  async function decide(p: Pending, decision: "approve" | "reject", button: HTMLButtonElement): Promise<void> {
    const method = `${p.kind === "device" ? "device" : "node"}.pair.${decision}`;
    try {
      await busy(button, () => ctx.request(method, { requestId: p.r.requestId }));
      setAlert(pendingAlert, `${decision === "approve" ? "Approved" : "Rejected"} ${p.kind === "device" ? "device" : "the commands of"} ${nameOf(p.r)}.`, "ok");
    } catch (err) {
      // A refusal (missing operator.pairing/admin, a request that is gone) is the gateway's words.
      setAlert(pendingAlert, `Could not ${decision} ${nameOf(p.r)}: ${errorText(err)}`);
    }
    void loadPairing();
    void loadNodes();
  }

  async function loadPairing(): Promise<void> {
    const [devices, nodes] = await Promise.all([
      canDevices ? settle(ctx.request<{ pending: PendingDevice[]; paired: PairedDevice[] }>("device.pair.list", {})) : undefined,
      canNodePairing ? settle(ctx.request<{ pending: PendingNode[] }>("node.pair.list", {})) : undefined,
    ]);
    pairingErrors.length = 0;
    if (devices?.ok) {
      devicePending = devices.value.pending;
      renderDevices(devices.value.paired);
      setAlert(devicesAlert, undefined);
    } else if (devices) {
      devicePending = [];
      pairingErrors.push(`devices: ${errorText(devices.error)}`);
      setAlert(devicesAlert, `Could not list devices: ${errorText(devices.error)}`);
    }
    if (nodes?.ok) nodePending = nodes.value.pending;
    else if (nodes) {
      nodePending = [];
      pairingErrors.push(`nodes: ${errorText(nodes.error)}`);
    }
    renderPending();
  }
  const loadPairingSoon = debounce(ctx.signal, 150, () => void loadPairing());

  function renderDevices(paired: PairedDevice[]): void {
    refill(devicesBox, dataTable({
      id: "devices-table",
      caption: "Paired devices",
      rows: [...paired].sort((a, b) => Number(b.connected) - Number(a.connected) || (b.lastSeenAtMs ?? 0) - (a.lastSeenAtMs ?? 0)),
      rowKey: (d) => d.deviceId,
      empty: "No paired devices.",
      columns: [
        {
          label: "Device", class: "wrap", cell: (d) => h("span", { class: "stack tight" },
            h("span", { class: "strong" }, nameOf(d)), shortId(d.deviceId, 16), d.deviceId === myDevice() ? badge("this browser", "accent") : null,
          ),
        },
        { label: "Client", class: "wrap", cell: (d) => [d.clientId, d.clientMode, d.platform].filter(Boolean).join(" · ") },
        { label: "Roles", cell: (d) => chips(d.roles) },
        { label: "Scopes", class: "wrap", cell: (d) => chips(d.scopes.map((s) => s.replace(/^operator\./, "")), 6) },
        { label: "Approved", cell: (d) => h("span", { class: "stack tight" }, h("span", null, d.approvedVia === "silent" ? "automatically" : d.approvedVia), ageEl(d.approvedAtMs)) },
        { label: "State", cell: (d) => (d.connected ? badge("connected", "ok") : badge("offline")) },
        { label: "Last seen", cell: (d) => ageEl(d.lastSeenAtMs) },
      ],
    }));
  }

  async function loadNodes(): Promise<void> {
    try {
      const res = await ctx.request<{ nodes: NodeEntry[] }>("node.list", {});
      renderNodes(res.nodes);
      invoke.setNodes(res.nodes);
      setAlert(nodesAlert, undefined);
    } catch (err) {
      setAlert(nodesAlert, `Could not list nodes: ${errorText(err)}`);
    }
  }
  const loadNodesSoon = debounce(ctx.signal, 300, () => void loadNodes());

  function renderNodes(nodes: NodeEntry[]): void {
    refill(nodesBox, dataTable({
      id: "nodes-table",
      caption: "Nodes",
      rows: nodes,
      rowKey: (n) => n.nodeId,
      empty: "No node has connected yet. Run `openclaw node run` on a machine to add one.",
      columns: [
        { label: "Node", class: "wrap", cell: (n) => h("span", { class: "stack tight" }, h("span", { class: "strong" }, n.displayName || n.nodeId), shortId(n.nodeId, 16)) },
        {
          label: "State", cell: (n) => h("span", { class: "stack tight" },
            n.connected ? badge("connected", "ok") : badge("offline"),
            n.approvalState === "approved" ? null : badge(n.approvalState.replace(/-/g, " "), "warn"),
          ),
        },
        { label: "Platform", class: "wrap", cell: (n) => [n.platform, n.version].filter(Boolean).join(" · ") || "—" },
        { label: "Caps", class: "wrap", cell: (n) => chips(n.caps, 6) },
        { label: "Commands", class: "wrap", cell: (n) => chips(n.commands, 6) },
        { label: "Seen", cell: (n) => (n.connected ? h("span", { class: "stack tight" }, h("span", { class: "muted small" }, "since"), ageEl(n.connectedAtMs)) : ageEl(n.lastSeenAtMs)) },
        {
          label: "Actions", class: "actions", cell: (n) => h("button", {
            type: "button", class: "small", disabled: !n.connected || n.commands.length === 0, title: n.connected ? undefined : "The node is offline",
            onclick: () => invoke.select(n.nodeId),
          }, "Invoke…"),
        },
      ],
    }));
  }

  ctx.on("device.pair.requested", loadPairingSoon);
  ctx.on("device.pair.resolved", loadPairingSoon);
  ctx.on("node.pair.requested", () => (loadPairingSoon(), loadNodesSoon()));
  ctx.on("node.pair.resolved", () => (loadPairingSoon(), loadNodesSoon()));
  // A node connecting or leaving changes presence; so does a device coming online.
  ctx.on("presence", () => (loadNodesSoon(), canDevices && loadPairingSoon()));
  every(ctx.signal, 15_000, () => refreshAges(host));

  renderPending();
  void loadPairing();
  void loadNodes();
  return {
    reconnected: () => {
      void loadPairing();
      void loadNodes();
    },
  };
}
