// Applying a new live config to a running gateway: health for everyone, 4001 for old-secret sockets.
import { afterEach, expect, test } from "bun:test";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../../fixtures/gateway.ts";
import { RawClient } from "../../fixtures/ws-client.ts";

const running: TestGateway[] = [];
afterEach(async () => {
  for (const g of running.splice(0)) await g.stop();
});

async function start(): Promise<TestGateway> {
  const g = await startTestGateway();
  running.push(g);
  return g;
}

const url = (g: TestGateway) => `ws://127.0.0.1:${g.port}`;

test("a hot config swap keeps every socket and pushes health with a higher stateVersion", async () => {
  const g = await start();
  const c = await RawClient.connect(url(g), { token: TEST_TOKEN });
  const before = c.hello.snapshot.stateVersion.health;
  const config = { gateway: { mode: "local" as const, http: { endpoints: { chatCompletions: { enabled: true } } } } };
  const health = c.next((f) => f.event === "health");
  g.applyConfig({ loaded: { ...g.runtime.loaded, config }, config, auth: g.runtime.auth });
  const ev = await health;
  expect(ev.stateVersion!.health).toBeGreaterThan(before);
  expect(g.runtime.config.gateway?.http?.endpoints?.chatCompletions?.enabled).toBe(true);
  await Bun.sleep(20);
  expect(c.closed).toBeNull();
  expect((await c.request("health")).ok).toBe(true);
  c.close();
});

test("a new token closes sockets that used the old one with 4001 'gateway auth changed'; the new one connects", async () => {
  const g = await start();
  const old = await RawClient.connect(url(g), { token: TEST_TOKEN });
  const NEW = "rotated-token-abcdefghij";
  g.applyConfig({ loaded: g.runtime.loaded, config: g.runtime.config, auth: { mode: "token", token: NEW } });
  expect(await old.waitClose()).toEqual({ code: 4001, reason: "gateway auth changed" });
  await expect(RawClient.connect(url(g), { token: TEST_TOKEN })).rejects.toThrow(/AUTH_TOKEN_MISMATCH|token mismatch/);
  const fresh = await RawClient.connect(url(g), { token: NEW });
  // Re-applying the same secret closes nobody.
  g.applyConfig({ loaded: g.runtime.loaded, config: g.runtime.config, auth: { mode: "token", token: NEW } });
  await Bun.sleep(30);
  expect(fresh.closed).toBeNull();
  fresh.close();
});
