// `openclaw channels|message|pairing` and `agent --to --deliver` (the real CLI, spawned) against a
// gateway in this process whose Telegram is a scripted adapter: what each verb prints, what reaches
// the channel, the config-only fallback against a dead port, and the error shapes.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ProbeResult } from "../../src/channels/types.ts";
import { AGENT_CONFIG, startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { fakeChannel, type FakeChannel, type Sent } from "../fixtures/fake-channel.ts";
import { tempDir, TEST_TOKEN } from "../fixtures/gateway.ts";
import { freePort, makeHome } from "../fixtures/spawn.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";

// Every test spawns the CLI: room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const MAIN = join(resolve(import.meta.dir, "../.."), "src/main.ts");
let gw: AgentTestGateway;
let fake: FakeChannel;
let admin: RawClient;
const probes: number[] = [];

beforeAll(async () => {
  fake = fakeChannel();
  // The scripted adapter has no probe of its own: this one answers like Telegram's getMe.
  fake.probe = async (_account, timeoutMs): Promise<ProbeResult> => {
    probes.push(timeoutMs);
    return { ok: true, status: null, error: null, bot: { id: 7, username: "fake_bot" }, elapsedMs: 1 };
  };
  gw = await startAgentGateway({ config: { ...AGENT_CONFIG, channels: { telegram: { botToken: "t" } } }, channelAdapters: async () => fake });
  admin = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin", "operator.pairing"] });
  await waitUntil(() => fake.runs.has("default"), "the telegram account to run");
});
afterAll(async () => {
  admin.close();
  await gw.stop();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

async function run(args: string[], opts: { home?: string; env?: Record<string, string> } = {}): Promise<Run> {
  const started = Date.now();
  const proc = Bun.spawn([process.execPath, MAIN, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: opts.home ?? tempDir("channels-cli-home-"), NO_COLOR: "1", ...opts.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr, ms: Date.now() - started };
}

/** A command against the in-process gateway. */
const cli = (args: string[]) => run([...args, "--url", gw.url, "--token", TEST_TOKEN]);
const lastSent = (kind: Sent["kind"]) => [...fake.sent].reverse().find((s) => s.kind === kind);

describe("channels status", () => {
  test("human: reachable, one line per account; --probe adds the bot and works", async () => {
    const plain = await cli(["channels", "status"]);
    expect(plain).toMatchObject({ code: 0, stderr: "" });
    const lines = plain.stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(["Checking channel status…", "Gateway reachable."]);
    expect(lines[2]).toMatch(/^- Telegram default: enabled, configured, running, connected, (\S+:[^,]+, )*mode:fake, token:\*\*\*$/);
    expect(plain.stdout).not.toContain("Warnings:");

    const probed = await cli(["channels", "status", "--probe"]);
    expect(probed.code).toBe(0);
    expect(probed.stdout).toStartWith("Checking channel status (probe)…\nGateway reachable.\n");
    expect(probed.stdout).toMatch(/^- Telegram default: enabled, configured, running, connected, .*mode:fake, bot:@fake_bot, token:\*\*\*, works$/m);
    // The gateway clamps the 60 s the CLI asks for to its 30 s ceiling.
    expect(probes.at(-1)).toBe(30_000);
  });

  test("--json is the channels.status payload; --channel narrows, an unknown one is the RPC's error", async () => {
    const json = JSON.parse((await cli(["channels", "status", "--json", "--channel", "telegram"])).stdout);
    expect(json).toMatchObject({ channelOrder: ["telegram"], channelLabels: { telegram: "Telegram" }, statusIssues: [] });
    expect(json.channelAccounts.telegram[0]).toMatchObject({ accountId: "default", running: true, connected: true, tokenSource: "config" });

    const bad = await cli(["channels", "status", "--channel", "slack", "--json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({ ok: false, error: { type: "gateway_request_error", code: "INVALID_REQUEST", message: "unknown channel: slack", retryable: false } });
  });

  test("stop → the account line and the warning → start", async () => {
    try {
      const stopped = await cli(["channels", "stop", "--channel", "telegram"]);
      expect(stopped).toMatchObject({ code: 0, stdout: "Stopped telegram default.\n" });
      const status = await cli(["channels", "status"]);
      expect(status.stdout).toMatch(/^- Telegram default: enabled, configured, stopped, disconnected, (\S+:[^,]+, )*mode:fake, token:\*\*\*, health:not-running$/m);
      expect(status.stdout).toEndWith([
        "Warnings:",
        "- telegram default: Channel is enabled and configured, but its runtime is not running. (restart the channel or gateway)",
        "- Run: openclaw doctor",
        "",
      ].join("\n"));
    } finally {
      // Whatever failed above, the later tests need the account running again.
      const started = await cli(["channels", "start", "--channel", "telegram", "--json"]);
      await waitUntil(() => fake.runs.has("default"), "the account to run again");
      expect(JSON.parse(started.stdout)).toEqual({ channel: "telegram", accountId: "default", started: true, outcome: { status: "handed-off" } });
    }
  });

  test("start/stop: a missing --channel is a usage error, an unknown account the RPC's", async () => {
    expect((await cli(["channels", "stop"])).code).toBe(2);
    const unknown = await cli(["channels", "stop", "--channel", "telegram", "--account", "ghost"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('channels.stop failed: INVALID_REQUEST: Unknown account "ghost" for channel telegram.');
  });
});

describe("channels status without a gateway", () => {
  let home: string;
  beforeAll(() => {
    home = makeHome({
      gateway: { mode: "local" },
      channels: {
        telegram: { botToken: "123:secret-token", accounts: { work: { tokenFile: "/nonexistent/token" }, ops: { botToken: "x", enabled: false } } },
        whatsapp: { accounts: { default: {}, spare: {} } },
      },
    });
    mkdirSync(join(home, ".openclaw/credentials/whatsapp/default"), { recursive: true });
    writeFileSync(join(home, ".openclaw/credentials/whatsapp/default/creds.json"), "{}");
  });

  test("a refused connection falls back at once to the config file's accounts, exit 0", async () => {
    const r = await run(["channels", "status", "--probe"], { home, env: { OPENCLAW_GATEWAY_URL: `ws://127.0.0.1:${freePort()}`, OPENCLAW_GATEWAY_TOKEN: "x" } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      "Checking channel status (probe)…",
      "Gateway not reachable; showing config-only status.",
      `Config: ${join(home, ".openclaw/openclaw.json")}`,
      "Mode: local",
      "",
      "- Telegram default: enabled, configured, mode:polling, token:***",
      "- Telegram ops: disabled, configured, mode:polling, token:***",
      "- Telegram work: enabled, not configured, mode:polling, token:missing",
      "- WhatsApp default: enabled, configured, linked",
      "- WhatsApp spare: enabled, not configured, not linked",
      "",
    ].join("\n"));
    expect(r.stdout + r.stderr).not.toContain("secret-token");
    expect(r.stderr).toContain("could not connect");
    // Well under the 60 s a gateway that accepts and then hangs would cost.
    expect(r.ms).toBeLessThan(20_000);
  });

  test("--json: gatewayReachable false, configOnly true, the accounts per channel", async () => {
    const r = await run(["channels", "status", "--json", "--channel", "telegram", "--url", `ws://127.0.0.1:${freePort()}`, "--token", "x"], { home });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    // The published CLI's shape (checked by hand against it), plus the accounts.
    expect(json).toMatchObject({
      gatewayReachable: false, gatewayAuthUnavailable: false, configOnly: true, config: { path: join(home, ".openclaw/openclaw.json"), mode: "local" },
      configuredChannels: ["telegram"], gateway: { urlSource: "flag", errorKind: "refused" },
    });
    expect(json.error).toContain("could not connect");
    expect(Object.keys(json.channels)).toEqual(["telegram"]);
    expect(json.channels.telegram.accounts[0]).toEqual({ accountId: "default", enabled: true, configured: true, mode: "polling", tokenSource: "config" });
  });
});

describe("message", () => {
  test("send: the text reaches the channel; human and --json output", async () => {
    const r = await cli(["message", "send", "--channel", "telegram", "--target", "424242", "--message", "dinner at 8"]);
    expect(r.code).toBe(0);
    const sent = lastSent("text")!;
    expect(sent).toMatchObject({ accountId: "default", to: "424242", text: "dinner at 8" });
    expect(r.stdout).toMatch(/^Sent message \d+ to telegram:424242\n$/);

    const j = await cli(["message", "send", "--target", "telegram:424242", "-m", "as json", "--json"]);
    const json = JSON.parse(j.stdout);
    expect(json).toMatchObject({ action: "send", channel: "telegram", dryRun: false, handledBy: "gateway", payload: { ok: true, chatId: "424242", receipt: {} } });
    expect(json.messageId).toBe(json.payload.messageId);
    expect(lastSent("text")).toMatchObject({ to: "424242", text: "as json" });
  });

  test("poll: every --poll-option reaches the channel", async () => {
    const r = await cli(["message", "poll", "--channel", "telegram", "--target", "424242", "--poll-question", "Lunch?", "--poll-option", "Pizza", "--poll-option=Sushi", "--poll-option", "Soup", "--poll-multi"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Sent poll \d+ to telegram:424242\n$/);
    expect(lastSent("poll")).toMatchObject({ to: "424242", extra: { question: "Lunch?", options: ["Pizza", "Sushi", "Soup"], maxSelections: 3 } });

    const one = await cli(["message", "poll", "--channel", "telegram", "--target", "424242", "--poll-question", "Q", "--poll-option", "only"]);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain("--poll-option needs 2-12 non-empty answers");
  });

  test("react: the emoji on the message; --remove", async () => {
    const r = await cli(["message", "react", "--channel", "telegram", "--target", "424242", "--message-id", "1003", "--emoji", "👍"]);
    expect(r).toMatchObject({ code: 0, stdout: "Reaction added: 👍 (message 1003 in telegram:424242)\n" });
    expect(lastSent("react")).toMatchObject({ to: "424242", extra: { messageId: "1003", emoji: "👍" } });
    const json = JSON.parse((await cli(["message", "react", "--channel", "telegram", "--target", "424242", "--message-id", "1003", "--emoji", "👍", "--json"])).stdout);
    expect(json).toEqual({ action: "react", channel: "telegram", dryRun: false, handledBy: "gateway", payload: { ok: true, added: "👍" } });
  });

  test("a bad target is the gateway's INVALID_REQUEST (exit 1); usage errors exit 2", async () => {
    const bad = await cli(["message", "send", "--channel", "telegram", "--target", "not-a-chat", "--message", "x", "--json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { type: "gateway_request_error", code: "INVALID_REQUEST", message: "invalid target: telegram:not-a-chat" } });
    const human = await cli(["message", "send", "--channel", "telegram", "--target", "not-a-chat", "--message", "x"]);
    expect(human.stderr).toContain("message.action failed: INVALID_REQUEST: invalid target: telegram:not-a-chat");

    expect((await cli(["message", "send", "--channel", "telegram", "--target", "1", "--mesage", "typo"])).code).toBe(2);
    // No --channel, no prefix, and the (empty) local config names no channel to default to.
    const noChannel = await cli(["message", "send", "--target", "424242", "--message", "x"]);
    expect(noChannel.code).toBe(2);
    expect(noChannel.stderr).toContain("--channel is required");
  });
});

describe("pairing", () => {
  async function pending(senderId: string): Promise<{ code: string; requestId: string }> {
    return waitUntil(async () => {
      const list = (await admin.request("channels.pairing.list", { channel: "telegram" })).payload;
      return list.requests.find((r: { senderId: string }) => r.senderId === senderId);
    }, `the pairing request of ${senderId}`);
  }

  test("a stranger's DM → list → approve --notify; approving again is INVALID_REQUEST", async () => {
    expect((await cli(["pairing", "list", "telegram"])).stdout).toBe("No pending pairing requests.\n");
    await fake.inbound("default", { text: "hi", chatId: "5151", sender: { id: "5151", name: "Sam", username: "sam" } });
    const { code } = await pending("5151");

    const list = await cli(["pairing", "list", "telegram"]);
    expect(list.code).toBe(0);
    const [header, row] = list.stdout.split("\n");
    expect(header).toMatch(/^Code\s+Channel\s+Account\s+Sender\s+Name\s+Asked$/);
    expect(row).toMatch(new RegExp(`^${code}\\s+telegram\\s+default\\s+5151\\s+Sam \\(@sam\\)\\s+just now$`));
    expect(list.stdout).toContain(`Approve with: openclaw pairing approve telegram ${code}`);
    const json = JSON.parse((await cli(["pairing", "list", "--json"])).stdout);
    expect(json.requests).toEqual([expect.objectContaining({ channel: "telegram", accountId: "default", senderId: "5151", code })]);

    const before = fake.sent.length;
    const approved = await cli(["pairing", "approve", "telegram", code, "--notify"]);
    expect(approved).toMatchObject({ code: 0, stdout: "Approved telegram sender 5151.\nNotified telegram:5151 that access was approved.\n" });
    // The fake channel chunks at 50 characters: the notice may come in pieces.
    const notice = fake.sent.slice(before);
    expect(notice.map((s) => `${s.kind}:${s.to}`)).toEqual(notice.map(() => "text:5151"));
    expect(notice.map((s) => s.text).join(" ")).toContain("access approved");

    const again = await cli(["pairing", "approve", "telegram", code, "--json"]);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST", message: `No pending pairing request found for code: ${code}` } });
  });

  test("dismiss by code alone (the channel comes from the pending list)", async () => {
    await fake.inbound("default", { text: "hello?", chatId: "6161", sender: { id: "6161" } });
    const { code } = await pending("6161");
    const r = await cli(["pairing", "dismiss", code]);
    expect(r).toMatchObject({ code: 0, stdout: "Dismissed telegram pairing request from sender 6161.\n" });
    expect((await cli(["pairing", "list"])).stdout).toBe("No pending pairing requests.\n");
    const unknown = await cli(["pairing", "dismiss", "NOPE1234"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("No pending pairing request found for code: NOPE1234");
    expect((await cli(["pairing", "approve"])).code).toBe(2);
  });
});

describe("agent --to --deliver", () => {
  test("the reply is printed, then sent to the chat", async () => {
    const r = await cli(["agent", "-m", "summarise my day", "--to", "telegram:424242", "--deliver"]);
    expect(r.code).toBe(0);
    const sent = lastSent("text")!;
    expect(sent).toMatchObject({ to: "424242", text: "echo: summarise my day" });
    expect(r.stdout).toMatch(/^echo: summarise my day\nDelivered to telegram:424242 \(message \d+\)\n$/);
  });

  test("--json adds delivery; a bare target uses the only configured channel", async () => {
    const r = await cli(["agent", "-m", "as json", "--to", "424242", "--deliver", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ status: "ok", result: { payloads: [{ text: "echo: as json" }] }, delivery: { channel: "telegram", to: "424242" } });
    expect(json.delivery.messageId).toMatch(/^\d+$/);
    expect(lastSent("text")).toMatchObject({ to: "424242", text: "echo: as json" });
  });

  test("--deliver without --to is a usage error; a bad target fails the delivery (exit 1), not the turn", async () => {
    const usage = await cli(["agent", "-m", "x", "--deliver"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--deliver needs --to");
    const before = fake.sent.length;
    const bad = await cli(["agent", "-m", "nowhere", "--to", "telegram:not-a-chat", "--deliver"]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("echo: nowhere\n");
    expect(bad.stderr).toContain("Delivery failed: INVALID_REQUEST: invalid target: not-a-chat");
    expect(fake.sent.length).toBe(before);
  });

  test("without --deliver nothing is sent", async () => {
    const before = fake.sent.length;
    const r = await cli(["agent", "-m", "just print", "--to", "telegram:424242"]);
    expect(r).toMatchObject({ code: 0, stdout: "echo: just print\n" });
    expect(fake.sent.length).toBe(before);
  });
});
