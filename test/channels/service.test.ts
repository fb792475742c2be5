// The channel core with a scripted adapter and agent: pairing of strangers, turns and replies,
// group gating, durable ingress across a restart, lanes, idempotent sends, the restart ladder.
import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { AgentService, TurnInput, TurnResult } from "../../src/agents/types.ts";
import { ChannelService } from "../../src/channels/service.ts";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { fakeChannel, type FakeChannel } from "../fixtures/fake-channel.ts";
import { tempDir } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";

interface FakeAgents extends AgentService {
  turns: TurnInput[];
  /** Turns wait on this when set. */
  gate?: Promise<void>;
}

function fakeAgents(): FakeAgents {
  const cache = new Map<string, TurnResult>();
  const agents = {
    turns: [] as TurnInput[],
    listAgents: () => [{ id: "main", isDefault: true }],
    defaultAgentId: () => "main",
    getAgent: () => ({ id: "main", isDefault: true }),
    async runTurn(input: TurnInput): Promise<TurnResult> {
      if (input.idempotencyKey && cache.has(input.idempotencyKey)) return { ...cache.get(input.idempotencyKey)!, cached: true };
      agents.turns.push(input);
      if (agents.gate) await agents.gate;
      const now = Date.now();
      const result = {
        runId: crypto.randomUUID(), agentId: "main", sessionKey: input.sessionKey, sessionId: "s", text: `echo: ${input.message}`,
        toolCalls: [], finishReason: "stop", usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 }, provider: "stub", model: "echo",
        startedAt: now, endedAt: now, durationMs: 0,
      } as unknown as TurnResult;
      if (input.idempotencyKey) cache.set(input.idempotencyKey, result);
      return result;
    },
    embed: async () => [],
    abort: () => [],
    activeRuns: () => [],
    sessions: undefined as never,
  } as FakeAgents;
  return agents;
}

const services: ChannelService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
});

function start(config: OpenClawConfig, opts: { fake?: FakeChannel; agents?: FakeAgents; dir?: string; syncFile?: (path: string) => Promise<void> } = {}) {
  const fake = opts.fake ?? fakeChannel();
  const agents = opts.agents ?? fakeAgents();
  const dir = opts.dir ?? tempDir("channels-");
  let current = config;
  const svc = new ChannelService({
    stateDir: dir, env: {}, agents, logger: createLogger({ file: join(dir, "log.jsonl"), consoleLevel: "silent" }),
    config: () => current, loadAdapter: async () => fake, restart: { initialMs: 20, maxMs: 100, maxAttempts: 3 },
    ...(opts.syncFile ? { syncFile: opts.syncFile } : {}),
  });
  services.push(svc);
  return { svc, fake, agents, dir, setConfig: (c: OpenClawConfig) => (current = c) };
}

const texts = (f: FakeChannel) => f.sent.filter((s) => s.kind === "text").map((s) => s.text);

