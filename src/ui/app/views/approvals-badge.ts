/**
 * The nav's count of pending exec approvals, kept whatever view is open: the list once per
 * connection, then exec.approval.requested / resolved, and each entry dropped at its expiry in
 * case the resolved event is missed. Loaded with the shell (a few hundred bytes); the Approvals
 * view itself is its own chunk.
 */
import type { BadgeSource } from "./types.ts";

export const APPROVAL_SCOPES = ["operator.admin", "operator.approvals"];

export const approvalsBadge: BadgeSource = {
  label: "pending approvals",
  watch(ctx, on, set) {
    if (!ctx.hello().auth.scopes.some((s) => APPROVAL_SCOPES.includes(s))) return () => {};
    const pending = new Map<string, number>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const update = () => {
      const now = Date.now();
      for (const [id, expires] of pending) if (expires <= now) pending.delete(id);
      set(pending.size);
      clearTimeout(timer);
      const next = Math.min(...pending.values());
      if (Number.isFinite(next)) timer = setTimeout(update, Math.max(0, next - now) + 50);
    };
    const offs = [
      on("exec.approval.requested", (p: { id: string; expiresAtMs: number }) => {
        pending.set(p.id, p.expiresAtMs);
        update();
      }),
      on("exec.approval.resolved", (p: { id: string }) => {
        pending.delete(p.id);
        update();
      }),
    ];
    ctx.request<Array<{ id: string; expiresAtMs: number }>>("exec.approval.list", {}).then(
      (list) => {
        for (const e of list) pending.set(e.id, e.expiresAtMs);
        update();
      },
      () => {},
    );
    return () => {
      clearTimeout(timer);
      for (const off of offs) off();
    };
  },
};
