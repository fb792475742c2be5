import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { SCHEMA_VERSION, SessionStore, type NewMessage } from "../../src/agents/sessions.ts";

const open: SessionStore[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function dbPath(): string {
  return join(mkdtempSync(join(process.env.OPENCLAW_TEST_TMP ?? "/tmp", "sessions-")), "state", "sessions.sqlite");
}

function openStore(path = dbPath(), opts?: Parameters<typeof SessionStore.open>[1]): SessionStore {
  const s = SessionStore.open(path, opts);
  open.push(s);
  return s;
}

const user = (content: string): NewMessage => ({ role: "user", content });
const texts = (s: SessionStore, key: string) => s.history(key).messages.map((m) => m.content);

describe("append and history", () => {
  test("seq is per session, from 1, gapless, in append order", () => {
    const s = openStore();
    const a1 = s.append("a", "main", [user("a1"), user("a2")]);
    const b1 = s.append("b", "main", [user("b1")]);
    const a3 = s.append("a", "main", [{ role: "assistant", content: "a3" }]);
    expect(a1.map((m) => m.seq)).toEqual([1, 2]);
    expect(b1.map((m) => m.seq)).toEqual([1]);
    expect(a3.map((m) => m.seq)).toEqual([3]);
    const h = s.history("a");
    expect(h).toMatchObject({ hasMore: false, total: 3 });
    expect(h.messages).toEqual([...a1, ...a3]);
    expect(new Set(h.messages.map((m) => m.id)).size).toBe(3);
    expect(s.getSession("a")).toMatchObject({ key: "a", agentId: "main", messageCount: 3, lastPreview: "a3" });
  });

  test("an explicit timestamp is kept; otherwise the append time", () => {
    const s = openStore();
    const before = Date.now();
    const [m1, m2] = s.append("k", "main", [{ role: "user", content: "x", timestamp: 1234 }, user("y")]);
    expect(m1!.timestamp).toBe(1234);
    expect(m2!.timestamp).toBeGreaterThanOrEqual(before);
    expect(s.history("k").messages.map((m) => m.timestamp)).toEqual([1234, m2!.timestamp]);
  });

  test("history pages backwards with limit and beforeSeq; hasMore and total", () => {
    const s = openStore();
    for (let i = 1; i <= 25; i++) s.append("k", "main", [user(`m${i}`)]);
    const seqs = (h: { messages: Array<{ seq: number }> }) => h.messages.map((m) => m.seq);
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

    const p1 = s.history("k", { limit: 10 });
    expect(seqs(p1)).toEqual(range(16, 25));
    expect(p1).toMatchObject({ hasMore: true, total: 25 });
    const p2 = s.history("k", { limit: 10, beforeSeq: p1.messages[0]!.seq });
    expect(seqs(p2)).toEqual(range(6, 15));
    expect(p2).toMatchObject({ hasMore: true, total: 25 });
    const p3 = s.history("k", { limit: 10, beforeSeq: p2.messages[0]!.seq });
    expect(seqs(p3)).toEqual(range(1, 5));
    expect(p3).toMatchObject({ hasMore: false, total: 25 });

    expect(s.history("k", { limit: 5, beforeSeq: 6 })).toMatchObject({ hasMore: false });
    expect(seqs(s.history("k", { limit: 5, beforeSeq: 6 }))).toEqual(range(1, 5));
    expect(seqs(s.history("k"))).toEqual(range(1, 25));
    expect(seqs(s.history("k", { beforeSeq: 4 }))).toEqual([1, 2, 3]);
    expect(s.history("k", { limit: 0 })).toEqual({ messages: [], hasMore: true, total: 25 });
    expect(s.history("k", { limit: 100 })).toMatchObject({ hasMore: false });
    expect(s.history("k", { beforeSeq: 1 })).toEqual({ messages: [], hasMore: false, total: 25 });
    expect(s.history("nope", { limit: 3 })).toEqual({ messages: [], hasMore: false, total: 0 });
    expect(() => s.history("k", { limit: -1 })).toThrow("limit must be an integer >= 0");
    expect(() => s.history("k", { limit: 1.5 })).toThrow("limit must be an integer >= 0");
  });

  test("tool calls, tool results, runId and meta round-trip", () => {
    const path = dbPath();
    const s = openStore(path);
    const calls = [
      { id: "call_1", name: "web.search", arguments: '{"q":"bun sqlite"}' },
      { id: "call_2", name: "fs.read", arguments: "{}" },
    ];
    const written = s.append("k", "main", [
      { role: "system", content: "be brief" },
      { role: "user", content: "search", runId: "r1" },
      { role: "assistant", content: "", toolCalls: calls, runId: "r1", meta: { model: "m", usage: { in: 3, out: 4 } } },
      { role: "tool", content: '{"hits":[]}', toolCallId: "call_1", runId: "r1" },
      { role: "tool", content: "file text", toolCallId: "call_2", runId: "r1" },
      { role: "assistant", content: "nothing found", toolCalls: [], runId: "r1" },
    ]);
    expect(written[2]).toMatchObject({ toolCalls: calls, meta: { model: "m", usage: { in: 3, out: 4 } } });
    expect(written[5]!.toolCalls).toBeUndefined(); // an empty list is no list
    s.close();
    const again = openStore(path);
    const h = again.history("k").messages;
    expect(h).toEqual(written);
    expect(h[3]).toEqual({ id: written[3]!.id, seq: 4, role: "tool", content: '{"hits":[]}', toolCallId: "call_1", runId: "r1", timestamp: written[3]!.timestamp });
  });

  test("lastPreview is the start of the last message text, whitespace collapsed", () => {
    const s = openStore();
    s.append("k", "main", [user("  hello\n\n  world  ")]);
    expect(s.getSession("k")!.lastPreview).toBe("hello world");
    const long = "é".repeat(50) + "😀".repeat(100);
    s.append("k", "main", [user(long)]);
    const p = s.getSession("k")!.lastPreview!;
    expect(Array.from(p)).toHaveLength(121);
    expect(p).toBe("é".repeat(50) + "😀".repeat(70) + "…");
    // a message without text (only tool calls) leaves the preview alone
    s.append("k", "main", [{ role: "assistant", content: "", toolCalls: [{ id: "c", name: "t", arguments: "{}" }] }]);
    expect(s.getSession("k")!.lastPreview).toBe(p);
    expect(s.getSession("k")!.messageCount).toBe(3);
  });
});

describe("bad input", () => {
  test("an unknown role is rejected with a clear error and nothing of the batch is written", () => {
    const s = openStore();
    s.append("k", "main", [user("ok")]);
    const bad = [user("first"), { role: "robot", content: "x" }] as unknown as NewMessage[];
    expect(() => s.append("k", "main", bad)).toThrow('message 1: invalid role "robot": expected one of user, assistant, tool, system');
    expect(texts(s, "k")).toEqual(["ok"]);
    expect(s.getSession("k")!.messageCount).toBe(1);
  });

  test("other malformed messages and arguments", () => {
    const s = openStore();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: Array<[unknown, string]> = [
      [{ role: "user", content: 42 }, "message 0: content must be a string"],
      [{ role: "assistant", content: "", toolCalls: [{ id: "c", name: "t" }] }, "message 0: toolCalls[0] must be { id: string, name: string, arguments: string }"],
      [{ role: "assistant", content: "", toolCalls: "nope" }, "message 0: toolCalls must be an array"],
      [{ role: "user", content: "", meta: cyclic }, "message 0: meta is not JSON-serializable"],
      [{ role: "user", content: "", meta: { n: 1n } }, "message 0: meta is not JSON-serializable"],
      [{ role: "user", content: "", meta: [1] }, "message 0: meta must be a plain object"],
      [{ role: "user", content: "", timestamp: Number.NaN }, "message 0: timestamp must be a finite number"],
      [{ role: "tool", content: "", toolCallId: 7 }, "message 0: toolCallId must be a string"],
      [null, "message 0: must be an object"],
    ];
    for (const [m, msg] of cases) expect(() => s.append("k", "main", [m as NewMessage])).toThrow(msg);
    expect(() => s.append("", "main", [user("x")])).toThrow("session key must be a non-empty string");
    expect(() => s.append("k", "", [user("x")])).toThrow("agentId must be a non-empty string");
    expect(s.getSession("k")).toBeNull();
    expect(s.append("k", "main", [])).toEqual([]);
    expect(s.getSession("k")).toBeNull();
  });

  test("a session key belongs to one agent", () => {
    const s = openStore();
    s.append("k", "main", [user("x")]);
    expect(() => s.append("k", "other", [user("y")])).toThrow('session "k" belongs to agent "main", not "other"');
    expect(() => s.ensureSession("k", "other")).toThrow("belongs to agent");
    expect(texts(s, "k")).toEqual(["x"]);
  });

  test("JSON cells with the wrong shape are read defensively", () => {
    const path = dbPath();
    const s = openStore(path);
    s.append("k", "main", [{ role: "assistant", content: "a", toolCalls: [{ id: "c", name: "t", arguments: "{}" }], meta: { x: 1 } }]);
    s.append("k", "main", [{ role: "assistant", content: "b", toolCalls: [{ id: "c", name: "t", arguments: "{}" }], meta: { x: 1 } }]);
    s.startRun({ runId: "r", sessionKey: "k", agentId: "main" });
    s.finishRun("r", "ok", { fine: true });
    const raw = new Database(path);
    raw.run(`UPDATE messages SET tool_calls = '{"not":"a list"}', meta = '[1,2]' WHERE seq = 1`);
    raw.run(`UPDATE messages SET tool_calls = '[{"id":"c","name":"t","arguments":{"q":1}}, {"id":5}]', meta = 'null' WHERE seq = 2`);
    raw.close();
    const [m1, m2] = s.history("k").messages;
    expect(m1!.toolCalls).toBeUndefined();
    expect(m1!.meta).toBeUndefined();
    expect(m2!.toolCalls).toEqual([{ id: "c", name: "t", arguments: '{"q":1}' }]);
    expect(m2!.meta).toBeUndefined();
    expect(s.getRun("r")!.result).toEqual({ fine: true });
  });

  test("a database from a newer schema is refused", () => {
    const path = dbPath();
    openStore(path).close();
    const raw = new Database(path);
    raw.run(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => SessionStore.open(path)).toThrow(`has schema version ${SCHEMA_VERSION + 1}, newer than this gateway supports (${SCHEMA_VERSION})`);
  });
});

describe("sessions", () => {
  test("ensureSession creates once with a uuid sessionId; deleteSession removes messages; a new session gets a new id", () => {
    const s = openStore();
    const a = s.ensureSession("k", "main");
    expect(a.sessionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).toMatchObject({ key: "k", agentId: "main", messageCount: 0 });
    expect(a.lastPreview).toBeUndefined();
    expect(s.ensureSession("k", "main")).toEqual(a);
    s.append("k", "main", [user("x"), user("y")]);
    expect(s.getSession("k")!.sessionId).toBe(a.sessionId);
    expect(s.deleteSession("k")).toBe(true);
    expect(s.deleteSession("k")).toBe(false);
    expect(s.getSession("k")).toBeNull();
    expect(s.history("k")).toEqual({ messages: [], hasMore: false, total: 0 });
    const [m] = s.append("k", "main", [user("again")]);
    expect(m!.seq).toBe(1);
    expect(s.getSession("k")!.sessionId).not.toBe(a.sessionId);
  });

  test("listSessions: most recently updated first, filtered by agent, with limit, offset and total", () => {
    const s = openStore();
    s.append("a", "main", [user("a")]);
    s.append("b", "main", [user("b")]);
    s.append("c", "work", [user("c")]);
    s.ensureSession("d", "main"); // created last, no messages
    const keys = (r: { sessions: Array<{ key: string }> }) => r.sessions.map((x) => x.key);
    expect(keys(s.listSessions())).toEqual(["d", "c", "b", "a"]);
    s.append("a", "main", [user("a again")]); // same millisecond as the others, still moves to the front
    expect(keys(s.listSessions())).toEqual(["a", "d", "c", "b"]);
    expect(s.listSessions().total).toBe(4);
    expect(s.listSessions({ agentId: "main" })).toMatchObject({ total: 3 });
    expect(keys(s.listSessions({ agentId: "main" }))).toEqual(["a", "d", "b"]);
    expect(keys(s.listSessions({ agentId: "work" }))).toEqual(["c"]);
    expect(s.listSessions({ agentId: "nobody" })).toEqual({ sessions: [], total: 0 });
    const page = s.listSessions({ limit: 2, offset: 1 });
    expect(keys(page)).toEqual(["d", "c"]);
    expect(page.total).toBe(4);
    expect(s.listSessions({ limit: 2, offset: 1 }).sessions[0]).toMatchObject({ key: "d", messageCount: 0 });
    expect(s.listSessions().sessions[0]).toMatchObject({ key: "a", messageCount: 2, lastPreview: "a again" });
  });

  test("two connections appending to one session serialize: seq stays gapless and unique", () => {
    const path = dbPath();
    const a = openStore(path);
    const b = openStore(path);
    for (let i = 0; i < 40; i++) (i % 3 === 0 ? b : a).append("k", "main", [user(`m${i}`), user(`m${i}'`)]);
    const h = a.history("k");
    expect(h.total).toBe(80);
    expect(h.messages.map((m) => m.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    expect(h.messages.map((m) => m.content).slice(0, 4)).toEqual(["m0", "m0'", "m1", "m1'"]);
  });
});

describe("runs", () => {
  const run = { runId: "run-1", idempotencyKey: "idem-1", sessionKey: "k", agentId: "main" };

  test("startRun twice with one idempotency key returns the first run", () => {
    const s = openStore();
    const first = s.startRun(run);
    expect(first.created).toBe(true);
    expect(first.run).toMatchObject({ runId: "run-1", idempotencyKey: "idem-1", status: "running", sessionKey: "k", agentId: "main" });
    expect(first.run.finishedAt).toBeUndefined();
    const second = s.startRun({ ...run, runId: "run-2" });
    expect(second).toEqual({ created: false, run: first.run });
    expect(s.getRun("run-2")).toBeNull();
    expect(s.getRunByIdempotencyKey("idem-1")).toEqual(first.run);
    expect(s.getRunByIdempotencyKey("idem-x")).toBeNull();
    // the same runId again: the existing run, unless it claims another key
    expect(s.startRun({ runId: "run-1", sessionKey: "k", agentId: "main" }).created).toBe(false);
    expect(() => s.startRun({ ...run, idempotencyKey: "idem-other" })).toThrow('run "run-1" already exists with idempotency key "idem-1"');
    // without a key every runId is its own run
    expect(s.startRun({ runId: "run-3", sessionKey: "k", agentId: "main" })).toMatchObject({ created: true, run: { runId: "run-3" } });
    expect(s.getRun("run-3")!.idempotencyKey).toBeUndefined();
  });

  test("finishRun records status, result and error once", () => {
    const s = openStore();
    s.startRun(run);
    expect(s.finishRun("run-1", "ok", { text: "done", usage: { in: 1 } })).toBe(true);
    const done = s.getRun("run-1")!;
    expect(done).toMatchObject({ status: "ok", result: { text: "done", usage: { in: 1 } } });
    expect(done.error).toBeUndefined();
    expect(done.finishedAt).toBeGreaterThanOrEqual(done.createdAt);
    expect(s.finishRun("run-1", "error", undefined, "late")).toBe(false); // the first finish wins
    expect(s.getRun("run-1")).toEqual(done);
    expect(s.finishRun("nope", "ok")).toBe(false);

    s.startRun({ runId: "run-2", sessionKey: "k", agentId: "main" });
    const err = Object.assign(new Error("upstream said no"), { kind: "upstream", status: 502 });
    s.finishRun("run-2", "error", undefined, err);
    expect(s.getRun("run-2")).toMatchObject({ status: "error", error: { name: "Error", message: "upstream said no", kind: "upstream", status: 502 } });
    s.startRun({ runId: "run-3", sessionKey: "k", agentId: "main" });
    expect(s.finishRun("run-3", "timeout", { big: 10n })).toBe(true); // unserializable: kept as text, still finished
    expect(s.getRun("run-3")).toMatchObject({ status: "timeout", result: "[object Object]" });

    expect(() => s.finishRun("run-3", "running")).toThrow("finishRun needs a final status, not running");
    expect(() => s.finishRun("run-3", "done" as never)).toThrow('invalid run status "done"');
  });
});

describe("durability and reopen", () => {
  test("relaxed: a commit at synchronous=NORMAL, FULL again afterwards; inside a batch it joins the batch", () => {
    const path = dbPath();
    const s = openStore(path);
    let during = "";
    s.relaxed(() => {
      s.append("k", "main", [user("round")]);
      during = s.pragmas().synchronous;
    });
    expect(during).toBe("NORMAL");
    expect(s.pragmas().synchronous).toBe("FULL");
    s.batch(() => s.relaxed(() => s.append("k", "main", [user("nested")])));
    expect(s.pragmas().synchronous).toBe("FULL");
    expect(() => s.relaxed(() => {
      s.append("k", "main", [user("rolled back")]);
      throw new Error("boom");
    })).toThrow("boom");
    expect(s.pragmas().synchronous).toBe("FULL");
    s.close();
    expect(openStore(path).history("k").messages.map((m) => m.content)).toEqual(["round", "nested"]);
  });

  test("open creates 0700 dirs and a 0600 file, WAL, synchronous=FULL, foreign keys, busy timeout, schema version", () => {
    const path = dbPath();
    const s = openStore(path);
    expect(s.path).toBe(path);
    expect(s.pragmas()).toEqual({ journalMode: "wal", synchronous: "FULL", foreignKeys: true, busyTimeoutMs: 5000, userVersion: SCHEMA_VERSION });
    expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
    s.append("k", "main", [user("x")]);
    for (const f of [path, `${path}-wal`]) expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(openStore(dbPath(), { synchronous: "NORMAL" }).pragmas().synchronous).toBe("NORMAL");
    expect(() => SessionStore.open(dbPath(), { synchronous: "OFF" as never })).toThrow('synchronous must be "FULL" or "NORMAL"');
  });

  test("reopen after close keeps sessions, messages and runs", () => {
    const path = dbPath();
    const s = SessionStore.open(path);
    const msgs = s.append("k", "main", [user("one"), { role: "assistant", content: "two", meta: { m: 1 } }]);
    s.append("other", "work", [user("three")]);
    s.startRun({ runId: "r", idempotencyKey: "i", sessionKey: "k", agentId: "main" });
    s.finishRun("r", "ok", { text: "two" });
    const sessions = s.listSessions();
    s.close();
    s.close(); // idempotent
    expect(s.closed).toBe(true);
    expect(() => s.history("k")).toThrow("is closed");

    const t = openStore(path);
    expect(t.interruptedAtOpen).toEqual([]);
    expect(t.history("k").messages).toEqual(msgs);
    expect(t.listSessions()).toEqual(sessions);
    expect(t.getRunByIdempotencyKey("i")).toMatchObject({ runId: "r", status: "ok", result: { text: "two" } });
    expect(t.append("k", "main", [user("four")])[0]!.seq).toBe(3);
  });

  test("a run left running by a previous process is interrupted on reopen", () => {
    const path = dbPath();
    const s = SessionStore.open(path);
    s.startRun({ runId: "left", idempotencyKey: "ik", sessionKey: "k", agentId: "main" });
    s.startRun({ runId: "done", sessionKey: "k", agentId: "main" });
    s.finishRun("done", "aborted");
    s.close(); // stands in for a crash: nothing finished "left"

    const t = openStore(path);
    expect(t.interruptedAtOpen).toEqual(["left"]);
    const left = t.getRun("left")!;
    expect(left.status).toBe("interrupted");
    expect(left.finishedAt).toBeGreaterThanOrEqual(left.createdAt);
    expect(t.getRun("done")!.status).toBe("aborted");
    expect(t.finishRun("left", "ok")).toBe(false); // a late finish from nowhere does not resurrect it
    // a retry with the same key sees the interrupted run rather than starting a duplicate
    expect(t.startRun({ runId: "retry", idempotencyKey: "ik", sessionKey: "k", agentId: "main" })).toMatchObject({ created: false, run: { runId: "left", status: "interrupted" } });
  });

  test("micro-measurement: append latency with synchronous FULL vs NORMAL (printed, not asserted)", () => {
    const N = 200;
    const measure = (mode: "FULL" | "NORMAL") => {
      const s = openStore(dbPath(), { synchronous: mode });
      s.append("warm", "main", [user("warm-up")]);
      const us: number[] = [];
      const msg = [user("x".repeat(400)), { role: "assistant" as const, content: "y".repeat(800) }];
      for (let i = 0; i < N; i++) {
        const t0 = Bun.nanoseconds();
        s.append("k", "main", msg);
        us.push((Bun.nanoseconds() - t0) / 1000);
      }
      us.sort((a, b) => a - b);
      const q = (p: number) => us[Math.min(us.length - 1, Math.floor(p * us.length))]!.toFixed(0);
      return `${mode.padEnd(6)} median ${q(0.5)} µs  p90 ${q(0.9)} µs  p99 ${q(0.99)} µs  max ${us.at(-1)!.toFixed(0)} µs`;
    };
    console.log(`append of 2 messages (~1.2 KB), ${N} runs each, ${process.env.OPENCLAW_TEST_TMP ?? "/tmp"}:\n  ${measure("FULL")}\n  ${measure("NORMAL")}`);
  });
});

describe("batch", () => {
  test("several writes commit together, and a failure inside leaves none of them", () => {
    const s = openStore();
    const out = s.batch(() => {
      const r = s.startRun({ runId: "b1", sessionKey: "agent:main:b", agentId: "main" });
      const [m] = s.append("agent:main:b", "main", [user("in batch")]);
      return { created: r.created, seq: m!.seq };
    });
    expect(out).toEqual({ created: true, seq: 1 });
    expect(() =>
      s.batch(() => {
        s.append("agent:main:b", "main", [user("rolled back")]);
        s.startRun({ runId: "b2", sessionKey: "agent:main:b", agentId: "main" });
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(texts(s, "agent:main:b")).toEqual(["in batch"]);
    expect(s.getRun("b2")).toBeNull();
    expect(s.getSession("agent:main:b")!.messageCount).toBe(1);
  });
});
