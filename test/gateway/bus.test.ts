// The bus paces large broadcasts (slices, other work in between) without ever reordering what one
// socket sees: a direct write first hands the socket the broadcasts it is owed.
import { expect, test } from "bun:test";
import { Bus } from "../../src/gateway/bus.ts";
import type { GatewaySocket } from "../../src/gateway/ws/conn.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { waitUntil } from "../fixtures/wait.ts";

function fake(scopes = ["operator.read"]) {
  const s = {
    sent: [] as string[],
    readyState: 1,
    data: { connId: crypto.randomUUID(), seq: 0, role: "operator", scopes } as Record<string, unknown>,
    send(text: string) {
      s.sent.push(text);
      return text.length;
    },
    getBufferedAmount: () => 0,
    close() {},
    terminate() {},
  };
  return s;
}
type Fake = ReturnType<typeof fake>;

function bus() {
  const counts: Record<string, number> = {};
  const b = new Bus({
    maxBufferedBytes: 1 << 20,
    log: createLogger({ file: null, consoleLevel: "silent", fileLevel: "silent" }),
    observer: { eventsSent: (e, n) => (counts[e] = (counts[e] ?? 0) + n), slowConsumer: () => {} },
    directLimit: 4,
    sliceMs: 0,
  });
  return { b, counts };
}

const events = (s: Fake) => s.sent.map((t) => JSON.parse(t)).filter((f) => f.type === "event");

test("a large broadcast is delivered in slices, in order, each socket with its own seq", async () => {
  const { b, counts } = bus();
  const socks = Array.from({ length: 200 }, () => fake());
  for (const s of socks) b.add(s as unknown as GatewaySocket);
  b.broadcast("chat", { n: 1 });
  b.broadcast("chat", { n: 2 });
  b.broadcast("agent", { n: 3 });
  // The first slice ran at once; the rest is still owed.
  expect(b.backlog).toBeGreaterThan(0);
  expect(socks.at(-1)!.sent).toHaveLength(0);
  await waitUntil(() => b.backlog === 0, "the backlog to drain");
  for (const s of socks) {
    expect(events(s).map((f) => [f.payload.n, f.seq])).toEqual([[1, 1], [2, 2], [3, 3]]);
  }
  expect(counts).toEqual({ chat: 400, agent: 200 });
});

test("a direct write to a socket that is still owed broadcasts goes after them", () => {
  const { b } = bus();
  const socks = Array.from({ length: 200 }, () => fake());
  for (const s of socks) b.add(s as unknown as GatewaySocket);
  b.broadcast("chat", { n: 1 });
  b.broadcast("chat", { n: 2 });
  const last = socks.at(-1)!;
  b.send(last as unknown as GatewaySocket, '{"type":"res","id":"r1","ok":true}');
  expect(last.sent.map((t) => JSON.parse(t).type)).toEqual(["event", "event", "res"]);
  b.flush();
  // The pump does not deliver twice what the socket already has.
  expect(events(last).map((f) => f.seq)).toEqual([1, 2]);
});

test("a socket that joins while broadcasts are queued gets only later ones; scopes still apply", () => {
  const { b } = bus();
  const socks = Array.from({ length: 100 }, () => fake());
  for (const s of socks) b.add(s as unknown as GatewaySocket);
  const scopeless = fake([]);
  b.add(scopeless as unknown as GatewaySocket);
  b.broadcast("chat", { n: 1 });
  const late = fake();
  b.add(late as unknown as GatewaySocket);
  b.broadcast("chat", { n: 2 });
  b.broadcast("tick", { n: 3 });
  b.flush();
  expect(events(late).map((f) => f.payload.n)).toEqual([2, 3]);
  // Without operator.read only unscoped events (tick) arrive.
  expect(events(scopeless).map((f) => f.event)).toEqual(["tick"]);
  expect(events(socks[0]!).map((f) => f.payload.n)).toEqual([1, 2, 3]);
});

test("small broadcasts go out at once, as before", () => {
  const { b } = bus();
  const socks = [fake(), fake()];
  for (const s of socks) b.add(s as unknown as GatewaySocket);
  b.broadcast("presence", { n: 1 });
  expect(b.backlog).toBe(0);
  expect(socks.map((s) => events(s).length)).toEqual([1, 1]);
});
