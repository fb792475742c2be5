import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { startAgentGateway } from "../fixtures/agent-gateway.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { waitUntil } from "../fixtures/wait.ts";
import { RawClient } from "../fixtures/ws-client.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { parseWsLogMode, shortId, WsTrafficLog } from "../../src/gateway/ws/ws-log.ts";
import type { ConnState } from "../../src/gateway/ws/conn.ts";

const gateways: TestGateway[] = [];
const clients: RawClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const g of gateways.splice(0)) await g.stop();
});

interface Line {
  level: string;
  subsystem: string;
  message: string;
}

function wsLines(gw: TestGateway): Line[] {
  return readFileSync(gw.logFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).map((r) => ({
    level: r._meta.logLevelName,
    subsystem: r["0"] ? JSON.parse(r["0"]).subsystem : "",
    message: r.message,
  })).filter((l) => l.subsystem === "gateway/ws");
}

async function start(opts: Parameters<typeof startTestGateway>[0]) {
  const gw = await startTestGateway(opts);
  gateways.push(gw);
  const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
  clients.push(c);
  return { gw, c };
}

/**
 * Lines are written right after the response frame goes out, in the order things happen: waiting for
 * the line of the last thing a test did means every earlier line (or its absence) is settled too.
 */
const lineFor = (gw: TestGateway, pred: (message: string) => boolean, what: string) =>
  waitUntil(() => wsLines(gw).some((l) => pred(l.message)), what, { detail: () => wsLines(gw).map((l) => l.message).join("\n") });
const CONN = /conn=[0-9a-f]{8}…[0-9a-f]{4}/;

describe("--ws-log", () => {
  test("auto without --verbose: quiet for fast successful calls; failures always get one ⇄ line at info", async () => {
    const { gw, c } = await start({ wsLog: "auto", fileLevel: "info" });
    await c.request("health", undefined, "ok-1");
    await c.request("no.such.method", {}, "bad-1");
    await lineFor(gw, (m) => m.includes("id=bad-1"), "the line of bad-1");
    const lines = wsLines(gw);
    expect(lines.some((l) => l.message.includes("health"))).toBe(false);
    expect(lines.some((l) => l.message.startsWith("←"))).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe("INFO");
    expect(lines[0]!.message).toMatch(/^⇄ res ✗ no\.such\.method \d+ms errorCode=INVALID_REQUEST errorMessage=unknown method: no\.such\.method conn=[0-9a-f]{8}…[0-9a-f]{4} id=bad-1$/);
  });

  test("auto: a call of 50 ms or more is logged at info even when it succeeds", async () => {
    const gw = await startAgentGateway({ wsLog: "auto", fileLevel: "info" });
    gateways.push(gw);
    const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
    clients.push(c);
    const final = c.waitFor((f) => f.type === "res" && f.id === "slow-1" && f.payload?.status !== "accepted");
    c.send({ type: "req", id: "slow-1", method: "agent", params: { message: "[slow:25] a b c", idempotencyKey: crypto.randomUUID() } });
    await final;
    await lineFor(gw, (m) => m.includes("id=slow-1"), "the line of slow-1");
    const slow = wsLines(gw).filter((l) => l.message.includes(" agent "));
    expect(slow).toHaveLength(1);
    expect(slow[0]!.level).toBe("INFO");
    const ms = Number(/ agent (\d+)ms /.exec(slow[0]!.message)![1]);
    expect(ms).toBeGreaterThanOrEqual(50);
    expect(slow[0]!.message).toMatch(/^⇄ res ✓ agent \d+ms conn=\S+ id=slow-1$/);
  });

  test("auto with --verbose (debug): every call as one ⇄ line, plus open/connect/hello-ok/close", async () => {
    const { gw, c } = await start({ wsLog: "auto", fileLevel: "debug" });
    await c.request("health", undefined, "h-1");
    c.close();
    await lineFor(gw, (m) => m.startsWith("→ close"), "the close line");
    const messages = wsLines(gw).map((l) => l.message);
    expect(messages.find((m) => m.startsWith("← open"))).toMatch(/^← open remoteAddr=127\.0\.0\.1 conn=/);
    expect(messages.find((m) => m.startsWith("← connect"))).toMatch(/^← connect client=\S+ version=\S+ mode=\S+ .*auth=token conn=/);
    expect(messages.find((m) => m.startsWith("→ hello-ok"))).toMatch(/^→ hello-ok methods=\d+ events=\d+ presence=\d+ stateVersion=\d+ conn=/);
    expect(messages.filter((m) => m.includes(" health "))).toEqual([expect.stringMatching(/^⇄ res ✓ health \d+ms conn=\S+ id=h-1$/)]);
    expect(messages.find((m) => m.startsWith("→ close"))).toMatch(/^→ close code=\d+ durationMs=\d+ .*conn=/);
    expect(wsLines(gw).filter((l) => l.message.includes(" health ")).map((l) => l.level)).toEqual(["DEBUG"]);
  });

  test("compact: one ⇄ line per call at info, no --verbose needed", async () => {
    const { gw, c } = await start({ wsLog: "compact", fileLevel: "info" });
    await c.request("health", undefined, "c-1");
    await c.request("status", undefined, "c-2");
    await lineFor(gw, (m) => m.includes("id=c-2"), "the line of c-2");
    const calls = wsLines(gw).filter((l) => l.message.startsWith("⇄"));
    expect(calls.map((l) => l.level)).toEqual(["INFO", "INFO"]);
    expect(calls.map((l) => l.message.replace(/\d+ms/, "Nms").replace(CONN, "conn=C"))).toEqual([
      "⇄ res ✓ health Nms conn=C id=c-1",
      "⇄ res ✓ status Nms conn=C id=c-2",
    ]);
  });

  test("full: ← req and → res apart, and → event with seq for broadcasts", async () => {
    const { gw, c } = await start({ wsLog: "full", fileLevel: "info" });
    await c.request("system-event", { text: "hello" }, "f-1");
    await c.waitFor((f) => f.event === "presence");
    await lineFor(gw, (m) => m.startsWith("→ event presence"), "the presence event line");
    await lineFor(gw, (m) => m.startsWith("→ res ✓ system-event"), "the line of f-1's response");
    const messages = wsLines(gw).map((l) => l.message.replace(/\d+ms/, "Nms").replace(CONN, "conn=C"));
    const req = messages.indexOf("← req system-event conn=C id=f-1");
    const res = messages.indexOf("→ res ✓ system-event Nms conn=C id=f-1");
    expect(req).toBeGreaterThanOrEqual(0);
    expect(res).toBeGreaterThan(req);
    expect(messages.some((m) => /^→ event presence seq=\d+ conn=C$/.test(m))).toBe(true);
    expect(messages.some((m) => m.startsWith("⇄"))).toBe(false);
  });

});

