// The pending-socket memory valve: a frame is buffered whole before the gateway sees it, so a
// socket that never authenticates can hold memory unseen; past the headroom, old pending sockets go.
import { expect, test } from "bun:test";
import { PendingBudget } from "../../src/gateway/ws/admission.ts";
import type { GatewaySocket } from "../../src/gateway/ws/conn.ts";
import { PendingSockets } from "../../src/gateway/ws/pending.ts";
import { waitUntil } from "../fixtures/wait.ts";

function fakeSocket(ip: string, ageMs: number) {
  const s = {
    terminated: false,
    data: { remoteAddress: ip, openedAt: Date.now() - ageMs, admitted: true, phase: "pre" },
    terminate() {
      s.terminated = true;
    },
    close() {},
  };
  return s;
}

test("past the headroom, pending sockets older than a second are cut and their slots given back", async () => {
  let rss = 100e6;
  const budget = new PendingBudget();
  const cuts: number[] = [];
  const pending = new PendingSockets({ timeoutMs: 60_000, budget, headroomBytes: 50e6, rss: () => rss, onPressure: (n) => cuts.push(n) });
  try {
    const old = fakeSocket("127.0.0.2", 5000);
    const fresh = fakeSocket("127.0.0.2", 0);
    for (const s of [old, fresh]) {
      budget.acquire("127.0.0.2", { perAddress: 10, total: 10 });
      pending.add(s as unknown as GatewaySocket);
    }
    rss = 140e6; // under the headroom: nothing happens
    await Bun.sleep(300);
    expect(old.terminated).toBe(false);
    rss = 200e6;
    await waitUntil(() => old.terminated, "the old pending socket to be cut");
    expect(fresh.terminated).toBe(false);
    expect(cuts[0]).toBe(1);
    expect(budget.heldBy("127.0.0.2")).toBe(1);
    expect(pending.size).toBe(1);
  } finally {
    pending.stop();
  }
});

test("the baseline follows the process while nothing is pending", async () => {
  let rss = 100e6;
  const budget = new PendingBudget();
  const pending = new PendingSockets({ timeoutMs: 60_000, budget, headroomBytes: 50e6, rss: () => rss });
  try {
    rss = 400e6; // legitimate growth with no pending socket moves the baseline up
    await Bun.sleep(300);
    const s = fakeSocket("127.0.0.3", 5000);
    budget.acquire("127.0.0.3", { perAddress: 10, total: 10 });
    pending.add(s as unknown as GatewaySocket);
    await Bun.sleep(300);
    expect(s.terminated).toBe(false);
  } finally {
    pending.stop();
  }
});
