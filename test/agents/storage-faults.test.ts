// Storage faults of the session store: what opening reports, what a running store does when the
// disk fills up or its directory disappears, and that nothing acknowledged is ever lost.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { AgentRuntime } from "../../src/agents/runtime.ts";
import { SessionStore, StorageError, STORAGE_EXIT_CODE, type StoreEvent } from "../../src/agents/sessions.ts";
import { AgentError } from "../../src/agents/types.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { fakeProvider } from "../fixtures/fake-provider.ts";
import { tempDir } from "../fixtures/gateway.ts";
import { mountTmpfs, readOnlyDir, readOnlyUnavailable, tmpfsUnavailable, type Tmpfs } from "../fixtures/tmpfs.ts";

const noTmpfs = tmpfsUnavailable();
if (noTmpfs) console.log(`[storage-faults] skipping the full-disk tests: ${noTmpfs}`);
const noReadOnly = readOnlyUnavailable();
if (noReadOnly) console.log(`[storage-faults] skipping the read-only tests: ${noReadOnly}`);

const KEY = "agent:main:main";
const stores: SessionStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function openStore(path: string): SessionStore {
  const s = SessionStore.open(path);
  stores.push(s);
  return s;
}

/** A store with `n` user messages in KEY, closed again: what a previous gateway left behind. */
function seeded(path: string, n: number): void {
  const s = SessionStore.open(path);
  s.batch(() => {
    for (let i = 0; i < n; i++) s.append(KEY, "main", [{ role: "user", content: `m${i} ${"x".repeat(200)}` }]);
  });
  s.close();
}

function openError(path: string): StorageError {
  try {
    SessionStore.open(path).close();
  } catch (err) {
    expect(err).toBeInstanceOf(StorageError);
    return err as StorageError;
  }
  throw new Error(`SessionStore.open(${path}) worked`);
}

function failure(fn: () => unknown): StorageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StorageError);
    return err as StorageError;
  }
  throw new Error("the operation worked");
}

const contents = (s: SessionStore) => s.history(KEY).messages.map((m) => m.content.split(" ")[0]);

describe("opening a store that cannot be used", () => {
  test("garbage bytes: a StorageError that names the file and says it is damaged, exit code 74", () => {
    const path = join(tempDir("sf-"), "state", "sessions.sqlite");
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256)));
    const e = openError(path);
    expect(e.problem).toBe("corrupt");
    expect(e.path).toBe(path);
    expect(e.exitCode).toBe(STORAGE_EXIT_CODE);
    expect(e.message).toStartWith(`cannot open session store ${path}: the file is damaged or not a SQLite database (file is not a database)`);
    expect(e.message).toContain("move it aside");
    // The file is left as it was, for the operator to inspect or restore.
    expect(statSync(path).size).toBe(8192);
  });

  test.each([50, 100, 4096, 0.5])("a file truncated to %p (bytes, or the fraction of it) is reported as damaged", (cut) => {
    const path = join(tempDir("sf-"), "sessions.sqlite");
    seeded(path, 300);
    truncateSync(path, cut < 1 ? Math.floor(statSync(path).size * cut) : cut);
    const e = openError(path);
    expect(e.problem).toBe("corrupt");
    expect(e.message).toStartWith(`cannot open session store ${path}: the file is damaged`);
  });

  test.skipIf(!!noReadOnly)("a read-only state dir: not writable, for a new store and for an existing one", () => {
    const ro = readOnlyDir((dir) => seeded(join(dir, "state", "sessions.sqlite"), 3));
    try {
      for (const path of [join(ro.dir, "state", "sessions.sqlite"), join(ro.dir, "fresh", "sessions.sqlite")]) {
        const e = openError(path);
        expect(e.problem).toBe("not_writable");
        expect(e.message).toStartWith(`cannot open session store ${path}: the file or its directory is not writable (`);
        expect(e.message).toMatch(/EROFS|EACCES|read-only|permission denied/i);
      }
    } finally {
      ro.cleanup();
    }
  });

  describe.skipIf(!!noTmpfs)("on a full disk", () => {
    let fs: Tmpfs;
    beforeAll(() => {
      fs = mountTmpfs("1m");
    });
    afterAll(() => fs?.unmount());

    test("a new store cannot be created: disk_full, retryable", () => {
      fs.fill();
      try {
        const path = join(fs.dir, "state", "sessions.sqlite");
        const e = openError(path);
        expect(e.problem).toBe("disk_full");
        expect(e.retryable).toBe(true);
        expect(e.message).toStartWith(`cannot open session store ${path}: the disk is full (`);
      } finally {
        fs.free();
      }
    });
  });
});

