/**
 * Who hears about approvals. An approval client is an operator socket with admin or approvals
 * scope that can show a prompt: the Control UI, the companion apps, or any client that declared
 * the `approvals` / `exec-approvals` cap. Admin sees every record; an approvals-only client sees
 * only the records it asked for itself, so an agent's exec prompt never reaches it.
 */
import type { ConnState } from "../ws/conn.ts";
import type { ApprovalRecord } from "./records.ts";

const PROMPTING_CLIENTS: ReadonlySet<string> = new Set(["openclaw-control-ui", "openclaw-macos", "openclaw-ios", "openclaw-android"]);
const APPROVAL_CAPS = ["approvals", "exec-approvals"];

export function isApprovalClient(d: ConnState): boolean {
  if (d.phase !== "ready" || (d.role ?? "operator") !== "operator") return false;
  const scopes = d.scopes ?? [];
  if (!scopes.includes("operator.admin") && !scopes.includes("operator.approvals")) return false;
  return PROMPTING_CLIENTS.has(d.client?.id ?? "") || (d.caps ?? []).some((c) => APPROVAL_CAPS.includes(c));
}

/** Whether a caller may see (list, get, wait for, resolve) a record. */
export function canSee(d: Pick<ConnState, "scopes" | "connId" | "deviceId">, r: ApprovalRecord): boolean {
  if ((d.scopes ?? []).includes("operator.admin")) return true;
  if (r.requestedByDeviceId) return r.requestedByDeviceId === d.deviceId;
  return r.requestedByConnId !== undefined && r.requestedByConnId === d.connId;
}

/** The sockets an event about `r` goes to; the requester itself is skipped for the request event. */
export function audienceOf(r: ApprovalRecord, opts: { exclude?: string } = {}): (d: ConnState) => boolean {
  return (d) => d.connId !== opts.exclude && isApprovalClient(d) && canSee(d, r);
}
