import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({ policy: { tickIntervalMs: 100 }, healthRefreshMs: 150 });
});
afterAll(() => gw.stop());

const operator = (scopes = ["operator.read"], extra = {}) => RawClient.connect(gw.url, { token: TEST_TOKEN, scopes, ...extra });
const ui = (instanceId?: string) =>
  RawClient.connect(gw.url, { token: TEST_TOKEN, clientId: "openclaw-control-ui", mode: "ui", instanceId, extra: { client: { id: "openclaw-control-ui", version: "1.0", platform: "linux", mode: "ui", displayName: "laptop", ...(instanceId ? { instanceId } : {}) } } });

describe("presence", () => {
  test("a non-ephemeral client adds an entry and everyone gets a presence event with stateVersion", async () => {
    const watcher = await operator();
    const before = (await watcher.request("system-presence")).payload.length;
    const pending = watcher.next((f) => f.event === "presence");
    const app = await ui("inst-1");
    const ev = await pending;
    expect(ev.payload.presence).toHaveLength(before + 1);
    const entry = ev.payload.presence.find((p: any) => p.instanceId === "inst-1");
    expect(entry).toMatchObject({ host: "laptop", mode: "ui", reason: "connect", version: "1.0", platform: "linux", ip: "127.0.0.1" });
    expect(typeof entry.ts).toBe("number");
    expect(ev.stateVersion!.presence).toBeGreaterThan(watcher.hello.snapshot.stateVersion.presence);

    const removed = watcher.next((f) => f.event === "presence");
    app.close();
    expect((await removed).payload.presence.find((p: any) => p.instanceId === "inst-1")).toBeUndefined();
    watcher.close();
  });

  test("the CLI (an ephemeral mode) gets no entry", async () => {
    const c = await operator();
    const list = (await c.request("system-presence")).payload as any[];
    expect(list.some((p) => p.instanceId === c.hello.server.connId || p.clientId === "cli")).toBe(false);
    c.close();
  });

  test("entries are deduplicated by instanceId; the older socket closing keeps the newer entry", async () => {
    const watcher = await operator();
    const a = await ui("same-inst");
    const b = await ui("same-inst");
    const list = (await watcher.request("system-presence")).payload as any[];
    expect(list.filter((p) => p.instanceId === "same-inst")).toHaveLength(1);
    // The gateway has handled a's close once a's socket is off the bus (the same handler updates presence).
    const aOnBus = () => [...gw.runtime.bus.all()].some((ws) => ws.data.connId === a.hello.server.connId);
    expect(aOnBus()).toBe(true);
    a.close();
    await a.waitClose();
    await waitUntil(() => !aOnBus(), "the gateway to handle a's close");
    const after = (await watcher.request("system-presence")).payload as any[];
    expect(after.filter((p) => p.instanceId === "same-inst")).toHaveLength(1);
    b.close();
    watcher.close();
  });

  test("system-event updates presence and broadcasts it", async () => {
    const watcher = await operator();
    const admin = await operator(["operator.admin"]);
    const pending = watcher.next((f) => f.event === "presence" && f.payload.presence.some((p: any) => p.instanceId === "beacon-1"));
    expect((await admin.request("system-event", { text: "Node: box (10.0.0.9) · mode ui", instanceId: "beacon-1", host: "box", ip: "10.0.0.9", tags: ["a"] })).payload).toEqual({ ok: true });
    const ev = await pending;
    expect(ev.payload.presence.find((p: any) => p.instanceId === "beacon-1")).toMatchObject({ host: "box", ip: "10.0.0.9", tags: ["a"], text: "Node: box (10.0.0.9) · mode ui" });
    const status = (await admin.request("status")).payload;
    expect(status.queuedSystemEvents.at(-1).text).toBe("Node: box (10.0.0.9) · mode ui");
    watcher.close();
    admin.close();
  });
});

describe("broadcast sequencing", () => {
  test("seq is per socket, starts at 1 after hello and rises by one per broadcast", async () => {
    const c = await operator();
    await c.waitFor(() => c.events("tick").length >= 3, 2000);
    const seqs = c.frames.filter((f) => f.type === "event" && f.seq !== undefined).map((f) => f.seq);
    expect(seqs[0]).toBe(1);
    seqs.forEach((s, i) => expect(s).toBe(i + 1));
    const later = await operator();
    const first = await later.next((f) => f.type === "event" && f.seq !== undefined, 2000);
    expect(first.seq).toBe(1);
    c.close();
    later.close();
  });

  test("tick carries ts and no stateVersion; health events carry stateVersion and rise", async () => {
    const c = await operator([]);
    const tick = await c.next((f) => f.event === "tick", 2000);
    expect(typeof tick.payload.ts).toBe("number");
    expect(tick.stateVersion).toBeUndefined();
    const h1 = await c.next((f) => f.event === "health", 2000);
    const h2 = await c.next((f) => f.event === "health", 2000);
    expect(h1.payload.ok).toBe(true);
    expect(h2.stateVersion!.health).toBeGreaterThan(h1.stateVersion!.health);
    c.close();
  });
});