describe.skipIf(!!noTmpfs)("a full disk while running", () => {
  let fs: Tmpfs;
  beforeAll(() => {
    fs = mountTmpfs("1m");
  });
  afterAll(() => fs?.unmount());

  test("writes fail with disk_full, reads keep working, and every acknowledged message is there once space is back", () => {
    const path = join(fs.dir, "state", "sessions.sqlite");
    const s = openStore(path);
    const events: StoreEvent[] = [];
    s.onEvent = (e) => events.push(e);
    for (let i = 0; i < 5; i++) s.append(KEY, "main", [{ role: "user", content: `m${i}` }]);

    fs.fill();
    try {
      const e = failure(() => s.append(KEY, "main", [{ role: "user", content: "lost? no: refused" }]));
      expect(e).toMatchObject({ problem: "disk_full", retryable: true, path });
      expect(e.message).toStartWith(`session store ${path} unavailable: the disk is full (`);
      expect(e.publicMessage).toStartWith("session store unavailable: the disk is full");
      expect(e.publicMessage).not.toContain(path);
      expect(failure(() => s.startRun({ runId: "r-full", sessionKey: KEY, agentId: "main" })).problem).toBe("disk_full");
      // Reads still work, and do not pretend the store is healthy again.
      expect(contents(s)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
      expect(s.listSessions().total).toBe(1);
      expect(s.fault?.problem).toBe("disk_full");
      expect(events.map((e) => e.type)).toEqual(["fault"]);
    } finally {
      fs.free();
    }

    s.append(KEY, "main", [{ role: "user", content: "m5" }]);
    expect(s.fault).toBeNull();
    expect(events.map((e) => e.type)).toEqual(["fault", "recovered"]);
    expect(contents(s)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
    s.close();
    const again = openStore(path);
    expect(contents(again)).toEqual(["m0", "m1", "m2", "m3", "m4", "m5"]);
    expect(again.getRun("r-full")).toBeNull();
  });
});

describe("the state dir removed while running", () => {
  test("the next operation writes the open database back: every acknowledged message is on disk again", () => {
    const stateDir = join(tempDir("sf-"), "state");
    const path = join(stateDir, "sessions.sqlite");
    const s = openStore(path);
    const events: StoreEvent[] = [];
    s.onEvent = (e) => events.push(e);
    s.append(KEY, "main", [{ role: "user", content: "a" }, { role: "assistant", content: "b" }]);
    s.startRun({ runId: "r1", idempotencyKey: "k1", sessionKey: KEY, agentId: "main" });

    rmSync(stateDir, { recursive: true, force: true });
    expect(existsSync(path)).toBe(false);
    expect(contents(s)).toEqual(["a", "b"]);
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    expect(events).toEqual([{ type: "restored", path }]);

    // Later writes go to the file on disk, not to the deleted one.
    s.append(KEY, "main", [{ role: "user", content: "c" }]);
    s.finishRun("r1", "ok", { text: "done" });
    s.close();
    const again = openStore(path);
    expect(contents(again)).toEqual(["a", "b", "c"]);
    expect(again.getRunByIdempotencyKey("k1")).toMatchObject({ status: "ok", result: { text: "done" } });
    expect(again.pragmas()).toMatchObject({ journalMode: "wal", synchronous: "FULL", foreignKeys: true });
  });

  test("while it cannot be written back, operations fail (removed, retryable), and it is written back once it can", () => {
    const base = tempDir("sf-");
    const stateDir = join(base, "state");
    const path = join(stateDir, "sessions.sqlite");
    const s = openStore(path);
    s.append(KEY, "main", [{ role: "user", content: "kept" }]);

    rmSync(stateDir, { recursive: true, force: true });
    writeFileSync(stateDir, "a file where the directory was");
    for (const op of [() => s.history(KEY), () => s.append(KEY, "main", [{ role: "user", content: "refused" }]), () => s.listSessions()]) {
      const e = failure(op);
      expect(e).toMatchObject({ problem: "removed", retryable: true });
      expect(e.message).toStartWith(`session store ${path} unavailable: the file was removed while the gateway was running (restoring it from the open database failed: `);
    }
    expect(s.fault?.problem).toBe("removed");

    rmSync(stateDir);
    expect(contents(s)).toEqual(["kept"]);
    expect(s.fault).toBeNull();
    s.close();
    expect(contents(openStore(path))).toEqual(["kept"]);
  });

  test("a different file moved to the path is not written to: replaced, until a restart", () => {
    const dir = tempDir("sf-");
    const path = join(dir, "sessions.sqlite");
    const other = join(dir, "other.sqlite");
    seeded(other, 1);
    const s = openStore(path);
    s.append(KEY, "main", [{ role: "user", content: "mine" }]);
    copyFileSync(other, `${path}.new`);
    renameSync(`${path}.new`, path);
    const e = failure(() => s.append(KEY, "main", [{ role: "user", content: "where to?" }]));
    expect(e).toMatchObject({ problem: "replaced", retryable: false });
    expect(e.message).toContain(`session store ${path} unavailable: the file was replaced`);
  });
});

describe.skipIf(!!noTmpfs)("agent turns on a full disk", () => {
  let fs: Tmpfs;
  let logDir: string;
  beforeAll(() => {
    fs = mountTmpfs("1m");
    logDir = tempDir("sf-log-");
  });
  afterAll(() => fs?.unmount());

  function runtime(name: string) {
    const store = openStore(join(fs.dir, name, "sessions.sqlite"));
    const provider = fakeProvider("fake");
    const logFile = join(logDir, `${name}.log`);
    const agents = new AgentRuntime({
      config: { agents: { defaults: { model: "fake/echo" } } },
      store,
      logger: createLogger({ file: logFile, consoleLevel: "silent" }),
      providerFactory: (id) => (id === "fake" ? provider : undefined),
    });
    return { agents, store, provider, log: () => readFileSync(logFile, "utf8") };
  }

  test("a turn whose message cannot be stored fails with AgentError storage before it is acknowledged", async () => {
    const { agents, store, provider, log } = runtime("before-ack");
    await agents.runTurn({ agentId: "main", sessionKey: KEY, message: "first", idempotencyKey: "k1" });
    fs.fill();
    const accepted: unknown[] = [];
    try {
      const err = await agents.runTurn({ agentId: "main", sessionKey: KEY, message: "second", idempotencyKey: "k2", onEvent: (e) => accepted.push(e) })
        .then(() => undefined, (e) => e);
      expect(err).toBeInstanceOf(AgentError);
      expect(err).toMatchObject({ kind: "storage", retryable: true });
      expect((err as AgentError).message).toStartWith("session store unavailable: the disk is full");
      expect(accepted).toEqual([]);
      expect(provider.requests).toHaveLength(1); // the model was never called for it
    } finally {
      fs.free();
    }
    expect(log()).toContain(`session store ${store.path} unavailable: the disk is full`);
    const ok = await agents.runTurn({ agentId: "main", sessionKey: KEY, message: "third", idempotencyKey: "k3" });
    expect(ok.text).toBe("echo: third");
    expect(log()).toContain(`session store ${store.path} works again`);
    expect(store.history(KEY).messages.map((m) => m.content)).toEqual(["first", "echo: first", "third", "echo: third"]);
    expect(store.getRunByIdempotencyKey("k2")).toBeNull();
  });

  test("a disk that fills up mid-turn fails the turn; the acknowledged message stays, and the run's outcome is recorded once space is back", async () => {
    const { agents, store } = runtime("mid-turn");
    let acknowledged = false;
    const err = await agents
      .runTurn({
        agentId: "main", sessionKey: KEY, message: "keep me [slow:20]", idempotencyKey: "mid",
        onEvent: (e) => {
          if (e.type !== "accepted") return;
          acknowledged = true;
          fs.fill();
        },
      })
      .then(() => undefined, (e) => e);
    try {
      expect(acknowledged).toBe(true);
      expect(err).toMatchObject({ kind: "storage", retryable: true });
      expect(store.history(KEY).messages.map((m) => [m.role, m.content])).toEqual([["user", "keep me [slow:20]"]]);
      expect(store.getRun("mid")?.status).toBe("running"); // its outcome could not be written yet
    } finally {
      fs.free();
    }
    await agents.runTurn({ agentId: "main", sessionKey: KEY, message: "next", idempotencyKey: "next" });
    expect(store.getRun("mid")).toMatchObject({ status: "error", error: { kind: "storage" } });
    // Replaying its key reports that failure instead of claiming it still runs.
    const replay = await agents.runTurn({ agentId: "main", sessionKey: KEY, message: "keep me [slow:20]", idempotencyKey: "mid" }).then(() => undefined, (e) => e);
    expect(replay).toMatchObject({ kind: "storage" });
    expect(store.history(KEY).messages.map((m) => m.content)).toEqual(["keep me [slow:20]", "next", "echo: next"]);
  });
});
