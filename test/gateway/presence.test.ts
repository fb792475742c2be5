// Presence: capped at 200 entries (the gateway's own first, then the most recent), and never sent
// to nodes (neither in their hello-ok nor as broadcasts), as the published gateway does.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ConnectParams } from "../../src/protocol/index.ts";
import { MAX_PRESENCE_ENTRIES, PresenceStore } from "../../src/gateway/presence.ts";
import type { ConnState } from "../../src/gateway/ws/conn.ts";
import { newTestDevice } from "../fixtures/device.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { RawClient } from "../fixtures/ws-client.ts";

describe("PresenceStore", () => {
  test("more than 200 entries: the gateway's own, then the 199 most recent", () => {
    const store = new PresenceStore({ host: "gw", ip: "127.0.0.1", version: "v", platform: "linux", deviceFamily: "Linux", instanceId: "self" }, 0);
    for (let i = 1; i <= 250; i++) {
      const conn = { connId: `c${i}`, client: { id: "cli", version: "v", platform: "linux", mode: "ui", instanceId: `i${i}` }, role: "operator", scopes: [] } as unknown as ConnState;
      store.addConnection(conn, 1_000 + i);
    }
    const list = store.list();
    expect(list).toHaveLength(MAX_PRESENCE_ENTRIES);
    expect(list[0]!.mode).toBe("gateway");
    expect(list[1]!.instanceId).toBe("i250");
    expect(list.at(-1)!.instanceId).toBe("i52");
    expect(JSON.parse(store.json().json)).toEqual(list);
  });
});

describe("nodes get no presence", () => {
  let g: TestGateway;
  beforeAll(async () => {
    g = await startTestGateway();
  });
  afterAll(async () => {
    await g.stop();
  });

  test("a node's hello-ok has an empty presence list; an operator hears of the node, the node of nobody", async () => {
    const operator = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    const dev = newTestDevice();
    const node = await RawClient.open(g.url);
    const challenge = await node.waitFor((f) => f.event === "connect.challenge");
    const params: ConnectParams = {
      minProtocol: 4, maxProtocol: 4, role: "node", scopes: [], auth: { token: TEST_TOKEN },
      client: { id: "node-host", version: "t", platform: "linux", mode: "node", displayName: "n" },
    };
    const hello = await node.request("connect", dev.signConnect(params, challenge.payload.nonce));
    expect(hello.payload.snapshot.presence).toEqual([]);
    await operator.waitFor((f) => f.event === "presence" && f.payload.presence.some((p: { deviceId?: string }) => p.deviceId === dev.id));
    const other = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.read"], clientId: "test", mode: "test" });
    await operator.waitFor((f) => f.event === "presence" && f.payload.presence.length >= 3);
    // A round trip on the node's socket after the second operator's presence change: anything sent
    // to the node before it has arrived by now.
    await node.request("node.skills.update", { skills: [] });
    expect(node.frames.filter((f) => f.event === "presence")).toEqual([]);
    for (const c of [operator, other, node]) c.close();
  });
});
