// A gateway whose session store fails while it runs: the session requests answer UNAVAILABLE (WS)
// or 503 (HTTP) with a message, every other method keeps answering, and what was acknowledged stays.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { AGENT_CONFIG, startAgentGateway, type AgentTestGateway } from "../fixtures/agent-gateway.ts";
import { TEST_TOKEN, tempDir } from "../fixtures/gateway.ts";
import { mountTmpfs, tmpfsUnavailable, type Tmpfs } from "../fixtures/tmpfs.ts";
import { RawClient, type Frame } from "../fixtures/ws-client.ts";

const noTmpfs = tmpfsUnavailable();
if (noTmpfs) console.log(`[storage-faults] skipping the full-disk gateway tests: ${noTmpfs}`);

const CONFIG: OpenClawConfig = {
  ...AGENT_CONFIG,
  gateway: { mode: "local", http: { endpoints: { chatCompletions: { enabled: true } } } },
};

const client = (gw: AgentTestGateway) => RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });

/** Every res frame of a (possibly two-stage) request, once the last one is in. */
async function call(c: RawClient, method: string, params: object): Promise<Frame[]> {
  const id = `sf-${crypto.randomUUID()}`;
  const final = c.waitFor((f) => f.type === "res" && f.id === id && !(f.ok && f.payload?.status === "accepted"), 10_000);
  c.send({ type: "req", id, method, params });
  await final;
  return c.frames.filter((f) => f.type === "res" && f.id === id);
}

function expectUnavailable(res: Frame[], reason: string | RegExp, retryable: boolean): void {
  expect(res).toHaveLength(1); // nothing was acknowledged first
  expect(res[0]!.ok).toBe(false);
  expect(res[0]!.error).toMatchObject({ code: "UNAVAILABLE", retryable });
  expect(res[0]!.error!.message).toStartWith("session store unavailable: ");
  expect(res[0]!.error!.message).toMatch(reason);
}

/** The methods that do not touch the session store answer as usual. */
async function expectOthersWork(c: RawClient): Promise<void> {
  for (const method of ["health", "status", "config.get", "system-presence", "agents.list"]) {
    const [res] = await call(c, method, {});
    expect({ method, ok: res!.ok, error: res!.error }).toEqual({ method, ok: true, error: undefined });
  }
}

/** health is cached for a second: wait for the snapshot that shows the store's error (a signal, not a sleep). */
async function healthError(c: RawClient): Promise<string> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const [res] = await call(c, "health", {});
    if (res!.payload.sessions.error) return res!.payload.sessions.error;
    if (Date.now() > deadline) throw new Error(`health never reported the store error: ${JSON.stringify(res!.payload.sessions)}`);
    await c.next((f) => f.type === "event" && (f.event === "tick" || f.event === "health"), 5000).catch(() => {});
  }
}