describe("direct messages", () => {
  test("a stranger gets one pairing code; once approved, the next message runs a turn and the reply comes back", async () => {
    const { svc, fake, agents } = start({ channels: { telegram: { botToken: "t" } } });
    await svc.apply({ channels: { telegram: { botToken: "t" } } });
    await waitUntil(() => fake.runs.has("default"), "the account to run");
    await fake.inbound("default", { text: "hello bot" });
    await fake.inbound("default", { text: "hello again" });
    await svc.idle();
    expect(agents.turns).toHaveLength(0);
    expect(texts(fake)).toHaveLength(1);
    const code = /Pairing code: ([A-Z2-9]{8})/.exec(texts(fake)[0]!)![1]!;
    expect(texts(fake)[0]).toContain(`openclaw pairing approve telegram ${code}`);

    const list = svc.pairingList({ channel: "telegram" }) as { requests: Array<Record<string, unknown>> };
    expect(list.requests).toHaveLength(1);
    expect(list.requests[0]).toMatchObject({ code, senderId: "424242", accountId: "default", metadata: { username: "tess", firstName: "Tess" } });
    expect(await svc.pairingApprove({ channel: "telegram", requestId: code, notify: true })).toMatchObject({ senderId: "424242", notification: "sent" });

    await fake.inbound("default", { text: "what is two plus two" });
    await svc.idle();
    expect(agents.turns.map((t) => [t.sessionKey, t.message, t.channel])).toEqual([["agent:main:main", "what is two plus two", "telegram"]]);
    expect(texts(fake).at(-1)).toBe("echo: what is two plus two");
    expect(fake.sent.some((s) => s.kind === "typing" && s.to === "424242")).toBe(true);
  });

  test("at most 3 pending requests per account; dmPolicy allowlist and disabled never pair", async () => {
    const { svc, fake, agents } = start({});
    await svc.apply({ channels: { telegram: { botToken: "t" } } });
    await waitUntil(() => fake.runs.has("default"), "running");
    for (const id of ["1", "2", "3", "4"]) await fake.inbound("default", { text: "hi", chatId: id });
    await svc.idle();
    expect(texts(fake)).toHaveLength(3);

    await svc.apply({ channels: { telegram: { botToken: "t", dmPolicy: "allowlist", allowFrom: ["tg:77"] } } });
    await waitUntil(() => fake.runs.has("default"), "restarted");
    await fake.inbound("default", { text: "let me in", chatId: "5" });
    await fake.inbound("default", { text: "I am listed", chatId: "77" });
    await svc.idle();
    expect(texts(fake)).toHaveLength(4);
    expect(agents.turns.map((t) => t.message)).toEqual(["I am listed"]);
  });

  test("replies longer than the chunk limit are split", async () => {
    const { svc, fake } = start({});
    await svc.apply({ channels: { telegram: { botToken: "t", dmPolicy: "open" } } });
    await waitUntil(() => fake.runs.has("default"), "running");
    await fake.inbound("default", { text: "word ".repeat(30).trim() });
    await svc.idle();
    const replies = texts(fake);
    expect(replies.length).toBeGreaterThan(2);
    expect(replies.every((r) => r!.length <= 50)).toBe(true);
    expect(replies.join(" ")).toBe(`echo: ${"word ".repeat(30).trim()}`);
  });
});

describe("replies", () => {
  test("reply tags are stripped and honoured; a reply with nothing left is not sent", async () => {
    const { svc, fake } = start({});
    await svc.apply({ channels: { telegram: { botToken: "t", dmPolicy: "open" } } });
    await waitUntil(() => fake.runs.has("default"), "running");
    await fake.inbound("default", { text: "[[reply_to_current]] quote me", messageId: "1003" });
    await svc.idle();
    expect(fake.sent.filter((s) => s.kind === "text")).toEqual([{ kind: "text", accountId: "default", to: "424242", text: "echo: quote me", extra: { replyToId: "1003" } }]);
  });
});

describe("groups", () => {
  test("no groups section: ignored; with groups * + requireMention: only mentions run, in the group's session", async () => {
    const { svc, fake, agents } = start({});
    await svc.apply({ channels: { telegram: { botToken: "t" } } });
    await waitUntil(() => fake.runs.has("default"), "running");
    const g = { chatId: "-100123", chatType: "group" as const, sender: { id: "424242", name: "Tess" } };
    await fake.inbound("default", { ...g, text: "@bot hi", mentioned: true });
    await svc.idle();
    expect(agents.turns).toHaveLength(0);

    await svc.apply({ channels: { telegram: { botToken: "t", allowFrom: ["424242"], groups: { "*": { requireMention: true } } } } });
    await waitUntil(() => fake.runs.has("default"), "restarted");
    await fake.inbound("default", { ...g, text: "just chatting" });
    await fake.inbound("default", { ...g, text: "@bot hello group", mentioned: true });
    await fake.inbound("default", { ...g, sender: { id: "999" }, text: "@bot me too", mentioned: true });
    await svc.idle();
    expect(agents.turns.map((t) => [t.sessionKey, t.message])).toEqual([["agent:main:telegram:group:-100123", "Tess: @bot hello group"]]);
    expect(fake.sent.filter((s) => s.kind === "text").map((s) => s.to)).toEqual(["-100123"]);
  });
});

