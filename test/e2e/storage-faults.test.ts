// The real gateway process against broken storage: at start-up a damaged, read-only or full state
// dir is refused with a message naming the file and a non-zero exit (no stack trace); while running,
// a full disk and a removed state dir fail only the session requests, the process stays up, and
// every acknowledged message is still there afterwards, also after a restart.
import { afterAll, afterEach, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SessionStore } from "../../src/agents/sessions.ts";
import { acquireGatewayLock } from "../../src/gateway/lock.ts";
import { startOpenAIStub, type OpenAIStub } from "../fixtures/openai-stub.ts";
import { makeHome, spawnCli, type Spawned } from "../fixtures/spawn.ts";
import { mountTmpfs, readOnlyDir, readOnlyUnavailable, tmpfsUnavailable, type Tmpfs } from "../fixtures/tmpfs.ts";
import { RawClient, type Frame } from "../fixtures/ws-client.ts";

// Every test here starts real processes (the CLI, a gateway): room for a slow, busy 2-core CI machine.
setDefaultTimeout(60_000);

const noTmpfs = tmpfsUnavailable();
if (noTmpfs) console.log(`[storage-faults e2e] skipping the full-disk tests: ${noTmpfs}`);
const noReadOnly = readOnlyUnavailable();
if (noReadOnly) console.log(`[storage-faults e2e] skipping the read-only test: ${noReadOnly}`);

const TOKEN = "storage-faults-token-0123456789";
const STORAGE_EXIT = 74;
const running: Spawned[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) {
    s.proc.kill("SIGKILL");
    await s.exited;
  }
});

function gateway(home: string, env: Record<string, string> = {}): Spawned {
  const s = spawnCli(["gateway", "run", "--port", "0"], { home, env });
  running.push(s);
  return s;
}

/** Waits until the process's stderr matches (a signal the gateway gives, not a sleep). */
async function stderrMatches(s: Spawned, re: RegExp, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!re.test(s.stderr())) {
    if (Date.now() > deadline) throw new Error(`stderr never matched ${re}:\n${s.stderr()}`);
    await Promise.race([s.exited, Bun.sleep(20)]);
  }
}

function expectRefusal(s: Spawned, code: number, message: RegExp): void {
  expect(s.stderr()).toMatch(message);
  expect(s.stderr()).not.toMatch(/^\s+at /m); // a known refusal, not a stack trace
  expect(s.stdout()).not.toContain("Gateway ready");
  expect(code).not.toBe(0);
}

const local = { gateway: { mode: "local", auth: { mode: "token", token: TOKEN } } };
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("start-up refusals", () => {
  test("garbage bytes in sessions.sqlite: the file is named, exit 74", async () => {
    const home = makeHome(local);
    const file = join(home, ".openclaw", "state", "sessions.sqlite");
    mkdirSync(join(home, ".openclaw", "state"), { recursive: true });
    writeFileSync(file, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256)));
    const s = gateway(home);
    const code = await s.exited;
    expect(code).toBe(STORAGE_EXIT);
    expectRefusal(s, code, new RegExp(`Gateway failed to start: cannot open session store ${escape(file)}: the file is damaged or not a SQLite database \\(file is not a database\\); move it aside`));
    expect(statSync(file).size).toBe(4096); // left for the operator
  });

  test("a truncated sessions.sqlite: the file is named, exit 74", async () => {
    const home = makeHome(local);
    const file = join(home, ".openclaw", "state", "sessions.sqlite");
    const store = SessionStore.open(file);
    store.batch(() => {
      for (let i = 0; i < 200; i++) store.append("agent:main:main", "main", [{ role: "user", content: `m${i} ${"x".repeat(300)}` }]);
    });
    store.close();
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const s = gateway(home);
    const code = await s.exited;
    expect(code).toBe(STORAGE_EXIT);
    expectRefusal(s, code, new RegExp(`Gateway failed to start: cannot open session store ${escape(file)}: the file is damaged`));
  });

  test.skipIf(!!noReadOnly)("a read-only state dir: the file is named, non-zero exit", async () => {
    const home = makeHome(local);
    const ro = readOnlyDir((dir) => {
      // What a gateway that ran there before leaves behind: the lock file and a store.
      acquireGatewayLock(dir).release();
      const store = SessionStore.open(join(dir, "state", "sessions.sqlite"));
      store.append("agent:main:main", "main", [{ role: "user", content: "old" }]);
      store.close();
    });
    try {
      const s = gateway(home, { OPENCLAW_STATE_DIR: ro.dir, OPENCLAW_CONFIG_PATH: join(home, ".openclaw", "openclaw.json") });
      const code = await s.exited;
      expectRefusal(s, code, new RegExp(`Gateway failed to start: cannot open (session store|gateway lock) ${escape(ro.dir)}/\\S+: .*(not writable|EROFS|EACCES|read-only)`, "i"));
    } finally {
      ro.cleanup();
    }
  });

  describe.skipIf(!!noTmpfs)("a full disk", () => {
    let fs: Tmpfs;
    beforeAll(() => {
      fs = mountTmpfs("1m");
    });
    afterAll(() => fs?.unmount());

    test("the store cannot be created: the file is named, exit 74", async () => {
      const home = makeHome(local);
      const stateDir = join(fs.dir, "state-dir");
      fs.fill();
      try {
        const s = gateway(home, { OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: join(home, ".openclaw", "openclaw.json") });
        const code = await s.exited;
        expect(code).toBe(STORAGE_EXIT);
        expectRefusal(s, code, new RegExp(`Gateway failed to start: cannot open session store ${escape(join(stateDir, "state", "sessions.sqlite"))}: the disk is full`));
      } finally {
        fs.free();
      }
    });
  });
});

