import { expect, test } from "bun:test";
import { startTestGateway, TEST_TOKEN } from "../fixtures/gateway.ts";
import { StuckClient } from "../fixtures/stuck-client.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { connectParams, RawClient } from "../fixtures/ws-client.ts";

test("a client that stops reading is dropped at maxBufferedBytes; the others keep everything", async () => {
  const gw = await startTestGateway({ policy: { maxBufferedBytes: 256 * 1024 } });
  try {
    const stuck = await StuckClient.open(gw.port, connectParams({ token: TEST_TOKEN, scopes: ["operator.read"] }));
    const reader = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
    await waitUntil(() => gw.runtime.bus.size === 2, "both sockets on the bus");

    // Each system-event broadcasts the whole presence list, ~64 KiB here: a few hundred of them
    // overflow the kernel buffers and then the gateway's own limit.
    const text = "x".repeat(60_000);
    const rounds = 300;
    for (let i = 0; i < rounds; i++) {
      const r = await reader.request("system-event", { text, instanceId: `beacon-${i % 3}` });
      expect(r.ok).toBe(true);
    }
    await reader.waitFor(() => reader.events("presence").length >= rounds, 10_000);
    const seqs = reader.events("presence").map((f) => f.seq!);
    seqs.slice(1).forEach((s, i) => expect(s).toBe(seqs[i]! + 1));

    expect(gw.runtime.bus.size).toBe(1);
    const status = await reader.request("status");
    expect(status.payload.connections.total).toBe(1);
    await stuck.closedByServer();
    reader.close();
  } finally {
    await gw.stop();
  }
}, 30_000);
