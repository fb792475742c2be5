// What the operator views (nodes, channels, presence, sessions) need to show something real: a
// device asking to pair, our node host, and a gateway with a scripted Telegram channel (with a
// probe) and WhatsApp behind fake Baileys sockets. `startOpsScene` puts them all together for the
// screenshots. Devices wait for approval because the gateways here do not pair local devices
// silently (nodes.pairing.autoApproveLocal: false); `signInApproved` lets the page in.
import { expect } from "bun:test";
import { createWhatsAppAdapter } from "../../../src/channels/whatsapp/index.ts";
import type { OpenClawConfig } from "../../../src/config/schema.ts";
import { NodeHost } from "../../../src/nodes/host/host.ts";
import { DeviceTokens, loadOrCreateIdentity } from "../../../src/nodes/host/state.ts";
import { SYSTEM_COMMANDS } from "../../../src/nodes/host/system.ts";
import type { ConnectParams } from "../../../src/protocol/index.ts";
import { fakeFactory } from "../../channels/whatsapp/fake-socket.ts";
import { newTestDevice, type TestDevice } from "../../fixtures/device.ts";
import { fakeChannel, type FakeChannel } from "../../fixtures/fake-channel.ts";
import { startTestGateway, tempDir, TEST_TOKEN, type TestGateway } from "../../fixtures/gateway.ts";
import { startOpenAIStub, type OpenAIStub } from "../../fixtures/openai-stub.ts";
import { waitUntil } from "../../fixtures/wait.ts";
import { RawClient } from "../../fixtures/ws-client.ts";
import type { Page } from "playwright-core";
import { chatReady, stubConfig } from "./helpers.ts";

/** No silent pairing of local devices: every device, this page's too, waits for an operator. */
export const NO_SILENT_PAIRING = { gateway: { mode: "local", nodes: { pairing: { autoApproveLocal: false } } } } as Partial<OpenClawConfig>;

/** A device asking to pair on a gateway without silent local pairing. Returns its request id. */
export async function askToPair(url: string, dev: TestDevice, displayName: string): Promise<string> {
  const c = await RawClient.open(url);
  try {
    const challenge = await c.waitFor((f) => f.event === "connect.challenge");
    const params: ConnectParams = {
      minProtocol: 4, maxProtocol: 4, role: "operator", scopes: ["operator.read"], auth: { token: TEST_TOKEN },
      client: { id: "openclaw-macos", version: "test", platform: "macos", mode: "ui", displayName, instanceId: crypto.randomUUID() },
    };
    const res = await c.request("connect", dev.signConnect(params, challenge.payload.nonce));
    expect(res.error?.details?.code).toBe("PAIRING_REQUIRED");
    return res.error!.details.requestId as string;
  } finally {
    c.close();
  }
}

/** Our node host against the gateway: it asks to pair as a device (role node), then for its command surface. */
export function startNodeHost(url: string, name: string): { host: NodeHost; nodeId: string } {
  const dir = tempDir("ui-node-");
  const identity = loadOrCreateIdentity(dir);
  const quiet = () => {};
  const host = new NodeHost({
    url, token: TEST_TOKEN, identity, tokens: new DeviceTokens(dir), displayName: name, instanceId: name,
    commands: [...SYSTEM_COMMANDS], hostEnv: { PATH: process.env.PATH, HOME: dir }, statsPath: dir,
    log: { info: quiet, warn: quiet, error: quiet, debug: quiet }, approvalPollMs: 100,
  });
  return { host, nodeId: identity.deviceId };
}

/** The page signs in with #token=, waits as a pending device, and an admin lets it in. */
export async function signInApproved(page: Page, base: string, admin: RawClient): Promise<void> {
  await page.goto(`${base}/#token=${TEST_TOKEN}`);
  await page.waitForSelector("#pairing-request");
  const requestId = (await page.locator("#pairing-request").textContent())!;
  expect((await admin.request("device.pair.approve", { requestId })).ok).toBe(true);
  await chatReady(page, 20_000);
}

/** Approves a node host's device and then its command surface as an admin; waits until its commands are live. */
export async function approveNode(admin: RawClient, nodeId: string): Promise<void> {
  const device = await waitUntil(async () => {
    const list = (await admin.request("device.pair.list", {})).payload;
    return list.pending.find((p: { deviceId: string }) => p.deviceId === nodeId);
  }, "the node's device request");
  expect((await admin.request("device.pair.approve", { requestId: device.requestId })).ok).toBe(true);
  const req = await waitUntil(async () => {
    const list = (await admin.request("node.pair.list", {})).payload;
    return list.pending.find((p: { nodeId: string }) => p.nodeId === nodeId);
  }, "the node's surface request");
  expect((await admin.request("node.pair.approve", { requestId: req.requestId })).ok).toBe(true);
  await waitUntil(async () => (await admin.request("node.describe", { nodeId })).payload?.commands?.includes("system.which"), "the node's commands");
}

