// `openclaw channels login --channel whatsapp` and `channels logout` (the real CLI, spawned) against
// a gateway in this process whose WhatsApp sockets are fakes at the Baileys seam: the QR is drawn in
// the terminal, the scan links, the account starts; logout removes the credentials.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync } from "node:fs";
import { createWhatsAppAdapter } from "../../src/channels/whatsapp/index.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { fakeFactory } from "../channels/whatsapp/fake-socket.ts";
import { AGENT_CONFIG, startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { fakeChannel } from "../fixtures/fake-channel.ts";
import { TEST_TOKEN, tempDir } from "../fixtures/gateway.ts";
import { spawnCli } from "../fixtures/spawn.ts";
import { waitUntil } from "../fixtures/wait.ts";

setDefaultTimeout(60_000);

const ME = { id: "15557654321:9@s.whatsapp.net" };
let g: AgentTestGateway;
const factory = fakeFactory();

beforeAll(async () => {
  const dir = tempDir("wa-cli-");
  const adapter = createWhatsAppAdapter({ createSocket: factory.create, stateDir: dir });
  const config = { ...AGENT_CONFIG, channels: { whatsapp: {} } } as OpenClawConfig;
  g = await startAgentGateway({ config, dir, channelAdapters: async (id) => (id === "whatsapp" ? adapter : fakeChannel()) });
  await waitUntil(() => g.runtime.channels.active?.configuredChannels().includes("whatsapp"), "the whatsapp channel");
});
afterAll(async () => {
  await g.stop();
});

const auth = () => ["--url", g.url, "--token", TEST_TOKEN];

test("login draws the QR, waits for the scan, and says linked; the account then runs", async () => {
  const cli = spawnCli(["channels", "login", "--channel", "whatsapp", ...auth()]);
  const sock = await waitUntil(() => factory.sockets[0], "the login socket");
  sock.qr("2@qr-text-from-whatsapp");
  await waitUntil(() => cli.stdout().includes("Scan this QR in WhatsApp → Linked Devices."), "the QR in the terminal", { detail: () => cli.stdout() + cli.stderr() });
  // The drawing: half-block rows, black on white.
  expect(cli.stdout()).toContain("\x1b[47m\x1b[30m");
  expect(cli.stdout().split("\n").filter((l) => /[▀▄█]/.test(l)).length).toBeGreaterThan(10);
  sock.credsUpdate({ me: ME, registered: true });
  sock.open(ME);
  expect(await cli.exited).toBe(0);
  expect(cli.stdout()).toContain("✅ Linked! WhatsApp is ready.");
  await waitUntil(() => factory.sockets.some((s, i) => i > 0 && !s.ended), "the account's own socket");
});

test("logout removes the credentials; a second login of a linked account just says so", async () => {
  const again = spawnCli(["channels", "login", ...auth()]);
  expect(await again.exited).toBe(0);
  expect(again.stdout()).toContain("WhatsApp is already linked (+15557654321).");
  const out = spawnCli(["channels", "logout", "--channel", "whatsapp", "--json", ...auth()]);
  expect(await out.exited).toBe(0);
  expect(JSON.parse(out.stdout())).toMatchObject({ channel: "whatsapp", accountId: "default", cleared: true });
  expect(existsSync(`${g.dir}/credentials/whatsapp/default/creds.json`)).toBe(false);
  const tg = spawnCli(["channels", "login", "--channel", "telegram", ...auth()]);
  expect(await tg.exited).toBe(1);
  expect(tg.stderr()).toContain("web login is not supported by provider telegram");
});
