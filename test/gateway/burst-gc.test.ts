// The collection after a burst of handshakes: only past the threshold, only once the burst is
// quiet, at most once per interval.
import { expect, test } from "bun:test";
import { BurstCollector } from "../../src/gateway/burst-gc.ts";
import { waitUntil } from "../fixtures/wait.ts";

test("fewer connections than the threshold: no collection", async () => {
  let runs = 0;
  const c = new BurstCollector({ threshold: 5, quietMs: 10, minIntervalMs: 0, collect: () => runs++ });
  for (let i = 0; i < 4; i++) c.note();
  await Bun.sleep(50); // several quiet periods: a collection would have run by now
  expect(runs).toBe(0);
  c.stop();
});

test("a burst past the threshold: one collection once it has been quiet, not during it", async () => {
  let runs = 0;
  const c = new BurstCollector({ threshold: 3, quietMs: 40, minIntervalMs: 0, collect: () => runs++ });
  for (let i = 0; i < 10; i++) {
    c.note();
    await Bun.sleep(5);
  }
  expect(runs).toBe(0); // still arriving faster than the quiet time
  await waitUntil(() => runs === 1, "the collection after the burst");
  await Bun.sleep(80);
  expect(runs).toBe(1);
  c.stop();
});

test("a second burst soon after waits for the interval", async () => {
  const at: number[] = [];
  const c = new BurstCollector({ threshold: 2, quietMs: 10, minIntervalMs: 300, collect: () => at.push(Date.now()) });
  c.note();
  c.note();
  await waitUntil(() => at.length === 1, "the first collection");
  c.note();
  c.note();
  await waitUntil(() => at.length === 2, "the second collection", { timeoutMs: 3_000 });
  expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(290);
  c.stop();
});
