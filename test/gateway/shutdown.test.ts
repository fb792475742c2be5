import { expect, test } from "bun:test";
import { startTestGateway, TEST_TOKEN } from "../fixtures/gateway.ts";
import { RawClient } from "../fixtures/ws-client.ts";

test("stop broadcasts shutdown to every socket, then closes each with 1012", async () => {
  const gw = await startTestGateway();
  const a = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: [] });
  const b = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"], clientId: "openclaw-control-ui", mode: "ui" });
  await gw.stop({ reason: "gateway stopping" });
  for (const c of [a, b]) {
    const closed = await c.waitClose();
    expect(closed).toEqual({ code: 1012, reason: "service restart" });
    const ev = c.events("shutdown");
    expect(ev).toHaveLength(1);
    expect(ev[0]!.payload).toEqual({ reason: "gateway stopping" });
    expect(typeof ev[0]!.seq).toBe("number");
    // The event precedes the close: it is the last frame received.
    expect(c.frames.at(-1)!.event).toBe("shutdown");
  }
  // The listener is gone.
  await expect(RawClient.open(gw.url)).rejects.toThrow();
});

test("a restart notice carries restartExpectedMs", async () => {
  const gw = await startTestGateway();
  const c = await RawClient.connect(gw.url, { token: TEST_TOKEN });
  await gw.stop({ reason: "gateway restarting", restartExpectedMs: 1500 });
  await c.waitClose();
  expect(c.events("shutdown")[0]!.payload).toEqual({ reason: "gateway restarting", restartExpectedMs: 1500 });
});

test("readiness turns 503 while draining and stop is idempotent", async () => {
  const gw = await startTestGateway();
  const base = gw.url.replace("ws://", "http://");
  expect((await fetch(`${base}/readyz`)).status).toBe(200);
  const first = gw.stop();
  const second = gw.stop();
  expect(second).toBe(first);
  await first;
});
