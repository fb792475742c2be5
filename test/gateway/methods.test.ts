import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync } from "node:fs";
import { METHOD_SPECS } from "../../src/protocol/index.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { RawClient } from "../fixtures/ws-client.ts";

let gw: TestGateway;
let admin: RawClient & { hello: any };
const secret = "s3cret-token-value-abcdef";
const raw = `{ // comment\n gateway: { mode: "local", auth: { token: "${secret}" } }, logging: { level: "info" } }`;

beforeAll(async () => {
  const config = { gateway: { mode: "local" as const, auth: { token: secret } }, logging: { level: "info" as const } };
  gw = await startTestGateway({ config, raw });
  admin = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.admin"] });
});
afterAll(async () => {
  admin.close();
  await gw.stop();
});

describe("every implemented method answers in its declared result shape", () => {
  const calls: Record<string, unknown> = {
    health: {}, status: {}, "system-presence": {}, "system-event": { text: "shape check" }, "config.get": {}, "logs.tail": { limit: 10 },
  };
  for (const [name, params] of Object.entries(calls)) {
    test(name, async () => {
      const res = await admin.request(name, params);
      expect(res.ok).toBe(true);
      const spec = METHOD_SPECS[name as keyof typeof METHOD_SPECS];
      const parsed = spec.result.safeParse(res.payload);
      if (!parsed.success) throw new Error(`${name}: ${parsed.error.message}`);
    });
  }
  test("the registry covers every declared method", () => {
    expect(admin.hello.features.methods.sort()).toEqual(Object.keys(METHOD_SPECS).sort());
  });
});

describe("config.get", () => {
  test("redacts secrets in parsed, config and raw", async () => {
    const p = (await admin.request("config.get", {})).payload;
    expect(JSON.stringify(p)).not.toContain(secret);
    expect(p.config.gateway.auth.token).toBe("__OPENCLAW_REDACTED__");
    expect(p.raw).toContain("__OPENCLAW_REDACTED__");
    expect(p.raw).toContain("// comment");
    expect(p.config.logging.level).toBe("info");
  });
});

describe("status", () => {
  test("hides paths from read-only callers, shows them to admins", async () => {
    const reader = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.read"] });
    const r = (await reader.request("status")).payload;
    expect(r.gateway.configPath).toBe("[redacted]");
    const a = (await admin.request("status")).payload;
    expect(a.gateway.configPath).toBe(`${gw.dir}/openclaw.json`);
    expect(a.gateway.port).toBe(gw.port);
    expect(a.pid).toBe(process.pid);
    reader.close();
  });
});

describe("logs.tail", () => {
  test("returns the gateway's own log lines and a cursor that follows new lines", async () => {
    const first = (await admin.request("logs.tail", { limit: 5 })).payload;
    expect(first.file).toBe(gw.logFile);
    expect(first.lines.length).toBeGreaterThan(0);
    expect(() => JSON.parse(first.lines[0])).not.toThrow();
    appendFileSync(gw.logFile, JSON.stringify({ message: "appended-marker" }) + "\n");
    const next = (await admin.request("logs.tail", { cursor: first.cursor })).payload;
    expect(next.lines.some((l: string) => l.includes("appended-marker"))).toBe(true);
    expect(next.cursor).toBeGreaterThan(first.cursor);
  });

});
