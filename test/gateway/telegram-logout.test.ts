// channels.logout for Telegram: the account stops and its token leaves the config file; it stays
// stopped until channels.start. A config file that does not parse is not touched.
import { afterEach, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { fakeChannel, type FakeChannel } from "../fixtures/fake-channel.ts";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

const open: Array<{ g: TestGateway; c: RawClient }> = [];
afterEach(async () => {
  for (const { g, c } of open.splice(0)) {
    c.close();
    await g.stop();
  }
});

async function setup(fileText: string): Promise<{ g: TestGateway; c: RawClient; fake: FakeChannel; file: string }> {
  const dir = tempDir("tg-logout-");
  const file = join(dir, "openclaw.json");
  writeFileSync(file, fileText, { mode: 0o600 });
  const fake = fakeChannel();
  const config = { gateway: { mode: "local" }, channels: { telegram: { botToken: "123:abc", dmPolicy: "open" } } } as OpenClawConfig;
  const g = await startTestGateway({ config, dir, channelAdapters: async () => fake });
  const c = await RawClient.connect(g.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.read"] });
  open.push({ g, c });
  await waitUntil(() => fake.runs.has("default"), "the account to run");
  return { g, c, fake, file };
}

test("logout: stopped, the token is gone from the file (other keys kept), started again only by channels.start", async () => {
  const { c, fake, file } = await setup(`// my config\n{ gateway: { mode: "local" }, channels: { telegram: { botToken: "123:abc", dmPolicy: "open" } } }\n`);
  const res = await c.request("channels.logout", { channel: "telegram" });
  expect(res.payload).toEqual({ channel: "telegram", accountId: "default", cleared: true, envToken: false, loggedOut: true });
  expect(fake.runs.has("default")).toBe(false);
  const written = JSON.parse(readFileSync(file, "utf8"));
  expect(written).toEqual({ gateway: { mode: "local" }, channels: { telegram: { dmPolicy: "open" } } });
  const status = (await c.request("channels.status", {})).payload.channelAccounts.telegram[0];
  expect(status).toMatchObject({ running: false, lastError: "logged out", tokenSource: "none" });
  expect((await c.request("channels.start", { channel: "telegram" })).payload.started).toBe(true);
  await waitUntil(() => fake.runs.has("default"), "running after channels.start");
});

test("a config file that does not parse is left alone and the logout says so", async () => {
  const { c, file } = await setup(`{ gateway: { mode: "local" }, channels: { telegram: { botToken: "123:abc" `);
  const res = await c.request("channels.logout", { channel: "telegram" });
  expect(res.error).toEqual({ code: "INVALID_REQUEST", message: "config invalid; fix it before logging out" });
  expect(readFileSync(file, "utf8")).toContain('botToken: "123:abc"');
});