function http(gw: AgentTestGateway, path: string, body: object): Promise<Response> {
  return fetch(`http://127.0.0.1:${gw.port}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TEST_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const history = async (c: RawClient, sessionKey: string) =>
  (await call(c, "chat.history", { sessionKey }))[0]!.payload.messages.map((m: any) => m.content[0].text);

describe.skipIf(!!noTmpfs)("the disk under the session store fills up", () => {
  let fs: Tmpfs;
  let gw: AgentTestGateway;
  beforeAll(async () => {
    fs = mountTmpfs("1m");
    gw = await startAgentGateway({ config: CONFIG, storePath: join(fs.dir, "state", "sessions.sqlite"), healthRefreshMs: 100 });
  });
  afterAll(async () => {
    await gw?.stop();
    fs?.unmount();
  });

  test("agent, chat.send and resets answer UNAVAILABLE; reads and every other method keep working; nothing acknowledged is lost", async () => {
    const c = await client(gw);
    const [, before] = await call(c, "agent", { message: "before", idempotencyKey: crypto.randomUUID(), sessionKey: "full" });
    expect(before!.payload.status).toBe("ok");

    fs.fill();
    try {
      expectUnavailable(await call(c, "agent", { message: "refused", idempotencyKey: crypto.randomUUID(), sessionKey: "full" }), /the disk is full/, true);
      expectUnavailable(await call(c, "chat.send", { message: "refused", idempotencyKey: crypto.randomUUID(), sessionKey: "full" }), /the disk is full/, true);
      expectUnavailable(await call(c, "agent", { message: "/reset", idempotencyKey: crypto.randomUUID(), sessionKey: "full" }), /the disk is full/, true);
      await expectOthersWork(c);
      expect(await healthError(c)).toStartWith("session store unavailable: the disk is full");
      // Reads work on a full disk: what was acknowledged is still served.
      expect(await history(c, "full")).toEqual(["before", "echo: before"]);
      expect((await call(c, "sessions.list", {}))[0]!.payload.totalCount).toBe(1);

      const res = await http(gw, "/v1/chat/completions", { model: "openclaw", messages: [{ role: "user", content: "refused" }], user: "full-http" });
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: { message: string; type: string; code: string } };
      expect(body.error).toMatchObject({ type: "service_unavailable", code: "storage_unavailable" });
      expect(body.error.message).toStartWith("session store unavailable: the disk is full");
      expect(body.error.message).not.toContain(fs.dir);
      // A new client still gets hello-ok (its snapshot carries the health with the error).
      const late = await client(gw);
      expect(late.hello.snapshot.health.ok).toBe(true);
      late.close();
    } finally {
      fs.free();
    }

    const [, after] = await call(c, "agent", { message: "after", idempotencyKey: crypto.randomUUID(), sessionKey: "full" });
    expect(after!.payload.status).toBe("ok");
    expect(await history(c, "full")).toEqual(["before", "echo: before", "after", "echo: after"]);
    c.close();
  }, 30_000);
});

describe("the state dir is removed while the gateway runs", () => {
  let gw: AgentTestGateway;
  let stateDir: string;
  beforeAll(async () => {
    stateDir = join(tempDir("sf-gw-"), "state");
    gw = await startAgentGateway({ config: CONFIG, storePath: join(stateDir, "sessions.sqlite"), healthRefreshMs: 100 });
  });
  afterAll(() => gw?.stop());

  test("while it cannot be written back every session request is UNAVAILABLE (WS) or 503 (HTTP); then it is back with everything", async () => {
    const c = await client(gw);
    await call(c, "agent", { message: "kept", idempotencyKey: crypto.randomUUID(), sessionKey: "gone" });

    rmSync(stateDir, { recursive: true, force: true });
    writeFileSync(stateDir, "not a directory"); // the store cannot put itself back while this is here
    const reason = /the file was removed while the gateway was running/;
    expectUnavailable(await call(c, "chat.history", { sessionKey: "gone" }), reason, true);
    expectUnavailable(await call(c, "sessions.list", {}), reason, true);
    expectUnavailable(await call(c, "agent", { message: "refused", idempotencyKey: crypto.randomUUID(), sessionKey: "gone" }), reason, true);
    expectUnavailable(await call(c, "chat.send", { message: "refused", idempotencyKey: crypto.randomUUID(), sessionKey: "gone" }), reason, true);
    await expectOthersWork(c);
    expect(await healthError(c)).toMatch(reason);

    const tools = await http(gw, "/tools/invoke", { tool: "sessions_list" });
    expect(tools.status).toBe(503);
    expect(await tools.json()).toMatchObject({ ok: false, error: { type: "unavailable", message: expect.stringMatching(reason), retryable: true } });
    const chat = await http(gw, "/v1/chat/completions", { model: "openclaw", messages: [{ role: "user", content: "refused" }] });
    expect(chat.status).toBe(503);
    expect(((await chat.json()) as any).error).toMatchObject({ type: "service_unavailable", code: "storage_unavailable" });

    rmSync(stateDir);
    expect(await history(c, "gone")).toEqual(["kept", "echo: kept"]);
    expect(existsSync(join(stateDir, "sessions.sqlite"))).toBe(true);
    await call(c, "agent", { message: "again", idempotencyKey: crypto.randomUUID(), sessionKey: "gone" });
    expect(await history(c, "gone")).toEqual(["kept", "echo: kept", "again", "echo: again"]);
    expect(dirname(gw.storePath)).toBe(stateDir);
    c.close();
  }, 30_000);
});
