// `openclaw status --usage` (the real CLI, spawned) against a gateway whose agent called the OpenAI
// stub over HTTP: the `usage` key of --json, the human "Usage" section, and the gateway-down case.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { OpenClawConfig } from "../../src/config/schema.ts";
import { startTestGateway, TEST_TOKEN, type TestGateway } from "../fixtures/gateway.ts";
import { runStatus, statusHome } from "../fixtures/status-cli.ts";
import { RATE_LIMITS, startOpenAIStub, type OpenAIStub } from "../fixtures/openai-stub.ts";
import { RawClient } from "../fixtures/ws-client.ts";

let stub: OpenAIStub;
let gw: TestGateway;

beforeAll(async () => {
  stub = await startOpenAIStub();
  const config: OpenClawConfig = {
    gateway: { mode: "local" },
    models: { providers: { oai: { baseUrl: stub.baseUrl }, spare: { baseUrl: "http://127.0.0.1:9/v1" } } },
    agents: { defaults: { model: "oai/echo" } },
  };
  gw = await startTestGateway({ config });
  const c = await RawClient.connect(gw.url, { token: TEST_TOKEN, scopes: ["operator.write"] });
  const id = crypto.randomUUID();
  const done = c.waitFor((f) => f.type === "res" && f.id === id && f.payload?.status !== "accepted", 20_000);
  c.send({ type: "req", id, method: "agent", params: { message: "hello there", idempotencyKey: id } });
  expect((await done).payload.status).toBe("ok");
  c.close();
}, 30_000);
afterAll(async () => {
  await gw.stop();
  stub.stop();
});

/** How many usage.status requests the gateway has answered (its own request counter). */
function usageCalls(): number {
  const m = /^openclaw_ws_requests_total\{method="usage\.status",code="ok"\} (\d+)$/m.exec(gw.runtime.metricsText());
  return m ? Number(m[1]) : 0;
}

const input = "hello there".length;
const output = "echo: hello there".length;

describe("openclaw status --usage", () => {
  test("--json: a usage key with the provider's rate limits and tokens; without --usage no key and no call", async () => {
    const before = usageCalls();
    const plain = JSON.parse((await runStatus(["--json"], statusHome(gw.port))).stdout);
    expect("usage" in plain).toBe(false);
    expect(usageCalls()).toBe(before);

    const r = await runStatus(["--json", "--usage"], statusHome(gw.port));
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(usageCalls()).toBe(before + 1);
    expect(Object.keys(d).slice(-2)).toEqual(["usage", "collection"]);
    expect(Object.keys(d.usage)).toEqual(["ts", "windows", "rateLimitsSince", "usageSource", "providers"]);
    expect(d.usage.providers.map((p: any) => `${p.provider}/${p.model}`)).toEqual(["oai/echo", "spare/null"]);
    const oai = d.usage.providers[0];
    expect(oai).toMatchObject({ isDefault: true, configured: true, lastStatus: 200 });
    expect(oai.rateLimits.requests).toEqual({ limit: RATE_LIMITS.requests, remaining: RATE_LIMITS.requests - 1, resetAt: oai.lastCallAt + 1000 });
    expect(oai.rateLimits.tokens.remaining).toBe(RATE_LIMITS.tokens - input - output);
    expect(oai.usage["24h"]).toEqual({ inputTokens: input, outputTokens: output, totalTokens: input + output, calls: 1 });
    expect(d.usage.providers[1]).toMatchObject({ rateLimits: null, note: "no calls yet", lastCallAt: null });
    expect(d.collection.notCollected.some((n: any) => n.fields.includes("usage"))).toBe(false);
  }, 60_000);

  test("human output: a Usage section with one line per provider/model", async () => {
    const r = await runStatus(["--usage"], statusHome(gw.port));
    expect(r.code).toBe(0);
    const section = r.stdout.split("\nUsage\n")[1]?.split("\n\n")[0] ?? "";
    const lines = section.split("\n");
    const limit = RATE_LIMITS.requests.toLocaleString("en-US");
    const tokens = (RATE_LIMITS.tokens - input - output).toLocaleString("en-US");
    expect(lines[0]).toMatch(new RegExp(
      `^- oai/echo \\(default\\) · requests ${RATE_LIMITS.requests - 1}/${limit} left, (resets in \\d+(ms|s)|reset since) · ` +
      `tokens ${tokens}/${RATE_LIMITS.tokens.toLocaleString("en-US")} left, resets in [56]m · ` +
      `used: 24h ${input} in / ${output} out \\(1 call\\), 30d ${input} in / ${output} out \\(1 call\\)$`,
    ));
    expect(lines[1]).toBe("- spare · no calls yet · used: 24h 0 in / 0 out (0 calls), 30d 0 in / 0 out (0 calls)");
    expect(r.stdout.indexOf("\nUsage\n")).toBeGreaterThan(r.stdout.indexOf("\nSessions\n"));
    expect(r.stdout.indexOf("\nUsage\n")).toBeLessThan(r.stdout.indexOf("Next steps:"));
    expect((await runStatus([], statusHome(gw.port))).stdout).not.toContain("\nUsage\n");
  }, 60_000);

  test("gateway down: usage null and listed as not collected, in JSON and in the section", async () => {
    // A port that was just free: nothing answers there.
    const l = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const dead = l.port;
    l.stop(true);
    const h = statusHome(dead);
    const j = await runStatus(["--json", "--usage", "--timeout", "2000"], h);
    expect(j.code).toBe(0);
    const d = JSON.parse(j.stdout);
    expect(d.usage).toBeNull();
    const entry = d.collection.notCollected.find((n: any) => n.fields.includes("usage"));
    expect(entry.reason).toStartWith("Gateway not reachable (");
    const human = await runStatus(["--usage", "--timeout", "2000"], h);
    expect(human.stdout).toContain("\nUsage\nNot collected (Gateway not reachable (");
  }, 60_000);
});