describe("durability and lanes", () => {
  test("a replayed event id is answered once", async () => {
    const { svc, fake, agents } = start({});
    await svc.apply({ channels: { telegram: { botToken: "t", dmPolicy: "open" } } });
    await waitUntil(() => fake.runs.has("default"), "running");
    await fake.inbound("default", { text: "once", eventId: "9001" });
    await fake.inbound("default", { text: "once", eventId: "9001" });
    await svc.idle();
    expect(agents.turns).toHaveLength(1);
    expect(texts(fake)).toEqual(["echo: once"]);
  });

  test("committed but unanswered when the gateway stopped: answered once after the restart", async () => {
    const agents = fakeAgents();
    let release!: () => void;
    agents.gate = new Promise((r) => (release = r));
    const first = start({}, { agents });
    const cfg = { channels: { telegram: { botToken: "t", dmPolicy: "open" as const } } };
    await first.svc.apply(cfg);
    await waitUntil(() => first.fake.runs.has("default"), "running");
    await first.fake.inbound("default", { text: "survive me", eventId: "7" });
    await waitUntil(() => agents.turns.length === 1, "the turn to start");
    await first.svc.close();
    services.splice(services.indexOf(first.svc), 1);
    expect(texts(first.fake)).toEqual([]);

    const again = fakeAgents();
    const second = start({}, { agents: again, dir: first.dir });
    await second.svc.apply(cfg);
    await waitUntil(() => texts(second.fake).length === 1, "the recovered message to be answered");
    expect(texts(second.fake)).toEqual(["echo: survive me"]);
    // The adapter delivering the same update again (its offset was not saved) changes nothing.
    await waitUntil(() => second.fake.runs.has("default"), "running");
    await second.fake.inbound("default", { text: "survive me", eventId: "7" });
    await second.svc.idle();
    expect(texts(second.fake)).toHaveLength(1);
    release();
  });

  test("the turn starts while the message is flushed to disk; acknowledged and answered only after the flush", async () => {
    const flushes: Array<{ path: string; done: () => void }> = [];
    const syncFile = (path: string) => new Promise<void>((done) => flushes.push({ path, done }));
    const { svc, fake, agents } = start({}, { syncFile });
    await svc.apply({ channels: { telegram: { botToken: "t", dmPolicy: "open" } } });
    await waitUntil(() => fake.runs.has("default"), "running");
    let acked = false;
    const received = fake.inbound("default", { text: "flush me", eventId: "11" }).then(() => (acked = true));
    await waitUntil(() => agents.turns.length === 1, "the turn to start before the flush is done");
    // The same update delivered again meanwhile is not acknowledged before the flush either.
    let replayAcked = false;
    const replay = fake.inbound("default", { text: "flush me", eventId: "11" }).then(() => (replayAcked = true));
    await Bun.sleep(30); // a window for a premature acknowledgement or reply to show
    expect(flushes.length).toBeGreaterThan(0);
    expect(flushes[0]!.path).toEndWith("channels.sqlite-wal");
    expect({ acked, replayAcked, sent: texts(fake) }).toEqual({ acked: false, replayAcked: false, sent: [] });
    // A flush that started before a commit does not cover it: the waiters need the next one.
    await waitUntil(() => {
      flushes.shift()?.done();
      return acked && replayAcked;
    }, "both deliveries acknowledged once flushed");
    await Promise.all([received, replay]);
    await waitUntil(() => texts(fake).length === 1, "the reply after the flush");
    await svc.idle();
    expect(texts(fake)).toEqual(["echo: flush me"]);
    expect(agents.turns).toHaveLength(1);
  }, 15_000);

  test("one chat's slow turn does not hold up another chat", async () => {
    const agents = fakeAgents();
    let release!: () => void;
    agents.gate = new Promise((r) => (release = r));
    const { svc, fake } = start({}, { agents });
    await svc.apply({ channels: { telegram: { botToken: "t", dmPolicy: "open" } } });
    await waitUntil(() => fake.runs.has("default"), "running");
    await fake.inbound("default", { text: "slow", chatId: "1" });
    await fake.inbound("default", { text: "second in chat 1", chatId: "1" });
    await waitUntil(() => agents.turns.length === 1, "chat 1's turn");
    agents.gate = undefined;
    await fake.inbound("default", { text: "fast", chatId: "2" });
    await waitUntil(() => texts(fake).includes("echo: fast"), "chat 2's reply while chat 1 waits");
    expect(agents.turns.map((t) => t.message)).toEqual(["slow", "fast"]);
    release();
    await svc.idle();
    // Chat 1's messages kept their order.
    expect(texts(fake).filter((t) => t !== "echo: fast")).toEqual(["echo: slow", "echo: second in chat 1"]);
  });
});

