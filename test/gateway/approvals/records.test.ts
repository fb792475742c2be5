// Approval records in memory: settle once, waiters, expiry, id lookup by prefix, and how long
// settled records stay answerable.
import { describe, expect, test } from "bun:test";
import { ApprovalRecords, type ApprovalRecord } from "../../../src/gateway/approvals/records.ts";

const request = { command: "ls", allowedDecisions: ["allow-once" as const, "deny" as const] };

function records(now = () => Date.now()) {
  const settled: ApprovalRecord[] = [];
  return { store: new ApprovalRecords((r) => settled.push(r), now), settled };
}

describe("ApprovalRecords", () => {
  test("a record settles once; waiters and the hook hear about it", async () => {
    const { store, settled } = records();
    const r = store.create({ id: "a1", request }, 60_000);
    const waiting = store.wait("a1")!;
    expect(store.settle("a1", { status: "allowed", decision: "allow-once", terminalReason: "user", resolvedBy: "cli" })).toBe(r);
    expect(store.settle("a1", { status: "denied", decision: "deny", terminalReason: "user" })).toBeUndefined();
    expect(await waiting).toMatchObject({ status: "allowed", decision: "allow-once", resolvedBy: "cli" });
    expect(settled.map((x) => x.id)).toEqual(["a1"]);
    expect(store.pendingCount).toBe(0);
    expect(await store.wait("a1")!).toBe(r);
    expect(store.wait("nope")).toBeUndefined();
  });

  test("expiry settles as expired with no decision", async () => {
    const { store } = records();
    store.create({ id: "e1", request }, 30);
    const done = await store.wait("e1")!;
    expect(done).toMatchObject({ status: "expired", decision: null, terminalReason: "timeout" });
  });

  test("lookup: exact id, unique prefix, ambiguous prefix, invisible records", () => {
    const { store } = records();
    store.create({ id: "abcd-1111", request }, 60_000);
    store.create({ id: "abcd-2222", request }, 60_000);
    const all = () => true;
    expect(store.lookup("abcd-1111", "pending", all)).toMatchObject({ kind: "found", record: { id: "abcd-1111" } });
    expect(store.lookup("abcd-2", "pending", all)).toMatchObject({ kind: "found", record: { id: "abcd-2222" } });
    expect(store.lookup("abcd", "pending", all)).toEqual({ kind: "ambiguous" });
    expect(store.lookup("abc", "pending", all)).toEqual({ kind: "none" });
    expect(store.lookup("abcd", "pending", (r) => r.id.endsWith("1111"))).toMatchObject({ kind: "found", record: { id: "abcd-1111" } });
    expect(store.lookup("abcd-1111", "pending", () => false)).toEqual({ kind: "none" });
    expect(store.lookup("abcd-1111", "settled", all)).toEqual({ kind: "none" });
    store.settleAll({ status: "cancelled", decision: "deny", terminalReason: "gateway-restart" });
  });

  test("settled records are forgotten after ten minutes", () => {
    let now = 1_000_000;
    const { store } = records(() => now);
    store.create({ id: "old", request }, 60_000);
    store.settle("old", { status: "denied", decision: "deny", terminalReason: "user" });
    now += 9 * 60_000;
    expect(store.get("old")?.status).toBe("denied");
    now += 2 * 60_000;
    expect(store.get("old")).toBeUndefined();
    expect(store.has("old")).toBe(false);
  });

  test("at most 500 settled records are kept, oldest dropped first", () => {
    const { store } = records();
    for (let i = 0; i < 510; i++) {
      store.create({ id: `r${i}`, request }, 60_000);
      store.settle(`r${i}`, { status: "denied", decision: "deny", terminalReason: "user" });
    }
    expect(store.get("r0")).toBeUndefined();
    expect(store.get("r9")).toBeUndefined();
    expect(store.get("r10")?.id).toBe("r10");
    expect(store.get("r509")?.id).toBe("r509");
  });
});