describe.skipIf(!!noTmpfs)("storage faults while running", () => {
  let fs: Tmpfs;
  let stub: OpenAIStub;
  beforeAll(async () => {
    fs = mountTmpfs("1m");
    stub = await startOpenAIStub();
  });
  afterAll(() => {
    for (const s of running) s.proc.kill("SIGKILL");
    stub?.stop();
    fs?.unmount();
  });

  async function turn(c: RawClient, message: string): Promise<Frame> {
    const id = `turn-${crypto.randomUUID()}`;
    const final = c.waitFor((f) => f.type === "res" && f.id === id && !(f.ok && f.payload?.status === "accepted"), 15_000);
    c.send({ type: "req", id, method: "agent", params: { message, idempotencyKey: crypto.randomUUID(), sessionKey: "disk" } });
    return final;
  }
  const history = async (c: RawClient) =>
    (await c.request("chat.history", { sessionKey: "disk" })).payload.messages.map((m: any) => m.content[0].text);

  test("a full disk, then a removed state dir: only session requests fail, the process stays up, nothing acknowledged is lost", async () => {
    const home = makeHome({
      ...local,
      models: { providers: { stub: { baseUrl: stub.baseUrl, apiKey: "sk-local", api: "openai-completions", models: [{ id: "echo", name: "Echo" }] } } },
      agents: { defaults: { model: { primary: "stub/echo" } } },
    });
    const stateDir = join(fs.dir, "state-dir");
    const logDir = join(fs.dir, "logs"); // the file log shares the full disk
    const env = { OPENCLAW_STATE_DIR: stateDir, OPENCLAW_CONFIG_PATH: join(home, ".openclaw", "openclaw.json"), OPENCLAW_LOG_DIR: logDir };
    const store = join(stateDir, "state", "sessions.sqlite");

    const first = gateway(home, env);
    const c = await RawClient.connect(await first.ready, { token: TOKEN, scopes: ["operator.admin"] });
    expect((await turn(c, "before")).payload.status).toBe("ok");

    fs.fill();
    try {
      const refused = await turn(c, "refused");
      expect(refused.ok).toBe(false);
      expect(refused.error).toMatchObject({ code: "UNAVAILABLE", retryable: true });
      expect(refused.error!.message).toStartWith("session store unavailable: the disk is full");
      for (const method of ["health", "status", "system-presence", "config.get"]) expect((await c.request(method, {})).ok).toBe(true);
      expect(await history(c)).toEqual(["before", "echo: before"]);
      // The operator sees the file and the reason (the file log on the same full disk is no threat: test/logging).
      await stderrMatches(first, new RegExp(`session store ${escape(store)} unavailable: the disk is full`));
    } finally {
      fs.free();
    }
    expect((await turn(c, "after")).payload.status).toBe("ok");

    rmSync(stateDir, { recursive: true, force: true });
    expect(await history(c)).toEqual(["before", "echo: before", "after", "echo: after"]);
    expect(existsSync(store)).toBe(true); // written back from the open database
    await stderrMatches(first, /was removed while the gateway was running; written back from the open database/);
    expect((await turn(c, "last")).payload.status).toBe("ok");
    c.close();

    first.proc.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(first.stderr()).not.toMatch(/fatal error|^\s+at /m);

    const second = gateway(home, env);
    const d = await RawClient.connect(await second.ready, { token: TOKEN, scopes: ["operator.read"] });
    expect(await history(d)).toEqual(["before", "echo: before", "after", "echo: after", "last", "echo: last"]);
    d.close();
    expect(readFileSync(store).subarray(0, 16).toString()).toBe("SQLite format 3\0");
  }, 60_000);
});