describe("outbound", () => {
  test("send is idempotent by key; targets are normalized; bad ones are input errors", async () => {
    const { svc, fake } = start({});
    await svc.apply({ channels: { telegram: { botToken: "t" } } });
    const first = await svc.send({ to: "tg:424242", message: "dinner at 8", idempotencyKey: "k1" });
    expect(first).toEqual({ runId: "k1", messageId: "101", channel: "telegram", chatId: "424242" });
    expect(await svc.send({ to: "424242", message: "dinner at 8", idempotencyKey: "k1" })).toEqual(first);
    expect(texts(fake)).toEqual(["dinner at 8"]);
    await expect(svc.send({ to: "not a chat", message: "x", idempotencyKey: "k2" })).rejects.toThrow("invalid target: not a chat");
    await expect(svc.send({ to: "1", message: "x", channel: "whatsapp", idempotencyKey: "k3" })).rejects.toThrow("unsupported channel: whatsapp");
    await expect(svc.send({ to: "1", message: "x", channel: "webchat", idempotencyKey: "k4" })).rejects.toThrow("internal-only");
    await expect(svc.send({ to: "1", message: "  ", idempotencyKey: "k5" })).rejects.toThrow("text or media is required");
    await expect(svc.send({ to: "1", message: "x", accountId: "nope", idempotencyKey: "k6" })).rejects.toThrow('Unknown account "nope" for channel telegram.');
  });

  test("a failed send is not remembered: the retry with the same key sends", async () => {
    const { svc, fake } = start({});
    await svc.apply({ channels: { telegram: { botToken: "t" } } });
    fake.failSends = 1;
    await expect(svc.send({ to: "1", message: "x", idempotencyKey: "k" })).rejects.toThrow("network down");
    expect(await svc.send({ to: "1", message: "x", idempotencyKey: "k" })).toMatchObject({ messageId: "101" });
  });
});

describe("the manager", () => {
  test("a task that ends is restarted on the ladder, up to the limit", async () => {
    const fake = fakeChannel();
    fake.behaviour = "fail";
    const { svc } = start({}, { fake });
    await svc.apply({ channels: { telegram: { botToken: "t" } } });
    await waitUntil(() => svc.manager.snapshot("telegram", "default")?.healthState === "not-running", "the ladder to give up");
    expect(fake.starts).toBe(4);
    expect(svc.manager.snapshot("telegram", "default")).toMatchObject({ running: false, lastError: "connection lost", reconnectAttempts: 4 });
  });

  test("a terminal disconnect is not restarted", async () => {
    const fake = fakeChannel();
    fake.behaviour = "terminal";
    const { svc } = start({}, { fake });
    await svc.apply({ channels: { telegram: { botToken: "t" } } });
    await waitUntil(() => svc.manager.snapshot("telegram", "default")?.lifecycle === "blocked", "blocked");
    await Bun.sleep(150); // longer than the test ladder's first step: a restart would have happened
    expect(fake.starts).toBe(1);
    expect(svc.manager.snapshot("telegram", "default")).toMatchObject({ terminalDisconnect: true, healthState: "terminal-disconnect", lastError: "token unauthorized" });
  });

  test("stopped by an operator: stays stopped across a reload of another account, until started", async () => {
    const { svc, fake } = start({});
    const cfg = (extra: Record<string, unknown>) => ({ channels: { telegram: { botToken: "t", accounts: { work: { botToken: "w", ...extra } } } } }) as OpenClawConfig;
    await svc.apply(cfg({}));
    await waitUntil(() => fake.runs.has("default") && fake.runs.has("work"), "both running");
    expect(await svc.manager.stop("telegram", "default")).toBe(true);
    await svc.apply(cfg({ name: "Work bot" }));
    await waitUntil(() => fake.runs.has("work"), "work restarted");
    expect(fake.runs.has("default")).toBe(false);
    expect(svc.manager.start("telegram", "default")).toEqual({ started: true, outcome: { status: "handed-off" } });
    await waitUntil(() => fake.runs.has("default"), "default running again");
    expect(svc.manager.start("telegram", "default").outcome).toEqual({ status: "skipped", reason: "task-owned" });
  });
});