export interface ChannelGateway {
  gw: TestGateway;
  stub: OpenAIStub;
  base: string;
  telegram: FakeChannel;
  whatsapp: ReturnType<typeof fakeFactory>;
  /** How many times the Telegram probe ran. */
  probes(): number;
  stop(): Promise<void>;
}

/**
 * A gateway with Telegram (two accounts, scripted, with a probe that answers ok) and WhatsApp (not
 * linked yet; its Baileys sockets are fakes the test drives). The Telegram accounts are running.
 * No silent pairing: pages sign in with `signInApproved`.
 */
export async function startChannelGateway(extra: Partial<OpenClawConfig> = {}): Promise<ChannelGateway> {
  const stub = await startOpenAIStub();
  const dir = tempDir("ui-ch-");
  const telegram = fakeChannel("telegram");
  let probes = 0;
  telegram.probe = async (account) => {
    probes++;
    return { ok: true, status: 200, elapsedMs: 37, bot: { username: `claw_${account.accountId}_bot` } };
  };
  const whatsapp = fakeFactory();
  const wa = createWhatsAppAdapter({ createSocket: whatsapp.create, stateDir: dir });
  const config = stubConfig(stub, { ...NO_SILENT_PAIRING, channels: { telegram: { botToken: "t", accounts: { alerts: { botToken: "t2" } } }, whatsapp: {} }, ...extra } as Partial<OpenClawConfig>);
  const gw = await startTestGateway({ config, dir, channelAdapters: async (id) => (id === "whatsapp" ? wa : telegram) });
  await waitUntil(() => telegram.runs.has("default") && telegram.runs.has("alerts"), "the telegram accounts to run");
  return {
    gw, stub, base: `http://127.0.0.1:${gw.port}`, telegram, whatsapp, probes: () => probes,
    stop: async () => {
      await gw.stop();
      stub.stop();
    },
  };
}

/** A stranger's direct message: it gets a pairing code and waits in channels.pairing.list. */
export async function strangerWrites(telegram: FakeChannel, admin: RawClient, id: string, name: string): Promise<string> {
  await telegram.inbound("default", { text: "hello?", chatId: id, sender: { id, name, username: name.split(" ")[0]!.toLowerCase() } });
  const req = await waitUntil(async () => {
    const list = (await admin.request("channels.pairing.list", {})).payload;
    return list.requests.find((r: { senderId: string }) => r.senderId === id);
  }, `${name}'s pairing request`);
  return req.requestId as string;
}

export interface OpsScene extends ChannelGateway {
  admin: RawClient;
  hosts: NodeHost[];
}

/**
 * Everything at once, for the screenshots: chat sessions, the channel gateway with a stranger
 * waiting, an approved node ("build box"), a second node and a laptop waiting to pair. Pages then
 * sign in with `signInApproved`.
 */
export async function startOpsScene(): Promise<OpsScene> {
  const ch = await startChannelGateway();
  const admin = await RawClient.connect(ch.gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
  const hosts: NodeHost[] = [];
  const built = startNodeHost(ch.gw.url, "build box");
  hosts.push(built.host);
  await approveNode(admin, built.nodeId);
  const pending = startNodeHost(ch.gw.url, "studio mac");
  hosts.push(pending.host);
  await waitUntil(async () => (await admin.request("device.pair.list", {})).payload.pending.some((p: { deviceId: string }) => p.deviceId === pending.nodeId), "the second node's request");
  await askToPair(ch.gw.url, newTestDevice(), "Travel laptop");
  await strangerWrites(ch.telegram, admin, "5151", "Sam Rivera");
  for (const [key, message] of [["agent:main:main", "What can you do for me today?"], ["agent:main:groceries", "Remind me to buy oat milk and coffee beans on the way home"]] as const) {
    const sent = await admin.request("chat.send", { sessionKey: key, message, idempotencyKey: crypto.randomUUID() });
    expect(sent.ok).toBe(true);
    await admin.waitFor((f) => f.event === "chat" && f.payload.runId === sent.payload.runId && f.payload.state === "final", 20_000);
  }
  return {
    ...ch, admin, hosts,
    stop: async () => {
      for (const h of hosts) h.stop();
      await Promise.all(hosts.map((h) => h.done));
      admin.close();
      await ch.stop();
    },
  };
}