describe("WsTrafficLog", () => {
  function fixture(mode: "auto" | "full" | "compact", level: "info" | "debug") {
    const lines: string[] = [];
    const logger = createLogger({
      file: null, consoleLevel: level, consoleStyle: "json", secrets: () => [TEST_TOKEN],
      stdout: { write: (s: string) => lines.push(s) }, stderr: { write: () => true },
    });
    const conn = { connId: "21ac8878-0000-4000-8000-00000000b737", remoteAddress: "127.0.0.1", openedAt: Date.now() } as ConnState;
    const messages = () => lines.map((l) => JSON.parse(l)).map((r) => `${r.subsystem} ${r.message}`);
    return { wsl: new WsTrafficLog(logger.child("gateway/ws"), mode), conn, messages };
  }

  test("auto at info: nothing routine, the slow and the failed", () => {
    const { wsl, conn, messages } = fixture("auto", "info");
    // Each call's start is taken right before it, so a pause of this process cannot make a fast call slow.
    wsl.open(conn);
    wsl.request(conn, "health", "1");
    wsl.response(conn, "health", "1", performance.now());
    wsl.response(conn, "status", "2", performance.now() - 80);
    wsl.response(conn, "status", "3", performance.now(), { code: "FORBIDDEN", message: "missing scope: operator.read" });
    wsl.event(conn, "tick", 4);
    expect(messages()).toEqual([
      expect.stringMatching(/^gateway\/ws ⇄ res ✓ status \d+ms conn=21ac8878…b737 id=2$/),
      expect.stringMatching(/^gateway\/ws ⇄ res ✗ status \d+ms errorCode=FORBIDDEN errorMessage=missing scope: operator\.read conn=21ac8878…b737 id=3$/),
    ]);
    expect(Number(/ status (\d+)ms /.exec(messages()[0]!)![1])).toBeGreaterThanOrEqual(80);
  });

  test("request ids are shortened like connection ids, keeping the head and the tail", () => {
    expect(shortId("21ac8878-1234-4000-8000-0000000b7737")).toBe("21ac8878…7737");
    expect(shortId("short")).toBe("short");
    const { wsl, conn, messages } = fixture("compact", "info");
    wsl.response(conn, "health", "2:f227a516-3c1b-4b2e-9a55-0c3e1d2fda6c", performance.now());
    expect(messages()[0]).toEndWith("id=2:f227a516-3…da6c");
  });

  test("secrets in a line are masked like everywhere else", () => {
    const { wsl, conn, messages } = fixture("auto", "info");
    wsl.response(conn, "x", "1", performance.now(), { code: "INVALID_REQUEST", message: `bad token ${TEST_TOKEN}` });
    expect(messages()[0]).toContain("errorMessage=bad token test-t…6789");
    expect(messages().join("\n")).not.toContain(TEST_TOKEN);
  });

  test("parseWsLogMode", () => {
    expect(parseWsLogMode("FULL")).toBe("full");
    expect(parseWsLogMode(" compact ")).toBe("compact");
    expect(parseWsLogMode("auto")).toBe("auto");
    expect(parseWsLogMode("verbose")).toBeUndefined();
    expect(parseWsLogMode(undefined)).toBeUndefined();
  });
});
